/* SPDX-License-Identifier: MIT */
/*
 * check_map_queue.c - map queues (Flowno's AsyncMapQueue): its docstring
 * example, keys in first-put order with their values in put order, a put
 * of a queued key answered at once (even when full), the value bound of an
 * entry (FL_ENOSPC, nothing lost), values that reach a woken getter, a
 * woken putter whose key came meanwhile, the user's key compare, close and
 * drain, cancellation, deadlines, FIFO waiters, peek, the dump, the hooks
 * and bad input.
 */
#include <stdio.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;

/* Most scenes: int keys, int values, up to 3 values a key. */
typedef FL_MAP_ENTRY(int, int, 3) entry;

static fl_map_queue mq;
static entry storage[4];

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    memset(storage, 0, sizeof storage);
    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, storage, 4, entry, NULL), 0);
}

static entry pair(int key, int value)
{
    entry e;
    memset(&e, 0, sizeof e);
    e.key = key;
    e.values[0] = value;
    e.count = 1;
    return e;
}

static int try_put(int key, int value)
{
    entry e = pair(key, value);
    return fl_queue_try_put(&mq.queue, &e);
}

/* Keys 1..4 with values 10..40: every place taken. */
static void fill(void)
{
    int k;
    for (k = 1; k <= 4; k++)
        ck_assert_int_eq(try_put(k, k * 10), 0);
}

/* "key:v,v" for an entry, appended to the log. */
static void log_entry(const entry *e)
{
    char text[64];
    int n, i;
    n = snprintf(text, sizeof text, "%d:", e->key);
    for (i = 0; i < e->count && n < (int)sizeof text; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, i == 0 ? "%d" : ",%d", e->values[i]);
    log_add("%s", text);
}

typedef struct worker {
    fl_task task;
    int id, rc, i, n;
    entry in, out;
    struct worker *others;
} worker;

static void worker_init(worker *w, fl_task_fn fn, int id, int key, int value)
{
    memset(w, 0, sizeof *w);
    fl_task_init(&w->task, fn);
    w->id = id;
    w->in = pair(key, value);
}

static fl_cmd put_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, &mq.queue, &w->in);
    log_add("p%d:%d@%u", w->id, w->rc, (unsigned)fp.now);
    FL_END(self);
}

static fl_cmd get_once(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET_RC(self, w->rc, &mq.queue, &w->out);
    if (w->rc == 0)
        log_entry(&w->out);
    else
        log_add("g%d:%d", w->id, w->rc);
    FL_END(self);
}

/* ---- Flowno's docstring example ----------------------------------------- */

/* AsyncMapQueue's docstring: the same key put twice with different reasons
 * keeps one place; len counts the keys; get returns a key with every cause
 * put under it, in order. */
typedef char node_name[8];
typedef FL_MAP_ENTRY(node_name, const char *, 4) cause_entry;

static fl_map_queue causes;
static cause_entry cause_storage[4];

static void set_cause(cause_entry *e, const char *node, const char *cause)
{
    memset(e, 0, sizeof *e); /* keys compare as bytes: zero the padding */
    strcpy(e->key, node);
    e->values[0] = cause;
    e->count = 1;
}

