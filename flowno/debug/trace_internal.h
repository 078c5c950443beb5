/* SPDX-License-Identifier: MIT */
/*
 * trace_internal.h - what the trace exporters share (trace_*.c): text
 * output without stdio, the names and labels of tasks, objects and
 * commands, and the replay that follows every task and the loop's lists
 * through the records.  Not installed.
 */
#ifndef FLOWNO_TRACE_INTERNAL_H
#define FLOWNO_TRACE_INTERNAL_H

#include "../flowno_internal.h"

#if FL_ENABLE_TRACE

/* ---- Output ---------------------------------------------------------------- */

/* A writer that keeps its first error and writes nothing after it.  With
 * write NULL it collects into `buf` instead (a label to measure first). */
typedef struct tr_out {
    fl_trace_write_fn write;
    void *ctx;
    int rc;
    char buf[96];
    size_t len;
} tr_out;

FL_INTERNAL_ void fl_tr_out_init_(tr_out *o, fl_trace_write_fn write, void *ctx);
FL_INTERNAL_ void fl_tr_put_(tr_out *o, const char *s, size_t n);
FL_INTERNAL_ void fl_tr_puts_(tr_out *o, const char *s);
FL_INTERNAL_ void fl_tr_put_uint_(tr_out *o, uint64_t v);
FL_INTERNAL_ void fl_tr_put_int_(tr_out *o, int64_t v);
/* Microseconds as milliseconds, without trailing zeros: "12.5 ms". */
FL_INTERNAL_ void fl_tr_put_ms_(tr_out *o, uint64_t us);
/* A name with only the characters every format takes as they are (JSON
 * strings, VCD identifiers, SVG and HTML text): others become '_'. */
FL_INTERNAL_ void fl_tr_put_clean_(tr_out *o, const char *name);
/* Free text (an error's message) with the characters that JSON, XML or
 * HTML would read as markup replaced. */
FL_INTERNAL_ void fl_tr_put_text_(tr_out *o, const char *s);

/* ---- The replay ------------------------------------------------------------ */

/* A row's state. */
enum { TR_NONE, TR_WAITING, TR_READY, TR_RUNNING, TR_DONE };

/* What a STOP leads to: the command was answered and the task goes on in
 * the same step, it stepped aside (ready again at once), it ended, or it
 * waits. */
enum { TR_AT_ONCE, TR_ASIDE, TR_ENDS, TR_WAITS };

/* The kinds of object a command is about. */
enum { TR_OBJ_QUEUE, TR_OBJ_LOCK, TR_OBJ_COND, TR_OBJ_EVENT, TR_OBJ_LATCH, TR_OBJ_SIGNAL,
       TR_OBJ_KINDS };

/* A row's timer: none, a sleep, a deadline (for its next wait). */
enum { TR_TIMER_NONE, TR_TIMER_SLEEP, TR_TIMER_DEADLINE };

#define TR_OBJECTS FL_TRACE_ROWS /* primitives one export tells apart */
#if FL_TRACE_ROWS > 0xFFFF
#error "flowno: FL_TRACE_ROWS must be at most 65535 (a row is a uint16_t)"
#endif
#define TR_NO_RECORD 0xFFFFFFFFu

typedef struct tr_replay {
    const fl_trace *tr;
    fl_trace_name_fn name;
    void *name_ctx;
    /* Found by the first pass: a row a task, the objects, the end. */
    const fl_task *task[FL_TRACE_ROWS];
    unsigned rows;
    bool overflow; /* some task had no row */
    const void *obj[TR_OBJECTS];
    uint8_t obj_kind[TR_OBJECTS];
    uint16_t obj_number[TR_OBJECTS]; /* "queue2": the second queue seen */
    unsigned objs;
    uint64_t end; /* microseconds from the first record to the last */
    /* Kept by fl_tr_play_ as it goes: each row's state, since when, the STOP
     * it waits after (begun, while waiting), its timer; the ready list; who
     * holds each lock. */
    uint8_t state[FL_TRACE_ROWS];
    uint64_t since[FL_TRACE_ROWS];
    unsigned begun[FL_TRACE_ROWS]; /* the record that began the state */
    unsigned stop[FL_TRACE_ROWS];  /* its last STOP (TR_NO_RECORD: none) */
    uint8_t timer[FL_TRACE_ROWS];
    uint64_t due[FL_TRACE_ROWS];
    uint16_t ready[FL_TRACE_ROWS]; /* rows, oldest first */
    unsigned nready;
    int holder[TR_OBJECTS]; /* a lock's holder's row, or -1 */
} tr_replay;

/* One record as the replay sees it.  rec NULL: the end of the trace, for
 * each row still open. */
typedef struct tr_event {
    const fl_trace_record *rec;
    unsigned index;
    int row;
    int by;       /* READY: the waker's row; -1 for none (or not traced) */
    int from, to; /* the row's state before and after */
    uint64_t since, t;
    int after;    /* STOP: TR_AT_ONCE ... TR_WAITS */
} tr_event;

typedef void (*tr_event_fn)(void *ctx, const tr_replay *rp, const tr_event *ev);

