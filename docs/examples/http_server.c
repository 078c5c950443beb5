/* SPDX-License-Identifier: MIT */
/*
 * http_server.c - a small HTTP/1.0 server: one task a connection.
 *
 *   http_server PORT [MAX]   serve on 127.0.0.1:PORT (0: the kernel picks),
 *                            stop after MAX requests (0 or absent: never)
 *   http_server              a self-test: serve, fetch three pages from a
 *                            client task in the same loop, stop
 *
 *   GET /        a page that says hello and counts requests
 *   GET /tasks   the loop's own dump: every task and what it waits for
 *   other paths  404; other methods 501; a request line too long 400
 *
 * Each connection gets a 5 s timeout per wait, so a client that connects
 * and says nothing cannot hold its handler forever.  `make test` runs the
 * self-test, and tests/check-http.sh serves real `curl` requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../flowno/flowno.h"

#define MAX_CONNS 8
#define REQ_MAX 2048

static fl_loop loop;
static unsigned served, max_requests;

struct conn {
    fl_task task;
    fl_sock_op op;
    int fd, n;
    size_t len;
    char req[REQ_MAX + 1];
    char head[256];
    char body[4096];
};

/* The dump, appended to a connection's body. */
static void add_line(void *ctx, const char *line)
{
    char *body = ctx;
    size_t used = strlen(body);
    snprintf(body + used, 4096 - used, "%s\n", line);
}

/* Fill head and body for the request in c->req; returns the status. */
static int respond(struct conn *c)
{
    char method[8], path[256];
    int status = 200;
    const char *type = "text/html";

    c->body[0] = '\0';
    if (sscanf(c->req, "%7s %255s", method, path) != 2) {
        status = 400;
        snprintf(c->body, sizeof c->body, "bad request\n");
    } else if (strcmp(method, "GET") != 0) {
        status = 501;
        snprintf(c->body, sizeof c->body, "only GET here\n");
    } else if (strcmp(path, "/") == 0) {
        snprintf(c->body, sizeof c->body,
                 "<!doctype html><title>flowno</title>\n"
                 "<h1>Hello from flowno</h1>\n"
                 "<p>A stackless event loop in C served this; request %u.</p>\n",
                 served + 1);
    } else if (strcmp(path, "/tasks") == 0) {
        type = "text/plain";
        fl_loop_dump(&loop, add_line, c->body);
    } else {
        status = 404;
        snprintf(c->body, sizeof c->body, "no such page: %s\n", path);
    }
    if (status != 200)
        type = "text/plain";
    snprintf(c->head, sizeof c->head,
             "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             status, status == 200 ? "OK" : status == 404 ? "Not Found" : "Error", type,
             strlen(c->body));
    return status;
}

/* The request is complete once its header ends with an empty line. */
static int header_done(const struct conn *c)
{
    return strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL;
}

static fl_cmd handle(fl_task *self)
{
    struct conn *c = (struct conn *)self;
    FL_BEGIN(self);
    fl_sock_op_init(&c->op, FL_MS(5000));
    c->len = 0;
    c->req[0] = '\0';
    while (!header_done(c)) {
        if (c->len == REQ_MAX) {
            strcpy(c->req, "TOO LONG");
            break;
        }
        FL_SOCK_RECV(self, c->n, &c->op, c->fd, c->req + c->len, REQ_MAX - c->len);
        FL_CHECK(self, c->n);
        if (c->n == 0)
            FL_FAIL(self, FL_ECLOSED); /* hung up before asking */
        c->len += (size_t)c->n;
        c->req[c->len] = '\0';
    }
    printf("%d %.*s\n", respond(c), (int)strcspn(c->req, "\r\n"), c->req);
    fflush(stdout);
    FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->head, strlen(c->head));
    FL_CHECK(self, c->n);
    FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->body, strlen(c->body));
    FL_CHECK(self, c->n);
    served++;
    if (max_requests != 0 && served >= max_requests)
        FL_EXIT(self, 0); /* stop the whole loop: run_until_complete returns 0 */
    FL_FINALLY(self);
    close(c->fd);
    FL_END(self);
}

