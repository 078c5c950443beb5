#!/bin/sh
# Install what `make test` needs when it is missing: Check (with
# pkg-config), valgrind, clang, and curl for the HTTP example.  Debian
# packages; needs root or sudo.
set -e
missing=""
pkg-config --exists check 2>/dev/null || missing="$missing check pkg-config"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v clang >/dev/null 2>&1 || missing="$missing clang"
command -v gcc >/dev/null 2>&1 || missing="$missing gcc"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null
