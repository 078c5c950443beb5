/* SPDX-License-Identifier: MIT */
/*
 * loop.c - the scheduler: run ready tasks, interpret the commands they
 * return (Flowno's _handle_command), fire timers, and idle in the port.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_STRERROR
#define FL_CONFIG_NAME_(value, name) name,
static const char *const switch_names[] = {FL_CONFIG_SWITCHES_(FL_CONFIG_NAME_)};
static const char *const number_names[] = {FL_CONFIG_NUMBERS_(FL_CONFIG_NAME_)};
#endif

const char *fl_config_diff_(const fl_config_ *app, uint32_t app_hash)
{
#if FL_ENABLE_STRERROR
    static const fl_config_ lib = FL_CONFIG_OF_THIS_BUILD_;
    unsigned i;
    if (app == NULL)
        return "no configuration";
    for (i = 0; i < FL_CONFIG_BITS_; i++)
        if (((app->word[0] ^ lib.word[0]) >> i) & 1u)
            return switch_names[i];
    for (i = 1; i < FL_CONFIG_WORDS_; i++)
        if (app->word[i] != lib.word[i])
            return number_names[i - 1];
    /* A switch this library has no name for: the application's flowno.h
     * is another version's. */
    return app_hash == FL_CONFIG_HASH_ && app->word[0] == lib.word[0]
               ? NULL
               : "a setting of another flowno version";
#else
    /* No names to give: the hash fl_loop_init checks says whether. */
    (void)app;
    return app_hash == FL_CONFIG_HASH_ ? NULL : "";
#endif
}

int fl_loop_init_(fl_loop *loop, fl_port *port, uint32_t config_hash)
{
    unsigned char *byte, *end;

    if (FL_BAD_(config_hash != FL_CONFIG_HASH_, FL_ECONFIG))
        return FL_ECONFIG;
    if (FL_BAD_ARG_(loop == NULL || port == NULL || port->now == NULL || port->wait == NULL))
        return FL_EINVAL;
    /* Every flag, counter, pointer and slot of the table to zero, in one
     * loop (freestanding: no memset): a pointer stepping down, the
     * shortest loop. */
    byte = (unsigned char *)loop;
    end = byte + offsetof(fl_loop, tasks) + sizeof loop->tasks;
    do
        *--end = 0;
    while (end != byte);
    loop->ready_tail = FL_SLOT_NONE;
    loop->port = port;
#if FL_ENABLE_DUMP
    loop->now = port->now(port); /* what a dump before the first poll shows */
#endif
    return 0;
}

#if FL_ENABLE_IO /* what a port's watch() and wait() use */
void fl_port_wait_on(fl_loop *loop, fl_task *t, fl_waitq *list)
{
    fl_wait_on_(loop, &list->last, t, FL_TASK_WAITING);
}

void fl_port_wake_all(fl_loop *loop, fl_waitq *list, int outcome)
{
    fl_wake_all_(loop, &list->last, outcome);
}

void fl_port_io_ready(fl_loop *loop, fl_waitq *list, int fd, unsigned events)
{
    (void)fd; /* only the hooks want them */
    (void)events;
    FL_HOOK_(loop, io_ready, fd, events);
    fl_wake_all_(loop, &list->last, 0);
}
#endif

#if FL_ENABLE_HOOKS
void fl_loop_set_hooks(fl_loop *loop, fl_hooks *hooks)
{
    if (!FL_BAD_ARG_(loop == NULL))
        loop->hooks = hooks;
}

fl_task *fl_loop_current(const fl_loop *loop)
{
    return loop == NULL ? NULL : loop->current;
}
#endif

fl_time fl_now(fl_loop *loop)
{
    if (loop == NULL || loop->port == NULL)
        return 0;
#if FL_ENABLE_DUMP
    loop->now = loop->port->now(loop->port);
    return loop->now;
#else
    return loop->port->now(loop->port);
#endif
}

#if FL_ENABLE_EXIT
/* FL_EXIT: the task is to end with the exit outcome (step() ends it), and
 * the loop to stop. */
