/* SPDX-License-Identifier: MIT */
/*
 * task.c - a task's life: spawn, join, cancel, finish, and the questions
 * one may ask about it afterwards.
 */
#include "../flowno_internal.h"

void fl_task_init(fl_task *task, fl_task_fn fn)
{
    if (task != NULL)
        fl_task_init_(task, fn);
}

int fl_spawn(fl_loop *loop, fl_task *task, fl_task_fn fn)
{
    if (FL_BAD_ARG_(loop == NULL))
        return FL_EINVAL;
    return fl_spawn_(loop, task, fn);
}

#if FL_ENABLE_JOIN
/* Wake the tasks that joined `t`, which has ended, with `err`, its error or 0
 * (none: the first wake finds the list empty). */
static void wake_joiners(fl_loop *loop, fl_task *t, int err)
{
    while (FL_WAKE_FIRST_AS_(loop, &t->joiners, err, FL_READY_JOINED, t))
        ;
}
#endif

/* Its one caller is fl_finish_ in step().  The joiners' error is taken
 * first, so that it alone outlives the calls (not the state it comes
 * from: on Thumb-1 that went to the stack). */
FL_INTERNAL_ void fl_finish_rest_(fl_loop *loop, fl_task *t)
{
#if FL_ENABLE_JOIN
    int err = FL_STATE_(t) == FL_TASK_FINISHED ? 0 : (int)t->result;
#endif
#if FL_ENABLE_TIMEOUT
    fl_drop_timer_(loop, t);
#endif
    FL_HOOK_(loop, task_end, t);
    fl_free_slot_(loop, t);
#if FL_ENABLE_JOIN
    wake_joiners(loop, t, err);
#endif
}

#if FL_ENABLE_JOIN
FL_INTERNAL_ int fl_join_(fl_loop *loop, fl_task *t, fl_task *target, bool cancel)
{
    fl_state s;
    if (FL_BAD_ARG_(target == NULL))
        return FL_EINVAL;
    if (FL_BAD_(target == t, FL_EDEADLK))
        return FL_EDEADLK;
    s = FL_STATE_(target);
    if (FL_IS_DONE_STATE_(s)) {
        t->wait.value = fl_joined_outcome_(target, cancel);
        return FL_ASIDE_;
    }
    if (FL_BAD_(s == FL_TASK_NEW, FL_ENOTSTARTED))
        return FL_ENOTSTARTED;
    if (FL_BAD_ARG_(!fl_alive_in_(loop, target)))
        return FL_EINVAL;

    fl_wait_on_(loop, &target->joiners, t, FL_TASK_JOINING);
    if (cancel) {
        t->flags |= FL_F_CANCEL_WAIT_;
#if FL_ENABLE_CANCEL
        (void)fl_cancel(loop, target); /* it wakes to run its cleanup */
#endif
    }
    return 1;
}
#endif /* FL_ENABLE_JOIN */

#if FL_ENABLE_CANCEL
bool fl_cancel(fl_loop *loop, fl_task *task)
{
    fl_state s;
    if (FL_BAD_ARG_(loop == NULL || task == NULL))
        return false;
    if (!fl_alive_in_(loop, task))
        return false; /* ended (or not in this loop) */
    if (task->flags & (FL_F_CANCEL_REQ_ | FL_F_CANCEL_SENT_))
        return true;

    s = FL_STATE_(task);
    if (s == FL_TASK_READY || (s == FL_TASK_WAITING && (task->flags & FL_F_NOTIFIED_))) {
        /* Ready or running: it sees the error at its next suspension.
         * Notified by a condition: it gets the lock first, then sees the
         * cancel, so the notify is not lost. */
        task->flags |= FL_F_CANCEL_REQ_;
        return true;
    }
    if (s != FL_TASK_SLEEPING) /* joining, or on a primitive's list */
        fl_list_remove_(loop, (fl_slot *)task->wait.obj, task);
    /* Now it waits on nothing but perhaps a timer.  A joiner's
     * FL_F_CANCEL_WAIT_ goes (the bit is clear on a sleeper): its own
     * cancel is no success. */
    task->flags = (uint8_t)((task->flags & ~FL_F_CANCEL_WAIT_) | FL_F_CANCEL_SENT_);
    FL_WAKE_(loop, task, FL_ECANCELLED, FL_READY_CANCELLED, NULL);
    return true;
}
#endif /* FL_ENABLE_CANCEL */
