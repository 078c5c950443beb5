/* SPDX-License-Identifier: MIT */
/*
 * model.h - the model-based random tester: what its parts share.
 *
 * A seed makes a random scenario (program.c): up to 64 tasks (more when a
 * scenario floods the task table), each with a program of operations.  The
 * driver (driver.c) runs it on a fake clock: one generic task function
 * interprets each program, and every task records each operation it starts
 * and the result it got, in the order they happen.  The loop is single
 * threaded, so that record is a linearisation of the run.  The reference
 * model (model.c) replays it as it is written and checks every result
 * against a plain description of each primitive.  It never predicts the
 * schedule: it only asks whether what was seen is allowed, so a change in
 * the order of the ready list does not break it.
 *
 * Adding an operation: a row in ops.c (name, flags, argument, weights), a
 * branch in driver.c's op_step (the macro or call), and the model's
 * handling in model.c (model_start_op, and model_result_op if the
 * result depends on what happened meanwhile).
 */
#ifndef FLOWNO_TESTS_MODEL_H
#define FLOWNO_TESTS_MODEL_H

#include <stdint.h>

#include "../../flowno/flowno.h"

/* ---- Operations ----------------------------------------------------------- */

enum op_kind {
    OP_YIELD, OP_SLEEP,
    OP_SPAWN,        /* FL_SPAWN */
    OP_SPAWN_C,      /* fl_spawn from the task */
    OP_POST,         /* fl_post_spawn from the task (poll scenarios) */
    OP_JOIN,
    OP_CANCEL,       /* FL_CANCEL: cancel and wait */
    OP_CANCEL_NOWAIT,
    OP_CANCEL_C,     /* fl_cancel */
    OP_PUT, OP_GET, OP_PEEK,
    OP_TRY_PUT, OP_TRY_GET, OP_TRY_PEEK, OP_CLOSE,
    OP_LOCK, OP_TRY_LOCK, OP_UNLOCK,
    OP_COND_WAIT, OP_NOTIFY, OP_NOTIFY_ALL,
    OP_EVENT_WAIT, OP_EVENT_SET,
    OP_LATCH_WAIT, OP_LATCH_DOWN,
    /* The in-task forms: do it, then step aside behind the tasks woken. */
    OP_EVENT_SET_ASIDE, OP_UNLOCK_ASIDE, OP_NOTIFY_ASIDE, OP_NOTIFY_ALL_ASIDE,
    OP_LATCH_DOWN_ASIDE,
    OP_POLL_INSIDE,  /* fl_loop_poll from a task: FL_EBUSY */
    OP_RUN_INSIDE,   /* fl_run_until_complete from a task: FL_EBUSY */
    OP_EXIT, OP_EXIT_ERROR,
    OP_RETURN, OP_FAIL, /* end the body (or the finally) */
    OP_COUNT
};

/* What an operation's object is, for the generator. */
enum op_arg { ARG_NONE, ARG_TASK, ARG_QUEUE, ARG_LOCK, ARG_COND, ARG_EVENT, ARG_LATCH };

/* Operation flags. */
#define OPF_WAIT 0x01u   /* a suspension point: a pending cancel lands here;
                            it may have a deadline */
#define OPF_CMD 0x02u    /* a command that does not suspend (no cancel lands) */
#define OPF_PLAIN 0x04u  /* a plain C call from the task */
#define OPF_FLOW 0x08u   /* FL_RETURN / FL_FAIL in the task's own frame */
#define OPF_POLL 0x10u   /* only in scenarios driven by fl_loop_poll */
#define OPF_ENDS 0x20u   /* ends the task (FL_EXIT) */
#define OPF_RAISES 0x40u /* its propagating form raises an error */

typedef struct op_def {
    const char *name;
    unsigned flags;
    enum op_arg arg;
    unsigned weight_body, weight_finally; /* how often the generator picks it */
} op_def;

extern const op_def op_defs[OP_COUNT];

typedef struct op {
    uint8_t kind;     /* enum op_kind */
    uint8_t prop;     /* the propagating form (else the _RC form) */
    uint16_t obj;     /* a task, queue, lock, condition, event or latch */
    int32_t arg;      /* ticks, a count, a value, an error, a flag */
    uint32_t timeout; /* FL_TIMEOUT ticks before it (it is for the next
                         wait, this one or a later one); 0: none */
} op;

/* ---- Scenarios --------------------------------------------------------- */

#define POOL_MAX 300 /* tasks of a scenario, flooding included */
#define BODY_MAX 24
#define FIN_MAX 6
#define NQUEUE 3
#define NLOCK 2 /* condition i is bound to lock i */
#define NEVENT 2
#define NLATCH 2
#define QCAP_MAX 4

typedef struct program {
    op body[BODY_MAX], fin[FIN_MAX];
    uint8_t nbody, nfin, has_finally;
} program;

