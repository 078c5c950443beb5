/* SPDX-License-Identifier: MIT */
/*
 * check_loop.c - the scheduler and fl_run_until_complete: Flowno's
 * test_event_loop and test_event_loop_exit scenarios, the run options, and
 * what a careful C user tries: bad arguments, a full table, many tasks.
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

/* A task with a name, a number to play with, and children. */
typedef struct job {
    fl_task task;
    const char *name;
    int n, i, rc;
    fl_value got;
    struct job *other;
    struct job *kids;
    int nkids;
} job;

static void job_init(job *j, const char *name, fl_task_fn fn)
{
    memset(j, 0, sizeof *j);
    j->name = name;
    fl_task_init(&j->task, fn);
}

/* ---- sleep, spawn, fail (Flowno's test_sleep, test_spawn, test_should_fail) */

static fl_cmd sleep_n(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, (fl_time)j->n);
    log_add("%s@%u", j->name, (unsigned)fp.now);
    FL_RETURN(self, j->n);
    FL_END(self);
}

START_TEST(sleep_suspends_for_its_duration)
{
    job root;
    fl_value v = 0;
    job_init(&root, "root", sleep_n);
    root.n = 100;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 100);
    ck_assert_uint_eq(fp.now, 100);
    ck_assert_str_eq(log_text(), "root@100");
    ck_assert(fl_task_finished(&root.task));
}
END_TEST

static fl_cmd return_n(fl_task *self)
{
    FL_BEGIN(self);
    FL_RETURN(self, ((job *)self)->n);
    FL_END(self);
}

static fl_cmd spawn_and_join(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_JOIN(self, &j->other->task);
    FL_RETURN(self, fl_task_result(&j->other->task) * 2);
    FL_END(self);
}

START_TEST(spawned_child_result_reaches_joiner)
{
    job root, child;
    fl_value v = 0;
    job_init(&root, "root", spawn_and_join);
    job_init(&child, "child", return_n);
    child.n = 21;
    root.other = &child;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert(fl_task_finished(&child.task));
    ck_assert_int_eq(fl_task_result(&child.task), 21);
}
END_TEST

#define USER_ERR (-1000)

static fl_cmd fail_user(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 5);
    FL_FAIL(self, USER_ERR);
    FL_END(self);
}

START_TEST(failed_child_error_propagates_through_join)
{
    job root, child;
    job_init(&root, "root", spawn_and_join);
    job_init(&child, "child", fail_user);
    root.other = &child;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), USER_ERR);
    ck_assert(fl_task_failed(&child.task));
    ck_assert_int_eq(fl_task_error(&child.task), USER_ERR);
    ck_assert(fl_task_failed(&root.task));
    ck_assert_int_eq(fl_task_error(&root.task), USER_ERR);
    ck_assert_int_eq(fl_task_result(&root.task), 0);
}
END_TEST

START_TEST(failed_root_without_join_returns_zero)
{
    job root;
    job_init(&root, "root", fail_user);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), 0);
    ck_assert(fl_task_failed(&root.task));
    ck_assert_int_eq(fl_task_error(&root.task), USER_ERR);
}
END_TEST

/* ---- fairness ------------------------------------------------------------ */

static fl_cmd yield_thrice(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < 3; j->i++) {
        log_add("%s%d", j->name, j->i);
        FL_YIELD(self);
    }
    FL_END(self);
}

static fl_cmd spawn_kids_then_return(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < j->nkids; j->i++)
        FL_SPAWN(self, &j->kids[j->i].task, NULL);
    log_add("spawned");
    FL_END(self);
}

/* The same with fl_spawn, which does not step aside: the kids are ready,
 * not yet run, when it returns. */
static fl_cmd spawn_kids_at_once_then_return(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < j->nkids; j->i++)
        ck_assert_int_eq(fl_spawn(&loop, &j->kids[j->i].task, NULL), 0);
    log_add("spawned");
    FL_END(self);
}

