#!/bin/sh
# SPDX-License-Identifier: MIT
# apt-install.sh PKG...: install Debian packages quietly, as root or with
# sudo.  Shared by the scripts that install what a make target needs.
set -e
[ $# -eq 0 ] && exit 0
echo "installing: $*" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "$@" >/dev/null
