#!/bin/sh
# SPDX-License-Identifier: MIT
# check-mistakes.sh LIB: the classic mistakes, each a program in
# tests/mistakes/ whose comment says what must happen:
#   expect-fail: COMPILERS: TEXT   it must not compile, and the first error
#                                  line must contain TEXT (the rule's name)
#   run: FLAGS: ARG                built with FLAGS against LIB (the default
#                                  configuration), it must exit 0 given ARG
# WARN comes from make.  Quiet on success but for one line a check.
set -u
lib=$1
: "${WARN:?run it through make (make test-mistakes), which passes WARN}"
out=build/mistakes
mkdir -p "$out"
status=0
checks=0
for src in tests/mistakes/*.c; do
    name=$(basename "$src" .c)
    grep -E '^ \* (expect-fail|run): |^/\* mistake: .*$|(expect-fail|run): ' "$src" |
        sed -n 's/.*\(expect-fail\|run\): \(.*\)$/\1|\2/p' > "$out/$name.rules"
    [ -s "$out/$name.rules" ] || { echo "$name: no rule in its comment"; status=1; continue; }
    while IFS='|' read -r kind rule; do
        checks=$((checks + 1))
        what=${rule%%: *}
        text=${rule#*: }
        text=${text% \*/}
        if [ "$kind" = expect-fail ]; then
            for cc in $what; do
                # shellcheck disable=SC2086
                if $cc $WARN -I. -c "$src" -o /dev/null > "$out/$name.$cc.log" 2>&1; then
                    echo "$name: compiled with $cc, but must not"; status=1; continue
                fi
                first=$(grep -m 1 'error' "$out/$name.$cc.log")
                case $first in
                *"$text"*) echo "mistake $name ($cc): $first" ;;
                *) echo "$name ($cc): the first error does not say '$text':"
                   cat "$out/$name.$cc.log"; status=1 ;;
                esac
            done
        else
            # shellcheck disable=SC2086
            if ! gcc $WARN -I. $what "$src" "$lib" -pthread -o "$out/$name" > "$out/$name.log" 2>&1; then
                cat "$out/$name.log"; echo "$name $what: does not build"; status=1; continue
            fi
            if "$out/$name" "$text" > "$out/$name.log" 2>&1; then
                echo "mistake $name ($what): $(cat "$out/$name.log")"
            else
                cat "$out/$name.log"; echo "$name $what: not reported as '$text'"; status=1
            fi
        fi
    done < "$out/$name.rules"
done
[ "$status" -eq 0 ] && echo "mistakes: $checks checks, each reported as it should be"
exit $status
