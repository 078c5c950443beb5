/* SPDX-License-Identifier: MIT */
/*
 * support.c - fake port and event log for the suites.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>

#include "support.h"

static fl_time fake_now(fl_port *port)
{
    fake_port *fp = (fake_port *)port;
    fp->now += fp->step_per_read;
    return fp->now;
}

static void fake_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    fake_port *fp = (fake_port *)port;
    (void)loop;
    fp->waits++;
    if (forever) {
        fp->forever_waits++;
        ck_assert_msg(fp->on_idle != NULL, "the loop waited forever");
    } else {
        fp->last_wait = ticks;
        if (ticks > fp->longest_wait)
            fp->longest_wait = ticks;
        fp->now += ticks;
    }
    if (fp->on_idle != NULL)
        fp->on_idle(fp, forever);
}

static void fake_wake(fl_port *port)
{
    ((fake_port *)port)->wakes++;
}

void fake_port_init(fake_port *fp, fl_time start)
{
    memset(fp, 0, sizeof *fp);
    fp->port.now = fake_now;
    fp->port.wait = fake_wait;
    fp->port.wake = fake_wake;
    fp->now = start;
}

void fake_loop_start(fake_port *fp, fl_loop *loop, fl_time start)
{
    fake_port_init(fp, start);
    ck_assert_int_eq(fl_loop_init(loop, &fp->port), 0);
    log_reset();
}

static char log_buf[8192];
static size_t log_len;

void log_reset(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

void log_add(const char *fmt, ...)
{
    va_list ap;
    int n;
    if (log_len > 0 && log_len < sizeof log_buf - 1)
        log_buf[log_len++] = ' ';
    va_start(ap, fmt);
    n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        log_len += (size_t)n;
    if (log_len >= sizeof log_buf)
        log_len = sizeof log_buf - 1;
}

const char *log_text(void)
{
    return log_buf;
}

unsigned loop_timers(const fl_loop *loop)
{
#if FL_TIMER_HEAP
    return loop->timer_count;
#else
    unsigned i, n = 0;
    for (i = 0; i < FL_MAX_TASKS; i++)
        if (loop->tasks[i] != NULL && loop->tasks[i]->timer != FL_SLOT_NONE)
            n++;
    return n;
#endif
}

void actor_init(actor *a, fl_task_fn fn, int id, fl_time ticks)
{
    memset(a, 0, sizeof *a);
    fl_task_init(&a->task, fn);
    a->id = id;
    a->ticks = ticks;
}

fl_cmd actor_spawn_and_join(fl_task *self)
{
    actor *a = (actor *)self;
    FL_BEGIN(self);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_SPAWN(self, &a->others[a->i].task, NULL);
    for (a->i = 0; a->i < a->n; a->i++)
        FL_JOIN(self, &a->others[a->i].task);
    FL_END(self);
}

#if FL_ENABLE_RUN
int run_joined(fl_loop *loop, actor *root)
{
    return fl_run_until_complete(loop, &root->task, FL_RUN_JOIN, 0, NULL);
}
#endif

/* ---- The POSIX ports ---------------------------------------------------- */

static const test_backend backends[] = {
    {"select", fl_port_posix, FD_SETSIZE},
    {"poll", fl_port_poll, FL_MAX_FDS},
#if defined(__linux__)
    {"epoll", fl_port_epoll, FL_MAX_FDS},
#endif
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

static const test_backend *backend_now = &backends[0];
static void (*suite_setup)(void);

static void set_backend(size_t i)
{
    backend_now = &backends[i];
    if (suite_setup != NULL)
        suite_setup();
}

/* Check's fixtures take no argument: one a port. */
static void on_backend_0(void) { set_backend(0); }
static void on_backend_1(void) { set_backend(1); }
#if defined(__linux__)
static void on_backend_2(void) { set_backend(2); }
#endif
static void (*const on_backend[])(void) = {
    on_backend_0, on_backend_1,
#if defined(__linux__)
    on_backend_2,
#endif
};

void add_port_cases(Suite *s, void (*add)(TCase *tc), void (*setup)(void),
                    void (*teardown)(void), int timeout)
{
    size_t i;
    suite_setup = setup;
    for (i = 0; i < N_BACKENDS; i++) {
        TCase *tc = tcase_create(backends[i].name);
        tcase_add_checked_fixture(tc, on_backend[i], teardown);
        tcase_set_timeout(tc, timeout);
        add(tc);
        suite_add_tcase(s, tc);
    }
}

fl_port *test_port(void)
{
    fl_port *port = backend_now->port();
    ck_assert_ptr_nonnull(port);
    return port;
}

const test_backend *test_backend_now(void)
{
    return backend_now;
}
