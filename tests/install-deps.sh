#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what `make test` needs when it is missing: Check (with
# pkg-config), valgrind, clang, curl for the HTTP example, CMake, and
# Chromium for the trace's web page (make test-viewer).
# Debian packages, through apt-install.sh.
set -e
missing=""
pkg-config --exists check 2>/dev/null || missing="$missing check pkg-config"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v clang >/dev/null 2>&1 || missing="$missing clang"
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
# shellcheck disable=SC2086
sh "$(dirname "$0")/apt-install.sh" $missing
