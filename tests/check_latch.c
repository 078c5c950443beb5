/* SPDX-License-Identifier: MIT */
/*
 * check_latch.c - fl_latch: Flowno's countdown latch tests (with and
 * without spawned tasks), counting below zero with and without the error,
 * a cancelled or timed-out waiter, and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_latch latch;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
}

/* Waits for the latch (with a deadline when ticks > 0), logs the outcome. */
static fl_cmd waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    if (a->ticks > 0)
        FL_TIMEOUT(self, a->ticks);
    FL_LATCH_WAIT_RC(self, a->rc, &latch);
    log_add("w%d:%d@%u", a->id, a->rc, (unsigned)fp.now);
    FL_END(self);
}

/* Works `ticks`, then counts down once. */
static fl_cmd worker(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, a->ticks);
    log_add("d%d@%u", a->id, (unsigned)fp.now);
    ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    FL_END(self);
}

/* Spawns others[0..n-1], waits on the latch itself, then joins them. */
static fl_cmd fan_out(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    FL_LATCH_WAIT(self, &latch);
    log_add("all@%u", (unsigned)fp.now);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    FL_END(self);
}

START_TEST(the_waiter_wakes_when_every_spawned_worker_counted_down)
{
    actor root, cast[3];
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 3), 0);
    actor_init(&cast[0], worker, 0, 30);
    actor_init(&cast[1], worker, 1, 10);
    actor_init(&cast[2], worker, 2, 20);
    actor_init(&root, fan_out, 0, 0);
    root.others = cast;
    root.n = 3;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "d1@10 d2@20 d0@30 all@30");
    ck_assert_uint_eq(fl_latch_count(&latch), 0);
}
END_TEST

/* Counts down three times itself, then waits: no suspension. */
static fl_cmd count_alone(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < 3; a->i++) {
        ck_assert_uint_eq(fl_latch_count(&latch), (unsigned)(3 - a->i));
        ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    }
    FL_LATCH_WAIT(self, &latch);
    log_add("done");
    FL_END(self);
}

START_TEST(a_latch_counted_down_without_tasks_opens)
{
    actor root;
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 3), 0);
    actor_init(&root, count_alone, 0, 0);
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "done");
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

START_TEST(a_latch_at_zero_is_open_from_the_start)
{
    actor w;
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 0), 0);
    actor_init(&w, waiter, 0, 0);
    ck_assert_int_eq(run_joined(&loop, &w), 0);
    ck_assert_str_eq(log_text(), "w0:0@0");
}
END_TEST

START_TEST(counting_below_zero_is_an_error_only_when_asked)
{
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 1), 0);
    ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    ck_assert_int_eq(fl_latch_count_down(&latch, true), FL_ERANGE);
    ck_assert_int_eq(fl_latch_count_down(&latch, false), 0);
    ck_assert_uint_eq(fl_latch_count(&latch), 0);
}
END_TEST

/* Counts down from plain C code, between runs. */
START_TEST(count_down_from_plain_c_wakes_every_waiter)
{
    actor cast[3];
    int i;
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 2), 0);
    for (i = 0; i < 3; i++) {
        actor_init(&cast[i], waiter, i, 0);
        ck_assert_int_eq(fl_spawn(&loop, &cast[i].task, NULL), 0);
    }
    ck_assert_int_eq(run_joined(&loop, &cast[0]), FL_EINCOMPLETE);
    ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    ck_assert_int_eq(run_joined(&loop, &cast[0]), FL_EINCOMPLETE);
    ck_assert_str_eq(log_text(), "");
    ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &cast[0].task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "w0:0@0 w1:0@0 w2:0@0");
}
END_TEST

/* Spawns two waiters, cancels the first, then counts down. */
static fl_cmd cancel_a_waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SPAWN(self, &a->others[1].task, NULL);
    FL_SLEEP(self, 4);
    ck_assert(fl_cancel(&loop, &a->others[0].task));
    FL_SLEEP(self, 4);
    ck_assert_int_eq(fl_latch_count_down(&latch, true), 0);
    FL_JOIN(self, &a->others[0].task);
    FL_JOIN(self, &a->others[1].task);
    FL_END(self);
}

START_TEST(a_cancelled_waiter_leaves_and_the_other_still_wakes)
{
    actor root, cast[2];
    char expect[64];
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 1), 0);
    actor_init(&cast[0], waiter, 0, 0);
    actor_init(&cast[1], waiter, 1, 0);
    actor_init(&root, cancel_a_waiter, 0, 0);
    root.others = cast;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "w0:%d@4 w1:0@8", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(latch.waiters.last, FL_SLOT_NONE);
}
END_TEST

START_TEST(a_timed_out_waiter_leaves_the_list)
{
    actor w;
    char expect[64];
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 1), 0);
    actor_init(&w, waiter, 0, 9);
    ck_assert_int_eq(run_joined(&loop, &w), 0);
    snprintf(expect, sizeof expect, "w0:%d@9", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(latch.waiters.last, FL_SLOT_NONE);
    ck_assert_uint_eq(fl_latch_count(&latch), 1);
}
END_TEST

static fl_latch *bad_latch;

static fl_cmd wait_bad(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LATCH_WAIT_RC(self, a->rc, bad_latch);
    FL_RETURN(self, a->rc);
    FL_END(self);
}

START_TEST(bad_input_is_refused)
{
    fl_loop other;
    fl_latch foreign;
    actor a;
    fl_value result;

    ck_assert_int_eq(fl_latch_init(NULL, &loop, 1), FL_EINVAL);
    ck_assert_int_eq(fl_latch_init(&foreign, NULL, 1), FL_EINVAL);
    ck_assert_int_eq(fl_latch_count_down(NULL, false), FL_EINVAL);
    ck_assert_uint_eq(fl_latch_count(NULL), 0);

    bad_latch = NULL;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);

    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_latch_init(&foreign, &other, 1), 0);
    bad_latch = &foreign;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

/* A latch nobody initialised: its count of zero is no count at all. */
START_TEST(an_uninitialised_latch_is_refused_everywhere)
{
    static fl_latch zero_latch;
    actor a;
    fl_value result;
    memset(&zero_latch, 0, sizeof zero_latch);
    ck_assert_int_eq(fl_latch_count_down(&zero_latch, false), FL_EINVAL);
    ck_assert_int_eq(fl_latch_count_down(&zero_latch, true), FL_EINVAL);
    ck_assert_uint_eq(fl_latch_count(&zero_latch), 0);
    bad_latch = &zero_latch;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("latch");
    TCase *tc = tcase_create("latch");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, the_waiter_wakes_when_every_spawned_worker_counted_down);
    tcase_add_test(tc, a_latch_counted_down_without_tasks_opens);
    tcase_add_test(tc, a_latch_at_zero_is_open_from_the_start);
    tcase_add_test(tc, counting_below_zero_is_an_error_only_when_asked);
    tcase_add_test(tc, count_down_from_plain_c_wakes_every_waiter);
    tcase_add_test(tc, a_cancelled_waiter_leaves_and_the_other_still_wakes);
    tcase_add_test(tc, a_timed_out_waiter_leaves_the_list);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_uninitialised_latch_is_refused_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
