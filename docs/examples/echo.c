/* SPDX-License-Identifier: MIT */
/*
 * echo.c - a TCP echo server, one task a connection, no stack per task.
 *
 *   echo server [-p PORT] [-a ADDR] [-b select|poll|epoll] [-c CONNS] [-i SECONDS]
 *        serve until SIGINT or SIGTERM.  Defaults: port 7000 on 127.0.0.1,
 *        epoll on Linux (else poll), up to 10000 connections (select: 1000;
 *        fewer if the fd limit says so), connections idle 60 s closed.
 *   echo client PORT [ADDR] [LINES]   send LINES lines, check each echo
 *   echo      a self-check on each port: a server, three clients that
 *             talk, one that says nothing (closed when idle) and one past
 *             the connection limit (refused); it ends by itself
 *
 * An acceptor task spawns a handler a client; a handler receives whatever
 * has arrived and sends it all back.  What a real server must do is here
 * too: the fd limit raised to the hard one, TCP_NODELAY on each
 * connection, idle connections closed, a connection past the limit (or
 * past the fd the port can watch) accepted and closed at once with its
 * reason logged, and no end when the fds run out (EMFILE, ENFILE): the
 * acceptor pauses, says so, and goes on once connections have closed, as
 * nginx does.  Try `echo server` in one terminal, `nc 127.0.0.1 7000` in
 * another.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

/* A task a connection, the acceptor, the stopper and the root. */
#define MAX_CONNS (FL_MAX_TASKS - 4)

static fl_loop loop;

/* ---- server -------------------------------------------------------------- */

/* 8 KB: a read that fills the buffer may have left more in the kernel,
 * and takes one more recv to learn it did not; a message read whole with
 * room to spare does not (the socket is drained).  So the buffer is twice
 * the largest message the benchmarks send. */
struct handler {
    fl_task task;
    fl_sock_op op;
    int fd, n;
    char buf[8192];
};

struct server {
    fl_task task;
    struct acceptor acc;
    fl_time idle;
    int i;
    unsigned long idle_closed;
    int free_slots[MAX_CONNS], n_free;
    struct handler handlers[MAX_CONNS];
};

static struct server server;

static fl_cmd handle(fl_task *self)
{
    struct handler *h = (struct handler *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_SOCK_RECV(self, h->n, &h->op, h->fd, h->buf, sizeof h->buf);
        if (h->n <= 0)
            break; /* 0: the client hung up; or an error, a timeout */
        FL_SOCK_SEND_ALL(self, h->n, &h->op, h->fd, h->buf, (size_t)h->n);
        if (h->n < 0)
            break;
    }
    if (h->n == FL_ETIMEDOUT)
        server.idle_closed++; /* quiet, or not reading what it is sent */
    FL_FINALLY(self);
    fl_sock_close(h->fd); /* normal end, error or cancel: closed once */
    server.free_slots[server.n_free++] = (int)(h - server.handlers);
    server.acc.active--;
    FL_END(self);
}

/* Accepts until cancelled; a handler slot is reused once its task ends. */
static fl_cmd serve(fl_task *self)
{
    struct server *s = (struct server *)self;
    struct handler *h;
    FL_BEGIN(self);
    for (;;) {
        FL_CALL(self, &s->acc.frame, accept_next(self, &s->acc));
        s->i = s->free_slots[--s->n_free];
        h = &s->handlers[s->i];
        h->fd = (int)fl_frame_result(&s->acc.frame);
        fl_sock_op_init(&h->op, s->idle);
        fl_task_init(&h->task, handle);
        FL_SPAWN(self, &s->handlers[s->i].task, NULL);
    }
    FL_FINALLY(self);
    for (s->i = 0; s->i < MAX_CONNS; s->i++)
        fl_cancel(&loop, &s->handlers[s->i].task);
    fl_cancel(&loop, &stopper); /* if it runs: nothing is left to stop */
    FL_END(self);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "echo: %s: %s\n", what, rc > -200 ? strerror(-rc) : fl_strerror(rc));
    return 1;
}

