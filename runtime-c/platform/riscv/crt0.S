/* Startup for bare-metal rv32 on QEMU virt (-bios none; the CPU starts at 0x80000000 in M-mode). */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la t0, mn_trap_vector
  csrw mtvec, t0

  /* copy .data from its load address */
  la a0, __data_load
  la a1, __data_start
  la a2, __data_end
  beq a0, a1, 2f
1:
  bgeu a1, a2, 2f
  lw t0, 0(a0)
  sw t0, 0(a1)
  addi a0, a0, 4
  addi a1, a1, 4
  j 1b
2:
  /* zero .sbss/.bss */
  la a1, __bss_start
  la a2, __bss_end
3:
  bgeu a1, a2, 4f
  sw zero, 0(a1)
  addi a1, a1, 4
  j 3b
4:
  call main
  call mn_io_exit
5:
  j 5b

  .balign 4
mn_trap_vector:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  call mn_rv_trap
6:
  j 6b
