/* SPDX-License-Identifier: MIT */
/*
 * latch.c - a countdown latch: waiters wake when the count reaches zero.
 * A one-shot event (fl_event) is a latch counting down from one, so it is
 * built for either: flowno.h's inline functions make an event of the latch
 * calls, and only the wait kind differs (fl_loop_dump and a set event's
 * wait, which returns at once).
 */
#include "../flowno_internal.h"

#if FL_HAS_LATCH_

int fl_latch_init_(fl_latch *latch, fl_loop *loop, unsigned count, unsigned kind)
{
    if (FL_BAD_ARG_(latch == NULL || loop == NULL))
        return FL_EINVAL;
    latch->loop = loop;
    latch->count = count;
    fl_waitq_init(&latch->waiters, kind);
    return 0;
}

int fl_latch_count_down(fl_latch *latch, bool error_if_zero)
{
    if (FL_BAD_ARG_(latch == NULL || latch->loop == NULL))
        return FL_EINVAL;
    if (latch->count == 0)
        return FL_BAD_(error_if_zero, FL_ERANGE) ? FL_ERANGE : 0;
    if (--latch->count == 0)
        fl_wake_all_(latch->loop, &latch->waiters.last, 0);
    return 0;
}

FL_INTERNAL_ int fl_latch_wait_(fl_loop *loop, fl_task *t, fl_latch *latch)
{
    if (FL_BAD_ARG_(latch == NULL || latch->loop != loop))
        return FL_EINVAL;
    if (latch->count == 0) {
        if (latch->waiters.kind == FL_WAIT_EVENT)
            return 0; /* a set event: Flowno's wait returns at once */
        t->wait.value = 0;
        return fl_step_aside_(loop, t); /* Flowno's latch re-queues the task */
    }
    fl_wait_on_(loop, &latch->waiters.last, t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_HAS_LATCH_ */
