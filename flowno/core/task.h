/* SPDX-License-Identifier: MIT */
/*
 * task.h - what step() runs in line of a task's life, included by
 * flowno_internal.h: a spawn, an ending, and what a join of a task that
 * has ended resumes with.  task.c holds the rest, and the public
 * functions around these (fl_spawn checks the loop, then spawns).
 */
#ifndef FLOWNO_CORE_TASK_H
#define FLOWNO_CORE_TASK_H

/* fl_task_init, the task known to be one. */
static inline void fl_task_init_(fl_task *task, fl_task_fn fn)
{
    task->fn = fn;
    task->result = 0;
    task->wait.value = 0;
    task->lc = GEN_LC_START;
    task->flags = 0;
    task->state = FL_TASK_NEW;
    /* No slot, timer, joiner or list: one word of FL_SLOT_NONE. */
    task->slot = task->timer = task->joiners = task->next = FL_SLOT_NONE;
#if FL_DEBUG
    task->magic = 0; /* the loop does not own it */
#endif
}

/* fl_spawn once the loop is known to be one: in fl_spawn, and at -O2 in
 * step() for FL_SPAWN. */
FL_ALWAYS_INLINE_ int fl_spawn_(fl_loop *loop, fl_task *task, fl_task_fn fn)
{
    fl_task **tasks;
    unsigned slot;

    if (FL_BAD_ARG_(task == NULL))
        return FL_EINVAL;
    if (fn == NULL)
        fn = task->fn;
    if (FL_BAD_ARG_(fn == NULL))
        return FL_EINVAL;
    /* Alive, or new on the posted list (the loop spawns it soon).  At
     * -O2 an ended task, which FL_SPAWN often spawns again, is let
     * through first. */
    if (!(FL_FAST_PATHS_ && FL_IS_DONE_STATE_(FL_STATE_(task))) &&
        FL_BAD_(fl_taken_(loop, task), FL_EBUSY))
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
    slot = loop->free_hint; /* most often free: it is looked at apart */
    if (slot < FL_MAX_TASKS && tasks[slot] != NULL)
        do
            slot++;
        while (slot < FL_MAX_TASKS && tasks[slot] != NULL);
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
#if defined(__OPTIMIZE_SIZE__)
    fl_task_init(task, fn); /* one copy where size counts */
#else
    fl_task_init_(task, fn);
#endif
    task->slot = (fl_slot)slot;
#if FL_DEBUG
    task->magic = FL_TASK_MAGIC_;
    loop->spawned_fn[slot] = fn;
#endif
    fl_ready_push_(loop, task);
    FL_READY_HOOK_(loop, task, FL_READY_SPAWNED, NULL);
    return 0;
}

/* `t`, which has ended, gives its slot back. */
static inline void fl_free_slot_(fl_loop *loop, const fl_task *t)
{
    loop->tasks[t->slot] = NULL;
#if FL_SLOT_HINT_
    if (t->slot < loop->free_hint)
        loop->free_hint = t->slot;
#endif
    loop->live--;
}

/* task.c: the rest of an ending whose state is set: its timer goes (a
 * deadline it never used), the hooks hear of it, its slot is freed and
 * its joiners wake. */
FL_INTERNAL_ void fl_finish_rest_(fl_loop *loop, fl_task *t);

/* `t` has ended (its result and error bit are set): record its state,
 * free its slot and wake whoever joined it.  In line at -O2, where an
 * ending with no timer, no hooks and no joiner frees its slot and calls
 * nothing. */
static inline void fl_finish_(fl_loop *loop, fl_task *t)
{
    /* The error bit comes only with a negative result (FL_FAIL makes any
     * other value FL_EINVAL). */
    fl_state end = !(t->flags & FL_F_ERROR_)       ? FL_TASK_FINISHED
                   : t->result == FL_ECANCELLED ? FL_TASK_CANCELLED
                                                : FL_TASK_FAILED;

    fl_ready_leave_(loop, t); /* it was being stepped */
    t->flags = 0; /* every bit cleared */
    FL_SET_STATE_(t, end);
#if FL_DEBUG
    t->magic = 0; /* the struct is its owner's again */
#endif
#if !defined(__OPTIMIZE_SIZE__)
    if (t->timer == FL_SLOT_NONE && t->joiners == FL_SLOT_NONE
#if FL_ENABLE_HOOKS
        && loop->hooks == NULL
#endif
    ) {
        fl_free_slot_(loop, t); /* the common case */
        return;
    }
#endif
    fl_finish_rest_(loop, t);
}

/* What a join of `target`, which has ended, resumes with: its error (a
 * cancel is a success for FL_CANCEL), or 0.  Of its three ends, a failure
 * always gives the error, a finish never, a cancel unless in FL_CANCEL. */
static inline fl_value fl_joined_outcome_(const fl_task *target, bool cancel)
{
    fl_state s = FL_STATE_(target);
    if (FL_FAST_PATHS_ && s == FL_TASK_FINISHED)
        return 0; /* the most common end, tested first for speed */
    return s != FL_TASK_FAILED && (s == FL_TASK_FINISHED || cancel) ? 0 : target->result;
}

#endif /* FLOWNO_CORE_TASK_H */
