/* SPDX-License-Identifier: MIT */
/*
 * flowno_internal.h - what the loop's source files share.  Not installed.
 *
 * Lists are intrusive and hold slot indices, not pointers: a task waits on
 * one thing at a time, so its next/prev bytes serve the ready list and every
 * wait list, and unlinking a cancelled waiter is O(1).
 */
#ifndef FLOWNO_INTERNAL_H
#define FLOWNO_INTERNAL_H

#include "flowno.h"

#define FL_STATE_(t) ((fl_state)((t)->flags & FL_F_STATE_))
#define FL_SET_STATE_(t, s) \
    ((t)->flags = (uint8_t)(((t)->flags & ~FL_F_STATE_) | (uint8_t)(s)))
#define FL_IS_DONE_STATE_(s) ((s) >= FL_TASK_FINISHED)

/* The latch code serves events too. */
#define FL_HAS_LATCH_ (FL_ENABLE_LATCH || FL_ENABLE_EVENT)

/* Whether any feature puts tasks on wait lists. */
#define FL_NEEDS_WAIT_LISTS_                                                   \
    (FL_ENABLE_JOIN || FL_ENABLE_QUEUE || FL_ENABLE_EVENT || FL_ENABLE_LOCK || \
     FL_ENABLE_LATCH || FL_ENABLE_SIGNAL || FL_ENABLE_IO)

/* Call hook `name` if hooks are compiled in and one is attached. */
#if FL_ENABLE_HOOKS
#define FL_HOOK_(loop, name, ...)                                       \
    do {                                                                \
        fl_hooks *fl_h_ = (loop)->hooks;                                \
        if (fl_h_ != NULL && fl_h_->name != NULL)                       \
            fl_h_->name(fl_h_, (loop), __VA_ARGS__);                    \
    } while (0)
#else
#define FL_HOOK_(loop, name, ...) ((void)0)
#endif

/* ---- Misuse ------------------------------------------------------------- */

/* FL_BAD_(cond, err): `cond` says the caller misused the library, and the
 * function is about to answer `err` (FL_MISUSE_(err): it is answering it).  FL_DEBUG builds call the assert
 * hook first (assert.c).  FL_BAD_ARG_ is an argument check (FL_EINVAL),
 * compiled out with FL_ENABLE_ARG_CHECKS 0. */
#if FL_DEBUG
void fl_misuse_(int err, const char *file, int line);
#define FL_BAD_(cond, err) ((cond) && (fl_misuse_((err), __FILE__, __LINE__), 1))
#define FL_MISUSE_(err) (fl_misuse_((err), __FILE__, __LINE__), (err))
#else
#define FL_BAD_(cond, err) (cond)
#define FL_MISUSE_(err) (err)
#endif
#define FL_BAD_ARG_(cond) (FL_ENABLE_ARG_CHECKS && FL_BAD_((cond), FL_EINVAL))

#if FL_DEBUG
#define FL_TASK_MAGIC_ 0x464C6F77u /* "FLow" */
/* Whether `t`, found in `slot` of the table, is still the struct spawned
 * there; if not, the hook hears of it and the loop stops (FL_ECORRUPT). */
bool fl_debug_task_ok_(fl_loop *loop, const fl_task *t, fl_slot slot);
#endif

/* `a` comes before `b`, on a clock that wraps around. */
#define FL_TIME_BEFORE_(a, b) ((fl_time_diff)((a) - (b)) < 0)

static inline fl_task *fl_at_(const fl_loop *loop, fl_slot slot)
{
    return loop->tasks[slot];
}

/* True when `t` is spawned, unfinished, and in this loop's table.  A struct
 * that was never initialised fails the last test, not the loop. */
static inline bool fl_alive_in_(const fl_loop *loop, const fl_task *t)
{
    fl_state s = FL_STATE_(t);
    bool claims = s != FL_TASK_NEW && !FL_IS_DONE_STATE_(s) && t->slot < FL_MAX_TASKS;
#if FL_DEBUG
    /* A struct that says it is alive in a slot that holds another: a
     * copy of a live task, or one moved while alive. */
    (void)FL_BAD_(claims && t->magic == FL_TASK_MAGIC_ && loop->tasks[t->slot] != t, FL_EINVAL);
#endif
    return claims && loop->tasks[t->slot] == t;
}

/* ---- Lists (list.c) ----------------------------------------------------- */

/* The ready list: a FIFO through `next`. */
void fl_ready_push_(fl_loop *loop, fl_task *t);


static inline fl_task *fl_ready_pop_(fl_loop *loop)
{
    fl_task *t = fl_at_(loop, loop->ready_head);
    loop->ready_head = t->next;
    if (loop->ready_head == FL_SLOT_NONE)
        loop->ready_tail = FL_SLOT_NONE;
    return t;
}

