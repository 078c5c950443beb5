/* SPDX-License-Identifier: MIT */
/*
 * check_set_queue.c - set queues (Flowno's AsyncSetQueue): Flowno's test
 * and docstring example, a put of a queued item dropped at once (even when
 * full), what "queued" means for an item promised to a woken getter, a
 * woken putter that finds its item queued meanwhile, the user's compare,
 * close and drain, cancellation, deadlines, FIFO waiters, the dump, the
 * hooks and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_queue q;
static int storage[8];

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    memset(storage, 0, sizeof storage);
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, storage, sizeof(int), 8, NULL), 0);
}

/* A task with what a scene needs: its queue, an item, a count. */
typedef struct worker {
    fl_task task;
    fl_queue *q;
    int id, rc, i, n, item;
    struct worker *others;
} worker;

static void worker_init(worker *w, fl_task_fn fn, int id, int item)
{
    memset(w, 0, sizeof *w);
    fl_task_init(&w->task, fn);
    w->q = &q;
    w->id = id;
    w->item = item;
}

/* Gets one item and logs it (or the error). */
static fl_cmd get_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, w->rc, w->q, &w->item);
    if (w->rc == 0)
        log_add("g%d:%d", w->id, w->item);
    else
        log_add("g%d:%d", w->id, w->rc);
    FL_END(self);
}

/* Puts its item and logs the outcome and when it came. */
static fl_cmd put_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->item);
    log_add("p%d:%d@%u", w->id, w->rc, (unsigned)fp.now);
    FL_END(self);
}

/* ---- Flowno's test and example ------------------------------------------ */

/* Flowno's tests/test_event_loop.py, test_async_set_queue_put_nowait:
 * put_nowait says whether it added the item, `in` and len see it, a
 * spawned getter takes it, and a put_nowait wakes a waiting getter. */
static int results[4], nresults;

static fl_cmd flowno_waiter(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET(self, &q, &w->item);
    results[nresults++] = w->item;
    FL_END(self);
}

static fl_cmd flowno_put_nowait_test(fl_task *self)
{
    worker *w = (worker *)self;
    int one = 1, two = 2;
    FL_BEGIN(self);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0); /* True: added */
    ck_assert(fl_queue_contains(&q, &one));
    ck_assert_uint_eq(fl_queue_len(&q), 1);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), FL_QUEUE_PRESENT); /* False */
    ck_assert_uint_eq(fl_queue_len(&q), 1);

    FL_SPAWN(self, &w->others[0].task, NULL); /* gets 1 at once */
    FL_SLEEP(self, FL_MS(100));
    ck_assert_int_eq(nresults, 1);
    ck_assert_int_eq(results[0], 1);
    ck_assert_uint_eq(fl_queue_len(&q), 0);

    FL_SPAWN(self, &w->others[1].task, NULL); /* blocks */
    FL_SLEEP(self, FL_MS(100));
    ck_assert_int_eq(nresults, 1);
    ck_assert_int_eq(fl_task_state(&w->others[1].task), FL_TASK_WAITING);

    ck_assert_int_eq(fl_queue_try_put(&q, &two), 0); /* wakes the waiter */
    FL_SLEEP(self, FL_MS(100));
    ck_assert_int_eq(nresults, 2);
    ck_assert_int_eq(results[1], 2);
    ck_assert_uint_eq(fl_queue_len(&q), 0);
    FL_END(self);
}

START_TEST(flowno_test_async_set_queue_put_nowait)
{
    worker root, waiters[2];
    nresults = 0;
    worker_init(&root, flowno_put_nowait_test, 0, 0);
    worker_init(&waiters[0], flowno_waiter, 1, 0);
    worker_init(&waiters[1], flowno_waiter, 2, 0);
    root.others = waiters;
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_finished(&waiters[0].task));
    ck_assert(fl_task_finished(&waiters[1].task));
}
END_TEST

/* AsyncSetQueue's docstring: apple, banana, apple (not added again),
 * cherry; then get while len > 0 gives each once, in order.  Strings are
 * items of 8 bytes here, zero-padded, so that bytes compare them. */
