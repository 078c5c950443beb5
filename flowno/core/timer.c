/* SPDX-License-Identifier: MIT */
/*
 * timer.c - when sleepers and deadlines are due.
 *
 * Two layouts, chosen by FL_TIMER_HEAP (config.h):
 *  - a 4-ary min-heap on due time, in two arrays (half the levels of a
 *    binary heap, so half the moves, as Go's timers).  Each sleeper
 *    remembers its heap index (fl_task.timer), so a cancelled sleeper
 *    leaves in O(log n) instead of a scan.  For big task tables.
 *  - the due time beside each task slot, found by a scan of the whole
 *    table at each poll: O(1) to add and drop, O(FL_MAX_TASKS) a poll,
 *    and about 200 bytes less code.  No count of timers is kept: its
 *    upkeep at each add and drop costs more code than the scan it could
 *    cut short.  For the few tasks of a microcontroller.
 * Due times wrap around, so they are compared by difference, never `<`.
 */
#include "../flowno_internal.h"

/* `t`'s timer is due: a sleep ends, a deadline fails its wait. */
static void fire(fl_loop *loop, fl_task *t)
{
    int cause = FL_READY_SLEPT;
    const void *left = NULL;
#if FL_DEBUG
    if (t == NULL || !fl_debug_slot_ok_(loop, t->slot) || fl_at_(loop, t->slot) != t) {
#if FL_TIMER_HEAP
        loop->timer_count = 0; /* the heap cannot be trusted: stop here */
#endif
        return;
    }
#endif
    fl_timer_remove_(loop, t);
#if FL_ENABLE_TIMEOUT
    if (FL_STATE_(t) == FL_TASK_READY) {
        /* Its wait has not begun (or, for a peeker woken to look again,
         * has not ended: the item may be gone by then): step() fails it. */
        t->flags |= FL_F_LATE_;
        return;
    }
#endif
#if FL_ENABLE_TIMEOUT && FL_NEEDS_WAIT_LISTS_
    if (FL_STATE_(t) != FL_TASK_SLEEPING) {
        /* A deadline: fail the wait, and leave the wait list (read
         * first: the outcome takes its place in t->wait). */
        fl_slot *list = (fl_slot *)t->wait.obj;
        left = list;
        t->flags = (uint8_t)(t->flags & ~FL_F_CANCEL_WAIT_);
        t->wait.value = FL_ETIMEDOUT;
        fl_list_remove_(loop, list, t);
        cause = FL_READY_TIMED_OUT;
    }
#endif
    fl_ready_push_(loop, t); /* a sleep's outcome, 0, was set as it began */
    FL_READY_HOOK_(loop, t, cause, left);
    (void)cause;
    (void)left;
}

#if defined(__OPTIMIZE_SIZE__) && FL_TIMER_HEAP
FL_INTERNAL_ void fl_drop_timer_(fl_loop *loop, fl_task *t)
{
    if (t->timer != FL_SLOT_NONE)
        fl_timer_remove_(loop, t);
}
#endif

#if FL_TIMER_HEAP

static void timer_place(fl_loop *loop, fl_slot i, fl_time due, fl_slot slot)
{
    loop->timer_due[i] = due;
    loop->timer_slot[i] = slot;
    fl_at_(loop, slot)->timer = i;
}

/* The earlier of entries `a` and `b`. */
static size_t timer_earlier(const fl_loop *loop, size_t a, size_t b)
{
    return FL_TIME_BEFORE_(loop->timer_due[b], loop->timer_due[a]) ? b : a;
}

/* Put the entry (due, slot) into hole `i`.  The hole first sinks to a
 * leaf, the earliest child moving up into it, then the entry rises from
 * there to where it belongs.  The entry is the new one or the heap's
 * last, which belongs near the leaves: it rises a level or so, where
 * sinking it would compare it too at every level on the way down (Floyd's
 * bottom-up heap).  One routine serves insertion and removal. */
static void timer_fix(fl_loop *loop, fl_slot i, fl_time due, fl_slot slot)
{
    size_t n = loop->timer_count, child;
    /* What the heap holds, and the hole is an entry's place: a tiny
     * FL_MAX_TIMERS then has no four children for the compiler to warn
     * about (-Warray-bounds). */
    FL_ASSUME_(n <= FL_MAX_TIMERS && i < n);
#if !defined(__OPTIMIZE_SIZE__)
    while ((child = 4 * (size_t)i + 1) + 3 < n) { /* four children: in pairs */
        child = timer_earlier(loop, timer_earlier(loop, child, child + 1),
                              timer_earlier(loop, child + 2, child + 3));
        timer_place(loop, i, loop->timer_due[child], loop->timer_slot[child]);
        i = (fl_slot)child;
    }
#endif
    while ((child = 4 * (size_t)i + 1) < n) {
        size_t k, end = n - child < 4 ? n : child + 4;
        for (k = child + 1; k < end; k++)
            child = timer_earlier(loop, child, k);
        timer_place(loop, i, loop->timer_due[child], loop->timer_slot[child]);
        i = (fl_slot)child;
    }
    while (i > 0) {
        fl_slot parent = (fl_slot)((i - 1) / 4);
        if (!FL_TIME_BEFORE_(due, loop->timer_due[parent]))
            break;
        timer_place(loop, i, loop->timer_due[parent], loop->timer_slot[parent]);
        i = parent;
    }
    timer_place(loop, i, due, slot);
}

FL_INTERNAL_ int fl_timer_add_(fl_loop *loop, fl_task *t, fl_time due)
{
    if (loop->timer_count >= FL_MAX_TIMERS)
        return FL_ENOSPC;
    loop->timer_count++;
    timer_fix(loop, (fl_slot)(loop->timer_count - 1), due, t->slot);
    return 0;
}

FL_INTERNAL_ void fl_timer_remove_(fl_loop *loop, fl_task *t)
{
    fl_slot i = t->timer;
    fl_slot last = --loop->timer_count;
    t->timer = FL_SLOT_NONE;
    /* Fill the hole with the last entry, which may belong above or below. */
    if (i != last)
        timer_fix(loop, i, loop->timer_due[last], loop->timer_slot[last]);
}

FL_INTERNAL_ fl_time fl_timer_expire_(fl_loop *loop, fl_time now)
{
    while (loop->timer_count > 0 && !FL_TIME_BEFORE_(now, loop->timer_due[0]))
        fire(loop, fl_at_(loop, loop->timer_slot[0]));
    return loop->timer_count > 0 ? loop->timer_due[0] - now : FL_TIME_FOREVER;
}

#else /* the scan */

FL_INTERNAL_ fl_time fl_timer_expire_(fl_loop *loop, fl_time now)
{
    fl_time next = FL_TIME_FOREVER;
    fl_slot i, unseen = loop->live;

    /* For speed the scan stops after the last task; where size counts
     * (-Os) it looks at every slot: less code. */
    for (i = 0; i < FL_MAX_TASKS && (!FL_FAST_PATHS_ || unseen > 0); i++) {
        fl_task *t = loop->tasks[i];
        if (t == NULL)
            continue;
        unseen--;
        if (t->timer != FL_SLOT_NONE) {
            fl_time left = loop->timer_due[i] - now;
            if ((fl_time_diff)left <= 0)
                fire(loop, t);
            else if (left < next)
                next = left;
        }
    }
    return next;
}

#endif /* FL_TIMER_HEAP */
