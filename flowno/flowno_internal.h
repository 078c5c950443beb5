/* SPDX-License-Identifier: MIT */
/*
 * flowno_internal.h - what the loop's source files share.  Not installed.
 *
 * Lists are intrusive and hold slot indices, not pointers: a task waits on
 * one thing at a time, so its `next` byte serves the ready list and every
 * wait list (core/list.h).
 */
#ifndef FLOWNO_INTERNAL_H
#define FLOWNO_INTERNAL_H

#include "flowno.h"

/* Functions shared between the library's files.  In the one-unit build
 * (make amalgamation: every file in one translation unit, as SQLite ships
 * itself) they are static, so the compiler may inline or drop them: the
 * smallest code.  Unused in some profiles, hence the attribute. */
#if defined(FL_ONE_UNIT_) && defined(__GNUC__)
#define FL_INTERNAL_ static __attribute__((unused))
#elif defined(FL_ONE_UNIT_)
#define FL_INTERNAL_ static
#else
#define FL_INTERNAL_
#endif
/* A function called from several places that the compiler would inline
 * into each: kept out of line where size counts (-Os).  FL_SHARED_STATIC_
 * is the same for a function defined in a header (core/list.h): inline
 * for speed, one copy a file where size counts. */
#if defined(__OPTIMIZE_SIZE__) && defined(__GNUC__)
#define FL_SHARED_ __attribute__((noinline))
#define FL_SHARED_STATIC_ static __attribute__((noinline, unused))
#else
#define FL_SHARED_
#define FL_SHARED_STATIC_ static inline
#endif
/* Fast paths that cost bytes: taken at -O2, left out where size counts. */
#if defined(__OPTIMIZE_SIZE__)
#define FL_FAST_PATHS_ 0
#else
#define FL_FAST_PATHS_ 1
#endif
/* Tells the compiler what an invariant guarantees, so that it drops a
 * test or a warning about a case that cannot come; no code. */
#if defined(__GNUC__)
#define FL_ASSUME_(cond) ((cond) ? (void)0 : __builtin_unreachable())
#else
#define FL_ASSUME_(cond) ((void)0)
#endif
/* A rule of the layout that the code relies on, checked as it builds
 * (C99 has no static_assert): an array of size -1 if `cond` is false, and
 * the compiler's error names `name`. */
#define FL_BUILD_CHECK_(name, cond) typedef char name[(cond) ? 1 : -1]
/* A function in a header that is always inlined: where size counts it has
 * one caller, and GCC would keep it apart (a call more); elsewhere it is
 * the fast path of a command. */
#if defined(__GNUC__)
#define FL_ALWAYS_INLINE_ static inline __attribute__((always_inline))
#else
#define FL_ALWAYS_INLINE_ static inline
#endif

#define FL_STATE_(t) ((fl_state)(t)->state)
#define FL_SET_STATE_(t, s) ((t)->state = (uint8_t)(s))
#define FL_IS_DONE_STATE_(s) ((s) >= FL_TASK_FINISHED)

/* A hint to the lowest free slot, in tables too big to scan from the
 * start at each spawn. */
#define FL_SLOT_HINT_ (FL_MAX_TASKS > 32)

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
/* `t` became ready for `cause` (enum fl_ready_cause), from `obj`. */
#define FL_READY_HOOK_(loop, t, cause, obj) FL_HOOK_(loop, task_ready, t, cause, obj)

/* ---- Misuse ------------------------------------------------------------- */

/* FL_BAD_(cond, err): `cond` says the caller misused the library, and the
 * function is about to answer `err` (FL_MISUSE_(err): it is answering it).  FL_DEBUG builds call the assert
 * hook first (assert.c).  FL_BAD_ARG_ is an argument check (FL_EINVAL),
 * compiled out with FL_ENABLE_ARG_CHECKS 0. */
#if FL_DEBUG
FL_INTERNAL_ void fl_misuse_(int err, const char *file, int line);
#define FL_BAD_(cond, err) ((cond) && (fl_misuse_((err), __FILE__, __LINE__), 1))
#define FL_MISUSE_(err) (fl_misuse_((err), __FILE__, __LINE__), (err))
#else
#define FL_BAD_(cond, err) (cond)
#define FL_MISUSE_(err) (err)
#endif
#define FL_BAD_ARG_(cond) (FL_ENABLE_ARG_CHECKS && FL_BAD_((cond), FL_EINVAL))

#if FL_DEBUG
#define FL_TASK_MAGIC_ 0x464C6F77u /* "FLow" */
/* Whether `slot` (read from a link, perhaps out of a bad struct) holds a
 * task whose struct is still the one spawned there; if not, the hook
 * hears of it and the loop stops (FL_ECORRUPT). */
FL_INTERNAL_ bool fl_debug_slot_ok_(fl_loop *loop, fl_slot slot);
#endif

/* `a` comes before `b`, on a clock that wraps around. */
#define FL_TIME_BEFORE_(a, b) ((fl_time_diff)((a) - (b)) < 0)

