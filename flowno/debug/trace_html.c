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
    fl_tr_put_uint_(o, (mpx + 500u) / 1000u);
}

/* The next member of a step: ,"name": */
static void key(tr_out *o, const char *name)
{
    fl_tr_puts_(o, ",\"");
    fl_tr_puts_(o, name);
    fl_tr_puts_(o, "\":");
}

/* A row's timer, if it has one: ", until 5 ms", ", deadline 5 ms". */
static void put_timer(tr_out *o, const tr_replay *rp, unsigned row)
{
    if (rp->timer[row] == TR_TIMER_NONE)
        return;
    fl_tr_puts_(o, rp->timer[row] == TR_TIMER_SLEEP ? ", until " : ", deadline ");
    fl_tr_put_ms_(o, rp->due[row]);
}

/* What the step's command led to. */
static void put_then(tr_out *o, const page *p, const tr_replay *rp)
{
    unsigned row = (unsigned)p->row;

    if (p->row < 0) { /* who, and by what */
        unsigned i;
        for (i = 0; i < p->nwakes; i++) {
            const fl_trace_record *w = fl_tr_rec_(rp->tr, p->wakes[i]);
            fl_tr_puts_(o, i == 0 ? "" : ", ");
            fl_tr_put_task_(o, rp, w->task);
            fl_tr_puts_(o, " made ready: ");
            fl_tr_put_cause_(o, rp, w);
        }
        return;
    }
    switch (p->stop == TR_NO_RECORD ? -1 : p->after) {
    case TR_AT_ONCE: fl_tr_puts_(o, "answered at once, it goes on"); return;
    case TR_ASIDE: fl_tr_puts_(o, "it steps aside, to the back of the ready list"); return;
    case TR_ENDS:
        fl_tr_puts_(o, "it ends");
        if (p->end != TR_NO_RECORD) {
            fl_tr_puts_(o, ": ");
            fl_tr_put_end_(o, fl_tr_rec_(rp->tr, p->end));
        }
        return;
    case TR_WAITS:
        if (rp->state[row] != TR_WAITING) {
            fl_tr_puts_(o, "it waits"); /* and was woken in the same step */
            return;
        }
        fl_tr_puts_(o, "it waits: ");
        fl_tr_put_list_(o, rp, row);
        put_timer(o, rp, row);
        return;
    default: fl_tr_puts_(o, "running"); return;
    }
}

/* A row's state, as the table of tasks says it. */
static void put_state(tr_out *o, const tr_replay *rp, unsigned row)
{
    const fl_trace_record *begun =
        rp->begun[row] == TR_NO_RECORD ? NULL : fl_tr_rec_(rp->tr, rp->begun[row]);

    switch (rp->state[row]) {
    case TR_RUNNING: fl_tr_puts_(o, "running"); return;
    case TR_READY:
        fl_tr_puts_(o, "ready: ");
        fl_tr_put_cause_(o, rp, begun);
        put_timer(o, rp, row);
        return;
    case TR_WAITING:
        fl_tr_puts_(o, "waiting: ");
        fl_tr_put_command_(o, rp, begun);
        put_timer(o, rp, row);
        return;
    case TR_DONE:
        fl_tr_puts_(o, "ended: ");
        fl_tr_put_end_(o, begun);
        return;
    default: return; /* not spawned yet */
    }
}

/* The rows that wait on a list (sleepers wait on their timer alone), in
 * the order they began to: the order of every wait list. */
static unsigned waiters(const tr_replay *rp, uint16_t *order)
{
    unsigned n = 0, r;
    for (r = 0; r < rp->rows; r++) {
        unsigned i = n;
        if (rp->state[r] != TR_WAITING || fl_tr_rec_(rp->tr, rp->begun[r])->what == FL_OP_SLEEP)
            continue;
        for (n++; i > 0 && rp->begun[order[i - 1]] > rp->begun[r]; i--)
            order[i] = order[i - 1];
        order[i] = (uint16_t)r;
    }
    return n;
}

/* The rows with a timer, soonest first. */
static unsigned timers(const tr_replay *rp, uint16_t *order)
{
    unsigned n = 0, r;
    for (r = 0; r < rp->rows; r++) {
        unsigned i = n;
        if (rp->timer[r] == TR_TIMER_NONE)
            continue;
        for (n++; i > 0 && rp->due[order[i - 1]] > rp->due[r]; i--)
            order[i] = order[i - 1];
        order[i] = (uint16_t)r;
    }
    return n;
}

/* Each wait list, named, with its tasks in order: [["getters of jobs",
 * [2, 3]], ...]. */
static void put_lists(tr_out *o, const tr_replay *rp)
{
    uint16_t order[FL_TRACE_ROWS];
    bool written[FL_TRACE_ROWS] = {false};
    unsigned n = waiters(rp, order), i, j;
    const char *sep = "[";

    for (i = 0; i < n; i++) {
        const char *member_sep = "";
        if (written[i])
            continue;
        fl_tr_puts_(o, sep);
        sep = ",";
        fl_tr_puts_(o, "[\"");
        fl_tr_put_list_(o, rp, order[i]);
        fl_tr_puts_(o, "\",[");
        for (j = i; j < n; j++) {
            if (written[j] || !fl_tr_same_list_(rp, order[i], order[j]))
                continue;
            written[j] = true;
            fl_tr_puts_(o, member_sep);
            member_sep = ",";
            fl_tr_put_uint_(o, order[j]);
        }
        fl_tr_puts_(o, "]]");
    }
    fl_tr_puts_(o, n == 0 ? "[]" : "]");
}

