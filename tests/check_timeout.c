/* SPDX-License-Identifier: MIT */
/*
 * check_timeout.c - deadlines on waits (FL_TIMEOUT): a timed-out waiter has
 * left its wait list, a deadline outlives only the wait it was set for.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_queue q;
static int q_storage[4];
static fl_lock lock;
static fl_event ev;
static char expect_buf[96];

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_queue_init(&q, &loop, q_storage, sizeof(int), 4), 0);
    ck_assert_int_eq(fl_lock_init(&lock, &loop), 0);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
}

typedef struct job {
    fl_task task;
    int id, rc, item;
    fl_time ticks;
    struct job *other;
} job;

static void job_init(job *j, fl_task_fn fn, int id, fl_time ticks)
{
    memset(j, 0, sizeof *j);
    j->id = id;
    j->ticks = ticks;
    fl_task_init(&j->task, fn);
}

static int run(job *root)
{
    return fl_run_until_complete(&loop, &root->task, FL_RUN_JOIN, 0, NULL);
}

static fl_cmd get_with_timeout(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, j->ticks);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(queue_get_times_out_and_leaves_the_getters)
{
    job g;
    int v = 5;
    char expect[64];
    job_init(&g, get_with_timeout, 1, 30);
    ck_assert_int_eq(run(&g), 0);
    snprintf(expect, sizeof expect, "g1:%d@30", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(q.getters.last, FL_SLOT_NONE);
    /* A later item waits in the queue for whoever comes. */
    ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

static fl_cmd put_after(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, j->ticks);
    j->item = 42;
    FL_QUEUE_PUT(self, &q, &j->item);
    FL_END(self);
}

START_TEST(wait_that_ends_in_time_drops_its_deadline)
{
    job g, p;
    job_init(&g, get_with_timeout, 1, 100);
    job_init(&p, put_after, 2, 10);
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_int_eq(run(&g), 0);
    ck_assert_str_eq(log_text(), "g1:42@10");
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(fp.now, 10); /* nobody waited for the stale deadline */
}
END_TEST

START_TEST(wait_answered_at_once_drops_its_deadline)
{
    job g;
    int v = 9;
    ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);
    job_init(&g, get_with_timeout, 1, 100);
    ck_assert_int_eq(run(&g), 0);
    ck_assert_str_eq(log_text(), "g1:9@0");
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(fp.waits, 0);
}
END_TEST

/* The deadline of a get answered at once goes with it: the next get,
 * which waits until 10 for put_after's item, does not time out at 5. */
static fl_cmd get_at_once_then_wait(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, 5);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g1:%d@%u", j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g2:%d@%u", j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(deadline_of_a_wait_answered_at_once_is_not_left_for_the_next)
{
    job g, p;
    int v = 9;
    ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);
    job_init(&g, get_at_once_then_wait, 1, 0);
    job_init(&p, put_after, 2, 10);
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_int_eq(run(&g), 0);
    ck_assert_str_eq(log_text(), "g1:9@0 g2:42@10");
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

