/* SPDX-License-Identifier: MIT */
/*
 * check_cancel.c - cancellation: Flowno's test_task_cancellation and
 * test_task_cancellation_edge_cases scenarios in C, plus what the C API adds
 * (fl_cancel from plain C, self-cancel, bad arguments, the timer heap).
 *
 * The fake port's clock moves only when the loop idles, so every "@N" in a
 * log line is an exact tick count.  Errors are logged by name (see ename).
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

/* An application error, for handlers that fail. */
#define E_USER (-1000)

/* Ticks of a sleep that a test never lets run out. */
#define LONG_SLEEP 1000

/* A task and what it keeps across suspensions. */
typedef struct job {
    fl_task task;
    int mode;           /* a scenario switch, or a number of ticks */
    int rc, rc2, rc3;   /* outcomes of waits */
    int hits;           /* how many times it saw FL_ECANCELLED */
    fl_frame frame;
    struct job *other;  /* the task it spawns, cancels or joins */
    struct job *other2; /* a second one */
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

static unsigned now(void)
{
    return (unsigned)fp.now;
}

/* A short name for an outcome, so that log lines read as words. */
static const char *ename(int rc)
{
    static char buf[4][16];
    static int n;
    if (rc == 0)
        return "0";
    if (rc == FL_ECANCELLED)
        return "ECANCELLED";
    if (rc == FL_EDEADLK)
        return "EDEADLK";
    if (rc == FL_EINVAL)
        return "EINVAL";
    if (rc == FL_ENOTSTARTED)
        return "ENOTSTARTED";
    if (rc == E_USER)
        return "EUSER";
    n = (n + 1) % 4;
    snprintf(buf[n], sizeof buf[n], "%d", rc);
    return buf[n];
}

/* ---- targets ------------------------------------------------------------- */

/* Sleeps long and lets a cancellation propagate; its finally says why. */
static fl_cmd sleeps_long(fl_task *self)
{
    FL_BEGIN(self);
    log_add("w:sleep");
    FL_SLEEP(self, LONG_SLEEP);
    log_add("w:not-reached");
    FL_FINALLY(self);
    log_add("w:finally(%s)@%u", ename(fl_pending_error(self)), now());
    FL_END(self);
}

/* Flowno's "return 42 from finally": a cancelled task turns into a value. */
static fl_cmd finally_returns_42(fl_task *self)
{
    FL_BEGIN(self);
    log_add("w:sleep");
    FL_SLEEP(self, LONG_SLEEP);
    log_add("w:not-reached");
    FL_FINALLY(self);
    log_add("w:finally(%s)", ename(fl_pending_error(self)));
    if (fl_pending_error(self) == FL_ECANCELLED)
        FL_RETURN(self, 42);
    FL_END(self);
}

/* Catches the cancel where it waits, goes on waiting, and returns 77. */
static fl_cmd handler_returns_77(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("w:woke(%s)@%u", ename(j->rc), now());
    if (j->rc != FL_ECANCELLED)
        FL_RETURN(self, 1);
    FL_SLEEP(self, 5); /* a handler may await */
    log_add("w:handled@%u", now());
    FL_RETURN(self, 77);
    FL_END(self);
}

/* Catches the cancel and fails with an error of its own. */
static fl_cmd handler_fails(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    if (j->rc == FL_ECANCELLED)
        FL_FAIL(self, E_USER);
    FL_RETURN(self, 1);
    FL_END(self);
}

/* Catches the cancel and falls off its end: a value of 0 (Python's None). */
static fl_cmd handler_returns_nothing(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("w:woke(%s)", ename(j->rc));
    FL_END(self);
}

/* Returns 5 after `mode` ticks (at once when 0, never suspending). */
static fl_cmd returns_5(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    if (j->mode > 0)
        FL_SLEEP(self, (fl_time)j->mode);
    FL_RETURN(self, 5);
    FL_END(self);
}

/* Fails with E_USER after one tick. */
static fl_cmd fails_at_1(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    FL_FAIL(self, E_USER);
    FL_END(self);
}

/* Its cleanup takes 30 ticks, so a canceller has something to wait for. */
static fl_cmd slow_cleanup(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, LONG_SLEEP);
    FL_FINALLY(self);
    log_add("w:cleanup@%u", now());
    FL_SLEEP(self, 30);
    log_add("w:cleaned@%u", now());
    FL_END(self);
}

/* Two sleeps with the _RC form: only the one it is waiting in when the
 * cancel comes reports it. */
static fl_cmd two_sleeps_rc(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, 5);
    log_add("w:rc1(%s)@%u", ename(j->rc), now());
    j->hits += j->rc == FL_ECANCELLED;
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("w:rc2(%s)@%u", ename(j->rc), now());
    j->hits += j->rc == FL_ECANCELLED;
    FL_RETURN(self, j->hits);
    FL_END(self);
}

/* Counts deliveries; after catching one it sleeps again, undisturbed. */
static fl_cmd counts_cancels(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    j->hits += j->rc == FL_ECANCELLED;
    log_add("w:rc(%s)@%u", ename(j->rc), now());
    FL_SLEEP_RC(self, j->rc, 20);
    j->hits += j->rc == FL_ECANCELLED;
    log_add("w:rc(%s)@%u", ename(j->rc), now());
    FL_RETURN(self, j->hits);
    FL_END(self);
}

/* Logs where it starts, then sleeps twice with the _RC form. */
static fl_cmd starts_then_sleeps_rc(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    log_add("w:start");
    FL_SLEEP_RC(self, j->rc, 100);
    log_add("w:rc(%s)@%u", ename(j->rc), now());
    FL_SLEEP_RC(self, j->rc, 5);
    log_add("w:rc(%s)@%u", ename(j->rc), now());
    FL_RETURN(self, 3);
    FL_END(self);
}

/* Returns 5, then its finally section waits long: a cancel lands there. */
static fl_cmd returns_then_waits_in_finally(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    FL_RETURN(self, 5);
    FL_FINALLY(self);
    log_add("w:finally(%s)@%u", ename(fl_pending_error(self)), now());
    FL_SLEEP(self, LONG_SLEEP);
    log_add("w:not-reached");
    FL_END(self);
}

