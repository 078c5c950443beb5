/* SPDX-License-Identifier: MIT */
/*
 * bench_event.c - libevent's side of the benchmark suite (make bench).
 *
 * libevent has callbacks, not tasks, and no idle handle: a callback that
 * wants to run again makes its event active (event_active), which puts it
 * at the back of the base's active queue, so the closest equivalent of a
 * ready task is an active event.  libevent runs its active queue until it
 * is empty, taking in the events activated meanwhile, before it polls the
 * fds again (max_dispatch_callbacks is unlimited by default).  The
 * workloads:
 *
 *   yield  N REPS  two events; each callback is one "yield" and makes its
 *                  own event active again, behind the other's, so the two
 *                  alternate.  ops = 2N.
 *   spawn  N REPS  spawn = event_active of an event whose callback is the
 *                  child's body (it computes arg + 1: the child has
 *                  finished); join = the parent's continuation, called
 *                  then, adds the result and spawns the next.  One
 *                  callback per spawn+join; the event is reused, as
 *                  bench_uv.c reuses its handle.  ops = N.
 *   queue  N REPS  a 16-slot ring of longs, a producer and a consumer
 *                  event.  The producer puts until the ring is full, then
 *                  returns without making itself active (it "waits"); the
 *                  consumer takes until it is empty.  Each makes the other
 *                  active when it made room or put an item (the
 *                  "wake-up").  The producer closes the ring after N
 *                  items.  ops = N.
 *   timers N REPS  N timer events in caller storage (event_assign, no
 *                  malloc a timer), due in 1..50 ms (the same scatter as
 *                  flowno, asyncio and libuv), all fired.  s = process CPU
 *                  time.
 *   echo-server    the textbook bufferevent echo server on 127.0.0.1 (an
 *                  evconnlistener; each read moves the input buffer to the
 *                  output buffer); port on stdout.
 *
 * Each repetition gets a new event_base (not timed) and prints
 * `ops=<n> s=<seconds>`.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

static struct event_base *base;

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(const char *what)
{
    fprintf(stderr, "bench_event: %s failed\n", what);
    exit(1);
}

static struct event *new_event(event_callback_fn cb, void *arg)
{
    struct event *ev = event_new(base, -1, 0, cb, arg);
    if (ev == NULL)
        fail("event_new");
    return ev;
}

static void dispatch(void)
{
    if (event_base_dispatch(base) < 0)
        fail("event_base_dispatch");
}

/* ---- yield --------------------------------------------------------------- */

struct yielder {
    struct event *ev;
    long i, n;
};

static void yield_cb(evutil_socket_t fd, short what, void *arg)
{
    struct yielder *y = arg;
    (void)fd;
    (void)what;
    if (++y->i < y->n)
        event_active(y->ev, EV_TIMEOUT, 0); /* ready again, behind the other */
}

static long run_yield(long n)
{
    struct yielder a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.n = b.n = n;
    a.ev = new_event(yield_cb, &a);
    b.ev = new_event(yield_cb, &b);
    event_active(a.ev, EV_TIMEOUT, 0);
    event_active(b.ev, EV_TIMEOUT, 0);
    dispatch();
    event_free(a.ev);
    event_free(b.ev);
    if (a.i != n || b.i != n)
        fail("yield count");
    return 2 * n;
}

/* ---- spawn+join ------------------------------------------------------------ */

struct spawner {
    struct event *child; /* the child "task" */
    long child_arg, child_result;
    long i, n, sum;
};

static void spawn_next(struct spawner *s)
{
    if (s->i < s->n) {
        s->child_arg = s->i;
        event_active(s->child, EV_TIMEOUT, 0);
    }
}

static void child_cb(evutil_socket_t fd, short what, void *arg)
{
    struct spawner *s = arg;
    (void)fd;
    (void)what;
    s->child_result = s->child_arg + 1; /* the child's body; it has finished */
    /* The parent, joined on it, goes on. */
    s->sum += s->child_result;
    s->i++;
    spawn_next(s);
}

static long run_spawn(long n)
{
    struct spawner s;
    memset(&s, 0, sizeof s);
    s.n = n;
    s.child = new_event(child_cb, &s);
    spawn_next(&s);
    dispatch();
    event_free(s.child);
    if (s.sum != n * (n + 1) / 2)
        fail("spawn sum");
    return n;
}

/* ---- queue ----------------------------------------------------------------- */

#define QUEUE_SLOTS 16

struct ring {
    struct event *producer, *consumer;
    long items[QUEUE_SLOTS];
    unsigned head, count;
    int closed;
    long i, n, got, sum;
};

