/* SPDX-License-Identifier: MIT */
/*
 * cancel.c - guide steps 5 and 6: finally sections and cancellation.
 *
 * A downloader holds a resource and sleeps in chunks.  Its finally section
 * releases the resource on every way out.  The main task gives it 50 ms,
 * then cancels it and waits (FL_CANCEL): the cancel wakes the downloader
 * out of its sleep with FL_ECANCELLED, the finally runs, and the joiner
 * sees the task ended cancelled.
 */
#include <stdio.h>

#include "../../flowno/flowno.h"

static int resources_held;

struct downloader {
    fl_task task;
    int chunk;
};

static fl_cmd download(fl_task *self)
{
    struct downloader *d = (struct downloader *)self;
    FL_BEGIN(self);
    resources_held++;
    for (d->chunk = 1; d->chunk <= 100; d->chunk++) {
        FL_SLEEP(self, FL_MS(20)); /* a cancel lands here */
        printf("chunk %d\n", d->chunk);
    }
    FL_FINALLY(self);
    resources_held--;
    printf("finally: %s after %d chunks, resource released\n",
           fl_pending_error(self) == FL_ECANCELLED ? "cancelled" : "done", d->chunk - 1);
    FL_END(self);
}

struct boss {
    fl_task task;
    struct downloader d;
    int rc;
};

static fl_cmd boss_fn(fl_task *self)
{
    struct boss *b = (struct boss *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &b->d.task, download);
    FL_SLEEP(self, FL_MS(50));
    printf("boss: enough, cancelling\n");
    FL_CANCEL_RC(self, b->rc, &b->d.task); /* returns once it has ended */
    printf("boss: cancel returned %d, downloader %s\n", b->rc,
           fl_task_cancelled(&b->d.task) ? "cancelled" : "not cancelled");
    FL_END(self);
}

int main(void)
{
    static fl_loop loop;
    static struct boss b;
    int rc;

    fl_loop_init(&loop, fl_port_posix());
    fl_task_init(&b.task, boss_fn);
    rc = fl_run_until_complete(&loop, &b.task, FL_RUN_JOIN, 0, NULL);
    /* How many chunks came depends on the machine's timing; the outcome
     * does not. */
    return rc == 0 && b.rc == 0 && fl_task_cancelled(&b.d.task) && resources_held == 0 ? 0 : 1;
}
