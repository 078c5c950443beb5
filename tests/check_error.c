/* SPDX-License-Identifier: MIT */
/*
 * check_error.c - error codes: distinct, in flowno's range, each named.
 */
#include <string.h>

#include "support/support.h"

static const int codes[] = {
    FL_EINVAL, FL_EBUSY, FL_ENOSPC, FL_ECANCELLED, FL_EINCOMPLETE, FL_EDEADLK,
    FL_ENOTSTARTED, FL_ETIMEDOUT, FL_ECLOSED, FL_EPERM, FL_EAGAIN, FL_ERANGE,
    FL_ECONFIG, FL_ERESUME, FL_ECORRUPT,
};
#define NCODES (sizeof codes / sizeof codes[0])

START_TEST(codes_are_distinct_and_in_range)
{
    size_t i, j;
    for (i = 0; i < NCODES; i++) {
        ck_assert_int_le(codes[i], -200);
        ck_assert_int_ge(codes[i], -299);
        for (j = i + 1; j < NCODES; j++)
            ck_assert_int_ne(codes[i], codes[j]);
    }
}
END_TEST

START_TEST(every_code_has_its_own_message)
{
    size_t i, j;
    const char *unknown = fl_strerror(-299);
    ck_assert_str_eq(unknown, "unknown error");
    ck_assert_str_eq(fl_strerror(FL_OK), "success");
    for (i = 0; i < NCODES; i++) {
        ck_assert_str_ne(fl_strerror(codes[i]), unknown);
        for (j = i + 1; j < NCODES; j++)
            ck_assert_str_ne(fl_strerror(codes[i]), fl_strerror(codes[j]));
    }
}
END_TEST

START_TEST(errno_values_are_named_as_such_and_others_unknown)
{
    /* -1 .. -199 are negated errno values from the socket operations. */
    ck_assert_str_eq(fl_strerror(-1), "system error (-errno: see strerror)");
    ck_assert_str_eq(fl_strerror(-199), "system error (-errno: see strerror)");
    ck_assert_str_eq(fl_strerror(-1000), "unknown error");
    ck_assert_str_eq(fl_strerror(5), "unknown error");
}
END_TEST

START_TEST(version_is_the_one_the_header_says)
{
    ck_assert_str_eq(fl_version(), FL_VERSION_STRING);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, codes_are_distinct_and_in_range);
    tcase_add_test(tc, every_code_has_its_own_message);
    tcase_add_test(tc, errno_values_are_named_as_such_and_others_unknown);
    tcase_add_test(tc, version_is_the_one_the_header_says);
    suite_add_tcase(s, tc);
    return s;
}