static void exit_loop(fl_loop *loop, fl_task *t, fl_value value, bool is_error)
{
    if (is_error && value >= 0)
        value = FL_EINVAL;
    t->result = value;
    t->flags = (uint8_t)(is_error ? (t->flags | FL_F_ERROR_) : (t->flags & ~FL_F_ERROR_));
    loop->exiting = t;
}
#endif

/* Give `t` a timer due in `ticks`, in place of the one it has: a sleep
 * replaces a deadline set for a wait, a deadline the one before. */
static int set_timer(fl_loop *loop, fl_task *t, fl_time ticks)
{
#if FL_ENABLE_TIMEOUT && FL_TIMER_HEAP
    fl_drop_timer_(loop, t); /* the scan's add replaces it in place */
#endif
    return fl_timer_add_(loop, t, fl_now(loop) + ticks);
}

/* Run `t` until it suspends, ends or stops the loop.  Flowno's
 * _handle_command re-queues the task behind the tasks its command made
 * ready: after FL_SPAWN the child runs first, after FL_EVENT_SET the
 * waiters do, and a join of a task that has ended, or a lock taken at
 * once, lets the ready tasks run too (fl_step_aside_).  Commands Flowno
 * has no such step for (a deadline, a cancel without waiting, a queue
 * operation or an event wait that can end at once) are answered at once
 * and the task goes on in the same step. */
/* The hooks of a batch, read once: fl_loop_set_hooks from a task takes
 * effect at the next batch.  Without FL_ENABLE_HOOKS there are none. */
#if FL_ENABLE_HOOKS
#define FL_HOOKS_ARG_ , fl_hooks *hooks
#define FL_HOOKS_PASS_ , hooks
#define FL_STEP_HOOK_(loop, name, ...)                                  \
    do {                                                                \
        if (hooks != NULL && hooks->name != NULL)                       \
            hooks->name(hooks, (loop), __VA_ARGS__);                    \
    } while (0)
#else
#define FL_HOOKS_ARG_
#define FL_HOOKS_PASS_
#define FL_STEP_HOOK_(loop, name, ...) ((void)0)
#endif

/* A yield with no cancel to deliver needs none of the command switch: it
 * drops a deadline and moves the tail onto the task, as the switch's case
 * does; an ending and a spawn skip the switch's table too.  A spawn runs
 * in line (fl_spawn_: the loop is known to be one), and so does a join of
 * a task that has ended.  And a batch without hooks gets a step of its
 * own, with no hook tests (FL_SPECIALISE_: the step is inlined twice).
 * All are left out where size counts more (-Os: FL_FAST_PATHS_). */
#if defined(__OPTIMIZE_SIZE__)
#define FL_STEP_SPAWN_ fl_spawn
#define FL_SPECIALISE_
#else
#define FL_STEP_SPAWN_ fl_spawn_
#if defined(__GNUC__) && defined(__OPTIMIZE__) /* -O0: one step, for debuggers and gcov */
#define FL_SPECIALISE_ __attribute__((always_inline))
#else
#define FL_SPECIALISE_
#endif
#endif
/* What a task's next wait ends with before it begins: a cancel that came
 * while it was ready, a deadline that passed then. */
#if FL_ENABLE_CANCEL && FL_ENABLE_TIMEOUT
#define FL_F_PREEMPTED_ (FL_F_CANCEL_REQ_ | FL_F_LATE_)
#elif FL_ENABLE_CANCEL
#define FL_F_PREEMPTED_ FL_F_CANCEL_REQ_
#elif FL_ENABLE_TIMEOUT
#define FL_F_PREEMPTED_ FL_F_LATE_
#else
#define FL_F_PREEMPTED_ 0
#endif
/* Whether `t`, which has just ended, ends the run: the root of a
 * FL_RUN_NO_WAIT run (loop->root is set for no other). */
#if FL_ENABLE_RUN
#define FL_ENDS_RUN_(loop, t) ((loop)->root == (t))
#else
#define FL_ENDS_RUN_(loop, t) 0
#endif

