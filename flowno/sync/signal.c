/* SPDX-License-Identifier: MIT */
/*
 * signal.c - wake-ups from interrupt handlers.
 *
 * An ISR must not touch the task lists, which the loop may be in the middle
 * of changing.  So raising only sets two volatile bytes, the signal's and
 * the loop's; the loop notices at its next poll and does the waking itself.
 * A byte store is atomic on every target, so no lock and no atomics are
 * needed.  The loop clears its flag before scanning, so a raise that comes
 * during the scan is seen at the next poll, never lost.  A post
 * (post.c) wakes the loop the same way.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_SIGNAL

int fl_signal_init(fl_signal *sig, fl_loop *loop)
{
    fl_signal *s;
    if (FL_BAD_ARG_(sig == NULL || loop == NULL))
        return FL_EINVAL;
    for (s = loop->signals; s != NULL; s = s->next)
        if (FL_BAD_(s == sig, FL_EBUSY))
            return FL_EBUSY;
    sig->loop = loop;
    sig->raised = 0;
    fl_waitq_init(&sig->waiters, FL_WAIT_SIGNAL);
    sig->next = loop->signals;
    loop->signals = sig;
    return 0;
}

FL_INTERNAL_ void fl_loop_wake_(fl_loop *loop)
{
    fl_port *port = loop->port;
    FL_ATOMIC_STORE_(loop->signal_pending, 1);
    if (port->wake != NULL)
        port->wake(port);
}

void fl_signal_raise(fl_signal *sig)
{
    if (FL_BAD_ARG_(sig == NULL || sig->loop == NULL))
        return;
    FL_ATOMIC_STORE_(sig->raised, 1);
    fl_loop_wake_(sig->loop);
}

/* Wake the waiters of each raised signal (all of them this loop's, as
 * fl_signal_init linked them); a raise nobody waits for is kept. */
FL_INTERNAL_ void fl_signal_deliver_(fl_loop *loop)
{
    fl_signal *s;
    FL_ATOMIC_STORE_(loop->signal_pending, 0);
    FL_ATOMIC_FENCE_(); /* before the raised bytes and the posted list are read */
    for (s = loop->signals; s != NULL; s = s->next)
        if (s->waiters.last != FL_SLOT_NONE && FL_ATOMIC_LOAD_(s->raised)) {
            FL_ATOMIC_STORE_(s->raised, 0);
            fl_wake_all_(loop, &s->waiters.last, 0);
        }
}

/* Whether a task waits on a signal: a raise may still wake it. */
FL_INTERNAL_ bool fl_signal_waited_(const fl_loop *loop)
{
    const fl_signal *s;
    for (s = loop->signals; s != NULL; s = s->next)
        if (s->waiters.last != FL_SLOT_NONE)
            return true;
    return false;
}

FL_INTERNAL_ int fl_signal_wait_(fl_loop *loop, fl_task *t, fl_signal *sig)
{
    if (FL_BAD_ARG_(sig == NULL || sig->loop != loop))
        return FL_EINVAL;
    if (FL_ATOMIC_LOAD_(sig->raised)) {
        FL_ATOMIC_STORE_(sig->raised, 0);
        return 0;
    }
    fl_wait_on_(loop, &sig->waiters.last, t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_SIGNAL */