typedef struct fruit {
    char name[8];
} fruit;

static fruit fruits[4];
static fl_queue fruit_q;

static fl_cmd set_queue_example(fl_task *self)
{
    worker *w = (worker *)self;
    static const char *const put[] = {"apple", "banana", "apple", "cherry"};
    FL_BEGIN(self);
    for (w->i = 0; w->i < 4; w->i++) {
        memset(&fruits[3], 0, sizeof fruits[3]);
        strcpy(fruits[3].name, put[w->i]);
        FL_QUEUE_PUT(self, &fruit_q, &fruits[3]);
    }
    while (fl_queue_len(&fruit_q) > 0) {
        FL_QUEUE_GET(self, &fruit_q, &fruits[0]);
        log_add("%s", fruits[0].name);
    }
    FL_RETURN(self, 42);
    FL_END(self);
}

START_TEST(flowno_set_queue_docstring_example)
{
    static fruit slots[4];
    worker root;
    fl_value result = 0;
    ck_assert_int_eq(fl_set_queue_init(&fruit_q, &loop, slots, sizeof(fruit), 4, NULL), 0);
    worker_init(&root, set_queue_example, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_str_eq(log_text(), "apple banana cherry");
    ck_assert_int_eq(result, 42);
}
END_TEST

/* Flowno's putAll: a put of each item in turn; the duplicates drop out. */
static fl_cmd put_all(fl_task *self)
{
    worker *w = (worker *)self;
    static const int items[] = {3, 1, 3, 2, 1, 3};
    FL_BEGIN(self);
    for (w->i = 0; w->i < 6; w->i++) {
        w->item = items[w->i];
        FL_QUEUE_PUT_RC(self, w->rc, &q, &w->item);
        log_add("%d:%s", w->item, w->rc == 0 ? "added" : "present");
    }
    FL_END(self);
}

START_TEST(put_all_adds_each_item_once)
{
    worker w;
    int v;
    worker_init(&w, put_all, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "3:added 1:added 3:present 2:added 1:present 3:present");
    ck_assert_uint_eq(fl_queue_len(&q), 3);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 2);
}
END_TEST

/* ---- a put of a queued item --------------------------------------------- */

START_TEST(put_of_a_queued_item_returns_at_once_even_when_full)
{
    int small[2], one = 1, two = 2, three = 3;
    worker p1, p3;
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 2, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &two), 0); /* full */
    ck_assert_int_eq(fl_queue_try_put(&q, &two), FL_QUEUE_PRESENT);
    ck_assert_int_eq(fl_queue_try_put(&q, &three), FL_EAGAIN);
    /* The waiting form: the queued item needs no wait, the new one does. */
    worker_init(&p3, put_once, 3, 3);
    worker_init(&p1, put_once, 1, 1);
    ck_assert_int_eq(fl_spawn(&loop, &p3.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p1.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0,
                                           NULL), 0);
    {
        char want[32];
        snprintf(want, sizeof want, "p1:%d@0", FL_QUEUE_PRESENT);
        ck_assert_str_eq(log_text(), want);
    }
    ck_assert_int_eq(fl_task_state(&p3.task), FL_TASK_WAITING);
    ck_assert_uint_eq(fl_queue_len(&q), 2);
}
END_TEST

/* FL_QUEUE_PUT (the propagating form) goes on after a dropped put. */
static fl_cmd put_twice_propagating(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT(self, &q, &w->item);
    FL_QUEUE_PUT(self, &q, &w->item);
    log_add("went on");
    FL_END(self);
}

START_TEST(a_dropped_put_is_not_an_error)
{
    worker w;
    worker_init(&w, put_twice_propagating, 0, 9);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "went on");
    ck_assert_uint_eq(fl_queue_len(&q), 1);
}
END_TEST

/* An item promised to a woken getter that has not run yet is still in the
 * queue (as in Flowno, whose item stays in the deque until the getter
 * runs): an equal put is dropped, and the getter has the item. */
