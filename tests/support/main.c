/* SPDX-License-Identifier: MIT */
/*
 * main.c - runs the one suite a test binary is built with and prints Check's
 * summary line.  CK_FORK=no (set for valgrind) runs it in one process.
 */
#include <stdlib.h>

#include "support.h"

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
