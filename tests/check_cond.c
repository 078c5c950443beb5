/* SPDX-License-Identifier: MIT */
/*
 * check_cond.c - fl_cond: Flowno's condition tests (wait/notify,
 * notify_all, producer/consumer, wait releases the lock), the lock held
 * again on return, a cancel before or after the notify, and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_lock lock;
static fl_cond cond;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_lock_init(&lock, &loop), 0);
    ck_assert_int_eq(fl_cond_init(&cond, &lock), 0);
}

/* Takes the lock, waits once (with a deadline when ticks > 0), logs the
 * outcome, checks it holds the lock exactly when the wait succeeded. */
static fl_cmd waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    if (a->ticks > 0)
        FL_TIMEOUT(self, a->ticks);
    FL_COND_WAIT_RC(self, a->rc, &cond);
    log_add("w%d:%d@%u", a->id, a->rc, (unsigned)fp.now);
    if (a->rc == 0) {
        ck_assert_ptr_eq(fl_lock_owner(&lock), self);
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    } else {
        ck_assert_ptr_ne(fl_lock_owner(&lock), self);
    }
    FL_END(self);
}

/* Sleeps, then notifies `n` waiters (all when n < 0) holding the lock. */
static fl_cmd notifier(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, a->ticks);
    FL_LOCK(self, &lock);
    a->rc = a->n < 0 ? fl_cond_notify_all(&cond) : fl_cond_notify(&cond, (unsigned)a->n);
    log_add("notified %d@%u", a->rc, (unsigned)fp.now);
    FL_SLEEP(self, 2); /* the woken still need the lock */
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_END(self);
}

START_TEST(notify_wakes_one_waiter_holding_the_lock)
{
    actor root, cast[3];
    actor_init(&cast[0], waiter, 0, 0);
    actor_init(&cast[1], waiter, 1, 0);
    actor_init(&cast[2], notifier, 0, 10);
    cast[2].n = 1;
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 3;
    /* w1 is never notified: the run cannot complete. */
    ck_assert_int_eq(run_joined(&loop, &root), FL_EINCOMPLETE);
    ck_assert_str_eq(log_text(), "notified 1@10 w0:0@12");
    ck_assert_int_eq(fl_task_state(&cast[1].task), FL_TASK_WAITING);
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1); /* from plain C */
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "notified 1@10 w0:0@12 w1:0@12");
}
END_TEST

START_TEST(notify_all_wakes_every_waiter_in_order)
{
    actor root, cast[6];
    int i;
    for (i = 0; i < 5; i++)
        actor_init(&cast[i], waiter, i, 0);
    actor_init(&cast[5], notifier, 0, 4);
    cast[5].n = -1;
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 6;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "notified 5@4 w0:0@6 w1:0@6 w2:0@6 w3:0@6 w4:0@6");
    ck_assert_uint_eq(cond.waiters.last, FL_SLOT_NONE);
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

START_TEST(notify_with_no_waiter_is_not_remembered)
{
    actor root, cast[2];
    ck_assert_int_eq(fl_cond_notify(&cond, 3), 0);
    ck_assert_int_eq(fl_cond_notify_all(&cond), 0);
    actor_init(&cast[0], waiter, 0, 0);
    actor_init(&cast[1], notifier, 0, 5);
    cast[1].n = 1;
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 2;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "notified 1@5 w0:0@7");
}
END_TEST

/* While a waiter waits, another task can take the lock at once. */
static fl_cmd lock_while_waited(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SLEEP(self, 1); /* the waiter now waits, lock released */
    ck_assert_ptr_null(fl_lock_owner(&lock));
    ck_assert_int_eq(fl_lock_try_acquire(&lock, self), 0);
    log_add("took");
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1);
    /* Notified, but the lock is ours: it queues for it. */
    ck_assert_ptr_eq(fl_lock_owner(&lock), self);
    FL_SLEEP(self, 3);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_JOIN(self, &a->others[0].task);
    FL_END(self);
}

START_TEST(wait_releases_the_lock_and_takes_it_back)
{
    actor root, w;
    actor_init(&w, waiter, 0, 0);
    actor_init(&root, lock_while_waited, 0, 0);
    root.others = &w;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "took w0:0@4");
}
END_TEST

/* Producer/consumer over a shared counter guarded by the condition:
 * Flowno's test, with a bounded buffer of 2. */
#define PC_ITEMS 50
#define PC_ROOM 2
static int buffered, produced, consumed, sum;

