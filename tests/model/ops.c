/* SPDX-License-Identifier: MIT */
/*
 * ops.c - the operations a random program is made of: one row each.
 * The weights say how often the generator picks one for a task's body and
 * for its finally section (0: never there).
 */
#include "model.h"

#define W (OPF_WAIT | OPF_RAISES)
#define C OPF_CMD
#define P OPF_PLAIN

const op_def op_defs[OP_COUNT] = {
    [OP_YIELD] = {"yield", W, ARG_NONE, 4, 1},
    [OP_SLEEP] = {"sleep", W, ARG_NONE, 10, 3},
    [OP_SPAWN] = {"spawn", C | OPF_RAISES, ARG_TASK, 3, 1},
    [OP_SPAWN_C] = {"fl_spawn", P, ARG_TASK, 1, 0},
    [OP_POST] = {"post", P | OPF_POLL, ARG_TASK, 1, 0},
    [OP_JOIN] = {"join", W, ARG_TASK, 5, 2},
    [OP_CANCEL] = {"cancel", W, ARG_TASK, 2, 2},
    [OP_CANCEL_NOWAIT] = {"cancel_nowait", C, ARG_TASK, 2, 1},
    [OP_CANCEL_C] = {"fl_cancel", P, ARG_TASK, 1, 1},
    [OP_PUT] = {"put", W, ARG_QUEUE, 8, 1},
    [OP_GET] = {"get", W, ARG_QUEUE, 8, 1},
    [OP_PEEK] = {"peek", W, ARG_QUEUE, 2, 0},
    [OP_TRY_PUT] = {"try_put", P, ARG_QUEUE, 2, 1},
    [OP_TRY_GET] = {"try_get", P, ARG_QUEUE, 2, 1},
    [OP_TRY_PEEK] = {"try_peek", P, ARG_QUEUE, 1, 0},
    [OP_CLOSE] = {"close", P, ARG_QUEUE, 1, 2},
    [OP_LOCK] = {"lock", W, ARG_LOCK, 6, 1},
    [OP_TRY_LOCK] = {"try_lock", P, ARG_LOCK, 1, 0},
    [OP_UNLOCK] = {"unlock", P, ARG_LOCK, 4, 4},
    [OP_COND_WAIT] = {"cond_wait", W, ARG_COND, 3, 0},
    [OP_NOTIFY] = {"notify", P, ARG_COND, 3, 1},
    [OP_NOTIFY_ALL] = {"notify_all", P, ARG_COND, 1, 1},
    [OP_EVENT_WAIT] = {"event_wait", W, ARG_EVENT, 3, 1},
    [OP_EVENT_SET] = {"event_set", P, ARG_EVENT, 2, 2},
    [OP_LATCH_WAIT] = {"latch_wait", W, ARG_LATCH, 3, 1},
    [OP_LATCH_DOWN] = {"latch_down", P, ARG_LATCH, 3, 2},
    [OP_EVENT_SET_ASIDE] = {"FL_EVENT_SET", C | OPF_RAISES, ARG_EVENT, 2, 1},
    [OP_UNLOCK_ASIDE] = {"FL_LOCK_RELEASE", C | OPF_RAISES, ARG_LOCK, 2, 2},
    [OP_NOTIFY_ASIDE] = {"FL_COND_NOTIFY", C | OPF_RAISES, ARG_COND, 2, 1},
    [OP_NOTIFY_ALL_ASIDE] = {"FL_COND_NOTIFY_ALL", C | OPF_RAISES, ARG_COND, 1, 1},
    [OP_LATCH_DOWN_ASIDE] = {"FL_LATCH_COUNT_DOWN", C | OPF_RAISES, ARG_LATCH, 2, 1},
    [OP_POLL_INSIDE] = {"fl_loop_poll", P, ARG_NONE, 1, 0},
    [OP_RUN_INSIDE] = {"fl_run_until_complete", P, ARG_NONE, 1, 0},
    [OP_EXIT] = {"exit", C | OPF_ENDS, ARG_NONE, 0, 0},       /* placed apart: rare */
    [OP_EXIT_ERROR] = {"exit_error", C | OPF_ENDS, ARG_NONE, 0, 0},
    [OP_RETURN] = {"return", OPF_FLOW, ARG_NONE, 0, 0},       /* placed at the end */
    [OP_FAIL] = {"fail", OPF_FLOW, ARG_NONE, 0, 0},
};
