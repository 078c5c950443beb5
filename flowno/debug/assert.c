/* SPDX-License-Identifier: MIT */
/*
 * assert.c - FL_DEBUG builds: the application's assert hook, which hears
 * of every misuse the library detects before the error is answered, and
 * the check that a live task's struct is still the one the loop spawned.
 */
#include "../flowno_internal.h"

#if FL_DEBUG

static fl_assert_fn assert_hook;

void fl_set_assert_hook(fl_assert_fn hook)
{
    assert_hook = hook;
}

FL_INTERNAL_ void fl_misuse_(int err, const char *file, int line)
{
    if (assert_hook != NULL)
        assert_hook(err, file, line);
}

/* A struct on a stack frame that has returned, re-initialised, copied
 * over or given another function while alive fails one of these, and the
 * loop stops rather than follow links out of it. */
FL_INTERNAL_ bool fl_debug_slot_ok_(fl_loop *loop, fl_slot slot)
{
    const fl_task *t = slot < FL_MAX_TASKS ? loop->tasks[slot] : NULL;
    bool ok = t != NULL && t->magic == FL_TASK_MAGIC_ && t->slot == slot &&
              !FL_IS_DONE_STATE_(FL_STATE_(t)) && FL_STATE_(t) != FL_TASK_NEW &&
              t->fn == loop->spawned_fn[slot];
    if (FL_BAD_(!ok, FL_ECORRUPT)) {
        loop->broken = 1;
        loop->stop = 1;
    }
    return ok;
}

#endif /* FL_DEBUG */
