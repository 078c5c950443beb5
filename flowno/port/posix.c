/*
 * posix.c - the POSIX port: CLOCK_MONOTONIC for time, select() to idle.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/select.h>
#include <time.h>

#include "../flowno.h"

static fl_time posix_now(fl_port *port)
{
    struct timespec ts;
    (void)port;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (fl_time)((fl_time)ts.tv_sec * FL_TICK_HZ +
                     (fl_time)((uint64_t)ts.tv_nsec * FL_TICK_HZ / 1000000000u));
}

static void posix_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    struct timeval tv;
    (void)port;
    (void)loop;
    tv.tv_sec = (time_t)(ticks / FL_TICK_HZ);
    tv.tv_usec = (suseconds_t)((uint64_t)(ticks % FL_TICK_HZ) * 1000000u / FL_TICK_HZ);
    /* An interrupted wait is an early return, which the loop allows. */
    (void)select(0, NULL, NULL, NULL, forever ? NULL : &tv);
}

static fl_port posix_port = {posix_now, posix_wait, NULL};

fl_port *fl_port_posix(void)
{
    return &posix_port;
}
