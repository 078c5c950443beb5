/* SPDX-License-Identifier: MIT */
/*
 * main.c - the application of tests/build/consumer and of
 * tests/check-install.sh: the library's setting (64 tasks) reached it
 * through the CMake target or flowno.pc, its version matches the header,
 * and a task runs on the POSIX port.
 */
#include <stdio.h>
#include <string.h>

#include <flowno/flowno.h>

#if FL_MAX_TASKS != 64
#error "the library's 64 tasks did not reach the application"
#endif

static fl_cmd answer(fl_task *self)
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
    fl_value value = 0;
    int rc;

    if (strcmp(fl_version(), FL_VERSION_STRING) != 0) {
        printf("library %s, header %s\n", fl_version(), FL_VERSION_STRING);
        return 1;
    }
    rc = fl_loop_init(&loop, fl_port_posix()); /* FL_ECONFIG if they disagree */
    if (rc != 0) {
        printf("fl_loop_init: %s\n", fl_strerror(rc));
        return 1;
    }
    fl_task_init(&task, answer);
    rc = fl_run_until_complete(&loop, &task, FL_RUN_JOIN, 0, &value);
    if (rc != 0 || value != 42) {
        printf("run: %d, value %ld\n", rc, (long)value);
        return 1;
    }
    return 0;
}
