/* SPDX-License-Identifier: MIT */
/*
 * check_io.c - the POSIX ports (select, poll, epoll: each test runs on
 * each) with real file descriptors: waiting for a pipe, fds they must
 * refuse, cancel and timeout of an I/O wait (the fd stays usable), an fd
 * closed and its number reused, a regular file, and a wake-up raised from
 * another thread ending the wait at once.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
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
    ck_assert_int_eq(fl_loop_init(&loop, test_port()), 0);
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
    job_init(&r, read_when_ready, test_backend_now()->capacity);
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

/* ---- fds closed, reused, left behind -------------------------------------- */

/* Reads when the fd is ready, giving up after a second; a wake-up with
 * nothing to read (the fd must be non-blocking) is counted and waited
 * again. */
static int spurious;

static fl_cmd read_within_a_second(fl_task *self)
{
    job *j = (job *)self;
    ssize_t n;
    FL_BEGIN(self);
    for (;;) {
        FL_TIMEOUT(self, FL_MS(1000));
        FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
        if (j->rc < 0)
            break;
        n = read(j->fd, j->buf, sizeof j->buf - 1);
        if (n > 0) {
            j->buf[n] = '\0';
            log_add("read:%s", j->buf);
            FL_RETURN(self, 0);
        }
        spurious++;
    }
    log_add("rc:%d", j->rc);
    FL_END(self);
}

static void run_reader(int fd, int writer)
{
    job r, w;
    job_init(&r, read_within_a_second, fd);
    job_init(&w, write_later, writer);
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
}

/* epoll keeps a registration after the wait; a plain close() drops it in
 * the kernel without the port knowing, and pipe() hands the number out
 * again.  The new pipe's reader must still be woken. */
START_TEST(a_closed_fds_number_reused_by_a_new_pipe_is_watched_afresh)
{
    int old_rd = fds[0], old_wr = fds[1];
    run_reader(fds[0], fds[1]);
    ck_assert_str_eq(log_text(), "write read:hi");
    close(fds[0]);
    close(fds[1]);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fds[0], old_rd); /* the same numbers, new files */
    ck_assert_int_eq(fds[1], old_wr);
    log_reset();
    run_reader(fds[0], fds[1]);
    ck_assert_str_eq(log_text(), "write read:hi");
}
END_TEST

/* A port that counts the waits of another: a loop that spins on an fd
 * nobody waits for shows as thousands of them. */
typedef struct counting_port {
    fl_port port;
    fl_port *inner;
    unsigned waits;
} counting_port;

static counting_port counting;

static fl_time counting_now(fl_port *p)
{
    (void)p;
    return counting.inner->now(counting.inner);
}
static void counting_wait(fl_port *p, fl_loop *l, fl_time ticks, bool forever)
{
    (void)p;
    counting.waits++;
    counting.inner->wait(counting.inner, l, ticks, forever);
}
static int counting_watch(fl_port *p, fl_loop *l, fl_task *t, int fd, unsigned events)
{
    (void)p;
    return counting.inner->watch(counting.inner, l, t, fd, events);
}
static bool counting_watching(fl_port *p)
{
    (void)p;
    return counting.inner->watching(counting.inner);
}
static int counting_fd_of(fl_port *p, const fl_waitq *list)
{
    (void)p;
    return counting.inner->fd_of(counting.inner, list);
}

static void count_waits(void)
{
    memset(&counting, 0, sizeof counting);
    counting.inner = test_port();
    counting.port.now = counting_now;
    counting.port.wait = counting_wait;
    counting.port.watch = counting_watch;
    counting.port.watching = counting_watching;
    counting.port.fd_of = counting_fd_of;
    ck_assert_int_eq(fl_loop_init(&loop, &counting.port), 0);
}

static fl_cmd cancel_then_write(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    ck_assert(fl_cancel(&loop, &j->other->task));
    FL_SLEEP(self, FL_MS(30)); /* long enough for the other reader's timeout */
    ck_assert_int_eq(write(j->fd, "x", 1), 1); /* ready, and nobody reads */
    FL_SLEEP(self, FL_MS(50));
    log_add("slept");
    FL_END(self);
}

/* A reader cancelled and one timed out leave the fd's lists; under epoll
 * the kernel still has the fd.  Data then comes that nobody reads: the
 * 50 ms sleep after it must be one wait, not a spin. */