/* Set up `server` on a port and a listening socket. */
static int server_init(fl_port *port, const char *port_name, int fd_limit, const char *addr,
                       unsigned tcp_port, int limit, fl_time idle)
{
    int i, rc = fl_loop_init(&loop, port);
    if (rc != 0)
        return fail("loop", rc);
    /* Not a memset of it all: the handlers' 80 MB would all be touched.
     * A handler is set up when its connection comes. */
    memset(&server.acc, 0, sizeof server.acc);
    server.acc.who = "echo";
    server.acc.port_name = port_name;
    server.acc.fd_limit = fd_limit;
    server.acc.limit = limit;
    server.idle = idle;
    server.idle_closed = 0;
    server.n_free = 0;
    for (i = 0; i < MAX_CONNS; i++)
        server.free_slots[server.n_free++] = MAX_CONNS - 1 - i;
    server.acc.listen_fd = fl_tcp_listen(addr, tcp_port, limit); /* backlog: the limit */
    if (server.acc.listen_fd < 0)
        return fail("listen", server.acc.listen_fd);
    fl_task_init(&server.task, serve);
    return 0;
}

static int serve_until_stopped(int argc, char **argv)
{
    const char *port_name = port_names[0], *addr = "127.0.0.1";
    unsigned tcp_port = 7000;
    long fds = raise_fd_limit(), idle_s = 60;
    int limit = 0, fd_limit, opt, rc;
    fl_port *port;

    while ((opt = getopt(argc, argv, "p:a:b:c:i:")) != -1) {
        switch (opt) {
        case 'p': tcp_port = (unsigned)atoi(optarg); break;
        case 'a': addr = optarg; break;
        case 'b': port_name = optarg; break;
        case 'c': limit = atoi(optarg); break;
        case 'i': idle_s = atol(optarg); break;
        default:
            fprintf(stderr, "usage: echo server [-p PORT] [-a ADDR] [-b select|poll|epoll] "
                            "[-c CONNS] [-i IDLE_SECONDS]\n");
            return 2;
        }
    }
    if ((port = port_named(port_name, &fd_limit)) == NULL)
        return fail(port_name, FL_EINVAL);
    limit = connection_limit("echo", limit, MAX_CONNS, fd_limit, fds);
    rc = server_init(port, port_name, fd_limit, addr, tcp_port, limit,
                     idle_s > 0 ? FL_MS(idle_s * 1000) : 0);
    if (rc != 0)
        return rc;
    printf("echo server on %s port %d: %s, up to %d connections, idle ones closed after "
           "%ld s\n", addr, fl_sock_port(server.acc.listen_fd), port_name, limit, idle_s);
    fflush(stdout);

    rc = run_until_stopped(&loop, &server.task);
    fl_sock_close(server.acc.listen_fd);
    printf("echo: stopped: %lu connections, %lu refused, %lu closed idle\n", server.acc.accepted,
           server.acc.refused, server.idle_closed);
    return rc == 0 ? 0 : fail("server", rc);
}

/* ---- client -------------------------------------------------------------- */

struct client {
    fl_task task;
    fl_sock_op op;
    const char *addr;
    unsigned port;
    int id, lines, fd, n, i;
    char out[64], in[64];
};

static fl_event *go; /* the self-check's talkers start on it; NULL: at once */

static fl_cmd talk(fl_task *self)
{
    struct client *c = (struct client *)self;
    FL_BEGIN(self);
    c->fd = -1;
    FL_TCP_CONNECT(self, c->fd, &c->op, c->addr, c->port);
    FL_CHECK(self, c->fd);
    if (go != NULL)
        FL_EVENT_WAIT(self, go);
    for (c->i = 1; c->i <= c->lines; c->i++) {
        c->n = snprintf(c->out, sizeof c->out, "client %d says hello #%d\n", c->id, c->i);
        FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->out, (size_t)c->n);
        FL_CHECK(self, c->n);
        FL_SOCK_RECV_EXACT(self, c->n, &c->op, c->fd, c->in, strlen(c->out));
        FL_CHECK(self, c->n);
        if (memcmp(c->in, c->out, (size_t)c->n) != 0)
            FL_FAIL(self, FL_EINVAL);
        printf("client %d: echoed %.*s", c->id, c->n, c->in);
        FL_SLEEP(self, FL_MS(10 * c->id)); /* the clients interleave */
    }
    FL_RETURN(self, c->lines);
    FL_FINALLY(self);
    if (c->fd >= 0)
        fl_sock_close(c->fd);
    FL_END(self);
}

/* Connects and sends nothing: the server must hang up (recv gives 0, or
 * a reset) before the client's own 5 s timeout. */
static fl_cmd wait_to_be_dropped(fl_task *self)
{
    struct client *c = (struct client *)self;
    FL_BEGIN(self);
    c->fd = -1;
    FL_TCP_CONNECT(self, c->fd, &c->op, c->addr, c->port);
    FL_CHECK(self, c->fd);
    FL_SOCK_RECV(self, c->n, &c->op, c->fd, c->in, sizeof c->in);
    if (c->n != 0 && c->n != -ECONNRESET)
        FL_FAIL(self, c->n < 0 ? c->n : FL_EINVAL);
    FL_FINALLY(self);
    if (c->fd >= 0)
        fl_sock_close(c->fd);
    FL_END(self);
}

