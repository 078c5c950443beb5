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

/* "refused ADDR port N: WHY" on stderr. */
static void log_refusal(const char *who, const struct sockaddr_storage *peer, const char *why)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (peer->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)peer;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
        port = ntohs(in->sin_port);
    } else if (peer->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)peer;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
        port = ntohs(in6->sin6_port);
    }
    fprintf(stderr, "%s: refused %s port %u: %s\n", who, addr, port, why);
}

/* accept's answer, for an acceptor: 1 to go on with the fd; 0 to try
 * again (out of fds: the connection waits in the backlog, and the caller
 * sleeps a little, as nginx does; a passing error); or the error to end
 * with (cancelled, or the listening socket is broken). */
static int accept_outcome(const char *who, int fd, int active, int *paused)
{
    if (fd == -EMFILE || fd == -ENFILE) {
        if (!*paused)
            fprintf(stderr, "%s: out of fds (%s) with %d connections: accepting again "
                            "when some close\n", who, strerror(-fd), active);
        *paused = 1;
        return 0;
    }
    if (fd <= FL_EINVAL || fd == -EBADF || fd == -EINVAL || fd == -ENOTSOCK)
        return fd;
    if (fd < 0) {
        fprintf(stderr, "%s: accept: %s\n", who, strerror(-fd)); /* ENOBUFS...: passes */
        return 0;
    }
    if (*paused)
        fprintf(stderr, "%s: accepting again, %d connections\n", who, active);
    *paused = 0;
    return 1;
}

/* SIGINT and SIGTERM raise stop_signal (fl_signal_raise is signal-safe:
 * two stores and a write()); a task waiting on it stops the server. */
static fl_signal stop_signal;

static void on_stop_signal(int signo)
{
    (void)signo;
    fl_signal_raise(&stop_signal);
}

static void stop_on_signals(fl_loop *loop)
{
    struct sigaction sa;
    fl_signal_init(&stop_signal, loop);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

#endif /* FLOWNO_EXAMPLES_SERVER_H */
