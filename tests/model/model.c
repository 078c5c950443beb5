/* SPDX-License-Identifier: MIT */
/*
 * model.c - the reference model: what flowno.h promises, written plainly,
 * checked against the record of a run as it is written.
 *
 * It holds no lists: a task's wait is its operation in progress (what and
 * on which object) and a ticket taken when it began waiting, so "the
 * oldest waiter" is the smallest ticket among the tasks waiting there.
 * Each operation is worked out when it starts, from the state of the
 * model at that point of the record:
 *   answered   its result is known: it comes when the task next runs;
 *   blocked    it waits; another task's operation, the clock, a cancel
 *              or a task's end grants it a result later;
 *   maybe      a peeker woken by a put: ready, it looks again when it
 *              runs (the step_end hook shows it issue the peek again)
 *              and may see an item or wait on; see also peekers_look.
 * Whether a task is ready or blocked is thus known to the model, so when
 * the loop idles (a poll that says to wait, the port's wait, the end of a
 * run) the model checks that no task is ready, and that the wait it asks
 * for ends at the model's next timer.  The order in which ready tasks run
 * is never assumed.
 */
#include <string.h>

#include "model.h"

enum { M_NEW, M_ALIVE, M_DONE, M_POSTED };            /* a task */
enum { P_NONE, P_ANSWERED, P_BLOCKED, P_GRANTED, P_MAYBE }; /* its operation */
enum { C_NONE, C_REQUESTED, C_DELIVERED };            /* its cancellation */
enum { FLOW_OPS, FLOW_FINALLY, FLOW_END };            /* what it does next */

typedef struct mtask {
    int state;
    int begun, has_finally, in_finally, finally_runs;
    int cancel;
    int flow;
    int u_err;
    long u_val; /* the outcome it unwinds (or ends) with */
    int deadline_armed;
    fl_time deadline;
    /* The operation in progress. */
    int p;
    op o;
    int rc;
    long val;          /* the result, once answered or granted */
    int retry;         /* granted: the result is worked out when it comes */
    long put_item;
    unsigned long ticket;
    fl_time due;       /* a sleep's end */
    int notified;      /* a condition waiter moved onto the lock */
    long seen[16];     /* a woken peeker: the items first in the queue since */
    unsigned nseen;
    int seen_closed;   /* ... and whether it was empty and closed */
    int cancel_open;   /* ... and whether a cancel came meanwhile */
    int timeout_failed; /* FL_TIMEOUT found the timers full: it raises */
    int timed_out_ready; /* granted FL_ETIMEDOUT as a woken peeker: a cancel
                            before it runs wins over that deadline */
    /* Once done. */
    int end_state;
    long end_val;
} mtask;

typedef struct mqueue {
    long items[QCAP_MAX];
    unsigned cap, count, get_reserved, put_reserved;
    int closed;
} mqueue;

static struct {
    const scenario *sc;
    mtask t[POOL_MAX];
    mtask driver;
    mqueue q[NQUEUE];
    int owner[NLOCK];
    unsigned latch[NLATCH], event[NEVENT];
    unsigned live;
    fl_time now;
    unsigned long tickets;
    int posted[POOL_MAX];
    unsigned nposted;
    int stopping;     /* nothing may run until the driver's next record */
    int in_run;       /* between R_RUN_BEGIN and R_RUN_END */
    int exit_pending, exit_rc; /* an FL_EXIT: what the run returns */
    long exit_val;
    int run_rc_known, run_rc;  /* the run failed at once (spawning the root) */
    unsigned run_flags;
    fl_time max_wait;
} m;

unsigned long model_notes[N_NOTE_COUNT];
const char *const model_note_names[N_NOTE_COUNT] = {
    "spawn into a full table", "timer heap full", "deadline came first",
    "deadline passed before its wait",
    "cancel woke a waiter", "cancel left pending", "cancel of a notified waiter",
    "pending cancel delivered", "notify moved a waiter", "lock handed to a waiter",
    "peeker woken by a put", "getter woken with an item", "putter woken with a place",
    "close woke a waiter", "FL_EXIT", "FL_EINCOMPLETE", "everyone blocked",
    "post", "post into a full table", "spawn of an ended task", "finally ran",
    "latch or event woke waiters", "join woke a joiner", "the loop idled"};
#define NOTE(n) (model_notes[n]++)

#define fail log_fail
#define BEFORE(a, b) ((fl_time_diff)((a) - (b)) < 0)
#define ALL_WAITERS 0x7FFFFFFFu
#define OBS_NONE (-0x7FFF) /* the operation has no object to look at */

static mtask *actor(int i)
{
    return i == ACTOR_DRIVER ? &m.driver : &m.t[i];
}

void model_reset(const scenario *sc)
{
    unsigned i;
    memset(&m, 0, sizeof m);
    m.sc = sc;
    m.now = sc->start;
    for (i = 0; i < NQUEUE; i++)
        m.q[i].cap = sc->qcap[i];
    for (i = 0; i < NLOCK; i++)
        m.owner[i] = -1;
    for (i = 0; i < NLATCH; i++)
        m.latch[i] = sc->latch_count[i];
    for (i = 0; i < NEVENT; i++)
        m.event[i] = 1;
}

