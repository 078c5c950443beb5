/* SPDX-License-Identifier: MIT */
/*
 * check_hooks.c - instrumentation hooks (events in the order they happen)
 * and fl_loop_dump (every task and what it waits on).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
}

/* ---- hooks ---------------------------------------------------------------- */

typedef struct named {
    fl_task task;
    const char *name;
    int item, rc;
    struct named *other;
    fl_queue *q;
} named;

static const char *name_of(fl_task *t)
{
    return ((named *)t)->name;
}

static unsigned steps_begun, steps_ended;

static void on_step_begin(fl_hooks *h, fl_loop *l, fl_task *t)
{
    (void)h;
    (void)l;
    (void)t;
    steps_begun++;
}
static void on_step_end(fl_hooks *h, fl_loop *l, fl_task *t, const fl_cmd *cmd)
{
    (void)h;
    (void)l;
    (void)t;
    (void)cmd;
    steps_ended++;
}
static void on_ready(fl_hooks *h, fl_loop *l, fl_task *t, int cause, const void *obj)
{
    (void)h;
    (void)l;
    (void)cause;
    (void)obj;
    log_add("ready:%s", name_of(t));
}
static void on_end(fl_hooks *h, fl_loop *l, fl_task *t)
{
    (void)h;
    (void)l;
    log_add("end:%s:%d", name_of(t), (int)fl_task_state(t));
}
static void on_put(fl_hooks *h, fl_loop *l, fl_queue *q, const void *item)
{
    (void)h;
    (void)l;
    (void)q;
    log_add("put:%d", *(const int *)item);
}
static void on_get(fl_hooks *h, fl_loop *l, fl_queue *q, const void *item)
{
    (void)h;
    (void)l;
    (void)q;
    log_add("get:%d", *(const int *)item);
}

static fl_hooks hooks = {on_step_begin, on_step_end, on_ready, on_end, NULL, NULL, on_put, on_get};

static fl_cmd consumer(fl_task *self)
{
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET(self, n->q, &n->item);
    FL_END(self);
}

static fl_cmd producer(fl_task *self)
{
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &n->other->task, consumer);
    FL_SLEEP(self, 5);
    n->item = 7;
    FL_QUEUE_PUT(self, n->q, &n->item);
    FL_JOIN(self, &n->other->task);
    FL_END(self);
}

/* p produces one item for c, through q. */
static void pair_init(named *p, named *c, fl_queue *q, int *storage)
{
    memset(p, 0, sizeof *p);
    memset(c, 0, sizeof *c);
    p->name = "p";
    c->name = "c";
    p->other = c;
    p->q = c->q = q;
    fl_queue_init(q, &loop, storage, sizeof(int), 2);
    fl_task_init(&p->task, producer);
}

START_TEST(hooks_see_each_event_in_order)
{
    int storage[2];
    fl_queue q;
    named p, c;
    pair_init(&p, &c, &q, storage);
    steps_begun = steps_ended = 0;
    fl_loop_set_hooks(&loop, &hooks);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, NULL), 0);
    /* p spawned, spawns c and steps aside behind it; c waits; p sleeps,
     * wakes, puts (c is woken with the item reserved), joins c; c takes
     * it and ends; p ends. */
    ck_assert_str_eq(log_text(), "ready:p ready:c ready:p ready:p put:7 ready:c get:7 "
                                 "end:c:5 ready:p end:p:5");
    ck_assert_uint_eq(steps_begun, steps_ended);
    ck_assert_uint_ge(steps_begun, 6);
}
END_TEST

START_TEST(detached_hooks_are_not_called)
{
    named p;
    memset(&p, 0, sizeof p);
    p.name = "p";
    fl_task_init(&p.task, consumer);
    fl_loop_set_hooks(&loop, &hooks);
    fl_loop_set_hooks(&loop, NULL);
    steps_begun = 0;
    ck_assert_int_eq(fl_spawn(&loop, &p.task, NULL), 0);
    ck_assert_str_eq(log_text(), "");
    ck_assert_uint_eq(steps_begun, 0);
}
END_TEST

/* ---- why a task became ready, and who woke it ---------------------------------- */

static fl_queue wq;
static int wq_storage[1];
static fl_event wev;
static fl_lock wlock;
static named cast[6];

static const char *cause_name(int cause)
{
    static const char *const names[] = {"spawned", "aside", "slept", "timed-out",
                                        "cancelled", "joined", "woken"};
    return cause >= 0 && cause <= FL_READY_WOKEN ? names[cause] : "?";
}

