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
    tr_puts(&j->o, j->first ? "\n" : ",\n");
    j->first = false;
}

static void json_head(json *j, const char *name, const char *ph, unsigned row, uint64_t ts)
{
    json_sep(j);
    tr_puts(&j->o, "{\"name\":\"");
    tr_puts(&j->o, name);
    tr_puts(&j->o, "\",\"cat\":\"");
    tr_puts(&j->o, ph[0] == 'X' ? name : "wake");
    tr_puts(&j->o, "\",\"ph\":\"");
    tr_puts(&j->o, ph);
    tr_puts(&j->o, "\",\"pid\":1,\"tid\":");
    tr_put_uint(&j->o, row + 1);
    tr_puts(&j->o, ",\"ts\":");
    tr_put_uint(&j->o, ts);
}

/* The slice of the span that ends now: what it ran, waits on, came from. */
static void json_slice(json *j, const tr_replay *rp, const tr_event *ev)
{
    unsigned row = (unsigned)ev->row;
    const fl_trace_record *cmd = tr_span_command(rp, ev), *begun = tr_rec(rp->tr, rp->begun[row]);

    json_head(j, state_names[ev->from], "X", row, ev->since);
    tr_puts(&j->o, ",\"dur\":");
    tr_put_uint(&j->o, ev->t - ev->since);
    tr_puts(&j->o, ",\"args\":{");
    if (cmd != NULL) {
        tr_puts(&j->o, "\"command\":\"");
        tr_put_command(&j->o, rp, cmd);
        tr_puts(&j->o, "\"");
    } else if (ev->from == TR_READY) {
        tr_puts(&j->o, "\"cause\":\"");
        tr_put_cause(&j->o, rp, begun);
        tr_puts(&j->o, "\"");
        if (begun->by != NULL) {
            tr_puts(&j->o, ",\"by\":\"");
            tr_put_task(&j->o, rp, begun->by);
            tr_puts(&j->o, "\"");
        }
    }
    tr_puts(&j->o, "}}");
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
    tr_puts(&j->o, ",\"id\":");
    tr_put_uint(&j->o, j->flows);
    tr_puts(&j->o, "}");
    json_head(j, "wake", "f", (unsigned)ev->row, ev->t);
    tr_puts(&j->o, ",\"id\":");
    tr_put_uint(&j->o, j->flows);
    tr_puts(&j->o, ",\"args\":{\"cause\":\"");
    tr_put_cause(&j->o, rp, ev->rec);
    tr_puts(&j->o, "\"}}");
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
    tr_out_init(&j.o, write, ctx);
    j.first = true;
    j.flows = 0;
    tr_puts(&j.o, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
    tr_begin(&rp, tr, name, name_ctx);
    for (r = 0; r < rp.rows; r++) { /* a named thread a task */
        json_sep(&j);
        tr_puts(&j.o, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":");
        tr_put_uint(&j.o, r + 1);
        tr_puts(&j.o, ",\"args\":{\"name\":\"");
        tr_put_row(&j.o, &rp, r);
        tr_puts(&j.o, "\"}}");
    }
    tr_play(&rp, json_event, &j);
    tr_puts(&j.o, "\n]}\n");
    return tr_finish(&j.o, &rp);
}

#endif /* FL_ENABLE_TRACE */