/* Two getters with deadlines 10 and 50; an item at 20 goes to the second. */
START_TEST(item_after_a_timeout_goes_to_the_next_getter)
{
    job g1, g2, p;
    char expect[64];
    job_init(&g1, get_with_timeout, 1, 10);
    job_init(&g2, get_with_timeout, 2, 50);
    job_init(&p, put_after, 3, 20);
    ck_assert_int_eq(fl_spawn(&loop, &g2.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_int_eq(run(&g1), 0);
    snprintf(expect, sizeof expect, "g1:%d@10 g2:42@20", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

static fl_cmd hold_lock(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    FL_SLEEP(self, j->ticks);
    ck_assert_int_eq(fl_lock_release(&lock, self), 0);
    log_add("released@%u", (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd lock_with_timeout(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_YIELD(self); /* let the holder take it */
    FL_TIMEOUT(self, j->ticks);
    FL_LOCK_RC(self, j->rc, &lock);
    log_add("l%d:%d@%u", j->id, j->rc, (unsigned)fp.now);
    if (j->rc == 0)
        fl_lock_release(&lock, self);
    FL_END(self);
}

START_TEST(lock_wait_times_out_and_the_lock_passes_to_the_next)
{
    job holder, a, b;
    char expect[96];
    job_init(&holder, hold_lock, 0, 40);
    job_init(&a, lock_with_timeout, 1, 20);
    job_init(&b, lock_with_timeout, 2, 100);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(run(&holder), 0);
    snprintf(expect, sizeof expect, "l1:%d@20 released@40 l2:0@40", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_ptr_null(fl_lock_owner(&lock));
}
END_TEST

static fl_cmd join_with_timeout(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, NULL);
    FL_TIMEOUT(self, j->ticks);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("join:%d@%u", j->rc, (unsigned)fp.now);
    FL_JOIN_RC(self, j->rc, &j->other->task); /* no deadline this time */
    log_add("join:%d@%u", j->rc, (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd sleeper(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, ((job *)self)->ticks);
    FL_RETURN(self, 1);
    FL_END(self);
}

START_TEST(join_times_out_without_touching_the_child)
{
    job root, child;
    char expect[64];
    job_init(&root, join_with_timeout, 0, 15);
    job_init(&child, sleeper, 1, 60);
    root.other = &child;
    ck_assert_int_eq(run(&root), 0);
    snprintf(expect, sizeof expect, "join:%d@15 join:0@60", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_finished(&child.task));
}
END_TEST

static fl_cmd deadline_then_other_things(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, 10);
    FL_YIELD(self); /* a yield is no wait: the deadline goes */
    log_add("timers:%u", loop_timers(&loop));
    FL_TIMEOUT(self, 10);
    FL_SLEEP(self, 25); /* a sleep replaces the deadline */
    log_add("slept@%u", (unsigned)fp.now);
    FL_TIMEOUT(self, 10);
    FL_EVENT_WAIT_RC(self, j->rc, &ev);
    log_add("ev:%d@%u", j->rc, (unsigned)fp.now);
    FL_TIMEOUT(self, 1000); /* never used: dropped when the task ends */
    FL_END(self);
}

START_TEST(deadline_applies_to_the_next_wait_only)
{
    job t;
    char expect[96];
    job_init(&t, deadline_then_other_things, 0, 0);
    ck_assert_int_eq(run(&t), 0);
    snprintf(expect, sizeof expect, "timers:0 slept@25 ev:%d@35", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(ev.latch.waiters.last, FL_SLOT_NONE);
}
END_TEST

static fl_cmd cancel_other_at_5(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 5);
    ck_assert(fl_cancel(&loop, &j->other->task));
    FL_END(self);
}

START_TEST(cancel_before_the_deadline_wins_and_clears_it)
{
    job g, c;
    char expect[64];
    job_init(&g, get_with_timeout, 1, 50);
    job_init(&c, cancel_other_at_5, 2, 0);
    c.other = &g;
    ck_assert_int_eq(fl_spawn(&loop, &g.task, NULL), 0);
    ck_assert_int_eq(run(&c), 0);
    snprintf(expect, sizeof expect, "g1:%d@5", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(fp.now, 5);
}
END_TEST

/* A cancel that is pending when the task sets a deadline and waits: the
 * wait ends at once with FL_ECANCELLED, and the deadline must go with it,
 * not fail a later wait that had none (here a join of a 10-tick sleeper). */
static fl_cmd deadline_under_a_pending_cancel(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, 5);
    FL_EVENT_WAIT_RC(self, j->rc, &ev);
    log_add("wait:%d@%u", j->rc, (unsigned)fp.now);
    ck_assert_int_eq(fl_spawn(&loop, &j->other->task, NULL), 0);
    FL_JOIN_RC(self, j->rc, &j->other->task);
    log_add("join:%d@%u", j->rc, (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd spawn_cancel_join(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &j->other->task, NULL), 0);
    ck_assert(fl_cancel(&loop, &j->other->task)); /* ready: the cancel is pending */
    FL_JOIN_RC(self, j->rc, &j->other->task);
    FL_END(self);
}

START_TEST(pending_cancel_drops_the_deadline_of_the_wait_it_ends)
{
    job root, t, child;
    char expect[64];
    job_init(&root, spawn_cancel_join, 0, 0);
    job_init(&t, deadline_under_a_pending_cancel, 1, 0);
    job_init(&child, sleeper, 2, 10);
    root.other = &t;
    t.other = &child;
    ck_assert_int_eq(run(&root), 0);
    snprintf(expect, sizeof expect, "wait:%d@0 join:0@10", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

static fl_cmd peek_with_timeout(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, j->ticks);
    FL_QUEUE_PEEK_RC(self, j->rc, &q, &j->item);
    log_add("p%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd get_forever(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

/* The getter takes the one item before the woken peeker looks again: the
 * peeker waits again, and its deadline still holds. */
START_TEST(peeker_that_finds_the_item_gone_keeps_its_deadline)
{
    job g, pk, p;
    char expect[64];
    job_init(&g, get_forever, 1, 0);
    job_init(&pk, peek_with_timeout, 2, 5);
    job_init(&p, put_after, 3, 1);
    ck_assert_int_eq(fl_spawn(&loop, &g.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &pk.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &pk.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "g1:42@1 p2:%d@5", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(q.peekers.last, FL_SLOT_NONE);
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

/* A woken peeker keeps its deadline until it has looked again (see the
 * test above), so a deadline that passes before it runs fails it with
 * FL_ETIMEDOUT: it had not seen the item yet.  The item stays queued. */
START_TEST(peeker_whose_deadline_passes_before_it_looks_again_times_out)
{
    job pk;
    fl_time next;
    int v = 7;
    job_init(&pk, peek_with_timeout, 1, 5);
    ck_assert_int_eq(fl_spawn(&loop, &pk.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1); /* it waits */
    ck_assert_uint_eq(next, 5);
    ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);  /* it is ready to look */
    fp.now += 6;
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    snprintf(expect_buf, sizeof expect_buf, "p1:%d@6", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect_buf);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
}
END_TEST

static fl_cmd timed_wait_in_a_loop(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    for (j->item = 0; j->item < 100; j->item++) {
        FL_TIMEOUT(self, 3);
        FL_EVENT_WAIT_RC(self, j->rc, &ev);
        ck_assert_int_eq(j->rc, FL_ETIMEDOUT);
    }
    FL_END(self);
}

START_TEST(repeated_timeouts_leave_nothing_behind)
{
    job t;
    job_init(&t, timed_wait_in_a_loop, 0, 0);
    ck_assert_int_eq(run(&t), 0);
    ck_assert_uint_eq(fp.now, 300);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(ev.latch.waiters.last, FL_SLOT_NONE);
}
END_TEST

static fl_cmd ends_at_once(fl_task *self)
{
    FL_BEGIN(self);
    FL_END(self);
}

/* A spawn is no wait: the deadline set before it is for the get. */
static fl_cmd deadline_spawn_get(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, j->ticks);
    FL_SPAWN(self, &j->other->task, ends_at_once);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(deadline_set_before_a_spawn_bounds_the_next_wait)
{
    job g, child;
    char expect[64];
    job_init(&g, deadline_spawn_get, 1, 30);
    job_init(&child, ends_at_once, 2, 0);
    g.other = &child;
    ck_assert_int_eq(run(&g), 0);
    snprintf(expect, sizeof expect, "g1:%d@30", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_finished(&child.task));
    ck_assert_uint_eq(loop_timers(&loop), 0);
}
END_TEST

/* The spawner steps aside behind its child: if its deadline passes while
 * it waits its turn there, the wait it meant the deadline for fails at
 * once.  Unless it yields first (id 2): a yield drops the deadline. */
static fl_cmd deadline_spawn_maybe_yield_get(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, 10);
    FL_SPAWN(self, &j->other->task, ends_at_once);
    if (j->id == 2)
        FL_YIELD(self);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

/* Spawns the job, lets it run a step, ends: a FL_RUN_NO_WAIT run stops
 * there, with the job behind its child. */
static fl_cmd start_and_leave(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_spawn(&loop, &j->other->task, NULL), 0);
    FL_YIELD(self);
    FL_END(self);
}

START_TEST(a_deadline_that_passes_while_stepped_aside_fails_the_next_wait)
{
    job m, g, child;
    int id, v = 5;
    char expect[64];
    for (id = 1; id <= 2; id++) {
        log_reset();
        job_init(&m, start_and_leave, 0, 0);
        job_init(&g, deadline_spawn_maybe_yield_get, id, 0);
        job_init(&child, ends_at_once, 3, 0);
        m.other = &g;
        g.other = &child;
        ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, FL_RUN_NO_WAIT, 0, NULL), 0);
        ck_assert_int_eq(fl_task_state(&g.task), FL_TASK_READY);
        ck_assert_uint_eq(loop_timers(&loop), 1); /* the deadline, kept */
        fp.now += 20;
        fl_loop_poll(&loop, NULL);
        ck_assert_uint_eq(loop_timers(&loop), 0);
        if (id == 1) {
            snprintf(expect, sizeof expect, "g1:%d@%u", FL_ETIMEDOUT, (unsigned)fp.now);
            ck_assert_str_eq(log_text(), expect);
            ck_assert_uint_eq(q.getters.last, FL_SLOT_NONE);
        } else {
            ck_assert_str_eq(log_text(), ""); /* it waits, with no deadline */
            ck_assert_uint_eq(q.getters.last, g.task.slot);
            ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);
            fl_loop_poll(&loop, NULL);
            snprintf(expect, sizeof expect, "g2:5@%u", (unsigned)fp.now);
            ck_assert_str_eq(log_text(), expect);
        }
        ck_assert(fl_task_finished(&g.task));
    }
}
END_TEST

/* A second FL_TIMEOUT before the wait replaces the first. */
static fl_cmd two_deadlines_then_get(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, 100);
    FL_TIMEOUT(self, j->ticks);
    FL_QUEUE_GET_RC(self, j->rc, &q, &j->item);
    log_add("g%d:%d@%u", j->id, j->rc == 0 ? j->item : j->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(a_second_deadline_replaces_the_first)
{
    job g;
    char expect[64];
    job_init(&g, two_deadlines_then_get, 1, 10);
    ck_assert_int_eq(run(&g), 0);
    snprintf(expect, sizeof expect, "g1:%d@10", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    ck_assert_uint_eq(fp.now, 10); /* nobody waited for the first one */
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("timeout");
    TCase *tc = tcase_create("timeout");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, queue_get_times_out_and_leaves_the_getters);
    tcase_add_test(tc, wait_that_ends_in_time_drops_its_deadline);
    tcase_add_test(tc, wait_answered_at_once_drops_its_deadline);
    tcase_add_test(tc, deadline_of_a_wait_answered_at_once_is_not_left_for_the_next);
    tcase_add_test(tc, item_after_a_timeout_goes_to_the_next_getter);
    tcase_add_test(tc, lock_wait_times_out_and_the_lock_passes_to_the_next);
    tcase_add_test(tc, join_times_out_without_touching_the_child);
    tcase_add_test(tc, deadline_applies_to_the_next_wait_only);
    tcase_add_test(tc, cancel_before_the_deadline_wins_and_clears_it);
    tcase_add_test(tc, repeated_timeouts_leave_nothing_behind);
    tcase_add_test(tc, pending_cancel_drops_the_deadline_of_the_wait_it_ends);
    tcase_add_test(tc, peeker_that_finds_the_item_gone_keeps_its_deadline);
    tcase_add_test(tc, peeker_whose_deadline_passes_before_it_looks_again_times_out);
    tcase_add_test(tc, deadline_set_before_a_spawn_bounds_the_next_wait);
    tcase_add_test(tc, a_deadline_that_passes_while_stepped_aside_fails_the_next_wait);
    tcase_add_test(tc, a_second_deadline_replaces_the_first);
    suite_add_tcase(s, tc);
    return s;
}
