/* SPDX-License-Identifier: MIT */
/*
 * lesson3_commands.c - docs/teaching.md, step 3: a task says what it
 * waits for.  Each call returns a command record, flowno's own fl_cmd (an
 * op and its argument): YIELD, SLEEP n, DONE.  A loop of forty lines
 * interprets them, as flowno's does: a ready list served first come
 * first served, sleepers with a due time on a clock that jumps ahead when
 * nobody is ready.  No task is called to learn that it must still wait.
 *
 * The loop also writes a record of each step, command and wake-up, the
 * very records flowno's recorder keeps: `lesson3_commands --trace PREFIX`
 * draws this loop's schedule with flowno's exporters.
 */
#include "lesson.h"

#define NTASKS 3

struct task {
    gen_t g;        /* where it resumes (gen/gen.h, as in step 2) */
    int i;
    fl_time period; /* how long it sleeps */
    const char *name;
    int yields;     /* how often it yields first */
    fl_time due;    /* while it sleeps: when it wakes */
    bool sleeping, done;
    fl_task id;     /* only to name it in the trace: records name an fl_task */
};

static fl_time now; /* the loop's clock, in ticks (milliseconds) */

static fl_cmd command(int op, fl_time ticks)
{
    fl_cmd c;
    c.op = op;
    c.arg.ticks = ticks;
    return c;
}

/* A task: a few rounds, each a line and a wait, then done. */
static fl_cmd work(struct task *t)
{
    GEN_BEGIN(&t->g);
    for (t->i = 0; t->i < t->yields; t->i++) {
        printf("[%3u ms] %s: yield\n", (unsigned)now, t->name);
        GEN_YIELD(&t->g, command(FL_OP_YIELD, 0));
    }
    for (t->i = 1; t->i <= 3; t->i++) {
        printf("[%3u ms] %s: round %d, then SLEEP %u\n", (unsigned)now, t->name, t->i,
               (unsigned)t->period);
        GEN_YIELD(&t->g, command(FL_OP_SLEEP, t->period));
    }
    GEN_END(&t->g, command(FL_OP_DONE, 0));
}

/* The trace: flowno's own records, written by hand (lesson.h). */
static void note(unsigned kind, unsigned what, const struct task *t, const struct task *by,
                 fl_time ticks)
{
    lesson_note(kind, what, &t->id, by != NULL ? &by->id : NULL, ticks, now);
}

/* ---- the loop -------------------------------------------------------------- */

static struct task tasks[NTASKS] = {{{GEN_LC_START}, 0, 30, "A", 1, 0, false, false, {0}},
                                    {{GEN_LC_START}, 0, 20, "B", 1, 0, false, false, {0}},
                                    {{GEN_LC_START}, 0, 45, "C", 2, 0, false, false, {0}}};
static struct task *ready[NTASKS]; /* a FIFO: the oldest first */
static unsigned nready;

static void make_ready(struct task *t, unsigned cause, const struct task *by)
{
    ready[nready++] = t;
    note(FL_TRACE_READY, cause, t, by, 0);
}

static struct task *take_first(void)
{
    struct task *t = ready[0];
    unsigned k;
    for (k = 1; k < nready; k++)
        ready[k - 1] = ready[k];
    nready--;
    return t;
}

/* Sleepers whose time has come join the back of the ready list; returns
 * the soonest due time of those left (or 0 if none sleeps). */
static fl_time wake_due(void)
{
    fl_time next = 0;
    unsigned k;
    for (k = 0; k < NTASKS; k++) {
        struct task *t = &tasks[k];
        if (t->sleeping && t->due <= now) {
            t->sleeping = false;
            make_ready(t, FL_READY_SLEPT, NULL);
        } else if (t->sleeping && (next == 0 || t->due < next)) {
            next = t->due;
        }
    }
    return next;
}

/* Run `t` once and do what its command says: the command handler. */
static void step(struct task *t)
{
    fl_cmd cmd;
    note(FL_TRACE_RUN, 0, t, NULL, 0);
    cmd = work(t);
    note(FL_TRACE_STOP, (unsigned)cmd.op, t, NULL, cmd.arg.ticks);
    switch (cmd.op) {
    case FL_OP_YIELD: /* behind every task ready now */
        make_ready(t, FL_READY_STEPPED_ASIDE, t);
        break;
    case FL_OP_SLEEP: /* off the ready list until it is due */
        t->due = now + cmd.arg.ticks;
        t->sleeping = true;
        break;
    default: /* FL_OP_DONE */
        t->done = true;
        note(FL_TRACE_END, FL_TASK_FINISHED, t, NULL, 0);
        break;
    }
}

int main(int argc, char **argv)
{
    unsigned k, calls = 0;

    if (lesson_args(argc, argv) != 0 || lesson_record(NULL, lesson_name_of, false) != 0)
        return 2;
    for (k = 0; k < NTASKS; k++) {
        lesson_name(&tasks[k].id, tasks[k].name);
        make_ready(&tasks[k], FL_READY_SPAWNED, NULL);
    }
    for (;;) {
        fl_time next = wake_due();
        if (nready > 0) {
            step(take_first());
            calls++;
        } else if (next != 0) {
            now = next; /* nobody is ready: the clock jumps to the next due time */
        } else {
            break; /* nobody is ready and nobody sleeps: all done */
        }
    }
    printf("commands: %u calls for %u tasks, none of them to learn \"not yet\"; done at %u ms\n",
           calls, NTASKS, (unsigned)now);
    for (k = 0; k < NTASKS; k++)
        if (!tasks[k].done)
            return 1;
    return lesson_save();
}