/* ---- cancellers ---------------------------------------------------------- */

enum { CANCEL_RC, CANCEL_PROPAGATE };

/* Flowno's main(): spawn the worker, sleep 10, `await handle.cancel()`,
 * return what the worker returned.  CANCEL_PROPAGATE uses FL_CANCEL, so a
 * worker's error becomes the canceller's. */
static fl_cmd spawn_sleep_cancel(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    log_add("m:cancel@%u", now());
    if (j->mode == CANCEL_PROPAGATE)
        FL_CANCEL(self, &j->other->task);
    else
        FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("m:got(%s,%d)@%u", ename(j->rc), (int)fl_task_result(&j->other->task), now());
    FL_CHECK(self, j->rc);
    FL_RETURN(self, fl_task_result(&j->other->task));
    FL_END(self);
}

/* Like spawn_sleep_cancel, but the worker has ended before the cancel:
 * first a non-waiting cancel (its answer is logged), then an awaited one. */
static fl_cmd cancel_after_end(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    FL_CANCEL_NOWAIT(self, j->rc2, &j->other->task);
    log_add("m:nowait(%d)", j->rc2);
    if (j->mode == CANCEL_PROPAGATE)
        FL_CANCEL(self, &j->other->task);
    else
        FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("m:got(%s,%d)", ename(j->rc), (int)fl_task_result(&j->other->task));
    FL_RETURN(self, fl_task_result(&j->other->task));
    FL_END(self);
}

/* Spawns `other` then `other2`, sleeps 10, cancels `other` (awaited). */
static fl_cmd spawn_two_cancel_first(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SPAWN(self, &j->other2->task, NULL);
    FL_SLEEP(self, 10);
    log_add("m:cancel@%u", now());
    FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("m:got(%s,%d)@%u", ename(j->rc), (int)fl_task_result(&j->other->task), now());
    FL_END(self);
}

/* After 5 ticks, cancels `other` and waits for it; then joins it, which
 * must report FL_ECANCELLED whatever became of the cancel-wait. */
static fl_cmd sleep5_cancel_other(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 5);
    log_add("c:cancel@%u", now());
    FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("c:got(%s)@%u", ename(j->rc), now());
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("c:join(%s)@%u", ename(j->rc), now());
    FL_END(self);
}

/* Joins `other` and logs the outcome. */
static fl_cmd joins_other(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("j:join(%s)@%u", ename(j->rc), now());
    FL_END(self);
}

/* ---- Flowno's test_task_cancellation.py -------------------------------- */

START_TEST(cancel_returns_the_value_from_finally)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, finally_returns_42, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_str_eq(log_text(), "w:sleep m:cancel@10 w:finally(ECANCELLED) m:got(0,42)@10");
    /* Returning from finally makes it a finished task, not a cancelled one. */
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_FINISHED);
    ck_assert(!fl_task_cancelled(&w.task));
    ck_assert_int_eq(fl_task_result(&w.task), 42);
    ck_assert_int_eq(fl_task_error(&w.task), 0);
    ck_assert_uint_eq(fp.now, 10);
}
END_TEST

START_TEST(cancel_returns_the_value_from_the_handler)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, handler_returns_77, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 77);
    /* The handler's own 5-tick sleep runs in full; the canceller waits. */
    ck_assert_str_eq(log_text(),
                     "m:cancel@10 w:woke(ECANCELLED)@10 w:handled@15 m:got(0,77)@15");
    ck_assert(fl_task_finished(&w.task));
    ck_assert_uint_eq(fp.now, 15);
}
END_TEST

START_TEST(handler_failure_reaches_the_canceller_rc)
{
    job m, w;
    job_init(&w, handler_fails, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    /* The canceller sees E_USER, then its FL_CHECK fails the root with it. */
    ck_assert_int_eq(run_root(&m, NULL), E_USER);
    ck_assert_str_eq(log_text(), "m:cancel@10 m:got(EUSER,0)@10");
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_FAILED);
    ck_assert_int_eq(fl_task_error(&w.task), E_USER);
    ck_assert(!fl_task_cancelled(&w.task));
}
END_TEST

START_TEST(handler_failure_propagates_through_an_awaited_cancel)
{
    job m, w;
    job_init(&w, handler_fails, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_PROPAGATE);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), E_USER);
    ck_assert_str_eq(log_text(), "m:cancel@10"); /* FL_CANCEL raised */
    ck_assert_int_eq(fl_task_state(&m.task), FL_TASK_FAILED);
    ck_assert_int_eq(fl_task_error(&m.task), E_USER);
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_FAILED);
}
END_TEST

START_TEST(cancel_of_a_finished_task_gives_its_value)
{
    job m, w;
    fl_value v = 0;
    int ticks;
    /* Ended at once (never suspended), or after one tick of sleep. */
    for (ticks = 0; ticks <= 1; ticks++) {
        setup();
        job_init(&w, returns_5, ticks);
        job_init(&m, cancel_after_end, CANCEL_PROPAGATE);
        m.other = &w;
        v = 0;
        ck_assert_int_eq(run_root(&m, &v), 0);
        ck_assert_int_eq(v, 5);
        /* fl_cancel says false: there was nothing left to cancel. */
        ck_assert_str_eq(log_text(), "m:nowait(0) m:got(0,5)");
        ck_assert(fl_task_finished(&w.task));
        ck_assert(!fl_cancel(&loop, &w.task));
    }
}
END_TEST

