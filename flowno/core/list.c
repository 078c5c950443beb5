/* SPDX-License-Identifier: MIT */
/*
 * list.c - the ready list and the wait lists.
 *
 * Lists hold slot indices, not pointers, and run through the tasks' own
 * next/prev bytes: a task is on one list at a time (ready, or waiting on one
 * thing), and a cancelled waiter leaves its list in O(1).
 *
 * The ready list is a circle through `next`, held by its last task: the
 * first, the next to run, is the last one's next.  The task being stepped
 * stays first until its step ends, so that stepping aside (a yield) is one
 * store, the tail moving onto it; a task that starts to wait, sleeps or
 * ends leaves the circle instead (fl_ready_leave_).  Tasks it makes ready
 * meanwhile go in behind the tail, so they run before it.
 */
#include "../flowno_internal.h"

#if defined(__OPTIMIZE_SIZE__) /* else inline, in flowno_internal.h */
FL_INTERNAL_ void fl_ready_push_(fl_loop *loop, fl_task *t)
{
    fl_slot tail = loop->ready_tail;
    FL_SET_STATE_(t, FL_TASK_READY);
    if (tail == FL_SLOT_NONE) {
        t->next = t->slot;
    } else {
        fl_task *last = fl_at_(loop, tail);
        t->next = last->next;
        last->next = t->slot;
    }
    loop->ready_tail = t->slot;
}
#endif

#if FL_STEPPED_STAYS_
FL_INTERNAL_ void fl_ready_leave_(fl_loop *loop, fl_task *t)
{
    fl_task *last = fl_at_(loop, loop->ready_tail);
    if (last == t)
        loop->ready_tail = FL_SLOT_NONE; /* it was alone */
    else
        last->next = t->next;
}
#endif

#if FL_NEEDS_WAIT_LISTS_

FL_INTERNAL_ void fl_list_append_(fl_loop *loop, fl_slot *head, fl_task *t)
{
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
}

FL_INTERNAL_ void fl_list_remove_(fl_loop *loop, fl_slot *head, fl_task *t)
{
    if (t->next == t->slot) {
        *head = FL_SLOT_NONE;
    } else {
        fl_at_(loop, t->prev)->next = t->next;
        fl_at_(loop, t->next)->prev = t->prev;
        if (*head == t->slot)
            *head = t->next;
    }
    t->next = t->prev = FL_SLOT_NONE;
}

FL_INTERNAL_ void fl_wait_on_(fl_loop *loop, fl_slot *head, fl_task *t, fl_state state)
{
    fl_ready_leave_(loop, t);
    fl_wait_again_on_(loop, head, t, state);
}

FL_INTERNAL_ void fl_wait_again_on_(fl_loop *loop, fl_slot *head, fl_task *t, fl_state state)
{
    fl_list_append_(loop, head, t);
    t->wait.obj = head;
    FL_SET_STATE_(t, state);
}

FL_INTERNAL_ bool fl_wake_first_(fl_loop *loop, fl_slot *head, int outcome)
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
    fl_list_remove_(loop, head, t);
    FL_WAKE_(loop, t, outcome, FL_READY_WOKEN, head); /* head: its fl_waitq's first member */
    return true;
}

FL_INTERNAL_ void fl_wake_all_(fl_loop *loop, fl_slot *head, int outcome)
{
    while (fl_wake_first_(loop, head, outcome))
        ;
}

#endif /* FL_NEEDS_WAIT_LISTS_ */
