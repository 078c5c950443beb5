/* SPDX-License-Identifier: MIT */
/*
 * check_task.c - writing tasks: return, fail, finally, the error macros,
 * joins with several joiners, and nested awaitables (helpers) unwinding
 * through their own finally first.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
}

#define E_USER (-1000)
#define E_OTHER (-1001)

typedef struct job {
    fl_task task;
    int mode, i, rc;
    fl_frame frame, frame2;
    struct job *other;
} job;

static void job_init(job *j, fl_task_fn fn, int mode)
{
    memset(j, 0, sizeof *j);
    j->mode = mode;
    fl_task_init(&j->task, fn);
}

static int run_root(job *root, fl_value *v)
{
    return fl_run_until_complete(&loop, &root->task, FL_RUN_JOIN, 0, v);
}

/* ---- finally ---------------------------------------------------------------- */

enum { END_FALL, END_RETURN, END_FAIL, END_CHECK_OK, END_CHECK_ERR };

/* Ends in one of five ways; its finally logs what it saw. */
static fl_cmd end_some_way(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    switch (j->mode) {
    case END_RETURN: FL_RETURN(self, 5); break;
    case END_FAIL: FL_FAIL(self, E_USER); break;
    case END_CHECK_OK: FL_CHECK(self, 3); break;
    case END_CHECK_ERR: FL_CHECK(self, E_OTHER); break;
    default: break;
    }
    log_add("body-end");
    FL_FINALLY(self);
    log_add("finally(%d)", fl_pending_error(self));
    FL_END(self);
}

START_TEST(finally_runs_after_falling_off_the_body)
{
    job t;
    fl_value v = -1;
    job_init(&t, end_some_way, END_FALL);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_str_eq(log_text(), "body-end finally(0)");
    ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(finally_runs_after_return_and_keeps_the_value)
{
    job t;
    fl_value v = 0;
    job_init(&t, end_some_way, END_RETURN);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_str_eq(log_text(), "finally(0)");
    ck_assert_int_eq(v, 5);
}
END_TEST

START_TEST(finally_runs_after_fail_and_sees_the_error)
{
    job t;
    char expect[64];
    job_init(&t, end_some_way, END_FAIL);
    ck_assert_int_eq(run_root(&t, NULL), E_USER);
    snprintf(expect, sizeof expect, "finally(%d)", E_USER);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_failed(&t.task));
}
END_TEST

START_TEST(check_passes_success_and_raises_errors)
{
    job t;
    char expect[64];
    job_init(&t, end_some_way, END_CHECK_OK);
    ck_assert_int_eq(run_root(&t, NULL), 0);
    ck_assert_str_eq(log_text(), "body-end finally(0)");

    setup();
    job_init(&t, end_some_way, END_CHECK_ERR);
    ck_assert_int_eq(run_root(&t, NULL), E_OTHER);
    snprintf(expect, sizeof expect, "finally(%d)", E_OTHER);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

static fl_cmd fail_with_positive(fl_task *self)
{
    FL_BEGIN(self);
    FL_FAIL(self, 7);
    FL_END(self);
}

START_TEST(fail_with_a_non_negative_code_becomes_einval)
{
    job t;
    job_init(&t, fail_with_positive, 0);
    ck_assert_int_eq(run_root(&t, NULL), FL_EINVAL);
}
END_TEST

enum { FIN_RECOVER, FIN_REPLACE, FIN_WAIT };

/* Fails, then the finally section recovers, replaces the error, or waits. */
static fl_cmd finally_decides(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_FAIL(self, E_USER);
    FL_FINALLY(self);
    if (j->mode == FIN_RECOVER)
        FL_RETURN(self, 11);
    if (j->mode == FIN_REPLACE)
        FL_FAIL(self, E_OTHER);
    FL_SLEEP(self, 20);
    log_add("slept-in-finally(%d)", fl_pending_error(self));
    FL_END(self);
}

START_TEST(return_in_finally_replaces_the_error)
{
    job t;
    fl_value v = 0;
    job_init(&t, finally_decides, FIN_RECOVER);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 11);
    ck_assert(fl_task_finished(&t.task));
}
END_TEST

START_TEST(fail_in_finally_replaces_the_error)
{
    job t;
    job_init(&t, finally_decides, FIN_REPLACE);
    ck_assert_int_eq(run_root(&t, NULL), E_OTHER);
    ck_assert_int_eq(fl_task_error(&t.task), E_OTHER);
}
END_TEST

START_TEST(finally_may_wait_and_keeps_the_pending_error)
{
    job t;
    char expect[64];
    job_init(&t, finally_decides, FIN_WAIT);
    ck_assert_int_eq(run_root(&t, NULL), E_USER);
    ck_assert_uint_eq(fp.now, 20);
    snprintf(expect, sizeof expect, "slept-in-finally(%d)", E_USER);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- joins --------------------------------------------------------------- */

static fl_cmd sleep_then_return(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, (fl_time)j->mode);
    FL_RETURN(self, j->mode * 10);
    FL_END(self);
}

