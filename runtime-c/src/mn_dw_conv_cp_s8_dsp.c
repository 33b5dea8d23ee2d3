/* mn_dw_conv_cp_s8_dsp.c - channel planes: the Armv7E-M DSP loops of mn_dw_conv_rows_s8_dsp for 3x3 stride-2
 * layers of 3 x 3 output pixels (6x6 -> 3x3 in MobileNetV1: person_detect, VWW), where a group of 4 channels
 * has only 9 output pixels and the column-pair plane's per-pixel bookkeeping costs more than its multiply-adds
 * (3.6 instructions per MAC there; about 2.8 here, Cortex-M4, whole layer). Internal to mn_dw_conv_rows_s8_dsp.c (d3c_rows there picks the shapes and handles edges,
 * exact channels and clamping); contract at the prototypes in mn_kernels_opt.h.
 *
 * Layout: per group, channel j of the group has its own plane at planes + MN_DWCP_PLANE_BYTES * j: rows of 8
 * int16 (16 bytes), plane row i = input row i - pad_top of the map, plane column q = input column q - pad_left,
 * values as they are (the zero point outside the image; the bias carries in_offset * sum of the taps, as in
 * the other 3x3 paths). Output pixel (oy, ox) reads plane rows 2oy..2oy+2, words ox (columns 2ox, 2ox + 1)
 * and ox + 1 (column 2ox + 2 in its low half), so one LDM of a plane row serves the row's 3 pixels:
 *   acc = b2 + SMLAD(X[ox], (w0, w1)) + SMLABB(X[ox + 1], w2)   per kernel row (the weights doubled),
 * 6 multiply instructions for 9 taps, the 5 weight words of the channel in registers for all its pixels.
 * Requantization: SMMLAR on the doubled sum (mn_dw_conv_rows_s8_dsp.c, d3_setup_c).
 */
#include <stdint.h>
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

#if defined(__ARM_FEATURE_DSP)

typedef char mn_dwcp_args_ok[(sizeof(mn_dwcp_args) == 56 && MN_DWCP_PLANE_BYTES == 256) ? 1 : -1];

/* Gather: per plane row, the pairs of input words (columns 2q, 2q + 1, 4 channels each) become, with
 * PKHBT / PKHTB and SXTB16, one word per channel: (x[2q], x[2q + 1]) as int16 lanes. Two pairs per step
 * (STRD into each plane), then a third one alone (NP3) or not. */
#define CP_LD2 "ldr r3, [r8]\n\tldr r6, [r8, r4]\n\tadd r8, r8, r4, lsl #1\n\t"
#define CP_GROW(L, NP3)                                                                                      \
  L ":\n\t"                                                                                                 \
  "ldr r8, [r1], #4\n\t"                                                                                    \
  "add r8, r8, r5\n\t"                                                                                      \
  CP_LD2                                                                                                    \
  "ldr r10, [r8]\n\t"                                                                                       \
  "ldr r12, [r8, r4]\n\t"                                                                                   \
  "add r8, r8, r4, lsl #1\n\t"                                                                              \
  "pkhbt r11, r3, r6, lsl #16\n\t"                                                                          \
  "pkhtb r3, r6, r3, asr #16\n\t"                                                                           \
  "pkhbt lr, r10, r12, lsl #16\n\t"                                                                         \
  "pkhtb r6, r12, r10, asr #16\n\t"                                                                         \
  "sxtb16 r10, r11\n\t"                                                                                     \
  "sxtb16 r12, lr\n\t"                                                                                      \
  "strd r10, r12, [r0]\n\t"                                                                                 \
  "sxtb16 r10, r11, ror #8\n\t"                                                                             \
  "sxtb16 r12, lr, ror #8\n\t"                                                                              \
  "strd r10, r12, [r0, #256]\n\t"                                                                           \
  "sxtb16 r10, r3\n\t"                                                                                      \
  "sxtb16 r12, r6\n\t"                                                                                      \
  "strd r10, r12, [r0, #512]\n\t"                                                                           \
  "sxtb16 r10, r3, ror #8\n\t"                                                                              \
  "sxtb16 r12, r6, ror #8\n\t"                                                                              \
  "strd r10, r12, [r0, #768]\n\t"                                                                           \
  NP3                                                                                                       \
  "add r0, r0, #16\n\t"                                                                                     \
  "subs r2, r2, #1\n\t"                                                                                     \
  "bne " L "b\n\t"