START_TEST(awaited_cancel_waits_until_the_cleanup_has_run)
{
    job m, w;
    fl_value v = -1;
    job_init(&w, slow_cleanup, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    /* The canceller comes back only after the cleanup's 30 ticks. */
    ck_assert_str_eq(log_text(), "m:cancel@10 w:cleanup@10 w:cleaned@40 m:got(0,0)@40");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_int_eq(fl_task_error(&w.task), FL_ECANCELLED);
    ck_assert_uint_eq(fp.now, 40);
}
END_TEST

START_TEST(task_receives_ecancelled_at_the_point_where_it_waits)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, two_sleeps_rc, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    /* The first sleep ended normally at 5; the second, due at 1005, is cut
     * short at 10 and is the one that reports the cancel, exactly once. */
    ck_assert_str_eq(log_text(), "w:rc1(0)@5 m:cancel@10 w:rc2(ECANCELLED)@10 m:got(0,1)@10");
    ck_assert_int_eq(w.hits, 1);
    ck_assert_int_eq(v, 1);
}
END_TEST

/* A helper that sleeps long, with a finally of its own. */
static fl_cmd helper_sleeps(fl_task *self, fl_frame *f)
{
    FL_BEGIN_HELPER(self, f);
    log_add("h:sleep");
    FL_SLEEP(self, LONG_SLEEP);
    log_add("h:not-reached");
    FL_FINALLY(self);
    log_add("h:finally(%s)", ename(fl_pending_error(self)));
    FL_END(self);
}

static fl_cmd calls_helper(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL(self, &j->frame, helper_sleeps(self, &j->frame));
    log_add("w:not-reached");
    FL_FINALLY(self);
    log_add("w:finally(%s)", ename(fl_pending_error(self)));
    FL_END(self);
}

START_TEST(cancel_unwinds_a_helper_finally_before_the_callers)
{
    job m, w;
    job_init(&w, calls_helper, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    ck_assert_str_eq(log_text(),
                     "h:sleep m:cancel@10 h:finally(ECANCELLED) w:finally(ECANCELLED) "
                     "m:got(0,0)@10");
    ck_assert(fl_task_cancelled(&w.task));
}
END_TEST

/* Flowno's test_nested_await_receives_cancelled: the caller catches. */
static fl_cmd calls_helper_and_catches(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL_RC(self, j->rc, &j->frame, helper_sleeps(self, &j->frame));
    log_add("w:caught(%s)", ename(j->rc));
    if (j->rc == FL_ECANCELLED)
        FL_RETURN(self, 9);
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(caller_catches_a_cancel_raised_inside_its_helper)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, calls_helper_and_catches, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 9);
    ck_assert_str_eq(log_text(),
                     "h:sleep m:cancel@10 h:finally(ECANCELLED) w:caught(ECANCELLED) "
                     "m:got(0,9)@10");
    ck_assert(fl_task_finished(&w.task));
}
END_TEST

/* A helper that catches the cancel itself and still returns a value. */
static fl_cmd helper_catches(fl_task *self, fl_frame *f, job *j)
{
    FL_BEGIN_HELPER(self, f);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("h:rc(%s)", ename(j->rc));
    FL_SLEEP(self, 5);
    FL_RETURN(self, 3);
    FL_END(self);
}

static fl_cmd calls_catching_helper(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CALL(self, &j->frame, helper_catches(self, &j->frame, j));
    log_add("w:helper-gave(%d)@%u", (int)fl_frame_result(&j->frame), now());
    FL_RETURN(self, fl_frame_result(&j->frame) + 10);
    FL_END(self);
}

START_TEST(helper_that_catches_the_cancel_lets_its_caller_go_on)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, calls_catching_helper, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 13);
    ck_assert_str_eq(log_text(), "m:cancel@10 h:rc(ECANCELLED) w:helper-gave(3)@15 m:got(0,13)@15");
}
END_TEST

START_TEST(finally_runs_on_cancel)
{
    job m, w;
    fl_value v = -1;
    job_init(&w, sleeps_long, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_PROPAGATE);
    m.other = &w;
    /* FL_CANCEL of a task that ends cancelled is a success: no error. */
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_str_eq(log_text(), "w:sleep m:cancel@10 w:finally(ECANCELLED)@10 m:got(0,0)@10");
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_CANCELLED);
    ck_assert_int_eq(fl_task_error(&w.task), FL_ECANCELLED);
    ck_assert_int_eq(fl_task_result(&w.task), 0);
}
END_TEST

/* ---- Flowno's test_task_cancellation_edge_cases.py -------------------- */

START_TEST(cancelled_sleeper_timer_is_removed_so_the_loop_does_not_wait_for_it)
{
    job m, w, bystander;
    job_init(&w, sleeps_long, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    /* Keeps the loop running past the victim's deadline (1000), so that a
     * timer left behind would show as an extra stop there. */
    job_init(&bystander, returns_5, 2000);
    ck_assert_int_eq(fl_spawn(&loop, &bystander.task, NULL), 0);
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* Two idle waits: to the cancel at 10, then to the bystander at 2000. */
    ck_assert_uint_eq(fp.waits, 2);
    ck_assert_uint_eq(fp.last_wait, 1990);
    ck_assert_uint_eq(fp.now, 2000);
    ck_assert_uint_eq(fp.forever_waits, 0);
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert(fl_task_finished(&bystander.task));
}
END_TEST

START_TEST(cancel_twice_returns_true_and_is_delivered_once)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, counts_cancels, 0);
    job_init(&m, returns_5, 10); /* the root: returns at 10 */
    /* Plain C drives this one, between runs of the loop. */
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, FL_RUN_NO_WAIT, 0, NULL), 0);
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_SLEEPING);
    ck_assert(fl_cancel(&loop, &w.task));
    ck_assert(fl_cancel(&loop, &w.task)); /* already pending: true again */
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_READY);

    /* Drain: the worker sees one cancel, then its 20-tick sleep runs out. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, 0, 0, &v), 0);
    ck_assert_str_eq(log_text(), "w:rc(ECANCELLED)@10 w:rc(0)@30");
    ck_assert_int_eq(w.hits, 1);
    ck_assert(fl_task_finished(&w.task));
    ck_assert_int_eq(fl_task_result(&w.task), 1);
}
END_TEST

/* Cancels twice without waiting, then once more while the worker sleeps in
 * its handler: every answer is true, but only the first is delivered. */
