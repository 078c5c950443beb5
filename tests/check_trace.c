/* SPDX-License-Identifier: MIT */
/*
 * check_trace.c - fl_trace: the records a schedule leaves (each step's
 * command, each wake-up's cause, object and waker), the ring that
 * overwrites its oldest, records added by hand, and the four exports:
 * JSON that parses, with commands in args and flow events from wakers; a
 * VCD with one signal a task; an SVG with a row a task, commands,
 * arrows and round ticks; a self-contained page whose data gives the
 * loop's state after each step (ready list, wait lists, timers, lock
 * holders).  Bad input and writer errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/support.h"

static fake_port fp;
static fl_loop loop;
static fl_trace tr;
static fl_trace_record recs[512];

/* The trace clock: the fake port's, in microseconds (1 tick = 1000). */
static uint32_t fake_micros(void *ctx)
{
    (void)ctx;
    return (uint32_t)fp.now * 1000u;
}

static void setup(void)
{
    fake_loop_start(&fp, &loop, 0);
    ck_assert_int_eq(fl_trace_init(&tr, recs, 512, fake_micros, NULL, 1000000u), 0);
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
    return t == NULL ? '-' : t == &root ? 'p' : t == &a ? 'a' : t == &b ? 'b' : '?';
}

/* A record in a word: task, kind, and the command (STOP), or the cause and
 * the waker (READY): "pS:SPAWN", "aY:spawned<p". */
static void describe(char *out, size_t size, const fl_trace_record *r)
{
    static const char *const ops[FL_OP_COUNT_] = {
        [FL_OP_DONE] = "DONE", [FL_OP_SPAWN] = "SPAWN", [FL_OP_YIELD] = "YIELD",
        [FL_OP_SLEEP] = "SLEEP", [FL_OP_JOIN] = "JOIN"};
    static const char *const causes[] = {"spawned", "aside",    "slept", "timed-out",
                                         "cancelled", "joined", "woken"};
    switch (r->kind) {
    case FL_TRACE_STOP:
        snprintf(out, size, "%cS:%s ", who(r->task), ops[r->what] ? ops[r->what] : "?");
        break;
    case FL_TRACE_READY:
        snprintf(out, size, "%cY:%s<%c ", who(r->task), causes[r->what], who(r->by));
        break;
    default:
        snprintf(out, size, "%c%c ", who(r->task), "RSYE"[r->kind]);
        break;
    }
}

START_TEST(records_follow_the_schedule)
{
    char seen[512 * 16] = "", word[32];
    unsigned i;
    run_schedule();
    for (i = 0; i < tr.count; i++) {
        describe(word, sizeof word, &recs[i]);
        strcat(seen, word);
    }
    /* p is spawned from plain C (no waker), runs and spawns a, which is
     * ready ahead of p (p steps aside); a yields; p spawns b; a ends; b
     * sleeps; p joins b; 5 ms later the timer wakes b (no waker), b ends
     * and its end wakes p (b is the waker), which ends. */
    ck_assert_str_eq(seen, "pY:spawned<- pR pS:SPAWN aY:spawned<p pY:aside<p "
                           "aR aS:YIELD aY:aside<a pR pS:SPAWN bY:spawned<p pY:aside<p "
                           "aR aS:DONE aE bR bS:SLEEP pR pS:JOIN bY:slept<- "
                           "bR bS:DONE bE pY:joined<b pR pS:DONE pE ");
    ck_assert_uint_eq(tr.dropped, 0);
    /* The arguments: the child, the ticks, the task joined. */
    ck_assert_ptr_eq(recs[2].arg.ptr, &a);
    ck_assert_uint_eq(recs[16].arg.ticks, 5);
    ck_assert_ptr_eq(recs[18].arg.ptr, &b);
    ck_assert_ptr_eq(recs[23].arg.ptr, &b); /* p joined b */
    /* Ends carry the state and the result. */
    ck_assert_uint_eq(recs[22].what, FL_TASK_FINISHED);
    ck_assert_int_eq(recs[22].arg.value, 0);
    /* Time is the trace clock's: b's wake-up (record 19) came 5 ms on. */
    ck_assert_uint_eq(recs[18].t, 0u);
    ck_assert_uint_eq(recs[19].t, 5000u);
}
END_TEST

