/* SPDX-License-Identifier: MIT */
/*
 * startup_riscv.c - just enough of a RISC-V runtime (RV32, machine mode)
 * for the self-tests on QEMU's virt board: the entry, the trap handler,
 * the board's port, the semihosting call, and the few libc functions a freestanding build may call.
 *
 * The port is one of the application's own, as a port for any chip
 * without one in flowno/port/ would be: the machine timer (the CLINT's
 * mtime and mtimecmp, 64 bits each) interrupts FL_TICK_HZ times a second
 * and counts a tick; wait() is WFI with interrupts masked between the
 * check and the WFI, so that a raise cannot slip in between and be slept
 * through (a pending interrupt still ends WFI); lock() masks interrupts
 * for fl_post_spawn.
 */
#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* QEMU virt's CLINT. */
#define MTIMECMP_LO (*(volatile uint32_t *)0x02004000u)
#define MTIMECMP_HI (*(volatile uint32_t *)0x02004004u)
#define MTIME_LO (*(volatile uint32_t *)0x0200BFF8u)
#define MTIME_HI (*(volatile uint32_t *)0x0200BFFCu)
#define MSTATUS_MIE 0x8u /* interrupts on, in machine mode */
#define MIE_MTIE 0x80u   /* the machine timer's interrupt */
#define MCAUSE_MACHINE_TIMER 0x80000007u
/* An instruction of the Zicsr extension: binutils 2.38 and later want it
 * named, and -march=rv32imac (what libgcc's multilib is built for) does not
 * name it. */
#define CSR_(insn) ".option push\n.option arch, +zicsr\n" insn "\n.option pop"

/* The entry, at the image's first address: a stack, then C. */
__asm__(".section .vectors, \"ax\"\n"
        ".globl reset_handler\n"
        "reset_handler:\n"
        "    la sp, _stack_top\n"
        "    j target_start\n");

void reset_handler(void);
void trap_handler(void);

static struct {
    fl_port port;
    volatile uint32_t ticks;
    uint32_t period;  /* machine timer counts a tick */
    uint64_t due;     /* the next tick's mtimecmp */
    uint32_t mstatus; /* saved by lock(), restored by unlock() */
} rv;

static void set_mtimecmp(uint64_t when)
{
    /* Never lower than both halves' old values on the way: no early
     * interrupt while the two halves are written. */
    MTIMECMP_HI = 0xFFFFFFFFu;
    MTIMECMP_LO = (uint32_t)when;
    MTIMECMP_HI = (uint32_t)(when >> 32);
}

static uint64_t mtime(void)
{
    uint32_t hi, lo;
    do {
        hi = MTIME_HI;
        lo = MTIME_LO;
    } while (hi != MTIME_HI); /* the low half wrapped between the reads */
    return ((uint64_t)hi << 32) | lo;
}

__attribute__((interrupt("machine"), aligned(4))) void trap_handler(void)
{
    uint32_t cause;
    __asm volatile(CSR_("csrr %0, mcause") : "=r"(cause));
    if (cause != MCAUSE_MACHINE_TIMER) {
        target_print("FAIL: trap\n");
        target_exit(1);
    }
    rv.due += rv.period;
    set_mtimecmp(rv.due);
    rv.ticks++;
    target_tick();
}

static fl_time rv_now(fl_port *port)
{
    (void)port;
    return (fl_time)rv.ticks;
}

static void rv_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    (void)port;
    (void)ticks; /* the tick interrupt wakes us anyway: no tickless idle */
    (void)forever;
    __asm volatile(CSR_("csrc mstatus, %0") : : "r"(MSTATUS_MIE) : "memory");
    if (!fl_loop_signal_pending(loop))
        __asm volatile("wfi");
    __asm volatile(CSR_("csrs mstatus, %0") : : "r"(MSTATUS_MIE) : "memory");
}

static void rv_lock(fl_port *port)
{
    uint32_t old;
    (void)port;
    __asm volatile(CSR_("csrrc %0, mstatus, %1") : "=r"(old) : "r"(MSTATUS_MIE) : "memory");
    rv.mstatus = old;
}

static void rv_unlock(fl_port *port)
{
    (void)port;
    __asm volatile(CSR_("csrs mstatus, %0") : : "r"(rv.mstatus & MSTATUS_MIE) : "memory");
}

fl_port *target_port(void)
{
    rv.period = TARGET_CLOCK_HZ / FL_TICK_HZ;
    if (rv.period == 0)
        return NULL;
    rv.port.now = rv_now;
    rv.port.wait = rv_wait;
    rv.port.lock = rv_lock;
    rv.port.unlock = rv_unlock;
    __asm volatile(CSR_("csrw mtvec, %0") : : "r"((uintptr_t)trap_handler)); /* direct mode */
    rv.due = mtime() + rv.period;
    set_mtimecmp(rv.due);
    __asm volatile(CSR_("csrs mie, %0") : : "r"(MIE_MTIE));
    __asm volatile(CSR_("csrs mstatus, %0") : : "r"(MSTATUS_MIE) : "memory");
    return &rv.port;
}

/* Semihosting: QEMU serves an ebreak between these two no-op shifts, all
 * three uncompressed and on one page, with a0 = the operation, a1 = its
 * argument. */
int target_semihost(int op, const void *arg)
{
    register int a0 __asm("a0") = op;
    register const void *a1 __asm("a1") = arg;
    __asm volatile(".option push\n"
                   ".option norvc\n"
                   ".balign 16\n"
                   "slli x0, x0, 0x1f\n"
                   "ebreak\n"
                   "srai x0, x0, 7\n"
                   ".option pop"
                   : "+r"(a0)
                   : "r"(a1)
                   : "memory");
    return a0;
}

/* No C library here: what GCC may call for a struct copy or a zeroing. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}