static inline fl_task *fl_at_(const fl_loop *loop, fl_slot slot)
{
#if defined(__OPTIMIZE_SIZE__) && defined(__thumb__) && !defined(__thumb2__)
    /* Through a pointer, GCC's Thumb-1 code folds the array's offset into
     * the load: 3 instructions, not 4.  Elsewhere it holds the pointer in
     * one more register (more stack, and slower x86 code). */
    fl_task *const *tasks = loop->tasks;
    return tasks[slot];
#else
    return loop->tasks[slot];
#endif
}

/* True when `t` is spawned, unfinished, and in this loop's table.  Its
 * slot says so without its state: only a spawn puts a task in the table,
 * and its ending takes it out (before any code but a hook, which must not
 * call the loop back, can ask); a new task's slot, FL_SLOT_NONE, and a
 * posted one's are past the table.  A struct that was never initialised
 * fails the last test, not the loop. */
static inline bool fl_alive_in_(const fl_loop *loop, const fl_task *t)
{
    bool claims = t->slot < FL_MAX_TASKS;
#if FL_DEBUG
    /* A struct that says it is alive in a slot that holds another: a
     * copy of a live task, or one moved while alive. */
    (void)FL_BAD_(claims && t->magic == FL_TASK_MAGIC_ && loop->tasks[t->slot] != t, FL_EINVAL);
#endif
    return claims && fl_at_(loop, t->slot) == t;
}

/* ---- Shared between the files ------------------------------------------ */

/* timer.c.  With the scan, a timer is only a due time beside the slot. */
#if FL_TIMER_HEAP
FL_INTERNAL_ int fl_timer_add_(fl_loop *loop, fl_task *t, fl_time due);
FL_INTERNAL_ void fl_timer_remove_(fl_loop *loop, fl_task *t);
#else
/* With the scan, t->timer says whether the due time beside its slot is
 * set (it holds the slot then), and no count is kept: a poll looks at the
 * table's tasks (timer.c).  An add replaces the timer `t` may have (a
 * deadline for its next wait); a remove is one store. */
static inline int fl_timer_add_(fl_loop *loop, fl_task *t, fl_time due)
{
    fl_time *due_of = loop->timer_due; /* as in fl_at_: a shorter store */
    due_of[t->slot] = due;
    t->timer = t->slot;
    return 0;
}
static inline void fl_timer_remove_(fl_loop *loop, fl_task *t)
{
    (void)loop;
    t->timer = FL_SLOT_NONE;
}
#endif
/* Wake every task whose timer is due at `now`; returns the time from `now`
 * to the next timer, or FL_TIME_FOREVER if none is left. */
FL_INTERNAL_ fl_time fl_timer_expire_(fl_loop *loop, fl_time now);

/* Drop `t`'s timer if it has one (a deadline its wait did not use).  With
 * the scan, the same store whether or not it has one.  The heap's is out
 * of line where size counts (-Os): it is called from many places. */
#if !FL_TIMER_HEAP
#define fl_drop_timer_(loop, t) fl_timer_remove_(loop, t)
#elif defined(__OPTIMIZE_SIZE__)
FL_INTERNAL_ void fl_drop_timer_(fl_loop *loop, fl_task *t);
#else
static inline void fl_drop_timer_(fl_loop *loop, fl_task *t)
{
    if (t->timer != FL_SLOT_NONE)
        fl_timer_remove_(loop, t);
}
#endif

/* ---- Lists (core/list.h) ------------------------------------------------ */

#include "core/list.h"

/* Flowno's re-queue: `t` (its outcome set) goes behind the ready tasks,
 * those its command just woke among them.  A command that is no wait
 * (FL_SPAWN, FL_EVENT_SET, ...) keeps a deadline set for the next wait.
 * Returns 1, a command handler's "taken care of".  Inline: it is most of
 * a yield. */
static inline int fl_step_behind_(fl_loop *loop, fl_task *t)
{
#if FL_STEPPED_STAYS_
    loop->ready_tail = t->slot; /* first in the circle, it becomes the last */
#else
    fl_ready_push_(loop, t);
#endif
    FL_READY_HOOK_(loop, t, FL_READY_STEPPED_ASIDE, NULL);
    return 1;
}
/* The same for a wait that ends at once (a join of an ended task, a free
 * lock, an open latch) and a yield: that drops the deadline. */
static inline int fl_step_aside_(fl_loop *loop, fl_task *t)
{
#if FL_ENABLE_TIMEOUT
    fl_drop_timer_(loop, t);
#endif
    return fl_step_behind_(loop, t);
}

/* task.c; what step() runs of it in line is in core/task.h, below. */
/* Start `t` waiting for `target` (FL_OP_JOIN / FL_OP_CANCEL_JOIN).  Returns
 * 1 when `t` now waits, FL_ASIDE_ when the target has ended (the outcome
 * is set: step() steps the joiner aside, as Flowno re-queues it), or the
 * outcome to resume it with at once. */
