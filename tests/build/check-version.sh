#!/bin/sh
# SPDX-License-Identifier: MIT
# check-version.sh (make test-version): the version is written once, in
# flowno/flowno.h; everything that states it must agree with it: the
# header's string and number, fl_version(), the Makefile, the flowno.pc
# that `make install` and CMake write, CMake's package version,
# library.json, and the newest release in CHANGELOG.md.
set -u
: "${VERSION:?run it through make (make test-version), which passes VERSION}"
out=build/version
mkdir -p "$out"
status=0

# agree WHERE VALUE: report a place that disagrees with the header.
agree() {
    if [ "$2" != "$header" ]; then
        echo "check-version: $1 says '$2', flowno.h says $header" >&2
        status=1
    fi
}

cat > "$out/version.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "flowno/flowno.h"
int main(void)
{
    printf("%d.%d.%d\n", FL_VERSION_MAJOR, FL_VERSION_MINOR, FL_VERSION_PATCH);
    printf("%s\n%s\n", FL_VERSION_STRING, fl_version());
    printf("%d.%d.%d\n", FL_VERSION_NUMBER / 10000, FL_VERSION_NUMBER / 100 % 100,
           FL_VERSION_NUMBER % 100);
    return 0;
}
C
gcc -std=c99 -I. "$out/version.c" flowno/core/version.c -o "$out/version" || exit 1
"$out/version" > "$out/version.txt" || exit 1
header=$(sed -n 1p "$out/version.txt")
agree FL_VERSION_STRING "$(sed -n 2p "$out/version.txt")"
agree "fl_version()" "$(sed -n 3p "$out/version.txt")"
agree FL_VERSION_NUMBER "$(sed -n 4p "$out/version.txt")"
agree "the Makefile's VERSION" "$VERSION"

rm -rf "$out/dest"
${MAKE:-make} --no-print-directory install CC=gcc BUILD=build/gcc DESTDIR="$PWD/$out/dest" \
    PREFIX=/usr >"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }
agree "make install's flowno.pc" "$(sed -n 's/^Version: //p' "$out/dest/usr/lib/pkgconfig/flowno.pc")"

rm -f "$out/cmake/CMakeCache.txt"
cmake -S . -B "$out/cmake" >"$out/cmake.log" 2>&1 || { cat "$out/cmake.log"; exit 1; }
agree "CMake's flowno.pc" "$(sed -n 's/^Version: //p' "$out/cmake/flowno.pc")"
agree "CMake's package version" \
    "$(sed -n 's/^set(PACKAGE_VERSION "\([^"]*\)")$/\1/p' "$out/cmake/flownoConfigVersion.cmake")"

agree library.json "$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' library.json)"
agree "CHANGELOG.md's newest release" \
    "$(sed -n 's/^## \[\([0-9][0-9.]*\)\].*/\1/p' CHANGELOG.md | head -n 1)"

[ $status -eq 0 ] && echo "version: $header in flowno.h, fl_version(), the Makefile, both flowno.pc," \
                         "CMake's package, library.json and CHANGELOG.md"
exit $status
