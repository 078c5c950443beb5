/* SPDX-License-Identifier: MIT */
/*
 * check_timer.c - the timer heap: deadline order, wraparound of the clock,
 * removal of cancelled sleepers from anywhere in the heap, sleep(0).
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;

typedef struct sleeper {
    fl_task task;
    fl_time ticks;
    int id;
    fl_time woke_at;
} sleeper;

static sleeper sl[FL_MAX_TASKS];
static unsigned woken;
static int wake_order[FL_MAX_TASKS];

static void start(fl_time clock)
{
    fake_loop_start(&fp, &loop, clock);
    woken = 0;
}

static fl_cmd sleep_once(fl_task *self)
{
    sleeper *s = (sleeper *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, s->ticks);
    s->woke_at = fp.now;
    wake_order[woken++] = s->id;
    FL_END(self);
}

/* A deterministic shuffle of 0..n-1 (a small LCG; no libc rand state). */
static void permutation(int *out, int n, unsigned seed)
{
    int i;
    for (i = 0; i < n; i++)
        out[i] = i;
    for (i = n - 1; i > 0; i--) {
        int j, t;
        seed = seed * 1103515245u + 12345u;
        j = (int)((seed >> 8) % (unsigned)(i + 1));
        t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

static void spawn_sleepers(int n, unsigned seed)
{
    int order[FL_MAX_TASKS];
    int i;
    permutation(order, n, seed);
    for (i = 0; i < n; i++) {
        sleeper *s = &sl[i];
        memset(s, 0, sizeof *s);
        s->id = order[i];
        s->ticks = (fl_time)(10 * (order[i] + 1)); /* distinct deadlines */
        fl_task_init(&s->task, sleep_once);
        ck_assert_int_eq(fl_spawn(&loop, &s->task, NULL), 0);
    }
}

static fl_cmd idle_root(fl_task *self)
{
    FL_BEGIN(self);
    FL_END(self);
}

static void run_all(void)
{
    static fl_task root;
    fl_task_init(&root, idle_root);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
}

START_TEST(sleepers_wake_in_deadline_order_whatever_the_spawn_order)
{
    unsigned seed;
    int n = FL_MAX_TASKS - 1, i;
    for (seed = 1; seed <= 20; seed++) {
        start(0);
        spawn_sleepers(n, seed);
        run_all();
        ck_assert_uint_eq(woken, (unsigned)n);
        for (i = 0; i < n; i++)
            ck_assert_int_eq(wake_order[i], i);
        for (i = 0; i < n; i++)
            ck_assert_uint_eq(sl[i].woke_at, sl[i].ticks);
    }
}
END_TEST

START_TEST(deadlines_across_the_clock_wraparound_keep_their_order)
{
    int n = FL_MAX_TASKS - 1, i;
    /* The clock wraps after about 15 ticks; the deadlines span 310. */
    fl_time base = (fl_time)0 - 15;
    start(base);
    spawn_sleepers(n, 7);
    run_all();
    ck_assert_uint_eq(woken, (unsigned)n);
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(wake_order[i], i);
    }
    for (i = 0; i < n; i++)
        ck_assert_uint_eq((fl_time)(sl[i].woke_at - base), sl[i].ticks);
    ck_assert_uint_lt(fp.now, base); /* it really wrapped */
}
END_TEST

/* Cancels the sleepers listed in `victims` right after they went to sleep. */
static int victims[FL_MAX_TASKS];
static int nvictims;

static fl_cmd cancel_victims(fl_task *self)
{
    static int i;
    FL_BEGIN(self);
    FL_YIELD(self); /* let every sleeper start its sleep */
    for (i = 0; i < nvictims; i++)
        ck_assert(fl_cancel(&loop, &sl[victims[i]].task));
    FL_END(self);
}

START_TEST(cancelled_sleepers_leave_the_heap_from_anywhere)
{
    unsigned seed;
    int n = FL_MAX_TASKS - 1;
    for (seed = 1; seed <= 20; seed++) {
        static fl_task root;
        int perm[FL_MAX_TASKS], i, last = -1;
        unsigned expect_woken;
        start(0);
        spawn_sleepers(n, seed);
        permutation(perm, n, seed * 31u);
        nvictims = (int)(seed % (unsigned)n);
        for (i = 0; i < nvictims; i++)
            victims[i] = perm[i];
        fl_task_init(&root, cancel_victims);
        ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);

        expect_woken = (unsigned)(n - nvictims);
        ck_assert_uint_eq(woken, expect_woken);
        for (i = 0; i < (int)woken; i++) {
            ck_assert_int_gt(wake_order[i], last);
            last = wake_order[i];
        }
        for (i = 0; i < nvictims; i++)
            ck_assert(fl_task_cancelled(&sl[victims[i]].task));
        for (i = 0; i < n; i++)
            if (fl_task_finished(&sl[i].task))
                ck_assert_uint_eq(sl[i].woke_at, sl[i].ticks);
        ck_assert_uint_eq(loop_timers(&loop), 0);
    }
}
END_TEST

