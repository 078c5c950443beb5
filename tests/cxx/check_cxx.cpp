// SPDX-License-Identifier: MIT
//
// check_cxx.cpp - the public header as C++ sees it: every macro of
// flowno/flowno.h and gen/gen.h used in a C++ translation unit, built by
// make test with g++ and clang++ as C++11, 14, 17 and 20 under -Wall
// -Wextra -Wpedantic -Wold-style-cast -Werror, then run.  The library
// itself is the C build; only the header is C++ here.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flowno/flowno.h"

static int failures;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

// ---- a generator (gen.h alone) ----------------------------------------------

struct counter {
    gen_t g;
    int i;
    gen_t child;
    int got;
};

static int count_to_two(counter *c)
{
    GEN_BEGIN(&c->child);
    for (c->i = 1; c->i <= 2; c->i++)
        GEN_YIELD(&c->child, c->i);
    GEN_END(&c->child, 0);
}

static int outer(counter *c)
{
    GEN_BEGIN(&c->g);
    GEN_CALL(&c->g, &c->child, c->got, count_to_two(c));
    GEN_WAIT_UNTIL(&c->g, c->i > 2, -1);
    if (c->got != 0)
        GEN_EXIT(&c->g, -2);
    GEN_END(&c->g, 10);
}

static int restarts(counter *c)
{
    GEN_BEGIN(&c->g);
    if (c->i++ == 0)
        GEN_RESTART(&c->g, 1);
    GEN_END(&c->g, 2);
}

static void generators(void)
{
    counter c;
    int out[4], n = 0;
    std::memset(&c, 0, sizeof c);
    gen_init(&c.g);
    while (!gen_done(&c.g) && n < 4)
        out[n++] = outer(&c);
    CHECK(n == 3 && out[0] == 1 && out[1] == 2 && out[2] == 10);
    CHECK(!gen_lost(&c.g));
    std::memset(&c, 0, sizeof c);
    CHECK(restarts(&c) == 1 && restarts(&c) == 2 && gen_done(&c.g));
}

// ---- tasks on a hand-driven clock --------------------------------------------

static fl_time ticks;
static fl_time now_fn(void *)
{
    return ticks;
}

static fl_loop loop;
static fl_queue q;
static int q_storage[4];
static fl_event ev;
static fl_lock lock;
static fl_cond cond, quiet; // nobody notifies `quiet`
static fl_latch latch;
static fl_signal sig;

struct actor {
    fl_task task;
    int rc, n, item, sum;
    fl_frame frame;
    actor *other;
};

static actor *as_actor(fl_task *t)
{
    return reinterpret_cast<actor *>(t);
}

// A helper: yields, fails when asked, else returns its argument doubled.
static fl_cmd twice(fl_task *self, fl_frame *f, int v)
{
    FL_BEGIN_HELPER(self, f);
    FL_YIELD(self);
    if (v < 0)
        FL_FAIL(self, v);
    FL_RETURN(self, 2 * v);
    FL_FINALLY(self);
    if (fl_pending_error(self) != 0)
        as_actor(self)->sum += 1000;
    FL_END(self);
}

static fl_cmd producer(fl_task *self)
{
    actor *a = as_actor(self);
    FL_BEGIN(self);
    for (a->n = 1; a->n <= 3; a->n++) {
        a->item = a->n;
        FL_QUEUE_PUT(self, &q, &a->item);
    }
    a->item = 4;
    FL_QUEUE_PUT_RC(self, a->rc, &q, &a->item);
    CHECK(a->rc == 0);
    CHECK(fl_queue_close(&q) == 0);
    FL_END(self);
}

