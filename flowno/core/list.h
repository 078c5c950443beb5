/* SPDX-License-Identifier: MIT */
/*
 * list.h - the ready list and the wait lists, included by
 * flowno_internal.h.  Every command goes through them, so they are inline
 * functions here rather than calls into a file of their own; where size
 * counts (-Os) the ones used from many places stay out of line
 * (FL_SHARED_).
 *
 * Lists hold slot indices, not pointers, and run through the tasks' own
 * next/prev bytes: a task is on one list at a time (ready, or waiting on one
 * thing), and a cancelled waiter leaves its list in O(1).
 *
 * The ready list is a circle through `next`, held by its last task: the
 * first, the next to run, is the last one's next.  New ready tasks go in
 * behind the last.  Where the task being stepped is, two ways with the
 * same order.  For speed it stays first in the circle while it runs
 * (FL_STEPPED_STAYS_), so that stepping aside (a yield) is one store, the
 * tail moving onto it; fl_ready_leave_ takes it out when it waits, sleeps
 * or ends.  Where size counts the batch takes it out as its step begins and
 * stepping aside pushes it back: less code.
 */
#ifndef FLOWNO_CORE_LIST_H
#define FLOWNO_CORE_LIST_H

#define FL_STEPPED_STAYS_ FL_FAST_PATHS_ /* -O2 keeps the task in the circle */

/* `t` becomes ready, behind the others.  Where size counts, a task alone
 * is its own last (its next, read and then set, becomes itself): no
 * branch, but a load and a store more. */
static inline void fl_ready_push_(fl_loop *loop, fl_task *t)
{
    fl_slot tail = loop->ready_tail;
#if !defined(__OPTIMIZE_SIZE__)
    FL_SET_STATE_(t, FL_TASK_READY);
    if (tail == FL_SLOT_NONE) {
        t->next = t->slot;
    } else {
        fl_task *last = fl_at_(loop, tail);
        t->next = last->next;
        last->next = t->slot;
    }
#else
    fl_task *last = tail == FL_SLOT_NONE ? t : fl_at_(loop, tail);
    FL_SET_STATE_(t, FL_TASK_READY);
    t->next = last->next;
    last->next = t->slot;
#endif
    loop->ready_tail = t->slot;
}

/* The task being stepped, first in the circle, leaves it. */
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
static inline fl_task *fl_ready_pop_(fl_loop *loop)
{
    fl_task *last = fl_at_(loop, loop->ready_tail), *t = fl_at_(loop, last->next);
    last->next = t->next; /* alone, it is its own last: no change */
    if (last == t)
        loop->ready_tail = FL_SLOT_NONE;
    return t;
}
#endif

#if FL_NEEDS_WAIT_LISTS_

/* Wait lists: circular, doubly linked; `*head` is the oldest.  Where size
 * counts, a task going onto an empty list is its own first (its prev, set
 * and then read, becomes itself): no branch, as in fl_ready_push_. */
static inline void fl_list_append_(fl_loop *loop, fl_slot *head, fl_task *t)
{
#if !defined(__OPTIMIZE_SIZE__)
    if (*head == FL_SLOT_NONE) {
        t->next = t->prev = t->slot;
        *head = t->slot;
    } else {
        fl_task *first = fl_at_(loop, *head);
        fl_task *last = fl_at_(loop, first->prev);
        t->prev = first->prev;
        t->next = *head;
        last->next = t->slot;
        first->prev = t->slot;
    }
#else
    fl_task *first;
    t->prev = t->slot;
    first = *head == FL_SLOT_NONE ? t : fl_at_(loop, *head);
    t->prev = first->prev;
    t->next = first->slot;
    fl_at_(loop, t->prev)->next = t->slot;
    first->prev = t->slot;
    *head = first->slot;
#endif
}

static inline void fl_list_remove_(fl_loop *loop, fl_slot *head, fl_task *t)
{
    if (t->next == t->slot) {
        *head = FL_SLOT_NONE;
    } else {
        fl_at_(loop, t->prev)->next = t->next;
        fl_at_(loop, t->next)->prev = t->prev;
        if (*head == t->slot)
            *head = t->next;
    }
}

