/* SPDX-License-Identifier: MIT */
/*
 * task.c - a task's life: spawn, join, cancel, finish, and the questions
 * one may ask about it afterwards.
 */
#include "../flowno_internal.h"

void fl_task_init(fl_task *task, fl_task_fn fn)
{
    if (task == NULL)
        return;
    task->fn = fn;
    task->result = 0;
    task->wait.value = 0;
    task->lc = GEN_LC_START;
    task->flags = FL_TASK_NEW;
    task->slot = task->next = task->prev = FL_SLOT_NONE;
    task->timer = task->joiners = FL_SLOT_NONE;
#if FL_DEBUG
    task->magic = 0; /* the loop does not own it */
#endif
}

int fl_spawn(fl_loop *loop, fl_task *task, fl_task_fn fn)
{
    unsigned slot;

    if (FL_BAD_ARG_(loop == NULL || task == NULL))
        return FL_EINVAL;
    if (fn == NULL)
        fn = task->fn;
    if (FL_BAD_ARG_(fn == NULL))
        return FL_EINVAL;
    if (FL_BAD_(fl_alive_in_(loop, task), FL_EBUSY))
        return FL_EBUSY;
#if FL_ENABLE_POST
    if (FL_BAD_(FL_STATE_(task) == FL_TASK_NEW && task->slot == FL_SLOT_POSTED_, FL_EBUSY))
        return FL_EBUSY; /* on the posted list: the loop spawns it soon */
#endif
#if FL_DEBUG
    /* Re-initialised while alive: the table still holds it. */
    for (slot = 0; slot < FL_MAX_TASKS; slot++)
        if (FL_BAD_(loop->tasks[slot] == task, FL_EBUSY))
            return FL_EBUSY;
#endif
    /* The lowest free slot, found by a scan, so no free list takes RAM:
     * from the hint in a big table, so that filling it costs O(1) a
     * spawn; from the start in a small one (less code). */
#if FL_SLOT_HINT_
    for (slot = loop->free_hint; slot < FL_MAX_TASKS && loop->tasks[slot] != NULL; slot++)
        ;
#else
    for (slot = 0; slot < FL_MAX_TASKS && loop->tasks[slot] != NULL; slot++)
        ;
#endif
    if (slot == FL_MAX_TASKS)
        return FL_ENOSPC;
#if FL_SLOT_HINT_
    loop->free_hint = (fl_slot)(slot + 1);
#endif
    loop->tasks[slot] = task;
    loop->live++;
    fl_task_init(task, fn);
    task->slot = (fl_slot)slot;
#if FL_DEBUG
    task->magic = FL_TASK_MAGIC_;
    loop->spawned_fn[slot] = fn;
#endif
    fl_ready_push_(loop, task);
    FL_READY_HOOK_(loop, task, FL_READY_SPAWNED, NULL);
    return 0;
}


FL_INTERNAL_ void fl_finish_(fl_loop *loop, fl_task *t)
{
    /* The error bit comes only with a negative result (FL_FAIL makes any
     * other value FL_EINVAL). */
    int err = (t->flags & FL_F_ERROR_) ? (int)t->result : 0;
    fl_state end = !(t->flags & FL_F_ERROR_) ? FL_TASK_FINISHED
                 : err == FL_ECANCELLED ? FL_TASK_CANCELLED : FL_TASK_FAILED;

#if FL_ENABLE_TIMEOUT
    fl_drop_timer_(loop, t); /* a deadline it never used */
#endif
    fl_ready_leave_(loop, t); /* it was being stepped */
    t->flags = (uint8_t)end;
#if FL_DEBUG
    t->magic = 0; /* the struct is its owner's again */
#endif
    FL_HOOK_(loop, task_end, t);
#if FL_ENABLE_RUN
    if (t == loop->root && loop->stop_on_root)
        loop->stop = 1;
#endif
    loop->tasks[t->slot] = NULL;
#if FL_SLOT_HINT_
    if (t->slot < loop->free_hint)
        loop->free_hint = t->slot;
#endif
    loop->live--;
#if FL_ENABLE_JOIN
    while (t->joiners != FL_SLOT_NONE) {
        fl_task *joiner = fl_at_(loop, t->joiners);
        fl_list_remove_(loop, &t->joiners, joiner);
        FL_WAKE_(loop, joiner, err, FL_READY_JOINED, t);
    }
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
#if FL_ENABLE_CANCEL
    if (cancel)
        (void)fl_cancel(loop, target);
#endif
    s = FL_STATE_(target);
    if (FL_IS_DONE_STATE_(s)) {
        /* Its error (a cancel is a success for FL_CANCEL), or 0. */
        int err = s == FL_TASK_FINISHED ? 0 : (int)target->result;
        t->wait.value = cancel && err == FL_ECANCELLED ? 0 : err;
        return fl_step_aside_(loop, t); /* Flowno re-queues the joiner */
    }
    if (FL_BAD_(s == FL_TASK_NEW, FL_ENOTSTARTED))
        return FL_ENOTSTARTED;
    if (FL_BAD_ARG_(!fl_alive_in_(loop, target)))
        return FL_EINVAL;

    fl_wait_on_(loop, &target->joiners, t, FL_TASK_JOINING);
    if (cancel)
        t->flags |= FL_F_CANCEL_WAIT_;
    return 1;
}
#endif /* FL_ENABLE_JOIN */

#if FL_ENABLE_CANCEL
bool fl_cancel(fl_loop *loop, fl_task *task)
{
    if (FL_BAD_ARG_(loop == NULL || task == NULL))
        return false;
    if (!fl_alive_in_(loop, task))
        return false; /* ended (or not in this loop) */
    if (task->flags & (FL_F_CANCEL_REQ_ | FL_F_CANCEL_SENT_))
        return true;

    switch (FL_STATE_(task)) {
    case FL_TASK_WAITING:
        if (task->flags & FL_F_NOTIFIED_) {
            /* Notified by a condition: it gets the lock first, then sees
             * the cancel, so the notify is not lost. */
            task->flags |= FL_F_CANCEL_REQ_;
            break;
        }
        /* fall through */
    case FL_TASK_JOINING:
        fl_list_remove_(loop, (fl_slot *)task->wait.obj, task);
        task->flags = (uint8_t)(task->flags & ~FL_F_CANCEL_WAIT_);
        /* Now it waits on nothing but perhaps a timer. */
        /* fall through */
    case FL_TASK_SLEEPING:
        task->flags |= FL_F_CANCEL_SENT_;
        FL_WAKE_(loop, task, FL_ECANCELLED, FL_READY_CANCELLED, NULL);
        break;
    default:
        /* Ready or running: it sees the error at its next suspension. */
        task->flags |= FL_F_CANCEL_REQ_;
        break;
    }
    return true;
}
#endif /* FL_ENABLE_CANCEL */
