/* SPDX-License-Identifier: MIT */
/* mistake: a wait macro in a plain function (no FL_BEGIN)
 * expect-fail: gcc clang: FL_wait_macro_used_outside_a_task_body */
#include "flowno/flowno.h"

fl_cmd not_a_task(fl_task *self);
fl_cmd not_a_task(fl_task *self)
{
    FL_SLEEP(self, 10);
    return fl_cmd_(FL_OP_DONE, NULL);
}
