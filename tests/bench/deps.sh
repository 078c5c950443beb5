#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - install what the benchmarks need, with apt-get, when missing.
#   sh tests/bench/deps.sh instr   valgrind, gcc, python3 (make bench-instr)
#   sh tests/bench/deps.sh bench   the same, libuv and libevent (headers),
#                                  pkg-config
#   sh tests/bench/deps.sh plots   the same as bench, and gnuplot
# Everything apt prints goes to stderr, so `make bench` prints only figures.
missing=""
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
if [ "$1" != instr ]; then
    if command -v pkg-config >/dev/null 2>&1; then
        pkg-config --exists libuv || missing="$missing libuv1-dev"
        pkg-config --exists libevent_core || missing="$missing libevent-dev"
    else
        missing="$missing pkg-config libuv1-dev libevent-dev"
    fi
fi
if [ "$1" = plots ]; then
    command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
fi
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-install.sh" $missing >&2 || exit 1
