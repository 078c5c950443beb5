#!/bin/sh
# SPDX-License-Identifier: MIT
# fuzz.sh SECONDS FUZZER MODEL...: fresh seeds in each model binary (a
# configuration each) for an equal share of nine tenths of SECONDS, then
# the libFuzzer binary for the last tenth.  Stops at the first failure:
# the binary has printed the seed and the line that reproduces it.
seconds=$1
fuzzer=$2
shift 2
n=$#
share=$(( seconds * 9 / 10 / n ))
[ "$share" -lt 1 ] && share=1
for bin in "$@"; do
    "$bin" --seconds "$share" || { echo "fuzz: FAILED in $bin (see the reproduce line above)"; exit 1; }
done
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
echo "fuzz: no failure"