static fl_cmd consumer(fl_task *self)
{
    actor *a = as_actor(self);
    FL_BEGIN(self);
    FL_QUEUE_PEEK(self, &q, &a->item);
    CHECK(a->item == 1);
    FL_QUEUE_PEEK_RC(self, a->rc, &q, &a->item);
    FL_QUEUE_GET(self, &q, &a->item);
    a->sum += a->item;
    FL_QUEUE_GET_RC(self, a->rc, &q, &a->item);
    a->sum += a->item;
    FL_QUEUE_FOR_EACH(self, &q, &a->item) {
        a->sum += a->item;
    }
    FL_RETURN(self, a->sum); // 1 + 2 + 3 + 4
    FL_END(self);
}

static fl_cmd lock_holder(fl_task *self)
{
    actor *a = as_actor(self);
    FL_BEGIN(self);
    FL_LOCK(self, &lock);
    FL_COND_WAIT(self, &cond);
    a->sum += 1;
    FL_LOCK_RELEASE(self, &lock);
    FL_LOCK_RC(self, a->rc, &lock);
    FL_TIMEOUT(self, 5);
    FL_COND_WAIT_RC(self, a->rc, &quiet); // nobody notifies: times out
    CHECK(a->rc == FL_ETIMEDOUT);
    FL_LOCK_RELEASE_RC(self, a->rc, &lock);
    CHECK(a->rc == FL_EPERM); // the wait that failed left without the lock
    FL_EVENT_WAIT(self, &ev);
    FL_EVENT_WAIT_RC(self, a->rc, &ev);
    FL_LATCH_WAIT(self, &latch);
    FL_LATCH_WAIT_RC(self, a->rc, &latch);
    FL_SIGNAL_WAIT(self, &sig);
    FL_SIGNAL_WAIT_RC(self, a->rc, &sig);
    FL_RETURN(self, a->sum);
    FL_END(self);
}

static fl_cmd sleeps_until_cancelled(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(100000));
    FL_FINALLY(self);
    CHECK(fl_pending_error(self) == FL_ECANCELLED);
    FL_END(self);
}

static fl_cmd root_fn(fl_task *self)
{
    actor *a = as_actor(self);
    static actor prod, cons, holder, victim, victim2;
    FL_BEGIN(self);
    fl_task_init(&prod.task, producer);
    fl_task_init(&cons.task, consumer);
    FL_SPAWN(self, &cons.task, NULL);
    FL_SPAWN_RC(self, a->rc, &prod.task, NULL);
    FL_JOIN(self, &cons.task);
    CHECK(fl_task_result(&cons.task) == 10);
    FL_JOIN_RC(self, a->rc, &prod.task);
    CHECK(a->rc == 0 && fl_task_finished(&prod.task));

    std::memset(&holder, 0, sizeof holder);
    FL_SPAWN(self, &holder.task, lock_holder);
    FL_YIELD(self);
    FL_YIELD_RC(self, a->rc);
    FL_COND_NOTIFY(self, &cond, 1);
    FL_COND_NOTIFY_RC(self, a->rc, &cond, 1);
    FL_COND_NOTIFY_ALL(self, &cond);
    FL_COND_NOTIFY_ALL_RC(self, a->rc, &cond);
    FL_SLEEP(self, 10);
    FL_SLEEP_RC(self, a->rc, 1);
    FL_EVENT_SET(self, &ev);
    FL_EVENT_SET_RC(self, a->rc, &ev);
    FL_LATCH_COUNT_DOWN(self, &latch, false);
    FL_LATCH_COUNT_DOWN_RC(self, a->rc, &latch, false);
    fl_signal_raise(&sig);
    FL_YIELD(self);
    fl_signal_raise(&sig);
    FL_JOIN(self, &holder.task);
    CHECK(fl_task_result(&holder.task) == 1);

    FL_CALL(self, &a->frame, twice(self, &a->frame, 21));
    CHECK(fl_frame_result(&a->frame) == 42);
    FL_CALL_RC(self, a->rc, &a->frame, twice(self, &a->frame, -7));
    CHECK(a->rc == -7 && fl_frame_error(&a->frame) == -7 && a->sum == 1000);

    fl_task_init(&victim.task, sleeps_until_cancelled);
    fl_task_init(&victim2.task, sleeps_until_cancelled);
    FL_SPAWN(self, &victim.task, NULL);
    FL_SPAWN(self, &victim2.task, NULL);
    FL_CANCEL_NOWAIT(self, a->rc, &victim2.task);
    CHECK(a->rc == 1);
    FL_CANCEL(self, &victim.task);
    FL_CANCEL_RC(self, a->rc, &victim2.task);
    CHECK(a->rc == 0 && fl_task_cancelled(&victim2.task));
    FL_CHECK(self, 0);
    FL_AWAIT_RC(self, a->rc, fl_cmd_(FL_OP_YIELD, NULL));
    FL_AWAIT(self, fl_cmd_(FL_OP_YIELD, NULL));
    FL_EXIT(self, 77);
    FL_END(self);
}

