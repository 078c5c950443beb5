/* SPDX-License-Identifier: MIT */
/*
 * check_io.c - the POSIX port with real file descriptors: waiting for a
 * pipe, fds it must refuse, cancel and timeout of an I/O wait (the fd stays
 * usable), and a wake-up raised from another thread ending select() at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "support/support.h"

static fl_loop loop;
static int fds[2];

static void setup(void)
{
    ck_assert_int_eq(fl_loop_init(&loop, fl_port_posix()), 0);
    ck_assert_int_eq(pipe(fds), 0);
    log_reset();
}

static void teardown(void)
{
    close(fds[0]);
    close(fds[1]);
}

typedef struct job {
    fl_task task;
    int fd, rc;
    char buf[16];
    struct job *other;
} job;

static void job_init(job *j, fl_task_fn fn, int fd)
{
    memset(j, 0, sizeof *j);
    j->fd = fd;
    fl_task_init(&j->task, fn);
}

static fl_cmd read_when_ready(fl_task *self)
{
    job *j = (job *)self;
    ssize_t n;
    FL_BEGIN(self);
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
    if (j->rc == 0) {
        n = read(j->fd, j->buf, sizeof j->buf - 1);
        j->buf[n > 0 ? n : 0] = '\0';
        log_add("read:%s", j->buf);
    } else {
        log_add("rc:%d", j->rc);
    }
    FL_END(self);
}

static fl_cmd write_later(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(20));
    log_add("write");
    ck_assert_int_eq(write(j->fd, "hi", 2), 2);
    FL_END(self);
}

START_TEST(reader_sleeps_until_the_pipe_has_data)
{
    job r, w;
    job_init(&r, read_when_ready, fds[0]);
    job_init(&w, write_later, fds[1]);
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "write read:hi");
}
END_TEST

START_TEST(fds_the_backend_cannot_watch_are_refused)
{
    job r;
    char expect[96];
    int closed[2];
    job_init(&r, read_when_ready, FD_SETSIZE);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    job_init(&r, read_when_ready, -1);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(pipe(closed), 0); /* get an fd number, then close it */
    close(closed[0]);
    close(closed[1]);
    job_init(&r, read_when_ready, closed[0]);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d rc:%d rc:%d", FL_ERANGE, FL_ERANGE, -EBADF);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

static fl_cmd cancel_other_later(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    ck_assert(fl_cancel(&loop, &j->other->task));
    FL_END(self);
}

