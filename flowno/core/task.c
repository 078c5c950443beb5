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
    fl_task **tasks;
    unsigned slot;

    if (FL_BAD_ARG_(loop == NULL || task == NULL))
        return FL_EINVAL;
    if (fn == NULL)
        fn = task->fn;
    if (FL_BAD_ARG_(fn == NULL))
        return FL_EINVAL;
    /* Alive, or new on the posted list (the loop spawns it soon). */
    if (FL_BAD_(FL_ENABLE_POST && FL_STATE_(task) == FL_TASK_NEW
                    ? task->slot == FL_SLOT_POSTED_
                    : fl_alive_in_(loop, task),
                FL_EBUSY))
        return FL_EBUSY;
#if FL_DEBUG
    /* Re-initialised while alive: the table still holds it. */
    for (slot = 0; slot < FL_MAX_TASKS; slot++)
        if (FL_BAD_(loop->tasks[slot] == task, FL_EBUSY))
            return FL_EBUSY;
#endif
    /* The lowest free slot, found by a scan, so no free list takes RAM:
     * from the hint in a big table, so that filling it costs O(1) a
     * spawn; from the start in a small one (less code). */
    tasks = loop->tasks;
#if FL_SLOT_HINT_
    for (slot = loop->free_hint; slot < FL_MAX_TASKS && tasks[slot] != NULL; slot++)
        ;
#else
    for (slot = 0; slot < FL_MAX_TASKS && tasks[slot] != NULL; slot++)
        ;
#endif
    if (slot == FL_MAX_TASKS)
        return FL_ENOSPC;
#if FL_SLOT_HINT_
    loop->free_hint = (fl_slot)(slot + 1);
#endif
    tasks[slot] = task;
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


#if FL_ENABLE_JOIN
/* Wake the tasks that joined `t`, which has ended, with its error or 0. */
static void wake_joiners(fl_loop *loop, fl_task *t)
{
    int err = FL_STATE_(t) == FL_TASK_FINISHED ? 0 : (int)t->result;
    while (FL_WAKE_FIRST_AS_(loop, &t->joiners, err, FL_READY_JOINED, t))
        ;
}
#endif

static void free_slot(fl_loop *loop, const fl_task *t)
{
    loop->tasks[t->slot] = NULL;
#if FL_SLOT_HINT_
    if (t->slot < loop->free_hint)
        loop->free_hint = t->slot;
#endif
    loop->live--;
}

/* The rest of an ending whose state is set: its timer goes (a deadline it
 * never used), the hooks hear of it, its slot is freed and its joiners
 * wake.  Apart from fl_finish_ at -O2, so that an ending with none of
 * these costs no call and saves no register. */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
__attribute__((noinline))
#endif
static void finish_rest(fl_loop *loop, fl_task *t)
{
#if FL_ENABLE_TIMEOUT
    fl_drop_timer_(loop, t);
#endif
    FL_HOOK_(loop, task_end, t);
    free_slot(loop, t);
#if FL_ENABLE_JOIN
    if (t->joiners != FL_SLOT_NONE)
        wake_joiners(loop, t);
#endif
}

FL_INTERNAL_ void fl_finish_(fl_loop *loop, fl_task *t)
{
    /* The error bit comes only with a negative result (FL_FAIL makes any
     * other value FL_EINVAL). */
    fl_state end = !(t->flags & FL_F_ERROR_) ? FL_TASK_FINISHED
                 : t->result == FL_ECANCELLED ? FL_TASK_CANCELLED : FL_TASK_FAILED;

    fl_ready_leave_(loop, t); /* it was being stepped */
    t->flags = (uint8_t)end;
#if FL_DEBUG
    t->magic = 0; /* the struct is its owner's again */
#endif
#if !defined(__OPTIMIZE_SIZE__)
    if (t->timer == FL_SLOT_NONE && t->joiners == FL_SLOT_NONE
#if FL_ENABLE_HOOKS
        && loop->hooks == NULL
#endif
    ) {
        free_slot(loop, t); /* no timer, no hooks, no joiner: the common case */
        return;
    }
#endif
    finish_rest(loop, t);
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
        /* Its error (a cancel is a success for FL_CANCEL), or 0. */
        t->wait.value = s == FL_TASK_FINISHED || (cancel && s == FL_TASK_CANCELLED)
                            ? 0 : target->result;
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
