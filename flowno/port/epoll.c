/* SPDX-License-Identifier: MIT */
/*
 * epoll.c - the Linux epoll port: fl_port_epoll().  A wait costs what the
 * ready fds cost, not what the watched ones do.
 *
 * The kernel keeps each fd's interest between waits (level-triggered), so
 * a task that waits on the same socket again and again, as a connection's
 * task does, costs no system call a wait.  Interest is dropped lazily: an
 * fd the kernel reports while nobody waits for it is noted, and dropped
 * before the next wait that may sleep if still nobody does.  Not at once:
 * a task woken by an earlier report may not have had its turn yet (the
 * loop looks at the fds once a pass), and it will be back.
 *
 * A close() the port cannot see, and the kernel may give the number to
 * another file at once.  So a registration is trusted only when the
 * socket layer waits (fl_posix_layer_waits_) on a file it opened itself
 * or was given by fl_sock_nonblock (fl_posix_fd_news_: that also clears
 * what the port knew of the number); any other wait, an application's
 * FL_IO_WAIT say, asks the kernel again (EPOLL_CTL_MOD, then ADD if the
 * number now names a new file).  fl_sock_close drops the registration
 * before it closes.
 */
#define _POSIX_C_SOURCE 200809L

#if defined(__linux__)

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "posix_internal.h"

#define EVENTS_A_WAIT 1024 /* as libuv */
/* An event's data: the fd, and in the high half the generation of the
 * registration (as libev), so that one the table has lost track of can
 * be told from the fd's own. */
#define PIPE_FD 0xFFFFFFFFu
#define TAG(fd, gen) ((uint64_t)(uint32_t)(fd) | (uint64_t)(gen) << 32)

typedef struct epoll_port {
    fl_posix posix;
    int epfd;
#if FL_ENABLE_IO
    int high; /* no fd above it was ever watched */
    uint32_t gens; /* the last generation given out */
    fl_posix_fd fds[FL_MAX_FDS];
    int watched[FL_MAX_FDS];
    int idle[FL_MAX_FDS]; /* reported with nobody waiting: [n_idle] */
    int n_idle;
#endif
    struct epoll_event events[EVENTS_A_WAIT];
} epoll_port;

static int add_pipe(epoll_port *ep)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = TAG(PIPE_FD, 0);
    return ep->posix.pipe_rd < 0 ? 0 : epoll_ctl(ep->epfd, EPOLL_CTL_ADD, ep->posix.pipe_rd, &ev);
}

#if FL_ENABLE_IO
static uint32_t kernel_events(unsigned io)
{
    return ((io & FL_IO_READ) ? (uint32_t)EPOLLIN : 0u) |
           ((io & FL_IO_WRITE) ? (uint32_t)EPOLLOUT : 0u);
}

/* Have the kernel watch fd for `want` (FL_IO_ bits; 0: not at all).
 * 0 or -errno.  What the table believed may be out of date: the number
 * was closed and reused (MOD says ENOENT), or was registered behind its
 * back (ADD says EEXIST); one retry puts it right. */
static int tell_kernel(epoll_port *ep, int fd, fl_posix_fd *e, unsigned want)
{
    struct epoll_event ev;
    int op = want == 0 ? EPOLL_CTL_DEL : e->kernel != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int rc;

    memset(&ev, 0, sizeof ev);
    ev.events = kernel_events(want);
    if (op == EPOLL_CTL_ADD)
        e->gen = ++ep->gens;
    ev.data.u64 = TAG(fd, e->gen);
    rc = epoll_ctl(ep->epfd, op, fd, &ev);
    if (rc != 0 && errno == ENOENT && op == EPOLL_CTL_MOD) {
        e->gen = ++ep->gens; /* a new file: a new registration */
        ev.data.u64 = TAG(fd, e->gen);
        rc = epoll_ctl(ep->epfd, EPOLL_CTL_ADD, fd, &ev);
    } else if (rc != 0 && errno == EEXIST) {
        rc = epoll_ctl(ep->epfd, EPOLL_CTL_MOD, fd, &ev);
    }
    if (rc != 0 && op == EPOLL_CTL_DEL)
        rc = 0; /* ENOENT, EBADF: gone already */
    if (rc != 0) {
        rc = -errno;
        e->kernel = 0; /* EBADF: the kernel dropped it with the file */
        return rc;
    }
    e->kernel = (uint8_t)want;
    return 0;
}

static int epoll_watch(fl_port *port, fl_loop *loop, fl_task *t, int fd, unsigned events)
{
    epoll_port *ep = (epoll_port *)port;
    fl_posix_fd *e;
    bool trusted;
    if (events != FL_IO_READ && events != FL_IO_WRITE)
        return FL_EINVAL;
    if ((e = fl_posix_entry_(&ep->posix, loop, fd)) == NULL)
        return FL_ERANGE;
    if (fd > ep->high)
        ep->high = fd;
    trusted = e->known && e->layer_wait;
    e->layer_wait = 0;
    if (!(trusted && (e->kernel & events))) {
        int rc = tell_kernel(ep, fd, e, e->kernel | events);
        if (rc == -EPERM)
            return 0; /* a regular file: always ready, as select() says */
        if (rc < 0)
            return rc;
    }
    return fl_posix_wait_on_(&ep->posix, t, e, events);
}

/* The socket layer's news of fd: it is about to be closed, or names a
 * file the layer has just opened (or made non-blocking).  Either way what
 * the table knew of the number goes: the DEL removes the registration if
 * it is this file's (a close, or fl_sock_nonblock on a socket in use),
 * and fails harmlessly if it was an old file's, closed since.  Closing
 * first matters when a dup of the file lives on: close() alone would
 * leave it registered. */