/* The name of what `obj` is for `cause`: a task's, a primitive's. */
static const char *what(int cause, const void *obj)
{
    const void *owner;
    if (cause == FL_READY_JOINED)
        return name_of((fl_task *)(uintptr_t)obj);
    if (cause != FL_READY_WOKEN && cause != FL_READY_TIMED_OUT)
        return obj == NULL ? "-" : "?";
    owner = fl_waitq_owner((const fl_waitq *)obj);
    return owner == &wq ? "queue" : owner == &wev ? "event" : owner == &wlock ? "lock" : "?";
}

static void on_ready_why(fl_hooks *h, fl_loop *l, fl_task *t, int cause, const void *obj)
{
    fl_task *waker = fl_loop_current(l);
    (void)h;
    log_add("%s:%s:%s:%s", name_of(t), cause_name(cause), what(cause, obj),
            waker != NULL ? name_of(waker) : "-");
}

static fl_hooks why_hooks = {NULL, NULL, on_ready_why, NULL, NULL, NULL, NULL, NULL};

static fl_cmd get_one(fl_task *self)
{
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_QUEUE_GET(self, &wq, &n->item);
    FL_END(self);
}
static fl_cmd wait_event_with_deadline(fl_task *self)
{
    FL_BEGIN(self);
    FL_TIMEOUT(self, 5);
    FL_EVENT_WAIT_RC(self, ((named *)self)->rc, &wev);
    FL_END(self);
}
static fl_cmd sleep_long(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 100);
    FL_END(self);
}
static fl_cmd wait_lock(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &wlock);
    FL_LOCK_RELEASE(self, &wlock);
    FL_END(self);
}

/* The root ("m") spawns a getter, a waiter with a deadline, a sleeper it
 * cancels and a lock waiter, puts an item, sleeps past the deadline,
 * releases the lock, and joins the lock waiter. */
static fl_cmd director(fl_task *self)
{
    named *m = (named *)self;
    FL_BEGIN(self);
    FL_LOCK(self, &wlock);
    FL_SPAWN(self, &cast[0].task, get_one);
    FL_SPAWN(self, &cast[1].task, wait_event_with_deadline);
    FL_SPAWN(self, &cast[2].task, sleep_long);
    FL_SPAWN(self, &cast[3].task, wait_lock);
    m->item = 7;
    FL_QUEUE_PUT(self, &wq, &m->item);
    ck_assert(fl_cancel(&loop, &cast[2].task));
    FL_SLEEP(self, 10);
    FL_LOCK_RELEASE(self, &wlock);
    FL_JOIN(self, &cast[3].task);
    FL_END(self);
}

START_TEST(ready_hook_says_why_and_who_woke)
{
    static const char *const names[] = {"g", "e", "s", "l"};
    named m;
    int i;
    ck_assert_int_eq(fl_queue_init(&wq, &loop, wq_storage, sizeof(int), 1), 0);
    ck_assert_int_eq(fl_event_init(&wev, &loop), 0);
    ck_assert_int_eq(fl_lock_init(&wlock, &loop), 0);
    memset(cast, 0, sizeof cast);
    for (i = 0; i < 4; i++)
        cast[i].name = names[i];
    memset(&m, 0, sizeof m);
    m.name = "m";
    fl_task_init(&m.task, director);
    fl_loop_set_hooks(&loop, &why_hooks);
    ck_assert_int_eq(fl_run_until_complete(&loop, &m.task, FL_RUN_JOIN, 0, NULL), 0);
    /* task:cause:from:waker.  Spawned from plain C has no waker; the
     * spawner steps aside behind each child; the item wakes the getter,
     * the cancel the sleeper, the lock's release its waiter; the deadline
     * and the sleep end with no task as waker; the lock waiter's end
     * wakes its joiner. */
    ck_assert_str_eq(log_text(),
                     "m:spawned:-:- m:aside:-:m "
                     "g:spawned:-:m m:aside:-:m e:spawned:-:m m:aside:-:m "
                     "s:spawned:-:m m:aside:-:m l:spawned:-:m m:aside:-:m "
                     "g:woken:queue:m s:cancelled:-:m e:timed-out:event:- m:slept:-:- "
                     "l:woken:lock:m m:aside:-:m l:aside:-:l m:joined:l:l");
}
END_TEST

/* ---- dump ------------------------------------------------------------------ */

static char dump_text[4096];

static void collect(void *ctx, const char *text)
{
    size_t len = strlen(dump_text);
    (void)ctx;
    snprintf(dump_text + len, sizeof dump_text - len, "%s\n", text);
}

static fl_queue dq;
static int dq_storage[2];
static fl_lock dlock;
static fl_latch dlatch;
static fl_signal dsig;
static fl_event dev;
static named holder, getter, locker, latcher, signaller, sleeper, joiner, dumper, evw;