/* ---- Tasks, timers, results --------------------------------------------------- */

static int blocked_in(const mtask *t, int kind, unsigned obj)
{
    return t->state == M_ALIVE && t->p == P_BLOCKED && t->o.kind == kind && t->o.obj == obj;
}

static int waits_for_lock(const mtask *t, unsigned l)
{
    return blocked_in(t, OP_LOCK, l) || (blocked_in(t, OP_COND_WAIT, l) && t->notified);
}

static int waits_on_cond(const mtask *t, unsigned c)
{
    return blocked_in(t, OP_COND_WAIT, c) && !t->notified;
}

/* The oldest task blocked as `kind` on `obj` (-1: none).  OP_LOCK finds
 * the lock's waiters, condition waiters moved there included. */
static int oldest(int kind, unsigned obj)
{
    int best = -1;
    unsigned i;
    for (i = 0; i < m.sc->ntasks; i++) {
        const mtask *t = &m.t[i];
        int match = kind == OP_LOCK ? waits_for_lock(t, obj)
                  : kind == OP_COND_WAIT ? waits_on_cond(t, obj) : blocked_in(t, kind, obj);
        if (match && (best < 0 || t->ticket < m.t[best].ticket))
            best = (int)i;
    }
    return best;
}

static void disarm(mtask *t)
{
    t->deadline_armed = 0;
}

/* Timers in use: sleepers and deadlines not yet due.  A deadline that has
 * come fired when the clock moved (clock_moved), and gave its timer back,
 * also for a task that stood aside: that task keeps only the news, which
 * fails its next wait. */
static unsigned timers_armed(void)
{
    unsigned i, n = 0;
    for (i = 0; i < m.sc->ntasks; i++) {
        const mtask *t = &m.t[i];
        if (t->state == M_ALIVE && ((t->deadline_armed && BEFORE(m.now, t->deadline)) ||
                                    blocked_in(t, OP_SLEEP, t->o.obj)))
            n++;
    }
    return n;
}

static int timer_full(void)
{
    return FL_TIMER_HEAP && timers_armed() >= FL_MAX_TIMERS;
}

/* The operation's result is known now.  A wait answered at once has
 * ended, and its deadline with it; anything else leaves the deadline for
 * the next wait. */
static void answer(mtask *t, int rc, long val)
{
    t->p = P_ANSWERED;
    t->rc = rc;
    t->val = val;
    if (op_defs[t->o.kind].flags & OPF_WAIT)
        disarm(t);
}

/* A command that is no wait and steps aside behind the tasks it woke (or,
 * for FL_SPAWN, fails at once). */
static void answer_aside(mtask *t, int rc)
{
    answer(t, rc, 0); /* a deadline set for the next wait stays armed */
}

static void block(mtask *t)
{
    t->p = P_BLOCKED;
    t->ticket = ++m.tickets;
}

/* Another task, the clock or a cancel ends the wait: it becomes ready. */
static void grant(mtask *t, int rc, long val)
{
    t->p = P_GRANTED;
    t->rc = rc;
    t->val = val;
    t->retry = 0;
    t->timed_out_ready = 0;
    disarm(t);
}

static void grant_retry(mtask *t)
{
    grant(t, 0, 0);
    t->retry = 1;
}

static int end_error(const mtask *t)
{
    return t->end_state == FL_TASK_FINISHED ? 0 : (int)t->end_val;
}

static void start_incarnation(mtask *t)
{
    memset(t, 0, sizeof *t);
    t->state = M_ALIVE;
    m.live++;
}

/* ---- Task operations ----------------------------------------------------------- */

static int spawn(unsigned c)
{
    mtask *t = &m.t[c];
    if (t->state == M_ALIVE || t->state == M_POSTED)
        return FL_EBUSY;
    if (m.live >= FL_MAX_TASKS) {
        NOTE(N_SPAWN_FULL);
        return FL_ENOSPC; /* and nothing changes */
    }
    if (t->state == M_DONE)
        NOTE(N_RESPAWN);
    start_incarnation(t);
    return 0;
}

static int post(unsigned c)
{
    mtask *t = &m.t[c];
    if (t->state == M_ALIVE || t->state == M_POSTED)
        return FL_EBUSY;
    t->state = M_POSTED; /* NEW again: what it ended with is forgotten */
    NOTE(N_POST);
    m.posted[m.nposted++] = (int)c;
    return 0;
}

/* The loop takes the posts in, oldest first. */
static void drain_posts(void)
{
    unsigned k;
    for (k = 0; k < m.nposted; k++) {
        mtask *t = &m.t[m.posted[k]];
        if (m.live < FL_MAX_TASKS) {
            start_incarnation(t);
        } else {
            NOTE(N_POST_FULL);
            t->state = M_DONE;
            t->end_state = FL_TASK_FAILED;
            t->end_val = FL_ENOSPC;
        }
    }
    m.nposted = 0;
}

