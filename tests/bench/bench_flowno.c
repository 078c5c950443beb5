/* SPDX-License-Identifier: MIT */
/*
 * bench_flowno.c - flowno's side of the benchmark suite (make bench).
 *
 * One program, one workload a run, chosen on the command line:
 *
 *   bench_flowno yield  N REPS   two tasks, each yields N times (ops = 2N)
 *   bench_flowno spawn  N REPS   spawn a task that returns a value, join it,
 *                                N times (ops = N)
 *   bench_flowno spawn-crowd N R the same while 1000 other tasks sleep (on
 *                                the simulated clock: the same every run)
 *   bench_flowno queue  N REPS   one producer, one consumer, N ints through
 *                                a 16-slot queue, then close (ops = N)
 *   bench_flowno timers N REPS   N sleepers with spread deadlines (1..50 ms),
 *                                all fired (ops = N; s = process CPU time)
 *   bench_flowno echo-server     a TCP echo server on 127.0.0.1, port printed
 *                                on stdout; runs until killed (up to 250
 *                                connections at once)
 *   bench_flowno grow-timers n R n tasks each sleep R times for a pseudo-
 *                                random 1..n ticks on a simulated clock
 *   bench_flowno grow-sched  n R n tasks each yield R times (a ready ring
 *                                of n tasks)
 *   bench_flowno sizes           sizeof(fl_task), sizeof(fl_loop), per
 *                                connection state of the echo server
 *
 * Each repetition prints `ops=<n> s=<seconds>`; tests/bench/run.py takes
 * the median.  FL_MAX_TASKS is set on the compiler's command line
 * (tests/bench/bench.mk): small for the ping-pong workloads, large for the
 * timers and the growth curves.  The loop is allocated with malloc here (it
 * is big at 1M tasks); the library itself never allocates.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "flowno/flowno.h"

static fl_loop *loop;
static clockid_t clk = CLOCK_MONOTONIC; /* what the runs are timed with */
static double elapsed;                   /* seconds of the last run */

static double now_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_flowno: %s: %s (%d)\n", what, fl_strerror(rc), rc);
    exit(1);
}

/* ---- a simulated clock, for the growth curves -------------------------- */

/* now() reads a counter; wait() moves it on by the time asked for, so a
 * run measures the scheduler and the timer heap and never really sleeps. */
static fl_time sim_clock;

static fl_time sim_now(fl_port *port)
{
    (void)port;
    return sim_clock;
}

static void sim_wait(fl_port *port, fl_loop *l, fl_time ticks, bool forever)
{
    (void)port;
    (void)l;
    if (!forever)
        sim_clock += ticks;
}

static fl_port sim_port = {sim_now, sim_wait, NULL, NULL, NULL, NULL, NULL, NULL};

static void loop_init(fl_port *port)
{
    int rc;
    if (loop == NULL) {
        loop = malloc(sizeof *loop);
        if (loop == NULL)
            die("malloc", FL_ENOSPC);
    }
    rc = fl_loop_init(loop, port);
    if (rc != 0)
        die("fl_loop_init", rc);
}

static double now_clk(void)
{
    return now_s(clk);
}

/* Run the loop with `root`, timing the run alone (not the set-up). */
static int timed_run(fl_task *root, fl_value *result)
{
    double t0 = now_clk();
    int rc = fl_run_until_complete(loop, root, FL_RUN_JOIN, 0, result);
    elapsed = now_clk() - t0;
    return rc;
}

/* ---- yield: two tasks ping-pong ----------------------------------------- */

struct yielder {
    fl_task task;
    long i, n;
};

static fl_cmd yielder_fn(fl_task *self)
{
    struct yielder *y = (struct yielder *)self;
    FL_BEGIN(self);
    for (y->i = 0; y->i < y->n; y->i++)
        FL_YIELD(self);
    FL_END(self);
}

struct pair {
    fl_task task;
    struct yielder a, b;
};