static fl_cmd pc_producer(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 1; a->i <= PC_ITEMS; a->i++) {
        FL_LOCK(self, &lock);
        while (buffered == PC_ROOM)
            FL_COND_WAIT(self, &cond);
        buffered++;
        produced += a->i;
        ck_assert_int_ge(fl_cond_notify_all(&cond), 0);
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
        if (a->i % 7 == 0)
            FL_SLEEP(self, 1);
    }
    FL_END(self);
}

static fl_cmd pc_consumer(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 1; a->i <= PC_ITEMS; a->i++) {
        FL_LOCK(self, &lock);
        while (buffered == 0)
            FL_COND_WAIT(self, &cond);
        ck_assert_int_le(buffered, PC_ROOM);
        buffered--;
        consumed++;
        sum += a->i;
        ck_assert_int_ge(fl_cond_notify_all(&cond), 0);
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
        if (a->i % 5 == 0)
            FL_YIELD(self);
    }
    FL_END(self);
}

START_TEST(producer_and_consumer_meet_through_the_condition)
{
    actor root, cast[2];
    buffered = produced = consumed = sum = 0;
    actor_init(&cast[0], pc_consumer, 0, 0);
    actor_init(&cast[1], pc_producer, 1, 0);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 2;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_int_eq(consumed, PC_ITEMS);
    ck_assert_int_eq(sum, produced);
    ck_assert_int_eq(buffered, 0);
}
END_TEST

/* Three waiters; cancel the middle one before any notify, then notify
 * one at a time: the notifies go to the two that still wait. */
static fl_cmd cancel_before_notify(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < 3; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    FL_SLEEP(self, 5);
    ck_assert(fl_cancel(&loop, &a->others[1].task));
    FL_SLEEP(self, 1);
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1);
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1);
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 0);
    for (a->i = 0; a->i < 3; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    FL_END(self);
}

START_TEST(a_waiter_cancelled_before_the_notify_leaves_without_the_lock)
{
    actor root, cast[3];
    char expect[96];
    int i;
    for (i = 0; i < 3; i++)
        actor_init(&cast[i], waiter, i, 0);
    actor_init(&root, cancel_before_notify, 0, 0);
    root.others = cast;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "w1:%d@5 w0:0@6 w2:0@6", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

/* Waits in a loop on a predicate; logs how it left. */
static int tickets;

static fl_cmd ticket_taker(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    while (tickets == 0)
        FL_COND_WAIT(self, &cond);
    tickets--;
    log_add("t%d took", a->id);
    FL_SLEEP(self, 1); /* a cancel pending since the notify lands here */
    log_add("t%d done", a->id);
    FL_FINALLY(self);
    if (fl_lock_owner(&lock) == self) {
        log_add("t%d release", a->id);
        ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    }
    FL_END(self);
}

/* Holds the lock, notifies the first waiter (it queues for the lock), then
 * cancels it before releasing: the notified task still gets the lock and
 * its ticket, so the ticket is not stranded with the second waiter asleep. */
static fl_cmd cancel_after_notify(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &a->others[0].task, NULL);
    FL_SPAWN(self, &a->others[1].task, NULL);
    FL_SLEEP(self, 2);
    FL_LOCK(self, &lock);
    tickets = 1;
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1);
    ck_assert(fl_cancel(&loop, &a->others[0].task));
    ck_assert_int_eq(fl_task_state(&a->others[0].task), FL_TASK_WAITING);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_JOIN_RC(self, a->rc, &a->others[0].task);
    log_add("join0:%d", a->rc);
    /* The second one still waits for a ticket of its own. */
    ck_assert_int_eq(fl_task_state(&a->others[1].task), FL_TASK_WAITING);
    FL_LOCK(self, &lock);
    tickets = 1;
    ck_assert_int_eq(fl_cond_notify(&cond, 1), 1);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    FL_JOIN(self, &a->others[1].task);
    FL_END(self);
}

START_TEST(a_waiter_cancelled_after_the_notify_takes_the_lock_first)
{
    actor root, cast[2];
    char expect[128];
    actor_init(&cast[0], ticket_taker, 0, 0);
    actor_init(&cast[1], ticket_taker, 1, 0);
    actor_init(&root, cancel_after_notify, 0, 0);
    root.others = cast;
    tickets = 0;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "t0 took t0 release join0:%d t1 took t1 done t1 release",
             FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_int_eq(tickets, 0);
    ck_assert(fl_task_cancelled(&cast[0].task));
    ck_assert(fl_task_finished(&cast[1].task));
}
END_TEST