#define CP_THIRD                                                                                             \
  CP_LD2                                                                                                    \
  "pkhbt r11, r3, r6, lsl #16\n\t"                                                                          \
  "pkhtb r3, r6, r3, asr #16\n\t"                                                                           \
  "sxtb16 r10, r11\n\t"                                                                                     \
  "sxtb16 r11, r11, ror #8\n\t"                                                                             \
  "str r10, [r0, #8]\n\t"                                                                                   \
  "str r11, [r0, #264]\n\t"                                                                                 \
  "sxtb16 r10, r3\n\t"                                                                                      \
  "sxtb16 r11, r3, ror #8\n\t"                                                                              \
  "str r10, [r0, #520]\n\t"                                                                                 \
  "str r11, [r0, #776]\n\t"
#define CP_GATHER                                                                                            \
  "ldr r1, [r0, #20]\n\t"                                                                                   \
  "ldr r2, [r0, #24]\n\t"                                                                                   \
  "ldrd r4, r5, [r0, #28]\n\t"                                                                              \
  "ldr r7, [r0, #36]\n\t"                                                                                   \
  "ldr r0, [r0, #40]\n\t"                                                                                   \
  "cmp r7, #3\n\t"                                                                                          \
  "bne 4f\n\t"                                                                                              \
  CP_GROW("3", CP_THIRD)                                                                                    \
  "b 5f\n\t"                                                                                                \
  CP_GROW("4", "")                                                                                          \
  "5:\n\t"

/* Channel j's record: the 14 words below its plane P (P = planes + 256 j): A0 A1 A2 (doubled tap pairs
 * (w0, w1) of kernel rows 0..2), C01 = (w2 of row 0, w2 of row 1), C2 (w2 of row 2 in the low half) at P - 20
 * .. P - 4; y (channel j's output pixel 0) at P - 24; C, 3C at P - 32; m, k at P - 40; e at P - 44; b2, b2
 * at P - 52; out_offset at P - 56. The plane pointer (r12) addresses it, so all 14 registers serve the loop. */
#define CP_S(x) #x
#define CP_XS(x) CP_S(x)
#define CP_RQ(A, Q) "smmlar r3, " A ", r0, r1\n\tadd r3, r3, " A ", asr #31\n\tasr r3, r3, r2\n\tssat " A ", #8, r3\n\t"
/* shifts below -22 (k = 2^(e-1) only): out_offset added after the shift */
#define CP_RQW(A, Q)                                                                                         \
  "smmlar r3, " A ", r0, r1\n\tadd r3, r3, " A ", asr #31\n\tasr r3, r3, r2\n\t"                              \
  "ldr " A ", [r12, #(-56-" #Q ")]\n\tadd r3, r3, " A "\n\tssat " A ", #8, r3\n\t"
/* one kernel row of an output row's 3 pixels (accumulators r4..r6): plane words r0..r3 (columns 0..7), tap
 * pair AK, third tap MC (smlabb / smlabt) from CK */
#define CP_KROW(AK, MC, CK)                                                                                  \
  "ldm r12!, {r0-r3}\n\t"                                                                                   \
  "smlad r4, r0, " AK ", r4\n\t" MC " r4, r1, " CK ", r4\n\t"                                             \
  "smlad r5, r1, " AK ", r5\n\t" MC " r5, r2, " CK ", r5\n\t"                                             \
  "smlad r6, r2, " AK ", r6\n\t" MC " r6, r3, " CK ", r6\n\t"
/* output row OY: r12 = P + 32 OY on entry, P + Q after its plane rows (Q = 32 (OY + 1), or 112 for the last
 * row, which does not step back) */
