/* mn_conv_1x1_s8_dsp.c - pointwise int8 convolution for Armv7E-M / Armv8-M DSP (SMLAD), bit-exact with
 * mn_conv_1x1_s8. Contract: mn_kernels.h; weights in MN_FMT_1X1_PAIR4 (mn_kernels_opt.h).
 *
 * Method: pixels are taken in blocks of 3. A chunk of blocks is sign-extended once into a buffer of int16
 * pairs ((x[4q], x[4q+2]) and (x[4q+1], x[4q+3]) per pixel: SXTB16 order, no repacking; 6 KiB of stack),
 * doubled unless the weights are. For each output-channel pair a naked asm loop (blk_*) runs every full
 * block: per 2 input channels the pair's weight pairs, one LDM of 3 input words and 6 SMLADs, then it
 * requantizes the 6 sums, packs (a, b) per pixel and stores halfwords. The weight pairs come from
 *   blk_s*: in_c <= 32: doubled and sign-extended by the prologue into the stack frame at fixed offsets (no
 *           weight pointer or loop counter: the output pointer and stride stay in registers);
 *   blk_w*: sign-extended once per chunk next to the input blocks when the chunk holds enough blocks
 *           (0.67 instructions per MAC in the loop);
 *   blk_p_act: SXTB16 of the packed weights in the loop (large in_c; 0.83 per MAC).
 * The doubled sums make SMMULR/SMMLAR (round-half-up high multiply) compute gemmlowp's
 * SaturatingRoundingDoublingHighMul exactly; rounding right shift (ties away from zero) and the output
 * offset take three more instructions. The requantization is chosen per output channel (chan_class):
 * K: offset folded into the SMMLAR constant; Q (large right shifts: near-dead channels): the offset is added
 * by QADD8 on the packed bytes, exact because the value before it is known to lie in [-128, 127]; CONST
 * (huge biases: the output cannot depend on the sum): the loop computes the constant with m = 0. Activation
 * clamps are SSUB8/SEL on the packed bytes. Pairs with a channel that fits none of these (left shifts,
 * other huge biases) run C with inline asm for the MAC loop and the exact reference requantization; only
 * they pay. The 1 or 2 pixels left after the blocks (and calls with 1 or 2 pixels) take a GEMV-like asm
 * loop (gemv1: 1.2 instructions per MAC, gemv2: 1.0) and C requantization.
 * Without the DSP extension a portable C loop reads the same weight format.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

/* weight of (oc, c) in MN_FMT_1X1_PAIR4 with Cp input channels (padded to 4) */
#define W_AT(w, cp, oc, c) \
  ((w)[((oc) >> 1) * (cp) * 2 + ((c) >> 2) * 8 + ((c) & 1) * 4 + (((c) >> 1) & 1) * 2 + ((oc) & 1)])

