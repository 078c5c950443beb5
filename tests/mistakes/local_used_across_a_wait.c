/* SPDX-License-Identifier: MIT */
/* mistake: a local variable used across a wait (it does not survive: the
 * function really returns), which would loop forever.  Clang's -Wall sees
 * the read of a variable the resume jumped over; GCC does not.
 * expect-fail: clang: is uninitialized when used here */
#include "flowno/flowno.h"

fl_cmd counts_with_a_local(fl_task *self);
fl_cmd counts_with_a_local(fl_task *self)
{
    int i;
    FL_BEGIN(self);
    for (i = 0; i < 3; i++)
        FL_SLEEP(self, 10);
    FL_END(self);
}
