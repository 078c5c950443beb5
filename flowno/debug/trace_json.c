/* SPDX-License-Identifier: MIT */
/*
 * trace_json.c - the schedule as Chrome trace-event JSON, for Perfetto
 * (ui.perfetto.dev) and chrome://tracing: a thread a task, a complete
 * slice ("X") for each span of running, ready or waiting, with the command
 * it ran or waits on in its args, and a flow (an arrow, "s" then "f") from
 * each waker to the task it woke.
 */
#include "trace_internal.h"

#if FL_ENABLE_TRACE

typedef struct json {
    tr_out o;
    bool first;
    unsigned flows;
} json;

static const char *const state_names[] = {"", "waiting", "ready", "running", ""};

static void json_sep(json *j)
{
    fl_tr_puts_(&j->o, j->first ? "\n" : ",\n");
    j->first = false;
}

static void json_head(json *j, const char *name, const char *ph, unsigned row, uint64_t ts)
{
    json_sep(j);
    fl_tr_puts_(&j->o, "{\"name\":\"");
    fl_tr_puts_(&j->o, name);
    fl_tr_puts_(&j->o, "\",\"cat\":\"");
    fl_tr_puts_(&j->o, ph[0] == 'X' ? name : "wake");
    fl_tr_puts_(&j->o, "\",\"ph\":\"");
    fl_tr_puts_(&j->o, ph);
    fl_tr_puts_(&j->o, "\",\"pid\":1,\"tid\":");
    fl_tr_put_uint_(&j->o, row + 1);
    fl_tr_puts_(&j->o, ",\"ts\":");
    fl_tr_put_uint_(&j->o, ts);
}

/* The slice of the span that ends now: what it ran, waits on, came from. */
static void json_slice(json *j, const tr_replay *rp, const tr_event *ev)
{
    unsigned row = (unsigned)ev->row;
    const fl_trace_record *cmd = fl_tr_span_command_(rp, ev);
    const fl_trace_record *begun = fl_tr_rec_(rp->tr, rp->begun[row]);

    json_head(j, state_names[ev->from], "X", row, ev->since);
    fl_tr_puts_(&j->o, ",\"dur\":");
    fl_tr_put_uint_(&j->o, ev->t - ev->since);
    fl_tr_puts_(&j->o, ",\"args\":{");
    if (cmd != NULL) {
        fl_tr_puts_(&j->o, "\"command\":\"");
        fl_tr_put_command_(&j->o, rp, cmd);
        fl_tr_puts_(&j->o, "\"");
    } else if (ev->from == TR_READY) {
        fl_tr_puts_(&j->o, "\"cause\":\"");
        fl_tr_put_cause_(&j->o, rp, begun);
        fl_tr_puts_(&j->o, "\"");
        if (begun->by != NULL) {
            fl_tr_puts_(&j->o, ",\"by\":\"");
            fl_tr_put_task_(&j->o, rp, begun->by);
            fl_tr_puts_(&j->o, "\"");
        }
    }
    fl_tr_puts_(&j->o, "}}");
}

/* An arrow from the waker to the woken.  Perfetto binds the start to the
 * waker's slice open at its time: the step that woke, or, when the waker
 * has already left it (a wait, its end), the moment it did. */
static void json_flow(json *j, const tr_replay *rp, const tr_event *ev)
{
    unsigned by = (unsigned)ev->by;
    uint64_t from = rp->state[by] == TR_RUNNING ? ev->t : rp->since[by];

    j->flows++;
    json_head(j, "wake", "s", by, from);
    fl_tr_puts_(&j->o, ",\"id\":");
    fl_tr_put_uint_(&j->o, j->flows);
    fl_tr_puts_(&j->o, "}");
    json_head(j, "wake", "f", (unsigned)ev->row, ev->t);
    fl_tr_puts_(&j->o, ",\"id\":");
    fl_tr_put_uint_(&j->o, j->flows);
    fl_tr_puts_(&j->o, ",\"args\":{\"cause\":\"");
    fl_tr_put_cause_(&j->o, rp, ev->rec);
    fl_tr_puts_(&j->o, "\"}}");
}

static void json_event(void *ctx, const tr_replay *rp, const tr_event *ev)
{
    json *j = ctx;
    if (ev->from != ev->to && ev->from != TR_NONE && ev->from != TR_DONE)
        json_slice(j, rp, ev);
    if (ev->rec != NULL && ev->rec->kind == FL_TRACE_READY && ev->by >= 0 && ev->by != ev->row)
        json_flow(j, rp, ev);
}

int fl_trace_write_json(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                        fl_trace_name_fn name, void *name_ctx)
{
    tr_replay rp;
    json j;
    unsigned r;

    if (tr == NULL || write == NULL)
        return FL_EINVAL;
    fl_tr_out_init_(&j.o, write, ctx);
    j.first = true;
    j.flows = 0;
    fl_tr_puts_(&j.o, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
    fl_tr_begin_(&rp, tr, name, name_ctx);
    for (r = 0; r < rp.rows; r++) { /* a named thread a task */
        json_sep(&j);
        fl_tr_puts_(&j.o, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":");
        fl_tr_put_uint_(&j.o, r + 1);
        fl_tr_puts_(&j.o, ",\"args\":{\"name\":\"");
        fl_tr_put_row_(&j.o, &rp, r);
        fl_tr_puts_(&j.o, "\"}}");
    }
    fl_tr_play_(&rp, json_event, &j);
    fl_tr_puts_(&j.o, "\n]}\n");
    return fl_tr_finish_(&j.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
