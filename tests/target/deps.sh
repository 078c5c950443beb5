#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the cross compilers and QEMU when missing (Debian packages).
set -e
missing=""
command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing="$missing gcc-arm-none-eabi libnewlib-arm-none-eabi"
# The firmware links newlib-nano's memcpy: a compiler without it is not enough.
if command -v arm-none-eabi-gcc >/dev/null 2>&1 &&
   [ "$(arm-none-eabi-gcc -print-file-name=libc_nano.a)" = libc_nano.a ]; then
    missing="$missing libnewlib-arm-none-eabi"
fi
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || missing="$missing gcc-riscv64-unknown-elf"
command -v qemu-system-arm >/dev/null 2>&1 || missing="$missing qemu-system-arm"
command -v qemu-system-riscv32 >/dev/null 2>&1 || missing="$missing qemu-system-misc"
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-install.sh" $missing