static fl_cmd cancel_thrice_nowait(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    FL_CANCEL_NOWAIT(self, j->rc, &j->other->task);
    FL_CANCEL_NOWAIT(self, j->rc2, &j->other->task);
    log_add("m:ok(%d,%d)", j->rc, j->rc2);
    FL_SLEEP(self, 1);
    FL_CANCEL_NOWAIT(self, j->rc3, &j->other->task);
    log_add("m:ok3(%d)@%u", j->rc3, now());
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("m:joined(%s,%d)@%u", ename(j->rc), (int)fl_task_result(&j->other->task), now());
    FL_END(self);
}

START_TEST(cancel_after_the_cancel_was_caught_is_not_delivered_again)
{
    job m, w;
    job_init(&w, counts_cancels, 0);
    job_init(&m, cancel_thrice_nowait, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    ck_assert_str_eq(log_text(),
                     "m:ok(1,1) w:rc(ECANCELLED)@10 m:ok3(1)@11 w:rc(0)@30 m:joined(0,1)@30");
    ck_assert_int_eq(w.hits, 1);
}
END_TEST

/* Awaits the cancel twice; logs both outcomes and values. */
static fl_cmd cancel_twice_awaited(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("m:first(%s,%d)", ename(j->rc), (int)fl_task_result(&j->other->task));
    FL_CANCEL_RC(self, j->rc2, &j->other->task);
    log_add("m:second(%s,%d)", ename(j->rc2), (int)fl_task_result(&j->other->task));
    FL_END(self);
}

START_TEST(second_awaited_cancel_gives_the_same_outcome)
{
    job m, w;
    /* A worker that returned a value from its handler: 77 twice. */
    job_init(&w, handler_returns_77, 0);
    job_init(&m, cancel_twice_awaited, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    ck_assert_str_eq(log_text(),
                     "w:woke(ECANCELLED)@10 w:handled@15 m:first(0,77) m:second(0,77)");

    /* A worker that ended cancelled: success (0) both times. */
    setup();
    job_init(&w, sleeps_long, 0);
    job_init(&m, cancel_twice_awaited, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    ck_assert_str_eq(log_text(), "w:sleep w:finally(ECANCELLED)@10 m:first(0,0) m:second(0,0)");
    ck_assert(fl_task_cancelled(&w.task));
}
END_TEST

/* Cancels (awaited), then joins twice: once with _RC, once propagating. */
static fl_cmd cancel_then_join(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    FL_CANCEL_RC(self, j->rc, &j->other->task);
    FL_JOIN_RC(self, j->rc2, &j->other->task);
    log_add("m:cancel(%s) m:join(%s)", ename(j->rc), ename(j->rc2));
    FL_JOIN(self, &j->other->task);
    log_add("m:not-reached");
    FL_END(self);
}

START_TEST(join_after_cancel_gives_ecancelled)
{
    job m, w;
    job_init(&w, sleeps_long, 0);
    job_init(&m, cancel_then_join, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), FL_ECANCELLED);
    ck_assert_str_eq(log_text(), "w:sleep w:finally(ECANCELLED)@10 m:cancel(0) m:join(ECANCELLED)");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_int_eq(fl_task_error(&w.task), FL_ECANCELLED);
    /* The root was never cancelled, but it ended with FL_ECANCELLED, and the
     * state follows the error. */
    ck_assert_int_eq(fl_task_state(&m.task), FL_TASK_CANCELLED);
    ck_assert(!fl_cancel(&loop, &w.task));
}
END_TEST

/* Cancels without waiting, then sleeps and returns 1. */
static fl_cmd cancel_nowait_then_sleep(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, 10);
    FL_CANCEL_NOWAIT(self, j->rc, &j->other->task);
    log_add("m:nowait(%d)@%u", j->rc, now());
    FL_SLEEP(self, 50);
    log_add("m:done@%u", now());
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(cancel_without_waiting_still_cancels)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, sleeps_long, 0);
    job_init(&m, cancel_nowait_then_sleep, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 1);
    /* The canceller goes on at once; the worker's finally runs after it. */
    ck_assert_str_eq(log_text(), "w:sleep m:nowait(1)@10 w:finally(ECANCELLED)@10 m:done@60");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_uint_eq(fp.now, 60);
}
END_TEST

/* Spawns `other`, yields once so that it starts, and returns 1. */
static fl_cmd spawn_and_yield(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_YIELD(self);
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(fl_cancel_from_plain_c_wakes_a_sleeper_between_runs)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, sleeps_long, 0);
    job_init(&m, spawn_and_yield, 0);
    m.other = &w;
    ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, FL_RUN_NO_WAIT, 0, NULL), 0);
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_SLEEPING);

    ck_assert(fl_cancel(&loop, &w.task));
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_READY);

    /* Run again to drain: no idle wait, the clock has not moved. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_str_eq(log_text(), "w:sleep w:finally(ECANCELLED)@0");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_uint_eq(fp.waits, 0);
    ck_assert_uint_eq(fp.now, 0);
}
END_TEST

/* Spawns a child that outlives the 10-tick cancel; when cancelled, joins it. */
static fl_cmd child_sleeps_50(fl_task *self)
{
    FL_BEGIN(self);
    log_add("c:start");
    FL_SLEEP(self, 50);
    log_add("c:end@%u", now());
    FL_RETURN(self, 7);
    FL_END(self);
}

static fl_cmd parent_joins_child_when_cancelled(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    log_add("p:start");
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("p:rc(%s)@%u", ename(j->rc), now());
    FL_JOIN(self, &j->other->task);
    log_add("p:child-gave(%d)@%u", (int)fl_task_result(&j->other->task), now());
    FL_RETURN(self, 100 + fl_task_result(&j->other->task));
    FL_END(self);
}