START_TEST(cancelled_reader_leaves_and_the_fd_stays_usable)
{
    job r, c;
    char expect[64];
    job_init(&r, read_when_ready, fds[0]);
    job_init(&c, cancel_other_later, -1);
    c.other = &r;
    ck_assert_int_eq(fl_spawn(&loop, &r.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &c.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d", FL_ECANCELLED);
    ck_assert_str_eq(log_text(), expect);
    ck_assert(fl_task_cancelled(&r.task) || fl_task_finished(&r.task));
    /* The fd is still open and works; a new reader gets the data. */
    ck_assert_int_eq(write(fds[1], "ok", 2), 2);
    log_reset();
    job_init(&r, read_when_ready, fds[0]);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "read:ok");
}
END_TEST

static fl_cmd read_with_timeout(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_TIMEOUT(self, FL_MS(30));
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
    log_add("rc:%d", j->rc);
    FL_END(self);
}

START_TEST(recv_style_wait_times_out)
{
    job r;
    char expect[32];
    fl_time t0 = fl_now(&loop);
    job_init(&r, read_with_timeout, fds[0]);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_ge(fl_now(&loop) - t0, FL_MS(30));
}
END_TEST

/* ---- wake-ups from another thread ----------------------------------------- */

static fl_signal sig;

static void *raise_later(void *arg)
{
    struct timespec ts = {0, 30 * 1000000L};
    (void)arg;
    nanosleep(&ts, NULL);
    fl_signal_raise(&sig);
    return NULL;
}

static fl_cmd wait_signal(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SIGNAL_WAIT_RC(self, j->rc, &sig);
    log_add("woken:%d", j->rc);
    FL_END(self);
}

START_TEST(signal_from_another_thread_ends_select_at_once)
{
    job w;
    pthread_t th;
    fl_time t0;
    ck_assert_int_eq(fl_signal_init(&sig, &loop), 0);
    job_init(&w, wait_signal, -1);
    t0 = fl_now(&loop);
    ck_assert_int_eq(pthread_create(&th, NULL, raise_later, NULL), 0);
    /* No timer: the loop waits in select() with no timeout until the
     * self-pipe says the thread raised the signal. */
    ck_assert_int_eq(fl_run_until_complete(&loop, &w.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_str_eq(log_text(), "woken:0");
    ck_assert_uint_ge(fl_now(&loop) - t0, FL_MS(25));
}
END_TEST

START_TEST(max_wait_bounds_an_io_wait)
{
    job r;
    char expect[32];
    /* Nothing will ever be written, no timer: max_wait makes the loop come
     * back every 5 ms; the task's own 20 ms deadline ends it. */
    job_init(&r, read_with_timeout, fds[0]);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, FL_MS(5), NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
}
END_TEST

/* ---- the dump on a signal --------------------------------------------------- */

static int dump_lines;
static char dump_text[2048];

static void collect(void *ctx, const char *line)
{
    (void)ctx;
    dump_lines++;
    if (strlen(dump_text) + strlen(line) + 2 < sizeof dump_text) {
        strcat(dump_text, line);
        strcat(dump_text, "\n");
    }
}

/* Raises SIGUSR1 at itself, then waits on the pipe: the loop idles in
 * select(), which the signal's wake-up ends, and the dump shows this task
 * waiting on its fd. */
static fl_cmd signal_then_wait(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    ck_assert_int_eq(raise(SIGUSR1), 0);
    ck_assert_int_eq(dump_lines, 0); /* not from inside the handler */
    FL_TIMEOUT(self, FL_MS(200));
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
    log_add("rc:%d", j->rc);
    FL_END(self);
}

START_TEST(sigusr1_prints_the_dump_from_the_loop)
{
    job r;
    char expect[32];
    dump_lines = 0;
    dump_text[0] = '\0';
    ck_assert_int_eq(fl_port_posix_dump_on_signal(SIGKILL, collect, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_port_posix_dump_on_signal(SIGUSR1, collect, NULL), 0);
    job_init(&r, signal_then_wait, fds[0]);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    signal(SIGUSR1, SIG_DFL);
    snprintf(expect, sizeof expect, "rc:%d", FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_int_gt(dump_lines, 1);
    ck_assert_ptr_nonnull(strstr(dump_text, "waiting to read fd "));
}
END_TEST

/* ---- ports of one's own ------------------------------------------------------ */

/* A port that keeps one wait list for every fd, and when the loop idles
 * ends every wait on it with -EIO, as a backend might when its device
 * goes away: fl_port_wait_on and fl_port_wake_all are all it needs. */
typedef struct list_port {
    fl_port port;
    fl_waitq list;
    fl_time now;
} list_port;

static fl_time list_now(fl_port *p)
{
    return ((list_port *)p)->now;
}

static void list_wait(fl_port *p, fl_loop *l, fl_time ticks, bool forever)
{
    list_port *lp = (list_port *)p;
    (void)ticks;
    (void)forever;
    lp->now++;
    fl_port_wake_all(l, &lp->list, -EIO);
}

static int list_watch(fl_port *p, fl_loop *l, fl_task *t, int fd, unsigned events)
{
    (void)fd;
    (void)events;
    fl_port_wait_on(l, t, &((list_port *)p)->list);
    return 1;
}

static bool list_watching(fl_port *p)
{
    return ((list_port *)p)->list.head != FL_SLOT_NONE;
}

static fl_cmd two_readers(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &j->other->task, read_when_ready);
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
    log_add("rc:%d", j->rc);
    FL_JOIN(self, &j->other->task);
    FL_END(self);
}

START_TEST(a_port_ends_every_wait_on_its_list_with_its_outcome)
{
    list_port lp;
    fl_loop l;
    job a, b;
    char expect[32];
    memset(&lp, 0, sizeof lp);
    lp.port.now = list_now;
    lp.port.wait = list_wait;
    lp.port.watch = list_watch;
    lp.port.watching = list_watching;
    fl_waitq_init(&lp.list, FL_WAIT_IO_READ);
    ck_assert_int_eq(fl_loop_init(&l, &lp.port), 0);
    job_init(&a, two_readers, 40);
    job_init(&b, read_when_ready, 41);
    a.other = &b;
    ck_assert_int_eq(fl_run_until_complete(&l, &a.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d rc:%d", -EIO, -EIO);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(lp.now, 1); /* one idle wait ended both */
}
END_TEST

/* The fake port has no I/O: a wait on an fd is refused, not hung; so is
 * a negative fd.  The same with hooks attached (the loop steps a task
 * down another path then). */
START_TEST(io_wait_on_a_port_without_io_is_refused)
{
    static fl_hooks none;
    fake_port f;
    fl_loop l;
    job r;
    char expect[64];
    int pass;
    fake_port_init(&f, 0);
    ck_assert_int_eq(fl_loop_init(&l, &f.port), 0);
    for (pass = 0; pass < 2; pass++) {
        fl_loop_set_hooks(&l, pass == 0 ? NULL : &none);
        job_init(&r, read_when_ready, fds[0]);
        ck_assert_int_eq(fl_run_until_complete(&l, &r.task, FL_RUN_JOIN, 0, NULL), 0);
        job_init(&r, read_when_ready, -1);
        ck_assert_int_eq(fl_run_until_complete(&l, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    }
    snprintf(expect, sizeof expect, "rc:%d rc:%d rc:%d rc:%d", FL_EINVAL, FL_ERANGE, FL_EINVAL,
             FL_ERANGE);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_eq(f.waits, 0);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("io");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, reader_sleeps_until_the_pipe_has_data);
    tcase_add_test(tc, fds_the_backend_cannot_watch_are_refused);
    tcase_add_test(tc, cancelled_reader_leaves_and_the_fd_stays_usable);
    tcase_add_test(tc, recv_style_wait_times_out);
    tcase_add_test(tc, signal_from_another_thread_ends_select_at_once);
    tcase_add_test(tc, max_wait_bounds_an_io_wait);
    tcase_add_test(tc, sigusr1_prints_the_dump_from_the_loop);
    tcase_add_test(tc, a_port_ends_every_wait_on_its_list_with_its_outcome);
    tcase_add_test(tc, io_wait_on_a_port_without_io_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