START_TEST(an_fd_left_by_cancelled_and_timed_out_readers_does_not_spin_the_loop)
{
    job cancelled, timed_out, c;
    char expect[64];
    count_waits();
    job_init(&cancelled, read_when_ready, fds[0]);
    job_init(&timed_out, read_with_timeout, fds[0]);
    job_init(&c, cancel_then_write, fds[1]);
    c.other = &cancelled;
    ck_assert_int_eq(fl_spawn(&loop, &cancelled.task, NULL), 0);
    ck_assert_int_eq(fl_spawn(&loop, &timed_out.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &c.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d rc:%d slept", FL_ECANCELLED, FL_ETIMEDOUT);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_uint_lt(counting.waits, 40);
}
END_TEST

/* A file stays open under another number (dup, or a child after fork)
 * when its fd is closed: epoll keeps it in its set under the old number,
 * which a new pipe now has.  The old file's data must not wake the new
 * pipe's reader, nor spin the loop. */
static fl_cmd write_old_then_new(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    ck_assert_int_eq(write(j->rc, "old", 3), 3);
    FL_SLEEP(self, FL_MS(30));
    log_add("write");
    ck_assert_int_eq(write(j->fd, "new", 3), 3);
    FL_END(self);
}

START_TEST(a_dup_that_outlives_a_plain_close_does_not_wake_the_numbers_new_file)
{
    int old_rd = fds[0], old_wr = fds[1], kept, fl;
    job r, w;
    run_reader(fds[0], fds[1]); /* fds[0] is watched, then left */
    kept = dup(fds[0]);
    ck_assert_int_ge(kept, 0);
    close(fds[0]);
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(fds[0], old_rd); /* the number the old pipe had */
    fl = fcntl(fds[0], F_GETFL);
    ck_assert_int_eq(fcntl(fds[0], F_SETFL, fl | O_NONBLOCK), 0);
    log_reset();
    spurious = 0;
    count_waits();
    job_init(&r, read_within_a_second, fds[0]);
    job_init(&w, write_old_then_new, fds[1]);
    w.rc = old_wr;
    ck_assert_int_eq(fl_spawn(&loop, &w.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "write read:new");
    ck_assert_int_le(spurious, 1);
    ck_assert_uint_lt(counting.waits, 40);
    close(kept);
    close(old_wr);
}
END_TEST

/* fl_sock_close on an fd a task waits on: the task wakes with -EBADF at
 * once instead of waiting on a number that names nothing. */
static fl_cmd close_under_the_reader(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    ck_assert_int_eq(fl_sock_close(j->fd), 0);
    FL_END(self);
}

START_TEST(fl_sock_close_wakes_a_task_waiting_on_the_fd)
{
    job r, c;
    char expect[32];
    job_init(&r, read_within_a_second, fds[0]);
    job_init(&c, close_under_the_reader, fds[0]);
    ck_assert_int_eq(fl_spawn(&loop, &c.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &r.task, FL_RUN_JOIN, 0, NULL), 0);
    snprintf(expect, sizeof expect, "rc:%d", -EBADF);
    ck_assert_str_eq(log_text(), expect);
    ck_assert_int_lt(fcntl(fds[0], F_GETFD), 0); /* closed */
    ck_assert_int_eq(pipe(fds), 0);               /* for teardown */
    ck_assert_int_eq(fl_sock_close(-1), -EBADF);
}
END_TEST

/* select() and poll() say a regular file is always ready; epoll refuses
 * to watch one (EPERM), and the port says ready as the others do. */
static fl_cmd wait_both_ways(fl_task *self)
{
    job *j = (job *)self;
    FL_BEGIN(self);
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_READ);
    log_add("read:%d", j->rc);
    FL_IO_WAIT_RC(self, j->rc, j->fd, FL_IO_WRITE);
    log_add("write:%d", j->rc);
    FL_END(self);
}

START_TEST(a_regular_file_is_always_ready)
{
    job j;
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    job_init(&j, wait_both_ways, fileno(f));
    ck_assert_int_eq(fl_run_until_complete(&loop, &j.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_str_eq(log_text(), "read:0 write:0");
    fclose(f);
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

START_TEST(signal_from_another_thread_ends_the_wait_at_once)
{
    job w;
    pthread_t th;
    fl_time t0;
    ck_assert_int_eq(fl_signal_init(&sig, &loop), 0);
    job_init(&w, wait_signal, -1);
    t0 = fl_now(&loop);
    ck_assert_int_eq(pthread_create(&th, NULL, raise_later, NULL), 0);
    /* No timer: the loop waits in the port with no timeout until the
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
 * the port, which the signal's wake-up ends, and the dump shows this task
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

/* fl_loop_poll runs what can run now, I/O included: a reader whose pipe
 * already has data goes on at the first poll, without sleeping. */
START_TEST(a_poll_wakes_a_reader_whose_fd_is_ready)
{
    job r;
    fl_time next = 0;
    job_init(&r, read_when_ready, fds[0]);
    ck_assert_int_eq(fl_spawn(&loop, &r.task, NULL), 0);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 1); /* it waits on the fd */
    ck_assert_int_eq(fl_task_state(&r.task), FL_TASK_WAITING);
    ck_assert_int_eq(write(fds[1], "hi", 2), 2);
    ck_assert_int_eq(fl_loop_poll(&loop, &next), 0);
    ck_assert_str_eq(log_text(), "read:hi");
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
    return ((list_port *)p)->list.last != FL_SLOT_NONE;
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

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, reader_sleeps_until_the_pipe_has_data);
    tcase_add_test(tc, fds_the_backend_cannot_watch_are_refused);
    tcase_add_test(tc, cancelled_reader_leaves_and_the_fd_stays_usable);
    tcase_add_test(tc, recv_style_wait_times_out);
    tcase_add_test(tc, a_closed_fds_number_reused_by_a_new_pipe_is_watched_afresh);
    tcase_add_test(tc, an_fd_left_by_cancelled_and_timed_out_readers_does_not_spin_the_loop);
    tcase_add_test(tc, a_dup_that_outlives_a_plain_close_does_not_wake_the_numbers_new_file);
    tcase_add_test(tc, fl_sock_close_wakes_a_task_waiting_on_the_fd);
    tcase_add_test(tc, a_regular_file_is_always_ready);
    tcase_add_test(tc, signal_from_another_thread_ends_the_wait_at_once);
    tcase_add_test(tc, max_wait_bounds_an_io_wait);
    tcase_add_test(tc, sigusr1_prints_the_dump_from_the_loop);
    tcase_add_test(tc, a_poll_wakes_a_reader_whose_fd_is_ready);
    tcase_add_test(tc, a_port_ends_every_wait_on_its_list_with_its_outcome);
    tcase_add_test(tc, io_wait_on_a_port_without_io_is_refused);
}

Suite *suite(void)
{
    Suite *s = suite_create("io");
    add_port_cases(s, add_tests, setup, teardown, 10);
    return s;
}