#define CP_ROW(RQ, OY, Q, NEXT_PLANE, NEXT_Y)                                                                  \
  "ldrd r4, r5, [r12, #(-52-32*" #OY ")]\n\t"                                                               \
  "mov r6, r4\n\t"                                                                                          \
  CP_KROW("r7", "smlabb", "r10") CP_KROW("r8", "smlabt", "r10") CP_KROW("r9", "smlabb", "r11")              \
  NEXT_PLANE                                                                                                \
  "ldrd r0, r1, [r12, #(-40-" #Q ")]\n\t"                                                                   \
  "ldr r2, [r12, #(-44-" #Q ")]\n\t"                                                                        \
  RQ("r4", Q) RQ("r5", Q) RQ("r6", Q)                                                                       \
  "ldrd r0, r1, [r12, #(-32-" #Q ")]\n\t"                                                                   \
  "strb r4, [lr]\n\t"                                                                                       \
  "strb r5, [lr, r0]\n\t"                                                                                   \
  "strb r6, [lr, r0, lsl #1]\n\t"                                                                           \
  NEXT_Y
/* the 4 channels, their records and planes 256 bytes apart (r12 = P_0) */
#define CP_CHANNELS(RQ, L)                                                                                   \
  L ":\n\t"                                                                                                 \
  "ldmdb r12, {r7-r11}\n\t"                                                                                 \
  "ldr lr, [r12, #-24]\n\t"                                                                                 \
  CP_ROW(RQ, 0, 32, "sub r12, r12, #16\n\t", "add lr, lr, r1\n\t")                                         \
  CP_ROW(RQ, 1, 64, "sub r12, r12, #16\n\t", "add lr, lr, r1\n\t")                                         \
  CP_ROW(RQ, 2, 112, "", "")                                                                                \
  "add r12, r12, #144\n\t"                                                                                  \
  "ldr r0, [sp, #8]\n\t"                                                                                    \
  "cmp r12, r0\n\t"                                                                                         \
  "bne " L "b\n\t"
/* the records' tap pairs (at P_j - 20 + OFF, r3 = P_0) from 2 taps' words E0 O0 (c0, c2), (c1, c3) and E1 O1 */
#define CP_PAIRS(OFF, E0, O0, E1, O1)                                                                        \
  "pkhbt r12, " E0 ", " E1 ", lsl #16\n\tstr r12, [r3, #(-20+" CP_XS(OFF) ")]\n\t"                        \
  "pkhbt r12, " O0 ", " O1 ", lsl #16\n\tstr r12, [r3, #(236+" CP_XS(OFF) ")]\n\t"                        \
  "pkhtb r12, " E1 ", " E0 ", asr #16\n\tstr r12, [r3, #(492+" CP_XS(OFF) ")]\n\t"                        \
  "pkhtb r12, " O1 ", " O0 ", asr #16\n\tstr r12, [r3, #(748+" CP_XS(OFF) ")]\n\t"
