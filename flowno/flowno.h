/* SPDX-License-Identifier: MIT */
/*
 * flowno.h - a stackless cooperative event loop for C.
 *
 * A task is a caller-owned struct that embeds an fl_task, and a function
 * `fl_cmd fn(fl_task *self)` written with the FL_ macros below.  Each time
 * the loop calls it, it runs to its next suspension point and returns a
 * command record (sleep, spawn, join, ...); the loop interprets the command
 * and calls the function again when the task may go on.  Tasks have no stack
 * of their own, so see the caveats in gen/gen.h: locals do not survive a
 * suspension (keep state in your struct), and suspension points may not sit
 * inside a switch of your own.
 *
 *     struct blinker { fl_task task; int n; };
 *
 *     static fl_cmd blink(fl_task *self)
 *     {
 *         struct blinker *b = (struct blinker *)self;
 *         FL_BEGIN(self);
 *         for (b->n = 0; b->n < 3; b->n++) {
 *             led_toggle();
 *             FL_SLEEP(self, FL_MS(500));
 *         }
 *         FL_RETURN(self, b->n);
 *         FL_END(self);
 *     }
 *
 * Errors are ints: 0 or a negative FL_E* code (fl_strerror names them).  A
 * waiting macro such as FL_SLEEP propagates an error like an exception: the
 * task jumps to its FL_FINALLY section (or ends) with that error.  The _RC
 * form of each (FL_SLEEP_RC, ...) hands the code to you instead.
 *
 * Nothing here allocates.  Capacities are set in flowno/config.h.
 */
#ifndef FLOWNO_FLOWNO_H
#define FLOWNO_FLOWNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../gen/gen.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version ----------------------------------------------------------- */

/** This header's version, semantic versioning: MAJOR changes break the API
 * or the ABI, MINOR adds to them, PATCH fixes.  These three lines are the
 * one place the version is written: the Makefile, CMake and flowno.pc take
 * it from here (and `make test` checks library.json and CHANGELOG.md). */
#define FL_VERSION_MAJOR 0
#define FL_VERSION_MINOR 1
#define FL_VERSION_PATCH 0
/** The same as one number, for `#if`: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define FL_VERSION_NUMBER (FL_VERSION_MAJOR * 10000 + FL_VERSION_MINOR * 100 + FL_VERSION_PATCH)
#define FL_STR_(x) #x
#define FL_XSTR_(x) FL_STR_(x)
/** The same as a string: "MAJOR.MINOR.PATCH". */
#define FL_VERSION_STRING \
    FL_XSTR_(FL_VERSION_MAJOR) "." FL_XSTR_(FL_VERSION_MINOR) "." FL_XSTR_(FL_VERSION_PATCH)

/** The version of the library linked in, as FL_VERSION_STRING was when it
 * was compiled: a program can compare the two to catch a header that does
 * not match its library. */
const char *fl_version(void);

/* ---- Basic types ------------------------------------------------------- */

/** A task's result: an integer, or a pointer stored as one. */
typedef intptr_t fl_value;

/* The casts of the macros and inline functions below.  C++ gets its named
 * casts, so that the header is clean under -Wold-style-cast; FL_VALUE_
 * takes an integer or a pointer. */
#ifdef __cplusplus
#define FL_CAST_(type, x) static_cast<type>(x)
#define FL_VALUE_(x) fl_value_of_(x)
} /* templates cannot have C linkage */
inline fl_value fl_value_of_(fl_value v)
{
    return v;
}
template <class T> inline fl_value fl_value_of_(T *p)
{
    return reinterpret_cast<fl_value>(p);
}
extern "C" {
#else
#define FL_CAST_(type, x) ((type)(x))
#define FL_VALUE_(x) ((fl_value)(x))
#endif

/** Time in ticks of the port's clock (FL_TICK_HZ a second); wraps around. */
#if FL_TIME_BITS == 32
typedef uint32_t fl_time;
typedef int32_t fl_time_diff;
#else
typedef uint64_t fl_time;
typedef int64_t fl_time_diff;
#endif

/** Ticks in `ms` milliseconds. */
#if FL_TICK_HZ == 1000
#define FL_MS(ms) FL_CAST_(fl_time, ms)
#else
#define FL_MS(ms) FL_CAST_(fl_time, (FL_CAST_(uint64_t, ms) * FL_TICK_HZ + 999u) / 1000u)
#endif

/** Index of a task in the loop's table, as narrow as FL_MAX_TASKS allows. */
#if FL_MAX_TASKS < 0xFF
typedef uint8_t fl_slot;
#define FL_SLOT_NONE 0xFFu
#elif FL_MAX_TASKS < 0xFFFF
typedef uint16_t fl_slot;
#define FL_SLOT_NONE 0xFFFFu
#else
typedef uint32_t fl_slot;
#define FL_SLOT_NONE 0xFFFFFFFFu
#endif

/* ---- Errors ------------------------------------------------------------ */

/** flowno's own codes sit in -200..-299, clear of negated errno values
 * (which the socket layer passes through) and of the application's codes. */
enum {
    FL_OK = 0,
    FL_EINVAL = -200,      /**< a bad argument: NULL, no task function, ... */
    FL_EBUSY = -201,       /**< the task is already spawned and not finished */
    FL_ENOSPC = -202,      /**< the task table or the timer heap is full */
    FL_ECANCELLED = -203,  /**< the task was cancelled */
    FL_EINCOMPLETE = -204, /**< the loop cannot progress; the root is unfinished */
    FL_EDEADLK = -205,     /**< a task would wait for itself */
    FL_ENOTSTARTED = -206, /**< the task was never spawned */
    FL_ETIMEDOUT = -207,   /**< a deadline passed */
    FL_ECLOSED = -208,     /**< the queue is closed, or the peer closed early */
    FL_EPERM = -209,       /**< not the owner (a lock released by another task) */
    FL_EAGAIN = -210,      /**< would wait (the non-blocking forms) */
    FL_ERANGE = -211,      /**< a count would go out of range */
    FL_ECONFIG = -212,     /**< the library was built with another config.h */
    FL_ERESUME = -213,     /**< resumed at a point the body does not have */
    FL_ECORRUPT = -214     /**< FL_DEBUG: a live task's struct was changed */
};

#if FL_DEBUG
/** FL_DEBUG builds: `hook` is called at every misuse the library detects
 * (a bad argument, a double spawn, a release by another task, a task
 * struct changed under the loop, ...) with the error it is about to
 * answer and where in the library, before it answers (as FreeRTOS's
 * configASSERT or QP's Q_onAssert): set a breakpoint in it, log, or
 * reset.  If it returns, the error is answered.  NULL: no hook. */
typedef void (*fl_assert_fn)(int err, const char *file, int line);
void fl_set_assert_hook(fl_assert_fn hook);
#endif

/** A short description of `err`; "unknown error" for codes not flowno's. */
#if FL_ENABLE_STRERROR
const char *fl_strerror(int err);
#else
static inline const char *fl_strerror(int err)
{
    (void)err;
    return ""; /* the messages are compiled out */
}
#endif

/* ---- Command records --------------------------------------------------- */

/** What a task asks of the loop when it suspends.  Built by the FL_ macros;
 * a task never needs to look inside. */
enum fl_op {
    /** Handled at once; the task goes on in the same step. */
    FL_OP_DONE,        /**< the function (or helper frame) has ended */
    FL_OP_SPAWN,       /**< arg.ptr: the child; self->wait.fn: its function */
    FL_OP_CANCEL,      /**< arg.ptr: the target; resumes with 1 or 0 */
    FL_OP_EXIT,        /**< arg.value: the loop's result */
    FL_OP_EXIT_ERROR,  /**< arg.value: the loop's error */
    FL_OP_QUEUE_PUT_RESERVED, /**< a woken putter stores into its reserved slot */
    FL_OP_QUEUE_GET_RESERVED, /**< a woken getter takes its reserved item */
    FL_OP_DEADLINE,    /**< arg.ticks: the next wait fails after this long */
    /** Done by the task itself (arg.ptr: the primitive; self->wait.value:
     * the result); the loop runs the tasks it woke, then the task again:
     * Flowno's order.  No cancellation is delivered here. */
    FL_OP_EVENT_SET,   /**< FL_EVENT_SET */
    FL_OP_LOCK_RELEASE, /**< FL_LOCK_RELEASE */
    FL_OP_COND_NOTIFY, /**< FL_COND_NOTIFY, FL_COND_NOTIFY_ALL */
    FL_OP_LATCH_COUNT_DOWN, /**< FL_LATCH_COUNT_DOWN */
    /** Suspension points: a pending cancellation is delivered here. */
    FL_OP_YIELD,       /**< run again after every other ready task (arg.ticks: 0) */
    FL_OP_SLEEP,       /**< arg.ticks: how long */
    FL_OP_JOIN,        /**< arg.ptr: the task to wait for */
    FL_OP_CANCEL_JOIN, /**< arg.ptr: cancel it and wait until it has ended */
    FL_OP_QUEUE_GET,   /**< arg.ptr: the queue; self->wait.obj: where to copy (GET, PEEK,
                            PUT: the order of fl_queue's wait lists) */
    FL_OP_QUEUE_PEEK,  /**< as GET, without taking the item */
    FL_OP_QUEUE_PUT,   /**< arg.ptr: the queue; self->wait.item: the item */
    FL_OP_LOCK,        /**< arg.ptr: the lock */
    FL_OP_COND_WAIT,   /**< arg.ptr: the condition */
    FL_OP_LATCH_WAIT,  /**< arg.ptr: the latch (or an event's) */
    FL_OP_SIGNAL_WAIT, /**< arg.ptr: the signal */
    FL_OP_IO_WAIT,     /**< arg.value: fd * 4 + FL_IO_READ / FL_IO_WRITE */
    FL_OP_COUNT_
};

/** Declares a function that returns a command record, such as a helper
 * (FL_BEGIN_HELPER), so that the compiler warns when one is called as a
 * plain function and its command dropped: it must be run with FL_CALL.
 *     FL_AWAITABLE static fl_cmd read_frame(fl_task *self, fl_frame *f);
 * With Clang, and C++17, every function returning an fl_cmd warns anyway
 * (the type itself carries the attribute); GCC's C needs the macro. */
#if defined(__cplusplus) && __cplusplus >= 201703L
#define FL_AWAITABLE [[nodiscard]]
#define FL_CMD_TYPE_ATTR_ [[nodiscard]]
#elif defined(__GNUC__)
#define FL_AWAITABLE __attribute__((warn_unused_result))
#if defined(__clang__)
#define FL_CMD_TYPE_ATTR_ __attribute__((warn_unused_result))
#endif
#else
#define FL_AWAITABLE
#endif
#ifndef FL_CMD_TYPE_ATTR_
#define FL_CMD_TYPE_ATTR_
#endif

typedef struct FL_CMD_TYPE_ATTR_ fl_cmd {
    int op;
    union {
        fl_value value;
        void *ptr;
        fl_time ticks;
    } arg;
} fl_cmd;

/* ---- Tasks ------------------------------------------------------------- */

typedef struct fl_task fl_task;
typedef fl_cmd (*fl_task_fn)(fl_task *self);

/** The fields are private: read them through the fl_task_* functions.  The
 * layout is 20 bytes on a 32-bit target with FL_MAX_TASKS < 255.  The four
 * slot fields (FL_SLOT_NONE in a new task) come before the flags, the
 * state and lc (0 in a new task): fl_task_init stores each group as one
 * word where it fills one.  The state has a byte of its own, tested and
 * set with no mask on every CPU. */
struct fl_task {
    fl_task_fn fn;
    fl_value result; /**< the result, or the error once it failed */
    union {
        void *obj;     /**< while waiting: the wait list it is on */
        const void *item; /**< while putting: the item to copy */
        fl_value value; /**< on resume: the outcome of the wait */
        fl_task_fn fn; /**< while spawning: the child's function */
    } wait;
    fl_slot slot;   /**< index in the loop's table while alive */
    fl_slot timer;  /**< index in the timer heap, or FL_SLOT_NONE */
    fl_slot joiners; /**< the last task waiting for this one to end */
    fl_slot next;   /**< the link in the ready list or a wait list */
    uint8_t flags;  /**< FL_F_* bits */
    uint8_t state;  /**< fl_state */
    gen_lc lc;      /**< where the function resumes */
#if FL_DEBUG
    uint32_t magic; /**< FL_DEBUG: set while the loop owns the struct */
#endif
};

/** A task's state.  The last three are final. */
typedef enum fl_state {
    FL_TASK_NEW = 0,   /**< initialised, not spawned */
    FL_TASK_READY,     /**< will run (or is running) */
    FL_TASK_SLEEPING,  /**< waiting for a timer */
    FL_TASK_JOINING,   /**< waiting for another task to end */
    FL_TASK_WAITING,   /**< waiting on a primitive's wait list */
    FL_TASK_FINISHED,  /**< returned a value */
    FL_TASK_FAILED,    /**< ended with an error other than cancellation */
    FL_TASK_CANCELLED  /* ended with FL_ECANCELLED */
} fl_state;

/** Bits of fl_task.flags.  Bits 3-4 are also those of an fl_frame. */
#define FL_F_CANCEL_REQ_ 0x01u  /* cancel requested, not yet delivered */
#define FL_F_CANCEL_SENT_ 0x02u /* cancellation delivered */
#define FL_F_CANCEL_WAIT_ 0x04u /* joining: in FL_CANCEL for a target;
                                   waiting: notified, queued for a lock */
#define FL_F_FINALLY_ 0x08u     /* the frame is in its finally section */
#define FL_F_ERROR_ 0x10u       /* the frame's result is an error */

/** Prepare a task to run `fn`.  Safe on a struct full of garbage; never call
 * it on a task that is alive (spawned and not finished) or posted. */
void fl_task_init(fl_task *task, fl_task_fn fn);

static inline fl_state fl_task_state(const fl_task *task)
{
    return task == NULL ? FL_TASK_NEW
                        : FL_CAST_(fl_state, task->state);
}
/** Finished, failed or cancelled. */
static inline bool fl_task_done(const fl_task *task)
{
    return fl_task_state(task) >= FL_TASK_FINISHED;
}
/** Spawned and not yet done: it may not be re-initialised or spawned. */
static inline bool fl_task_alive(const fl_task *task)
{
    return fl_task_state(task) != FL_TASK_NEW && !fl_task_done(task);
}
static inline bool fl_task_finished(const fl_task *task)
{
    return fl_task_state(task) == FL_TASK_FINISHED;
}
static inline bool fl_task_failed(const fl_task *task)
{
    return fl_task_state(task) == FL_TASK_FAILED;
}
static inline bool fl_task_cancelled(const fl_task *task)
{
    return fl_task_state(task) == FL_TASK_CANCELLED;
}
/** The value a finished task returned (0 otherwise). */
static inline fl_value fl_task_result(const fl_task *task)
{
    return fl_task_finished(task) ? task->result : 0;
}
/** The error a failed or cancelled task ended with (0 otherwise). */
static inline int fl_task_error(const fl_task *task)
{
    fl_state s = fl_task_state(task);
    return (s == FL_TASK_FAILED || s == FL_TASK_CANCELLED) ? FL_CAST_(int, task->result) : 0;
}

/* ---- Helper frames ----------------------------------------------------- */

/** The state of a nested awaitable ("helper"): a function written with the
 * same macros that a task runs with FL_CALL.  Keep it in the task's struct. */
typedef struct fl_frame {
    fl_value result;
    gen_lc lc;
    uint8_t flags;
} fl_frame;

#define fl_frame_init(f) \
    ((void)((f)->lc = GEN_LC_START, (f)->flags = 0, (f)->result = 0))
/** After FL_CALL: what the helper returned, or its error (0 if none). */
#define fl_frame_result(f) ((f)->result)
#define fl_frame_error(f) (((f)->flags & FL_F_ERROR_) ? FL_CAST_(int, (f)->result) : 0)

/* ---- Flags set from interrupts and other threads ------------------------ */

/* The few fields that an interrupt handler or another thread writes (a
 * raise, a post, a hold) are read and written through these.  With GCC and
 * Clang on a host they are atomic loads and stores, so that a raise from a
 * POSIX thread is no data race and is seen in order.  On a single-core MCU
 * (Cortex-M, bare-metal RISC-V) the fields being volatile is enough, as
 * interrupts see the core's own stores in order; the __atomic builtins
 * would cost nothing with GCC there, but Clang makes them calls into a
 * libatomic that bare metal does not have.  Never a read-modify-write:
 * Cortex-M0 has no instruction for one. */
#if defined(__GNUC__) && !((defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M') || \
                           !__STDC_HOSTED__)