static void log_causes(const cause_entry *e)
{
    char text[160];
    int n, i;
    n = snprintf(text, sizeof text, "%s [", e->key);
    for (i = 0; i < e->count; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s'%s'", i ? ", " : "", e->values[i]);
    snprintf(text + n, sizeof text - (size_t)n, "]");
    log_add("%s", text);
}

typedef struct example {
    fl_task task;
    cause_entry in, out;
} example;

static fl_cmd map_queue_example(fl_task *self)
{
    example *x = (example *)self;
    FL_BEGIN(self);
    set_cause(&x->in, "node1", "completed generation (0,)");
    FL_QUEUE_PUT(self, &causes.queue, &x->in);
    set_cause(&x->in, "node2", "barrier released");
    FL_QUEUE_PUT(self, &causes.queue, &x->in);
    set_cause(&x->in, "node1", "received stalled request");
    FL_QUEUE_PUT(self, &causes.queue, &x->in);

    log_add("%u", fl_queue_len(&causes.queue)); /* 2: node1, node2 */

    FL_QUEUE_GET(self, &causes.queue, &x->out);
    log_causes(&x->out);
    FL_QUEUE_GET(self, &causes.queue, &x->out);
    log_causes(&x->out);
    FL_RETURN(self, 7);
    FL_END(self);
}

START_TEST(flowno_map_queue_docstring_example)
{
    example x;
    fl_value result = 0;
    ck_assert_int_eq(fl_map_queue_init(&causes, &loop, cause_storage, 4, cause_entry, NULL), 0);
    memset(&x, 0, sizeof x);
    fl_task_init(&x.task, map_queue_example);
    ck_assert_int_eq(fl_run_until_complete(&loop, &x.task, FL_RUN_JOIN, 0, &result), 0);
    ck_assert_str_eq(log_text(),
                     "2 node1 ['completed generation (0,)', 'received stalled request'] "
                     "node2 ['barrier released']");
    ck_assert_int_eq(result, 7);
}
END_TEST

/* ---- order and grouping ------------------------------------------------- */

START_TEST(keys_come_out_in_first_put_order_with_their_values_in_put_order)
{
    entry out;
    ck_assert_int_eq(try_put(1, 10), 0);
    ck_assert_int_eq(try_put(2, 20), 0);
    ck_assert_int_eq(try_put(1, 11), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(3, 30), 0);
    ck_assert_int_eq(try_put(2, 21), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(1, 12), FL_QUEUE_PRESENT);
    ck_assert_uint_eq(fl_queue_len(&mq.queue), 3);
    while (fl_queue_try_get(&mq.queue, &out) == 0)
        log_entry(&out);
    ck_assert_str_eq(log_text(), "1:10,11,12 2:20,21 3:30");
    /* A key that was taken starts again at the back. */
    ck_assert_int_eq(try_put(4, 40), 0);
    ck_assert_int_eq(try_put(1, 13), 0);
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    ck_assert_int_eq(out.key, 4);
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    ck_assert_int_eq(out.key, 1);
    ck_assert_int_eq(out.count, 1);
    ck_assert_int_eq(out.values[0], 13);
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), FL_EAGAIN);
}
END_TEST

START_TEST(contains_asks_for_a_key)
{
    int key = 5;
    ck_assert(!fl_queue_contains(&mq.queue, &key));
    ck_assert_int_eq(try_put(5, 50), 0);
    ck_assert(fl_queue_contains(&mq.queue, &key));
    key = 50; /* a value is not a key */
    ck_assert(!fl_queue_contains(&mq.queue, &key));
}
END_TEST

/* A put of several values at once: they join the key's entry together. */
START_TEST(an_entry_put_with_several_values_adds_them_all_or_none)
{
    entry in = pair(1, 10), out;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), 0);
    in.values[0] = 11;
    in.values[1] = 12;
    in.count = 2;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), FL_QUEUE_PRESENT);
    in.values[0] = 13;
    in.count = 1;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), FL_ENOSPC); /* 3 is the most */
    in.key = 2;
    in.values[0] = 20;
    in.values[1] = 21;
    in.values[2] = 22;
    in.count = 3;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), 0); /* a new key, full at once */
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    log_entry(&out);
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    log_entry(&out);
    ck_assert_str_eq(log_text(), "1:10,11,12 2:20,21,22");
}
END_TEST

/* ---- capacities --------------------------------------------------------- */

