/* SPDX-License-Identifier: MIT */
/*
 * error.c - names for flowno's error codes.
 */
#include "../flowno.h"

#if FL_ENABLE_STRERROR
const char *fl_strerror(int err)
{
    switch (err) {
    case FL_OK: return "success";
    case FL_EINVAL: return "invalid argument";
    case FL_EBUSY: return "task already running";
    case FL_ENOSPC: return "no free slot (task table or timer heap full)";
    case FL_ECANCELLED: return "task cancelled";
    case FL_EINCOMPLETE: return "loop cannot progress; root task unfinished";
    case FL_EDEADLK: return "task would wait for itself";
    case FL_ENOTSTARTED: return "task never spawned";
    case FL_ETIMEDOUT: return "timed out";
    case FL_ECLOSED: return "queue closed";
    case FL_EPERM: return "not the owner";
    case FL_EAGAIN: return "would wait";
    case FL_ERANGE: return "out of range (a count, or an fd the port cannot watch)";
    case FL_ECONFIG: return "library built with another configuration";
#ifdef GEN_USE_LABELS
    case FL_ERESUME: return "resumed at an unknown point: the task's memory was overwritten "
                            "(with GEN_USE_LABELS a wait inside a switch is allowed)";
#else
    case FL_ERESUME: return "resumed at an unknown point: a wait inside a switch of your own? "
                            "(GEN_USE_LABELS lifts that rule)";
#endif
    case FL_ECORRUPT: return "a live task's struct was overwritten (FL_DEBUG)";
    default:
        /* The socket operations hand back the kernel's errors negated. */
        return (err < 0 && err > FL_EINVAL) ? "system error (-errno: see strerror)"
                                            : "unknown error";
    }
}
#endif /* FL_ENABLE_STRERROR */