START_TEST(cancelling_a_parent_leaves_its_child_running)
{
    job m, p, c;
    fl_value v = 0;
    job_init(&c, child_sleeps_50, 0);
    job_init(&p, parent_joins_child_when_cancelled, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    p.other = &c;
    m.other = &p;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 107);
    ck_assert_str_eq(log_text(),
                     "p:start c:start m:cancel@10 p:rc(ECANCELLED)@10 c:end@50 "
                     "p:child-gave(7)@50 m:got(0,107)@50");
    ck_assert(fl_task_finished(&c.task));
    ck_assert_int_eq(fl_task_result(&c.task), 7);
    ck_assert(fl_task_finished(&p.task));
}
END_TEST

/* A child that catches the cancel and returns 8. */
static fl_cmd child_catches(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP_RC(self, j->rc, LONG_SLEEP);
    log_add("c:rc(%s)@%u", ename(j->rc), now());
    FL_RETURN(self, j->rc == FL_ECANCELLED ? 8 : 1);
    FL_END(self);
}

/* Cancels its child in its finally section and returns 200 + its value. */
static fl_cmd parent_cancels_child_in_cleanup(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_SLEEP(self, LONG_SLEEP);
    FL_FINALLY(self);
    log_add("p:finally(%s)", ename(fl_pending_error(self)));
    FL_CANCEL_RC(self, j->rc, &j->other->task);
    log_add("p:child(%s,%d)", ename(j->rc), (int)fl_task_result(&j->other->task));
    if (fl_pending_error(self) == FL_ECANCELLED)
        FL_RETURN(self, 200 + fl_task_result(&j->other->task));
    FL_END(self);
}

START_TEST(parent_cancels_its_child_in_its_cleanup)
{
    job m, p, c;
    fl_value v = 0;
    job_init(&c, child_catches, 0);
    job_init(&p, parent_cancels_child_in_cleanup, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    p.other = &c;
    m.other = &p;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 208);
    ck_assert_str_eq(log_text(),
                     "m:cancel@10 p:finally(ECANCELLED) c:rc(ECANCELLED)@10 p:child(0,8) "
                     "m:got(0,208)@10");
    ck_assert(fl_task_finished(&c.task));
    ck_assert(fl_task_finished(&p.task));
    ck_assert_uint_eq(fp.now, 10);
}
END_TEST

START_TEST(cancel_a_task_waiting_on_sleep)
{
    job m, w;
    fl_value v = 0;
    job_init(&w, child_catches, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 8);
    ck_assert_str_eq(log_text(), "m:cancel@10 c:rc(ECANCELLED)@10 m:got(0,8)@10");
}
END_TEST

/* Spawns a child and joins it; returns 1 if the join was cancelled. */
static fl_cmd spawns_and_joins(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("w:join(%s)@%u", ename(j->rc), now());
    FL_RETURN(self, j->rc == FL_ECANCELLED ? 1 : 2);
    FL_END(self);
}

START_TEST(cancel_a_task_waiting_on_join_leaves_the_joined_task_running)
{
    job m, w, c;
    fl_value v = 0;
    job_init(&c, child_sleeps_50, 0);
    job_init(&w, spawns_and_joins, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    w.other = &c;
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 1);
    /* The joiner left the child's wait list: the child's end at 50 wakes
     * nobody, and the joiner logs exactly once. */
    ck_assert_str_eq(log_text(),
                     "c:start m:cancel@10 w:join(ECANCELLED)@10 m:got(0,1)@10 c:end@50");
    ck_assert(fl_task_finished(&c.task));
    ck_assert_int_eq(fl_task_result(&c.task), 7);
    ck_assert_uint_eq(fp.now, 50);
}
END_TEST

START_TEST(cancel_of_a_task_that_failed_gives_its_error)
{
    job m, w;
    fl_value v = -1;
    job_init(&w, fails_at_1, 0);
    job_init(&m, cancel_after_end, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_str_eq(log_text(), "m:nowait(0) m:got(EUSER,0)");
    ck_assert(fl_task_failed(&w.task));

    /* FL_CANCEL raises it (Flowno: `await handle.cancel()` raises). */
    setup();
    job_init(&w, fails_at_1, 0);
    job_init(&m, cancel_after_end, CANCEL_PROPAGATE);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), E_USER);
    ck_assert_str_eq(log_text(), "m:nowait(0)");
    ck_assert_int_eq(fl_task_error(&m.task), E_USER);
}
END_TEST

START_TEST(canceller_gets_zero_when_the_task_swallows_or_propagates_the_cancel)
{
    job m, w;
    fl_value v = -1;
    /* Swallowed: the task falls off its end and finishes with 0. */
    job_init(&w, handler_returns_nothing, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_PROPAGATE);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_str_eq(log_text(), "m:cancel@10 w:woke(ECANCELLED) m:got(0,0)@10");
    ck_assert(fl_task_finished(&w.task));

    /* Propagated: the task ends cancelled, FL_CANCEL still succeeds. */
    setup();
    v = -1;
    job_init(&w, sleeps_long, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_PROPAGATE);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert(fl_task_finished(&m.task));
}
END_TEST

/* ---- ready tasks, self-cancel, bad targets ----------------------------- */

/* Spawns `other` and cancels it before it has run at all (fl_spawn from a
 * task does not step aside, FL_SPAWN would let it run first). */
static fl_cmd spawn_then_cancel_at_once(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &j->other->task, NULL), 0);
    FL_CANCEL_NOWAIT(self, j->rc, &j->other->task);
    log_add("m:nowait(%d,%s)", j->rc,
            fl_task_state(&j->other->task) == FL_TASK_READY ? "ready" : "?");
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("m:join(%s,%d)@%u", ename(j->rc), (int)fl_task_result(&j->other->task), now());
    FL_END(self);
}

