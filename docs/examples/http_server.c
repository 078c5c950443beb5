/* SPDX-License-Identifier: MIT */
/*
 * http_server.c - a small HTTP/1.0 server: one task a connection.
 *
 *   http_server [-p PORT] [-b select|poll|epoll] [-c CONNS] [-i SECONDS] [-n REQUESTS]
 *        serve on 127.0.0.1:PORT (default 8080; 0: the kernel picks) until
 *        SIGINT or SIGTERM, or REQUESTS requests.  Defaults: epoll on Linux
 *        (else poll), up to 10000 connections (select: 1000; fewer if the
 *        fd limit says so), 10 s for a client to send its request.
 *   http_server      a self-test on each port: serve, fetch pages and send
 *                    bad requests from client tasks in the same loop, stop
 *
 *   GET /        a page that says hello and counts requests
 *   GET /tasks   the loop's own dump: every task and what it waits for
 *   HEAD         the same, headers only
 *   other paths  404; other methods 501; a request line that is malformed,
 *                or a request header over 8 KB, 400; no whole request
 *                within the timeout, 408; past the connection limit, 503
 *
 * After its answer a connection shuts its side and reads what the client
 * still sends until the client closes (at most a second), as nginx's
 * lingering close does: closing on unread data would reset the
 * connection, and the client could lose the answer.  `make test` runs the
 * self-test, tests/check-http.sh serves `curl`, and tests/check-servers.sh
 * sends it bad requests.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define MAX_CONNS (FL_MAX_TASKS - 4) /* + the acceptor, the stopper, the root */
#define REQ_MAX 8192

static fl_loop loop;
static unsigned long served, max_requests;

struct conn {
    fl_task task;
    fl_sock_op op;
    int fd, n, status;
    size_t len;
    char req[REQ_MAX + 1];
    char head[256];
    char body[4096];
};

/* ---- answering ------------------------------------------------------------ */

