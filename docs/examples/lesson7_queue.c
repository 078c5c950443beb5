/* SPDX-License-Identifier: MIT */
/*
 * lesson7_queue.c - docs/teaching.md, step 7: a queue that closes
 * cleanly.  A producer puts six jobs into a queue of two places, waiting
 * while it is full; two consumers, one fast and one slow, take them
 * (FL_QUEUE_FOR_EACH), first come first served.  When the producer is
 * done it closes the queue: nobody is told to stop by a flag.  The close
 * wakes the consumers waiting on the empty queue; a consumer drains what
 * is left first; their loops end (FL_ECLOSED), and every job put was
 * taken exactly once.
 */
#include "lesson.h"

#define JOBS 6

struct producer {
    fl_task task;
    int job;
};

struct consumer {
    fl_task task;
    const char *name;
    fl_time pace;
    int job, taken, sum;
};

static fl_queue jobs;
static int storage[2];
static struct producer producer;
static struct consumer fast = {{0}, "fast", FL_MS(2), 0, 0, 0};
static struct consumer slow = {{0}, "slow", FL_MS(5), 0, 0, 0};

static fl_cmd produce(fl_task *self)
{
    struct producer *p = (struct producer *)self;
    FL_BEGIN(self);
    for (p->job = 1; p->job <= JOBS; p->job++)
        FL_QUEUE_PUT(self, &jobs, &p->job); /* waits while the queue is full */
    FL_SLEEP(self, FL_MS(15)); /* meanwhile the consumers empty it, and wait */
    printf("producer: %d jobs put, closing the queue\n", JOBS);
    fl_queue_close(&jobs); /* wakes every waiter: the queue is done */
    FL_END(self);
}

static fl_cmd consume(fl_task *self)
{
    struct consumer *c = (struct consumer *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, &jobs, &c->job) {
        printf("%s: job %d\n", c->name, c->job);
        c->taken++;
        c->sum += c->job;
        FL_SLEEP(self, c->pace); /* the work */
    }
    printf("%s: the queue is closed and empty, %d jobs taken\n", c->name, c->taken);
    FL_END(self);
}

static struct boss {
    fl_task task;
} boss;

static fl_cmd boss_fn(fl_task *self)
{
    FL_BEGIN(self);
    FL_SPAWN(self, &fast.task, consume);
    FL_SPAWN(self, &slow.task, consume);
    FL_SPAWN(self, &producer.task, produce);
    FL_JOIN(self, &producer.task);
    FL_JOIN(self, &fast.task);
    FL_JOIN(self, &slow.task);
    FL_END(self);
}

static const char *name_of(void *ctx, const void *obj)
{
    (void)ctx;
    if (obj == &jobs)
        return "jobs";
    if (obj == &producer.task)
        return "producer";
    if (obj == &fast.task || obj == &slow.task)
        return ((const struct consumer *)obj)->name;
    return obj == &boss.task ? "boss" : NULL;
}

int main(int argc, char **argv)
{
    static fl_loop loop;
    int rc;

    if (lesson_args(argc, argv) != 0 || fl_loop_init(&loop, fl_port_posix()) != 0 ||
        lesson_record(&loop, name_of, false) != 0)
        return 2;
    fl_queue_init(&jobs, &loop, storage, sizeof storage[0], 2);
    fl_task_init(&boss.task, boss_fn);
    rc = fl_run_until_complete(&loop, &boss.task, FL_RUN_JOIN, 0, NULL);
    printf("queue: %d + %d jobs taken, sum %d (1 + ... + %d = %d): none lost, none twice\n",
           fast.taken, slow.taken, fast.sum + slow.sum, JOBS, JOBS * (JOBS + 1) / 2);
    if (rc != 0 || fast.taken + slow.taken != JOBS || fast.sum + slow.sum != JOBS * (JOBS + 1) / 2)
        return 1;
    return lesson_save();
}