static fl_cmd pair_fn(fl_task *self)
{
    struct pair *p = (struct pair *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &p->a.task, yielder_fn);
    FL_SPAWN(self, &p->b.task, yielder_fn);
    FL_JOIN(self, &p->a.task);
    FL_JOIN(self, &p->b.task);
    FL_END(self);
}

static long run_yield(long n)
{
    static struct pair p;
    int rc;
    loop_init(fl_port_posix());
    memset(&p, 0, sizeof p);
    p.a.n = p.b.n = n;
    fl_task_init(&p.task, pair_fn);
    rc = timed_run(&p.task, NULL);
    if (rc != 0)
        die("yield", rc);
    return 2 * n;
}

/* ---- spawn+join ----------------------------------------------------------- */

struct child {
    fl_task task;
    long arg;
};

static fl_cmd child_fn(fl_task *self)
{
    struct child *c = (struct child *)self;
    FL_BEGIN(self);
    FL_RETURN(self, c->arg + 1);
    FL_END(self);
}

struct spawner {
    fl_task task;
    struct child child;
    long i, n, sum;
};

static fl_cmd spawner_fn(fl_task *self)
{
    struct spawner *s = (struct spawner *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->n; s->i++) {
        s->child.arg = s->i;
        FL_SPAWN(self, &s->child.task, child_fn);
        FL_JOIN(self, &s->child.task);
        s->sum += (long)fl_task_result(&s->child.task);
    }
    FL_RETURN(self, s->sum);
    FL_END(self);
}

static long run_spawn(long n)
{
    static struct spawner s;
    fl_value sum = 0;
    int rc;
    loop_init(fl_port_posix());
    memset(&s, 0, sizeof s);
    s.n = n;
    fl_task_init(&s.task, spawner_fn);
    rc = timed_run(&s.task, &sum);
    if (rc != 0)
        die("spawn", rc);
    if ((long)sum != n * (n + 1) / 2)
        die("spawn: wrong sum", FL_EINVAL);
    return n;
}

/* ---- spawn+join among a crowd: 1000 sleepers alive -------------------------- */

#define CROWD 1000

static struct spawner crowd_spawner;

static fl_cmd crowd_member_fn(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(1000000)); /* cancelled when the spawner is done */
    FL_END(self);
}

/* The root spawns the crowd, runs the spawner to its end, cancels the
 * crowd: the spawner's spawns and joins find a table 1000 deep. */
struct crowd_root {
    fl_task task;
    fl_task members[CROWD];
    long i;
};

static fl_cmd crowd_root_fn(fl_task *self)
{
    struct crowd_root *r = (struct crowd_root *)self;
    FL_BEGIN(self);
    for (r->i = 0; r->i < CROWD; r->i++)
        FL_CHECK(self, fl_spawn(loop, &r->members[r->i], crowd_member_fn));
    FL_SPAWN(self, &crowd_spawner.task, spawner_fn);
    FL_JOIN(self, &crowd_spawner.task);
    for (r->i = 0; r->i < CROWD; r->i++)
        FL_CANCEL(self, &r->members[r->i]);
    FL_RETURN(self, fl_task_result(&crowd_spawner.task));
    FL_END(self);
}

static long run_spawn_crowd(long n)
{
    static struct crowd_root root;
    fl_value sum = 0;
    int rc;
    if (FL_MAX_TASKS < CROWD + 3)
        die("spawn-crowd needs FL_MAX_TASKS > 1002", FL_ENOSPC);
    /* The simulated clock: on the real one the crowd's deadlines, and so
     * the timer heap's work, changed from run to run with the clock's
     * ticks, and so did the instructions counted. */
    sim_clock = 0;
    loop_init(&sim_port);
    memset(&root, 0, sizeof root);
    memset(&crowd_spawner, 0, sizeof crowd_spawner);
    crowd_spawner.n = n;
    fl_task_init(&root.task, crowd_root_fn);
    rc = timed_run(&root.task, &sum);
    if (rc != 0)
        die("spawn-crowd", rc);
    if ((long)sum != n * (n + 1) / 2)
        die("spawn-crowd: wrong sum", FL_EINVAL);
    return n;
}

