/* SPDX-License-Identifier: MIT */
/*
 * trace_replay.c - the records played back: each task's state (running,
 * ready, waiting, ended) and what put it there, and the loop's own lists
 * as they were at each record: the ready list in order, who waits on what,
 * the timers, who holds each lock.  Every exporter walks the trace
 * through this, so they all tell the same story.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

const fl_trace_record *fl_tr_rec_(const fl_trace *tr, unsigned i)
{
    unsigned at = tr->head + i;
    if (at >= tr->capacity)
        at -= tr->capacity;
    return &tr->records[at];
}

uint64_t fl_tr_micros_(const fl_trace *tr, uint32_t t)
{
    uint32_t since_first = t - fl_tr_rec_(tr, 0)->t; /* wraps cleanly */
    return (uint64_t)since_first * 1000000u / tr->clock_hz;
}

int fl_tr_row_(const tr_replay *rp, const fl_task *t)
{
    unsigned r;
    for (r = 0; r < rp->rows; r++)
        if (rp->task[r] == t)
            return (int)r;
    return -1;
}

int fl_tr_object_(const tr_replay *rp, const void *obj)
{
    unsigned i;
    for (i = 0; i < rp->objs; i++)
        if (rp->obj[i] == obj)
            return (int)i;
    return -1;
}

static void add_row(tr_replay *rp, const fl_task *t)
{
    if (t == NULL || fl_tr_row_(rp, t) >= 0)
        return;
    if (rp->rows == FL_TRACE_ROWS) {
        rp->overflow = true;
        return;
    }
    rp->task[rp->rows++] = t;
}

/* Objects are numbered a kind at a time, as they first appear.  One that
 * finds the table full goes unnumbered ("queue"). */
static void add_object(tr_replay *rp, const void *obj, int kind)
{
    unsigned i, same = 0;
    if (obj == NULL || kind < 0 || fl_tr_object_(rp, obj) >= 0 || rp->objs == TR_OBJECTS)
        return;
    for (i = 0; i < rp->objs; i++)
        same += rp->obj_kind[i] == kind;
    rp->obj[rp->objs] = obj;
    rp->obj_kind[rp->objs] = (uint8_t)kind;
    rp->obj_number[rp->objs] = (uint16_t)(same + 1);
    rp->objs++;
}

void fl_tr_begin_(tr_replay *rp, const fl_trace *tr, fl_trace_name_fn name, void *name_ctx)
{
    unsigned i;

    rp->tr = tr;
    rp->name = name;
    rp->name_ctx = name_ctx;
    rp->rows = rp->objs = 0;
    rp->overflow = false;
    rp->end = tr->count > 0 ? fl_tr_micros_(tr, fl_tr_rec_(tr, tr->count - 1)->t) : 0;
    for (i = 0; i < tr->count; i++) {
        const fl_trace_record *r = fl_tr_rec_(tr, i);
        add_row(rp, r->task);
        if (r->kind == FL_TRACE_STOP)
            add_object(rp, r->arg.ptr, fl_tr_command_object_(r));
        else if (r->kind == FL_TRACE_READY)
            add_object(rp, r->arg.ptr, fl_tr_list_object_(r->wait_kind));
    }
}

int fl_tr_after_stop_(const fl_trace *tr, unsigned i)
{
    const fl_task *t = fl_tr_rec_(tr, i)->task;
    unsigned j;

    /* The next record of the same task, past those its command made
     * ready; anything else first means the step is over and it waits. */
    for (j = i + 1; j < tr->count; j++) {
        const fl_trace_record *r = fl_tr_rec_(tr, j);
        if (r->task == t) {
            if (r->kind == FL_TRACE_RUN)
                return TR_AT_ONCE;
            if (r->kind == FL_TRACE_END)
                return TR_ENDS;
            return r->kind == FL_TRACE_READY && r->what == FL_READY_STEPPED_ASIDE ? TR_ASIDE
                                                                                : TR_WAITS;
        }
        if (r->kind != FL_TRACE_READY || r->by != t)
            break;
    }
    return TR_WAITS;
}

