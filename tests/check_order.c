/* SPDX-License-Identifier: MIT */
/*
 * check_order.c - Flowno's order: scenarios from Flowno's own tests and
 * docstrings, each asserting the exact order of events that Flowno's loop
 * produces for the same program (the expected lines were printed by
 * Flowno's Python loop).  A command that makes tasks ready puts them ahead
 * of the task that issued it: the child of FL_SPAWN runs first, and the
 * tasks woken by FL_EVENT_SET, FL_LOCK_RELEASE, FL_COND_NOTIFY and
 * FL_LATCH_COUNT_DOWN run before the task goes on.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_event ev;
static fl_lock lock;
static fl_cond cond;
static fl_latch latch;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
    ck_assert_int_eq(fl_lock_init(&lock, &loop), 0);
    ck_assert_int_eq(fl_cond_init(&cond, &lock), 0);
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 2), 0);
}

static const char *const names[] = {"m", "w1", "w2", "w3", "s", "b"};
#define NAME(a) (names[(a)->id])

/* The main task of a scene spawns others[0..n-1] with FL_SPAWN, logs
 * "m:spawned", then joins them in order and logs "m:end". */
static fl_cmd spawn_all_then_join(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    log_add("m:spawned");
    for (a->i = 0; a->i < a->n; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    log_add("m:end");
    FL_END(self);
}

static void scene(fl_task_fn main_fn, actor *cast, int n)
{
    actor root;
    actor_init(&root, main_fn, 0, 0);
    root.others = cast;
    root.n = n;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
}

/* ---- event -------------------------------------------------------------- */

static fl_cmd event_waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    log_add("%s:wait", NAME(a));
    FL_EVENT_WAIT(self, &ev);
    log_add("%s:go", NAME(a));
    FL_END(self);
}

/* test_event_basic_set_wait: the waiter runs as soon as it is spawned, the
 * main task sets the event, and the waiter runs before main goes on. */
static fl_cmd set_after_spawning_a_waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    log_add("m:set");
    FL_EVENT_SET(self, &ev);
    log_add("m:after");
    FL_JOIN(self, &a->others[0].task);
    log_add("m:end");
    FL_END(self);
}

START_TEST(event_basic_set_wait)
{
    actor w;
    actor_init(&w, event_waiter, 1, 0);
    scene(set_after_spawning_a_waiter, &w, 1);
    /* Flowno's test expects ["waiting", "setting", "done"]. */
    ck_assert_str_eq(log_text(), "w1:wait m:set w1:go m:after m:end");
}
END_TEST

static fl_cmd event_setter(fl_task *self)
{
    FL_BEGIN(self);
    log_add("s:set");
    FL_EVENT_SET(self, &ev);
    log_add("s:after");
    FL_END(self);
}

/* Event's docstring: two waiters, then a setter; both waiters go before
 * the setter says it has set the event.  Flowno keeps an event's waiters
 * in a set, so its loop may wake the two in either order; flowno wakes
 * them in the order they came. */
START_TEST(event_docstring_waiters_go_before_the_setter)
{
    actor cast[3];
    actor_init(&cast[0], event_waiter, 1, 0);
    actor_init(&cast[1], event_waiter, 2, 0);
    actor_init(&cast[2], event_setter, 4, 0);
    scene(spawn_all_then_join, cast, 3);
    ck_assert_str_eq(log_text(), "w1:wait w2:wait s:set m:spawned w1:go w2:go s:after m:end");
}
END_TEST

static fl_cmd bystander(fl_task *self)
{
    FL_BEGIN(self);
    log_add("b:1");
    FL_YIELD(self);
    log_add("b:2");
    FL_END(self);
}

/* A task already ready runs before the woken waiter, which runs before the
 * setter goes on: everyone in the order the ready list says. */
static fl_cmd set_with_a_bystander(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SPAWN(self, &a->others[1].task, NULL);
    log_add("m:set");
    FL_EVENT_SET(self, &ev);
    log_add("m:after");
    FL_JOIN(self, &a->others[0].task);
    FL_JOIN(self, &a->others[1].task);
    FL_END(self);
}

START_TEST(event_set_runs_the_ready_then_the_woken_then_the_setter)
{
    actor cast[2];
    actor_init(&cast[0], event_waiter, 1, 0);
    actor_init(&cast[1], bystander, 5, 0);
    scene(set_with_a_bystander, cast, 2);
    ck_assert_str_eq(log_text(), "w1:wait b:1 m:set b:2 w1:go m:after");
}
END_TEST