/* The timers, soonest first: [row, due, what it is for]. */
static void put_timers(tr_out *o, const tr_replay *rp)
{
    uint16_t order[FL_TRACE_ROWS];
    unsigned n = timers(rp, order), i;

    fl_tr_puts_(o, "[");
    for (i = 0; i < n; i++) {
        unsigned r = order[i];
        fl_tr_puts_(o, i == 0 ? "[" : ",[");
        fl_tr_put_uint_(o, r);
        fl_tr_puts_(o, ",");
        fl_tr_put_uint_(o, rp->due[r]);
        if (rp->state[r] != TR_WAITING) { /* set, and its wait not begun */
            fl_tr_puts_(o, ",\"deadline for its next wait\"]");
            continue;
        }
        fl_tr_puts_(o, rp->timer[r] == TR_TIMER_SLEEP ? ",\"" : ",\"deadline of ");
        fl_tr_put_command_(o, rp, fl_tr_rec_(rp->tr, rp->begun[r]));
        fl_tr_puts_(o, "\"]");
    }
    fl_tr_puts_(o, "]");
}

static void write_step(page *p, const tr_replay *rp)
{
    tr_out *o = &p->o;
    unsigned i, r;
    int running = -1;

    fl_tr_puts_(o, p->first_step ? "\n{\"t\":" : ",\n{\"t\":");
    p->first_step = false;
    fl_tr_put_uint_(o, p->t);
    key(o, "x0");
    put_px(o, p->x0);
    key(o, "x1");
    put_px(o, p->x1 + p->ax.gap);
    key(o, "task");
    fl_tr_put_int_(o, p->row);
    key(o, "cmd");
    fl_tr_puts_(o, "\"");
    if (p->stop != TR_NO_RECORD)
        fl_tr_put_command_(o, rp, fl_tr_rec_(rp->tr, p->stop));
    fl_tr_puts_(o, "\"");
    key(o, "then");
    fl_tr_puts_(o, "\"");
    put_then(o, p, rp);
    fl_tr_puts_(o, "\"");
    key(o, "wakes");
    fl_tr_puts_(o, "[");
    for (i = 0; i < p->nwakes; i++) {
        const fl_trace_record *w = fl_tr_rec_(rp->tr, p->wakes[i]);
        fl_tr_puts_(o, i == 0 ? "[" : ",[");
        fl_tr_put_int_(o, fl_tr_row_(rp, w->task));
        fl_tr_puts_(o, ",\"");
        fl_tr_put_cause_(o, rp, w);
        fl_tr_puts_(o, "\"]");
    }
    fl_tr_puts_(o, "]");
    for (r = 0; r < rp->rows; r++)
        if (rp->state[r] == TR_RUNNING)
            running = (int)r;
    key(o, "run");
    fl_tr_put_int_(o, running);
    key(o, "ready");
    fl_tr_puts_(o, "[");
    for (i = 0; i < rp->nready; i++) {
        fl_tr_puts_(o, i == 0 ? "" : ",");
        fl_tr_put_uint_(o, rp->ready[i]);
    }
    fl_tr_puts_(o, "]");
    key(o, "lists");
    put_lists(o, rp);
    key(o, "timers");
    put_timers(o, rp);
    key(o, "tasks");
    fl_tr_puts_(o, "[");
    for (r = 0; r < rp->rows; r++) {
        fl_tr_puts_(o, r == 0 ? "\"" : ",\"");
        put_state(o, rp, r);
        fl_tr_puts_(o, "\"");
    }
    fl_tr_puts_(o, "]}");
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
    x = fl_tr_axis_place_(&p->ax, ev->t);
    if (begins_step(p, r)) {
        if (p->open)
            write_step(p, rp); /* rp: the loop as that step left it */
        p->open = true;
        p->who = r->kind == FL_TRACE_READY ? r->by : r->task;
        p->row = p->who != NULL ? fl_tr_row_(rp, p->who) : -1;
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
    fl_tr_out_init_(&p.o, write, ctx);
    fl_tr_begin_(&rp, tr, name, name_ctx);
    fl_tr_put_page_(&p.o, TR_PAGE_HEAD);
    fl_tr_write_svg_(&p.o, &rp, true);
    fl_tr_put_page_(&p.o, TR_PAGE_PANELS);
    fl_tr_puts_(&p.o, "<script type=\"application/json\" id=\"trace-data\">\n{\"rows\":[");
    for (r = 0; r < rp.rows; r++) {
        fl_tr_puts_(&p.o, r == 0 ? "\"" : ",\"");
        fl_tr_put_row_(&p.o, &rp, r);
        fl_tr_puts_(&p.o, "\"");
    }
    fl_tr_puts_(&p.o, "]");
    key(&p.o, "top");
    fl_tr_put_uint_(&p.o, TR_SVG_TOP);
    key(&p.o, "row");
    fl_tr_put_uint_(&p.o, TR_SVG_ROW);
    key(&p.o, "steps");
    fl_tr_puts_(&p.o, "[");
    fl_tr_axis_init_(&p.ax, &rp);
    p.open = false;
    p.first_step = true;
    fl_tr_play_(&rp, page_event, &p);
    if (p.open)
        write_step(&p, &rp);
    fl_tr_puts_(&p.o, "\n]}\n</script>\n");
    fl_tr_put_page_(&p.o, TR_PAGE_SCRIPT);
    return fl_tr_finish_(&p.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
