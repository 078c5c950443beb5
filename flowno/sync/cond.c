/* SPDX-License-Identifier: MIT */
/*
 * cond.c - a condition variable over an fl_lock.  A waiter sits on the
 * condition's list; notify moves it onto the lock's list (or gives it the
 * lock if free), so it returns from its wait holding the lock.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_COND

int fl_cond_init(fl_cond *cond, fl_lock *lock)
{
    if (FL_BAD_ARG_(cond == NULL || lock == NULL || lock->loop == NULL))
        return FL_EINVAL;
    cond->lock = lock;
    fl_waitq_init(&cond->waiters, FL_WAIT_COND);
    return 0;
}

FL_INTERNAL_ int fl_cond_wait_(fl_loop *loop, fl_task *t, fl_cond *cond)
{
    int rc;
    if (FL_BAD_ARG_(cond == NULL || cond->lock == NULL || cond->lock->loop != loop))
        return FL_EINVAL;
    rc = fl_lock_release(cond->lock, t);
    if (rc != 0)
        return rc; /* FL_EPERM: it does not hold the lock */
    fl_wait_on_(loop, &cond->waiters.last, t, FL_TASK_WAITING);
    return 1;
}

int fl_cond_notify(fl_cond *cond, unsigned n)
{
    fl_lock *lock;
    unsigned moved = 0;

    if (FL_BAD_ARG_(cond == NULL || cond->lock == NULL))
        return FL_EINVAL; /* NULL, or never initialised */
    lock = cond->lock;
    while (moved < n && cond->waiters.last != FL_SLOT_NONE) {
        fl_task *w;
        moved++;
        if (lock->owner == NULL) { /* free: it is woken holding it */
            lock->owner = fl_wake_first_(lock->loop, &cond->waiters.last, 0);
            continue;
        }
        w = fl_list_pop_(lock->loop, &cond->waiters.last);
#if FL_ENABLE_TIMEOUT
        fl_drop_timer_(lock->loop, w); /* notified: no more deadline */
#endif
        fl_wait_again_on_(lock->loop, &lock->waiters.last, w);
        w->flags |= FL_F_NOTIFIED_; /* fl_cancel must leave it queued */
    }
    return (int)moved;
}

#endif /* FL_ENABLE_COND */