static fl_cmd hold(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &dlock);
    FL_SLEEP(self, 1000);
    FL_END(self);
}
static fl_cmd get1(fl_task *self)
{
    FL_BEGIN(self);
    FL_QUEUE_GET(self, &dq, &((named *)self)->item);
    FL_END(self);
}
static fl_cmd lock1(fl_task *self)
{
    FL_BEGIN(self);
    FL_LOCK(self, &dlock);
    FL_END(self);
}
static fl_cmd latch1(fl_task *self)
{
    FL_BEGIN(self);
    FL_LATCH_WAIT(self, &dlatch);
    FL_END(self);
}
static fl_cmd signal1(fl_task *self)
{
    FL_BEGIN(self);
    FL_SIGNAL_WAIT(self, &dsig);
    FL_END(self);
}
static fl_cmd event_with_deadline(fl_task *self)
{
    FL_BEGIN(self);
    FL_TIMEOUT(self, 300);
    FL_EVENT_WAIT(self, &dev);
    FL_END(self);
}
static fl_cmd sleep1(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 500);
    FL_END(self);
}
static fl_cmd join1(fl_task *self)
{
    FL_BEGIN(self);
    FL_JOIN(self, &sleeper.task);
    FL_END(self);
}
static fl_cmd dump_and_exit(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 10);
    ck_assert(fl_cancel(&loop, &getter.task));
    fl_loop_dump(&loop, collect, NULL);
    FL_EXIT(self, 0);
    FL_END(self);
}

static void expect_line(const char *needle)
{
    ck_assert_msg(strstr(dump_text, needle) != NULL, "dump lacks \"%s\":\n%s", needle, dump_text);
}

START_TEST(dump_names_what_each_task_waits_on)
{
    char want[160];
    fl_task *all[] = {&holder.task, &getter.task, &locker.task, &latcher.task,
                      &signaller.task, &sleeper.task, &joiner.task, &evw.task};
    fl_task_fn fns[] = {hold, get1, lock1, latch1, signal1, sleep1, join1, event_with_deadline};
    size_t i;

    fl_queue_init(&dq, &loop, dq_storage, sizeof(int), 2);
    fl_lock_init(&dlock, &loop);
    fl_latch_init(&dlatch, &loop, 2);
    fl_signal_init(&dsig, &loop);
    fl_event_init(&dev, &loop);
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        fl_task_init(all[i], fns[i]);
        ck_assert_int_eq(fl_spawn(&loop, all[i], NULL), 0);
    }
    fl_task_init(&dumper.task, dump_and_exit);
    dump_text[0] = '\0';
    ck_assert_int_eq(fl_run_until_complete(&loop, &dumper.task, 0, 0, NULL), 0);

    /* Eight spawned tasks and the dumper; the cancelled getter is ready
     * again, and the dumper (running) counts as ready too. */
    expect_line("9 alive: 2 ready, 2 sleeping, 1 joining, 4 waiting; 3 timers; clock 10");
    snprintf(want, sizeof want, "slot %u: running", (unsigned)dumper.task.slot);
    expect_line(want);
    expect_line("ready, cancelled"); /* the getter: woken by its cancel */
    snprintf(want, sizeof want, "sleeping, wakes at 1000 (in 990 ticks)");
    expect_line(want);
    snprintf(want, sizeof want, "joining task %p", (void *)&sleeper.task);
    if (strstr(dump_text, want) == NULL) /* %p spells pointers its own way */
        expect_line("joining task 0x");
    expect_line("waiting for lock 0x");
    expect_line(" held by task 0x");
    expect_line("waiting for latch 0x");
    expect_line("(count 2)");
    expect_line("waiting for signal 0x");
    expect_line("waiting for event 0x");
    expect_line(", deadline at 300 (in 290 ticks)");
}
END_TEST

/* Waits to read the fd in `item`. */
static fl_cmd read_fd_task(fl_task *self)
{
    FL_BEGIN(self);
    FL_IO_WAIT(self, ((named *)self)->item, FL_IO_READ);
    FL_END(self);
}

START_TEST(dump_shows_the_fd_an_io_waiter_waits_for)
{
    fl_loop ploop;
    int fds[2];
    char want[64];
    named r;
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fl_loop_init(&ploop, fl_port_posix()), 0);
    memset(&r, 0, sizeof r);
    r.item = fds[0];
    fl_task_init(&r.task, read_fd_task);
    ck_assert_int_eq(fl_spawn(&ploop, &r.task, NULL), 0); /* one poll: it waits */
    ck_assert_int_eq(fl_loop_poll(&ploop, NULL), 1);
    dump_text[0] = '\0';
    fl_loop_dump(&ploop, collect, NULL);
    snprintf(want, sizeof want, "waiting to read fd %d", fds[0]);
    expect_line(want);
    ck_assert(fl_cancel(&ploop, &r.task));
    ck_assert_int_eq(fl_loop_poll(&ploop, NULL), 0);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