START_TEST(an_item_promised_to_a_woken_getter_is_still_queued)
{
    worker g;
    int five = 5;
    worker_init(&g, get_once, 1, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &g.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE); /* the getter waits */
    ck_assert_int_eq(fl_queue_try_put(&q, &five), 0); /* wakes it, promised */
    ck_assert_int_eq(fl_task_state(&g.task), FL_TASK_READY);
    ck_assert(fl_queue_contains(&q, &five));
    ck_assert_int_eq(fl_queue_try_put(&q, &five), FL_QUEUE_PRESENT);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
    ck_assert_int_eq(fl_run_until_complete(&loop, &g.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "g1:5");
    /* Once taken it is gone: the same item may come again. */
    ck_assert(!fl_queue_contains(&q, &five));
    ck_assert_int_eq(fl_queue_try_put(&q, &five), 0);
}
END_TEST

/* Two putters wait with the same item in a full queue.  When places come
 * free, the first puts it; the second finds it queued, drops its own and
 * hands its place to the next putter, who must not be left waiting while a
 * place is free. */
static fl_cmd free_two_places(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1); /* the putters wait first */
    FL_QUEUE_GET(self, &q, &w->item);
    log_add("got:%d", w->item);
    FL_QUEUE_GET(self, &q, &w->item);
    log_add("got:%d", w->item);
    FL_END(self);
}

START_TEST(a_woken_putter_whose_item_came_meanwhile_hands_its_place_on)
{
    int small[2], one = 1, two = 2, v;
    worker a, b, c, getter;
    char want[96];
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 2, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &two), 0);
    worker_init(&a, put_once, 1, 3);
    worker_init(&b, put_once, 2, 3); /* the same item as a */
    worker_init(&c, put_once, 3, 4);
    worker_init(&getter, free_two_places, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &c.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "got:1 got:2 p1:0@1 p2:%d@1 p3:0@1", FL_QUEUE_PRESENT);
    ck_assert_str_eq(log_text(), want);
    ck_assert_uint_eq(q.put_reserved, 0);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 4);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), FL_EAGAIN);
}
END_TEST

START_TEST(a_plain_queue_keeps_duplicates)
{
    int plain[4], one = 1;
    fl_queue pq;
    ck_assert_int_eq(fl_queue_init(&pq, &loop, plain, sizeof(int), 4), 0);
    ck_assert_int_eq(fl_queue_try_put(&pq, &one), 0);
    ck_assert_int_eq(fl_queue_try_put(&pq, &one), 0);
    ck_assert_uint_eq(fl_queue_len(&pq), 2);
    ck_assert(fl_queue_contains(&pq, &one)); /* by bytes */
}
END_TEST

/* ---- equality ----------------------------------------------------------- */

/* Jobs are the same job when their ids are: the payload does not count. */
typedef struct job {
    int id;
    int payload;
} job;

static bool same_job(const void *a, const void *b)
{
    return ((const job *)a)->id == ((const job *)b)->id;
}

START_TEST(the_users_compare_decides_what_is_equal)
{
    job jobs[4], in = {7, 100}, out;
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, jobs, sizeof(job), 4, same_job), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &in), 0);
    in.payload = 200; /* the same job again: dropped */
    ck_assert_int_eq(fl_queue_try_put(&q, &in), FL_QUEUE_PRESENT);
    ck_assert(fl_queue_contains(&q, &in));
    in.id = 8;
    ck_assert(!fl_queue_contains(&q, &in));
    ck_assert_int_eq(fl_queue_try_put(&q, &in), 0);
    ck_assert_int_eq(fl_queue_try_get(&q, &out), 0);
    ck_assert_int_eq(out.id, 7);
    ck_assert_int_eq(out.payload, 100); /* the first one stayed */
    ck_assert_int_eq(fl_queue_try_get(&q, &out), 0);
    ck_assert_int_eq(out.id, 8);
}
END_TEST

/* Strings by their text: the items are pointers, equal when the strings
 * they point to are. */
static bool same_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b) == 0;
}