START_TEST(a_record_is_five_words_on_a_32_bit_target)
{
    /* The clock and four bytes, the task, the waker, the argument: 20
     * bytes with 32-bit pointers and time, 32 on a 64-bit host. */
    size_t arg = sizeof(fl_time) > sizeof(void *) ? sizeof(fl_time) : sizeof(void *);
    ck_assert_uint_le(sizeof(fl_trace_record), 8 + 2 * sizeof(void *) + arg);
}
END_TEST

/* Export helpers, below. */
static char text[131072];
static size_t text_len;
static int to_text(void *ctx, const char *buf, size_t len);
static const char *json_value(const char *p);
static const char *page_data(void);
static int count(const char *hay, const char *needle);

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
    ck_assert_ptr_eq(small[t2.head].by, &b);
    ck_assert_int_eq(small[(t2.head + 3) % 4].kind, FL_TRACE_END);
    /* A ring that begins in the middle of a step exports all the same. */
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_json(&t2, to_text, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(json_value(text));
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&t2, to_text, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(json_value(page_data()));
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_svg(&t2, to_text, NULL, NULL, NULL), 0);
    ck_assert_int_eq(count(text, "<text"), count(text, "</text>"));
}
END_TEST

/* ---- the primitives: what a wake-up came from ------------------------------------- */

typedef struct player {
    fl_task task;
    int item, rc;
    fl_lock *first, *second; /* the order it takes two locks in */
} player;

static fl_queue jobs;
static int jobs_storage[2];
static fl_lock l1, l2;
static fl_event ev;
static player c1, c2, pr, la, lb, ew;

static fl_cmd consumer(fl_task *self)
{
    player *p = (player *)self;
    FL_BEGIN(self);
    FL_QUEUE_FOR_EACH(self, &jobs, &p->item) {
        p->rc++;
    }
    FL_END(self);
}

/* Both consumers wait; one item wakes the first, the close the second. */
static fl_cmd producer(fl_task *self)
{
    player *p = (player *)self;
    FL_BEGIN(self);
    FL_SPAWN(self, &c1.task, consumer);
    FL_SPAWN(self, &c2.task, consumer);
    FL_YIELD(self);
    p->item = 42;
    FL_QUEUE_PUT(self, &jobs, &p->item);
    fl_queue_close(&jobs);
    FL_END(self);
}

static fl_cmd lock_both(fl_task *self)
{
    player *p = (player *)self;
    FL_BEGIN(self);
    FL_LOCK(self, p->first);
    FL_YIELD(self);
    FL_LOCK(self, p->second);
    FL_FINALLY(self);
    if (fl_lock_owner(p->first) == self)
        (void)fl_lock_release(p->first, self);
    FL_END(self);
}

static fl_cmd event_with_deadline(fl_task *self)
{
    FL_BEGIN(self);
    FL_TIMEOUT(self, 5);
    FL_EVENT_WAIT_RC(self, ((player *)self)->rc, &ev);
    FL_END(self);
}

/* A deadline set before a spawn (no wait) is for the wait after it. */
static fl_cmd spawn_then_wait(fl_task *self)
{
    FL_BEGIN(self);
    FL_TIMEOUT(self, 5);
    FL_SPAWN(self, &a, yield_once);
    FL_EVENT_WAIT_RC(self, ((player *)self)->rc, &ev);
    FL_END(self);
}

static const char *object_names(void *ctx, const void *obj)
{
    (void)ctx;
    if (obj == &jobs)
        return "jobs";
    if (obj == &l1)
        return "l1";
    if (obj == &l2)
        return "l2";
    if (obj == &ev)
        return "ev";
    if (obj == &pr.task)
        return "producer";
    if (obj == &c1.task)
        return "c1";
    if (obj == &c2.task)
        return "c2";
    if (obj == &la.task)
        return "la";
    if (obj == &lb.task)
        return "lb";
    return obj == &ew.task ? "ew" : NULL;
}

