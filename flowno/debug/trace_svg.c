/* SPDX-License-Identifier: MIT */
/*
 * trace_svg.c - the schedule as a picture: a row a task; running (green),
 * ready (amber) and waiting (grey) spans; above each wait, the command
 * that began it; an arrow from each waker to the task it woke (blue: a
 * spawn, purple: a join, teal: a primitive, red: a cancel), a mark where
 * a timer or the outside world woke one; a time axis at round values.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

#define SVG_GAP 4u           /* px a record */
#define SVG_MIN_PLOT 1000u   /* px */
#define SVG_MAX_PLOT 16000u
#define SVG_CHAR_W 6u        /* px a character of the labels, 10 px monospace */
#define SVG_MPX 1000u        /* x is in thousandths of a pixel */

/* ---- The axis ---------------------------------------------------------------- */

static uint64_t smaller(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

void fl_tr_axis_init_(tr_axis *ax, const tr_replay *rp)
{
    uint64_t n = rp->tr->count, gaps = n * SVG_GAP;

    /* At least half the width goes to time: the picture widens for more
     * events, up to SVG_MAX_PLOT, past which the gaps narrow. */
    ax->plot = (unsigned)(gaps * 2 < SVG_MIN_PLOT ? SVG_MIN_PLOT : smaller(gaps * 2, SVG_MAX_PLOT));
    ax->gap = n == 0 ? 0 : smaller(SVG_GAP * SVG_MPX, (uint64_t)ax->plot * SVG_MPX / 2 / n);
    if (rp->end == 0 && n > 1) /* no time to share: the events spread out */
        ax->gap = smaller(6 * SVG_GAP * SVG_MPX, (uint64_t)ax->plot * SVG_MPX / (n - 1));
    ax->free = (uint64_t)ax->plot * SVG_MPX - (n > 0 ? (n - 1) * ax->gap : 0);
    ax->end = rp->end;
    ax->x = (uint64_t)TR_SVG_LABEL * SVG_MPX;
    ax->t = 0;
    ax->placed = 0;
}

uint64_t fl_tr_axis_at_(const tr_axis *ax, uint64_t at)
{
    if (ax->placed == 0 || at <= ax->t)
        return ax->x;
    return ax->x + ax->gap + (ax->end == 0 ? 0 : (at - ax->t) * ax->free / ax->end);
}

uint64_t fl_tr_axis_place_(tr_axis *ax, uint64_t t)
{
    ax->x = fl_tr_axis_at_(ax, t);
    if (ax->placed > 0 && t <= ax->t)
        ax->x += ax->gap; /* at the same time: the gap alone */
    ax->t = t;
    ax->placed++;
    return ax->x;
}

/* A tick every 1, 2 or 5 times a power of ten microseconds, at most 8. */
static uint64_t tick_step(uint64_t end)
{
    static const unsigned mult[] = {1, 2, 5};
    uint64_t power = 1;
    for (;;) {
        unsigned m;
        for (m = 0; m < 3; m++)
            if (end / (power * mult[m]) <= 8)
                return power * mult[m];
        power *= 10;
    }
}

/* ---- Drawing ------------------------------------------------------------------- */

typedef struct svg {
    tr_out *o;
    tr_replay *rp;
    tr_axis ax;
    uint64_t x;                       /* of the current record */
    uint64_t since_x[FL_TRACE_ROWS];  /* where each row's span began */
    uint64_t free_x[FL_TRACE_ROWS][2]; /* where each of its two text lines is free */
    uint64_t tick, step, tick_label_x;
    bool any_tick_label;
} svg;

/* A row: two lines of labels, then the bar (by state: none, waiting,
 * ready, running, ended). */
static const char *const fills[] = {"", "#b0bec5", "#ffb300", "#2e7d32", ""};
static const unsigned bar_top[] = {0, 30, 27, 24, 0};
static const unsigned bar_height[] = {0, 4, 10, 16, 0};
static const unsigned text_line[] = {9, 18};
#define SVG_BAR_MIDDLE 32u
#define SVG_RIGHT_MARGIN 100u /* for the labels of the last events */

static void attr(tr_out *o, const char *name, uint64_t v)
{
    fl_tr_puts_(o, " ");
    fl_tr_puts_(o, name);
    fl_tr_puts_(o, "=\"");
    fl_tr_put_uint_(o, v);
    fl_tr_puts_(o, "\"");
}

static uint64_t px(uint64_t mpx)
{
    return (mpx + SVG_MPX / 2) / SVG_MPX;
}

static uint64_t row_y(unsigned row)
{
    return TR_SVG_TOP + (uint64_t)row * TR_SVG_ROW;
}

/* An open <rect: the caller closes it, with "/>" or with a tooltip. */
static void rect(tr_out *o, uint64_t x, uint64_t y, uint64_t w, uint64_t h, const char *fill)
{
    fl_tr_puts_(o, "<rect");
    attr(o, "x", x);
    attr(o, "y", y);
    attr(o, "width", w);
    attr(o, "height", h);
    fl_tr_puts_(o, " fill=\"");
    fl_tr_puts_(o, fill);
    fl_tr_puts_(o, "\"");
}

/* An open <text>: the caller writes the text and closes it. */
static void text(tr_out *o, uint64_t x, uint64_t y, const char *anchor)
{
    fl_tr_puts_(o, "<text");
    attr(o, "x", x);
    attr(o, "y", y);
    fl_tr_puts_(o, " text-anchor=\"");
    fl_tr_puts_(o, anchor);
    fl_tr_puts_(o, "\">");
}

/* The span a row leaves now, with what it was in a tooltip. */
static void draw_span(svg *s, const tr_event *ev)
{
    tr_replay *rp = s->rp;
    unsigned row = (unsigned)ev->row;
    uint64_t x0 = px(s->since_x[row]), x1 = px(s->x);
    const fl_trace_record *cmd = fl_tr_span_command_(rp, ev);

    rect(s->o, x0, row_y(row) + bar_top[ev->from], x1 > x0 ? x1 - x0 : 1,
         bar_height[ev->from], fills[ev->from]);
    fl_tr_puts_(s->o, "><title>");
    if (ev->from == TR_WAITING) {
        fl_tr_put_command_(s->o, rp, cmd);
        if (ev->rec != NULL && ev->rec->kind == FL_TRACE_READY) {
            fl_tr_puts_(s->o, ", until: ");
            fl_tr_put_cause_(s->o, rp, ev->rec);
        }
    } else if (ev->from == TR_READY) {
        fl_tr_puts_(s->o, "ready: ");
        fl_tr_put_cause_(s->o, rp, fl_tr_rec_(rp->tr, rp->begun[row]));
    } else {
        fl_tr_puts_(s->o, "running");
        if (cmd != NULL) {
            fl_tr_puts_(s->o, ", then ");
            fl_tr_put_command_(s->o, rp, cmd);
        }
    }
    fl_tr_puts_(s->o, "</title></rect>\n");
}

/* The command that began a wait, or how a task ended, above its bar: on
 * the first of the row's two text lines that is free here, else not at
 * all (each span's tooltip says it too). */
static void put_label(svg *s, unsigned row, const fl_trace_record *r)
{
    tr_out label;
    unsigned at;

    fl_tr_out_init_(&label, NULL, NULL);
    if (r->kind == FL_TRACE_STOP)
        fl_tr_put_command_(&label, s->rp, r);
    else
        fl_tr_put_end_(&label, r);
    for (at = 0; at < 2 && s->free_x[row][at] > s->x; at++)
        ;
    if (at == 2)
        return;
    s->free_x[row][at] = s->x + ((uint64_t)label.len * SVG_CHAR_W + 8) * SVG_MPX;
    text(s->o, px(s->x), row_y(row) + text_line[at], "start");
    fl_tr_put_(s->o, label.buf, label.len);
    fl_tr_puts_(s->o, "</text>\n");
}

static const char *arrow_colour(unsigned cause)
{
    switch (cause) {
    case FL_READY_SPAWNED: return "#1565c0";
    case FL_READY_JOINED: return "#6a1b9a";
    case FL_READY_CANCELLED: return "#c62828";
    default: return "#00838f";
    }
}

/* A triangle pointing from its base at `base` to its tip at `tip`. */
static void triangle(tr_out *o, uint64_t x, uint64_t base, uint64_t tip, const char *fill)
{
    fl_tr_puts_(o, "<path d=\"M");
    fl_tr_put_uint_(o, x - 4);
    fl_tr_puts_(o, " ");
    fl_tr_put_uint_(o, base);
    fl_tr_puts_(o, " L");
    fl_tr_put_uint_(o, x + 4);
    fl_tr_puts_(o, " ");
    fl_tr_put_uint_(o, base);
    fl_tr_puts_(o, " L");
    fl_tr_put_uint_(o, x);
    fl_tr_puts_(o, " ");
    fl_tr_put_uint_(o, tip);
    fl_tr_puts_(o, " z\" fill=\"");
    fl_tr_puts_(o, fill);
    fl_tr_puts_(o, "\"");
}

/* From the waker's row to the woken's, or a mark from outside the steps. */
static void draw_wake(svg *s, const tr_event *ev)
{
    tr_out *o = s->o;
    const fl_trace_record *r = ev->rec;
    uint64_t x = px(s->x), y = row_y((unsigned)ev->row);

    if (ev->by == ev->row)
        return; /* it stepped aside itself */
    if (ev->by >= 0) {
        const char *colour = arrow_colour(r->what);
        bool down = ev->by < ev->row;
        uint64_t tip = down ? y + bar_top[TR_RUNNING] : y + bar_top[TR_RUNNING] + 16;
        uint64_t base = down ? tip - 6 : tip + 6;
        fl_tr_puts_(o, "<line");
        attr(o, "x1", x);
        attr(o, "y1", row_y((unsigned)ev->by) + SVG_BAR_MIDDLE);
        attr(o, "x2", x);
        attr(o, "y2", base);
        fl_tr_puts_(o, " stroke=\"");
        fl_tr_puts_(o, colour);
        fl_tr_puts_(o, "\" stroke-width=\"1.5\"/>\n");
        triangle(o, x, base, tip, colour);
    } else { /* a timer, an fd, a signal, plain C */
        bool timer = r->what == FL_READY_SLEPT || r->what == FL_READY_TIMED_OUT;
        triangle(o, x, y + 19, y + 24, timer ? "#546e7a" : "#ef6c00");
    }
    fl_tr_puts_(o, "><title>");
    fl_tr_put_cause_(o, s->rp, r);
    if (r->by != NULL && r->what != FL_READY_JOINED) { /* a join names it already */
        fl_tr_puts_(o, ", by ");
        fl_tr_put_task_(o, s->rp, r->by);
    }
    fl_tr_puts_(o, "</title></path>\n");
}

/* The ticks up to time t, before the record there is placed. */
static void draw_ticks(svg *s, uint64_t t, uint64_t axis_y)
{
    while (s->tick <= t && s->tick <= s->ax.end) {
        uint64_t x = px(fl_tr_axis_at_(&s->ax, s->tick));
        rect(s->o, x, axis_y, 1, 5, "#000000");
        fl_tr_puts_(s->o, "/>\n");
        if (!s->any_tick_label || x >= s->tick_label_x + 48) {
            text(s->o, x, axis_y + 18, "middle");
            fl_tr_put_ms_(s->o, s->tick);
            fl_tr_puts_(s->o, "</text>\n");
            s->tick_label_x = x;
            s->any_tick_label = true;
        }
        s->tick += s->step;
    }
}

static void svg_event(void *ctx, const tr_replay *rp, const tr_event *ev)
{
    svg *s = ctx;
    unsigned row = (unsigned)ev->row;
    uint64_t axis_y = row_y(rp->rows) + 8;

    if (ev->rec != NULL) {
        draw_ticks(s, ev->t, axis_y);
        s->x = fl_tr_axis_place_(&s->ax, ev->t);
    } else {
        s->x = (uint64_t)(TR_SVG_LABEL + s->ax.plot) * SVG_MPX; /* the end */
    }
    if (ev->from != ev->to && ev->from != TR_NONE && ev->from != TR_DONE)
        draw_span(s, ev);
    if (ev->to != ev->from)
        s->since_x[row] = s->x;
    if (ev->rec == NULL)
        return;
    if ((ev->rec->kind == FL_TRACE_STOP && ev->to == TR_WAITING) || ev->rec->kind == FL_TRACE_END)
        put_label(s, row, ev->rec);
    else if (ev->rec->kind == FL_TRACE_READY)
        draw_wake(s, ev);
}

static void legend_item(tr_out *o, uint64_t *x, uint64_t y, const char *name)
{
    size_t n = 0;
    text(o, *x + 20, y + 10, "start");
    fl_tr_puts_(o, name);
    fl_tr_puts_(o, "</text>\n");
    while (name[n] != '\0')
        n++;
    *x += 20 + 7 * n + 18; /* about 7 px a character */
}

static void draw_legend(tr_out *o, uint64_t y)
{
    static const char *const states[] = {"", "waiting", "ready", "running"};
    static const char *const arrows[] = {"spawned", "joined", "woken off a primitive",
                                         "cancelled"};
    static const unsigned causes[] = {FL_READY_SPAWNED, FL_READY_JOINED, FL_READY_WOKEN,
                                      FL_READY_CANCELLED};
    unsigned k;
    uint64_t x = TR_SVG_LABEL;

    for (k = 1; k <= 3; k++) {
        rect(o, x, y, 14, 10, fills[k]);
        fl_tr_puts_(o, "/>\n");
        legend_item(o, &x, y, states[k]);
    }
    x = TR_SVG_LABEL;
    y += 18;
    for (k = 0; k < 4; k++) {
        rect(o, x, y + 4, 16, 2, arrow_colour(causes[k]));
        fl_tr_puts_(o, "/>\n");
        legend_item(o, &x, y, arrows[k]);
    }
    triangle(o, x + 6, y + 1, y + 8, "#546e7a");
    fl_tr_puts_(o, "/>\n");
    legend_item(o, &x, y, "a timer (orange: a signal, an fd, plain C)");
}

void fl_tr_write_svg_(tr_out *o, tr_replay *rp, bool in_page)
{
    svg s;
    unsigned r;
    uint64_t axis_y = row_y(rp->rows) + 8, width;

    s.o = o;
    s.rp = rp;
    fl_tr_axis_init_(&s.ax, rp);
    s.step = tick_step(rp->end);
    s.tick = 0;
    s.any_tick_label = false;
    for (r = 0; r < FL_TRACE_ROWS; r++)
        s.free_x[r][0] = s.free_x[r][1] = 0;
    width = TR_SVG_LABEL + s.ax.plot + SVG_RIGHT_MARGIN;
    fl_tr_puts_(s.o, in_page ? "<svg id=\"timeline\""
                             : "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    attr(s.o, "width", width);
    attr(s.o, "height", axis_y + 76);
    fl_tr_puts_(s.o, " font-family=\"sans-serif\" font-size=\"12\">\n");
    rect(s.o, 0, 0, width, axis_y + 76, "white");
    fl_tr_puts_(s.o, "/>\n");
    text(s.o, 8, 18, "start");
    fl_tr_puts_(s.o, "flowno schedule: ");
    fl_tr_put_uint_(s.o, rp->rows);
    fl_tr_puts_(s.o, " tasks, ");
    fl_tr_put_uint_(s.o, rp->tr->count);
    fl_tr_puts_(s.o, " events, ");
    fl_tr_put_ms_(s.o, rp->end);
    fl_tr_puts_(s.o, rp->end == 0 ? ", all at one time: drawn in their order.</text>\n"
                               : ". Time runs left to right, stretched so that each event has"
                                 " room.</text>\n");
    fl_tr_puts_(s.o, "<g font-family=\"monospace\" font-size=\"10\">\n");
    if (in_page) { /* the page's mark of the current step's task */
        rect(s.o, 0, TR_SVG_TOP, width, TR_SVG_ROW, "#1e88e5");
        fl_tr_puts_(s.o, " id=\"rowmark\" fill-opacity=\"0.08\" visibility=\"hidden\"/>\n");
    }
    for (r = 0; r < rp->rows; r++) {
        rect(s.o, TR_SVG_LABEL, row_y(r) + SVG_BAR_MIDDLE, s.ax.plot, 1, "#eceff1");
        fl_tr_puts_(s.o, "/>\n");
    }
    fl_tr_play_(rp, svg_event, &s);
    draw_ticks(&s, rp->end, axis_y);
    fl_tr_puts_(s.o, "</g>\n");
    for (r = 0; r < rp->rows; r++) {
        text(s.o, TR_SVG_LABEL - 8, row_y(r) + SVG_BAR_MIDDLE + 4, "end");
        fl_tr_put_row_(s.o, rp, r);
        fl_tr_puts_(s.o, "</text>\n");
    }
    rect(s.o, TR_SVG_LABEL, axis_y, s.ax.plot, 1, "#000000");
    fl_tr_puts_(s.o, "/>\n");
    draw_legend(s.o, axis_y + 34);
    if (in_page) { /* the page's mark of the current step */
        rect(s.o, 0, TR_SVG_TOP - 4, 0, row_y(rp->rows) - TR_SVG_TOP + 8, "#1e88e5");
        fl_tr_puts_(s.o, " id=\"cursor\" fill-opacity=\"0.25\"/>\n");
    }
    fl_tr_puts_(s.o, "</svg>\n");
}

int fl_trace_write_svg(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx)
{
    tr_replay rp;
    tr_out o;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    fl_tr_out_init_(&o, write, ctx);
    fl_tr_begin_(&rp, tr, name, name_ctx);
    fl_tr_write_svg_(&o, &rp, false);
    return fl_tr_finish_(&o, &rp);
}

#endif /* FL_ENABLE_TRACE */
