/* SPDX-License-Identifier: MIT */
/*
 * check_gen.c - gen/gen.h on its own, with no loop.  Built twice: with the
 * default switch continuations and with GEN_USE_LABELS.
 */
#include "../gen/gen.h"
#include "support/support.h"

/* ---- yield a sequence, then end ----------------------------------------- */

typedef struct counter {
    gen_t g;
    int i, limit;
} counter;

static int count_up(counter *c)
{
    GEN_BEGIN(&c->g);
    for (c->i = 1; c->i <= c->limit; c->i++)
        GEN_YIELD(&c->g, c->i);
    GEN_END(&c->g, -1);
}

START_TEST(yield_returns_each_value_then_end_value)
{
    counter c = {{GEN_LC_START}, 0, 3};
    ck_assert_int_eq(count_up(&c), 1);
    ck_assert(!gen_done(&c.g));
    ck_assert_int_eq(count_up(&c), 2);
    ck_assert_int_eq(count_up(&c), 3);
    ck_assert(!gen_done(&c.g));
    ck_assert_int_eq(count_up(&c), -1);
    ck_assert(gen_done(&c.g));
}
END_TEST

START_TEST(finished_function_returns_end_value_again)
{
    counter c = {{GEN_LC_START}, 0, 1};
    ck_assert_int_eq(count_up(&c), 1);
    ck_assert_int_eq(count_up(&c), -1);
    ck_assert_int_eq(count_up(&c), -1);
    ck_assert_int_eq(c.i, 2); /* the body did not run again */
}
END_TEST

START_TEST(init_starts_over)
{
    counter c = {{GEN_LC_START}, 0, 2};
    ck_assert_int_eq(count_up(&c), 1);
    ck_assert_int_eq(count_up(&c), 2);
    gen_init(&c.g);
    ck_assert_int_eq(count_up(&c), 1);
}
END_TEST

START_TEST(instances_are_independent)
{
    counter a = {{GEN_LC_START}, 0, 5}, b = {{GEN_LC_START}, 0, 5};
    ck_assert_int_eq(count_up(&a), 1);
    ck_assert_int_eq(count_up(&a), 2);
    ck_assert_int_eq(count_up(&b), 1);
    ck_assert_int_eq(count_up(&a), 3);
    ck_assert_int_eq(count_up(&b), 2);
}
END_TEST

/* ---- wait until a condition --------------------------------------------- */

typedef struct waiter {
    gen_t g;
    int flag;
    int calls;
} waiter;

static int wait_for_flag(waiter *w)
{
    w->calls++;
    GEN_BEGIN(&w->g);
    GEN_WAIT_UNTIL(&w->g, w->flag, 0);
    GEN_END(&w->g, 7);
}

START_TEST(wait_until_returns_until_condition_holds)
{
    waiter w = {{GEN_LC_START}, 0, 0};
    ck_assert_int_eq(wait_for_flag(&w), 0);
    ck_assert_int_eq(wait_for_flag(&w), 0);
    ck_assert(!gen_done(&w.g));
    w.flag = 1;
    ck_assert_int_eq(wait_for_flag(&w), 7);
    ck_assert(gen_done(&w.g));
    ck_assert_int_eq(w.calls, 3);
}
END_TEST

START_TEST(wait_until_true_at_once_does_not_suspend)
{
    waiter w = {{GEN_LC_START}, 1, 0};
    ck_assert_int_eq(wait_for_flag(&w), 7);
    ck_assert(gen_done(&w.g));
}
END_TEST

/* ---- call a nested resumable function ----------------------------------- */

typedef struct outer {
    gen_t g;
    counter inner;
    int got;
} outer;

/* Yields 100, then each value of the inner counter, then its end value + 1. */
static int outer_fn(outer *o)
{
    int v;
    GEN_BEGIN(&o->g);
    GEN_YIELD(&o->g, 100);
    o->inner.limit = 2;
    GEN_CALL(&o->g, &o->inner.g, v, count_up(&o->inner));
    o->got = v;
    GEN_YIELD(&o->g, v + 1000);
    GEN_END(&o->g, 200);
}

START_TEST(call_passes_child_values_up_then_gives_its_end_value)
{
    outer o;
    o.g.lc = GEN_LC_START;
    o.got = 0;
    ck_assert_int_eq(outer_fn(&o), 100);
    ck_assert_int_eq(outer_fn(&o), 1);
    ck_assert_int_eq(outer_fn(&o), 2);
    ck_assert_int_eq(outer_fn(&o), 999); /* -1 + 1000: the child's end value */
    ck_assert_int_eq(o.got, -1);
    ck_assert_int_eq(outer_fn(&o), 200);
    ck_assert(gen_done(&o.g));
}
END_TEST

/* ---- exit and restart --------------------------------------------------- */

typedef struct stepper {
    gen_t g;
    int stop_early;
    int after_exit;
} stepper;

static int exit_or_restart(stepper *s)
{
    GEN_BEGIN(&s->g);
    GEN_YIELD(&s->g, 1);
    if (s->stop_early)
        GEN_EXIT(&s->g, 2);
    GEN_RESTART(&s->g, 3);
    s->after_exit = 1; /* never reached */
    GEN_END(&s->g, 4);
}

