/* SPDX-License-Identifier: MIT */
/* mistake: FL_END forgotten.  FL_BEGIN opens the body's dispatch switch,
 * so the function's own brace closes it and the file ends inside the
 * function: no message can name the rule.  With -Wswitch-default GCC's
 * first error points at FL_BEGIN (the switch's default is in FL_END);
 * without it, "expected declaration or statement at end of input".
 * expect-fail: gcc: switch missing default case
 * expect-fail: clang: expected '}' */
#include "flowno/flowno.h"

fl_cmd no_end(fl_task *self);
fl_cmd no_end(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 1);
}
