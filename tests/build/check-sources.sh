#!/bin/sh
# SPDX-License-Identifier: MIT
# check-sources.sh (make test-sources): the source lists a firmware build
# takes, checked for the Cortex-M0+.
#
# - library.json's srcFilter, expanded as PlatformIO does, names the same
#   files as the Makefile's PORT=cortex_m, and they compile for
#   cortex-m0plus with the strict warnings, in the default and the minimal
#   profile.  Between them they need nothing from the application's libc
#   but memcpy, memset and strlen (and libgcc's helpers), as porting.md says.
# - Every .c under flowno/ compiles for the M0+ (a build that globs them
#   all works), and each that the firmware list leaves out compiles to
#   nothing there: a new file with code for the M0+ fails here until the
#   lists take it.  Likewise cortex_m.c compiles to nothing on the host.
# - `make lib CC=arm-none-eabi-gcc PORT=cortex_m` archives that list.
# The file lists are words: splitting them is meant.
# shellcheck disable=SC2086,SC2046
set -u
: "${WARN:?run it through make (make test-sources), which passes WARN}"
: "${SRC_cortex_m:?}"
out=build/sources
mkdir -p "$out"
M0PLUS="arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -Os -ffunction-sections -fdata-sections"
LIBC_ALLOWED="memcpy memset strlen"

fail() {
    echo "check-sources: $*" >&2
    exit 1
}
sorted() { printf '%s\n' "$@" | sort; }
# object FILE: where FILE's object for the M0+ goes.
object() { echo "$out/$(echo "$1" | tr / _).o"; }

# library.json's filters, applied in order: +<glob> adds what it matches
# under srcDir (a folder: every file below it), -<glob> takes it away.
srcdir=$(sed -n 's/^ *"srcDir": *"\([^"]*\)".*/\1/p' library.json)
[ -n "$srcdir" ] || fail "library.json has no build.srcDir"
pio=""
for filter in $(sed -n '/"srcFilter"/,/]/p' library.json | grep -o '"[+-]<[^>]*>"' | tr -d '"'); do
    sign=${filter%%<*}
    pattern=${filter#?<}
    pattern=${pattern%>}
    matched=""
    for m in "$srcdir"/$pattern; do
        [ -e "$m" ] && matched="$matched $(find "$m" -type f -name '*.c')"
    done
    if [ "$sign" = + ]; then
        pio="$pio $matched"
    else
        for f in $matched; do pio=$(printf '%s\n' $pio | grep -vxF "$f"); done
    fi
done
pio=$(sorted $pio | uniq)
[ -n "$pio" ] || fail "library.json's srcFilter selects no file"
[ "$pio" = "$(sorted $SRC_cortex_m)" ] || fail "library.json and the Makefile's PORT=cortex_m differ:
library.json: $(echo $pio)
Makefile:     $SRC_cortex_m"

# The firmware list, in both profiles (the default last: its objects are
# kept), with the strict warnings.
undefined=""
for profile in -DFL_PROFILE_MINIMAL ""; do
    objects=""
    for f in $pio; do
        o=$(object "$f")
        $M0PLUS $WARN -I. $profile -c "$f" -o "$o" ||
            fail "$f does not build for the cortex-m0plus ($profile)"
        objects="$objects $o"
    done
    undefined="$undefined $(arm-none-eabi-nm -u $objects | awk 'NF == 2 { print $2 }')
               $(arm-none-eabi-nm --defined-only $objects | awk 'NF == 3 { print "defined:" $3 }')"
done
# What the objects need and none of them defines, less libgcc's helpers.
needed=$(printf '%s\n' $undefined | awk '/^defined:/ { def[substr($0, 9)] = 1; next }
                                         { want[$0] = 1 }
                                         END { for (s in want) if (!(s in def)) print s }' |
         grep -Ev '^__(aeabi|gnu_thumb1)_' | sort)
for s in $needed; do
    case " $LIBC_ALLOWED " in
    *" $s "*) ;;
    *) fail "the firmware library now needs $s from the application or its libc;" \
            "docs/porting.md says only $LIBC_ALLOWED: update both" ;;
    esac
