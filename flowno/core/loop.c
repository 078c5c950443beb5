/* SPDX-License-Identifier: MIT */
/*
 * loop.c - the scheduler: run ready tasks, interpret the commands they
 * return (Flowno's _handle_command), fire timers, and idle in the port.
 */
#include "../flowno_internal.h"

int fl_loop_init_(fl_loop *loop, fl_port *port, size_t loop_size, size_t task_size)
{
    unsigned char *byte, *end;

    if (loop_size != sizeof(fl_loop) || task_size != sizeof(fl_task))
        return FL_ECONFIG;
    if (loop == NULL || port == NULL || port->now == NULL || port->wait == NULL)
        return FL_EINVAL;
    /* Every counter, pointer and slot of the table to zero, in one loop
     * (freestanding: no memset). */
    end = (unsigned char *)(loop->tasks + FL_MAX_TASKS);
    for (byte = (unsigned char *)&loop->ready_head; byte < end; byte++)
        *byte = 0;
    loop->signal_pending = 0;
#if FL_ENABLE_POST
    loop->posted = NULL;
#endif
    loop->ready_head = loop->ready_tail = FL_SLOT_NONE;
    loop->port = port;
    loop->now = port->now(port);
    return 0;
}

#if FL_ENABLE_IO /* what a port's watch() and wait() use */
void fl_port_wait_on(fl_loop *loop, fl_task *t, fl_waitq *list)
{
    fl_wait_on_(loop, &list->head, t, FL_TASK_WAITING);
}

void fl_port_wake_all(fl_loop *loop, fl_waitq *list, int outcome)
{
    fl_wake_all_(loop, &list->head, outcome);
}

void fl_port_io_ready(fl_loop *loop, fl_waitq *list, int fd, unsigned events)
{
    (void)fd; /* only the hooks want them */
    (void)events;
    FL_HOOK_(loop, io_ready, fd, events);
    fl_wake_all_(loop, &list->head, 0);
}
#endif

#if FL_ENABLE_HOOKS
void fl_loop_set_hooks(fl_loop *loop, fl_hooks *hooks)
{
    if (loop != NULL)
        loop->hooks = hooks;
}
#endif

fl_time fl_now(fl_loop *loop)
{
    if (loop == NULL || loop->port == NULL)
        return 0;
    loop->now = loop->port->now(loop->port);
    return loop->now;
}

#if FL_ENABLE_EXIT
/* FL_EXIT: the task ends with the exit outcome and the loop stops. */
static void exit_loop(fl_loop *loop, fl_task *t, fl_value value, bool is_error)
{
    if (is_error && value >= 0)
        value = FL_EINVAL;
    t->result = value;
    t->flags = (uint8_t)(is_error ? (t->flags | FL_F_ERROR_) : (t->flags & ~FL_F_ERROR_));
    fl_finish_(loop, t);
    loop->exiting = t;
    loop->stop = 1;
}
#endif

/* Start a sleep.  Returns 1 when the task now sleeps, else its outcome. */
static int sleep_task(fl_loop *loop, fl_task *t, fl_time ticks)
{
    int rc;
#if FL_ENABLE_TIMEOUT
    if (t->timer != FL_SLOT_NONE)
        fl_timer_remove_(loop, t); /* a sleep replaces a deadline */
#endif
    if (ticks == 0) {
        fl_ready_push_(loop, t);
        return 1;
    }
    rc = fl_timer_add_(loop, t, fl_now(loop) + ticks);
    if (rc < 0)
        return rc;
    FL_SET_STATE_(t, FL_TASK_SLEEPING);
    return 1;
}

/* Run `t` until it suspends, ends or stops the loop.  Commands that do not
 * suspend (spawn, cancel) are answered at once and the task goes on. */
