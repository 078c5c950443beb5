/* SPDX-License-Identifier: MIT */
/*
 * posix_common.c - what the POSIX ports share (posix_internal.h): the
 * clock, the self-pipe, the post lock, the dump on a signal, and the
 * table of per-fd wait lists.  Compiles to nothing off POSIX.
 */
#define _POSIX_C_SOURCE 200809L

#if defined(__unix__) || defined(__APPLE__)

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "posix_internal.h"

/* Every port set up so far, newest first: the dump signal wakes each, and
 * fl_sock_close tells each.  Linked once, never unlinked (ports are
 * static), so a signal handler may walk it at any time. */
static fl_posix *ports;

static fl_time posix_now(fl_port *port)
{
    struct timespec ts;
    (void)port;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (fl_time)((fl_time)ts.tv_sec * FL_TICK_HZ +
                     (fl_time)((uint64_t)ts.tv_nsec * FL_TICK_HZ / 1000000000u));
}

/* Async-signal-safe: one write() of one byte to a non-blocking pipe. */
static void posix_wake(fl_port *port)
{
    fl_posix *p = (fl_posix *)port;
    int saved = errno;
    if (p->pipe_wr >= 0)
        (void)!write(p->pipe_wr, "", 1);
    errno = saved;
}

static void posix_lock(fl_port *port)
{
    (void)pthread_mutex_lock(&((fl_posix *)port)->post_lock);
}

static void posix_unlock(fl_port *port)
{
    (void)pthread_mutex_unlock(&((fl_posix *)port)->post_lock);
}

static int make_pipe(fl_posix *p)
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

void fl_posix_init_(fl_posix *p, void (*wait)(fl_port *, fl_loop *, fl_time, bool),
                    fl_posix_fd *fds, int *watched, int capacity)
{
    p->port.now = posix_now;
    p->port.wait = wait;
    p->port.wake = posix_wake;
    p->port.lock = posix_lock;
    p->port.unlock = posix_unlock;
    (void)pthread_mutex_init(&p->post_lock, NULL);
    p->dump_requested = 0;
#if FL_ENABLE_IO
    p->port.watch = fl_posix_watch_;
    p->port.watching = fl_posix_watching_;
    p->port.fd_of = fl_posix_fd_of_;
    p->loop = NULL;
    p->fds = fds;
    p->watched = watched;
    p->count = 0;
    p->capacity = capacity;
    p->fd_news = NULL;
#else
    (void)fds;
    (void)watched;
    (void)capacity;
#endif
    p->pipe_rd = p->pipe_wr = -1;
    (void)make_pipe(p); /* without it, wake-ups wait for the timeout */
    p->next = ports;
    ports = p;
}

void fl_posix_drain_(fl_posix *p)
{
    char drain[64];
    while (read(p->pipe_rd, drain, sizeof drain) > 0)
        ;
}

int fl_posix_timeout_ms_(fl_time ticks, bool forever)
{
    uint64_t ms;
    if (forever)
        return -1;
    ms = ((uint64_t)ticks * 1000u + FL_TICK_HZ - 1u) / FL_TICK_HZ; /* round up */
    return ms > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)ms;
}

/* ---- The dump on a signal ---------------------------------------------- */

#if FL_ENABLE_DUMP
/* The handler only raises each port's flag and wakes it; the dump is
 * printed from the loop's own thread, after its wait. */
static void (*dump_print)(void *ctx, const char *line);
static void *dump_ctx;

static void print_to_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

void fl_posix_take_dump_(fl_posix *p, fl_loop *loop)
{
    if (p->dump_requested) {
        p->dump_requested = 0;
        fl_loop_dump(loop, dump_print != NULL ? dump_print : print_to_stderr, dump_ctx);
    }
}

static void dump_signal_handler(int signo)
{
    fl_posix *p;
    (void)signo;
    for (p = ports; p != NULL; p = p->next) {
        p->dump_requested = 1;
        posix_wake(&p->port); /* async-signal-safe: one write() */
    }
}

int fl_port_posix_dump_on_signal(int signo, void (*print)(void *ctx, const char *line),
                                 void *ctx)
{
    struct sigaction sa;
    if (signo <= 0 || signo == SIGKILL || signo == SIGSTOP)
        return FL_EINVAL;
    dump_print = print;
    dump_ctx = ctx;
    sa.sa_handler = dump_signal_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(signo, &sa, NULL) == 0 ? 0 : -errno;
}
#else
void fl_posix_take_dump_(fl_posix *p, fl_loop *loop)
{
    (void)p;
    (void)loop;
}
#endif /* FL_ENABLE_DUMP */