#define FL_ASIDE_ 2
#if FL_ENABLE_JOIN
FL_INTERNAL_ int fl_join_(fl_loop *loop, fl_task *t, fl_task *target, bool cancel);
#endif

/* ---- Queues (queue.c, set_queue.c, map_queue.c) ------------------------ */

/* The library includes no libc header, so that it builds freestanding.
 * GCC and Clang inline their builtin for small copies (a libc memcpy where
 * they call one); other compilers get the plain loop. */
#if defined(__GNUC__)
#define fl_copy_(dst, src, n) ((void)__builtin_memcpy((dst), (src), (n)))
#else
static inline void fl_copy_(void *dst, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n-- > 0)
        *d++ = *s++;
}
#endif

/* Item `i` of the queue, counted from the oldest. */
static inline unsigned char *fl_queue_slot_(const fl_queue *q, unsigned i)
{
    unsigned at = q->head + i;
    if (at >= q->capacity)
        at -= q->capacity;
    return q->items + (size_t)at * q->item_size;
}

/* fl_queue.mode: a put into a set or map queue first looks for its item
 * (its key) among those queued. */
#define FL_HAS_KEYED_QUEUE_ (FL_ENABLE_SET_QUEUE || FL_ENABLE_MAP_QUEUE)
/* set_queue.c: fl_queue_find_ (flowno.h, for fl_queue_contains) gives the
 * queued item whose key equals `key`, or NULL.  An all-zero queue holds
 * nothing, so it needs no test. */
#if FL_ENABLE_MAP_QUEUE
/* map_queue.c: a put of `entry` into a map queue, where `twin` is the
 * entry queued with its key, or NULL: FL_QUEUE_PRESENT when its values
 * were added to twin, FL_EAGAIN when it is to take a place (a new key),
 * or an error. */
FL_INTERNAL_ int fl_map_merge_(fl_queue *q, unsigned char *twin, const void *entry);
#endif

/* The primitives' command handlers: 1 when `t` now waits, else the outcome
 * to resume it with at once. */
#if FL_ENABLE_QUEUE
FL_INTERNAL_ int fl_queue_op_(fl_loop *loop, fl_task *t, fl_queue *q, int op);
#endif
#if FL_ENABLE_LOCK
FL_INTERNAL_ int fl_lock_acquire_(fl_loop *loop, fl_task *t, fl_lock *lock);
#endif
#if FL_ENABLE_COND
FL_INTERNAL_ int fl_cond_wait_(fl_loop *loop, fl_task *t, fl_cond *cond);
#endif
#if FL_HAS_LATCH_
FL_INTERNAL_ int fl_latch_wait_(fl_loop *loop, fl_task *t, fl_latch *latch);
#endif
#if FL_ENABLE_SIGNAL
FL_INTERNAL_ int fl_signal_wait_(fl_loop *loop, fl_task *t, fl_signal *sig);
#endif
/* signal.c: deliver raised signals; true if some task waits on a signal
 * (so something outside the loop may still wake it). */
#if FL_ENABLE_SIGNAL
FL_INTERNAL_ void fl_signal_deliver_(fl_loop *loop);
FL_INTERNAL_ bool fl_signal_waited_(const fl_loop *loop);
/* signal.c: a raise or a post is pending: the loop looks again at its
 * next poll, woken through the port.  Safe from interrupts and threads. */
FL_INTERNAL_ void fl_loop_wake_(fl_loop *loop);
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
/* post.c: spawn the posted tasks, oldest first (there is one at least). */
#if FL_ENABLE_POST
FL_INTERNAL_ void fl_post_drain_(fl_loop *loop);
#endif
/* A NEW task's slot while it sits on the posted list (never a real slot:
 * FL_MAX_TASKS is at most FL_SLOT_NONE - 1). */
#define FL_SLOT_POSTED_ ((fl_slot)(FL_SLOT_NONE - 1))
/* `task` is alive in this loop, or new on its posted list (the loop
 * spawns it soon): a spawn or a post of it is FL_EBUSY.  No other task
 * has the posted list's slot: fl_task_init gives FL_SLOT_NONE, a spawn
 * the task's index. */
static inline bool fl_taken_(const fl_loop *loop, const fl_task *task)
{
    return (FL_ENABLE_POST && task->slot == FL_SLOT_POSTED_) || fl_alive_in_(loop, task);
}
/* A waiter that a condition has notified and moved onto its lock's list
 * (the bit means FL_F_CANCEL_WAIT_ only while joining). */
#define FL_F_NOTIFIED_ FL_F_CANCEL_WAIT_
/* A ready task whose deadline passed before its wait began (it stepped
 * aside after FL_SPAWN, say, or is a peeker woken to look again): its
 * next wait fails at once with FL_ETIMEDOUT.  The bit is clear on every
 * ready task otherwise (a wake clears it). */
#define FL_F_LATE_ FL_F_CANCEL_WAIT_

/* ---- A task's life, in line (core/task.h) ----------------------------- */

#include "core/task.h"

#endif /* FLOWNO_INTERNAL_H */