/* How step() says go on: with the slot of the task to step next.  Where
 * size counts step_tasks() takes that task off the circle itself
 * (fl_ready_pop_), and any slot but FL_SLOT_NONE says go on. */
#if FL_STEPPED_STAYS_
static fl_slot first_ready(const fl_loop *loop)
{
    return loop->ready_tail == FL_SLOT_NONE ? FL_SLOT_NONE
                                            : fl_at_(loop, loop->ready_tail)->next;
}
#define FL_GO_ON_(loop) first_ready(loop)
#else
#define FL_GO_ON_(loop) ((fl_slot)0)
#endif

/* Returns the slot of the task to step next, FL_SLOT_NONE when the batch
 * must end: no task is ready, or the run stops. */
static inline FL_SPECIALISE_ fl_slot step(fl_loop *loop, fl_task *t FL_HOOKS_ARG_)
{
    loop->current = t;
    for (;;) {
        fl_cmd cmd;
        int outcome;

        FL_STEP_HOOK_(loop, step_begin, t);
        cmd = t->fn(t);
#if FL_ENABLE_HOOKS
        if (hooks != NULL && hooks->step_end != NULL) {
            fl_cmd seen = cmd; /* its address is taken here only: cmd stays in registers */
            hooks->step_end(hooks, loop, t, &seen);
        }
#endif

        if (FL_FAST_PATHS_ && cmd.op == FL_OP_YIELD && !(t->flags & FL_F_PREEMPTED_)) {
            t->wait.value = 0;
            goto aside;
        }
        if (FL_FAST_PATHS_ && (unsigned)cmd.op <= FL_OP_SPAWN) {
            if (cmd.op == FL_OP_DONE) /* neither goes through the table */
                goto done;
            goto spawn;
        }

#if FL_F_PREEMPTED_
        if ((t->flags & FL_F_PREEMPTED_) && cmd.op >= FL_OP_YIELD) {
            /* A cancel that came while it was ready lands here instead,
             * and ends the wait before it began (so does its deadline); a
             * deadline that passed then fails it.  A yield or a sleep
             * drops that deadline: it goes on. */
            bool cancelled = (t->flags & FL_F_CANCEL_REQ_) != 0;
            t->flags = (uint8_t)(t->flags & ~FL_F_PREEMPTED_);
            if (cancelled) {
                t->flags |= FL_F_CANCEL_SENT_;
                outcome = FL_ECANCELLED;
                goto answered;
            }
            if (cmd.op > FL_OP_SLEEP) {
                outcome = FL_ETIMEDOUT;
                goto answered;
            }
        }
#endif
        switch (cmd.op) {
#if FL_ENABLE_EXIT && !FL_FAST_PATHS_
        case FL_OP_EXIT:
        case FL_OP_EXIT_ERROR:
            /* Where size counts, it ends as a task that returns does (one
             * call of fl_finish_); then the run stops. */
            exit_loop(loop, t, cmd.arg.value, cmd.op == FL_OP_EXIT_ERROR);
#endif
            /* fall through */
        case FL_OP_DONE:
        done: {
            /* An ending makes tasks ready only behind the last: the task
             * after it runs next, unless it was alone (-O2: no reload). */
            fl_slot after = t->next == t->slot ? FL_SLOT_NONE : t->next;
            fl_finish_(loop, t);
            if ((!FL_FAST_PATHS_ && cmd.op != FL_OP_DONE) || FL_ENDS_RUN_(loop, t))
                return FL_SLOT_NONE;
            return FL_FAST_PATHS_ && after != FL_SLOT_NONE ? after : FL_GO_ON_(loop);
        }
        case FL_OP_SPAWN:
        spawn:
            /* The spawner steps aside behind its child.  No wait: a
             * deadline stays for the next, also when the spawn fails. */
            t->wait.value = FL_STEP_SPAWN_(loop, (fl_task *)cmd.arg.ptr, t->wait.fn);
            if (t->wait.value < 0)
                continue;
            goto behind;
        case FL_OP_EVENT_SET: /* done by the task; its value is kept */
        case FL_OP_LOCK_RELEASE:
        case FL_OP_COND_NOTIFY:
        case FL_OP_LATCH_COUNT_DOWN:
            goto behind;
#if FL_ENABLE_CANCEL
        case FL_OP_CANCEL:
            outcome = fl_cancel(loop, (fl_task *)cmd.arg.ptr) ? 1 : 0;
            t->wait.value = outcome;
            continue;
#endif
#if FL_ENABLE_EXIT && FL_FAST_PATHS_
        case FL_OP_EXIT:
        case FL_OP_EXIT_ERROR:
            exit_loop(loop, t, cmd.arg.value, cmd.op == FL_OP_EXIT_ERROR);
            fl_finish_(loop, t);
            return FL_SLOT_NONE;
#endif
        case FL_OP_YIELD:
#if FL_FAST_PATHS_
            t->wait.value = 0;
            goto aside;
#endif
            /* fall through: FL_YIELD's ticks are 0, so it is a sleep of 0 */
        case FL_OP_SLEEP:
            t->wait.value = 0; /* the outcome, also when the timer fires */
            if (cmd.arg.ticks == 0)
                goto aside;
#if FL_ENABLE_TIMEOUT && !FL_FAST_PATHS_
            /* Where size counts, a deadline shares a sleep's set_timer. */
            /* fall through */
        case FL_OP_DEADLINE:
#endif
            outcome = set_timer(loop, t, cmd.arg.ticks);
#if FL_ENABLE_TIMEOUT && !FL_FAST_PATHS_
            if (cmd.op == FL_OP_DEADLINE)
                goto deadline_set;
#endif
            if (outcome < 0)
                break;
            fl_ready_leave_(loop, t);
            FL_SET_STATE_(t, FL_TASK_SLEEPING);
            outcome = 1;
            break;
#if FL_ENABLE_TIMEOUT
#if FL_FAST_PATHS_
        case FL_OP_DEADLINE: /* it replaces the one before, passed or not */
            outcome = set_timer(loop, t, cmd.arg.ticks);
#else
        deadline_set:
#endif
            t->flags = (uint8_t)(t->flags & ~FL_F_LATE_);
            t->wait.value = outcome;
            continue; /* keep the timer: it is for the next wait */
#endif
#if FL_ENABLE_IO
        case FL_OP_IO_WAIT:
            /* fd * 4 + events; a negative fd gives a negative value. */
            if (cmd.arg.value < 0)
                outcome = FL_MISUSE_(FL_ERANGE);
            else if (loop->port->watch == NULL)
                outcome = FL_MISUSE_(FL_EINVAL);
            else
                outcome = loop->port->watch(loop->port, loop, t, (int)(cmd.arg.value / 4),
                                            (unsigned)(cmd.arg.value % 4));
            if (outcome == 1)
                FL_HOOK_(loop, io_wait, t, (int)(cmd.arg.value / 4),
                         (unsigned)(cmd.arg.value % 4));
            break;
#endif
#if FL_ENABLE_QUEUE
        case FL_OP_QUEUE_PUT:
        case FL_OP_QUEUE_PUT_RESERVED:
        case FL_OP_QUEUE_GET:
        case FL_OP_QUEUE_GET_RESERVED:
        case FL_OP_QUEUE_PEEK:
            outcome = fl_queue_op_(loop, t, (fl_queue *)cmd.arg.ptr, cmd.op);
            break;
#endif
#if FL_ENABLE_LOCK
        case FL_OP_LOCK:
            outcome = fl_lock_acquire_(loop, t, (fl_lock *)cmd.arg.ptr);
            break;
#endif
#if FL_ENABLE_COND
        case FL_OP_COND_WAIT:
            outcome = fl_cond_wait_(loop, t, (fl_cond *)cmd.arg.ptr);
            break;
#endif
#if FL_HAS_LATCH_
        case FL_OP_LATCH_WAIT:
            outcome = fl_latch_wait_(loop, t, (fl_latch *)cmd.arg.ptr);
            break;
#endif
#if FL_ENABLE_SIGNAL
        case FL_OP_SIGNAL_WAIT:
            outcome = fl_signal_wait_(loop, t, (fl_signal *)cmd.arg.ptr);
            break;
#endif
#if FL_ENABLE_JOIN
        /* The longest case, last: a Thumb-1 table's one-byte offsets
         * need only reach the start of the last. */
        case FL_OP_JOIN:
        case FL_OP_CANCEL_JOIN: {
            fl_task *target = (fl_task *)cmd.arg.ptr;
            bool cancel = cmd.op == FL_OP_CANCEL_JOIN;
            if (FL_FAST_PATHS_ && target != NULL && FL_IS_DONE_STATE_(FL_STATE_(target))) {
                t->wait.value = fl_joined_outcome_(target, cancel);
                goto aside;
            }
            outcome = fl_join_(loop, t, target, cancel);
            if (outcome == FL_ASIDE_)
                goto aside;
            break;
        }
#endif
        default:
            outcome = FL_MISUSE_(FL_EINVAL); /* no such command */
            break;
        }
        if (outcome == 1)
            return FL_GO_ON_(loop); /* it waits (a deadline stays with it) */
#if FL_F_PREEMPTED_
    answered:
#endif
        /* Answered at once: resume the task with the outcome (stored
         * first, so that it need not outlive the call). */
        t->wait.value = outcome;
#if FL_ENABLE_TIMEOUT
        fl_drop_timer_(loop, t); /* the deadline's wait never began */
#endif
    }
aside: /* a wait that ended at once, and a yield: the deadline goes */
#if FL_ENABLE_TIMEOUT
    fl_drop_timer_(loop, t);
#endif
behind: /* Flowno's re-queue: behind the ready tasks, those it woke among them */
#if FL_STEPPED_STAYS_
    {
        fl_slot first = t->next; /* a task a hook spawns goes behind it */
        loop->ready_tail = t->slot; /* first in the circle, it becomes the last */
        FL_STEP_HOOK_(loop, task_ready, t, FL_READY_STEPPED_ASIDE, NULL);
#if !FL_DEBUG
        /* It is in the circle: there is a next.  The batch's loop then
         * skips its test. */
        FL_ASSUME_(first != FL_SLOT_NONE);
#endif
        return first;
    }
#else
    fl_ready_push_(loop, t);
    FL_STEP_HOOK_(loop, task_ready, t, FL_READY_STEPPED_ASIDE, NULL);
    return FL_GO_ON_(loop);
#endif
}