START_TEST(yielding_tasks_run_round_robin)
{
    job root, kids[3];
    job_init(&root, "root", spawn_kids_then_return);
    job_init(&kids[0], "a", yield_thrice);
    job_init(&kids[1], "b", yield_thrice);
    job_init(&kids[2], "c", yield_thrice);
    root.kids = kids;
    root.nkids = 3;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    /* Flowno's order: each child runs before its spawner goes on, and
     * each yield sends a task behind every other ready task.  Flowno's
     * own loop prints the same line for this program. */
    ck_assert_str_eq(log_text(), "a0 a1 b0 a2 b1 c0 spawned b2 c1 c2");
}
END_TEST

START_TEST(tasks_spawned_from_plain_c_run_with_the_root)
{
    job root, a, b;
    job_init(&root, "r", yield_thrice);
    job_init(&a, "a", yield_thrice);
    job_init(&b, "b", yield_thrice);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_task_state(&a.task), FL_TASK_READY);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "a0 b0 r0 a1 b1 r1 a2 b2 r2");
    ck_assert(fl_task_finished(&a.task) && fl_task_finished(&b.task));
}
END_TEST

/* A task that yields until told to stop; a sleeper tells it.  The clock
 * moves on every read, as on a busy CPU: the sleeper must still get its turn
 * although a task is always ready. */
static int stop_spinning;
static unsigned spins;

static fl_cmd spin(fl_task *self)
{
    FL_BEGIN(self);
    while (!stop_spinning) {
        spins++;
        FL_YIELD(self);
    }
    FL_END(self);
}

static fl_cmd stop_spin_later(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 3);
    stop_spinning = 1;
    log_add("stopped");
    FL_END(self);
}

START_TEST(busy_task_does_not_starve_a_sleeper)
{
    job spinner, sleeper;
    fp.step_per_read = 1;
    stop_spinning = 0;
    spins = 0;
    job_init(&spinner, "spin", spin);
    job_init(&sleeper, "sleep", stop_spin_later);
    ck_assert_int_eq(fl_spawn(&loop, &sleeper.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &spinner.task, 0, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "stopped");
    /* The loop reads its clock every FL_POLL_INTERVAL steps. */
    ck_assert_uint_le(spins, 8 * FL_POLL_INTERVAL);
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

/* ---- exit (Flowno's test_event_loop_exit) -------------------------------- */

static fl_cmd exit_plain(fl_task *self)
{
    FL_BEGIN(self);
    log_add("before");
    FL_EXIT(self, 0);
    log_add("after");
    FL_END(self);
}

START_TEST(exit_stops_the_loop_at_once)
{
    job root;
    fl_value v = -1;
    job_init(&root, "root", exit_plain);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, &v), 0);
    ck_assert_str_eq(log_text(), "before");
    ck_assert_int_eq(v, 0);
}
END_TEST

static fl_cmd exit_value(fl_task *self)
{
    FL_BEGIN(self);
    FL_EXIT(self, 99);
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(exit_with_value_is_the_run_result)
{
    job root;
    fl_value v = 0;
    job_init(&root, "root", exit_value);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 99);
    ck_assert(fl_task_finished(&root.task));
    ck_assert_int_eq(fl_task_result(&root.task), 99);
}
END_TEST

static fl_cmd exit_error(fl_task *self)
{
    FL_BEGIN(self);
    FL_EXIT_ERROR(self, USER_ERR);
    FL_END(self);
}

START_TEST(exit_with_error_is_returned_even_without_join)
{
    job root;
    job_init(&root, "root", exit_error);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), USER_ERR);
    ck_assert(fl_task_failed(&root.task));
}
END_TEST

static fl_cmd exit_after_sleep(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 10);
    FL_EXIT(self, 7);
    FL_END(self);
}

