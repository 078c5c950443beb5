/* SPDX-License-Identifier: MIT */
/*
 * trace_html.c - the schedule as a web page that steps through it one
 * command at a time (the page's own text and script are in trace_page.c).
 *
 * A step is what a student would point at: one task's call, from RUN to
 * the command it returned and what that command did at once (the tasks
 * it made ready, its end); or, between steps, the tasks a timer, a
 * signal, an fd or plain C made ready.  After each step the page shows
 * the loop's state as the replay rebuilt it: the task running, the ready
 * list in order, each wait list in order, the timers by due time, and
 * every task's state.  All of it is computed here and written as JSON
 * into the page, so the script only draws it.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

typedef struct page {
    tr_out o;
    tr_axis ax;
    bool open, first_step;
    /* The step being gathered. */
    const fl_task *who; /* its task, NULL for one from outside the steps */
    int row;
    unsigned stop, end; /* its STOP and END records, or TR_NO_RECORD */
    int after;
    uint64_t t, x0, x1;
    unsigned wakes[FL_TRACE_ROWS];
    unsigned nwakes;
} page;

static void put_px(tr_out *o, uint64_t mpx)
{
    tr_put_uint(o, (mpx + 500u) / 1000u);
}

/* "name": a string of labels, or a list. */
static void key(tr_out *o, const char *name)
{
    tr_puts(o, ",\"");
    tr_puts(o, name);
    tr_puts(o, "\":");
}

/* What the step's command led to. */
static void put_then(tr_out *o, const page *p, const tr_replay *rp)
{
    unsigned row = (unsigned)p->row;

    if (p->row < 0) { /* who, and by what */
        unsigned i;
        for (i = 0; i < p->nwakes; i++) {
            const fl_trace_record *w = tr_rec(rp->tr, p->wakes[i]);
            tr_puts(o, i == 0 ? "" : ", ");
            tr_put_task(o, rp, w->task);
            tr_puts(o, " made ready: ");
            tr_put_cause(o, rp, w);
        }
        return;
    }
    switch (p->stop == TR_NO_RECORD ? -1 : p->after) {
    case TR_AT_ONCE: tr_puts(o, "answered at once, it goes on"); return;
    case TR_ASIDE: tr_puts(o, "it steps aside, to the back of the ready list"); return;
    case TR_ENDS:
        tr_puts(o, "it ends");
        if (p->end != TR_NO_RECORD) {
            tr_puts(o, ": ");
            tr_put_end(o, tr_rec(rp->tr, p->end));
        }
        return;
    case TR_WAITS:
        if (rp->state[row] != TR_WAITING) {
            tr_puts(o, "it waits"); /* and was woken in the same step */
            return;
        }
        tr_puts(o, "it waits: ");
        tr_put_list(o, rp, row);
        if (rp->timer[row] != TR_TIMER_NONE) {
            tr_puts(o, rp->timer[row] == TR_TIMER_SLEEP ? " until " : ", deadline ");
            tr_put_ms(o, rp->due[row]);
        }
        return;
    default: tr_puts(o, "running"); return;
    }
}

/* A row's state, as the table of tasks says it. */
static void put_state(tr_out *o, const tr_replay *rp, unsigned row)
{
    const fl_trace_record *begun =
        rp->begun[row] == TR_NO_RECORD ? NULL : tr_rec(rp->tr, rp->begun[row]);

    switch (rp->state[row]) {
    case TR_RUNNING: tr_puts(o, "running"); return;
    case TR_READY:
        tr_puts(o, "ready: ");
        tr_put_cause(o, rp, begun);
        return;
    case TR_WAITING:
        tr_puts(o, "waiting: ");
        tr_put_command(o, rp, begun);
        if (rp->timer[row] != TR_TIMER_NONE) {
            tr_puts(o, rp->timer[row] == TR_TIMER_SLEEP ? ", until " : ", deadline ");
            tr_put_ms(o, rp->due[row]);
        }
        return;
    case TR_DONE:
        tr_puts(o, "ended: ");
        tr_put_end(o, begun);
        return;
    default: return; /* not spawned yet */
    }
}

