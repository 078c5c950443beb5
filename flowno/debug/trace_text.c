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

void fl_tr_out_init_(tr_out *o, fl_trace_write_fn write, void *ctx)
{
    o->write = write;
    o->ctx = ctx;
    o->rc = 0;
    o->len = 0;
    o->buf[0] = '\0';
}

void fl_tr_put_(tr_out *o, const char *s, size_t n)
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

void fl_tr_puts_(tr_out *o, const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    fl_tr_put_(o, s, n);
}

void fl_tr_put_uint_(tr_out *o, uint64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    fl_tr_put_(o, p, (size_t)(buf + sizeof buf - p));
}

void fl_tr_put_int_(tr_out *o, int64_t v)
{
    if (v < 0) {
        fl_tr_put_(o, "-", 1);
        fl_tr_put_uint_(o, (uint64_t)(-(v + 1)) + 1u);
    } else {
        fl_tr_put_uint_(o, (uint64_t)v);
    }
}

void fl_tr_put_ms_(tr_out *o, uint64_t us)
{
    unsigned frac = (unsigned)(us % 1000u);
    fl_tr_put_uint_(o, us / 1000u);
    if (frac != 0) {
        char digits[4] = {(char)('0' + frac / 100), (char)('0' + frac / 10 % 10),
                          (char)('0' + frac % 10), '\0'};
        size_t n = 3;
        while (digits[n - 1] == '0')
            n--;
        fl_tr_put_(o, ".", 1);
        fl_tr_put_(o, digits, n);
    }
    fl_tr_puts_(o, " ms");
}

void fl_tr_put_clean_(tr_out *o, const char *name)
{
    for (; *name != '\0'; name++) {
        char c = *name;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '.';
        fl_tr_put_(o, plain ? &c : "_", 1);
    }
}

void fl_tr_put_text_(tr_out *o, const char *s)
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
        fl_tr_put_(o, &c, 1);
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

void fl_tr_put_task_(tr_out *o, const tr_replay *rp, const fl_task *t)
{
    const char *s = rp->name != NULL ? given(rp->name(rp->name_ctx, t)) : NULL;
    int row = fl_tr_row_(rp, t);

    if (s == NULL)
        s = object_name(rp, t);
    if (s != NULL) {
        fl_tr_put_clean_(o, s);
    } else {
        fl_tr_puts_(o, "task");
        if (row >= 0)
            fl_tr_put_uint_(o, (unsigned)row);
        else
            fl_tr_puts_(o, "?");
    }
}

void fl_tr_put_row_(tr_out *o, const tr_replay *rp, unsigned row)
{
    fl_tr_put_task_(o, rp, rp->task[row]);
}

static const char *const kind_names[TR_OBJ_KINDS] = {"queue", "lock", "cond", "event",
                                                     "latch", "signal"};

static void put_object(tr_out *o, const tr_replay *rp, const void *obj, int kind)
{
    const char *s = object_name(rp, obj);
    int i = fl_tr_object_(rp, obj);

    if (s != NULL) {
        fl_tr_put_clean_(o, s);
        return;
    }
    fl_tr_puts_(o, kind >= 0 && kind < TR_OBJ_KINDS ? kind_names[kind] : "object");
    if (i >= 0)
        fl_tr_put_uint_(o, rp->obj_number[i]);
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

int fl_tr_command_object_(const fl_trace_record *stop)
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

int fl_tr_list_object_(unsigned wait_kind)
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
    fl_tr_put_ms_(o, (uint64_t)ticks * 1000000u / FL_TICK_HZ);
}

static void put_fd(tr_out *o, fl_value fd_events)
{
    static const char *const events[] = {"", " read", " write", " read+write"};
    fl_tr_puts_(o, "fd ");
    fl_tr_put_int_(o, fd_events / 4);
    fl_tr_puts_(o, events[fd_events & 3]);
}

void fl_tr_put_command_(tr_out *o, const tr_replay *rp, const fl_trace_record *stop)
{
    int object = fl_tr_command_object_(stop);

    if (stop->what >= FL_OP_COUNT_) {
        fl_tr_puts_(o, "op ");
        fl_tr_put_uint_(o, stop->what);
        return;
    }
    fl_tr_puts_(o, op_names[stop->what]);
    switch (stop->what) {
    case FL_OP_SLEEP:
    case FL_OP_DEADLINE:
        fl_tr_puts_(o, " ");
        put_ticks(o, stop->arg.ticks);
        return;
    case FL_OP_EXIT:
    case FL_OP_EXIT_ERROR:
        fl_tr_puts_(o, " ");
        fl_tr_put_int_(o, stop->arg.value);
        return;
    case FL_OP_IO_WAIT:
        fl_tr_puts_(o, " ");
        put_fd(o, stop->arg.value);
        return;
    default:
        break;
    }
    if (object == -1) {
        fl_tr_puts_(o, " ");
        fl_tr_put_task_(o, rp, (const fl_task *)stop->arg.ptr);
    } else if (object >= 0) {
        fl_tr_puts_(o, " ");
        put_object(o, rp, stop->arg.ptr, object);
    }
}