#define FL_ATOMIC_LOAD_(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define FL_ATOMIC_STORE_(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
/* Between a store and a load of another flag that must not pass it: the
 * loop clears signal_pending, then reads each signal's raised byte (and
 * the posted list); without a full fence the load may be done first (the
 * store-buffering pattern, x86 too) and a raise in between be lost. */
#define FL_ATOMIC_FENCE_() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else /* the fields are volatile: the compiler keeps each access */
#define FL_ATOMIC_LOAD_(x) (x)
#define FL_ATOMIC_STORE_(x, v) ((void)((x) = (v)))
#define FL_ATOMIC_FENCE_() ((void)0) /* one core: it sees its own stores in order */
#endif

/* ---- The port: clock and idle wait ------------------------------------- */

typedef struct fl_loop fl_loop;
typedef struct fl_port fl_port;
typedef struct fl_waitq fl_waitq;

/** What a platform supplies.  Embed it in a struct of your own to give it
 * state, as with tasks. */
struct fl_port {
    /** A monotonic tick count (FL_TICK_HZ a second); it may wrap around. */
    fl_time (*now)(fl_port *port);
    /** Nothing is ready: block for up to `ticks` (with `forever`, until woken).
     * Returning early is always allowed.  On a bare-metal port this is where
     * the CPU sleeps (WFI); it must not sleep if fl_loop_signal_pending(). */
    void (*wait)(fl_port *port, fl_loop *loop, fl_time ticks, bool forever);
    /** Optional (may be NULL): make a wait() in progress return.  Called by
     * fl_signal_raise, fl_post_spawn and fl_loop_hold/release, so it must
     * be safe from an interrupt handler or another thread.  Bare metal
     * needs none: the interrupt ends the WFI. */
    void (*wake)(fl_port *port);
    /** Optional: I/O.  watch() puts `t` on the port's wait list for `fd`
     * (with fl_port_wait_on) and returns 1, or returns an error (FL_ERANGE
     * for an fd the backend cannot watch), or 0 for an fd that is ready at
     * once (the task goes on); wait() wakes the lists of the fds that
     * became ready (fl_port_io_ready).  watching() tells whether any task
     * waits on I/O, so the loop idles instead of giving up; it is asked
     * once a batch of steps, so it must be cheap. */
    int (*watch)(fl_port *port, fl_loop *loop, fl_task *t, int fd, unsigned events);
    bool (*watching)(fl_port *port);
    /** Optional, for fl_loop_dump: the fd of one of the port's wait lists. */
    int (*fd_of)(fl_port *port, const fl_waitq *list);
    /** Optional: exclude other posters while fl_post_spawn links a task
     * (POSIX: a mutex; bare metal: mask interrupts).  NULL: posts come from
     * one thread, or one interrupt priority, only. */
    void (*lock)(fl_port *port);
    void (*unlock)(fl_port *port);
};

/** I/O readiness, for watch() and FL_IO_WAIT. */
#define FL_IO_READ 1u
#define FL_IO_WRITE 2u

/** For ports with I/O (FL_ENABLE_IO): put `t` on a wait list, and wake
 * everyone on one.  A task cancelled or timed out while on the list leaves
 * it by itself.  Initialise each list with fl_waitq_init. */
static inline void fl_waitq_init(fl_waitq *q, unsigned kind);
#if FL_ENABLE_IO
void fl_port_wait_on(fl_loop *loop, fl_task *t, fl_waitq *list);
void fl_port_wake_all(fl_loop *loop, fl_waitq *list, int outcome);
/** fd became ready: report it to the hooks, then wake the list with 0. */
void fl_port_io_ready(fl_loop *loop, fl_waitq *list, int fd, unsigned events);
#endif

/** The POSIX ports, one a file in flowno/port/ (absent from bare-metal
 * builds): CLOCK_MONOTONIC in FL_TICK_HZ ticks, and a self-pipe so that
 * fl_signal_raise from another thread or a signal handler ends a wait at
 * once.  Each keeps a wait list per fd, so one port serves one loop; each
 * function returns the same ready-made port every time.  The application
 * chooses:
 *  - fl_port_posix(): select(), the portable default (lwIP has it too).
 *    fds at or above FD_SETSIZE are refused (FL_ERANGE): FD_SET on them
 *    would write past the fd_set.  A wait costs O(highest fd).
 *  - fl_port_poll(): poll(), for fds up to FL_MAX_FDS - 1 (config.h).  A
 *    wait costs O(watched fds).
 *  - fl_port_epoll() (Linux): epoll, fds up to FL_MAX_FDS - 1.  A wait
 *    costs O(ready fds), and the socket layer's waits on a socket it
 *    opened (or was given by fl_sock_nonblock) cost no system call: the
 *    kernel keeps the registration between them.  Any other wait, such as
 *    an FL_IO_WAIT of yours, asks the kernel again (one epoll_ctl), so an
 *    fd closed and its number given to a new file is watched afresh.
 *    NULL if the kernel gives no epoll instance.
 * Under epoll a regular file, which is always ready, is reported ready at
 * once, as select() and poll() do. */
fl_port *fl_port_posix(void);
fl_port *fl_port_poll(void);
#if defined(__linux__)
fl_port *fl_port_epoll(void);
#endif
#if FL_ENABLE_DUMP
/** Flowno's dump on a signal: once this is called, each `signo` (say
 * SIGUSR1) makes each POSIX port in use print fl_loop_dump through `print`
 * (NULL: to stderr) at its loop's next idle turn, from the loop's own
 * thread.  The handler itself only sets a flag and wakes the wait.  Only
 * when asked: nothing is installed otherwise.  FL_EINVAL for a signal that
 * cannot be caught; -errno if sigaction fails. */
int fl_port_posix_dump_on_signal(int signo, void (*print)(void *ctx, const char *line),
                                 void *ctx);
#endif

/** The bare-metal Cortex-M port (flowno/port/cortex_m.c; empty on other
 * targets): SysTick at FL_TICK_HZ from the core clock, WFI when idle,
 * PRIMASK around fl_post_spawn.  NULL if the clock gives no valid SysTick
 * reload.  The application's SysTick_Handler calls fl_port_cortex_m_tick. */
