/*
 * target.h - what the self-test needs from the board runtime (startup.c).
 */
#ifndef FLOWNO_TARGET_H
#define FLOWNO_TARGET_H

/* The self-test's entry; returns 0 when every check passed. */
int target_main(void);
/* Semihosting output and exit: QEMU prints, and exits 0 or 1. */
void target_print(const char *s);
void target_exit(int status) __attribute__((noreturn));

#endif