/* fl_cancel: true when delivered or pending, false once ended. */
static int cancel(unsigned target)
{
    mtask *t = &m.t[target];
    if (t->state != M_ALIVE)
        return 0;
    if (t->cancel != C_NONE)
        return 1;
    if (t->p == P_BLOCKED && t->o.kind == OP_COND_WAIT && t->notified) {
        t->cancel = C_REQUESTED; /* it takes the lock first: no notify lost */
        NOTE(N_CANCEL_NOTIFIED);
    } else if (t->p == P_GRANTED && t->timed_out_ready) {
        t->rc = FL_ECANCELLED; /* a pending cancel wins over a passed deadline */
        t->cancel = C_DELIVERED;
        t->timed_out_ready = 0;
        NOTE(N_CANCEL_PENDING);
    } else if (t->p == P_MAYBE) {
        t->cancel = C_REQUESTED; /* delivered or not: its result says */
        t->cancel_open = 1;
        NOTE(N_CANCEL_PENDING);
    } else if (t->p == P_BLOCKED) {
        grant(t, FL_ECANCELLED, 0);
        t->cancel = C_DELIVERED;
        NOTE(N_CANCEL_WOKE);
    } else {
        t->cancel = C_REQUESTED; /* ready or running: its next wait */
        NOTE(N_CANCEL_PENDING);
    }
    return 1;
}

static int join_outcome(const mtask *target, int cancelling)
{
    int err = end_error(target);
    return cancelling && err == FL_ECANCELLED ? 0 : err;
}

static void start_join(int self, mtask *me, unsigned target, int cancelling)
{
    mtask *t = &m.t[target];
    if ((int)target == self) {
        answer(me, FL_EDEADLK, 0);
        return;
    }
    if (cancelling)
        (void)cancel(target);
    if (t->state == M_DONE)
        answer(me, join_outcome(t, cancelling), t->end_state == FL_TASK_FINISHED ? t->end_val : 0);
    else if (t->state != M_ALIVE)
        answer(me, FL_ENOTSTARTED, 0);
    else
        block(me);
}

/* A task ended: check it ended as its program and results say, and wake
 * its joiners. */
static void task_ended(int i, const rec *r)
{
    mtask *t = &m.t[i];
    int want_state, want_val_is_err = t->u_err != 0;
    long want_val = want_val_is_err ? t->u_err : t->u_val;
    unsigned j;

    if (t->state != M_ALIVE || !t->begun)
        fail(i, "T%d ended, but the model has it %s", i, t->begun ? "not alive" : "never run");
    if (t->flow != FLOW_END)
        fail(i, "T%d ended where its program goes on (%s)", i,
             t->flow == FLOW_FINALLY ? "its finally has not run" : "no error, return or end");
    want_state = t->u_err == 0 ? FL_TASK_FINISHED
               : t->u_err == FL_ECANCELLED ? FL_TASK_CANCELLED : FL_TASK_FAILED;
    if (r->rc != want_state || r->val != want_val)
        fail(i, "T%d ended in state %d with %ld; expected state %d with %ld", i, r->rc, r->val,
             want_state, want_val);
    t->state = M_DONE;
    t->end_state = want_state;
    t->end_val = want_val;
    t->p = P_NONE;
    disarm(t);
    m.live--;
    for (j = 0; j < m.sc->ntasks; j++) {
        mtask *w = &m.t[j];
        if (blocked_in(w, OP_JOIN, (unsigned)i) || blocked_in(w, OP_CANCEL, (unsigned)i))
            grant(w, join_outcome(t, w->o.kind == OP_CANCEL),
                  want_state == FL_TASK_FINISHED ? want_val : 0), NOTE(N_JOIN_WOKE);
    }
    if (m.in_run && (m.run_flags & FL_RUN_NO_WAIT) && i == 0)
        m.stopping = 1; /* the root of a run that does not wait for the rest */
}

/* ---- Queues ------------------------------------------------------------------------- */

/* A woken peeker looks again when it runs (peek_again).  Should a
 * library hand it the item as it wakes instead, with no second look, it
 * may report any item that was first in the queue while it was woken, or
 * FL_ECLOSED if the queue was empty and closed meanwhile; a cancel that
 * came meanwhile may win (FL_ECANCELLED) or stay pending.  Called after
 * every change to queue `qi`. */
static void peekers_look(unsigned qi)
{
    const mqueue *q = &m.q[qi];
    unsigned i;
    for (i = 0; i < m.sc->ntasks; i++) {
        mtask *t = &m.t[i];
        if (t->state != M_ALIVE || t->p != P_MAYBE || t->o.obj != qi || t->cancel_open)
            continue;
        if (q->count == 0) {
            t->seen_closed |= q->closed;
        } else if (t->nseen == 0 || t->seen[t->nseen - 1] != q->items[0]) {
            if (t->nseen == sizeof t->seen / sizeof t->seen[0])
                fail((int)i, "model limit: T%d was woken through too many items", (int)i);
            t->seen[t->nseen++] = q->items[0];
        }
    }
}

/* The woken peeker `i` looks again: as a new peek (a pending cancel lands
 * here), except that its deadline is still the first one. */
static void peek_again(int i)
{
    mtask *t = &m.t[i];
    mqueue *q = &m.q[t->o.obj];
    if (t->state != M_ALIVE || t->p != P_MAYBE)
        return; /* the first time it asks, or a result the model knows */
    if (t->cancel == C_REQUESTED) {
        t->cancel = C_DELIVERED;
        answer(t, FL_ECANCELLED, 0);
    } else if (q->count > 0) {
        answer(t, 0, q->items[0]);
    } else if (q->closed) {
        answer(t, FL_ECLOSED, 0);
    } else {
        t->p = P_BLOCKED; /* the item has gone: it waits on */
    }
}