static fl_cmd exits_with_error(fl_task *self)
{
    FL_BEGIN(self);
    FL_EXIT_ERROR(self, -1234);
    FL_END(self);
}

static void tasks(void)
{
    static fl_manual_port mp;
    actor root;
    fl_value result = 0;
    fl_port *port = fl_manual_port_init(&mp, now_fn, NULL);
    CHECK(port != NULL);
    CHECK(fl_loop_init(&loop, port) == 0);
    CHECK(fl_queue_init(&q, &loop, q_storage, sizeof(int), 4) == 0);
    CHECK(fl_event_init(&ev, &loop) == 0);
    CHECK(fl_lock_init(&lock, &loop) == 0);
    CHECK(fl_cond_init(&cond, &lock) == 0);
    CHECK(fl_cond_init(&quiet, &lock) == 0);
    CHECK(fl_latch_init(&latch, &loop, 2) == 0);
    CHECK(fl_signal_init(&sig, &loop) == 0);
    CHECK(!fl_loop_signal_pending(&loop));
    std::memset(&root, 0, sizeof root);
    fl_task_init(&root.task, root_fn);
    CHECK(fl_spawn(&loop, &root.task, NULL) == 0);
    // The manual port's wait returns at once: drive the clock by hand.
    for (int polls = 0; polls < 100000 && fl_task_alive(&root.task); polls++) {
        fl_time next = 0;
        if (fl_loop_poll(&loop, &next) < 0)
            break;
        if (next != 0 && next != FL_TIME_FOREVER)
            ticks += next;
    }
    CHECK(fl_task_finished(&root.task));
    CHECK(fl_task_result(&root.task) == 77);
    fl_task_init(&root.task, exits_with_error);
    CHECK(fl_run_until_complete(&loop, &root.task, FL_RUN_JOIN, 0, &result) == -1234);
    CHECK(fl_strerror(FL_ERESUME)[0] != '\0');
    CHECK(FL_MS(1000) == FL_TICK_HZ);
}

// ---- I/O and sockets on the POSIX port -------------------------------------------

struct net_actor {
    fl_task task;
    fl_sock_op op;
    int fd, n, listen_fd, peer;
    char buf[8];
    struct sockaddr_storage from;
    unsigned fromlen;
};

static unsigned listen_port;

static fl_cmd server_fn(fl_task *self)
{
    net_actor *s = reinterpret_cast<net_actor *>(self);
    FL_BEGIN(self);
    fl_sock_op_init(&s->op, 0);
    FL_SOCK_ACCEPT(self, s->fd, &s->op, s->listen_fd, NULL, NULL);
    CHECK(s->fd >= 0);
    FL_SOCK_RECV_EXACT(self, s->n, &s->op, s->fd, s->buf, 4);
    CHECK(s->n == 4);
    FL_SOCK_SEND_ALL(self, s->n, &s->op, s->fd, s->buf, 4);
    FL_SOCK_RECV(self, s->n, &s->op, s->fd, s->buf, sizeof s->buf);
    CHECK(s->n == 0); // the client closed
    FL_FINALLY(self);
    if (s->fd >= 0)
        close(s->fd);
    FL_END(self);
}

