/* SPDX-License-Identifier: MIT */
/*
 * check_net.c - sockets in tasks over loopback, ports picked by the kernel,
 * on each POSIX port (select, poll, epoll): echo round trips over TCP and
 * UDP on IPv4 and IPv6, 200 clients at once with every byte checked, a
 * peer closing mid-transfer, refused connections, recv timeouts,
 * cancelling a task blocked in recv or accept (the fd stays usable),
 * connect/close cycles that reuse fd numbers, accept out of fds, socket
 * options, and fds a port must refuse.
 *
 * Built against a library configured for many tasks (FL_MAX_TASKS=512)
 * and fds up to 2047 (FL_MAX_FDS=2048), so that the poll and epoll ports'
 * limit can be reached.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/support.h"

static fl_loop loop;

static void setup(void)
{
    ck_assert_int_eq(fl_loop_init(&loop, test_port()), 0);
    log_reset();
}

static int run(fl_task *root)
{
    return fl_run_until_complete(&loop, root, FL_RUN_JOIN, 0, NULL);
}

/* ---- An echo server: an acceptor spawning a handler a connection ---------- */

#define MAX_CONNS 200
#define MSG_LEN 48

typedef struct handler {
    fl_task task;
    fl_sock_op op;
    int fd, n;
    char buf[256];
} handler;

typedef struct server {
    fl_task task;
    fl_sock_op op;
    int listen_fd, n, accepted, expect;
    handler handlers[MAX_CONNS];
} server;

/* Echoes until the peer closes, then closes its side. */
static fl_cmd echo_handler(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_SOCK_RECV(self, h->n, &h->op, h->fd, h->buf, sizeof h->buf);
        if (h->n <= 0)
            break;
        FL_SOCK_SEND_ALL(self, h->n, &h->op, h->fd, h->buf, (size_t)h->n);
        FL_CHECK(self, h->n);
    }
    FL_FINALLY(self);
    close(h->fd);
    FL_END(self);
}

/* Accepts `expect` connections, then joins their handlers. */
static fl_cmd echo_server(fl_task *self)
{
    server *s = (server *)self;
    FL_BEGIN(self);
    while (s->accepted < s->expect) {
        FL_SOCK_ACCEPT(self, s->n, &s->op, s->listen_fd, NULL, NULL);
        FL_CHECK(self, s->n);
        memset(&s->handlers[s->accepted], 0, sizeof(handler));
        s->handlers[s->accepted].fd = s->n;
        fl_task_init(&s->handlers[s->accepted].task, echo_handler);
        FL_SPAWN(self, &s->handlers[s->accepted].task, NULL);
        s->accepted++;
    }
    for (s->n = 0; s->n < s->accepted; s->n++)
        FL_JOIN(self, &s->handlers[s->n].task);
    FL_END(self);
}

static server srv;

static int start_server(const char *addr, int expect)
{
    memset(&srv, 0, sizeof srv);
    srv.listen_fd = fl_tcp_listen(addr, 0, 256);
    ck_assert_int_ge(srv.listen_fd, 0);
    srv.expect = expect;
    fl_task_init(&srv.task, echo_server);
    ck_assert_int_eq(fl_spawn(&loop, &srv.task, NULL), 0);
    return fl_sock_port(srv.listen_fd);
}

/* ---- Clients ---------------------------------------------------------------- */

typedef struct client {
    fl_task task;
    fl_sock_op op;
    const char *addr;
    int port, id, fd, n, i, msgs;
    char out[MSG_LEN], in[MSG_LEN];
} client;

static void fill(char *buf, int id, int i)
{
    int k;
    for (k = 0; k < MSG_LEN; k++)
        buf[k] = (char)((id * 131 + i * 7 + k * 13) & 0xFF);
}

/* Connects, sends `msgs` messages and checks each echo byte for byte. */
static fl_cmd echo_client(fl_task *self)
{
    client *c = (client *)self;
    FL_BEGIN(self);
    c->fd = -1;
    FL_TCP_CONNECT(self, c->n, &c->op, c->addr, (unsigned)c->port);
    FL_CHECK(self, c->n);
    c->fd = c->n;
    for (c->i = 0; c->i < c->msgs; c->i++) {
        fill(c->out, c->id, c->i);
        FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->out, MSG_LEN);
        FL_CHECK(self, c->n);
        memset(c->in, 0, MSG_LEN);
        FL_SOCK_RECV_EXACT(self, c->n, &c->op, c->fd, c->in, MSG_LEN);
        FL_CHECK(self, c->n);
        ck_assert_int_eq(c->n, MSG_LEN);
        ck_assert_int_eq(memcmp(c->in, c->out, MSG_LEN), 0);
    }
    FL_RETURN(self, c->i);
    FL_FINALLY(self);
    if (c->fd >= 0)
        close(c->fd);
    FL_END(self);
}

