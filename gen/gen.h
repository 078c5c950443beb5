/* SPDX-License-Identifier: MIT */
/*
 * gen.h - stackless resumable functions on local continuations.
 *
 * A resumable function keeps one small value, its local continuation (a
 * gen_lc), and returns whenever it wants to suspend.  Calling it again jumps
 * back to where it left off.  Nothing else is saved: there is no stack per
 * function, no assembler, no setjmp.  The technique is Duff's device, as in
 * Simon Tatham's coroutines and Adam Dunkels' protothreads.
 *
 *     typedef struct { gen_t g; int i; } counter;
 *
 *     int count_to_three(counter *c)
 *     {
 *         GEN_BEGIN(&c->g);
 *         for (c->i = 1; c->i <= 3; c->i++)
 *             GEN_YIELD(&c->g, c->i);
 *         GEN_END(&c->g, 0);
 *     }
 *
 *     counter c; gen_init(&c.g);
 *     while (!gen_done(&c.g)) printf("%d\n", count_to_three(&c));
 *
 * The return type is the caller's choice: GEN_YIELD(g, v) and GEN_END(g, v)
 * simply `return v`.  gen_done() tells a finished function from a suspended one.
 *
 * CAVEATS (read these before writing one):
 *
 *  1. Local variables do not survive a suspension.  The function really
 *     returns; its automatic variables are gone when it is resumed.  Keep
 *     anything that must live across a GEN_YIELD in the struct that holds
 *     the gen_t (c->i above, not a local i).  Locals declared before
 *     GEN_BEGIN are fine if they are recomputed on every call (a cast of an
 *     argument, say).  Declare no locals between GEN_BEGIN and GEN_END in the
 *     outermost block: a declaration right after a case label is not C.
 *
 *  2. No `switch` statement of your own may contain a suspension point.  In
 *     the default implementation every suspension point is a `case` label of
 *     the switch opened by GEN_BEGIN; inside your own switch it would belong
 *     to yours.  Resuming there finds no such point: the function ends, and
 *     gen_lost() tells (flowno fails the task with FL_ERESUME).  Define
 *     GEN_USE_LABELS (GCC and Clang only) to store label addresses instead
 *     of line numbers, which lifts this restriction.
 *
 *  3. One suspension point a source line: the line number is its name.  A
 *     second one on the same line does not compile, and the first error
 *     names the rule: "duplicate label 'GEN_one_suspension_point_a_line_42'".
 *     With the default implementation a function's file must also stay
 *     below line 65533, since the continuation is an unsigned short.
 *
 * Everything here is macros over a few types; there is no .c file.
 */
#ifndef GEN_GEN_H
#define GEN_GEN_H

#define GEN_CAT2_(a, b) a##b
#define GEN_CAT_(a, b) GEN_CAT2_(a, b)
/** A name unique to the source line, for labels made by the macros. */
#define GEN_HERE_(prefix) GEN_CAT_(prefix, __LINE__)

/** Reserved continuation states.  MARK is a resume point a layer above may
 * place once in a function (flowno uses it for `finally`); DONE means
 * finished; LOST, finished because the saved point did not exist.  None is
 * ever a source line or a label address. */
#define GEN_STATE_RUN_ 0
#define GEN_STATE_DONE_ 1
#define GEN_STATE_MARK_ 2

/* Every suspension point also defines a label named after rule 3, so that
 * two points on one line fail to compile with an error that says why,
 * before the duplicate case does.  The `if (0) goto` uses it. */
#define GEN_ONE_A_LINE_                                   \
    if (0)                                                \
        goto GEN_HERE_(GEN_one_suspension_point_a_line_); \
    GEN_HERE_(GEN_one_suspension_point_a_line_):

/* The dispatch switch's default sits at its very end.  The body reaches
 * the end through the goto (which also keeps -Wimplicit-fallthrough
 * quiet), so only a state with no case of its own lands on the default:
 * DONE and a MARK without a finally section just end; any other is a
 * resume point the body does not have, and runs `lost`.  There for builds
 * with -Wswitch-default too. */
#define GEN_DEFAULT_(lc, lost)                              \
    goto GEN_HERE_(gen_default_);                           \
    default:                                                \
    if ((lc) != GEN_LC_DONE && (lc) != GEN_LC_MARK) {       \
        lost;                                               \
    }                                                       \
    GEN_HERE_(gen_default_):;

#ifndef GEN_USE_LABELS
/* ---- Default: switch on the line number (ISO C99). ---------------------- */

typedef unsigned short gen_lc;
#define GEN_LC_START 0u
#define GEN_LC_DONE 0xFFFFu
#define GEN_LC_MARK 0xFFFEu
#define GEN_LC_LOST 0xFFFDu