struct server {
    fl_task task;
    fl_sock_op op;
    int listen_fd, fd, i;
    struct conn conns[MAX_CONNS];
};

static fl_cmd serve(fl_task *self)
{
    struct server *s = (struct server *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_SOCK_ACCEPT(self, s->fd, &s->op, s->listen_fd, NULL, NULL);
        FL_CHECK(self, s->fd);
        for (s->i = 0; s->i < MAX_CONNS && fl_task_alive(&s->conns[s->i].task); s->i++)
            ;
        if (s->i == MAX_CONNS) {
            close(s->fd); /* busy: the client sees the connection close */
            continue;
        }
        s->conns[s->i].fd = s->fd;
        fl_task_init(&s->conns[s->i].task, handle);
        FL_SPAWN(self, &s->conns[s->i].task, NULL);
    }
    FL_END(self);
}

/* ---- the self-test's client ----------------------------------------------- */

struct fetch {
    fl_task task;
    fl_sock_op op;
    unsigned port;
    int fd, n, i;
    size_t len;
    char reply[8192];
};

static const char *const pages[] = {"/", "/tasks", "/missing"};
static const char *const expect[] = {"HTTP/1.0 200", "HTTP/1.0 200", "HTTP/1.0 404"};

static fl_cmd fetch_pages(fl_task *self)
{
    struct fetch *f = (struct fetch *)self;
    FL_BEGIN(self);
    for (f->i = 0; f->i < 3; f->i++) {
        FL_TCP_CONNECT(self, f->fd, &f->op, "127.0.0.1", f->port);
        FL_CHECK(self, f->fd);
        f->n = snprintf(f->reply, sizeof f->reply, "GET %s HTTP/1.0\r\n\r\n", pages[f->i]);
        FL_SOCK_SEND_ALL(self, f->n, &f->op, f->fd, f->reply, (size_t)f->n);
        FL_CHECK(self, f->n);
        f->len = 0;
        do { /* HTTP/1.0: the reply ends when the server closes */
            FL_SOCK_RECV(self, f->n, &f->op, f->fd, f->reply + f->len,
                         sizeof f->reply - 1 - f->len);
            FL_CHECK(self, f->n);
            f->len += (size_t)f->n;
        } while (f->n > 0 && f->len < sizeof f->reply - 1);
        f->reply[f->len] = '\0';
        close(f->fd);
        f->fd = -1;
        if (strncmp(f->reply, expect[f->i], strlen(expect[f->i])) != 0)
            FL_FAIL(self, FL_EINVAL);
    }
    FL_END(self);
}

int main(int argc, char **argv)
{
    static struct server server;
    static struct fetch client;
    unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    int rc;

    max_requests = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
    if (fl_loop_init(&loop, fl_port_posix()) != 0)
        return 1;
    server.listen_fd = fl_tcp_listen("127.0.0.1", port, 16);
    if (server.listen_fd < 0) {
        fprintf(stderr, "http_server: listen: %s\n", strerror(-server.listen_fd));
        return 1;
    }
    port = (unsigned)fl_sock_port(server.listen_fd);
    printf("listening on http://127.0.0.1:%u/\n", port);
    fflush(stdout);
    fl_task_init(&server.task, serve);
    if (argc == 1) { /* self-test: the client is the root */
        fl_task_init(&client.task, fetch_pages);
        fl_sock_op_init(&client.op, FL_MS(5000));
        client.port = port;
        if (fl_spawn(&loop, &server.task, NULL) != 0)
            return 1;
        /* NO_WAIT: stop when the client is done, though the server is not. */
        rc = fl_run_until_complete(&loop, &client.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0, NULL);
        if (rc == 0 && !fl_task_finished(&client.task))
            rc = fl_task_error(&client.task);
    } else {
        rc = fl_run_until_complete(&loop, &server.task, FL_RUN_JOIN, 0, NULL);
    }
    close(server.listen_fd);
    if (rc != 0) {
        fprintf(stderr, "http_server: %s\n", fl_strerror(rc));
        return 1;
    }
    printf("http_server: served %u requests\n", served);
    return 0;
}
