/* SPDX-License-Identifier: MIT */
/*
 * check_trace.c - fl_trace: the records a schedule leaves, the ring that
 * overwrites its oldest, and the three exports: JSON that parses, a VCD
 * with one signal a task, an SVG with a row a task; bad input and writer
 * errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_trace tr;
static fl_trace_record recs[256];

/* The trace clock: the fake port's, in microseconds (1 tick = 1000). */
static uint32_t fake_micros(void *ctx)
{
    (void)ctx;
    return (uint32_t)fp.now * 1000u;
}

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_trace_init(&tr, recs, 256, fake_micros, NULL, 1000000u), 0);
    ck_assert_int_eq(fl_trace_attach(&tr, &loop), 0);
}

/* ---- a small schedule ------------------------------------------------------ */

static fl_cmd yield_once(fl_task *self)
{
    FL_BEGIN(self);
    FL_YIELD(self);
    FL_END(self);
}

static fl_cmd sleep_5(fl_task *self)
{
    FL_BEGIN(self);
    FL_SLEEP(self, 5);
    FL_END(self);
}

static fl_task a, b;

static fl_cmd parent(fl_task *self)
{
    FL_BEGIN(self);
    FL_SPAWN(self, &a, yield_once);
    FL_SPAWN(self, &b, sleep_5);
    FL_JOIN(self, &b);
    FL_END(self);
}

static fl_task root;

static void run_schedule(void)
{
    fl_task_init(&root, parent);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
}

static char who(const fl_task *t)
{
    return t == &root ? 'p' : t == &a ? 'a' : t == &b ? 'b' : '?';
}

START_TEST(records_follow_the_schedule)
{
    static const char kinds[] = "RSYE";
    char seen[256 * 3 + 1] = "";
    unsigned i;
    run_schedule();
    for (i = 0; i < tr.count; i++) {
        char ev[4] = {who(recs[i].task), kinds[recs[i].kind], ' ', '\0'};
        strcat(seen, ev);
    }
    /* p runs and Stops to spawn a, which becomes Ready ahead of p; a runs
     * and yields; p spawns b (ahead of p again); a runs again and Ends; b
     * runs and sleeps; p Stops to join b; 5 ms later b wakes and ends,
     * which wakes p, which ends. */
    ck_assert_str_eq(seen, "pY pR pS aY pY aR aS aY pR pS bY pY aR aS aE bR bS pR pS "
                           "bY bR bS bE pY pR pS pE ");
    ck_assert_uint_eq(tr.dropped, 0);
    /* Time is the trace clock's: b's wake-up (record 19) came 5 ms on. */
    ck_assert_uint_eq(recs[18].t, 0u);
    ck_assert_uint_eq(recs[19].t, 5000u);
}
END_TEST

START_TEST(a_full_ring_keeps_the_newest_and_counts_the_rest)
{
    fl_trace_record small[4];
    fl_trace t2;
    unsigned total;
    run_schedule();
    total = tr.count;
    fake_port_init(&fp, 0);
    ck_assert_int_eq(fl_loop_init(&loop, &fp.port), 0);
    ck_assert_int_eq(fl_trace_init(&t2, small, 4, NULL, NULL, 0), 0);
    ck_assert_int_eq(fl_trace_attach(&t2, &loop), 0);
    run_schedule();
    ck_assert_uint_eq(t2.count, 4);
    ck_assert_uint_eq(t2.dropped, total - 4);
    /* The oldest kept is the fourth from the end: p becomes ready. */
    ck_assert_int_eq(small[t2.head].kind, FL_TRACE_READY);
    ck_assert_ptr_eq(small[t2.head].task, &root);
    ck_assert_int_eq(small[(t2.head + 3) % 4].kind, FL_TRACE_END);
}
END_TEST

/* ---- exports ------------------------------------------------------------ */

static char text[16384];
static size_t text_len;

static int to_text(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    if (text_len + len >= sizeof text)
        return -1;
    memcpy(text + text_len, buf, len);
    text_len += len;
    text[text_len] = '\0';
    return 0;
}

