/* SPDX-License-Identifier: MIT */
/*
 * trace.c - a recorder of the schedule: hooks that append a record to a
 * ring for each step, command, wake-up and end.
 *
 * Recording is cheap on purpose (a clock read and a few stores, on hooks
 * the loop calls anyway); the exporters (trace_*.c) do the work
 * afterwards.  A record keeps only what is true at the moment: the
 * command a task returned, why it became ready and who was being stepped
 * then.  The primitives may be gone by the time a trace is written, so
 * nothing is looked up later but the addresses kept here.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_TRACE

/* The slot of the next record; a full ring overwrites its oldest.
 * Inline, with stamp: they are most of a record's cost. */
static inline fl_trace_record *next_slot(fl_trace *tr)
{
    unsigned i = tr->head + tr->count;
    if (i >= tr->capacity)
        i -= tr->capacity;
    if (tr->count < tr->capacity) {
        tr->count++;
    } else {
        if (++tr->head == tr->capacity)
            tr->head = 0;
        tr->dropped++;
    }
    return &tr->records[i];
}

int fl_trace_add(fl_trace *tr, const fl_trace_record *rec)
{
    if (tr == NULL || rec == NULL || tr->records == NULL)
        return FL_EINVAL;
    *next_slot(tr) = *rec;
    return 0;
}

/* A new record of `t` now, in the ring, for the hook to complete.  The
 * clock is read first: it may be slow, the ring is not touched meanwhile. */
static inline fl_trace_record *stamp(fl_hooks *h, fl_loop *loop, const fl_task *t,
                                     unsigned kind, unsigned what)
{
    fl_trace *tr = (fl_trace *)h;
    uint32_t now = tr->clock != NULL ? tr->clock(tr->clock_ctx) : (uint32_t)fl_now(loop);
    fl_trace_record *r = next_slot(tr);

    r->t = now;
    r->kind = (uint8_t)kind;
    r->what = (uint8_t)what;
    r->wait_kind = FL_WAIT_OTHER;
    r->outcome = 0;
    r->task = t;
    r->by = NULL;
    r->arg.ptr = NULL;
    return r;
}

static void on_step_begin(fl_hooks *h, fl_loop *loop, fl_task *t)
{
    (void)stamp(h, loop, t, FL_TRACE_RUN, 0);
}

static void on_step_end(fl_hooks *h, fl_loop *loop, fl_task *t, const fl_cmd *cmd)
{
    fl_trace_record *r = stamp(h, loop, t, FL_TRACE_STOP, (unsigned)cmd->op);

    switch (cmd->op) {
    case FL_OP_YIELD: /* a sleep of 0 ticks */
    case FL_OP_SLEEP:
    case FL_OP_DEADLINE:
        r->arg.ticks = cmd->arg.ticks;
        break;
    case FL_OP_EXIT:
    case FL_OP_EXIT_ERROR:
    case FL_OP_IO_WAIT:
        r->arg.value = cmd->arg.value;
        break;
#if FL_HAS_LATCH_
    case FL_OP_LATCH_WAIT:
        /* An event waits on its latch: which of the two shows only here. */
        if (cmd->arg.ptr != NULL)
            r->wait_kind = ((const fl_latch *)cmd->arg.ptr)->waiters.kind;
        r->arg.ptr = cmd->arg.ptr;
        break;
#endif
    default:
        r->arg.ptr = cmd->arg.ptr;
        break;
    }
}

static void on_ready(fl_hooks *h, fl_loop *loop, fl_task *t, int cause, const void *obj)
{
    fl_trace_record *r = stamp(h, loop, t, FL_TRACE_READY, (unsigned)cause);
    const fl_waitq *q = obj;

    r->by = loop->current;
    r->arg.ptr = obj;
    r->outcome = (int8_t)(t->wait.value < 0 ? -1 : t->wait.value > 0);
    if ((cause == FL_READY_WOKEN || cause == FL_READY_TIMED_OUT) && q != NULL) {
        /* Keep the primitive, not its list: the list's kind says which. */
        const void *owner = fl_waitq_owner(q);
        r->wait_kind = q->kind;
        if (owner != NULL)
            r->arg.ptr = owner;
    }
}

static void on_end(fl_hooks *h, fl_loop *loop, fl_task *t)
{
    fl_trace_record *r = stamp(h, loop, t, FL_TRACE_END, fl_task_state(t));
    r->arg.value = t->result;
}

int fl_trace_init(fl_trace *tr, fl_trace_record *records, unsigned capacity,
                  uint32_t (*clock)(void *ctx), void *clock_ctx, uint32_t clock_hz)
{
    if (tr == NULL || records == NULL || capacity == 0 || (clock != NULL && clock_hz == 0))
        return FL_EINVAL;
    tr->hooks = (fl_hooks){.step_begin = on_step_begin, .step_end = on_step_end,
                           .task_ready = on_ready, .task_end = on_end};
    tr->records = records;
    tr->capacity = capacity;
    tr->head = tr->count = 0;
    tr->dropped = 0;
    tr->clock = clock;
    tr->clock_ctx = clock_ctx;
    tr->clock_hz = clock != NULL ? clock_hz : FL_TICK_HZ;
    tr->object_name = NULL;
    tr->object_name_ctx = NULL;
    return 0;
}

int fl_trace_attach(fl_trace *tr, fl_loop *loop)
{
    if (tr == NULL || loop == NULL || tr->records == NULL)
        return FL_EINVAL;
    fl_loop_set_hooks(loop, &tr->hooks);
    return 0;
}

void fl_trace_name_objects(fl_trace *tr, fl_trace_object_name_fn name, void *ctx)
{
    if (tr == NULL)
        return;
    tr->object_name = name;
    tr->object_name_ctx = ctx;
}

#endif /* FL_ENABLE_TRACE */
