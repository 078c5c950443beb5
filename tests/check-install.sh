#!/bin/sh
# SPDX-License-Identifier: MIT
# check-install.sh : `make install` into a scratch DESTDIR, with a setting
# of its own (64 tasks), then build and run a program against it through
# pkg-config, as a user would: tests/build/consumer/main.c, which builds
# only if flowno.pc handed it the library's setting.
set -e
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory install CC=gcc BUILD=build/install CPPFLAGS=-DFL_MAX_TASKS=64 \
    DESTDIR="$dest" PREFIX=/opt/flowno >/dev/null
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/opt/flowno/lib/pkgconfig"
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror tests/build/consumer/main.c \
    $(pkg-config --cflags --libs flowno) -o "$dest/consumer"
"$dest/consumer"
echo "make install: headers, libflowno.a and flowno.pc (with the library's settings) work through pkg-config"