static client clients[MAX_CONNS];

typedef struct scene {
    fl_task task;
    int nclients, i;
} scene;

/* Spawns the clients, joins them, then joins the server. */
static fl_cmd run_clients(fl_task *self)
{
    scene *s = (scene *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->nclients; s->i++)
        FL_SPAWN(self, &clients[s->i].task, NULL);
    for (s->i = 0; s->i < s->nclients; s->i++)
        FL_JOIN(self, &clients[s->i].task);
    FL_JOIN(self, &srv.task);
    FL_END(self);
}

static void echo_scene(const char *addr, int nclients, int msgs)
{
    scene s;
    int i, port = start_server(addr, nclients);
    for (i = 0; i < nclients; i++) {
        memset(&clients[i], 0, sizeof clients[i]);
        fl_task_init(&clients[i].task, echo_client);
        fl_sock_op_init(&clients[i].op, 0);
        clients[i].addr = addr;
        clients[i].port = port;
        clients[i].id = i;
        clients[i].msgs = msgs;
    }
    memset(&s, 0, sizeof s);
    s.nclients = nclients;
    fl_task_init(&s.task, run_clients);
    ck_assert_int_eq(run(&s.task), 0);
    for (i = 0; i < nclients; i++) {
        ck_assert(fl_task_finished(&clients[i].task));
        ck_assert_int_eq((int)fl_task_result(&clients[i].task), msgs);
    }
    ck_assert_int_eq(srv.accepted, nclients);
    close(srv.listen_fd);
}

START_TEST(echo_round_trips_over_ipv4)
{
    echo_scene("127.0.0.1", 1, 20);
}
END_TEST

START_TEST(echo_round_trips_over_ipv6)
{
    echo_scene("::1", 2, 10);
}
END_TEST

START_TEST(two_hundred_clients_with_a_hundred_messages_each)
{
    echo_scene("127.0.0.1", MAX_CONNS, 100);
}
END_TEST

/* ---- A peer that closes early --------------------------------------------- */

/* Reads a few bytes, then closes without answering. */
static fl_cmd rude_handler(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_SOCK_RECV_EXACT(self, h->n, &h->op, h->fd, h->buf, 10);
    FL_CHECK(self, h->n);
    FL_SOCK_SEND_ALL(self, h->n, &h->op, h->fd, "part", 4);
    FL_CHECK(self, h->n);
    close(h->fd);
    FL_END(self);
}

typedef struct pair {
    fl_task task;
    fl_sock_op op;
    int listen_fd, fd, n, i;
    char buf[64];
    handler peer;
} pair;

static fl_cmd early_close_client(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    p->listen_fd = fl_tcp_listen("127.0.0.1", 0, 4);
    FL_CHECK(self, p->listen_fd);
    FL_TCP_CONNECT(self, p->fd, &p->op, "127.0.0.1", (unsigned)fl_sock_port(p->listen_fd));
    FL_CHECK(self, p->fd);
    FL_SOCK_ACCEPT(self, p->peer.fd, &p->op, p->listen_fd, NULL, NULL);
    FL_CHECK(self, p->peer.fd);
    fl_task_init(&p->peer.task, rude_handler);
    FL_SPAWN(self, &p->peer.task, NULL);

    FL_SOCK_SEND_ALL(self, p->n, &p->op, p->fd, "0123456789", 10);
    ck_assert_int_eq(p->n, 10);
    /* 4 bytes come, then the end: recv_exact says closed, with what came. */
    FL_SOCK_RECV_EXACT(self, p->n, &p->op, p->fd, p->buf, 16);
    ck_assert_int_eq(p->n, FL_ECLOSED);
    ck_assert_uint_eq(p->op.done, 4);
    ck_assert_int_eq(memcmp(p->buf, "part", 4), 0);
    /* A plain recv sees the end as 0. */
    FL_SOCK_RECV(self, p->n, &p->op, p->fd, p->buf, sizeof p->buf);
    ck_assert_int_eq(p->n, 0);
    /* Sending into a closed connection fails with an error, not SIGPIPE. */
    for (p->i = 0; p->i < 100; p->i++) {
        memset(p->buf, 'x', sizeof p->buf);
        FL_SOCK_SEND_ALL(self, p->n, &p->op, p->fd, p->buf, sizeof p->buf);
        if (p->n < 0)
            break;
        FL_SLEEP(self, 1);
    }
    ck_assert(p->n == -EPIPE || p->n == -ECONNRESET);
    FL_JOIN(self, &p->peer.task);
    FL_FINALLY(self);
    close(p->fd);
    close(p->listen_fd);
    FL_END(self);
}