START_TEST(a_put_of_a_queued_key_returns_at_once_even_when_full)
{
    worker known, fresh;
    char want[64];
    fill();
    ck_assert_int_eq(try_put(2, 21), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(5, 50), FL_EAGAIN);
    worker_init(&fresh, put_once, 5, 5, 50);
    worker_init(&known, put_once, 3, 3, 31);
    ck_assert_int_eq(fl_spawn(&loop, &fresh.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &known.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0,
                                           NULL), 0);
    snprintf(want, sizeof want, "p3:%d@0", FL_QUEUE_PRESENT);
    ck_assert_str_eq(log_text(), want);
    ck_assert_int_eq(fl_task_state(&fresh.task), FL_TASK_WAITING); /* a new key waits */
    ck_assert_uint_eq(fl_queue_len(&mq.queue), 4);
}
END_TEST

/* A key's entry holds three values: a fourth is refused, by the
 * non-blocking and the waiting put alike, and neither the queued entry nor
 * the putter's is changed. */
START_TEST(a_full_entry_refuses_more_values_and_loses_none)
{
    worker p;
    entry out;
    char want[64];
    ck_assert_int_eq(try_put(1, 10), 0);
    ck_assert_int_eq(try_put(1, 11), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(1, 12), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(1, 13), FL_ENOSPC);
    worker_init(&p, put_once, 1, 1, 14);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "p1:%d@0", FL_ENOSPC);
    ck_assert_str_eq(log_text(), want);
    ck_assert_int_eq(p.in.values[0], 14); /* still the caller's */
    ck_assert_int_eq(p.in.count, 1);
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    ck_assert_int_eq(out.count, 3);
    ck_assert_int_eq(out.values[2], 12);
    /* Once the entry is taken, the same key starts a new one. */
    ck_assert_int_eq(try_put(1, 13), 0);
}
END_TEST

START_TEST(a_count_of_zero_or_past_the_array_is_refused)
{
    entry in = pair(1, 10);
    in.count = 0;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), FL_EINVAL);
    in.count = 4;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), FL_EINVAL);
    ck_assert_uint_eq(fl_queue_len(&mq.queue), 0);
    in.count = 1;
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), 0);
    in.count = 0; /* also when the key is queued */
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, &in), FL_EINVAL);
}
END_TEST

/* ---- woken waiters ------------------------------------------------------ */

/* A key promised to a woken getter is still queued: values put before the
 * getter runs go into the entry it takes (in Flowno the map entry stays
 * until the getter pops it). */
START_TEST(values_put_before_a_woken_getter_runs_reach_it)
{
    worker g;
    worker_init(&g, get_once, 1, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &g.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    ck_assert_int_eq(try_put(7, 70), 0); /* wakes the getter */
    ck_assert_int_eq(fl_task_state(&g.task), FL_TASK_READY);
    ck_assert_int_eq(try_put(7, 71), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(8, 80), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &g.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "7:70,71");
    ck_assert_uint_eq(fl_queue_len(&mq.queue), 1);
}
END_TEST

/* Two putters wait with the same new key in a full queue.  The first
 * starts its entry; the second adds its value to it and hands its place
 * to the next putter. */
static fl_cmd take_two(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    FL_QUEUE_GET(self, &mq.queue, &w->out);
    log_entry(&w->out);
    FL_QUEUE_GET(self, &mq.queue, &w->out);
    log_entry(&w->out);
    FL_END(self);
}

/* The scene of both: putters a and b wait with key 9 in a full queue
 * (a with `a_values` values), c with key 6; two gets let a and b in.
 * `outcome_b` is what b is answered; `left` what the queue then holds. */
static void two_putters_of_one_key(int a_values, int outcome_b, const char *left)
{
    worker a, b, c, getter;
    entry out;
    char want[96];
    fill();
    worker_init(&a, put_once, 1, 9, 90);
    a.in.values[1] = 91;
    a.in.values[2] = 92;
    a.in.count = (uint8_t)a_values;
    worker_init(&b, put_once, 2, 9, 93);
    worker_init(&c, put_once, 3, 6, 60);
    worker_init(&getter, take_two, 0, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &a.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &b.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &c.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    /* c came in: without b's place it would wait with a place free. */
    snprintf(want, sizeof want, "1:10 2:20 p1:0@1 p2:%d@1 p3:0@1", outcome_b);
    ck_assert_str_eq(log_text(), want);
    ck_assert_uint_eq(mq.queue.put_reserved, 0);
    ck_assert_int_eq(b.in.values[0], 93); /* still b's, whatever came of it */
    log_reset();
    while (fl_queue_try_get(&mq.queue, &out) == 0)
        log_entry(&out);
    ck_assert_str_eq(log_text(), left);
}

/* b adds its value to a's new entry and leaves its place to c. */
START_TEST(a_woken_putter_whose_key_came_meanwhile_joins_it_and_hands_its_place_on)
{
    two_putters_of_one_key(1, FL_QUEUE_PRESENT, "3:30 4:40 9:90,93 6:60");
}
END_TEST

/* a fills the entry: b is refused with FL_ENOSPC and still leaves its
 * place to c. */
START_TEST(a_woken_putter_refused_by_a_full_entry_hands_its_place_on)
{
    two_putters_of_one_key(3, FL_ENOSPC, "3:30 4:40 9:90,91,92 6:60");
}
END_TEST

/* ---- equality ----------------------------------------------------------- */

/* Keys are strings by pointer; the same text is the same key. */
typedef FL_MAP_ENTRY(const char *, int, 2) named_entry;

static bool same_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b) == 0;
}

