/* SPDX-License-Identifier: MIT */
/*
 * config.h - compile-time capacities and widths.
 *
 * Every number here sizes a fixed array or picks an integer width: there is
 * no malloc.  Override any of them with -D or by defining FL_CONFIG_FILE to a
 * header of your own, which is included first.
 */
#ifndef FLOWNO_CONFIG_H
#define FLOWNO_CONFIG_H

#ifdef FL_CONFIG_FILE
#include FL_CONFIG_FILE
#endif

/** Tasks alive at once in one loop (spawned and not finished). */
#ifndef FL_MAX_TASKS
#define FL_MAX_TASKS 32
#endif

/** Tasks sleeping (or waiting with a deadline) at once.  At most FL_MAX_TASKS,
 * since a task waits on one timer at a time. */
#ifndef FL_MAX_TIMERS
#define FL_MAX_TIMERS FL_MAX_TASKS
#endif

/** Where sleepers wait (flowno/core/timer.c).  1: a 4-ary heap, O(log n)
 * to add, drop and expire a timer, 5 bytes a timer.  0: the due time beside
 * each task slot, found by a scan of the whole table at each poll (no
 * count of timers is kept): O(1) to add and drop, O(FL_MAX_TASKS) a poll,
 * timers or none, and about 200 bytes less code.  The default picks the
 * scan for small tables. */
#ifndef FL_TIMER_HEAP
#if FL_MAX_TASKS > 32
#define FL_TIMER_HEAP 1
#else
#define FL_TIMER_HEAP 0
#endif
#endif

/** Width of a time value in ticks: 32 or 64.  Time wraps around; comparisons
 * are made on differences, so one wait may last at most half the range
 * (24.8 days of 1 ms ticks with 32 bits). */
#ifndef FL_TIME_BITS
#define FL_TIME_BITS 32
#endif

/** Ticks a second.  The port's clock counts these. */
#ifndef FL_TICK_HZ
#define FL_TICK_HZ 1000
#endif

/** fds the poll() and epoll ports can watch: 0 .. FL_MAX_FDS - 1 (larger
 * ones are refused with FL_ERANGE; the select() port stops at FD_SETSIZE).
 * Each costs 20 to 28 bytes of the port's static tables (poll 28, epoll
 * 24, with 1-byte task slots), but only the fds really used touch their
 * memory. */
#ifndef FL_MAX_FDS
#define FL_MAX_FDS 65536
#endif

/** After this many task steps in a row the loop looks at its clock and timers
 * even when tasks are still ready, so a busy task cannot starve a sleeper. */
#ifndef FL_POLL_INTERVAL
#define FL_POLL_INTERVAL 64
#endif

/* ---- Features ----------------------------------------------------------
 * What is compiled in.  FL_PROFILE_MINIMAL keeps the scheduler and sleep
 * only; the default (full) profile has everything.  Each switch may also be
 * set to 0 or 1 on its own. */
#ifdef FL_PROFILE_MINIMAL
#define FL_FEATURE_DEFAULT_ 0
#else
#define FL_FEATURE_DEFAULT_ 1
#endif
#ifndef FL_ENABLE_RUN /* fl_run_until_complete; without it the application
                         drives the loop with fl_loop_poll (a super-loop) */
#define FL_ENABLE_RUN FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_JOIN /* FL_JOIN, and what joiners see */
#define FL_ENABLE_JOIN FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_CANCEL /* fl_cancel, FL_CANCEL, FL_CANCEL_NOWAIT */
#define FL_ENABLE_CANCEL FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_EXIT /* FL_EXIT, FL_EXIT_ERROR */
#define FL_ENABLE_EXIT FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_QUEUE
#define FL_ENABLE_QUEUE FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_SET_QUEUE /* fl_set_queue_init: a queue that holds an item once */
#define FL_ENABLE_SET_QUEUE (FL_FEATURE_DEFAULT_ && FL_ENABLE_QUEUE)
#endif
#ifndef FL_ENABLE_MAP_QUEUE /* fl_map_queue: values grouped under their key */
#define FL_ENABLE_MAP_QUEUE (FL_FEATURE_DEFAULT_ && FL_ENABLE_QUEUE)
#endif
#ifndef FL_ENABLE_EVENT
#define FL_ENABLE_EVENT FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_LOCK
#define FL_ENABLE_LOCK FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_COND
#define FL_ENABLE_COND FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_LATCH
#define FL_ENABLE_LATCH FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_SIGNAL /* fl_signal: wake-ups from interrupts */
#define FL_ENABLE_SIGNAL FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_POST /* fl_post_spawn, fl_loop_hold: work from outside */
#define FL_ENABLE_POST FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_TIMEOUT /* FL_TIMEOUT: deadlines on waits */
#define FL_ENABLE_TIMEOUT FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_IO /* FL_IO_WAIT through the port's watch() */
#define FL_ENABLE_IO FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_NET /* fl_sock_*: non-blocking BSD sockets in tasks (POSIX) */
#if FL_ENABLE_IO && (defined(__unix__) || defined(__APPLE__))
#define FL_ENABLE_NET 1
#else
#define FL_ENABLE_NET 0
#endif
#endif
#ifndef FL_ENABLE_HOOKS /* fl_hooks: instrumentation; zero code when 0 */
#define FL_ENABLE_HOOKS FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_TRACE /* fl_trace: a schedule recorder on the hooks */
#define FL_ENABLE_TRACE FL_ENABLE_HOOKS
#endif
#ifndef FL_TRACE_ROWS /* how many tasks one trace export can show */
#define FL_TRACE_ROWS 64
#endif
#ifndef FL_ENABLE_DUMP /* fl_loop_dump: a readable listing of every task */
#define FL_ENABLE_DUMP FL_FEATURE_DEFAULT_
#endif
#ifndef FL_ENABLE_STRERROR /* the messages of fl_strerror; else it gives "" */
#define FL_ENABLE_STRERROR FL_FEATURE_DEFAULT_
#endif

