/*
 * mn_dsp_gemm.h - the Arm DSP micro-kernel shared by mn_conv_1x1_s8_dsp.c and mn_conv_row_s8_dsp.c (internal:
 * include it only from those two files, inside their __ARM_FEATURE_DSP code, after their helpers).
 */
#ifndef MN_DSP_GEMM_H
#define MN_DSP_GEMM_H

/* one k-pair step of the 2 x 3 micro-kernel */
#define MN_STEP                                  \
  "ldr %[w], [%[wp]], #4\n\t"                    \
  "ldmia %[xp]!, {%[x0], %[x1], %[x2]}\n\t"      \
  "sxtb16 %[wb], %[w], ror #8\n\t"               \
  "sxtb16 %[w], %[w]\n\t"                        \
  "smlad %[a0], %[x0], %[w], %[a0]\n\t"          \
  "smlad %[a1], %[x1], %[w], %[a1]\n\t"          \
  "smlad %[a2], %[x2], %[w], %[a2]\n\t"          \
  "smlad %[b0], %[x0], %[wb], %[b0]\n\t"         \
  "smlad %[b1], %[x1], %[wb], %[b1]\n\t"         \
  "smlad %[b2], %[x2], %[wb], %[b2]\n\t"

#define MN_MK_OPERANDS                                                                                   \
  : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [b0] "+r"(b0), [b1] "+r"(b1), [b2] "+r"(b2), [wp] "+r"(wp), \
    [xp] "+r"(xp), [n] "+r"(n), [w] "=&r"(w), [wb] "=&r"(wb), [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2) \
  :                                                                                                      \
  : "cc", "memory"

/* The FAST-requant block loop in asm: for one output-channel pair, every full 3-pixel block of a chunk.
 * Registers: r0-r2 / r3-r5 accumulators of channel a / b for pixels 0..2, r6 r7 weight pairs, r8-r10 input
 * words, r11 weight pointer, r12 input pointer, lr loop counter; the context is copied to the stack.
 * The first k-pair step initialises the accumulators from the doubled biases, the others are entered
 * Duff-style (TBB) into a 4-step loop. Requant: v = SMMLAR(acc, m, k) - (acc < 0), v >>= e, SSAT 8
 * (k = 2^(e-1) + out_offset * 2^e; acc < 0 stands in for v < 0: they differ only where v == 0, and then
 * both give the same result). */
typedef struct {
  const int8_t *wbase; /* 0: weights of the output-channel pair */
  int32_t nloop;       /* 4: iterations of the 4-step loop after the first step */
  int32_t entry;       /* 8: Duff entry 0..3 */
  int32_t init_a;      /* 12: doubled bias of a */
  int32_t init_b;      /* 16 */
  int32_t ma, ka, ea;  /* 20, 24, 28: requant of a */
  int32_t mb, kb, eb;  /* 32, 36, 40 */
  int8_t *y;           /* 44: output of the block's first pixel, channel a */
  int32_t oc;          /* 48: output pixel stride */
  const uint32_t *xend; /* 52: end of the last block */
  int32_t lo, hi;      /* 56, 60: activation range */
} mn_blk_ctx;

#define MN_S(x) #x
#define MN_XS(x) MN_S(x)
#define MN_ASM_STEP                                                                                        \
  "ldr r6, [r11], #4\n\t"                                                                                  \
  "ldmia r12!, {r8, r9, r10}\n\t"                                                                          \
  "sxtb16 r7, r6, ror #8\n\t"                                                                              \
  "sxtb16 r6, r6\n\t"                                                                                      \
  "smlad r0, r8, r6, r0\n\t"                                                                               \
  "smlad r1, r9, r6, r1\n\t"                                                                               \
  "smlad r2, r10, r6, r2\n\t"                                                                              \
  "smlad r3, r8, r7, r3\n\t"                                                                               \
  "smlad r4, r9, r7, r4\n\t"                                                                               \
  "smlad r5, r10, r7, r5\n\t"
/* v = ssat8(((smmlar(acc, m, k)) + (acc < 0 ? -1 : 0)) >> e), m in r6, k in r7, e in r8 */
#define MN_ASM_RQ(R)                                                                                       \
  "smmlar r9, " R ", r6, r7\n\t"                                                                           \
  "add " R ", r9, " R ", asr #31\n\t"                                                                      \
  "asr " R ", " R ", r8\n\t"                                                                               \
  "ssat " R ", #8, " R "\n\t"
#define MN_ASM_ACT(R)                                                                                      \
  "cmp " R ", r6\n\tit lt\n\tmovlt " R ", r6\n\t"                                                          \
  "cmp " R ", r7\n\tit gt\n\tmovgt " R ", r7\n\t"
