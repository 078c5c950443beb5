#!/bin/sh
# SPDX-License-Identifier: MIT
# apt-install.sh PKG...: install Debian packages quietly.  Shared by the
# scripts that install what a make target needs.  As root it runs apt-get
# (first without refreshing the package lists, then, if that fails, after
# apt-get update); otherwise through sudo when there is one; otherwise it
# stops and prints the one command to run.
[ $# -eq 0 ] && exit 0
install_cmd="apt-get update && apt-get install -y $*"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: $* (Debian package names); install them, then run make again" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "missing: $*; as root, run:" >&2
    echo "    $install_cmd" >&2
    exit 1
fi
echo "installing: $*" >&2
apt="$as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq"
$apt install -y "$@" >/dev/null 2>&1 && exit 0
$apt update && $apt install -y "$@" >/dev/null && exit 0
echo "could not install $*; as root, run:" >&2
echo "    $install_cmd" >&2
exit 1