START_TEST(dump_of_an_empty_loop_is_one_line)
{
    dump_text[0] = '\0';
    fl_loop_dump(&loop, collect, NULL);
    ck_assert_ptr_nonnull(strstr(dump_text, ": 0 alive: 0 ready"));
    ck_assert_ptr_null(strchr(strchr(dump_text, '\n') + 1, '\n'));
    fl_loop_dump(NULL, collect, NULL); /* no crash */
    fl_loop_dump(&loop, NULL, NULL);
}
END_TEST

/* Any member may be NULL: a set of hooks with none at all changes nothing. */
START_TEST(hooks_left_null_are_skipped)
{
    static fl_hooks none;
    int storage[2];
    fl_queue q;
    named p, c;
    pair_init(&p, &c, &q, storage);
    fl_loop_set_hooks(&loop, &none);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert(fl_task_finished(&c.task));
    ck_assert_int_eq(c.item, 7);
    ck_assert_str_eq(log_text(), "");
}
END_TEST

/* ---- I/O hooks, on the POSIX port ---------------------------------------- */

static void on_io_wait(fl_hooks *h, fl_loop *l, fl_task *t, int fd, unsigned events)
{
    (void)h;
    (void)l;
    log_add("io_wait:%s:%d:%u", name_of(t), fd, events);
}
static void on_io_ready(fl_hooks *h, fl_loop *l, int fd, unsigned events)
{
    (void)h;
    (void)l;
    log_add("io_ready:%d:%u", fd, events);
}

static fl_loop ploop;

/* Waits twice on a readable fd: with the I/O hooks, then with none. */
static fl_cmd read_twice(fl_task *self)
{
    static fl_hooks none;
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_IO_WAIT(self, n->item, FL_IO_READ);
    log_add("woke");
    fl_loop_set_hooks(&ploop, &none);
    FL_IO_WAIT(self, n->item, FL_IO_READ);
    log_add("woke");
    FL_END(self);
}

START_TEST(io_hooks_see_the_wait_and_the_ready_fd)
{
    static fl_hooks io = {NULL, NULL, NULL, NULL, on_io_wait, on_io_ready, NULL, NULL};
    int fds[2];
    char expect[96];
    named r;
    ck_assert_int_eq(fl_loop_init(&ploop, fl_port_posix()), 0);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "x", 1), 1); /* readable from the start */
    memset(&r, 0, sizeof r);
    r.name = "r";
    r.item = fds[0];
    fl_task_init(&r.task, read_twice);
    fl_loop_set_hooks(&ploop, &io);
    ck_assert_int_eq(fl_run_until_complete(&ploop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "io_wait:r:%d:1 io_ready:%d:1 woke woke", fds[0], fds[0]);
    ck_assert_str_eq(log_text(), expect);
    close(fds[0]);
    close(fds[1]);
}
END_TEST

/* The ready hook sees a peeker woken by a put, off the queue's list. */
static fl_cmd peek_one(fl_task *self)
{
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_QUEUE_PEEK(self, &wq, &n->item);
    FL_END(self);
}

static fl_cmd put_one(fl_task *self)
{
    named *n = (named *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &n->other->task, peek_one);
    n->item = 3;
    FL_QUEUE_PUT(self, &wq, &n->item);
    FL_END(self);
}

START_TEST(ready_hook_sees_a_woken_peeker)
{
    named p, k;
    memset(&p, 0, sizeof p);
    memset(&k, 0, sizeof k);
    p.name = "p";
    k.name = "k";
    p.other = &k;
    ck_assert_int_eq(fl_queue_init(&wq, &loop, wq_storage, sizeof(int), 1), 0);
    fl_task_init(&p.task, put_one);
    fl_loop_set_hooks(&loop, &why_hooks);
    ck_assert_int_eq(fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "p:spawned:-:- k:spawned:-:p p:aside:-:p k:woken:queue:p");
    ck_assert_int_eq(k.item, 3);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("hooks");
    TCase *tc = tcase_create("hooks");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, hooks_see_each_event_in_order);
    tcase_add_test(tc, detached_hooks_are_not_called);
    tcase_add_test(tc, ready_hook_says_why_and_who_woke);
    tcase_add_test(tc, dump_names_what_each_task_waits_on);
    tcase_add_test(tc, dump_shows_the_fd_an_io_waiter_waits_for);
    tcase_add_test(tc, dump_of_an_empty_loop_is_one_line);
    tcase_add_test(tc, hooks_left_null_are_skipped);
    tcase_add_test(tc, io_hooks_see_the_wait_and_the_ready_fd);
    tcase_add_test(tc, ready_hook_sees_a_woken_peeker);
    suite_add_tcase(s, tc);
    return s;
}
