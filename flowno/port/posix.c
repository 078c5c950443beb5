/* SPDX-License-Identifier: MIT */
/*
 * posix.c - the POSIX port: CLOCK_MONOTONIC for time, select() to wait for
 * timers and file descriptors, a self-pipe for wake-ups from elsewhere.
 *
 * Tasks waiting on an fd sit on that fd's wait list (one for readers, one
 * for writers), like waiters on a queue, so a task cancelled or timed out
 * while waiting leaves the list through the loop's ordinary path and the
 * port needs no bookkeeping of its own.  The fd_sets are rebuilt from the
 * lists before each select(): O(highest fd), as select() itself is.
 */
#define _POSIX_C_SOURCE 200809L

#include "../flowno.h"

/* Elsewhere (a bare-metal target) this file compiles to nothing, so that a
 * build of every file under flowno/ works for any target. */
#if defined(__unix__) || defined(__APPLE__)

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

typedef struct posix_port {
    fl_port port;
    int pipe_rd, pipe_wr; /* the self-pipe, -1 if it could not be made */
    int max_fd;           /* no list above it is in use */
    pthread_mutex_t post_lock; /* for fl_post_spawn from other threads */
#if FL_ENABLE_IO
    fl_waitq readers[FD_SETSIZE];
    fl_waitq writers[FD_SETSIZE];
#endif
} posix_port;

static fl_time posix_now(fl_port *port)
{
    struct timespec ts;
    (void)port;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (fl_time)((fl_time)ts.tv_sec * FL_TICK_HZ +
                     (fl_time)((uint64_t)ts.tv_nsec * FL_TICK_HZ / 1000000000u));
}

#if FL_ENABLE_IO /* without it, the port waits for time and wake-ups only */
static int posix_watch(fl_port *port, fl_loop *loop, fl_task *t, int fd, unsigned events)
{
    posix_port *p = (posix_port *)port;
    if (fd < 0 || fd >= FD_SETSIZE)
        return FL_ERANGE;
    if (events != FL_IO_READ && events != FL_IO_WRITE)
        return FL_EINVAL;
    if (fcntl(fd, F_GETFD) < 0)
        return -errno; /* closed or never opened: -EBADF */
    fl_port_wait_on(loop, t, events == FL_IO_READ ? &p->readers[fd] : &p->writers[fd]);
    if (fd > p->max_fd)
        p->max_fd = fd;
    return 1;
}

static int posix_fd_of(fl_port *port, const fl_waitq *list)
{
    posix_port *p = (posix_port *)port;
    if (list >= p->readers && list < p->readers + FD_SETSIZE)
        return (int)(list - p->readers);
    if (list >= p->writers && list < p->writers + FD_SETSIZE)
        return (int)(list - p->writers);
    return -1;
}

static bool posix_watching(fl_port *port)
{
    posix_port *p = (posix_port *)port;
    int fd;
    for (fd = 0; fd <= p->max_fd; fd++)
        if (p->readers[fd].head != FL_SLOT_NONE || p->writers[fd].head != FL_SLOT_NONE)
            return true;
    return false;
}

/* select() said EBADF: fail the waiters of every fd that is gone. */
static void fail_closed_fds(posix_port *p, fl_loop *loop)
{
    int fd;
    for (fd = 0; fd <= p->max_fd; fd++) {
        if (fcntl(fd, F_GETFD) >= 0)
            continue;
        fl_port_wake_all(loop, &p->readers[fd], -EBADF);
        fl_port_wake_all(loop, &p->writers[fd], -EBADF);
    }
}
#endif /* FL_ENABLE_IO */

/* Fill the sets from the lists; returns the highest fd in them, or -1. */
static int fill_sets(posix_port *p, fd_set *rd, fd_set *wr)
{
    int top = -1;
    FD_ZERO(rd);
    FD_ZERO(wr);
#if FL_ENABLE_IO
    for (int fd = 0; fd <= p->max_fd; fd++) {
        if (p->readers[fd].head != FL_SLOT_NONE) {
            FD_SET(fd, rd);
            top = fd;
        }
        if (p->writers[fd].head != FL_SLOT_NONE) {
            FD_SET(fd, wr);
            top = fd;
        }
    }
    p->max_fd = top; /* shrink past lists emptied by cancels */
#endif
    if (p->pipe_rd >= 0) {
        FD_SET(p->pipe_rd, rd);
        if (p->pipe_rd > top)
            top = p->pipe_rd;
    }
    return top;
}

#if FL_ENABLE_DUMP
/* fl_port_posix_dump_on_signal: the handler only raises this flag and
 * wakes select(); the dump is printed from the loop's own thread. */
static volatile sig_atomic_t dump_requested;
static void (*dump_print)(void *ctx, const char *line);
static void *dump_ctx;