/* An item goes in: the oldest getter gets it set aside, every peeker
 * looks again. */
static void store(unsigned qi, long item)
{
    mqueue *q = &m.q[qi];
    int g;
    unsigned i;
    q->items[q->count++] = item;
    g = oldest(OP_GET, qi);
    if (g >= 0) {
        grant_retry(&m.t[g]);
        q->get_reserved++;
        NOTE(N_GET_RESERVED);
    }
    for (i = 0; i < m.sc->ntasks; i++) {
        mtask *t = &m.t[i];
        if (!blocked_in(t, OP_PEEK, qi))
            continue;
        t->p = P_MAYBE;
        t->nseen = 0;
        t->seen_closed = t->cancel_open = 0;
        NOTE(N_PEEK_WOKEN); /* it keeps its deadline until it has looked */
    }
    peekers_look(qi);
}

/* The oldest item goes out: the oldest putter gets its place set aside. */
static long take(unsigned qi)
{
    mqueue *q = &m.q[qi];
    long item = q->items[0];
    int pu;
    memmove(q->items, q->items + 1, (q->count - 1) * sizeof q->items[0]);
    q->count--;
    pu = oldest(OP_PUT, qi);
    if (pu >= 0) {
        grant_retry(&m.t[pu]);
        q->put_reserved++;
        NOTE(N_PUT_RESERVED);
    }
    peekers_look(qi);
    return item;
}

static void close_queue(unsigned qi)
{
    unsigned i;
    m.q[qi].closed = 1;
    for (i = 0; i < m.sc->ntasks; i++) {
        mtask *t = &m.t[i];
        if (blocked_in(t, OP_GET, qi) || blocked_in(t, OP_PUT, qi) || blocked_in(t, OP_PEEK, qi))
            grant(t, FL_ECLOSED, 0), NOTE(N_CLOSE_WOKE); /* a peeker waits only on an empty queue */
    }
    peekers_look(qi);
}

static void start_queue_op(mtask *me, unsigned qi, long item)
{
    mqueue *q = &m.q[qi];
    int k = me->o.kind, put = k == OP_PUT || k == OP_TRY_PUT;
    int get = k == OP_GET || k == OP_TRY_GET, tries = k >= OP_TRY_PUT && k <= OP_TRY_PEEK;
    unsigned promised = get ? q->get_reserved : 0;

    if (put && q->closed)
        answer(me, FL_ECLOSED, 0);
    else if (put && q->count + q->put_reserved >= q->cap)
        tries ? answer(me, FL_EAGAIN, 0) : block(me);
    else if (put)
        store(qi, item), answer(me, 0, 0);
    else if (q->count > promised)
        answer(me, 0, get ? take(qi) : q->items[0]);
    else if (q->closed)
        answer(me, FL_ECLOSED, 0);
    else
        tries ? answer(me, FL_EAGAIN, 0) : block(me);
}

/* A woken getter takes its item, a woken putter stores (or finds the
 * queue closed); a woken peeker that answers without being seen to look
 * again is judged by what it may have seen (peekers_look). */
static void queue_result(int i, mtask *me, const rec *r)
{
    unsigned qi = me->o.obj;
    mqueue *q = &m.q[qi];
    if (me->p == P_MAYBE) {
        unsigned k;
        for (k = 0; k < me->nseen && r->rc == 0; k++)
            if (r->val == me->seen[k])
                return;
        if (r->rc == FL_ECLOSED && me->seen_closed)
            return;
        if (r->rc == FL_ECANCELLED && me->cancel_open) {
            me->cancel = C_DELIVERED;
            return;
        }
        fail(i, "T%d peeked %d (%ld); since it was woken the queue held %u other item(s)%s%s", i,
             r->rc, r->val, me->nseen, me->seen_closed ? ", was closed" : "",
             me->cancel_open ? ", a cancel came" : "");
    }
    if (me->o.kind == OP_GET) {
        me->rc = 0;
        if (q->count == 0 || q->get_reserved == 0)
            fail(i, "T%d was woken for an item the model does not have", i);
        q->get_reserved--;
        me->val = take(qi);
    } else {
        q->put_reserved--;
        me->rc = q->closed ? FL_ECLOSED : 0;
        if (!q->closed)
            store(qi, me->put_item);
    }
}

/* ---- Locks, conditions, latches ------------------------------------------------ */

/* The lock goes to its oldest waiter, or is free. */
static void pass_lock(unsigned l)
{
    int w = oldest(OP_LOCK, l);
    m.owner[l] = w;
    if (w >= 0) {
        NOTE(N_LOCK_HANDOFF);
        m.t[w].notified = 0;
        grant(&m.t[w], 0, 0);
    }
}

