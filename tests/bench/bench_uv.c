/* SPDX-License-Identifier: MIT */
/*
 * bench_uv.c - libuv's side of the benchmark suite (make bench).
 *
 * libuv has callbacks, not tasks, so each workload is written as the
 * closest callback equivalent of the flowno and asyncio programs:
 *
 *   yield  N REPS  two uv_idle handles; each callback is one "yield" (libuv
 *                  runs every active idle handle once per loop iteration,
 *                  so the two alternate).  ops = 2N.
 *   spawn  N REPS  spawn = uv_idle_start of a handle whose callback is the
 *                  child's body (it computes arg + 1, then stops itself:
 *                  the child has finished); join = the parent's
 *                  continuation, called when the child has finished, adds
 *                  the result and spawns the next.  One loop iteration per
 *                  spawn+join, as in flowno.  The handle is reused (a
 *                  uv_idle_init + uv_close per child would cost an extra
 *                  iteration each for the close callback).  ops = N.
 *   queue  N REPS  a 16-slot ring of longs, a producer and a consumer idle
 *                  handle.  The producer puts until the ring is full, then
 *                  stops its handle (it "waits"); the consumer takes until
 *                  it is empty, then stops its handle; each restarts the
 *                  other when it made room or put an item (the "wake-up").
 *                  The producer closes the ring after N items.  ops = N.
 *   timers N REPS  N uv_timer handles, due in 1..50 ms (the same scatter as
 *                  flowno and asyncio), all fired.  s = process CPU time.
 *   echo-server    a uv_tcp echo server on 127.0.0.1; port on stdout.
 *
 * Each repetition prints `ops=<n> s=<seconds>`.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "bench_uv: %s: %s\n", what, uv_strerror(rc));
        exit(1);
    }
}

static uv_loop_t loop;

/* ---- yield ------------------------------------------------------------- */

struct yielder {
    uv_idle_t idle;
    long i, n;
};

static void yield_cb(uv_idle_t *h)
{
    struct yielder *y = (struct yielder *)h;
    if (++y->i == y->n)
        uv_idle_stop(h);
}

static long run_yield(long n)
{
    struct yielder a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.n = b.n = n;
    check(uv_idle_init(&loop, &a.idle), "uv_idle_init");
    check(uv_idle_init(&loop, &b.idle), "uv_idle_init");
    uv_idle_start(&a.idle, yield_cb);
    uv_idle_start(&b.idle, yield_cb);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&a.idle, NULL);
    uv_close((uv_handle_t *)&b.idle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (a.i != n || b.i != n)
        check(UV_EINVAL, "yield count");
    return 2 * n;
}

/* ---- spawn+join --------------------------------------------------------- */

struct spawner {
    uv_idle_t child; /* the child "task" */
    long child_arg, child_result;
    long i, n, sum;
};

static void spawn_next(struct spawner *s);

static void child_cb(uv_idle_t *h)
{
    struct spawner *s = (struct spawner *)h;
    s->child_result = s->child_arg + 1; /* the child's body */
    uv_idle_stop(h);                    /* it has finished */
    /* The parent, joined on it, goes on. */
    s->sum += s->child_result;
    s->i++;
    spawn_next(s);
}

static void spawn_next(struct spawner *s)
{
    if (s->i < s->n) {
        s->child_arg = s->i;
        uv_idle_start(&s->child, child_cb);
    }
}

static long run_spawn(long n)
{
    struct spawner s;
    memset(&s, 0, sizeof s);
    s.n = n;
    check(uv_idle_init(&loop, &s.child), "uv_idle_init");
    spawn_next(&s);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&s.child, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (s.sum != n * (n + 1) / 2)
        check(UV_EINVAL, "spawn sum");
    return n;
}

/* ---- queue ---------------------------------------------------------------- */

#define QUEUE_SLOTS 16

struct ring {
    uv_idle_t producer, consumer;
    long items[QUEUE_SLOTS];
    unsigned head, count;
    int closed;
    long i, n, got, sum;
};

static void consume_cb(uv_idle_t *h);

static void produce_cb(uv_idle_t *h)
{
    struct ring *r = (struct ring *)h->data;
    int put = 0;
    while (r->i < r->n && r->count < QUEUE_SLOTS) {
        r->items[(r->head + r->count) % QUEUE_SLOTS] = r->i++;
        r->count++;
        put = 1;
    }
    if (r->i == r->n)
        r->closed = 1;
    uv_idle_stop(h); /* full (or done): wait for the consumer */
    if (put || r->closed)
        uv_idle_start(&r->consumer, consume_cb); /* wake it */
}

static void consume_cb(uv_idle_t *h)
{
    struct ring *r = (struct ring *)h->data;
    int took = 0;
    while (r->count > 0) {
        r->sum += r->items[r->head];
        r->head = (r->head + 1) % QUEUE_SLOTS;
        r->count--;
        r->got++;
        took = 1;
    }
    uv_idle_stop(h); /* empty: wait for the producer, or end if closed */
    if (took && !r->closed)
        uv_idle_start(&r->producer, produce_cb);
}