START_TEST(task_cancelled_before_it_ran_sees_the_error_at_its_first_suspension)
{
    job m, w;
    job_init(&w, starts_then_sleeps_rc, 0);
    job_init(&m, spawn_then_cancel_at_once, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* It starts and runs up to its first sleep, which fails at once (no
     * timer, no wait); its second sleep is not cancelled. */
    ck_assert_str_eq(log_text(),
                     "m:nowait(1,ready) w:start w:rc(ECANCELLED)@0 w:rc(0)@5 m:join(0,3)@5");
    ck_assert(fl_task_finished(&w.task));
    ck_assert_uint_eq(fp.waits, 1);
    ck_assert_uint_eq(fp.longest_wait, 5);
}
END_TEST

START_TEST(task_cancelled_from_plain_c_before_the_run_ends_cancelled)
{
    job w;
    job_init(&w, sleeps_long, 0);
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert(fl_cancel(&loop, &w.task));
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_READY);
    ck_assert_int_eq(run_root(&w, NULL), FL_ECANCELLED);
    ck_assert_str_eq(log_text(), "w:sleep w:finally(ECANCELLED)@0");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

START_TEST(task_cancelled_before_it_ran_that_never_suspends_finishes)
{
    job m, w;
    job_init(&w, returns_5, 0); /* returns without a suspension point */
    job_init(&m, spawn_then_cancel_at_once, 0);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* fl_cancel said true, yet there was no point to deliver it at. */
    ck_assert_str_eq(log_text(), "m:nowait(1,ready) m:join(0,5)@0");
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_FINISHED);
}
END_TEST

/* Joins `other`, then sleeps; logs both outcomes. */
static fl_cmd join_then_sleep(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("s:join(%s,%d)", ename(j->rc), (int)fl_task_result(&j->other->task));
    FL_SLEEP_RC(self, j->rc, 100);
    log_add("s:sleep(%s)@%u", ename(j->rc), now());
    FL_END(self);
}

/* Cancels `other` without waiting and logs the state it found it in. */
static fl_cmd cancel_other_nowait(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    log_add("c:found(%s)", fl_task_state(&j->other->task) == FL_TASK_READY ? "ready" : "?");
    FL_CANCEL_NOWAIT(self, j->rc, &j->other->task);
    log_add("c:cancel(%d)", j->rc);
    FL_END(self);
}

START_TEST(task_woken_but_not_yet_run_completes_its_wait_then_sees_the_cancel)
{
    job s, jn, c;
    job_init(&jn, returns_5, 0);
    job_init(&s, join_then_sleep, 0);
    job_init(&c, cancel_other_nowait, 0);
    s.other = &jn;
    c.other = &s;
    /* Ready order s, jn, c: s joins jn; jn ends and readies s behind c; c
     * cancels s while it is ready with a successful join in hand. */
    ck_assert_int_eq(fl_spawn(&loop, &s.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &jn.task, NULL), 0);
    ck_assert_int_eq(run_root(&c, NULL), 0);
    ck_assert_str_eq(log_text(), "c:found(ready) c:cancel(1) s:join(0,5) s:sleep(ECANCELLED)@0");
    ck_assert(fl_task_finished(&s.task));
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

/* Cancels itself without waiting; the next suspension reports it. */
static fl_cmd cancels_itself(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CANCEL_NOWAIT(self, j->rc, self);
    log_add("ok(%d)", j->rc);
    log_add("still-running"); /* no suspension yet: nothing happens here */
    FL_SLEEP_RC(self, j->rc, 100);
    log_add("sleep(%s)@%u", ename(j->rc), now());
    FL_SLEEP_RC(self, j->rc, 5);
    log_add("sleep(%s)@%u", ename(j->rc), now());
    FL_RETURN(self, 4);
    FL_END(self);
}

START_TEST(self_cancel_lands_at_the_next_suspension)
{
    job t;
    fl_value v = 0;
    job_init(&t, cancels_itself, 0);
    ck_assert_int_eq(run_root(&t, &v), 0);
    ck_assert_int_eq(v, 4);
    ck_assert_str_eq(log_text(), "ok(1) still-running sleep(ECANCELLED)@0 sleep(0)@5");
    ck_assert_uint_eq(fp.now, 5);
}
END_TEST

static fl_cmd cancels_itself_and_sleeps(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CANCEL_NOWAIT(self, j->rc, self);
    FL_SLEEP(self, 100);
    log_add("not-reached");
    FL_FINALLY(self);
    log_add("finally(%s)@%u", ename(fl_pending_error(self)), now());
    FL_END(self);
}

START_TEST(self_cancelled_root_makes_the_run_return_ecancelled)
{
    job t;
    fl_value v = -1;
    job_init(&t, cancels_itself_and_sleeps, 0);
    ck_assert_int_eq(run_root(&t, &v), FL_ECANCELLED);
    ck_assert_int_eq(v, -1); /* no value stored for a cancelled root */
    ck_assert_str_eq(log_text(), "finally(ECANCELLED)@0");
    ck_assert(fl_task_cancelled(&t.task));
    ck_assert_uint_eq(fp.waits, 0);

    /* Without FL_RUN_JOIN the run reports success; the task still knows. */
    setup();
    job_init(&t, cancels_itself_and_sleeps, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, 0, 0, NULL), 0);
    ck_assert(fl_task_cancelled(&t.task));
}
END_TEST

/* FL_CANCEL on itself: a task cannot wait for its own end. */
static fl_cmd awaits_own_cancel(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CANCEL_RC(self, j->rc, self);
    log_add("rc(%s)", ename(j->rc));
    FL_SLEEP_RC(self, j->rc, 5); /* and it was not cancelled either */
    log_add("sleep(%s)@%u", ename(j->rc), now());
    FL_CANCEL(self, self);
    log_add("not-reached");
    FL_FINALLY(self);
    log_add("finally(%s)", ename(fl_pending_error(self)));
    FL_END(self);
}

START_TEST(awaited_cancel_of_itself_fails_with_edeadlk_and_does_not_cancel)
{
    job t;
    job_init(&t, awaits_own_cancel, 0);
    ck_assert_int_eq(run_root(&t, NULL), FL_EDEADLK);
    ck_assert_str_eq(log_text(), "rc(EDEADLK) sleep(0)@5 finally(EDEADLK)");
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_FAILED);
    ck_assert_int_eq(fl_task_error(&t.task), FL_EDEADLK);
}
END_TEST