fl_port *fl_port_cortex_m(uint32_t core_clock_hz);
void fl_port_cortex_m_tick(void);

/** The manual port (flowno/port/manual.c): for an application that calls
 * fl_loop_poll from its own super-loop or RTOS task and sleeps as long as
 * it says.  `clock` returns the tick count (FL_TICK_HZ, may wrap).  Its
 * wait() returns at once, so fl_run_until_complete on it busy-waits for
 * the clock: drive it with fl_loop_poll. */
typedef struct fl_manual_port {
    fl_port port;
    fl_time (*clock)(void *ctx);
    void *ctx;
} fl_manual_port;

fl_port *fl_manual_port_init(fl_manual_port *p, fl_time (*clock)(void *ctx), void *ctx);

/* ---- The loop ---------------------------------------------------------- */

typedef struct fl_signal fl_signal;
typedef struct fl_hooks fl_hooks;
typedef struct fl_queue fl_queue;

/** All fields are private.  Sized entirely by config.h. */
struct fl_loop {
    /** fl_loop_init zeroes from here to the end of tasks[].  Byte fields
     * first: Thumb-1 loads a byte field in one instruction only below
     * offset 32. */
    fl_slot ready_tail;   /**< the ready circle's last; its next runs next */
    volatile uint8_t signal_pending; /**< set by fl_signal_raise */
    fl_slot live;         /**< tasks spawned and not finished */
#if FL_TIMER_HEAP
    fl_slot timer_count;  /**< the heap's entries (the scan keeps no count) */
#endif
    fl_slot free_hint;    /**< every slot below it is taken */
    fl_port *port;
    fl_task *current;     /**< the task being stepped, or NULL */
    fl_task *root;        /**< of the FL_RUN_NO_WAIT run in progress */
    fl_task *exiting;     /**< the task that called FL_EXIT, or NULL */
    fl_signal *signals;   /**< every fl_signal of this loop */
    volatile unsigned holds; /**< fl_loop_hold count: outside wake sources */
#if FL_ENABLE_POST
    fl_task *volatile posted; /**< the newest of fl_post_spawn's tasks, in a
                                   circle: each links the next newer, the
                                   newest the oldest (a word below offset
                                   128: one load on Thumb-1) */
#endif
#if FL_ENABLE_HOOKS
    fl_hooks *hooks;
#endif
    fl_time now;          /**< the clock as last read, for fl_loop_dump */
#if FL_DEBUG
    uint8_t broken;       /**< a task's struct changed under the loop */
    fl_task_fn spawned_fn[FL_MAX_TASKS]; /**< each slot's function at spawn */
#endif
    fl_task *tasks[FL_MAX_TASKS];        /**< slot -> task, NULL when free */
#if FL_TIMER_HEAP
    fl_time timer_due[FL_MAX_TIMERS];    /**< 4-ary min-heap on due time */
    fl_slot timer_slot[FL_MAX_TIMERS];   /**< the sleeper of each heap entry */
#else
    fl_time timer_due[FL_MAX_TASKS];     /**< by slot, while fl_task.timer is set */
#endif
};

/* The configuration check.  Every setting that changes the library's
 * layout or behaviour, compiled into the application (by the inline
 * functions below, with the application's config.h) and into the library:
 * the switches as bits of word 0, then the numbers. */
#ifdef GEN_USE_LABELS
#define FL_CONFIG_LABELS_ 1
#else
#define FL_CONFIG_LABELS_ 0
#endif
#define FL_CONFIG_TIME64_ (FL_TIME_BITS == 64)
/* X(value, name): name is what fl_config_diff says. */
#define FL_CONFIG_SWITCHES_(X)                                                           \
    X(FL_ENABLE_RUN, "FL_ENABLE_RUN") X(FL_ENABLE_JOIN, "FL_ENABLE_JOIN")                \
    X(FL_ENABLE_CANCEL, "FL_ENABLE_CANCEL") X(FL_ENABLE_EXIT, "FL_ENABLE_EXIT")          \
    X(FL_ENABLE_QUEUE, "FL_ENABLE_QUEUE") X(FL_ENABLE_EVENT, "FL_ENABLE_EVENT")          \
    X(FL_ENABLE_LOCK, "FL_ENABLE_LOCK") X(FL_ENABLE_COND, "FL_ENABLE_COND")              \
    X(FL_ENABLE_LATCH, "FL_ENABLE_LATCH") X(FL_ENABLE_SIGNAL, "FL_ENABLE_SIGNAL")        \
    X(FL_ENABLE_POST, "FL_ENABLE_POST") X(FL_ENABLE_TIMEOUT, "FL_ENABLE_TIMEOUT")        \
    X(FL_ENABLE_IO, "FL_ENABLE_IO") X(FL_ENABLE_NET, "FL_ENABLE_NET")                    \
    X(FL_ENABLE_HOOKS, "FL_ENABLE_HOOKS") X(FL_ENABLE_TRACE, "FL_ENABLE_TRACE")          \
    X(FL_ENABLE_DUMP, "FL_ENABLE_DUMP") X(FL_ENABLE_STRERROR, "FL_ENABLE_STRERROR")      \
    X(FL_ENABLE_ARG_CHECKS, "FL_ENABLE_ARG_CHECKS") X(FL_DEBUG, "FL_DEBUG")              \
    X(FL_TIMER_HEAP, "FL_TIMER_HEAP") X(FL_CONFIG_TIME64_, "FL_TIME_BITS")               \
    X(FL_CONFIG_LABELS_, "GEN_USE_LABELS") X(FL_ENABLE_SET_QUEUE, "FL_ENABLE_SET_QUEUE")   \
    X(FL_ENABLE_MAP_QUEUE, "FL_ENABLE_MAP_QUEUE")
#define FL_CONFIG_NUMBERS_(X)                                                            \
    X(FL_TICK_HZ, "FL_TICK_HZ") X(FL_MAX_TASKS, "FL_MAX_TASKS")                          \
    X(FL_MAX_TIMERS, "FL_MAX_TIMERS") X(FL_POLL_INTERVAL, "FL_POLL_INTERVAL")            \
    X(FL_TRACE_ROWS, "FL_TRACE_ROWS") X(sizeof(fl_loop), "sizeof(fl_loop)")              \
    X(sizeof(fl_task), "sizeof(fl_task)")                                                \
    X(FL_VERSION_NUMBER, "FL_VERSION_NUMBER (the header is another version's)")
#define FL_CONFIG_ENUM_(value, name) FL_CONFIG_BIT_##value,
enum { FL_CONFIG_SWITCHES_(FL_CONFIG_ENUM_) FL_CONFIG_BITS_ };
#define FL_CONFIG_COUNT_(value, name) +1
#define FL_CONFIG_WORDS_ (1 FL_CONFIG_NUMBERS_(FL_CONFIG_COUNT_))
#define FL_CONFIG_BIT_OF_(value, name) | (FL_CAST_(uint32_t, (value) != 0) << FL_CONFIG_BIT_##value)
#define FL_CONFIG_NUMBER_(value, name) , FL_CAST_(uint32_t, value)
typedef struct fl_config_ {
    uint32_t word[FL_CONFIG_WORDS_];
} fl_config_;
#define FL_CONFIG_OF_THIS_BUILD_ \
    {{0u FL_CONFIG_SWITCHES_(FL_CONFIG_BIT_OF_) FL_CONFIG_NUMBERS_(FL_CONFIG_NUMBER_)}}
/* The same, hashed into one constant word for fl_loop_init: each setting
 * times an odd constant of its own (so that no change of one setting can
 * go unseen), and the products mixed. */
#define FL_CONFIG_TERM_(value, k) (FL_CAST_(uint32_t, value) * (k))
#define FL_CONFIG_HASH_                                                                  \
    (FL_CONFIG_TERM_(0u FL_CONFIG_SWITCHES_(FL_CONFIG_BIT_OF_), 0x9E3779B1u) ^            \
     FL_CONFIG_TERM_(FL_TICK_HZ, 0x85EBCA77u) ^ FL_CONFIG_TERM_(FL_MAX_TASKS, 0xC2B2AE3Du) ^ \
     FL_CONFIG_TERM_(FL_MAX_TIMERS, 0x27D4EB2Fu) ^ FL_CONFIG_TERM_(FL_POLL_INTERVAL, 0x165667B1u) ^ \
     FL_CONFIG_TERM_(FL_TRACE_ROWS, 0xD3A2646Du) ^ FL_CONFIG_TERM_(sizeof(fl_loop), 0xFD7046C5u) ^ \
     FL_CONFIG_TERM_(sizeof(fl_task), 0xB55A4F09u) ^ FL_CONFIG_TERM_(FL_VERSION_NUMBER, 0x61C88647u))

int fl_loop_init_(fl_loop *loop, fl_port *port, uint32_t config_hash);
const char *fl_config_diff_(const fl_config_ *app, uint32_t app_hash);

/** Reset `loop` (forgetting any tasks it had) and attach it to `port`.
 * FL_ECONFIG, touching nothing, when the library was built with another
 * configuration than the caller (another FL_TICK_HZ, capacity, feature
 * switch, continuation type or flowno version): fl_config_diff() names
 * the setting. */
static inline int fl_loop_init(fl_loop *loop, fl_port *port)
{
    return fl_loop_init_(loop, port, FL_CONFIG_HASH_);
}
/** NULL if this code and the library were built with the same settings;
 * else the first that differs ("FL_TICK_HZ", "FL_ENABLE_QUEUE",
 * "sizeof(fl_task)", ...; "" when FL_ENABLE_STRERROR is 0). */
static inline const char *fl_config_diff(void)
{
    const fl_config_ app = FL_CONFIG_OF_THIS_BUILD_;
    return fl_config_diff_(&app, FL_CONFIG_HASH_);
}
/** Read the port's clock. */
fl_time fl_now(fl_loop *loop);

/** Spawn `task` (Flowno's create_task): from plain C code, or from a task,
 * which goes on at once (FL_SPAWN instead lets the child run first, as
 * Flowno's `await spawn()`).  With fn NULL the function given to
 * fl_task_init is kept.  FL_EBUSY if the task is alive
 * or handed to fl_post_spawn and not yet taken in, FL_ENOSPC if the table
 * is full. */
int fl_spawn(fl_loop *loop, fl_task *task, fl_task_fn fn);

/** Request cancellation of `task`.  True when it was delivered or is already
 * pending; false when the task has already ended (or is not in this loop).
 * A waiting task is woken at once with FL_ECANCELLED; a ready one sees the
 * error at its next suspension point. */
bool fl_cancel(fl_loop *loop, fl_task *task);

/** Run what can run now without waiting (the "manual" port: call it from
 * your own super-loop or RTOS task): deliver raised signals, fire due
 * timers, look at the fds tasks wait on (without sleeping, on a port with
 * I/O), and step ready tasks (at most FL_POLL_INTERVAL of them, so it
 * returns promptly).  Returns how many tasks are alive; *next_wait (may be
 * NULL) gets how long you may sleep before calling again: 0 if tasks are
 * still ready, the time to the next timer, or FL_TIME_FOREVER if only a
 * signal or I/O can wake anyone.  FL_EBUSY if called from inside a task. */
int fl_loop_poll(fl_loop *loop, fl_time *next_wait);
#define FL_TIME_FOREVER FL_CAST_(fl_time, -1)

