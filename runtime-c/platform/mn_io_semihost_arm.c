/*
 * mn_io over ARM semihosting (Cortex-M, `bkpt 0xAB`). Needs no C library.
 * QEMU: -semihosting-config enable=on,target=native[,chardev=...]; file names are relative to QEMU's
 * working directory. Without semihosting enabled the first call locks the core up (QEMU aborts).
 */
#include "mn_io.h"
#include "mn_io_semihost.h"

#include <stdint.h>

__attribute__((noinline)) static long sh_call(long op, const void *arg) {
  register long r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void mn_io_exit(int code) {
  uint32_t blk[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  sh_call(SYS_EXIT_EXTENDED, blk);
  for (;;) {
  }
}

__attribute__((noinline)) void mn_bench_mark(void) { __asm__ volatile("" ::: "memory"); }

/* ---- SysTick as a 64-bit cycle counter (CLKSOURCE = core clock) ---- */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_MAX 0xFFFFFFu

static volatile uint32_t systick_wraps;

/* referenced by the vector table in arm/startup_cm.c */
void SysTick_Handler(void) { systick_wraps++; }

unsigned long long mn_io_cycles(void) {
  if ((SYST_CSR & 1u) == 0) {
    SYST_RVR = SYST_MAX;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable | tickint | core clock */
    while (SYST_CVR == 0) {
    } /* the first tick loads RVR; reading before that is off by a whole period */
  }
  uint32_t w, v;
  do {
    w = systick_wraps;
    v = SYST_CVR;
  } while (w != systick_wraps);
  return (unsigned long long)w * (SYST_MAX + 1ull) + (SYST_MAX - v);
}
