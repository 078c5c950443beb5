/* SPDX-License-Identifier: MIT */
/*
 * driver.c - runs a scenario on the real loop and records what happens.
 *
 * Every task runs the same function, which walks its program; each
 * operation is a helper frame (op_step) that records its start, performs
 * the macro or the call, and records the result (from its finally section
 * when the error propagates).  The clock is ours: it moves only when the
 * loop has nothing ready (or, now and then, between polls while tasks are
 * still ready), and then by the time the loop asked for, less (an early
 * return of the port) or more (a late one).
 */
#include <string.h>

#include "model.h"

typedef struct actor {
    fl_task task; /* first, so that a task is its actor */
    fl_frame frame;
    const program *prog; /* its program */
    const program *cur;  /* what this run of it follows */
    unsigned runs;
    int id;
    unsigned pc;
    int rc;  /* what FL_CALL_RC hands back */
    int orc; /* the operation's own result */
    int put_item, got_item;
} actor;

static actor pool[POOL_MAX];
static fl_loop loop;
static fl_queue queues[NQUEUE];
static int qstore[NQUEUE][QCAP_MAX];
static fl_lock locks[NLOCK];
static fl_cond conds[NLOCK];
static fl_event events[NEVENT];
static fl_latch latches[NLATCH];
static const scenario *cur;
static rng *choices;
static fl_time clock_now;
static int next_item;
static int exit_seen;
static unsigned long steps;

/* Tasks spawn each other again once ended, so a program could run for
 * ever: past its third run a task runs an empty program. */
#define RUNS_MAX 3
static const program nothing;

#define STEP_CAP 2000000ul /* more steps than any program can take */
#define IDLE_CAP 200000ul

static void emit(int what, int task, const op *o, int rc, long val, long obs)
{
    rec r;
    memset(&r, 0, sizeof r);
    r.what = (uint8_t)what;
    r.task = (int16_t)task;
    r.now = clock_now;
    if (o != NULL)
        r.o = *o;
    r.rc = rc;
    r.val = val;
    r.obs = obs;
    log_emit(&r);
}

static long outcome_of(const fl_task *t)
{
    return fl_task_finished(t) ? (long)fl_task_result(t) : (long)fl_task_error(t);
}

/* ---- One operation -------------------------------------------------------- */

static fl_queue *queue_of(const op *o) { return &queues[o->obj % NQUEUE]; }
static fl_lock *lock_of(const op *o) { return &locks[o->obj % NLOCK]; }
static fl_cond *cond_of(const op *o) { return &conds[o->obj % NLOCK]; }
static fl_event *event_of(const op *o) { return &events[o->obj % NEVENT]; }
static fl_latch *latch_of(const op *o) { return &latches[o->obj % NLATCH]; }
static fl_task *task_of(const op *o) { return &pool[o->obj % POOL_MAX].task; }

/* The calls that do not suspend. */
static int plain_op(actor *a, const op *o)
{
    switch (o->kind) {
    case OP_SPAWN_C: return fl_spawn(&loop, task_of(o), NULL);
    case OP_POST: return fl_post_spawn(&loop, task_of(o));
    case OP_CANCEL_C: return fl_cancel(&loop, task_of(o)) ? 1 : 0;
    case OP_TRY_PUT: return fl_queue_try_put(queue_of(o), &a->put_item);
    case OP_TRY_GET: return fl_queue_try_get(queue_of(o), &a->got_item);
    case OP_TRY_PEEK: return fl_queue_peek(queue_of(o), &a->got_item);
    case OP_CLOSE: return fl_queue_close(queue_of(o));
    case OP_TRY_LOCK: return fl_lock_try_acquire(lock_of(o), &a->task);
    case OP_UNLOCK: return fl_lock_release(lock_of(o), &a->task);
    case OP_NOTIFY: return fl_cond_notify(cond_of(o), (unsigned)o->arg);
    case OP_NOTIFY_ALL: return fl_cond_notify_all(cond_of(o));
    case OP_EVENT_SET: return fl_event_set(event_of(o));
    case OP_LATCH_DOWN: return fl_latch_count_down(latch_of(o), o->arg != 0);
    case OP_POLL_INSIDE: return fl_loop_poll(&loop, NULL);
    case OP_RUN_INSIDE: return fl_run_until_complete(&loop, &a->task, 0, 0, NULL);
    default: return FL_EINVAL;
    }
}

/* What a result carries besides its code: the item got, the joined
 * task's value, the count notified; and what the task can see of the
 * object afterwards (`obs`), which the model checks too. */
