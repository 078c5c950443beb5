#!/bin/sh
# SPDX-License-Identifier: MIT
# check-nomalloc.sh LIB : fail if the library refers to an allocator.
lib=$1
found=$(nm "$lib" | grep -E ' U (malloc|calloc|realloc|free|aligned_alloc|posix_memalign)$')
if [ -n "$found" ]; then
    echo "$lib uses the heap:"
    echo "$found"
    exit 1
fi
echo "nm $lib: no malloc, calloc, realloc or free"