#define MN_ASM_BLOCKS(ACT)                                                                                 \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "mov r12, r1\n\t"                                                                                        \
  "add r0, r0, #32\n\t"                                                                                    \
  "ldmia r0, {r1-r8}\n\t"                                                                                  \
  "push {r1-r8}\n\t"                                                                                       \
  "sub r0, r0, #32\n\t"                                                                                    \
  "ldmia r0, {r1-r8}\n\t"                                                                                  \
  "push {r1-r8}\n\t"                                                                                       \
  "1:\n\t"                                                                                                 \
  "ldrd r11, lr, [sp, #0]\n\t"                                                                             \
  "ldrd r0, r3, [sp, #12]\n\t"                                                                             \
  "ldr r6, [r11], #4\n\t"                                                                                  \
  "ldmia r12!, {r8, r9, r10}\n\t"                                                                          \
  "sxtb16 r7, r6, ror #8\n\t"                                                                              \
  "sxtb16 r6, r6\n\t"                                                                                      \
  "smlad r1, r9, r6, r0\n\t"                                                                               \
  "smlad r2, r10, r6, r0\n\t"                                                                              \
  "smlad r0, r8, r6, r0\n\t"                                                                               \
  "smlad r4, r9, r7, r3\n\t"                                                                               \
  "smlad r5, r10, r7, r3\n\t"                                                                              \
  "smlad r3, r8, r7, r3\n\t"                                                                               \
  "cmp lr, #0\n\t"                                                                                         \
  "beq 7f\n\t"                                                                                             \
  "ldr r6, [sp, #8]\n\t"                                                                                   \
  "tbb [pc, r6]\n\t"                                                                                       \
  "2:\n\t"                                                                                                 \
  ".byte (3f - 2b) / 2, (4f - 2b) / 2, (5f - 2b) / 2, (6f - 2b) / 2\n\t"                                   \
  ".p2align 1\n\t"                                                                                         \
  "3:\n\t" MN_ASM_STEP "4:\n\t" MN_ASM_STEP "5:\n\t" MN_ASM_STEP "6:\n\t" MN_ASM_STEP                      \
  "subs lr, lr, #1\n\t"                                                                                    \
  "bne 3b\n\t"                                                                                             \
  "7:\n\t"                                                                                                 \
  "ldrd r6, r7, [sp, #20]\n\t"                                                                             \
  "ldr r8, [sp, #28]\n\t" MN_ASM_RQ("r0") MN_ASM_RQ("r1") MN_ASM_RQ("r2")                                  \
  "ldrd r6, r7, [sp, #32]\n\t"                                                                             \
  "ldr r8, [sp, #40]\n\t" MN_ASM_RQ("r3") MN_ASM_RQ("r4") MN_ASM_RQ("r5")                                  \
  ACT                                                                                                      \
  "ldrd r6, r7, [sp, #44]\n\t"                                                                             \
  "strb r0, [r6]\n\tstrb r3, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "strb r1, [r6]\n\tstrb r4, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "strb r2, [r6]\n\tstrb r5, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "str r6, [sp, #44]\n\t"                                                                                  \
  "ldr r6, [sp, #52]\n\t"                                                                                  \
  "cmp r12, r6\n\t"                                                                                        \
  "bne 1b\n\t"                                                                                             \
  "add sp, sp, #64\n\t"                                                                                    \
  "pop {r4-r11, pc}\n\t"

#define MN_ASM_ACT6                                                                                        \
  "ldrd r6, r7, [sp, #56]\n\t" MN_ASM_ACT("r0") MN_ASM_ACT("r1") MN_ASM_ACT("r2") MN_ASM_ACT("r3")         \
      MN_ASM_ACT("r4") MN_ASM_ACT("r5")

/* Runs full blocks from x (3 pixels x 2 output channels each) until x reaches c->xend. */
__attribute__((naked, noinline, unused)) static void mn_blocks(const mn_blk_ctx *c __attribute__((unused)),
                                                       const uint32_t *x __attribute__((unused))) {
  __asm__ volatile(MN_ASM_BLOCKS(""));
}
__attribute__((naked, noinline, unused)) static void mn_blocks_act(const mn_blk_ctx *c __attribute__((unused)),
                                                           const uint32_t *x __attribute__((unused))) {
  __asm__ volatile(MN_ASM_BLOCKS(MN_ASM_ACT6));
}

enum { RQ_FAST = 0, RQ_GEN = 1, RQ_SLOW = 2 };

#endif /* MN_DSP_GEMM_H */
