/* SPDX-License-Identifier: MIT */
/*
 * check_signal.c - wake-ups from outside the loop (fl_signal) and the
 * manual port's fl_loop_poll.  The fake port's "wait forever" calls a hook
 * that plays the interrupt handler.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_signal sig;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_signal_init(&sig, &loop), 0);
}

typedef struct waiter {
    fl_task task;
    int id, i, n, rc;
} waiter;

static fl_cmd wait_n_times(fl_task *self)
{
    waiter *w = (waiter *)self;
    FL_BEGIN(self);
    for (w->i = 0; w->i < w->n; w->i++) {
        FL_SIGNAL_WAIT_RC(self, w->rc, &sig);
        log_add("w%d:%d", w->id, w->rc);
    }
    FL_END(self);
}

static void waiter_init(waiter *w, int id, int n)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->n = n;
    fl_task_init(&w->task, wait_n_times);
}

/* The "interrupt": raise the signal and let a little time pass. */
static void isr_raise(fake_port *p, bool forever)
{
    ck_assert(forever);
    p->now += 5;
    log_add("isr");
    fl_signal_raise(&sig);
}

/* An interrupt that comes during the third timed wait. */
static void isr_on_third_wait(fake_port *p, bool forever)
{
    ck_assert(!forever);
    if (p->waits == 3) {
        log_add("isr");
        fl_signal_raise(&sig);
    }
}

START_TEST(raise_before_the_wait_is_kept_for_the_waiter)
{
    waiter w;
    waiter_init(&w, 1, 1);
    fl_signal_raise(&sig);
    ck_assert_uint_eq(fp.wakes, 1);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "w1:0");
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

START_TEST(raises_before_a_wait_merge_into_one)
{
    waiter w;
    waiter_init(&w, 1, 2);
    fl_signal_raise(&sig);
    fl_signal_raise(&sig);
    fp.on_idle = isr_raise;
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    /* The first wait eats the merged raise; the second needs the "ISR". */
    ck_assert_str_eq(log_text(), "w1:0 isr w1:0");
    ck_assert_uint_eq(fp.forever_waits, 1);
}
END_TEST

START_TEST(loop_idles_instead_of_giving_up_while_a_task_waits_on_a_signal)
{
    waiter w;
    waiter_init(&w, 1, 3);
    fp.on_idle = isr_raise;
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "isr w1:0 isr w1:0 isr w1:0");
    ck_assert_uint_eq(fp.forever_waits, 3);
    ck_assert_uint_eq(fp.now, 15);
}
END_TEST

START_TEST(a_raise_wakes_every_waiter_in_order)
{
    waiter w[3];
    fl_task *root;
    int i;
    for (i = 0; i < 3; i++) {
        waiter_init(&w[i], i, 1);
        if (i > 0)
            ck_assert_int_eq(fl_spawn(&loop, &w[i].task, NULL), 0);
    }
    root = &w[0].task;
    fp.on_idle = isr_raise;
    ck_assert_int_eq(fl_run_until_complete(&loop, root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "isr w1:0 w2:0 w0:0");
}
END_TEST

START_TEST(max_wait_bounds_a_wait_for_a_signal)
{
    waiter w;
    waiter_init(&w, 1, 1);
    fp.on_idle = isr_on_third_wait;
    /* No timer: without max_wait the loop would wait forever; with it,
     * each wait lasts 50 ticks until the "interrupt" comes. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 50, NULL), 0);
    ck_assert_uint_eq(fp.forever_waits, 0);
    ck_assert_uint_eq(fp.waits, 3);
    ck_assert_uint_eq(fp.longest_wait, 50);
    ck_assert_uint_eq(fp.now, 150);
    ck_assert_str_eq(log_text(), "isr w1:0");
}
END_TEST

static fl_cmd cancel_waiter(fl_task *self)
{
    waiter *w = (waiter *)self;
    FL_BEGIN(self);
    FL_YIELD(self);
    ck_assert(fl_cancel(&loop, &w[1].task));
    FL_END(self);
}

START_TEST(cancelled_signal_waiter_leaves_and_the_run_ends)
{
    waiter w[2];
    char expect[32];
    memset(&w[0], 0, sizeof w[0]);
    fl_task_init(&w[0].task, cancel_waiter);
    waiter_init(&w[1], 1, 1);
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "w1:%d", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fp.forever_waits, 0);
    ck_assert_uint_eq(sig.waiters.last, FL_SLOT_NONE);
}
END_TEST

START_TEST(bad_signal_arguments)
{
    fl_signal other;
    fl_loop loop2;
    ck_assert_int_eq(fl_signal_init(NULL, &loop), FL_EINVAL);
    ck_assert_int_eq(fl_signal_init(&other, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_signal_init(&sig, &loop), FL_EBUSY);
    fl_signal_raise(NULL); /* no crash */
    memset(&other, 0, sizeof other);
    fl_signal_raise(&other); /* never initialised: ignored, no crash */
    ck_assert(!fl_loop_signal_pending(&loop));
    ck_assert_int_eq(fl_loop_init(&loop2, &fp.port), 0);
    ck_assert_int_eq(fl_signal_init(&other, &loop2), 0);
    ck_assert_int_eq(fl_signal_init(&other, &loop2), FL_EBUSY);
}
END_TEST

/* ---- the manual port: fl_loop_poll ---------------------------------------- */

typedef struct sleeper {
    fl_task task;
    fl_time ticks;
} sleeper;

static fl_cmd sleep_once(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, ((sleeper *)self)->ticks);
    log_add("woke@%u", (unsigned)fp.now);
    FL_END(self);
}

