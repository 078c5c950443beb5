/* SPDX-License-Identifier: MIT */
/*
 * lesson6_cancel.c - docs/teaching.md, step 6: cancellation unwinds
 * through finally.  A printer task takes a lock and prints pages through
 * a helper (a nested awaitable, FL_CALL) that sleeps 10 ms a page.  The
 * boss cancels it after 35 ms (FL_CANCEL, which waits until it has
 * ended): the cancel wakes the helper out of its sleep with FL_ECANCELLED,
 * the helper's finally runs, then the printer's, which gives the lock up
 * (a second task waiting for it gets it at once), tidies up for 5 ms (a
 * finally may wait) and returns the pages printed: a value instead of the
 * error.
 */
#include "lesson.h"

struct printer {
    fl_task task;
    fl_frame frame;
    int page;
};

struct other {
    fl_task task;
};

static fl_lock paper;
static fl_time start;
static fl_loop loop;
static struct printer printer;
static struct other other;

static unsigned long ms(void)
{
    return (unsigned long)(fl_now(&loop) - start) * 1000ul / FL_TICK_HZ;
}

FL_AWAITABLE static fl_cmd print_pages(fl_task *self, fl_frame *f, struct printer *p)
{
    FL_BEGIN_HELPER(self, f);
    for (p->page = 1; p->page <= 10; p->page++) {
        FL_SLEEP(self, FL_MS(10)); /* the cancel lands here */
        printf("[%3lu ms] printer: page %d\n", ms(), p->page);
    }
    FL_FINALLY(self);
    printf("[%3lu ms] helper: finally (%s)\n", ms(), fl_strerror(fl_pending_error(self)));
    FL_END(self);
}

static fl_cmd print_job(fl_task *self)
{
    struct printer *p = (struct printer *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &paper);
    FL_CALL(self, &p->frame, print_pages(self, &p->frame, p));
    FL_FINALLY(self);
    printf("[%3lu ms] printer: finally (%s): gives the paper up\n", ms(),
           fl_strerror(fl_pending_error(self)));
    FL_LOCK_RELEASE(self, &paper); /* the waiter gets it, and runs first */
    FL_SLEEP(self, FL_MS(5));      /* a finally may wait */
    if (fl_pending_error(self) == FL_ECANCELLED) {
        printf("[%3lu ms] printer: returns %d pages instead of the error\n", ms(), p->page - 1);
        FL_RETURN(self, p->page - 1);
    }
    FL_END(self);
}

static fl_cmd other_job(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &paper);
    printf("[%3lu ms] other: has the paper\n", ms());
    FL_LOCK_RELEASE(self, &paper);
    FL_END(self);
}

static struct boss {
    fl_task task;
    int rc;
} boss;

static fl_cmd boss_fn(fl_task *self)
{
    struct boss *b = (struct boss *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &printer.task, print_job);
    FL_SPAWN(self, &other.task, other_job);
    FL_SLEEP(self, FL_MS(35));
    printf("[%3lu ms] boss: cancels the printer, and waits\n", ms());
    FL_CANCEL_RC(self, b->rc, &printer.task);
    printf("[%3lu ms] boss: the printer has ended (%d): it printed %d of 10 pages\n", ms(),
           b->rc, (int)fl_task_result(&printer.task));
    FL_JOIN(self, &other.task);
    FL_END(self);
}

static const char *name_of(void *ctx, const void *obj)
{
    (void)ctx;
    if (obj == &paper)
        return "paper";
    if (obj == &printer.task)
        return "printer";
    return obj == &other.task ? "other" : obj == &boss.task ? "boss" : NULL;
}

int main(int argc, char **argv)
{
    int rc;

    if (lesson_args(argc, argv) != 0 || fl_loop_init(&loop, fl_port_posix()) != 0 ||
        lesson_record(&loop, name_of, false) != 0)
        return 2;
    fl_lock_init(&paper, &loop);
    start = fl_now(&loop);
    fl_task_init(&boss.task, boss_fn);
    rc = fl_run_until_complete(&loop, &boss.task, FL_RUN_JOIN, 0, NULL);
    /* How many pages came depends on the machine's timing; the way out
     * does not. */
    if (rc != 0 || boss.rc != 0 || !fl_task_finished(&printer.task) ||
        !fl_task_finished(&other.task) || fl_lock_owner(&paper) != NULL)
        return 1;
    return lesson_save();
}