START_TEST(cancelling_every_sleeper_ends_the_run_without_waiting)
{
    static fl_task root;
    int n = FL_MAX_TASKS - 1, i;
    start(0);
    spawn_sleepers(n, 3);
    nvictims = n;
    for (i = 0; i < n; i++)
        victims[i] = i;
    fl_task_init(&root, cancel_victims);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_uint_eq(woken, 0);
    ck_assert_uint_eq(fp.waits, 0);
    ck_assert_uint_eq(fp.now, 0);
}
END_TEST

typedef struct ticker {
    fl_task task;
    const char *name;
    int i;
} ticker;

static fl_cmd sleep_zero_thrice(fl_task *self)
{
    ticker *t = (ticker *)self;
    FL_BEGIN(self);
    for (t->i = 0; t->i < 3; t->i++) {
        log_add("%s%d", t->name, t->i);
        FL_SLEEP(self, 0);
    }
    FL_END(self);
}

START_TEST(sleep_zero_is_a_yield)
{
    ticker a, b;
    start(0);
    a.name = "a";
    b.name = "b";
    fl_task_init(&a.task, sleep_zero_thrice);
    fl_task_init(&b.task, sleep_zero_thrice);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, 0, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "b0 a0 b1 a1 b2 a2");
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

/* The same sleeper sleeps again and again: its heap entry is reused. */
static fl_cmd sleep_repeatedly(fl_task *self)
{
    ticker *t = (ticker *)self;
    FL_BEGIN(self);
    for (t->i = 0; t->i < 1000; t->i++)
        FL_SLEEP(self, 3);
    FL_END(self);
}

START_TEST(repeated_sleeps_add_up_exactly)
{
    ticker t;
    start(100);
    fl_task_init(&t.task, sleep_repeatedly);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, 0, 0, NULL), 0);
    ck_assert_uint_eq(fp.now, 3100);
    ck_assert_uint_eq(fp.waits, 1000);
}
END_TEST

START_TEST(longest_sleep_is_half_the_clock_range)
{
    sleeper s;
    fl_time half = ((fl_time)1 << (FL_TIME_BITS - 1)) - 1;
    start(5);
    memset(&s, 0, sizeof s);
    s.ticks = half;
    fl_task_init(&s.task, sleep_once);
    ck_assert_int_eq(fl_run_until_complete(&loop, &s.task, 0, 0, NULL), 0);
    ck_assert_uint_eq(s.woke_at, (fl_time)(5 + half));
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("timer");
    TCase *tc = tcase_create("timer");
    tcase_add_test(tc, sleepers_wake_in_deadline_order_whatever_the_spawn_order);
    tcase_add_test(tc, deadlines_across_the_clock_wraparound_keep_their_order);
    tcase_add_test(tc, cancelled_sleepers_leave_the_heap_from_anywhere);
    tcase_add_test(tc, cancelling_every_sleeper_ends_the_run_without_waiting);
    tcase_add_test(tc, sleep_zero_is_a_yield);
    tcase_add_test(tc, repeated_sleeps_add_up_exactly);
    tcase_add_test(tc, longest_sleep_is_half_the_clock_range);
    suite_add_tcase(s, tc);
    return s;
}