/* ---- queue: producer -> 16 slots -> consumer ------------------------------- */

#define QUEUE_SLOTS 16

static fl_queue queue;
static long queue_storage[QUEUE_SLOTS];

struct producer {
    fl_task task;
    long i, n, item;
};

static fl_cmd producer_fn(fl_task *self)
{
    struct producer *p = (struct producer *)self;
    FL_BEGIN(self);
    for (p->i = 0; p->i < p->n; p->i++) {
        p->item = p->i;
        FL_QUEUE_PUT(self, &queue, &p->item);
    }
    fl_queue_close(&queue);
    FL_END(self);
}

struct consumer {
    fl_task task;
    long item, count, sum;
    int rc;
};

static fl_cmd consumer_fn(fl_task *self)
{
    struct consumer *c = (struct consumer *)self;
    FL_BEGIN(self);
    for (;;) {
        FL_QUEUE_GET_RC(self, c->rc, &queue, &c->item);
        if (c->rc == FL_ECLOSED)
            break;
        FL_CHECK(self, c->rc);
        c->count++;
        c->sum += c->item;
    }
    FL_RETURN(self, c->count);
    FL_END(self);
}

struct pipeline {
    fl_task task;
    struct producer prod;
    struct consumer cons;
};

static fl_cmd pipeline_fn(fl_task *self)
{
    struct pipeline *p = (struct pipeline *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &p->cons.task, consumer_fn);
    FL_SPAWN(self, &p->prod.task, producer_fn);
    FL_JOIN(self, &p->prod.task);
    FL_JOIN(self, &p->cons.task);
    FL_RETURN(self, fl_task_result(&p->cons.task));
    FL_END(self);
}

static long run_queue(long n)
{
    static struct pipeline p;
    fl_value count = 0;
    int rc;
    loop_init(fl_port_posix());
    rc = fl_queue_init(&queue, loop, queue_storage, sizeof(long), QUEUE_SLOTS);
    if (rc != 0)
        die("fl_queue_init", rc);
    memset(&p, 0, sizeof p);
    p.prod.n = n;
    fl_task_init(&p.task, pipeline_fn);
    rc = timed_run(&p.task, &count);
    if (rc != 0)
        die("queue", rc);
    if ((long)count != n || p.cons.sum != n * (n - 1) / 2)
        die("queue: items lost", FL_EINVAL);
    return n;
}

/* ---- timers: N sleepers, spread deadlines, real clock ---------------------- */

struct sleeper {
    fl_task task;
    fl_time ticks;
    long rounds, i;
    unsigned seed;
};

static long fired;

static fl_cmd sleeper_fn(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, s->ticks);
    fired++;
    FL_END(self);
}

struct spawn_all {
    fl_task task;
    struct sleeper *sleepers;
    long i, n;
    fl_task_fn fn;
};

/* Spawn every sleeper; the loop runs them after this task returns. */
static fl_cmd spawn_all_fn(fl_task *self)
{
    struct spawn_all *s = (struct spawn_all *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->n; s->i++)
        FL_SPAWN(self, &s->sleepers[s->i].task, s->fn);
    FL_END(self);
}

/* Deadline of sleeper i: 1..50 ms, scattered (a multiplicative hash), the
 * same formula in every system. */
static long spread_ms(long i)
{
    return 1 + (long)(((unsigned long)i * 2654435761ul) % 50ul);
}

