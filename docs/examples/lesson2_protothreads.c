/* SPDX-License-Identifier: MIT */
/*
 * lesson2_protothreads.c - docs/teaching.md, step 2: the ring of step 1
 * written with gen/gen.h, flowno's continuations (the protothreads
 * technique: the switch and the saved line are in the macros); A counts
 * to 3, B to 2.  A third task waits until the scheduler's fourth round,
 * GEN_WAIT_UNTIL: the
 * scheduler cannot know what it waits for, so it calls it every round,
 * and all but the last call only find out "not yet".  As in step 1,
 * `--trace PREFIX` draws the calls with flowno's exporters.
 */
#include "lesson.h" /* gen/gen.h, and flowno for the picture (--trace) */

struct task {
    gen_t g; /* where it resumes */
    int i, n, calls;
    const char *name;
    int (*fn)(struct task *t);
    fl_task id; /* for the picture only */
};

static int round_no; /* the scheduler's rounds: this ring's clock */

static int count(struct task *t)
{
    GEN_BEGIN(&t->g);
    for (t->i = 1; t->i <= t->n; t->i++) {
        printf("%s%d ", t->name, t->i);
        GEN_YIELD(&t->g, 1);
    }
    GEN_END(&t->g, 0);
}

static int wait_for_round_4(struct task *t)
{
    GEN_BEGIN(&t->g);
    GEN_WAIT_UNTIL(&t->g, round_no >= 4, 1); /* polled: called every round */
    printf("%s(round %d) ", t->name, round_no);
    GEN_END(&t->g, 0);
}

static struct task ring[3] = {{{GEN_LC_START}, 0, 3, 0, "A", count, {0}},
                              {{GEN_LC_START}, 0, 2, 0, "B", count, {0}},
                              {{GEN_LC_START}, 0, 0, 0, "C", wait_for_round_4, {0}}};

/* One call, and its records for the picture: a call that is not the last
 * is a yield, whether the task did work or only looked. */
static int call(struct task *t)
{
    int more = t->fn(t);
    t->calls++;
    lesson_note_call(&t->id, more != 0);
    return more;
}

int main(int argc, char **argv)
{
    int alive = 3, k;

    if (lesson_args(argc, argv) != 0 || lesson_record(NULL, lesson_name_of, false) != 0)
        return 2;
    for (k = 0; k < 3; k++) { /* for the picture: each is there from the start */
        lesson_name(&ring[k].id, ring[k].name);
        lesson_note(FL_TRACE_READY, FL_READY_SPAWNED, &ring[k].id, NULL, 0, 0);
    }
    for (round_no = 1; alive > 0; round_no++)
        for (alive = 0, k = 0; k < 3; k++)
            if (!gen_done(&ring[k].g))
                alive += call(&ring[k]);
    printf("\nprotothreads: C was called %d times, %d of them only to learn it must wait\n",
           ring[2].calls, ring[2].calls - 1);
    return ring[2].calls == 4 ? lesson_save() : 1;
}
