/* SPDX-License-Identifier: MIT */
/*
 * lock.c - a mutex with FIFO handoff.  Release hands the lock straight to
 * the oldest waiter, so a task that releases and re-acquires at once goes
 * behind those already waiting instead of barging ahead.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_LOCK

int fl_lock_init(fl_lock *lock, fl_loop *loop)
{
    if (FL_BAD_ARG_(lock == NULL || loop == NULL))
        return FL_EINVAL;
    lock->loop = loop;
    lock->owner = NULL;
    fl_waitq_init(&lock->waiters, FL_WAIT_LOCK);
    return 0;
}

int fl_lock_try_acquire(fl_lock *lock, fl_task *self)
{
    if (FL_BAD_ARG_(lock == NULL || self == NULL || lock->loop == NULL))
        return FL_EINVAL;
    if (lock->owner != NULL)
        return FL_BAD_(lock->owner == self, FL_EDEADLK) ? FL_EDEADLK : FL_EAGAIN;
    lock->owner = self;
    return 0;
}

/* Hands the lock to the oldest waiter, or frees it.  The wake clears a
 * notified waiter's FL_F_NOTIFIED_ (fl_wake_). */
int fl_lock_release(fl_lock *lock, fl_task *self)
{
    if (FL_BAD_ARG_(lock == NULL || self == NULL || lock->loop == NULL))
        return FL_EINVAL;
    if (FL_BAD_(lock->owner != self, FL_EPERM))
        return FL_EPERM;
    lock->owner = fl_wake_first_(lock->loop, &lock->waiters.last, 0); /* NULL: none */
    return 0;
}

/* FL_LOCK: fl_lock_try_acquire's two rules (free: taken; its own:
 * FL_EDEADLK), tested here in line, where going through its return code
 * costs 8 bytes more on a Cortex-M0+. */
FL_INTERNAL_ int fl_lock_acquire_(fl_loop *loop, fl_task *t, fl_lock *lock)
{
    if (FL_BAD_ARG_(lock == NULL || lock->loop != loop))
        return FL_EINVAL; /* another loop's, or never initialised */
    if (lock->owner == NULL) {
        lock->owner = t;
        t->wait.value = 0;
        return fl_step_aside_(loop, t); /* taken: Flowno re-queues the task */
    }
    if (FL_BAD_(lock->owner == t, FL_EDEADLK))
        return FL_EDEADLK;
    fl_wait_on_(loop, &lock->waiters.last, t, FL_TASK_WAITING);
    return 1;
}

#endif /* FL_ENABLE_LOCK */