/* ---- Wake-ups and ends ------------------------------------------------------ */

void fl_tr_put_cause_(tr_out *o, const tr_replay *rp, const fl_trace_record *ready)
{
    int object = fl_tr_list_object_(ready->wait_kind);

    switch (ready->what) {
    case FL_READY_SPAWNED: fl_tr_puts_(o, "spawned"); return;
    case FL_READY_STEPPED_ASIDE: fl_tr_puts_(o, "stepped aside"); return;
    case FL_READY_SLEPT: fl_tr_puts_(o, "timer"); return;
    case FL_READY_CANCELLED: fl_tr_puts_(o, "cancelled"); return;
    case FL_READY_JOINED:
        fl_tr_put_task_(o, rp, (const fl_task *)ready->arg.ptr);
        fl_tr_puts_(o, " ended");
        return;
    case FL_READY_TIMED_OUT:
        fl_tr_puts_(o, "deadline passed");
        if (object >= 0) {
            fl_tr_puts_(o, " on ");
            put_object(o, rp, ready->arg.ptr, object);
        }
        return;
    default:
        break;
    }
    if (object < 0) {
        fl_tr_puts_(o, ready->wait_kind == FL_WAIT_IO_READ || ready->wait_kind == FL_WAIT_IO_WRITE
                       ? "fd ready" : "woken");
    } else if (object == TR_OBJ_QUEUE && ready->outcome < 0) {
        put_object(o, rp, ready->arg.ptr, object);
        fl_tr_puts_(o, " closed");
    } else if (object == TR_OBJ_SIGNAL) {
        put_object(o, rp, ready->arg.ptr, object);
        fl_tr_puts_(o, " raised");
    } else {
        fl_tr_puts_(o, "woken off ");
        put_object(o, rp, ready->arg.ptr, object);
    }
}

void fl_tr_put_end_(tr_out *o, const fl_trace_record *end)
{
    switch (end->what) {
    case FL_TASK_FINISHED:
        fl_tr_puts_(o, "finished ");
        fl_tr_put_int_(o, end->arg.value);
        return;
    case FL_TASK_CANCELLED:
        fl_tr_puts_(o, "cancelled");
        return;
    default:
        fl_tr_puts_(o, "failed ");
        fl_tr_put_int_(o, end->arg.value);
#if FL_ENABLE_STRERROR
        fl_tr_puts_(o, " (");
        fl_tr_put_text_(o, fl_strerror((int)end->arg.value));
        fl_tr_puts_(o, ")");
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

bool fl_tr_same_list_(const tr_replay *rp, unsigned a, unsigned b)
{
    int wa, wb;
    const void *la = list_of(fl_tr_rec_(rp->tr, rp->begun[a]), &wa);
    const void *lb = list_of(fl_tr_rec_(rp->tr, rp->begun[b]), &wb);
    return la == lb && wa == wb;
}

void fl_tr_put_list_(tr_out *o, const tr_replay *rp, unsigned row)
{
    const fl_trace_record *stop = fl_tr_rec_(rp->tr, rp->begun[row]);
    int object = fl_tr_command_object_(stop);
    int i;

    switch (stop->what) {
    case FL_OP_SLEEP: fl_tr_puts_(o, "timer"); return;
    case FL_OP_JOIN:
    case FL_OP_CANCEL_JOIN: fl_tr_puts_(o, "joiners of "); break;
    case FL_OP_QUEUE_PUT: fl_tr_puts_(o, "putters of "); break;
    case FL_OP_QUEUE_GET: fl_tr_puts_(o, "getters of "); break;
    case FL_OP_QUEUE_PEEK: fl_tr_puts_(o, "peekers of "); break;
    case FL_OP_IO_WAIT: put_fd(o, stop->arg.value); return;
    case FL_OP_YIELD: fl_tr_puts_(o, "nothing"); return;
    default: break;
    }
    if (object == -1) {
        fl_tr_put_task_(o, rp, (const fl_task *)stop->arg.ptr);
        return;
    }
    if (object < 0) { /* a command that does not wait, seen waiting */
        fl_tr_put_command_(o, rp, stop);
        return;
    }
    put_object(o, rp, stop->arg.ptr, object);
    i = fl_tr_object_(rp, stop->arg.ptr);
    if (object == TR_OBJ_LOCK && i >= 0 && rp->holder[i] >= 0) {
        fl_tr_puts_(o, " (held by ");
        fl_tr_put_row_(o, rp, (unsigned)rp->holder[i]);
        fl_tr_puts_(o, ")");
    }
}

#endif /* FL_ENABLE_TRACE */