static int notify(unsigned c, unsigned n)
{
    unsigned moved = 0;
    while (moved < n) {
        int w = oldest(OP_COND_WAIT, c);
        if (w < 0)
            break;
        disarm(&m.t[w]); /* notified: no deadline any more */
        if (m.owner[c] < 0) {
            m.owner[c] = w;
            grant(&m.t[w], 0, 0);
        } else {
            m.t[w].notified = 1; /* it queues for the lock */
            m.t[w].ticket = ++m.tickets;
        }
        moved++;
        NOTE(N_NOTIFY_MOVED);
    }
    return (int)moved;
}

static int count_down(unsigned *count, int kind, unsigned obj, int error_if_zero)
{
    unsigned i;
    if (*count == 0)
        return error_if_zero ? FL_ERANGE : 0;
    if (--*count == 0)
        for (i = 0; i < m.sc->ntasks; i++)
            if (blocked_in(&m.t[i], kind, obj))
                grant(&m.t[i], 0, 0), NOTE(N_LATCH_WOKE);
    return 0;
}

/* ---- Starting an operation --------------------------------------------------------- */

static void start_op(int self, mtask *me, long item)
{
    const op *o = &me->o;
    unsigned obj = o->obj;
    switch (o->kind) {
    case OP_YIELD:
        disarm(me);
        answer(me, 0, 0);
        break;
    case OP_SLEEP:
        disarm(me); /* a sleep replaces a deadline */
        if (o->arg == 0)
            answer(me, 0, 0);
        else if (timer_full())
            answer(me, FL_ENOSPC, 0), NOTE(N_TIMERS_FULL);
        else
            block(me), me->due = m.now + (fl_time)o->arg;
        break;
    case OP_SPAWN: answer_aside(me, spawn(obj)); break;
    case OP_SPAWN_C: answer(me, spawn(obj), 0); break;
    case OP_POST: answer(me, post(obj), 0); break;
    case OP_JOIN:
    case OP_CANCEL: start_join(self, me, obj, o->kind == OP_CANCEL); break;
    case OP_CANCEL_NOWAIT:
    case OP_CANCEL_C: answer(me, cancel(obj), 0); break;
    case OP_PUT: case OP_GET: case OP_PEEK:
    case OP_TRY_PUT: case OP_TRY_GET: case OP_TRY_PEEK:
        me->put_item = item;
        start_queue_op(me, obj, item);
        break;
    case OP_CLOSE: close_queue(obj); answer(me, 0, 0); break;
    case OP_LOCK:
    case OP_TRY_LOCK:
        if (m.owner[obj] < 0)
            m.owner[obj] = self, answer(me, 0, 0);
        else if (m.owner[obj] == self)
            answer(me, FL_EDEADLK, 0);
        else
            o->kind == OP_LOCK ? block(me) : answer(me, FL_EAGAIN, 0);
        break;
    case OP_UNLOCK:
    case OP_UNLOCK_ASIDE:
        if (m.owner[obj] != self)
            answer(me, FL_EPERM, 0);
        else
            pass_lock(obj), o->kind == OP_UNLOCK ? answer(me, 0, 0) : answer_aside(me, 0);
        break;
    case OP_EVENT_SET_ASIDE:
        if (m.event[obj] == 0)
            answer(me, 0, 0); /* set already: it does not step aside */
        else
            answer_aside(me, count_down(&m.event[obj], OP_EVENT_WAIT, obj, 0));
        break;
    case OP_NOTIFY_ASIDE: answer_aside(me, notify(obj, (unsigned)o->arg)); break;
    case OP_NOTIFY_ALL_ASIDE: answer_aside(me, notify(obj, ALL_WAITERS)); break;
    case OP_LATCH_DOWN_ASIDE:
        answer_aside(me, count_down(&m.latch[obj], OP_LATCH_WAIT, obj, o->arg != 0));
        break;
    case OP_COND_WAIT:
        if (m.owner[obj] != self)
            answer(me, FL_EPERM, 0);
        else
            pass_lock(obj), block(me);
        break;
    case OP_POLL_INSIDE:
    case OP_RUN_INSIDE: answer(me, FL_EBUSY, 0); break; /* the loop is not re-entered */
    case OP_NOTIFY: answer(me, notify(obj, (unsigned)o->arg), 0); break;
    case OP_NOTIFY_ALL: answer(me, notify(obj, ALL_WAITERS), 0); break;
    case OP_EVENT_WAIT: m.event[obj] == 0 ? answer(me, 0, 0) : block(me); break;
    case OP_EVENT_SET: answer(me, count_down(&m.event[obj], OP_EVENT_WAIT, obj, 0), 0); break;
    case OP_LATCH_WAIT: m.latch[obj] == 0 ? answer(me, 0, 0) : block(me); break;
    case OP_LATCH_DOWN:
        answer(me, count_down(&m.latch[obj], OP_LATCH_WAIT, obj, o->arg != 0), 0);
        break;
    default: fail(self, "the model knows no operation %d", o->kind);
    }
}

/* Where the task's program goes after an error, a return or its end. */
static void unwind(mtask *t, int err, long val)
{
    t->u_err = err;
    t->u_val = val;
    t->flow = (t->has_finally && !t->in_finally) ? FLOW_FINALLY : FLOW_END;
}