START_TEST(the_users_compare_decides_which_keys_are_equal)
{
    named_entry slots[2], in, out;
    fl_map_queue nq;
    char copy[8];
    ck_assert_int_eq(fl_map_queue_init(&nq, &loop, slots, 2, named_entry, same_name), 0);
    memset(&in, 0, sizeof in);
    in.key = "alpha";
    in.values[0] = 1;
    in.count = 1;
    ck_assert_int_eq(fl_queue_try_put(&nq.queue, &in), 0);
    strcpy(copy, "alpha");
    in.key = copy; /* another pointer, the same name */
    in.values[0] = 2;
    ck_assert_int_eq(fl_queue_try_put(&nq.queue, &in), FL_QUEUE_PRESENT);
    ck_assert(fl_queue_contains(&nq.queue, &in.key));
    ck_assert_int_eq(fl_queue_try_get(&nq.queue, &out), 0);
    ck_assert_str_eq(out.key, "alpha");
    ck_assert_int_eq(out.count, 2);
    ck_assert_int_eq(out.values[1], 2);
}
END_TEST

/* A struct of one's own, with FL_MAP_ENTRY's members and order. */
struct reading {
    short key; /* the sensor */
    double values[2];
    uint8_t count;
};

START_TEST(a_struct_of_ones_own_works_as_an_entry)
{
    struct reading slots[2], in, out;
    fl_map_queue rq;
    ck_assert_int_eq(fl_map_queue_init(&rq, &loop, slots, 2, struct reading, NULL), 0);
    memset(&in, 0, sizeof in);
    in.key = 3;
    in.values[0] = 1.5;
    in.count = 1;
    ck_assert_int_eq(fl_queue_try_put(&rq.queue, &in), 0);
    in.values[0] = 2.5;
    ck_assert_int_eq(fl_queue_try_put(&rq.queue, &in), FL_QUEUE_PRESENT);
    ck_assert_int_eq(fl_queue_try_get(&rq.queue, &out), 0);
    ck_assert_int_eq(out.key, 3);
    ck_assert_int_eq(out.count, 2);
    ck_assert(out.values[0] == 1.5 && out.values[1] == 2.5);
}
END_TEST

/* ---- close -------------------------------------------------------------- */

static fl_cmd close_later(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 10);
    log_add("close");
    ck_assert_int_eq(fl_queue_close(&mq.queue), 0);
    FL_END(self);
}