/* Step ready tasks, first of the circle first, until none is left,
 * `budget` steps have run or the run must stop; returns the steps left of
 * the budget.  Made twice (FL_SPECIALISE_), with hooks and without. */
static inline FL_SPECIALISE_ unsigned step_tasks(fl_loop *loop, unsigned budget FL_HOOKS_ARG_)
{
#if FL_STEPPED_STAYS_
    fl_slot first = first_ready(loop);
    while (first != FL_SLOT_NONE) {
#if FL_DEBUG
        /* A broken struct found in the last step stops the batch too. */
        if (loop->broken || !fl_debug_slot_ok_(loop, first) ||
            !fl_debug_slot_ok_(loop, loop->ready_tail))
            break;
#endif
        first = step(loop, fl_at_(loop, first) FL_HOOKS_PASS_);
        if (--budget == 0)
            break;
    }
#else
    while (loop->ready_tail != FL_SLOT_NONE) {
        fl_slot go_on;
#if FL_DEBUG
        if (loop->broken || !fl_debug_slot_ok_(loop, loop->ready_tail) ||
            !fl_debug_slot_ok_(loop, fl_at_(loop, loop->ready_tail)->next))
            break;
#endif
        go_on = step(loop, fl_ready_pop_(loop) FL_HOOKS_PASS_);
        if (--budget == 0 || go_on == FL_SLOT_NONE)
            break;
    }
#endif
    return budget;
}