static void task_start(int i, const rec *r)
{
    mtask *me = actor(i);
    const op *o = &r->o;
    unsigned flags = op_defs[o->kind].flags;

    if (i != ACTOR_DRIVER && (me->state != M_ALIVE || !me->begun || me->p != P_NONE ||
                              me->flow != FLOW_OPS))
        fail(i, "T%d starts an operation where the model has it %s", i,
             me->state != M_ALIVE ? "not alive" : me->p != P_NONE ? "still in one" : "unwinding");
    me->o = *o;
    me->retry = me->notified = 0;
    me->timeout_failed = 0;
    if (flags & OPF_ENDS) {
        long v = o->arg;
        int is_error = o->kind == OP_EXIT_ERROR;
        if (is_error && v >= 0)
            v = FL_EINVAL;
        me->p = P_NONE;
        me->flow = FLOW_END;
        me->u_err = is_error ? (int)v : 0;
        me->u_val = is_error ? 0 : v;
        m.stopping = 1;
        m.exit_pending = 1;
        NOTE(N_EXIT);
        m.exit_rc = me->u_err;
        m.exit_val = is_error ? 0 : v;
        return;
    }
    if (o->timeout != 0) {
        disarm(me); /* FL_TIMEOUT replaces the one before */
        if (timer_full()) {
            NOTE(N_TIMERS_FULL);
            me->timeout_failed = 1;
            me->p = P_ANSWERED;
            me->rc = FL_ENOSPC; /* the wait is never issued */
            return;
        }
        me->deadline_armed = 1;
        me->deadline = m.now + o->timeout;
    }
    if ((flags & OPF_WAIT) && me->cancel == C_REQUESTED) {
        me->cancel = C_DELIVERED; /* it lands here, before the wait */
        NOTE(N_CANCEL_DELIVERED);
        me->p = P_ANSWERED;
        me->rc = FL_ECANCELLED;
        disarm(me);
        return;
    }
    if ((flags & OPF_WAIT) && me->o.kind != OP_YIELD && me->o.kind != OP_SLEEP &&
        me->deadline_armed && !BEFORE(m.now, me->deadline)) {
        /* Its deadline passed while it stood aside (after a spawn, say):
         * the wait fails before it begins. */
        NOTE(N_LATE);
        me->p = P_ANSWERED;
        me->rc = FL_ETIMEDOUT;
        disarm(me);
        return;
    }
    start_op(i, me, r->val);
}

/* ---- Results --------------------------------------------------------------------------- */

static long observed(int self, const op *o)
{
    switch (op_defs[o->kind].arg) {
    case ARG_QUEUE: return (long)m.q[o->obj].count;
    case ARG_LOCK:
    case ARG_COND: return m.owner[o->obj] == self;
    case ARG_EVENT: return m.event[o->obj] == 0;
    case ARG_LATCH: return (long)m.latch[o->obj];
    default: return OBS_NONE;
    }
}

static void task_result(int i, const rec *r)
{
    mtask *me = actor(i);
    int k = me->o.kind, has_val;
    long obs;

    if (me->p == P_NONE || r->o.kind != k)
        fail(i, "T%d reports a result of %s it did not start", i, op_defs[r->o.kind].name);
    if (me->p == P_BLOCKED)
        fail(i, "T%d woke from %s with %d, but nothing has ended its wait (%s)", i,
             op_defs[k].name, r->rc,
             k == OP_SLEEP ? "its time has not come"
             : me->deadline_armed ? "nor has its deadline come" : "and it has no deadline");
    if (me->p == P_MAYBE || (me->p == P_GRANTED && me->retry))
        queue_result(i, me, r);
    if (me->p == P_MAYBE)
        disarm(me); /* the wait is over */
    if (me->p != P_MAYBE) {
        if (me->o.prop && me->rc > 0 && (k == OP_NOTIFY_ASIDE || k == OP_NOTIFY_ALL_ASIDE))
            me->rc = 0; /* the raising form hands the task no count */
        has_val = r->rc == 0 && (k == OP_GET || k == OP_PEEK || k == OP_TRY_GET ||
                                 k == OP_TRY_PEEK || k == OP_JOIN || k == OP_CANCEL);
        if (k == OP_JOIN || k == OP_CANCEL) {
            /* The task reads the result after it resumes: from the last
             * incarnation, which a post the loop could not take in (a full
             * table) may have ended since. */
            const mtask *target = &m.t[me->o.obj];
            has_val = has_val && target->state == M_DONE; /* not spawned again since */
            if (has_val)
                me->val = target->end_state == FL_TASK_FINISHED ? target->end_val : 0;
        }
        if (r->rc != me->rc || (has_val && r->val != me->val))
            fail(i, "T%d: %s gave %d (val %ld); the model expects %d (val %ld)", i,
                 op_defs[k].name, r->rc, r->val, me->rc, me->val);
    }
    obs = observed(i, &me->o);
    if (obs != OBS_NONE && obs != r->obs)
        fail(i, "T%d: after %s the task sees %ld of the object; the model has %ld", i,
             op_defs[k].name, r->obs, obs);
    me->p = P_NONE;
    if (i != ACTOR_DRIVER && me->o.prop && r->rc < 0 &&
        ((op_defs[k].flags & OPF_RAISES) || me->timeout_failed))
        unwind(me, r->rc, 0);
}

/* ---- The task's own flow ------------------------------------------------------------ */

