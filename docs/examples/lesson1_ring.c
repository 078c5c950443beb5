/* SPDX-License-Identifier: MIT */
/*
 * lesson1_ring.c - docs/teaching.md, step 1: cooperative tasks with no
 * library at all.  A task is a function and a struct; the struct keeps
 * where the function was (a source line) and everything that must
 * survive.  Each call runs to the next yield and returns; the next call
 * jumps back in through the switch.  The scheduler is a loop over the
 * ring.  Prints A1 B1 C1 A2 B2 C2 A3 B3 C3.
 *
 * Only the picture uses flowno (`--trace PREFIX`): call() notes each
 * call in flowno's trace records, drawn by flowno's exporters.
 */
#include "lesson.h"

struct task {
    int resume; /* the line to go on from; 0: the start, -1: ended */
    int i;      /* a "local" that survives the yields */
    const char *name;
    fl_task id; /* for the picture only: a trace record names an fl_task */
};

/* The task: ten lines.  The yield sets `resume` and returns; its case
 * label, on the same line, is where the next call comes back in. */
static int run(struct task *t)
{
    switch (t->resume) {
    case 0:
        for (t->i = 1; t->i <= 3; t->i++) {
            printf("%s%d ", t->name, t->i);
            t->resume = __LINE__; return 1; case __LINE__:; /* yield */
        }
        t->resume = -1;
        /* fall through */
    default:
        return 0; /* ended */
    }
}

/* One call, and its records for the picture. */
static int call(struct task *t)
{
    int more = run(t);
    lesson_note_call(&t->id, more != 0);
    return more;
}

static struct task ring[3] = {{0, 0, "A", {0}}, {0, 0, "B", {0}}, {0, 0, "C", {0}}};

int main(int argc, char **argv)
{
    int alive = 3, k;

    if (lesson_args(argc, argv) != 0 || lesson_record(NULL, lesson_name_of, false) != 0)
        return 2;
    for (k = 0; k < 3; k++) { /* for the picture: each is there from the start */
        lesson_name(&ring[k].id, ring[k].name);
        lesson_note(FL_TRACE_READY, FL_READY_SPAWNED, &ring[k].id, NULL, 0, 0);
    }
    while (alive > 0) /* the whole scheduler: call each in turn */
        for (alive = 0, k = 0; k < 3; k++)
            if (ring[k].resume >= 0)
                alive += call(&ring[k]);
    printf("\nring: every task ran to its end, on one stack\n");
    return lesson_save();
}
