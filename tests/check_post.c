/* SPDX-License-Identifier: MIT */
/*
 * check_post.c - work from outside the loop: fl_post_spawn from plain C and
 * from another thread, fl_loop_hold keeping an idle loop waiting.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
}

typedef struct job {
    fl_task task;
    int id;
} job;

static fl_cmd say_id(fl_task *self)
{
    FL_BEGIN(self);
    log_add("j%d", ((job *)self)->id);
    FL_RETURN(self, ((job *)self)->id * 10);
    FL_END(self);
}

static fl_cmd idle_root(fl_task *self)
{
    FL_BEGIN(self);
    FL_YIELD(self);
    FL_END(self);
}

START_TEST(posted_tasks_run_in_the_order_they_were_posted)
{
    job j[3];
    fl_task root;
    int i;
    for (i = 0; i < 3; i++) {
        j[i].id = i;
        fl_task_init(&j[i].task, say_id);
        ck_assert_int_eq(fl_post_spawn(&loop, &j[i].task), 0);
    }
    fl_task_init(&root, idle_root);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "j0 j1 j2");
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(fl_task_result(&j[i].task), i * 10);
    ck_assert_uint_ge(fp.wakes, 3);
}
END_TEST

START_TEST(posting_twice_or_posting_a_live_task_is_refused)
{
    job a, b;
    a.id = 1;
    b.id = 2;
    fl_task_init(&a.task, say_id);
    fl_task_init(&b.task, say_id);
    ck_assert_int_eq(fl_post_spawn(&loop, &a.task), 0);
    ck_assert_int_eq(fl_post_spawn(&loop, &a.task), FL_EBUSY);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_post_spawn(&loop, &b.task), FL_EBUSY);
    ck_assert_int_eq(fl_post_spawn(NULL, &a.task), FL_EINVAL);
    ck_assert_int_eq(fl_post_spawn(&loop, NULL), FL_EINVAL);
    fl_task_init(&b.task, NULL);
    ck_assert_int_eq(fl_post_spawn(&loop, &b.task), FL_EINVAL);
}
END_TEST

/* A task handed to fl_post_spawn belongs to the loop's posted list until
 * the loop takes it in: spawning it as well would put it in two slots. */
START_TEST(spawning_a_posted_task_is_refused)
{
    job a;
    fl_task root;
    a.id = 1;
    fl_task_init(&a.task, say_id);
    ck_assert_int_eq(fl_post_spawn(&loop, &a.task), 0);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), FL_EBUSY);
    fl_task_init(&root, idle_root);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "j1");
    ck_assert_int_eq(fl_task_result(&a.task), 10);
    ck_assert_uint_eq(loop.live, 0);
}
END_TEST

static job crowd[FL_MAX_TASKS];

START_TEST(posted_task_that_finds_the_table_full_fails_with_enospc)
{
    job extra;
    fl_task root;
    int i;
    fl_task_init(&root, idle_root);
    ck_assert_int_eq(fl_spawn(&loop, &root, NULL), 0);
    for (i = 0; i < FL_MAX_TASKS - 1; i++) {
        crowd[i].id = i;
        fl_task_init(&crowd[i].task, say_id);
        ck_assert_int_eq(fl_spawn(&loop, &crowd[i].task, NULL), 0);
    }
    extra.id = 99;
    fl_task_init(&extra.task, say_id);
    ck_assert_int_eq(fl_post_spawn(&loop, &extra.task), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_failed(&extra.task));
    ck_assert_int_eq(fl_task_error(&extra.task), FL_ENOSPC);
}
END_TEST

/* ---- from another thread, with the POSIX port ---------------------------- */

static fl_loop ploop;
static fl_event done_ev;
static job posted[5];

static fl_cmd set_done_when_last(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    log_add("p%d", j->id);
    if (j->id == 4)
        fl_event_set(&done_ev);
    FL_RETURN(self, 100 + j->id);
    FL_END(self);
}

static void *poster(void *arg)
{
    struct timespec ts = {0, 10 * 1000000L};
    int i;
    (void)arg;
    for (i = 0; i < 5; i++) {
        nanosleep(&ts, NULL);
        posted[i].id = i;
        fl_task_init(&posted[i].task, set_done_when_last);
        ck_assert_int_eq(fl_post_spawn(&ploop, &posted[i].task), 0);
    }
    return NULL;
}

static fl_cmd wait_for_done(fl_task *self)
{
    FL_BEGIN(self);
    FL_EVENT_WAIT(self, &done_ev);
    log_add("done");
    FL_END(self);
}

