/* SPDX-License-Identifier: MIT */
/*
 * check_lock.c - fl_lock: Flowno's lock tests (mutual exclusion, FIFO
 * order, the uncontended fast path), handoff to the oldest waiter, a
 * cancelled or timed-out waiter passing its turn on, and bad input such as
 * a release by a task that does not hold the lock.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_lock lock;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_lock_init(&lock, &loop), 0);
}

/* A read-modify-write that suspends in the middle: without the lock the
 * increments of other tasks would be lost. */
static int counter, inside, most_inside;

static fl_cmd incrementer(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < a->n; a->i++) {
        FL_LOCK(self, &lock);
        ck_assert_ptr_eq(fl_lock_owner(&lock), self);
        if (++inside > most_inside)
            most_inside = inside;
        a->val = counter;
        if (a->i % 2)
            FL_YIELD(self);
        else
            FL_SLEEP(self, 1);
        counter = a->val + 1;
        inside--;
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
        FL_YIELD(self);
    }
    FL_END(self);
}

START_TEST(only_one_task_at_a_time_holds_the_lock)
{
    actor root, cast[5];
    int i;
    counter = inside = most_inside = 0;
    for (i = 0; i < 5; i++) {
        actor_init(&cast[i], incrementer, i, 0);
        cast[i].n = 20;
    }
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 5;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_int_eq(counter, 100);
    ck_assert_int_eq(most_inside, 1);
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

/* Takes the lock, logs, holds it `ticks`, releases. */
static fl_cmd holder(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, (fl_time)a->id); /* arrive in id order */
    FL_LOCK(self, &lock);
    log_add("%d@%u", a->id, (unsigned)fp.now);
    FL_SLEEP(self, a->ticks);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_END(self);
}

START_TEST(waiters_get_the_lock_in_the_order_they_came)
{
    actor root, cast[5];
    int i;
    for (i = 0; i < 5; i++)
        actor_init(&cast[i], holder, i, 10);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 5;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "0@0 1@10 2@20 3@30 4@40");
}
END_TEST

/* Releases and takes the lock again at once: with a waiter queued, the
 * handoff puts it behind that waiter instead of barging ahead. */
static fl_cmd regrabber(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SLEEP(self, 5); /* the other one queues up */
    log_add("release");
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    ck_assert_ptr_eq(fl_lock_owner(&lock), &a->others[0].task);
    FL_LOCK(self, &lock);
    log_add("regrab@%u", (unsigned)fp.now);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(release_hands_the_lock_to_the_oldest_waiter)
{
    actor root, other;
    actor_init(&other, holder, 1, 3);
    actor_init(&root, regrabber, 0, 0);
    root.others = &other;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "release 1@5 regrab@8");
}
END_TEST

/* An uncontended lock is taken at once, and the task then steps aside
 * behind the ready tasks, as in Flowno (whose loop re-queues the task
 * after every acquire).  fl_lock_try_acquire is the form that does not. */
static fl_cmd fast_locker(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not yet run */
    FL_LOCK(self, &lock);
    log_add("locked");
    ck_assert_ptr_eq(fl_lock_owner(&lock), self);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, self), 0);
    log_add("again");
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_END(self);
}

static fl_cmd log_other(fl_task *self)
{
    FL_BEGIN(self);
    log_add("other");
    FL_END(self);
}

START_TEST(an_uncontended_lock_lets_the_ready_tasks_run_first)
{
    actor root, other;
    actor_init(&other, log_other, 0, 0);
    actor_init(&root, fast_locker, 0, 0);
    root.others = &other;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "other locked again");
}
END_TEST

START_TEST(try_acquire_takes_a_free_lock_only)
{
    fl_task a, b;
    fl_task_init(&a, NULL);
    fl_task_init(&b, NULL);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, &a), 0);
    ck_assert_ptr_eq(fl_lock_owner(&lock), &a);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, &b), FL_EAGAIN);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, &a), FL_EDEADLK);
    ck_assert_int_eq(fl_lock_release(&lock, &b), FL_EPERM);
    ck_assert_ptr_eq(fl_lock_owner(&lock), &a);
    ck_assert_int_eq(fl_lock_release(&lock, &a), 0);
    ck_assert_ptr_null(fl_lock_owner(&lock));
    ck_assert_int_eq(fl_lock_release(&lock, &a), FL_EPERM);
}
END_TEST

/* Waits for the lock with a deadline (ticks > 0) and logs the outcome. */
static fl_cmd contender(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_YIELD(self); /* let a holder spawned with it go first */
    if (a->ticks > 0)
        FL_TIMEOUT(self, a->ticks);
    FL_LOCK_RC(self, a->rc, &lock);
    log_add("c%d:%d@%u", a->id, a->rc, (unsigned)fp.now);
    if (a->rc == 0)
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_END(self);
}

/* Holds the lock while three contenders queue, cancels the middle one,
 * then releases: the turn goes to the others, in order. */