START_TEST(a_timed_out_waiter_leaves_without_the_lock)
{
    actor root, cast[3];
    char expect[96];
    actor_init(&cast[0], waiter, 0, 3); /* gives up at 3 */
    actor_init(&cast[1], waiter, 1, 0);
    actor_init(&cast[2], notifier, 0, 10);
    cast[2].n = -1;
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 3;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "w0:%d@3 notified 1@10 w1:0@12", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

/* A notify ends the deadline: the waiter then waits for the lock as long
 * as it takes, and returns holding it. */
START_TEST(a_notified_waiter_does_not_time_out_waiting_for_the_lock)
{
    actor root, cast[2];
    actor_init(&cast[0], waiter, 0, 5);
    actor_init(&cast[1], notifier, 0, 4);
    cast[1].n = 1;
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 2;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    /* Notified at 4, lock free at 6, past its deadline of 5. */
    ck_assert_str_eq(log_text(), "notified 1@4 w0:0@6");
}
END_TEST

static fl_cond *bad_cond;

static fl_cmd wait_bad(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_COND_WAIT_RC(self, a->rc, bad_cond);
    FL_RETURN(self, a->rc);
    FL_END(self);
}

START_TEST(bad_input_is_refused)
{
    fl_lock unbound;
    fl_cond c;
    actor a;
    fl_value result;

    memset(&unbound, 0, sizeof unbound);
    ck_assert_int_eq(fl_cond_init(NULL, &lock), FL_EINVAL);
    ck_assert_int_eq(fl_cond_init(&c, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_cond_init(&c, &unbound), FL_EINVAL); /* lock never initialised */
    ck_assert_int_eq(fl_cond_notify(NULL, 1), FL_EINVAL);
    ck_assert_int_eq(fl_cond_notify_all(NULL), FL_EINVAL);

    bad_cond = NULL;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);

    /* Waiting without holding the lock. */
    bad_cond = &cond;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EPERM);
    ck_assert_uint_eq(cond.waiters.last, FL_SLOT_NONE);
}
END_TEST

/* A condition nobody initialised (a static one, all zero): notify, notify
 * all and a wait answer FL_EINVAL instead of following a NULL lock. */
START_TEST(an_uninitialised_condition_is_refused_everywhere)
{
    static fl_cond zero_cond;
    actor a;
    fl_value result;
    memset(&zero_cond, 0, sizeof zero_cond);
    ck_assert_int_eq(fl_cond_notify(&zero_cond, 1), FL_EINVAL);
    ck_assert_int_eq(fl_cond_notify_all(&zero_cond), FL_EINVAL);
    bad_cond = &zero_cond;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

/* A condition of another loop is refused, and the lock stays held. */
START_TEST(waiting_on_a_condition_of_another_loop_is_refused)
{
    fl_loop other;
    fl_lock other_lock;
    fl_cond other_cond;
    actor a;
    fl_value result;
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_lock_init(&other_lock, &other), 0);
    ck_assert_int_eq(fl_cond_init(&other_cond, &other_lock), 0);
    bad_cond = &other_cond;
    actor_init(&a, wait_bad, 0, 0);
    ck_assert_int_eq(fl_lock_try_acquire(&other_lock, &a.task), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
    ck_assert_ptr_eq(fl_lock_owner(&other_lock), &a.task);
    ck_assert_uint_eq(other_cond.waiters.last, FL_SLOT_NONE);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("cond");
    TCase *tc = tcase_create("cond");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, notify_wakes_one_waiter_holding_the_lock);
    tcase_add_test(tc, notify_all_wakes_every_waiter_in_order);
    tcase_add_test(tc, notify_with_no_waiter_is_not_remembered);
    tcase_add_test(tc, wait_releases_the_lock_and_takes_it_back);
    tcase_add_test(tc, producer_and_consumer_meet_through_the_condition);
    tcase_add_test(tc, a_waiter_cancelled_before_the_notify_leaves_without_the_lock);
    tcase_add_test(tc, a_waiter_cancelled_after_the_notify_takes_the_lock_first);
    tcase_add_test(tc, a_timed_out_waiter_leaves_without_the_lock);
    tcase_add_test(tc, a_notified_waiter_does_not_time_out_waiting_for_the_lock);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_uninitialised_condition_is_refused_everywhere);
    tcase_add_test(tc, waiting_on_a_condition_of_another_loop_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
