/* SPDX-License-Identifier: MIT */
/*
 * first_task.c - guide step 1 and 2: one task, one loop.
 *
 * A task is a struct that starts with an fl_task, and a function that the
 * loop calls again and again.  Each FL_SLEEP returns from the function
 * with a "sleep" command; the loop calls it again when the time is up, and
 * FL_BEGIN jumps back to just after the sleep.  The counter lives in the
 * struct, because locals do not survive a return.
 */
#include <stdio.h>

#include "../../flowno/flowno.h"

struct counter {
    fl_task task;
    int n;
};

static fl_cmd count_to_three(fl_task *self)
{
    struct counter *c = (struct counter *)self;
    FL_BEGIN(self);
    for (c->n = 1; c->n <= 3; c->n++) {
        printf("tick %d\n", c->n);
        FL_SLEEP(self, FL_MS(20)); /* returns to the loop; resumes here */
    }
    FL_RETURN(self, c->n - 1);
    FL_END(self);
}

int main(void)
{
    static fl_loop loop;
    struct counter c;
    fl_value result = 0;
    fl_time start;
    int rc;

    fl_loop_init(&loop, fl_port_posix());
    fl_task_init(&c.task, count_to_three);
    start = fl_now(&loop);
    rc = fl_run_until_complete(&loop, &c.task, FL_RUN_JOIN, 0, &result);
    printf("returned %d after %lu ms: %s\n", (int)result,
           (unsigned long)(fl_now(&loop) - start), fl_strerror(rc));
    return rc == 0 && result == 3 && fl_now(&loop) - start >= FL_MS(60) ? 0 : 1;
}
