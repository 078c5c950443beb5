/* SPDX-License-Identifier: MIT */
/*
 * check_queue.c - fl_queue: Flowno's queue tests (SPSC, MPSC, MPMC, close
 * waking blocked getters and putters), FIFO service of waiters, no item lost
 * to a cancellation, the non-blocking forms, and bad input.
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

typedef struct item {
    int from, seq;
} item;

typedef struct worker {
    fl_task task;
    fl_queue *q;
    int id, n, i, rc;
    item it;
    int got;
} worker;

static void worker_init(worker *w, fl_task_fn fn, fl_queue *q, int id, int n)
{
    memset(w, 0, sizeof *w);
    fl_task_init(&w->task, fn);
    w->q = q;
    w->id = id;
    w->n = n;
}

/* Puts n items (id, 0..n-1), yielding now and then, and counts them. */
static fl_cmd producer(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (w->i = 0; w->i < w->n; w->i++) {
        w->it.from = w->id;
        w->it.seq = w->i;
        FL_QUEUE_PUT(self, w->q, &w->it);
        if (w->i % 3 == 0)
            FL_YIELD(self);
    }
    FL_END(self);
}

/* Seen items: per producer, the next expected sequence number. */
#define MAXP 4
#define MAXN 200
static int next_seq[MAXP];
static unsigned char seen[MAXP][MAXN];
static int total_seen;
static int check_order; /* only meaningful with a single consumer */

static void see(const item *it)
{
    ck_assert_int_ge(it->from, 0);
    ck_assert_int_lt(it->from, MAXP);
    ck_assert_int_ge(it->seq, 0);
    ck_assert_int_lt(it->seq, MAXN);
    ck_assert_int_eq(seen[it->from][it->seq], 0); /* exactly once */
    seen[it->from][it->seq] = 1;
    total_seen++;
}

/* Gets until the queue is closed and drained (Flowno's `async for`). */
static fl_cmd consumer(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
        if (w->rc == FL_ECLOSED)
            break;
        FL_CHECK(self, w->rc);
        see(&w->it);
        /* A single consumer sees each producer's items in order. */
        if (check_order) {
            ck_assert_int_eq(w->it.seq, next_seq[w->it.from]);
            next_seq[w->it.from]++;
        }
        w->got++;
        if (w->got % 4 == 0)
            FL_SLEEP(self, 1);
    }
    FL_END(self);
}

/* Spawns producers and consumers, joins the producers, closes, joins the
 * consumers. */
typedef struct scene {
    fl_task task;
    worker *prod, *cons;
    int np, nc, i;
} scene;

static fl_cmd run_scene(fl_task *self)
{
    scene *s = (scene *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->nc; s->i++)
        FL_SPAWN(self, &s->cons[s->i].task, NULL);
    for (s->i = 0; s->i < s->np; s->i++)
        FL_SPAWN(self, &s->prod[s->i].task, NULL);
    for (s->i = 0; s->i < s->np; s->i++)
        FL_JOIN(self, &s->prod[s->i].task);
    ck_assert_int_eq(fl_queue_close(s->prod[0].q), 0);
    for (s->i = 0; s->i < s->nc; s->i++)
        FL_JOIN(self, &s->cons[s->i].task);
    FL_END(self);
}

static void play(int np, int nc, int per_producer, unsigned capacity)
{
    static item storage[64];
    static worker prod[MAXP], cons[MAXP];
    fl_queue q;
    scene s;
    int i, got = 0;

    memset(next_seq, 0, sizeof next_seq);
    memset(seen, 0, sizeof seen);
    total_seen = 0;
    check_order = nc == 1;
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), capacity), 0);
    for (i = 0; i < np; i++)
        worker_init(&prod[i], producer, &q, i, per_producer);
    for (i = 0; i < nc; i++)
        worker_init(&cons[i], consumer, &q, i, 0);
    memset(&s, 0, sizeof s);
    fl_task_init(&s.task, run_scene);
    s.prod = prod;
    s.cons = cons;
    s.np = np;
    s.nc = nc;
    ck_assert_int_eq(fl_run_until_complete(&loop, &s.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(total_seen, np * per_producer);
    for (i = 0; i < nc; i++) {
        ck_assert(fl_task_finished(&cons[i].task));
        got += cons[i].got;
    }
    ck_assert_int_eq(got, np * per_producer);
    ck_assert_uint_eq(fl_queue_len(&q), 0);
}

START_TEST(spsc_delivers_every_item_in_order)
{
    play(1, 1, 150, 4);
}
END_TEST

START_TEST(mpsc_delivers_every_item_once_in_each_producers_order)
{
    play(3, 1, 100, 5);
}
END_TEST

START_TEST(mpmc_delivers_every_item_exactly_once)
{
    play(4, 3, 120, 16);
}
END_TEST

START_TEST(one_slot_queue_still_delivers_everything)
{
    play(2, 2, 50, 1);
}
END_TEST

/* ---- iteration ------------------------------------------------------------ */

/* Flowno's `async for`: logs each item, sleeping in the body; stops early
 * at seq `n` when n > 0, else runs until the queue is closed and drained. */
static fl_cmd for_each_consumer(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, w->q, &w->it) {
        if (w->n > 0 && w->it.seq == w->n)
            break;
        if (w->it.seq % 2)
            continue;
        log_add("%d@%u", w->it.seq, (unsigned)fp.now);
        FL_SLEEP(self, 1);
    }
    log_add("end");
    FL_END(self);
}