START_TEST(peer_closing_mid_transfer_is_an_error_not_a_crash)
{
    pair p;
    memset(&p, 0, sizeof p);
    fl_task_init(&p.task, early_close_client);
    ck_assert_int_eq(run(&p.task), 0);
}
END_TEST

/* ---- Refused, timed out, cancelled ------------------------------------------ */

static fl_cmd connect_to(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    FL_TCP_CONNECT(self, p->n, &p->op, (const char *)p->buf, (unsigned)p->i);
    if (p->n >= 0)
        close(p->n);
    FL_RETURN(self, p->n);
    FL_END(self);
}

START_TEST(connecting_to_a_closed_port_is_refused)
{
    pair p;
    int port, fd = fl_tcp_listen("127.0.0.1", 0, 1);
    ck_assert_int_ge(fd, 0);
    port = fl_sock_port(fd);
    close(fd); /* nobody listens there now */
    memset(&p, 0, sizeof p);
    strcpy(p.buf, "127.0.0.1");
    p.i = port;
    fl_task_init(&p.task, connect_to);
    ck_assert_int_eq(run(&p.task), 0);
    ck_assert_int_eq((int)fl_task_result(&p.task), -ECONNREFUSED);
}
END_TEST

START_TEST(a_name_instead_of_a_numeric_address_is_refused)
{
    pair p;
    memset(&p, 0, sizeof p);
    strcpy(p.buf, "localhost");
    p.i = 80;
    fl_task_init(&p.task, connect_to);
    ck_assert_int_eq(run(&p.task), 0);
    ck_assert_int_eq((int)fl_task_result(&p.task), FL_EINVAL);
    ck_assert_int_eq(fl_tcp_listen("nowhere", 0, 1), FL_EINVAL);
    ck_assert_int_eq(fl_tcp_listen("127.0.0.1", 70000, 1), FL_EINVAL);
    ck_assert_int_eq(fl_tcp_listen(NULL, 0, 1), FL_EINVAL);
}
END_TEST

/* A connected pair: p->fd and p->peer.fd. */
static void socket_pair(pair *p)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fl_sock_nonblock(sv[0]), 0);
    ck_assert_int_eq(fl_sock_nonblock(sv[1]), 0);
    p->fd = sv[0];
    p->peer.fd = sv[1];
}

/* recv with a 30 ms timeout on a quiet socket, then again after data. */
static fl_cmd recv_with_timeout(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    fl_sock_op_init(&p->op, FL_MS(30));
    p->i = (int)fl_now(&loop);
    FL_SOCK_RECV(self, p->n, &p->op, p->fd, p->buf, sizeof p->buf);
    ck_assert_int_eq(p->n, FL_ETIMEDOUT);
    ck_assert_int_ge((int)(fl_now(&loop) - (fl_time)p->i), 30);
    ck_assert_uint_eq(loop_timers(&loop), 0);
    /* The fd is still fine and the deadline is gone. */
    ck_assert_int_eq(write(p->peer.fd, "late", 4), 4);
    FL_SOCK_RECV(self, p->n, &p->op, p->fd, p->buf, sizeof p->buf);
    ck_assert_int_eq(p->n, 4);
    FL_SLEEP(self, FL_MS(40)); /* no stale deadline cuts this short */
    FL_END(self);
}

START_TEST(recv_times_out_and_the_socket_stays_usable)
{
    pair p;
    memset(&p, 0, sizeof p);
    socket_pair(&p);
    fl_task_init(&p.task, recv_with_timeout);
    ck_assert_int_eq(run(&p.task), 0);
    close(p.fd);
    close(p.peer.fd);
}
END_TEST

