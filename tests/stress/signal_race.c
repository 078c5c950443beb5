/* SPDX-License-Identifier: MIT */
/*
 * signal_race.c - raises from another thread must never be lost.
 *
 * Two tasks wait on two signals; another thread raises the first, then,
 * after a short random spin, the second, so that the second raise often
 * lands while the loop is delivering the first.  When a round's wake-up
 * has not come after a second, the thread looks at the loop (which is
 * idle then): a signal raised, no raise pending for the loop, and its
 * waiter still waiting is a raise the loop will never deliver.  It
 * reports that, raises again to go on, and exits 1 at the end.
 *
 *   signal_race [SECONDS]   (default 60)
 *
 * Not part of make test: it is a stress run, slow under valgrind and
 * bounded by time, not by a count (make stress-signal).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../flowno/flowno.h"

static fl_loop loop;
static fl_signal sig[2];
static long waiting[2], woken[2]; /* rounds begun and ended, per task */
static volatile int stop;

typedef struct waiter {
    fl_task task;
    int k;
} waiter;

static fl_cmd wait_rounds(fl_task *self)
{
    waiter *w = (waiter *)self;
    FL_BEGIN(self);
    while (!stop) {
        __atomic_add_fetch(&waiting[w->k], 1, __ATOMIC_SEQ_CST);
        FL_SIGNAL_WAIT(self, &sig[w->k]);
        __atomic_add_fetch(&woken[w->k], 1, __ATOMIC_SEQ_CST);
    }
    FL_END(self);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static long rounds, lost;

static void *raiser(void *arg)
{
    double limit = *(double *)arg;
    unsigned seed = 1;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (seconds_since(&start) < limit) {
        long round = ++rounds;
        volatile unsigned spin;
        unsigned delay;
        struct timespec t0;
        int k;
        while (__atomic_load_n(&waiting[0], __ATOMIC_SEQ_CST) < round ||
               __atomic_load_n(&waiting[1], __ATOMIC_SEQ_CST) < round)
            ;
        fl_signal_raise(&sig[0]);
        seed = seed * 1103515245u + 12345u;
        delay = (seed >> 16) % 2000u;
        for (spin = 0; spin < delay; spin++)
            ;
        fl_signal_raise(&sig[1]);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (k = 0; k < 2; k++) {
            while (__atomic_load_n(&woken[k], __ATOMIC_SEQ_CST) < round) {
                if (seconds_since(&t0) < 1.0)
                    continue;
                if (__atomic_load_n(&sig[k].raised, __ATOMIC_SEQ_CST) &&
                    !__atomic_load_n(&loop.signal_pending, __ATOMIC_SEQ_CST)) {
                    printf("round %ld: signal %d raised, no raise pending, its waiter "
                           "still waiting: the raise is lost\n", round, k);
                    lost++;
                }
                fl_signal_raise(&sig[k]); /* go on */
                clock_gettime(CLOCK_MONOTONIC, &t0);
            }
        }
    }
    stop = 1;
    fl_signal_raise(&sig[0]);
    fl_signal_raise(&sig[1]);
    return NULL;
}

int main(int argc, char **argv)
{
    double limit = argc > 1 ? atof(argv[1]) : 60.0;
    pthread_t th;
    waiter w[2];
    int k;
    if (fl_loop_init(&loop, fl_port_posix()) != 0)
        return 2;
    for (k = 0; k < 2; k++) {
        w[k].k = k;
        fl_task_init(&w[k].task, wait_rounds);
        if (fl_signal_init(&sig[k], &loop) != 0 || fl_spawn(&loop, &w[k].task, NULL) != 0)
            return 2;
    }
    fl_loop_hold(&loop);
    if (pthread_create(&th, NULL, raiser, &limit) != 0)
        return 2;
    while (!stop)
        (void)fl_run_until_complete(&loop, &w[0].task, FL_RUN_NO_WAIT, 0, NULL);
    pthread_join(th, NULL);
    printf("signal_race: %ld rounds in %.0f s, %ld raise(s) lost\n", rounds, limit, lost);
    return lost == 0 ? 0 : 1;
}