/** Spawn `task` (prepared with fl_task_init) from another thread or an
 * interrupt handler: Flowno's create_task from another thread.  The loop
 * spawns it at its next poll and is woken through the port.  No
 * allocation: the task's own struct links it.  FL_EBUSY if it is alive or
 * already posted.  If the table is full when the loop takes it, the task
 * ends failed with FL_ENOSPC.  Safe against concurrent posters only if the
 * port has lock/unlock (the POSIX port does). */
int fl_post_spawn(fl_loop *loop, fl_task *task);

/** Tell the loop that something outside it (a thread, an interrupt, another
 * loop) may still post a task or raise a signal: while held, a loop with
 * nothing to do waits instead of returning FL_EINCOMPLETE.  Counted.  Safe
 * from other threads and interrupt handlers when the port has lock/unlock
 * (the POSIX and Cortex-M ports do); otherwise from the loop's own thread
 * (or one interrupt priority) only, as with fl_post_spawn. */
void fl_loop_hold_(fl_loop *loop, bool hold); /* false: release */
static inline void fl_loop_hold(fl_loop *loop)
{
    fl_loop_hold_(loop, true);
}
static inline void fl_loop_release(fl_loop *loop)
{
    fl_loop_hold_(loop, false);
}

#if FL_ENABLE_RUN
/** Options of fl_run_until_complete. */
#define FL_RUN_JOIN 0x1u    /* return the root's error; store its value */
#define FL_RUN_NO_WAIT 0x2u /* stop when the root ends, not when all do */

/** Run until `root` has ended (spawning it first if it is new) and, unless
 * FL_RUN_NO_WAIT, until every other task has ended too.  Returns 0; with
 * FL_RUN_JOIN the root's error if it failed, and its value in *result.  A
 * task's FL_EXIT stops the loop at once: its value in *result, or its error
 * returned.  FL_EINCOMPLETE when nothing can make progress but the root has
 * not ended.  `max_wait`, when not 0, bounds each idle wait of the port. */
int fl_run_until_complete(fl_loop *loop, fl_task *root, unsigned flags,
                          fl_time max_wait, fl_value *result);
#endif

/* ---- Queues and synchronization ----------------------------------------- */

/** A wait list, with the kind of wait, so that fl_loop_dump can say what a
 * task waits on. */
struct fl_waitq {
    fl_slot last; /**< the newest waiter, whose next is the oldest */
    uint8_t kind; /**< enum fl_wait_kind */
};

static inline void fl_waitq_init(fl_waitq *q, unsigned kind)
{
    q->last = FL_SLOT_NONE;
    q->kind = FL_CAST_(uint8_t, kind);
}

enum fl_wait_kind {
    FL_WAIT_OTHER = 0,
    FL_WAIT_QUEUE_GET,
    FL_WAIT_QUEUE_PUT,
    FL_WAIT_QUEUE_PEEK,
    FL_WAIT_EVENT,
    FL_WAIT_LOCK,
    FL_WAIT_COND,
    FL_WAIT_LATCH,
    FL_WAIT_SIGNAL,
    FL_WAIT_IO_READ,
    FL_WAIT_IO_WRITE
};

#if FL_ENABLE_SET_QUEUE || FL_ENABLE_MAP_QUEUE
/** Whether two items of a set queue (two keys of a map queue) are equal. */
typedef bool (*fl_same_fn)(const void *a, const void *b);
#endif

/** A bounded FIFO of fixed-size items over storage you provide (Flowno's
 * AsyncQueue).  put waits while it is full, get while it is empty; waiters
 * are served in the order they came.  Closing wakes everyone: getters drain
 * what is left and then get FL_ECLOSED, putters get FL_ECLOSED at once.
 * The same struct, macros and functions serve set and map queues (below). */
struct fl_queue {
    /** In the order of their commands' fl_op, and first: a command's list is
     * the queue's address and a multiple of its index, no offset more. */
    fl_waitq getters, peekers, putters;
    uint8_t closed; /**< the bytes first: Thumb-1 loads one in an instruction below 32 */
    uint8_t mode; /**< 0: a plain queue; else FL_QUEUE_SET_ or FL_QUEUE_MAP_ */
    fl_loop *loop;
    unsigned char *items;
    size_t item_size;
    unsigned capacity, head, count;
    unsigned get_reserved; /**< items promised to woken getters */
    unsigned put_reserved; /**< free places promised to woken putters */
#if FL_ENABLE_SET_QUEUE || FL_ENABLE_MAP_QUEUE
    fl_same_fn same; /**< set and map queues: equal items (keys); NULL: same bytes */
#endif
};

#define FL_QUEUE_SET_ 1
#define FL_QUEUE_MAP_ 2

/** `storage` holds `capacity` items of `item_size` bytes.  FL_EINVAL for a
 * NULL pointer or a zero size or capacity. */
int fl_queue_init(fl_queue *q, fl_loop *loop, void *storage, size_t item_size,
                  unsigned capacity);
/** The non-blocking forms, callable from plain C or from a task.  try_put:
 * FL_EAGAIN when full, FL_ECLOSED when closed (set and map queues have two
 * answers more, below).  try_get and peek: FL_EAGAIN when empty, FL_ECLOSED
 * when closed and empty.  FL_EINVAL for NULL, or a queue never initialised
 * (all zero). */
int fl_queue_try_put(fl_queue *q, const void *item);
int fl_queue_try_get(fl_queue *q, void *item);
int fl_queue_peek(const fl_queue *q, void *item);
/** Close (Flowno's handle_queue_close); closing twice is harmless. */
int fl_queue_close(fl_queue *q);
static inline unsigned fl_queue_len(const fl_queue *q)
{
    return q == NULL ? 0 : q->count;
}
static inline bool fl_queue_closed(const fl_queue *q)
{
    return q != NULL && q->closed;
}

/** What a put into a set or map queue gives (FL_QUEUE_PUT_RC, and
 * fl_queue_try_put) when an equal item, or the same key, is queued
 * already: a set queue has dropped the item, a map queue has added the
 * values under that key.  Not an error: FL_QUEUE_PUT goes on. */
#define FL_QUEUE_PRESENT 2

#if FL_ENABLE_SET_QUEUE || FL_ENABLE_MAP_QUEUE
/** Whether an item equal to `key` is in `q` (Flowno's `item in queue`):
 * for a map queue `key` points to a key, for the others to an item (a
 * plain queue compares bytes).  An item is in the queue from its put until
 * a getter takes it, also while it is promised to a woken getter that has
 * not run yet.  False for bad input. */
unsigned char *fl_queue_find_(const fl_queue *q, const void *key); /* the item, or NULL */
static inline bool fl_queue_contains(const fl_queue *q, const void *key)
{
    return q != NULL && key != NULL && fl_queue_find_(q, key) != NULL;
}
#endif

#if FL_ENABLE_SET_QUEUE
/** Make `q` a set queue (Flowno's AsyncSetQueue): an fl_queue that holds
 * an item at most once.  A put of an item equal to one in the queue is
 * dropped and answered FL_QUEUE_PRESENT at once, even when the queue is
 * full; fl_queue_try_put says the same, and 0 when it added the item.
 * Everything else is the fl_queue's: the FL_QUEUE_* macros, close and
 * drain, FIFO waiters.  Items are equal when `same` says so, or, with
 * `same` NULL, when their bytes are (zero the padding of a struct item).
 * A putter that waited for a place looks again once it has one, and drops
 * its item if an equal one came in meanwhile.  Arguments as fl_queue_init. */
static inline int fl_set_queue_init(fl_queue *q, fl_loop *loop, void *storage,
                                    size_t item_size, unsigned capacity, fl_same_fn same)
{
    int rc = fl_queue_init(q, loop, storage, item_size, capacity);
    if (rc == 0) {
        q->mode = FL_QUEUE_SET_;
        q->same = same;
    }
    return rc;
}
#endif

#if FL_ENABLE_MAP_QUEUE
/** A map queue (Flowno's AsyncMapQueue): values go in under a key, and out
 * comes one entry a key with every value put under it since, keys in the
 * order they were first put.  Puts and gets both move entries: a put is an
 * entry with its key and `count` values (usually one).  A put of a key
 * already queued adds its values to that key's entry at once and is
 * answered FL_QUEUE_PRESENT; a put of a new key queues its entry (0),
 * waiting while all `capacity` places are taken (fl_queue_try_put:
 * FL_EAGAIN).  An entry holds at most its array of values: a put that
 * would go past it is refused whole with FL_ENOSPC, by the waiting and the
 * non-blocking put alike, and its values stay with the caller; a count of
 * 0 or past the array is FL_EINVAL.  As with a set queue, a key promised to
 * a woken getter is still queued: values put meanwhile go into the entry
 * that getter is about to take.  Everything else is the fl_queue inside,
 * `queue`: the macros, close and drain, FIFO waiters, fl_queue_len (the
 * keys queued), fl_queue_contains (a key).
 *
 *     typedef FL_MAP_ENTRY(int, int, 4) entry;   (a key, up to 4 values)
 *     static entry storage[8];                   (up to 8 keys)
 *     static fl_map_queue mq;
 *     fl_map_queue_init(&mq, &loop, storage, 8, entry, NULL);
 *
 *     w->in.key = 7; w->in.values[0] = 1; w->in.count = 1;
 *     FL_QUEUE_PUT(self, &mq.queue, &w->in);
 *     FL_QUEUE_GET(self, &mq.queue, &w->out);    (.key, .count, .values[i])
 */
typedef struct fl_map_queue {
    fl_queue queue;   /**< first: the queue of entries */
    size_t key_size;  /**< the fields are private */
    size_t values_at, value_size, count_at;
    size_t max_values; /* a word: Thumb-1 loads a byte at this offset in two instructions */
} fl_map_queue;

/** An entry type: a key, up to `max_values` (at most 255) values, and how
 * many of them are set.  The types must be declarable as `type name`
 * (typedef an array type first).  A struct of your own works as well if
 * it has these members, the key first. */
#define FL_MAP_ENTRY(key_type, value_type, max_values) \
    struct { key_type key; value_type values[max_values]; uint8_t count; }

/** `storage` holds `capacity` entries of type `entry_type`; keys are
 * equal when `same` says so, or, with `same` NULL, when their bytes are.
 * FL_EINVAL as fl_queue_init, and for an entry type whose key is not
 * first or that has more than 255 values. */
#define fl_map_queue_init(mq, loop, storage, capacity, entry_type, same)                  \
    fl_map_queue_init_((mq), (loop), (storage), (capacity), (same), sizeof(entry_type),   \
                       offsetof(entry_type, key) == 0 ? sizeof(((entry_type *)0)->key) : 0, \
                       offsetof(entry_type, values), sizeof(((entry_type *)0)->values[0]), \
                       sizeof(((entry_type *)0)->values) / sizeof(((entry_type *)0)->values[0]), \
                       offsetof(entry_type, count))
int fl_map_queue_init_(fl_map_queue *mq, fl_loop *loop, void *storage, unsigned capacity,
                       fl_same_fn same, size_t entry_size, size_t key_size, size_t values_at,
                       size_t value_size, size_t max_values, size_t count_at);
#endif

/** A mutex with FIFO handoff: release gives the lock to the oldest waiter.
 * Only the owner may release it (FL_EPERM otherwise). */
/* The wait list comes first in a lock, a condition and a latch: its
 * address is the struct's, which spares an add at each use of it. */
typedef struct fl_lock {
    fl_waitq waiters;
    fl_loop *loop;
    fl_task *owner;
} fl_lock;

