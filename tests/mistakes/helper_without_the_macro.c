/* SPDX-License-Identifier: MIT */
/* mistake: the same, with a helper not declared FL_AWAITABLE: Clang (and
 * C++17) warn anyway, because the fl_cmd type itself carries the attribute
 * expect-fail: clang: warn_unused_result */
#include "flowno/flowno.h"

struct job { fl_task task; fl_frame frame; };

static fl_cmd settle(fl_task *self, fl_frame *f)
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
    settle(self, &j->frame);
    FL_END(self);
}