/* Spawns kids[0..n) then joins them all in order. */
static fl_cmd spawn_then_join_all(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < j->nkids; j->i++)
        FL_SPAWN(self, &j->kids[j->i].task, NULL);
    for (j->i = 0; j->i < j->nkids; j->i++)
        FL_JOIN(self, &j->kids[j->i].task);
    log_add("joined");
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(exit_leaves_other_tasks_as_they_are)
{
    job root, kids[2];
    fl_value v = 0;
    job_init(&root, "root", spawn_then_join_all);
    job_init(&kids[0], "exit", exit_after_sleep);
    job_init(&kids[1], "slow", sleep_n);
    kids[1].n = 1000;
    root.kids = kids;
    root.nkids = 2;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_uint_eq(fp.now, 10);
    ck_assert_int_eq(fl_task_state(&kids[1].task), FL_TASK_SLEEPING);
    ck_assert(!fl_task_done(&root.task));
    ck_assert_str_eq(log_text(), "");
}
END_TEST

/* ---- run_until_complete's options ---------------------------------------- */

START_TEST(run_waits_for_spawned_tasks_by_default)
{
    job root, kids[1];
    job_init(&root, "root", spawn_kids_then_return);
    job_init(&kids[0], "kid", sleep_n);
    kids[0].n = 50;
    root.kids = kids;
    root.nkids = 1;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), 0);
    ck_assert(fl_task_finished(&kids[0].task));
    ck_assert_uint_eq(fp.now, 50);
}
END_TEST

START_TEST(no_wait_returns_when_root_ends_and_a_later_run_resumes)
{
    job root, kids[1];
    job_init(&root, "root", spawn_kids_then_return);
    job_init(&kids[0], "kid", sleep_n);
    kids[0].n = 50;
    root.kids = kids;
    root.nkids = 1;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_NO_WAIT, 0, NULL), 0);
    ck_assert(fl_task_finished(&root.task));
    /* Stopped right when the root ended: the child, which ran first, has
     * only begun its sleep. */
    ck_assert_int_eq(fl_task_state(&kids[0].task), FL_TASK_SLEEPING);
    ck_assert_uint_eq(fp.now, 0);
    /* The child is still in the loop: running it as a root finishes it. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &kids[0].task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_finished(&kids[0].task));
    ck_assert_uint_eq(fp.now, 50);
}
END_TEST

static fl_cmd join_other(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    if (j->nkids > 0)
        FL_SPAWN(self, &j->other->task, NULL);
    FL_JOIN(self, &j->other->task);
    FL_END(self);
}

START_TEST(deadlock_returns_incomplete_instead_of_hanging)
{
    job a, b;
    job_init(&a, "a", join_other);
    job_init(&b, "b", join_other);
    a.other = &b;
    a.nkids = 1; /* a spawns b; then each joins the other */
    b.other = &a;
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, NULL), FL_EINCOMPLETE);
    ck_assert_int_eq(fl_task_state(&a.task), FL_TASK_JOINING);
    ck_assert_int_eq(fl_task_state(&b.task), FL_TASK_JOINING);
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

START_TEST(incomplete_is_returned_without_join_too)
{
    job a, b;
    job_init(&a, "a", join_other);
    job_init(&b, "b", join_other);
    a.other = &b;
    a.nkids = 1;
    b.other = &a;
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, 0, 0, NULL), FL_EINCOMPLETE);
}
END_TEST

START_TEST(stuck_tasks_after_the_root_ended_do_not_hang_the_run)
{
    job root, kids[2];
    job_init(&root, "root", spawn_kids_at_once_then_return);
    job_init(&kids[0], "x", join_other);
    job_init(&kids[1], "y", join_other);
    kids[0].other = &kids[1];
    kids[1].other = &kids[0];
    root.kids = kids;
    root.nkids = 2;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_finished(&root.task));
    ck_assert_int_eq(fl_task_state(&kids[0].task), FL_TASK_JOINING);
}
END_TEST

