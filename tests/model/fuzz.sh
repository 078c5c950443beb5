#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz.sh SECONDS FUZZER MODEL...: fresh seeds in each model binary (a
# configuration each) for an equal share of nine tenths of SECONDS, then
# the libFuzzer binary for the last tenth.  Stops at the first failure:
# the binary has printed the seed and the line that reproduces it.
seconds=$1
fuzzer=$2
shift 2
share=$(( seconds * 9 / 10 / $# ))
[ "$share" -lt 1 ] && share=1
seeds=0
ops=0
for bin in "$@"; do
    out=$("$bin" --seconds "$share") || {
        printf '%s\n' "$out"
        echo "fuzz: FAILED in $bin (see the reproduce line above)"
        exit 1
    }
    printf '%s\n' "$out"
    # "model NAME: N seeds (A..B) passed, M operations"
    seeds=$(( seeds + $(printf '%s' "$out" | sed -n 's/.*: \([0-9]*\) seeds.*/\1/p') ))
    ops=$(( ops + $(printf '%s' "$out" | sed -n 's/.*passed, \([0-9]*\) operations.*/\1/p') ))
done
echo "fuzz: $seeds fresh seeds, $ops operations in $# configurations, no failure"
last=$(( seconds / 10 ))
[ "$last" -lt 5 ] && last=5
dir=$(dirname "$fuzzer")
mkdir -p "$dir/corpus"
if ! "$fuzzer" -max_total_time="$last" -print_final_stats=1 -artifact_prefix="$dir/" \
        -max_len=4096 "$dir/corpus" > "$dir/fuzz.log" 2>&1; then
    grep -E 'MODEL FAILURE|ERROR|runtime error|Test unit written' "$dir/fuzz.log" | head -n 20
    echo "fuzz: FAILED under libFuzzer (log: $dir/fuzz.log; run $fuzzer on the crash file to see it)"
    exit 1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log")
echo "libfuzzer: $runs inputs in $last s, no failure (corpus: $dir/corpus)"