static fl_cmd client_fn(fl_task *self)
{
    net_actor *c = reinterpret_cast<net_actor *>(self);
    FL_BEGIN(self);
    fl_sock_op_init(&c->op, FL_MS(5000));
    FL_TCP_CONNECT(self, c->fd, &c->op, "127.0.0.1", listen_port);
    CHECK(c->fd >= 0);
    FL_SOCK_SEND(self, c->n, &c->op, c->fd, "ping", 4);
    CHECK(c->n == 4);
    FL_SOCK_RECV_EXACT(self, c->n, &c->op, c->fd, c->buf, 4);
    CHECK(c->n == 4 && std::memcmp(c->buf, "ping", 4) == 0);
    FL_IO_WAIT(self, c->fd, FL_IO_WRITE);
    FL_IO_WAIT_RC(self, c->n, c->fd, FL_IO_WRITE);
    CHECK(c->n == 0);
    FL_FINALLY(self);
    if (c->fd >= 0)
        close(c->fd);
    FL_END(self);
}

static fl_cmd udp_fn(fl_task *self)
{
    net_actor *u = reinterpret_cast<net_actor *>(self);
    FL_BEGIN(self);
    fl_sock_op_init(&u->op, FL_MS(5000));
    u->fromlen = sizeof u->from;
    FL_SOCK_SENDTO(self, u->n, &u->op, u->fd, "dgram", 5, NULL, 0);
    FL_SOCK_RECVFROM(self, u->n, &u->op, u->fd, u->buf, sizeof u->buf,
                     reinterpret_cast<struct sockaddr *>(&u->from), &u->fromlen);
    CHECK(u->n == 5 && std::memcmp(u->buf, "dgram", 5) == 0);
    FL_END(self);
}

static fl_cmd net_root(fl_task *self)
{
    static net_actor server, client, udp;
    FL_BEGIN(self);
    std::memset(&server, 0, sizeof server);
    std::memset(&client, 0, sizeof client);
    server.listen_fd = fl_tcp_listen("127.0.0.1", 0, 4);
    CHECK(server.listen_fd >= 0);
    listen_port = static_cast<unsigned>(fl_sock_port(server.listen_fd));
    server.fd = client.fd = -1;
    FL_SPAWN(self, &server.task, server_fn);
    FL_SPAWN(self, &client.task, client_fn);
    FL_JOIN(self, &client.task);
    FL_JOIN(self, &server.task);
    close(server.listen_fd);

    std::memset(&udp, 0, sizeof udp);
    udp.fd = fl_udp_bind("127.0.0.1", 0);
    CHECK(udp.fd >= 0);
    {
        struct sockaddr_storage ss;
        unsigned len = sizeof ss;
        CHECK(fl_sock_addr("127.0.0.1", static_cast<unsigned>(fl_sock_port(udp.fd)), &ss, &len) == 0);
        CHECK(connect(udp.fd, reinterpret_cast<struct sockaddr *>(&ss), len) == 0);
    }
    FL_SPAWN(self, &udp.task, udp_fn);
    FL_JOIN(self, &udp.task);
    close(udp.fd);
    FL_END(self);
}

static void sockets(void)
{
    static fl_loop nloop;
    fl_task root;
    CHECK(fl_loop_init(&nloop, fl_port_posix()) == 0);
    fl_task_init(&root, net_root);
    CHECK(fl_run_until_complete(&nloop, &root, FL_RUN_JOIN, FL_MS(10000), NULL) == 0);
}

int main()
{
    generators();
    tasks();
    sockets();
    if (failures != 0) {
        std::fprintf(stderr, "check_cxx: %d checks failed\n", failures);
        return 1;
    }
    std::printf("check_cxx (C++%ld): every macro compiles and runs\n",
                static_cast<long>(__cplusplus / 100 % 100));
    return 0;
}