START_TEST(thread_posts_tasks_into_a_held_idle_loop)
{
    pthread_t th;
    fl_task root;
    ck_assert_int_eq(fl_loop_init(&ploop, fl_port_posix()), 0);
    ck_assert_int_eq(fl_event_init(&done_ev, &ploop), 0);
    fl_task_init(&root, wait_for_done);
    /* Without the hold, a root waiting on an event nobody can set is
     * stuck: the run says so instead of hanging. */
    ck_assert_int_eq(fl_run_until_complete(&ploop, &root, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    fl_loop_hold(&ploop);
    ck_assert_int_eq(pthread_create(&th, NULL, poster, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&ploop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    fl_loop_release(&ploop);
    ck_assert_str_eq(log_text(), "p0 p1 p2 p3 p4 done");
    /* What the injected tasks computed is seen by the loop's thread. */
    ck_assert(fl_task_finished(&posted[0].task));
    ck_assert_int_eq((int)fl_task_result(&posted[0].task), 100);
    ck_assert_int_eq((int)fl_task_result(&posted[4].task), 104);
}
END_TEST

START_TEST(hold_and_release_are_counted)
{
    fl_task root;
    fl_event never;
    fl_event_init(&never, &loop);
    (void)never;
    fl_loop_hold(&loop);
    fl_loop_hold(&loop);
    fl_loop_release(&loop);
    ck_assert_uint_eq(loop.holds, 1);
    fl_loop_release(&loop);
    fl_loop_release(&loop); /* not below zero */
    ck_assert_uint_eq(loop.holds, 0);
    fl_loop_hold(NULL);
    fl_loop_release(NULL);
    fl_task_init(&root, idle_root);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
}
END_TEST

/* Threads keep a POSIX loop alive with hold/release while it runs: the
 * count they leave behind must be exact. */
enum { HOLDERS = 4, HOLDS_EACH = 50000 };

static void *hold_release_many(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < HOLDS_EACH; i++) {
        fl_loop_hold(&ploop);
        fl_loop_release(&ploop);
    }
    return NULL;
}

static void *hold_once(void *arg)
{
    (void)arg;
    fl_loop_hold(&ploop);
    return NULL;
}

START_TEST(hold_and_release_from_threads_keep_an_exact_count)
{
    pthread_t th[HOLDERS];
    fl_task root;
    int i;
    ck_assert_int_eq(fl_loop_init(&ploop, fl_port_posix()), 0);
    for (i = 0; i < HOLDERS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, i == 0 ? hold_once : hold_release_many,
                                        NULL), 0);
    for (i = 0; i < HOLDERS; i++)
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    ck_assert_uint_eq(ploop.holds, 1);
    fl_loop_release(&ploop);
    ck_assert_uint_eq(ploop.holds, 0);
    /* Nothing holds it now: a root that waits forever is reported. */
    ck_assert_int_eq(fl_event_init(&done_ev, &ploop), 0);
    fl_task_init(&root, wait_for_done);
    ck_assert_int_eq(fl_run_until_complete(&ploop, &root, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
}
END_TEST

/* ---- what the other tests leave out ---------------------------------------- */

/* A post can come while the loop reads its clock after the last task has
 * ended (another thread, an interrupt): the run takes it in and runs it
 * before it returns, as it waits for every task. */
static job *late;
static fl_task *late_root;

static fl_time clock_that_posts(fl_port *p)
{
    (void)p;
    if (late != NULL && fl_task_done(late_root)) {
        ck_assert_int_eq(fl_post_spawn(&loop, &late->task), 0);
        late = NULL;
    }
    return 0;
}

static void wait_never(fl_port *p, fl_loop *l, fl_time ticks, bool forever)
{
    (void)p;
    (void)l;
    (void)ticks;
    (void)forever;
    ck_abort_msg("the run idled");
}

START_TEST(a_task_posted_as_the_last_one_ends_still_runs)
{
    fl_port port = {.now = clock_that_posts, .wait = wait_never};
    fl_task root;
    job j;
    ck_assert_int_eq(fl_loop_init(&loop, &port), 0);
    j.id = 9;
    fl_task_init(&j.task, say_id);
    fl_task_init(&root, idle_root);
    late = &j;
    late_root = &root;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_ptr_null(late);
    ck_assert_str_eq(log_text(), "j9");
    ck_assert(fl_task_finished(&j.task));
}
END_TEST

/* A static loop nobody initialised (no port): refused, not followed. */
START_TEST(a_loop_never_initialised_refuses_posts_and_holds)
{
    static fl_loop zero;
    job j;
    memset(&zero, 0, sizeof zero);
    j.id = 1;
    fl_task_init(&j.task, say_id);
    ck_assert_int_eq(fl_post_spawn(&zero, &j.task), FL_EINVAL);
    ck_assert_int_eq(fl_task_state(&j.task), FL_TASK_NEW);
    fl_loop_hold(&zero);
    ck_assert_uint_eq(zero.holds, 0);
    fl_loop_release(&zero);
    ck_assert_uint_eq(zero.holds, 0);
}
END_TEST

/* The manual port has no wake hook: a release only flags the loop. */
static fl_time clock_at_zero(void *ctx)
{
    (void)ctx;
    return 0;
}

START_TEST(hold_and_release_on_a_port_without_wake)
{
    fl_manual_port mp;
    fl_loop l;
    fl_time next = 0;
    ck_assert_ptr_nonnull(fl_manual_port_init(&mp, clock_at_zero, NULL));
    ck_assert_int_eq(fl_loop_init(&l, &mp.port), 0);
    fl_loop_hold(&l);
    ck_assert_uint_eq(l.holds, 1);
    fl_loop_release(&l);
    ck_assert_uint_eq(l.holds, 0);
    ck_assert(fl_loop_signal_pending(&l)); /* an idle loop looks again */
    ck_assert_int_eq(fl_loop_poll(&l, &next), 0);
    ck_assert(!fl_loop_signal_pending(&l));
    ck_assert(next == FL_TIME_FOREVER);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("post");
    TCase *tc = tcase_create("post");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, posted_tasks_run_in_the_order_they_were_posted);
    tcase_add_test(tc, posting_twice_or_posting_a_live_task_is_refused);
    tcase_add_test(tc, posted_task_that_finds_the_table_full_fails_with_enospc);
    tcase_add_test(tc, thread_posts_tasks_into_a_held_idle_loop);
    tcase_add_test(tc, hold_and_release_are_counted);
    tcase_add_test(tc, spawning_a_posted_task_is_refused);
    tcase_add_test(tc, hold_and_release_from_threads_keep_an_exact_count);
    tcase_add_test(tc, a_task_posted_as_the_last_one_ends_still_runs);
    tcase_add_test(tc, a_loop_never_initialised_refuses_posts_and_holds);
    tcase_add_test(tc, hold_and_release_on_a_port_without_wake);
    suite_add_tcase(s, tc);
    return s;
}