static long run_queue(long n)
{
    struct ring *r = calloc(1, sizeof *r);
    if (r == NULL)
        check(UV_ENOMEM, "calloc");
    r->n = n;
    check(uv_idle_init(&loop, &r->producer), "uv_idle_init");
    check(uv_idle_init(&loop, &r->consumer), "uv_idle_init");
    r->producer.data = r->consumer.data = r;
    uv_idle_start(&r->consumer, consume_cb);
    uv_idle_start(&r->producer, produce_cb);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&r->producer, NULL);
    uv_close((uv_handle_t *)&r->consumer, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (r->got != n || r->sum != n * (n - 1) / 2)
        check(UV_EINVAL, "queue lost items");
    free(r);
    return n;
}

/* ---- timers ---------------------------------------------------------------- */

static long fired;

static long spread_ms(long i)
{
    return 1 + (long)(((unsigned long)i * 2654435761ul) % 50ul);
}

static void timer_cb(uv_timer_t *t)
{
    (void)t;
    fired++;
}

static uv_timer_t *timers;

static long run_timers(long n)
{
    long i;
    fired = 0;
    for (i = 0; i < n; i++) {
        check(uv_timer_init(&loop, &timers[i]), "uv_timer_init");
        check(uv_timer_start(&timers[i], timer_cb, (uint64_t)spread_ms(i), 0), "uv_timer_start");
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (fired != n)
        check(UV_EINVAL, "timers not all fired");
    return n;
}

static void close_timers(long n)
{
    long i;
    for (i = 0; i < n; i++)
        uv_close((uv_handle_t *)&timers[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
}

/* ---- echo server -------------------------------------------------------------- */

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_req;

static void on_close(uv_handle_t *h)
{
    free(h);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(4096);
    buf->len = buf->base != NULL ? 4096 : 0;
}

static void on_write(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    (void)status;
    free(w->buf.base);
    free(w);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n > 0) {
        write_req *w = malloc(sizeof *w);
        if (w != NULL) {
            w->buf = uv_buf_init(buf->base, (unsigned)n);
            if (uv_write(&w->req, s, &w->buf, 1, on_write) == 0)
                return;
            free(w);
        }
    } else if (n < 0) {
        uv_close((uv_handle_t *)s, on_close);
    }
    free(buf->base);
}

static void on_connection(uv_stream_t *server, int status)
{
    uv_tcp_t *c;
    if (status < 0)
        return;
    c = malloc(sizeof *c);
    if (c == NULL)
        return;
    uv_tcp_init(&loop, c);
    if (uv_accept(server, (uv_stream_t *)c) == 0) {
        uv_tcp_nodelay(c, 1);
        uv_read_start((uv_stream_t *)c, on_alloc, on_read);
    } else {
        uv_close((uv_handle_t *)c, on_close);
    }
}

static int echo_server(void)
{
    static uv_tcp_t server;
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof bound;

    check(uv_loop_init(&loop), "uv_loop_init");
    uv_tcp_init(&loop, &server);
    uv_ip4_addr("127.0.0.1", 0, &addr);
    check(uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0), "bind");
    check(uv_listen((uv_stream_t *)&server, 512, on_connection), "listen");
    check(uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len), "getsockname");
    printf("port=%d\n", ntohs(((struct sockaddr_in *)&bound)->sin_port));
    fflush(stdout);
    return uv_run(&loop, UV_RUN_DEFAULT);
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    long reps = argc > 3 ? atol(argv[3]) : 1, r;

    if (strcmp(mode, "echo-server") == 0)
        return echo_server();
    if (n <= 0 || reps <= 0) {
        fprintf(stderr, "usage: bench_uv yield|spawn|queue|timers N REPS | echo-server\n");
        return 2;
    }
    if (strcmp(mode, "timers") == 0) {
        timers = calloc((size_t)n, sizeof *timers);
        if (timers == NULL)
            check(UV_ENOMEM, "calloc");
    }
    for (r = 0; r < reps; r++) {
        clockid_t clk = strcmp(mode, "timers") == 0 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
        double t0, t1;
        long ops;
        check(uv_loop_init(&loop), "uv_loop_init");
        t0 = now_s(clk);
        if (strcmp(mode, "yield") == 0) {
            ops = run_yield(n);
        } else if (strcmp(mode, "spawn") == 0) {
            ops = run_spawn(n);
        } else if (strcmp(mode, "queue") == 0) {
            ops = run_queue(n);
        } else if (strcmp(mode, "timers") == 0) {
            ops = run_timers(n);
        } else {
            fprintf(stderr, "bench_uv: unknown workload %s\n", mode);
            return 2;
        }
        t1 = now_s(clk);
        if (strcmp(mode, "timers") == 0)
            close_timers(n);
        check(uv_loop_close(&loop), "uv_loop_close");
        printf("ops=%ld s=%.6f\n", ops, t1 - t0);
    }
    free(timers);
    return 0;
}
