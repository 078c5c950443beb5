#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - install what the benchmarks need, with apt-get, when missing.
#   sh tests/bench/deps.sh bench   libuv (headers), valgrind, pkg-config
#   sh tests/bench/deps.sh plots   the same, and gnuplot
# Everything apt prints goes to stderr, so `make bench` prints only figures.
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
pkg-config --exists libuv 2>/dev/null || missing="$missing libuv1-dev"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
if [ "$1" = plots ]; then
    command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
fi
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-install.sh" $missing >&2 || exit 1