static void run_queue_scene(void)
{
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    memset(&pr, 0, sizeof pr);
    ck_assert_int_eq(fl_queue_init(&jobs, &loop, jobs_storage, sizeof(int), 2), 0);
    fl_trace_name_objects(&tr, object_names, NULL);
    fl_task_init(&pr.task, producer);
    ck_assert_int_eq(fl_run_until_complete(&loop, &pr.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(c1.rc + c2.rc, 1);
}

/* The first READY record of `t` with cause `cause` after record `from`. */
static const fl_trace_record *find_ready(const fl_task *t, int cause, unsigned from)
{
    unsigned i;
    for (i = from; i < tr.count; i++)
        if (recs[i].kind == FL_TRACE_READY && recs[i].task == t && recs[i].what == cause)
            return &recs[i];
    return NULL;
}

START_TEST(a_wake_names_the_primitive_its_list_and_what_it_brings)
{
    const fl_trace_record *r;
    run_queue_scene();
    /* The item wakes the first getter with an item set aside for it; the
     * close wakes the second with an error; the producer woke both. */
    r = find_ready(&c1.task, FL_READY_WOKEN, 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(r->arg.ptr, &jobs);
    ck_assert_uint_eq(r->wait_kind, FL_WAIT_QUEUE_GET);
    ck_assert_ptr_eq(r->by, &pr.task);
    ck_assert_int_eq(r->outcome, 1);
    r = find_ready(&c2.task, FL_READY_WOKEN, 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(r->arg.ptr, &jobs);
    ck_assert_ptr_eq(r->by, &pr.task);
    ck_assert_int_eq(r->outcome, -1);
}
END_TEST

START_TEST(a_deadline_and_an_event_wait_are_recorded_as_such)
{
    const fl_trace_record *r;
    unsigned i;
    memset(&ew, 0, sizeof ew);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
    fl_task_init(&ew.task, event_with_deadline);
    ck_assert_int_eq(fl_run_until_complete(&loop, &ew.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(ew.rc, FL_ETIMEDOUT);
    for (i = 0; i < tr.count; i++)
        if (recs[i].kind == FL_TRACE_STOP && recs[i].what == FL_OP_LATCH_WAIT)
            break;
    ck_assert_uint_lt(i, tr.count);
    ck_assert_uint_eq(recs[i].wait_kind, FL_WAIT_EVENT); /* an event's latch */
    ck_assert_uint_eq(recs[i - 2].what, FL_OP_DEADLINE);
    ck_assert_uint_eq(recs[i - 2].arg.ticks, 5);
    r = find_ready(&ew.task, FL_READY_TIMED_OUT, i);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(r->arg.ptr, &ev);
    ck_assert_uint_eq(r->wait_kind, FL_WAIT_EVENT);
    ck_assert_ptr_null(r->by); /* a timer */
    ck_assert_int_eq(r->outcome, -1);
}
END_TEST

/* ---- exports ------------------------------------------------------------ */

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

/* A strict JSON checker: json_value gives the end of the one valid value
 * `p` starts with, or NULL. */
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

static void expect(const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "the export lacks %s", needle);
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
    expect("{\"name\":\"sleeper_task\"}");
    /* b waited from 0 to 5 ms, on its sleep, until the timer. */
    expect("\"name\":\"waiting\",\"cat\":\"waiting\",\"ph\":\"X\",\"pid\":1,\"tid\":3,"
           "\"ts\":0,\"dur\":5000,\"args\":{\"command\":\"SLEEP 5 ms\"}}");
    /* p's running step ended with its command; its ready span says why. */
    expect("\"name\":\"running\",\"cat\":\"running\",\"ph\":\"X\",\"pid\":1,\"tid\":1,"
           "\"ts\":5000,\"dur\":0,\"args\":{\"command\":\"DONE\"}}");
    expect("\"name\":\"ready\",\"cat\":\"ready\",\"ph\":\"X\",\"pid\":1,\"tid\":1,\"ts\":5000,"
           "\"dur\":0,\"args\":{\"cause\":\"sleeper_task ended\",\"by\":\"sleeper_task\"}}");
    ck_assert_int_eq(count(text, "\"ph\":\"X\""), count(text, "\"dur\":"));
}
END_TEST

START_TEST(json_draws_a_flow_from_each_waker_to_the_woken)
{
    unsigned i, woken_by_others = 0;
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_json(&tr, to_text, NULL, names, NULL), 0);
    for (i = 0; i < tr.count; i++)
        woken_by_others += recs[i].kind == FL_TRACE_READY && recs[i].by != NULL &&
                           recs[i].by != recs[i].task;
    ck_assert_uint_eq(woken_by_others, 3); /* a and b spawned by p, p by b's end */
    ck_assert_int_eq(count(text, "\"ph\":\"s\""), 3);
    ck_assert_int_eq(count(text, "\"ph\":\"f\""), 3);
    /* The first: from p (tid 1) to a (tid 2), the same id at both ends. */
    expect("{\"name\":\"wake\",\"cat\":\"wake\",\"ph\":\"s\",\"pid\":1,\"tid\":1,\"ts\":0,"
           "\"id\":1}");
    expect("{\"name\":\"wake\",\"cat\":\"wake\",\"ph\":\"f\",\"pid\":1,\"tid\":2,\"ts\":0,\"id\":1,"
           "\"args\":{\"cause\":\"spawned\"}}");
    /* The last: b's end (tid 3) wakes its joiner p at 5 ms; b had ended,
     * so the flow starts where its running did. */
    expect("\"ph\":\"s\",\"pid\":1,\"tid\":3,\"ts\":5000,\"id\":3}");
    expect("\"ph\":\"f\",\"pid\":1,\"tid\":1,\"ts\":5000,\"id\":3,"
           "\"args\":{\"cause\":\"sleeper_task ended\"}}");
}
END_TEST

START_TEST(json_names_the_primitives_a_command_is_about)
{
    run_queue_scene();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_json(&tr, to_text, NULL, NULL, NULL), 0);
    ck_assert_ptr_nonnull(json_value(text));
    expect("{\"name\":\"producer\"}"); /* tasks too, through the object names */
    expect("\"args\":{\"command\":\"QUEUE_GET jobs\"}");
    expect("\"args\":{\"cause\":\"woken off jobs\"}");
    expect("\"args\":{\"cause\":\"jobs closed\"}");
    expect("\"args\":{\"command\":\"SPAWN c1\"}");
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
    expect("$var wire 2 ! parent $end");
    expect("$var wire 2 \" yielder $end");
    expect("$var wire 2 # sleeper_task $end");
    expect("$enddefinitions $end");
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
    expect("#5000\nb01 #\nb10 #\n");
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
    expect("$var wire 2 ! task0 $end");
    expect("$var wire 2 \" two_words__quoted_ $end");
    expect("$var wire 2 # task2 $end");
    ck_assert_ptr_null(strstr(text, "  $end"));
}
END_TEST

START_TEST(svg_draws_a_row_a_task_with_commands_and_arrows)
{
    unsigned i, arrows = 0, from_outside = 0;
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_svg(&tr, to_text, NULL, NULL, NULL), 0);
    ck_assert(strncmp(text, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
    ck_assert_str_eq(text + text_len - 7, "</svg>\n");
    ck_assert_int_eq(count(text, "end\">task"), 3); /* unnamed: task0..task2 */
    ck_assert_int_eq(count(text, "<text"), count(text, "</text>"));
    /* The commands that began waits, above them; how each task ended. */
    expect(">SLEEP 5 ms</text>");
    expect(">JOIN task2</text>");
    expect(">finished 0</text>");
    /* An arrow (a line) a wake by another task, a mark a wake from outside. */
    for (i = 0; i < tr.count; i++) {
        arrows += recs[i].kind == FL_TRACE_READY && recs[i].by != NULL &&
                  recs[i].by != recs[i].task;
        from_outside += recs[i].kind == FL_TRACE_READY && recs[i].by == NULL;
    }
    ck_assert_int_eq(count(text, "<line"), (int)arrows);
    ck_assert_int_eq(count(text, "<title>timer</title>"), 1);
    ck_assert_int_eq(count(text, "<title>spawned</title>"), 1); /* p, from plain C */
    ck_assert_uint_eq(from_outside, 2);
    /* Ready spans are drawn (the gaps make room for them), with why. */
    expect("fill=\"#ffb300\"><title>ready: spawned</title>");
    /* Ticks at round values: a millisecond apart over these 5 ms. */
    expect(">0 ms</text>");
    expect(">1 ms</text>");
    expect(">5 ms</text>");
    ck_assert_ptr_null(strstr(text, ".5 ms</text>"));
}
END_TEST

/* The page's data: the JSON between its script tags. */
static const char *page_data(void)
{
    static char data[sizeof text];
    const char *start = strstr(text, "<script type=\"application/json\" id=\"trace-data\">");
    const char *end = start != NULL ? strstr(start, "</script>") : NULL;
    size_t n;
    ck_assert_ptr_nonnull(end);
    start = strchr(start, '>') + 1;
    n = (size_t)(end - start);
    memcpy(data, start, n);
    data[n] = '\0';
    return data;
}

static void expect_data(const char *data, const char *needle)
{
    ck_assert_msg(strstr(data, needle) != NULL, "the page's data lacks %s in %s", needle, data);
}

START_TEST(html_stands_alone)
{
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, names, NULL), 0);
    ck_assert(strncmp(text, "<!DOCTYPE html>\n", 16) == 0);
    ck_assert_str_eq(text + text_len - 8, "</html>\n");
    /* Nothing from elsewhere: no address, no file, no font. */
    ck_assert_ptr_null(strstr(text, "http"));
    ck_assert_ptr_null(strstr(text, "src="));
    ck_assert_ptr_null(strstr(text, "href"));
    ck_assert_ptr_null(strstr(text, "<link"));
    ck_assert_ptr_null(strstr(text, "@import"));
    ck_assert_ptr_null(strstr(text, "url("));
    ck_assert_ptr_null(strstr(text, "@font-face"));
    ck_assert_int_eq(count(text, "<script"), 2); /* the data, the viewer */
    ck_assert_int_eq(count(text, "<svg id=\"timeline\""), 1);
    expect("id=\"cursor\"");
}
END_TEST

START_TEST(html_data_is_the_loop_after_each_step)
{
    const char *data, *end;
    run_schedule();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, names, NULL), 0);
    data = page_data();
    end = json_value(data);
    ck_assert_ptr_nonnull(end);
    ck_assert_str_eq(json_ws(end), "");
    expect_data(data, "{\"rows\":[\"parent\",\"yielder\",\"sleeper_task\"]");
    /* Step 1, from outside the tasks: p was spawned from plain C. */
    expect_data(data, "\n{\"t\":0,\"x0\":150,");
    expect_data(data, "\"task\":-1,\"cmd\":\"\",\"then\":\"parent made ready: spawned\","
                      "\"wakes\":[[0,\"spawned\"]],\"run\":-1,\"ready\":[0],\"lists\":[],"
                      "\"timers\":[],\"tasks\":[\"ready: spawned\",\"\",\"\"]}");
    /* Step 2: p spawns a; a runs first, p is behind it (Flowno's order). */
    expect_data(data, "\"task\":0,\"cmd\":\"SPAWN yielder\",\"then\":\"it steps aside, to the "
                      "back of the ready list\",\"wakes\":[[1,\"spawned\"]],\"run\":-1,"
                      "\"ready\":[1,0],");
    /* b sleeps: a timer, due 5 ms on; p waits on b's joiners' list. */
    expect_data(data, "\"cmd\":\"SLEEP 5 ms\",\"then\":\"it waits: timer, until 5 ms\"");
    expect_data(data, "\"cmd\":\"JOIN sleeper_task\",\"then\":\"it waits: joiners of "
                      "sleeper_task\",\"wakes\":[],\"run\":-1,\"ready\":[],\"lists\":[[\"joiners "
                      "of sleeper_task\",[0]]],\"timers\":[[2,5000,\"SLEEP 5 ms\"]],"
                      "\"tasks\":[\"waiting: JOIN sleeper_task\",\"ended: finished 0\","
                      "\"waiting: SLEEP 5 ms, until 5 ms\"]}");
    /* Between steps, the timer makes b ready. */
    expect_data(data, "\"t\":5000,");
    expect_data(data, "\"then\":\"sleeper_task made ready: timer\"");
    /* b's end wakes p, and every task has ended at the last step. */
    expect_data(data, "\"cmd\":\"DONE\",\"then\":\"it ends: finished 0\",\"wakes\":"
                      "[[0,\"sleeper_task ended\"]]");
    expect_data(data, "\"tasks\":[\"ended: finished 0\",\"ended: finished 0\","
                      "\"ended: finished 0\"]}\n]}");
    ck_assert_int_eq(count(data, "\"cmd\":"), 10); /* 8 commands, 2 wakes from outside */
}
END_TEST