/* ---- The table of wait lists -------------------------------------------- */

#if FL_ENABLE_IO

fl_posix_fd *fl_posix_entry_(fl_posix *p, fl_loop *loop, int fd)
{
    fl_posix_fd *e;
    if (fd < 0 || fd >= p->capacity)
        return NULL;
    p->loop = loop;
    e = &p->fds[fd];
    if (e->pos == 0) {
        fl_waitq_init(&e->readers, FL_WAIT_IO_READ);
        fl_waitq_init(&e->writers, FL_WAIT_IO_WRITE);
        p->watched[p->count++] = fd;
        e->pos = (unsigned)p->count;
    }
    return e;
}

int fl_posix_wait_on_(fl_posix *p, fl_task *t, fl_posix_fd *e, unsigned events)
{
    fl_port_wait_on(p->loop, t, events == FL_IO_READ ? &e->readers : &e->writers);
    return 1;
}

int fl_posix_watch_(fl_port *port, fl_loop *loop, fl_task *t, int fd, unsigned events)
{
    fl_posix *p = (fl_posix *)port;
    fl_posix_fd *e;
    if (events != FL_IO_READ && events != FL_IO_WRITE)
        return FL_EINVAL;
    if ((e = fl_posix_entry_(p, loop, fd)) == NULL)
        return FL_ERANGE;
    return fl_posix_wait_on_(p, t, e, events);
}

void fl_posix_unwatch_(fl_posix *p, int i)
{
    int last = p->watched[--p->count];
    p->fds[p->watched[i]].pos = 0;
    if (i < p->count) {
        p->watched[i] = last;
        p->fds[last].pos = (unsigned)i + 1u;
    }
}

void fl_posix_ready_(fl_posix *p, int fd, unsigned events, int outcome)
{
    fl_posix_fd *e = &p->fds[fd];
    unsigned waiting = fl_posix_waiting_(e) & events;
    if (outcome != 0) {
        if (waiting & FL_IO_READ)
            fl_port_wake_all(p->loop, &e->readers, outcome);
        if (waiting & FL_IO_WRITE)
            fl_port_wake_all(p->loop, &e->writers, outcome);
        return;
    }
    if (waiting & FL_IO_READ)
        fl_port_io_ready(p->loop, &e->readers, fd, FL_IO_READ);
    if (waiting & FL_IO_WRITE)
        fl_port_io_ready(p->loop, &e->writers, fd, FL_IO_WRITE);
}

/* Lists emptied by a cancel or a timeout are found here, from the end of
 * `watched`, and dropped: each once, so a call costs O(1) on average. */
bool fl_posix_watching_(fl_port *port)
{
    fl_posix *p = (fl_posix *)port;
    while (p->count > 0) {
        if (fl_posix_waiting_(&p->fds[p->watched[p->count - 1]]) != 0)
            return true;
        fl_posix_unwatch_(p, p->count - 1);
    }
    return false;
}

int fl_posix_fd_of_(fl_port *port, const fl_waitq *list)
{
    const fl_posix *p = (const fl_posix *)port;
    const char *at = (const char *)list, *base = (const char *)p->fds;
    if (at < base || at >= (const char *)(p->fds + p->capacity))
        return -1;
    return (int)((size_t)(at - base) / sizeof(fl_posix_fd));
}

void fl_posix_fd_news_(int fd, bool opened)
{
    fl_posix *p;
    for (p = ports; p != NULL; p = p->next) {
        if (fd < 0 || fd >= p->capacity)
            continue;
        /* Whoever still waits on an fd being closed would wait forever. */
        if (!opened && p->fds[fd].pos != 0)
            fl_posix_ready_(p, fd, FL_IO_READ | FL_IO_WRITE, -EBADF);
        if (p->fd_news != NULL)
            p->fd_news(p, fd, opened);
    }
}

void fl_posix_layer_waits_(int fd)
{
    fl_posix *p;
    for (p = ports; p != NULL; p = p->next)
        if (fd >= 0 && fd < p->capacity)
            p->fds[fd].layer_wait = 1;
}

#endif /* FL_ENABLE_IO */

#else
typedef int fl_posix_common_absent_; /* ISO C wants something in a file */
#endif /* __unix__ || __APPLE__ */
