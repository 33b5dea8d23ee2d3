/*
 * mn_io_semihost.h - file and console I/O over semihosting, shared by the Arm and RISC-V mn_io (internal). The
 * including file defines `static long sh_call(long op, const void *arg)`, the trap sequence of its
 * architecture; both targets are 32-bit, so long is the register width.
 */
#ifndef MN_IO_SEMIHOST_H
#define MN_IO_SEMIHOST_H

#include <stdint.h>

#include "mn_io.h"

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_FLEN = 0x0C,
  SYS_EXIT_EXTENDED = 0x20,
};
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define OPEN_MODE_RB 1u
#define OPEN_MODE_WB 5u

static long sh_call(long op, const void *arg);

static uint32_t sh_strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (uint32_t)(p - s);
}

static long sh_open(const char *path, uint32_t mode) {
  uint32_t blk[3] = {(uint32_t)(uintptr_t)path, mode, sh_strlen(path)};
  return sh_call(SYS_OPEN, blk);
}

static void sh_close(long h) {
  uint32_t blk[1] = {(uint32_t)h};
  sh_call(SYS_CLOSE, blk);
}

int mn_io_read(const char *path, void *buf, unsigned long n) {
  long h = sh_open(path, OPEN_MODE_RB);
  if (h < 0) return -1;
  uint32_t lblk[1] = {(uint32_t)h};
  long len = sh_call(SYS_FLEN, lblk);
  int rc = -2;
  if (len >= 0 && (unsigned long)len == n) {
    uint32_t blk[3] = {(uint32_t)h, (uint32_t)(uintptr_t)buf, (uint32_t)n};
    if (sh_call(SYS_READ, blk) == 0) rc = 0; /* SYS_READ returns the number of bytes NOT read */
  }
  sh_close(h);
  return rc;
}

int mn_io_write(const char *path, const void *buf, unsigned long n) {
  long h = sh_open(path, OPEN_MODE_WB);
  if (h < 0) return -1;
  uint32_t blk[3] = {(uint32_t)h, (uint32_t)(uintptr_t)buf, (uint32_t)n};
  long left = sh_call(SYS_WRITE, blk); /* bytes NOT written */
  sh_close(h);
  return left == 0 ? 0 : -1;
}

void mn_io_puts(const char *s) { sh_call(SYS_WRITE0, s); }

#endif /* MN_IO_SEMIHOST_H */