/* Cancels NULL both ways and a task that was never spawned. */
static fl_cmd cancels_bad_targets(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_CANCEL_NOWAIT(self, j->rc, NULL);
    FL_CANCEL_RC(self, j->rc2, NULL);
    FL_CANCEL_RC(self, j->rc3, &j->other->task);
    log_add("nowait(%d) null(%s) new(%s)", j->rc, ename(j->rc2), ename(j->rc3));
    FL_END(self);
}

START_TEST(cancel_rejects_null_unspawned_ended_and_foreign_tasks)
{
    job t, never, m;
    fake_port fp2;
    fl_loop loop2;

    job_init(&t, returns_5, 1);
    ck_assert(!fl_cancel(NULL, NULL));
    ck_assert(!fl_cancel(NULL, &t.task));
    ck_assert(!fl_cancel(&loop, NULL));
    ck_assert(!fl_cancel(&loop, &t.task)); /* never spawned */
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_NEW);

    /* Alive, but in another loop: this loop leaves it alone. */
    fake_port_init(&fp2, 0);
    ck_assert_int_eq(fl_loop_init(&loop2, &fp2.port), 0);
    ck_assert_int_eq(fl_spawn(&loop2, &t.task, NULL), 0);
    ck_assert(!fl_cancel(&loop, &t.task));
    ck_assert_int_eq(fl_run_until_complete(&loop2, &t.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_finished(&t.task));
    ck_assert_int_eq(fl_task_result(&t.task), 5);
    ck_assert(!fl_cancel(&loop2, &t.task)); /* ended */

    /* The same from inside a task. */
    job_init(&never, returns_5, 0);
    job_init(&m, cancels_bad_targets, 0);
    m.other = &never;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    ck_assert_str_eq(log_text(), "nowait(0) null(EINVAL) new(ENOTSTARTED)");
    ck_assert_int_eq(fl_task_state(&never.task), FL_TASK_NEW);
}
END_TEST

/* ---- several tasks around one cancel ------------------------------------ */

START_TEST(joiner_and_canceller_of_one_task_get_different_outcomes)
{
    job m, w, jn;
    job_init(&w, sleeps_long, 0);
    job_init(&jn, joins_other, 0);
    job_init(&m, spawn_two_cancel_first, 0);
    jn.other = &w;
    m.other = &w;
    m.other2 = &jn;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* Both wake when it ends, in the order they began to wait. */
    ck_assert_str_eq(log_text(),
                     "w:sleep m:cancel@10 w:finally(ECANCELLED)@10 j:join(ECANCELLED)@10 "
                     "m:got(0,0)@10");
}
END_TEST

START_TEST(two_awaited_cancels_both_wait_for_the_cleanup)
{
    job m, w, c;
    job_init(&w, slow_cleanup, 0);
    job_init(&c, sleep5_cancel_other, 0);
    job_init(&m, spawn_two_cancel_first, 0);
    c.other = &w;
    m.other = &w;
    m.other2 = &c;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* The second cancel (at 10) finds one pending and just waits.  The
     * later join of the ended task answers with its outcome, after the
     * ready tasks have run (Flowno re-queues a joiner of an ended task). */
    ck_assert_str_eq(log_text(), "c:cancel@5 w:cleanup@5 m:cancel@10 w:cleaned@35 c:got(0)@35 "
                                 "m:got(0,0)@35 c:join(ECANCELLED)@35");
    ck_assert(fl_task_cancelled(&w.task));
}
END_TEST

START_TEST(cancelling_a_canceller_leaves_its_target_cleaning_up)
{
    job m, w, c;
    job_init(&w, slow_cleanup, 0);
    job_init(&c, sleep5_cancel_other, 0);
    job_init(&m, spawn_two_cancel_first, 0);
    c.other = &w;
    m.other = &c; /* the root cancels the canceller */
    m.other2 = &w;
    ck_assert_int_eq(run_root(&m, NULL), 0);
    /* c stops waiting at 10, but w's cleanup goes on to 35.  c then joins w
     * plainly: its earlier cancel-wait must not turn w's FL_ECANCELLED into
     * the 0 an awaited cancel would get. */
    ck_assert_str_eq(log_text(), "c:cancel@5 w:cleanup@5 m:cancel@10 c:got(ECANCELLED)@10 "
                                 "w:cleaned@35 c:join(ECANCELLED)@35 m:got(0,0)@35");
    ck_assert(fl_task_finished(&c.task));
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_uint_eq(fp.now, 35);
}
END_TEST

START_TEST(cancel_during_finally_replaces_the_pending_value)
{
    job m, w;
    fl_value v = -1;
    job_init(&w, returns_then_waits_in_finally, 0);
    job_init(&m, spawn_sleep_cancel, CANCEL_RC);
    m.other = &w;
    ck_assert_int_eq(run_root(&m, &v), 0);
    ck_assert_int_eq(v, 0);
    /* It had returned 5 and was waiting in its finally: the cancel raised
     * there, and the task ends cancelled (as in Python). */
    ck_assert_str_eq(log_text(), "w:finally(0)@1 m:cancel@10 m:got(0,0)@10");
    ck_assert(fl_task_cancelled(&w.task));
    ck_assert_int_eq(fl_task_result(&w.task), 0);
    ck_assert_uint_eq(fp.now, 10);
}
END_TEST

/* ---- many sleepers ------------------------------------------------------ */

#define NSLEEPERS 12
#define NVICTIMS 4

/* Deadlines in spawn order, and the victims (due 190, 170, 150, 100): chosen
 * so that, in every cancel order, some removal leaves the heap's last entry
 * in a hole below a later parent, where it must move up, not down. */
static const int sleeper_ticks[NSLEEPERS] = {80, 20, 10, 170, 150, 50, 60, 190, 100, 130, 30, 180};
static const int victim_index[NVICTIMS] = {7, 3, 4, 8};
static job sleepers[NSLEEPERS];
static int victim_order[NVICTIMS];

static fl_cmd sleep_and_log(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, (fl_time)j->mode);
    log_add("s%d@%u", j->mode, now());
    FL_END(self);
}