/* ---- the self-check ------------------------------------------------------- */

#define TALKERS 3
#define QUIET TALKERS        /* clients[QUIET] says nothing */
#define TOO_MANY (TALKERS + 1) /* clients[TOO_MANY] comes past the limit */

static struct client clients[TALKERS + 2];

struct check {
    fl_task task;
    fl_event go;
    int i;
};

/* The talkers and the quiet one connect; once the server holds all of
 * them (its limit) one more comes, and must be turned away; then the
 * talkers talk, and the quiet one waits to be closed as idle. */
static fl_cmd run_check(fl_task *self)
{
    struct check *k = (struct check *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &server.task, NULL);
    for (k->i = 0; k->i <= QUIET; k->i++)
        FL_SPAWN(self, &clients[k->i].task, NULL);
    while (server.acc.active < TALKERS + 1)
        FL_SLEEP(self, FL_MS(1));
    FL_SPAWN(self, &clients[TOO_MANY].task, NULL);
    FL_JOIN(self, &clients[TOO_MANY].task);
    fl_event_set(&k->go);
    for (k->i = 0; k->i <= QUIET; k->i++)
        FL_JOIN(self, &clients[k->i].task);
    FL_CANCEL(self, &server.task);
    FL_END(self);
}

/* On one port, with room for TALKERS + 1 connections, idle ones closed
 * after half a second. */
static int self_check(const char *port_name)
{
    struct check k;
    int fd_limit, i, rc;
    fl_port *port = port_named(port_name, &fd_limit);
    if (port == NULL)
        return fail(port_name, FL_EINVAL);
    rc = server_init(port, port_name, fd_limit, "127.0.0.1", 0, TALKERS + 1, FL_MS(500));
    if (rc != 0)
        return rc;
    memset(clients, 0, sizeof clients);
    for (i = 0; i < TALKERS + 2; i++) {
        struct client *c = &clients[i];
        c->addr = "127.0.0.1";
        c->port = (unsigned)fl_sock_port(server.acc.listen_fd);
        c->id = i + 1;
        c->lines = 3;
        fl_sock_op_init(&c->op, FL_MS(5000));
        fl_task_init(&c->task, i < TALKERS ? talk : wait_to_be_dropped);
    }
    memset(&k, 0, sizeof k);
    fl_event_init(&k.go, &loop);
    go = &k.go;
    fl_task_init(&k.task, run_check);
    rc = fl_run_until_complete(&loop, &k.task, FL_RUN_JOIN, 0, NULL);
    go = NULL;
    fl_sock_close(server.acc.listen_fd);
    if (rc != 0)
        return fail(port_name, rc);
    for (i = 0; i < TALKERS + 2; i++)
        if (!fl_task_finished(&clients[i].task))
            return fail("client", fl_task_error(&clients[i].task));
    if (server.acc.refused != 1 || server.idle_closed != 1)
        return fail("the limit or the idle timeout", FL_EINVAL);
    printf("echo on %s: %d clients echoed 3 lines each, a quiet one was closed when idle, "
           "one past the limit was refused\n", port_name, TALKERS);
    return 0;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc > 1 && strcmp(argv[1], "server") == 0)
        return serve_until_stopped(argc - 1, argv + 1);
    if (argc > 2 && strcmp(argv[1], "client") == 0) {
        int rc = fl_loop_init(&loop, fl_port_posix());
        if (rc != 0)
            return fail("loop", rc);
        fl_task_init(&clients[0].task, talk);
        fl_sock_op_init(&clients[0].op, FL_MS(5000));
        clients[0].port = (unsigned)atoi(argv[2]);
        clients[0].addr = argc > 3 ? argv[3] : "127.0.0.1";
        clients[0].id = 1;
        clients[0].lines = argc > 4 ? atoi(argv[4]) : 3;
        rc = fl_run_until_complete(&loop, &clients[0].task, FL_RUN_JOIN, 0, NULL);
        return rc == 0 ? 0 : fail("client", rc);
    }
    if (argc > 1) {
        fprintf(stderr, "usage: echo [server [options] | client PORT [ADDR] [LINES]]\n");
        return 2;
    }
    for (i = 0; i < N_PORTS; i++)
        if (self_check(port_names[i]) != 0)
            return 1;
    return 0;
}