static void emit_result(actor *a, const op *o, int rc)
{
    long val = 0, obs = 0;
    int k = o->kind;
    if (rc == 0 && (k == OP_GET || k == OP_PEEK || k == OP_TRY_GET || k == OP_TRY_PEEK))
        val = a->got_item;
    if (rc == 0 && (k == OP_JOIN || k == OP_CANCEL))
        val = (long)fl_task_result(task_of(o));
    switch (op_defs[k].arg) {
    case ARG_QUEUE: obs = (long)fl_queue_len(queue_of(o)); break;
    case ARG_LOCK:
    case ARG_COND: obs = fl_lock_owner(lock_of(o)) == &a->task; break;
    case ARG_EVENT: obs = fl_event_is_set(event_of(o)); break;
    case ARG_LATCH: obs = (long)fl_latch_count(latch_of(o)); break;
    default: break;
    }
    emit(R_RESULT, a->id, o, rc, val, obs);
}

static fl_cmd op_step(fl_task *self, fl_frame *f, actor *a, const op *o)
{
    fl_task *t = task_of(o);
    fl_queue *q = queue_of(o);
    int k = o->kind, prop = o->prop;

    FL_BEGIN_HELPER(self, f);
    a->orc = 0;
    a->got_item = 0;
    if (k == OP_PUT || k == OP_TRY_PUT)
        a->put_item = ++next_item;
    exit_seen |= (op_defs[k].flags & OPF_ENDS) != 0;
    emit(R_START, a->id, o, 0, a->put_item, 0);
    if (o->timeout != 0)
        FL_TIMEOUT(self, o->timeout);
    if (k == OP_YIELD && prop)
        FL_YIELD(self);
    else if (k == OP_YIELD)
        FL_YIELD_RC(self, a->orc);
    else if (k == OP_SLEEP && prop)
        FL_SLEEP(self, (fl_time)o->arg);
    else if (k == OP_SLEEP)
        FL_SLEEP_RC(self, a->orc, (fl_time)o->arg);
    else if (k == OP_SPAWN && prop)
        FL_SPAWN(self, t, NULL);
    else if (k == OP_SPAWN)
        FL_SPAWN_RC(self, a->orc, t, NULL);
    else if (k == OP_JOIN && prop)
        FL_JOIN(self, t);
    else if (k == OP_JOIN)
        FL_JOIN_RC(self, a->orc, t);
    else if (k == OP_CANCEL && prop)
        FL_CANCEL(self, t);
    else if (k == OP_CANCEL)
        FL_CANCEL_RC(self, a->orc, t);
    else if (k == OP_CANCEL_NOWAIT)
        FL_CANCEL_NOWAIT(self, a->orc, t);
    else if (k == OP_PUT && prop)
        FL_QUEUE_PUT(self, q, &a->put_item);
    else if (k == OP_PUT)
        FL_QUEUE_PUT_RC(self, a->orc, q, &a->put_item);
    else if (k == OP_GET && prop)
        FL_QUEUE_GET(self, q, &a->got_item);
    else if (k == OP_GET)
        FL_QUEUE_GET_RC(self, a->orc, q, &a->got_item);
    else if (k == OP_PEEK && prop)
        FL_QUEUE_PEEK(self, q, &a->got_item);
    else if (k == OP_PEEK)
        FL_QUEUE_PEEK_RC(self, a->orc, q, &a->got_item);
    else if (k == OP_LOCK && prop)
        FL_LOCK(self, lock_of(o));
    else if (k == OP_LOCK)
        FL_LOCK_RC(self, a->orc, lock_of(o));
    else if (k == OP_COND_WAIT && prop)
        FL_COND_WAIT(self, cond_of(o));
    else if (k == OP_COND_WAIT)
        FL_COND_WAIT_RC(self, a->orc, cond_of(o));
    else if (k == OP_EVENT_WAIT && prop)
        FL_EVENT_WAIT(self, event_of(o));
    else if (k == OP_EVENT_WAIT)
        FL_EVENT_WAIT_RC(self, a->orc, event_of(o));
    else if (k == OP_LATCH_WAIT && prop)
        FL_LATCH_WAIT(self, latch_of(o));
    else if (k == OP_LATCH_WAIT)
        FL_LATCH_WAIT_RC(self, a->orc, latch_of(o));
    else if (k == OP_EVENT_SET_ASIDE && prop)
        FL_EVENT_SET(self, event_of(o));
    else if (k == OP_EVENT_SET_ASIDE)
        FL_EVENT_SET_RC(self, a->orc, event_of(o));
    else if (k == OP_UNLOCK_ASIDE && prop)
        FL_LOCK_RELEASE(self, lock_of(o));
    else if (k == OP_UNLOCK_ASIDE)
        FL_LOCK_RELEASE_RC(self, a->orc, lock_of(o));
    else if (k == OP_NOTIFY_ASIDE && prop)
        FL_COND_NOTIFY(self, cond_of(o), (unsigned)o->arg);
    else if (k == OP_NOTIFY_ASIDE)
        FL_COND_NOTIFY_RC(self, a->orc, cond_of(o), (unsigned)o->arg);
    else if (k == OP_NOTIFY_ALL_ASIDE && prop)
        FL_COND_NOTIFY_ALL(self, cond_of(o));
    else if (k == OP_NOTIFY_ALL_ASIDE)
        FL_COND_NOTIFY_ALL_RC(self, a->orc, cond_of(o));
    else if (k == OP_LATCH_DOWN_ASIDE && prop)
        FL_LATCH_COUNT_DOWN(self, latch_of(o), o->arg != 0);
    else if (k == OP_LATCH_DOWN_ASIDE)
        FL_LATCH_COUNT_DOWN_RC(self, a->orc, latch_of(o), o->arg != 0);
    else if (k == OP_EXIT)
        FL_EXIT(self, o->arg);
    else if (k == OP_EXIT_ERROR)
        FL_EXIT_ERROR(self, o->arg);
    else
        a->orc = plain_op(a, o);
    emit_result(a, o, a->orc);
    FL_FINALLY(self);
    if (fl_pending_error(self) != 0)
        emit_result(a, o, fl_pending_error(self)); /* the propagating form failed */
    FL_END(self);
}