static fl_cmd put_five_then_close(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (w->i = 0; w->i < 5; w->i++) {
        w->it.seq = w->i;
        FL_QUEUE_PUT(self, w->q, &w->it);
    }
    ck_assert_int_eq(fl_queue_close(w->q), 0);
    FL_END(self);
}

START_TEST(for_each_runs_until_the_queue_is_closed_and_drained)
{
    item storage[2];
    fl_queue q;
    worker c, p;
    scene s;
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 2), 0);
    worker_init(&c, for_each_consumer, &q, 0, 0);
    worker_init(&p, put_five_then_close, &q, 0, 0);
    memset(&s, 0, sizeof s);
    fl_task_init(&s.task, run_scene);
    s.prod = &p;
    s.cons = &c;
    s.np = s.nc = 1;
    ck_assert_int_eq(fl_run_until_complete(&loop, &s.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "0@0 2@1 4@2 end");
    ck_assert(fl_task_finished(&c.task));
}
END_TEST

START_TEST(for_each_can_be_left_with_break)
{
    item storage[8];
    fl_queue q;
    worker c;
    int i;
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 8), 0);
    for (i = 0; i < 6; i++) {
        item it = {0, i};
        ck_assert_int_eq(fl_queue_try_put(&q, &it), 0);
    }
    worker_init(&c, for_each_consumer, &q, 0, 3); /* stops at seq 3 */
    ck_assert_int_eq(fl_run_until_complete(&loop, &c.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "0@0 2@1 end");
    ck_assert_uint_eq(fl_queue_len(&q), 2); /* 4 and 5 are still there */
}
END_TEST

/* A cancel while the loop waits for the next item ends the iteration with
 * the error, like FL_QUEUE_GET. */
static worker *victim;

static fl_cmd cancel_the_consumer(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &victim->task, NULL);
    FL_SLEEP(self, 5);
    ck_assert(fl_cancel(&loop, &victim->task));
    FL_JOIN_RC(self, w->rc, &victim->task);
    log_add("join:%d", w->rc);
    FL_END(self);
}

START_TEST(for_each_propagates_a_cancel)
{
    item storage[2];
    fl_queue q;
    worker c, root;
    char expect[32];
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 2), 0);
    worker_init(&c, for_each_consumer, &q, 0, 0);
    victim = &c;
    worker_init(&root, cancel_the_consumer, &q, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "join:%d", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_cancelled(&c.task));
}
END_TEST

/* Flowno's until_empty: take what is there, without waiting. */
START_TEST(until_empty_takes_what_is_there_and_stops)
{
    item storage[4], it;
    fl_queue q;
    int i, n = 0;
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 4), 0);
    for (i = 0; i < 3; i++) {
        it.from = 0;
        it.seq = i;
        ck_assert_int_eq(fl_queue_try_put(&q, &it), 0);
    }
    while (fl_queue_try_get(&q, &it) == 0)
        ck_assert_int_eq(it.seq, n++);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(fl_queue_try_get(&q, &it), FL_EAGAIN);
    /* Flowno's until_empty closes the queue when done: a later get ends. */
    ck_assert_int_eq(fl_queue_close(&q), 0);
    ck_assert_int_eq(fl_queue_try_get(&q, &it), FL_ECLOSED);
    ck_assert_int_eq(fl_queue_try_put(&q, &it), FL_ECLOSED);
}
END_TEST

/* ---- close ---------------------------------------------------------------- */

static fl_cmd get_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
    log_add("g%d:%d", w->id, w->rc == 0 ? w->it.seq : w->rc);
    FL_END(self);
}

static fl_cmd put_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    w->it.from = 0;
    w->it.seq = w->id;
    FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->it);
    log_add("p%d:%d", w->id, w->rc);
    FL_END(self);
}