int fl_lock_init(fl_lock *lock, fl_loop *loop);
/** Take the lock if it is free (FL_EAGAIN otherwise). */
int fl_lock_try_acquire(fl_lock *lock, fl_task *self);
int fl_lock_release(fl_lock *lock, fl_task *self);
static inline fl_task *fl_lock_owner(const fl_lock *lock)
{
    return lock == NULL ? NULL : lock->owner;
}

/** A condition variable bound to a lock.  Waiting releases the lock and, once
 * notified, takes it back before returning; notify moves waiters, oldest
 * first, onto the lock's queue.  A wait that ends in an error (cancelled or
 * timed out before a notify came) returns WITHOUT the lock.  Once notified,
 * a waiter always returns 0 holding the lock: a cancel that comes later is
 * seen at its next suspension point, so no notify is lost to it. */
typedef struct fl_cond {
    fl_waitq waiters;
    fl_lock *lock;
} fl_cond;

int fl_cond_init(fl_cond *cond, fl_lock *lock);
/** Wake up to `n` waiters; returns how many (or FL_EINVAL).  Callable from a
 * task holding the lock or from plain C. */
int fl_cond_notify(fl_cond *cond, unsigned n);
static inline int fl_cond_notify_all(fl_cond *cond)
{
    return fl_cond_notify(cond, FL_CAST_(unsigned, -1) >> 1);
}

/** A countdown latch: waiters wake when the count reaches zero. */
typedef struct fl_latch {
    fl_waitq waiters;
    fl_loop *loop;
    unsigned count;
} fl_latch;

/* fl_latch_init and fl_event_init: `kind` tells fl_loop_dump which. */
int fl_latch_init_(fl_latch *latch, fl_loop *loop, unsigned count, unsigned kind);
static inline int fl_latch_init(fl_latch *latch, fl_loop *loop, unsigned count)
{
    return fl_latch_init_(latch, loop, count, FL_WAIT_LATCH);
}
/** Count one down.  At zero already: FL_ERANGE if `error_if_zero`, else 0
 * and nothing happens (Flowno's exception_if_zero). */
int fl_latch_count_down(fl_latch *latch, bool error_if_zero);
static inline unsigned fl_latch_count(const fl_latch *latch)
{
    return latch == NULL ? 0 : latch->count;
}

/** A one-shot event: set wakes every waiter; waiting on a set event returns
 * at once.  It is a latch that counts down from one (so setting twice is
 * harmless), which costs no code of its own. */
typedef struct fl_event {
    fl_latch latch; /**< first: FL_EVENT_WAIT waits on it */
} fl_event;

/* What FL_EVENT_WAIT waits on: the event's latch (NULL stays NULL). */
static inline fl_latch *fl_event_latch_(fl_event *ev)
{
    return ev == NULL ? NULL : &ev->latch;
}
static inline int fl_event_init(fl_event *ev, fl_loop *loop)
{
    return fl_latch_init_(fl_event_latch_(ev), loop, 1, FL_WAIT_EVENT);
}
static inline int fl_event_set(fl_event *ev)
{
    return fl_latch_count_down(fl_event_latch_(ev), false);
}
static inline bool fl_event_is_set(const fl_event *ev)
{
    return ev != NULL && ev->latch.loop != NULL && ev->latch.count == 0;
}

/** An interrupt-safe wake-up.  An interrupt handler (or a POSIX thread)
 * calls fl_signal_raise; the loop wakes the tasks waiting in FL_SIGNAL_WAIT.
 * A raise with nobody waiting is kept for the next waiter; raises that come
 * before anyone waited merge into one, like a binary semaphore.  Raising
 * only stores two bytes (and calls the port's wake hook), so it allocates
 * nothing and takes no lock. */
struct fl_signal {
    fl_waitq waiters; /* first: at the signal's own address (no offset to add) */
    volatile uint8_t raised;
    fl_loop *loop;
    fl_signal *next;
};

/** Attach `sig` to `loop`.  Do it before raising; FL_EBUSY if already
 * attached to `loop`.  Attaching a signal to a second loop while the first
 * still has it is not detected (its fields cannot be told from memory never
 * initialised) and breaks the first loop's list of signals: attach each
 * signal once. */
int fl_signal_init(fl_signal *sig, fl_loop *loop);
/** Interrupt-safe.  Wakes the loop's idle wait through the port. */
void fl_signal_raise(fl_signal *sig);
/** True if a raise is waiting to be delivered (for a port's wait()). */
#define fl_loop_signal_pending(loop) (FL_ATOMIC_LOAD_((loop)->signal_pending) != 0)

/* ---- Seeing the schedule ------------------------------------------------ */

/** Why a task became ready: the task_ready hook's `cause`.  The waker is
 * fl_loop_current(loop) when the hook runs: the task whose command or call
 * woke it, or NULL (a timer, an fd, plain C, an interrupt's signal). */
enum fl_ready_cause {
    FL_READY_SPAWNED,       /**< spawned, or taken in from fl_post_spawn */
    FL_READY_STEPPED_ASIDE, /**< a yield, or behind the tasks its command made ready */
    FL_READY_SLEPT,         /**< its sleep ended */
    FL_READY_TIMED_OUT,     /**< its deadline passed; `obj`: the fl_waitq it left */
    FL_READY_CANCELLED,     /**< a cancel woke it out of its wait */
    FL_READY_JOINED,        /**< the task it waited for ended; `obj`: that task */
    FL_READY_WOKEN          /**< woken off a wait list; `obj`: the fl_waitq */
};

#if FL_ENABLE_HOOKS
/** Instrumentation (Flowno's EventLoopInstrument).  Every member may be
 * NULL.  Hooks run inside the loop: they must not call the loop back.  With
 * FL_ENABLE_HOOKS 0 none of this exists and the loop has no hook code. */
struct fl_hooks {
    /** Around each call of a task's function; `cmd` is what it returned. */
    void (*step_begin)(fl_hooks *h, fl_loop *loop, fl_task *t);
    void (*step_end)(fl_hooks *h, fl_loop *loop, fl_task *t, const fl_cmd *cmd);
    /** The task became ready, for `cause` (enum fl_ready_cause).
     * t->wait.value already holds what it resumes with: the wait's
     * outcome (0 or an error; 1 for a peeker woken to look again). */
    void (*task_ready)(fl_hooks *h, fl_loop *loop, fl_task *t, int cause, const void *obj);
    /** The task ended: fl_task_state says finished, failed or cancelled. */
    void (*task_end)(fl_hooks *h, fl_loop *loop, fl_task *t);
    /** A task started waiting for an fd; the port found an fd ready. */
    void (*io_wait)(fl_hooks *h, fl_loop *loop, fl_task *t, int fd, unsigned events);
    void (*io_ready)(fl_hooks *h, fl_loop *loop, int fd, unsigned events);
    /** An item went into or out of a queue (into a map queue: the entry
     * put, whether it was queued or its values added to one queued). */
    void (*queue_put)(fl_hooks *h, fl_loop *loop, fl_queue *q, const void *item);
    void (*queue_get)(fl_hooks *h, fl_loop *loop, fl_queue *q, const void *item);
};

/** Attach `hooks` (NULL to detach). */
void fl_loop_set_hooks(fl_loop *loop, fl_hooks *hooks);
/** The task being stepped, or NULL between steps: the waker, in a hook. */
fl_task *fl_loop_current(const fl_loop *loop);
/** The primitive a wait list belongs to (its fl_queue, fl_lock, fl_cond,
 * fl_event, fl_latch or fl_signal, by the list's kind), or NULL for the
 * port's fd lists and lists of kind FL_WAIT_OTHER. */
const void *fl_waitq_owner(const fl_waitq *q);
#endif

#if FL_ENABLE_TRACE
/** What a trace record says happened to a task. */
enum fl_trace_kind {
    FL_TRACE_RUN,   /**< its function was called */
    FL_TRACE_STOP,  /**< its function returned a command */
    FL_TRACE_READY, /**< it became ready (spawned, woken, yielded) */
    FL_TRACE_END    /**< it finished, failed or was cancelled */
};

/** One event of the schedule: what a task asked for, and why and by whom
 * it was made ready, which is the whole story of a cooperative loop.
 * 20 bytes on a 32-bit target (24 with FL_TIME_BITS 64), 32 on a 64-bit
 * host. */
typedef struct fl_trace_record {
    uint32_t t;        /**< the trace clock */
    uint8_t kind;      /**< enum fl_trace_kind */
    /** STOP: the command's op (enum fl_op); READY: the cause (enum
     * fl_ready_cause); END: the state it ended in (fl_state). */
    uint8_t what;
    /** The kind of wait list (enum fl_wait_kind): READY woken or timed
     * out, the list it left; STOP of FL_OP_LATCH_WAIT, the list it is
     * about to wait on (FL_WAIT_EVENT for an event's latch). */
    uint8_t wait_kind;
    /** READY: the sign of what its wait returns: 0; 1 (a queue's item or
     * place set aside for it, a count); -1, an error (FL_ECLOSED off a
     * queue, the error of the task it joined, a cancel, a deadline). */
    int8_t outcome;
    const fl_task *task;
    /** READY: the task whose step made it ready (itself when it stepped
     * aside), or NULL: a timer, an fd, plain C, an interrupt's signal. */
    const fl_task *by;
    /** STOP: the command's argument (the child, the queue, the ticks, ...);
     * READY: what woke it (the primitive whose list it left, the task it
     * joined); END: its result, or its error. */
    union {
        const void *ptr;
        fl_value value;
        fl_time ticks;
    } arg;
} fl_trace_record;

/** The exporters write through `write` (return < 0 to stop) and name each
 * task with `name` (NULL, or returning NULL: "task N").  One row a task, up
 * to FL_TRACE_ROWS; more give FL_ENOSPC after the rest is written. */
typedef int (*fl_trace_write_fn)(void *ctx, const char *buf, size_t len);
typedef const char *(*fl_trace_name_fn)(void *ctx, const fl_task *task);
/** Names the primitives (and tasks, when the exporter's `name` does not)
 * that commands are about, by address: "QUEUE_GET jobs".  NULL: "queue1",
 * "lock2", ... numbered as they first appear. */
typedef const char *(*fl_trace_object_name_fn)(void *ctx, const void *obj);

/** A recorder of the schedule: hooks that append to a ring of records you
 * provide.  When the ring is full the oldest records are overwritten and
 * counted in `dropped`.  Each event costs a clock read and a store. */
typedef struct fl_trace {
    fl_hooks hooks; /**< first, so the loop can call it */
    fl_trace_record *records;
    unsigned capacity, head, count;
    unsigned long dropped;
    uint32_t (*clock)(void *ctx); /**< NULL: the loop's own clock */
    void *clock_ctx;
    uint32_t clock_hz;
    fl_trace_object_name_fn object_name; /**< set by fl_trace_name_objects */
    void *object_name_ctx;
} fl_trace;

/** `clock` (with `clock_hz` ticks a second) times the events; with NULL the
 * loop's tick is used.  A finer clock (microseconds) shows more: a task step
 * usually takes far less than a millisecond.  FL_EINVAL for NULL records,
 * zero capacity, or a clock without a rate. */
int fl_trace_init(fl_trace *tr, fl_trace_record *records, unsigned capacity,
                  uint32_t (*clock)(void *ctx), void *clock_ctx, uint32_t clock_hz);
