/* SPDX-License-Identifier: MIT */
/*
 * support.h - what the suites share: a port with a hand-driven clock, an
 * event log to compare orderings, and the main() that runs one suite.
 */
#ifndef FLOWNO_TESTS_SUPPORT_H
#define FLOWNO_TESTS_SUPPORT_H

#include <check.h>

#include "../../flowno/flowno.h"

/* A port whose clock moves only when the loop idles: wait(ticks) adds
 * `ticks` to `now` at once.  Tests of time run instantly and exactly. */
typedef struct fake_port {
    fl_port port;
    fl_time now;
    unsigned waits;      /* calls to wait() */
    fl_time last_wait;   /* ticks asked for by the last wait() */
    fl_time longest_wait;
    unsigned forever_waits;
    fl_time step_per_read; /* added to `now` on each read: a busy CPU's clock */
    /* Called at the end of every wait, standing in for an interrupt that
     * comes while the CPU sleeps.  A wait with no deadline needs one: it
     * would never end otherwise, so the test fails. */
    void (*on_idle)(struct fake_port *fp, bool forever);
    unsigned wakes; /* calls to the port's wake hook */
} fake_port;

void fake_port_init(fake_port *fp, fl_time start);
/* A suite's fresh start: the port at `start`, the loop on it, an empty log. */
void fake_loop_start(fake_port *fp, fl_loop *loop, fl_time start);

/* The timers `loop` holds: the heap's entries, or, with the scan (which
 * keeps no count), the tasks in its table with a timer set. */
unsigned loop_timers(const fl_loop *loop);

/* The event log: tests append short words and compare the whole line. */
void log_reset(void);
void log_add(const char *fmt, ...);
const char *log_text(void);

/* A task with a little state of its own, for the scenarios of the
 * primitives' suites: `others` and `n` are what a scene spawns. */
typedef struct actor {
    fl_task task;
    int id, rc, i, n, val;
    fl_time ticks;
    struct actor *others;
} actor;

void actor_init(actor *a, fl_task_fn fn, int id, fl_time ticks);
/* A task body: spawns others[0..n-1], then joins each in turn. */
fl_cmd actor_spawn_and_join(fl_task *self);
#if FL_ENABLE_RUN
/* Run `root` until every task has ended: 0, or the root's error. */
int run_joined(fl_loop *loop, actor *root);
#endif

/* The POSIX ports (select, poll, epoll on Linux), for the suites that run
 * on each: add_port_cases adds a TCase a port, named after it, whose
 * setup makes test_port() that port and then calls `setup`; `add` puts
 * the tests in each. */
typedef struct test_backend {
    const char *name;
    fl_port *(*port)(void);
    int capacity; /* the first fd it refuses with FL_ERANGE */
} test_backend;

void add_port_cases(Suite *s, void (*add)(TCase *tc), void (*setup)(void),
                    void (*teardown)(void), int timeout);
fl_port *test_port(void);
const test_backend *test_backend_now(void);

/* Each suite file defines this; support/main.c runs it. */
Suite *suite(void);

#endif