/* The rows that wait on a list (sleepers wait on their timer alone), in
 * the order they began to: the order of every wait list. */
static unsigned waiters(const tr_replay *rp, uint8_t *order)
{
    unsigned n = 0, r;
    for (r = 0; r < rp->rows; r++) {
        unsigned i = n;
        if (rp->state[r] != TR_WAITING || tr_rec(rp->tr, rp->begun[r])->what == FL_OP_SLEEP)
            continue;
        for (n++; i > 0 && rp->begun[order[i - 1]] > rp->begun[r]; i--)
            order[i] = order[i - 1];
        order[i] = (uint8_t)r;
    }
    return n;
}

/* The rows with a timer, soonest first. */
static unsigned timers(const tr_replay *rp, uint8_t *order)
{
    unsigned n = 0, r;
    for (r = 0; r < rp->rows; r++) {
        unsigned i = n;
        if (rp->state[r] != TR_WAITING || rp->timer[r] == TR_TIMER_NONE)
            continue;
        for (n++; i > 0 && rp->due[order[i - 1]] > rp->due[r]; i--)
            order[i] = order[i - 1];
        order[i] = (uint8_t)r;
    }
    return n;
}

/* Each wait list, named, with its tasks in order: [["getters of jobs",
 * [2, 3]], ...]. */
static void put_lists(tr_out *o, const tr_replay *rp)
{
    uint8_t order[FL_TRACE_ROWS];
    bool written[FL_TRACE_ROWS] = {false};
    unsigned n = waiters(rp, order), i, j;
    const char *sep = "[";

    for (i = 0; i < n; i++) {
        const char *member_sep = "";
        if (written[i])
            continue;
        tr_puts(o, sep);
        sep = ",";
        tr_puts(o, "[\"");
        tr_put_list(o, rp, order[i]);
        tr_puts(o, "\",[");
        for (j = i; j < n; j++) {
            if (written[j] || !tr_same_list(rp, order[i], order[j]))
                continue;
            written[j] = true;
            tr_puts(o, member_sep);
            member_sep = ",";
            tr_put_uint(o, order[j]);
        }
        tr_puts(o, "]]");
    }
    tr_puts(o, n == 0 ? "[]" : "]");
}

/* The timers, soonest first: [row, due, what it is for]. */
static void put_timers(tr_out *o, const tr_replay *rp)
{
    uint8_t order[FL_TRACE_ROWS];
    unsigned n = timers(rp, order), i;

    tr_puts(o, "[");
    for (i = 0; i < n; i++) {
        unsigned r = order[i];
        tr_puts(o, i == 0 ? "[" : ",[");
        tr_put_uint(o, r);
        tr_puts(o, ",");
        tr_put_uint(o, rp->due[r]);
        tr_puts(o, rp->timer[r] == TR_TIMER_SLEEP ? ",\"" : ",\"deadline of ");
        tr_put_command(o, rp, tr_rec(rp->tr, rp->begun[r]));
        tr_puts(o, "\"]");
    }
    tr_puts(o, "]");
}

static void write_step(page *p, const tr_replay *rp)
{
    tr_out *o = &p->o;
    unsigned i, r;
    int running = -1;

    tr_puts(o, p->first_step ? "\n{\"t\":" : ",\n{\"t\":");
    p->first_step = false;
    tr_put_uint(o, p->t);
    key(o, "x0");
    put_px(o, p->x0);
    key(o, "x1");
    put_px(o, p->x1 + p->ax.gap);
    key(o, "task");
    tr_put_int(o, p->row);
    key(o, "cmd");
    tr_puts(o, "\"");
    if (p->stop != TR_NO_RECORD)
        tr_put_command(o, rp, tr_rec(rp->tr, p->stop));
    tr_puts(o, "\"");
    key(o, "then");
    tr_puts(o, "\"");
    put_then(o, p, rp);
    tr_puts(o, "\"");
    key(o, "wakes");
    tr_puts(o, "[");
    for (i = 0; i < p->nwakes; i++) {
        const fl_trace_record *w = tr_rec(rp->tr, p->wakes[i]);
        tr_puts(o, i == 0 ? "[" : ",[");
        tr_put_int(o, tr_row(rp, w->task));
        tr_puts(o, ",\"");
        tr_put_cause(o, rp, w);
        tr_puts(o, "\"]");
    }
    tr_puts(o, "]");
    for (r = 0; r < rp->rows; r++)
        if (rp->state[r] == TR_RUNNING)
            running = (int)r;
    key(o, "run");
    tr_put_int(o, running);
    key(o, "ready");
    tr_puts(o, "[");
    for (i = 0; i < rp->nready; i++) {
        tr_puts(o, i == 0 ? "" : ",");
        tr_put_uint(o, rp->ready[i]);
    }
    tr_puts(o, "]");
    key(o, "lists");
    put_lists(o, rp);
    key(o, "timers");
    put_timers(o, rp);
    key(o, "tasks");
    tr_puts(o, "[");
    for (r = 0; r < rp->rows; r++) {
        tr_puts(o, r == 0 ? "\"" : ",\"");
        put_state(o, rp, r);
        tr_puts(o, "\"");
    }
    tr_puts(o, "]}");
}