/* A blocked receiver for cancel_blocked: logs how its recv ended. */
static fl_cmd blocked_recv(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_SOCK_RECV(self, h->n, &h->op, h->fd, h->buf, sizeof h->buf);
    log_add("recv:%d", h->n);
    FL_CHECK(self, h->n);
    FL_END(self);
}

static fl_cmd blocked_accept(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_SOCK_ACCEPT(self, h->n, &h->op, h->fd, NULL, NULL);
    log_add("accept:%d", h->n);
    FL_CHECK(self, h->n);
    FL_END(self);
}

/* Spawns p->peer (blocked on its fd), cancels it, then checks that the fd
 * is still open and a new task can use it. */
static fl_cmd cancel_blocked(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &p->peer.task, NULL);
    FL_SLEEP(self, FL_MS(5));
    ck_assert_int_eq(fl_task_state(&p->peer.task), FL_TASK_WAITING);
    FL_CANCEL(self, &p->peer.task);
    ck_assert(fl_task_cancelled(&p->peer.task));
    ck_assert_int_ge(fcntl(p->peer.fd, F_GETFD), 0); /* still open */
    /* Make it ready, then wait on it again with a fresh task. */
    if (p->i == 0) {
        ck_assert_int_eq(write(p->fd, "ok", 2), 2);
    } else {
        FL_TCP_CONNECT(self, p->fd, &p->op, "127.0.0.1", (unsigned)fl_sock_port(p->peer.fd));
        FL_CHECK(self, p->fd);
    }
    fl_task_init(&p->peer.task, p->i == 0 ? blocked_recv : blocked_accept);
    FL_SPAWN(self, &p->peer.task, NULL);
    FL_JOIN(self, &p->peer.task);
    FL_END(self);
}

START_TEST(cancelling_a_task_blocked_in_recv_keeps_the_fd)
{
    pair p;
    char expect[64];
    memset(&p, 0, sizeof p);
    socket_pair(&p);
    fl_task_init(&p.peer.task, blocked_recv);
    fl_task_init(&p.task, cancel_blocked);
    ck_assert_int_eq(run(&p.task), 0);
    snprintf(expect, sizeof expect, "recv:%d recv:2", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    close(p.fd);
    close(p.peer.fd);
}
END_TEST

START_TEST(cancelling_a_task_blocked_in_accept_keeps_the_fd)
{
    pair p;
    memset(&p, 0, sizeof p);
    p.peer.fd = fl_tcp_listen("127.0.0.1", 0, 4);
    ck_assert_int_ge(p.peer.fd, 0);
    p.i = 1;
    fl_task_init(&p.peer.task, blocked_accept);
    fl_task_init(&p.task, cancel_blocked);
    ck_assert_int_eq(run(&p.task), 0);
    ck_assert(strncmp(log_text(), "accept:-203 accept:", 19) == 0);
    ck_assert_int_eq(FL_ECANCELLED, -203);
    close(p.fd);
    close(p.peer.n);
    close(p.peer.fd);
}
END_TEST

/* ---- fairness ---------------------------------------------------------- */

/* Reads `n` bytes one at a time from a socket that always has data. */
static fl_cmd flood_reader(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    for (p->i = 0; p->i < p->n; p->i++) {
        FL_SOCK_RECV(self, p->listen_fd, &p->op, p->fd, p->buf, 1);
        FL_CHECK(self, p->listen_fd);
    }
    log_add("flood done");
    FL_END(self);
}

static int quiet_writer = -1;

/* After 2 ms, makes the quiet socket readable. */
static fl_cmd short_sleeper(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(2));
    log_add("timer");
    ck_assert_int_eq(write(quiet_writer, "q", 1), 1);
    FL_END(self);
}

static pair flood;
static fl_task sleeper;
static handler quiet; /* waits in select() until the sleeper writes */

static fl_cmd busy_scene(fl_task *self)
{
    FL_BEGIN(self);
    FL_SPAWN(self, &flood.task, NULL);
    FL_SPAWN(self, &sleeper, NULL);
    FL_SPAWN(self, &quiet.task, NULL);
    FL_JOIN(self, &flood.task);
    FL_JOIN(self, &sleeper);
    FL_JOIN(self, &quiet.task);
    FL_END(self);
}