static fl_cmd join_and_log(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("j%d:%d/%d", j->mode, j->rc, (int)fl_task_result(&j->other->task));
    FL_END(self);
}

static job joiners[3];

static fl_cmd spawn_target_and_joiners(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    for (j->i = 0; j->i < 3; j->i++)
        FL_SPAWN(self, &joiners[j->i].task, NULL);
    FL_END(self);
}

START_TEST(every_joiner_wakes_with_the_result_in_join_order)
{
    job root, target;
    int i;
    job_init(&root, spawn_target_and_joiners, 0);
    job_init(&target, sleep_then_return, 4);
    root.other = &target;
    for (i = 0; i < 3; i++) {
        job_init(&joiners[i], join_and_log, i);
        joiners[i].other = &target;
    }
    ck_assert_int_eq(run_root(&root, NULL), 0);
    ck_assert_str_eq(log_text(), "j0:0/40 j1:0/40 j2:0/40");
}
END_TEST

static fl_cmd join_finished_then_failed(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 100); /* it ends meanwhile */
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("late-join:%d/%d", j->rc, (int)fl_task_result(&j->other->task));
    FL_SPAWN(self, &j->other->task, fail_with_positive); /* respawn: it fails */
    FL_YIELD(self);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("failed-join:%d", j->rc);
    FL_JOIN(self, &j->other->task); /* propagates */
    log_add("not-reached");
    FL_END(self);
}

START_TEST(join_of_an_ended_task_gets_its_outcome)
{
    job root, target;
    char expect[64];
    job_init(&root, join_finished_then_failed, 0);
    job_init(&target, sleep_then_return, 3);
    root.other = &target;
    ck_assert_int_eq(run_root(&root, NULL), FL_EINVAL);
    snprintf(expect, sizeof expect, "late-join:0/30 failed-join:%d", FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- a wait inside a switch of the task's own ------------------------------ */

/* The classic protothread mistake: the sleep's resume point belongs to the
 * task's switch, not to the one FL_BEGIN opened.  Resumed, the task fails
 * with FL_ERESUME (after its finally) instead of ending "successfully". */
static fl_cmd sleeps_inside_its_own_switch(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    switch (j->mode) {
    case 1:
        FL_SLEEP(self, 1);
        log_add("after-sleep");
        break;
    default:
        break;
    }
    log_add("body-end");
    FL_FINALLY(self);
    log_add("finally(%d)", fl_pending_error(self));
    FL_END(self);
}

START_TEST(a_wait_inside_a_switch_of_its_own_fails_with_eresume)
{
    job t;
    char expect[64];
    job_init(&t, sleeps_inside_its_own_switch, 1);
    ck_assert_int_eq(run_root(&t, NULL), FL_ERESUME);
    ck_assert(fl_task_failed(&t.task));
    ck_assert_int_eq(fl_task_error(&t.task), FL_ERESUME);
    snprintf(expect, sizeof expect, "finally(%d)", FL_ERESUME);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_ptr_nonnull(strstr(fl_strerror(FL_ERESUME), "switch"));
}
END_TEST

/* ---- helpers (nested awaitables) ----------------------------------------- */

/* Sleeps `n` times; fails on round `fail_at` if not 0; logs its finally. */
static fl_cmd helper_rounds(fl_task *self, fl_frame *f, job *j, int n, int fail_at)
{
    FL_BEGIN_HELPER(self, f);
    for (j->i = 1; j->i <= n; j->i++) {
        FL_SLEEP(self, 10);
        log_add("h%d", j->i);
        if (j->i == fail_at)
            FL_FAIL(self, E_USER);
    }
    FL_RETURN(self, n * 100);
    FL_FINALLY(self);
    log_add("h-finally(%d)", fl_pending_error(self));
    FL_END(self);
}

static fl_cmd call_helper(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL(self, &j->frame, helper_rounds(self, &j->frame, j, 3, j->mode));
    log_add("got(%d)", (int)fl_frame_result(&j->frame));
    FL_RETURN(self, fl_frame_result(&j->frame) + 1);
    FL_FINALLY(self);
    log_add("t-finally(%d)", fl_pending_error(self));
    FL_END(self);
}

START_TEST(helper_waits_and_returns_its_value)
{
    job t;
    fl_value v = 0;
    job_init(&t, call_helper, 0);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 301);
    ck_assert_uint_eq(fp.now, 30);
    ck_assert_str_eq(log_text(), "h1 h2 h3 h-finally(0) got(300) t-finally(0)");
}
END_TEST

START_TEST(helper_failure_unwinds_helper_finally_then_callers)
{
    job t;
    char expect[128];
    job_init(&t, call_helper, 2);
    ck_assert_int_eq(run_root(&t, NULL), E_USER);
    snprintf(expect, sizeof expect, "h1 h2 h-finally(%d) t-finally(%d)", E_USER, E_USER);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fp.now, 20);
}
END_TEST

