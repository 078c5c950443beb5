/* SPDX-License-Identifier: MIT */
/*
 * trace_vcd.c - the schedule as a VCD file, for GTKWave and other wave
 * viewers: a 2-bit signal a task, 00 waiting, 01 ready, 10 running, zz
 * ended, in microseconds.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

typedef struct vcd {
    tr_out o;
    uint64_t now;
    bool timed;
} vcd;

/* A row's identifier: printable characters '!' to '~', base 94. */
static void put_vcd_id(tr_out *o, unsigned row)
{
    char id[4];
    int n = 0;
    do {
        id[n++] = (char)('!' + row % 94);
        row /= 94;
    } while (row != 0 && n < 4);
    fl_tr_put_(o, id, (size_t)n);
}

static void vcd_value(vcd *v, unsigned row, int state)
{
    static const char *const values[] = {"bxx ", "b00 ", "b01 ", "b10 ", "bzz "};
    fl_tr_puts_(&v->o, values[state]);
    put_vcd_id(&v->o, row);
    fl_tr_puts_(&v->o, "\n");
}

static void vcd_time(vcd *v, uint64_t t)
{
    if (v->timed && t == v->now)
        return;
    fl_tr_puts_(&v->o, "#");
    fl_tr_put_uint_(&v->o, t);
    fl_tr_puts_(&v->o, "\n");
    v->now = t;
    v->timed = true;
}

static void vcd_event(void *ctx, const tr_replay *rp, const tr_event *ev)
{
    vcd *v = ctx;
    (void)rp;
    if (ev->to == ev->from || ev->to == TR_NONE)
        return; /* no change, or the end of the trace */
    vcd_time(v, ev->t);
    vcd_value(v, (unsigned)ev->row, ev->to);
}

int fl_trace_write_vcd(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx)
{
    tr_replay rp;
    vcd v;
    unsigned r;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    fl_tr_out_init_(&v.o, write, ctx);
    v.now = 0;
    v.timed = false;
    fl_tr_begin_(&rp, tr, name, name_ctx);
    fl_tr_puts_(&v.o, "$comment flowno schedule: 00 waiting, 01 ready, 10 running, zz ended $end\n"
                  "$timescale 1 us $end\n$scope module flowno $end\n");
    for (r = 0; r < rp.rows; r++) {
        fl_tr_puts_(&v.o, "$var wire 2 ");
        put_vcd_id(&v.o, r);
        fl_tr_puts_(&v.o, " ");
        fl_tr_put_row_(&v.o, &rp, r);
        fl_tr_puts_(&v.o, " $end\n");
    }
    fl_tr_puts_(&v.o, "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n");
    for (r = 0; r < rp.rows; r++)
        vcd_value(&v, r, TR_NONE);
    fl_tr_puts_(&v.o, "$end\n");
    v.timed = true;
    fl_tr_play_(&rp, vcd_event, &v);
    vcd_time(&v, rp.end);
    return fl_tr_finish_(&v.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
