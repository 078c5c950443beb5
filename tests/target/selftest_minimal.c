/* SPDX-License-Identifier: MIT */
/*
 * selftest_minimal.c - the minimal profile (scheduler and sleep, what
 * `make size` measures against its budget) as a firmware uses it:
 * no fl_run_until_complete, but fl_loop_poll in the application's own
 * super-loop, which idles in the port's wait-for-interrupt for as long as
 * the poll says.
 * Each check prints a line through semihosting; the firmware exits 0 only
 * if all passed.
 */
#include <stdint.h>

#include "../../flowno/flowno.h"
#include "target.h"

#if FL_ENABLE_RUN || FL_ENABLE_JOIN || FL_ENABLE_QUEUE || FL_ENABLE_SIGNAL
#error "selftest_minimal.c is built with -DFL_PROFILE_MINIMAL"
#endif

static fl_loop loop;

void target_tick(void)
{
}

/* The order in which things happened, one letter each. */
static char trail[32];
static unsigned trail_len;

static void mark(char c)
{
    if (trail_len < sizeof trail - 1)
        trail[trail_len++] = c;
}

/* ---- tasks ------------------------------------------------------------- */

struct sleeper {
    fl_task task;
    char name;
    fl_time ticks, start, slept;
};

static fl_cmd sleep_then_mark(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    s->start = fl_now(&loop);
    FL_SLEEP(self, s->ticks);
    s->slept = fl_now(&loop) - s->start;
    mark(s->name);
    FL_END(self);
}

struct yielder {
    fl_task task;
    char name;
    int i;
};

static fl_cmd yield_three_times(fl_task *self)
{
    struct yielder *y = (struct yielder *)self;
    FL_BEGIN(self);
    for (y->i = 0; y->i < 3; y->i++) {
        mark(y->name);
        FL_YIELD(self);
    }
    FL_RETURN(self, y->i);
    FL_END(self);
}

static fl_task child;

static fl_cmd child_fn(fl_task *self)
{
    FL_BEGIN(self);
    mark('c');
    FL_END(self);
}

static fl_cmd spawn_child(fl_task *self)
{
    FL_BEGIN(self);
    fl_task_init(&child, child_fn);
    FL_SPAWN(self, &child, NULL);
    mark('p');
    FL_END(self);
}

static fl_cmd fail_after_a_sleep(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(1));
    FL_FAIL(self, FL_EINVAL);
    FL_END(self);
}

/* ---- the super-loop --------------------------------------------------- */

/* Poll until no task is left; idle in the port between polls.  Returns
 * the number of polls; *slept_polls counts those that asked to idle. */
static unsigned drive(fl_port *port, unsigned *slept_polls)
{
    unsigned polls = 0;
    *slept_polls = 0;
    for (;;) {
        fl_time next;
        int live = fl_loop_poll(&loop, &next);
        polls++;
        if (live <= 0)
            return polls;
        if (next != 0) {
            (*slept_polls)++;
            port->wait(port, &loop, next, next == FL_TIME_FOREVER);
        }
    }
}

static int trail_is(const char *want)
{
    unsigned i;
    for (i = 0; want[i] != '\0'; i++)
        if (i >= trail_len || trail[i] != want[i])
            return 0;
    return i == trail_len;
}

int target_main(void)
{
    static struct sleeper a = {{0}, 'a', FL_MS(30), 0, 0};
    static struct sleeper b = {{0}, 'b', FL_MS(10), 0, 0};
    static struct sleeper c = {{0}, 'c', FL_MS(20), 0, 0};
    static struct yielder x = {{0}, 'x', 0}, y = {{0}, 'y', 0};
    static fl_task parent, failing;
    fl_port *port = target_port();
    unsigned polls, slept;
    fl_time t0, next;

    target_print("flowno self-test, minimal profile, on " TARGET_BOARD "\n");
    target_check(port != NULL, "the port on " TARGET_TICK, port != NULL);
    target_check(fl_loop_init(&loop, port) == 0, "loop init", 0);

    /* Sleepers wake in due order, none early, and the loop idles between. */
    fl_task_init(&a.task, sleep_then_mark);
    fl_task_init(&b.task, sleep_then_mark);
    fl_task_init(&c.task, sleep_then_mark);
    fl_spawn(&loop, &a.task, NULL);
    fl_spawn(&loop, &b.task, NULL);
    fl_spawn(&loop, &c.task, NULL);
    t0 = fl_now(&loop);
    polls = drive(port, &slept);
    target_check(trail_is("bca"), "sleepers wake in due order (b c a)", (long)trail_len);
    target_check(b.slept >= FL_MS(10) && c.slept >= FL_MS(20) && a.slept >= FL_MS(30),
                 "no sleeper woke early, ms the longest slept", (long)a.slept);
    target_check(fl_now(&loop) - t0 >= FL_MS(30), "the super-loop ran 30 ms, ms",
                 (long)(fl_now(&loop) - t0));
    target_check(slept > 0 && slept < polls, "it idled in the port between polls, idle polls",
                 (long)slept);

    /* Ready tasks take turns in FIFO order. */
    trail_len = 0;
    fl_task_init(&x.task, yield_three_times);
    fl_task_init(&y.task, yield_three_times);
    fl_spawn(&loop, &x.task, NULL);
    fl_spawn(&loop, &y.task, NULL);
    drive(port, &slept);
    target_check(trail_is("xyxyxy"), "yielding tasks take turns (x y x y x y)",
                 (long)trail_len);
    target_check(fl_task_finished(&x.task) && fl_task_result(&x.task) == 3,
                 "a task's value", (long)fl_task_result(&x.task));

    /* A task spawns another; a failure is recorded, not fatal. */
    trail_len = 0;
    fl_task_init(&parent, spawn_child);
    fl_task_init(&failing, fail_after_a_sleep);
    fl_spawn(&loop, &parent, NULL);
    fl_spawn(&loop, &failing, NULL);
    drive(port, &slept);
    target_check(trail_is("cp"), "spawn from a task (the child first)", (long)trail_len);
    target_check(fl_task_failed(&failing) && fl_task_error(&failing) == FL_EINVAL,
                 "a failed task's error", fl_task_error(&failing));

    /* The poll tells the super-loop how long it may sleep. */
    fl_task_init(&a.task, sleep_then_mark);
    a.ticks = FL_MS(40);
    fl_spawn(&loop, &a.task, NULL);
    fl_loop_poll(&loop, &next);
    target_check(next > 0 && next <= FL_MS(40), "poll's next wait with a 40 ms sleeper",
                 (long)next);
    drive(port, &slept);
    fl_loop_poll(&loop, &next);
    target_check(next == FL_TIME_FOREVER, "nothing left: next wait is forever", (long)next);
    return target_report();
}
