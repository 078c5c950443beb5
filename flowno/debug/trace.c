/* SPDX-License-Identifier: MIT */
/*
 * trace.c - a recorder of the schedule, and three ways to look at it.
 *
 * Recording is cheap on purpose (a clock read and a store into a ring, on
 * hooks the loop calls anyway); the exporters do the work afterwards.
 * They replay the records to follow each task through running, ready and
 * waiting, and hand every change of state to a format: Chrome JSON spans,
 * VCD value changes, SVG rectangles.  No stdio: output goes through the
 * caller's write function, numbers are formatted here.
 */
#include "../flowno_internal.h"

#if FL_ENABLE_TRACE

/* ---- Recording ---------------------------------------------------------- */

static void record(fl_hooks *h, fl_loop *loop, const fl_task *t, unsigned kind)
{
    fl_trace *tr = (fl_trace *)h;
    fl_trace_record *r;
    unsigned i = (tr->head + tr->count) % tr->capacity;

    if (tr->count == tr->capacity) {
        tr->head = (tr->head + 1) % tr->capacity; /* overwrite the oldest */
        tr->dropped++;
    } else {
        tr->count++;
    }
    r = &tr->records[i];
    r->t = tr->clock != NULL ? tr->clock(tr->clock_ctx) : (uint32_t)fl_now(loop);
    r->kind = (uint8_t)kind;
    r->task = t;
}

static void on_step_begin(fl_hooks *h, fl_loop *loop, fl_task *t)
{
    record(h, loop, t, FL_TRACE_RUN);
}

static void on_step_end(fl_hooks *h, fl_loop *loop, fl_task *t, const fl_cmd *cmd)
{
    (void)cmd;
    record(h, loop, t, FL_TRACE_STOP);
}

static void on_ready(fl_hooks *h, fl_loop *loop, fl_task *t, int cause, const void *obj)
{
    (void)cause;
    (void)obj;
    record(h, loop, t, FL_TRACE_READY);
}

static void on_end(fl_hooks *h, fl_loop *loop, fl_task *t)
{
    record(h, loop, t, FL_TRACE_END);
}

int fl_trace_init(fl_trace *tr, fl_trace_record *records, unsigned capacity,
                  uint32_t (*clock)(void *ctx), void *clock_ctx, uint32_t clock_hz)
{
    if (tr == NULL || records == NULL || capacity == 0 || (clock != NULL && clock_hz == 0))
        return FL_EINVAL;
    tr->hooks = (fl_hooks){.step_begin = on_step_begin, .step_end = on_step_end,
                           .task_ready = on_ready, .task_end = on_end};
    tr->records = records;
    tr->capacity = capacity;
    tr->head = tr->count = 0;
    tr->dropped = 0;
    tr->clock = clock;
    tr->clock_ctx = clock_ctx;
    tr->clock_hz = clock != NULL ? clock_hz : FL_TICK_HZ;
    return 0;
}

int fl_trace_attach(fl_trace *tr, fl_loop *loop)
{
    if (tr == NULL || loop == NULL || tr->records == NULL)
        return FL_EINVAL;
    fl_loop_set_hooks(loop, &tr->hooks);
    return 0;
}

/* ---- Output --------------------------------------------------------------- */

typedef struct out {
    fl_trace_write_fn write;
    void *ctx;
    int rc; /* the first error of write, kept */
} out;

static void out_init(out *o, fl_trace_write_fn write, void *ctx)
{
    o->write = write;
    o->ctx = ctx;
    o->rc = 0;
}

static void put(out *o, const char *s, size_t n)
{
    if (o->rc >= 0 && n > 0) {
        int rc = o->write(o->ctx, s, n);
        if (rc < 0)
            o->rc = rc;
    }
}

static void puts_(out *o, const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    put(o, s, n);
}

static void put_uint(out *o, uint64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(o, p, (size_t)(buf + sizeof buf - p));
}

/* A task's name, with only the characters every format takes as they are
 * (JSON strings, VCD identifiers, SVG text); "task<row>" when unnamed. */
