/* SPDX-License-Identifier: MIT */
/*
 * startup.c - just enough of a Cortex-M runtime for the self-tests: the
 * vector table, the reset entry, the SysTick interrupt, the board's port
 * (the library's SysTick port), and the semihosting call.  Thumb-1 only, so that it serves the M0 as well as the M3.
 */
#include <stdint.h>

#include "target.h"

extern uint32_t _stack_top[];

void reset_handler(void);
void SysTick_Handler(void);

static void fault_handler(void)
{
    target_print("FAIL: fault\n");
    target_exit(1);
}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)_stack_top, /* the initial stack pointer */
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    SysTick_Handler,
};

/* The hardware has set the stack pointer from the table. */
void reset_handler(void)
{
    target_start();
}

void SysTick_Handler(void)
{
    fl_port_cortex_m_tick();
    target_tick();
}

fl_port *target_port(void)
{
    return fl_port_cortex_m(TARGET_CLOCK_HZ);
}

/* Semihosting: the debugger (here QEMU) serves `bkpt 0xab` with r0 = the
 * operation, r1 = its argument. */
int target_semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
