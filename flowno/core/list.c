/* SPDX-License-Identifier: MIT */
/*
 * list.c - the ready list and the wait lists.
 *
 * Lists hold slot indices, not pointers, and run through the tasks' own
 * next/prev bytes: a task is on one list at a time (ready, or waiting on one
 * thing), and a cancelled waiter leaves its list in O(1).
 */
#include "../flowno_internal.h"

void fl_ready_push_(fl_loop *loop, fl_task *t)
{
    FL_SET_STATE_(t, FL_TASK_READY);
    t->next = FL_SLOT_NONE;
    if (loop->ready_tail == FL_SLOT_NONE)
        loop->ready_head = t->slot;
    else
        fl_at_(loop, loop->ready_tail)->next = t->slot;
    loop->ready_tail = t->slot;
    FL_HOOK_(loop, task_ready, t);
}

#if FL_NEEDS_WAIT_LISTS_

void fl_list_append_(fl_loop *loop, fl_slot *head, fl_task *t)
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

void fl_list_remove_(fl_loop *loop, fl_slot *head, fl_task *t)
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

void fl_wait_on_(fl_loop *loop, fl_slot *head, fl_task *t, fl_state state)
{
    fl_list_append_(loop, head, t);
    t->wait.obj = head;
    FL_SET_STATE_(t, state);
}

bool fl_wake_first_(fl_loop *loop, fl_slot *head, int outcome)
{
    fl_task *t;
    if (*head == FL_SLOT_NONE)
        return false;
    t = fl_at_(loop, *head);
#if FL_DEBUG
    if (!fl_debug_task_ok_(loop, t, *head)) {
        *head = FL_SLOT_NONE; /* its links cannot be followed */
        return false;
    }
#endif
    fl_list_remove_(loop, head, t);
    fl_wake_(loop, t, outcome);
    return true;
}

void fl_wake_all_(fl_loop *loop, fl_slot *head, int outcome)
{
    while (fl_wake_first_(loop, head, outcome))
        ;
}

#endif /* FL_NEEDS_WAIT_LISTS_ */
