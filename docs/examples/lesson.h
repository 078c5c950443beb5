/* SPDX-License-Identifier: MIT */
/*
 * lesson.h - what the lessons of docs/teaching.md share (it is no lesson
 * itself): the optional argument `--trace PREFIX`, a recorder (of flowno's
 * loop, or records written by hand for a loop of the lesson's own), and
 * the trace written as PREFIX.svg, .html, .json and .vcd.  Include it
 * first.  `make pictures` runs every lesson that way.  The functions are
 * inline only so that a lesson may leave one unused.
 */
#ifndef LESSON_H
#define LESSON_H

#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../flowno/flowno.h"

#define LESSON_RECORDS 4096

static const char *lesson_prefix; /* NULL: no trace */
static fl_trace lesson_trace;
static fl_trace_record lesson_records[LESSON_RECORDS];

/* Names given by hand, for the trace (lesson_name_of names them). */
#define LESSON_NAMES 8
static const void *lesson_objects[LESSON_NAMES];
static const char *lesson_names[LESSON_NAMES];

static inline void lesson_name(const void *obj, const char *name)
{
    int i;
    for (i = 0; i < LESSON_NAMES; i++)
        if (lesson_objects[i] == NULL || lesson_objects[i] == obj) {
            lesson_objects[i] = obj;
            lesson_names[i] = name;
            return;
        }
}

static inline const char *lesson_name_of(void *ctx, const void *obj)
{
    int i;
    (void)ctx;
    for (i = 0; i < LESSON_NAMES; i++)
        if (lesson_objects[i] == obj)
            return lesson_names[i];
    return NULL;
}

/* `lesson` or `lesson --trace PREFIX`: 0; anything else: -1. */
static inline int lesson_args(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--trace") == 0)
        lesson_prefix = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--trace PREFIX]\n", argv[0]);
        return -1;
    }
    return 0;
}

/* A microsecond clock for the trace: a step takes microseconds. */
static inline uint32_t lesson_micros(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

/* If a trace is asked for, record `loop` (NULL: the lesson adds records
 * itself), naming tasks and primitives with `names`, timed in
 * microseconds or, when only the order matters, in the loop's ticks (the
 * picture then gives each event the same room). */
static inline int lesson_record(fl_loop *loop, fl_trace_object_name_fn names, bool micros)
{
    if (lesson_prefix == NULL)
        return 0;
    if (fl_trace_init(&lesson_trace, lesson_records, LESSON_RECORDS, micros ? lesson_micros : NULL,
                      NULL, micros ? 1000000u : 0) != 0)
        return -1;
    fl_trace_name_objects(&lesson_trace, names, NULL);
    return loop != NULL ? fl_trace_attach(&lesson_trace, loop) : 0;
}

/* A record written by hand, for a loop of the lesson's own (when a trace
 * is asked for): what happened to task `t` at `now` (in ticks). */
static inline void lesson_note(unsigned kind, unsigned what, const fl_task *t, const fl_task *by,
                               fl_time ticks, fl_time now)
{
    fl_trace_record r;
    if (lesson_prefix == NULL)
        return;
    memset(&r, 0, sizeof r);
    r.t = (uint32_t)now;
    r.kind = (uint8_t)kind;
    r.what = (uint8_t)what;
    r.task = t;
    r.by = by;
    r.arg.ticks = ticks;
    (void)fl_trace_add(&lesson_trace, &r);
}

/* The records of one call of a task of a loop of the lesson's own, made
 * after it: it ran, then yielded (`more`) or ended. */
static inline void lesson_note_call(const fl_task *t, bool more)
{
    lesson_note(FL_TRACE_RUN, 0, t, NULL, 0, 0);
    lesson_note(FL_TRACE_STOP, more ? FL_OP_YIELD : FL_OP_DONE, t, NULL, 0, 0);
    if (more)
        lesson_note(FL_TRACE_READY, FL_READY_STEPPED_ASIDE, t, t, 0, 0);
    else
        lesson_note(FL_TRACE_END, FL_TASK_FINISHED, t, NULL, 0, 0);
}

static inline int lesson_write(void *ctx, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Write the trace if one was asked for: 0, or -1 if a file failed. */
static inline int lesson_save(void)
{
    static int (*const writers[])(const fl_trace *, fl_trace_write_fn, void *,
                                  fl_trace_name_fn, void *) = {
        fl_trace_write_svg, fl_trace_write_html, fl_trace_write_json, fl_trace_write_vcd};
    static const char *const suffixes[] = {".svg", ".html", ".json", ".vcd"};
    char path[512];
    int i, rc = 0;

    for (i = 0; i < 4 && lesson_prefix != NULL && rc == 0; i++) {
        FILE *f;
        snprintf(path, sizeof path, "%s%s", lesson_prefix, suffixes[i]);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        rc = writers[i](&lesson_trace, lesson_write, f, NULL, NULL);
        if (fclose(f) != 0)
            rc = -1;
    }
    if (lesson_prefix != NULL)
        printf("trace: %s.svg, .html, .json, .vcd (%s)\n", lesson_prefix,
               rc == 0 ? "written" : "FAILED");
    return rc == 0 ? 0 : -1;
}

#endif /* LESSON_H */