START_TEST(close_wakes_the_putters_and_the_getters_drain_what_is_left)
{
    worker putter, closer;
    entry out;
    char want[96];
    fill();
    worker_init(&putter, put_once, 5, 5, 50);
    worker_init(&closer, close_later, 0, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &putter.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &closer.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "close p5:%d@10", FL_ECLOSED);
    ck_assert_str_eq(log_text(), want);
    /* After the close every put fails, even to a key that is queued
     * (Flowno would still add the value, to be lost with the queue). */
    ck_assert_int_eq(try_put(2, 21), FL_ECLOSED);
    log_reset();
    while (fl_queue_try_get(&mq.queue, &out) == 0)
        log_entry(&out);
    ck_assert_str_eq(log_text(), "1:10 2:20 3:30 4:40");
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), FL_ECLOSED);
    ck_assert_int_eq(fl_queue_peek(&mq.queue, &out), FL_ECLOSED);
}
END_TEST

static fl_cmd for_each_logger(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, &mq.queue, &w->out) {
        log_entry(&w->out);
        FL_SLEEP(self, 1);
    }
    log_add("end");
    FL_END(self);
}

static fl_cmd feed_then_close(fl_task *self)
{
    worker *w = (worker *)self;
    static const int keys[] = {1, 2, 1, 2, 3};
    FL_BEGIN(self);
    for (w->i = 0; w->i < 5; w->i++) {
        w->in = pair(keys[w->i], w->i);
        FL_QUEUE_PUT(self, &mq.queue, &w->in);
        FL_YIELD(self);
    }
    ck_assert_int_eq(fl_queue_close(&mq.queue), 0);
    FL_END(self);
}

START_TEST(for_each_takes_entries_until_closed_and_drained)
{
    worker consumer, producer;
    worker_init(&consumer, for_each_logger, 0, 0, 0);
    worker_init(&producer, feed_then_close, 1, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &consumer.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &producer.task, FL_RUN_JOIN, 0, NULL), 0);
    /* The consumer takes key 1 at once, sleeps; 2 gathers 1 and 3. */
    ck_assert_str_eq(log_text(), "1:0 2:1,3 1:2 3:4 end");
}
END_TEST

/* ---- cancellation and deadlines ----------------------------------------- */

static fl_cmd cancel_first_putter_then_get(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    ck_assert(fl_cancel(&loop, &w->others[0].task));
    FL_QUEUE_GET(self, &mq.queue, &w->out);
    log_entry(&w->out);
    FL_END(self);
}

START_TEST(a_cancelled_putter_adds_nothing_and_the_next_goes_on)
{
    worker w[3];
    entry out;
    char want[96];
    int k;
    fill();
    worker_init(&w[0], cancel_first_putter_then_get, 0, 0, 0);
    worker_init(&w[1], put_once, 1, 7, 70);
    worker_init(&w[2], put_once, 2, 8, 80);
    w[0].others = &w[1];
    ck_assert_int_eq(fl_spawn(&loop, &w[1].task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &w[2].task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w[0].task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "1:10 p1:%d@1 p2:0@1", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), want);
    k = 7;
    ck_assert(!fl_queue_contains(&mq.queue, &k));
    log_reset();
    while (fl_queue_try_get(&mq.queue, &out) == 0)
        log_entry(&out);
    ck_assert_str_eq(log_text(), "2:20 3:30 4:40 8:80");
}
END_TEST