/* ---- Checks -------------------------------------------------------------- */

/** 1: every public function checks its arguments (NULL, a struct never
 * initialised, a primitive of another loop, a zero size) and answers
 * FL_EINVAL.  0: those checks are compiled out and a bad argument is
 * undefined behaviour, for a firmware that has proven its calls; errors
 * that depend on state (FL_EBUSY, FL_EPERM, FL_EDEADLK, ...) stay. */
#ifndef FL_ENABLE_ARG_CHECKS
#define FL_ENABLE_ARG_CHECKS 1
#endif

/** 1: a debug build.  The loop also checks, as it goes, that each task's
 * struct is still the one it spawned (not moved, copied, re-initialised,
 * given another function or overwritten while alive, as a task on a stack
 * frame that has returned is) and stops with FL_ECORRUPT if not; and every
 * misuse it detects calls the hook set with fl_set_assert_hook first.
 * Costs a word a task and a function pointer a slot; 0 adds no code. */
#ifndef FL_DEBUG
#define FL_DEBUG 0
#endif

/* ---- Checks: a wrong configuration stops the build here. --------------- */

#if FL_MAX_TASKS < 1
#error "flowno: FL_MAX_TASKS must be at least 1"
#endif
#if FL_MAX_TASKS >= 0x7FFFFFFF
#error "flowno: FL_MAX_TASKS must be below 2^31 - 1"
#endif
#if FL_MAX_TIMERS < 1 || FL_MAX_TIMERS > FL_MAX_TASKS
#error "flowno: FL_MAX_TIMERS must be between 1 and FL_MAX_TASKS"
#endif
#if FL_TIME_BITS != 32 && FL_TIME_BITS != 64
#error "flowno: FL_TIME_BITS must be 32 or 64"
#endif
#if FL_TICK_HZ < 1
#error "flowno: FL_TICK_HZ must be at least 1"
#endif
#if FL_MAX_FDS < 1 || FL_MAX_FDS > 0x7FFFFFFF
#error "flowno: FL_MAX_FDS must be between 1 and 2^31 - 1"
#endif
#if FL_POLL_INTERVAL < 1
#error "flowno: FL_POLL_INTERVAL must be at least 1"
#endif
#if FL_ENABLE_EXIT && !FL_ENABLE_RUN
#error "flowno: FL_ENABLE_EXIT needs FL_ENABLE_RUN (FL_EXIT ends fl_run_until_complete)"
#endif
#if FL_ENABLE_CANCEL && !FL_ENABLE_JOIN
#error "flowno: FL_ENABLE_CANCEL needs FL_ENABLE_JOIN (an awaited cancel is a join)"
#endif
#if FL_ENABLE_POST && !FL_ENABLE_SIGNAL
#error "flowno: FL_ENABLE_POST needs FL_ENABLE_SIGNAL (a post wakes the loop like a raise)"
#endif
#if FL_ENABLE_TRACE && !FL_ENABLE_HOOKS
#error "flowno: FL_ENABLE_TRACE needs FL_ENABLE_HOOKS (the recorder is a set of hooks)"
#endif
#if FL_TRACE_ROWS < 1
#error "flowno: FL_TRACE_ROWS must be at least 1"
#endif
#if FL_ENABLE_NET && !FL_ENABLE_IO
#error "flowno: FL_ENABLE_NET needs FL_ENABLE_IO (sockets wait through FL_IO_WAIT)"
#endif
#if (FL_ENABLE_SET_QUEUE || FL_ENABLE_MAP_QUEUE) && !FL_ENABLE_QUEUE
#error "flowno: FL_ENABLE_SET_QUEUE and FL_ENABLE_MAP_QUEUE need FL_ENABLE_QUEUE (they are modes of fl_queue)"
#endif
#if FL_ENABLE_COND && !FL_ENABLE_LOCK
#error "flowno: FL_ENABLE_COND needs FL_ENABLE_LOCK (a condition is bound to a lock)"
#endif

#endif /* FLOWNO_CONFIG_H */
