/* SPDX-License-Identifier: MIT */
/* mistake: a helper called as a plain function, not with FL_CALL (its
 * command would be dropped and the task go on as if it had waited)
 * expect-fail: gcc clang: warn_unused_result */
#include "flowno/flowno.h"

struct job { fl_task task; fl_frame frame; };

FL_AWAITABLE static fl_cmd settle(fl_task *self, fl_frame *f)
{
    FL_BEGIN_HELPER(self, f);
    FL_SLEEP(self, 5);
    FL_END(self);
}

fl_cmd job_fn(fl_task *self);
fl_cmd job_fn(fl_task *self)
{
    struct job *j = (struct job *)self;
    FL_BEGIN(self);
    settle(self, &j->frame); /* should be FL_CALL(self, &j->frame, settle(...)) */
    FL_END(self);
}