START_TEST(html_data_shows_who_holds_each_lock_in_a_deadlock)
{
    const char *data, *last;
    memset(&la, 0, sizeof la);
    memset(&lb, 0, sizeof lb);
    la.first = lb.second = &l1;
    la.second = lb.first = &l2;
    ck_assert_int_eq(fl_lock_init(&l1, &loop), 0);
    ck_assert_int_eq(fl_lock_init(&l2, &loop), 0);
    fl_trace_name_objects(&tr, object_names, NULL);
    fl_task_init(&la.task, lock_both);
    fl_task_init(&lb.task, lock_both);
    ck_assert_int_eq(fl_spawn(&loop, &lb.task, NULL), 0);
    ck_assert_int_eq(fl_run_until_complete(&loop, &la.task, FL_RUN_JOIN, 0, NULL),
                     FL_EINCOMPLETE);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    data = page_data();
    last = strrchr(data, '{');
    /* Each waits on the lock the other holds, in the order they came: lb
     * (row 0, spawned first) first. */
    expect_data(last, "\"lists\":[[\"l1 (held by la)\",[0]],[\"l2 (held by lb)\",[1]]]");
    expect_data(last, "\"tasks\":[\"waiting: LOCK l1\",\"waiting: LOCK l2\"]");
    /* Cancelling both from plain C unwinds them: their finally releases. */
    ck_assert(fl_cancel(&loop, &la.task));
    ck_assert(fl_cancel(&loop, &lb.task));
    ck_assert_int_eq(fl_run_until_complete(&loop, &la.task, 0, 0, NULL), 0);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    data = page_data();
    expect_data(data, "\"then\":\"la made ready: cancelled, lb made ready: cancelled\"");
    expect_data(data, "\"tasks\":[\"ended: cancelled\",\"ended: cancelled\"]}\n]}");
}
END_TEST

