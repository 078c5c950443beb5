/* SPDX-License-Identifier: MIT */
/*
 * echo.c - a TCP echo server and client on one thread, no stack per task.
 *
 *   echo server PORT [ADDR]      serve until killed (ADDR 127.0.0.1 or ::1 ...)
 *   echo client PORT [ADDR] [N]  send N lines, check each echo, exit
 *   echo                         both at once: a server and three clients
 *                                in one loop, on a port the kernel picks
 *
 * Every connection is a task: an acceptor spawns a handler per client.  A
 * handler receives whatever has arrived and sends it all back; when the
 * kernel would block, the task suspends and the loop's select() watches
 * its socket.  Try `echo server 7000` in one terminal and
 * `nc 127.0.0.1 7000` in another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../flowno/flowno.h"

#define MAX_HANDLERS 16

static fl_loop loop;

/* ---- server -------------------------------------------------------------- */

struct handler {
    fl_task task;
    fl_sock_op op;
    int fd, n;
    char buf[1024];
};

static fl_cmd handle(fl_task *self)
{
    struct handler *h = (struct handler *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_SOCK_RECV(self, h->n, &h->op, h->fd, h->buf, sizeof h->buf);
        if (h->n <= 0)
            break; /* 0: the client hung up */
        FL_SOCK_SEND_ALL(self, h->n, &h->op, h->fd, h->buf, (size_t)h->n);
        FL_CHECK(self, h->n);
    }
    FL_FINALLY(self);
    close(h->fd); /* normal end, error or cancel: the fd is closed once */
    FL_END(self);
}

struct server {
    fl_task task;
    fl_sock_op op;
    int listen_fd, fd, i;
    struct handler handlers[MAX_HANDLERS];
};

/* Accepts forever; a handler slot is reused once its task has ended. */
static fl_cmd serve(fl_task *self)
{
    struct server *s = (struct server *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_SOCK_ACCEPT(self, s->fd, &s->op, s->listen_fd, NULL, NULL);
        FL_CHECK(self, s->fd);
        for (s->i = 0; s->i < MAX_HANDLERS; s->i++)
            if (!fl_task_alive(&s->handlers[s->i].task))
                break;
        if (s->i == MAX_HANDLERS) {
            close(s->fd); /* full: refuse politely rather than crash */
            continue;
        }
        memset(&s->handlers[s->i], 0, sizeof s->handlers[s->i]);
        s->handlers[s->i].fd = s->fd;
        fl_task_init(&s->handlers[s->i].task, handle);
        FL_SPAWN(self, &s->handlers[s->i].task, NULL);
    }
    FL_FINALLY(self);
    for (s->i = 0; s->i < MAX_HANDLERS; s->i++)
        fl_cancel(&loop, &s->handlers[s->i].task);
    FL_END(self);
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

static fl_cmd talk(fl_task *self)
{
    struct client *c = (struct client *)self;
    FL_BEGIN(self);
    c->fd = -1;
    FL_TCP_CONNECT(self, c->fd, &c->op, c->addr, c->port);
    FL_CHECK(self, c->fd);
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
        close(c->fd);
    FL_END(self);
}

/* ---- both at once ------------------------------------------------------- */

static struct server server;
static struct client clients[3];

struct both {
    fl_task task;
    int i, rc;
};

static fl_cmd run_both(fl_task *self)
{
    struct both *b = (struct both *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &server.task, NULL);
    for (b->i = 0; b->i < 3; b->i++)
        FL_SPAWN(self, &clients[b->i].task, NULL);
    for (b->i = 0; b->i < 3; b->i++)
        FL_JOIN(self, &clients[b->i].task);
    FL_CANCEL(self, &server.task); /* its finally cancels the handlers */
    FL_END(self);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "echo: %s: %s\n", what,
            rc > -200 ? strerror(-rc) : fl_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    const char *addr = argc > 3 ? argv[3] : "127.0.0.1";
    unsigned port = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
    int rc, i;

    if (fl_loop_init(&loop, fl_port_posix()) != 0)
        return 1;
    if (argc == 1 || strcmp(argv[1], "server") == 0) {
        server.listen_fd = fl_tcp_listen(addr, port, 64);
        if (server.listen_fd < 0)
            return fail("listen", server.listen_fd);
        port = (unsigned)fl_sock_port(server.listen_fd);
        printf("echo server on %s port %u\n", addr, port);
        fflush(stdout);
        fl_task_init(&server.task, serve);
    }
    if (argc > 1 && strcmp(argv[1], "server") == 0) {
        rc = fl_run_until_complete(&loop, &server.task, FL_RUN_JOIN, 0, NULL);
        return rc == 0 ? 0 : fail("server", rc);
    }
    for (i = 0; i < 3; i++) {
        fl_task_init(&clients[i].task, talk);
        fl_sock_op_init(&clients[i].op, FL_MS(5000));
        clients[i].addr = addr;
        clients[i].port = port;
        clients[i].id = i + 1;
        clients[i].lines = argc > 4 ? atoi(argv[4]) : 3;
    }
    if (argc > 1 && strcmp(argv[1], "client") == 0) {
        rc = fl_run_until_complete(&loop, &clients[0].task, FL_RUN_JOIN, 0, NULL);
        return rc == 0 ? 0 : fail("client", rc);
    }
    if (argc > 1) {
        fprintf(stderr, "usage: echo [server PORT [ADDR] | client PORT [ADDR] [LINES]]\n");
        return 2;
    }
    {
        struct both b;
        memset(&b, 0, sizeof b);
        fl_task_init(&b.task, run_both);
        rc = fl_run_until_complete(&loop, &b.task, FL_RUN_JOIN, 0, NULL);
        close(server.listen_fd);
        if (rc != 0)
            return fail("run", rc);
        for (i = 0; i < 3; i++)
            if (!fl_task_finished(&clients[i].task))
                return fail("client", fl_task_error(&clients[i].task));
        printf("echo: 3 clients, %d lines each, every echo checked\n", clients[0].lines);
    }
    return 0;
}