static void produce_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ring *r = arg;
    int put = 0;
    (void)fd;
    (void)what;
    for (; r->i < r->n && r->count < QUEUE_SLOTS; r->i++, r->count++, put = 1)
        r->items[(r->head + r->count) % QUEUE_SLOTS] = r->i;
    if (r->i == r->n)
        r->closed = 1;
    /* Full (or done): not active again until the consumer makes room. */
    if (put || r->closed)
        event_active(r->consumer, EV_TIMEOUT, 0);
}

static void consume_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ring *r = arg;
    int took = 0;
    (void)fd;
    (void)what;
    for (; r->count > 0; r->count--, r->got++, took = 1) {
        r->sum += r->items[r->head];
        r->head = (r->head + 1) % QUEUE_SLOTS;
    }
    /* Empty: wait for the producer, or end if it closed the ring. */
    if (took && !r->closed)
        event_active(r->producer, EV_TIMEOUT, 0);
}

static long run_queue(long n)
{
    struct ring *r = calloc(1, sizeof *r);
    if (r == NULL)
        fail("calloc");
    r->n = n;
    r->producer = new_event(produce_cb, r);
    r->consumer = new_event(consume_cb, r);
    event_active(r->consumer, EV_TIMEOUT, 0);
    event_active(r->producer, EV_TIMEOUT, 0);
    dispatch();
    event_free(r->producer);
    event_free(r->consumer);
    if (r->got != n || r->sum != n * (n - 1) / 2)
        fail("queue lost items");
    free(r);
    return n;
}

/* ---- timers ------------------------------------------------------------------ */

static long fired;
static unsigned char *timer_storage; /* n events of event_get_struct_event_size() */

static long spread_ms(long i)
{
    return 1 + (long)(((unsigned long)i * 2654435761ul) % 50ul);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fired++;
}

static struct event *timer_at(long i)
{
    return (struct event *)(void *)(timer_storage + (size_t)i * event_get_struct_event_size());
}

static long run_timers(long n)
{
    long i;
    fired = 0;
    for (i = 0; i < n; i++) {
        struct timeval tv;
        long ms = spread_ms(i);
        tv.tv_sec = ms / 1000;
        tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
        if (evtimer_assign(timer_at(i), base, timer_cb, NULL) != 0 ||
            evtimer_add(timer_at(i), &tv) != 0)
            fail("evtimer_add");
    }
    dispatch();
    if (fired != n)
        fail("timers not all fired");
    return n;
}

/* ---- echo server ---------------------------------------------------------------- */

static void echo_read(struct bufferevent *bev, void *arg)
{
    (void)arg;
    evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_input(bev));
}

static void echo_event(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        bufferevent_free(bev);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int len, void *arg)
{
    struct bufferevent *bev;
    int one = 1;
    (void)l;
    (void)addr;
    (void)len;
    (void)arg;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        evutil_closesocket(fd);
        return;
    }
    bufferevent_setcb(bev, echo_read, NULL, echo_event, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static int echo_server(void)
{
    struct evconnlistener *l;
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    if (base == NULL)
        fail("event_base_new");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l = evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                512, (struct sockaddr *)&addr, sizeof addr);
    if (l == NULL ||
        getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&addr, &len) != 0)
        fail("listen");
    printf("port=%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    dispatch();
    return 1;
}

/* ---- main ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    long reps = argc > 3 ? atol(argv[3]) : 1, r;
    int timers = strcmp(mode, "timers") == 0;

    if (strcmp(mode, "echo-server") == 0)
        return echo_server();
    if (n <= 0 || reps <= 0) {
        fprintf(stderr, "usage: bench_event yield|spawn|queue|timers N REPS | echo-server\n");
        return 2;
    }
    if (timers) {
        timer_storage = calloc((size_t)n, event_get_struct_event_size());
        if (timer_storage == NULL)
            fail("calloc");
    }
    for (r = 0; r < reps; r++) {
        clockid_t clk = timers ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
        double t0, t1;
        long ops;
        base = event_base_new();
        if (base == NULL)
            fail("event_base_new");
        t0 = now_s(clk);
        if (strcmp(mode, "yield") == 0) {
            ops = run_yield(n);
        } else if (strcmp(mode, "spawn") == 0) {
            ops = run_spawn(n);
        } else if (strcmp(mode, "queue") == 0) {
            ops = run_queue(n);
        } else if (timers) {
            ops = run_timers(n);
        } else {
            fprintf(stderr, "bench_event: unknown workload %s\n", mode);
            return 2;
        }
        t1 = now_s(clk);
        event_base_free(base);
        printf("ops=%ld s=%.6f\n", ops, t1 - t0);
    }
    free(timer_storage);
    return 0;
}