START_TEST(html_data_keeps_wait_lists_in_order_and_deadlines_as_timers)
{
    const char *data;
    run_queue_scene();
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    data = page_data();
    ck_assert_ptr_nonnull(json_value(data));
    /* Both consumers wait for an item, first come first served; the
     * producer's put wakes the first and goes on, its close (in its last
     * step) the second. */
    expect_data(data, "\"lists\":[[\"getters of jobs\",[1,2]]]");
    expect_data(data, "\"cmd\":\"QUEUE_PUT jobs\",\"then\":\"answered at once, it goes on\","
                      "\"wakes\":[[1,\"woken off jobs\"]],\"run\":0,\"ready\":[1],"
                      "\"lists\":[[\"getters of jobs\",[2]]]");
    expect_data(data, "\"cmd\":\"DONE\",\"then\":\"it ends: finished 0\",\"wakes\":[[2,\"jobs "
                      "closed\"]],\"run\":-1,\"ready\":[1,2]");
    /* The woken getter takes its item at once, then finds the queue closed. */
    expect_data(data, "\"cmd\":\"QUEUE_GET_RESERVED jobs\",\"then\":\"answered at once, it "
                      "goes on\"");

    setup();
    memset(&ew, 0, sizeof ew);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
    fl_trace_name_objects(&tr, object_names, NULL);
    fl_task_init(&ew.task, event_with_deadline);
    ck_assert_int_eq(fl_run_until_complete(&loop, &ew.task, FL_RUN_JOIN, 0, NULL), 0);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    data = page_data();
    expect_data(data, "\"cmd\":\"DEADLINE 5 ms\",\"then\":\"answered at once, it goes on\"");
    expect_data(data, "\"cmd\":\"LATCH_WAIT ev\",\"then\":\"it waits: ev, deadline 5 ms\","
                      "\"wakes\":[],\"run\":-1,\"ready\":[],\"lists\":[[\"ev\",[0]]],"
                      "\"timers\":[[0,5000,\"deadline of LATCH_WAIT ev\"]]");
    expect_data(data, "\"then\":\"ew made ready: deadline passed on ev\"");
}
END_TEST