/* Sleeps, then closes the queue from a task. */
static fl_cmd close_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 10);
    log_add("close");
    fl_queue_close(w->q);
    FL_END(self);
}

START_TEST(close_wakes_a_blocked_getter)
{
    item storage[2];
    fl_queue q;
    worker getter, closer;
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    worker_init(&getter, get_once, &q, 1, 0);
    worker_init(&closer, close_later, &q, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &getter.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &closer.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "close g1:%d", FL_ECLOSED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fp.now, 10);
}
END_TEST

START_TEST(close_wakes_a_blocked_putter_and_keeps_the_items)
{
    item storage[1], out;
    fl_queue q;
    worker putter, closer;
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 1);
    out.from = 9;
    out.seq = 77;
    ck_assert_int_eq(fl_queue_try_put(&q, &out), 0); /* now full */
    worker_init(&putter, put_once, &q, 1, 0);
    worker_init(&closer, close_later, &q, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &putter.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &closer.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "close p1:%d", FL_ECLOSED);
    ck_assert_str_eq(log_text(), expect);
    /* The item put before the close is still there, then the queue ends. */
    ck_assert_int_eq(fl_queue_try_get(&q, &out), 0);
    ck_assert_int_eq(out.seq, 77);
    ck_assert_int_eq(fl_queue_try_get(&q, &out), FL_ECLOSED);
}
END_TEST

static fl_cmd drain_after_close(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
        if (w->rc < 0)
            break;
        log_add("%d", w->it.seq);
    }
    log_add("end:%d", w->rc);
    FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->it);
    log_add("put:%d", w->rc);
    FL_END(self);
}

START_TEST(getters_drain_a_closed_queue_then_see_closed)
{
    item storage[4], it;
    fl_queue q;
    worker w;
    char expect[64];
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 4);
    for (i = 0; i < 3; i++) {
        it.from = 0;
        it.seq = i + 1;
        ck_assert_int_eq(fl_queue_try_put(&q, &it), 0);
    }
    fl_queue_close(&q);
    ck_assert(fl_queue_closed(&q));
    ck_assert_int_eq(fl_queue_try_put(&q, &it), FL_ECLOSED);
    worker_init(&w, drain_after_close, &q, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "1 2 3 end:%d put:%d", FL_ECLOSED, FL_ECLOSED);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

START_TEST(close_from_plain_c_between_runs_wakes_waiters)
{
    item storage[1];
    fl_queue q;
    worker getter;
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 1);
    worker_init(&getter, get_once, &q, 1, 0);
    /* The getter blocks; nothing else can happen: the run says so. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    ck_assert_int_eq(fl_task_state(&getter.task), FL_TASK_WAITING);
    ck_assert_int_eq(fl_queue_close(&q), 0); /* e.g. from a callback */
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "g1:%d", FL_ECLOSED);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- FIFO service ---------------------------------------------------------- */

/* Waits a tick so the waiters are queued, then puts 1..n from plain C. */
static fl_queue *fifo_q;
static int fifo_n;

static fl_cmd put_sequence(fl_task *self)
{
    static int i;
    static item it;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    for (i = 1; i <= fifo_n; i++) {
        it.from = 0;
        it.seq = i;
        FL_QUEUE_PUT(self, fifo_q, &it);
    }
    FL_END(self);
}

START_TEST(waiting_getters_are_served_in_arrival_order)
{
    item storage[8];
    fl_queue q;
    worker g[3];
    fl_task feeder;
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 8);
    fifo_q = &q;
    fifo_n = 3;
    for (i = 0; i < 3; i++) {
        worker_init(&g[i], get_once, &q, i, 0);
        ck_assert_int_eq(fl_spawn(&loop, &g[i].task, NULL), 0);
    }
    fl_task_init(&feeder, put_sequence);
    ck_assert_int_eq(fl_run_until_complete(&loop, &feeder, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "g0:1 g1:2 g2:3");
}
END_TEST

static fl_cmd get_all_and_log(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1); /* let the putters block first */
    for (w->i = 0; w->i < w->n; w->i++) {
        FL_QUEUE_GET(self, w->q, &w->it);
        log_add("%d", w->it.seq);
    }
    FL_END(self);
}

