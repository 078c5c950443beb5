/* SPDX-License-Identifier: MIT */
/*
 * manual.c - the port for an application that drives the loop itself: from
 * its own super-loop, an RTOS task, or a test.  The application supplies
 * the clock; it calls fl_loop_poll() and sleeps (or blocks on its RTOS) for
 * as long as *next_wait says, so wait() has nothing to do.
 */
#include "../flowno.h"

static fl_time manual_now(fl_port *port)
{
    fl_manual_port *p = (fl_manual_port *)port;
    return p->clock(p->ctx);
}

/* fl_run_until_complete calls this when idle: return at once, the caller
 * of the loop owns the sleeping. */
static void manual_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    (void)port;
    (void)loop;
    (void)ticks;
    (void)forever;
}

fl_port *fl_manual_port_init(fl_manual_port *p, fl_time (*clock)(void *ctx), void *ctx)
{
    if (p == NULL || clock == NULL)
        return NULL;
    /* Every hook not named is NULL: no wake, no I/O, no post lock. */
    p->port = (fl_port){.now = manual_now, .wait = manual_wait};
    p->clock = clock;
    p->ctx = ctx;
    return &p->port;
}