static fl_cmd timed_waits(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    w->in = pair(9, 90); /* a new key: waits for a place */
    FL_TIMEOUT(self, 5);
    FL_QUEUE_PUT_RC(self, w->rc, &mq.queue, &w->in);
    log_add("new:%d@%u", w->rc, (unsigned)fp.now);
    w->in = pair(1, 11); /* a queued key: at once */
    FL_TIMEOUT(self, 5);
    FL_QUEUE_PUT_RC(self, w->rc, &mq.queue, &w->in);
    log_add("known:%d@%u", w->rc, (unsigned)fp.now);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    for (w->i = 0; w->i < 4; w->i++)
        FL_QUEUE_GET(self, &mq.queue, &w->out);
    FL_TIMEOUT(self, 5);
    FL_QUEUE_GET_RC(self, w->rc, &mq.queue, &w->out);
    log_add("get:%d@%u", w->rc, (unsigned)fp.now);
    FL_END(self);
}

START_TEST(deadlines_on_map_queue_waits)
{
    worker w;
    char want[96];
    int k;
    fill();
    worker_init(&w, timed_waits, 0, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "new:%d@5 known:%d@5 get:%d@10", FL_ETIMEDOUT, FL_QUEUE_PRESENT,
             FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), want);
    k = 9;
    ck_assert(!fl_queue_contains(&mq.queue, &k));
}
END_TEST

/* ---- FIFO waiters ------------------------------------------------------- */

static fl_cmd put_three_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    for (w->i = 1; w->i <= 3; w->i++) {
        w->in = pair(w->i, w->i * 10);
        FL_QUEUE_PUT(self, &mq.queue, &w->in);
    }
    FL_END(self);
}

START_TEST(waiting_getters_are_served_in_arrival_order)
{
    worker g[3], feeder;
    int i;
    for (i = 0; i < 3; i++) {
        worker_init(&g[i], get_once, i, 0, 0);
        ck_assert_int_eq(fl_spawn(&loop, &g[i].task, NULL), 0);
    }
    worker_init(&feeder, put_three_later, 9, 0, 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &feeder.task, FL_RUN_JOIN, 0, NULL), 0);
    /* g0, g1, g2 in turn: each logs the entry it got. */
    ck_assert_str_eq(log_text(), "1:10 2:20 3:30");
    ck_assert_int_eq(g[0].out.key, 1);
    ck_assert_int_eq(g[1].out.key, 2);
    ck_assert_int_eq(g[2].out.key, 3);
}
END_TEST

static fl_cmd get_n_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
    for (w->i = 0; w->i < w->n; w->i++) {
        FL_QUEUE_GET(self, &mq.queue, &w->out);
        log_entry(&w->out);
    }
    FL_END(self);
}

START_TEST(waiting_putters_are_served_in_arrival_order)
{
    worker p[3], getter;
    int i;
    for (i = 1; i <= 4; i++)
        ck_assert_int_eq(try_put(i, i * 10), 0);
    for (i = 0; i < 3; i++) {
        worker_init(&p[i], put_once, i + 5, i + 5, (i + 5) * 10);
        ck_assert_int_eq(fl_spawn(&loop, &p[i].task, NULL), 0);
    }
    worker_init(&getter, get_n_later, 0, 0, 0);
    getter.n = 7;
    ck_assert_int_eq(fl_run_until_complete(&loop, &getter.task, FL_RUN_JOIN, 0, NULL), 0);
    /* The getter takes all four before it waits; then p5..p7 come in. */
    ck_assert_str_eq(log_text(),
                     "1:10 2:20 3:30 4:40 p5:0@1 p6:0@1 p7:0@1 5:50 6:60 7:70");
}
END_TEST

/* ---- peek, dump, hooks -------------------------------------------------- */

static fl_cmd peek_then_get(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PEEK(self, &mq.queue, &w->out);
    log_entry(&w->out);
    FL_SLEEP(self, 1);
    FL_QUEUE_GET(self, &mq.queue, &w->out);
    log_entry(&w->out);
    FL_END(self);
}

static fl_cmd put_later(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_YIELD(self); /* the peeker waits first */
    w->in = pair(1, 10);
    FL_QUEUE_PUT(self, &mq.queue, &w->in);
    FL_YIELD(self); /* the peeker copies the entry */
    w->in = pair(1, 11);
    FL_QUEUE_PUT(self, &mq.queue, &w->in);
    FL_END(self);
}

