/* SPDX-License-Identifier: MIT */
/*
 * list.h - the ready list and the wait lists, included by
 * flowno_internal.h.  Every command goes through them, so they are inline
 * functions here rather than calls into a file of their own; where size
 * counts (-Os) the ones used from many places stay out of line
 * (FL_SHARED_).
 *
 * Lists hold slot indices, not pointers, and run through the tasks' own
 * `next` byte: a task is on one list at a time (ready, or waiting on one
 * thing).  Every list has one shape, a circle held by its last task: the
 * first is the last one's next.  A task goes in behind the last
 * (fl_list_push_) and the first leaves (fl_list_pop_), both O(1); one
 * that leaves from the middle (a cancel, a deadline) is found by a walk
 * from the last (fl_list_remove_), O(tasks on that list).
 *
 * On the ready list the first is the next to run.  Where the task being
 * stepped is, two ways with the same order.  For speed it stays first in
 * the circle while it runs (FL_STEPPED_STAYS_), so that stepping aside (a
 * yield) is one store, the tail moving onto it; fl_ready_leave_ takes it
 * out when it waits, sleeps or ends.  Where size counts the batch takes it
 * out as its step begins and stepping aside pushes it back: less code.
 */
#ifndef FLOWNO_CORE_LIST_H
#define FLOWNO_CORE_LIST_H

#define FL_STEPPED_STAYS_ FL_FAST_PATHS_ /* -O2 keeps the task in the circle */

/* The circle's functions serve the ready list and the wait lists: shared
 * (FL_SHARED_STATIC_) when there are wait lists, in line when not. */
#if FL_NEEDS_WAIT_LISTS_
#define FL_LIST_FN_ FL_SHARED_STATIC_
#else
#define FL_LIST_FN_ static inline
#endif

/* `t` goes in behind the others on the circle whose last is `*last`.
 * Where size counts, a task alone is its own last (its next, read and
 * then set, becomes itself): no branch, but a load and a store more. */
FL_LIST_FN_ void fl_list_push_(fl_loop *loop, fl_slot *last, fl_task *t)
{
#if !defined(__OPTIMIZE_SIZE__)
    if (*last == FL_SLOT_NONE) {
        t->next = t->slot;
    } else {
        fl_task *l = fl_at_(loop, *last);
        t->next = l->next;
        l->next = t->slot;
    }
#else
    fl_task *l = *last == FL_SLOT_NONE ? t : fl_at_(loop, *last);
    t->next = l->next;
    l->next = t->slot;
#endif
    *last = t->slot;
}

/* The first task on the circle whose last is `*last` (there is one)
 * leaves it and is returned. */
FL_LIST_FN_ fl_task *fl_list_pop_(fl_loop *loop, fl_slot *last)
{
    fl_task *l = fl_at_(loop, *last), *t = fl_at_(loop, l->next);
    l->next = t->next; /* alone, it is its own last: no change */
    if (l == t)
        *last = FL_SLOT_NONE;
    return t;
}

/* `t` becomes ready, behind the others. */
static inline void fl_ready_push_(fl_loop *loop, fl_task *t)
{
    FL_SET_STATE_(t, FL_TASK_READY);
    fl_list_push_(loop, &loop->ready_tail, t);
}

/* The task being stepped, first in the circle, leaves it.  fl_list_pop_
 * would do, but it finds again the task known here: measured, 2 to 3
 * instructions more a spawn and a sleep (make bench-instr). */
#if FL_STEPPED_STAYS_
static inline void fl_ready_leave_(fl_loop *loop, fl_task *t)
{
    fl_task *last = fl_at_(loop, loop->ready_tail);
    if (last == t)
        loop->ready_tail = FL_SLOT_NONE; /* it was alone */
    else
        last->next = t->next;
}
#else
#define fl_ready_leave_(loop, t) ((void)0) /* it left as its step began */
/* The first in the circle (there is one) leaves it as its step begins. */
#define fl_ready_pop_(loop) fl_list_pop_(loop, &(loop)->ready_tail)
#endif

/* `t` leaves the circle whose last is `*last`: the task before it is
 * found by a walk from the last, one step for the first, O(tasks on the
 * list) for the newest.  Leaving from the middle is rare (a cancel, a
 * deadline): no task keeps a `prev` byte for it. */
