/* SPDX-License-Identifier: MIT */
/*
 * event.c - a one-shot event: once set, it stays set.  It is a latch
 * counting down from one; only the wait kind differs, for fl_loop_dump.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_EVENT

int fl_event_init(fl_event *ev, fl_loop *loop)
{
    int rc = fl_latch_init((fl_latch *)ev, loop, 1);
    if (rc == 0)
        ev->latch.waiters.kind = FL_WAIT_EVENT;
    return rc;
}

int fl_event_set(fl_event *ev)
{
    return fl_latch_count_down((fl_latch *)ev, false);
}

bool fl_event_is_set(const fl_event *ev)
{
    return ev != NULL && ev->latch.loop != NULL && ev->latch.count == 0;
}

#endif /* FL_ENABLE_EVENT */