/* Whether record `r` begins a new step: a call of a task, or a wake-up
 * that the step being gathered did not cause (a timer's, another's). */
static bool begins_step(const page *p, const fl_trace_record *r)
{
    if (!p->open || r->kind == FL_TRACE_RUN)
        return true;
    return r->kind == FL_TRACE_READY ? r->by != p->who : r->task != p->who;
}

static void page_event(void *ctx, const tr_replay *rp, const tr_event *ev)
{
    page *p = ctx;
    const fl_trace_record *r = ev->rec;
    uint64_t x;

    if (r == NULL)
        return; /* the end: the last step is written after the play */
    x = tr_axis_place(&p->ax, ev->t);
    if (begins_step(p, r)) {
        if (p->open)
            write_step(p, rp); /* rp: the loop as that step left it */
        p->open = true;
        p->who = r->kind == FL_TRACE_READY ? r->by : r->task;
        p->row = p->who != NULL ? tr_row(rp, p->who) : -1;
        p->stop = p->end = TR_NO_RECORD;
        p->after = TR_WAITS;
        p->t = ev->t;
        p->x0 = x;
        p->nwakes = 0;
    }
    p->x1 = x;
    if (r->kind == FL_TRACE_STOP && p->stop == TR_NO_RECORD) {
        p->stop = ev->index;
        p->after = ev->after;
    } else if (r->kind == FL_TRACE_END) {
        p->end = ev->index;
    } else if (r->kind == FL_TRACE_READY && ev->row != p->row && p->nwakes < FL_TRACE_ROWS) {
        p->wakes[p->nwakes++] = ev->index;
    }
}

int fl_trace_write_html(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                        fl_trace_name_fn name, void *name_ctx)
{
    tr_replay rp;
    page p;
    unsigned r;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    tr_out_init(&p.o, write, ctx);
    tr_begin(&rp, tr, name, name_ctx);
    tr_put_page(&p.o, TR_PAGE_HEAD);
    tr_write_svg(&p.o, &rp, true);
    tr_put_page(&p.o, TR_PAGE_PANELS);
    tr_puts(&p.o, "<script type=\"application/json\" id=\"trace-data\">\n{\"rows\":[");
    for (r = 0; r < rp.rows; r++) {
        tr_puts(&p.o, r == 0 ? "\"" : ",\"");
        tr_put_row(&p.o, &rp, r);
        tr_puts(&p.o, "\"");
    }
    tr_puts(&p.o, "]");
    key(&p.o, "top");
    tr_put_uint(&p.o, TR_SVG_TOP);
    key(&p.o, "row");
    tr_put_uint(&p.o, TR_SVG_ROW);
    key(&p.o, "steps");
    tr_puts(&p.o, "[");
    tr_axis_init(&p.ax, &rp);
    p.open = false;
    p.first_step = true;
    tr_play(&rp, page_event, &p);
    if (p.open)
        write_step(&p, &rp);
    tr_puts(&p.o, "\n]}\n</script>\n");
    tr_put_page(&p.o, TR_PAGE_SCRIPT);
    return tr_finish(&p.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
