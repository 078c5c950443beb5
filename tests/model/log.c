/* SPDX-License-Identifier: MIT */
/*
 * log.c - the record of a run: each record goes to the model as it is
 * written, and the last few thousand are kept to explain a failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#ifndef MODEL_CONFIG
#define MODEL_CONFIG "default"
#endif

#define RING 4096
#define TAIL 40

static rec ring[RING];
static unsigned long count, ops;
static const scenario *sc;
static char repro[512];
int log_verbose;  /* print every record as it comes */
int log_abort;    /* abort() on a failure (the fuzzer wants a crash) */

const char *config_name(void)
{
    return MODEL_CONFIG;
}

void log_reset(const scenario *s)
{
    sc = s;
    count = ops = 0;
}

void log_set_repro(const char *line)
{
    snprintf(repro, sizeof repro, "%s", line);
}

unsigned long log_count(void)
{
    return count;
}

unsigned long log_ops(void)
{
    return ops;
}

void log_emit(rec *r)
{
    r->seq = (uint32_t)count;
    ring[count % RING] = *r;
    count++;
    if (r->what == R_START)
        ops++;
    if (log_verbose) {
        char buf[256];
        printf("%s\n", rec_format(r, buf, sizeof buf));
    }
    model_feed(r);
}

/* ---- Formatting --------------------------------------------------------------- */

static const char *err_name(int rc)
{
    static char buf[16];
    switch (rc) {
    case FL_EINVAL: return "EINVAL";
    case FL_EBUSY: return "EBUSY";
    case FL_ENOSPC: return "ENOSPC";
    case FL_ECANCELLED: return "ECANCELLED";
    case FL_EINCOMPLETE: return "EINCOMPLETE";
    case FL_EDEADLK: return "EDEADLK";
    case FL_ENOTSTARTED: return "ENOTSTARTED";
    case FL_ETIMEDOUT: return "ETIMEDOUT";
    case FL_ECLOSED: return "ECLOSED";
    case FL_EPERM: return "EPERM";
    case FL_EAGAIN: return "EAGAIN";
    case FL_ERANGE: return "ERANGE";
    default: snprintf(buf, sizeof buf, "%d", rc); return buf;
    }
}

static const char *state_name(int s)
{
    static const char *names[] = {"new", "ready", "sleeping", "joining", "waiting",
                                  "finished", "failed", "cancelled"};
    return s >= 0 && s < 8 ? names[s] : "?";
}

static int format_op(const op *o, char *buf, size_t len)
{
    static const char prefix[] = {[ARG_NONE] = ' ', [ARG_TASK] = 'T', [ARG_QUEUE] = 'q',
                                  [ARG_LOCK] = 'l', [ARG_COND] = 'c', [ARG_EVENT] = 'e',
                                  [ARG_LATCH] = 'n'};
    const op_def *d = o->kind < OP_COUNT ? &op_defs[o->kind] : &op_defs[OP_YIELD];
    int n = snprintf(buf, len, "%s", d->name);
    if (d->arg != ARG_NONE)
        n += snprintf(buf + n, len - (size_t)n, " %c%u", prefix[d->arg], (unsigned)o->obj);
    if (o->arg != 0 || o->kind == OP_SLEEP)
        n += snprintf(buf + n, len - (size_t)n, " %ld", (long)o->arg);
    if (o->timeout != 0)
        n += snprintf(buf + n, len - (size_t)n, " timeout=%lu", (unsigned long)o->timeout);
    if ((d->flags & OPF_WAIT) || o->kind == OP_SPAWN)
        n += snprintf(buf + n, len - (size_t)n, o->prop ? " (raises)" : " (_RC)");
    return n;
}