static void step(fl_loop *loop, fl_task *t)
{
    loop->current = t;
    for (;;) {
        fl_cmd cmd;
        int outcome;

        FL_HOOK_(loop, step_begin, t);
        cmd = t->fn(t);
        FL_HOOK_(loop, step_end, t, &cmd);

#if FL_ENABLE_CANCEL
        if (cmd.op >= FL_OP_YIELD && (t->flags & FL_F_CANCEL_REQ_)) {
            /* A cancel that came while it was ready lands here instead. */
            t->flags = (uint8_t)((t->flags & ~FL_F_CANCEL_REQ_) | FL_F_CANCEL_SENT_);
            t->wait.value = FL_ECANCELLED;
            continue;
        }
#endif
        switch (cmd.op) {
        case FL_OP_DONE:
            fl_finish_(loop, t);
            outcome = 1;
            break;
        case FL_OP_SPAWN:
            outcome = fl_spawn(loop, (fl_task *)cmd.arg.ptr, t->wait.fn);
            break;
#if FL_ENABLE_CANCEL
        case FL_OP_CANCEL:
            outcome = fl_cancel(loop, (fl_task *)cmd.arg.ptr) ? 1 : 0;
            t->wait.value = outcome;
            continue;
#endif
#if FL_ENABLE_EXIT
        case FL_OP_EXIT:
        case FL_OP_EXIT_ERROR:
            exit_loop(loop, t, cmd.arg.value, cmd.op == FL_OP_EXIT_ERROR);
            outcome = 1;
            break;
#endif
        case FL_OP_YIELD: /* a sleep of no time */
            cmd.arg.ticks = 0;
            /* fall through */
        case FL_OP_SLEEP:
            t->wait.value = 0;
            outcome = sleep_task(loop, t, cmd.arg.ticks);
            break;
#if FL_ENABLE_TIMEOUT
        case FL_OP_DEADLINE:
            if (t->timer != FL_SLOT_NONE)
                fl_timer_remove_(loop, t);
            t->wait.value = fl_timer_add_(loop, t, fl_now(loop) + cmd.arg.ticks);
            continue; /* keep the timer: it is for the next wait */
#endif
#if FL_ENABLE_IO
        case FL_OP_IO_WAIT:
            /* fd * 4 + events; a negative fd gives a negative value. */
            if (cmd.arg.value < 0)
                outcome = FL_ERANGE;
            else if (loop->port->watch == NULL)
                outcome = FL_EINVAL;
            else
                outcome = loop->port->watch(loop->port, loop, t, (int)(cmd.arg.value / 4),
                                            (unsigned)(cmd.arg.value % 4));
            if (outcome == 1)
                FL_HOOK_(loop, io_wait, t, (int)(cmd.arg.value / 4),
                         (unsigned)(cmd.arg.value % 4));
            break;
#endif
#if FL_ENABLE_JOIN
        case FL_OP_JOIN:
        case FL_OP_CANCEL_JOIN:
            outcome = fl_join_(loop, t, (fl_task *)cmd.arg.ptr, cmd.op == FL_OP_CANCEL_JOIN);
            break;
#endif
#if FL_ENABLE_QUEUE
        case FL_OP_QUEUE_PUT:
        case FL_OP_QUEUE_PUT_RESERVED:
            outcome = fl_queue_put_(loop, t, (fl_queue *)cmd.arg.ptr,
                                    cmd.op == FL_OP_QUEUE_PUT_RESERVED);
            break;
        case FL_OP_QUEUE_GET:
        case FL_OP_QUEUE_GET_RESERVED:
        case FL_OP_QUEUE_PEEK:
            outcome = fl_queue_get_(loop, t, (fl_queue *)cmd.arg.ptr, cmd.op);
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
        default:
            outcome = FL_EINVAL;
            break;
        }
        if (outcome == 1)
            break; /* it waits (a deadline stays with it), is ready or ended */
        /* Answered at once: resume the task with the outcome. */
#if FL_ENABLE_TIMEOUT
        if (t->timer != FL_SLOT_NONE)
            fl_timer_remove_(loop, t); /* the deadline's wait never began */
#endif
        t->wait.value = outcome;
    }
    loop->current = NULL;
}

/* Whether the batch must end now: FL_EXIT, or the root of a FL_RUN_NO_WAIT
 * run has ended.  Neither exists without fl_run_until_complete. */
#if FL_ENABLE_RUN
#define FL_STOPPED_(loop) ((loop)->stop)
#else
#define FL_STOPPED_(loop) 0
#endif

/* Step ready tasks until none is left, FL_POLL_INTERVAL have run (so that
 * timers and signals get their turn), or the run must stop.  Returns how
 * many steps it made. */
static unsigned run_batch(fl_loop *loop)
{
    unsigned budget = FL_POLL_INTERVAL;
    while (loop->ready_head != FL_SLOT_NONE && budget > 0 && !FL_STOPPED_(loop)) {
        budget--;
        step(loop, fl_ready_pop_(loop));
    }
    return FL_POLL_INTERVAL - budget;
}

/* Bring the loop up to date without running tasks: deliver raised
 * signals, take in posted tasks, and make every task whose timer is due
 * ready.  Returns how long the loop may idle: 0 if tasks are ready (or a
 * raise is pending), the time to the next timer, or FL_TIME_FOREVER. */