START_TEST(a_socket_that_is_always_ready_does_not_starve_timers_or_other_sockets)
{
    fl_task root;
    int sv[2];
    char chunk[4096];
    ssize_t w;

    memset(&flood, 0, sizeof flood);
    memset(&quiet, 0, sizeof quiet);
    memset(chunk, 'f', sizeof chunk);
    socket_pair(&flood);
    /* Fill the flood socket as far as the kernel takes. */
    while ((w = write(flood.peer.fd, chunk, sizeof chunk)) > 0)
        flood.n += (int)w;
    ck_assert_int_gt(flood.n, 8192);
    fl_task_init(&flood.task, flood_reader);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fl_sock_nonblock(sv[0]), 0);
    quiet_writer = sv[1];
    quiet.fd = sv[0];
    fl_task_init(&quiet.task, blocked_recv); /* logs recv:1 */
    fl_task_init(&sleeper, short_sleeper);
    fl_task_init(&root, busy_scene);

    ck_assert_int_eq(run(&root), 0);
    /* Both came in while the flood was still being read: the timer, then
     * the socket that became ready meanwhile. */
    ck_assert_str_eq(log_text(), "timer recv:1 flood done");
    close(flood.fd);
    close(flood.peer.fd);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* ---- fds the backend cannot watch --------------------------------------------- */

static fl_cmd recv_on(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_SOCK_RECV(self, h->n, &h->op, h->fd, h->buf, sizeof h->buf);
    FL_RETURN(self, h->n);
    FL_END(self);
}

/* recv on fd, each wait bounded by `timeout` (0: none). */
static int recv_result(int fd, fl_time timeout)
{
    handler h;
    memset(&h, 0, sizeof h);
    h.fd = fd;
    fl_sock_op_init(&h.op, timeout);
    fl_task_init(&h.task, recv_on);
    ck_assert_int_eq(run(&h.task), 0);
    return (int)fl_task_result(&h.task);
}

/* The soft fd limit up to the hard one; false if that is not `need`. */
static bool fd_limit_at_least(rlim_t need)
{
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < need && rl.rlim_max != rl.rlim_cur) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    return rl.rlim_cur >= need;
}

/* The fd at the port's limit (select: FD_SETSIZE, the others FL_MAX_FDS)
 * is an open socket with no data: FL_ERANGE when recv has to wait on it;
 * the one below it is watched like any other (its recv times out). */
START_TEST(fds_beyond_the_ports_reach_or_closed_are_refused)
{
    int sv[2], limit = test_backend_now()->capacity;
    ck_assert_int_eq(recv_result(-1, 0), -EBADF);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    close(sv[0]);
    close(sv[1]);
    ck_assert_int_eq(recv_result(sv[0], 0), -EBADF);
    /* A plain file is no socket. */
    ck_assert_int_eq(recv_result(0, 0) < 0, 1);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fl_sock_nonblock(sv[0]), 0);
    if (!fd_limit_at_least((rlim_t)limit + 1)) {
        fprintf(stderr, "check_net: the fd limit is below %d: not tried at it\n", limit + 1);
    } else {
        ck_assert_int_eq(dup2(sv[0], limit), limit);
        ck_assert_int_eq(recv_result(limit, 0), FL_ERANGE);
        ck_assert_int_eq(fl_sock_close(limit), 0);
        ck_assert_int_eq(dup2(sv[0], limit - 1), limit - 1);
        ck_assert_int_eq(recv_result(limit - 1, FL_MS(10)), FL_ETIMEDOUT);
        ck_assert_int_eq(fl_sock_close(limit - 1), 0);
    }
    ck_assert_int_eq(fl_sock_close(sv[0]), 0);
    ck_assert_int_eq(fl_sock_close(sv[1]), 0);
}
END_TEST

/* ---- fd numbers reused, fds run out, options -------------------------------- */

/* Connects, sends, checks the echo, closes with a plain close(): `msgs`
 * times, so each new socket (and the server's accepted one) gets the
 * number the last one had.  Under epoll the socket layer's news of each
 * new socket is what keeps the old registration from being trusted. */