/* ---- The task function ------------------------------------------------------ */

/* Run ops[0..n-1]: FL_RETURN and FL_FAIL in the task's own frame, the
 * rest through op_step; the propagating forms raise in the task as well.
 * One suspension point, so one use a line. */
#define RUN_OPS(self, a, ops, n)                                               \
    for ((a)->pc = 0; (a)->pc < (n); (a)->pc++) {                              \
        if ((ops)[(a)->pc].kind == OP_RETURN) {                                \
            emit(R_RETURN, (a)->id, NULL, 0, (ops)[(a)->pc].arg, 0);           \
            FL_RETURN(self, (ops)[(a)->pc].arg);                               \
        }                                                                      \
        if ((ops)[(a)->pc].kind == OP_FAIL) {                                  \
            emit(R_FAIL, (a)->id, NULL, 0, (ops)[(a)->pc].arg, 0);             \
            FL_FAIL(self, (ops)[(a)->pc].arg);                                 \
        }                                                                      \
        FL_CALL_RC(self, (a)->rc, &(a)->frame,                                 \
                   op_step(self, &(a)->frame, a, &(ops)[(a)->pc]));            \
        if ((ops)[(a)->pc].prop)                                               \
            FL_CHECK(self, (a)->rc);                                           \
    }

static const program *begin(actor *a)
{
    a->cur = a->runs++ < RUNS_MAX ? a->prog : &nothing;
    emit(R_BEGIN, a->id, NULL, a->prog->has_finally, 0, 0);
    return a->cur;
}

static fl_cmd actor_with_finally(fl_task *self)
{
    actor *a = (actor *)self;
    const program *p = a->cur;
    FL_BEGIN(self);
    p = begin(a);
    RUN_OPS(self, a, p->body, p->nbody);
    emit(R_BODY_END, a->id, NULL, 0, 0, 0);
    FL_FINALLY(self);
    emit(R_FINALLY, a->id, NULL, fl_pending_error(self), 0, 0);
    RUN_OPS(self, a, p->fin, p->nfin);
    emit(R_BODY_END, a->id, NULL, 0, 0, 0);
    FL_END(self);
}

static fl_cmd actor_plain(fl_task *self)
{
    actor *a = (actor *)self;
    const program *p = a->cur;
    FL_BEGIN(self);
    p = begin(a);
    RUN_OPS(self, a, p->body, p->nbody);
    emit(R_BODY_END, a->id, NULL, 0, 0, 0);
    FL_END(self);
}

/* ---- Hooks and the clock ------------------------------------------------------ */

static void on_task_end(fl_hooks *h, fl_loop *l, fl_task *t)
{
    (void)h;
    (void)l;
    emit(R_END, ((actor *)t)->id, NULL, (int)fl_task_state(t), outcome_of(t), 0);
}

