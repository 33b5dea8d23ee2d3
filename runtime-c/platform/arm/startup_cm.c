/*
 * Cortex-M startup for the QEMU mps2/mps3 machines: vector table, Reset_Handler (copy .data, zero .bss,
 * enable the FPU/MVE), then `mn_io_exit(main())`. Used with arm/<machine>.ld (which includes sections.ld).
 */
#include <stdint.h>

#include "../mn_io.h"

extern uint32_t __StackTop, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern int main(void);
void SysTick_Handler(void); /* mn_io_semihost_arm.c */
void Reset_Handler(void);
void Fault_Handler(void);

/* Any fault (or an unexpected exception) ends the program with MN_EXIT_FAULT after naming the exception
 * number (3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault, 7 SecureFault, 11 SVCall, ...). */
void Fault_Handler(void) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  char msg[48] = "*** mnetc firmware: fault, exception ";
  char *p = msg;
  while (*p) p++;
  uint32_t n = ipsr & 0x1FFu;
  if (n >= 100) *p++ = (char)('0' + n / 100);
  if (n >= 10) *p++ = (char)('0' + n / 10 % 10);
  *p++ = (char)('0' + n % 10);
  *p++ = '\n';
  *p = 0;
  mn_io_puts(msg);
  mn_io_exit(MN_EXIT_FAULT);
}

__attribute__((noreturn)) void Reset_Handler(void) {
  /* Plain word loops; volatile keeps gcc from turning them into memcpy/memset calls. */
  volatile uint32_t *d = &__data_start;
  const uint32_t *s = &__data_load;
  if (s != (const uint32_t *)d)
    while (d < &__data_end) *d++ = *s++;
  for (d = &__bss_start; d < &__bss_end;) *d++ = 0;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: CP10/CP11 full access (FPU, MVE) */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  mn_io_exit(main());
}

typedef void (*vector_fn)(void);

__attribute__((section(".isr_vector"), used)) const vector_fn mn_vectors[16] = {
    (vector_fn)(uintptr_t)&__StackTop, /* initial MSP */
    Reset_Handler,
    Fault_Handler,   /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    Fault_Handler,   /* SecureFault (v8-M) */
    0,
    0,
    0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};