static fl_cmd connect_close_cycles(fl_task *self)
{
    client *c = (client *)self;
    FL_BEGIN(self);
    for (c->i = 0; c->i < c->msgs; c->i++) {
        FL_TCP_CONNECT(self, c->fd, &c->op, c->addr, (unsigned)c->port);
        FL_CHECK(self, c->fd);
        fill(c->out, c->id, c->i);
        FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->out, MSG_LEN);
        FL_CHECK(self, c->n);
        FL_SOCK_RECV_EXACT(self, c->n, &c->op, c->fd, c->in, MSG_LEN);
        FL_CHECK(self, c->n);
        ck_assert_int_eq(memcmp(c->in, c->out, MSG_LEN), 0);
        close(c->fd);
        c->fd = -1;
    }
    FL_RETURN(self, c->i);
    FL_FINALLY(self);
    if (c->fd >= 0)
        close(c->fd);
    FL_END(self);
}

START_TEST(connect_close_cycles_reuse_fd_numbers)
{
    scene s;
    int port = start_server("127.0.0.1", 40);
    memset(&clients[0], 0, sizeof clients[0]);
    fl_task_init(&clients[0].task, connect_close_cycles);
    fl_sock_op_init(&clients[0].op, FL_MS(2000));
    clients[0].addr = "127.0.0.1";
    clients[0].port = port;
    clients[0].msgs = 40;
    memset(&s, 0, sizeof s);
    s.nclients = 1;
    fl_task_init(&s.task, run_clients);
    ck_assert_int_eq(run(&s.task), 0);
    ck_assert_int_eq((int)fl_task_result(&clients[0].task), 40);
    ck_assert_int_eq(srv.accepted, 40);
    close(srv.listen_fd);
}
END_TEST

/* A raw wait, FL_IO_WAIT of the application's own, on a number whose
 * last file was a socket of the layer, closed with a plain close(): under
 * epoll the socket's registration is not taken for the pipe's. */
static fl_cmd wait_raw(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, FL_MS(2000));
    FL_IO_WAIT_RC(self, h->n, h->fd, FL_IO_READ);
    FL_RETURN(self, h->n);
    FL_END(self);
}

static fl_cmd write_soon(fl_task *self)
{
    handler *h = (handler *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    ck_assert_int_eq(write(h->fd, "p", 1), 1);
    FL_END(self);
}

START_TEST(a_pipe_on_the_number_of_a_plainly_closed_socket_is_watched_afresh)
{
    int sv[2], p[2];
    handler r, w;
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fl_sock_nonblock(sv[0]), 0);
    ck_assert_int_eq(recv_result(sv[0], FL_MS(10)), FL_ETIMEDOUT); /* watched, then left */
    close(sv[0]);
    close(sv[1]);
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(p[0], sv[0]); /* the socket's number, a pipe now */
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    r.fd = p[0];
    w.fd = p[1];
    fl_task_init(&r.task, wait_raw);
    fl_task_init(&w.task, write_soon);
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(run(&r.task), 0);
    ck_assert_int_eq((int)fl_task_result(&r.task), 0);
    close(p[0]);
    close(p[1]);
}
END_TEST

/* Out of fds, accept says so (-EMFILE) and takes nothing: the connection
 * waits in the backlog and comes out once an fd is free. */
static fl_cmd accept_twice(fl_task *self)
{
    pair *p = (pair *)self;
    FL_BEGIN(self);
    FL_SOCK_ACCEPT(self, p->n, &p->op, p->listen_fd, NULL, NULL);
    log_add("accept:%d", p->n);
    ck_assert_int_eq(close(p->i), 0); /* an fd comes free */
    FL_SOCK_ACCEPT(self, p->n, &p->op, p->listen_fd, NULL, NULL);
    log_add("accept:%s", p->n >= 0 ? "fd" : "error");
    if (p->n >= 0)
        close(p->n);
    FL_END(self);
}

/* Whether the kernel itself holds the process to `limit` fds.  Under
 * valgrind it does not: valgrind plays the limit itself, and an accept
 * past it is done by the kernel, then closed by valgrind: the connection
 * would be lost, which is not what this test is about. */
static bool kernel_fd_limit_is(rlim_t limit)
{
    char line[256];
    unsigned long soft = 0;
    bool found = false;
    FILE *f = fopen("/proc/self/limits", "r");
    if (f == NULL)
        return true; /* no way to tell: trust it */
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Max open files %lu", &soft) == 1)
            found = true;
    fclose(f);
    return !found || soft == (unsigned long)limit;
}

