/* SPDX-License-Identifier: MIT */
/*
 * check_debug.c - FL_DEBUG builds (this suite and its library are built
 * with -DFL_DEBUG=1): the assert hook hears of each misuse before the
 * error is answered, and a live task's struct that changed under the loop
 * (overwritten as a task on a stack frame that has returned would be,
 * re-initialised, copied, given another function) stops the loop with
 * FL_ECORRUPT instead of crashing it.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

#if !FL_DEBUG
#error "check_debug.c is built with -DFL_DEBUG=1"
#endif

static fake_port fp;
static fl_loop loop;
static fl_event ev;

static int hook_calls, hook_err;
static char hook_file[64];

static void record_misuse(int err, const char *file, int line)
{
    const char *base = strrchr(file, '/');
    hook_calls++;
    hook_err = err;
    snprintf(hook_file, sizeof hook_file, "%s", base != NULL ? base + 1 : file);
    ck_assert_int_gt(line, 0);
}

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
    hook_calls = hook_err = 0;
    hook_file[0] = '\0';
    fl_set_assert_hook(record_misuse);
}

static void teardown(void)
{
    fl_set_assert_hook(NULL);
}

static fl_cmd yield_forever(fl_task *self)
{
    FL_BEGIN(self);
    for (;;)
        FL_YIELD(self);
    FL_END(self);
}

static fl_cmd wait_on_event(fl_task *self)
{
    FL_BEGIN(self);
    FL_EVENT_WAIT(self, &ev);
    FL_END(self);
}

static fl_cmd sleep_long(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 100);
    FL_END(self);
}

static fl_cmd other_function(fl_task *self)
{
    FL_BEGIN(self);
    FL_END(self);
}

/* ---- the hook ---------------------------------------------------------------- */

START_TEST(the_hook_hears_each_misuse_before_the_error_is_answered)
{
    fl_task t, u;
    fl_lock lock;
    fl_task_init(&t, yield_forever);
    fl_task_init(&u, yield_forever);
    ck_assert_int_eq(fl_spawn(NULL, &t, NULL), FL_EINVAL);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_int_eq(hook_err, FL_EINVAL);
    ck_assert_str_eq(hook_file, "task.c");
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    ck_assert_int_eq(hook_calls, 1); /* no misuse, no call */
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), FL_EBUSY);
    ck_assert_int_eq(hook_err, FL_EBUSY);
    ck_assert_int_eq(fl_lock_init(&lock, &loop), 0);
    ck_assert_int_eq(fl_lock_try_acquire(&lock, &t), 0);
    ck_assert_int_eq(fl_lock_release(&lock, &u), FL_EPERM);
    ck_assert_int_eq(hook_err, FL_EPERM);
    ck_assert_str_eq(hook_file, "lock.c");
    ck_assert_int_eq(fl_event_set(NULL), FL_EINVAL);
    ck_assert_str_eq(hook_file, "latch.c");
    ck_assert_int_eq(hook_calls, 4);
    /* No hook: the same errors, nothing else. */
    fl_set_assert_hook(NULL);
    ck_assert_int_eq(fl_spawn(NULL, &t, NULL), FL_EINVAL);
    ck_assert_int_eq(hook_calls, 4);
}
END_TEST

/* A port whose post lock says whether it is held. */
static int post_lock_depth, depth_seen_by_hook;

static void count_lock(fl_port *port)
{
    (void)port;
    post_lock_depth++;
}

static void count_unlock(fl_port *port)
{
    (void)port;
    post_lock_depth--;
}

static void note_lock_depth(int err, const char *file, int line)
{
    record_misuse(err, file, line);
    depth_seen_by_hook = post_lock_depth;
}

/* A refused post calls the hook after the port's lock is given back: a
 * hook that posts or holds (a logger's task, say) would deadlock on a
 * POSIX port's mutex, and on Cortex-M would run with interrupts masked. */
START_TEST(the_hook_of_a_refused_post_runs_outside_the_ports_lock)
{
    fl_task t;
    fp.port.lock = count_lock;
    fp.port.unlock = count_unlock;
    post_lock_depth = 0;
    depth_seen_by_hook = -1;
    fl_set_assert_hook(note_lock_depth);
    fl_task_init(&t, other_function);
    ck_assert_int_eq(fl_post_spawn(&loop, &t), 0);
    ck_assert_int_eq(hook_calls, 0);
    ck_assert_int_eq(fl_post_spawn(&loop, &t), FL_EBUSY);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_int_eq(hook_err, FL_EBUSY);
    ck_assert_str_eq(hook_file, "post.c");
    ck_assert_int_eq(depth_seen_by_hook, 0);
    ck_assert_int_eq(post_lock_depth, 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 0); /* it ran */
    ck_assert(fl_task_finished(&t));
}
END_TEST

/* ---- a struct changed under the loop ----------------------------------------------- */

/* Overwritten while ready, as the struct of a task on a stack frame that
 * has returned would be: the loop stops before it follows its links. */
START_TEST(a_ready_task_overwritten_stops_the_loop_with_ecorrupt)
{
    static union {
        fl_task task;
        unsigned char bytes[sizeof(fl_task)];
    } frame;
    fl_task root;
    fl_task_init(&frame.task, yield_forever);
    ck_assert_int_eq(fl_spawn(&loop, &frame.task, NULL), 0);
    memset(frame.bytes, 0xA5, sizeof frame.bytes);
    fl_task_init(&root, yield_forever);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, 0, 0, NULL), FL_ECORRUPT);
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
    ck_assert_str_eq(hook_file, "assert.c");
    /* It stays stopped: the table cannot be trusted any more. */
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), FL_ECORRUPT);
}
END_TEST