START_TEST(pointer_items_compare_by_what_they_point_to)
{
    const char *names[4], *in;
    char copy[8];
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, names, sizeof(const char *), 4, same_text), 0);
    in = "apple";
    ck_assert_int_eq(fl_queue_try_put(&q, &in), 0);
    strcpy(copy, "apple"); /* another pointer, the same text */
    in = copy;
    ck_assert_int_eq(fl_queue_try_put(&q, &in), FL_QUEUE_PRESENT);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
}
END_TEST

/* ---- close -------------------------------------------------------------- */

static fl_cmd close_later(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 10);
    log_add("close");
    ck_assert_int_eq(fl_queue_close(&q), 0);
    FL_END(self);
}

START_TEST(close_wakes_getters_and_putters_and_keeps_the_items)
{
    int small[1], one = 1, v;
    worker g, p, closer;
    char want[96];
    fl_queue gq;
    int gstorage[2];
    /* A getter waits on an empty set queue, a putter on a full one. */
    ck_assert_int_eq(fl_set_queue_init(&gq, &loop, gstorage, sizeof(int), 2, NULL), 0);
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 1, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    worker_init(&g, get_once, 1, 0);
    g.q = &gq;
    worker_init(&p, put_once, 2, 2);
    worker_init(&closer, close_later, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &g.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &closer.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0,
                                           NULL), 0);
    ck_assert_int_eq(fl_queue_close(&gq), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &closer.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "close p2:%d@10 g1:%d", FL_ECLOSED, FL_ECLOSED);
    ck_assert_str_eq(log_text(), want);
    /* A put after the close fails even for an item that is queued (Flowno
     * drops it silently); the item put before is drained, then the end. */
    ck_assert_int_eq(fl_queue_try_put(&q, &one), FL_ECLOSED);
    ck_assert(fl_queue_contains(&q, &one));
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), FL_ECLOSED);
}
END_TEST

/* Flowno's `async for` on a set queue, until it is closed and drained. */
static fl_cmd for_each_logger(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, &q, &w->item) {
        log_add("%d", w->item);
        FL_SLEEP(self, 1);
    }
    log_add("end");
    FL_END(self);
}

START_TEST(for_each_drains_a_closed_set_queue)
{
    int items[] = {4, 4, 5, 4, 6}, i;
    worker w;
    for (i = 0; i < 5; i++)
        ck_assert_int_ge(fl_queue_try_put(&q, &items[i]), 0);
    ck_assert_int_eq(fl_queue_close(&q), 0);
    worker_init(&w, for_each_logger, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "4 5 6 end");
}
END_TEST

/* ---- cancellation and deadlines ----------------------------------------- */

static fl_cmd cancel_first_putter_then_get(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    ck_assert(fl_cancel(&loop, &w->others[0].task));
    FL_QUEUE_GET(self, &q, &w->item);
    log_add("got:%d", w->item);
    FL_END(self);
}

START_TEST(a_cancelled_putter_adds_nothing_and_the_next_goes_on)
{
    int small[1], one = 1, v;
    worker w[3];
    char want[96];
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 1, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    worker_init(&w[0], cancel_first_putter_then_get, 0, 0);
    worker_init(&w[1], put_once, 1, 7);
    worker_init(&w[2], put_once, 2, 8);
    w[0].others = &w[1];
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[2].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "got:1 p1:%d@1 p2:0@1", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), want);
    v = 7;
    ck_assert(!fl_queue_contains(&q, &v));
    ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
    ck_assert_int_eq(v, 8);
}
END_TEST

/* A deadline on a put into a full set queue, and on a get from an empty
 * one; a put of a queued item never waits, so its deadline is dropped. */