done

# The same list with Clang for the M0 (Thumb-1): no call outside libc's
# copies either.  (Clang turns __atomic builtins into libatomic calls on
# armv6-m, which bare metal has not: the loop's flags must not use them.)
clang_objects=""
for f in $pio; do
    o="$out/clang_$(echo "$f" | tr / _).o"
    clang --target=thumbv6m-none-eabi -mcpu=cortex-m0plus -Os -ffreestanding $WARN -I. \
        -c "$f" -o "$o" || fail "$f does not build with clang for thumbv6m"
    clang_objects="$clang_objects $o"
done
clang_needed=$(arm-none-eabi-nm -u $clang_objects | awk 'NF == 2 { print $2 }' | sort -u |
               grep -Ev '^(__aeabi_.*|memcpy|memset|strlen)$' |
               while read -r s; do
                   arm-none-eabi-nm --defined-only $clang_objects | grep -q " $s\$" || echo "$s"
               done)
[ -z "$clang_needed" ] ||
    fail "built with clang for thumbv6m the firmware library needs: $(echo $clang_needed)"

# Every other file for the M0+: it must build, to nothing.
for f in $(find flowno -name '*.c' | sort); do
    printf '%s\n' $pio | grep -qxF "$f" && continue
    o=$(object "$f")
    $M0PLUS $WARN -I. -c "$f" -o "$o" || fail "$f does not build for the cortex-m0plus"
    [ -z "$(arm-none-eabi-nm --defined-only "$o")" ] ||
        fail "$f has code for the cortex-m0plus but the firmware list leaves it out:" \
             "guard it on its platform, or take it in (library.json, Makefile, CMakeLists.txt)"
done
# And the Cortex-M port is nothing elsewhere: on the host, and on A- and
# R-profile Arm in Thumb mode (as Debian's armhf builds), which have no
# SysTick or PRIMASK.
for cc in gcc "arm-none-eabi-gcc -mcpu=cortex-a7 -mthumb" "arm-none-eabi-gcc -mcpu=cortex-r5 -mthumb"; do
    nm_cmd="nm"
    case $cc in arm-*) nm_cmd="arm-none-eabi-nm" ;; esac
    $cc $WARN -I. -c flowno/port/cortex_m.c -o "$out/other_cortex_m.o" &&
        [ -z "$($nm_cmd --defined-only "$out/other_cortex_m.o")" ] ||
        fail "flowno/port/cortex_m.c must compile to nothing with $cc"
done

# The Makefile's cross build.
lib=build/arm-none-eabi-gcc-cortex_m/libflowno.a
${MAKE:-make} --no-print-directory lib CC=arm-none-eabi-gcc PORT=cortex_m \
    CFLAGS="-mcpu=cortex-m0plus -mthumb -Os" >"$out/make-lib.log" 2>&1 ||
    { cat "$out/make-lib.log"; fail "make lib CC=arm-none-eabi-gcc PORT=cortex_m: FAILED"; }
members=$(arm-none-eabi-ar t "$lib" | sort)
[ "$members" = "$(for f in $pio; do basename "$f" .c; done | sed 's/$/.o/' | sort)" ] ||
    fail "$lib does not hold the firmware list: $(echo $members)"
arm-none-eabi-nm --defined-only "$lib" | grep -q ' T fl_port_cortex_m$' ||
    fail "$lib has no fl_port_cortex_m"

echo "sources: library.json = make PORT=cortex_m ($(echo "$pio" | wc -l) files), clean for the" \
     "cortex-m0plus in both profiles, needing only $LIBC_ALLOWED; every file under flowno/" \
     "builds for it, the others to nothing"
