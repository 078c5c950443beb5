/* SPDX-License-Identifier: MIT */
/* mistake: the application built with another FL_TICK_HZ (or FL_TIME_BITS)
 * than the library, so that FL_MS would convert with the wrong rate.
 * fl_loop_init refuses, and fl_config_diff names the setting.
 * run: -DFL_TICK_HZ=100: FL_TICK_HZ
 * run: -DFL_TIME_BITS=64: FL_TIME_BITS
 * run: -DFL_MAX_TASKS=20: FL_MAX_TASKS */
#include <stdio.h>
#include <string.h>

#include "flowno/flowno.h"

int main(int argc, char **argv)
{
    static fl_loop loop;
    const char *diff;
    int rc = fl_loop_init(&loop, fl_port_posix());
    diff = fl_config_diff();
    printf("fl_loop_init: %d (%s); fl_config_diff: %s\n", rc, fl_strerror(rc),
           diff != NULL ? diff : "(none)");
    return argc == 2 && rc == FL_ECONFIG && diff != NULL && strcmp(diff, argv[1]) == 0 ? 0 : 1;
}