START_TEST(waiting_putters_are_served_in_arrival_order)
{
    item storage[1];
    fl_queue q;
    worker p[4], getter;
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 1);
    for (i = 0; i < 4; i++) {
        worker_init(&p[i], put_once, &q, i + 1, 0);
        ck_assert_int_eq(fl_spawn(&loop, &p[i].task, NULL), 0);
    }
    worker_init(&getter, get_all_and_log, &q, 0, 4);
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    /* p1 fits at once; p2..p4 wait and are let in one by one, in order. */
    ck_assert_str_eq(log_text(), "p1:0 1 p2:0 2 p3:0 3 p4:0 4");
}
END_TEST

/* ---- no item lost to a cancellation ---------------------------------------- */

static fl_cmd cancel_then_put(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    ck_assert(fl_cancel(&loop, &w[1].task)); /* the first getter, waiting */
    w->it.from = 0;
    w->it.seq = 42;
    FL_QUEUE_PUT(self, w->q, &w->it);
    FL_END(self);
}

START_TEST(item_meant_for_a_cancelled_getter_goes_to_the_next)
{
    item storage[2];
    fl_queue q;
    worker w[3]; /* w[0] the canceller, w[1] and w[2] getters */
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    worker_init(&w[0], cancel_then_put, &q, 0, 0);
    worker_init(&w[1], get_once, &q, 1, 0);
    worker_init(&w[2], get_once, &q, 2, 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[2].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "g1:%d g2:42", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 0);
}
END_TEST

/* Cancels the newest waiting getter, then one between two others, then
 * puts three items: a waiter leaves its list from anywhere. */
static fl_cmd cancel_newest_and_middle_then_put(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    ck_assert(fl_cancel(&loop, &w[4].task)); /* the newest */
    ck_assert(fl_cancel(&loop, &w[2].task)); /* between w[1] and w[3] */
    for (w->i = 0; w->i < 3; w->i++) {
        w->it.seq = 10 + w->i;
        FL_QUEUE_PUT(self, w->q, &w->it);
    }
    FL_END(self);
}

START_TEST(getters_cancelled_at_the_end_and_in_the_middle_leave_the_rest_in_order)
{
    item storage[4];
    fl_queue q;
    worker w[5]; /* w[0] the canceller, w[1]..w[4] getters, oldest first */
    char expect[64];
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 4);
    worker_init(&w[0], cancel_newest_and_middle_then_put, &q, 0, 0);
    for (i = 1; i <= 4; i++) {
        worker_init(&w[i], get_once, &q, i, 0);
        ck_assert_int_eq(fl_spawn(&loop, &w[i].task, NULL), 0);
    }
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "g4:%d g2:%d g1:10 g3:11", FL_ECANCELLED, FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 1); /* the third item: nobody left */
    ck_assert_uint_eq(q.getters.last, FL_SLOT_NONE);
}
END_TEST

/* Puts an item (waking the getter with a reservation) and cancels the
 * getter before it has run: it must still take the item. */
static fl_cmd put_then_cancel(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    w->it.from = 0;
    w->it.seq = 7;
    FL_QUEUE_PUT(self, w->q, &w->it);
    ck_assert_int_eq(fl_task_state(&w[1].task), FL_TASK_READY);
    ck_assert(fl_cancel(&loop, &w[1].task));
    FL_END(self);
}

/* Gets once, then sleeps: the cancellation lands at the sleep. */
static fl_cmd get_then_sleep(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
    log_add("got:%d/%d", w->rc, w->it.seq);
    FL_SLEEP_RC(self, w->rc, 100);
    log_add("sleep:%d", w->rc);
    FL_END(self);
}

START_TEST(getter_cancelled_after_its_wakeup_still_takes_its_item)
{
    item storage[2];
    fl_queue q;
    worker w[2];
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    worker_init(&w[0], put_then_cancel, &q, 0, 0);
    worker_init(&w[1], get_then_sleep, &q, 1, 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "got:0/7 sleep:%d", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 0);
    ck_assert_uint_eq(q.get_reserved, 0);
}
END_TEST

/* Cancels the first waiting putter, then takes everything. */
static fl_cmd cancel_putter_then_drain(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    ck_assert(fl_cancel(&loop, &w[1].task));
    for (w->i = 0; w->i < 2; w->i++) {
        FL_QUEUE_GET(self, w->q, &w->it);
        log_add("%d", w->it.seq);
    }
    FL_END(self);
}

START_TEST(cancelled_putter_adds_nothing_and_the_next_goes_on)
{
    item storage[1], first = {0, 100};
    fl_queue q;
    worker w[3];
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 1);
    ck_assert_int_eq(fl_queue_try_put(&q, &first), 0);
    worker_init(&w[0], cancel_putter_then_drain, &q, 0, 0);
    worker_init(&w[1], put_once, &q, 1, 0);
    worker_init(&w[2], put_once, &q, 2, 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[2].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    /* The canceller's first get is answered at once, before p1 runs. */
    snprintf(expect, sizeof expect, "100 p1:%d p2:0 2", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 0);
}
END_TEST

