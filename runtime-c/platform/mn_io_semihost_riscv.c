/*
 * mn_io over RISC-V semihosting (the uncompressed `slli x0,x0,0x1f; ebreak; srai x0,x0,7` sequence),
 * for bare-metal rv32 on QEMU `virt`. Needs no C library.
 * QEMU: -semihosting-config enable=on,target=native[,chardev=...]; file names are relative to QEMU's
 * working directory. Without semihosting the ebreak traps; riscv/crt0.S then exits with MN_EXIT_FAULT
 * through the sifive_test device instead of hanging.
 */
#include "mn_io.h"
#include "mn_io_semihost.h"

#include <stdint.h>

/* The three instructions must be 32-bit and must not straddle a page: keep them in one aligned block. */
__attribute__((noinline)) static long sh_call(long op, const void *arg) {
  register long a0 __asm__("a0") = op;
  register const void *a1 __asm__("a1") = arg;
  __asm__ volatile(
      ".option push\n\t"
      ".option norvc\n\t"
      ".balign 16\n\t"
      "slli x0, x0, 0x1f\n\t"
      "ebreak\n\t"
      "srai x0, x0, 7\n\t"
      ".option pop"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return a0;
}

/* QEMU virt's sifive_test device: exits QEMU with (value >> 16) for 0x3333, with 0 for 0x5555. */
#define SIFIVE_TEST (*(volatile uint32_t *)0x00100000u)

__attribute__((noreturn)) void mn_rv_board_exit(int code) {
  SIFIVE_TEST = code ? (((uint32_t)code & 0xFFFFu) << 16) | 0x3333u : 0x5555u;
  for (;;) {
  }
}

void mn_io_exit(int code) {
  uint32_t blk[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
  sh_call(SYS_EXIT_EXTENDED, blk);
  mn_rv_board_exit(code);
}

__attribute__((noinline)) void mn_bench_mark(void) { __asm__ volatile("" ::: "memory"); }

unsigned long long mn_io_cycles(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, mcycleh" : "=r"(hi));
    __asm__ volatile("csrr %0, mcycle" : "=r"(lo));
    __asm__ volatile("csrr %0, mcycleh" : "=r"(hi2));
  } while (hi != hi2);
  return ((unsigned long long)hi << 32) | lo;
}

static char *put_hex(char *p, uint32_t v) {
  for (int sh = 28; sh >= 0; sh -= 4) *p++ = "0123456789abcdef"[(v >> sh) & 0xFu];
  return p;
}

/* Called by the trap vector in riscv/crt0.S (on a fresh stack). */
__attribute__((noreturn)) void mn_rv_trap(uint32_t mcause, uint32_t mepc);
void mn_rv_trap(uint32_t mcause, uint32_t mepc) {
  /* If semihosting is off, the report below traps again (mcause 3, breakpoint): the second entry exits. */
  static volatile int in_trap;
  if (!in_trap) {
    in_trap = 1;
    char msg[64] = "*** mnetc firmware: trap mcause=0x";
    char *p = msg + 34;
    p = put_hex(p, mcause);
    const char *at = " mepc=0x";
    while (*at) *p++ = *at++;
    p = put_hex(p, mepc);
    *p++ = '\n';
    *p = 0;
    mn_io_puts(msg);
  }
  mn_rv_board_exit(MN_EXIT_FAULT);
}
