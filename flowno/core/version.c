/* SPDX-License-Identifier: MIT */
/*
 * version.c - the library's version, as compiled into it.
 */
#include "../flowno.h"

const char *fl_version(void)
{
    return FL_VERSION_STRING;
}