/* Step ready tasks, first of the circle first, until none is left,
 * FL_POLL_INTERVAL have run (so that timers and signals get their turn),
 * or the run must stop.  Returns how many steps it made. */
static unsigned run_batch(fl_loop *loop)
{
    unsigned left;
#if FL_ENABLE_HOOKS
    fl_hooks *hooks = loop->hooks;
#endif
#if FL_DEBUG
    if (loop->ready_tail != FL_SLOT_NONE && !fl_debug_slot_ok_(loop, loop->ready_tail))
        return 0; /* its links cannot be followed */
#endif
#if FL_ENABLE_HOOKS && !defined(__OPTIMIZE_SIZE__)
    left = hooks == NULL ? step_tasks(loop, FL_POLL_INTERVAL, NULL)
                         : step_tasks(loop, FL_POLL_INTERVAL, hooks);
#else
    left = step_tasks(loop, FL_POLL_INTERVAL FL_HOOKS_PASS_);
#endif
    loop->current = NULL; /* a waker outside a step is no task */
    return FL_POLL_INTERVAL - left;
}

/* Bring the loop up to date without running tasks: deliver raised
 * signals, take in posted tasks, and make every task whose timer is due
 * ready.  Returns how long the loop may idle: 0 if tasks are ready (or a
 * raise is pending), the time to the next timer, or FL_TIME_FOREVER. */