START_TEST(exit_finishes_at_once)
{
    stepper s = {{GEN_LC_START}, 1, 0};
    ck_assert_int_eq(exit_or_restart(&s), 1);
    ck_assert_int_eq(exit_or_restart(&s), 2);
    ck_assert(gen_done(&s.g));
    ck_assert_int_eq(exit_or_restart(&s), 4);
    ck_assert_int_eq(s.after_exit, 0);
}
END_TEST

START_TEST(restart_returns_and_begins_again)
{
    stepper s = {{GEN_LC_START}, 0, 0};
    ck_assert_int_eq(exit_or_restart(&s), 1);
    ck_assert_int_eq(exit_or_restart(&s), 3);
    ck_assert(!gen_done(&s.g));
    ck_assert_int_eq(exit_or_restart(&s), 1);
    ck_assert_int_eq(s.after_exit, 0);
}
END_TEST

/* ---- a body with no suspension point ------------------------------------ */

/* It must build in both implementations: clang refuses an indirect goto in
 * a function that takes no label's address, which this one would be. */
typedef struct once {
    gen_t g;
    int runs;
} once;

static int run_once(once *o)
{
    GEN_BEGIN(&o->g);
    o->runs++;
    GEN_END(&o->g, 7);
}

START_TEST(body_without_suspension_point_ends_on_first_call)
{
    once o = {{GEN_LC_START}, 0};
    ck_assert_int_eq(run_once(&o), 7);
    ck_assert(gen_done(&o.g));
    ck_assert_int_eq(run_once(&o), 7);
    ck_assert_int_eq(o.runs, 1);
}
END_TEST

/* ---- the continuation is one small value -------------------------------- */

START_TEST(state_is_one_continuation)
{
#ifdef GEN_USE_LABELS
    ck_assert_uint_eq(sizeof(gen_t), sizeof(void *));
#else
    ck_assert_uint_eq(sizeof(gen_t), sizeof(unsigned short));
#endif
}
END_TEST

/* ---- caveat 2: a suspension inside the user's switch ---------------------- */

typedef struct switcher {
    gen_t g;
    int mode;
} switcher;

static int yield_inside_switch(switcher *s)
{
    GEN_BEGIN(&s->g);
    switch (s->mode) {
    case 1:
        GEN_YIELD(&s->g, 10);
        GEN_YIELD(&s->g, 11);
        break;
    default:
        GEN_YIELD(&s->g, 20);
        break;
    }
    GEN_END(&s->g, 0);
}

#ifdef GEN_USE_LABELS
/* Labels lift the caveat: the points inside the switch resume as any. */
START_TEST(labels_allow_a_suspension_inside_a_switch)
{
    switcher a = {{GEN_LC_START}, 1}, b = {{GEN_LC_START}, 2};
    ck_assert_int_eq(yield_inside_switch(&a), 10);
    ck_assert_int_eq(yield_inside_switch(&a), 11);
    ck_assert_int_eq(yield_inside_switch(&a), 0);
    ck_assert(gen_done(&a.g));
    ck_assert(!gen_lost(&a.g));
    ck_assert_int_eq(yield_inside_switch(&b), 20);
    ck_assert_int_eq(yield_inside_switch(&b), 0);
}
END_TEST
#else
/* With line numbers the point belongs to the user's switch, so resuming
 * finds no such point: the function ends, and says it was lost, instead
 * of ending as if it had finished. */
START_TEST(a_suspension_inside_a_switch_ends_lost)
{
    switcher a = {{GEN_LC_START}, 1};
    ck_assert_int_eq(yield_inside_switch(&a), 10);
    ck_assert(!gen_done(&a.g));
    ck_assert_int_eq(yield_inside_switch(&a), 0); /* the end value */
    ck_assert(gen_done(&a.g));
    ck_assert(gen_lost(&a.g));
    ck_assert_int_eq(yield_inside_switch(&a), 0); /* and stays ended */
    ck_assert(gen_lost(&a.g));
}
END_TEST
#endif

Suite *suite(void)
{
#ifdef GEN_USE_LABELS
    Suite *s = suite_create("gen (labels as values)");
#else
    Suite *s = suite_create("gen (switch)");
#endif
    TCase *tc = tcase_create("gen");
    tcase_add_test(tc, yield_returns_each_value_then_end_value);
    tcase_add_test(tc, finished_function_returns_end_value_again);
    tcase_add_test(tc, init_starts_over);
    tcase_add_test(tc, instances_are_independent);
    tcase_add_test(tc, wait_until_returns_until_condition_holds);
    tcase_add_test(tc, wait_until_true_at_once_does_not_suspend);
    tcase_add_test(tc, call_passes_child_values_up_then_gives_its_end_value);
    tcase_add_test(tc, exit_finishes_at_once);
    tcase_add_test(tc, restart_returns_and_begins_again);
    tcase_add_test(tc, body_without_suspension_point_ends_on_first_call);
    tcase_add_test(tc, state_is_one_continuation);
#ifdef GEN_USE_LABELS
    tcase_add_test(tc, labels_allow_a_suspension_inside_a_switch);
#else
    tcase_add_test(tc, a_suspension_inside_a_switch_ends_lost);
#endif
    suite_add_tcase(s, tc);
    return s;
}
