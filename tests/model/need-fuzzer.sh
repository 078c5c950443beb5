#!/bin/sh
# SPDX-License-Identifier: MIT
# need-fuzzer.sh: make sure clang can link -fsanitize=fuzzer (Debian ships
# libFuzzer's runtime in libclang-rt-<version>-dev); install it if not.
set -e
command -v clang >/dev/null 2>&1 || sh "$(dirname "$0")/../apt-install.sh" clang
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/f.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
if clang -fsanitize=fuzzer "$probe/f.c" -o "$probe/f" 2>/dev/null; then
    exit 0
fi
major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)
sh "$(dirname "$0")/../apt-install.sh" "libclang-rt-$major-dev"
