/* SPDX-License-Identifier: MIT */
/*
 * owner.c - what a wait list belongs to: each primitive embeds its lists,
 * and a list's kind says which member of which primitive it is, so the
 * primitive is found by subtracting the member's offset.  For the hooks
 * (and the trace) to name what a task was woken from.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_HOOKS

#define FL_OWNER_(q, type, member) \
    ((const void *)((const char *)(q) - offsetof(type, member)))

const void *fl_waitq_owner(const fl_waitq *q)
{
    if (q == NULL)
        return NULL;
    switch (q->kind) {
#if FL_ENABLE_QUEUE
    case FL_WAIT_QUEUE_GET: return FL_OWNER_(q, fl_queue, getters);
    case FL_WAIT_QUEUE_PUT: return FL_OWNER_(q, fl_queue, putters);
    case FL_WAIT_QUEUE_PEEK: return FL_OWNER_(q, fl_queue, peekers);
#endif
#if FL_ENABLE_EVENT
    case FL_WAIT_EVENT: return FL_OWNER_(q, fl_event, latch.waiters);
#endif
#if FL_ENABLE_LOCK
    case FL_WAIT_LOCK: return FL_OWNER_(q, fl_lock, waiters);
#endif
#if FL_ENABLE_COND
    case FL_WAIT_COND: return FL_OWNER_(q, fl_cond, waiters);
#endif
#if FL_HAS_LATCH_
    case FL_WAIT_LATCH: return FL_OWNER_(q, fl_latch, waiters);
#endif
#if FL_ENABLE_SIGNAL
    case FL_WAIT_SIGNAL: return FL_OWNER_(q, fl_signal, waiters);
#endif
    default: return NULL; /* an fd's list, or one of no primitive */
    }
}

#endif /* FL_ENABLE_HOOKS */
