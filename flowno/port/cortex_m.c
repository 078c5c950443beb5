/* SPDX-License-Identifier: MIT */
/*
 * cortex_m.c - the bare-metal Cortex-M port: SysTick for the clock, WFI to
 * idle, PRIMASK for the moments fl_post_spawn needs alone.
 *
 * Registers by address, so no CMSIS is needed; Thumb-1 safe (M0/M0+ have
 * no LDREX/STREX, and nothing here needs them: the tick counter has one
 * writer, the SysTick interrupt, and a 32-bit load is atomic).
 *
 * The application calls fl_port_cortex_m_tick() from its SysTick_Handler
 * (this file has no handler: the vector table is the application's).
 * For any other target (an A- or R-profile Arm in Thumb mode too) this
 * file compiles to nothing.
 */
#include "../flowno.h"

#if defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u) /* control and status */
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u) /* reload value */
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u) /* current value */
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u /* the processor clock */

static struct {
    fl_port port;
    volatile uint32_t ticks;
    uint32_t primask; /* saved by lock(), restored by unlock() */
} cm;

void fl_port_cortex_m_tick(void)
{
    cm.ticks++;
}

static fl_time cm_now(fl_port *port)
{
    (void)port;
    return (fl_time)cm.ticks;
}

/* Sleep until the next interrupt: SysTick ends it within a tick, a raise
 * from another interrupt at once.  Interrupts are masked between the check
 * and the WFI, so a raise cannot slip in between and be slept through: a
 * pending interrupt still ends WFI, and runs once they are unmasked. */
static void cm_wait(fl_port *port, fl_loop *loop, fl_time ticks, bool forever)
{
    (void)port;
    (void)ticks; /* the tick interrupt wakes us anyway: no tickless idle */
    (void)forever;
    __asm volatile("cpsid i" ::: "memory");
    if (!fl_loop_signal_pending(loop))
        __asm volatile("wfi");
    __asm volatile("cpsie i" ::: "memory");
}

static void cm_lock(fl_port *port)
{
    uint32_t primask;
    (void)port;
    __asm volatile("mrs %0, primask" : "=r"(primask));
    __asm volatile("cpsid i" ::: "memory");
    cm.primask = primask;
}

static void cm_unlock(fl_port *port)
{
    uint32_t primask = cm.primask;
    (void)port;
    __asm volatile("msr primask, %0" : : "r"(primask) : "memory");
}

fl_port *fl_port_cortex_m(uint32_t core_clock_hz)
{
    uint32_t reload = core_clock_hz / FL_TICK_HZ;
    if (reload == 0 || reload > 0x01000000u) /* SysTick counts 24 bits */
        return NULL;
    cm.port.now = cm_now;
    cm.port.wait = cm_wait;
    cm.port.wake = NULL; /* the raising interrupt has already ended WFI */
    cm.port.lock = cm_lock;
    cm.port.unlock = cm_unlock;
    SYST_CSR = 0;
    SYST_RVR = reload - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
    return &cm.port;
}

#endif /* an M-profile Arm */