/* A woken peeker asks again: the model sees it look. */
static void on_step_end(fl_hooks *h, fl_loop *l, fl_task *t, const fl_cmd *cmd)
{
    (void)h;
    (void)l;
    if (cmd->op == FL_OP_QUEUE_PEEK)
        emit(R_PEEK_CMD, ((actor *)t)->id, NULL, 0, 0, 0);
}

static void on_step_begin(fl_hooks *h, fl_loop *l, fl_task *t)
{
    (void)h;
    (void)l;
    if (++steps > STEP_CAP)
        log_fail(((actor *)t)->id, "hang: more than %lu task steps", STEP_CAP);
}

static fl_hooks hooks;

static fl_time read_clock(void *ctx)
{
    (void)ctx;
    return clock_now;
}

static void move_clock(fl_time ticks)
{
    clock_now += ticks;
    emit(R_CLOCK, ACTOR_DRIVER, NULL, 0, 0, 0);
}

/* The port returns on time, early (a few times in a row at most, so that
 * time goes on) or late. */
static fl_time advance_for(fl_time asked)
{
    static unsigned early;
    if (early < 3 && rng_pct(choices, cur->early_pct)) {
        early++;
        return (fl_time)rng_below(choices, (unsigned)asked);
    }
    early = 0;
    if (rng_pct(choices, cur->late_pct))
        return asked + 1 + rng_below(choices, 20);
    return asked;
}

/* fl_run_until_complete's idle wait. */
typedef struct model_port {
    fl_port port;
    unsigned long idles;
} model_port;

static fl_time port_now(fl_port *port)
{
    (void)port;
    return clock_now;
}

static void port_wait(fl_port *port, fl_loop *l, fl_time ticks, bool forever)
{
    model_port *mp = (model_port *)port;
    (void)l;
    emit(R_IDLE, ACTOR_DRIVER, NULL, forever, (long)ticks, 0);
    if (forever)
        log_fail(ACTOR_DRIVER, "the run waits forever: nothing outside can wake it");
    if (++mp->idles > IDLE_CAP)
        log_fail(ACTOR_DRIVER, "hang: the run idled %lu times", IDLE_CAP);
    move_clock(advance_for(ticks));
}

/* ---- Driving ------------------------------------------------------------------ */

static void driver_op(unsigned kind, unsigned obj)
{
    static actor driver; /* its items only: it is no task */
    op o;
    int rc;
    memset(&o, 0, sizeof o);
    o.kind = (uint8_t)kind;
    o.obj = (uint16_t)obj;
    driver.id = ACTOR_DRIVER;
    emit(R_START, ACTOR_DRIVER, &o, 0, 0, 0);
    rc = plain_op(&driver, &o);
    emit_result(&driver, &o, rc);
}

static int any_alive(void)
{
    unsigned i;
    for (i = 0; i < cur->ntasks; i++)
        if (fl_task_alive(&pool[i].task))
            return 1;
    return 0;
}

static void cancel_everyone(void)
{
    unsigned i;
    for (i = 0; i < cur->ntasks; i++)
        if (fl_task_alive(&pool[i].task))
            driver_op(OP_CANCEL_C, i);
}

static void drive_run(void)
{
    unsigned flags = cur->run_flags, runs, cancel_rounds = 0;
    for (runs = 0;; runs++) {
        fl_value result = 0;
        int rc;
        if (runs > IDLE_CAP)
            log_fail(ACTOR_DRIVER, "hang: %u runs", runs);
        exit_seen = 0;
        emit(R_RUN_BEGIN, ACTOR_DRIVER, NULL, (int)flags, (long)cur->max_wait, 0);
        rc = fl_run_until_complete(&loop, &pool[0].task, flags, cur->max_wait, &result);
        emit(R_RUN_END, ACTOR_DRIVER, NULL, rc, (long)result, 0);
        if (exit_seen || (flags & FL_RUN_NO_WAIT)) {
            flags &= ~FL_RUN_NO_WAIT;
            continue; /* stopped early: go on */
        }
        if (!any_alive() || cancel_rounds++ == 2)
            return;
        cancel_everyone();
    }
}

