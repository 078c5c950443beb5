/* SPDX-License-Identifier: MIT */
/*
 * trace_text.c - the words of the trace exports: output through the
 * caller's write function (the library has no stdio), numbers, names, and
 * the labels of commands, wake-ups and ends, as a student reads them:
 * "SLEEP 90 ms", "JOIN worker_A", "woken off jobs".
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

/* ---- Output ---------------------------------------------------------------- */

void tr_out_init(tr_out *o, fl_trace_write_fn write, void *ctx)
{
    o->write = write;
    o->ctx = ctx;
    o->rc = 0;
    o->len = 0;
    o->buf[0] = '\0';
}

void tr_put(tr_out *o, const char *s, size_t n)
{
    if (o->write == NULL) { /* collecting: keep what fits */
        while (n-- > 0 && o->len < sizeof o->buf - 1)
            o->buf[o->len++] = *s++;
        o->buf[o->len] = '\0';
    } else if (o->rc >= 0 && n > 0) {
        int rc = o->write(o->ctx, s, n);
        if (rc < 0)
            o->rc = rc;
    }
}

void tr_puts(tr_out *o, const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    tr_put(o, s, n);
}

void tr_put_uint(tr_out *o, uint64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    tr_put(o, p, (size_t)(buf + sizeof buf - p));
}

void tr_put_int(tr_out *o, int64_t v)
{
    if (v < 0) {
        tr_put(o, "-", 1);
        tr_put_uint(o, (uint64_t)(-(v + 1)) + 1u);
    } else {
        tr_put_uint(o, (uint64_t)v);
    }
}

void tr_put_ms(tr_out *o, uint64_t us)
{
    unsigned frac = (unsigned)(us % 1000u);
    tr_put_uint(o, us / 1000u);
    if (frac != 0) {
        char digits[4] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                          (char)('0' + frac % 10), '\0'};
        size_t n = 3;
        while (digits[n - 1] == '0')
            n--;
        tr_put(o, ".", 1);
        tr_put(o, digits, n);
    }
    tr_puts(o, " ms");
}

void tr_put_clean(tr_out *o, const char *name)
{
    for (; *name != '\0'; name++) {
        char c = *name;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '.';
        tr_put(o, plain ? &c : "_", 1);
    }
}

void tr_put_text(tr_out *o, const char *s)
{
    for (; *s != '\0'; s++) {
        char c = *s;
        switch (c) {
        case '<': c = '('; break;
        case '>': c = ')'; break;
        case '&': c = '+'; break;
        case '"': c = '\''; break;
        case '\\': c = '/'; break;
        default:
            if ((unsigned char)c < 0x20)
                c = ' ';
            break;
        }
        tr_put(o, &c, 1);
    }
}

/* ---- Names ----------------------------------------------------------------- */

/* A name from a callback, or NULL: an empty one names nothing (a VCD signal
 * without a name does not parse). */
