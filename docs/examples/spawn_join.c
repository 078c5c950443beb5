/* SPDX-License-Identifier: MIT */
/*
 * spawn_join.c - guide steps 3 and 4: children, their values, their errors.
 *
 * A parent spawns three children that sleep for different times; each
 * returns a value, except one that fails.  Joining hands the parent each
 * child's outcome: FL_JOIN_RC gives the error as a return code, and
 * FL_CHECK would turn it into the parent's own failure, like an exception.
 */
#include <stdio.h>

#include "../../flowno/flowno.h"

#define E_SENSOR_BROKEN (-1001) /* an application error: below -1000 */

struct child {
    fl_task task;
    int id, ms;
};

static fl_cmd child_fn(fl_task *self)
{
    struct child *c = (struct child *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(c->ms));
    if (c->id == 2)
        FL_FAIL(self, E_SENSOR_BROKEN);
    FL_RETURN(self, c->id * 100);
    FL_END(self);
}

struct parent {
    fl_task task;
    struct child kids[3];
    int i, rc, sum, errors;
};

static fl_cmd parent_fn(fl_task *self)
{
    struct parent *p = (struct parent *)self;
    FL_BEGIN(self);
    for (p->i = 0; p->i < 3; p->i++)
        FL_SPAWN(self, &p->kids[p->i].task, child_fn); /* all run at once */
    for (p->i = 0; p->i < 3; p->i++) {
        FL_JOIN_RC(self, p->rc, &p->kids[p->i].task);
        if (p->rc < 0) {
            printf("child %d failed: %d\n", p->kids[p->i].id, p->rc);
            p->errors++;
            continue;
        }
        printf("child %d returned %ld\n", p->kids[p->i].id,
               (long)fl_task_result(&p->kids[p->i].task));
        p->sum += (int)fl_task_result(&p->kids[p->i].task);
    }
    FL_RETURN(self, p->sum);
    FL_END(self);
}

int main(void)
{
    static fl_loop loop;
    static struct parent p = {{0}, {{{0}, 1, 30}, {{0}, 2, 10}, {{0}, 3, 20}}, 0, 0, 0, 0};
    fl_value sum = 0;
    int rc;

    fl_loop_init(&loop, fl_port_posix());
    fl_task_init(&p.task, parent_fn);
    rc = fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, &sum);
    printf("sum of values %ld, %d failed child\n", (long)sum, p.errors);
    return rc == 0 && sum == 400 && p.errors == 1 && fl_task_failed(&p.kids[1].task) ? 0 : 1;
}