static fl_time catch_up(fl_loop *loop)
{
    fl_time next;
#if FL_ENABLE_SIGNAL
    if (loop->signal_pending) {
        fl_signal_deliver_(loop);
#if FL_ENABLE_POST
        if (loop->posted != NULL)
            fl_post_drain_(loop);
#endif
    }
#endif
    next = fl_timer_expire_(loop, fl_now(loop));
    if (loop->ready_head != FL_SLOT_NONE)
        return 0;
#if FL_ENABLE_SIGNAL
    if (loop->signal_pending)
        return 0; /* raised while the timers were looked at */
#endif
    return next;
}

int fl_loop_poll(fl_loop *loop, fl_time *next_wait)
{
    fl_time ticks;

    if (loop == NULL || loop->port == NULL)
        return FL_EINVAL;
    if (loop->current != NULL)
        return FL_EBUSY;
#if FL_ENABLE_RUN
    loop->stop = 0; /* an FL_EXIT stopped the last poll's batch */
#endif
    catch_up(loop);
    (void)run_batch(loop);
    ticks = catch_up(loop);
    if (next_wait != NULL)
        *next_wait = ticks;
    return (int)loop->live;
}

#if FL_ENABLE_RUN

/* What fl_run_until_complete returns for the task that ended the run:
 * the root, or a task that called FL_EXIT (whose outcome is always
 * returned, as with FL_RUN_JOIN). */
static int outcome_of(const fl_task *t, unsigned flags, fl_value *result)
{
    if (fl_task_finished(t) && result != NULL)
        *result = fl_task_result(t);
    return (flags & FL_RUN_JOIN) ? fl_task_error(t) : 0;
}

#if FL_ENABLE_IO
/* Whether a task waits on I/O. */
static bool io_watched(fl_loop *loop)
{
    return loop->port->watching != NULL && loop->port->watching(loop->port);
}

/* Steps until the fds are looked at again while tasks are ready: a pass
 * over the tasks ready now (as an iteration of libuv's loop runs every
 * callback due), and at least a batch.  O(ready tasks), once a pass. */
static unsigned pass_length(const fl_loop *loop)
{
    unsigned n = 0;
    fl_slot s;
    for (s = loop->ready_head; s != FL_SLOT_NONE; s = fl_at_(loop, s)->next)
        n++;
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
    if (loop->holds != 0)
        return true;
#endif
    return fl_signal_waited_(loop);
}

static int run(fl_loop *loop, fl_task *root, unsigned flags, fl_time max_wait,
               fl_value *result)
{
#if FL_ENABLE_IO
    bool io_seen = false; /* the port has waited since the last batch */
#endif
    unsigned steps, pass = 0; /* steps left before the fds are looked at again */
    for (;;) {
        fl_time ticks = catch_up(loop);
        /* Nothing will ever wake: the tasks left wait on each other. */
        bool stuck = ticks == FL_TIME_FOREVER && !outside_may_wake(loop);

        if (loop->exiting != NULL)
            return outcome_of(loop->exiting, FL_RUN_JOIN, result);
        /* Done once the root has ended and the others too, unless a post
         * or a raise is still to be taken in (ticks is 0 then). */
        if (loop->stop || (fl_task_done(root) && (stuck || (loop->live == 0 && ticks != 0))))
            return outcome_of(root, flags, result);
        if (stuck)
            return FL_EINCOMPLETE;
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
#endif
            steps = run_batch(loop);
            pass = pass > steps ? pass - steps : 0;
            continue;
        }
        if (max_wait != 0 && ticks > max_wait)
            ticks = max_wait;
        loop->port->wait(loop->port, loop, ticks, ticks == FL_TIME_FOREVER);
#if FL_ENABLE_IO
        io_seen = true;
#endif
        pass = 0;
    }
}

int fl_run_until_complete(fl_loop *loop, fl_task *root, unsigned flags,
                          fl_time max_wait, fl_value *result)
{
    int rc;

    if (loop == NULL || root == NULL || loop->port == NULL ||
        (flags & ~(FL_RUN_JOIN | FL_RUN_NO_WAIT)) != 0)
        return FL_EINVAL;
    if (loop->current != NULL)
        return FL_EBUSY; /* called from inside a task */
    if (FL_STATE_(root) == FL_TASK_NEW) {
        rc = fl_spawn(loop, root, NULL);
        if (rc < 0)
            return rc;
    } else if (!fl_task_done(root) && !fl_alive_in_(loop, root)) {
        return FL_EINVAL;
    }

    loop->root = root;
    loop->exiting = NULL;
    loop->stop_on_root = (flags & FL_RUN_NO_WAIT) != 0;
    loop->stop = loop->stop_on_root && fl_task_done(root);
    rc = run(loop, root, flags, max_wait, result);
    loop->stop = loop->stop_on_root = 0;
    loop->root = NULL;
    return rc;
}

#endif /* FL_ENABLE_RUN */
