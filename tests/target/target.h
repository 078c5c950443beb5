/* SPDX-License-Identifier: MIT */
/*
 * target.h - what a self-test needs from its board's runtime (startup.c
 * for the Cortex-M boards, startup_riscv.c for RISC-V) and from common.c,
 * and the board it runs on, chosen by the compiler and the Makefile
 * (-DTARGET_MICROBIT).
 */
#ifndef FLOWNO_TARGET_H
#define FLOWNO_TARGET_H

#include "../../flowno/flowno.h"

#if defined(__riscv)
#define TARGET_BOARD "RV32IMAC (QEMU virt)"
#define TARGET_CLOCK_HZ 10000000u /* the machine timer's rate in QEMU virt */
#define TARGET_TICK "the machine timer"
#elif defined(TARGET_MICROBIT)
#define TARGET_BOARD "Cortex-M0 (QEMU microbit)"
#define TARGET_CLOCK_HZ 16000000u /* the nRF51's clock in QEMU */
#define TARGET_TICK "SysTick"
#else
#define TARGET_BOARD "Cortex-M3 (QEMU mps2-an385)"
#define TARGET_CLOCK_HZ 25000000u /* the an385's system clock in QEMU */
#define TARGET_TICK "SysTick"
#endif

/* The self-test's entry; returns 0 when every check passed. */
int target_main(void);
/* The board's port, ticking at FL_TICK_HZ from its timer interrupt (NULL
 * if the timer cannot): SysTick on a Cortex-M, the machine timer on
 * RISC-V. */
fl_port *target_port(void);
/* The self-test's part of that interrupt, after the tick has counted. */
void target_tick(void);
/* The board's semihosting call: operation `op` with its argument, served
 * by QEMU (bkpt 0xab on Arm, an ebreak between two marker shifts on
 * RISC-V). */
int target_semihost(int op, const void *arg);

/* common.c: what every board shares.  The board's reset entry calls
 * target_start once it has a stack: it sets up .data and .bss, paints the
 * free RAM (so that the report can tell how deep the stack went), runs
 * the self-test and exits with its result. */
void target_start(void) __attribute__((noreturn));
/* Print, and exit 0 or 1 (QEMU's exit status), through semihosting. */
void target_print(const char *s);
void target_exit(int status) __attribute__((noreturn));
/* One check: prints "ok" or "FAIL", what was checked and the value seen. */
void target_check(int ok, const char *what, long got);
/* The closing line, with the stack's peak; returns 0 when every check
 * passed, else 1. */
int target_report(void);

#endif
