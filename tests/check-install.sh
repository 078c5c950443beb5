#!/bin/sh
# SPDX-License-Identifier: MIT
# check-install.sh : `make install` into a scratch DESTDIR, then build and run
# a program against it through pkg-config, as a user would.
set -e
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory install CC=gcc BUILD=build/gcc DESTDIR="$dest" PREFIX=/opt/flowno >/dev/null
cat > "$dest/hello.c" <<'C'
#include <flowno/flowno.h>
static fl_cmd hello(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(1));
    FL_RETURN(self, 42);
    FL_END(self);
}
int main(void)
{
    fl_loop loop;
    fl_task task;
    fl_value v = 0;
    fl_loop_init(&loop, fl_port_posix());
    fl_task_init(&task, hello);
    return fl_run_until_complete(&loop, &task, FL_RUN_JOIN, 0, &v) == 0 && v == 42 ? 0 : 1;
}
C
export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/opt/flowno/lib/pkgconfig"
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror "$dest/hello.c" $(pkg-config --cflags --libs flowno) -o "$dest/hello"
"$dest/hello"
echo "make install: headers, libflowno.a and flowno.pc work through pkg-config"