static void put_name(out *o, const char *name, unsigned row)
{
    if (name == NULL) {
        puts_(o, "task");
        put_uint(o, row);
        return;
    }
    for (; *name != '\0'; name++) {
        char c = *name;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-' || c == '.';
        put(o, plain ? &c : "_", 1);
    }
}

/* ---- Replaying the records ------------------------------------------------ */

enum { ST_NONE, ST_WAITING, ST_READY, ST_RUNNING, ST_DONE };

/* One change of state of a row: it was `from` since `since`, and becomes
 * `to` at `t` (times in microseconds from the first record). */
typedef void (*change_fn)(void *ctx, unsigned row, int from, uint64_t since, int to, uint64_t t);

typedef struct replay {
    const fl_task *task[FL_TRACE_ROWS];
    uint8_t state[FL_TRACE_ROWS];
    uint64_t since[FL_TRACE_ROWS];
    unsigned rows;
    bool overflow;  /* some task had no row */
    uint64_t end;   /* the time of the last record */
} replay;

static const fl_trace_record *rec_at(const fl_trace *tr, unsigned i)
{
    return &tr->records[(tr->head + i) % tr->capacity];
}

static uint64_t micros(const fl_trace *tr, uint32_t t)
{
    uint32_t since_first = t - rec_at(tr, 0)->t; /* wraps cleanly */
    return (uint64_t)since_first * 1000000u / tr->clock_hz;
}

static int row_of(replay *rp, const fl_task *t)
{
    unsigned r;
    for (r = 0; r < rp->rows; r++)
        if (rp->task[r] == t)
            return (int)r;
    if (rp->rows == FL_TRACE_ROWS) {
        rp->overflow = true;
        return -1;
    }
    rp->task[rp->rows] = t;
    rp->state[rp->rows] = ST_NONE;
    rp->since[rp->rows] = 0;
    return (int)rp->rows++;
}

/* Find the rows (first pass), then play every change to `change`, and close
 * the spans still open at the end. */
static void play(const fl_trace *tr, replay *rp, change_fn change, void *ctx)
{
    static const uint8_t to_state[] = {ST_RUNNING, ST_WAITING, ST_READY, ST_DONE};
    unsigned i, r;

    rp->rows = 0;
    rp->overflow = false;
    rp->end = tr->count > 0 ? micros(tr, rec_at(tr, tr->count - 1)->t) : 0;
    for (i = 0; i < tr->count; i++)
        (void)row_of(rp, rec_at(tr, i)->task);
    if (change == NULL)
        return;
    for (i = 0; i < tr->count; i++) {
        const fl_trace_record *rec = rec_at(tr, i);
        int row = row_of(rp, rec->task);
        int to = rec->kind < 4 ? to_state[rec->kind] : ST_NONE;
        uint64_t t = micros(tr, rec->t);
        if (row < 0 || to == ST_NONE || rp->state[row] == to)
            continue;
        change(ctx, (unsigned)row, rp->state[row], rp->since[row], to, t);
        rp->state[row] = (uint8_t)to;
        rp->since[row] = t;
    }
    for (r = 0; r < rp->rows; r++)
        if (rp->state[r] != ST_NONE && rp->state[r] != ST_DONE)
            change(ctx, r, rp->state[r], rp->since[r], ST_NONE, rp->end);
}

/* The name the callback gives, or NULL (then put_name writes the row's):
 * an empty name would leave a VCD signal without one. */