static const char *names(void *ctx, const fl_task *t)
{
    (void)ctx;
    return t == &root ? "parent" : t == &a ? "yielder" : t == &b ? "sleeper task" : NULL;
}

/* A strict JSON checker: true when `*p` starts with one valid value. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p != '"') {
        if (*p == '\0' || (unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\')
            p++;
        p++;
    }
    return p + 1;
}

static const char *json_list(const char *p, char close, int pairs)
{
    p = json_ws(p + 1);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (pairs) {
            p = json_string(json_ws(p));
            if (p == NULL || *(p = json_ws(p)) != ':')
                return NULL;
            p++;
        }
        p = json_value(p);
        if (p == NULL)
            return NULL;
        p = json_ws(p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *json_value(const char *p)
{
    p = json_ws(p);
    if (*p == '{')
        return json_list(p, '}', 1);
    if (*p == '[')
        return json_list(p, ']', 0);
    if (*p == '"')
        return json_string(p);
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        p++;
        while ((*p >= '0' && *p <= '9') || *p == '.')
            p++;
        return p;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
        return p + 4;
    if (strncmp(p, "false", 5) == 0)
        return p + 5;
    return NULL;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

START_TEST(json_parses_with_a_named_row_a_task)
{
    const char *end;
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_json(&tr, to_text, NULL, names, NULL), 0);
    end = json_value(text);
    ck_assert_ptr_nonnull(end);
    ck_assert_str_eq(json_ws(end), "");
    ck_assert_int_eq(count(text, "\"thread_name\""), 3);
    ck_assert_ptr_nonnull(strstr(text, "{\"name\":\"sleeper_task\"}"));
    /* b waited from 0 to 5 ms: one 5000 us waiting span. */
    ck_assert_ptr_nonnull(strstr(text, "\"name\":\"waiting\",\"cat\":\"waiting\",\"ph\":\"X\","
                                       "\"pid\":1,\"tid\":3,\"ts\":0,\"dur\":5000}"));
    ck_assert_int_eq(count(text, "\"ph\":\"X\""), count(text, "\"dur\":"));
}
END_TEST

START_TEST(vcd_has_one_signal_a_task)
{
    const char *p;
    long last = -1;
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&tr, to_text, NULL, names, NULL), 0);
    ck_assert_int_eq(count(text, "$var wire 2 "), 3);
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 ! parent $end"));
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 \" yielder $end"));
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 # sleeper_task $end"));
    ck_assert_ptr_nonnull(strstr(text, "$enddefinitions $end"));
    /* Time only moves forward, and every change names a declared signal. */
    for (p = strchr(text, '\n'); p != NULL; p = strchr(p + 1, '\n')) {
        if (p[1] == '#') {
            long t = strtol(p + 2, NULL, 10);
            ck_assert_int_ge(t, last);
            last = t;
        } else if (p[1] == 'b') {
            ck_assert(p[5] == '!' || p[5] == '"' || p[5] == '#');
        }
    }
    ck_assert_int_eq(last, 5000);
    ck_assert_ptr_nonnull(strstr(text, "#5000\nb01 #\nb10 #\n"));
}
END_TEST

static const char *odd_names(void *ctx, const fl_task *t)
{
    (void)ctx;
    return t == &root ? "" : t == &a ? "two words\t\"quoted\"" : NULL;
}

/* An empty name must not leave a VCD signal nameless ("$var wire 2 !  $end"
 * does not parse); it falls back to the row's name, as NULL does, and odd
 * characters become an identifier's. */
START_TEST(vcd_names_every_signal_even_when_the_name_is_empty)
{
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&tr, to_text, NULL, odd_names, NULL), 0);
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 ! task0 $end"));
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 \" two_words__quoted_ $end"));
    ck_assert_ptr_nonnull(strstr(text, "$var wire 2 # task2 $end"));
    ck_assert_ptr_null(strstr(text, "  $end"));
}
END_TEST