FL_LIST_FN_ void fl_list_remove_(fl_loop *loop, fl_slot *last, fl_task *t)
{
    fl_task *before = fl_at_(loop, *last);
    while (before->next != t->slot) {
#if FL_DEBUG
        if (!fl_debug_slot_ok_(loop, before->next))
            return; /* a task overwritten: its link cannot be followed */
#endif
        before = fl_at_(loop, before->next);
    }
    before->next = t->next;
    if (*last == t->slot)
        *last = before == t ? FL_SLOT_NONE : before->slot;
}

#if FL_NEEDS_WAIT_LISTS_

/* A waiting task, off every list, goes onto the wait list whose last is
 * `*last` (a notified condition waiter onto the lock's): it still waits. */
FL_SHARED_STATIC_ void fl_wait_again_on_(fl_loop *loop, fl_slot *last, fl_task *t)
{
    fl_list_push_(loop, last, t);
    t->wait.obj = last;
}

/* The task being stepped, `t`, leaves the ready circle for that list, in
 * `state`: READY while stepped, it gets there with one add, in line (a
 * call would cost more than the add). */
FL_ALWAYS_INLINE_ void fl_wait_on_(fl_loop *loop, fl_slot *last, fl_task *t, fl_state state)
{
    fl_ready_leave_(loop, t);
    fl_wait_again_on_(loop, last, t);
    FL_SET_STATE_(t, state);
}

/* Make waiting task `t`, off every list, ready with `outcome`, dropping
 * its timer.  The hooks hear `cause` and `obj`, which are not even passed
 * without them. */
#if FL_ENABLE_HOOKS
#define FL_WAKE_(loop, t, outcome, cause, obj) fl_wake_(loop, t, outcome, cause, obj)
static inline void fl_wake_(fl_loop *loop, fl_task *t, int outcome, int cause, const void *obj)
#else
#define FL_WAKE_(loop, t, outcome, cause, obj) fl_wake_(loop, t, outcome)
static inline void fl_wake_(fl_loop *loop, fl_task *t, int outcome)
#endif
{
#if FL_ENABLE_CANCEL
    /* Set only on a joiner in FL_CANCEL: there a target that ended
     * cancelled is a success.  (fl_cancel and timeouts clear it first.) */
    if (t->flags & FL_F_CANCEL_WAIT_) {
        t->flags = (uint8_t)(t->flags & ~FL_F_CANCEL_WAIT_);
        if (outcome == FL_ECANCELLED)
            outcome = 0;
    }
#endif
    t->wait.value = outcome; /* before the call: one value less outlives it */
    fl_drop_timer_(loop, t);
    fl_ready_push_(loop, t);
    FL_READY_HOOK_(loop, t, cause, obj);
}

/* Wake the oldest task on the wait list whose last is `*last` with
 * `outcome`: that task, NULL if none.  The hooks hear `cause` and `obj`
 * (FL_WAKE_FIRST_AS_). */
#if FL_ENABLE_HOOKS
#define FL_WAKE_FIRST_AS_(loop, last, outcome, cause, obj) \
    fl_wake_first_as_(loop, last, outcome, cause, obj)
static inline fl_task *fl_wake_first_as_(fl_loop *loop, fl_slot *last, int outcome, int cause,
                                        const void *obj)
#else
#define FL_WAKE_FIRST_AS_(loop, last, outcome, cause, obj) fl_wake_first_as_(loop, last, outcome)
static inline fl_task *fl_wake_first_as_(fl_loop *loop, fl_slot *last, int outcome)
#endif
{
    fl_task *t;
    if (*last == FL_SLOT_NONE)
        return NULL;
#if FL_DEBUG
    if (!fl_debug_slot_ok_(loop, *last) || !fl_debug_slot_ok_(loop, fl_at_(loop, *last)->next)) {
        *last = FL_SLOT_NONE; /* its links cannot be followed */
        return NULL;
    }
#endif
    t = fl_list_pop_(loop, last);
    FL_WAKE_(loop, t, outcome, cause, obj);
    return t;
}

/* The same for a primitive's wait list (`last`: its fl_waitq's first
 * member, at the fl_waitq's address, which the hooks hear). */
static inline fl_task *fl_wake_first_(fl_loop *loop, fl_slot *last, int outcome)
{
    return FL_WAKE_FIRST_AS_(loop, last, outcome, FL_READY_WOKEN, last);
}

/* Wake every task on the wait list whose last is `*last`, oldest first. */
static inline void fl_wake_all_(fl_loop *loop, fl_slot *last, int outcome)
{
    while (fl_wake_first_(loop, last, outcome))
        ;
}

#endif /* FL_NEEDS_WAIT_LISTS_ */
#endif /* FLOWNO_CORE_LIST_H */