/* ---- non-blocking forms and peek -------------------------------------------- */

START_TEST(try_forms_and_peek_answer_without_waiting)
{
    int storage[3], v = 0, i;
    fl_queue q;
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(int), 3), 0);
    ck_assert_int_eq(fl_queue_try_get(&q, &v), FL_EAGAIN);
    ck_assert_int_eq(fl_queue_peek(&q, &v), FL_EAGAIN);
    for (i = 1; i <= 3; i++)
        ck_assert_int_eq(fl_queue_try_put(&q, &i), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &i), FL_EAGAIN);
    ck_assert_uint_eq(fl_queue_len(&q), 3);
    ck_assert_int_eq(fl_queue_peek(&q, &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_uint_eq(fl_queue_len(&q), 3);
    /* Wrap around the ring a few times. */
    for (i = 4; i < 20; i++) {
        ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
        ck_assert_int_eq(v, i - 3);
        ck_assert_int_eq(fl_queue_try_put(&q, &i), 0);
    }
    ck_assert_int_eq(fl_queue_close(&q), 0);
    ck_assert_int_eq(fl_queue_close(&q), 0); /* twice is harmless */
    for (i = 17; i < 20; i++) {
        ck_assert_int_eq(fl_queue_try_get(&q, &v), 0);
        ck_assert_int_eq(v, i);
    }
    ck_assert_int_eq(fl_queue_try_get(&q, &v), FL_ECLOSED);
    ck_assert_int_eq(fl_queue_peek(&q, &v), FL_ECLOSED);
}
END_TEST

/* Waits in peek until an item comes; the item stays for the getter. */
static fl_cmd peek_then_get(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PEEK(self, w->q, &w->it);
    log_add("peek:%d", w->it.seq);
    ck_assert_uint_eq(fl_queue_len(w->q), 1);
    FL_QUEUE_GET(self, w->q, &w->it);
    log_add("get:%d", w->it.seq);
    FL_END(self);
}

START_TEST(peek_waits_for_an_item_and_leaves_it)
{
    item storage[2];
    fl_queue q;
    worker peeker;
    fl_task feeder;
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    fifo_q = &q;
    fifo_n = 1;
    worker_init(&peeker, peek_then_get, &q, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &peeker.task, NULL), 0);
    fl_task_init(&feeder, put_sequence);
    ck_assert_int_eq(fl_run_until_complete(&loop, &feeder, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "peek:1 get:1");
}
END_TEST

/* Peeks once and says what it saw. */
static fl_cmd peek_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PEEK(self, w->q, &w->it);
    log_add("p%d:%d", w->id, w->it.seq);
    FL_END(self);
}

/* Three peekers wait; then one item comes. */
static item peeked_item = {0, 7};
static fl_cmd peekers_then_one_put(fl_task *self)
{
    scene *s = (scene *)self;
    fl_queue *q = s->cons[0].q;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->nc; s->i++)
        FL_SPAWN(self, &s->cons[s->i].task, NULL);
    FL_YIELD(self); /* they all wait */
    ck_assert_uint_eq(q->peekers.last, s->cons[s->nc - 1].task.slot); /* the last */
    FL_QUEUE_PUT(self, q, &peeked_item);
    ck_assert_uint_eq(q->peekers.last, FL_SLOT_NONE);
    for (s->i = 0; s->i < s->nc; s->i++)
        FL_JOIN(self, &s->cons[s->i].task);
    FL_END(self);
}