START_TEST(poll_runs_what_is_ready_and_says_how_long_to_sleep)
{
    sleeper s;
    fl_time next = 0;
    s.ticks = 30;
    fl_task_init(&s.task, sleep_once);
    ck_assert_int_eq(fl_spawn(&loop, &s.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    ck_assert_uint_eq(next, 30);
    fp.now += 10; /* the application slept a while */
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    ck_assert_uint_eq(next, 20);
    fp.now += 20;
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    ck_assert_str_eq(log_text(), "woke@30");
    ck_assert(fl_task_finished(&s.task));
    ck_assert_uint_eq(fp.waits, 0); /* poll never waits itself */
}
END_TEST

/* The real manual port (flowno/port/manual.c): the application's clock,
 * and a super-loop that polls and "sleeps" by moving that clock. */
static fl_time app_clock(void *ctx)
{
    return *(fl_time *)ctx;
}

START_TEST(manual_port_runs_a_super_loop_on_the_applications_clock)
{
    fl_manual_port mp;
    fl_loop mloop;
    fl_time clock = 1000, next = 0;
    sleeper a, b;
    int polls = 0;

    ck_assert_ptr_null(fl_manual_port_init(NULL, app_clock, &clock));
    ck_assert_ptr_null(fl_manual_port_init(&mp, NULL, &clock));
    ck_assert_ptr_eq(fl_manual_port_init(&mp, app_clock, &clock), &mp.port);
    ck_assert_int_eq(fl_loop_init(&mloop, &mp.port), 0);
    a.ticks = 25;
    b.ticks = 40;
    fl_task_init(&a.task, sleep_once);
    fl_task_init(&b.task, sleep_once);
    ck_assert_int_eq(fl_spawn(&mloop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&mloop, &b.task, NULL), 0);
    while (fl_loop_poll(&mloop, &next) > 0) {
        ck_assert_uint_ne(next, FL_TIME_FOREVER);
        clock += next; /* the application sleeps exactly as long as asked */
        ck_assert_int_lt(++polls, 10);
    }
    ck_assert_uint_eq(clock, 1040);
    ck_assert(fl_task_finished(&a.task) && fl_task_finished(&b.task));
    ck_assert_int_eq(polls, 2); /* two sleeps: until a's deadline, then b's */
}
END_TEST

static fl_cmd spin_forever(fl_task *self)
{
    FL_BEGIN(self);
    for (;;)
        FL_YIELD(self);
    FL_END(self);
}

START_TEST(poll_returns_after_a_bounded_number_of_steps)
{
    fl_task spinner;
    fl_time next = 99;
    fl_task_init(&spinner, spin_forever);
    ck_assert_int_eq(fl_spawn(&loop, &spinner, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    ck_assert_uint_eq(next, 0); /* still ready: call again soon */
    ck_assert(fl_cancel(&loop, &spinner));
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    ck_assert(fl_task_cancelled(&spinner));
}
END_TEST

START_TEST(poll_says_forever_when_only_a_signal_can_wake)
{
    waiter w;
    fl_time next = 0;
    waiter_init(&w, 1, 1);
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    ck_assert_uint_eq(next, FL_TIME_FOREVER);
    fl_signal_raise(&sig);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    ck_assert_str_eq(log_text(), "w1:0");
}
END_TEST

static int poll_rc;

static fl_cmd poll_inside(fl_task *self)
{
    FL_BEGIN(self);
    poll_rc = fl_loop_poll(&loop, NULL);
    FL_END(self);
}

START_TEST(poll_from_inside_a_task_is_refused)
{
    fl_task t;
    fl_task_init(&t, poll_inside);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(poll_rc, FL_EBUSY);
    ck_assert_int_eq(fl_loop_poll(NULL, NULL), FL_EINVAL);
}
END_TEST

/* ---- what the other tests leave out ---------------------------------------- */

/* A second signal, and a task that waits on it once. */
static fl_signal sig_b;

static fl_cmd wait_on_b(fl_task *self)
{
    waiter *w = (waiter *)self;
    FL_BEGIN(self);
    FL_SIGNAL_WAIT_RC(self, w->rc, &sig_b);
    log_add("b%d:%d", w->id, w->rc);
    FL_END(self);
}

/* An interrupt may come while the loop reads its clock, after it has
 * looked for raises: fl_loop_poll must then say to come back at once, not
 * to sleep until the next timer (here: for ever). */
static unsigned reads_until_raise;

static fl_time clock_with_an_interrupt(void *ctx)
{
    (void)ctx;
    if (reads_until_raise > 0 && --reads_until_raise == 0)
        fl_signal_raise(&sig_b);
    return 0;
}

START_TEST(a_raise_while_the_loop_reads_its_clock_is_not_slept_through)
{
    fl_manual_port mp; /* no wake hook: a raise only sets the flags */
    fl_loop l;
    waiter w;
    fl_time next = 0;
    ck_assert_ptr_nonnull(fl_manual_port_init(&mp, clock_with_an_interrupt, NULL));
    ck_assert_int_eq(fl_loop_init(&l, &mp.port), 0);
    ck_assert_int_eq(fl_signal_init(&sig_b, &l), 0);
    waiter_init(&w, 1, 1);
    fl_task_init(&w.task, wait_on_b);
    ck_assert_int_eq(fl_spawn(&l, &w.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&l, &next), 1);
    ck_assert(next == FL_TIME_FOREVER); /* it waits for the signal */
    reads_until_raise = 2; /* the second read of the next poll: its last */
    ck_assert_int_eq(fl_loop_poll(&l, &next), 1);
    ck_assert_uint_eq(next, 0);
    ck_assert_str_eq(log_text(), "");
    ck_assert_int_eq(fl_loop_poll(&l, &next), 0);
    ck_assert_str_eq(log_text(), "b1:0");
}
END_TEST

/* With hooks attached too: the loop steps tasks down another path then. */
START_TEST(each_signal_wakes_its_own_waiters_only)
{
    static fl_hooks none;
    waiter a, b;
    fl_loop_set_hooks(&loop, &none);
    ck_assert_int_eq(fl_signal_init(&sig_b, &loop), 0);
    waiter_init(&a, 1, 1);
    waiter_init(&b, 2, 1);
    fl_task_init(&b.task, wait_on_b);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 2);
    fl_signal_raise(&sig);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 1);
    ck_assert_str_eq(log_text(), "w1:0");
    ck_assert_int_eq(fl_task_state(&b.task), FL_TASK_WAITING);
    fl_signal_raise(&sig_b);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 0);
    ck_assert_str_eq(log_text(), "w1:0 b2:0");
    ck_assert_int_eq(fl_signal_init(&sig, &loop), FL_EBUSY); /* found past sig_b */
}
END_TEST

static fl_signal *bad_sig;

static fl_cmd wait_bad_sig(fl_task *self)
{
    waiter *w = (waiter *)self;
    FL_BEGIN(self);
    FL_SIGNAL_WAIT_RC(self, w->rc, bad_sig);
    FL_RETURN(self, w->rc);
    FL_END(self);
}

START_TEST(waiting_on_no_signal_or_another_loops_is_refused)
{
    fl_loop other;
    fl_signal foreign;
    waiter w;
    fl_value rc = 0;
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_signal_init(&foreign, &other), 0);
    bad_sig = NULL;
    waiter_init(&w, 1, 1);
    fl_task_init(&w.task, wait_bad_sig);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, &rc), 0);
    ck_assert_int_eq((int)rc, FL_EINVAL);
    bad_sig = &foreign;
    fl_task_init(&w.task, wait_bad_sig);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, &rc), 0);
    ck_assert_int_eq((int)rc, FL_EINVAL);
    ck_assert_uint_eq(foreign.waiters.last, FL_SLOT_NONE);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("signal");
    TCase *tc = tcase_create("signal");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, raise_before_the_wait_is_kept_for_the_waiter);
    tcase_add_test(tc, raises_before_a_wait_merge_into_one);
    tcase_add_test(tc, loop_idles_instead_of_giving_up_while_a_task_waits_on_a_signal);
    tcase_add_test(tc, a_raise_wakes_every_waiter_in_order);
    tcase_add_test(tc, max_wait_bounds_a_wait_for_a_signal);
    tcase_add_test(tc, cancelled_signal_waiter_leaves_and_the_run_ends);
    tcase_add_test(tc, bad_signal_arguments);
    tcase_add_test(tc, poll_runs_what_is_ready_and_says_how_long_to_sleep);
    tcase_add_test(tc, manual_port_runs_a_super_loop_on_the_applications_clock);
    tcase_add_test(tc, poll_returns_after_a_bounded_number_of_steps);
    tcase_add_test(tc, poll_says_forever_when_only_a_signal_can_wake);
    tcase_add_test(tc, poll_from_inside_a_task_is_refused);
    tcase_add_test(tc, a_raise_while_the_loop_reads_its_clock_is_not_slept_through);
    tcase_add_test(tc, each_signal_wakes_its_own_waiters_only);
    tcase_add_test(tc, waiting_on_no_signal_or_another_loops_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