static long run_timers(long n)
{
    static struct spawn_all root;
    struct sleeper *sl = calloc((size_t)n, sizeof *sl);
    long i;
    int rc;
    if (sl == NULL)
        die("calloc", FL_ENOSPC);
    loop_init(fl_port_posix());
    for (i = 0; i < n; i++)
        sl[i].ticks = FL_MS(spread_ms(i));
    memset(&root, 0, sizeof root);
    root.sleepers = sl;
    root.n = n;
    root.fn = sleeper_fn;
    fired = 0;
    fl_task_init(&root.task, spawn_all_fn);
    rc = timed_run(&root.task, NULL);
    if (rc != 0)
        die("timers", rc);
    if (fired != n)
        die("timers: not all fired", FL_EINVAL);
    free(sl);
    return n;
}

/* ---- growth curves on the simulated clock ----------------------------------- */

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static fl_time grow_span; /* sleeps last 1..grow_span ticks */

static fl_cmd grow_sleeper_fn(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->rounds; s->i++)
        FL_SLEEP(self, (fl_time)(1 + next_rand(&s->seed) % grow_span));
    FL_END(self);
}

static fl_cmd grow_yielder_fn(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < s->rounds; s->i++)
        FL_YIELD(self);
    FL_END(self);
}

static long run_grow(long n, long rounds, fl_task_fn fn)
{
    static struct spawn_all root;
    struct sleeper *sl = calloc((size_t)n, sizeof *sl);
    long i;
    int rc;
    if (sl == NULL)
        die("calloc", FL_ENOSPC);
    sim_clock = 0;
    loop_init(&sim_port);
    grow_span = (fl_time)n;
    for (i = 0; i < n; i++) {
        sl[i].rounds = rounds;
        sl[i].seed = (unsigned)i * 2654435761u + 1u;
    }
    memset(&root, 0, sizeof root);
    root.sleepers = sl;
    root.n = n;
    root.fn = fn;
    fl_task_init(&root.task, spawn_all_fn);
    rc = timed_run(&root.task, NULL);
    if (rc != 0)
        die("grow", rc);
    free(sl);
    return n * rounds;
}

/* ---- echo server: non-blocking sockets and FL_IO_WAIT ---------------------- */

#define ECHO_BUF 4096
#define ECHO_CONNS (FL_MAX_TASKS - 2 < 250 ? FL_MAX_TASKS - 2 : 250)

struct conn {
    fl_task task;
    int fd;
    ssize_t n, off;
    char buf[ECHO_BUF];
};

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static fl_cmd conn_fn(fl_task *self)
{
    struct conn *c = (struct conn *)self;
    ssize_t w;
    FL_BEGIN(self);
    for (;;) {
        c->n = read(c->fd, c->buf, sizeof c->buf);
        if (c->n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            FL_IO_WAIT(self, c->fd, FL_IO_READ);
            continue;
        }
        if (c->n <= 0)
            break; /* end of stream or an error: hang up */
        for (c->off = 0; c->off < c->n;) {
            w = write(c->fd, c->buf + c->off, (size_t)(c->n - c->off));
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                FL_IO_WAIT(self, c->fd, FL_IO_WRITE);
                continue;
            }
            if (w < 0)
                break;
            c->off += w;
        }
        if (c->off < c->n)
            break;
    }
    FL_FINALLY(self);
    close(c->fd);
    FL_END(self);
}

static struct conn conns[ECHO_CONNS];

struct listener {
    fl_task task;
    int fd, cfd, i;
};

static fl_cmd listener_fn(fl_task *self)
{
    struct listener *l = (struct listener *)self;
    int one = 1;
    FL_BEGIN(self);
    for (;;) {
        l->cfd = accept(l->fd, NULL, NULL);
        if (l->cfd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                errno == ECONNABORTED) {
                FL_IO_WAIT(self, l->fd, FL_IO_READ);
                continue;
            }
            FL_FAIL(self, -errno);
        }
        set_nonblocking(l->cfd);
        setsockopt(l->cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (;;) {
            for (l->i = 0; l->i < ECHO_CONNS; l->i++)
                if (fl_task_state(&conns[l->i].task) == FL_TASK_NEW ||
                    fl_task_done(&conns[l->i].task))
                    break;
            if (l->i < ECHO_CONNS)
                break;
            /* Every connection task is busy (a client reconnecting before
             * the server saw its old connections close): wait for one. */
            FL_SLEEP(self, FL_MS(1));
        }
        conns[l->i].fd = l->cfd;
        FL_SPAWN(self, &conns[l->i].task, conn_fn);
    }
    FL_END(self);
}