__attribute__((noinline)) static void conv_1x1_portable(const mn_conv_1x1_params *p, const int8_t *in,
                                                        int8_t *out) {
  const int32_t cp = (p->in_c + 3) & ~3;
  for (int32_t px = 0; px < p->pixels; px++) {
    const int8_t *x = in + px * p->in_c;
    int8_t *y = out + px * p->out_c;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
      int32_t acc = p->bias[oc];
      for (int32_t c = 0; c < p->in_c; c++) acc += (int32_t)W_AT(p->weights, cp, oc, c) * (int32_t)x[c];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      y[oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#define BUF_WORDS 1536 /* 6 KiB: 3 pixels x 1024 channels, or more pixels of fewer channels */

MN_INLINE int32_t ssat8(int32_t x) {
  return __ssat(x, 8);
}

#include "mn_dsp_gemm.h"

/* ---------------------------------------------------------------------------------------------------------
 * asm block loop: one output-channel pair (a, b), every full 3-pixel block from x until x reaches xend.
 * Registers in the MAC loop: r0-r2 / r3-r5 sums of a / b for pixels 0..2, r6 r7 weight pairs of a / b,
 * r8-r10 input words, r11 weight pointer, r12 input pointer, lr loop counter. The context is copied to the
 * stack (offsets below). The first k-pair step initialises the sums from the doubled biases; the others
 * run in an 8-step loop entered Duff-style (LDR PC from a table of entry addresses). Requant of a sum A:
 * v = SMMLAR(A, m, k) - (A < 0), v >>= e, SSAT 8, with k = 2^(e-1) + out_offset * 2^e ("K" channels) or
 * k = 2^(e-1) and out_offset added afterwards by QADD8 ("Q" channels; byte of offw). (A < 0 stands in for
 * v < 0: with m >= 0 they differ only where the product rounds to 0, and then both give the same result.)
 */
typedef struct {
  int32_t ma, ka, ea, mb, kb, eb; /* 0..20: requant of a and b */
  uint32_t offw;                  /* 24: QADD8 offsets, bytes a b a b */
  uint32_t lo4, hi4;              /* 28, 32: activation range, 4 bytes each */
  int8_t *y;                      /* 36: output of the block's first pixel, channel a */
  int32_t oc;                     /* 40: output pixel stride */
  const uint32_t *xend;           /* 44: end of the last block */
  const void *wbase;              /* 48: weights the loop reads (packed, or where blk_w* sign-extend them) */
  int32_t nloop;                  /* 52: iterations of the 8-step loop */
  int32_t init_a, init_b;         /* 56, 60: doubled biases */
  int32_t entry;                  /* 64: Duff entry (the asm replaces it by the address) */
  int32_t steps;                  /* 68: k-pair steps (even) */
  const int8_t *wsrc;             /* 72: packed weights of the pair */
  int32_t pad;                    /* 76 */
} blk_ctx;
typedef char blk_ctx_layout_ok[(offsetof(blk_ctx, offw) == 24 && offsetof(blk_ctx, y) == 36 && offsetof(blk_ctx, init_a) == 56 &&
                                offsetof(blk_ctx, wbase) == 48 && offsetof(blk_ctx, entry) == 64 &&
                                offsetof(blk_ctx, wsrc) == 72 && sizeof(blk_ctx) == 80)
                                   ? 1
                                   : -1];
/* copies the context to the stack frame (80 bytes at sp), x to r12, and replaces entry index by the
 * address from table 9 */
#define PK_PROLOGUE(FRAME)                                                                                 \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "sub sp, sp, #" FRAME "\n\t"                                                                             \
  "mov r12, r1\n\t"                                                                                        \
  "mov r10, sp\n\t"                                                                                        \
  "ldmia r0!, {r1-r8}\n\t"                                                                                 \
  "stmia r10!, {r1-r8}\n\t"                                                                                \
  "ldmia r0!, {r1-r8}\n\t"                                                                                 \
  "stmia r10!, {r1-r8}\n\t"                                                                                \
  "ldmia r0!, {r1-r4}\n\t"                                                                                 \
  "stmia r10!, {r1-r4}\n\t"                                                                                \
  "ldr r1, [sp, #64]\n\t"                                                                                  \
  "adr r2, 9f\n\t"                                                                                         \
  "ldr r3, [r2, r1, lsl #2]\n\t"                                                                           \
  "add r2, r2, r3\n\t"                                                                                     \
  "str r2, [sp, #64]\n\t"

/* weights: packed word (SXTB16 here) or two sign-extended words */
#define PK_LOAD_P                                                                                          \
  "ldr r6, [r11], #4\n\t"                                                                                  \
  "ldmia r12!, {r8, r9, r10}\n\t"                                                                          \
  "sxtb16 r7, r6, ror #8\n\t"                                                                              \
  "sxtb16 r6, r6\n\t"
#define PK_LOAD_W                                                                                          \
  "ldmia r11!, {r6, r7}\n\t"                                                                               \
  "ldmia r12!, {r8, r9, r10}\n\t"
#define PK_MAC6                                                                                            \
  "smlad r0, r8, r6, r0\n\t"                                                                               \
  "smlad r1, r9, r6, r1\n\t"                                                                               \
  "smlad r2, r10, r6, r2\n\t"                                                                              \
  "smlad r3, r8, r7, r3\n\t"                                                                               \
  "smlad r4, r9, r7, r4\n\t"                                                                               \
  "smlad r5, r10, r7, r5\n\t"
#define PK_FIRST6                                                                                          \
  "smlad r1, r9, r6, r0\n\t"                                                                               \
  "smlad r2, r10, r6, r0\n\t"                                                                              \
  "smlad r0, r8, r6, r0\n\t"                                                                               \
  "smlad r4, r9, r7, r3\n\t"                                                                               \
  "smlad r5, r10, r7, r3\n\t"                                                                              \
  "smlad r3, r8, r7, r3\n\t"
#define PK_RQ(R, M, K, E)                                                                                  \
  "smmlar r9, " R ", " M ", " K "\n\t"                                                                     \
  "add " R ", r9, " R ", asr #31\n\t"                                                                      \
  "asr " R ", " R ", " E "\n\t"                                                                            \
  "ssat " R ", #8, " R "\n\t"
/* r0 = a0 b0 a1 b1, r2 = a2 b2: add the packed output offsets (QADD8), clamp with SSUB8/SEL (frame: offsets,
 * offsets at sp+24, lo at sp+28, hi at sp+32) */
#define PK_PACK_CLAMP                                                                                      \
  "bfi r0, r3, #8, #8\n\t"                                                                                 \
  "bfi r0, r1, #16, #8\n\t"                                                                                \
  "bfi r0, r4, #24, #8\n\t"                                                                                \
  "bfi r2, r5, #8, #8\n\t"                                                                                 \
  "ldrd r6, r7, [sp, #24]\n\t"                                                                             \
  "ldr r8, [sp, #32]\n\t"                                                                                  \
  "qadd8 r0, r0, r6\n\t"                                                                                   \
  "qadd8 r2, r2, r6\n\t"                                                                                   \
  "ssub8 r9, r0, r7\n\t"                                                                                   \
  "sel r0, r0, r7\n\t"                                                                                     \
  "ssub8 r9, r8, r0\n\t"                                                                                   \
  "sel r0, r0, r8\n\t"                                                                                     \
  "ssub8 r9, r2, r7\n\t"                                                                                   \
  "sel r2, r2, r7\n\t"                                                                                     \
  "ssub8 r9, r8, r2\n\t"                                                                                   \
  "sel r2, r2, r8\n\t"
/* plain store: (a_i, b_i) packed into a halfword per pixel */
#define PK_STORE                                                                                           \
  "bfi r0, r3, #8, #8\n\t"                                                                                 \
  "bfi r1, r4, #8, #8\n\t"                                                                                 \
  "bfi r2, r5, #8, #8\n\t"                                                                                 \
  "ldrd r6, r7, [sp, #36]\n\t"                                                                             \
  "strh r0, [r6]\n\t"                                                                                      \
  "strh r1, [r6, r7]\n\t"                                                                                  \
  "strh r2, [r6, r7, lsl #1]\n\t"                                                                          \
  "add r6, r6, r7, lsl #1\n\t"                                                                             \
  "add r6, r6, r7\n\t"                                                                                     \
  "str r6, [sp, #36]\n\t"
/* packed bytes a0 b0 a1 b1 | a2 b2: QADD8 offsets, clamp with SSUB8/SEL, store */
#define PK_STORE_ACT                                                                                       \
  PK_PACK_CLAMP                                                                                            \
  "ldrd r6, r7, [sp, #36]\n\t"                                                                             \
  "strh r0, [r6]\n\t"                                                                                      \
  "lsr r0, r0, #16\n\t"                                                                                    \
  "strh r0, [r6, r7]\n\t"                                                                                  \
  "strh r2, [r6, r7, lsl #1]\n\t"                                                                          \
  "add r6, r6, r7, lsl #1\n\t"                                                                             \
  "add r6, r6, r7\n\t"                                                                                     \
  "str r6, [sp, #36]\n\t"
/* sign-extends the packed weights (wsrc, steps words) into wbase: 2 words per step */
#define PK_EXTEND                                                                                          \
  "ldr r2, [sp, #72]\n\t"                                                                                  \
  "ldr r0, [sp, #48]\n\t"                                                                                  \
  "ldr r3, [sp, #68]\n\t"                                                                                  \
  "lsrs r3, r3, #2\n\t"                                                                                    \
  "beq 81f\n\t"                                                                                            \
  "80:\n\t"                                                                                                \
  "ldmia r2!, {r9, r10, r11, lr}\n\t"                                                                      \
  "sxtb16 r1, r9\n\t"                                                                                      \
  "sxtb16 r4, r9, ror #8\n\t"                                                                              \
  "sxtb16 r5, r10\n\t"                                                                                     \
  "sxtb16 r6, r10, ror #8\n\t"                                                                             \
  "sxtb16 r7, r11\n\t"                                                                                     \
  "sxtb16 r8, r11, ror #8\n\t"                                                                             \
  "sxtb16 r9, lr\n\t"                                                                                      \
  "sxtb16 r10, lr, ror #8\n\t"                                                                             \
  "stmia r0!, {r1, r4-r10}\n\t"                                                                            \
  "subs r3, r3, #1\n\t"                                                                                    \
  "bne 80b\n\t"                                                                                            \
  "81:\n\t"                                                                                                \
  "ldr r3, [sp, #68]\n\t"                                                                                  \
  "tst r3, #2\n\t"                                                                                         \
  "beq 82f\n\t"                                                                                            \
  "ldrd r9, r10, [r2]\n\t"                                                                                 \
  "sxtb16 r1, r9\n\t"                                                                                      \
  "sxtb16 r4, r9, ror #8\n\t"                                                                              \
  "sxtb16 r5, r10\n\t"                                                                                     \
  "sxtb16 r6, r10, ror #8\n\t"                                                                             \
  "stmia r0!, {r1, r4-r6}\n\t"                                                                             \
  "82:\n\t"
#define PK_BLOCKS(LOAD, STORE, PRE)                                                                        \
  PK_PROLOGUE("80") PRE                                                                                    \
  "1:\n\t"                                                                                                 \
  "ldrd r11, lr, [sp, #48]\n\t"                                                                            \
  "ldrd r0, r3, [sp, #56]\n\t" LOAD PK_FIRST6 "ldr pc, [sp, #64]\n\t"                                      \
  "30:\n\t" LOAD PK_MAC6 "31:\n\t" LOAD PK_MAC6 "32:\n\t" LOAD PK_MAC6 "33:\n\t" LOAD PK_MAC6              \
  "34:\n\t" LOAD PK_MAC6 "35:\n\t" LOAD PK_MAC6 "36:\n\t" LOAD PK_MAC6 "37:\n\t" LOAD PK_MAC6              \
  "subs lr, lr, #1\n\t"                                                                                    \
  "bne 30b\n\t"                                                                                            \
  "ldmia sp, {r6, r7, r8, r10, r11, lr}\n\t" PK_RQ("r0", "r6", "r7", "r8") PK_RQ("r1", "r6", "r7", "r8")  \
      PK_RQ("r2", "r6", "r7", "r8") PK_RQ("r3", "r10", "r11", "lr") PK_RQ("r4", "r10", "r11", "lr")        \
          PK_RQ("r5", "r10", "r11", "lr") STORE                                                            \
  "ldr r6, [sp, #44]\n\t"                                                                                  \
  "cmp r12, r6\n\t"                                                                                        \
  "bne 1b\n\t"                                                                                             \
  "add sp, sp, #80\n\t"                                                                                    \
  "pop {r4-r11, pc}\n\t"                                                                                   \
  ".p2align 2\n\t"                                                                                         \
  "9:\n\t"                                                                                                 \
  ".word 30b - 9b + 1, 31b - 9b + 1, 32b - 9b + 1, 33b - 9b + 1\n\t"                                       \
  ".word 34b - 9b + 1, 35b - 9b + 1, 36b - 9b + 1, 37b - 9b + 1\n\t"

#define PK_FN(NAME, BODY)                                                                                  \
  __attribute__((naked, noinline, noipa)) static void NAME(const blk_ctx *c __attribute__((unused)),       \
                                                           const uint32_t *x __attribute__((unused))) {    \
    __asm__ volatile(BODY);                                                                                \
  }
/* packed weights (large in_c): the clamp costs little there, one variant */
PK_FN(blk_p_act, PK_BLOCKS(PK_LOAD_P, PK_STORE_ACT, ""))
PK_FN(blk_w, PK_BLOCKS(PK_LOAD_W, PK_STORE, PK_EXTEND))
PK_FN(blk_w_act, PK_BLOCKS(PK_LOAD_W, PK_STORE_ACT, PK_EXTEND))

/* Small variant for at most 16 k-pair steps (in_c <= 32): the pair's doubled sign-extended weights (the
 * input buffer then holds plain, not doubled, values: cheaper to fill) sit in the stack
 * frame (slot j at sp + 80 + 8j, read by position j of the unrolled steps), so no weight pointer or loop
 * counter is needed and the output pointer (r11) and stride (lr) stay in registers. Step 0 reads slot 0,
 * step i >= 1 slot 16 - steps + i; entry = 17 - steps (1..15). */
#define SM_STEP(OFF) "ldrd r6, r7, [sp, #" OFF "]\n\t" "ldmia r12!, {r8, r9, r10}\n\t" PK_MAC6
/* r0 = the frame slot of step 1 (sp + 80 + 8 * (17 - steps)), r5 = steps - 1 */
#define SM_SLOTS "rsb r4, r5, #17\n\tadd r0, sp, #80\n\tadd r0, r0, r4, lsl #3\n\tsubs r5, r5, #1\n\t"
#define SM_EXTEND                                                                                          \
  "ldr r2, [sp, #72]\n\t"                                                                                  \
  "ldr r5, [sp, #68]\n\t"                                                                                  \
  "ldr r1, [r2], #4\n\t"                                                                                   \
  "sxtb16 r3, r1\n\t"                                                                                      \
  "sxtab16 r3, r3, r1\n\t"                                                                                 \
  "sxtb16 r4, r1, ror #8\n\t"                                                                              \
  "sxtab16 r4, r4, r1, ror #8\n\t"                                                                         \
  "strd r3, r4, [sp, #80]\n\t" SM_SLOTS                                                                     \
  "80:\n\t"                                                                                                \
  "ldr r1, [r2], #4\n\t"                                                                                   \
  "sxtb16 r3, r1\n\t"                                                                                      \
  "sxtab16 r3, r3, r1\n\t"                                                                                 \
  "sxtb16 r4, r1, ror #8\n\t"                                                                              \
  "sxtab16 r4, r4, r1, ror #8\n\t"                                                                         \
  "strd r3, r4, [r0], #8\n\t"                                                                              \
  "subs r5, r5, #1\n\t"                                                                                    \
  "bne 80b\n\t"                                                                                            \
  "ldrd r11, lr, [sp, #36]\n\t"
#define SM_STORE                                                                                           \
  "bfi r0, r3, #8, #8\n\t"                                                                                 \
  "bfi r1, r4, #8, #8\n\t"                                                                                 \
  "bfi r2, r5, #8, #8\n\t"                                                                                 \
  "strh r0, [r11]\n\t"                                                                                     \
  "strh r1, [r11, lr]\n\t"                                                                                 \
  "strh r2, [r11, lr, lsl #1]\n\t"                                                                         \
  "add r11, r11, lr, lsl #1\n\t"                                                                           \
  "add r11, r11, lr\n\t"
#define SM_STORE_ACT                                                                                       \
  PK_PACK_CLAMP                                                                                            \
  "strh r0, [r11]\n\t"                                                                                     \
  "lsr r0, r0, #16\n\t"                                                                                    \
  "strh r0, [r11, lr]\n\t"                                                                                 \
  "strh r2, [r11, lr, lsl #1]\n\t"                                                                         \
  "add r11, r11, lr, lsl #1\n\t"                                                                           \
  "add r11, r11, lr\n\t"
#define SM_BLOCKS(STORE) SM_BLOCKS_X(SM_EXTEND, STORE)
#define SM_BLOCKS_X(EXT, STORE)                                                                            \
  PK_PROLOGUE("208") EXT                                                                                   \
  "1:\n\t"                                                                                                 \
  "ldrd r0, r3, [sp, #56]\n\t"                                                                             \
  "ldrd r6, r7, [sp, #80]\n\t"                                                                             \
  "ldmia r12!, {r8, r9, r10}\n\t" PK_FIRST6 "ldr pc, [sp, #64]\n\t"                                        \
  "41:\n\t" SM_STEP("88") "42:\n\t" SM_STEP("96") "43:\n\t" SM_STEP("104") "44:\n\t" SM_STEP("112") \
  "45:\n\t" SM_STEP("120") "46:\n\t" SM_STEP("128") "47:\n\t" SM_STEP("136") "48:\n\t" SM_STEP("144") \
  "49:\n\t" SM_STEP("152") "50:\n\t" SM_STEP("160") "51:\n\t" SM_STEP("168") "52:\n\t" SM_STEP("176") \
  "53:\n\t" SM_STEP("184") "54:\n\t" SM_STEP("192") "55:\n\t" SM_STEP("200") \
  "ldmia sp, {r6, r7, r8}\n\t" PK_RQ("r0", "r6", "r7", "r8") PK_RQ("r1", "r6", "r7", "r8")                 \
      PK_RQ("r2", "r6", "r7", "r8") "ldrd r6, r7, [sp, #12]\n\t"                                           \
  "ldr r8, [sp, #20]\n\t" PK_RQ("r3", "r6", "r7", "r8") PK_RQ("r4", "r6", "r7", "r8")                     \
      PK_RQ("r5", "r6", "r7", "r8") STORE                                                                  \
  "ldr r6, [sp, #44]\n\t"                                                                                  \
  "cmp r12, r6\n\t"                                                                                        \
  "bne 1b\n\t"                                                                                             \
  "add sp, sp, #208\n\t"                                                                                   \
  "pop {r4-r11, pc}\n\t"                                                                                   \
  ".p2align 2\n\t"                                                                                         \
  "9:\n\t"                                                                                                 \
  ".word 41b - 9b + 1, 41b - 9b + 1, 42b - 9b + 1, 43b - 9b + 1\n\t" \
  ".word 44b - 9b + 1, 45b - 9b + 1, 46b - 9b + 1, 47b - 9b + 1\n\t" \
  ".word 48b - 9b + 1, 49b - 9b + 1, 50b - 9b + 1, 51b - 9b + 1\n\t" \
  ".word 52b - 9b + 1, 53b - 9b + 1, 54b - 9b + 1, 55b - 9b + 1\n\t"
PK_FN(blk_s, SM_BLOCKS(SM_STORE))
PK_FN(blk_s_act, SM_BLOCKS(SM_STORE_ACT))
/* the same from the compiler's pair head (mn_conv_1x1_params.heads; the context's wsrc points at it): its
 * requantization words go to frame words 0..5 and 14..15 (ma..eb, init_a, init_b), the doubled sign-extended
 * weights after it are copied into the frame, not extended */
#define SM_COPY                                                                                            \
  "ldr r2, [sp, #72]\n\t"                                                                                  \
  "ldmia r2!, {r3-r8}\n\t"                                                                                 \
  "stmia sp, {r3-r8}\n\t"                                                                                  \
  "ldmia r2!, {r3, r4}\n\t"                                                                                \
  "strd r3, r4, [sp, #56]\n\t"                                                                             \
  "ldr r5, [sp, #68]\n\t"                                                                                  \
  "ldrd r3, r4, [r2], #8\n\t"                                                                              \
  "strd r3, r4, [sp, #80]\n\t" SM_SLOTS                                                                     \
  "80:\n\t"                                                                                                \
  "ldrd r3, r4, [r2], #8\n\t"                                                                              \
  "strd r3, r4, [r0], #8\n\t"                                                                              \
  "subs r5, r5, #1\n\t"                                                                                    \
  "bne 80b\n\t"                                                                                            \
  "ldrd r11, lr, [sp, #36]\n\t"
PK_FN(blk_s_pre, SM_BLOCKS_X(SM_COPY, SM_STORE))
PK_FN(blk_s_pre_act, SM_BLOCKS_X(SM_COPY, SM_STORE_ACT))

/* GEMV-like sums of one output-channel pair over 1 pixel (contiguous words) or 2 pixels (interleaved words):
 * acc[] holds the initial values and receives the sums. */
typedef struct {
  int32_t acc[2];    /* 0: a, b */
  const void *w;     /* 8 */
  const uint32_t *x; /* 12 */
  int32_t n8, n2;    /* 16, 20: 8-step and 2-step groups */
} gemv1_ctx;
typedef struct {
  int32_t acc[4];    /* 0: a0 a1 b0 b1 */
  const void *w;     /* 16 */
  const uint32_t *x; /* 20 */
  int32_t n4, n2;    /* 24, 28: 4-step and 2-step groups (n2 <= 1) */
} gemv2_ctx;

#define G1(W, X)                                                                                           \
  "sxtb16 r10, " W ", ror #8\n\t"                                                                          \
  "sxtb16 " W ", " W "\n\t"                                                                                \
  "smlad r0, " X ", " W ", r0\n\t"                                                                         \
  "smlad r1, " X ", r10, r1\n\t"
__attribute__((naked, noinline, noipa)) static void gemv1(gemv1_ctx *c __attribute__((unused))) {
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      "ldrd r11, r12, [r0, #8]\n\t"
      "ldr lr, [r0, #16]\n\t"
      "ldrd r0, r1, [r0]\n\t"
      "cmp lr, #0\n\t"
      "beq 2f\n\t"
      "1:\n\t"
      "ldmia r11!, {r4-r7}\n\t"
      "ldmia r12!, {r2, r3, r8, r9}\n\t" G1("r4", "r2") G1("r5", "r3") G1("r6", "r8") G1("r7", "r9")
      "ldmia r11!, {r4-r7}\n\t"
      "ldmia r12!, {r2, r3, r8, r9}\n\t" G1("r4", "r2") G1("r5", "r3") G1("r6", "r8") G1("r7", "r9")
      "subs lr, lr, #1\n\t"
      "bne 1b\n\t"
      "2:\n\t"
      "ldr r2, [sp]\n\t"
      "ldr lr, [r2, #20]\n\t"
      "cmp lr, #0\n\t"
      "beq 4f\n\t"
      "3:\n\t"
      "ldrd r4, r5, [r11], #8\n\t"
      "ldrd r2, r3, [r12], #8\n\t" G1("r4", "r2") G1("r5", "r3")
      "subs lr, lr, #1\n\t"
      "bne 3b\n\t"
      "4:\n\t"
      "pop {r2}\n\t"
      "strd r0, r1, [r2]\n\t"
      "pop {r4-r11, pc}\n\t");
}
#define G2(W)                                                                                              \
  "ldmia r12!, {r8, r9}\n\t"                                                                               \
  "sxtb16 r10, " W ", ror #8\n\t"                                                                          \
  "sxtb16 " W ", " W "\n\t"                                                                                \
  "smlad r0, r8, " W ", r0\n\t"                                                                            \
  "smlad r1, r9, " W ", r1\n\t"                                                                            \
  "smlad r2, r8, r10, r2\n\t"                                                                              \
  "smlad r3, r9, r10, r3\n\t"
__attribute__((naked, noinline, noipa)) static void gemv2(gemv2_ctx *c __attribute__((unused))) {
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      "ldrd r11, r12, [r0, #16]\n\t"
      "ldr lr, [r0, #24]\n\t"
      "ldmia r0, {r0-r3}\n\t"
      "cmp lr, #0\n\t"
      "beq 2f\n\t"
      "1:\n\t"
      "ldmia r11!, {r4-r7}\n\t" G2("r4") G2("r5") G2("r6") G2("r7")
      "subs lr, lr, #1\n\t"
      "bne 1b\n\t"
      "2:\n\t"
      "ldr r4, [sp]\n\t"
      "ldr r4, [r4, #28]\n\t"
      "cmp r4, #0\n\t"
      "beq 3f\n\t"
      "ldmia r11!, {r4, r5}\n\t" G2("r4") G2("r5")
      "3:\n\t"
      "pop {r4}\n\t"
      "stmia r4, {r0-r3}\n\t"
      "pop {r4-r11, pc}\n\t");
}

/* ---------------------------------------------------------------------------------------------------------
 * C side */

/* How a channel is requantized: K, Q and CONST in the asm block loop (K, Q: see above; CONST: the output
 * does not depend on the sum, the loop computes it with m = 0), GEN / SLOW in C. */
enum { CL_K = 0, CL_CONST = 1, CL_Q = 2, CL_GEN = 3, CL_SLOW = 4 };

/* mn_requant(x, m, -e) for m >= 0, 0 <= e <= 31 (SaturatingRoundingDoublingHighMul rounds half up: it
 * cannot saturate with m >= 0) */
MN_INLINE int32_t rq_ref_r(int32_t x, int32_t m, int32_t e) {
  const int32_t s = (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
  if (e == 0) return s;
  return (int32_t)(((int64_t)s + ((int64_t)1 << (e - 1)) - (s < 0)) >> e);
}

/* max_sum bounds |sum of products| of a pixel; *cval receives the output of a CONST channel */
static int chan_class(const mn_conv_1x1_params *p, int32_t oc, int64_t max_sum, int32_t *cval) {
  const int32_t sh = p->shift[oc], m = p->mult[oc];
  const int64_t b = p->bias[oc];
  const int64_t bound = (b < 0 ? -b : b) + max_sum; /* |acc| <= bound */
  if (sh < 0 && sh >= -22 && m >= 0 && bound < ((int64_t)1 << 30)) return CL_K; /* |s| < 2^30, |k| < 2^30 */
  if (sh <= 0 && sh >= -31 && m >= 0 && b - max_sum >= INT32_MIN && b + max_sum <= INT32_MAX) {
    /* with m >= 0 and no left shift the requantization is monotonic in the sum: constant if equal at both ends */
    const int32_t lo = rq_ref_r((int32_t)(b - max_sum), m, -sh), hi = rq_ref_r((int32_t)(b + max_sum), m, -sh);
    if (lo == hi) {
      *cval = mn_clamp(lo + p->out_offset, -128, 127);
      return CL_CONST;
    }
  }
  if (sh >= 0 || m < 0) {
    /* GEN: |2 * acc << left| < 2^31 */
    const int32_t left = sh > 0 ? sh : 0;
    return sh <= 30 && sh >= -30 && bound < ((int64_t)1 << (30 - left)) ? CL_GEN : CL_SLOW;
  }
  if (sh < -30 || bound >= ((int64_t)1 << 30)) return CL_SLOW;
  const int32_t e = -sh;
  const int64_t smax = ((bound * m) >> 31) + 1; /* |s| <= smax */
  const int64_t k = ((int64_t)1 << (e - 1)) + (int64_t)p->out_offset * ((int64_t)1 << e);
  if (smax + (k < 0 ? -k : k) + 2 < ((int64_t)1 << 31)) return CL_K;
  /* Q: |s + 2^(e-1) - 1| < 2^31 (e <= 30) and the value before the offset in [-128, 127] */
  if (smax + ((int64_t)1 << (e - 1)) + 1 < ((int64_t)127 << e)) return CL_Q;
  return CL_GEN;
}

typedef struct {
  int32_t m, e, k, left, sm, init;
} rq_ch;

/* per-channel constants of the C requantization (mode RQ_GEN or RQ_SLOW) */
MN_INLINE rq_ch rq_setup(const mn_conv_1x1_params *p, int32_t oc, int mode) {
  rq_ch r;
  const int32_t sh = p->shift[oc];
  r.m = p->mult[oc];
  r.left = sh > 0 ? sh : 0;
  r.e = sh > 0 ? 0 : -sh;
  r.sm = r.e > 0 ? -1 : 0;
  if (mode == RQ_GEN) {
    r.k = r.e > 0 ? 1 << (r.e - 1) : 0;
    r.init = 2 * p->bias[oc];
  } else {
    r.k = 0;
    r.init = 0;
  }
  return r;
}

/* requantize one doubled sum `a2`, then clamp to the activation range */
/* the reference arithmetic on bias + a2 / 2 (the doubled sum of products without the bias) */
__attribute__((noinline)) static int32_t rq_slow(const mn_conv_1x1_params *p, int32_t oc, int32_t a2) {
  const int32_t acc = (int32_t)((uint32_t)p->bias[oc] + (uint32_t)(a2 >> 1));
  return mn_clamp(mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset, p->act_min, p->act_max);
}
MN_INLINE int32_t rq_one(const mn_conv_1x1_params *p, int32_t oc, const rq_ch *r, int32_t a2, int mode) {
  if (mode != RQ_GEN) return rq_slow(p, oc, a2);
  int32_t v = mn_smmulr((int32_t)((uint32_t)a2 << r->left), r->m);
  v += r->k + ((-(int32_t)((uint32_t)(v) >> 31)) & r->sm);
  v = ssat8((v >> r->e) + p->out_offset);
  return mn_clamp(v, p->act_min, p->act_max);
}

/* Sign-extends and doubles one pixel x (c_in channels) into d[s * stride], s < cp / 2. */
MN_INLINE void expand_px(const int8_t *x, int32_t c_in, uint32_t *d, const int32_t stride) {
  const int8_t *e4 = x + (c_in & ~3);
  for (; x < e4; x += 4, d += 2 * stride) {
    uint32_t u;
    memcpy(&u, x, 4);
    d[0] = __sxtab16(__sxtb16(u), u);
    d[stride] = mn_sxtab16_r8(mn_sxtb16_r8(u), u);
  }
  if (c_in & 3) {
    uint32_t u = 0;
    for (int32_t k = 0; k < (c_in & 3); k++) u |= (uint32_t)(uint8_t)x[k] << (8 * k);
    d[0] = __sxtab16(__sxtb16(u), u);
    d[stride] = mn_sxtab16_r8(mn_sxtb16_r8(u), u);
  }
}

/* nblk full blocks of 3 pixels (bw words each) */
/* 3 pixels of in_c % 4 == 0 channels per block (r0 input, r1 in_c, r2 buffer, r3 its end): 6 consecutive
 * words per input-channel quad, sign-extended (plain or doubled) */
#define EX_PLAIN(D, S) "sxtb16 " D ", " S "\n\t"
#define EX_PLAIN_R(D, S) "sxtb16 " D ", " S ", ror #8\n\t"
#define EX_DBL(D, S) "sxtb16 " D ", " S "\n\tsxtab16 " D ", " D ", " S "\n\t"
#define EX_DBL_R(D, S) "sxtb16 " D ", " S ", ror #8\n\tsxtab16 " D ", " D ", " S ", ror #8\n\t"
#define EX_BLOCKS(E, ER)                                                                                   \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "cmp r2, r3\n\t"                                                                                         \
  "beq 3f\n\t"                                                                                             \
  "1:\n\t"                                                                                                 \
  "lsr lr, r1, #2\n\t"                                                                                     \
  "2:\n\t"                                                                                                 \
  "ldr r11, [r0, r1]\n\t"                                                                                  \
  "ldr r12, [r0, r1, lsl #1]\n\t"                                                                          \
  "ldr r10, [r0], #4\n\t" E("r4", "r10") E("r5", "r11") E("r6", "r12") ER("r7", "r10") ER("r8", "r11")       \
      ER("r9", "r12")                                                                                      \
  "stmia r2!, {r4-r9}\n\t"                                                                                 \
  "subs lr, lr, #1\n\t"                                                                                    \
  "bne 2b\n\t"                                                                                             \
  "add r0, r0, r1, lsl #1\n\t"                                                                             \
  "cmp r2, r3\n\t"                                                                                         \
  "bne 1b\n\t"                                                                                             \
  "3:\n\t"                                                                                                 \
  "pop {r4-r11, pc}\n\t"
__attribute__((naked, noinline, noipa)) static void expand4_plain(const int8_t *x __attribute__((unused)),
                                                                  int32_t c_in __attribute__((unused)),
                                                                  uint32_t *d __attribute__((unused)),
                                                                  const uint32_t *e __attribute__((unused))) {
  __asm__ volatile(EX_BLOCKS(EX_PLAIN, EX_PLAIN_R));
}
__attribute__((naked, noinline, noipa)) static void expand4_dbl(const int8_t *x __attribute__((unused)),
                                                                int32_t c_in __attribute__((unused)),
                                                                uint32_t *d __attribute__((unused)),
                                                                const uint32_t *e __attribute__((unused))) {
  __asm__ volatile(EX_BLOCKS(EX_DBL, EX_DBL_R));
}

/* nblk full blocks of 3 pixels (bw words each); dbl: doubled values (else plain, for blk_s* whose weights
 * are doubled instead) */
static void expand_blocks(const int8_t *in, int32_t c_in, int32_t nblk, int32_t bw, uint32_t *buf, int dbl) {
  if ((c_in & 3) == 0) {
    if (dbl) expand4_dbl(in, c_in, buf, buf + nblk * bw);
    else expand4_plain(in, c_in, buf, buf + nblk * bw);
    return;
  }
  if (!dbl) {
    for (int32_t b = 0; b < nblk; b++, buf += bw, in += 3 * c_in)
      for (int32_t i = 0; i < 3; i++) {
        const int8_t *x = in + i * c_in;
        uint32_t *d = buf + i;
        for (int32_t c = 0; c < c_in; c += 4, d += 6) {
          uint32_t u = 0;
          for (int32_t k = 0; k < 4 && c + k < c_in; k++) u |= (uint32_t)(uint8_t)x[c + k] << (8 * k);
          d[0] = __sxtb16(u);
          d[3] = mn_sxtb16_r8(u);
        }
      }
    return;
  }
  for (int32_t b = 0; b < nblk; b++, buf += bw, in += 3 * c_in) {
    expand_px(in, c_in, buf, 3);
    expand_px(in + c_in, c_in, buf + 1, 3);
    expand_px(in + 2 * c_in, c_in, buf + 2, 3);
  }
}

typedef struct {
  const mn_conv_1x1_params *p;
  int32_t cp, steps, bw;
  int64_t max_sum;
  uint32_t blim; /* |bias| < blim: |acc| < 2^30 */
  int32_t nloop, entry;
  uint32_t lo4, hi4;
  int clamp;
} layer_t;

/* full blocks of one pair in C (pairs the asm loop cannot requantize, or an unpaired last channel) */
MN_INLINE void pair_blocks_c(const layer_t *L, int32_t oc, const uint32_t *buf, int32_t nblk, int8_t *y,
                             const int mode, int xdbl) {
  const mn_conv_1x1_params *p = L->p;
  const int32_t OC = p->out_c, bw = L->bw, n4 = L->steps >> 2, nrem = L->steps & 3;
  const int has_b = oc + 1 < OC;
  rq_ch ra = rq_setup(p, oc, mode);
  rq_ch rb = has_b ? rq_setup(p, oc + 1, mode) : ra;
  /* plain inputs: sums of x * w, doubled after the loop (init: the bias, or 0) */
  const int sh = xdbl ? 0 : 1;
  ra.init >>= sh, rb.init >>= sh;
  const int8_t *wbase = p->weights + oc * L->cp;
  for (int32_t blk = 0; blk < nblk; blk++, y += 3 * OC) {
    // cppcheck-suppress duplicateAssignExpression ; all accumulators start from the same folded bias
    int32_t a0 = ra.init, a1 = ra.init, a2 = ra.init, b0 = rb.init, b1 = rb.init, b2 = rb.init;
    const int8_t *wp = wbase;
    const uint32_t *xp = buf + blk * bw;
    int32_t w, wb;
    register int32_t x0 __asm__("r8");
    register int32_t x1 __asm__("r9");
    register int32_t x2 __asm__("r10");
    int32_t n = n4;
    if (n) __asm__ volatile("1:\n\t" MN_STEP MN_STEP MN_STEP MN_STEP "subs %[n], %[n], #1\n\tbne 1b\n\t" MN_MK_OPERANDS);
    for (int32_t r = 0; r < nrem; r++) __asm__ volatile(MN_STEP MN_MK_OPERANDS);
    a0 = (int32_t)((uint32_t)a0 << sh), a1 = (int32_t)((uint32_t)a1 << sh), a2 = (int32_t)((uint32_t)a2 << sh);
    b0 = (int32_t)((uint32_t)b0 << sh), b1 = (int32_t)((uint32_t)b1 << sh), b2 = (int32_t)((uint32_t)b2 << sh);
    y[0] = (int8_t)rq_one(p, oc, &ra, a0, mode);
    y[OC] = (int8_t)rq_one(p, oc, &ra, a1, mode);
    y[2 * OC] = (int8_t)rq_one(p, oc, &ra, a2, mode);
    if (has_b) {
      y[1] = (int8_t)rq_one(p, oc + 1, &rb, b0, mode);
      y[OC + 1] = (int8_t)rq_one(p, oc + 1, &rb, b1, mode);
      y[2 * OC + 1] = (int8_t)rq_one(p, oc + 1, &rb, b2, mode);
    }
  }
}

__attribute__((noinline)) static void pair_blocks_gen(const layer_t *L, int32_t oc, const uint32_t *buf,
                                                      int32_t nblk, int8_t *y, int xdbl) {
  pair_blocks_c(L, oc, buf, nblk, y, RQ_GEN, xdbl);
}
__attribute__((noinline)) static void pair_blocks_slow(const layer_t *L, int32_t oc, const uint32_t *buf,
                                                       int32_t nblk, int8_t *y, int xdbl) {
  pair_blocks_c(L, oc, buf, nblk, y, RQ_SLOW, xdbl);
}

/* the t (1 or 2) pixels after the blocks of one pair; xt in the GEMV layouts */
__attribute__((noinline)) static void pair_tail(const layer_t *L, int32_t oc, const uint32_t *xt, int32_t t, int8_t *y, const int mode) {
  const mn_conv_1x1_params *p = L->p;
  const int32_t OC = p->out_c;
  const int has_b = oc + 1 < OC;
  const rq_ch ra = rq_setup(p, oc, mode);
  const rq_ch rb = has_b ? rq_setup(p, oc + 1, mode) : ra;
  const int8_t *w = p->weights + oc * L->cp;
  if (t == 1) {
    gemv1_ctx g;
    g.acc[0] = ra.init, g.acc[1] = rb.init, g.w = w, g.x = xt, g.n8 = L->steps >> 3, g.n2 = (L->steps & 7) >> 1;
    gemv1(&g);
    y[0] = (int8_t)rq_one(p, oc, &ra, g.acc[0], mode);
    if (has_b) y[1] = (int8_t)rq_one(p, oc + 1, &rb, g.acc[1], mode);
  } else {
    gemv2_ctx g;
    g.acc[0] = g.acc[1] = ra.init, g.acc[2] = g.acc[3] = rb.init;
    g.w = w, g.x = xt, g.n4 = L->steps >> 2, g.n2 = (L->steps & 3) >> 1;
    gemv2(&g);
    y[0] = (int8_t)rq_one(p, oc, &ra, g.acc[0], mode);
    y[OC] = (int8_t)rq_one(p, oc, &ra, g.acc[1], mode);
    if (has_b) {
      y[1] = (int8_t)rq_one(p, oc + 1, &rb, g.acc[2], mode);
      y[OC + 1] = (int8_t)rq_one(p, oc + 1, &rb, g.acc[3], mode);
    }
  }
}

/* the asm loop's requantization of a doubled sum (K, CONST, Q channels; off: the QADD8 offset) */
MN_INLINE int32_t rq_asm(int32_t a2, int32_t m, int32_t k, int32_t e, int32_t off, int32_t lo, int32_t hi) {
  int32_t v;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(v) : "r"(a2), "r"(m), "r"(k));
  v = ssat8((v - (int32_t)((uint32_t)a2 >> 31)) >> e);
  return mn_clamp(ssat8(v + off), lo, hi);
}

/* the t (1 or 2) pixels after the blocks of a pair the asm loop handles (constants in c) */
__attribute__((noinline)) static void pair_tail_asm(const blk_ctx *c, const uint32_t *xt, int32_t t, int8_t *y,
                                                    const int8_t *w, int32_t steps, int32_t lo, int32_t hi) {
  const int32_t oa = (int8_t)(c->offw & 0xffu), ob = (int8_t)((c->offw >> 8) & 0xffu), OC = c->oc;
  if (t == 1) {
    gemv1_ctx g;
    g.acc[0] = c->init_a, g.acc[1] = c->init_b, g.w = w, g.x = xt, g.n8 = steps >> 3, g.n2 = (steps & 7) >> 1;
    gemv1(&g);
    y[0] = (int8_t)rq_asm(g.acc[0], c->ma, c->ka, c->ea, oa, lo, hi);
    y[1] = (int8_t)rq_asm(g.acc[1], c->mb, c->kb, c->eb, ob, lo, hi);
  } else {
    gemv2_ctx g;
    g.acc[0] = g.acc[1] = c->init_a, g.acc[2] = g.acc[3] = c->init_b;
    g.w = w, g.x = xt, g.n4 = steps >> 2, g.n2 = (steps & 3) >> 1;
    gemv2(&g);
    y[0] = (int8_t)rq_asm(g.acc[0], c->ma, c->ka, c->ea, oa, lo, hi);
    y[OC] = (int8_t)rq_asm(g.acc[1], c->ma, c->ka, c->ea, oa, lo, hi);
    y[1] = (int8_t)rq_asm(g.acc[2], c->mb, c->kb, c->eb, ob, lo, hi);
    y[OC + 1] = (int8_t)rq_asm(g.acc[3], c->mb, c->kb, c->eb, ob, lo, hi);
  }
}

/* asm constants of a K channel in the common case (right shift 1..22, |acc| < 2^30), else 0 */
MN_INLINE int rq_k(const mn_conv_1x1_params *p, int32_t oc, uint32_t blim, int32_t *m, int32_t *k, int32_t *e,
                   int32_t *init) {
  const int32_t sh = p->shift[oc], mm = p->mult[oc], b = p->bias[oc];
  const uint32_t ab = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
  if ((uint32_t)(sh + 22) >= 22u || mm < 0 || ab >= blim) return 0;
  *m = mm, *e = -sh, *init = 2 * b;
  *k = (int32_t)((1u << (-sh - 1)) + ((uint32_t)p->out_offset << -sh));
  return 1;
}

/* asm constants of channel oc of class cl (K, CONST or Q) */
MN_INLINE void asm_rq(const mn_conv_1x1_params *p, int32_t oc, int cl, int32_t cval, int32_t *m, int32_t *k, int32_t *e,
                      uint32_t *off, int32_t *init) {
  if (cl == CL_CONST) { /* (k + (A >> 31)) >> 1 == cval */
    *m = 0, *e = 1, *k = 2 * cval + 1, *off = 0, *init = 0;
    return;
  }
  const int32_t ee = -p->shift[oc];
  *m = p->mult[oc];
  *e = ee;
  *k = (int32_t)((1u << (ee - 1)) + (cl == CL_K ? (uint32_t)p->out_offset << ee : 0u));
  *off = cl == CL_K ? 0u : (uint32_t)(uint8_t)p->out_offset;
  *init = 2 * p->bias[oc];
}

/* npx pixels from in to out; wext: room for one pair's sign-extended weights, or NULL */
/* a pair's requantization from the compiler's head (mn_conv_1x1_params.heads: m, k, e of a and b, 2 bias a, b) */
MN_INLINE void ctx_head(blk_ctx *c, const int32_t *h) {
  c->ma = h[0], c->ka = h[1], c->ea = h[2], c->mb = h[3], c->kb = h[4], c->eb = h[5], c->init_a = h[6], c->init_b = h[7];
}

static void run_chunk(const layer_t *L, const int8_t *in, int8_t *out, int32_t npx, uint32_t *buf, uint32_t *wext) {
  const mn_conv_1x1_params *p = L->p;
  const int32_t C = p->in_c, OC = p->out_c, bw = L->bw, cp = L->cp;
  const int32_t nfull = npx / 3, t = npx - nfull * 3;
  /* which asm loop: small (doubled weights in the frame, plain inputs), sign-extended weights (enough
   * blocks), packed weights */
  const int kind = L->steps <= 16 ? 0 : wext != NULL && nfull >= 2 ? 1 : 2;
  expand_blocks(in, C, nfull, bw, buf, kind != 0);
  uint32_t *xt = buf + nfull * bw;
  if (t == 1) expand_px(in + nfull * 3 * C, C, xt, 1);
  else if (t == 2) expand_px(in + nfull * 3 * C, C, xt, 2), expand_px(in + (nfull * 3 + 1) * C, C, xt + 1, 2);
  blk_ctx c;
  c.lo4 = L->lo4, c.hi4 = L->hi4, c.oc = OC, c.xend = xt, c.nloop = L->nloop, c.steps = L->steps, c.pad = 0;
  c.entry = kind == 0 ? 17 - L->steps : L->entry;
  c.wbase = wext;
  const int8_t *w = p->weights;
  int32_t oc = 0;
  /* heads: 8 words per pair, followed for in_c <= 32 (kind 0) by the pair's 2 * steps doubled sign-extended
   * weight words in the frame's order (what SM_EXTEND makes) */
  const int32_t hs = 8 + (L->steps <= 16 ? 2 * L->steps : 0);
  if (p->heads && nfull > 0 && t == 0 && kind != 2) {
    /* the compiler's heads (streamed rows): a lean loop over the pairs they cover, up to the first they do not */
    const int32_t *h = p->heads;
    const int act = L->clamp, pairs = OC >> 1;
    c.offw = 0;
    for (; oc < 2 * pairs && h[2] != 0; oc += 2, h += hs, w += 2 * cp) {
      c.y = out + oc;
      if (kind == 0) {
        c.wsrc = (const int8_t *)(const void *)h; /* blk_s_pre takes the head and the weights from there */
        if (act) blk_s_pre_act(&c, buf);
        else blk_s_pre(&c, buf);
      } else {
        ctx_head(&c, h);
        c.wsrc = w;
        if (act) blk_w_act(&c, buf);
        else blk_w(&c, buf);
      }
    }
  }
  for (; oc < OC; oc += 2, w += 2 * cp) {
    const int has_b = oc + 1 < OC;
    int8_t *y = out + oc;
    int cmode = RQ_GEN, use_asm = 0, act = L->clamp;
    const int32_t *h = p->heads ? p->heads + (oc >> 1) * hs : NULL; /* mn_kernels.h */
    if (h && h[2] != 0) {
      ctx_head(&c, h);
      use_asm = 1;
      c.offw = 0;
    } else if (has_b && rq_k(p, oc, L->blim, &c.ma, &c.ka, &c.ea, &c.init_a) &&
               rq_k(p, oc + 1, L->blim, &c.mb, &c.kb, &c.eb, &c.init_b)) {
      use_asm = 1;
      c.offw = 0;
    } else {
      int32_t va = 0, vb = 0;
      const int ca = chan_class(p, oc, L->max_sum, &va);
      const int cb = has_b ? chan_class(p, oc + 1, L->max_sum, &vb) : CL_K;
      const int cmax = MN_MAX(ca, cb);
      /* C requantization: GEN where it applies, else the reference arithmetic */
      if (cmax > CL_GEN || ca == CL_CONST || cb == CL_CONST) cmode = RQ_SLOW;
      if (has_b && cmax <= CL_Q) {
        uint32_t oa, ob;
        asm_rq(p, oc, ca, va, &c.ma, &c.ka, &c.ea, &oa, &c.init_a);
        asm_rq(p, oc + 1, cb, vb, &c.mb, &c.kb, &c.eb, &ob, &c.init_b);
        c.offw = (oa | ob << 8) * 0x10001u;
        use_asm = 1;
        act |= cmax == CL_Q;
      }
    }
    if (nfull) {
      if (use_asm) {
        c.y = y, c.wsrc = w;
        if (kind == 0) {
          if (act) blk_s_act(&c, buf);
          else blk_s(&c, buf);
        } else if (kind == 1) {
          if (act) blk_w_act(&c, buf);
          else blk_w(&c, buf);
        } else {
          c.wbase = w;
          blk_p_act(&c, buf);
        }
      } else if (cmode == RQ_GEN) {
        pair_blocks_gen(L, oc, buf, nfull, y, kind != 0);
      } else {
        pair_blocks_slow(L, oc, buf, nfull, y, kind != 0);
      }
      y += nfull * 3 * OC;
    }
    if (t) {
      if (use_asm) pair_tail_asm(&c, xt, t, y, w, L->steps, p->act_min, p->act_max);
      else pair_tail(L, oc, xt, t, y, cmode);
    }
  }
}

void mn_conv_1x1_s8_dsp(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  const int32_t C = p->in_c;
  const int32_t cp = (C + 3) & ~3;
  if (cp > BUF_WORDS || C > 65535 || (((uintptr_t)p->weights) & 3) != 0) {
    conv_1x1_portable(p, in, out);
    return;
  }
  layer_t L;
  L.p = p;
  L.cp = cp;
  L.steps = cp / 2;
  L.bw = L.steps * 3;
  L.max_sum = (int64_t)C * 16384;
  L.blim = L.max_sum < ((int64_t)1 << 30) ? (uint32_t)(((int64_t)1 << 30) - L.max_sum) : 0u;
  const int32_t rem = L.steps - 1; /* >= 1 */
  L.nloop = (rem + 7) >> 3;
  L.entry = (8 - (rem & 7)) & 7;
  L.lo4 = (uint32_t)(uint8_t)p->act_min * 0x01010101u;
  L.hi4 = (uint32_t)(uint8_t)p->act_max * 0x01010101u;
  L.clamp = p->act_min > -128 || p->act_max < 127;
  /* chunk: blocks of 3 pixels; with more than 16 k-pair steps and room for a pair's sign-extended weights
   * (cp words) next to 3 blocks (or to as many blocks as without them), the pairs read sign-extended weights */
  int32_t nb = BUF_WORDS / L.bw;
  const int32_t nbw = (BUF_WORDS - cp) / L.bw;
  uint32_t buf[BUF_WORDS];
  uint32_t *wext = NULL;
  if (L.steps > 16 && (nbw >= 3 || (nbw == 2 && nb == 2)) && p->pixels >= 6) nb = nbw, wext = buf + nbw * L.bw;
  const int32_t chunk = nb > 0 ? 3 * nb : (2 * cp <= BUF_WORDS ? 2 : 1);
  for (int32_t px0 = 0; px0 < p->pixels; px0 += chunk) {
    const int32_t npx = MN_MIN(chunk, p->pixels - px0);
    run_chunk(&L, in + px0 * C, out + px0 * p->out_c, npx, buf, wext);
  }
}

#else /* !__ARM_FEATURE_DSP */

void mn_conv_1x1_s8_dsp(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  conv_1x1_portable(p, in, out);
}

#endif