START_TEST(accept_out_of_fds_takes_nothing_and_goes_on_once_one_is_free)
{
    pair p;
    struct rlimit saved, low;
    char expect[64];
    int client_fd, fill_fd;
    memset(&p, 0, sizeof p);
    p.listen_fd = fl_tcp_listen("127.0.0.1", 0, 4);
    ck_assert_int_ge(p.listen_fd, 0);
    client_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(client_fd, 0);
    {
        struct sockaddr_storage ss;
        unsigned len = sizeof ss;
        ck_assert_int_eq(fl_sock_addr("127.0.0.1", (unsigned)fl_sock_port(p.listen_fd), &ss,
                                      &len), 0);
        ck_assert_int_eq(connect(client_fd, (struct sockaddr *)&ss, (socklen_t)len), 0);
    }
    /* Every fd up to a low limit taken: the last one is p.i. */
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
    low = saved;
    low.rlim_cur = (rlim_t)client_fd + 8;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    if (!kernel_fd_limit_is(low.rlim_cur)) {
        fprintf(stderr, "check_net: the fd limit is not the kernel's (valgrind?): "
                        "accept out of fds not tried\n");
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
        close(client_fd);
        close(p.listen_fd);
        return;
    }
    p.i = -1;
    while ((fill_fd = dup(client_fd)) >= 0)
        p.i = fill_fd;
    ck_assert_int_eq(errno, EMFILE);
    ck_assert_int_ge(p.i, 0);
    fl_task_init(&p.task, accept_twice);
    ck_assert_int_eq(run(&p.task), 0);
    snprintf(expect, sizeof expect, "accept:%d accept:fd", -EMFILE);
    ck_assert_str_eq(log_text(), expect);
    for (fill_fd = client_fd + 1; fill_fd < p.i; fill_fd++)
        close(fill_fd);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
    close(client_fd);
    close(p.listen_fd);
}
END_TEST