static fl_time catch_up(fl_loop *loop)
{
    fl_time next;
#if FL_ENABLE_SIGNAL
    /* Where size counts, the signals and the posted list are looked at in
     * every catch-up, without the flag's test first: a raise sets its byte
     * and a post links its task before the flag is set, so the look finds
     * the same, for a walk of the signals each time. */
    if (!FL_FAST_PATHS_ || fl_loop_signal_pending(loop)) {
        fl_signal_deliver_(loop);
#if FL_ENABLE_POST
        if (FL_ATOMIC_LOAD_(loop->posted) != NULL)
            fl_post_drain_(loop);
#endif
    }
#endif
    next = fl_timer_expire_(loop, fl_now(loop));
    if (loop->ready_tail != FL_SLOT_NONE)
        return 0;
#if FL_ENABLE_SIGNAL
    if (fl_loop_signal_pending(loop))
        return 0; /* raised while the timers were looked at */
#endif
    return next;
}

#if FL_ENABLE_IO
/* Whether a task waits on I/O. */
static bool io_watched(fl_loop *loop)
{
    return loop->port->watching != NULL && loop->port->watching(loop->port);
}
#endif

int fl_loop_poll(fl_loop *loop, fl_time *next_wait)
{
    fl_time ticks;

    if (FL_BAD_ARG_(loop == NULL || loop->port == NULL))
        return FL_EINVAL;
    if (FL_BAD_(loop->current != NULL, FL_EBUSY))
        return FL_EBUSY;
    catch_up(loop);
#if FL_ENABLE_IO
    /* The fds too, without sleeping: a poll runs what can run now. */
    if (io_watched(loop))
        loop->port->wait(loop->port, loop, 0, false);
#endif
    (void)run_batch(loop);
    ticks = catch_up(loop);
    if (next_wait != NULL)
        *next_wait = ticks;
#if FL_DEBUG
    if (loop->broken)
        return FL_ECORRUPT;
#endif
    return (int)loop->live;
}

#if FL_ENABLE_RUN

#if FL_ENABLE_IO

/* Steps until the fds are looked at again while tasks are ready: a pass
 * over the tasks ready now (as an iteration of libuv's loop runs every
 * callback due), and at least a batch.  O(ready tasks), once a pass. */
static unsigned pass_length(const fl_loop *loop)
{
    unsigned n = 0;
    fl_slot s = loop->ready_tail;
    if (s != FL_SLOT_NONE)
        do {
            n++;
            s = fl_at_(loop, s)->next;
        } while (s != loop->ready_tail);
    return n > FL_POLL_INTERVAL ? n : FL_POLL_INTERVAL;
}
#endif

/* Whether something outside the loop may still wake a task: a signal that
 * is waited on, a hold, or a task waiting on I/O. */