static fl_cmd timed_waits(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    w->item = 2;
    FL_TIMEOUT(self, 5);
    FL_QUEUE_PUT_RC(self, w->rc, &q, &w->item);
    log_add("put2:%d@%u", w->rc, (unsigned)fp.now);
    w->item = 1;
    FL_TIMEOUT(self, 5);
    FL_QUEUE_PUT_RC(self, w->rc, &q, &w->item);
    log_add("put1:%d@%u", w->rc, (unsigned)fp.now);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    FL_QUEUE_GET(self, &q, &w->item);
    FL_TIMEOUT(self, 5);
    FL_QUEUE_GET_RC(self, w->rc, &q, &w->item);
    log_add("get:%d@%u", w->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(deadlines_on_set_queue_waits)
{
    int small[1], one = 1, two = 2;
    worker w;
    char want[96];
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 1, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    worker_init(&w, timed_waits, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "put2:%d@5 put1:%d@5 get:%d@10", FL_ETIMEDOUT, FL_QUEUE_PRESENT,
             FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), want);
    ck_assert(!fl_queue_contains(&q, &two)); /* the timed-out put left nothing */
    ck_assert_uint_eq(fl_queue_len(&q), 0);
}
END_TEST

/* ---- FIFO waiters ------------------------------------------------------- */

static fl_cmd put_three_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    for (w->i = 1; w->i <= 3; w->i++) {
        w->item = w->i * 10;
        FL_QUEUE_PUT(self, &q, &w->item);
    }
    FL_END(self);
}

START_TEST(waiting_getters_are_served_in_arrival_order)
{
    worker g[3], feeder;
    int i;
    for (i = 0; i < 3; i++) {
        worker_init(&g[i], get_once, i, 0);
        ck_assert_int_eq(fl_spawn(&loop, &g[i].task, NULL), 0);
    }
    worker_init(&feeder, put_three_later, 9, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &feeder.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "g0:10 g1:20 g2:30");
}
END_TEST

static fl_cmd get_n_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    for (w->i = 0; w->i < w->n; w->i++) {
        FL_QUEUE_GET(self, &q, &w->item);
        log_add("%d", w->item);
    }
    FL_END(self);
}

START_TEST(waiting_putters_are_served_in_arrival_order)
{
    int small[1];
    worker p[3], getter;
    int i;
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, small, sizeof(int), 1, NULL), 0);
    for (i = 0; i < 3; i++) {
        worker_init(&p[i], put_once, i + 1, i + 1);
        ck_assert_int_eq(fl_spawn(&loop, &p[i].task, NULL), 0);
    }
    worker_init(&getter, get_n_later, 0, 0);
    getter.n = 3;
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "p1:0@0 1 p2:0@1 2 p3:0@1 3");
}
END_TEST

/* ---- peek, dump and hooks ----------------------------------------------- */

START_TEST(peek_sees_the_oldest_item)
{
    int seven = 7, eight = 8, v = 0;
    ck_assert_int_eq(fl_queue_peek(&q, &v), FL_EAGAIN);
    ck_assert_int_eq(fl_queue_try_put(&q, &seven), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &eight), 0);
    ck_assert_int_eq(fl_queue_peek(&q, &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_uint_eq(fl_queue_len(&q), 2);
}
END_TEST

static char dump_text[2048];

static void collect(void *ctx, const char *text)
{
    size_t len = strlen(dump_text);
    (void)ctx;
    snprintf(dump_text + len, sizeof dump_text - len, "%s\n", text);
}

START_TEST(the_dump_says_a_task_waits_on_a_set_queue)
{
    worker g;
    worker_init(&g, get_once, 1, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &g.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    dump_text[0] = '\0';
    fl_loop_dump(&loop, collect, NULL);
    ck_assert_msg(strstr(dump_text, "getting from set queue 0x") != NULL, "%s", dump_text);
}
END_TEST

static int hook_puts;

static void on_put(fl_hooks *h, fl_loop *l, fl_queue *hq, const void *item)
{
    (void)h;
    (void)l;
    ck_assert_ptr_eq(hq, &q);
    log_add("hook:%d", *(const int *)item);
    hook_puts++;
}

START_TEST(the_put_hook_sees_only_items_that_went_in)
{
    fl_hooks hooks;
    int one = 1, two = 2;
    memset(&hooks, 0, sizeof hooks);
    hooks.queue_put = on_put;
    fl_loop_set_hooks(&loop, &hooks);
    hook_puts = 0;
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), FL_QUEUE_PRESENT);
    ck_assert_int_eq(fl_queue_try_put(&q, &two), 0);
    ck_assert_int_eq(hook_puts, 2);
    ck_assert_str_eq(log_text(), "hook:1 hook:2");
    fl_loop_set_hooks(&loop, NULL);
}
END_TEST

