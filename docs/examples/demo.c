/* SPDX-License-Identifier: MIT */
/*
 * demo.c - `make demo`: one loop, a handful of tasks, real time.
 *
 * A supervisor spawns three workers that sleep and work in rounds, and a
 * watchdog that sleeps for a long time.  One worker calls a helper (a nested
 * awaitable).  When the workers are done, the supervisor cancels the
 * watchdog in the middle of its sleep: its cleanup section runs and even
 * returns a value.  Every line is stamped with the time since the start, so
 * you can watch the tasks take turns on one thread, with no stack each.
 *
 * `demo --trace PREFIX` also records the schedule (fl_trace) and writes it
 * as PREFIX.json (Perfetto), PREFIX.vcd (GTKWave), PREFIX.svg (a picture)
 * and PREFIX.html (a page that steps through it, command by command);
 * `make demo-trace` writes them into build/trace/.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../flowno/flowno.h"

static fl_loop loop;
static fl_time start;

/* Print one event, stamped with the milliseconds since start. */
static void say(const char *who, const char *what, ...)
{
    unsigned long ms = (unsigned long)(fl_now(&loop) - start) * 1000ul / FL_TICK_HZ;
    va_list ap;
    printf("[%4lu ms] %-10s ", ms, who);
    va_start(ap, what);
    vprintf(what, ap);
    va_end(ap);
    printf("\n");
}

/* ---- a helper: "transfer" n chunks, 20 ms each ------------------------- */

/* A helper is written with the same macros as a task; its own state (here
 * only its continuation) lives in an fl_frame inside the caller's struct. */
static fl_cmd transfer(fl_task *self, fl_frame *f, const char *who, int *chunk, int n)
{
    FL_BEGIN_HELPER(self, f);
    for (*chunk = 1; *chunk <= n; (*chunk)++) {
        FL_SLEEP(self, FL_MS(20));
        say(who, "  helper sent chunk %d/%d", *chunk, n);
    }
    FL_RETURN(self, n * 512);
    FL_END(self);
}

/* ---- workers ------------------------------------------------------------- */

/* Everything that must survive a suspension is in the struct: the function
 * really returns at each FL_SLEEP, so its locals are gone when it resumes. */
struct worker {
    fl_task task;
    const char *name;
    int period_ms, rounds, round, chunk;
    fl_frame frame;
};

static fl_cmd worker_fn(fl_task *self)
{
    struct worker *w = (struct worker *)self;
    FL_BEGIN(self);
    say(w->name, "started: %d rounds of %d ms", w->rounds, w->period_ms);
    for (w->round = 1; w->round <= w->rounds; w->round++) {
        FL_SLEEP(self, FL_MS(w->period_ms)); /* other tasks run meanwhile */
        say(w->name, "woke (round %d/%d)", w->round, w->rounds);
        if (w->round == 2 && w->chunk == 0) {
            /* Wait on a helper as on any other command. */
            FL_CALL(self, &w->frame, transfer(self, &w->frame, w->name, &w->chunk, 2));
            say(w->name, "helper returned %d bytes", (int)fl_frame_result(&w->frame));
        }
    }
    FL_RETURN(self, w->rounds * w->period_ms);
    FL_END(self);
}

/* ---- the watchdog: sleeps long, gets cancelled, cleans up ------------- */

struct watchdog {
    fl_task task;
};

static fl_cmd watchdog_fn(fl_task *self)
{
    FL_BEGIN(self);
    say("watchdog", "armed: would bark in %d ms", 5000);
    FL_SLEEP(self, FL_MS(5000)); /* cancellation lands here */
    say("watchdog", "BARK (should not happen)");
    FL_FINALLY(self);
    /* Runs on every way out; fl_pending_error says which. */
    if (fl_pending_error(self) == FL_ECANCELLED) {
        say("watchdog", "cancelled mid-sleep: cleanup runs (%s)", fl_strerror(fl_pending_error(self)));
        FL_SLEEP(self, FL_MS(10)); /* cleanup may wait, too */
        say("watchdog", "cleanup done, returning %d from finally", 7);
        FL_RETURN(self, 7); /* a value instead of the error */
    }
    FL_END(self);
}

/* ---- the supervisor ---------------------------------------------------- */

#define NWORKERS 3

struct supervisor {
    fl_task task;
    struct worker workers[NWORKERS];
    struct watchdog dog;
    int i, rc;
    int total;
};

static fl_cmd supervisor_fn(fl_task *self)
{
    struct supervisor *s = (struct supervisor *)self;
    FL_BEGIN(self);
    say("supervisor", "spawning %d workers and a watchdog", NWORKERS);
    for (s->i = 0; s->i < NWORKERS; s->i++)
        FL_SPAWN(self, &s->workers[s->i].task, worker_fn);
    FL_SPAWN(self, &s->dog.task, watchdog_fn);

    for (s->i = 0; s->i < NWORKERS; s->i++) {
        FL_JOIN(self, &s->workers[s->i].task);
        say("supervisor", "joined %s: result %d", s->workers[s->i].name,
            (int)fl_task_result(&s->workers[s->i].task));
        s->total += (int)fl_task_result(&s->workers[s->i].task);
    }

    say("supervisor", "workers done; cancelling the watchdog");
    FL_CANCEL_RC(self, s->rc, &s->dog.task); /* waits for its cleanup */
    say("supervisor", "cancel returned %d, watchdog result %d",
        s->rc, (int)fl_task_result(&s->dog.task));
    FL_RETURN(self, s->total);
    FL_END(self);
}