/* At 25, after two sleepers woke, cancels the victims in victim_order and
 * one that has already ended. */
static fl_cmd cancel_some_sleepers(fl_task *self)
{
    int i, ok = 0;
    FL_BEGIN(self);
    FL_SLEEP(self, 25);
    for (i = 0; i < NVICTIMS; i++)
        ok += fl_cancel(&loop, &sleepers[victim_index[victim_order[i]]].task);
    log_add("cancel(%d,%d)@%u", ok, fl_cancel(&loop, &sleepers[2].task), now());
    FL_END(self);
}

START_TEST(cancelling_sleepers_in_any_order_leaves_the_rest_in_deadline_order)
{
    int perm, i;
    /* Every order of the four victims: 4! = 24 runs. */
    for (perm = 0; perm < 24; perm++) {
        job root;
        int used[NVICTIMS] = {0, 0, 0, 0}, code = perm;
        for (i = 0; i < NVICTIMS; i++) { /* decode `perm` in factorial base */
            int k, pick = code % (NVICTIMS - i), seen = -1;
            code /= NVICTIMS - i;
            for (k = 0; k < NVICTIMS; k++)
                if (!used[k] && ++seen == pick)
                    break;
            used[k] = 1;
            victim_order[i] = k;
        }
        setup();
        for (i = 0; i < NSLEEPERS; i++) {
            job_init(&sleepers[i], sleep_and_log, sleeper_ticks[i]);
            ck_assert_int_eq(fl_spawn(&loop, &sleepers[i].task, NULL), 0);
        }
        job_init(&root, cancel_some_sleepers, 0);
        ck_assert_int_eq(run_root(&root, NULL), 0);
        ck_assert_str_eq(log_text(), "s10@10 s20@20 cancel(4,0)@25 s30@30 s50@50 s60@60 "
                                     "s80@80 s130@130 s180@180");
        for (i = 0; i < NVICTIMS; i++)
            ck_assert(fl_task_cancelled(&sleepers[victim_index[i]].task));
        /* One idle wait per stop: 10 20 25 30 50 60 80 130 180.  None for
         * the victims' deadlines. */
        ck_assert_uint_eq(fp.waits, 9);
    }
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("cancel");
    TCase *py = tcase_create("flowno");
    TCase *edge = tcase_create("edge");
    TCase *c = tcase_create("c");

    tcase_add_checked_fixture(py, setup, NULL);
    tcase_add_test(py, cancel_returns_the_value_from_finally);
    tcase_add_test(py, cancel_returns_the_value_from_the_handler);
    tcase_add_test(py, handler_failure_reaches_the_canceller_rc);
    tcase_add_test(py, handler_failure_propagates_through_an_awaited_cancel);
    tcase_add_test(py, cancel_of_a_finished_task_gives_its_value);
    tcase_add_test(py, awaited_cancel_waits_until_the_cleanup_has_run);
    tcase_add_test(py, task_receives_ecancelled_at_the_point_where_it_waits);
    tcase_add_test(py, cancel_unwinds_a_helper_finally_before_the_callers);
    tcase_add_test(py, caller_catches_a_cancel_raised_inside_its_helper);
    tcase_add_test(py, helper_that_catches_the_cancel_lets_its_caller_go_on);
    tcase_add_test(py, finally_runs_on_cancel);
    suite_add_tcase(s, py);

    tcase_add_checked_fixture(edge, setup, NULL);
    tcase_add_test(edge, cancel_a_task_waiting_on_sleep);
    tcase_add_test(edge, cancelled_sleeper_timer_is_removed_so_the_loop_does_not_wait_for_it);
    tcase_add_test(edge, cancel_twice_returns_true_and_is_delivered_once);
    tcase_add_test(edge, cancel_after_the_cancel_was_caught_is_not_delivered_again);
    tcase_add_test(edge, second_awaited_cancel_gives_the_same_outcome);
    tcase_add_test(edge, join_after_cancel_gives_ecancelled);
    tcase_add_test(edge, cancel_without_waiting_still_cancels);
    tcase_add_test(edge, cancelling_a_parent_leaves_its_child_running);
    tcase_add_test(edge, parent_cancels_its_child_in_its_cleanup);
    tcase_add_test(edge, cancel_a_task_waiting_on_join_leaves_the_joined_task_running);
    tcase_add_test(edge, cancel_of_a_task_that_failed_gives_its_error);
    tcase_add_test(edge, canceller_gets_zero_when_the_task_swallows_or_propagates_the_cancel);
    tcase_add_test(edge, joiner_and_canceller_of_one_task_get_different_outcomes);
    tcase_add_test(edge, two_awaited_cancels_both_wait_for_the_cleanup);
    tcase_add_test(edge, cancelling_a_canceller_leaves_its_target_cleaning_up);
    tcase_add_test(edge, cancel_during_finally_replaces_the_pending_value);
    suite_add_tcase(s, edge);

    tcase_add_checked_fixture(c, setup, NULL);
    tcase_add_test(c, fl_cancel_from_plain_c_wakes_a_sleeper_between_runs);
    tcase_add_test(c, task_cancelled_before_it_ran_sees_the_error_at_its_first_suspension);
    tcase_add_test(c, task_cancelled_from_plain_c_before_the_run_ends_cancelled);
    tcase_add_test(c, task_cancelled_before_it_ran_that_never_suspends_finishes);
    tcase_add_test(c, task_woken_but_not_yet_run_completes_its_wait_then_sees_the_cancel);
    tcase_add_test(c, self_cancel_lands_at_the_next_suspension);
    tcase_add_test(c, self_cancelled_root_makes_the_run_return_ecancelled);
    tcase_add_test(c, awaited_cancel_of_itself_fails_with_edeadlk_and_does_not_cancel);
    tcase_add_test(c, cancel_rejects_null_unspawned_ended_and_foreign_tasks);
    tcase_add_test(c, cancelling_sleepers_in_any_order_leaves_the_rest_in_deadline_order);
    suite_add_tcase(s, c);
    return s;
}