static void task_flow(int i, const rec *r)
{
    mtask *t = &m.t[i];
    if (r->what == R_BEGIN) {
        if (t->state != M_ALIVE || t->begun)
            fail(i, "T%d runs but the model has it %s", i,
                 t->state != M_ALIVE ? "not spawned" : "running already");
        t->begun = 1;
        t->has_finally = r->rc;
        if (t->has_finally != m.sc->prog[i].has_finally)
            fail(i, "T%d runs the wrong function", i);
        return;
    }
    if (r->what == R_FINALLY) {
        if (t->flow != FLOW_FINALLY)
            fail(i, "T%d enters its finally where it should not (it ran %d times before)", i,
                 t->finally_runs);
        if (r->rc != t->u_err)
            fail(i, "T%d's finally sees pending error %d; it unwinds with %d", i, r->rc, t->u_err);
        t->finally_runs++;
        NOTE(N_FINALLY);
        t->in_finally = 1;
        t->flow = FLOW_OPS;
        return;
    }
    if (t->state != M_ALIVE || t->p != P_NONE || t->flow != FLOW_OPS)
        fail(i, "T%d goes on where the model has it %s", i,
             t->p != P_NONE ? "in an operation" : "unwinding");
    if (r->what == R_RETURN)
        unwind(t, 0, r->val);
    else if (r->what == R_FAIL)
        unwind(t, r->val < 0 ? (int)r->val : FL_EINVAL, 0);
    else if (t->in_finally)
        t->flow = FLOW_END; /* the finally ran to its end: the outcome stands */
    else
        unwind(t, 0, 0);
}

/* ---- The clock and idling --------------------------------------------------------- */

/* The clock moved: sleeps end and deadlines fail their waits, in any
 * order (none of them gives anything to anyone). */
static void clock_moved(fl_time now)
{
    unsigned i;
    m.now = now;
    for (i = 0; i < m.sc->ntasks; i++) {
        mtask *t = &m.t[i];
        if (t->state != M_ALIVE)
            continue;
        if (blocked_in(t, OP_SLEEP, t->o.obj) && !BEFORE(now, t->due))
            grant(t, 0, 0);
        else if (t->p == P_BLOCKED && t->deadline_armed && !BEFORE(now, t->deadline))
            grant(t, FL_ETIMEDOUT, 0), NOTE(N_TIMED_OUT);
        else if (t->p == P_MAYBE && t->deadline_armed && !BEFORE(now, t->deadline)) {
            /* Before it looked again.  It is ready: a pending cancel wins,
             * now or until it runs, as for a wait that has not begun. */
            if (t->cancel == C_REQUESTED) {
                grant(t, FL_ECANCELLED, 0);
                t->cancel = C_DELIVERED;
            } else {
                grant(t, FL_ETIMEDOUT, 0), NOTE(N_TIMED_OUT);
                t->timed_out_ready = 1;
            }
        }
    }
}

/* Nothing is ready in the loop: nothing may be ready in the model.  Returns
 * the time to the next timer, or FL_TIME_FOREVER. */
static fl_time idle_check(const char *where)
{
    fl_time next = FL_TIME_FOREVER;
    unsigned i;
    NOTE(N_IDLE);
    for (i = 0; i < m.sc->ntasks; i++) {
        mtask *t = &m.t[i];
        fl_time due;
        if (t->state != M_ALIVE)
            continue;
        if (t->p != P_BLOCKED)
            fail((int)i, "%s, but T%d is ready (%s): a wake-up was lost", where, (int)i,
                 !t->begun ? "spawned, never run"
                 : t->p == P_NONE ? "between operations"
                 : t->p == P_GRANTED ? "its wait has ended"
                 : t->p == P_MAYBE ? "a peeker with something to see" : "its operation was answered");
        if (t->o.kind == OP_SLEEP)
            due = t->due;
        else if (t->deadline_armed)
            due = t->deadline;
        else
            continue;
        if (!BEFORE(m.now, due))
            fail((int)i, "%s, but T%d's timer was due at %llu", where, (int)i,
                 (unsigned long long)due);
        if (due - m.now < next)
            next = due - m.now;
    }
    return next;
}

static void run_ended(const rec *r)
{
    const mtask *root = &m.t[0];
    int want_rc;
    long want_val = 0;
    if (m.run_rc_known) {
        want_rc = m.run_rc;
    } else if (m.exit_pending) {
        want_rc = m.exit_rc;
        want_val = m.exit_val;
    } else {
        if (!(m.stopping && (m.run_flags & FL_RUN_NO_WAIT))) {
            fl_time next = idle_check("the run returned");
            if (next != FL_TIME_FOREVER)
                fail(ACTOR_DRIVER, "the run returned with a timer due in %llu",
                     (unsigned long long)next);
        }
        if (m.live > 0)
            NOTE(N_STUCK);
        if (root->state == M_DONE) {
            want_rc = (m.run_flags & FL_RUN_JOIN) ? end_error(root) : 0;
            want_val = root->end_state == FL_TASK_FINISHED ? root->end_val : 0;
        } else {
            want_rc = FL_EINCOMPLETE; /* everyone waits on someone */
            NOTE(N_INCOMPLETE);
        }
    }
    if (r->rc != want_rc || r->val != want_val)
        fail(ACTOR_DRIVER, "fl_run_until_complete returned %d (result %ld); expected %d (%ld)",
             r->rc, r->val, want_rc, want_val);
    m.in_run = m.stopping = m.exit_pending = m.run_rc_known = 0;
}

