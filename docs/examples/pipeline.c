/* SPDX-License-Identifier: MIT */
/*
 * pipeline.c - a producer/consumer pipeline with a clean shutdown.
 *
 *   sensor --q_raw--> filter --q_avg--> logger
 *
 * The sensor produces readings and closes q_raw when it is done.  The
 * filter drains q_raw (its get returns FL_ECLOSED only once every reading
 * put before the close has been taken), then closes q_avg.  The logger
 * drains q_avg the same way.  No reading is lost and nobody is told to stop
 * by a flag: closing a queue is the shutdown signal, as in Flowno's
 * `async for item in queue`.
 *
 * `make test` builds and runs it; by hand: make build/gcc/examples/pipeline
 */
#include <stdio.h>

#include "../../flowno/flowno.h"

#define READINGS 12
#define WINDOW 3

static fl_loop loop;
static fl_queue q_raw, q_avg;
static int raw_storage[4];    /* small queues: the stages take turns */
static int avg_storage[2];
static fl_time start;

static unsigned long ms(void)
{
    return (unsigned long)(fl_now(&loop) - start) * 1000ul / FL_TICK_HZ;
}

/* ---- sensor: READINGS values, one every 5 ms, then close --------------- */

struct sensor {
    fl_task task;
    int i, value;
};

static fl_cmd sensor_fn(fl_task *self)
{
    struct sensor *s = (struct sensor *)self;
    FL_BEGIN(self);
    for (s->i = 0; s->i < READINGS; s->i++) {
        FL_SLEEP(self, FL_MS(5));
        s->value = 10 * s->i + (s->i % 3);
        FL_QUEUE_PUT(self, &q_raw, &s->value);
        printf("[%3lu ms] sensor  put %3d   (q_raw holds %u)\n", ms(), s->value,
               fl_queue_len(&q_raw));
    }
    printf("[%3lu ms] sensor  done: closing q_raw\n", ms());
    fl_queue_close(&q_raw);
    FL_END(self);
}

/* ---- filter: moving average of WINDOW readings ------------------------- */

struct filter {
    fl_task task;
    int window[WINDOW];
    int n, in, out, rc;
};

static fl_cmd filter_fn(fl_task *self)
{
    struct filter *f = (struct filter *)self;
    int i, sum;
    FL_BEGIN(self);
    for (;;) {
        FL_QUEUE_GET_RC(self, f->rc, &q_raw, &f->in);
        if (f->rc == FL_ECLOSED)
            break;                 /* closed and drained: time to stop */
        FL_CHECK(self, f->rc);
        f->window[f->n % WINDOW] = f->in;
        f->n++;
        if (f->n < WINDOW)
            continue;
        for (sum = 0, i = 0; i < WINDOW; i++)
            sum += f->window[i];
        f->out = sum / WINDOW;
        FL_QUEUE_PUT(self, &q_avg, &f->out);
    }
    printf("[%3lu ms] filter  q_raw closed after %d readings: closing q_avg\n", ms(), f->n);
    fl_queue_close(&q_avg);
    FL_RETURN(self, f->n);
    FL_END(self);
}

/* ---- logger: prints averages, slowly ------------------------------------ */

struct logger {
    fl_task task;
    int value, count;
    long total;
};

static fl_cmd logger_fn(fl_task *self)
{
    struct logger *l = (struct logger *)self;
    FL_BEGIN(self);
    /* The same loop in one macro: Flowno's `async for value in q_avg`. */
    FL_QUEUE_FOR_EACH(self, &q_avg, &l->value) {
        l->count++;
        l->total += l->value;
        printf("[%3lu ms] logger  average #%d = %d\n", ms(), l->count, l->value);
        FL_SLEEP(self, FL_MS(8)); /* slower than the sensor: q_avg fills */
    }
    printf("[%3lu ms] logger  q_avg closed: %d averages logged\n", ms(), l->count);
    FL_RETURN(self, l->total);
    FL_END(self);
}

/* ---- main task: start the stages, wait for all three ------------------- */

struct pipeline {
    fl_task task;
    struct sensor sensor;
    struct filter filter;
    struct logger logger;
};

static fl_cmd pipeline_fn(fl_task *self)
{
    struct pipeline *p = (struct pipeline *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &p->logger.task, logger_fn);
    FL_SPAWN(self, &p->filter.task, filter_fn);
    FL_SPAWN(self, &p->sensor.task, sensor_fn);
    FL_JOIN(self, &p->sensor.task);
    FL_JOIN(self, &p->filter.task);
    FL_JOIN(self, &p->logger.task);
    FL_RETURN(self, fl_task_result(&p->logger.task));
    FL_END(self);
}

int main(void)
{
    static struct pipeline p;
    fl_value total = 0;
    long expect = 0;
    int i, j, rc;

    if (fl_loop_init(&loop, fl_port_posix()) != 0 ||
        fl_queue_init(&q_raw, &loop, raw_storage, sizeof(int), 4) != 0 ||
        fl_queue_init(&q_avg, &loop, avg_storage, sizeof(int), 2) != 0)
        return 1;
    fl_task_init(&p.task, pipeline_fn);
    start = fl_now(&loop);
    rc = fl_run_until_complete(&loop, &p.task, FL_RUN_JOIN, 0, &total);
    if (rc != 0) {
        printf("pipeline failed: %s\n", fl_strerror(rc));
        return 1;
    }

    /* Recompute what the logger must have seen: nothing may be lost. */
    for (i = WINDOW - 1; i < READINGS; i++) {
        int sum = 0;
        for (j = i - WINDOW + 1; j <= i; j++)
            sum += 10 * j + (j % 3);
        expect += sum / WINDOW;
    }
    printf("total of averages: %ld (expected %ld)\n", (long)total, expect);
    return total == expect ? 0 : 1;
}