START_TEST(peek_waits_for_an_entry_and_leaves_it_to_grow)
{
    worker peeker, feeder;
    worker_init(&peeker, peek_then_get, 0, 0, 0);
    worker_init(&feeder, put_later, 1, 0, 0);
    ck_assert_int_eq(fl_spawn(&loop, &feeder.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &peeker.task, FL_RUN_JOIN, 0, NULL), 0);
    /* The peek copied the entry as it was; the get has both values. */
    ck_assert_str_eq(log_text(), "1:10 1:10,11");
}
END_TEST

static char dump_text[2048];

static void collect(void *ctx, const char *text)
{
    size_t len = strlen(dump_text);
    (void)ctx;
    snprintf(dump_text + len, sizeof dump_text - len, "%s\n", text);
}

START_TEST(the_dump_says_a_task_waits_on_a_full_map_queue)
{
    worker p;
    fill();
    worker_init(&p, put_once, 5, 5, 50);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    dump_text[0] = '\0';
    fl_loop_dump(&loop, collect, NULL);
    ck_assert_msg(strstr(dump_text, "putting into full map queue 0x") != NULL, "%s", dump_text);
}
END_TEST

static void on_put(fl_hooks *h, fl_loop *l, fl_queue *hq, const void *item)
{
    const entry *e = (const entry *)item;
    (void)h;
    (void)l;
    ck_assert_ptr_eq(hq, &mq.queue);
    log_add("put:%d=%d", e->key, e->values[0]);
}

static void on_get(fl_hooks *h, fl_loop *l, fl_queue *hq, const void *item)
{
    (void)h;
    (void)l;
    (void)hq;
    log_add("get:%d", ((const entry *)item)->key);
}

START_TEST(the_hooks_see_each_value_put_and_each_entry_got)
{
    fl_hooks hooks;
    entry out;
    memset(&hooks, 0, sizeof hooks);
    hooks.queue_put = on_put;
    hooks.queue_get = on_get;
    fl_loop_set_hooks(&loop, &hooks);
    ck_assert_int_eq(try_put(1, 10), 0);
    ck_assert_int_eq(try_put(1, 11), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(1, 12), FL_QUEUE_PRESENT);
    ck_assert_int_eq(try_put(1, 13), FL_ENOSPC); /* refused: no hook */
    ck_assert_int_eq(fl_queue_try_get(&mq.queue, &out), 0);
    fl_loop_set_hooks(&loop, NULL);
    ck_assert_str_eq(log_text(), "put:1=10 put:1=11 put:1=12 get:1");
}
END_TEST

/* ---- bad input ---------------------------------------------------------- */

typedef struct {
    uint8_t count;
    int key;
    int values[2];
} key_not_first;
typedef FL_MAP_ENTRY(int, char, 256) too_many_values;

static fl_map_queue zero_mq; /* never initialised: all zero */

static fl_cmd misuse(fl_task *self)
{
    worker *w = (worker *)self;
    FL_BEGIN(self);
    FL_QUEUE_PUT_RC(self, w->rc, &mq.queue, NULL);
    log_add("null:%d", w->rc);
    w->in.count = 0;
    FL_QUEUE_PUT_RC(self, w->rc, &mq.queue, &w->in);
    log_add("count0:%d", w->rc);
    w->in.count = 1;
    FL_QUEUE_PUT_RC(self, w->rc, &zero_mq.queue, &w->in);
    log_add("zero-put:%d", w->rc);
    FL_QUEUE_GET_RC(self, w->rc, &zero_mq.queue, &w->out);
    log_add("zero-get:%d", w->rc);
    FL_END(self);
}