/* ---- The loop's lists ----------------------------------------------------- */

static void ready_remove(tr_replay *rp, unsigned row)
{
    unsigned i, k = 0;
    for (i = 0; i < rp->nready; i++)
        if (rp->ready[i] != row)
            rp->ready[k++] = rp->ready[i];
    rp->nready = k;
}

static void ready_push(tr_replay *rp, unsigned row)
{
    ready_remove(rp, row); /* once, at the tail */
    rp->ready[rp->nready++] = (uint16_t)row;
}

static void set_holder(tr_replay *rp, const void *lock, int row)
{
    int i = fl_tr_object_(rp, lock);
    if (i >= 0)
        rp->holder[i] = row;
}

/* A condition wait gives up the lock it holds: the trace does not say which
 * lock is the condition's, so this is right when it holds one. */
static void release_the_lock_of(tr_replay *rp, unsigned row)
{
    unsigned i, held = 0, at = 0;
    for (i = 0; i < rp->objs; i++)
        if (rp->obj_kind[i] == TR_OBJ_LOCK && rp->holder[i] == (int)row) {
            held++;
            at = i;
        }
    if (held == 1)
        rp->holder[at] = -1;
}

static uint64_t ticks_us(fl_time ticks)
{
    return (uint64_t)ticks * 1000000u / FL_TICK_HZ;
}

/* A command that is no wait: a deadline set before it stays for the next
 * wait (FL_TIMEOUT), also while the task stands behind those it woke. */
static bool no_wait(unsigned op)
{
    switch (op) {
    case FL_OP_SPAWN:
    case FL_OP_CANCEL:
    case FL_OP_EVENT_SET:
    case FL_OP_LOCK_RELEASE:
    case FL_OP_COND_NOTIFY:
    case FL_OP_LATCH_COUNT_DOWN:
        return true;
    default:
        return false;
    }
}

/* A STOP: the row's timer (a deadline is the loop's from the DEADLINE on,
 * a sleep replaces it, a wait keeps it while it waits and drops it when it
 * ends at once), and the locks it takes or gives. */
static void apply_stop(tr_replay *rp, const tr_event *ev)
{
    const fl_trace_record *r = ev->rec;
    unsigned row = (unsigned)ev->row;

    rp->stop[row] = ev->index;
    if (r->what == FL_OP_DEADLINE) {
        rp->timer[row] = TR_TIMER_DEADLINE;
        rp->due[row] = ev->t + ticks_us(r->arg.ticks);
    } else if (r->what == FL_OP_SLEEP && ev->after == TR_WAITS) {
        rp->timer[row] = TR_TIMER_SLEEP;
        rp->due[row] = ev->t + ticks_us(r->arg.ticks);
    } else if (!no_wait(r->what) && ev->after != TR_WAITS) {
        rp->timer[row] = TR_TIMER_NONE; /* a yield, or a wait that ended at once */
    }
    if (r->what == FL_OP_LOCK && ev->after == TR_ASIDE)
        set_holder(rp, r->arg.ptr, (int)row); /* it was free */
    else if (r->what == FL_OP_LOCK_RELEASE && fl_tr_object_(rp, r->arg.ptr) >= 0 &&
             rp->holder[fl_tr_object_(rp, r->arg.ptr)] == (int)row)
        set_holder(rp, r->arg.ptr, -1);
    else if (r->what == FL_OP_COND_WAIT && ev->after == TR_WAITS)
        release_the_lock_of(rp, row);
}

