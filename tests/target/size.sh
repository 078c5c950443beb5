#!/bin/sh
# SPDX-License-Identifier: MIT
# make size: the library cross-compiled for the MCUs it is meant for, in its
# profiles, as one translation unit (the amalgamation: make amalgamation),
# which is the smallest build of it, and sizeof of its two structs.  Fails
# over a budget, on cortex-m0plus: full (every primitive but sockets, with
# argument checks) 3072 bytes of text, full-nochecks (the same with
# FL_ENABLE_ARG_CHECKS=0) 2560, minimal 640; fl_task 20 bytes on every
# 32-bit target.  The same files compiled one by one are reported beside
# ("files"), for builds that do not use the amalgamation.  It fails too
# (make test runs it) when a one-unit size grows above its ceiling, the
# figure measured when the ceiling was last lowered (CEILINGS below):
# sizes only go down.
#
# With --config "FLAGS" it prints only what the library costs built with
# those flags (make size-of CONFIG="..."), one line a cpu, and checks no
# budget: to judge a mix of features before choosing it.
#
# With --stack (make stack) it prints how much of the one stack the loop
# needs in the full profile, one line a cpu (tests/target/stack.awk says
# what each figure means), and fails on recursion or an unbounded frame.
set -u
mode=${1:-report} # report, --config or --stack
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
status=0 # over a budget or a ceiling: make size fails

# The one-unit text, cpu:profile=bytes, that may not grow.  A change that
# makes the library smaller lowers its ceiling in the same commit.
CEILINGS="cortex-m0plus:full=2945 cortex-m0plus:full-nochecks=2547
cortex-m0plus:minimal=591 rv32imac:full=3953 rv32imac:full-nochecks=3523
rv32imac:minimal=825"
ceiling_of() {
    for c in $CEILINGS; do
        case $c in "$1:$2="*) echo "${c#*=}"; return ;; esac
    done
    echo 0 # no ceiling
}

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

# The amalgamation of the files measured.
sh tests/target/amalgamate.sh "$out/flowno.c" $SRC || exit 1

# measure CPU PROFILE-FLAGS: prints "text data bss" of the one-unit build.
measure() {
    cc=$(cc_for "$1"); sz=$(size_for "$1"); shift
    # shellcheck disable=SC2086
    $cc $WARN -ffunction-sections -fdata-sections -I. "$@" -c "$out/flowno.c" \
        -o "$out/flowno.o" || exit 1
    $sz "$out/flowno.o" | awk 'NR == 2 { print $1, $2, $3 }'
}

# measure_files CPU PROFILE-FLAGS: the same, each file compiled alone.
measure_files() {
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
    for profile in full full-nochecks minimal; do
        case $profile in
        full) flags=$FULL; budget=3072 ;;
        full-nochecks) flags="$FULL -DFL_ENABLE_ARG_CHECKS=0"; budget=2560 ;;
        minimal) flags=$MINIMAL; budget=640 ;;
        esac
        # shellcheck disable=SC2086
        set -- $(measure $cpu $flags)
        echo "size $profile $cpu text=$1 data=$2 bss=$3"
        if [ $profile = full ]; then full_cpu=$1; fi
        if [ $cpu = cortex-m0plus ]; then
            if [ $profile = full ]; then full=$1; fi
            if [ "$1" -gt $budget ]; then
                echo "over budget: $profile on $cpu has $1 bytes of text, budget $budget" >&2
                status=1
            fi
        fi
        ceiling=$(ceiling_of $cpu $profile)
        if [ "$ceiling" -gt 0 ] && [ "$1" -gt "$ceiling" ]; then
            echo "grew: $profile on $cpu has $1 bytes of text, more than its ceiling $ceiling" >&2
            status=1
        elif [ "$ceiling" -gt 0 ] && [ "$1" -lt "$ceiling" ]; then
            echo "below its ceiling: $profile on $cpu has $1 bytes, lower its ceiling $ceiling in tests/target/size.sh"
        fi
    done
    # shellcheck disable=SC2086
    set -- $(measure_files $cpu $FULL)
    echo "files full $cpu text=$1 (one unit: $full_cpu)"
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
for feature in RUN JOIN CANCEL EXIT TIMEOUT QUEUE SET_QUEUE MAP_QUEUE KEYED_QUEUES EVENT LATCH \
    LOCK COND SIGNAL POST ARG_CHECKS; do
    case $feature in
    RUN) off="-DFL_ENABLE_RUN=0 -DFL_ENABLE_EXIT=0" ;;
    JOIN) off="-DFL_ENABLE_JOIN=0 -DFL_ENABLE_CANCEL=0" ;;
    QUEUE) off="-DFL_ENABLE_QUEUE=0" ;; # set and map queues go with it
    # Set and map queues share their lookup: each alone costs more than
    # what turning it off saves while the other stays.
    KEYED_QUEUES) off="-DFL_ENABLE_SET_QUEUE=0 -DFL_ENABLE_MAP_QUEUE=0" ;;
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