/* Wait lists: circular, doubly linked; `*head` is the oldest. */
void fl_list_append_(fl_loop *loop, fl_slot *head, fl_task *t);
void fl_list_remove_(fl_loop *loop, fl_slot *head, fl_task *t);
/* Put `t` on the wait list at `head` in `state`. */
void fl_wait_on_(fl_loop *loop, fl_slot *head, fl_task *t, fl_state state);
/* Wake the oldest task on the list at `head` with `outcome`; false if none. */
bool fl_wake_first_(fl_loop *loop, fl_slot *head, int outcome);
/* Wake every task on the list at `head`, oldest first. */
void fl_wake_all_(fl_loop *loop, fl_slot *head, int outcome);

/* task.c: make waiting task `t` ready with `outcome`, dropping its timer. */
void fl_wake_(fl_loop *loop, fl_task *t, int outcome);

/* ---- Shared between the files ------------------------------------------ */

/* timer.c.  With the scan, a timer is only a due time beside the slot. */
#if FL_TIMER_HEAP
int fl_timer_add_(fl_loop *loop, fl_task *t, fl_time due);
void fl_timer_remove_(fl_loop *loop, fl_task *t);
#else
static inline int fl_timer_add_(fl_loop *loop, fl_task *t, fl_time due)
{
    loop->timer_count++;
    loop->timer_due[t->slot] = due;
    t->timer = t->slot;
    return 0;
}
static inline void fl_timer_remove_(fl_loop *loop, fl_task *t)
{
    loop->timer_count--;
    t->timer = FL_SLOT_NONE;
}
#endif
/* Wake every task whose timer is due at `now`; returns the time from `now`
 * to the next timer, or FL_TIME_FOREVER if none is left. */
fl_time fl_timer_expire_(fl_loop *loop, fl_time now);

/* Flowno's re-queue: `t` (its outcome set) goes behind the ready tasks,
 * those its command just woke among them, and drops a deadline it set for
 * a wait, as this is none.  Returns 1, a command handler's "taken care
 * of".  Inline: it is most of a yield. */
static inline int fl_step_aside_(fl_loop *loop, fl_task *t)
{
#if FL_ENABLE_TIMEOUT
    if (t->timer != FL_SLOT_NONE)
        fl_timer_remove_(loop, t);
#endif
    fl_ready_push_(loop, t);
    return 1;
}

/* task.c */
/* `t` has ended (its result and error bit are set): record its state,
 * free its slot and wake whoever joined it. */
void fl_finish_(fl_loop *loop, fl_task *t);
/* Start `t` waiting for `target` (FL_OP_JOIN / FL_OP_CANCEL_JOIN).  Returns
 * 1 when `t` now waits, or the outcome to resume it with at once. */
int fl_join_(fl_loop *loop, fl_task *t, fl_task *target, bool cancel);

/* The primitives' command handlers: 1 when `t` now waits, else the outcome
 * to resume it with at once. */
int fl_queue_put_(fl_loop *loop, fl_task *t, fl_queue *q, bool reserved);
int fl_queue_get_(fl_loop *loop, fl_task *t, fl_queue *q, int op);
int fl_lock_acquire_(fl_loop *loop, fl_task *t, fl_lock *lock);
int fl_cond_wait_(fl_loop *loop, fl_task *t, fl_cond *cond);
int fl_latch_wait_(fl_loop *loop, fl_task *t, fl_latch *latch);
int fl_signal_wait_(fl_loop *loop, fl_task *t, fl_signal *sig);
/* signal.c: deliver raised signals; true if some task waits on a signal
 * (so something outside the loop may still wake it). */
#if FL_ENABLE_SIGNAL
void fl_signal_deliver_(fl_loop *loop);
bool fl_signal_waited_(const fl_loop *loop);
#else
static inline void fl_signal_deliver_(fl_loop *loop)
{
    FL_ATOMIC_STORE_(loop->signal_pending, 0);
}
static inline bool fl_signal_waited_(const fl_loop *loop)
{
    (void)loop;
    return false;
}
#endif
/* post.c: spawn the posted tasks, oldest first. */
void fl_post_drain_(fl_loop *loop);
/* A NEW task's slot while it sits on the posted list (never a real slot:
 * FL_MAX_TASKS is at most FL_SLOT_NONE - 1). */
#define FL_SLOT_POSTED_ ((fl_slot)(FL_SLOT_NONE - 1))
/* A waiter that a condition has notified and moved onto its lock's list
 * (the bit means FL_F_CANCEL_WAIT_ only while joining). */
#define FL_F_NOTIFIED_ FL_F_CANCEL_WAIT_
/* lock.c, for cond.c: give the lock to its oldest waiter, or free it. */
void fl_lock_pass_(fl_lock *lock);

#endif /* FLOWNO_INTERNAL_H */