START_TEST(a_put_wakes_every_peeker_oldest_first)
{
    item storage[2], it;
    fl_queue q;
    worker peekers[3];
    scene s;
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    for (i = 0; i < 3; i++)
        worker_init(&peekers[i], peek_once, &q, i + 1, 0);
    memset(&s, 0, sizeof s);
    fl_task_init(&s.task, peekers_then_one_put);
    s.cons = peekers;
    s.nc = 3;
    ck_assert_int_eq(fl_run_until_complete(&loop, &s.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "p1:7 p2:7 p3:7");
    ck_assert_uint_eq(fl_queue_len(&q), 1); /* a peek leaves the item */
    ck_assert_int_eq(fl_queue_try_get(&q, &it), 0);
    ck_assert_int_eq(it.seq, 7);
}
END_TEST

START_TEST(plain_c_cannot_take_an_item_promised_to_a_waiter)
{
    item storage[2], it = {0, 5};
    fl_queue q;
    worker getter;
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    worker_init(&getter, get_once, &q, 1, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    ck_assert_int_eq(fl_queue_try_put(&q, &it), 0); /* wakes the getter */
    ck_assert_int_eq(fl_queue_try_get(&q, &it), FL_EAGAIN);
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "g1:5");
}
END_TEST

START_TEST(items_are_copied_whole)
{
    struct big {
        char text[24];
        double x;
    } storage[2], in, out;
    fl_queue q;
    fl_queue_init(&q, &loop, storage, sizeof(struct big), 2);
    memset(&in, 0, sizeof in);
    strcpy(in.text, "twenty-three characters");
    in.x = 2.5;
    ck_assert_int_eq(fl_queue_try_put(&q, &in), 0);
    memset(&in, 0, sizeof in);
    ck_assert_int_eq(fl_queue_try_get(&q, &out), 0);
    ck_assert_str_eq(out.text, "twenty-three characters");
    ck_assert(out.x == 2.5);
}
END_TEST

/* ---- bad input ------------------------------------------------------------- */

static fl_cmd misuse(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, w->q, NULL);
    log_add("null-item:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, (fl_queue *)NULL, &w->it);
    log_add("null-queue:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, w->q + 1, &w->it); /* another loop's queue */
    log_add("foreign:%d", w->rc);
    FL_END(self);
}

START_TEST(bad_input_gets_error_codes)
{
    item storage[2];
    fl_queue qs[2];
    fl_loop other;
    worker w;
    char expect[96];
    ck_assert_int_eq(fl_queue_init(NULL, &loop, storage, sizeof(item), 2), FL_EINVAL);
    ck_assert_int_eq(fl_queue_init(&qs[0], NULL, storage, sizeof(item), 2), FL_EINVAL);
    ck_assert_int_eq(fl_queue_init(&qs[0], &loop, NULL, sizeof(item), 2), FL_EINVAL);
    ck_assert_int_eq(fl_queue_init(&qs[0], &loop, storage, 0, 2), FL_EINVAL);
    ck_assert_int_eq(fl_queue_init(&qs[0], &loop, storage, sizeof(item), 0), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_put(NULL, storage), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_get(NULL, storage), FL_EINVAL);
    ck_assert_int_eq(fl_queue_peek(NULL, storage), FL_EINVAL);
    ck_assert_int_eq(fl_queue_close(NULL), FL_EINVAL);
    ck_assert_uint_eq(fl_queue_len(NULL), 0);
    ck_assert(!fl_queue_closed(NULL));

    ck_assert_int_eq(fl_queue_init(&qs[0], &loop, storage, sizeof(item), 2), 0);
    ck_assert_int_eq(fl_queue_try_put(&qs[0], NULL), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_get(&qs[0], NULL), FL_EINVAL);
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    ck_assert_int_eq(fl_queue_init(&qs[1], &other, storage, sizeof(item), 2), 0);
    worker_init(&w, misuse, &qs[0], 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "null-item:%d null-queue:%d foreign:%d", FL_EINVAL,
             FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* A queue nobody initialised (a static one, all zero): every entry point
 * answers FL_EINVAL, from plain C and from a task, and nothing crashes. */
static fl_queue zero_q;

static fl_cmd use_zero_queue(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, &zero_q, &w->it);
    log_add("put:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, &zero_q, &w->it);
    log_add("get:%d", w->rc);
    FL_QUEUE_PEEK_RC(self, w->rc, &zero_q, &w->it);
    log_add("peek:%d", w->rc);
    FL_QUEUE_FOR_EACH(self, &zero_q, &w->it) {
        log_add("item");
    }
    FL_END(self);
}

START_TEST(an_uninitialised_queue_is_refused_everywhere)
{
    item it = {0, 0};
    worker w;
    char expect[96];
    memset(&zero_q, 0, sizeof zero_q);
    ck_assert_int_eq(fl_queue_try_put(&zero_q, &it), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_get(&zero_q, &it), FL_EINVAL);
    ck_assert_int_eq(fl_queue_peek(&zero_q, &it), FL_EINVAL);
    ck_assert_int_eq(fl_queue_close(&zero_q), FL_EINVAL);
    ck_assert_uint_eq(fl_queue_len(&zero_q), 0);
    ck_assert(!fl_queue_closed(&zero_q));
    worker_init(&w, use_zero_queue, &zero_q, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), FL_EINVAL);
    snprintf(expect, sizeof expect, "put:%d get:%d peek:%d", FL_EINVAL, FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- commands answered at once -------------------------------------------- */

/* A put and a get that need no wait are answered as the loop would answer
 * them (at -O2 inside the task: FL_QUEUE_IN_TASK_), so a cancel that is
 * pending lands there, another loop's queue is refused although it has
 * room and an item, and attached hooks see both commands. */
static fl_cmd put_or_get_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    if (w->n == 0)
        FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->it);
    else
        FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
    log_add("%s:%d", w->n == 0 ? "put" : "get", w->rc);
    FL_END(self);
}

START_TEST(a_pending_cancel_lands_at_a_put_or_get_that_needs_no_wait)
{
    item storage[2], one = {1, 1};
    fl_queue q;
    worker w[2];
    char expect[64];
    int i;
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    for (i = 0; i < 2; i++) {
        worker_init(&w[i], put_or_get_once, &q, i, i); /* w[0] puts, w[1] gets */
        ck_assert_int_eq(fl_spawn(&loop, &w[i].task, NULL), 0);
        ck_assert(fl_cancel(&loop, &w[i].task)); /* ready: pending until it suspends */
    }
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[1].task, 0, 0, NULL), 0);
    snprintf(expect, sizeof expect, "put:%d get:%d", FL_ECANCELLED, FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 1); /* nothing went in or out */
    ck_assert_int_eq(w[1].it.seq, 0);
}
END_TEST

static fl_cmd use_foreign_queue(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
    log_add("get:%d", w->rc);
    FL_QUEUE_PEEK_RC(self, w->rc, w->q, &w->it);
    log_add("peek:%d", w->rc);
    FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->it);
    log_add("put:%d", w->rc);
    FL_END(self);
}