START_TEST(svg_draws_a_row_a_task)
{
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_svg(&tr, to_text, NULL, NULL, NULL), 0);
    ck_assert(strncmp(text, "<svg ", 5) == 0);
    ck_assert_str_eq(text + text_len - 7, "</svg>\n");
    ck_assert_int_eq(count(text, ">task"), 3); /* unnamed: task0..task2 */
    ck_assert_int_eq(count(text, "<text"), count(text, "</text>"));
}
END_TEST

/* ---- limits and bad input -------------------------------------------------- */

static int failing_writer(void *ctx, const char *buf, size_t len)
{
    int *calls = ctx;
    (void)buf;
    (void)len;
    return ++*calls > 3 ? -77 : 0;
}

START_TEST(a_writer_error_stops_the_export_and_comes_back)
{
    int calls = 0;
    run_schedule();
    ck_assert_int_eq(fl_trace_write_json(&tr, failing_writer, &calls, NULL, NULL), -77);
    ck_assert_int_eq(calls, 4); /* nothing written after the error */
    calls = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&tr, failing_writer, &calls, NULL, NULL), -77);
    calls = 0;
    ck_assert_int_eq(fl_trace_write_svg(&tr, failing_writer, &calls, NULL, NULL), -77);
}
END_TEST

static fl_task many[FL_TRACE_ROWS + 6];

static fl_cmd spawn_many(fl_task *self)
{
    static int i;
    FL_BEGIN(self);
    for (i = 0; i < FL_TRACE_ROWS + 6; i++) {
        FL_SPAWN(self, &many[i], yield_once);
        FL_JOIN(self, &many[i]);
    }
    FL_END(self);
}

START_TEST(more_tasks_than_rows_is_enospc_after_writing_the_rest)
{
    static fl_trace_record big[2048];
    fl_trace t2;
    ck_assert_int_eq(fl_trace_init(&t2, big, 2048, NULL, NULL, 0), 0);
    ck_assert_int_eq(fl_trace_attach(&t2, &loop), 0);
    fl_task_init(&root, spawn_many);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_uint_eq(t2.dropped, 0);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&t2, to_text, NULL, NULL, NULL), FL_ENOSPC);
    ck_assert_int_eq(count(text, "$var wire 2 "), FL_TRACE_ROWS);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    ck_assert_int_eq(fl_trace_init(NULL, recs, 4, NULL, NULL, 0), FL_EINVAL);
    ck_assert_int_eq(fl_trace_init(&tr, NULL, 4, NULL, NULL, 0), FL_EINVAL);
    ck_assert_int_eq(fl_trace_init(&tr, recs, 0, NULL, NULL, 0), FL_EINVAL);
    ck_assert_int_eq(fl_trace_init(&tr, recs, 4, fake_micros, NULL, 0), FL_EINVAL);
    ck_assert_int_eq(fl_trace_attach(NULL, &loop), FL_EINVAL);
    ck_assert_int_eq(fl_trace_attach(&tr, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_trace_write_json(NULL, to_text, NULL, NULL, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_trace_write_vcd(&tr, NULL, NULL, NULL, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_trace_write_svg(NULL, to_text, NULL, NULL, NULL), FL_EINVAL);
}
END_TEST

START_TEST(an_empty_trace_exports_cleanly)
{
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_json(&tr, to_text, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(json_value(text));
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&tr, to_text, NULL, NULL, NULL), 0);
    ck_assert_int_eq(count(text, "$var"), 0);
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, records_follow_the_schedule);
    tcase_add_test(tc, a_full_ring_keeps_the_newest_and_counts_the_rest);
    tcase_add_test(tc, json_parses_with_a_named_row_a_task);
    tcase_add_test(tc, vcd_has_one_signal_a_task);
    tcase_add_test(tc, vcd_names_every_signal_even_when_the_name_is_empty);
    tcase_add_test(tc, svg_draws_a_row_a_task);
    tcase_add_test(tc, a_writer_error_stops_the_export_and_comes_back);
    tcase_add_test(tc, more_tasks_than_rows_is_enospc_after_writing_the_rest);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_empty_trace_exports_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