enum drive_mode { DRIVE_RUN, DRIVE_POLL };

typedef struct scenario {
    uint64_t seed;
    unsigned ntasks; /* task 0 is the root */
    program prog[POOL_MAX];
    unsigned qcap[NQUEUE];
    unsigned latch_count[NLATCH];
    unsigned npre;   /* tasks 1..npre are spawned by plain C before the run */
    int mode;        /* enum drive_mode */
    unsigned run_flags;
    fl_time max_wait;
    fl_time start;   /* the clock at the start */
    unsigned early_pct, late_pct, busy_pct; /* how the clock moves */
} scenario;

/* A source of choices: a seed, or the bytes of a fuzzer's input. */
typedef struct rng {
    uint64_t state;
    const uint8_t *data;
    size_t len, pos;
} rng;

void rng_seed(rng *r, uint64_t seed);
void rng_bytes(rng *r, const uint8_t *data, size_t len);
/* A number in [0, n); 0 when n is 0. */
unsigned rng_below(rng *r, unsigned n);
/* True `pct` times in a hundred. */
int rng_pct(rng *r, unsigned pct);

void scenario_generate(scenario *sc, rng *r);

/* ---- Records ----------------------------------------------------------- */

enum rec_what {
    R_BEGIN,      /* a task's function ran for the first time; rc: has finally */
    R_START,      /* an operation starts; val: the item of a put */
    R_RESULT,     /* its result: rc, val (an item, a count), obs (see driver) */
    R_RETURN,     /* FL_RETURN(val) */
    R_FAIL,       /* FL_FAIL(val) */
    R_BODY_END,   /* the body (or the finally) ran to its end */
    R_FINALLY,    /* the finally section starts; rc: fl_pending_error */
    R_END,        /* the task_end hook: rc: the state, val: result or error */
    R_PEEK_CMD,   /* the step_end hook: the task issued FL_OP_QUEUE_PEEK (a
                     woken peeker looks again) */
    R_CLOCK,      /* the clock moved to `now` */
    R_IDLE,       /* the run idles in the port: val: ticks */
    R_POLL_BEGIN,
    R_POLL_END,   /* rc: fl_loop_poll's return; val: *next_wait */
    R_RUN_BEGIN,  /* fl_run_until_complete(root, rc: flags, val: max_wait) */
    R_RUN_END,    /* rc: its return, val: *result */
    R_FINAL_TASK, /* at the end: rc: the state, val: result or error */
    R_FINAL_QUEUE, /* rc: fl_queue_len, val: fl_queue_closed */
    R_FINAL_LOCK, /* val: the owner's index or -1 */
    R_FINAL_LATCH, /* obj < NLATCH: a latch, else an event; val: the count */
    R_WHAT_COUNT
};

#define ACTOR_DRIVER (-1) /* the plain C code around the loop */

typedef struct rec {
    uint32_t seq;
    uint8_t what;    /* enum rec_what */
    int16_t task;    /* the task, or ACTOR_DRIVER */
    fl_time now;
    op o;            /* R_START, R_RESULT: the operation */
    int rc;
    long val, obs;
} rec;

/* log.c: every record goes to the model as it is written; the last ones
 * are kept for the report of a failure. */
void log_reset(const scenario *sc);
void log_emit(rec *r);
unsigned long log_count(void);
unsigned long log_ops(void); /* R_START records: operations run */
void log_print_all(void);
/* Report a failure (the seed, the configuration, the records around it)
 * and end the process. */
void log_fail(int task, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), noreturn))
#endif
    ;
void log_set_repro(const char *line);
const char *rec_format(const rec *r, char *buf, size_t len);

/* model.c */
void model_reset(const scenario *sc);
void model_feed(const rec *r);

/* What the runs went through, counted over every seed: evidence that the
 * random programs reach the corners (model --stats prints them). */
enum note {
    N_SPAWN_FULL, N_TIMERS_FULL, N_TIMED_OUT, N_LATE, N_CANCEL_WOKE, N_CANCEL_PENDING,
    N_CANCEL_NOTIFIED, N_CANCEL_DELIVERED, N_NOTIFY_MOVED, N_LOCK_HANDOFF, N_PEEK_WOKEN,
    N_GET_RESERVED, N_PUT_RESERVED, N_CLOSE_WOKE, N_EXIT, N_INCOMPLETE, N_STUCK, N_POST,
    N_POST_FULL, N_RESPAWN, N_FINALLY, N_LATCH_WOKE, N_JOIN_WOKE, N_IDLE, N_NOTE_COUNT
};
extern unsigned long model_notes[N_NOTE_COUNT];
extern const char *const model_note_names[N_NOTE_COUNT];

/* driver.c: run one scenario; it returns only if the model found no fault. */
void driver_run(const scenario *sc, rng *r);

/* The configuration this binary was built with, for the reports. */
const char *config_name(void);

#endif
