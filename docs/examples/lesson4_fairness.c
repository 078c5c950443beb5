/* SPDX-License-Identifier: MIT */
/*
 * lesson4_fairness.c - docs/teaching.md, step 4: flowno's loop, and why
 * it is fair.  A boss spawns three busy workers and a sleeper with
 * FL_SPAWN: each child runs before its spawner goes on (Flowno's order).
 * The workers never wait: each step they work 30 us and FL_YIELD, which
 * puts them at the back of the ready list, so they take turns.  The
 * sleeper asks for one tick (a millisecond): while tasks are ready the
 * loop still looks at its timers every FL_POLL_INTERVAL steps (64), so
 * the sleeper is late by at most that many steps, never starved.
 */
#include "lesson.h"

#define WORKERS 3
#define ROUNDS 24

struct worker {
    fl_task task;
    int round;
};

struct sleeper {
    fl_task task;
    unsigned steps_before;
    uint32_t asleep_at;
};

static struct boss {
    fl_task task;
    struct worker w[WORKERS];
    struct sleeper s;
    int i;
} boss;

static const char *const names[WORKERS] = {"worker_A", "worker_B", "worker_C"};
static unsigned steps;       /* worker steps so far */
static unsigned slept_steps; /* how many the workers took while the sleeper slept */
static uint32_t slept_us;

static void work_for(uint32_t us)
{
    uint32_t start = lesson_micros(NULL);
    while (lesson_micros(NULL) - start < us)
        ;
}

static fl_cmd busy(fl_task *self)
{
    struct worker *w = (struct worker *)self;
    FL_BEGIN(self);
    for (w->round = 0; w->round < ROUNDS; w->round++) {
        work_for(30);
        steps++;
        FL_YIELD(self); /* to the back of the ready list */
    }
    FL_END(self);
}

static fl_cmd doze(fl_task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    FL_BEGIN(self);
    s->steps_before = steps;
    s->asleep_at = lesson_micros(NULL);
    FL_SLEEP(self, 1); /* one tick */
    slept_steps = steps - s->steps_before;
    slept_us = lesson_micros(NULL) - s->asleep_at;
    FL_END(self);
}

static fl_cmd boss_fn(fl_task *self)
{
    struct boss *b = (struct boss *)self;
    FL_BEGIN(self);
    for (b->i = 0; b->i < WORKERS; b->i++)
        FL_SPAWN(self, &b->w[b->i].task, busy); /* the child runs first */
    FL_SPAWN(self, &b->s.task, doze);
    for (b->i = 0; b->i < WORKERS; b->i++)
        FL_JOIN(self, &b->w[b->i].task);
    FL_JOIN(self, &b->s.task);
    FL_END(self);
}

static const char *name_of(void *ctx, const void *obj)
{
    int i;
    (void)ctx;
    for (i = 0; i < WORKERS; i++)
        if (obj == &boss.w[i].task)
            return names[i];
    return obj == &boss.task ? "boss" : obj == &boss.s.task ? "sleeper" : NULL;
}

int main(int argc, char **argv)
{
    static fl_loop loop;
    int rc, i, ok = 1;

    if (lesson_args(argc, argv) != 0 || fl_loop_init(&loop, fl_port_posix()) != 0 ||
        lesson_record(&loop, name_of, true) != 0)
        return 2;
    fl_task_init(&boss.task, boss_fn);
    rc = fl_run_until_complete(&loop, &boss.task, FL_RUN_JOIN, 0, NULL);
    for (i = 0; i < WORKERS; i++)
        ok &= fl_task_finished(&boss.w[i].task) && boss.w[i].round == ROUNDS;
    printf("fairness: %u worker steps, taken in turns (each FL_YIELD goes to the back)\n", steps);
    printf("fairness: the sleeper asked for 1 tick and woke after %lu us, while the workers "
           "took %u steps:\n  the loop looks at its timers every FL_POLL_INTERVAL = %d steps "
           "even while tasks are ready\n",
           (unsigned long)slept_us, slept_steps, FL_POLL_INTERVAL);
    if (rc != 0 || !ok || !fl_task_finished(&boss.s.task))
        return 1;
    return lesson_save();
}