START_TEST(another_loops_queue_is_refused_though_it_has_room_and_an_item)
{
    item storage[4], one = {9, 9};
    fl_queue q;
    fl_loop other;
    worker w;
    char expect[64];
    ck_assert_int_eq(fl_loop_init(&other, &fp.port), 0);
    fl_queue_init(&q, &other, storage, sizeof(item), 4);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0);
    worker_init(&w, use_foreign_queue, &q, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "get:%d peek:%d put:%d", FL_EINVAL, FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
    ck_assert_int_eq(w.it.seq, 0); /* nothing copied out */
}
END_TEST

static fl_cmd put_then_get(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    w->it.seq = 5;
    FL_QUEUE_PUT_RC(self, w->rc, w->q, &w->it);
    log_add("put:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, w->q, &w->it);
    log_add("get:%d", w->rc);
    FL_END(self);
}

static void on_step_end_op(fl_hooks *h, fl_loop *l, fl_task *t, const fl_cmd *cmd)
{
    (void)h;
    (void)l;
    (void)t;
    if (cmd->op == FL_OP_QUEUE_PUT || cmd->op == FL_OP_QUEUE_GET)
        log_add(cmd->op == FL_OP_QUEUE_PUT ? "PUT" : "GET");
}

START_TEST(hooks_see_queue_commands_answered_at_once)
{
    static fl_hooks step_hooks;
    item storage[2];
    fl_queue q;
    worker w;
    char expect[64];
    fl_queue_init(&q, &loop, storage, sizeof(item), 2);
    worker_init(&w, put_then_get, &q, 0, 0);
    memset(&step_hooks, 0, sizeof step_hooks);
    step_hooks.step_end = on_step_end_op;
    fl_loop_set_hooks(&loop, &step_hooks);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    fl_loop_set_hooks(&loop, NULL);
    snprintf(expect, sizeof expect, "PUT put:0 GET get:0");
    ck_assert_str_eq(log_text(), expect);
    ck_assert_int_eq(w.it.seq, 5);
}
END_TEST

/* A NULL queue or a NULL item pointer in each waiting form, and a NULL
 * item for a plain peek: FL_EINVAL, and the queue is untouched. */
static fl_cmd null_queue_or_item(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, (fl_queue *)NULL, &w->it);
    log_add("put-no-queue:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, w->q, NULL);
    log_add("get-no-item:%d", w->rc);
    FL_QUEUE_PEEK_RC(self, w->rc, w->q, NULL);
    log_add("peek-no-item:%d", w->rc);
    FL_END(self);
}

START_TEST(a_null_queue_or_item_is_refused_in_every_form)
{
    item storage[2], it = {1, 2};
    fl_queue q;
    worker w;
    char expect[96];
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 2), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &it), 0);
    ck_assert_int_eq(fl_queue_peek(&q, NULL), FL_EINVAL);
    worker_init(&w, null_queue_or_item, &q, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "put-no-queue:%d get-no-item:%d peek-no-item:%d", FL_EINVAL,
             FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
    ck_assert_int_eq(fl_queue_try_get(&q, &it), 0);
    ck_assert_int_eq(it.from, 1);
}
END_TEST