START_TEST(html_data_keeps_a_deadline_across_a_spawn)
{
    const char *data;
    memset(&ew, 0, sizeof ew);
    ck_assert_int_eq(fl_event_init(&ev, &loop), 0);
    fl_trace_name_objects(&tr, object_names, NULL);
    fl_task_init(&ew.task, spawn_then_wait);
    ck_assert_int_eq(fl_run_until_complete(&loop, &ew.task, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_int_eq(ew.rc, FL_ETIMEDOUT);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    data = page_data();
    /* The deadline is the loop's timer from FL_TIMEOUT on, through the
     * spawn, while the spawner stands behind its child, until the wait. */
    expect_data(data, "\"cmd\":\"DEADLINE 5 ms\",\"then\":\"answered at once, it goes on\","
                      "\"wakes\":[],\"run\":0,\"ready\":[],\"lists\":[],"
                      "\"timers\":[[0,5000,\"deadline for its next wait\"]]");
    expect_data(data, "\"cmd\":\"SPAWN task1\",\"then\":\"it steps aside, to the back of the "
                      "ready list\",\"wakes\":[[1,\"spawned\"]],\"run\":-1,\"ready\":[1,0],"
                      "\"lists\":[],\"timers\":[[0,5000,\"deadline for its next wait\"]],"
                      "\"tasks\":[\"ready: stepped aside, deadline 5 ms\",\"ready: spawned\"]}");
    expect_data(data, "\"cmd\":\"LATCH_WAIT ev\",\"then\":\"it waits: ev, deadline 5 ms\"");
    expect_data(data, "\"then\":\"ew made ready: deadline passed on ev\"");
}
END_TEST

/* ---- a loop of one's own --------------------------------------------------------- */

START_TEST(records_added_by_hand_are_drawn_too)
{
    static const fl_task t1 = {0}, t2 = {0};
    fl_trace_record r = {0, FL_TRACE_READY, FL_READY_SPAWNED, FL_WAIT_OTHER, 0, &t1, NULL, {NULL}};
    fl_trace own;
    fl_trace_record ring[8];
    ck_assert_int_eq(fl_trace_init(&own, ring, 8, fake_micros, NULL, 1000000u), 0);
    ck_assert_int_eq(fl_trace_add(&own, &r), 0);
    r.task = &t2;
    ck_assert_int_eq(fl_trace_add(&own, &r), 0);
    r.task = &t1;
    r.kind = FL_TRACE_RUN;
    ck_assert_int_eq(fl_trace_add(&own, &r), 0);
    r.t = 100;
    r.kind = FL_TRACE_STOP;
    r.what = FL_OP_YIELD;
    ck_assert_int_eq(fl_trace_add(&own, &r), 0);
    r.kind = FL_TRACE_READY;
    r.what = FL_READY_STEPPED_ASIDE;
    r.by = &t1;
    ck_assert_int_eq(fl_trace_add(&own, &r), 0);
    ck_assert_uint_eq(own.count, 5);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&own, to_text, NULL, NULL, NULL), 0);
    expect_data(page_data(), "\"task\":0,\"cmd\":\"YIELD\",\"then\":\"it steps aside, to the back "
                             "of the ready list\",\"wakes\":[],\"run\":-1,\"ready\":[1,0]");
    ck_assert_int_eq(fl_trace_add(NULL, &r), FL_EINVAL);
    ck_assert_int_eq(fl_trace_add(&own, NULL), FL_EINVAL);
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
    calls = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, failing_writer, &calls, NULL, NULL), -77);
    ck_assert_int_eq(calls, 4);
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

