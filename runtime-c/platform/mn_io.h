/*
 * mn_io.h - the tiny portable I/O layer every mnetc program uses.
 *
 * One header, one implementation per platform:
 *   mn_io_host.c            stdio (files relative to the process's working directory)
 *   mn_io_semihost_arm.c    ARM semihosting (bkpt 0xAB); files relative to QEMU's working directory
 *   mn_io_semihost_riscv.c  RISC-V semihosting (slli/ebreak/srai); same file semantics
 *
 * A firmware program is an ordinary `int main(void)`: the startup code calls it and hands its return
 * value to mn_io_exit(), so the exit status reaches the host (QEMU exits with it).
 */
#ifndef MN_IO_H
#define MN_IO_H

#ifdef __cplusplus
extern "C" {
#endif

/* Exit status used by the firmware fault/trap handlers (HardFault, illegal instruction, ...). */
#define MN_EXIT_FAULT 99

/*
 * Placement of large constant tables (model weights). The linker scripts put `.weights` in the biggest
 * read-only-at-run-time region of each machine (PSRAM on mps2, QSPI on mps3-an547, a separate region on
 * RISC-V virt), so only what is marked this way may be large. Use it on `const` objects only (mixing
 * const and non-const objects in one named section is a compile error).
 */
#if defined(__ELF__) && !defined(MN_NO_WEIGHTS_SECTION)
#define MN_WEIGHTS __attribute__((section(".weights"), aligned(16)))
#else
#define MN_WEIGHTS __attribute__((aligned(16)))
#endif

/* Read exactly n bytes from the file `path` into buf. Returns 0 on success, -1 when the file cannot be
 * opened, -2 when its size is not exactly n bytes (or the read comes up short). */
int mn_io_read(const char *path, void *buf, unsigned long n);

/* Create/truncate `path` and write n bytes from buf. Returns 0 on success, -1 on failure. */
int mn_io_write(const char *path, const void *buf, unsigned long n);

/* Write a NUL-terminated string to the console (stdout). No newline is added. */
void mn_io_puts(const char *s);

/* End the program with the given exit status (0..255 reach the host unchanged). */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void mn_io_exit(int code);

/* An empty, never-inlined function. The instruction-count plugin reports the instructions executed
 * between consecutive calls, so call it right before and right after the code to measure. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void mn_bench_mark(void);

/* A free-running cycle counter of the core, or 0 where the platform has none.
 * Arm (QEMU): SysTick ticks at the machine's core clock, started on the first call; deterministic only
 * under `-icount`. RISC-V: mcycle. Host: 0. Use the plugin for exact instruction counts. */
unsigned long long mn_io_cycles(void);

#ifdef __cplusplus
}
#endif

#endif /* MN_IO_H */
