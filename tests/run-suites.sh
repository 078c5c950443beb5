#!/bin/sh
# SPDX-License-Identifier: MIT
# run-suites.sh WRAPPER BIN... : run each Check suite (under WRAPPER, which
# may be empty), show its output, and end with one line that adds them up.
# Exits non-zero if any suite fails or crashes.
wrapper=$1
shift
passed=0
failed=0
status=0
for bin in "$@"; do
    out=$($wrapper "$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
    if [ -z "$line" ]; then
        echo "$bin: no Check summary (exit $rc)"
        failed=$((failed + 1))
        status=1
        continue
    fi
    checks=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    fails=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    errs=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    bad=$((fails + errs))
    passed=$((passed + checks - bad))
    failed=$((failed + bad))
    if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
        echo "$bin: FAILED (exit $rc)"
        status=1
    fi
done
echo "suites: $passed passed, $failed failed"
exit $status
