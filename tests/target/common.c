/* SPDX-License-Identifier: MIT */
/*
 * common.c - what every self-test board shares, whatever its CPU: .data
 * and .bss set up from the linker script's symbols (sections.ld), the
 * stack paint that tells how deep the stack went, printing and exiting
 * through semihosting (the same calls on Arm and RISC-V), and the checks'
 * bookkeeping.  The board's file has the rest: its entry, interrupts,
 * port, and the instruction that makes a semihosting call.
 */
#include <stdint.h>

#include "target.h"

extern uint32_t _data_start[], _data_end[], _data_load[], _bss_start[], _bss_end[];
extern uint32_t _stack_top[];

#define STACK_PAINT 0x5A5A5A5Au

void target_start(void)
{
    uint32_t *src = _data_load, *dst;
    uint32_t here;
    uintptr_t below_this_frame = (uintptr_t)&here - 64;
    for (dst = _data_start; dst < _data_end; dst++)
        *dst = *src++;
    for (dst = _bss_start; dst < _bss_end; dst++)
        *dst = 0;
    for (dst = _bss_end; (uintptr_t)dst < below_this_frame; dst++)
        *dst = STACK_PAINT;
    target_exit(target_main());
}

/* The lowest word no longer painted. */
static unsigned long stack_peak(void)
{
    const uint32_t *p = _bss_end;
    while (p < _stack_top && *p == STACK_PAINT)
        p++;
    return (unsigned long)((uintptr_t)_stack_top - (uintptr_t)p);
}

/* ---- semihosting ------------------------------------------------------- */

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

void target_print(const char *s)
{
    target_semihost(SYS_WRITE0, s);
}

void target_exit(int status)
{
    /* 32-bit semihosting has no exit code: QEMU exits 0 for an application
     * exit and 1 for any other reason. */
    target_semihost(SYS_EXIT, (const void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                                   : ADP_STOPPED_RUNTIME_ERROR));
    for (;;)
        ;
}

/* ---- checks ------------------------------------------------------------- */

static int failures, checks;

static void print_int(long v)
{
    char buf[16], *p = buf + sizeof buf - 1;
    unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    target_print(p);
}

void target_check(int ok, const char *what, long got)
{
    checks++;
    if (!ok)
        failures++;
    target_print(ok ? "ok   " : "FAIL ");
    target_print(what);
    target_print(" (");
    print_int(got);
    target_print(")\n");
}

int target_report(void)
{
    target_print("stack: ");
    print_int((long)stack_peak());
    target_print(" bytes at the deepest, self-test and semihosting included\n");
    target_print(failures == 0 ? "self-test: all " : "self-test: FAILED, ");
    print_int(failures == 0 ? checks : failures);
    target_print(failures == 0 ? " checks passed\n" : " checks failed\n");
    return failures == 0 ? 0 : 1;
}