static int discard(void *ctx, const char *buf, size_t len)
{
    (void)buf;
    *(size_t *)ctx += len;
    return 0;
}

START_TEST(more_tasks_than_rows_is_enospc_after_writing_the_rest)
{
    static fl_trace_record big[2048];
    size_t written = 0;
    fl_trace t2;
    ck_assert_int_eq(fl_trace_init(&t2, big, 2048, NULL, NULL, 0), 0);
    ck_assert_int_eq(fl_trace_attach(&t2, &loop), 0);
    fl_task_init(&root, spawn_many);
    ck_assert_int_eq(fl_run_until_complete(&loop, &root, FL_RUN_JOIN, 0, NULL), 0);
    ck_assert_uint_eq(t2.dropped, 0);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_vcd(&t2, to_text, NULL, NULL, NULL), FL_ENOSPC);
    ck_assert_int_eq(count(text, "$var wire 2 "), FL_TRACE_ROWS);
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_svg(&t2, to_text, NULL, NULL, NULL), FL_ENOSPC);
    ck_assert_str_eq(text + text_len - 7, "</svg>\n");
    ck_assert_int_eq(fl_trace_write_html(&t2, discard, &written, NULL, NULL), FL_ENOSPC);
    ck_assert_uint_gt(written, 0);
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
    ck_assert_int_eq(fl_trace_write_html(NULL, to_text, NULL, NULL, NULL), FL_EINVAL);
    ck_assert_int_eq(fl_trace_write_html(&tr, NULL, NULL, NULL, NULL), FL_EINVAL);
    fl_trace_name_objects(NULL, object_names, NULL); /* no crash */
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
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_svg(&tr, to_text, NULL, NULL, NULL), 0);
    expect(">0 ms</text>");
    text_len = 0;
    ck_assert_int_eq(fl_trace_write_html(&tr, to_text, NULL, NULL, NULL), 0);
    expect_data(page_data(), "\"steps\":[\n]}");
}
END_TEST