static void drive_poll(void)
{
    unsigned long polls;
    unsigned cancel_rounds = 0;
    driver_op(OP_SPAWN_C, 0);
    for (polls = 0;; polls++) {
        fl_time next = 0;
        int live;
        if (polls > IDLE_CAP)
            log_fail(ACTOR_DRIVER, "hang: %lu polls", polls);
        emit(R_POLL_BEGIN, ACTOR_DRIVER, NULL, 0, 0, 0);
        live = fl_loop_poll(&loop, &next);
        emit(R_POLL_END, ACTOR_DRIVER, NULL, live, (long)next, 0);
        if (live < 0)
            return;
        if (next == 0) {
            if (rng_pct(choices, cur->busy_pct))
                move_clock(1 + rng_below(choices, 5)); /* time passes while busy */
        } else if (next != FL_TIME_FOREVER) {
            move_clock(advance_for(next));
        } else if (live == 0 || cancel_rounds++ == 2) {
            return;
        } else {
            cancel_everyone();
        }
    }
}

/* What is left at the end, and every item still queued. */
static void report_final(void)
{
    unsigned i;
    for (i = 0; i < cur->ntasks; i++)
        emit(R_FINAL_TASK, (int)i, NULL, (int)fl_task_state(&pool[i].task),
             outcome_of(&pool[i].task), 0);
    for (i = 0; i < NLOCK; i++) {
        fl_task *owner = fl_lock_owner(&locks[i]);
        emit(R_FINAL_LOCK, ACTOR_DRIVER, NULL, (int)i, owner ? ((actor *)owner)->id : -1, 0);
    }
    for (i = 0; i < NLATCH; i++)
        emit(R_FINAL_LATCH, ACTOR_DRIVER, NULL, (int)i, (long)fl_latch_count(&latches[i]), 0);
    for (i = 0; i < NEVENT; i++)
        emit(R_FINAL_LATCH, ACTOR_DRIVER, NULL, (int)(NLATCH + i), !fl_event_is_set(&events[i]), 0);
    for (i = 0; i < NQUEUE; i++) {
        int more = 1;
        emit(R_FINAL_QUEUE, ACTOR_DRIVER, NULL, (int)i, (long)fl_queue_len(&queues[i]),
             fl_queue_closed(&queues[i]));
        while (more) {
            more = fl_queue_len(&queues[i]) > 0;
            driver_op(OP_TRY_GET, i);
        }
    }
}

void driver_run(const scenario *sc, rng *r)
{
    static fl_manual_port manual;
    static model_port mport;
    fl_port *port;
    unsigned i;

    cur = sc;
    choices = r;
    clock_now = sc->start;
    next_item = 0;
    steps = 0;
    memset(&mport, 0, sizeof mport);
    mport.port.now = port_now;
    mport.port.wait = port_wait;
    port = sc->mode == DRIVE_POLL ? fl_manual_port_init(&manual, read_clock, NULL) : &mport.port;
    if (fl_loop_init(&loop, port) != 0)
        log_fail(ACTOR_DRIVER, "fl_loop_init failed");
    for (i = 0; i < NQUEUE; i++)
        if (fl_queue_init(&queues[i], &loop, qstore[i], sizeof(int), sc->qcap[i]) != 0)
            log_fail(ACTOR_DRIVER, "fl_queue_init failed");
    for (i = 0; i < NLOCK; i++)
        if (fl_lock_init(&locks[i], &loop) != 0 || fl_cond_init(&conds[i], &locks[i]) != 0)
            log_fail(ACTOR_DRIVER, "fl_lock_init or fl_cond_init failed");
    for (i = 0; i < NEVENT; i++)
        if (fl_event_init(&events[i], &loop) != 0)
            log_fail(ACTOR_DRIVER, "fl_event_init failed");
    for (i = 0; i < NLATCH; i++)
        if (fl_latch_init(&latches[i], &loop, sc->latch_count[i]) != 0)
            log_fail(ACTOR_DRIVER, "fl_latch_init failed");
    memset(pool, 0, sizeof pool);
    for (i = 0; i < sc->ntasks; i++) {
        pool[i].id = (int)i;
        pool[i].prog = &sc->prog[i];
        fl_task_init(&pool[i].task, sc->prog[i].has_finally ? actor_with_finally : actor_plain);
    }
    memset(&hooks, 0, sizeof hooks);
    hooks.task_end = on_task_end;
    hooks.step_begin = on_step_begin;
    hooks.step_end = on_step_end;
    fl_loop_set_hooks(&loop, &hooks);

    for (i = 1; i <= sc->npre; i++)
        driver_op(OP_SPAWN_C, i);
    if (sc->mode == DRIVE_POLL)
        drive_poll();
    else
        drive_run();
    report_final();
}