/** Start recording `loop` (this takes its hooks slot); stop with
 * fl_loop_set_hooks(loop, NULL). */
int fl_trace_attach(fl_trace *tr, fl_loop *loop);
/** Append a record of your own (a loop of your own can be drawn by the
 * exporters too), overwriting the oldest when the ring is full. */
int fl_trace_add(fl_trace *tr, const fl_trace_record *rec);
/** Give the exporters names for the queues, locks, events, ... (see
 * fl_trace_object_name_fn).  `name` NULL: numbered names. */
void fl_trace_name_objects(fl_trace *tr, fl_trace_object_name_fn name, void *ctx);

/** Chrome trace-event JSON (opens in ui.perfetto.dev or chrome://tracing):
 * a thread a task, a slice for each span of running, ready and waiting,
 * with the command it ran or waits on in its args ("command": "SLEEP 90
 * ms"), and a flow event (an arrow) from each waker to the task it woke. */
int fl_trace_write_json(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                        fl_trace_name_fn name, void *name_ctx);
/** A VCD file (GTKWave): a 2-bit signal a task, 00 waiting, 01 ready,
 * 10 running, zz ended. */
int fl_trace_write_vcd(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx);
/** An SVG picture: a row a task, coloured spans for running, ready and
 * waiting, the command at each suspension, an arrow from each waker to the
 * task it woke, and a time axis stretched so that every event has room. */
int fl_trace_write_svg(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                       fl_trace_name_fn name, void *name_ctx);
/** A web page that needs nothing else (no network, no script or font from
 * elsewhere: open the file): the SVG timeline, and a step at a time,
 * forward and back, each command with the loop's state after it (the task
 * running, the ready list in order, each wait list, the timers due, each
 * task's state), rebuilt from the records.  "#step=N" in the address opens
 * it at step N. */
int fl_trace_write_html(const fl_trace *tr, fl_trace_write_fn write, void *ctx,
                        fl_trace_name_fn name, void *name_ctx);
#endif

#if FL_ENABLE_DUMP
/** Describe every task of the loop, one line each, and a line of counts:
 * its state, and what it waits on (the timer and when it is due, the task
 * it joins, the queue, lock, event, condition, latch or signal, the fd).
 * `print` gets each line without a newline; the library has no stdio.  It
 * only reads, so it is safe between steps, from a task, or from a hook. */
void fl_loop_dump(const fl_loop *loop, void (*print)(void *ctx, const char *line), void *ctx);
#endif

/* ---- Writing a task ---------------------------------------------------- */

/** Frame plumbing: the macros below reach the current frame's continuation,
 * flags and result through these three locals, so that a task body and a
 * helper body use the very same macros.  They are named so that a macro
 * used where FL_BEGIN has not declared them (a plain function, before
 * FL_BEGIN) fails to compile with an error that says so. */
#define fl_lc_ FL_wait_macro_used_outside_a_task_body
#define fl_flags_ FL_task_macro_used_outside_a_task_body
#define fl_result_ FL_RETURN_or_FAIL_used_outside_a_task_body
#define FL_BEGIN_FRAME_(lcp, flagsp, resultp)  \
    gen_lc *const fl_lc_ = (lcp);              \
    uint8_t *const fl_flags_ = (flagsp);       \
    fl_value *const fl_result_ = (resultp);    \
fl_dispatch_:                                  \
    GEN_DISPATCH_(*fl_lc_)

/** First statement of a task body.  Declare locals before it. */
#define FL_BEGIN(self) FL_BEGIN_FRAME_(&(self)->lc, &(self)->flags, &(self)->result)

/** First statement of a helper body: `fl_cmd h(fl_task *self, fl_frame *f, ...)`,
 * declared FL_AWAITABLE so that calling it without FL_CALL is a warning. */
#define FL_BEGIN_HELPER(self, frame) \
    (void)(self);                    \
    FL_BEGIN_FRAME_(&(frame)->lc, &(frame)->flags, &(frame)->result)

/** Optional cleanup section, before FL_END.  It runs when the body falls into
 * it, returns, fails, or is cancelled.  Inside it, fl_pending_error(self)
 * tells why; FL_RETURN replaces an error with a value (Flowno's "value from
 * finally"), FL_FAIL replaces it with another error, and it may wait. */
#define FL_FINALLY(self)                 \
    GEN_MARK_POINT_(fl_finally_)         \
    *fl_flags_ |= FL_F_FINALLY_;

/** The error the current frame is unwinding with, or 0. */
#define fl_pending_error(self) \
    ((*fl_flags_ & FL_F_ERROR_) ? FL_CAST_(int, *fl_result_) : 0)

/** Last statement of a task or helper body.  A body resumed at a point it
 * does not have (a wait inside a switch of your own) fails with
 * FL_ERESUME, after its finally section. */
#define FL_END(self)                                 \
    GEN_DISPATCH_END_(*fl_lc_, FL_RAISE_(FL_ERESUME)) \
    if (0)                                           \
        goto fl_dispatch_;                           \
    (void)fl_result_;                \
    (void)fl_flags_;                 \
    *fl_lc_ = GEN_LC_DONE;           \
    return fl_cmd_(FL_OP_DONE, NULL)

/** Leave the body for the finally section, or end if already in it. */
#define FL_UNWIND_()                                                            \
    do {                                                                        \
        *fl_lc_ = (*fl_flags_ & FL_F_FINALLY_) ? GEN_LC_DONE : GEN_LC_MARK;     \
        goto fl_dispatch_;                                                      \
    } while (0)

#define FL_RAISE_(err)                   \
    do {                                 \
        *fl_result_ = FL_VALUE_(err);    \
        *fl_flags_ |= FL_F_ERROR_;       \
        FL_UNWIND_();                    \
    } while (0)

/** End with a value (after the finally section). */
#define FL_RETURN(self, value)                                   \
    do {                                                         \
        *fl_result_ = FL_VALUE_(value);                          \
        *fl_flags_ = FL_CAST_(uint8_t, *fl_flags_ & ~FL_F_ERROR_); \
        FL_UNWIND_();                                            \
    } while (0)

/** End with an error (after the finally section).  `err` should be negative;
 * anything else becomes FL_EINVAL. */
#define FL_FAIL(self, err)                        \
    do {                                          \
        int fl_err_ = (err);                      \
        FL_RAISE_(fl_err_ < 0 ? fl_err_ : FL_EINVAL); \
    } while (0)

/** Propagate `rc` if it is an error: one macro, like a raise. */
#define FL_CHECK(self, rc)                        \
    do {                                          \
        int fl_rc_ = (rc);                        \
        if (fl_rc_ < 0)                           \
            FL_RAISE_(fl_rc_);                    \
    } while (0)

/** Suspend with command `cmd`; store the outcome of the wait in `rc`. */
#define FL_AWAIT_RC(self, rc, cmd)                        \
    do {                                                  \
        GEN_SUSPEND_(*fl_lc_, return (cmd));              \
        (rc) = FL_CAST_(int, (self)->wait.value);         \
    } while (0)

/** Suspend with command `cmd`; an error outcome propagates. */
#define FL_AWAIT(self, cmd)                               \
    do {                                                  \
        GEN_SUSPEND_(*fl_lc_, return (cmd));              \
        if ((self)->wait.value < 0)                       \
            FL_RAISE_((self)->wait.value);                \
    } while (0)

/** Let every other ready task run first. */
#define FL_YIELD(self) FL_AWAIT(self, fl_cmd_ticks_(FL_OP_YIELD, 0))
#define FL_YIELD_RC(self, rc) FL_AWAIT_RC(self, rc, fl_cmd_ticks_(FL_OP_YIELD, 0))

/** Sleep for `ticks` (use FL_MS).  0 behaves as a yield. */
#define FL_SLEEP(self, ticks) FL_AWAIT(self, fl_cmd_sleep_(ticks))
#define FL_SLEEP_RC(self, rc, ticks) FL_AWAIT_RC(self, rc, fl_cmd_sleep_(ticks))

/** Start `child` (an fl_task *) running `child_fn`, or its fl_task_init
 * function when child_fn is NULL (Flowno's `await spawn(child)`).  The
 * child runs first: the spawner goes behind it on the ready list, and goes
 * on when its turn comes.  Fails at once with FL_EBUSY or FL_ENOSPC.  To
 * spawn without stepping aside (Flowno's create_task), a task calls
 * fl_spawn. */
#define FL_SPAWN(self, child, child_fn)                           \
    do {                                                    \
        (self)->wait.fn = (child_fn);                             \
        FL_AWAIT(self, fl_cmd_(FL_OP_SPAWN, (child)));      \
    } while (0)
#define FL_SPAWN_RC(self, rc, child, child_fn)                    \
    do {                                                    \
        (self)->wait.fn = (child_fn);                             \
        FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_SPAWN, (child))); \
    } while (0)

/** Wait until `child` has ended.  Its error propagates (FL_ECANCELLED if it
 * was cancelled); its value is fl_task_result(child). */
#define FL_JOIN(self, child) FL_AWAIT(self, fl_cmd_(FL_OP_JOIN, (child)))
#define FL_JOIN_RC(self, rc, child) FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_JOIN, (child)))

/** Cancel `target` and wait until it has ended (Flowno's `await
 * task.cancel()`).  The outcome is 0 when it ended cancelled or returned a
 * value (fl_task_result), or the other error it failed with. */
#define FL_CANCEL(self, target) FL_AWAIT(self, fl_cmd_(FL_OP_CANCEL_JOIN, (target)))
#define FL_CANCEL_RC(self, rc, target) \
    FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_CANCEL_JOIN, (target)))

/** Cancel `target` without waiting; `ok` gets fl_cancel's answer (1 or 0). */
#define FL_CANCEL_NOWAIT(self, ok, target) \
    FL_AWAIT_RC(self, ok, fl_cmd_(FL_OP_CANCEL, (target)))

/** Stop the loop at once: fl_run_until_complete returns 0 with `value` in
 * *result, or returns `err`.  The task ends with that outcome; its finally
 * section does not run. */
#define FL_EXIT(self, value) \
    GEN_SUSPEND_(*fl_lc_, return fl_cmd_value_(FL_OP_EXIT, FL_VALUE_(value)))
#define FL_EXIT_ERROR(self, err) \
    GEN_SUSPEND_(*fl_lc_, return fl_cmd_value_(FL_OP_EXIT_ERROR, FL_VALUE_(err)))

/** Run helper `call` (whose frame is `frame`) until it ends; while it waits,
 * the task waits.  Its value is fl_frame_result(frame); its error is handed
 * to `rc` (FL_CALL_RC) or propagates (FL_CALL). */
#define FL_CALL_RC(self, rc, frame, call)                             \
    do {                                                              \
        fl_frame_init(frame);                                         \
        GEN_POINT_(*fl_lc_)                                           \
        {                                                             \
            fl_cmd fl_sub_ = (call);                                  \
            if (fl_sub_.op != FL_OP_DONE)                             \
                return fl_sub_;                                       \
        }                                                             \
        (rc) = fl_frame_error(frame);                                 \
    } while (0)
#define FL_CALL(self, frame, call)                                    \
    do {                                                              \
        FL_CALL_RC(self, (self)->wait.value, frame, call);            \
        FL_PROPAGATE_((self)->wait.value);                            \
    } while (0)

