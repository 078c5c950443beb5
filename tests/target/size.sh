#!/bin/sh
# SPDX-License-Identifier: MIT
# make size: the library cross-compiled for the MCUs it is meant for, in two
# profiles, summed over its objects (what a firmware links when it uses
# every function), and sizeof of its two structs.  Fails over budget: on
# cortex-m0plus, full <= 2048 and minimal <= 700 bytes of text; fl_task <=
# 20 bytes on every 32-bit target.
#
# With --guard-met (make test), the full profile's budget, which is not met
# yet, is reported but does not fail: the run then guards the budgets that
# are met against growing back over them.
#
# With --config "FLAGS" it prints only what the library costs built with
# those flags (make size-of CONFIG="..."), one line a cpu, and checks no
# budget: to judge a mix of features before choosing it.
#
# With --stack (make stack) it prints how much of the one stack the loop
# needs in the full profile, one line a cpu (tests/target/stack.awk says
# what each figure means), and fails on recursion or an unbounded frame.
set -u
mode=${1:-report} # report, --guard-met, --config or --stack
config=${2:-}     # the flags, with --config
out=build/size
mkdir -p "$out"
# The warnings of every other build (the Makefile's WARN), so that this
# report cannot pass code the suites would refuse; the files measured
# (target.mk's SIZE_SRC), so that a new one is measured too.
: "${WARN:?run it through make (make size), which passes WARN}"
: "${SIZE_SRC:?run it through make (make size), which passes SIZE_SRC}"
SRC=$SIZE_SRC
FULL_BASE="-DFL_ENABLE_IO=0 -DFL_ENABLE_DUMP=0 -DFL_ENABLE_STRERROR=0"
FULL="$FULL_BASE -DFL_ENABLE_HOOKS=0"
MINIMAL="-DFL_PROFILE_MINIMAL"
status=0

# cc_for CPU: the compiler and flags for one target.
cc_for() {
    case $1 in
    rv32imac) echo "riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -Os -ffreestanding" ;;
    *) echo "arm-none-eabi-gcc -mcpu=$1 -mthumb -Os -ffreestanding" ;;
    esac
}
size_for() {
    case $1 in rv32imac) echo riscv64-unknown-elf-size ;; *) echo arm-none-eabi-size ;; esac
}
nm_for() {
    case $1 in rv32imac) echo riscv64-unknown-elf-nm ;; *) echo arm-none-eabi-nm ;; esac
}

# measure CPU PROFILE-FLAGS: prints "text data bss" summed over the objects.
measure() {
    cc=$(cc_for "$1"); sz=$(size_for "$1"); shift
    t=0; d=0; b=0
    for f in $SRC; do
        o="$out/$(basename "$f" .c).o"
        # shellcheck disable=SC2086
        $cc $WARN -ffunction-sections -fdata-sections -I. "$@" -c "$f" -o "$o" || exit 1
        line=$($sz "$o" | awk 'NR == 2 { print $1, $2, $3 }')
        t=$((t + ${line%% *})); rest=${line#* }
        d=$((d + ${rest%% *})); b=$((b + ${rest#* }))
    done
    echo "$t $d $b"
}

if [ "$mode" = --stack ]; then
    for cpu in cortex-m0plus cortex-m3 cortex-m4 rv32imac; do
        rm -f "$out"/*.ci
        for f in $SRC; do
            # shellcheck disable=SC2046,SC2086
            $(cc_for $cpu) $WARN -I. $FULL -fcallgraph-info=su -c "$f" \
                -o "$out/$(basename "$f" .c).o" || exit 1
        done
        cat "$out"/*.ci | awk -v cpu=$cpu -f tests/target/stack.awk || exit 1
    done
    exit 0
fi

if [ "$mode" = --config ]; then
    for cpu in cortex-m0plus cortex-m3 cortex-m4 rv32imac; do
        # shellcheck disable=SC2086
        set -- $(measure $cpu $config)
        echo "size config $cpu text=$1 data=$2 bss=$3"
    done
    exit 0
fi

for cpu in cortex-m0plus cortex-m3 cortex-m4 rv32imac; do
    for profile in full minimal; do
        if [ $profile = full ]; then flags=$FULL; else flags=$MINIMAL; fi
        # shellcheck disable=SC2086
        set -- $(measure $cpu $flags)
        echo "size $profile $cpu text=$1 data=$2 bss=$3"
        if [ $cpu = cortex-m0plus ]; then
            budget=700
            if [ $profile = full ]; then budget=2048; full=$1; fi
            if [ "$1" -gt $budget ]; then
                echo "over budget: $profile on $cpu has $1 bytes of text, budget $budget" >&2
                if [ $profile = minimal ] || [ "$mode" != --guard-met ]; then status=1; fi
            fi
        fi
    done
    # sizeof, read from the sizes of two objects: nothing runs on the host.
    printf '#include "flowno/flowno.h"\nchar task_size[sizeof(fl_task)];\nchar loop_size[sizeof(fl_loop)];\n' \
        > "$out/sizeof.c"
    # shellcheck disable=SC2046
    $(cc_for $cpu) -fno-common -I. -c "$out/sizeof.c" -o "$out/sizeof.o" || exit 1
    task=$(printf '%d' "0x$($(nm_for $cpu) -S "$out/sizeof.o" | awk '$4 == "task_size" { print $2 }')")
    loop=$(printf '%d' "0x$($(nm_for $cpu) -S "$out/sizeof.o" | awk '$4 == "loop_size" { print $2 }')")
    echo "sizeof $cpu fl_task=$task fl_loop=$loop"
    if [ "$task" -gt 20 ]; then
        echo "over budget: fl_task is $task bytes on $cpu, budget 20" >&2
        status=1
    fi
done

# What each feature of the full profile costs on cortex-m0plus: the full
# text less the text without it (a feature's dependants go with it).
for feature in RUN JOIN CANCEL EXIT TIMEOUT QUEUE EVENT LATCH LOCK COND SIGNAL POST; do
    case $feature in
    RUN) off="-DFL_ENABLE_RUN=0 -DFL_ENABLE_EXIT=0" ;;
    JOIN) off="-DFL_ENABLE_JOIN=0 -DFL_ENABLE_CANCEL=0" ;;
    LATCH) off="-DFL_ENABLE_LATCH=0 -DFL_ENABLE_EVENT=0" ;; # an event is a latch
    LOCK) off="-DFL_ENABLE_LOCK=0 -DFL_ENABLE_COND=0" ;;
    SIGNAL) off="-DFL_ENABLE_SIGNAL=0 -DFL_ENABLE_POST=0" ;;
    *) off="-DFL_ENABLE_$feature=0" ;;
    esac
    # shellcheck disable=SC2086
    set -- $(measure cortex-m0plus $FULL $off)
    echo "feature $(echo $feature | tr 'A-Z' 'a-z') cortex-m0plus text=$((full - $1))"
done

# Instrumentation costs nothing when compiled out: the full profile (which
# has no hooks) beside the same with hooks.
# shellcheck disable=SC2086
set -- $(measure cortex-m0plus $FULL_BASE -DFL_ENABLE_HOOKS=1)
echo "hooks cortex-m0plus text-off=$full text-on=$1"
exit $status
