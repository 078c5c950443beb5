/* SPDX-License-Identifier: MIT */
/*
 * server.h - what the two example servers (echo.c, http_server.c) share:
 * choosing a port by name, raising the fd limit, logging a connection
 * turned away, and stopping on SIGINT or SIGTERM.  Plain C around the
 * loop; each server's own tasks are in its file.
 */
#ifndef FLOWNO_EXAMPLES_SERVER_H
#define FLOWNO_EXAMPLES_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "../../flowno/flowno.h"

/* The ports by name, best first: what a server takes by default. */
static const char *const port_names[] = {
#if defined(__linux__)
    "epoll",
#endif
    "poll", "select"};
#define N_PORTS (sizeof port_names / sizeof port_names[0])

/* The port called `name` (NULL if none), and the first fd it refuses. */
static fl_port *port_named(const char *name, int *fd_limit)
{
    *fd_limit = FL_MAX_FDS;
    if (strcmp(name, "poll") == 0)
        return fl_port_poll();
#if defined(__linux__)
    if (strcmp(name, "epoll") == 0)
        return fl_port_epoll();
#endif
    *fd_limit = FD_SETSIZE;
    return strcmp(name, "select") == 0 ? fl_port_posix() : NULL;
}

/* The soft fd limit raised to the hard one; returns what it now is. */
static long raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur > 0x7FFFFFFF ? 0x7FFFFFFFL : (long)rl.rlim_cur;
}

/* How many connections a server takes: what was asked for (0: 10000,
 * or 1000 under select, whose fds stop at FD_SETSIZE), as far as the task
 * table allows, and past how many fds they must wait (`fds`, the limit). */
static int connection_limit(const char *who, int asked, int max_tasks, int fd_limit, long fds)
{
    int limit = asked > 0 ? asked : fd_limit == FD_SETSIZE ? FD_SETSIZE - 24 : 10000;
    if (limit > max_tasks)
        limit = max_tasks;
    if (limit > fd_limit - 8)
        fprintf(stderr, "%s: this port watches fds below %d: connections on fds past it "
                        "are refused\n", who, fd_limit);
    if (fds - 16 < limit)
        fprintf(stderr, "%s: %ld fds allowed (ulimit -n): connections past about %ld wait "
                        "for fds to come free\n", who, fds, fds - 16);
    return limit;
}

/* What the acceptor of a server keeps between its waits.  The server
 * sets the first block; `active` goes down as its connections end. */
struct acceptor {
    const char *who, *port_name;
    int listen_fd, limit, fd_limit;
    void (*turn_away)(int fd); /* NULL, or a word before the close (503) */
    int active, paused;
    unsigned long accepted, refused;
    fl_frame frame;
    fl_sock_op op;
    int fd;
    struct sockaddr_storage peer;
    unsigned peer_len;
};

/* "refused ADDR port N: WHY" on stderr. */
static void log_refusal(const struct acceptor *a, const char *why)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (a->peer.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)&a->peer;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
        port = ntohs(in->sin_port);
    } else if (a->peer.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)&a->peer;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
        port = ntohs(in6->sin6_port);
    }
    fprintf(stderr, "%s: refused %s port %u: %s\n", a->who, addr, port, why);
}

/* Why the connection just accepted must be turned away, or NULL. */
static const char *refusal(struct acceptor *a, char *why, size_t cap)
{
    if (a->active >= a->limit)
        snprintf(why, cap, "%d connections, the limit", a->limit);
    else if (a->fd >= a->fd_limit)
        snprintf(why, cap, "fd %d, past what %s can watch", a->fd, a->port_name);
    else
        return NULL;
    return why;
}

/* Whether accept's error passes: out of fds (the connection waits in the
 * backlog: the caller sleeps a little and tries again, as nginx does, and
 * it is said once), or ENOBUFS and the like.  Not a cancel, nor a broken
 * listening socket. */
static bool passes(struct acceptor *a)
{
    if (a->fd == -EMFILE || a->fd == -ENFILE) {
        if (!a->paused)
            fprintf(stderr, "%s: out of fds (%s) with %d connections: accepting again "
                            "when some close\n", a->who, strerror(-a->fd), a->active);
        a->paused = 1;
        return true;
    }
    if (a->fd <= FL_EINVAL || a->fd == -EBADF || a->fd == -EINVAL || a->fd == -ENOTSOCK)
        return false;
    fprintf(stderr, "%s: accept: %s\n", a->who, strerror(-a->fd));
    return true;
}

/* A helper (FL_CALL): the next connection the server keeps; its fd is the
 * result, TCP_NODELAY on (an answer goes out at once, not after the
 * client's delayed ACK), counted in `active`.  One past the limit, or on
 * an fd the port cannot watch, is turned away: logged with the reason and
 * closed.  Fails when cancelled, or when the listening socket is broken. */
static fl_cmd accept_next(fl_task *self, struct acceptor *a)
{
    char why[96];
    FL_BEGIN_HELPER(self, &a->frame);
    for (;;) {
        a->peer_len = sizeof a->peer;
        FL_SOCK_ACCEPT(self, a->fd, &a->op, a->listen_fd, (struct sockaddr *)&a->peer,
                       &a->peer_len);
        if (a->fd < 0 && !passes(a))
            FL_FAIL(self, a->fd);
        if (a->fd < 0) {
            FL_SLEEP(self, FL_MS(100)); /* out of fds: some may close meanwhile */
            continue;
        }
        if (a->paused)
            fprintf(stderr, "%s: accepting again, %d connections\n", a->who, a->active);
        a->paused = 0;
        if (refusal(a, why, sizeof why) == NULL)
            break;
        log_refusal(a, why);
        if (a->turn_away != NULL)
            a->turn_away(a->fd);
        fl_sock_close(a->fd);
        a->refused++;
    }
    (void)fl_sock_nodelay(a->fd, true);
    a->active++;
    a->accepted++;
    FL_RETURN(self, a->fd);
    FL_END(self);
}

/* ---- running until SIGINT or SIGTERM --------------------------------------- */

/* The signals raise stop_signal (fl_signal_raise is signal-safe: two
 * stores and a write()); the stopper task, waiting on it, cancels the
 * server, whose finally cancels its connections and then the stopper (so
 * a server that ends by itself does not wait for a signal). */
static fl_signal stop_signal;
static fl_task stopper;
static fl_task *stop_target;

static void on_stop_signal(int signo)
{
    (void)signo;
    fl_signal_raise(&stop_signal);
}

static fl_cmd stop_server(fl_task *self)
{
    FL_BEGIN(self);
    FL_SIGNAL_WAIT(self, &stop_signal);
    FL_CANCEL(self, stop_target);
    FL_END(self);
}

/* Run `server` (and what it spawns) until it ends or a signal stops it:
 * 0, or the error it failed with. */
static int run_until_stopped(fl_loop *loop, fl_task *server)
{
    struct sigaction sa;
    int rc;
    fl_signal_init(&stop_signal, loop);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    stop_target = server;
    fl_task_init(&stopper, stop_server);
    fl_spawn(loop, &stopper, NULL);
    rc = fl_run_until_complete(loop, server, 0, 0, NULL);
    return rc == 0 && fl_task_failed(server) ? fl_task_error(server) : rc;
}

#endif /* FLOWNO_EXAMPLES_SERVER_H */
