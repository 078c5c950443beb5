/* SPDX-License-Identifier: MIT */
/* mistake: two waits on one source line (the line number names a wait)
 * expect-fail: gcc clang: GEN_one_suspension_point_a_line_ */
#include "flowno/flowno.h"

fl_cmd two_on_a_line(fl_task *self);
fl_cmd two_on_a_line(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 1); FL_SLEEP(self, 2);
    FL_END(self);
}
