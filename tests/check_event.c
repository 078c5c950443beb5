/* SPDX-License-Identifier: MIT */
/*
 * check_event.c - fl_event: Flowno's event tests (basic, already set, many
 * waiters), setting from plain C, a cancelled or timed-out waiter leaving
 * the list without costing the others their wake-up, and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_event ev;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
}

/* Waits (with a deadline when ticks > 0) and logs what came, and when. */
static fl_cmd waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    if (a->ticks > 0)
        FL_TIMEOUT(self, a->ticks);
    FL_EVENT_WAIT_RC(self, a->rc, &ev);
    log_add("w%d:%d@%u", a->id, a->rc, (unsigned)fp.now);
    FL_END(self);
}

/* Sleeps `ticks`, then sets the event. */
static fl_cmd setter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, a->ticks);
    log_add("set@%u", (unsigned)fp.now);
    ck_assert_int_eq(fl_event_set(&ev), 0);
    FL_END(self);
}

START_TEST(set_wakes_the_waiter_at_the_time_of_the_set)
{
    actor root, cast[2];
    actor_init(&cast[0], waiter, 1, 0);
    actor_init(&cast[1], setter, 0, 25);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 2;
    ck_assert(!fl_event_is_set(&ev));
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "set@25 w1:0@25");
    ck_assert(fl_event_is_set(&ev));
    ck_assert_uint_eq(ev.latch.waiters.last, FL_SLOT_NONE);
}
END_TEST

/* Waiting on a set event does not suspend: nothing else runs meanwhile. */
static fl_cmd wait_twice(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &a->others[0].task, NULL), 0); /* ready, not yet run */
    log_add("before");
    FL_EVENT_WAIT(self, &ev);
    FL_EVENT_WAIT(self, &ev);
    log_add("after");
    FL_END(self);
}

static fl_cmd log_other(fl_task *self)
{
    FL_BEGIN(self);
    log_add("other");
    FL_END(self);
}

START_TEST(waiting_on_a_set_event_returns_at_once)
{
    actor root, other;
    actor_init(&other, log_other, 0, 0);
    actor_init(&root, wait_twice, 0, 0);
    root.others = &other;
    ck_assert_int_eq(fl_event_set(&ev), 0); /* from plain C, before the run */
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), "before after other");
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

#define MANY 20

START_TEST(set_wakes_every_waiter_in_the_order_they_came)
{
    actor root, cast[MANY + 1];
    char expect[512] = "set@7";
    int i;
    for (i = 0; i < MANY; i++) {
        char w[32];
        actor_init(&cast[i], waiter, i, 0);
        snprintf(w, sizeof w, " w%d:0@7", i);
        strcat(expect, w);
    }
    actor_init(&cast[MANY], setter, 0, 7);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = MANY + 1;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(ev.latch.waiters.last, FL_SLOT_NONE);
}
END_TEST

START_TEST(setting_twice_is_harmless)
{
    ck_assert_int_eq(fl_event_set(&ev), 0);
    ck_assert_int_eq(fl_event_set(&ev), 0);
    ck_assert(fl_event_is_set(&ev));
}
END_TEST

/* Spawns three waiters, cancels the middle one, then sets the event. */
static fl_cmd cancel_one_waiter(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < 3; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    FL_SLEEP(self, 5); /* all three wait now */
    ck_assert(fl_cancel(&loop, &a->others[1].task));
    FL_SLEEP(self, 5);
    log_add("set@%u", (unsigned)fp.now);
    ck_assert_int_eq(fl_event_set(&ev), 0);
    for (a->i = 0; a->i < 3; a->i++)
        FL_JOIN_RC(self, a->rc, &a->others[a->i].task);
    FL_END(self);
}

START_TEST(a_cancelled_waiter_leaves_and_the_others_still_wake)
{
    actor root, cast[3];
    char expect[96];
    int i;
    for (i = 0; i < 3; i++)
        actor_init(&cast[i], waiter, i, 0);
    actor_init(&root, cancel_one_waiter, 0, 0);
    root.others = cast;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "w1:%d@5 set@10 w0:0@10 w2:0@10", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_cancelled(&cast[1].task) == false); /* it handled the error */
    ck_assert(fl_task_finished(&cast[1].task));
}
END_TEST

START_TEST(a_timed_out_waiter_leaves_and_the_others_still_wake)
{
    actor root, cast[3];
    char expect[96];
    actor_init(&cast[0], waiter, 0, 0);
    actor_init(&cast[1], waiter, 1, 3); /* gives up at 3 */
    actor_init(&cast[2], setter, 0, 10);
    actor_init(&root, actor_spawn_and_join, 0, 0);
    root.others = cast;
    root.n = 3;
    ck_assert_int_eq(run_joined(&loop, &root), 0);
    snprintf(expect, sizeof expect, "w1:%d@3 set@10 w0:0@10", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

/* A waiter nobody sets: the run ends FL_EINCOMPLETE instead of hanging. */
START_TEST(an_event_never_set_leaves_the_run_incomplete)
{
    actor w;
    actor_init(&w, waiter, 0, 0);
    ck_assert_int_eq(run_joined(&loop, &w), FL_EINCOMPLETE);
    ck_assert_int_eq(fl_task_state(&w.task), FL_TASK_WAITING);
}
END_TEST

static fl_event *bad_event;

static fl_cmd wait_on_bad_event(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_EVENT_WAIT_RC(self, a->rc, bad_event);
    FL_RETURN(self, a->rc);
    FL_END(self);
}

START_TEST(bad_input_is_refused)
{
    fl_loop other;
    fl_event foreign;
    actor a;
    fl_value result;

    ck_assert_int_eq(fl_event_init(NULL, &loop), FL_EINVAL);
    ck_assert_int_eq(fl_event_init(&foreign, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_event_set(NULL), FL_EINVAL);
    ck_assert(!fl_event_is_set(NULL));

    bad_event = NULL;
    actor_init(&a, wait_on_bad_event, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);

    /* An event of another loop. */
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_event_init(&foreign, &other), 0);
    bad_event = &foreign;
    actor_init(&a, wait_on_bad_event, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

/* An event nobody initialised is neither set nor settable. */
START_TEST(an_uninitialised_event_is_refused_everywhere)
{
    static fl_event zero_event;
    actor a;
    fl_value result;
    memset(&zero_event, 0, sizeof zero_event);
    ck_assert_int_eq(fl_event_set(&zero_event), FL_EINVAL);
    ck_assert(!fl_event_is_set(&zero_event));
    bad_event = &zero_event;
    actor_init(&a, wait_on_bad_event, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &a.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_int_eq((int)result, FL_EINVAL);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("event");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, set_wakes_the_waiter_at_the_time_of_the_set);
    tcase_add_test(tc, waiting_on_a_set_event_returns_at_once);
    tcase_add_test(tc, set_wakes_every_waiter_in_the_order_they_came);
    tcase_add_test(tc, setting_twice_is_harmless);
    tcase_add_test(tc, a_cancelled_waiter_leaves_and_the_others_still_wake);
    tcase_add_test(tc, a_timed_out_waiter_leaves_and_the_others_still_wake);
    tcase_add_test(tc, an_event_never_set_leaves_the_run_incomplete);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_uninitialised_event_is_refused_everywhere);
    suite_add_tcase(s, tc);
    return s;
}