static fl_cmd cancel_a_contender(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    for (a->i = 0; a->i < 3; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    FL_SLEEP(self, 5);
    ck_assert(fl_cancel(&loop, &a->others[1].task));
    FL_SLEEP(self, 5);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    for (a->i = 0; a->i < 3; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    FL_END(self);
}

START_TEST(a_cancelled_waiter_passes_its_turn_on)
{
    actor root, cast[3];
    char expect[96];
    int i;
    for (i = 0; i < 3; i++)
        actor_init(&cast[i], contender, i, 0);
    actor_init(&root, cancel_a_contender, 0, 0);
    root.others = cast;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "c1:%d@5 c0:0@10 c2:0@10", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_ptr_null(fl_lock_owner(&lock));
    ck_assert_uint_eq(lock.waiters.last, FL_SLOT_NONE);
}
END_TEST

/* A lock handed to a task that is cancelled before it runs: it still
 * returns holding the lock and sees the cancel at its next suspension, so
 * the lock is not stranded. */
static fl_cmd cancel_after_handoff(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SPAWN(self, &a->others[1].task, NULL);
    FL_SLEEP(self, 5);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    ck_assert_ptr_eq(fl_lock_owner(&lock), &a->others[0].task);
    ck_assert(fl_cancel(&loop, &a->others[0].task));
    FL_JOIN_RC(self, a->rc, &a->others[0].task);
    log_add("join0:%d", a->rc);
    FL_JOIN(self, &a->others[1].task);
    FL_END(self);
}

/* Holds the lock over a sleep; releases it in its finally. */
static fl_cmd careful_holder(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    log_add("h%d locked", a->id);
    FL_SLEEP(self, 10);
    log_add("h%d slept", a->id);
    FL_FINALLY(self);
    if (fl_lock_owner(&lock) == self) {
        log_add("h%d release", a->id);
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    }
    FL_END(self);
}

START_TEST(a_task_cancelled_after_the_handoff_still_releases)
{
    actor root, cast[2];
    char expect[128];
    actor_init(&cast[0], careful_holder, 0, 0);
    actor_init(&cast[1], careful_holder, 1, 0);
    actor_init(&root, cancel_after_handoff, 0, 0);
    root.others = cast;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect,
             "h0 locked h0 release h1 locked join0:%d h1 slept h1 release", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

START_TEST(a_timed_out_waiter_leaves_the_queue)
{
    actor root, cast[3];
    char expect[96];
    actor_init(&cast[0], holder, 0, 20);  /* holds 0..20 */
    actor_init(&cast[1], contender, 1, 5); /* gives up at 5 */
    actor_init(&cast[2], contender, 2, 0);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 3;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "0@0 c1:%d@5 c2:0@20", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

static fl_lock *bad_lock;

static fl_cmd lock_bad(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK_RC(self, a->rc, bad_lock);
    FL_RETURN(self, a->rc);
    FL_END(self);
}

static fl_cmd lock_twice(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    FL_LOCK_RC(self, a->rc, &lock);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_RETURN(self, a->rc);
    FL_END(self);
}

START_TEST(bad_input_is_refused)
{
    fl_loop other;
    fl_lock foreign;
    fl_task t;
    actor a;
    fl_value result;

    fl_task_init(&t, NULL);
    ck_assert_int_eq(fl_lock_init(NULL, &loop), FL_EINVAL);
    ck_assert_int_eq(fl_lock_init(&foreign, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_lock_try_acquire(NULL, &t), FL_EINVAL);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_lock_release(NULL, &t), FL_EINVAL);
    ck_assert_int_eq(fl_lock_release(&lock, NULL), FL_EINVAL);
    ck_assert_ptr_null(fl_lock_owner(NULL));

    bad_lock = NULL;
    actor_init(&a, lock_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);

    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_lock_init(&foreign, &other), 0);
    bad_lock = &foreign;
    actor_init(&a, lock_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);

    /* Taking a lock you hold would wait forever: refused instead. */
    actor_init(&a, lock_twice, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EDEADLK);
}
END_TEST

/* A lock nobody initialised: it cannot be taken, released or waited on. */
START_TEST(an_uninitialised_lock_is_refused_everywhere)
{
    static fl_lock zero_lock;
    fl_task t;
    actor a;
    fl_value result;
    memset(&zero_lock, 0, sizeof zero_lock);
    fl_task_init(&t, NULL);
    ck_assert_int_eq(fl_lock_try_acquire(&zero_lock, &t), FL_EINVAL);
    ck_assert_int_eq(fl_lock_release(&zero_lock, &t), FL_EINVAL);
    ck_assert_ptr_null(fl_lock_owner(&zero_lock));
    bad_lock = &zero_lock;
    actor_init(&a, lock_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("lock");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, only_one_task_at_a_time_holds_the_lock);
    tcase_add_test(tc, waiters_get_the_lock_in_the_order_they_came);
    tcase_add_test(tc, release_hands_the_lock_to_the_oldest_waiter);
    tcase_add_test(tc, an_uncontended_lock_lets_the_ready_tasks_run_first);
    tcase_add_test(tc, try_acquire_takes_a_free_lock_only);
    tcase_add_test(tc, a_cancelled_waiter_passes_its_turn_on);
    tcase_add_test(tc, a_task_cancelled_after_the_handoff_still_releases);
    tcase_add_test(tc, a_timed_out_waiter_leaves_the_queue);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_uninitialised_lock_is_refused_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
