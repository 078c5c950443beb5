/* SPDX-License-Identifier: MIT */
/*
 * lesson5_deadlock.c - docs/teaching.md, step 5: a deadlock, and how
 * flowno explains it.  Two philosophers share two forks (locks), each
 * taking them in the opposite order; each takes its first, yields, and
 * waits for its second, which the other holds.  Nothing is ready, no
 * timer is set, nothing outside can wake them: fl_run_until_complete
 * returns FL_EINCOMPLETE instead of hanging, and fl_loop_dump says who
 * waits for which lock, held by whom.  Cancelling both unwinds them
 * through their finally sections, which put their forks down.
 */
#include "lesson.h"

struct philosopher {
    fl_task task;
    const char *name;
    fl_lock *first, *second;
};

static fl_lock fork1, fork2;
static struct philosopher plato = {{0}, "plato", &fork1, &fork2};
static struct philosopher kant = {{0}, "kant", &fork2, &fork1};

static const char *fork_name(const fl_lock *f)
{
    return f == &fork1 ? "fork1" : "fork2";
}

static fl_cmd dine(fl_task *self)
{
    struct philosopher *p = (struct philosopher *)self;
    FL_BEGIN(self);
    FL_LOCK(self, p->first);
    printf("%s takes %s\n", p->name, fork_name(p->first));
    FL_YIELD(self); /* the other takes its first fork meanwhile */
    FL_LOCK(self, p->second);
    printf("%s eats (never)\n", p->name);
    FL_LOCK_RELEASE(self, p->second);
    FL_FINALLY(self);
    printf("%s: finally (%s): puts %s down\n", p->name, fl_strerror(fl_pending_error(self)),
           fork_name(p->first));
    FL_LOCK_RELEASE(self, p->first);
    FL_END(self);
}

static const char *name_of(void *ctx, const void *obj)
{
    (void)ctx;
    if (obj == &fork1 || obj == &fork2)
        return fork_name(obj);
    return obj == &plato.task ? plato.name : obj == &kant.task ? kant.name : NULL;
}

/* An address as the dump writes it: 0x and every hex digit. */
static const char *address(const void *p, int which)
{
    static char text[4][2 + 2 * sizeof(void *) + 1];
    uintptr_t v = (uintptr_t)p;
    size_t i, n = 2 * sizeof v;
    text[which][0] = '0';
    text[which][1] = 'x';
    for (i = 0; i < n; i++, v >>= 4)
        text[which][2 + n - 1 - i] = "0123456789abcdef"[v & 0xF];
    text[which][2 + n] = '\0';
    return text[which];
}

static void print_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("  %s\n", line);
}

int main(int argc, char **argv)
{
    static fl_loop loop;
    int stuck, rc;

    if (lesson_args(argc, argv) != 0 || fl_loop_init(&loop, fl_port_posix()) != 0 ||
        lesson_record(&loop, name_of, false) != 0)
        return 2;
    fl_lock_init(&fork1, &loop);
    fl_lock_init(&fork2, &loop);
    fl_task_init(&plato.task, dine);
    fl_task_init(&kant.task, dine);
    fl_spawn(&loop, &kant.task, NULL);
    stuck = fl_run_until_complete(&loop, &plato.task, FL_RUN_JOIN, 0, NULL);
    printf("fl_run_until_complete: %d (%s)\n", stuck, fl_strerror(stuck));
    printf("plato is task %s, kant %s; fork1 is lock %s, fork2 %s; the dump:\n",
           address(&plato.task, 0), address(&kant.task, 1), address(&fork1, 2),
           address(&fork2, 3));
    fl_loop_dump(&loop, print_line, NULL);
    /* The way out: cancel both; each wakes from its wait with FL_ECANCELLED. */
    fl_cancel(&loop, &plato.task);
    fl_cancel(&loop, &kant.task);
    rc = fl_run_until_complete(&loop, &plato.task, 0, 0, NULL);
    printf("after the cancels: %d; plato %s, kant %s, forks %s\n", rc,
           fl_task_cancelled(&plato.task) ? "cancelled" : "?",
           fl_task_cancelled(&kant.task) ? "cancelled" : "?",
           fl_lock_owner(&fork1) == NULL && fl_lock_owner(&fork2) == NULL ? "free" : "held");
    if (stuck != FL_EINCOMPLETE || rc != 0 || !fl_task_cancelled(&plato.task) ||
        !fl_task_cancelled(&kant.task) || fl_lock_owner(&fork1) != NULL)
        return 1;
    return lesson_save();
}