/* Setting an event that is already set does nothing: no step aside. */
static fl_cmd set_twice(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not run */
    ck_assert_int_eq(fl_event_set(&ev), 0);
    FL_EVENT_SET(self, &ev);
    log_add("m:after");
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(setting_a_set_event_does_not_step_aside)
{
    actor b;
    actor_init(&b, bystander, 5, 0);
    scene(set_twice, &b, 1);
    ck_assert_str_eq(log_text(), "m:after b:1 b:2");
}
END_TEST

/* ---- lock ------------------------------------------------------------------ */

/* test_lock_fifo_ordering, with the releases logged: each release hands
 * the lock to the oldest waiter, which runs before the releaser goes on. */
static fl_cmd lock_waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    log_add("%s", NAME(a));
    FL_LOCK_RELEASE(self, &lock);
    log_add("%s:rel", NAME(a));
    FL_END(self);
}

static fl_cmd hold_then_release(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    log_add("m:release");
    FL_LOCK_RELEASE(self, &lock);
    log_add("m:released");
    for (a->i = 0; a->i < a->n; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    FL_END(self);
}

START_TEST(lock_fifo_ordering)
{
    actor cast[3];
    actor_init(&cast[0], lock_waiter, 1, 0);
    actor_init(&cast[1], lock_waiter, 2, 0);
    actor_init(&cast[2], lock_waiter, 3, 0);
    scene(hold_then_release, cast, 3);
    /* Flowno's test expects w1, w2, w3; its loop prints this whole line. */
    ck_assert_str_eq(log_text(), "m:release w1 m:released w2 w1:rel w3 w2:rel w3:rel");
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

/* Releasing a lock nobody waits for still steps aside, as in Flowno. */
static fl_cmd release_alone(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not run */
    FL_LOCK(self, &lock);
    log_add("m:locked");
    FL_LOCK_RELEASE(self, &lock);
    log_add("m:released");
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(release_steps_aside_even_with_no_waiter)
{
    actor b;
    actor_init(&b, bystander, 5, 0);
    scene(release_alone, &b, 1);
    /* The lock taken at once lets b run first, then each step aside
     * alternates the two. */
    ck_assert_str_eq(log_text(), "b:1 m:locked b:2 m:released");
}
END_TEST

/* ---- condition -------------------------------------------------------------- */

static fl_cmd cond_waiter(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    log_add("w:waiting");
    FL_COND_WAIT(self, &cond);
    log_add("w:notified");
    FL_LOCK_RELEASE(self, &lock);
    log_add("w:released");
    FL_END(self);
}

static fl_cmd cond_notifier(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    log_add("n:notifying");
    FL_COND_NOTIFY(self, &cond, 1);
    log_add("n:notified");
    FL_LOCK_RELEASE(self, &lock);
    log_add("n:released");
    FL_END(self);
}

/* test_condition_basic_wait_notify and test_condition_wait_releases_lock:
 * a lock taken at once lets the ready tasks run first (main logs
 * "spawned" before the notifier goes on), and the notified waiter needs
 * the lock, so it runs once the notifier has released it, and before the
 * notifier goes on. */
START_TEST(condition_wait_notify)
{
    actor cast[2];
    actor_init(&cast[0], cond_waiter, 1, 0);
    actor_init(&cast[1], cond_notifier, 2, 0);
    scene(spawn_all_then_join, cast, 2);
    ck_assert_str_eq(log_text(), "w:waiting m:spawned n:notifying n:notified w:notified "
                                 "n:released w:released m:end");
}
END_TEST

/* ---- latch ---------------------------------------------------------------- */

static fl_cmd count_down_after_a_sleep(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 100);
    log_add("task1:count_down");
    FL_LATCH_COUNT_DOWN(self, &latch, false);
    FL_END(self);
}

static fl_cmd count_down_at_once(fl_task *self)
{
    FL_BEGIN(self);
    log_add("task2:count_down");
    FL_LATCH_COUNT_DOWN(self, &latch, false);
    FL_END(self);
}

static fl_cmd wait_for_the_latch(fl_task *self)
{
    FL_BEGIN(self);
    log_add("task3:wait_start");
    FL_LATCH_WAIT(self, &latch);
    log_add("task3:wait_done");
    FL_END(self);
}

/* test_countdown_latch_spawn: the exact list Flowno's test expects. */
START_TEST(countdown_latch_spawn)
{
    actor cast[3];
    actor_init(&cast[0], count_down_after_a_sleep, 1, 0);
    actor_init(&cast[1], count_down_at_once, 2, 0);
    actor_init(&cast[2], wait_for_the_latch, 3, 0);
    scene(spawn_all_then_join, cast, 3);
    ck_assert_str_eq(log_text(), "task2:count_down task3:wait_start m:spawned "
                                 "task1:count_down task3:wait_done m:end");
}
END_TEST

static fl_cmd latch_consumer(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    log_add("%s:wait", NAME(a));
    FL_LATCH_WAIT(self, &latch);
    log_add("%s:go", NAME(a));
    FL_END(self);
}

static fl_cmd latch_producer(fl_task *self)
{
    FL_BEGIN(self);
    log_add("s:prep");
    FL_LATCH_COUNT_DOWN(self, &latch, false);
    FL_LATCH_COUNT_DOWN(self, &latch, false);
    log_add("s:done");
    FL_END(self);
}

/* CountdownLatch's docstring: both consumers go before the producer says
 * it has notified them (in the order they came; see the event's). */
START_TEST(countdown_latch_docstring)
{
    actor cast[3];
    actor_init(&cast[0], latch_consumer, 1, 0);
    actor_init(&cast[1], latch_consumer, 2, 0);
    actor_init(&cast[2], latch_producer, 4, 0);
    scene(spawn_all_then_join, cast, 3);
    ck_assert_str_eq(log_text(), "w1:wait w2:wait s:prep m:spawned w1:go w2:go s:done m:end");
}
END_TEST

/* ---- spawn, join, cancel ----------------------------------------------------- */

static fl_cmd sleep_then_hello(fl_task *self)
{
    FL_BEGIN(self);
    log_add("Sleeping");
    FL_SLEEP(self, 50);
    log_add("DoneSleeping");
    FL_RETURN(self, 7);
    FL_END(self);
}

static fl_cmd spawn_then_join(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    log_add("Spawning");
    FL_SPAWN(self, &a->others[0].task, NULL);
    log_add("DoneSpawning");
    FL_JOIN(self, &a->others[0].task);
    log_add("Joined:%d", (int)fl_task_result(&a->others[0].task));
    FL_END(self);
}

/* test_spawn, with its prints. */
START_TEST(spawn_runs_the_child_first)
{
    actor child;
    actor_init(&child, sleep_then_hello, 1, 0);
    scene(spawn_then_join, &child, 1);
    ck_assert_str_eq(log_text(), "Spawning Sleeping DoneSpawning DoneSleeping Joined:7");
}
END_TEST

static fl_cmd sleeps_long_with_finally(fl_task *self)
{
    FL_BEGIN(self);
    log_add("w:sleep");
    FL_SLEEP(self, 10000);
    FL_FINALLY(self);
    log_add("w:finally");
    FL_END(self);
}

static fl_cmd yields_once(fl_task *self)
{
    FL_BEGIN(self);
    log_add("o:run");
    FL_YIELD(self);
    log_add("o:again");
    FL_END(self);
}

static fl_cmd cancel_after_a_while(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SPAWN(self, &a->others[1].task, NULL);
    FL_SLEEP(self, 10);
    log_add("m:cancel");
    FL_CANCEL(self, &a->others[0].task);
    log_add("m:cancelled:%d", fl_task_cancelled(&a->others[0].task));
    FL_JOIN(self, &a->others[1].task);
    FL_END(self);
}

/* An awaited cancel (test_finally_runs_on_cancel, with a bystander): the
 * target's finally runs before the canceller goes on. */
START_TEST(awaited_cancel_runs_the_finally_first)
{
    actor cast[2];
    actor_init(&cast[0], sleeps_long_with_finally, 1, 0);
    actor_init(&cast[1], yields_once, 2, 0);
    scene(cancel_after_a_while, cast, 2);
    ck_assert_str_eq(log_text(), "w:sleep o:run o:again m:cancel w:finally m:cancelled:1");
}
END_TEST

/* Waiting on an open latch lets the ready tasks run first (Flowno's
 * latch wait is a command even then); waiting on a set event does not
 * (Flowno's event returns before asking the loop). */
static fl_cmd wait_on_open_ones(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_event_set(&ev), 0);
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 0), 0);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not run */
    FL_EVENT_WAIT(self, &ev);
    log_add("m:event");
    FL_LATCH_WAIT(self, &latch);
    log_add("m:latch");
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(open_latch_steps_aside_set_event_does_not)
{
    actor b;
    actor_init(&b, bystander, 5, 0);
    scene(wait_on_open_ones, &b, 1);
    ck_assert_str_eq(log_text(), "m:event b:1 m:latch b:2");
}
END_TEST