/** Open the dispatch: jump to the saved point, or start at the top. */
#define GEN_DISPATCH_(lc) \
    switch (lc) {         \
    case GEN_LC_START:
/** Close it; `lost` runs when the saved point is none of the body's. */
#define GEN_DISPATCH_END_(lc, lost) GEN_DEFAULT_(lc, lost) }

/** Remember this point, then run `leave` (a return).  Resuming continues
 * after `leave`. */
#define GEN_SUSPEND_(lc, leave) \
    do {                        \
        GEN_ONE_A_LINE_         \
        (lc) = __LINE__;        \
        leave;                  \
    case __LINE__:;             \
    } while (0)

/** Remember this point and go on; resuming re-runs the code after it.  The
 * goto keeps -Wimplicit-fallthrough quiet without a compiler attribute. */
#define GEN_POINT_(lc)                                  \
    (lc) = __LINE__;                                    \
    goto GEN_HERE_(GEN_one_suspension_point_a_line_);   \
    GEN_HERE_(GEN_one_suspension_point_a_line_):        \
    case __LINE__:

/** The MARK resume point; the caller names the label it may fall into. */
#define GEN_MARK_POINT_(fallthrough_label) \
    goto fallthrough_label;                \
    case GEN_LC_MARK:                      \
    fallthrough_label:

#else
/* ---- GEN_USE_LABELS: labels as values (GCC, Clang). --------------------- */

typedef void *gen_lc;
#define GEN_LC_START ((void *)0)
#define GEN_LC_DONE ((void *)1)
#define GEN_LC_MARK ((void *)2)
#define GEN_LC_LOST ((void *)3) /* never: every saved label exists */

#define GEN_STATE_OF_(lc) \
    ((lc) == GEN_LC_DONE ? GEN_STATE_DONE_ : (lc) == GEN_LC_MARK ? GEN_STATE_MARK_ : GEN_STATE_RUN_)

/** `__extension__ ({ })` keeps -Wpedantic quiet about the GNU syntax.  GCC 12
 * also mistakes a stored label address for a dangling pointer. */
#if defined(__clang__)
#define GEN_STORE_LABEL_(lc, label) __extension__({ (lc) = &&label; })
#else
#define GEN_STORE_LABEL_(lc, label)                                           \
    __extension__({                                                           \
        _Pragma("GCC diagnostic push")                                        \
        _Pragma("GCC diagnostic ignored \"-Wpragmas\"")                       \
        _Pragma("GCC diagnostic ignored \"-Wdangling-pointer\"")(lc) = &&label; \
        _Pragma("GCC diagnostic pop")                                         \
    })
#endif

/* Clang refuses an indirect goto in a function that takes no label's
 * address, which a body without a suspension point would be: the unused
 * &&gen_start_ is there for it. */
#define GEN_DISPATCH_(lc)                      \
    switch (GEN_STATE_OF_(lc)) {               \
    case GEN_STATE_RUN_:                       \
        if ((lc) != GEN_LC_START)              \
            __extension__({ goto *(lc); });    \
        (void)__extension__ &&gen_start_;      \
    gen_start_:
/* Every saved point is a label of the body, so `lost` never runs. */
#define GEN_DISPATCH_END_(lc, lost) GEN_DEFAULT_(lc, lost) }

#define GEN_SUSPEND_(lc, leave)                                            \
    do {                                                                   \
        GEN_STORE_LABEL_(lc, GEN_HERE_(GEN_one_suspension_point_a_line_)); \
        leave;                                                             \
        GEN_HERE_(GEN_one_suspension_point_a_line_):;                      \
    } while (0)

#define GEN_POINT_(lc)                                 \
    GEN_HERE_(GEN_one_suspension_point_a_line_):       \
    GEN_STORE_LABEL_(lc, GEN_HERE_(GEN_one_suspension_point_a_line_));

#define GEN_MARK_POINT_(fallthrough_label) \
    goto fallthrough_label;                \
    case GEN_STATE_MARK_:                  \
    fallthrough_label:

#endif /* GEN_USE_LABELS */

/* ---- The public macros -------------------------------------------------- */

/** The state of one resumable function.  Zero-initialised means "start". */
typedef struct gen_t {
    gen_lc lc;
} gen_t;

/** Start (or start over) from the top. */
#define gen_init(g) ((void)((g)->lc = GEN_LC_START))
/** True once the function has reached GEN_END or GEN_EXIT, or was lost. */
#define gen_done(g) ((g)->lc == GEN_LC_DONE || (g)->lc == GEN_LC_LOST)
/** True if it ended because it was resumed at a point it does not have: a
 * suspension point inside a switch of your own (caveat 2). */
#define gen_lost(g) ((g)->lc == GEN_LC_LOST)

/** First statement of the body.  A finished function that is called again
 * goes straight to GEN_END and returns its end value again. */
#define GEN_BEGIN(g) GEN_DISPATCH_((g)->lc)

/** Suspend and return `value`; the next call continues after this line. */
#define GEN_YIELD(g, value) GEN_SUSPEND_((g)->lc, return (value))

/** Return `value` on every call until `cond` is true, then go on.  The
 * condition is evaluated on each call, so it may read only state that
 * survives (see caveat 1). */
#define GEN_WAIT_UNTIL(g, cond, value) \
    do {                               \
        GEN_POINT_((g)->lc)            \
        if (!(cond))                   \
            return (value);            \
    } while (0)

/** Run a nested resumable function to its end.  `child` is its gen_t, which
 * must live in the caller's state; `call` is the call expression; `out` a
 * variable of the return type.  While the child suspends, what it returned
 * is passed up as the caller's own return value; when it finishes, `out`
 * holds its end value and the caller goes on. */
#define GEN_CALL(g, child, out, call)   \
    do {                                \
        gen_init(child);                \
        GEN_POINT_((g)->lc)             \
        (out) = (call);                 \
        if (!gen_done(child))           \
            return (out);               \
    } while (0)

/** Finish now and return `value`. */
#define GEN_EXIT(g, value)           \
    do {                             \
        (g)->lc = GEN_LC_DONE;       \
        return (value);              \
    } while (0)

/** Return `value` now; the next call starts again from the top. */
#define GEN_RESTART(g, value)        \
    do {                             \
        gen_init(g);                 \
        return (value);              \
    } while (0)

/** Last statement of the body: finish and return `value`.  Resumed at a
 * point it does not have, it ends lost (gen_lost) and returns `value`. */
#define GEN_END(g, value)                                     \
    GEN_DISPATCH_END_((g)->lc, (g)->lc = GEN_LC_LOST; return (value)) \
    (g)->lc = GEN_LC_DONE;                                    \
    return (value)

#endif /* GEN_GEN_H */