/* ---- the trace: a microsecond clock, names, and files ------------------ */

static uint32_t micro_clock(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

static const char *task_name(void *ctx, const fl_task *t)
{
    struct supervisor *s = ctx;
    int i;
    if (t == &s->task)
        return "supervisor";
    if (t == &s->dog.task)
        return "watchdog";
    for (i = 0; i < NWORKERS; i++)
        if (t == &s->workers[i].task)
            return s->workers[i].name;
    return NULL;
}

static int write_file(void *ctx, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Write the trace as PREFIX.json, .vcd, .svg and .html. */
static int save_trace(const fl_trace *tr, const char *prefix, struct supervisor *s)
{
    static int (*const writers[])(const fl_trace *, fl_trace_write_fn, void *,
                                  fl_trace_name_fn, void *) = {
        fl_trace_write_json, fl_trace_write_vcd, fl_trace_write_svg, fl_trace_write_html};
    static const char *const suffixes[] = {".json", ".vcd", ".svg", ".html"};
    char path[512];
    int i, rc = 0;

    for (i = 0; i < 4 && rc == 0; i++) {
        FILE *f;
        snprintf(path, sizeof path, "%s%s", prefix, suffixes[i]);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        rc = writers[i](tr, write_file, f, task_name, s);
        if (fclose(f) != 0)
            rc = -1;
        printf("trace: wrote %s\n", path);
    }
    return rc;
}

static const char *state_name(fl_state s)
{
    static const char *const names[] = {"new", "ready", "sleeping", "joining",
                                        "waiting", "finished", "failed", "cancelled"};
    return names[s];
}

int main(int argc, char **argv)
{
    static fl_trace_record records[4096];
    static fl_trace trace;
    const char *trace_prefix = NULL;
    static struct supervisor sup = {{0}, {{{0}, "worker A", 90, 3, 0, 0, {0}},
                                         {{0}, "worker B", 150, 2, 0, 0, {0}},
                                         {{0}, "worker C", 60, 4, 0, 0, {0}}},
                                    {{0}}, 0, 0, 0};
    fl_value result = 0;
    int rc, i, ok = 1;

    printf("flowno demo: five tasks on one thread, no stacks. Each task runs until it\n"
           "waits (sleep, join, cancel), then the loop runs the next one that is ready.\n\n");
    if (argc == 3 && strcmp(argv[1], "--trace") == 0)
        trace_prefix = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: demo [--trace PREFIX]\n");
        return 2;
    }
    if (fl_loop_init(&loop, fl_port_posix()) != 0)
        return 1;
    if (trace_prefix != NULL &&
        (fl_trace_init(&trace, records, 4096, micro_clock, NULL, 1000000u) != 0 ||
         fl_trace_attach(&trace, &loop) != 0))
        return 1;
    start = fl_now(&loop);
    fl_task_init(&sup.task, supervisor_fn);
    rc = fl_run_until_complete(&loop, &sup.task, FL_RUN_JOIN, 0, &result);

    printf("\nfl_run_until_complete returned %d (%s), result %ld\n", rc, fl_strerror(rc),
           (long)result);
    for (i = 0; i < NWORKERS; i++) {
        struct worker *w = &sup.workers[i];
        printf("  %-10s %-9s result %d\n", w->name, state_name(fl_task_state(&w->task)),
               (int)fl_task_result(&w->task));
        ok &= fl_task_finished(&w->task) && fl_task_result(&w->task) == w->rounds * w->period_ms;
    }
    printf("  %-10s %-9s result %d (a value from its finally)\n", "watchdog",
           state_name(fl_task_state(&sup.dog.task)), (int)fl_task_result(&sup.dog.task));
    ok &= rc == 0 && result == 90 * 3 + 150 * 2 + 60 * 4;
    ok &= fl_task_finished(&sup.dog.task) && fl_task_result(&sup.dog.task) == 7;
    printf("  elapsed    %lu ms; sizeof(fl_task) here = %u bytes\n",
           (unsigned long)(fl_now(&loop) - start) * 1000ul / FL_TICK_HZ,
           (unsigned)sizeof(fl_task));
    if (trace_prefix != NULL && save_trace(&trace, trace_prefix, &sup) != 0) {
        printf("demo: could not write the trace\n");
        return 1;
    }
    if (!ok) {
        printf("demo: UNEXPECTED RESULT\n");
        return 1;
    }
    printf("demo: ok\n");
    return 0;
}
