/* SPDX-License-Identifier: MIT */
/*
 * check_minimal.c - the minimal profile (scheduler and sleep), as measured
 * by make size: the library and this suite are built with
 * -DFL_PROFILE_MINIMAL, and the application drives the loop with
 * fl_loop_poll from a super-loop, sleeping as long as it says.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

#if !defined(FL_PROFILE_MINIMAL) || FL_ENABLE_RUN || FL_ENABLE_JOIN
#error "check_minimal is built in the minimal profile only"
#endif

static fake_port fp;
static fl_loop loop;

typedef struct worker {
    fl_task task;
    const char *name;
    int i, n, rc;
    fl_time ticks;
    struct worker *child;
} worker;

static void start(void)
{
    fake_loop_start(&fp, &loop, 1000);
}

static void worker_init(worker *w, fl_task_fn fn, const char *name, int n, fl_time ticks)
{
    memset(w, 0, sizeof *w);
    fl_task_init(&w->task, fn);
    w->name = name;
    w->n = n;
    w->ticks = ticks;
}

/* The super-loop of a firmware: poll, then sleep for what poll says.
 * Returns how many polls it took until no task was alive. */
static unsigned drive(unsigned max_polls)
{
    unsigned polls = 0;
    for (;;) {
        fl_time next = 0;
        int live = fl_loop_poll(&loop, &next);
        polls++;
        ck_assert_int_ge(live, 0);
        if (live == 0)
            return polls;
        ck_assert_msg(polls < max_polls, "the loop did not finish");
        ck_assert_msg(next != FL_TIME_FOREVER, "tasks alive but nothing can wake them");
        fp.now += next; /* the sleep of the super-loop */
    }
}

static fl_cmd yield_n(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (w->i = 0; w->i < w->n; w->i++) {
        log_add("%s%d", w->name, w->i);
        FL_YIELD(self);
    }
    FL_RETURN(self, w->n * 10);
    FL_END(self);
}

START_TEST(ready_tasks_take_turns_in_the_order_they_became_ready)
{
    worker a, b, c;
    start();
    worker_init(&a, yield_n, "a", 3, 0);
    worker_init(&b, yield_n, "b", 3, 0);
    worker_init(&c, yield_n, "c", 3, 0);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &c.task, NULL), 0);
    drive(10);
    ck_assert_str_eq(log_text(), "a0 b0 c0 a1 b1 c1 a2 b2 c2");
    ck_assert(fl_task_finished(&a.task));
    ck_assert_int_eq(fl_task_result(&c.task), 30);
}
END_TEST

static fl_cmd sleep_then_log(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, w->ticks);
    log_add("%s@%u", w->name, (unsigned)(fp.now - 1000));
    FL_END(self);
}

START_TEST(sleepers_wake_in_due_order_and_poll_says_how_long_to_sleep)
{
    worker a, b, c;
    fl_time next = 0;
    start();
    worker_init(&a, sleep_then_log, "a", 0, 30);
    worker_init(&b, sleep_then_log, "b", 0, 10);
    worker_init(&c, sleep_then_log, "c", 0, 20);
    fl_spawn(&loop, &a.task, NULL);
    fl_spawn(&loop, &b.task, NULL);
    fl_spawn(&loop, &c.task, NULL);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 3);
    ck_assert_uint_eq(next, 10);
    ck_assert_uint_eq(loop_timers(&loop), 3);
    /* Polled early, nothing is due: it says how much is left. */
    fp.now += 4;
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 3);
    ck_assert_uint_eq(next, 6);
    fp.now += 6;
    drive(10);
    ck_assert_str_eq(log_text(), "b@10 c@20 a@30");
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

START_TEST(a_sleep_survives_the_clock_wrapping_around)
{
    worker a, b;
    start();
    fp.now = (fl_time)-5; /* 5 ticks before the wrap */
    worker_init(&a, sleep_then_log, "a", 0, 3);
    worker_init(&b, sleep_then_log, "b", 0, 10);
    fl_spawn(&loop, &b.task, NULL);
    fl_spawn(&loop, &a.task, NULL);
    drive(10);
    /* Logged relative to 1000: -5 + 3 and -5 + 10, less 1000. */
    ck_assert_str_eq(log_text(), "a@4294966294 b@4294966301");
}
END_TEST

static fl_cmd spawn_child(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &w->child->task, NULL);
    log_add("parent");
    FL_SLEEP(self, 5);
    log_add("child:%d", (int)fl_task_result(&w->child->task));
    FL_END(self);
}

START_TEST(a_spawned_child_runs_before_its_spawner_goes_on)
{
    worker parent, child;
    start();
    worker_init(&child, yield_n, "c", 1, 0);
    worker_init(&parent, spawn_child, "p", 0, 0);
    parent.child = &child;
    fl_spawn(&loop, &parent.task, NULL);
    drive(10);
    ck_assert_str_eq(log_text(), "c0 parent child:10"); /* Flowno's order */
}
END_TEST

static fl_cmd fail_with(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_FAIL(self, w->n);
    FL_END(self);
}

START_TEST(a_failed_task_keeps_its_error)
{
    worker a;
    start();
    worker_init(&a, fail_with, "a", -42, 0);
    fl_spawn(&loop, &a.task, NULL);
    drive(3);
    ck_assert(fl_task_failed(&a.task));
    ck_assert_int_eq(fl_task_error(&a.task), -42);
    ck_assert_int_eq(fl_task_result(&a.task), 0);
}
END_TEST