/* ---- the in-task forms' own rules ------------------------------------------- */

static fl_cmd misuse_in_task_forms(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not run */
    /* Errors come back at once, without stepping aside: b has not run. */
    FL_LOCK_RELEASE_RC(self, a->rc, &lock);
    log_add("release:%d", a->rc);
    FL_LATCH_COUNT_DOWN_RC(self, a->rc, &latch, true);
    log_add("countdown:%d", a->rc);
    FL_EVENT_SET_RC(self, a->rc, (fl_event *)NULL);
    log_add("set:%d", a->rc);
    FL_COND_NOTIFY_RC(self, a->rc, (fl_cond *)NULL, 1);
    log_add("notify:%d", a->rc);
    /* A notify with nobody waiting wakes none, and steps aside. */
    FL_COND_NOTIFY_ALL_RC(self, a->rc, &cond);
    log_add("notified:%d", a->rc);
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(in_task_forms_answer_errors_at_once)
{
    actor b;
    char expect[128];
    ck_assert_int_eq(fl_latch_init(&latch, &loop, 0), 0);
    actor_init(&b, bystander, 5, 0);
    scene(misuse_in_task_forms, &b, 1);
    snprintf(expect, sizeof expect, "release:%d countdown:%d set:%d notify:%d b:1 notified:0 b:2",
             FL_EPERM, FL_ERANGE, FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* Stepping aside is no suspension point for a cancel (the spawn or the set
 * has happened, and says so); the cancel comes at the next wait.  Nor is
 * it a wait for a deadline: one set before it stays for the next wait. */
static fl_cmd cancelled_while_it_spawns(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert(fl_cancel(&loop, self)); /* pending: it is running */
    FL_TIMEOUT(self, 5);
    FL_SPAWN_RC(self, a->rc, &a->others[0].task, NULL);
    log_add("spawn:%d timers:%u", a->rc, loop_timers(&loop));
    FL_EVENT_SET_RC(self, a->rc, &ev);
    log_add("set:%d", a->rc);
    FL_SLEEP_RC(self, a->rc, 10);
    log_add("sleep:%d@%u", a->rc, (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd spawn_one_and_join(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_JOIN_RC(self, a->rc, &a->others[0].task);
    log_add("m:join:%d", a->rc);
    FL_END(self);
}

START_TEST(stepping_aside_is_no_cancellation_point_nor_a_wait)
{
    actor t, b;
    char expect[128];
    actor_init(&b, bystander, 5, 0);
    actor_init(&t, cancelled_while_it_spawns, 1, 0);
    t.others = &b;
    scene(spawn_one_and_join, &t, 1);
    snprintf(expect, sizeof expect, "b:1 spawn:0 timers:1 b:2 set:0 sleep:%d@0 m:join:0",
             FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("order");
    TCase *tc = tcase_create("order");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, event_basic_set_wait);
    tcase_add_test(tc, event_docstring_waiters_go_before_the_setter);
    tcase_add_test(tc, event_set_runs_the_ready_then_the_woken_then_the_setter);
    tcase_add_test(tc, setting_a_set_event_does_not_step_aside);
    tcase_add_test(tc, lock_fifo_ordering);
    tcase_add_test(tc, release_steps_aside_even_with_no_waiter);
    tcase_add_test(tc, condition_wait_notify);
    tcase_add_test(tc, countdown_latch_spawn);
    tcase_add_test(tc, countdown_latch_docstring);
    tcase_add_test(tc, spawn_runs_the_child_first);
    tcase_add_test(tc, awaited_cancel_runs_the_finally_first);
    tcase_add_test(tc, open_latch_steps_aside_set_event_does_not);
    tcase_add_test(tc, in_task_forms_answer_errors_at_once);
    tcase_add_test(tc, stepping_aside_is_no_cancellation_point_nor_a_wait);
    suite_add_tcase(s, tc);
    return s;
}