START_TEST(max_wait_bounds_each_idle_wait)
{
    job root;
    job_init(&root, "root", sleep_n);
    root.n = 1000;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 100, NULL), 0);
    ck_assert_uint_eq(fp.longest_wait, 100);
    ck_assert_uint_eq(fp.waits, 10);
    ck_assert_uint_eq(fp.now, 1000);
}
END_TEST

START_TEST(idle_wait_lasts_until_the_next_deadline)
{
    job root;
    job_init(&root, "root", sleep_n);
    root.n = 1000;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), 0);
    ck_assert_uint_eq(fp.waits, 1);
    ck_assert_uint_eq(fp.longest_wait, 1000);
}
END_TEST

START_TEST(run_of_an_ended_root_returns_its_outcome)
{
    job root;
    fl_value v = 0;
    job_init(&root, "root", return_n);
    root.n = 5;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    v = 0;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, 5);
    job_init(&root, "root", fail_user);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), USER_ERR);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), USER_ERR);
}
END_TEST

static int nested_run_rc;

static fl_cmd run_inside_a_task(fl_task *self)
{
    FL_BEGIN(self);
    nested_run_rc = fl_run_until_complete(&loop, self, 0, 0, NULL);
    FL_END(self);
}

START_TEST(run_from_inside_a_task_is_refused)
{
    job root;
    nested_run_rc = 0;
    job_init(&root, "root", run_inside_a_task);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(nested_run_rc, FL_EBUSY);
}
END_TEST

/* ---- the configuration check ---------------------------------------------- */

/* The hash of a configuration, as FL_CONFIG_HASH_ mixes it. */
static uint32_t config_hash(const fl_config_ *c)
{
    static const uint32_t k[] = {0x9E3779B1u, 0x85EBCA77u, 0xC2B2AE3Du, 0x27D4EB2Fu,
                                 0x165667B1u, 0xD3A2646Du, 0xFD7046C5u, 0xB55A4F09u,
                                 0x61C88647u};
    uint32_t h = 0;
    unsigned i;
    for (i = 0; i < FL_CONFIG_WORDS_; i++)
        h ^= c->word[i] * k[i];
    return h;
}

/* An application built with other settings than the library: each kind of
 * difference is refused before the loop is touched, and named. */
START_TEST(a_configuration_that_differs_is_refused_and_named)
{
    static const struct {
        int word;
        uint32_t change; /* xor */
        const char *name;
    } cases[] = {
        {1, 900u, "FL_TICK_HZ"},
        {2, 1u, "FL_MAX_TASKS"},
        {3, 1u, "FL_MAX_TIMERS"},
        {4, 3u, "FL_POLL_INTERVAL"},
        {6, 8u, "sizeof(fl_loop)"},
        {7, 4u, "sizeof(fl_task)"},
        /* a header of another version: its structs and command numbers
         * may differ even where their sizes do not */
        {8, 1u, "FL_VERSION_NUMBER (the header is another version's)"},
        {0, 1u << FL_CONFIG_BIT_FL_ENABLE_QUEUE, "FL_ENABLE_QUEUE"},
        {0, 1u << FL_CONFIG_BIT_FL_CONFIG_TIME64_, "FL_TIME_BITS"},
        {0, 1u << FL_CONFIG_BIT_FL_CONFIG_LABELS_, "GEN_USE_LABELS"},
        {0, 1u << FL_CONFIG_BIT_FL_DEBUG, "FL_DEBUG"},
        {0, 1u << FL_CONFIG_BIT_FL_ENABLE_SET_QUEUE, "FL_ENABLE_SET_QUEUE"},
        {0, 1u << FL_CONFIG_BIT_FL_ENABLE_MAP_QUEUE, "FL_ENABLE_MAP_QUEUE"},
    };
    const fl_config_ same = FL_CONFIG_OF_THIS_BUILD_;
    fl_loop other;
    unsigned i;
    ck_assert_ptr_null(fl_config_diff());
    ck_assert_ptr_null(fl_config_diff_(&same, FL_CONFIG_HASH_));
    ck_assert_uint_eq(config_hash(&same), FL_CONFIG_HASH_);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fl_config_ app = same;
        unsigned char before[sizeof other];
        app.word[cases[i].word] ^= cases[i].change;
        memset(&other, 0xAB, sizeof other);
        memcpy(before, &other, sizeof other);
        ck_assert_int_eq(fl_loop_init_(&other, &fp.port, config_hash(&app)), FL_ECONFIG);
        ck_assert(memcmp(before, &other, sizeof other) == 0); /* untouched */
        ck_assert_str_eq(fl_config_diff_(&app, FL_CONFIG_HASH_), cases[i].name);
    }
    ck_assert_str_eq(fl_config_diff_(NULL, FL_CONFIG_HASH_), "no configuration");
}
END_TEST