static const char *given(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static const char *object_name(const tr_replay *rp, const void *obj)
{
    const fl_trace *tr = rp->tr;
    return tr->object_name != NULL ? given(tr->object_name(tr->object_name_ctx, obj)) : NULL;
}

void tr_put_task(tr_out *o, const tr_replay *rp, const fl_task *t)
{
    const char *s = rp->name != NULL ? given(rp->name(rp->name_ctx, t)) : NULL;
    int row = tr_row(rp, t);

    if (s == NULL)
        s = object_name(rp, t);
    if (s != NULL) {
        tr_put_clean(o, s);
    } else {
        tr_puts(o, "task");
        if (row >= 0)
            tr_put_uint(o, (unsigned)row);
        else
            tr_puts(o, "?");
    }
}

void tr_put_row(tr_out *o, const tr_replay *rp, unsigned row)
{
    tr_put_task(o, rp, rp->task[row]);
}

static const char *const kind_names[TR_OBJ_KINDS] = {"queue", "lock", "cond", "event",
                                                     "latch", "signal"};

static void put_object(tr_out *o, const tr_replay *rp, const void *obj, int kind)
{
    const char *s = object_name(rp, obj);
    int i = tr_object(rp, obj);

    if (s != NULL) {
        tr_put_clean(o, s);
        return;
    }
    tr_puts(o, kind >= 0 && kind < TR_OBJ_KINDS ? kind_names[kind] : "object");
    if (i >= 0)
        tr_put_uint(o, rp->obj_number[i]);
}

/* ---- Commands ---------------------------------------------------------------- */

static const char *const op_names[FL_OP_COUNT_] = {
    [FL_OP_DONE] = "DONE", [FL_OP_SPAWN] = "SPAWN", [FL_OP_CANCEL] = "CANCEL",
    [FL_OP_EXIT] = "EXIT", [FL_OP_EXIT_ERROR] = "EXIT_ERROR",
    [FL_OP_QUEUE_PUT_RESERVED] = "QUEUE_PUT_RESERVED",
    [FL_OP_QUEUE_GET_RESERVED] = "QUEUE_GET_RESERVED", [FL_OP_DEADLINE] = "DEADLINE",
    [FL_OP_EVENT_SET] = "EVENT_SET", [FL_OP_LOCK_RELEASE] = "LOCK_RELEASE",
    [FL_OP_COND_NOTIFY] = "COND_NOTIFY", [FL_OP_LATCH_COUNT_DOWN] = "LATCH_COUNT_DOWN",
    [FL_OP_YIELD] = "YIELD", [FL_OP_SLEEP] = "SLEEP", [FL_OP_JOIN] = "JOIN",
    [FL_OP_CANCEL_JOIN] = "CANCEL_JOIN", [FL_OP_QUEUE_PUT] = "QUEUE_PUT",
    [FL_OP_QUEUE_GET] = "QUEUE_GET", [FL_OP_QUEUE_PEEK] = "QUEUE_PEEK", [FL_OP_LOCK] = "LOCK",
    [FL_OP_COND_WAIT] = "COND_WAIT", [FL_OP_LATCH_WAIT] = "LATCH_WAIT",
    [FL_OP_SIGNAL_WAIT] = "SIGNAL_WAIT", [FL_OP_IO_WAIT] = "IO_WAIT"};

int tr_command_object(const fl_trace_record *stop)
{
    switch (stop->what) {
    case FL_OP_QUEUE_PUT: case FL_OP_QUEUE_GET: case FL_OP_QUEUE_PEEK:
    case FL_OP_QUEUE_PUT_RESERVED: case FL_OP_QUEUE_GET_RESERVED:
        return TR_OBJ_QUEUE;
    case FL_OP_LOCK: case FL_OP_LOCK_RELEASE:
        return TR_OBJ_LOCK;
    case FL_OP_COND_WAIT: case FL_OP_COND_NOTIFY:
        return TR_OBJ_COND;
    case FL_OP_EVENT_SET:
        return TR_OBJ_EVENT;
    case FL_OP_LATCH_WAIT:
        return stop->wait_kind == FL_WAIT_EVENT ? TR_OBJ_EVENT : TR_OBJ_LATCH;
    case FL_OP_LATCH_COUNT_DOWN:
        return TR_OBJ_LATCH;
    case FL_OP_SIGNAL_WAIT:
        return TR_OBJ_SIGNAL;
    case FL_OP_SPAWN: case FL_OP_CANCEL: case FL_OP_JOIN: case FL_OP_CANCEL_JOIN:
        return -1;
    default:
        return -2;
    }
}

int tr_list_object(unsigned wait_kind)
{
    switch (wait_kind) {
    case FL_WAIT_QUEUE_GET: case FL_WAIT_QUEUE_PUT: case FL_WAIT_QUEUE_PEEK:
        return TR_OBJ_QUEUE;
    case FL_WAIT_EVENT: return TR_OBJ_EVENT;
    case FL_WAIT_LOCK: return TR_OBJ_LOCK;
    case FL_WAIT_COND: return TR_OBJ_COND;
    case FL_WAIT_LATCH: return TR_OBJ_LATCH;
    case FL_WAIT_SIGNAL: return TR_OBJ_SIGNAL;
    default: return -2;
    }
}

static void put_ticks(tr_out *o, fl_time ticks)
{
    tr_put_ms(o, (uint64_t)ticks * 1000000u / FL_TICK_HZ);
}

static void put_fd(tr_out *o, fl_value fd_events)
{
    static const char *const events[] = {"", " read", " write", " read+write"};
    tr_puts(o, "fd ");
    tr_put_int(o, fd_events / 4);
    tr_puts(o, events[fd_events & 3]);
}

void tr_put_command(tr_out *o, const tr_replay *rp, const fl_trace_record *stop)
{
    int object = tr_command_object(stop);

    if (stop->what >= FL_OP_COUNT_) {
        tr_puts(o, "op ");
        tr_put_uint(o, stop->what);
        return;
    }
    tr_puts(o, op_names[stop->what]);
    switch (stop->what) {
    case FL_OP_SLEEP:
    case FL_OP_DEADLINE:
        tr_puts(o, " ");
        put_ticks(o, stop->arg.ticks);
        return;
    case FL_OP_EXIT:
    case FL_OP_EXIT_ERROR:
        tr_puts(o, " ");
        tr_put_int(o, stop->arg.value);
        return;
    case FL_OP_IO_WAIT:
        tr_puts(o, " ");
        put_fd(o, stop->arg.value);
        return;
    default:
        break;
    }
    if (object == -1) {
        tr_puts(o, " ");
        tr_put_task(o, rp, (const fl_task *)stop->arg.ptr);
    } else if (object >= 0) {
        tr_puts(o, " ");
        put_object(o, rp, stop->arg.ptr, object);
    }
}

/* ---- Wake-ups and ends ------------------------------------------------------ */

void tr_put_cause(tr_out *o, const tr_replay *rp, const fl_trace_record *ready)
{
    int object = tr_list_object(ready->wait_kind);

    switch (ready->what) {
    case FL_READY_SPAWNED: tr_puts(o, "spawned"); return;
    case FL_READY_STEPPED_ASIDE: tr_puts(o, "stepped aside"); return;
    case FL_READY_SLEPT: tr_puts(o, "timer"); return;
    case FL_READY_CANCELLED: tr_puts(o, "cancelled"); return;
    case FL_READY_JOINED:
        tr_put_task(o, rp, (const fl_task *)ready->arg.ptr);
        tr_puts(o, " ended");
        return;
    case FL_READY_TIMED_OUT:
        tr_puts(o, "deadline passed");
        if (object >= 0) {
            tr_puts(o, " on ");
            put_object(o, rp, ready->arg.ptr, object);
        }
        return;
    default:
        break;
    }
    if (object < 0) {
        tr_puts(o, ready->wait_kind == FL_WAIT_IO_READ || ready->wait_kind == FL_WAIT_IO_WRITE
                       ? "fd ready" : "woken");
    } else if (object == TR_OBJ_QUEUE && ready->outcome < 0) {
        put_object(o, rp, ready->arg.ptr, object);
        tr_puts(o, " closed");
    } else if (object == TR_OBJ_SIGNAL) {
        put_object(o, rp, ready->arg.ptr, object);
        tr_puts(o, " raised");
    } else {
        tr_puts(o, "woken off ");
        put_object(o, rp, ready->arg.ptr, object);
    }
}

void tr_put_end(tr_out *o, const fl_trace_record *end)
{
    switch (end->what) {
    case FL_TASK_FINISHED:
        tr_puts(o, "finished ");
        tr_put_int(o, end->arg.value);
        return;
    case FL_TASK_CANCELLED:
        tr_puts(o, "cancelled");
        return;
    default:
        tr_puts(o, "failed ");
        tr_put_int(o, end->arg.value);
#if FL_ENABLE_STRERROR
        tr_puts(o, " (");
        tr_put_text(o, fl_strerror((int)end->arg.value));
        tr_puts(o, ")");
#endif
        return;
    }
}

/* ---- Wait lists -------------------------------------------------------------- */

/* The list a STOP puts its task on: the object and which of its lists. */
static const void *list_of(const fl_trace_record *stop, int *which)
{
    *which = stop->what;
    switch (stop->what) {
    case FL_OP_CANCEL_JOIN:
        *which = FL_OP_JOIN; /* the target's joiners, as a join */
        return stop->arg.ptr;
    case FL_OP_IO_WAIT:
        *which = (int)(FL_OP_COUNT_ + stop->arg.value); /* one list an fd and way */
        return NULL;
    case FL_OP_SLEEP:
        return NULL; /* a timer, no list */
    default:
        return stop->arg.ptr;
    }
}

bool tr_same_list(const tr_replay *rp, unsigned a, unsigned b)
{
    int wa, wb;
    const void *la = list_of(tr_rec(rp->tr, rp->begun[a]), &wa);
    const void *lb = list_of(tr_rec(rp->tr, rp->begun[b]), &wb);
    return la == lb && wa == wb;
}

void tr_put_list(tr_out *o, const tr_replay *rp, unsigned row)
{
    const fl_trace_record *stop = tr_rec(rp->tr, rp->begun[row]);
    int object = tr_command_object(stop);
    int i;

    switch (stop->what) {
    case FL_OP_SLEEP: tr_puts(o, "timer"); return;
    case FL_OP_JOIN:
    case FL_OP_CANCEL_JOIN: tr_puts(o, "joiners of "); break;
    case FL_OP_QUEUE_PUT: tr_puts(o, "putters of "); break;
    case FL_OP_QUEUE_GET: tr_puts(o, "getters of "); break;
    case FL_OP_QUEUE_PEEK: tr_puts(o, "peekers of "); break;
    case FL_OP_IO_WAIT: put_fd(o, stop->arg.value); return;
    case FL_OP_YIELD: tr_puts(o, "nothing"); return;
    default: break;
    }
    if (object == -1) {
        tr_put_task(o, rp, (const fl_task *)stop->arg.ptr);
        return;
    }
    if (object < 0) { /* a command that does not wait, seen waiting */
        tr_put_command(o, rp, stop);
        return;
    }
    put_object(o, rp, stop->arg.ptr, object);
    i = tr_object(rp, stop->arg.ptr);
    if (object == TR_OBJ_LOCK && i >= 0 && rp->holder[i] >= 0) {
        tr_puts(o, " (held by ");
        tr_put_row(o, rp, (unsigned)rp->holder[i]);
        tr_puts(o, ")");
    }
}

#endif /* FL_ENABLE_TRACE */