/* a->FIELD += a->STRIDE_FIELD (r0 = a) */
#define CP_STEP(F, SF) "ldr r1, [r0, #" #F "]\n\tldr r2, [r0, #" #SF "]\n\tadd r1, r1, r2\n\tstr r1, [r0, #" #F "]\n\t"
__attribute__((naked, noinline)) void mn_dwcp_run(mn_dwcp_args *a __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "sub sp, sp, #16\n\t" /* a, groups left, the plane pointer after the last channel, the group's flags */
      "str r0, [sp]\n\t"
      "ldr r1, [r0, #44]\n\t"
      "str r1, [sp, #4]\n\t"
      "ldr r3, [r0, #16]\n\t"
      "add r1, r3, #1024\n\t"
      "str r1, [sp, #8]\n\t"
      "ldr r1, [r0, #12]\n\t"
      "add r2, r1, r1, lsl #1\n\t"
      "strd r1, r2, [r3, #-32]\n\t"
      "strd r1, r2, [r3, #224]\n\t"
      "strd r1, r2, [r3, #480]\n\t"
      "strd r1, r2, [r3, #736]\n\t"
      "ldr r1, [r0, #52]\n\t"
      "str r1, [r3, #-56]\n\t"
      "str r1, [r3, #200]\n\t"
      "str r1, [r3, #456]\n\t"
      "str r1, [r3, #712]\n\t"
      "2:\n\t"
      "ldr r0, [sp]\n\t"
      CP_GATHER
      "ldr r0, [sp]\n\t"
      "ldr r1, [r0, #32]\n\t"
      "add r1, r1, #4\n\t"
      "str r1, [r0, #32]\n\t"
      /* y of each channel */
      "ldr r1, [r0, #8]\n\t"
      "ldr r3, [r0, #16]\n\t"
      "str r1, [r3, #-24]\n\t"
      "add r1, r1, #1\n\t"
      "str r1, [r3, #232]\n\t"
      "add r1, r1, #1\n\t"
      "str r1, [r3, #488]\n\t"
      "add r1, r1, #1\n\t"
      "str r1, [r3, #744]\n\t"
      "add r1, r1, #1\n\t"
      "str r1, [r0, #8]\n\t"
      /* the head: rq[j] = (m, k, e) at hp[3j], b2[j] at hp[12 + j] */
      "ldr r1, [r0, #4]\n\t"
      "ldm r1!, {r4-r12}\n\t"
      "strd r4, r5, [r3, #-40]\n\t"
      "str r6, [r3, #-44]\n\t"
      "strd r7, r8, [r3, #216]\n\t"
      "str r9, [r3, #212]\n\t"
      "strd r10, r11, [r3, #472]\n\t"
      "str r12, [r3, #468]\n\t"
      "ldm r1, {r4-r10}\n\t"
      "ldr r11, [r1, #44]\n\t" /* the flags word */
      "str r11, [sp, #12]\n\t"
      "strd r4, r5, [r3, #728]\n\t"
      "str r6, [r3, #724]\n\t"
      "strd r7, r7, [r3, #-52]\n\t"
      "strd r8, r8, [r3, #204]\n\t"
      "strd r9, r9, [r3, #460]\n\t"
      "strd r10, r10, [r3, #716]\n\t"
      CP_STEP(4, 48)
      /* the weights: taps 0..2 in r4..r9, taps 3..5 in r4-r7, r10, r11, taps 6..8 in r4..r9 */
      "ldr r1, [r0]\n\t"
      "ldm r1!, {r4-r9}\n\t"
      CP_PAIRS(0, "r4", "r5", "r6", "r7")
      "ldm r1!, {r4-r7, r10, r11}\n\t"
      CP_PAIRS(4, "r4", "r5", "r6", "r7")
      CP_PAIRS(12, "r8", "r9", "r10", "r11")
      "ldm r1, {r4-r9}\n\t"
      CP_PAIRS(8, "r4", "r5", "r6", "r7")
      "str r8, [r3, #-4]\n\t"
      "str r9, [r3, #252]\n\t"
      "asr r8, r8, #16\n\t"
      "asr r9, r9, #16\n\t"
      "str r8, [r3, #508]\n\t"
      "str r9, [r3, #764]\n\t"
      CP_STEP(0, 48)
      /* the channels (the head's flags word, 20 words on: bit 4 selects the wide loop) */
      "mov r12, r3\n\t"
      "ldr r0, [sp, #12]\n\t"
      "tst r0, #16\n\t"
      "bne 6f\n\t"
      CP_CHANNELS(CP_RQ, "1")
      "b 7f\n\t"
      "6:\n\t"
      CP_CHANNELS(CP_RQW, "8")
      "7:\n\t"
      "ldr r0, [sp, #4]\n\t"
      "subs r0, r0, #1\n\t"
      "str r0, [sp, #4]\n\t"
      "bne 2b\n\t"
      "add sp, sp, #16\n\t"
      "pop {r4-r11, pc}\n\t");
}

#endif /* __ARM_FEATURE_DSP */