FL_INTERNAL_ const fl_trace_record *fl_tr_rec_(const fl_trace *tr, unsigned i);
/* Microseconds from the first record. */
FL_INTERNAL_ uint64_t fl_tr_micros_(const fl_trace *tr, uint32_t t);
/* The first pass: rows, objects, the end. */
FL_INTERNAL_ void fl_tr_begin_(tr_replay *rp, const fl_trace *tr, fl_trace_name_fn name,
                               void *name_ctx);
/* The second: `fn` hears of every record before it changes the replay's
 * state (so rp shows the loop as it was), then of each row still open. */
FL_INTERNAL_ void fl_tr_play_(tr_replay *rp, tr_event_fn fn, void *ctx);
FL_INTERNAL_ int fl_tr_row_(const tr_replay *rp, const fl_task *t);
FL_INTERNAL_ int fl_tr_object_(const tr_replay *rp, const void *obj);
/* The command behind the span a row leaves at `ev`: the one that ended a
 * running span, or began a wait; NULL for a ready span. */
FL_INTERNAL_ const fl_trace_record *fl_tr_span_command_(const tr_replay *rp, const tr_event *ev);
/* What STOP record i leads to (TR_AT_ONCE ...). */
FL_INTERNAL_ int fl_tr_after_stop_(const fl_trace *tr, unsigned i);
/* 0, the writer's error, or FL_ENOSPC if some task had no row. */
FL_INTERNAL_ int fl_tr_finish_(const tr_out *o, const tr_replay *rp);

/* ---- The picture ------------------------------------------------------------ */

/* The SVG timeline's geometry, shared with the web page that embeds it. */
#define TR_SVG_LABEL 150u /* the name column */
#define TR_SVG_TOP 44u    /* the title above the rows */
#define TR_SVG_ROW 44u

/* Time runs left to right, but every record gets TR_GAP px of its own:
 * a step, and the ready span before it, take microseconds and would
 * vanish; the rest of the width goes to time as it passed.  x is in
 * thousandths of a pixel. */
typedef struct tr_axis {
    uint64_t gap, free;  /* per record; shared by the time */
    uint64_t end;        /* microseconds */
    uint64_t x, t;       /* where the last record placed is, and when */
    unsigned placed;
    unsigned plot;       /* px */
} tr_axis;

FL_INTERNAL_ void fl_tr_axis_init_(tr_axis *ax, const tr_replay *rp);
/* Place the next record (at time t, in order): its x. */
FL_INTERNAL_ uint64_t fl_tr_axis_place_(tr_axis *ax, uint64_t t);
/* The x of time `at`, after the last record placed and up to the next. */
FL_INTERNAL_ uint64_t fl_tr_axis_at_(const tr_axis *ax, uint64_t at);
/* The SVG, standalone or inside a web page (no namespace, ids to find). */
FL_INTERNAL_ void fl_tr_write_svg_(tr_out *o, tr_replay *rp, bool in_page);

/* ---- The web page ------------------------------------------------------------- */

/* Its fixed parts: the head and controls (before the SVG), the panels
 * (after it, before the data), the script (after the data). */
enum { TR_PAGE_HEAD, TR_PAGE_PANELS, TR_PAGE_SCRIPT };
FL_INTERNAL_ void fl_tr_put_page_(tr_out *o, int part);

/* ---- Labels ---------------------------------------------------------------- */

FL_INTERNAL_ void fl_tr_put_task_(tr_out *o, const tr_replay *rp, const fl_task *t);
FL_INTERNAL_ void fl_tr_put_row_(tr_out *o, const tr_replay *rp, unsigned row);
/* A STOP's command: "SLEEP 90 ms", "JOIN worker_A", "QUEUE_GET jobs". */
FL_INTERNAL_ void fl_tr_put_command_(tr_out *o, const tr_replay *rp, const fl_trace_record *stop);
/* A READY's cause: "spawned", "timer", "worker_A ended", "woken off jobs". */
FL_INTERNAL_ void fl_tr_put_cause_(tr_out *o, const tr_replay *rp, const fl_trace_record *ready);
/* An END: "finished 270", "cancelled", "failed: timed out". */
FL_INTERNAL_ void fl_tr_put_end_(tr_out *o, const fl_trace_record *end);
/* What a waiting row waits on, the list it is in: "timer", "joiners of
 * worker_A", "getters of jobs", "lock1 (held by x)". */
FL_INTERNAL_ void fl_tr_put_list_(tr_out *o, const tr_replay *rp, unsigned row);
/* The kind of primitive (TR_OBJ_*) a STOP's command is about; -1 for a
 * task (a spawn, cancel or join), -2 for none.  The same for the list a
 * READY left (-2 for an fd's). */
FL_INTERNAL_ int fl_tr_command_object_(const fl_trace_record *stop);
FL_INTERNAL_ int fl_tr_list_object_(unsigned wait_kind);
/* Whether rows a and b wait in the same list. */
FL_INTERNAL_ bool fl_tr_same_list_(const tr_replay *rp, unsigned a, unsigned b);

#endif /* FL_ENABLE_TRACE */
#endif /* FLOWNO_TRACE_INTERNAL_H */