/* ---- bad arguments -------------------------------------------------------- */

START_TEST(bad_arguments_get_einval)
{
    fl_port no_clock;
    fl_loop other;
    job t;
    memset(&no_clock, 0, sizeof no_clock);
    job_init(&t, "t", return_n);

    ck_assert_int_eq(fl_loop_init(NULL, &fp.port), FL_EINVAL);
    ck_assert_int_eq(fl_loop_init(&other, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_loop_init(&other, &no_clock), FL_EINVAL);
    ck_assert_int_eq(fl_loop_init_(&other, &fp.port, FL_CONFIG_HASH_ + 1u), FL_ECONFIG);

    ck_assert_int_eq(fl_run_until_complete(NULL, &t.task, 0, 0, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_run_until_complete(&loop, NULL, 0, 0, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, 0x80, 0, NULL), FL_EINVAL);

    ck_assert_int_eq(fl_spawn(NULL, &t.task, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_spawn(&loop, NULL, return_n), FL_EINVAL);
    fl_task_init(&t.task, NULL);
    ck_assert_int_eq(fl_spawn(&loop, &t.task, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, 0, 0, NULL), FL_EINVAL);

    ck_assert(!fl_cancel(NULL, &t.task));
    ck_assert(!fl_cancel(&loop, NULL));
    ck_assert_int_eq(fl_task_state(NULL), FL_TASK_NEW);
    ck_assert(!fl_task_done(NULL));
    ck_assert_int_eq(fl_task_result(NULL), 0);
    ck_assert_int_eq(fl_task_error(NULL), 0);
    ck_assert_uint_eq(fl_now(NULL), 0);
}
END_TEST

START_TEST(spawning_a_live_task_is_busy)
{
    job t;
    job_init(&t, "t", sleep_n);
    t.n = 10;
    ck_assert_int_eq(fl_spawn(&loop, &t.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &t.task, NULL), FL_EBUSY);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, NULL), 0);
    /* Once it has ended it may be spawned again. */
    ck_assert_int_eq(fl_spawn(&loop, &t.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_uint_eq(fp.now, 20);
}
END_TEST

/* Records the outcomes of bad requests made from inside a task. */
static fl_cmd misuse(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN_RC(self, j->rc, self, NULL);
    log_add("spawn-self=%d", j->rc);
    FL_SPAWN_RC(self, j->rc, NULL, return_n);
    log_add("spawn-null=%d", j->rc);
    FL_JOIN_RC(self, j->rc, self);
    log_add("join-self=%d", j->rc);
    FL_JOIN_RC(self, j->rc, NULL);
    log_add("join-null=%d", j->rc);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("join-new=%d", j->rc);
    FL_AWAIT_RC(self, j->rc, fl_cmd_(FL_OP_COUNT_ + 5, NULL));
    log_add("bad-op=%d", j->rc);
    FL_END(self);
}

START_TEST(bad_requests_from_a_task_get_error_codes)
{
    job root, never;
    char expect[256];
    job_init(&root, "root", misuse);
    job_init(&never, "never", return_n);
    root.other = &never;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect,
             "spawn-self=%d spawn-null=%d join-self=%d join-null=%d join-new=%d bad-op=%d",
             FL_EBUSY, FL_EINVAL, FL_EDEADLK, FL_EINVAL, FL_ENOTSTARTED, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- capacity -------------------------------------------------------------- */

static job crowd[FL_MAX_TASKS + 1];

/* Spawns sleepers until the table is full, notes the error, joins them. */
static fl_cmd fill_table(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < FL_MAX_TASKS; j->i++) {
        FL_SPAWN_RC(self, j->rc, &crowd[j->i].task, NULL);
        if (j->rc < 0)
            break;
    }
    j->n = j->i; /* how many fitted */
    j->got = j->rc;
    for (j->i = 0; j->i < j->n; j->i++)
        FL_JOIN(self, &crowd[j->i].task);
    FL_END(self);
}

START_TEST(full_table_refuses_spawn_and_disturbs_no_one)
{
    job root;
    int i;
    job_init(&root, "root", fill_table);
    for (i = 0; i < FL_MAX_TASKS; i++) {
        job_init(&crowd[i], "c", sleep_n);
        crowd[i].n = 10 + i;
    }
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(root.n, FL_MAX_TASKS - 1); /* the root holds one slot */
    ck_assert_int_eq(root.got, FL_ENOSPC);
    for (i = 0; i < FL_MAX_TASKS - 1; i++)
        ck_assert(fl_task_finished(&crowd[i].task));
    ck_assert_int_eq(fl_task_state(&crowd[FL_MAX_TASKS - 1].task), FL_TASK_NEW);
}
END_TEST

START_TEST(spawn_from_plain_c_into_a_full_table_fails)
{
    int i;
    for (i = 0; i < FL_MAX_TASKS; i++) {
        job_init(&crowd[i], "c", return_n);
        ck_assert_int_eq(fl_spawn(&loop, &crowd[i].task, NULL), 0);
    }
    job_init(&crowd[FL_MAX_TASKS], "extra", return_n);
    ck_assert_int_eq(fl_spawn(&loop, &crowd[FL_MAX_TASKS].task, NULL), FL_ENOSPC);
    ck_assert_int_eq(fl_run_until_complete(&loop, &crowd[0].task, 0, 0, NULL), 0);
    for (i = 0; i < FL_MAX_TASKS; i++)
        ck_assert(fl_task_finished(&crowd[i].task));
}
END_TEST

/* Spawn and join one child again and again: slots are reused. */
static fl_cmd spawn_join_many(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->i = 0; j->i < j->n; j->i++) {
        j->other->n = j->i;
        FL_SPAWN(self, &j->other->task, return_n);
        FL_JOIN(self, &j->other->task);
        j->got += fl_task_result(&j->other->task);
    }
    FL_RETURN(self, j->got);
    FL_END(self);
}

START_TEST(many_spawn_join_cycles_reuse_slots)
{
    job root, child;
    fl_value v = 0;
    job_init(&root, "root", spawn_join_many);
    job_init(&child, "child", return_n);
    root.other = &child;
    root.n = 10000;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq(v, (fl_value)10000 * 9999 / 2);
}
END_TEST

START_TEST(full_table_of_sleepers_all_wake)
{
    int i;
    for (i = 0; i < FL_MAX_TASKS; i++) {
        job_init(&crowd[i], "c", sleep_n);
        crowd[i].n = (FL_MAX_TASKS - i) * 3;
        ck_assert_int_eq(fl_spawn(&loop, &crowd[i].task, NULL), 0);
    }
    ck_assert_int_eq(fl_run_until_complete(&loop, &crowd[0].task, 0, 0, NULL), 0);
    for (i = 0; i < FL_MAX_TASKS; i++)
        ck_assert(fl_task_finished(&crowd[i].task));
    ck_assert_uint_eq(fp.now, FL_MAX_TASKS * 3);
}
END_TEST

/* ---- states ----------------------------------------------------------------- */

START_TEST(task_moves_through_its_states)
{
    job t;
    job_init(&t, "t", sleep_n);
    t.n = 10;
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_NEW);
    ck_assert_int_eq(fl_spawn(&loop, &t.task, NULL), 0);
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_READY);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_FINISHED);
    ck_assert(fl_task_done(&t.task));
    ck_assert(!fl_task_failed(&t.task) && !fl_task_cancelled(&t.task));
    ck_assert_int_eq(fl_task_result(&t.task), 10);
    ck_assert_int_eq(fl_task_error(&t.task), 0);
}
END_TEST