START_TEST(nodelay_is_set_on_tcp_and_refused_elsewhere)
{
    int fd = fl_tcp_listen("127.0.0.1", 0, 1), v = 0, sv[2];
    socklen_t len = sizeof v;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fl_sock_nodelay(fd, true), 0);
    ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    ck_assert_int_ne(v, 0);
    ck_assert_int_eq(fl_sock_nodelay(fd, false), 0);
    ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(fl_sock_close(fd), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_lt(fl_sock_nodelay(sv[0], true), 0); /* no TCP there */
    ck_assert_int_eq(fl_sock_nodelay(-1, true), -EBADF);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* ---- UDP ---------------------------------------------------------------- */

typedef struct udp {
    fl_task task;
    fl_sock_op op;
    const char *addr;
    int a, b, n;
    char buf[64];
    struct sockaddr_storage from;
    unsigned fromlen;
} udp;

/* a sends to b; b answers to whoever sent; a checks the answer. */
static fl_cmd udp_round_trip(fl_task *self)
{
    udp *u = (udp *)self;
    FL_BEGIN(self);
    u->a = fl_udp_bind(u->addr, 0);
    FL_CHECK(self, u->a);
    u->b = fl_udp_bind(u->addr, 0);
    FL_CHECK(self, u->b);
    u->fromlen = sizeof u->from;
    FL_CHECK(self, fl_sock_addr(u->addr, (unsigned)fl_sock_port(u->b), &u->from, &u->fromlen));
    FL_SOCK_SENDTO(self, u->n, &u->op, u->a, "ping", 4, (struct sockaddr *)&u->from,
                   u->fromlen);
    ck_assert_int_eq(u->n, 4);
    u->fromlen = sizeof u->from;
    FL_SOCK_RECVFROM(self, u->n, &u->op, u->b, u->buf, sizeof u->buf,
                     (struct sockaddr *)&u->from, &u->fromlen);
    ck_assert_int_eq(u->n, 4);
    ck_assert_int_eq(memcmp(u->buf, "ping", 4), 0);
    FL_SOCK_SENDTO(self, u->n, &u->op, u->b, "pong!", 5, (struct sockaddr *)&u->from,
                   u->fromlen);
    ck_assert_int_eq(u->n, 5);
    FL_SOCK_RECVFROM(self, u->n, &u->op, u->a, u->buf, sizeof u->buf, NULL, NULL);
    ck_assert_int_eq(u->n, 5);
    ck_assert_int_eq(memcmp(u->buf, "pong!", 5), 0);
    FL_FINALLY(self);
    close(u->a);
    close(u->b);
    FL_END(self);
}

static void udp_scene(const char *addr)
{
    udp u;
    memset(&u, 0, sizeof u);
    u.addr = addr;
    u.a = u.b = -1;
    fl_task_init(&u.task, udp_round_trip);
    ck_assert_int_eq(run(&u.task), 0);
}

/* A short recv means a drained stream socket, so the next recv waits
 * first; a datagram socket's short recv means no such thing.  Under a
 * level-triggered port the wait returns at once: both datagrams come. */
static fl_cmd two_datagrams(fl_task *self)
{
    udp *u = (udp *)self;
    FL_BEGIN(self);
    u->a = fl_udp_bind("127.0.0.1", 0);
    FL_CHECK(self, u->a);
    u->b = fl_udp_bind("127.0.0.1", 0);
    FL_CHECK(self, u->b);
    u->fromlen = sizeof u->from;
    FL_CHECK(self, fl_sock_addr("127.0.0.1", (unsigned)fl_sock_port(u->b), &u->from,
                                &u->fromlen));
    FL_SOCK_SENDTO(self, u->n, &u->op, u->a, "one", 3, (struct sockaddr *)&u->from, u->fromlen);
    ck_assert_int_eq(u->n, 3);
    FL_SOCK_SENDTO(self, u->n, &u->op, u->a, "two", 3, (struct sockaddr *)&u->from, u->fromlen);
    ck_assert_int_eq(u->n, 3);
    FL_SOCK_RECV(self, u->n, &u->op, u->b, u->buf, sizeof u->buf);
    ck_assert_int_eq(u->n, 3);
    ck_assert_int_eq(memcmp(u->buf, "one", 3), 0);
    FL_SOCK_RECV(self, u->n, &u->op, u->b, u->buf, sizeof u->buf);
    ck_assert_int_eq(u->n, 3);
    ck_assert_int_eq(memcmp(u->buf, "two", 3), 0);
    FL_FINALLY(self);
    close(u->a);
    close(u->b);
    FL_END(self);
}

START_TEST(datagrams_queued_behind_a_short_recv_are_received)
{
    udp u;
    memset(&u, 0, sizeof u);
    u.a = u.b = -1;
    fl_sock_op_init(&u.op, FL_MS(2000));
    fl_task_init(&u.task, two_datagrams);
    ck_assert_int_eq(run(&u.task), 0);
    ck_assert(fl_task_finished(&u.task));
}
END_TEST

START_TEST(udp_round_trip_over_ipv4)
{
    udp_scene("127.0.0.1");
}
END_TEST

START_TEST(udp_round_trip_over_ipv6)
{
    udp_scene("::1");
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, echo_round_trips_over_ipv4);
    tcase_add_test(tc, echo_round_trips_over_ipv6);
    tcase_add_test(tc, two_hundred_clients_with_a_hundred_messages_each);
    tcase_add_test(tc, peer_closing_mid_transfer_is_an_error_not_a_crash);
    tcase_add_test(tc, connecting_to_a_closed_port_is_refused);
    tcase_add_test(tc, a_name_instead_of_a_numeric_address_is_refused);
    tcase_add_test(tc, recv_times_out_and_the_socket_stays_usable);
    tcase_add_test(tc, cancelling_a_task_blocked_in_recv_keeps_the_fd);
    tcase_add_test(tc, cancelling_a_task_blocked_in_accept_keeps_the_fd);
    tcase_add_test(tc, a_socket_that_is_always_ready_does_not_starve_timers_or_other_sockets);
    tcase_add_test(tc, fds_beyond_the_ports_reach_or_closed_are_refused);
    tcase_add_test(tc, connect_close_cycles_reuse_fd_numbers);
    tcase_add_test(tc, a_pipe_on_the_number_of_a_plainly_closed_socket_is_watched_afresh);
    tcase_add_test(tc, accept_out_of_fds_takes_nothing_and_goes_on_once_one_is_free);
    tcase_add_test(tc, nodelay_is_set_on_tcp_and_refused_elsewhere);
    tcase_add_test(tc, udp_round_trip_over_ipv4);
    tcase_add_test(tc, udp_round_trip_over_ipv6);
    tcase_add_test(tc, datagrams_queued_behind_a_short_recv_are_received);
}

Suite *suite(void)
{
    Suite *s = suite_create("net");
    add_port_cases(s, add_tests, setup, NULL, 60);
    return s;
}