/* The dump, appended to a connection's body. */
static void add_line(void *ctx, const char *line)
{
    char *body = ctx;
    size_t used = strlen(body);
    snprintf(body + used, 4096 - used, "%s\n", line);
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

/* RFC 9110's token characters: what a method may be made of. */
static int is_tchar(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* "METHOD SP TARGET SP HTTP/d.d", one space each, nothing else: the
 * status a well-formed line may still get (200), or 400.  The method and
 * the target are copied out. */
static int parse_request_line(const char *line, size_t len, char *method, size_t mcap,
                              char *target, size_t tcap)
{
    size_t i = 0, m = 0, t = 0;
    while (i < len && is_tchar(line[i]) && m + 1 < mcap)
        method[m++] = line[i++];
    method[m] = '\0';
    if (m == 0 || i == len || line[i++] != ' ')
        return 400;
    while (i < len && line[i] > ' ' && line[i] < 0x7F && t + 1 < tcap)
        target[t++] = line[i++];
    target[t] = '\0';
    if (t == 0 || i == len || line[i++] != ' ')
        return 400;
    if (len - i != 8 || strncmp(line + i, "HTTP/", 5) != 0 || line[i + 5] < '0' ||
        line[i + 5] > '9' || line[i + 6] != '.' || line[i + 7] < '0' || line[i + 7] > '9')
        return 400;
    return 200;
}

/* Fill head and body for the request in c->req (c->status may already
 * say 400 or 408); returns the status. */
static int respond(struct conn *c)
{
    char method[16], path[256];
    size_t line = strcspn(c->req, "\r\n");
    const char *type = "text/plain";
    int head_only = 0;

    c->body[0] = '\0';
    if (c->status == 200)
        c->status = parse_request_line(c->req, line, method, sizeof method, path, sizeof path);
    if (c->status == 200) {
        head_only = strcmp(method, "HEAD") == 0;
        if (!head_only && strcmp(method, "GET") != 0) {
            c->status = 501;
            snprintf(c->body, sizeof c->body, "%s: only GET and HEAD here\n", method);
        } else if (strcmp(path, "/") == 0) {
            type = "text/html";
            snprintf(c->body, sizeof c->body,
                     "<!doctype html><title>flowno</title>\n"
                     "<h1>Hello from flowno</h1>\n"
                     "<p>A stackless event loop in C served this; request %lu.</p>\n",
                     served + 1);
        } else if (strcmp(path, "/tasks") == 0) {
            fl_loop_dump(&loop, add_line, c->body);
        } else {
            c->status = 404;
            snprintf(c->body, sizeof c->body, "no such page: %s\n", path);
        }
    } else {
        snprintf(c->body, sizeof c->body, "%s\n", reason(c->status));
    }
    snprintf(c->head, sizeof c->head,
             "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             c->status, reason(c->status), type, strlen(c->body));
    if (head_only)
        c->body[0] = '\0';
    return c->status;
}

/* The header has ended once an empty line came. */
static int header_done(const struct conn *c)
{
    return strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL;
}

/* "STATUS first line", the line cut at 80 and anything unprintable '?'. */
static void log_request(int status, const char *req)
{
    char line[81];
    size_t i;
    for (i = 0; i < 80 && req[i] != '\0' && req[i] != '\r' && req[i] != '\n'; i++)
        line[i] = req[i] >= ' ' && req[i] < 0x7F ? req[i] : '?';
    line[i] = '\0';
    printf("%d %s\n", status, line);
    fflush(stdout);
}

/* ---- a connection ----------------------------------------------------------- */

static fl_time request_timeout = FL_MS(10000);
static void release(struct conn *c);

static fl_cmd handle(fl_task *self)
{
    struct conn *c = (struct conn *)self;
    FL_BEGIN(self);
    fl_sock_op_init(&c->op, request_timeout);
    c->len = 0;
    c->req[0] = '\0';
    c->status = 200;
    while (!header_done(c)) {
        if (c->len == REQ_MAX) {
            c->status = 400; /* a line, or the header, too long */
            break;
        }
        FL_SOCK_RECV(self, c->n, &c->op, c->fd, c->req + c->len, REQ_MAX - c->len);
        if (c->n == FL_ETIMEDOUT && c->len > 0) {
            c->status = 408; /* began, never finished */
            break;
        }
        FL_CHECK(self, c->n); /* an error, or silence from the start */
        if (c->n == 0)
            FL_FAIL(self, FL_ECLOSED); /* hung up before asking */
        if (memchr(c->req + c->len, '\0', (size_t)c->n) != NULL)
            c->status = 400; /* binary: no request at all */
        c->len += (size_t)c->n;
        c->req[c->len] = '\0';
        if (c->status != 200)
            break;
    }
    log_request(respond(c), c->req);
    FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->head, strlen(c->head));
    FL_CHECK(self, c->n);
    FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->body, strlen(c->body));
    FL_CHECK(self, c->n);
    served++;
    if (max_requests != 0 && served >= max_requests)
        FL_EXIT(self, 0); /* stop the whole loop: run_until_complete returns 0 */
    /* Lingering close: our side done, the client's read out. */
    shutdown(c->fd, SHUT_WR);
    fl_sock_op_init(&c->op, FL_MS(1000));
    do {
        FL_SOCK_RECV(self, c->n, &c->op, c->fd, c->req, REQ_MAX);
    } while (c->n > 0);
    FL_FINALLY(self);
    release(c);
    FL_END(self);
}

/* ---- the acceptor ------------------------------------------------------------- */

struct server {
    fl_task task;
    struct acceptor acc;
    int i;
    int free_slots[MAX_CONNS], n_free;
    struct conn conns[MAX_CONNS];
};

static struct server server;

/* A connection's end: its fd closed, its slot free again. */
static void release(struct conn *c)
{
    fl_sock_close(c->fd);
    server.free_slots[server.n_free++] = (int)(c - server.conns);
    server.acc.active--;
}

/* Turned away: a short 503, if the socket takes it at once. */
static void say_busy(int fd)
{
    static const char busy[] = "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
                               "Connection: close\r\n\r\n";
    (void)!send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static fl_cmd serve(fl_task *self)
{
    struct server *s = (struct server *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_CALL(self, &s->acc.frame, accept_next(self, &s->acc));
        s->i = s->free_slots[--s->n_free];
        s->conns[s->i].fd = (int)fl_frame_result(&s->acc.frame);
        fl_task_init(&s->conns[s->i].task, handle);
        FL_SPAWN(self, &s->conns[s->i].task, NULL);
    }
    FL_FINALLY(self);
    for (s->i = 0; s->i < MAX_CONNS; s->i++)
        fl_cancel(&loop, &s->conns[s->i].task);
    fl_cancel(&loop, &stopper);
    FL_END(self);
}

/* ---- the self-test's clients ----------------------------------------------- */

struct fetch {
    fl_task task;
    fl_sock_op op;
    unsigned port;
    const char *request, *expect;
    int fd, n, i;
    size_t len;
    char reply[8192];
};

/* Sends the request in one piece (or a byte at a time, when it starts
 * with '1'), reads the answer to the end, checks its status line. */
static fl_cmd fetch(fl_task *self)
{
    struct fetch *f = (struct fetch *)self;
    FL_BEGIN(self);
    FL_TCP_CONNECT(self, f->fd, &f->op, "127.0.0.1", f->port);
    FL_CHECK(self, f->fd);
    if (f->request[0] == '1') {
        for (f->i = 1; f->request[f->i] != '\0'; f->i++) {
            FL_SOCK_SEND_ALL(self, f->n, &f->op, f->fd, f->request + f->i, 1);
            FL_CHECK(self, f->n);
        }
    } else {
        FL_SOCK_SEND_ALL(self, f->n, &f->op, f->fd, f->request, strlen(f->request));
        FL_CHECK(self, f->n);
    }
    f->len = 0;
    do { /* HTTP/1.0: the answer ends when the server closes */
        FL_SOCK_RECV(self, f->n, &f->op, f->fd, f->reply + f->len, sizeof f->reply - 1 - f->len);
        FL_CHECK(self, f->n);
        f->len += (size_t)f->n;
    } while (f->n > 0 && f->len < sizeof f->reply - 1);
    f->reply[f->len] = '\0';
    if (strncmp(f->reply, f->expect, strlen(f->expect)) != 0)
        FL_FAIL(self, FL_EINVAL);
    FL_FINALLY(self);
    if (f->fd >= 0)
        fl_sock_close(f->fd);
    FL_END(self);
}

static const char *const requests[][2] = {
    {"GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 200"},
    {"GET /tasks HTTP/1.0\r\n\r\n", "HTTP/1.0 200"},
    {"GET /missing HTTP/1.0\r\n\r\n", "HTTP/1.0 404"},
    {"BREW /pot HTTP/1.0\r\n\r\n", "HTTP/1.0 501"},
    {"GET  / HTTP/1.0\r\n\r\n", "HTTP/1.0 400"},
    {"GET / HTTP/1.0 junk\r\n\r\n", "HTTP/1.0 400"},
    {"\x01\x02\xff binary\r\n\r\n", "HTTP/1.0 400"},
    {"1HEAD / HTTP/1.0\r\n\r\n", "HTTP/1.0 200"}, /* a byte at a time */
    {"GET / HTTP/1.0\r\n", "HTTP/1.0 408"},       /* the empty line never comes */
};
#define N_REQUESTS (sizeof requests / sizeof requests[0])

static struct fetch fetches[N_REQUESTS];

struct test {
    fl_task task;
    unsigned i;
};

static fl_cmd run_test(fl_task *self)
{
    struct test *t = (struct test *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &server.task, NULL);
    for (t->i = 0; t->i < N_REQUESTS; t->i++)
        FL_SPAWN(self, &fetches[t->i].task, NULL);
    for (t->i = 0; t->i < N_REQUESTS; t->i++)
        FL_JOIN(self, &fetches[t->i].task);
    FL_CANCEL(self, &server.task);
    FL_END(self);
}

/* ---- main ------------------------------------------------------------------- */

static int fail(const char *what, int rc)
{
    fprintf(stderr, "http_server: %s: %s\n", what,
            rc > -200 ? strerror(-rc) : fl_strerror(rc));
    return 1;
}

static int server_init(const char *port_name, unsigned port, int limit)
{
    int i, rc;
    fl_port *p;
    memset(&server.acc, 0, sizeof server.acc);
    if ((p = port_named(port_name, &server.acc.fd_limit)) == NULL)
        return fail(port_name, FL_EINVAL);
    if ((rc = fl_loop_init(&loop, p)) != 0)
        return fail("loop", rc);
    server.acc.who = "http_server";
    server.acc.port_name = port_name;
    server.acc.limit = limit;
    server.acc.turn_away = say_busy;
    server.n_free = 0;
    for (i = 0; i < MAX_CONNS; i++) /* a conn is set up when it comes */
        server.free_slots[server.n_free++] = MAX_CONNS - 1 - i;
    server.acc.listen_fd = fl_tcp_listen("127.0.0.1", port, limit); /* backlog: the limit */
    if (server.acc.listen_fd < 0)
        return fail("listen", server.acc.listen_fd);
    fl_task_init(&server.task, serve);
    return 0;
}

static int self_test(const char *port_name)
{
    struct test t;
    unsigned i;
    int rc;
    request_timeout = FL_MS(300);
    if ((rc = server_init(port_name, 0, MAX_CONNS)) != 0)
        return rc;
    for (i = 0; i < N_REQUESTS; i++) {
        memset(&fetches[i], 0, sizeof fetches[i]);
        fl_task_init(&fetches[i].task, fetch);
        fl_sock_op_init(&fetches[i].op, FL_MS(5000));
        fetches[i].port = (unsigned)fl_sock_port(server.acc.listen_fd);
        fetches[i].request = requests[i][0];
        fetches[i].expect = requests[i][1];
        fetches[i].fd = -1;
    }
    memset(&t, 0, sizeof t);
    fl_task_init(&t.task, run_test);
    rc = fl_run_until_complete(&loop, &t.task, FL_RUN_JOIN, 0, NULL);
    fl_sock_close(server.acc.listen_fd);
    for (i = 0; rc == 0 && i < N_REQUESTS; i++)
        if (!fl_task_finished(&fetches[i].task)) {
            fprintf(stderr, "http_server: %s: the answer to request %u was not %s\n",
                    port_name, i, requests[i][1]);
            rc = fl_task_error(&fetches[i].task);
        }
    if (rc != 0)
        return fail(port_name, rc);
    printf("http_server on %s: %u requests answered as they should be\n", port_name,
           (unsigned)N_REQUESTS);
    return 0;
}

int main(int argc, char **argv)
{
    const char *port_name = port_names[0];
    unsigned port = 8080;
    long fds, timeout_s = 10;
    int limit = 0, opt, rc;
    size_t i;

    if (argc == 1) {
        for (i = 0; i < N_PORTS; i++)
            if (self_test(port_names[i]) != 0)
                return 1;
        return 0;
    }
    while ((opt = getopt(argc, argv, "p:b:c:i:n:")) != -1) {
        switch (opt) {
        case 'p': port = (unsigned)atoi(optarg); break;
        case 'b': port_name = optarg; break;
        case 'c': limit = atoi(optarg); break;
        case 'i': timeout_s = atol(optarg); break;
        case 'n': max_requests = strtoul(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: http_server [-p PORT] [-b select|poll|epoll] [-c CONNS] "
                            "[-i SECONDS] [-n REQUESTS]\n");
            return 2;
        }
    }
    fds = raise_fd_limit();
    if (port_named(port_name, &server.acc.fd_limit) == NULL)
        return fail(port_name, FL_EINVAL);
    limit = connection_limit("http_server", limit, MAX_CONNS, server.acc.fd_limit, fds);
    request_timeout = timeout_s > 0 ? FL_MS(timeout_s * 1000) : 0;
    if ((rc = server_init(port_name, port, limit)) != 0)
        return rc;
    printf("listening on http://127.0.0.1:%d/ (%s, up to %d connections)\n",
           fl_sock_port(server.acc.listen_fd), port_name, limit);
    fflush(stdout);
    rc = run_until_stopped(&loop, &server.task);
    fl_sock_close(server.acc.listen_fd);
    if (rc != 0)
        return fail("server", rc);
    printf("http_server: served %lu requests, refused %lu connections\n", served,
           server.acc.refused);
    return 0;
}