/* The queue macros' speed path: a command that can be answered at once
 * is answered in the task, as the loop would answer it, when nothing
 * could tell the difference: the task is the one the queue's loop is
 * stepping, no hooks watch the steps, no deadline is set, and (but for a
 * woken waiter's retry, which sees neither) no cancel is pending and no
 * deadline passed while it was ready (FL_F_CANCEL_WAIT_ on a ready task),
 * which the loop would drop or deliver.  FL_EAGAIN otherwise, or when it
 * would wait: the macro goes through the loop.  Left out where size counts
 * more (-Os), and without queues. */
int fl_queue_put_now_(fl_queue *q, const void *item, int op);
int fl_queue_get_now_(fl_queue *q, const void *item, int op);
#if FL_ENABLE_QUEUE && !defined(__OPTIMIZE_SIZE__)
static inline int fl_queue_in_task_(fl_task *self, int op, fl_queue *q, const void *item)
{
    fl_loop *loop = q == NULL ? NULL : q->loop;
    if (loop == NULL || item == NULL || loop->current != self || self->timer != FL_SLOT_NONE ||
        (op >= FL_OP_YIELD && (self->flags & (FL_F_CANCEL_REQ_ | FL_F_CANCEL_WAIT_)) != 0))
        return FL_EAGAIN;
#if FL_ENABLE_HOOKS
    if (loop->hooks != NULL)
        return FL_EAGAIN;
#endif
    if (op == FL_OP_QUEUE_PUT || op == FL_OP_QUEUE_PUT_RESERVED)
        return fl_queue_put_now_(q, item, op);
    return fl_queue_get_now_(q, item, op);
}
#define FL_QUEUE_IN_TASK_(self, out, op, q, ptr, then)                    \
    if (((out) = fl_queue_in_task_((self), (op), (q), (ptr))) != FL_EAGAIN) \
        then;
#else
#define FL_QUEUE_IN_TASK_(self, out, op, q, ptr, then)
#endif

/** A queue operation: copy through `ptr` (at once in the task where it
 * can, FL_QUEUE_IN_TASK_); when woken with a reservation
 * (FL_QUEUE_RETRY_) ask again with `retry_op`, which is answered at once
 * (a peek may wait again).  The retry returns from the same suspension
 * point, so the resume comes back into the loop: one point a line, and no
 * local across it (C++ refuses a jump past one). */
#define FL_QUEUE_RETRY_ 1
#define FL_QUEUE_OP_RC_(self, rc, op, retry_op, q, ptr)                 \
    do {                                                                \
        FL_QUEUE_IN_TASK_(self, rc, op, q, ptr, break)                  \
        (self)->wait.item = (ptr);                                      \
        GEN_SUSPEND_(*fl_lc_, return fl_cmd_((op), (q)));               \
        while (((rc) = FL_CAST_(int, (self)->wait.value)) == FL_QUEUE_RETRY_) { \
            FL_QUEUE_IN_TASK_(self, (self)->wait.value, retry_op, q, ptr, continue) \
            (self)->wait.item = (ptr);                                  \
            return fl_cmd_((retry_op), (q));                            \
        }                                                               \
    } while (0)
#define FL_PROPAGATE_(rc)                \
    do {                                 \
        if ((rc) < 0)                    \
            FL_RAISE_(rc);               \
    } while (0)

/** Put the item at `item` (copied) into `q`, waiting while it is full.
 * A set or map queue answers FL_QUEUE_PRESENT at once when the item (the
 * key) is queued already; a map queue FL_ENOSPC when that key's entry has
 * no room for the values. */
#define FL_QUEUE_PUT_RC(self, rc, q, item) \
    FL_QUEUE_OP_RC_(self, rc, FL_OP_QUEUE_PUT, FL_OP_QUEUE_PUT_RESERVED, q, item)
#define FL_QUEUE_PUT(self, q, item)                                 \
    do {                                                            \
        FL_QUEUE_PUT_RC(self, (self)->wait.value, q, item);         \
        FL_PROPAGATE_((self)->wait.value);                          \
    } while (0)
/** Take the oldest item into `item`, waiting while `q` is empty.  FL_ECLOSED
 * once it is closed and drained (FL_QUEUE_FOR_EACH loops until then). */
#define FL_QUEUE_GET_RC(self, rc, q, item) \
    FL_QUEUE_OP_RC_(self, rc, FL_OP_QUEUE_GET, FL_OP_QUEUE_GET_RESERVED, q, item)
#define FL_QUEUE_GET(self, q, item)                                 \
    do {                                                            \
        FL_QUEUE_GET_RC(self, (self)->wait.value, q, item);         \
        FL_PROPAGATE_((self)->wait.value);                          \
    } while (0)
/** Flowno's `async for item in q`: the statement that follows runs once an
 * item, until `q` is closed and drained; other errors (a cancel) propagate
 * as with FL_QUEUE_GET.  `break` and `continue` work as in any loop:
 *
 *     FL_QUEUE_FOR_EACH(self, &q, &w->item) {
 *         FL_SLEEP(self, w->item.delay);     (the body may suspend)
 *     }
 *
 * Flowno's `until_empty` needs no waiting, so it is plain C (Flowno's also
 * closes the queue once it is empty):
 *     while (fl_queue_try_get(&q, &w->item) == 0) { ... }
 *     fl_queue_close(&q);
 * Caveat: it uses labels made from __LINE__, so one a line. */
#define FL_QUEUE_FOR_EACH(self, q, item)                                    \
    for (;;)                                                                \
        if (1) {                                                            \
            FL_QUEUE_GET_RC(self, (self)->wait.value, q, item);             \
            if ((self)->wait.value == FL_ECLOSED)                           \
                break;                                                      \
            FL_PROPAGATE_((self)->wait.value);                              \
            goto GEN_HERE_(fl_qbody_);                                      \
        } else                                                              \
            GEN_HERE_(fl_qbody_):

/** Copy the oldest item into `item` without taking it, waiting while empty. */
#define FL_QUEUE_PEEK_RC(self, rc, q, item) \
    FL_QUEUE_OP_RC_(self, rc, FL_OP_QUEUE_PEEK, FL_OP_QUEUE_PEEK, q, item)
#define FL_QUEUE_PEEK(self, q, item)                                \
    do {                                                            \
        FL_QUEUE_PEEK_RC(self, (self)->wait.value, q, item);        \
        FL_PROPAGATE_((self)->wait.value);                          \
    } while (0)

/** Do `expr` (an int: 0 or more, or an error), then, if it did not fail,
 * step aside behind the tasks it woke (Flowno's order); rc gets its value. */
#define FL_THEN_STEP_ASIDE_RC_(self, rc, op, obj, expr)                 \
    do {                                                                \
        (self)->wait.value = (expr);                                    \
        if ((self)->wait.value >= 0)                                    \
            GEN_SUSPEND_(*fl_lc_, return fl_cmd_(op, (obj)));           \
        (rc) = FL_CAST_(int, (self)->wait.value);                       \
    } while (0)
#define FL_THEN_STEP_ASIDE_(self, op, obj, expr)                        \
    do {                                                                \
        FL_THEN_STEP_ASIDE_RC_(self, (self)->wait.value, op, obj, expr); \
        FL_PROPAGATE_((self)->wait.value);                              \
    } while (0)

/** The in-task forms of fl_event_set, fl_lock_release, fl_cond_notify and
 * fl_latch_count_down (Flowno's `await event.set()`, `await
 * lock.release()`, ...): they do what the plain function does, then the
 * task steps aside so that the tasks it woke run before it goes on, as in
 * Flowno.  The plain functions (for interrupt handlers and plain C) never
 * suspend.  An error (FL_EINVAL, FL_EPERM, FL_ERANGE) comes back at once.
 * Setting an event already set does nothing and does not step aside. */
#define FL_EVENT_SET_RC(self, rc, ev)                                              \
    do {                                                                           \
        if (fl_event_is_set(ev))                                                   \
            (rc) = 0;                                                              \
        else                                                                       \
            FL_THEN_STEP_ASIDE_RC_(self, rc, FL_OP_EVENT_SET, (ev), fl_event_set(ev)); \
    } while (0)
#define FL_EVENT_SET(self, ev)                                      \
    do {                                                            \
        FL_EVENT_SET_RC(self, (self)->wait.value, ev);              \
        FL_PROPAGATE_((self)->wait.value);                          \
    } while (0)
#define FL_LOCK_RELEASE_RC(self, rc, lock) \
    FL_THEN_STEP_ASIDE_RC_(self, rc, FL_OP_LOCK_RELEASE, (lock), fl_lock_release((lock), (self)))
#define FL_LOCK_RELEASE(self, lock) \
    FL_THEN_STEP_ASIDE_(self, FL_OP_LOCK_RELEASE, (lock), fl_lock_release((lock), (self)))
/** rc gets how many waiters were notified. */
#define FL_COND_NOTIFY_RC(self, rc, cond, n) \
    FL_THEN_STEP_ASIDE_RC_(self, rc, FL_OP_COND_NOTIFY, (cond), fl_cond_notify((cond), (n)))
#define FL_COND_NOTIFY(self, cond, n) \
    FL_THEN_STEP_ASIDE_(self, FL_OP_COND_NOTIFY, (cond), fl_cond_notify((cond), (n)))
#define FL_COND_NOTIFY_ALL_RC(self, rc, cond) \
    FL_THEN_STEP_ASIDE_RC_(self, rc, FL_OP_COND_NOTIFY, (cond), fl_cond_notify_all(cond))
#define FL_COND_NOTIFY_ALL(self, cond) \
    FL_THEN_STEP_ASIDE_(self, FL_OP_COND_NOTIFY, (cond), fl_cond_notify_all(cond))
#define FL_LATCH_COUNT_DOWN_RC(self, rc, latch, error_if_zero)      \
    FL_THEN_STEP_ASIDE_RC_(self, rc, FL_OP_LATCH_COUNT_DOWN, (latch), \
                           fl_latch_count_down((latch), (error_if_zero)))
#define FL_LATCH_COUNT_DOWN(self, latch, error_if_zero)             \
    FL_THEN_STEP_ASIDE_(self, FL_OP_LATCH_COUNT_DOWN, (latch),      \
                        fl_latch_count_down((latch), (error_if_zero)))

/** Wait until `ev` is set. */
#define FL_EVENT_WAIT(self, ev) \
    FL_AWAIT(self, fl_cmd_(FL_OP_LATCH_WAIT, fl_event_latch_(ev)))
#define FL_EVENT_WAIT_RC(self, rc, ev) \
    FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_LATCH_WAIT, fl_event_latch_(ev)))
/** Acquire `lock`, waiting behind earlier waiters.  FL_EDEADLK if held by self. */
#define FL_LOCK(self, lock) FL_AWAIT(self, fl_cmd_(FL_OP_LOCK, (lock)))
#define FL_LOCK_RC(self, rc, lock) FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_LOCK, (lock)))
/** Release the lock, wait for a notify, take the lock back.  FL_EPERM if
 * self does not hold the lock. */
#define FL_COND_WAIT(self, cond) FL_AWAIT(self, fl_cmd_(FL_OP_COND_WAIT, (cond)))
#define FL_COND_WAIT_RC(self, rc, cond) FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_COND_WAIT, (cond)))
/** Wait until the latch's count is zero. */
#define FL_LATCH_WAIT(self, latch) FL_AWAIT(self, fl_cmd_(FL_OP_LATCH_WAIT, (latch)))
#define FL_LATCH_WAIT_RC(self, rc, latch) FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_LATCH_WAIT, (latch)))

