#!/bin/sh
# SPDX-License-Identifier: MIT
# check-cmake.sh (make test-cmake): flowno through CMake as projects take
# it.  The library is configured (64 tasks), built and installed; then an
# application (tests/build/consumer) takes it through find_package,
# add_subdirectory and FetchContent, and through the installed flowno.pc;
# each must see the 64 tasks and run a task.  Then the cross build for the
# Cortex-M0+ (cmake/arm-none-eabi.cmake), full and minimal profiles, with
# the self-test firmware run in QEMU by ctest.  And CMake compiles the
# same files as the Makefile for each port.  Build folders are kept in
# build/cmake and reused; only the caches are made anew.
# The file lists are words: splitting them is meant.
# shellcheck disable=SC2086,SC2046
set -u
: "${WARN:?run it through make (make test-cmake), which passes WARN}"
: "${SRC_posix:?}" "${SRC_cortex_m:?}"
root=$(pwd)
out=$root/build/cmake
mkdir -p "$out"
export CFLAGS="$WARN" # CMake starts CMAKE_C_FLAGS from it (and the toolchain's)

fail() {
    echo "check-cmake: $*" >&2
    exit 1
}
# step NAME CMD...: run CMD quietly; on failure show what it printed.
step() {
    log="$out/$1.log"
    shift
    "$@" >"$log" 2>&1 || { cat "$log"; fail "FAILED: $*"; }
}
# configure NAME ARGS...: configure build/cmake/NAME with a fresh cache.
configure() {
    name=$1
    shift
    rm -f "$out/$name/CMakeCache.txt"
    step "$name-configure" cmake -B "$out/$name" "$@"
    step "$name-build" cmake --build "$out/$name" -j 2
}
# same_files WHAT "MAKE'S LIST" COMPILE_COMMANDS: CMake compiled those files.
same_files() {
    want=$(printf '%s\n' $2 | sort)
    got=$(grep -o '"file": *"[^"]*"' "$3" | sed -e 's/.*"\([^"]*\)"$/\1/' -e "s|^$root/||" |
          grep '^flowno/' | sort)
    [ "$want" = "$got" ] || fail "$1: CMake and the Makefile build different files:
$(printf 'make:  %s\n' $want)
$(printf 'cmake: %s\n' $got)"
}

# The library for the host, installed.
prefix=$out/prefix
configure lib -S . -DFLOWNO_MAX_TASKS=64 -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
rm -rf "$prefix"
step lib-install cmake --install "$out/lib"
for f in include/flowno/flowno.h include/flowno/config.h include/gen/gen.h lib/libflowno.a \
         lib/cmake/flowno/flownoConfig.cmake lib/cmake/flowno/flownoConfigVersion.cmake \
         lib/cmake/flowno/flownoTargets.cmake lib/pkgconfig/flowno.pc; do
    [ -f "$prefix/$f" ] || fail "cmake --install did not install $f"
done
same_files posix "$SRC_posix" "$out/lib/compile_commands.json"

# An application through the flowno.pc that CMake installed.
cflags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags flowno) ||
    fail "pkg-config cannot read the installed flowno.pc"
case " $cflags " in
*" -DFL_MAX_TASKS=64 "*) ;;
*) fail "flowno.pc does not carry the library's configuration: $cflags" ;;
esac
step pc-build gcc $WARN tests/build/consumer/main.c \
    $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs flowno) \
    -o "$out/consumer-pc"
step pc-run "$out/consumer-pc"

# An application through find_package, add_subdirectory and FetchContent
# (from a tarball of this tree, as from a release).
tarball=$out/flowno-src.tar.gz
(cd "$root/.." && tar -czf "$tarball" --exclude="$(basename "$root")/build" \
    --exclude="$(basename "$root")/.git" "$(basename "$root")") || fail "cannot make $tarball"
rm -rf "$out/consumer-fetch/_deps"
for how in package subdir fetch; do
    configure "consumer-$how" -S tests/build/consumer -DFLOWNO_HOW=$how \
        -DCMAKE_PREFIX_PATH="$prefix" -DFLOWNO_SOURCE="$root" -DFLOWNO_URL="$tarball"
    step "consumer-$how-run" "$out/consumer-$how/consumer"
done

# The cross builds for the Cortex-M0+ with their firmware run in QEMU.
for profile in full minimal; do
    minimal=OFF
    [ $profile = minimal ] && minimal=ON
    configure "m0plus-$profile" -S . -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
        -DFLOWNO_ARM_CPU=cortex-m0plus -DCMAKE_BUILD_TYPE=MinSizeRel \
        -DFLOWNO_PROFILE_MINIMAL=$minimal -DFLOWNO_ENABLE_IO=OFF -DFLOWNO_ENABLE_DUMP=OFF \
        -DFLOWNO_BUILD_SELFTEST=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
    (cd "$out/m0plus-$profile" && step "m0plus-$profile-ctest" ctest --output-on-failure) || exit 1
    grep -q 'flowno/port/cortex_m.c' "$out/m0plus-$profile/compile_commands.json" ||
        fail "the cross build has no Cortex-M port"
done
same_files cortex_m "$SRC_cortex_m" "$out/m0plus-full/compile_commands.json"

echo "cmake: built, installed; find_package, add_subdirectory, FetchContent and flowno.pc" \
     "consumers agree with the library; the M0+ cross builds' self-tests pass in QEMU"