static void epoll_fd_news(fl_posix *p, int fd, bool opened)
{
    epoll_port *ep = (epoll_port *)p;
    fl_posix_fd *e = &ep->fds[fd];
    /* Tasks that wait on it now (fl_sock_nonblock on a socket in use) keep
     * their interest; a closing fd's waiters have been woken. */
    unsigned keep = opened && e->pos != 0 ? fl_posix_waiting_(e) : 0u;
    if (e->kernel != 0 || keep != 0)
        (void)tell_kernel(ep, fd, e, keep);
    e->known = opened;
    e->layer_wait = 0;
}

/* An event from a registration the table has lost: a file closed while
 * a dup of it lives on (fork, dup) stays in the kernel's set under its old
 * number, and nothing else removes it.  Start a new set. */
static void rebuild(epoll_port *ep)
{
    int fd, i, fresh = epoll_create1(EPOLL_CLOEXEC);
    if (fresh < 0)
        return; /* out of fds: keep the old set, try again next time */
    close(ep->epfd);
    ep->epfd = fresh;
    (void)add_pipe(ep);
    for (fd = 0; fd <= ep->high; fd++)
        ep->fds[fd].kernel = ep->fds[fd].idle = 0;
    ep->n_idle = 0;
    for (i = 0; i < ep->posix.count; i++) {
        fl_posix_fd *e = &ep->fds[ep->posix.watched[i]];
        if (fl_posix_waiting_(e) != 0 &&
            tell_kernel(ep, ep->posix.watched[i], e, fl_posix_waiting_(e)) < 0)
            fl_posix_ready_(&ep->posix, ep->posix.watched[i], FL_IO_READ | FL_IO_WRITE, -EBADF);
    }
}

/* Before a wait that may sleep: every task woken has had its turn, so
 * the directions still nobody waits for are dropped from the kernel. */
static void drop_idle(epoll_port *ep)
{
    while (ep->n_idle > 0) {
        int fd = ep->idle[--ep->n_idle];
        fl_posix_fd *e = &ep->fds[fd];
        e->idle = 0;
        if (e->kernel & ~fl_posix_waiting_(e))
            (void)tell_kernel(ep, fd, e, e->kernel & fl_posix_waiting_(e));
    }
}

/* The kernel says fd is ready for `got`.  Wake its waiters; note it if
 * nobody waits for what came.  An error or hang-up wakes both lists: the
 * next call on the fd says what happened.  False if the event was not
 * the table's and the set was rebuilt: the rest of the batch is stale. */
static bool fd_ready(epoll_port *ep, int fd, uint32_t gen, uint32_t got)
{
    fl_posix_fd *e = &ep->fds[fd];
    unsigned ready = 0, waiting, idle;
    if (e->kernel == 0 || gen != e->gen ||
        (got & (EPOLLIN | EPOLLOUT) & ~kernel_events(e->kernel)) != 0) {
        rebuild(ep);
        return false;
    }
    if (got & (EPOLLIN | EPOLLHUP | EPOLLERR))
        ready |= FL_IO_READ;
    if (got & (EPOLLOUT | EPOLLHUP | EPOLLERR))
        ready |= FL_IO_WRITE;
    ready &= e->kernel;
    waiting = fl_posix_waiting_(e);
    idle = ready & ~waiting;
    if (ready & waiting)
        fl_posix_ready_(&ep->posix, fd, ready & waiting, 0);
    if (idle != 0 && !e->idle) {
        e->idle = 1;
        ep->idle[ep->n_idle++] = fd;
    }
    return true;
}
#endif /* FL_ENABLE_IO */

static void epoll_wait_(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    epoll_port *ep = (epoll_port *)port;
    int n, i;

    if (fl_loop_signal_pending(loop))
        return; /* raised since the loop looked: don't sleep on it */
#if FL_ENABLE_IO
    if (ticks != 0 || forever)
        drop_idle(ep);
#endif
    n = epoll_wait(ep->epfd, ep->events, EVENTS_A_WAIT, fl_posix_timeout_ms_(ticks, forever));
    for (i = 0; i < n; i++) {
        uint32_t fd = (uint32_t)ep->events[i].data.u64;
        if (fd == PIPE_FD)
            fl_posix_drain_(&ep->posix);
#if FL_ENABLE_IO
        else if (fd < (uint32_t)FL_MAX_FDS &&
                 !fd_ready(ep, (int)fd, (uint32_t)(ep->events[i].data.u64 >> 32),
                           ep->events[i].events))
            break;
#endif
    }
    fl_posix_take_dump_(&ep->posix, loop); /* n < 0 (EINTR): an early return */
}

static epoll_port the_epoll_port; /* set up at the first call: its wait is set */

fl_port *fl_port_epoll(void)
{
    epoll_port *ep = &the_epoll_port;
    if (ep->posix.port.wait == NULL) {
        ep->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (ep->epfd < 0)
            return NULL;
        fl_posix_init_(&ep->posix, epoll_wait_, FL_POSIX_TABLE_(ep->fds, ep->watched, FL_MAX_FDS));
#if FL_ENABLE_IO
        ep->posix.port.watch = epoll_watch;
        ep->posix.fd_news = epoll_fd_news;
        ep->high = -1;
#endif
        if (add_pipe(ep) != 0) {
            close(ep->posix.pipe_rd);
            close(ep->posix.pipe_wr);
            ep->posix.pipe_rd = ep->posix.pipe_wr = -1; /* wake-ups wait for the timeout */
        }
    }
    return &ep->posix.port;
}

#else
typedef int fl_posix_epoll_absent_; /* ISO C wants something in a file */
#endif /* __linux__ */