static fl_cmd join_child(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_JOIN_RC(self, w->rc, &w->child->task);
    FL_SLEEP_RC(self, w->i, 1);
    FL_END(self);
}

START_TEST(commands_compiled_out_are_refused_with_einval)
{
    worker a, other;
    start();
    worker_init(&other, yield_n, "o", 1, 0);
    worker_init(&a, join_child, "a", 0, 0);
    a.child = &other;
    a.i = 99;
    fl_spawn(&loop, &a.task, NULL);
    drive(5);
    ck_assert_int_eq(a.rc, FL_EINVAL);
    ck_assert_int_eq(a.i, 0); /* and the task goes on */
}
END_TEST

START_TEST(a_full_table_and_a_live_task_are_refused)
{
    static worker w[FL_MAX_TASKS + 1];
    int i;
    start();
    for (i = 0; i < FL_MAX_TASKS + 1; i++)
        worker_init(&w[i], yield_n, "w", 1, 0);
    for (i = 0; i < FL_MAX_TASKS; i++)
        ck_assert_int_eq(fl_spawn(&loop, &w[i].task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[FL_MAX_TASKS].task, NULL), FL_ENOSPC);
    ck_assert_int_eq(fl_spawn(&loop, &w[0].task, NULL), FL_EBUSY);
    ck_assert_int_eq(fl_spawn(&loop, NULL, NULL), FL_EINVAL);
    drive(FL_MAX_TASKS + 5);
    /* Slots come back once the tasks end. */
    ck_assert_int_eq(fl_spawn(&loop, &w[FL_MAX_TASKS].task, NULL), 0);
    drive(5);
    ck_assert(fl_task_finished(&w[FL_MAX_TASKS].task));
}
END_TEST

static fl_cmd busy(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (w->i = 0; w->i < w->n; w->i++)
        FL_YIELD(self);
    FL_END(self);
}

START_TEST(one_poll_runs_at_most_poll_interval_steps)
{
    worker a;
    fl_time next = FL_TIME_FOREVER;
    start();
    worker_init(&a, busy, "a", 10 * FL_POLL_INTERVAL, 0);
    fl_spawn(&loop, &a.task, NULL);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    /* FL_POLL_INTERVAL steps: the first reached the first yield, each
     * later one went once round the loop. */
    ck_assert_int_eq(a.i, FL_POLL_INTERVAL - 1);
    ck_assert_uint_eq(next, 0); /* still ready: poll again at once */
}
END_TEST

static int inner_rc;

static fl_cmd poll_inside(fl_task *self)
{
    fl_time next;
    FL_BEGIN(self);
    inner_rc = fl_loop_poll(&loop, &next);
    FL_END(self);
}

START_TEST(poll_from_inside_a_task_and_bad_arguments_are_refused)
{
    worker a;
    fl_time next = 7;
    start();
    worker_init(&a, poll_inside, "a", 0, 0);
    fl_spawn(&loop, &a.task, NULL);
    drive(3);
    ck_assert_int_eq(inner_rc, FL_EBUSY);
    ck_assert_int_eq(fl_loop_poll(NULL, &next), FL_EINVAL);
    /* Nothing alive: 0 tasks, and nothing to wake for. */
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    ck_assert_uint_eq(next, FL_TIME_FOREVER);
    ck_assert_str_eq(fl_strerror(FL_EINVAL), ""); /* messages compiled out */
}
END_TEST

/* Without the messages fl_config_diff still tells the settings apart: NULL
 * when they agree, "" (no name) when they differ. */
START_TEST(config_diff_without_messages_is_null_when_the_settings_agree)
{
    fl_config_ app = FL_CONFIG_OF_THIS_BUILD_;
    ck_assert_ptr_null(fl_config_diff());
    ck_assert_ptr_null(fl_config_diff_(&app, FL_CONFIG_HASH_));
    /* Another FL_MAX_TASKS, say: another hash. */
    ck_assert_ptr_nonnull(fl_config_diff_(&app, FL_CONFIG_HASH_ ^ 1u));
    ck_assert_str_eq(fl_config_diff_(&app, FL_CONFIG_HASH_ ^ 1u), "");
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("minimal");
    TCase *tc = tcase_create("minimal");
    tcase_add_test(tc, ready_tasks_take_turns_in_the_order_they_became_ready);
    tcase_add_test(tc, sleepers_wake_in_due_order_and_poll_says_how_long_to_sleep);
    tcase_add_test(tc, a_sleep_survives_the_clock_wrapping_around);
    tcase_add_test(tc, a_spawned_child_runs_before_its_spawner_goes_on);
    tcase_add_test(tc, a_failed_task_keeps_its_error);
    tcase_add_test(tc, commands_compiled_out_are_refused_with_einval);
    tcase_add_test(tc, a_full_table_and_a_live_task_are_refused);
    tcase_add_test(tc, one_poll_runs_at_most_poll_interval_steps);
    tcase_add_test(tc, poll_from_inside_a_task_and_bad_arguments_are_refused);
    tcase_add_test(tc, config_diff_without_messages_is_null_when_the_settings_agree);
    suite_add_tcase(s, tc);
    return s;
}