static void print_to_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

static void take_dump_request(fl_loop *loop)
{
    if (dump_requested) {
        dump_requested = 0;
        fl_loop_dump(loop, dump_print != NULL ? dump_print : print_to_stderr, dump_ctx);
    }
}
#else
#define take_dump_request(loop) ((void)0)
#endif

static void posix_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    posix_port *p = (posix_port *)port;
    struct timeval tv;
    fd_set rd, wr;
    int top, n;

    tv.tv_sec = (time_t)(ticks / FL_TICK_HZ);
    tv.tv_usec = (suseconds_t)((uint64_t)(ticks % FL_TICK_HZ) * 1000000u / FL_TICK_HZ);
    top = fill_sets(p, &rd, &wr);
    if (fl_loop_signal_pending(loop))
        return; /* raised since the loop looked: don't sleep on it */
    n = select(top + 1, &rd, &wr, NULL, forever ? NULL : &tv);
    if (n < 0) {
        take_dump_request(loop); /* the signal may have ended select() itself */
        /* EINTR is an early return, which the loop allows. */
#if FL_ENABLE_IO
        if (errno == EBADF)
            fail_closed_fds(p, loop);
#endif
        return;
    }
    if (p->pipe_rd >= 0 && FD_ISSET(p->pipe_rd, &rd)) {
        char drain[64];
        while (read(p->pipe_rd, drain, sizeof drain) > 0)
            ;
    }
    take_dump_request(loop);
#if FL_ENABLE_IO
    for (int fd = 0; fd <= p->max_fd && n > 0; fd++) {
        if (FD_ISSET(fd, &rd))
            fl_port_io_ready(loop, &p->readers[fd], fd, FL_IO_READ);
        if (FD_ISSET(fd, &wr))
            fl_port_io_ready(loop, &p->writers[fd], fd, FL_IO_WRITE);
    }
#endif
}

/* Async-signal-safe: one write() of one byte to a non-blocking pipe. */
static void posix_wake(fl_port *port)
{
    posix_port *p = (posix_port *)port;
    int saved = errno;
    if (p->pipe_wr >= 0)
        (void)!write(p->pipe_wr, "", 1);
    errno = saved;
}

static void posix_lock(fl_port *port)
{
    (void)pthread_mutex_lock(&((posix_port *)port)->post_lock);
}

static void posix_unlock(fl_port *port)
{
    (void)pthread_mutex_unlock(&((posix_port *)port)->post_lock);
}

static int make_pipe(posix_port *p)
{
    int fds[2], i;
    if (pipe(fds) != 0)
        return -errno;
    for (i = 0; i < 2; i++) {
        int fl = fcntl(fds[i], F_GETFL);
        if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
            fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
            close(fds[0]);
            close(fds[1]);
            return FL_EINVAL;
        }
    }
    p->pipe_rd = fds[0];
    p->pipe_wr = fds[1];
    return 0;
}

static posix_port default_port;
static bool default_ready;

fl_port *fl_port_posix(void)
{
    posix_port *p = &default_port;
    if (!default_ready) {
        p->port.now = posix_now;
        p->port.wait = posix_wait;
        p->port.wake = posix_wake;
        p->port.lock = posix_lock;
        p->port.unlock = posix_unlock;
        (void)pthread_mutex_init(&p->post_lock, NULL);
        p->max_fd = -1;
#if FL_ENABLE_IO
        p->port.watch = posix_watch;
        p->port.watching = posix_watching;
        p->port.fd_of = posix_fd_of;
        for (int fd = 0; fd < FD_SETSIZE; fd++) {
            fl_waitq_init(&p->readers[fd], FL_WAIT_IO_READ);
            fl_waitq_init(&p->writers[fd], FL_WAIT_IO_WRITE);
        }
#endif
        p->pipe_rd = p->pipe_wr = -1;
        (void)make_pipe(p); /* without it, wake-ups wait for the timeout */
        default_ready = true;
    }
    return &p->port;
}

#if FL_ENABLE_DUMP
static void dump_signal_handler(int signo)
{
    (void)signo;
    dump_requested = 1;
    posix_wake(&default_port.port); /* async-signal-safe: one write() */
}

int fl_port_posix_dump_on_signal(int signo, void (*print)(void *ctx, const char *line),
                                 void *ctx)
{
    struct sigaction sa;
    if (signo <= 0 || signo == SIGKILL || signo == SIGSTOP)
        return FL_EINVAL;
    (void)fl_port_posix(); /* the self-pipe the handler writes to */
    dump_print = print;
    dump_ctx = ctx;
    sa.sa_handler = dump_signal_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(signo, &sa, NULL) == 0 ? 0 : -errno;
}
#endif

#endif /* __unix__ || __APPLE__ */