/* The retries a woken waiter makes, sent by hand when nothing was set
 * aside for the task: each is refused (FL_EINVAL) and changes nothing.
 * Neither takes the item or the place of a waiter woken for it, nor
 * waits (a retry has no list of its own). */
static fl_cmd retries_without_reservation(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    self->wait.item = &w->it;
    FL_AWAIT_RC(self, w->rc, fl_cmd_(FL_OP_QUEUE_GET_RESERVED, w->q));
    log_add("get:%d", w->rc);
    self->wait.item = &w->it;
    FL_AWAIT_RC(self, w->rc, fl_cmd_(FL_OP_QUEUE_PUT_RESERVED, w->q));
    log_add("put:%d", w->rc);
    FL_END(self);
}

START_TEST(a_retry_sent_by_hand_is_refused_and_changes_nothing)
{
    item storage[1], one = {1, 1}, other = {2, 2};
    fl_queue q;
    worker w;
    char expect[32];
    ck_assert_int_eq(fl_queue_init(&q, &loop, storage, sizeof(item), 1), 0);
    ck_assert_int_eq(fl_queue_try_put(&q, &one), 0); /* full */
    worker_init(&w, retries_without_reservation, &q, 0, 0);
    w.it = other;
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "get:%d put:%d", FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(fl_queue_len(&q), 1);
    ck_assert_int_eq(fl_queue_try_put(&q, &other), FL_EAGAIN); /* still full */
    ck_assert_int_eq(fl_queue_try_get(&q, &w.it), 0);
    ck_assert_int_eq(w.it.seq, 1); /* the item put first, kept */
    ck_assert_int_eq(fl_queue_try_get(&q, &w.it), FL_EAGAIN);
    ck_assert_int_eq(fl_queue_try_put(&q, &other), 0); /* nothing left promised */
    ck_assert_int_eq(fl_queue_try_get(&q, &w.it), 0);
    ck_assert_int_eq(w.it.seq, 2);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, spsc_delivers_every_item_in_order);
    tcase_add_test(tc, mpsc_delivers_every_item_once_in_each_producers_order);
    tcase_add_test(tc, mpmc_delivers_every_item_exactly_once);
    tcase_add_test(tc, one_slot_queue_still_delivers_everything);
    tcase_add_test(tc, for_each_runs_until_the_queue_is_closed_and_drained);
    tcase_add_test(tc, for_each_can_be_left_with_break);
    tcase_add_test(tc, for_each_propagates_a_cancel);
    tcase_add_test(tc, until_empty_takes_what_is_there_and_stops);
    tcase_add_test(tc, close_wakes_a_blocked_getter);
    tcase_add_test(tc, close_wakes_a_blocked_putter_and_keeps_the_items);
    tcase_add_test(tc, getters_drain_a_closed_queue_then_see_closed);
    tcase_add_test(tc, close_from_plain_c_between_runs_wakes_waiters);
    tcase_add_test(tc, waiting_getters_are_served_in_arrival_order);
    tcase_add_test(tc, waiting_putters_are_served_in_arrival_order);
    tcase_add_test(tc, item_meant_for_a_cancelled_getter_goes_to_the_next);
    tcase_add_test(tc, getters_cancelled_at_the_end_and_in_the_middle_leave_the_rest_in_order);
    tcase_add_test(tc, getter_cancelled_after_its_wakeup_still_takes_its_item);
    tcase_add_test(tc, cancelled_putter_adds_nothing_and_the_next_goes_on);
    tcase_add_test(tc, try_forms_and_peek_answer_without_waiting);
    tcase_add_test(tc, peek_waits_for_an_item_and_leaves_it);
    tcase_add_test(tc, a_put_wakes_every_peeker_oldest_first);
    tcase_add_test(tc, plain_c_cannot_take_an_item_promised_to_a_waiter);
    tcase_add_test(tc, items_are_copied_whole);
    tcase_add_test(tc, bad_input_gets_error_codes);
    tcase_add_test(tc, an_uninitialised_queue_is_refused_everywhere);
    tcase_add_test(tc, a_null_queue_or_item_is_refused_in_every_form);
    tcase_add_test(tc, a_pending_cancel_lands_at_a_put_or_get_that_needs_no_wait);
    tcase_add_test(tc, another_loops_queue_is_refused_though_it_has_room_and_an_item);
    tcase_add_test(tc, hooks_see_queue_commands_answered_at_once);
    tcase_add_test(tc, a_retry_sent_by_hand_is_refused_and_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}
