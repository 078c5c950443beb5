#!/bin/sh
# SPDX-License-Identifier: MIT
# check-viewer.sh DEMO (make test-viewer): the trace's web page in a real
# browser.  Runs the demo with --trace into build/trace/, loads demo.html
# in headless Chromium (installed with apt-get when missing) at a few
# steps given in the address (#step=N), and checks the DOM the page's
# script built: a row a task, the commands, Flowno's order in the ready
# list after a spawn, the state changing with the step.  Saves a
# screenshot as build/trace/demo-viewer.png.
set -u
demo=$1
out=build/trace
fail() {
    echo "test-viewer: $*" >&2
    exit 1
}

command -v chromium >/dev/null 2>&1 || sh tests/apt-install.sh chromium || exit 1
mkdir -p "$out"
"$demo" --trace "$out/demo" >"$out/demo.out" 2>&1 || {
    cat "$out/demo.out"
    fail "the demo failed"
}
page="file://$(pwd)/$out/demo.html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# chrome ARGS...: one headless run, its own profile, a time limit.
chrome() {
    timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$profile" "$@" 2>/dev/null
}
# dump N: the DOM after the script ran, opened at step N.
dump() {
    chrome --dump-dom "$page#step=$1" >"$out/viewer-step$1.html" ||
        fail "chromium could not load $page#step=$1"
    [ -s "$out/viewer-step$1.html" ] || fail "chromium gave no DOM for step $1"
}
# block N ID: the lines of element ID (a list or a table) at step N.
block() {
    sed -n "/id=\"$2\"/,/<\/[ot][la]/p" "$out/viewer-step$1.html"
}

dump 1
first="$out/viewer-step1.html"
grep -q '<h2 id="title">Step 1 of [0-9]*, at ' "$first" || fail "the page did not open at step 1"
tasks=$(grep -c '<tr class="task' "$first")
[ "$tasks" -eq 5 ] || fail "$tasks rows in the table of tasks, not one a task (5)"
for cmd in 'SPAWN worker_A' 'SLEEP 90 ms' 'JOIN worker_A' 'SLEEP 20 ms' 'CANCEL_JOIN watchdog' \
    'SLEEP 5000 ms' 'DONE'; do
    grep -q "<td class=\"cmd\">$cmd</td>" "$first" || fail "no step runs $cmd"
done

# The step where the supervisor spawns worker A: the child is ready first,
# the spawner behind it.
spawn=$(awk '/<tr class="step[^"]*" id="s[0-9]+">/ { sub(/.*id="s/, ""); sub(/".*/, ""); n = $0 }
             />SPAWN worker_A</ { print n; exit }' "$first")
[ -n "$spawn" ] || fail "no step number for SPAWN worker_A"
dump "$spawn"
grep -q "<h2 id=\"title\">Step $spawn of " "$out/viewer-step$spawn.html" ||
    fail "the address #step=$spawn did not open step $spawn"
ready=$(block "$spawn" ready | grep -o '<li>[^<]*</li>' | tr -d '\n')
[ "$ready" = "<li>worker_A</li><li>supervisor</li>" ] ||
    fail "after SPAWN worker_A the ready list is $ready, not worker_A then supervisor"

# The last step: every task has ended; the state differs from step 1's.
dump 100000
last="$out/viewer-step100000.html"
ended=$(block 100000 tasks | grep -c '<td>ended: ')
[ "$ended" -eq 5 ] || fail "$ended tasks ended at the last step, not 5"
[ "$(block 1 tasks)" != "$(block 100000 tasks)" ] || fail "stepping did not change the tasks shown"
[ "$(block 1 ready)" != "$(block "$spawn" ready)" ] || fail "stepping did not change the ready list"
grep -q '<h2 id="title">Step \([0-9]*\) of \1, at ' "$last" ||
    fail "a step past the end is not the last"

chrome --screenshot="$out/demo-viewer.png" --window-size=1600,1000 "$page#step=$spawn" >/dev/null ||
    fail "no screenshot"
[ -s "$out/demo-viewer.png" ] || fail "an empty screenshot"
echo "test-viewer: the page shows 5 tasks, the commands and the loop's state at each step" \
    "(screenshot: $out/demo-viewer.png)"
