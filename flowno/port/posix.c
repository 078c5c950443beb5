/* SPDX-License-Identifier: MIT */
/*
 * posix.c - the select() port, the portable default: fl_port_posix().
 * CLOCK_MONOTONIC for time, select() to wait for timers and fds, a
 * self-pipe for wake-ups from elsewhere (posix_common.c).
 *
 * The fd_sets are filled from the watched fds before each select() and
 * read back after it: O(watched fds), as select() itself is O(highest
 * fd).  fds at or above FD_SETSIZE are refused (FL_ERANGE): FD_SET on
 * them would write past the fd_set.
 */
#define _POSIX_C_SOURCE 200809L

#if defined(__unix__) || defined(__APPLE__)

#include <errno.h>
#include <fcntl.h>
#include <sys/select.h>

#include "posix_internal.h"

typedef struct select_port {
    fl_posix posix;
#if FL_ENABLE_IO
    fl_posix_fd fds[FD_SETSIZE];
    int watched[FD_SETSIZE];
#endif
} select_port;

#if FL_ENABLE_IO /* without it, the port waits for time and wake-ups only */
/* Fill the sets from the lists, dropping fds nobody waits on any more;
 * returns the highest fd in them, or -1. */
static int fill_sets(fl_posix *p, fd_set *rd, fd_set *wr)
{
    int top = -1, i = 0;
    while (i < p->count) {
        int fd = p->watched[i];
        unsigned waiting = fl_posix_waiting_(&p->fds[fd]);
        if (waiting == 0) {
            fl_posix_unwatch_(p, i); /* the last one moves to i */
            continue;
        }
        if (waiting & FL_IO_READ)
            FD_SET(fd, rd);
        if (waiting & FL_IO_WRITE)
            FD_SET(fd, wr);
        if (fd > top)
            top = fd;
        i++;
    }
    return top;
}

/* select() said EBADF: fail the waiters of every fd that is gone. */
static void fail_closed_fds(fl_posix *p)
{
    int i;
    for (i = 0; i < p->count; i++)
        if (fcntl(p->watched[i], F_GETFD) < 0)
            fl_posix_ready_(p, p->watched[i], FL_IO_READ | FL_IO_WRITE, -EBADF);
}

static void select_wake_ready(fl_posix *p, fd_set *rd, fd_set *wr, int n)
{
    int i;
    for (i = 0; i < p->count && n > 0; i++) {
        int fd = p->watched[i];
        unsigned ready = (FD_ISSET(fd, rd) ? FL_IO_READ : 0u) |
                         (FD_ISSET(fd, wr) ? FL_IO_WRITE : 0u);
        if (ready != 0) {
            n--;
            fl_posix_ready_(p, fd, ready, 0);
        }
    }
}
#endif /* FL_ENABLE_IO */

static void select_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    fl_posix *p = (fl_posix *)port;
    struct timeval tv;
    fd_set rd, wr;
    int top = -1, n;

    tv.tv_sec = (time_t)(ticks / FL_TICK_HZ);
    tv.tv_usec = (suseconds_t)((uint64_t)(ticks % FL_TICK_HZ) * 1000000u / FL_TICK_HZ);
    FD_ZERO(&rd);
    FD_ZERO(&wr);
#if FL_ENABLE_IO
    top = fill_sets(p, &rd, &wr);
#endif
    if (p->pipe_rd >= 0) {
        FD_SET(p->pipe_rd, &rd);
        if (p->pipe_rd > top)
            top = p->pipe_rd;
    }
    if (fl_loop_signal_pending(loop))
        return; /* raised since the loop looked: don't sleep on it */
    n = select(top + 1, &rd, &wr, NULL, forever ? NULL : &tv);
    if (n < 0) {
        /* EINTR is an early return, which the loop allows. */
#if FL_ENABLE_IO
        if (errno == EBADF)
            fail_closed_fds(p);
#endif
        fl_posix_take_dump_(p, loop); /* the signal may have ended select() */
        return;
    }
    if (p->pipe_rd >= 0 && FD_ISSET(p->pipe_rd, &rd)) {
        fl_posix_drain_(p);
        n--;
    }
    fl_posix_take_dump_(p, loop);
#if FL_ENABLE_IO
    select_wake_ready(p, &rd, &wr, n);
#endif
}

static select_port the_select_port; /* set up at the first call: its wait is set */

fl_port *fl_port_posix(void)
{
    select_port *s = &the_select_port;
    if (s->posix.port.wait == NULL)
        fl_posix_init_(&s->posix, select_wait, FL_POSIX_TABLE_(s->fds, s->watched, FD_SETSIZE));
    return &s->posix.port;
}

#else
typedef int fl_posix_select_absent_; /* ISO C wants something in a file */
#endif /* __unix__ || __APPLE__ */