START_TEST(bad_input_gets_error_codes)
{
    key_not_first bad[2];
    static too_many_values big[2];
    entry e = pair(1, 1);
    worker w;
    char want[128];
    int k = 1;
    ck_assert_int_eq(fl_map_queue_init((fl_map_queue *)NULL, &loop, storage, 4, entry, NULL),
                     FL_EINVAL);
    ck_assert_int_eq(fl_map_queue_init(&mq, NULL, storage, 4, entry, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, (entry *)NULL, 4, entry, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, storage, 0, entry, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, bad, 2, key_not_first, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, big, 2, too_many_values, NULL), FL_EINVAL);

    /* An all-zero struct: every call refuses it, none crashes. */
    memset(&zero_mq, 0, sizeof zero_mq);
    ck_assert_int_eq(fl_queue_try_put(&zero_mq.queue, &e), FL_EINVAL);
    ck_assert_int_eq(fl_queue_try_get(&zero_mq.queue, &e), FL_EINVAL);
    ck_assert_int_eq(fl_queue_peek(&zero_mq.queue, &e), FL_EINVAL);
    ck_assert_int_eq(fl_queue_close(&zero_mq.queue), FL_EINVAL);
    ck_assert(!fl_queue_contains(&zero_mq.queue, &k));
    ck_assert_uint_eq(fl_queue_len(&zero_mq.queue), 0);

    ck_assert_int_eq(fl_map_queue_init(&mq, &loop, storage, 4, entry, NULL), 0);
    ck_assert_int_eq(fl_queue_try_put(&mq.queue, NULL), FL_EINVAL);
    ck_assert(!fl_queue_contains(&mq.queue, NULL));
    worker_init(&w, misuse, 0, 1, 1);
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(want, sizeof want, "null:%d count0:%d zero-put:%d zero-get:%d", FL_EINVAL, FL_EINVAL,
             FL_EINVAL, FL_EINVAL);
    ck_assert_str_eq(log_text(), want);
    ck_assert_uint_eq(fl_queue_len(&mq.queue), 0);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("map_queue");
    TCase *tc = tcase_create("map_queue");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, flowno_map_queue_docstring_example);
    tcase_add_test(tc, keys_come_out_in_first_put_order_with_their_values_in_put_order);
    tcase_add_test(tc, contains_asks_for_a_key);
    tcase_add_test(tc, an_entry_put_with_several_values_adds_them_all_or_none);
    tcase_add_test(tc, a_put_of_a_queued_key_returns_at_once_even_when_full);
    tcase_add_test(tc, a_full_entry_refuses_more_values_and_loses_none);
    tcase_add_test(tc, a_count_of_zero_or_past_the_array_is_refused);
    tcase_add_test(tc, values_put_before_a_woken_getter_runs_reach_it);
    tcase_add_test(tc, a_woken_putter_whose_key_came_meanwhile_joins_it_and_hands_its_place_on);
    tcase_add_test(tc, a_woken_putter_refused_by_a_full_entry_hands_its_place_on);
    tcase_add_test(tc, the_users_compare_decides_which_keys_are_equal);
    tcase_add_test(tc, a_struct_of_ones_own_works_as_an_entry);
    tcase_add_test(tc, close_wakes_the_putters_and_the_getters_drain_what_is_left);
    tcase_add_test(tc, for_each_takes_entries_until_closed_and_drained);
    tcase_add_test(tc, a_cancelled_putter_adds_nothing_and_the_next_goes_on);
    tcase_add_test(tc, deadlines_on_map_queue_waits);
    tcase_add_test(tc, waiting_getters_are_served_in_arrival_order);
    tcase_add_test(tc, waiting_putters_are_served_in_arrival_order);
    tcase_add_test(tc, peek_waits_for_an_entry_and_leaves_it_to_grow);
    tcase_add_test(tc, the_dump_says_a_task_waits_on_a_full_map_queue);
    tcase_add_test(tc, the_hooks_see_each_value_put_and_each_entry_got);
    tcase_add_test(tc, bad_input_gets_error_codes);
    suite_add_tcase(s, tc);
    return s;
}