static const char *name_of(fl_trace_name_fn name, void *name_ctx, const fl_task *t)
{
    const char *s = name != NULL ? name(name_ctx, t) : NULL;
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static int finish(const out *o, const replay *rp)
{
    if (o->rc < 0)
        return o->rc;
    return rp->overflow ? FL_ENOSPC : 0;
}

static const char *const state_names[] = {"", "waiting", "ready", "running", ""};

/* ---- Chrome trace-event JSON ---------------------------------------------- */

typedef struct json {
    out o;
    bool first;
} json;

static void json_sep(json *j)
{
    puts_(&j->o, j->first ? "\n" : ",\n");
    j->first = false;
}

static void json_change(void *ctx, unsigned row, int from, uint64_t since, int to, uint64_t t)
{
    json *j = ctx;
    (void)to;
    if (from == ST_NONE || from == ST_DONE)
        return;
    json_sep(j);
    puts_(&j->o, "{\"name\":\"");
    puts_(&j->o, state_names[from]);
    puts_(&j->o, "\",\"cat\":\"");
    puts_(&j->o, state_names[from]);
    puts_(&j->o, "\",\"ph\":\"X\",\"pid\":1,\"tid\":");
    put_uint(&j->o, row + 1);
    puts_(&j->o, ",\"ts\":");
    put_uint(&j->o, since);
    puts_(&j->o, ",\"dur\":");
    put_uint(&j->o, t - since);
    puts_(&j->o, "}");
}

int fl_trace_write_json(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                        fl_trace_name_fn name, void *name_ctx)
{
    replay rp;
    json j;
    unsigned r;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    out_init(&j.o, write, ctx);
    j.first = true;
    puts_(&j.o, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
    play(tr, &rp, NULL, NULL);
    for (r = 0; r < rp.rows; r++) { /* a named row a task */
        json_sep(&j);
        puts_(&j.o, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":");
        put_uint(&j.o, r + 1);
        puts_(&j.o, ",\"args\":{\"name\":\"");
        put_name(&j.o, name_of(name, name_ctx, rp.task[r]), r);
        puts_(&j.o, "\"}}");
    }
    play(tr, &rp, json_change, &j);
    puts_(&j.o, "\n]}\n");
    return finish(&j.o, &rp);
}

/* ---- VCD -------------------------------------------------------------------- */

typedef struct vcd {
    out o;
    uint64_t now;
    bool timed;
} vcd;

/* A row's identifier: printable characters '!' to '~', base 94. */
static void put_vcd_id(out *o, unsigned row)
{
    char id[4];
    int n = 0;
    do {
        id[n++] = (char)('!' + row % 94);
        row /= 94;
    } while (row != 0 && n < 4);
    put(o, id, (size_t)n);
}

static void vcd_value(vcd *v, unsigned row, int state)
{
    static const char *const values[] = {"bxx ", "b00 ", "b01 ", "b10 ", "bzz "};
    puts_(&v->o, values[state]);
    put_vcd_id(&v->o, row);
    puts_(&v->o, "\n");
}

static void vcd_change(void *ctx, unsigned row, int from, uint64_t since, int to, uint64_t t)
{
    vcd *v = ctx;
    (void)from;
    (void)since;
    if (to == ST_NONE)
        return; /* the end of the trace, not a change */
    if (!v->timed || t != v->now) {
        puts_(&v->o, "#");
        put_uint(&v->o, t);
        puts_(&v->o, "\n");
        v->now = t;
        v->timed = true;
    }
    vcd_value(v, row, to);
}

int fl_trace_write_vcd(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx)
{
    replay rp;
    vcd v;
    unsigned r;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    out_init(&v.o, write, ctx);
    v.now = 0;
    v.timed = false;
    play(tr, &rp, NULL, NULL);
    puts_(&v.o, "$comment flowno schedule: 00 waiting, 01 ready, 10 running, zz ended $end\n"
                "$timescale 1 us $end\n$scope module flowno $end\n");
    for (r = 0; r < rp.rows; r++) {
        puts_(&v.o, "$var wire 2 ");
        put_vcd_id(&v.o, r);
        puts_(&v.o, " ");
        put_name(&v.o, name_of(name, name_ctx, rp.task[r]), r);
        puts_(&v.o, " $end\n");
    }
    puts_(&v.o, "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n");
    for (r = 0; r < rp.rows; r++)
        vcd_value(&v, r, ST_NONE);
    puts_(&v.o, "$end\n");
    v.timed = true;
    play(tr, &rp, vcd_change, &v);
    if (v.now != rp.end) {
        puts_(&v.o, "#");
        put_uint(&v.o, rp.end);
        puts_(&v.o, "\n");
    }
    return finish(&v.o, &rp);
}

/* ---- SVG ---------------------------------------------------------------- */

#define SVG_LABEL 150u  /* the name column */
#define SVG_PLOT 850u   /* the time axis */
#define SVG_ROW 22u
#define SVG_TOP 30u

typedef struct svg {
    out o;
    uint64_t end;
} svg;

static uint64_t svg_x(const svg *s, uint64_t t)
{
    return SVG_LABEL + (s->end == 0 ? 0 : t * SVG_PLOT / s->end);
}

static void svg_rect(out *o, uint64_t x, uint64_t y, uint64_t w, uint64_t h, const char *fill)
{
    puts_(o, "<rect x=\"");
    put_uint(o, x);
    puts_(o, "\" y=\"");
    put_uint(o, y);
    puts_(o, "\" width=\"");
    put_uint(o, w);
    puts_(o, "\" height=\"");
    put_uint(o, h);
    puts_(o, "\" fill=\"");
    puts_(o, fill);
    puts_(o, "\"/>\n");
}

static const char *const svg_fill[] = {"", "#cfd8dc", "#ffb300", "#2e7d32", ""};

static void svg_change(void *ctx, unsigned row, int from, uint64_t since, int to, uint64_t t)
{
    svg *s = ctx;
    uint64_t x0, x1, y = SVG_TOP + (uint64_t)row * SVG_ROW;
    (void)to;
    if (from == ST_NONE || from == ST_DONE)
        return;
    x0 = svg_x(s, since);
    x1 = svg_x(s, t);
    /* A step takes microseconds: draw it at least two pixels wide. */
    svg_rect(&s->o, x0, y + (from == ST_RUNNING ? 2 : 6),
             x1 > x0 + 1 ? x1 - x0 : 2, from == ST_RUNNING ? 16 : 8, svg_fill[from]);
}

static void svg_text(out *o, uint64_t x, uint64_t y, const char *anchor)
{
    puts_(o, "<text x=\"");
    put_uint(o, x);
    puts_(o, "\" y=\"");
    put_uint(o, y);
    puts_(o, "\" text-anchor=\"");
    puts_(o, anchor);
    puts_(o, "\">");
}

int fl_trace_write_svg(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx)
{
    replay rp;
    svg s;
    unsigned r, k;
    uint64_t height, axis;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    out_init(&s.o, write, ctx);
    play(tr, &rp, NULL, NULL);
    s.end = rp.end;
    axis = SVG_TOP + (uint64_t)rp.rows * SVG_ROW + 8;
    height = axis + 50;
    puts_(&s.o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    put_uint(&s.o, SVG_LABEL + SVG_PLOT + 20);
    puts_(&s.o, "\" height=\"");
    put_uint(&s.o, height);
    puts_(&s.o, "\" font-family=\"sans-serif\" font-size=\"12\">\n"
                "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (r = 0; r < rp.rows; r++) {
        svg_text(&s.o, SVG_LABEL - 8, SVG_TOP + r * SVG_ROW + 15, "end");
        put_name(&s.o, name_of(name, name_ctx, rp.task[r]), r);
        puts_(&s.o, "</text>\n");
    }
    play(tr, &rp, svg_change, &s);
    /* The time axis, in milliseconds, with ten steps. */
    svg_rect(&s.o, SVG_LABEL, axis, SVG_PLOT, 1, "#000000");
    for (k = 0; k <= 10; k++) {
        uint64_t x = SVG_LABEL + (uint64_t)k * SVG_PLOT / 10;
        svg_rect(&s.o, x, axis, 1, 5, "#000000");
        svg_text(&s.o, x, axis + 18, "middle");
        put_uint(&s.o, rp.end * k / 10 / 1000);
        puts_(&s.o, k == 10 ? " ms</text>\n" : "</text>\n");
    }
    /* The legend. */
    for (k = 1; k <= 3; k++) {
        uint64_t x = SVG_LABEL + (k - 1) * 110;
        svg_rect(&s.o, x, axis + 28, 14, 10, svg_fill[k]);
        svg_text(&s.o, x + 20, axis + 38, "start");
        puts_(&s.o, state_names[k]);
        puts_(&s.o, "</text>\n");
    }
    puts_(&s.o, "</svg>\n");
    return finish(&s.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