/* ---- bad input ---------------------------------------------------------- */

static fl_queue zero_q; /* never initialised: all zero */

static fl_cmd misuse(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, &q, NULL);
    log_add("null-item:%d", w->rc);
    FL_QUEUE_PUT_RC(self, w->rc, &zero_q, &w->item);
    log_add("zero-put:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, &zero_q, &w->item);
    log_add("zero-get:%d", w->rc);
    FL_END(self);
}

START_TEST(bad_input_gets_error_codes)
{
    int v = 1;
    worker w;
    char want[96];
    ck_assert_int_eq(fl_set_queue_init(NULL, &loop, storage, sizeof(int), 2, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_set_queue_init(&q, NULL, storage, sizeof(int), 2, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, NULL, sizeof(int), 2, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, storage, 0, 2, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, storage, sizeof(int), 0, NULL), FL_EINVAL);
    ck_assert(!fl_queue_contains(NULL, &v));
    ck_assert_int_eq(fl_set_queue_init(&q, &loop, storage, sizeof(int), 2, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &v), 0);
    ck_assert(!fl_queue_contains(&q, NULL));
    ck_assert_int_eq(fl_queue_try_put(&q, NULL), FL_EINVAL);

    /* An all-zero struct: every call refuses it, none crashes. */
    memset(&zero_q, 0, sizeof zero_q);
    ck_assert_int_eq(fl_queue_try_put(&zero_q, &v), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_get(&zero_q, &v), FL_EINVAL);
    ck_assert_int_eq(fl_queue_peek(&zero_q, &v), FL_EINVAL);
    ck_assert_int_eq(fl_queue_close(&zero_q), FL_EINVAL);
    ck_assert(!fl_queue_contains(&zero_q, &v));
    ck_assert_uint_eq(fl_queue_len(&zero_q), 0);
    ck_assert(!fl_queue_closed(&zero_q));

    worker_init(&w, misuse, 0, 3);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "null-item:%d zero-put:%d zero-get:%d", FL_EINVAL, FL_EINVAL,
             FL_EINVAL);
    ck_assert_str_eq(log_text(), want);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("set_queue");
    TCase *tc = tcase_create("set_queue");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, flowno_test_async_set_queue_put_nowait);
    tcase_add_test(tc, flowno_set_queue_docstring_example);
    tcase_add_test(tc, put_all_adds_each_item_once);
    tcase_add_test(tc, put_of_a_queued_item_returns_at_once_even_when_full);
    tcase_add_test(tc, a_dropped_put_is_not_an_error);
    tcase_add_test(tc, an_item_promised_to_a_woken_getter_is_still_queued);
    tcase_add_test(tc, a_woken_putter_whose_item_came_meanwhile_hands_its_place_on);
    tcase_add_test(tc, a_plain_queue_keeps_duplicates);
    tcase_add_test(tc, the_users_compare_decides_what_is_equal);
    tcase_add_test(tc, pointer_items_compare_by_what_they_point_to);
    tcase_add_test(tc, close_wakes_getters_and_putters_and_keeps_the_items);
    tcase_add_test(tc, for_each_drains_a_closed_set_queue);
    tcase_add_test(tc, a_cancelled_putter_adds_nothing_and_the_next_goes_on);
    tcase_add_test(tc, deadlines_on_set_queue_waits);
    tcase_add_test(tc, waiting_getters_are_served_in_arrival_order);
    tcase_add_test(tc, waiting_putters_are_served_in_arrival_order);
    tcase_add_test(tc, peek_sees_the_oldest_item);
    tcase_add_test(tc, the_dump_says_a_task_waits_on_a_set_queue);
    tcase_add_test(tc, the_put_hook_sees_only_items_that_went_in);
    tcase_add_test(tc, bad_input_gets_error_codes);
    suite_add_tcase(s, tc);
    return s;
}
