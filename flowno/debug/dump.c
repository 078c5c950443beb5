/* SPDX-License-Identifier: MIT */
/*
 * dump.c - fl_loop_dump: what every task is doing, as text.
 *
 * The library has no stdio, so lines are built with a few small
 * formatters and handed to the caller's print function.  The dump only
 * reads the loop, so it may be called at any time between steps.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_DUMP

#define LINE_MAX_ 160

typedef struct dump_line {
    char text[LINE_MAX_];
    size_t len;
} dump_line;

static void put_str(dump_line *l, const char *s)
{
    while (*s != '\0' && l->len < LINE_MAX_ - 1)
        l->text[l->len++] = *s++;
    l->text[l->len] = '\0';
}

static void put_uint(dump_line *l, unsigned long long v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    while (n > 0 && l->len < LINE_MAX_ - 1)
        l->text[l->len++] = digits[--n];
    l->text[l->len] = '\0';
}

static void put_ptr(dump_line *l, const void *p)
{
    static const char hex[] = "0123456789abcdef";
    uintptr_t v = (uintptr_t)p;
    int shift;
    put_str(l, "0x");
    for (shift = (int)(sizeof v * 8) - 4; shift >= 0; shift -= 4)
        if (l->len < LINE_MAX_ - 1)
            l->text[l->len++] = hex[(v >> shift) & 0xF];
    l->text[l->len] = '\0';
}

/* The object that owns wait list `q`, found from the list's kind. */
#define OWNER_(q, type, member) ((const type *)(const void *)((const char *)(q) - offsetof(type, member)))

#if FL_ENABLE_QUEUE
/* A queue, and which kind: set and map queues share the queue's lists. */
static void put_queue(dump_line *l, const fl_queue *q)
{
    put_str(l, q->mode == FL_QUEUE_SET_   ? "set queue "
               : q->mode == FL_QUEUE_MAP_ ? "map queue "
                                          : "queue ");
    put_ptr(l, q);
}
#endif

static void put_wait(dump_line *l, const fl_loop *loop, const fl_task *t)
{
    const fl_waitq *q = (const fl_waitq *)t->wait.obj;
    int fd;

    switch (q->kind) {
#if FL_ENABLE_QUEUE
    case FL_WAIT_QUEUE_GET:
        put_str(l, "getting from ");
        put_queue(l, OWNER_(q, fl_queue, getters));
        return;
    case FL_WAIT_QUEUE_PUT:
        put_str(l, "putting into full ");
        put_queue(l, OWNER_(q, fl_queue, putters));
        return;
    case FL_WAIT_QUEUE_PEEK:
        put_str(l, "peeking at ");
        put_queue(l, OWNER_(q, fl_queue, peekers));
        return;
#endif
#if FL_ENABLE_EVENT
    case FL_WAIT_EVENT:
        put_str(l, "waiting for event ");
        put_ptr(l, OWNER_(q, fl_event, latch.waiters));
        return;
#endif
#if FL_ENABLE_LOCK
    case FL_WAIT_LOCK:
        put_str(l, "waiting for lock ");
        put_ptr(l, OWNER_(q, fl_lock, waiters));
        put_str(l, " held by task ");
        put_ptr(l, OWNER_(q, fl_lock, waiters)->owner);
        return;
#endif
#if FL_ENABLE_COND
    case FL_WAIT_COND:
        put_str(l, "waiting on condition ");
        put_ptr(l, OWNER_(q, fl_cond, waiters));
        return;
#endif
#if FL_ENABLE_LATCH
    case FL_WAIT_LATCH:
        put_str(l, "waiting for latch ");
        put_ptr(l, OWNER_(q, fl_latch, waiters));
        put_str(l, " (count ");
        put_uint(l, OWNER_(q, fl_latch, waiters)->count);
        put_str(l, ")");
        return;
#endif
#if FL_ENABLE_SIGNAL
    case FL_WAIT_SIGNAL:
        put_str(l, "waiting for signal ");
        put_ptr(l, OWNER_(q, fl_signal, waiters));
        return;
#endif
    case FL_WAIT_IO_READ:
    case FL_WAIT_IO_WRITE:
        fd = loop->port->fd_of != NULL ? loop->port->fd_of(loop->port, q) : -1;
        put_str(l, q->kind == FL_WAIT_IO_READ ? "waiting to read fd " : "waiting to write fd ");
        if (fd < 0)
            put_str(l, "?");
        else
            put_uint(l, (unsigned)fd);
        return;
    default:
        put_str(l, "waiting on list ");
        put_ptr(l, q);
        return;
    }
}

static void put_task(dump_line *l, const fl_loop *loop, const fl_task *t)
{
    fl_state s = FL_STATE_(t);

    put_str(l, "  task ");
    put_ptr(l, t);
    put_str(l, " slot ");
    put_uint(l, t->slot);
    put_str(l, ": ");
    if (t == loop->current)
        put_str(l, "running");
    else if (s == FL_TASK_READY)
        put_str(l, "ready");
    else if (s == FL_TASK_SLEEPING)
        put_str(l, "sleeping");
#if FL_ENABLE_JOIN
    else if (s == FL_TASK_JOINING) {
        put_str(l, "joining task ");
        put_ptr(l, OWNER_(t->wait.obj, fl_task, joiners));
    }
#endif
    else if (s == FL_TASK_WAITING)
        put_wait(l, loop, t);
    if (t->timer != FL_SLOT_NONE) {
        fl_time due = loop->timer_due[t->timer];
        put_str(l, s == FL_TASK_SLEEPING ? ", wakes at " : ", deadline at ");
        put_uint(l, due);
        if (!FL_TIME_BEFORE_(due, loop->now)) {
            put_str(l, " (in ");
            put_uint(l, (fl_time)(due - loop->now));
            put_str(l, " ticks)");
        }
    }
    if (t->flags & FL_F_CANCEL_REQ_)
        put_str(l, ", cancel pending");
    if (t->flags & FL_F_CANCEL_SENT_)
        put_str(l, ", cancelled");
}

void fl_loop_dump(const fl_loop *loop, void (*print)(void *ctx, const char *line), void *ctx)
{
    unsigned counts[FL_TASK_CANCELLED + 1] = {0}, timers = 0;
    fl_slot i;
    dump_line l;

    if (loop == NULL || print == NULL)
        return;
    for (i = 0; i < FL_MAX_TASKS; i++)
        if (loop->tasks[i] != NULL) {
            counts[FL_STATE_(loop->tasks[i])]++;
            timers += loop->tasks[i]->timer != FL_SLOT_NONE;
        }

    l.len = 0;
    put_str(&l, "flowno loop ");
    put_ptr(&l, loop);
    put_str(&l, ": ");
    put_uint(&l, loop->live);
    put_str(&l, " alive: ");
    put_uint(&l, counts[FL_TASK_READY]);
    put_str(&l, " ready, ");
    put_uint(&l, counts[FL_TASK_SLEEPING]);
    put_str(&l, " sleeping, ");
    put_uint(&l, counts[FL_TASK_JOINING]);
    put_str(&l, " joining, ");
    put_uint(&l, counts[FL_TASK_WAITING]);
    put_str(&l, " waiting; ");
    put_uint(&l, timers);
    put_str(&l, " timers; clock ");
    put_uint(&l, loop->now);
    print(ctx, l.text);

    for (i = 0; i < FL_MAX_TASKS; i++) {
        if (loop->tasks[i] == NULL)
            continue;
        l.len = 0;
        put_task(&l, loop, loop->tasks[i]);
        print(ctx, l.text);
    }
}

#endif /* FL_ENABLE_DUMP */
