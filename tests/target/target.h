/* SPDX-License-Identifier: MIT */
/*
 * target.h - what a self-test needs from the board runtime (startup.c),
 * and the board it runs on, chosen by the Makefile (-DTARGET_MICROBIT).
 */
#ifndef FLOWNO_TARGET_H
#define FLOWNO_TARGET_H

#if defined(TARGET_MICROBIT)
#define TARGET_BOARD "Cortex-M0 (QEMU microbit)"
#define TARGET_CLOCK_HZ 16000000u /* the nRF51's clock in QEMU */
#else
#define TARGET_BOARD "Cortex-M3 (QEMU mps2-an385)"
#define TARGET_CLOCK_HZ 25000000u /* the an385's system clock in QEMU */
#endif

/* The self-test's entry; returns 0 when every check passed. */
int target_main(void);
/* The self-test's timer interrupt (startup.c's vector table holds it). */
void SysTick_Handler(void);
/* Semihosting output and exit: QEMU prints, and exits 0 or 1. */
void target_print(const char *s);
void target_exit(int status) __attribute__((noreturn));
/* One check: prints "ok" or "FAIL", what was checked and the value seen. */
void target_check(int ok, const char *what, long got);
/* The closing line; returns 0 when every check passed, else 1. */
int target_report(void);

#endif
