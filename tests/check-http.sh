#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTTP example against a real client: start it on a port the kernel
# picks, fetch three pages with curl, check status and content, and check
# that it stops by itself after those three requests.
set -u
server=${1:?usage: check-http.sh path/to/http_server}
out=$(mktemp)
trap 'rm -f "$out"; kill "$pid" 2>/dev/null' EXIT

"$server" -p 0 -n 3 >"$out" 2>&1 &
pid=$!
port=""
for _ in $(seq 50); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat "$out"; echo "http: the server did not start"; exit 1; }

fail() { echo "http: $1"; cat "$out"; exit 1; }
get() { curl -s -m 5 -o /dev/stdout -w '\n%{http_code}' "http://127.0.0.1:$port$1"; }

reply=$(get /) || fail "curl / failed"
[ "$(echo "$reply" | tail -n 1)" = 200 ] || fail "GET / did not answer 200"
echo "$reply" | grep -q "Hello from flowno" || fail "GET / lacks its page"

reply=$(get /tasks) || fail "curl /tasks failed"
[ "$(echo "$reply" | tail -n 1)" = 200 ] || fail "GET /tasks did not answer 200"
echo "$reply" | grep -qi "task" || fail "GET /tasks lacks the loop dump"

reply=$(get /nowhere) || fail "curl /nowhere failed"
[ "$(echo "$reply" | tail -n 1)" = 404 ] || fail "GET /nowhere did not answer 404"

# Three requests served: it must exit 0 by itself.
for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop after 3 requests"
wait "$pid" || fail "the server exited with an error"
echo "http: curl got /, /tasks and a 404 from the example server on port $port"