Suite *suite(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, records_follow_the_schedule);
    tcase_add_test(tc, a_record_is_five_words_on_a_32_bit_target);
    tcase_add_test(tc, a_full_ring_keeps_the_newest_and_counts_the_rest);
    tcase_add_test(tc, a_wake_names_the_primitive_its_list_and_what_it_brings);
    tcase_add_test(tc, a_deadline_and_an_event_wait_are_recorded_as_such);
    tcase_add_test(tc, json_parses_with_a_named_row_a_task);
    tcase_add_test(tc, json_draws_a_flow_from_each_waker_to_the_woken);
    tcase_add_test(tc, json_names_the_primitives_a_command_is_about);
    tcase_add_test(tc, vcd_has_one_signal_a_task);
    tcase_add_test(tc, vcd_names_every_signal_even_when_the_name_is_empty);
    tcase_add_test(tc, svg_draws_a_row_a_task_with_commands_and_arrows);
    tcase_add_test(tc, html_stands_alone);
    tcase_add_test(tc, html_data_is_the_loop_after_each_step);
    tcase_add_test(tc, html_data_shows_who_holds_each_lock_in_a_deadlock);
    tcase_add_test(tc, html_data_keeps_wait_lists_in_order_and_deadlines_as_timers);
    tcase_add_test(tc, html_data_keeps_a_deadline_across_a_spawn);
    tcase_add_test(tc, records_added_by_hand_are_drawn_too);
    tcase_add_test(tc, a_writer_error_stops_the_export_and_comes_back);
    tcase_add_test(tc, more_tasks_than_rows_is_enospc_after_writing_the_rest);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, an_empty_trace_exports_cleanly);
    suite_add_tcase(s, tc);
    return s;
}