static int echo_server(void)
{
    static struct listener l;
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int one = 1, rc;

    signal(SIGPIPE, SIG_IGN);
    memset(&l, 0, sizeof l);
    memset(conns, 0, sizeof conns);
    l.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (l.fd < 0)
        return 1;
    setsockopt(l.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(l.fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(l.fd, 512) != 0 ||
        getsockname(l.fd, (struct sockaddr *)&addr, &len) != 0 || set_nonblocking(l.fd) != 0) {
        perror("echo server");
        return 1;
    }
    printf("port=%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    loop_init(fl_port_posix());
    fl_task_init(&l.task, listener_fn);
    rc = fl_run_until_complete(loop, &l.task, FL_RUN_JOIN, 0, NULL);
    fprintf(stderr, "echo server ended: %s\n", fl_strerror(rc));
    return 1;
}

/* ---- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    long reps = argc > 3 ? atol(argv[3]) : 1, r;

    if (strcmp(mode, "echo-server") == 0)
        return echo_server();
    if (strcmp(mode, "sizes") == 0) {
        /* slot: what one more task of capacity adds to the loop's arrays. */
        fl_loop *l = NULL;
        printf("max_tasks=%ld task=%zu loop=%zu conn=%zu slot=%zu\n", (long)FL_MAX_TASKS,
               sizeof(fl_task), sizeof(fl_loop), sizeof(struct conn),
               sizeof l->tasks[0] +
#if FL_TIMER_HEAP
                   (sizeof l->timer_due[0] + sizeof l->timer_slot[0]) * FL_MAX_TIMERS /
                       FL_MAX_TASKS
#else
                   sizeof l->timer_due[0]
#endif
        );
        return 0;
    }
    if (n <= 0 || reps <= 0) {
        fprintf(stderr, "usage: bench_flowno yield|spawn|queue|timers N REPS\n"
                        "       bench_flowno grow-timers|grow-sched n ROUNDS\n"
                        "       bench_flowno echo-server | sizes\n");
        return 2;
    }
    if (strncmp(mode, "grow-", 5) == 0) {
        /* argv[3] is the number of rounds each task makes; one run. */
        fl_task_fn fn = strcmp(mode, "grow-timers") == 0 ? grow_sleeper_fn : grow_yielder_fn;
        long ops;
        if (n + 1 > FL_MAX_TASKS)
            die("n is above FL_MAX_TASKS", FL_ENOSPC);
        ops = run_grow(n, reps, fn);
        printf("ops=%ld s=%.6f\n", ops, elapsed);
        return 0;
    }
    for (r = 0; r < reps; r++) {
        long ops;
        if (strcmp(mode, "yield") == 0) {
            ops = run_yield(n);
        } else if (strcmp(mode, "spawn") == 0) {
            ops = run_spawn(n);
        } else if (strcmp(mode, "spawn-crowd") == 0) {
            ops = run_spawn_crowd(n);
        } else if (strcmp(mode, "queue") == 0) {
            ops = run_queue(n);
        } else if (strcmp(mode, "timers") == 0) {
            if (n + 1 > FL_MAX_TASKS)
                die("N is above FL_MAX_TASKS", FL_ENOSPC);
            /* CPU time: the wall clock would mostly count the 50 ms the
             * deadlines span, the same in every system. */
            clk = CLOCK_PROCESS_CPUTIME_ID;
            ops = run_timers(n);
        } else {
            fprintf(stderr, "bench_flowno: unknown workload %s\n", mode);
            return 2;
        }
        printf("ops=%ld s=%.6f\n", ops, elapsed);
    }
    free(loop);
    return 0;
}