START_TEST(a_waiting_task_overwritten_is_caught_when_it_is_woken)
{
    static fl_task t;
    fl_task root;
    fl_task_init(&t, wait_on_event);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 1); /* it waits */
    memset(&t, 0x5A, sizeof t);
    ck_assert_int_eq(fl_event_set(&ev), 0); /* no crash: the list is dropped */
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
    fl_task_init(&root, yield_forever);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, 0, 0, NULL), FL_ECORRUPT);
}
END_TEST

/* The older of two waiters overwritten, the newer cancelled: the walk
 * along their list to the newer meets the older and stops there. */
START_TEST(a_waiter_overwritten_is_caught_when_a_cancel_walks_past_it)
{
    static fl_task older, newer;
    fl_task root;
    fl_task_init(&older, wait_on_event);
    fl_task_init(&newer, wait_on_event);
    ck_assert_int_eq(fl_spawn(&loop, &older, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &newer, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 2); /* both wait */
    memset(&older, 0x5A, sizeof older);
    ck_assert(fl_cancel(&loop, &newer)); /* no crash, no hang */
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
    fl_task_init(&root, yield_forever);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, 0, 0, NULL), FL_ECORRUPT);
}
END_TEST

static int others_ran;

static fl_cmd set_the_event(fl_task *self)
{
    FL_BEGIN(self);
    FL_EVENT_SET(self, &ev);
    others_ran++; /* not reached: the loop stopped in its step */
    FL_END(self);
}

static fl_cmd count_a_run(fl_task *self)
{
    FL_BEGIN(self);
    others_ran++;
    FL_END(self);
}

/* Found broken by a task's command (an FL_EVENT_SET wakes it): the loop
 * stops at the end of that step, before any other task runs. */
START_TEST(a_task_found_overwritten_in_a_step_stops_the_batch_there)
{
    static fl_task t;
    fl_task setter, other;
    fl_task_init(&t, wait_on_event);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), 1); /* it waits */
    memset(&t, 0x5A, sizeof t);
    others_ran = 0;
    fl_task_init(&setter, set_the_event);
    fl_task_init(&other, count_a_run);
    ck_assert_int_eq(fl_spawn(&loop, &setter, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &other, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, NULL), FL_ECORRUPT);
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
    ck_assert_int_eq(others_ran, 0);
}
END_TEST

START_TEST(a_sleeping_task_overwritten_is_caught_when_its_timer_fires)
{
    static fl_task t;
    fl_time next;
    fl_task_init(&t, sleep_long);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1);
    ck_assert_uint_eq(next, 100);
    memset(&t, 0, sizeof t);
    fp.now += 100;
    ck_assert_int_eq(fl_loop_poll(&loop, &next), FL_ECORRUPT);
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
}
END_TEST

START_TEST(a_task_given_another_function_while_alive_is_caught)
{
    fl_task t, root;
    fl_task_init(&t, yield_forever);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    t.fn = other_function;
    fl_task_init(&root, yield_forever);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, 0, 0, NULL), FL_ECORRUPT);
    ck_assert_int_eq(hook_err, FL_ECORRUPT);
}
END_TEST

/* fl_task_init on a live task, then a spawn: the table still holds it. */
START_TEST(a_task_reinitialised_while_alive_cannot_be_spawned_again)
{
    fl_task t;
    fl_task_init(&t, yield_forever);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    fl_task_init(&t, yield_forever);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), FL_EBUSY);
    ck_assert_int_eq(hook_err, FL_EBUSY);
    ck_assert_uint_eq(loop.live, 1);
}
END_TEST

static fl_task copy;

static fl_cmd join_the_copy(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    FL_JOIN_RC(self, a->rc, &copy);
    FL_END(self);
}

/* A copy of a live task claims a slot that holds the original. */
START_TEST(joining_a_copy_of_a_live_task_is_refused)
{
    fl_task t;
    actor root;
    fl_task_init(&t, sleep_long);
    ck_assert_int_eq(fl_spawn(&loop, &t, NULL), 0);
    memcpy(&copy, &t, sizeof t);
    actor_init(&root, join_the_copy, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_NO_WAIT, 0, NULL), 0);
    ck_assert_int_eq(root.rc, FL_EINVAL);
    ck_assert_int_eq(hook_err, FL_EINVAL);
    ck_assert(!fl_cancel(&loop, &copy));
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("debug");
    TCase *tc = tcase_create("debug");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_hook_hears_each_misuse_before_the_error_is_answered);
    tcase_add_test(tc, the_hook_of_a_refused_post_runs_outside_the_ports_lock);
    tcase_add_test(tc, a_ready_task_overwritten_stops_the_loop_with_ecorrupt);
    tcase_add_test(tc, a_waiting_task_overwritten_is_caught_when_it_is_woken);
    tcase_add_test(tc, a_waiter_overwritten_is_caught_when_a_cancel_walks_past_it);
    tcase_add_test(tc, a_task_found_overwritten_in_a_step_stops_the_batch_there);
    tcase_add_test(tc, a_sleeping_task_overwritten_is_caught_when_its_timer_fires);
    tcase_add_test(tc, a_task_given_another_function_while_alive_is_caught);
    tcase_add_test(tc, a_task_reinitialised_while_alive_cannot_be_spawned_again);
    tcase_add_test(tc, joining_a_copy_of_a_live_task_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
