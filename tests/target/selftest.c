/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - the loop's self-test on a microcontroller, full profile: tasks
 * and sleep on the board's tick, spawn and join, cancel with a finally, a
 * queue fed from a timer interrupt, and wake-ups raised from an interrupt
 * (fl_signal_raise, fl_post_spawn).  Each check prints a line through
 * semihosting; the firmware exits 0 only if all passed.
 */
#include <stdint.h>

#include "../../flowno/flowno.h"
#include "target.h"

static fl_loop loop;

/* ---- the interrupt side ----------------------------------------------------- */

/* The tick interrupt is also the "sensor": every SAMPLE_EVERY ticks it
 * stores a sample in a ring it alone writes and raises a signal.  An ISR
 * may not touch the loop's lists, so a task moves samples into a queue. */
#define SAMPLES 20
#define SAMPLE_EVERY 3
static volatile uint32_t ring[32];
static volatile unsigned ring_head;  /* written by the ISR only */
static unsigned ring_tail;           /* written by the mover task only */
static volatile int sampling;        /* set by the test when it is ready */
static fl_signal sample_ready;

/* At a chosen tick the ISR hands the loop a new task. */
static volatile uint32_t post_at;
static fl_task posted_task;
static volatile int post_rc = 1;

void target_tick(void)
{
    static unsigned produced, countdown;
    if (sampling && produced < SAMPLES && ++countdown == SAMPLE_EVERY) {
        countdown = 0;
        ring[ring_head % 32] = ++produced;
        ring_head++;
        fl_signal_raise(&sample_ready);
    }
    /* Read the clock through the port: fl_now would also write the loop. */
    if (post_at != 0 && loop.port->now(loop.port) >= post_at) {
        post_at = 0;
        post_rc = fl_post_spawn(&loop, &posted_task);
    }
}

/* ---- tasks ------------------------------------------------------------- */

struct sleeper {
    fl_task task;
    fl_time start, slept;
};

static fl_cmd sleep_50ms(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    s->start = fl_now(&loop);
    FL_SLEEP(self, FL_MS(50));
    s->slept = fl_now(&loop) - s->start;
    FL_END(self);
}

static fl_cmd answer(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(5));
    FL_RETURN(self, 42);
    FL_END(self);
}

static int cleaned_up;

static fl_cmd long_sleep(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, FL_MS(100000));
    FL_FINALLY(self);
    cleaned_up = 1;
    FL_END(self);
}

static int queue_storage[4];
static fl_queue samples;

struct mover {
    fl_task task;
    int moved;
    int item;
};

/* Moves samples from the ISR's ring into the queue, then closes it. */
static fl_cmd mover(fl_task *self)
{
    struct mover *m = (struct mover *)self;
    FL_BEGIN(self);
    while (m->moved < SAMPLES) {
        FL_SIGNAL_WAIT(self, &sample_ready);
        while (ring_tail != ring_head) {
            m->item = (int)ring[ring_tail % 32];
            ring_tail++;
            FL_QUEUE_PUT(self, &samples, &m->item);
            m->moved++;
        }
    }
    fl_queue_close(&samples);
    FL_END(self);
}

struct consumer {
    fl_task task;
    int item, count, sum;
};

static fl_cmd consumer(fl_task *self)
{
    struct consumer *c = (struct consumer *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, &samples, &c->item) {
        c->count++;
        c->sum += c->item;
        FL_SLEEP(self, FL_MS(2)); /* slower than the ISR: the queue fills */
    }
    FL_END(self);
}

static fl_event posted_ran;

static fl_cmd set_posted_ran(fl_task *self)
{
    FL_BEGIN(self);
    fl_event_set(&posted_ran);
    FL_RETURN(self, 7);
    FL_END(self);
}

struct main_task {
    fl_task task;
    struct sleeper sleeper;
    fl_task child, victim;
    struct mover mover;
    struct consumer consumer;
    int rc;
    fl_time t0;
};

static fl_cmd main_fn(fl_task *self)
{
    struct main_task *m = (struct main_task *)self;
    FL_BEGIN(self);

    /* Sleep on the board's tick. */
    fl_task_init(&m->sleeper.task, sleep_50ms);
    FL_SPAWN(self, &m->sleeper.task, NULL);
    FL_JOIN(self, &m->sleeper.task);
    /* Never early; how late depends on the host running QEMU, so no bound. */
    target_check(m->sleeper.slept >= FL_MS(50), "sleep 50 ms on " TARGET_TICK ", ms slept",
          (long)m->sleeper.slept);

    /* Spawn and join a child's value. */
    fl_task_init(&m->child, answer);
    FL_SPAWN(self, &m->child, NULL);
    FL_JOIN(self, &m->child);
    target_check(fl_task_result(&m->child) == 42, "spawn + join, value", (long)fl_task_result(&m->child));

    /* Cancel a long sleeper; its finally runs. */
    fl_task_init(&m->victim, long_sleep);
    FL_SPAWN(self, &m->victim, NULL);
    FL_SLEEP(self, FL_MS(3));
    m->t0 = fl_now(&loop);
    FL_CANCEL(self, &m->victim);
    target_check(fl_task_cancelled(&m->victim) && cleaned_up, "cancel mid-sleep, finally ran",
          cleaned_up);
    /* The victim slept for 100 s: far less proves the cancel woke it. */
    target_check(fl_now(&loop) - m->t0 < FL_MS(10000), "cancel did not wait for the sleep, ms",
          (long)(fl_now(&loop) - m->t0));

    /* A queue fed from the timer interrupt. */
    fl_task_init(&m->mover.task, mover);
    fl_task_init(&m->consumer.task, consumer);
    FL_SPAWN(self, &m->mover.task, NULL);
    FL_SPAWN(self, &m->consumer.task, NULL);
    sampling = 1;
    FL_JOIN(self, &m->consumer.task);
    FL_JOIN(self, &m->mover.task);
    target_check(m->consumer.count == SAMPLES, "ISR -> signal -> queue -> task, items",
          m->consumer.count);
    target_check(m->consumer.sum == SAMPLES * (SAMPLES + 1) / 2, "every sample once, sum",
          m->consumer.sum);

    /* A task handed over by an interrupt handler. */
    fl_task_init(&posted_task, set_posted_ran);
    post_at = fl_now(&loop) + FL_MS(10);
    FL_TIMEOUT(self, FL_MS(500));
    FL_EVENT_WAIT_RC(self, m->rc, &posted_ran);
    target_check(m->rc == 0 && post_rc == 0, "fl_post_spawn from the ISR woke the loop", m->rc);
    target_check(fl_task_result(&posted_task) == 7, "posted task's value", (long)fl_task_result(&posted_task));
    FL_END(self);
}

int target_main(void)
{
    static struct main_task m;
    fl_port *port = target_port();
    int rc;

    target_print("flowno self-test, full profile, on " TARGET_BOARD "\n");
    target_check(port != NULL, "the port on " TARGET_TICK, port != NULL);
    target_check(fl_loop_init(&loop, port) == 0, "loop init", 0);
    fl_signal_init(&sample_ready, &loop);
    fl_event_init(&posted_ran, &loop);
    fl_queue_init(&samples, &loop, queue_storage, sizeof(int), 4);
    fl_loop_hold(&loop); /* the ISR may still post: idle, don't give up */
    fl_task_init(&m.task, main_fn);
    rc = fl_run_until_complete(&loop, &m.task, FL_RUN_JOIN | FL_RUN_NO_WAIT, 0, NULL);
    target_check(rc == 0, "run_until_complete", rc);
    return target_report();
}