static void run_begins(const rec *r)
{
    mtask *root = &m.t[0];
    m.in_run = 1;
    m.run_flags = (unsigned)r->rc;
    m.max_wait = (fl_time)r->val;
    if (root->state == M_NEW) {
        int rc = spawn(0);
        if (rc < 0)
            m.run_rc_known = 1, m.run_rc = rc;
    } else if (root->state == M_DONE && (m.run_flags & FL_RUN_NO_WAIT)) {
        m.stopping = 1; /* nothing runs: the root has ended already */
    }
}

static void poll_ended(const rec *r)
{
    unsigned i;
    int ready = 0;
    drain_posts();
    m.stopping = m.exit_pending = 0;
    if (r->rc != (int)m.live)
        fail(ACTOR_DRIVER, "fl_loop_poll says %d tasks are alive; the model has %u", r->rc, m.live);
    if (r->val == 0) {
        for (i = 0; i < m.sc->ntasks; i++)
            ready |= m.t[i].state == M_ALIVE && m.t[i].p != P_BLOCKED;
        if (!ready)
            fail(ACTOR_DRIVER, "fl_loop_poll says a task is ready; the model has all waiting");
    } else if (r->val == (long)FL_TIME_FOREVER && m.live > 0 && idle_check("stuck") == FL_TIME_FOREVER) {
        NOTE(N_STUCK);
    } else if ((fl_time)r->val != idle_check("fl_loop_poll says to wait")) {
        fail(ACTOR_DRIVER, "fl_loop_poll says to wait %ld ticks; the next timer is in %llu",
             r->val, (unsigned long long)idle_check("fl_loop_poll says to wait"));
    }
}

static void idles(const rec *r)
{
    fl_time next = idle_check("the run idles");
    if (m.max_wait != 0 && next > m.max_wait)
        next = m.max_wait;
    if ((fl_time)r->val != next)
        fail(ACTOR_DRIVER, "the run idles %ld ticks; the next timer is in %llu", r->val,
             (unsigned long long)next);
}

/* ---- The end ---------------------------------------------------------------------------- */

static void final_task(int i, const rec *r)
{
    const mtask *t = &m.t[i];
    int want = FL_TASK_NEW;
    long want_val = 0;
    if (t->state == M_DONE) {
        want = t->end_state;
        want_val = t->end_val;
    } else if (t->state == M_ALIVE) {
        want = t->o.kind == OP_SLEEP ? FL_TASK_SLEEPING
             : (t->o.kind == OP_JOIN || t->o.kind == OP_CANCEL) ? FL_TASK_JOINING : FL_TASK_WAITING;
    }
    if (r->rc != want || r->val != want_val)
        fail(i, "at the end T%d is in state %d with %ld; the model has state %d with %ld", i,
             r->rc, r->val, want, want_val);
}

static void final_object(const rec *r)
{
    long want = 0, want2 = 0;
    const char *what = "";
    if (r->what == R_FINAL_QUEUE) {
        want = (long)m.q[r->rc].count;
        want2 = m.q[r->rc].closed;
        what = "queue";
    } else if (r->what == R_FINAL_LOCK) {
        want = m.owner[r->rc];
        what = "lock";
    } else {
        want = r->rc < NLATCH ? (long)m.latch[r->rc] : (long)m.event[r->rc - NLATCH];
        what = r->rc < NLATCH ? "latch" : "event";
    }
    if (r->val != want || (r->what == R_FINAL_QUEUE && r->obs != want2))
        fail(ACTOR_DRIVER, "at the end %s %d has %ld/%ld; the model has %ld/%ld", what, r->rc,
             r->val, r->obs, want, want2);
}

/* ---- The way in ----------------------------------------------------------------------------- */

void model_feed(const rec *r)
{
    int i = r->task;
    if (i >= 0 && m.stopping && !(r->what == R_END && m.t[i].flow == FLOW_END))
        fail(i, "T%d runs after the loop was told to stop (FL_EXIT, or the root ended)", i);
    if (r->what != R_CLOCK && r->now != m.now)
        fail(i, "the clock reads %llu; the model has %llu", (unsigned long long)r->now,
             (unsigned long long)m.now);
    switch (r->what) {
    case R_BEGIN:
    case R_RETURN:
    case R_FAIL:
    case R_BODY_END:
    case R_FINALLY: task_flow(i, r); break;
    case R_START: task_start(i, r); break;
    case R_RESULT: task_result(i, r); break;
    case R_END: task_ended(i, r); break;
    case R_PEEK_CMD: peek_again(i); break;
    case R_CLOCK: clock_moved(r->now); break;
    case R_IDLE: idles(r); break;
    case R_POLL_BEGIN: break;
    case R_POLL_END: poll_ended(r); break;
    case R_RUN_BEGIN: run_begins(r); break;
    case R_RUN_END: run_ended(r); break;
    case R_FINAL_TASK: final_task(i, r); break;
    default: final_object(r); break;
    }
}