/* A waiting task, off every list, goes onto the wait list at `head` (a
 * notified condition waiter onto the lock's): it still waits. */
FL_SHARED_STATIC_ void fl_wait_again_on_(fl_loop *loop, fl_slot *head, fl_task *t)
{
    fl_list_append_(loop, head, t);
    t->wait.obj = head;
}

/* The task being stepped, `t`, leaves the ready circle for that list, in
 * `state`: READY while stepped, it gets there with one add, in line (a
 * call would cost more than the add). */
FL_ALWAYS_INLINE_ void fl_wait_on_(fl_loop *loop, fl_slot *head, fl_task *t, fl_state state)
{
    fl_ready_leave_(loop, t);
    fl_wait_again_on_(loop, head, t);
    FL_STEPPED_TO_(t, state);
}

/* Make waiting task `t` ready with `outcome`, dropping its timer: off
 * the wait list at `head` (FL_WAKE_FROM_), or off every list already
 * (FL_WAKE_).  The hooks hear `cause` and `obj`, which are not even
 * passed without them. */
#if FL_ENABLE_HOOKS
#define FL_WAKE_(loop, t, outcome, cause, obj) fl_wake_(loop, NULL, t, outcome, cause, obj)
#define FL_WAKE_FROM_(loop, head, t, outcome, cause, obj) \
    fl_wake_(loop, head, t, outcome, cause, obj)
static inline void fl_wake_(fl_loop *loop, fl_slot *head, fl_task *t, int outcome, int cause,
                            const void *obj)
#else
#define FL_WAKE_(loop, t, outcome, cause, obj) fl_wake_(loop, NULL, t, outcome)
#define FL_WAKE_FROM_(loop, head, t, outcome, cause, obj) fl_wake_(loop, head, t, outcome)
static inline void fl_wake_(fl_loop *loop, fl_slot *head, fl_task *t, int outcome)
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
    if (head != NULL)
        fl_list_remove_(loop, head, t);
    fl_drop_timer_(loop, t);
    fl_ready_push_(loop, t);
    FL_READY_HOOK_(loop, t, cause, obj);
}

/* Wake the oldest task on the list at `head` with `outcome`; false if
 * none.  The hooks hear `cause` and `obj` (FL_WAKE_FIRST_AS_). */
#if FL_ENABLE_HOOKS
#define FL_WAKE_FIRST_AS_(loop, head, outcome, cause, obj) \
    fl_wake_first_as_(loop, head, outcome, cause, obj)
static inline bool fl_wake_first_as_(fl_loop *loop, fl_slot *head, int outcome, int cause,
                                     const void *obj)
#else
#define FL_WAKE_FIRST_AS_(loop, head, outcome, cause, obj) fl_wake_first_as_(loop, head, outcome)
static inline bool fl_wake_first_as_(fl_loop *loop, fl_slot *head, int outcome)
#endif
{
    fl_task *t;
    if (*head == FL_SLOT_NONE)
        return false;
    t = fl_at_(loop, *head);
#if FL_DEBUG
    if (!fl_debug_slot_ok_(loop, *head)) {
        *head = FL_SLOT_NONE; /* its links cannot be followed */
        return false;
    }
#endif
    FL_WAKE_FROM_(loop, head, t, outcome, cause, obj);
    return true;
}

/* The same for a primitive's wait list (head: its fl_waitq's first member). */
static inline bool fl_wake_first_(fl_loop *loop, fl_slot *head, int outcome)
{
    return FL_WAKE_FIRST_AS_(loop, head, outcome, FL_READY_WOKEN, head);
}

/* Wake every task on the list at `head`, oldest first. */
static inline void fl_wake_all_(fl_loop *loop, fl_slot *head, int outcome)
{
    while (fl_wake_first_(loop, head, outcome))
        ;
}

#endif /* FL_NEEDS_WAIT_LISTS_ */
#endif /* FLOWNO_CORE_LIST_H */
