#!/bin/sh
# SPDX-License-Identifier: MIT
# check-servers.sh BUILD_DIR: the example servers against loads and
# clients that misbehave, on each port, over loopback only.
#   echo: byte-checked echo with 1000 connections (5000 on poll and epoll),
#         half-close, a reset mid-transfer, a slow reader, connect/close
#         cycles; idle clients holding every place (closed, a fresh client
#         served); more clients than fds under `ulimit -n 64` (the server
#         pauses, goes on, then serves a fresh client); past FD_SETSIZE
#         under select (refused, the reason logged)
#   http_server: no CRLF, a 64 KB request line and header line, binary
#         garbage, a request in 1-byte writes, half a request then
#         silence, an unknown method; 300 requests at once
# Every server must stop with status 0 on SIGTERM.  BUILD_DIR holds
# examples/echo, examples/http_server, tests/echo_client and
# tests/server_faults.
set -u
b=${1:?usage: check-servers.sh BUILD_DIR}
echo_server=$b/examples/echo
http_server=$b/examples/http_server
load=$b/tests/echo_client
faults=$b/tests/server_faults
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

fail() {
    echo "servers: $1"
    echo "-- the server's output:"
    tail -n 20 "$tmp/out" "$tmp/err" 2>/dev/null
    exit 1
}

# start CMD...: a server in the background; $port once it has said it.
start() {
    # Empty them first: the background job's own redirection may come
    # after the first look below, which would then read the last
    # server's port.
    : >"$tmp/out"
    : >"$tmp/err"
    "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    port=""
    for _ in $(seq 100); do
        port=$(sed -n -e 's/^echo server on [^ ]* port \([0-9]*\):.*/\1/p' \
                      -e 's|^listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/out")
        [ -n "$port" ] && return
        kill -0 "$pid" 2>/dev/null || fail "$* did not start"
        sleep 0.1
    done
    fail "$* did not say its port"
}

stop() {
    kill -TERM "$pid"
    wait "$pid" || fail "the server did not exit 0 on SIGTERM"
    pid=""
}

# run CMD...: it must succeed; its one line is shown.
run() {
    said=$("$@" 2>&1) || fail "$*: $said"
    echo "  $said"
}

logged() {
    grep -q "$1" "$tmp/err" || fail "the server did not log \"$1\""
}

ports="select poll"
[ "$(uname -s)" = Linux ] && ports="$ports epoll"

for p in $ports; do
    echo "== echo on $p"
    start "$echo_server" server -p 0 -b "$p" -i 5
    run "$load" -k -n 20 "$port" 1000 60 64
    [ "$p" = select ] || run "$load" -k -n 4 "$port" 5000 60 4096
    run "$faults" halfclose "$port" 100000
    run "$faults" reset "$port"
    run "$faults" slow "$port" 2000000
    run "$faults" cycles "$port" 500
    stop

    echo "== echo on $p, 20 connections at most, idle ones closed after 1 s"
    start "$echo_server" server -p 0 -b "$p" -c 20 -i 1
    run "$faults" idle "$port" 20 10
    stop
    logged "20 connections, the limit"

    echo "== echo on $p under ulimit -n 64"
    start sh -c "ulimit -n 64 && exec $echo_server server -p 0 -b $p -i 5"
    run "$faults" flood "$port" 200
    run "$faults" cycles "$port" 1
    stop
    logged "out of fds"
done

echo "== echo on select, asked for 1500 connections"
start "$echo_server" server -p 0 -b select -c 1500
run "$faults" hold "$port" 1100
stop
logged "past what select can watch"

for p in $ports; do
    echo "== http_server on $p"
    start "$http_server" -p 0 -b "$p" -i 1
    for c in "ok 200" "nocrlf 408" "longline 400" "header64k 400" "garbage 400" \
             "onebyte 200" "half 408" "method 501"; do
        # shellcheck disable=SC2086
        run "$faults" http "$port" $c
    done
    run "$faults" httpload "$port" 300
    stop
done
echo "servers: echo and http_server held on $(echo $ports | tr ' ' ,)"