static fl_cmd call_helper_rc(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL_RC(self, j->rc, &j->frame, helper_rounds(self, &j->frame, j, 2, 1));
    log_add("rc(%d)", j->rc);
    FL_RETURN(self, 5);
    FL_END(self);
}

START_TEST(call_rc_hands_the_helper_error_to_the_caller)
{
    job t;
    fl_value v = 0;
    char expect[128];
    job_init(&t, call_helper_rc, 0);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 5);
    snprintf(expect, sizeof expect, "h1 h-finally(%d) rc(%d)", E_USER, E_USER);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* A helper that calls a helper: errors unwind innermost first. */
static fl_cmd helper_outer(fl_task *self, fl_frame *f, job *j)
{
    FL_BEGIN_HELPER(self, f);
    log_add("outer");
    FL_CALL(self, &j->frame2, helper_rounds(self, &j->frame2, j, 2, j->mode));
    FL_RETURN(self, fl_frame_result(&j->frame2) + 1);
    FL_FINALLY(self);
    log_add("o-finally(%d)", fl_pending_error(self));
    FL_END(self);
}

static fl_cmd call_nested(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL(self, &j->frame, helper_outer(self, &j->frame, j));
    FL_RETURN(self, fl_frame_result(&j->frame));
    FL_FINALLY(self);
    log_add("t-finally(%d)", fl_pending_error(self));
    FL_END(self);
}

START_TEST(nested_helpers_return_through_every_level)
{
    job t;
    fl_value v = 0;
    job_init(&t, call_nested, 0);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 201);
    ck_assert_str_eq(log_text(), "outer h1 h2 h-finally(0) o-finally(0) t-finally(0)");
}
END_TEST

START_TEST(nested_helpers_unwind_innermost_first)
{
    job t;
    char expect[128];
    job_init(&t, call_nested, 1);
    ck_assert_int_eq(run_root(&t, NULL), E_USER);
    snprintf(expect, sizeof expect, "outer h1 h-finally(%d) o-finally(%d) t-finally(%d)",
             E_USER, E_USER, E_USER);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* A helper that never waits finishes inside the caller's step. */
static fl_cmd helper_instant(fl_task *self, fl_frame *f, int x)
{
    FL_BEGIN_HELPER(self, f);
    FL_RETURN(self, x * 2);
    FL_END(self);
}

static fl_cmd call_instant_many(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < 100; j->i++) {
        FL_CALL(self, &j->frame, helper_instant(self, &j->frame, j->i));
        j->rc += (int)fl_frame_result(&j->frame);
    }
    FL_RETURN(self, j->rc);
    FL_END(self);
}

START_TEST(helper_that_never_waits_returns_at_once)
{
    job t;
    fl_value v = 0;
    job_init(&t, call_instant_many, 0);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 9900);
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

/* ---- layout ------------------------------------------------------------------ */

START_TEST(task_struct_stays_small)
{
    /* Three words (function, result, wait) and eight bytes: 20 on a 32-bit
     * target, 32 on a 64-bit host.  Any padding or new field shows here. */
    ck_assert_uint_eq(sizeof(fl_task), 3 * sizeof(void *) + 8);
}
END_TEST

START_TEST(init_of_no_task_is_harmless)
{
    fl_task_init(NULL, NULL); /* nothing to initialise: no crash */
    ck_assert_int_eq(fl_task_state(NULL), FL_TASK_NEW);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("task");
    TCase *tc = tcase_create("task");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, finally_runs_after_falling_off_the_body);
    tcase_add_test(tc, finally_runs_after_return_and_keeps_the_value);
    tcase_add_test(tc, finally_runs_after_fail_and_sees_the_error);
    tcase_add_test(tc, check_passes_success_and_raises_errors);
    tcase_add_test(tc, fail_with_a_non_negative_code_becomes_einval);
    tcase_add_test(tc, return_in_finally_replaces_the_error);
    tcase_add_test(tc, fail_in_finally_replaces_the_error);
    tcase_add_test(tc, finally_may_wait_and_keeps_the_pending_error);
    tcase_add_test(tc, every_joiner_wakes_with_the_result_in_join_order);
    tcase_add_test(tc, join_of_an_ended_task_gets_its_outcome);
    tcase_add_test(tc, a_wait_inside_a_switch_of_its_own_fails_with_eresume);
    tcase_add_test(tc, helper_waits_and_returns_its_value);
    tcase_add_test(tc, helper_failure_unwinds_helper_finally_then_callers);
    tcase_add_test(tc, call_rc_hands_the_helper_error_to_the_caller);
    tcase_add_test(tc, nested_helpers_return_through_every_level);
    tcase_add_test(tc, nested_helpers_unwind_innermost_first);
    tcase_add_test(tc, helper_that_never_waits_returns_at_once);
    tcase_add_test(tc, task_struct_stays_small);
    tcase_add_test(tc, init_of_no_task_is_harmless);
    suite_add_tcase(s, tc);
    return s;
}
