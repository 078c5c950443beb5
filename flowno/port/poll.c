/* SPDX-License-Identifier: MIT */
/*
 * poll.c - the poll() port: fl_port_poll().  As the select() port, but
 * fds up to FL_MAX_FDS - 1, and each wait costs O(watched fds), not
 * O(highest fd): the pollfd array holds the watched fds only, filled from
 * their lists before each poll() (which reads the whole array anyway).
 */
#define _POSIX_C_SOURCE 200809L

#if defined(__unix__) || defined(__APPLE__)

#include <errno.h>
#include <poll.h>

#include "posix_internal.h"

typedef struct poll_port {
    fl_posix posix;
#if FL_ENABLE_IO
    fl_posix_fd fds[FL_MAX_FDS];
    int watched[FL_MAX_FDS];
    struct pollfd pfd[FL_MAX_FDS + 1]; /* [0]: the self-pipe */
#endif
} poll_port;

#if FL_ENABLE_IO
/* pfd[1..] from the lists, dropping fds nobody waits on any more;
 * returns how many entries pfd has, the pipe's included. */
static nfds_t fill(poll_port *pp)
{
    fl_posix *p = &pp->posix;
    int i = 0;
    while (i < p->count) {
        int fd = p->watched[i];
        unsigned waiting = fl_posix_waiting_(&p->fds[fd]);
        if (waiting == 0) {
            fl_posix_unwatch_(p, i); /* the last one moves to i */
            continue;
        }
        pp->pfd[i + 1].fd = fd;
        pp->pfd[i + 1].events = (short)(((waiting & FL_IO_READ) ? POLLIN : 0) |
                                        ((waiting & FL_IO_WRITE) ? POLLOUT : 0));
        i++;
    }
    return (nfds_t)p->count + 1;
}

/* An error or a hang-up wakes both lists: the next call on the fd says
 * what happened.  POLLNVAL: the fd was closed under its waiters. */
static void poll_wake_ready(poll_port *pp, nfds_t n_pfd, int n)
{
    nfds_t i;
    for (i = 1; i < n_pfd && n > 0; i++) {
        short r = pp->pfd[i].revents;
        unsigned ready = 0;
        if (r == 0)
            continue;
        n--;
        if (r & POLLNVAL) {
            fl_posix_ready_(&pp->posix, pp->pfd[i].fd, FL_IO_READ | FL_IO_WRITE, -EBADF);
            continue;
        }
        if (r & (POLLIN | POLLHUP | POLLERR))
            ready |= FL_IO_READ;
        if (r & (POLLOUT | POLLHUP | POLLERR))
            ready |= FL_IO_WRITE;
        fl_posix_ready_(&pp->posix, pp->pfd[i].fd, ready, 0);
    }
}
#endif /* FL_ENABLE_IO */

static void poll_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    poll_port *pp = (poll_port *)port;
#if FL_ENABLE_IO
    struct pollfd *pfd = pp->pfd;
    nfds_t n_pfd = fill(pp);
#else
    struct pollfd pfd[1]; /* the pipe alone */
    nfds_t n_pfd = 1;
#endif
    int n;

    pfd[0].fd = pp->posix.pipe_rd; /* ignored by poll() if -1 */
    pfd[0].events = POLLIN;
    if (fl_loop_signal_pending(loop))
        return; /* raised since the loop looked: don't sleep on it */
    n = poll(pfd, n_pfd, fl_posix_timeout_ms_(ticks, forever));
    if (n > 0 && pfd[0].revents != 0) {
        fl_posix_drain_(&pp->posix);
        n--;
    }
    fl_posix_take_dump_(&pp->posix, loop);
#if FL_ENABLE_IO
    poll_wake_ready(pp, n_pfd, n); /* n < 0 (EINTR): an early return */
#else
    (void)n_pfd;
#endif
}

static poll_port the_poll_port; /* set up at the first call: its wait is set */

fl_port *fl_port_poll(void)
{
    poll_port *pp = &the_poll_port;
    if (pp->posix.port.wait == NULL)
        fl_posix_init_(&pp->posix, poll_wait, FL_POSIX_TABLE_(pp->fds, pp->watched, FL_MAX_FDS));
    return &pp->posix.port;
}

#else
typedef int fl_posix_poll_absent_; /* ISO C wants something in a file */
#endif /* __unix__ || __APPLE__ */