static void apply(tr_replay *rp, const tr_event *ev)
{
    const fl_trace_record *r = ev->rec;
    unsigned row = (unsigned)ev->row;

    switch (r->kind) {
    case FL_TRACE_RUN:
        ready_remove(rp, row);
        break;
    case FL_TRACE_STOP:
        apply_stop(rp, ev);
        break;
    case FL_TRACE_READY: /* a wake drops the task's timer; standing behind does not */
        if (r->what != FL_READY_STEPPED_ASIDE || rp->stop[row] == TR_NO_RECORD ||
            !no_wait(fl_tr_rec_(rp->tr, rp->stop[row])->what))
            rp->timer[row] = TR_TIMER_NONE;
        ready_push(rp, row);
        if (r->what == FL_READY_WOKEN && r->wait_kind == FL_WAIT_LOCK)
            set_holder(rp, r->arg.ptr, (int)row); /* handed over */
        break;
    case FL_TRACE_END:
        ready_remove(rp, row);
        rp->timer[row] = TR_TIMER_NONE;
        break;
    default:
        break;
    }
    if (ev->to != ev->from) {
        rp->since[row] = ev->t;
        rp->begun[row] = ev->index;
    }
    rp->state[row] = (uint8_t)ev->to;
}

static int state_after(const fl_trace *tr, const fl_trace_record *r, unsigned i, int from,
                       int *after)
{
    switch (r->kind) {
    case FL_TRACE_RUN:
        return TR_RUNNING;
    case FL_TRACE_STOP:
        *after = fl_tr_after_stop_(tr, i);
        return *after == TR_WAITS ? TR_WAITING : TR_RUNNING;
    case FL_TRACE_READY:
        return TR_READY;
    case FL_TRACE_END:
        return TR_DONE;
    default:
        return from; /* a kind of the caller's own */
    }
}

void fl_tr_play_(tr_replay *rp, tr_event_fn fn, void *ctx)
{
    const fl_trace *tr = rp->tr;
    tr_event ev;
    unsigned i, r;

    for (r = 0; r < FL_TRACE_ROWS; r++) {
        rp->state[r] = TR_NONE;
        rp->since[r] = 0;
        rp->begun[r] = rp->stop[r] = TR_NO_RECORD;
        rp->timer[r] = TR_TIMER_NONE;
    }
    for (i = 0; i < TR_OBJECTS; i++)
        rp->holder[i] = -1;
    rp->nready = 0;
    for (i = 0; i < tr->count; i++) {
        ev.rec = fl_tr_rec_(tr, i);
        ev.index = i;
        ev.row = fl_tr_row_(rp, ev.rec->task);
        if (ev.row < 0)
            continue; /* no row for it */
        ev.by = ev.rec->kind == FL_TRACE_READY && ev.rec->by != NULL ? fl_tr_row_(rp, ev.rec->by)
                                                                     : -1;
        ev.from = rp->state[ev.row];
        ev.since = rp->since[ev.row];
        ev.t = fl_tr_micros_(tr, ev.rec->t);
        ev.after = TR_WAITS;
        ev.to = state_after(tr, ev.rec, i, ev.from, &ev.after);
        if (fn != NULL)
            fn(ctx, rp, &ev);
        apply(rp, &ev);
    }
    for (r = 0; r < rp->rows && fn != NULL; r++) {
        if (rp->state[r] == TR_NONE || rp->state[r] == TR_DONE)
            continue;
        ev.rec = NULL;
        ev.index = tr->count;
        ev.row = (int)r;
        ev.by = -1;
        ev.from = rp->state[r];
        ev.since = rp->since[r];
        ev.t = rp->end;
        ev.to = TR_NONE;
        ev.after = TR_WAITS;
        fn(ctx, rp, &ev);
    }
}

const fl_trace_record *fl_tr_span_command_(const tr_replay *rp, const tr_event *ev)
{
    unsigned row = (unsigned)ev->row;
    if (ev->from == TR_WAITING)
        return fl_tr_rec_(rp->tr, rp->begun[row]);
    if (ev->from != TR_RUNNING)
        return NULL;
    if (ev->rec != NULL && ev->rec->kind == FL_TRACE_STOP)
        return ev->rec;
    return rp->stop[row] != TR_NO_RECORD ? fl_tr_rec_(rp->tr, rp->stop[row]) : NULL;
}

int fl_tr_finish_(const tr_out *o, const tr_replay *rp)
{
    if (o->rc < 0)
        return o->rc;
    return rp->overflow ? FL_ENOSPC : 0;
}

#endif /* FL_ENABLE_TRACE */