START_TEST(now_reads_the_port_clock)
{
    fp.now = 1234;
    ck_assert_uint_eq(fl_now(&loop), 1234);
}
END_TEST

/* ---- what the other tests leave out ---------------------------------------- */

START_TEST(init_refuses_a_port_without_a_wait)
{
    fl_port no_wait = fp.port;
    fl_loop other;
    no_wait.wait = NULL;
    ck_assert_int_eq(fl_loop_init(&other, &no_wait), FL_EINVAL);
}
END_TEST

/* A static loop nobody initialised (all zero, no port) is refused, not
 * followed. */
static fl_loop zero_loop;

START_TEST(a_loop_never_initialised_is_refused)
{
    job t;
    fl_time next = 7;
    fl_hooks h;
    memset(&zero_loop, 0, sizeof zero_loop);
    memset(&h, 0, sizeof h);
    job_init(&t, "t", return_n);
    ck_assert_uint_eq(fl_now(&zero_loop), 0);
    ck_assert_int_eq(fl_loop_poll(&zero_loop, &next), FL_EINVAL);
    ck_assert_uint_eq(next, 7);
    ck_assert_int_eq(fl_run_until_complete(&zero_loop, &t.task, 0, 0, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_task_state(&t.task), FL_TASK_NEW);
    fl_loop_set_hooks(NULL, &h); /* nothing to attach to: nothing happens */
}
END_TEST

START_TEST(a_root_alive_in_another_loop_is_refused)
{
    fl_loop other;
    job t;
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    job_init(&t, "t", sleep_n);
    t.n = 10;
    ck_assert_int_eq(fl_spawn(&other, &t.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, 0, 0, NULL), FL_EINVAL);
    /* Its own loop still runs it. */
    ck_assert_int_eq(fl_run_until_complete(&other, &t.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(fl_task_result(&t.task), 10);
}
END_TEST

/* FL_RUN_NO_WAIT with a root that has ended already: the run returns its
 * outcome at once and leaves the others where they are. */
START_TEST(no_wait_run_of_an_ended_root_returns_at_once)
{
    job root, sleeper;
    fl_value v = 0;
    job_init(&root, "root", return_n);
    root.n = 4;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    job_init(&sleeper, "sleeper", sleep_n);
    sleeper.n = 50;
    ck_assert_int_eq(fl_spawn(&loop, &sleeper.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0, &v),
                     0);
    ck_assert_int_eq(v, 4);
    ck_assert_uint_eq(fp.waits, 0);
    ck_assert_int_eq(fl_task_state(&sleeper.task), FL_TASK_READY); /* never run */
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, 0, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "sleeper@50");
}
END_TEST

/* A command the loop does not know (a task returning a record of its own
 * making) is answered FL_EINVAL, with hooks attached or not. */
static fl_cmd unknown_command(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_AWAIT_RC(self, j->rc, fl_cmd_(FL_OP_COUNT_ + 7, NULL));
    FL_RETURN(self, j->rc);
    FL_END(self);
}

START_TEST(a_command_the_loop_does_not_know_is_refused)
{
    static fl_hooks none;
    job t;
    fl_value v = 0;
    job_init(&t, "t", unknown_command);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq((int)v, FL_EINVAL);
    fl_loop_set_hooks(&loop, &none);
    job_init(&t, "t", unknown_command);
    ck_assert_int_eq(fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, &v), 0);
    ck_assert_int_eq((int)v, FL_EINVAL);
    ck_assert_ptr_null(fl_loop_current(NULL));
    ck_assert_ptr_null(fl_loop_current(&loop)); /* between runs */
}
END_TEST

/* An application built with a newer flowno.h may set a switch bit this
 * library has no name for: fl_config_diff still answers (with a name it
 * has), it does not read past its list of names. */
START_TEST(config_diff_of_a_switch_the_library_does_not_know)
{
    fl_config_ app = FL_CONFIG_OF_THIS_BUILD_;
    const char *name;
    app.word[0] ^= 1u << FL_CONFIG_BITS_; /* the next bit, unknown here */
    name = fl_config_diff_(&app, FL_CONFIG_HASH_);
    ck_assert_ptr_nonnull(name);
    ck_assert_str_eq(name, "a setting of another flowno version");
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("loop");
    TCase *tc = tcase_create("loop");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, sleep_suspends_for_its_duration);
    tcase_add_test(tc, spawned_child_result_reaches_joiner);
    tcase_add_test(tc, failed_child_error_propagates_through_join);
    tcase_add_test(tc, failed_root_without_join_returns_zero);
    tcase_add_test(tc, yielding_tasks_run_round_robin);
    tcase_add_test(tc, tasks_spawned_from_plain_c_run_with_the_root);
    tcase_add_test(tc, busy_task_does_not_starve_a_sleeper);
    tcase_add_test(tc, exit_stops_the_loop_at_once);
    tcase_add_test(tc, exit_with_value_is_the_run_result);
    tcase_add_test(tc, exit_with_error_is_returned_even_without_join);
    tcase_add_test(tc, exit_leaves_other_tasks_as_they_are);
    tcase_add_test(tc, run_waits_for_spawned_tasks_by_default);
    tcase_add_test(tc, no_wait_returns_when_root_ends_and_a_later_run_resumes);
    tcase_add_test(tc, deadlock_returns_incomplete_instead_of_hanging);
    tcase_add_test(tc, incomplete_is_returned_without_join_too);
    tcase_add_test(tc, stuck_tasks_after_the_root_ended_do_not_hang_the_run);
    tcase_add_test(tc, max_wait_bounds_each_idle_wait);
    tcase_add_test(tc, idle_wait_lasts_until_the_next_deadline);
    tcase_add_test(tc, run_of_an_ended_root_returns_its_outcome);
    tcase_add_test(tc, run_from_inside_a_task_is_refused);
    tcase_add_test(tc, a_configuration_that_differs_is_refused_and_named);
    tcase_add_test(tc, bad_arguments_get_einval);
    tcase_add_test(tc, spawning_a_live_task_is_busy);
    tcase_add_test(tc, bad_requests_from_a_task_get_error_codes);
    tcase_add_test(tc, full_table_refuses_spawn_and_disturbs_no_one);
    tcase_add_test(tc, spawn_from_plain_c_into_a_full_table_fails);
    tcase_add_test(tc, many_spawn_join_cycles_reuse_slots);
    tcase_add_test(tc, full_table_of_sleepers_all_wake);
    tcase_add_test(tc, task_moves_through_its_states);
    tcase_add_test(tc, now_reads_the_port_clock);
    tcase_add_test(tc, init_refuses_a_port_without_a_wait);
    tcase_add_test(tc, a_loop_never_initialised_is_refused);
    tcase_add_test(tc, a_root_alive_in_another_loop_is_refused);
    tcase_add_test(tc, no_wait_run_of_an_ended_root_returns_at_once);
    tcase_add_test(tc, a_command_the_loop_does_not_know_is_refused);
    tcase_add_test(tc, config_diff_of_a_switch_the_library_does_not_know);
    suite_add_tcase(s, tc);
    return s;
}
