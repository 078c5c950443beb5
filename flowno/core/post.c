/* SPDX-License-Identifier: MIT */
/*
 * post.c - work handed to the loop from outside it: another thread or an
 * interrupt handler spawns a task with fl_post_spawn.
 *
 * The poster may not touch the task table or the ready list, which the
 * loop may be changing at that moment.  It only links the task into the
 * loop's posted list (through the task's own wait field: no allocation)
 * under the port's lock, and wakes the loop as a raise does
 * (fl_loop_wake_, signal.c); the loop takes the list at its next poll and
 * spawns the tasks in the order they came.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_POST

static void port_lock(fl_port *port)
{
    if (port->lock != NULL)
        port->lock(port);
}

static void port_unlock(fl_port *port)
{
    if (port->unlock != NULL)
        port->unlock(port);
}

/* What fl_post_spawn and fl_loop_hold_ share: a post of `task` (or, with
 * `task` NULL, a hold's change to the count) under the port's lock, then
 * the loop woken to look at it.  Every call wakes it, a refused post too:
 * a look that finds nothing new is harmless, and one path is less code.
 * FL_EBUSY for a task alive or on the list already. */
static FL_SHARED_ int change_locked(fl_loop *loop, fl_task *task, bool hold)
{
    int rc = 0;

    if (FL_BAD_ARG_(loop == NULL || loop->port == NULL))
        return FL_EINVAL;
    port_lock(loop->port);
    if (task == NULL) {
        unsigned holds = loop->holds;
        bool released = !hold && holds > 0;
        FL_ATOMIC_STORE_(loop->holds, holds + hold - released); /* +1, -1, or as it was */
    } else if (fl_taken_(loop, task)) { /* already on the list, or alive */
        rc = FL_EBUSY;
    } else {
        fl_task *newest = loop->posted;
        task->flags = 0;
        FL_SET_STATE_(task, FL_TASK_NEW);
        task->slot = FL_SLOT_POSTED_;
        task->wait.obj = task; /* a circle of one, */
        if (newest != NULL) { /* or in after the newest, which links the oldest */
            task->wait.obj = newest->wait.obj;
            newest->wait.obj = task;
        }
        FL_ATOMIC_STORE_(loop->posted, task);
    }
    port_unlock(loop->port);
    fl_loop_wake_(loop); /* after the link: the loop looks once it sees the flag */
    return rc;
}

int fl_post_spawn(fl_loop *loop, fl_task *task)
{
    int rc;
    if (FL_BAD_ARG_(task == NULL || task->fn == NULL))
        return FL_EINVAL;
    rc = change_locked(loop, task, false);
    if (rc == FL_EBUSY)
        return FL_MISUSE_(rc); /* the assert hook after the unlock: it may post */
    return rc;
}

FL_INTERNAL_ void fl_post_drain_(fl_loop *loop)
{
    fl_task *newest, *t, *next;
    int rc;

    port_lock(loop->port);
    newest = loop->posted; /* not NULL: catch_up looked, and only the loop empties it */
    FL_ATOMIC_STORE_(loop->posted, NULL);
    port_unlock(loop->port);

    next = (fl_task *)newest->wait.obj; /* the oldest */
    do {
        t = next;
        next = (fl_task *)t->wait.obj;
        t->slot = FL_SLOT_NONE;
        rc = fl_spawn(loop, t, NULL);
        if (rc < 0) {
            t->result = rc; /* FL_ENOSPC, the table is full: it fails */
            FL_SET_STATE_(t, FL_TASK_FAILED); /* its flags are clear since the post */
        }
    } while (t != newest);
}

/* fl_loop_hold and fl_loop_release (flowno.h).  The count changes under
 * the port's lock, so threads and interrupts may hold and release at once;
 * the loop reads it without the lock.  A release below zero leaves the
 * count as it is. */
void fl_loop_hold_(fl_loop *loop, bool hold)
{
    (void)change_locked(loop, NULL, hold);
}

#endif /* FL_ENABLE_POST */