static bool outside_may_wake(fl_loop *loop)
{
#if FL_ENABLE_IO
    if (io_watched(loop))
        return true;
#endif
#if FL_ENABLE_POST
    if (FL_ATOMIC_LOAD_(loop->holds) != 0)
        return true;
#endif
    return fl_signal_waited_(loop);
}

static int run(fl_loop *loop, fl_task *root, unsigned flags, fl_time max_wait,
               fl_value *result)
{
    fl_time ticks = catch_up(loop);
#if FL_ENABLE_IO
    bool io_seen = false; /* the port has waited since the last batch */
    unsigned steps, pass = 0; /* steps left before the fds are looked at again */
#endif
    for (;;) {
        fl_task *end = loop->exiting; /* an FL_EXIT's outcome is always returned */

#if FL_DEBUG
        if (loop->broken)
            return FL_ECORRUPT;
#endif
        if (end != NULL) {
            flags = FL_RUN_JOIN;
        } else if (loop->root != NULL && FL_IS_DONE_STATE_(FL_STATE_(root))) {
            end = root; /* FL_RUN_NO_WAIT, and the root has ended */
        } else if (ticks == FL_TIME_FOREVER && (loop->live == 0 || !outside_may_wake(loop))) {
            /* No task is left (no timer either, then), or nothing will
             * ever wake: the tasks left wait on each other.  A post or a
             * raise still to be taken in makes ticks 0. */
            if (!FL_IS_DONE_STATE_(FL_STATE_(root)))
                return FL_EINCOMPLETE;
            end = root;
        }
        if (end != NULL) { /* it has ended: finished, failed or cancelled */
            fl_value value = end->result; /* its result, or its error */
            if (FL_STATE_(end) == FL_TASK_FINISHED) {
                if (result != NULL)
                    *result = value;
                value = 0;
            } else if (!(flags & FL_RUN_JOIN)) {
                value = 0; /* the error is the task's to tell */
            }
            return (int)value;
        }
        if (ticks == 0) {
#if FL_ENABLE_IO
            /* Busy tasks must not starve those waiting on I/O: look at the
             * fds without sleeping once a pass, unless the port has just
             * done so (the tasks it woke are this pass). */
            if (pass == 0 && io_watched(loop)) {
                if (!io_seen)
                    loop->port->wait(loop->port, loop, 0, false);
                pass = pass_length(loop);
            }
            io_seen = false;
            steps = run_batch(loop);
            pass = pass > steps ? pass - steps : 0;
#else
            run_batch(loop);
#endif
        } else {
            if (max_wait != 0 && ticks > max_wait)
                ticks = max_wait;
            loop->port->wait(loop->port, loop, ticks, ticks == FL_TIME_FOREVER);
#if FL_ENABLE_IO
            io_seen = true;
            pass = 0;
#endif
        }
        ticks = catch_up(loop);
    }
}

int fl_run_until_complete(fl_loop *loop, fl_task *root, unsigned flags,
                          fl_time max_wait, fl_value *result)
{
    int rc;

    if (FL_BAD_ARG_(loop == NULL || root == NULL || loop->port == NULL ||
                    (flags & ~(FL_RUN_JOIN | FL_RUN_NO_WAIT)) != 0))
        return FL_EINVAL;
    if (FL_BAD_(loop->current != NULL, FL_EBUSY))
        return FL_EBUSY; /* called from inside a task */
    if (FL_STATE_(root) == FL_TASK_NEW) {
        rc = fl_spawn(loop, root, NULL);
        if (rc < 0)
            return rc;
    } else if (FL_BAD_ARG_(!FL_IS_DONE_STATE_(FL_STATE_(root)) && !fl_alive_in_(loop, root))) {
        return FL_EINVAL;
    }

    /* FL_RUN_NO_WAIT: the run stops when the root ends (step()), or at
     * once if it has. */
    loop->root = (flags & FL_RUN_NO_WAIT) ? root : NULL;
    loop->exiting = NULL;
    rc = run(loop, root, flags, max_wait, result);
    loop->root = NULL;
    return rc;
}

#endif /* FL_ENABLE_RUN */