const char *rec_format(const rec *r, char *buf, size_t len)
{
    char who[16], o[96];
    int n;
    if (r->task == ACTOR_DRIVER)
        snprintf(who, sizeof who, "driver");
    else
        snprintf(who, sizeof who, "T%d", r->task);
    n = snprintf(buf, len, "#%lu t=%llu %s ", (unsigned long)r->seq, (unsigned long long)r->now, who);
    format_op(&r->o, o, sizeof o);
    switch (r->what) {
    case R_BEGIN: snprintf(buf + n, len - (size_t)n, "begins%s", r->rc ? " (has finally)" : ""); break;
    case R_START: snprintf(buf + n, len - (size_t)n, "starts %s%s", o,
                           r->o.kind == OP_PUT || r->o.kind == OP_TRY_PUT ? " item" : "");
        if (r->o.kind == OP_PUT || r->o.kind == OP_TRY_PUT)
            snprintf(buf + strlen(buf), len - strlen(buf), " %ld", r->val);
        break;
    case R_RESULT: snprintf(buf + n, len - (size_t)n, "%s -> %s val=%ld obs=%ld", o,
                            r->rc == 0 ? "0" : err_name(r->rc), r->val, r->obs); break;
    case R_RETURN: snprintf(buf + n, len - (size_t)n, "FL_RETURN %ld", r->val); break;
    case R_FAIL: snprintf(buf + n, len - (size_t)n, "FL_FAIL %ld", r->val); break;
    case R_BODY_END: snprintf(buf + n, len - (size_t)n, "runs off its end"); break;
    case R_FINALLY: snprintf(buf + n, len - (size_t)n, "finally, pending %s",
                             r->rc == 0 ? "0" : err_name(r->rc)); break;
    case R_END: snprintf(buf + n, len - (size_t)n, "ended %s %ld", state_name(r->rc), r->val); break;
    case R_CLOCK: snprintf(buf + n, len - (size_t)n, "clock"); break;
    case R_PEEK_CMD: snprintf(buf + n, len - (size_t)n, "issues a peek"); break;
    case R_IDLE: snprintf(buf + n, len - (size_t)n, "idles %ld ticks%s", r->val,
                          r->rc ? " (forever)" : ""); break;
    case R_POLL_BEGIN: snprintf(buf + n, len - (size_t)n, "poll"); break;
    case R_POLL_END: snprintf(buf + n, len - (size_t)n, "poll -> %d live, next_wait %ld", r->rc,
                              r->val); break;
    case R_RUN_BEGIN: snprintf(buf + n, len - (size_t)n, "fl_run_until_complete flags %d max_wait %ld",
                               r->rc, r->val); break;
    case R_RUN_END: snprintf(buf + n, len - (size_t)n, "fl_run_until_complete -> %s result %ld",
                             r->rc == 0 ? "0" : err_name(r->rc), r->val); break;
    case R_FINAL_TASK: snprintf(buf + n, len - (size_t)n, "at the end: %s %ld", state_name(r->rc),
                                r->val); break;
    case R_FINAL_QUEUE: snprintf(buf + n, len - (size_t)n, "at the end: q%d len %ld closed %ld",
                                 r->rc, r->val, r->obs); break;
    case R_FINAL_LOCK: snprintf(buf + n, len - (size_t)n, "at the end: l%d owner %ld", r->rc,
                                r->val); break;
    case R_FINAL_LATCH: snprintf(buf + n, len - (size_t)n, "at the end: %s%d count %ld",
                                 r->rc < NLATCH ? "n" : "e", r->rc < NLATCH ? r->rc : r->rc - NLATCH,
                                 r->val); break;
    default: snprintf(buf + n, len - (size_t)n, "?"); break;
    }
    return buf;
}

static void print_ops(const char *what, const op *list, unsigned n)
{
    unsigned i;
    char buf[96];
    fprintf(stderr, "    %s:", what);
    for (i = 0; i < n; i++) {
        format_op(&list[i], buf, sizeof buf);
        fprintf(stderr, "%s %s", i ? ";" : "", buf);
    }
    fprintf(stderr, "\n");
}

void log_print_all(void)
{
    unsigned long i = count > RING ? count - RING : 0;
    char buf[256];
    for (; i < count; i++)
        fprintf(stderr, "  %s\n", rec_format(&ring[i % RING], buf, sizeof buf));
}

void log_fail(int task, const char *fmt, ...)
{
    va_list ap;
    unsigned long i, first = count > TAIL ? count - TAIL : 0;
    unsigned long oldest = count > RING ? count - RING : 0;
    char buf[256];

    fprintf(stderr, "\nMODEL FAILURE: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  seed %llu, configuration %s (FL_MAX_TASKS %d, FL_TIMER_HEAP %d, "
            "FL_MAX_TIMERS %d, FL_TIME_BITS %d, FL_POLL_INTERVAL %d, labels %s)\n",
            (unsigned long long)sc->seed, config_name(), FL_MAX_TASKS, FL_TIMER_HEAP,
            FL_MAX_TIMERS, FL_TIME_BITS, FL_POLL_INTERVAL,
#ifdef GEN_USE_LABELS
            "on"
#else
            "off"
#endif
    );
    fprintf(stderr, "  %s, %u tasks, clock from %llu, run flags %u, max_wait %llu\n",
            sc->mode == DRIVE_POLL ? "fl_loop_poll" : "fl_run_until_complete", sc->ntasks,
            (unsigned long long)sc->start, sc->run_flags, (unsigned long long)sc->max_wait);
    fprintf(stderr, "  reproduce: %s\n", repro);
    if (task >= 0 && task < (int)sc->ntasks) {
        const program *p = &sc->prog[task];
        fprintf(stderr, "  the program of T%d:\n", task);
        print_ops("body", p->body, p->nbody);
        if (p->has_finally)
            print_ops("finally", p->fin, p->nfin);
        fprintf(stderr, "  the records of T%d:\n", task);
        for (i = oldest; i < count; i++)
            if (ring[i % RING].task == task)
                fprintf(stderr, "  %s\n", rec_format(&ring[i % RING], buf, sizeof buf));
    }
    fprintf(stderr, "  the last records:\n");
    for (i = first; i < count; i++)
        fprintf(stderr, "  %s\n", rec_format(&ring[i % RING], buf, sizeof buf));
    fprintf(stderr, "  reproduce: %s\n", repro);
    fflush(stderr);
    if (log_abort)
        abort();
    exit(1);
}