/** Give the next wait (of any kind: queue, lock, event, join, I/O, ...) a
 * deadline: if it has not ended `ticks` from now it fails with
 * FL_ETIMEDOUT, and the task has left whatever it waited on.  The deadline
 * is dropped when that wait ends (also when it ends at once, or by a
 * cancel), when the task yields or sleeps, or ends.  A command that is no
 * wait (FL_SPAWN, FL_EVENT_SET, FL_CANCEL_NOWAIT, ...) keeps it; should it
 * pass while the task stands aside behind the tasks such a command woke,
 * the wait fails at once with FL_ETIMEDOUT.  A getter's or
 * putter's wait ends when it is woken (its item or place is set aside); a
 * peeker's only once it has looked again, since the item may be taken
 * first: a deadline that passes in between fails the peek.  A cancel
 * that is pending when such a task runs wins over a deadline that passed
 * while it was ready: the wait fails with FL_ECANCELLED. */
#define FL_TIMEOUT(self, ticks) FL_AWAIT(self, fl_cmd_ticks_(FL_OP_DEADLINE, (ticks)))

/** Wait until `fd` is readable (FL_IO_READ) or writable (FL_IO_WRITE).  Needs
 * a port with I/O (the POSIX port); errors come back negated (-EBADF). */
#define FL_IO_WAIT(self, fd, events) \
    FL_AWAIT(self, fl_cmd_value_(FL_OP_IO_WAIT, FL_CAST_(fl_value, fd) * 4 + FL_CAST_(fl_value, events)))
#define FL_IO_WAIT_RC(self, rc, fd, events) \
    FL_AWAIT_RC(self, rc, fl_cmd_value_(FL_OP_IO_WAIT, FL_CAST_(fl_value, fd) * 4 + FL_CAST_(fl_value, events)))

/** Wait until `sig` is raised (at once if a raise is pending). */
#define FL_SIGNAL_WAIT(self, sig) FL_AWAIT(self, fl_cmd_(FL_OP_SIGNAL_WAIT, (sig)))
#define FL_SIGNAL_WAIT_RC(self, rc, sig) FL_AWAIT_RC(self, rc, fl_cmd_(FL_OP_SIGNAL_WAIT, (sig)))

/** Command builders used by the macros. */
static inline fl_cmd fl_cmd_(int op, void *ptr)
{
    fl_cmd c;
    c.op = op;
    c.arg.ptr = ptr;
    return c;
}
static inline fl_cmd fl_cmd_value_(int op, fl_value value)
{
    fl_cmd c;
    c.op = op;
    c.arg.value = value;
    return c;
}
static inline fl_cmd fl_cmd_ticks_(int op, fl_time ticks)
{
    fl_cmd c;
    c.op = op;
    c.arg.ticks = ticks;
    return c;
}
#define fl_cmd_sleep_(ticks) fl_cmd_ticks_(FL_OP_SLEEP, (ticks))

/* ---- Sockets (POSIX) ---------------------------------------------------- */
#if FL_ENABLE_NET
/*
 * Non-blocking BSD sockets inside tasks, TCP and UDP over IPv4 and IPv6.
 * Each operation is a nested awaitable: it calls the kernel, and suspends
 * (FL_IO_WAIT) only while the kernel says it would block.  Every macro
 * stores in `n` the result (bytes, or a new fd) or a negative error:
 * -errno from the kernel (-ECONNREFUSED, -ECONNRESET, -EPIPE, -EBADF...),
 * FL_ERANGE for an fd the port cannot watch (select(): at or above
 * FD_SETSIZE; poll, epoll: at or above FL_MAX_FDS), at the first wait on
 * it, FL_ETIMEDOUT, FL_ECANCELLED.  FL_CHECK(self, n) propagates it.
 *
 *     struct conn { fl_task task; fl_sock_op op; int fd, n; char buf[512]; };
 *     ...
 *     FL_SOCK_RECV(self, c->n, &c->op, c->fd, c->buf, sizeof c->buf);
 *     if (c->n <= 0) ...               0: the peer closed; < 0: an error
 *     FL_SOCK_SEND_ALL(self, c->n, &c->op, c->fd, c->buf, (size_t)c->n);
 *
 * The op holds what must survive a suspension; one op serves one call at
 * a time.  A cancel leaves the fd open and unwatched: it is still yours.
 * Addresses are numeric ("127.0.0.1", "::1"): resolving a name would block.
 *
 * As libuv does, a recv that got less than it asked for takes it that the
 * socket is drained: the next recv on the same op and fd waits for data
 * first instead of asking the kernel for nothing.
 */
struct sockaddr;

typedef struct fl_sock_op {
    fl_frame frame;
    fl_time timeout; /**< 0: none; else bounds each wait (FL_ETIMEDOUT) */
    size_t done;     /**< bytes moved so far: after an error, what got through */
    int fd;          /**< fl_tcp_connect: the socket being connected */
    int drained;     /**< the fd a short recv emptied (-1: none) */
} fl_sock_op;

/** A timeout here, not FL_TIMEOUT: a deadline set before a call that needs
 * no wait would be left for the task's next, unrelated, wait. */
#define fl_sock_op_init(op, timeout_ticks) \
    ((void)((op)->timeout = (timeout_ticks), (op)->done = 0, (op)->fd = -1, \
            (op)->drained = -1))

/** Plain C.  Each returns an fd (non-blocking, close-on-exec) or -errno;
 * FL_EINVAL for an address that is not numeric IPv4 or IPv6.  With port 0
 * the kernel picks one: fl_sock_port tells which. */
int fl_tcp_listen(const char *addr, unsigned port, int backlog);
int fl_udp_bind(const char *addr, unsigned port);
int fl_sock_port(int fd);
/** Make a socket of your own ready for the tasks: non-blocking,
 * close-on-exec, no SIGPIPE; and tell the ports the number names a new
 * file (epoll then keeps its registration between the layer's waits). */
int fl_sock_nonblock(int fd);
/** TCP_NODELAY on (or off): send small writes at once instead of holding
 * them until the peer's ACK (Nagle).  What request/response traffic wants:
 * without it a reply split in two waits for the peer's delayed ACK. */
int fl_sock_nodelay(int fd, bool on);
/** Close `fd`, any fd a task may have waited on: a task still waiting on
 * it wakes with -EBADF at once (after a plain close() it would wait for
 * nothing: select and poll then say -EBADF, epoll cannot), and the epoll
 * port drops its registration first, which a plain close() leaves behind
 * if a dup of the file lives on (fork, dup).  A plain close() of an fd
 * nobody waits on is fine.  0 or -errno. */
int fl_sock_close(int fd);
/** Fill `ss` (a struct sockaddr_storage, or any buffer of `*len` bytes) for
 * a numeric address; *len gets the address's size. */
int fl_sock_addr(const char *addr, unsigned port, void *ss, unsigned *len);

/** The awaitables, for the macros below (or FL_CALL_RC). */
FL_AWAITABLE fl_cmd fl_sock_connect(fl_task *self, fl_sock_op *op, int fd,
                                    const struct sockaddr *addr, unsigned addrlen);
FL_AWAITABLE fl_cmd fl_tcp_connect(fl_task *self, fl_sock_op *op, const char *addr,
                                   unsigned port);
FL_AWAITABLE fl_cmd fl_sock_accept(fl_task *self, fl_sock_op *op, int fd,
                                   struct sockaddr *addr, unsigned *addrlen);
FL_AWAITABLE fl_cmd fl_sock_recv(fl_task *self, fl_sock_op *op, int fd, void *buf, size_t len);
FL_AWAITABLE fl_cmd fl_sock_recv_exact(fl_task *self, fl_sock_op *op, int fd, void *buf,
                                       size_t len);
FL_AWAITABLE fl_cmd fl_sock_send(fl_task *self, fl_sock_op *op, int fd, const void *buf,
                                 size_t len);
FL_AWAITABLE fl_cmd fl_sock_send_all(fl_task *self, fl_sock_op *op, int fd, const void *buf,
                                     size_t len);
FL_AWAITABLE fl_cmd fl_sock_recvfrom(fl_task *self, fl_sock_op *op, int fd, void *buf,
                                     size_t len, struct sockaddr *from, unsigned *fromlen);
FL_AWAITABLE fl_cmd fl_sock_sendto(fl_task *self, fl_sock_op *op, int fd, const void *buf,
                                   size_t len, const struct sockaddr *to, unsigned tolen);

/** Run an awaitable; `n` gets its result or its error. */
#define FL_SOCK_CALL_(self, n, op, call)                            \
    do {                                                            \
        FL_CALL_RC(self, n, &(op)->frame, call);                    \
        if ((n) == 0)                                               \
            (n) = FL_CAST_(int, fl_frame_result(&(op)->frame));     \
    } while (0)

/** n: 0 once `fd` is connected. */
#define FL_SOCK_CONNECT(self, n, op, fd, addr, addrlen) \
    FL_SOCK_CALL_(self, n, op, fl_sock_connect(self, op, fd, addr, addrlen))
/** n: a new connected TCP socket to `addr`:`port` (closed again on error). */
#define FL_TCP_CONNECT(self, n, op, addr, port) \
    FL_SOCK_CALL_(self, n, op, fl_tcp_connect(self, op, addr, port))
/** n: the accepted connection's fd, non-blocking.  addr may be NULL.  Out
 * of fds, -EMFILE or -ENFILE, and nothing is taken: the connection waits
 * in the backlog, so a server sleeps a little and accepts again.  Accept
 * does not yield first: a listener takes what is waiting at once. */
#define FL_SOCK_ACCEPT(self, n, op, fd, addr, addrlen) \
    FL_SOCK_CALL_(self, n, op, fl_sock_accept(self, op, fd, addr, addrlen))
/** n: bytes received (at most len), 0 when the peer has closed. */
#define FL_SOCK_RECV(self, n, op, fd, buf, len) \
    FL_SOCK_CALL_(self, n, op, fl_sock_recv(self, op, fd, buf, len))
/** n: len, once exactly len bytes came; FL_ECLOSED if the peer closed first
 * (op->done bytes of it arrived). */
#define FL_SOCK_RECV_EXACT(self, n, op, fd, buf, len) \
    FL_SOCK_CALL_(self, n, op, fl_sock_recv_exact(self, op, fd, buf, len))
/** n: bytes sent, perhaps fewer than len. */
#define FL_SOCK_SEND(self, n, op, fd, buf, len) \
    FL_SOCK_CALL_(self, n, op, fl_sock_send(self, op, fd, buf, len))
/** n: len, once every byte is sent (it loops over partial sends). */
#define FL_SOCK_SEND_ALL(self, n, op, fd, buf, len) \
    FL_SOCK_CALL_(self, n, op, fl_sock_send_all(self, op, fd, buf, len))
/** UDP: n is the datagram's size.  from may be NULL. */
#define FL_SOCK_RECVFROM(self, n, op, fd, buf, len, from, fromlen) \
    FL_SOCK_CALL_(self, n, op, fl_sock_recvfrom(self, op, fd, buf, len, from, fromlen))
#define FL_SOCK_SENDTO(self, n, op, fd, buf, len, to, tolen) \
    FL_SOCK_CALL_(self, n, op, fl_sock_sendto(self, op, fd, buf, len, to, tolen))
#endif /* FL_ENABLE_NET */

#ifdef __cplusplus
}
#endif

#endif /* FLOWNO_FLOWNO_H */
