/* mn_dw_conv_rows_s8_dsp.c - consecutive output rows of an int8 depthwise convolution for Armv7E-M / Armv8-M
 * DSP.
 * The paths in use (dwcv_rows at the end of this file picks one per call):
 *  - 3x3, depth multiplier 1, stride 1 or 2 (MN_FMT_DW_CV, or MN_FMT_DW_D3P with prepared heads): d3_rows, the
 *    2-pixel x 4-channel kernel, over a column plane, halo rows or packed segments, or (d3s_rows) over a
 *    column-pair plane for whole small layers and very wide rows, or (d3c_rows) over one int16 plane per
 *    channel for whole stride-2 layers of 3 x 3 output pixels (the asm in mn_dw_conv_cp_s8_dsp.c);
 *  - 3x3 over one input channel with a depth multiplier of 4k (grey-scale stems): the column-pair plane too;
 *  - other kernels up to 7x7, any stride, depth multiplier 1 or 4k: the channel-vectorised cv_rows.
 * Contract: mn_kernels_opt.h (rows[k_h * r + ky] is input row ky of output row r, NULL outside the image;
 * output rows are consecutive); bit-exact with mn_dw_conv_row_s8 row by row. Weights in MN_FMT_DW_CV (or
 * MN_FMT_DW_D3P) when MN_DWCV_APPLIES(p); any other shape keeps the reference weight order and runs the
 * reference kernel.
 * Stack: d3_rows about 6 KiB (its 4 KiB plane buffer, segment lists and row tables), the broadcast stem path
 * 4 KiB, cv_rows 1 KiB; the worst case of a module is what mnetc bench reports (gcc -fstack-usage call graph).
 * Without the DSP extension a portable C loop reads the same weight format.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

/* ===================================================================================================== *
 * MN_FMT_DW_CV: channel-vectorised kernel (any k_h, k_w <= MN_DWCV_MAX_K, any stride, dil_w 1, depth
 * multiplier 1 or a multiple of 4). Per output pixel and group of 4 output channels, every tap inside the
 * image (taps over the padding are skipped) costs one input word (LDR), two SXTAB16 (sign extension plus
 * input offset: lanes (c0, c2) and (c1, c3)), one LDRD of two doubled-weight pairs and four SMLAxy; the
 * four doubled sums are requantized with SMMLAR as in mn_conv_1x1_s8_dsp.c.
 * ===================================================================================================== */

/* bytes per group of 4 channels: MN_FMT_DW_CV (K taps), or MN_FMT_DW_D3P (prepared 3x3 heads) */
MN_INLINE int32_t cv_group_bytes(const mn_dw_conv_params *p) {
  return p->prepared ? MN_DW_D3P_GROUP_BYTES : 8 * p->k_h * p->k_w + 16;
}

/* doubled weight of output channel c, tap t (both formats keep the taps' layout) */
static int32_t cv_w2(const mn_dw_conv_params *p, int32_t c, int32_t t) {
  const uint8_t *b = (const uint8_t *)p->weights + (c >> 2) * cv_group_bytes(p) + 8 * t + 4 * (c & 1) + 2 * ((c >> 1) & 1);
  return (int16_t)(uint16_t)(b[0] | (b[1] << 8));
}

/* one output row, any channel, in C (fallback and partial channel groups): channels [c_lo, c_hi) */
static void cv_row_portable(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out_row, int32_t c_lo,
                            int32_t c_hi) {
  const int32_t dm = p->depth_mult;
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    int8_t *y = out_row + ox * p->out_c;
    for (int32_t c = c_lo; c < c_hi; c++) {
      const int32_t ic = c / dm;
      int32_t acc = 0;
      for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int8_t *row = rows[ky];
        if (row == NULL) continue;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
          const int32_t ix = ix0 + kx * p->dil_w;
          if (ix < 0 || ix >= p->in_w) continue;
          acc += (cv_w2(p, c, ky * p->k_w + kx) / 2) * ((int32_t)row[ix * p->in_c + ic] + p->in_offset);
        }
      }
      if (p->bias) acc += p->bias[c];
      acc = mn_requant(acc, p->mult[c], p->shift[c]) + p->out_offset;
      y[c] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

/* 4 input bytes (4 channels of a column) as a word, at any alignment */
MN_INLINE uint32_t ld4(const int8_t *p) {
  uint32_t u;
  memcpy(&u, p, 4);
  return u;
}

typedef struct {
  int32_t b2[4];    /* doubled biases */
  int32_t rq[4][3]; /* m, k = 2^(e-1), e = -shift (fast channels); m, shift (slow) */
  uint32_t slow;    /* channels requantized by the exact C code (shift outside [-31, -1] or m < 0) */
} cv_grp;

/* 0: the doubled sums of this group might overflow (huge biases): the caller runs it in C */
static int cv_setup(const mn_dw_conv_params *p, int32_t c, cv_grp *g) {
  const int64_t span = (int64_t)p->k_h * p->k_w * 128 * 256;
  g->slow = 0;
  for (int32_t j = 0; j < 4; j++) {
    const int32_t b = p->bias ? p->bias[c + j] : 0;
    if ((b < 0 ? -(int64_t)b : (int64_t)b) + span >= ((int64_t)1 << 30)) return 0;
    g->b2[j] = 2 * b;
    const int32_t sh = p->shift[c + j], m = p->mult[c + j];
    if (sh > -1 || sh < -31 || m < 0) {
      g->slow |= 1u << j;
      g->rq[j][0] = m, g->rq[j][1] = sh, g->rq[j][2] = 0;
      continue;
    }
    const int32_t e = -sh;
    g->rq[j][0] = m, g->rq[j][1] = (int32_t)(1u << (e - 1)), g->rq[j][2] = e;
  }
  return 1;
}

/* exact for |a| < 2^31 (a = 2 * sum), m >= 0, 1 <= e <= 31: SMMLAR on the doubled sum is SRDHM; adding
 * 2^(e-1) - (a < 0) before the shift rounds half away from zero (as in mn_conv_1x1_s8_dsp.c) */
MN_INLINE int32_t cv_rq_fast(int32_t a, const int32_t *q, int32_t out_offset) {
  int32_t v;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(v) : "r"(a), "r"(q[0]), "r"(q[1]));
  return __ssat(((v - (int32_t)((uint32_t)a >> 31)) >> q[2]) + out_offset, 8);
}

/* The pixel loop of one group of 4 channels, in asm. blk (words): b2[4], wp0 (weights of the first valid row's
 * last valid tap), xend, row pointers (+ input channel offset) of the valid rows, 0, (m, k, e, out_offset) x 4,
 * lo, hi,
 * y, ystep, blk, xstep. r1 = byte offset of the pixel's first valid tap, added to every row pointer (the n valid
 * taps of a row run from unrolled position n - 1 down to 0, entered with TBB; the weights are read backwards),
 * r2 = in_c, r3 = (in_offset, in_offset). Stack arguments: TBB index n - 1, bytes from a row's first valid
 * tap's weights (minus 8) to the next row's last valid tap's.
 * Registers: r4-r7 sums of channels 0..3, r8 r9 input lanes (c0, c2) (c1, c3), r10 r11 weight pairs,
 * r12 tap pointer, lr weight pointer. */
#define CV_A0 "ldr r8, [r12]\n\t"
#define CV_A1 "ldr r8, [r12, r2]\n\t"
#define CV_A2 "ldr r8, [r12, r2, lsl #1]\n\t"
#define CV_A3 "add r9, r12, r2, lsl #1\n\tldr r8, [r9, r2]\n\t"
#define CV_A4 "ldr r8, [r12, r2, lsl #2]\n\t"
#define CV_A5 "add r9, r12, r2, lsl #2\n\tldr r8, [r9, r2]\n\t"
#define CV_A6 "add r9, r12, r2, lsl #2\n\tldr r8, [r9, r2, lsl #1]\n\t"
#define CV_MAC4                          \
  "sxtab16 r9, r3, r8, ror #8\n\t"       \
  "sxtab16 r8, r3, r8\n\t"               \
  "ldrd r10, r11, [lr], #-8\n\t"          \
  "smlabb r4, r8, r10, r4\n\t"           \
  "smlatt r6, r8, r10, r6\n\t"           \
  "smlabb r5, r9, r11, r5\n\t"           \
  "smlatt r7, r9, r11, r7\n\t"
/* depth multiplier 4k: the 4 channels read one input byte */
#define CV_MACB                          \
  "orr r8, r8, r8, lsl #16\n\t"          \
  "sxtab16 r8, r3, r8\n\t"               \
  "ldrd r10, r11, [lr], #-8\n\t"          \
  "smlabb r4, r8, r10, r4\n\t"           \
  "smlatt r6, r8, r10, r6\n\t"           \
  "smlabb r5, r8, r11, r5\n\t"           \
  "smlatt r7, r8, r11, r7\n\t"
#define CV_RQ(R)                         \
  "ldm r0!, {r8, r9, r10, r11}\n\t"      \
  "smmlar r12, " R ", r8, r9\n\t"        \
  "add r12, r12, " R ", asr #31\n\t"     \
  "asr r12, r12, r10\n\t"                \
  "add r12, r12, r11\n\t"                \
  "ssat " R ", #8, r12\n\t"
#define CV_CL(R) "cmp " R ", r8\n\tit lt\n\tmovlt " R ", r8\n\tcmp " R ", r9\n\tit gt\n\tmovgt " R ", r9\n\t"
#define CV_RUN(LD, MAC, CLAMP)                                                                               \
  "push {r4-r11, lr}\n\t"                                                                                    \
  "1:\n\t"                                                                                                   \
  "ldm r0!, {r4-r7, lr}\n\t"                                                                                 \
  "ldr r12, [r0, #4]!\n\t"                                                                                   \
  "2:\n\t"                                                                                                   \
  "add r12, r12, r1\n\t"                                                                                     \
  "ldr r8, [sp, #36]\n\t"                                                                                    \
  "tbb [pc, r8]\n\t"                                                                                         \
  "3:\n\t"                                                                                                   \
  ".byte (10f - 3b) / 2, (11f - 3b) / 2, (12f - 3b) / 2, (13f - 3b) / 2, (14f - 3b) / 2, (15f - 3b) / 2\n\t" \
  ".byte (16f - 3b) / 2, 0\n\t"                                                                              \
  ".p2align 1\n\t"                                                                                           \
  "16:\n\t" LD(6) MAC "15:\n\t" LD(5) MAC "14:\n\t" LD(4) MAC "13:\n\t" LD(3) MAC "12:\n\t" LD(2) MAC        \
  "11:\n\t" LD(1) MAC "10:\n\t" LD(0) MAC                                                                    \
  "ldr r8, [sp, #40]\n\t"                                                                                    \
  "add lr, lr, r8\n\t"                                                                                       \
  "ldr r12, [r0, #4]!\n\t"                                                                                   \
  "cmp r12, #0\n\t"                                                                                          \
  "bne 2b\n\t"                                                                                               \
  "adds r0, r0, #4\n\t" CV_RQ("r4") CV_RQ("r5") CV_RQ("r6") CV_RQ("r7")                                      \
  "ldm r0!, {r8, r9}\n\t" CLAMP                                                                              \
  "ldm r0, {r8, r9, r10, r11}\n\t"                                                                           \
  "strb r4, [r8]\n\t"                                                                                        \
  "strb r5, [r8, #1]\n\t"                                                                                    \
  "strb r6, [r8, #2]\n\t"                                                                                    \
  "strb r7, [r8, #3]\n\t"                                                                                    \
  "add r8, r8, r9\n\t"                                                                                       \
  "str r8, [r0]\n\t"                                                                                         \
  "add r1, r1, r11\n\t"                                                                                      \
  "mov r0, r10\n\t"                                                                                          \
  "ldr r12, [r0, #20]\n\t"                                                                                   \
  "cmp r1, r12\n\t"                                                                                          \
  "bne 1b\n\t"                                                                                               \
  "pop {r4-r11, pc}\n\t"

#define CV_LDW(i) CV_A##i
#define CV_LDB(i) CV_B##i
#define CV_B0 "ldrb r8, [r12]\n\t"
#define CV_B1 "ldrb r8, [r12, r2]\n\t"
#define CV_B2 "ldrb r8, [r12, r2, lsl #1]\n\t"
#define CV_B3 "add r9, r12, r2, lsl #1\n\tldrb r8, [r9, r2]\n\t"
#define CV_B4 "ldrb r8, [r12, r2, lsl #2]\n\t"
#define CV_B5 "add r9, r12, r2, lsl #2\n\tldrb r8, [r9, r2]\n\t"
#define CV_B6 "add r9, r12, r2, lsl #2\n\tldrb r8, [r9, r2, lsl #1]\n\t"
#define CV_CLAMP4 CV_CL("r4") CV_CL("r5") CV_CL("r6") CV_CL("r7")

#define CV_DECL(NAME, LD, MAC, CLAMP)                                                                              \
  __attribute__((naked, noinline)) static void NAME(uint32_t *blk __attribute__((unused)),                        \
                                                    int32_t xoff __attribute__((unused)),                         \
                                                    int32_t ic __attribute__((unused)),                           \
                                                    uint32_t off2 __attribute__((unused)),                        \
                                                    int32_t entry __attribute__((unused)),                        \
                                                    int32_t skip __attribute__((unused))) {                       \
    __asm__ volatile(CV_RUN(LD, MAC, CLAMP));                                                                      \
  }
CV_DECL(cv_run_w, CV_LDW, CV_MAC4, "")
CV_DECL(cv_run_w_act, CV_LDW, CV_MAC4, CV_CLAMP4)
CV_DECL(cv_run_b, CV_LDB, CV_MACB, "")
CV_DECL(cv_run_b_act, CV_LDB, CV_MACB, CV_CLAMP4)

/* Direct calls only (no function pointers), so the stack analysis sees every callee: sel = 2 * bcast + clamp. */
static void cv_run(int sel, uint32_t *blk, int32_t xoff, int32_t ic, uint32_t off2, int32_t entry, int32_t skip) {
  switch (sel) {
    case 0: cv_run_w(blk, xoff, ic, off2, entry, skip); break;
    case 1: cv_run_w_act(blk, xoff, ic, off2, entry, skip); break;
    case 2: cv_run_b(blk, xoff, ic, off2, entry, skip); break;
    default: cv_run_b_act(blk, xoff, ic, off2, entry, skip); break;
  }
}

/* A run of output pixels [ox0, ox1) of a row with the same valid taps (kx0, n of them; n = 0: none), and what
 * cv_run needs for it apart from the row: input offset of the first tap, of the end, weight offset (words) of
 * the last valid tap of a kernel row, output offset, TBB entry, weight skip between kernel rows */
typedef struct {
  int32_t ox0, ox1, n, xoff, xend, woff, yoff, entry, skip;
} cv_span;
enum { CV_MAX_SPANS = 2 * MN_DWCV_MAX_K + 1 };

/* the valid taps of output column ox: n from kx0 on (n = 0: none, kx0 = 0, so such pixels share a span) */
MN_INLINE void cv_taps(const mn_dw_conv_params *p, int32_t ox, int32_t *kx0, int32_t *n) {
  const int32_t ix0 = ox * p->stride_w - p->pad_left, k0 = ix0 < 0 ? -ix0 : 0;
  *n = MN_MAX(0, MN_MIN(p->k_w, p->in_w - ix0) - k0);
  *kx0 = *n ? k0 : 0;
}

/* the spans of a row (the same for every row and group); returns their number, or 0 if there are too many (the
 * caller then runs the exact C loop) */
static int32_t cv_spans(const mn_dw_conv_params *p, cv_span *sp) {
  const int32_t s = p->stride_w, IC = p->in_c;
  int32_t ns = 0;
  for (int32_t ox = 0; ox < p->out_w;) {
    int32_t kx0, n, ox1 = ox + 1;
    cv_taps(p, ox, &kx0, &n);
    while (ox1 < p->out_w) {
      int32_t k1, n1;
      cv_taps(p, ox1, &k1, &n1);
      if (k1 != kx0 || n1 != n) break;
      ox1++;
    }
    if (ns == CV_MAX_SPANS) return 0;
    cv_span *q = &sp[ns++];
    q->ox0 = ox, q->ox1 = ox1, q->n = n;
    q->xoff = (ox * s - p->pad_left + kx0) * IC;
    q->xend = q->xoff + (ox1 - ox) * s * IC;
    q->woff = 2 * (kx0 + n - 1), q->yoff = ox * p->out_c, q->entry = n - 1, q->skip = 8 * (p->k_w + n);
    ox = ox1;
  }
  return ns;
}

/* nrows output rows (rows[k_h * r + ky]) for channels [0, out_c & ~3), MN_DWCV_APPLIES(p). The spans of a row
 * are found once per call. The asm block (blk) is [b2 x 4, weights, xend, the valid rows' pointers, 0, rq x 4,
 * lo, hi, y, ystep, blk, xstep]: its tail from the 0 on stays put (written once per group) and its head moves
 * with the number of valid rows, so a row writes only its pointers (and the head when that number changes). */
static void cv_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, const int bcast) {
  const int32_t C = p->out_c, IC = p->in_c, kh = p->k_h, kw = p->k_w, s = p->stride_w, K = kh * kw;
  const int32_t gw = 2 * K + 4, row_out = p->out_w * C, dm = p->depth_mult;
  const uint32_t off2 = ((uint32_t)p->in_offset & 0xffffu) * 0x10001u;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  const int run = 2 * (bcast != 0) + (clamp != 0);
  uint32_t big[6 + MN_DWCV_MAX_K + 1 + 16 + 2 + 4];
  uint32_t *const tail = big + 6 + MN_DWCV_MAX_K; /* the 0 that ends the row pointers */
  cv_span spans[CV_MAX_SPANS];
  const int32_t ns = cv_spans(p, spans);
  tail[0] = 0;
  tail[17] = (uint32_t)p->act_min, tail[18] = (uint32_t)p->act_max;
  tail[20] = (uint32_t)C, tail[22] = (uint32_t)(s * IC);
  for (int32_t c = 0; c + 4 <= C; c += 4) {
    cv_grp g;
    if (!ns || !cv_setup(p, c, &g)) {
      for (int32_t r = 0; r < nrows; r++) cv_row_portable(p, rows + kh * r, out + r * row_out, c, c + 4);
      continue;
    }
    /* channels outside the fast requantization (dead channels with shifts below -22, ...): the asm writes
     * placeholders (m = 0), the exact C code below overwrites them */
    cv_grp gf = g;
    for (int32_t j = 0; j < 4; j++) {
      if (g.slow >> j & 1) gf.rq[j][0] = 0, gf.rq[j][1] = 0, gf.rq[j][2] = 1;
      tail[1 + 4 * j] = (uint32_t)gf.rq[j][0], tail[2 + 4 * j] = (uint32_t)gf.rq[j][1];
      tail[3 + 4 * j] = (uint32_t)gf.rq[j][2], tail[4 + 4 * j] = (uint32_t)p->out_offset;
    }
    const uint32_t *wg = (const uint32_t *)(const void *)p->weights + (c >> 2) * gw;
    const int32_t icoff = c / dm;
    uint32_t *blk = NULL;
    for (int32_t r = 0; r < nrows; r++) {
      const int8_t *const *rw = rows + kh * r;
      int32_t nv = 0, ky0 = -1;
      for (int32_t ky = 0; ky < kh; ky++) nv += rw[ky] != NULL;
      if (tail - nv - 6 != blk) {
        blk = tail - nv - 6;
        blk[0] = (uint32_t)g.b2[0], blk[1] = (uint32_t)g.b2[1], blk[2] = (uint32_t)g.b2[2], blk[3] = (uint32_t)g.b2[3];
        tail[21] = (uint32_t)(uintptr_t)blk;
      }
      for (int32_t ky = 0, v = 0; ky < kh; ky++) {
        if (!rw[ky]) continue;
        if (ky0 < 0) ky0 = ky;
        blk[6 + v++] = (uint32_t)(uintptr_t)(rw[ky] + icoff);
      }
      int8_t *y = out + r * row_out + c;
      const uint32_t *wr = wg + 2 * ky0 * kw;
      for (int32_t i = 0; i < ns; i++) {
        const cv_span *q = &spans[i];
        if (q->n == 0 || nv == 0) {
          for (int32_t x = q->ox0; x < q->ox1; x++) {
            for (int32_t j = 0; j < 4; j++) {
              const int32_t v = cv_rq_fast(g.b2[j], gf.rq[j], p->out_offset);
              y[x * C + j] = (int8_t)mn_clamp(v, p->act_min, p->act_max);
            }
          }
          continue;
        }
        blk[4] = (uint32_t)(uintptr_t)(wr + q->woff);
        blk[5] = (uint32_t)q->xend;
        tail[19] = (uint32_t)(uintptr_t)(y + q->yoff);
        cv_run(run, blk, q->xoff, IC, off2, q->entry, q->skip);
      }
      if (g.slow & 15) {
        for (int32_t j = 0; j < 4; j++) {
          if (g.slow >> j & 1) cv_row_portable(p, rw, out + r * row_out, c + j, c + j + 1);
        }
      }
    }
  }
}

/* ----------------------------------------------------------------------------------------------------- *
 * 3x3, depth multiplier 1, stride 1 or 2 in MN_FMT_DW_CV (or MN_FMT_DW_D3P, whose groups carry their
 * requantization heads): 2 output pixels x 4 channels per iteration of one asm loop (8 accumulators); each
 * tap's doubled weight pair is loaded once (LDRD) for both pixels, which read column t and t + stride, with
 * SMLABB / SMLATT on the (c0, c2) and (c1, c3) int16 lanes. The input offset is folded into the bias
 * (b + in_offset * sum w), so padding must read the input zero point. Three ways to feed the loop:
 *  - plane mode (whole layers, and narrow rows): the input rows of a batch of output rows are gathered per group
 *    into a plane of pre-extended lanes (two words per column, the zero point over padding; d3_gather), so a
 *    column costs one LDRD in the loop; an odd row ends with its last pixel alone;
 *  - halo rows (streamed regions, mn_dw_conv_params halo_l / halo_r): the rows are read in place, one segment
 *    per row, a column costing LDR + 2 SXTB16; rows at the image edge run the same way with the missing kernel
 *    row's weights zeroed and its terms taken out of the bias (d3_null_rows);
 *  - otherwise segments: pairs that touch padding columns or NULL rows read a small packed copy (4 bytes per
 *    column), the others the rows directly; one asm call per group walks the list of segments.
 * Requantization as in mn_conv_1x1_s8_dsp.c (SMMLAR on the doubled sum, out_offset folded into the rounding
 * constant, SSAT); the 4 channel bytes of a pixel are packed with BFI, clamped 4 at a time with SSUB8 / SEL when
 * the activation needs it, and stored with one STR.
 * Stack: d3_rows 6,000 B (gcc -fstack-usage, cortex-m4: the plane 4 KiB, plane row sources 512 B, segments
 * 512 B, contexts) + 284 B in the asm (d3s): below the 1x1 kernel's path, so a module's worst case does not grow.
 * ----------------------------------------------------------------------------------------------------- */
#define D3_PKW 1024 /* packed words (plane mode: two per column) */
#define D3_NSEG 16  /* segments per call, terminator included */
#define D3_PKP 16   /* pairs per packed segment at most */

typedef struct {
  const int8_t *row[3]; /* input of the first pair's first column, per kernel row */
  int32_t cin;          /* bytes per input column */
  int8_t *y;            /* output of the first pixel */
  int32_t np;           /* pairs (0: end of list) */
  int32_t odd;          /* the last pair has one pixel */
  int32_t pad;
} d3_seg;

typedef struct {
  uint32_t w[18];      /* 0: (asm) doubled weight pairs of the 9 taps (MN_FMT_DW_CV order), copied from wp */
  int32_t rq[4][3];    /* 72: m, k = 2^(e-1) + out_offset * 2^e, e */
  int32_t b2[8];       /* 120: doubled folded biases, twice (pixel 0, pixel 1) */
  uint32_t lo4, hi4;   /* 152 */
  int8_t *y;           /* 160: (asm) */
  int32_t C;           /* 164: output pixel stride */
  const d3_seg *seg;   /* 168 */
  int32_t np, odd;     /* 172, 176: (asm) */
  uint32_t rowp[3];    /* 180: (asm) */
  const uint32_t *wp;  /* 192: the group's 18 weight words (the asm copies them into its frame) */
  const uint32_t *hp;  /* 196: rq and b2 (20 words: MN_FMT_DW_D3P's head, or this context's rq, b2) */
  int32_t oo;          /* 200: out_offset (the wide-shift variant adds it after the shift) */
  uint32_t pad1[5];    /* 56 words */
} d3_ctx;

#define D3S_(x) #x
#define D3S(x) D3S_(x)
#define D3_X "sxtb16 r8, r9\n\tsxtb16 r9, r9, ror #8\n\t"
#define D3_MA(k, t) "ldrd r10, r11, [sp, #(8*(3*" D3S(k) "+" D3S(t) "))]\n\t" \
  "smlabb r0, r8, r10, r0\n\tsmlatt r2, r8, r10, r2\n\tsmlabb r1, r9, r11, r1\n\tsmlatt r3, r9, r11, r3\n\t"
#define D3_MB(k, t) "ldrd r10, r11, [sp, #(8*(3*" D3S(k) "+" D3S(t) "))]\n\t" \
  "smlabb r4, r8, r10, r4\n\tsmlatt r6, r8, r10, r6\n\tsmlabb r5, r9, r11, r5\n\tsmlatt r7, r9, r11, r7\n\t"
/* pixel 1 with the weights D3_MA just loaded (r10, r11) */
#define D3_MBN "smlabb r4, r8, r10, r4\n\tsmlatt r6, r8, r10, r6\n\tsmlabb r5, r9, r11, r5\n\tsmlatt r7, r9, r11, r7\n\t"
#define D3_RP(k) "[sp, #(180+4*" D3S(k) ")]"
/* stride 1: columns 0..3 (pixel 0 reads 0..2, pixel 1 reads 1..3); the row pointer moves 2 columns */
#define D3_ROW1(k) "ldr lr, " D3_RP(k) "\n\t"                                                               \
  "ldr r9, [lr]\n\t" D3_X D3_MA(k, 0)                                                                       \
  "ldr r9, [lr, r12]\n\t" D3_X D3_MBN D3_MA(k, 1)                                                           \
  "ldr r9, [lr, r12, lsl #1]\n\t" D3_X D3_MBN D3_MA(k, 2)                                                   \
  "add lr, lr, r12, lsl #1\n\t"                                                                             \
  "ldr r9, [lr, r12]\n\t" D3_X D3_MBN                                                                       \
  "str lr, " D3_RP(k) "\n\t"
/* stride 2: columns 0..4 (pixel 1 reads 2..4); the row pointer moves 4 columns */
#define D3_ROW2(k) "ldr lr, " D3_RP(k) "\n\t"                                                               \
  "ldr r9, [lr]\n\t" D3_X D3_MA(k, 0)                                                                       \
  "ldr r9, [lr, r12]\n\t" D3_X D3_MA(k, 1)                                                                  \
  "ldr r9, [lr, r12, lsl #1]\n\t" D3_X D3_MA(k, 2) D3_MB(k, 0)                                              \
  "add lr, lr, r12, lsl #1\n\t"                                                                             \
  "ldr r9, [lr, r12]\n\t" D3_X D3_MB(k, 1)                                                                  \
  "ldr r9, [lr, r12, lsl #1]\n\t" D3_X D3_MB(k, 2)                                                          \
  "add lr, lr, r12, lsl #1\n\t"                                                                             \
  "str lr, " D3_RP(k) "\n\t"
#define D3_RQ1(A) "smmlar r11, " A ", r8, r9\n\tadd r11, r11, " A ", asr #31\n\tasr r11, r11, r10\n\tssat " A ", #8, r11\n\t"
#define D3_RQ(j, A, B) "ldrd r8, r9, [sp, #(72+12*" D3S(j) ")]\n\tldr r10, [sp, #(80+12*" D3S(j) ")]\n\t" \
  D3_RQ1(A) D3_RQ1(B)
/* shifts up to 31: k = 2^(e-1) only, out_offset added after the shift */
#define D3_RQW1(A) "smmlar r11, " A ", r8, r9\n\tadd r11, r11, " A ", asr #31\n\tasr r11, r11, r10\n\t" \
  "ldr " A ", [sp, #200]\n\tadd r11, r11, " A "\n\tssat " A ", #8, r11\n\t"
#define D3_RQW(j, A, B) "ldrd r8, r9, [sp, #(72+12*" D3S(j) ")]\n\tldr r10, [sp, #(80+12*" D3S(j) ")]\n\t" \
  D3_RQW1(A) D3_RQW1(B)
#define D3_CL(R) "ssub8 r10, " R ", r8\n\tsel " R ", " R ", r8\n\tssub8 r10, r9, " R "\n\tsel " R ", " R ", r9\n\t"
#define D3_CLAMP "ldrd r8, r9, [sp, #152]\n\t" D3_CL("r0") D3_CL("r4")
/* one pixel (the last of an odd row in plane mode): channel j's value A only */
#define D3_RQ_1(j, A) "ldrd r8, r9, [sp, #(72+12*" D3S(j) ")]\n\tldr r10, [sp, #(80+12*" D3S(j) ")]\n\t" D3_RQ1(A)
#define D3_RQW_1(j, A) "ldrd r8, r9, [sp, #(72+12*" D3S(j) ")]\n\tldr r10, [sp, #(80+12*" D3S(j) ")]\n\t" D3_RQW1(A)
#define D3_CLAMP_1 "ldrd r8, r9, [sp, #152]\n\t" D3_CL("r0")
#define D3_CP "ldm r0!, {r1-r8}\n\tstm r12!, {r1-r8}\n\t"
/* the frame (56 words at sp = r12): 18 weight words from the pointer at ctx + WP, 20 words of rq and b2 from
 * the pointer at ctx + WP + 4, then ctx words 38..55 */
#define D3_FRAME(WP)                                                                                       \
  "mov r12, sp\n\t"                                                                                        \
  "ldr r1, [r0, #" WP "]\n\t"                                                                             \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1, {r2, r3}\n\tstm r12!, {r2, r3}\n\t"                                                             \
  "ldr r1, [r0, #(" WP "+4)]\n\t"                                                                         \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1, {r2-r5}\n\tstm r12!, {r2-r5}\n\t"                                                               \
  "add r0, r0, #152\n\t" D3_CP D3_CP                                                                       \
  "ldm r0!, {r1, r2}\n\tstm r12!, {r1, r2}\n\t"
#define D3_RUN(ROW, CLAMP, RQ)                                                                               \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "sub sp, sp, #224\n\t"                                                                                   \
  D3_FRAME("192")                                              \
  "5:\n\t"                                                                                                 \
  "ldr r0, [sp, #168]\n\t"                                                                                 \
  "ldm r0!, {r1-r8}\n\t"                                                                                   \
  "str r0, [sp, #168]\n\t"                                                                                 \
  "cmp r6, #0\n\t"                                                                                         \
  "beq 9f\n\t"                                                                                             \
  "str r5, [sp, #160]\n\t"                                                                                 \
  "strd r6, r7, [sp, #172]\n\t"                                                                            \
  "add r9, sp, #180\n\t"                                                                                   \
  "stm r9, {r1, r2, r3}\n\t"                                                                               \
  "mov r12, r4\n\t"                                                                                        \
  "1:\n\t"                                                                                                 \
  "add r8, sp, #120\n\t"                                                                                   \
  "ldm r8, {r0-r7}\n\t" ROW(0) ROW(1) ROW(2)                                                               \
  RQ(0, "r0", "r4") RQ(1, "r1", "r5") RQ(2, "r2", "r6") RQ(3, "r3", "r7")                                  \
  "bfi r0, r1, #8, #8\n\tbfi r0, r2, #16, #8\n\tbfi r0, r3, #24, #8\n\t"                                   \
  "bfi r4, r5, #8, #8\n\tbfi r4, r6, #16, #8\n\tbfi r4, r7, #24, #8\n\t" CLAMP                             \
  "ldrd r8, r9, [sp, #160]\n\t"                                                                            \
  "str r0, [r8]\n\t"                                                                                       \
  "ldr r10, [sp, #172]\n\t"                                                                                \
  "subs r10, r10, #1\n\t"                                                                                  \
  "beq 2f\n\t"                                                                                             \
  "str r10, [sp, #172]\n\t"                                                                                \
  "str r4, [r8, r9]\n\t"                                                                                   \
  "add r8, r8, r9, lsl #1\n\t"                                                                             \
  "str r8, [sp, #160]\n\t"                                                                                 \
  "b 1b\n\t"                                                                                               \
  "2:\n\t"                                                                                                 \
  "ldr r10, [sp, #176]\n\t"                                                                                \
  "cmp r10, #0\n\t"                                                                                        \
  "it eq\n\t"                                                                                              \
  "streq r4, [r8, r9]\n\t"                                                                                 \
  "b 5b\n\t"                                                                                               \
  "9:\n\t"                                                                                                 \
  "add sp, sp, #224\n\t"                                                                                   \
  "pop {r4-r11, pc}\n\t"

#define D3_DECL(NAME, ROW, CLAMP, RQ)                                                                      \
  __attribute__((naked, noinline)) static void NAME(const d3_ctx *c __attribute__((unused))) {            \
    __asm__ volatile(D3_RUN(ROW, CLAMP, RQ));                                                              \
  }
D3_DECL(d3_run_s1, D3_ROW1, "", D3_RQ)
D3_DECL(d3_run_s1_act, D3_ROW1, D3_CLAMP, D3_RQ)
D3_DECL(d3_run_s2, D3_ROW2, "", D3_RQ)
D3_DECL(d3_run_s2_act, D3_ROW2, D3_CLAMP, D3_RQ)
D3_DECL(d3_run_s1_w, D3_ROW1, "", D3_RQW)
D3_DECL(d3_run_s1_act_w, D3_ROW1, D3_CLAMP, D3_RQW)
D3_DECL(d3_run_s2_w, D3_ROW2, "", D3_RQW)
D3_DECL(d3_run_s2_act_w, D3_ROW2, D3_CLAMP, D3_RQW)

/* the asm loop for stride s, clamp, and the _w requant; a selector, not a function pointer, so the stack
 * analysis sees every callee: sel = 4 * (s == 2) + 2 * w + clamp */
static int d3_sel(int32_t s, int clamp, int w) {
  return 4 * (s != 1) + 2 * (w != 0) + (clamp != 0);
}
/* NAME(sel, x) calls PREFIX_s1 ... PREFIX_s2_act_w by d3_sel (one dispatcher per loop family) */
#define D3_DISPATCH(NAME, PREFIX, CTX)                                                                     \
  static void NAME(int sel, const CTX *x) {                                                                \
    switch (sel) {                                                                                         \
      case 0: PREFIX##_s1(x); break;                                                                       \
      case 1: PREFIX##_s1_act(x); break;                                                                   \
      case 2: PREFIX##_s1_w(x); break;                                                                     \
      case 3: PREFIX##_s1_act_w(x); break;                                                                 \
      case 4: PREFIX##_s2(x); break;                                                                       \
      case 5: PREFIX##_s2_act(x); break;                                                                   \
      case 6: PREFIX##_s2_w(x); break;                                                                     \
      default: PREFIX##_s2_act_w(x); break;                                                                \
    }                                                                                                      \
  }
D3_DISPATCH(d3_call, d3_run, d3_ctx)

/* The head (rq, b2) of a context (the asm copies the weights from wp); returns the mask of the channels the asm cannot do exactly: the
 * doubled sum |2 * (b + sum w * (x + in_offset))| < 2^31 needs |b| < 2^30 - 9 * 128 * 256, and the SMMLAR
 * requantization a shift in [-22, -1] and m >= 0. The asm writes placeholders for those channels (m = 0; each
 * channel has its own accumulators, so a wrapped sum does not disturb the others), the caller overwrites them
 * with the exact C code. Bit 4 (16): a shift below -22 in the group, so out_offset * 2^e may not fit the
 * rounding constant: the group runs the _w variant (k = 2^(e-1), out_offset added after the shift). */
static int32_t d3_setup_c(const mn_dw_conv_params *p, int32_t c, const uint32_t *wg, int32_t (*rq)[3], int32_t *b2) {
  const uint32_t lim = (1u << 30) - 9u * 128u * 256u;
  const int32_t *sh = p->shift + c, *mu = p->mult + c;
  const uint32_t off = (uint32_t)p->in_offset;
  const int32_t wide = ((uint32_t)(sh[0] + 31) < 9u || (uint32_t)(sh[1] + 31) < 9u || (uint32_t)(sh[2] + 31) < 9u ||
                        (uint32_t)(sh[3] + 31) < 9u) ? 16 : 0;
  const uint32_t oo = wide ? 0u : (uint32_t)p->out_offset;
  int32_t slow = 0;
  for (int32_t j = 0; j < 4; j++) {
    const int32_t b = p->bias ? p->bias[c + j] : 0, e = -sh[j], m = mu[j];
    const int32_t v = (int32_t)(2u * ((uint32_t)b + off * wg[18 + j]));
    b2[j] = v, b2[4 + j] = v;
    /* b in (-lim, lim), shift in [-31, -1], m >= 0 */
    if ((uint32_t)b + lim - 1u < 2u * lim - 1u && (uint32_t)(e - 1) < 31u && m >= 0) {
      /* SMMLAR's high word of the doubled sum is below 2^30 in magnitude, so k + it does not wrap */
      rq[j][0] = m, rq[j][1] = (int32_t)((1u << (e - 1)) + (oo << e)), rq[j][2] = e;
    } else {
      slow |= 1 << j;
      rq[j][0] = 0, rq[j][1] = 0, rq[j][2] = 1;
    }
  }
  return slow | wide;
}

/* d3_setup_c in asm for layers with a bias: the same head, except that channels with |bias| >= 2^29 take the
 * exact C path (a stricter bound than d3_setup_c's, so the asm stays exact). Offsets: mn_dw_conv_params in_offset
 * 60, out_offset 64, bias 80, mult 84, shift 88 (checked below). Arguments: p, c, wg, rq, b2 (on the stack). */
#define D3S_CH(J)                                                                                          \
  "ldr r9, [r6, #(4*" #J ")]\n\t"                                                                          \
  "ldr r10, [r2, #(72+4*" #J ")]\n\t"                                                                      \
  "mla r10, r7, r10, r9\n\t"                                                                               \
  "lsl r10, r10, #1\n\t"                                                                                   \
  "str r10, [r1, #(4*" #J ")]\n\t"                                                                         \
  "str r10, [r1, #(16+4*" #J ")]\n\t"                                                                      \
  "eor r11, r9, r9, asr #31\n\t"                                                                           \
  "cmp r11, #0x20000000\n\t"                                                                               \
  "bhs 8f\n\t"                                                                                             \
  "ldr r10, [r4, #(4*" #J ")]\n\t"                                                                         \
  "ldr r11, [r5, #(4*" #J ")]\n\t"                                                                         \
  "cmp r11, #0\n\t"                                                                                        \
  "blt 8f\n\t"                                                                                             \
  "add r12, r10, #31\n\t"                                                                                  \
  "cmp r12, #31\n\t"                                                                                       \
  "bhs 8f\n\t"                                                                                             \
  "rsb r10, r10, #0\n\t"                                                                                   \
  "str r11, [r3, #(12*" #J ")]\n\t"                                                                        \
  "str r10, [r3, #(12*" #J "+8)]\n\t"                                                                      \
  "sub r12, r10, #1\n\t"                                                                                   \
  "mov r9, #1\n\t"                                                                                         \
  "lsl r9, r9, r12\n\t"                                                                                    \
  "lsl r12, r8, r10\n\t"                                                                                   \
  "add r9, r9, r12\n\t"                                                                                    \
  "str r9, [r3, #(12*" #J "+4)]\n\t"                                                                       \
  "b 9f\n\t"                                                                                               \
  "8:\n\t"                                                                                                 \
  "orr r0, r0, #(1<<" #J ")\n\t"                                                                           \
  "mov r9, #0\n\t"                                                                                         \
  "str r9, [r3, #(12*" #J ")]\n\t"                                                                         \
  "str r9, [r3, #(12*" #J "+4)]\n\t"                                                                       \
  "mov r9, #1\n\t"                                                                                         \
  "str r9, [r3, #(12*" #J "+8)]\n\t"                                                                       \
  "9:\n\t"
#define D3S_WIDE(R) "add " R ", " R ", #31\n\tcmp " R ", #9\n\tit lo\n\tmovlo r0, #16\n\t"
typedef char d3s_params_ok[(offsetof(mn_dw_conv_params, in_offset) == 60 && offsetof(mn_dw_conv_params, out_offset) == 64 &&
                            offsetof(mn_dw_conv_params, bias) == 80 && offsetof(mn_dw_conv_params, mult) == 84 &&
                            offsetof(mn_dw_conv_params, shift) == 88) ? 1 : -1];
__attribute__((naked, noinline)) static int32_t d3_setup_asm(const mn_dw_conv_params *p __attribute__((unused)),
                                                             int32_t c __attribute__((unused)),
                                                             const uint32_t *wg __attribute__((unused)),
                                                             int32_t (*rq)[3] __attribute__((unused)),
                                                             int32_t *b2 __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r4, [r0, #88]\n\t"
      "ldr r5, [r0, #84]\n\t"
      "ldr r6, [r0, #80]\n\t"
      "ldr r7, [r0, #60]\n\t"
      "ldr r8, [r0, #64]\n\t"
      "add r4, r4, r1, lsl #2\n\t"
      "add r5, r5, r1, lsl #2\n\t"
      "add r6, r6, r1, lsl #2\n\t"
      "ldr r1, [sp, #36]\n\t"
      "mov r0, #0\n\t"
      "ldm r4, {r9, r10, r11, r12}\n\t"
      D3S_WIDE("r9") D3S_WIDE("r10") D3S_WIDE("r11") D3S_WIDE("r12")
      "cmp r0, #0\n\t"
      "it ne\n\t"
      "movne r8, #0\n\t"
      D3S_CH(0) D3S_CH(1) D3S_CH(2) D3S_CH(3)
      "pop {r4-r11, pc}\n\t");
}

/* the head of group c (see d3_setup_c) */
static int32_t d3_setup(const mn_dw_conv_params *p, int32_t c, const uint32_t *wg, int32_t (*rq)[3], int32_t *b2) {
  return p->bias ? d3_setup_asm(p, c, wg, rq, b2) : d3_setup_c(p, c, wg, rq, b2);
}

/* The group's head for the asm frame (rq followed by b2, 20 words) in *hp: MN_FMT_DW_D3P's own (after the 18
 * weight words of wg), or made by d3_setup into rq / b2 (a context's, which follow each other). Returns the
 * slow / wide flags (d3_setup). */
MN_INLINE int32_t d3_head(const mn_dw_conv_params *p, int32_t c, const uint32_t *wg, int32_t (*rq)[3], int32_t *b2,
                          const uint32_t **hp) {
  if (p->prepared) {
    *hp = wg + 18;
    return (int32_t)wg[18 + 20]; /* the flags word follows the head */
  }
  *hp = (const uint32_t *)(const void *)rq;
  return d3_setup(p, c, wg, rq, b2);
}

/* Do the rows carry the padding columns and what the last pair reads past them (mn_dw_conv_params halo_l,
 * halo_r)? Then a row whose three input rows are present runs as one direct segment. */
MN_INLINE int d3_halo_ok(const mn_dw_conv_params *p) {
  const int32_t np = (p->out_w + 1) >> 1;
  return p->pad_left >= 0 && p->halo_l >= p->pad_left &&
         p->halo_r >= p->stride_w * (2 * np - 1) + 2 - p->pad_left - (p->in_w - 1);
}

typedef struct {
  const mn_dw_conv_params *p;
  d3_ctx *x;
  int run; /* d3_sel */
  d3_seg seg[D3_NSEG];
  int32_t nseg, npk;
  uint32_t zp4;
  uint32_t pk[D3_PKW];
} d3_state;

static void d3_flush(d3_state *st) {
  if (st->nseg == 0) return;
  st->seg[st->nseg].np = 0;
  st->x->seg = st->seg;
  d3_call(st->run, st->x);
  st->nseg = 0, st->npk = 0;
}

/* pairs [p0, p0 + n) of output row `rw` (y: its output at channel c), packed (zp outside the image) or direct */
static void d3_add(d3_state *st, const int8_t *const *rw, int8_t *y, int32_t c, int32_t p0, int32_t n, int packed) {
  const mn_dw_conv_params *p = st->p;
  const int32_t s = p->stride_w, IC = p->in_c, ix0 = 2 * p0 * s - p->pad_left;
  const int32_t ncols = s * (2 * n - 1) + 3;
  if (st->nseg + 1 >= D3_NSEG || (packed && st->npk + 3 * ncols > D3_PKW)) d3_flush(st);
  d3_seg *g = &st->seg[st->nseg++];
  g->cin = packed ? 4 : IC;
  g->y = y + 2 * p0 * p->out_c;
  g->np = n;
  g->odd = (p0 + n) * 2 > p->out_w;
  g->pad = 0;
  if (!packed) {
    for (int32_t k = 0; k < 3; k++) g->row[k] = rw[k] + ix0 * IC + c;
    return;
  }
  const int32_t lo = MN_MIN(ncols, MN_MAX(0, -ix0)), hi = MN_MAX(lo, MN_MIN(ncols, p->in_w - ix0));
  for (int32_t k = 0; k < 3; k++) {
    uint32_t *d = st->pk + st->npk;
    g->row[k] = (const int8_t *)d;
    st->npk += ncols;
    int32_t i = 0;
    if (rw[k]) {
      for (; i < lo; i++) d[i] = st->zp4;
      const int8_t *src = rw[k] + (ix0 + i) * IC + c;
      for (; i < hi; i++, src += IC) d[i] = ld4(src);
    }
    for (; i < ncols; i++) d[i] = st->zp4;
  }
}

/* An output row of a haloed call (mn_dw_conv_params halo_l/halo_r) with kernel rows outside the image (NULL in
 * rw): runs direct like the other rows, with those kernel rows' weights zeroed (they read a row that is there)
 * and the folded bias without their in_offset * w terms, which is exactly the reference's zero contribution
 * w * (zp + in_offset) of a padding row. wg, hp: the group's weights and head. */
static void d3_null_rows(d3_state *st, const int8_t *const *rw, int8_t *y, int32_t c, int32_t np, const uint32_t *wg,
                         const uint32_t *hp) {
  const mn_dw_conv_params *p = st->p;
  uint32_t wz[18], hz[20];
  const int8_t *any = rw[1] ? rw[1] : rw[0] ? rw[0] : rw[2];
  const int8_t *rr[3];
  /* word by word (a memcpy call costs more than these 38 loads and stores) */
#define D3_CP2(D, S, I) (D)[I] = (S)[I], (D)[(I) + 1] = (S)[(I) + 1]
  D3_CP2(wz, wg, 0), D3_CP2(wz, wg, 2), D3_CP2(wz, wg, 4), D3_CP2(wz, wg, 6), D3_CP2(wz, wg, 8);
  D3_CP2(wz, wg, 10), D3_CP2(wz, wg, 12), D3_CP2(wz, wg, 14), D3_CP2(wz, wg, 16);
  D3_CP2(hz, hp, 0), D3_CP2(hz, hp, 2), D3_CP2(hz, hp, 4), D3_CP2(hz, hp, 6), D3_CP2(hz, hp, 8);
  D3_CP2(hz, hp, 10), D3_CP2(hz, hp, 12), D3_CP2(hz, hp, 14), D3_CP2(hz, hp, 16), D3_CP2(hz, hp, 18);
#undef D3_CP2
  for (int32_t k = 0; k < 3; k++) {
    rr[k] = rw[k] ? rw[k] : any;
    if (rw[k]) continue;
    /* the kernel row's doubled weights: per tap the words (c0, c2) and (c1, c3) as int16 lanes */
    int32_t w2[4] = {0, 0, 0, 0};
    for (int32_t t = 6 * k; t < 6 * k + 6; t += 2) {
      const uint32_t a = wz[t], b = wz[t + 1];
      w2[0] += (int16_t)(a & 0xffffu), w2[2] += (int16_t)(a >> 16), w2[1] += (int16_t)(b & 0xffffu), w2[3] += (int16_t)(b >> 16);
      wz[t] = 0, wz[t + 1] = 0;
    }
    for (int32_t j = 0; j < 4; j++) {
      const uint32_t b2 = hz[12 + j] - (uint32_t)p->in_offset * (uint32_t)w2[j];
      hz[12 + j] = b2, hz[16 + j] = b2;
    }
  }
  d3_flush(st);
  const uint32_t *wp0 = st->x->wp, *hp0 = st->x->hp;
  st->x->wp = wz, st->x->hp = hz;
  d3_add(st, rr, y, c, 0, np, 0);
  d3_flush(st);
  st->x->wp = wp0, st->x->hp = hp0;
}

/* Plane mode: the input rows of a batch of output rows, gathered once per group of 4 channels (two pre-extended
 * words per column, the zero point over padding; d3_gather), walked by one asm call: every load is
 * [lr, #8 * column], the kernel rows are lr + k * row stride, rows and pixel pairs are counted in the frame. */
typedef struct {
  uint32_t w[18];      /* 0 */
  int32_t rq[4][3];    /* 72 */
  int32_t b2[8];       /* 120 */
  uint32_t lo4, hi4;   /* 152 */
  int8_t *y;           /* 160: (updated) */
  int32_t C;           /* 164: output pixel stride */
  int32_t rs;          /* 168: packed row stride, bytes */
  int32_t np;          /* 172: full pairs per row (0 for a 1-pixel row) */
  int32_t odd;         /* 176: each row ends with one pixel alone */
  int32_t cnt;         /* 180: (asm) pairs left in the row (D3P loops), lr after the row's last full pair (d3s loops) */
  int32_t rows;        /* 184: output rows */
  int32_t lj;          /* 188: lr from after a row's last pair or pixel to the next row's first */
  int32_t yj;          /* 192: y from after a row's last pair or pixel to the next row's first pixel */
  const uint32_t *lr0; /* 196 */
  int32_t oo;          /* 200: out_offset (the wide-shift variant) */
  const uint32_t *wp;  /* 204: the group's weights (copied into the frame like d3_ctx's) */
  const uint32_t *hp;  /* 208: rq and b2 */
  uint32_t pad[3];     /* 56 words (the D3P loops' frame) */
  uint32_t wx[6];      /* 224: the small-plane loops' (d3s) stride-1 weight words 18..23 */
  uint32_t pad2[2];
} d3p_ctx;
typedef char d3_ctx_layout_ok[(offsetof(d3_ctx, rq) == 72 && offsetof(d3_ctx, wp) == 192 && offsetof(d3_ctx, hp) == 196 && offsetof(d3_ctx, b2) == 120 && sizeof(d3_ctx) == 224 &&
                               offsetof(d3p_ctx, rq) == 72 && offsetof(d3p_ctx, wp) == 204 && offsetof(d3p_ctx, hp) == 208 && offsetof(d3p_ctx, b2) == 120 && offsetof(d3p_ctx, wx) == 224 && sizeof(d3p_ctx) == 256) ? 1 : -1];

/* Plane rows hold every column pre-extended: two words per column, (c0, c2) and (c1, c3) as int16 lanes (what
 * D3_X makes of a raw input word), so a column costs one LDRD here */
/* Each tap's weights are loaded once for both pixels: pixel 0 reads column t, pixel 1 column t + stride. */
#define D3P_ROW1(k) "ldrd r8, r9, [lr]\n\t" D3_MA(k, 0)                                                      \
  "ldrd r8, r9, [lr, #8]\n\t" D3_MBN D3_MA(k, 1)                                                            \
  "ldrd r8, r9, [lr, #16]\n\t" D3_MBN D3_MA(k, 2)                                                           \
  "ldrd r8, r9, [lr, #24]\n\t" D3_MBN
#define D3P_ROW2(k) "ldrd r8, r9, [lr]\n\t" D3_MA(k, 0)                                                      \
  "ldrd r8, r9, [lr, #16]\n\t" D3_MBN                                                                     \
  "ldrd r8, r9, [lr, #8]\n\t" D3_MA(k, 1)                                                                  \
  "ldrd r8, r9, [lr, #24]\n\t" D3_MBN                                                                     \
  "ldrd r8, r9, [lr, #16]\n\t" D3_MA(k, 2)                                                                 \
  "ldrd r8, r9, [lr, #32]\n\t" D3_MBN
/* pixel 0 of a pair alone (columns 0..2 at either stride) */
#define D3P_ROW_1(k) "ldrd r8, r9, [lr]\n\t" D3_MA(k, 0)                                                     \
  "ldrd r8, r9, [lr, #8]\n\t" D3_MA(k, 1)                                                                  \
  "ldrd r8, r9, [lr, #16]\n\t" D3_MA(k, 2)
/* Rows of full pairs (np of them, maybe 0), then for odd widths the last pixel alone (odd = 1): it advances lr
 * and y like a pair, so lj and yj (from after a row's last pair or pixel to the next row's first) stay simple. */
/* The end of a pair in the plane loops (D3P_RUN, D3S_RUN): lr back to the first kernel row and one pair on, the
 * 8 sums requantized, packed, clamped and stored, y one pair on */
#define D3_PAIR_OUT(STEP, CLAMP, RQ)                                                                         \
  "sub lr, lr, r12, lsl #1\n\t"                                                                            \
  "add lr, lr, #" STEP "\n\t"                                                                              \
  RQ(0, "r0", "r4") RQ(1, "r1", "r5") RQ(2, "r2", "r6") RQ(3, "r3", "r7")                                  \
  "bfi r0, r1, #8, #8\n\tbfi r0, r2, #16, #8\n\tbfi r0, r3, #24, #8\n\t"                                   \
  "bfi r4, r5, #8, #8\n\tbfi r4, r6, #16, #8\n\tbfi r4, r7, #24, #8\n\t" CLAMP                             \
  "ldrd r8, r9, [sp, #160]\n\t"                                                                            \
  "str r0, [r8]\n\t"                                                                                       \
  "str r4, [r8, r9]\n\t"                                                                                   \
  "add r8, r8, r9, lsl #1\n\t"                                                                             \
  "str r8, [sp, #160]\n\t"
/* label 4: the last pixel of an odd row alone (ROWS_1: its three kernel rows), label 5: the next row (lj, yj),
 * back to label 3 while rows are left */
#define D3_ODD_NEXT(ROWS_1, STEP, CLAMP_1, RQ_1)                                                             \
  "4:\n\t"                                                                                                 \
  "ldr r10, [sp, #176]\n\t"                                                                                \
  "cmp r10, #0\n\t"                                                                                        \
  "beq 5f\n\t"                                                                                             \
  "add r8, sp, #120\n\t"                                                                                   \
  "ldm r8, {r0-r3}\n\t" ROWS_1                                                                             \
  "sub lr, lr, r12, lsl #1\n\t"                                                                            \
  "add lr, lr, #" STEP "\n\t"                                                                              \
  RQ_1(0, "r0") RQ_1(1, "r1") RQ_1(2, "r2") RQ_1(3, "r3")                                                  \
  "bfi r0, r1, #8, #8\n\tbfi r0, r2, #16, #8\n\tbfi r0, r3, #24, #8\n\t" CLAMP_1                          \
  "ldrd r8, r9, [sp, #160]\n\t"                                                                            \
  "str r0, [r8]\n\t"                                                                                       \
  "add r8, r8, r9, lsl #1\n\t"                                                                             \
  "str r8, [sp, #160]\n\t"                                                                                 \
  "5:\n\t"                                                                                                 \
  "ldrd r10, r11, [sp, #188]\n\t"                                                                          \
  "ldr r8, [sp, #160]\n\t"                                                                                 \
  "add lr, lr, r10\n\t"                                                                                    \
  "add r8, r8, r11\n\t"                                                                                    \
  "str r8, [sp, #160]\n\t"                                                                                 \
  "ldr r10, [sp, #184]\n\t"                                                                                \
  "subs r10, r10, #1\n\t"                                                                                  \
  "str r10, [sp, #184]\n\t"                                                                                \
  "bne 3b\n\t"
#define D3P_RUN(ROW, STEP, CLAMP, RQ, CLAMP_1, RQ_1)                                                          \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "sub sp, sp, #224\n\t"                                                                                   \
  D3_FRAME("204")                                                                                          \
  "ldr lr, [sp, #196]\n\t"                                                                                 \
  "ldr r12, [sp, #168]\n\t"                                                                                \
  "3:\n\t"                                                                                                 \
  "ldr r8, [sp, #172]\n\t"                                                                                 \
  "cmp r8, #0\n\t"                                                                                         \
  "beq 4f\n\t"                                                                                             \
  "str r8, [sp, #180]\n\t"                                                                                 \
  "1:\n\t"                                                                                                 \
  "add r8, sp, #120\n\t"                                                                                   \
  "ldm r8, {r0-r7}\n\t" ROW(0) "add lr, lr, r12\n\t" ROW(1) "add lr, lr, r12\n\t" ROW(2)                   \
  D3_PAIR_OUT(STEP, CLAMP, RQ)                                                                             \
  "ldr r10, [sp, #180]\n\t"                                                                                \
  "subs r10, r10, #1\n\t"                                                                                  \
  "str r10, [sp, #180]\n\t"                                                                                \
  "bne 1b\n\t"                                                                                             \
  D3_ODD_NEXT(D3P_ROW_1(0) "add lr, lr, r12\n\t" D3P_ROW_1(1) "add lr, lr, r12\n\t" D3P_ROW_1(2), STEP, CLAMP_1, RQ_1) \
  "add sp, sp, #224\n\t"                                                                                   \
  "pop {r4-r11, pc}\n\t"

#define D3P_DECL(NAME, ROW, STEP, CLAMP, RQ, CLAMP_1, RQ_1)                                                \
  __attribute__((naked, noinline)) static void NAME(const d3p_ctx *c __attribute__((unused))) {           \
    __asm__ volatile(D3P_RUN(ROW, STEP, CLAMP, RQ, CLAMP_1, RQ_1));                                        \
  }
D3P_DECL(d3p_run_s1, D3P_ROW1, "16", "", D3_RQ, "", D3_RQ_1)
D3P_DECL(d3p_run_s1_act, D3P_ROW1, "16", D3_CLAMP, D3_RQ, D3_CLAMP_1, D3_RQ_1)
D3P_DECL(d3p_run_s2, D3P_ROW2, "32", "", D3_RQ, "", D3_RQ_1)
D3P_DECL(d3p_run_s2_act, D3P_ROW2, "32", D3_CLAMP, D3_RQ, D3_CLAMP_1, D3_RQ_1)
D3P_DECL(d3p_run_s1_w, D3P_ROW1, "16", "", D3_RQW, "", D3_RQW_1)
D3P_DECL(d3p_run_s1_act_w, D3P_ROW1, "16", D3_CLAMP, D3_RQW, D3_CLAMP_1, D3_RQW_1)
D3P_DECL(d3p_run_s2_w, D3P_ROW2, "32", "", D3_RQW, "", D3_RQW_1)
D3P_DECL(d3p_run_s2_act_w, D3P_ROW2, "32", D3_CLAMP, D3_RQW, D3_CLAMP_1, D3_RQW_1)

/* plane-mode loops, selected like d3_call */
D3_DISPATCH(d3p_call, d3p_run, d3p_ctx)

/* two loaded columns (r12, lr) extended and stored */
#define D3G_EXT                                                                                            \
  "sxtb16 r6, r12\n\t"                                                                                     \
  "sxtb16 r12, r12, ror #8\n\t"                                                                            \
  "sxtb16 r8, lr\n\t"                                                                                      \
  "sxtb16 lr, lr, ror #8\n\t"                                                                              \
  "strd r6, r12, [r10], #8\n\t"                                                                            \
  "strd r8, lr, [r10], #8\n\t"
/* two columns: LDR, LDR, ADD, 4 SXTB16, 2 STRD */
#define D3G_PAIR                                                                                           \
  "ldr r12, [r9]\n\t"                                                                                      \
  "ldr lr, [r9, r5]\n\t"                                                                                   \
  "add r9, r9, r5, lsl #1\n\t" D3G_EXT
/* Plane rows i < nr of one group: columns [0, n) of row i (at d + i * rw words, two words per column) = the
 * SXTB16 even and odd lanes of the 4 bytes at src[i] + c + j * IC, or zx (the extended zero point) for a NULL row
 * (outside the image) unless null_done (they hold it already). Two columns per iteration. */
typedef struct {
  int32_t n, IC, c;  /* 0, 4, 8 */
  uint32_t zx;       /* 12 */
  int32_t null_done; /* 16 */
} d3_gather_args;
__attribute__((naked, noinline)) static void d3_gather(uint32_t *d __attribute__((unused)),
                                                       const int8_t *const *src __attribute__((unused)),
                                                       int32_t nr __attribute__((unused)), int32_t rw __attribute__((unused)),
                                                       const d3_gather_args *a __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r4, [sp, #36]\n\t" /* a */
      "ldr r5, [r4, #4]\n\t"  /* IC */
      "ldr r7, [r4, #12]\n\t" /* zx */
      "lsl r3, r3, #2\n\t"    /* row stride, bytes */
      "cmp r2, #0\n\t"
      "ble 9f\n\t"
      "1:\n\t"
      "ldr r9, [r1], #4\n\t"
      "mov r10, r0\n\t"
      "ldr r11, [r4]\n\t" /* n */
      "cmp r9, #0\n\t"
      "beq 5f\n\t"
      "ldr r6, [r4, #8]\n\t" /* c */
      "add r9, r9, r6\n\t"
      "lsrs r11, r11, #2\n\t" /* blocks of 4 columns */
      "beq 7f\n\t"
      "add r7, r5, r5, lsl #1\n\t" /* 3 * IC */
      "2:\n\t"
      "ldr r12, [r9]\n\t"
      "ldr lr, [r9, r5]\n\t"
      D3G_EXT
      "ldr r12, [r9, r5, lsl #1]\n\t"
      "ldr lr, [r9, r7]\n\t"
      "add r9, r9, r5, lsl #2\n\t"
      D3G_EXT
      "subs r11, r11, #1\n\t"
      "bne 2b\n\t"
      "ldr r7, [r4, #12]\n\t" /* zx again */
      "7:\n\t"
      "ldr r11, [r4]\n\t"
      "tst r11, #2\n\t"
      "beq 3f\n\t"
      D3G_PAIR
      "3:\n\t"
      "tst r11, #1\n\t"
      "beq 4f\n\t"
      "ldr r12, [r9]\n\t"
      "sxtb16 r6, r12\n\t"
      "sxtb16 r12, r12, ror #8\n\t"
      "strd r6, r12, [r10]\n\t"
      "4:\n\t"
      "add r0, r0, r3\n\t"
      "subs r2, r2, #1\n\t"
      "bne 1b\n\t"
      "9:\n\t"
      "pop {r4-r11, pc}\n\t"
      "5:\n\t"
      "ldr r8, [r4, #16]\n\t" /* null_done */
      "cmp r8, #0\n\t"
      "bne 4b\n\t"
      "lsls r11, r11, #1\n\t" /* words */
      "beq 4b\n\t"
      "6:\n\t"
      "str r7, [r10], #4\n\t"
      "subs r11, r11, #1\n\t"
      "bne 6b\n\t"
      "b 4b\n\t");
}

/* one channel of d3_rows in C, exact (channels outside the asm's requantization scheme) */
static void d3_chan_exact(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, int32_t ch) {
  int32_t w[9];
  for (int32_t t = 0; t < 9; t++) w[t] = cv_w2(p, ch, t) / 2;
  const int32_t IC = p->in_c, C = p->out_c, s = p->stride_w, off = p->in_offset, b = p->bias ? p->bias[ch] : 0;
  const int32_t m = p->mult[ch], sh = p->shift[ch];
  /* dead channels (a bias far beyond what the taps can add): when the lowest and the highest sum the taps allow
   * (every x + in_offset in [-128 + in_offset, 127 + in_offset], padding's 0 included) give the same output, so
   * does every sum in between (the requantization is monotonic): the channel is that constant */
  int32_t tl = 0, th = 0; /* the taps' part: 9 products of |w| <= 128 and |x + in_offset| <= 255 fit int32 */
  for (int32_t t = 0; t < 9; t++) {
    const int32_t a = w[t] * (-128 + off), z = w[t] * (127 + off);
    tl += a < z ? a : z, th += a < z ? z : a;
  }
  const int64_t lo = (int64_t)b + tl, hi = (int64_t)b + th;
  if (lo >= INT32_MIN && hi <= INT32_MAX) {
    const int32_t vlo = mn_clamp(mn_requant((int32_t)lo, m, sh) + p->out_offset, p->act_min, p->act_max);
    const int32_t vhi = mn_clamp(mn_requant((int32_t)hi, m, sh) + p->out_offset, p->act_min, p->act_max);
    if (vlo == vhi) {
      for (int32_t r = 0; r < nrows; r++) {
        int8_t *y = out + r * p->out_w * C + ch;
        for (int32_t ox = 0; ox < p->out_w; ox++, y += C) *y = (int8_t)vlo;
      }
      return;
    }
  }
  for (int32_t r = 0; r < nrows; r++) {
    const int8_t *const *rw = rows + 3 * r;
    int8_t *y = out + r * p->out_w * C + ch;
    for (int32_t ox = 0; ox < p->out_w; ox++, y += C) {
      const int32_t ix0 = ox * s - p->pad_left;
      const int32_t k0 = ix0 < 0 ? -ix0 : 0, k1 = MN_MIN(3, p->in_w - ix0);
      int32_t acc = b;
      for (int32_t ky = 0; ky < 3; ky++) {
        const int8_t *x = rw[ky];
        if (!x) continue;
        x += ix0 * IC + ch / p->depth_mult;
        for (int32_t kx = k0; kx < k1; kx++) acc += w[3 * ky + kx] * ((int32_t)x[kx * IC] + off);
      }
      *y = (int8_t)mn_clamp(mn_requant(acc, m, sh) + p->out_offset, p->act_min, p->act_max);
    }
  }
}

/* the channels of group c that the asm could not do (bits 0..3 of slow), in exact C */
MN_INLINE void d3_exact_slow(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, int32_t c,
                             int32_t slow) {
  if (!(slow & 15)) return;
  for (int32_t j = 0; j < 4; j++) {
    if (slow >> j & 1) d3_chan_exact(p, rows, nrows, out, c + j);
  }
}

/* ----------------------------------------------------------------------------------------------------- *
 * Column-pair planes (d3s): the plane's rows hold column PAIRS instead of columns: per pair of columns
 * (2q, 2q + 1) four words, one per channel, each the two columns' values as int16 lanes (d3s_gather: PKHBT /
 * PKHTB of two input words, then SXTB16). Then SMLAD does two taps of one channel in one instruction:
 *  - stride 1, pixels j, j + 1 of a pair, per kernel row with A = (w0, w1), B = (w1, w2) per channel:
 *    p0 += SMLAD(X01, A) + SMLABT(X23, B), p1 += SMLATB(X01, A) + SMLAD(X23, B): 8 LDRD and 16 MACs for 24
 *    multiply-adds (the column loop above: 7 LDRD and 24 MACs);
 *  - stride 2 (p0 reads columns 0..2, p1 2..4), with A and C = (w2 of c0, w2 of c1), (w2 of c2, w2 of c3):
 *    p0 += SMLAD(X01, A) + SMLABB(X23, C), p1 += SMLAD(X23, A) + SMLABB(X45, C): 9 LDRD and 16 MACs.
 * Whole layers take it (a call with every output row, in batches of rows when one plane does not hold them:
 * 24x24 maps and below), and calls of several rows too wide for the column plane to batch more than one (112
 * columns at stride 2); other blocks and row calls keep the column plane, so the layers a streamed region runs
 * row by row, which are the large ones, compare with the same loop in the layer-by-layer plan.
 * Layers of one input channel with a depth multiplier of 4k (grey-scale stems, see MN_STEM1_APPLIES) take it
 * too, on one plane for every group (d3s_gather_bcast). The weights are rearranged per group from MN_FMT_DW_CV
 * (or D3P) into the frame by the asm; the head is d3_head's.
 * ----------------------------------------------------------------------------------------------------- */

/* the frame's weight words (logical index i < 18 at sp + 4i, 18..23 at sp + 224 + 4(i - 18)), per kernel row:
 * stride 1: A01, B01, A23, B23 (LDRD pairs: A_c0 A_c1, B_c0 B_c1, A_c2 A_c3, B_c2 B_c3); stride 2: A01, C, A23 */
#define D3S_P1(A01, B01, A23, B23)                                                                         \
  "ldrd r8, r9, [lr]\n\t"                                                                                  \
  "ldrd r10, r11, [sp, #" #A01 "]\n\t"                                                                     \
  "smlad r0, r8, r10, r0\n\tsmlad r1, r9, r11, r1\n\tsmlatb r4, r8, r10, r4\n\tsmlatb r5, r9, r11, r5\n\t" \
  "ldrd r8, r9, [lr, #16]\n\t"                                                                             \
  "ldrd r10, r11, [sp, #" #B01 "]\n\t"                                                                     \
  "smlad r4, r8, r10, r4\n\tsmlad r5, r9, r11, r5\n\tsmlabt r0, r8, r10, r0\n\tsmlabt r1, r9, r11, r1\n\t" \
  "ldrd r8, r9, [lr, #8]\n\t"                                                                              \
  "ldrd r10, r11, [sp, #" #A23 "]\n\t"                                                                     \
  "smlad r2, r8, r10, r2\n\tsmlad r3, r9, r11, r3\n\tsmlatb r6, r8, r10, r6\n\tsmlatb r7, r9, r11, r7\n\t" \
  "ldrd r8, r9, [lr, #24]\n\t"                                                                             \
  "ldrd r10, r11, [sp, #" #B23 "]\n\t"                                                                     \
  "smlad r6, r8, r10, r6\n\tsmlad r7, r9, r11, r7\n\tsmlabt r2, r8, r10, r2\n\tsmlabt r3, r9, r11, r3\n\t"
/* pixel 0 alone */
#define D3S_P1_1(A01, B01, A23, B23)                                                                       \
  "ldrd r8, r9, [lr]\n\t"                                                                                  \
  "ldrd r10, r11, [sp, #" #A01 "]\n\t"                                                                     \
  "smlad r0, r8, r10, r0\n\tsmlad r1, r9, r11, r1\n\t"                                                     \
  "ldrd r8, r9, [lr, #16]\n\t"                                                                             \
  "ldrd r10, r11, [sp, #" #B01 "]\n\t"                                                                     \
  "smlabt r0, r8, r10, r0\n\tsmlabt r1, r9, r11, r1\n\t"                                                   \
  "ldrd r8, r9, [lr, #8]\n\t"                                                                              \
  "ldrd r10, r11, [sp, #" #A23 "]\n\t"                                                                     \
  "smlad r2, r8, r10, r2\n\tsmlad r3, r9, r11, r3\n\t"                                                     \
  "ldrd r8, r9, [lr, #24]\n\t"                                                                             \
  "ldrd r10, r11, [sp, #" #B23 "]\n\t"                                                                     \
  "smlabt r2, r8, r10, r2\n\tsmlabt r3, r9, r11, r3\n\t"
#define D3S_P2(A01, CC, A23)                                                                               \
  "ldrd r10, r11, [sp, #" #A01 "]\n\t"                                                                     \
  "ldrd r8, r9, [lr]\n\t"                                                                                  \
  "smlad r0, r8, r10, r0\n\tsmlad r1, r9, r11, r1\n\t"                                                     \
  "ldrd r8, r9, [lr, #16]\n\t"                                                                             \
  "smlad r4, r8, r10, r4\n\tsmlad r5, r9, r11, r5\n\t"                                                     \
  "ldrd r10, r11, [sp, #" #CC "]\n\t"                                                                      \
  "smlabb r0, r8, r10, r0\n\tsmlabt r1, r9, r10, r1\n\t"                                                   \
  "ldrd r8, r9, [lr, #32]\n\t"                                                                             \
  "smlabb r4, r8, r10, r4\n\tsmlabt r5, r9, r10, r5\n\t"                                                   \
  "ldrd r8, r9, [lr, #40]\n\t"                                                                             \
  "smlabb r6, r8, r11, r6\n\tsmlabt r7, r9, r11, r7\n\t"                                                   \
  "ldrd r8, r9, [lr, #24]\n\t"                                                                             \
  "smlabb r2, r8, r11, r2\n\tsmlabt r3, r9, r11, r3\n\t"                                                   \
  "ldrd r10, r11, [sp, #" #A23 "]\n\t"                                                                     \
  "smlad r6, r8, r10, r6\n\tsmlad r7, r9, r11, r7\n\t"                                                     \
  "ldrd r8, r9, [lr, #8]\n\t"                                                                              \
  "smlad r2, r8, r10, r2\n\tsmlad r3, r9, r11, r3\n\t"
#define D3S_P2_1(A01, CC, A23)                                                                             \
  "ldrd r10, r11, [sp, #" #A01 "]\n\t"                                                                     \
  "ldrd r8, r9, [lr]\n\t"                                                                                  \
  "smlad r0, r8, r10, r0\n\tsmlad r1, r9, r11, r1\n\t"                                                     \
  "ldrd r10, r11, [sp, #" #CC "]\n\t"                                                                      \
  "ldrd r8, r9, [lr, #16]\n\t"                                                                             \
  "smlabb r0, r8, r10, r0\n\tsmlabt r1, r9, r10, r1\n\t"                                                   \
  "ldrd r8, r9, [lr, #24]\n\t"                                                                             \
  "smlabb r2, r8, r11, r2\n\tsmlabt r3, r9, r11, r3\n\t"                                                   \
  "ldrd r10, r11, [sp, #" #A23 "]\n\t"                                                                     \
  "ldrd r8, r9, [lr, #8]\n\t"                                                                              \
  "smlad r2, r8, r10, r2\n\tsmlad r3, r9, r11, r3\n\t"
#define D3S_S1_ROWS(M) M(0, 8, 16, 24) "add lr, lr, r12\n\t" M(32, 40, 48, 56) "add lr, lr, r12\n\t" M(64, 224, 232, 240)
#define D3S_S2_ROWS(M) M(0, 8, 16) "add lr, lr, r12\n\t" M(24, 32, 40) "add lr, lr, r12\n\t" M(48, 56, 64)
#define D3S_ROWS_P1 D3S_S1_ROWS(D3S_P1)
#define D3S_ROWS_P1_1 D3S_S1_ROWS(D3S_P1_1)
#define D3S_ROWS_P2 D3S_S2_ROWS(D3S_P2)
#define D3S_ROWS_P2_1 D3S_S2_ROWS(D3S_P2_1)
/* The frame (62 words): 18 weight words from wp, rq and b2 (20 words) from hp, ctx words 38..61 (the rest of
 * d3p_ctx and wx) */
#define D3S_RUN(FRAME_W, ROWS, ROWS_1, STEP, SH, CLAMP, RQ, CLAMP_1, RQ_1)                                 \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "sub sp, sp, #248\n\t"                                                                                   \
  "add r12, sp, #72\n\t"                                                                                   \
  "ldr r1, [r0, #208]\n\t"                                                                                 \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1!, {r2-r9}\n\tstm r12!, {r2-r9}\n\t"                                                             \
  "ldm r1, {r2-r5}\n\tstm r12!, {r2-r5}\n\t"                                                               \
  "add r0, r0, #152\n\t" D3_CP D3_CP                                                                       \
  "ldm r0!, {r2, r3}\n\tstm r12!, {r2, r3}\n\t"                                                            \
  "ldr r1, [sp, #204]\n\t"                                                                                 \
  "mov r12, sp\n\t" FRAME_W                                                                                \
  "ldr lr, [sp, #196]\n\t"                                                                                 \
  "ldr r12, [sp, #168]\n\t"                                                                                \
  "3:\n\t"                                                                                                 \
  "ldr r8, [sp, #172]\n\t"                                                                                 \
  "cmp r8, #0\n\t"                                                                                         \
  "beq 4f\n\t"                                                                                             \
  "add r8, lr, r8, lsl #" SH "\n\t"                                                                         \
  "str r8, [sp, #180]\n\t"                                                                                 \
  "1:\n\t"                                                                                                 \
  "add r8, sp, #120\n\t"                                                                                   \
  "ldm r8, {r0-r7}\n\t" ROWS                                                                               \
  D3_PAIR_OUT(STEP, CLAMP, RQ)                                                                             \
  "ldr r10, [sp, #180]\n\t"                                                                                \
  "cmp lr, r10\n\t"                                                                                        \
  "bne 1b\n\t"                                                                                             \
  D3_ODD_NEXT(ROWS_1, STEP, CLAMP_1, RQ_1)                                                                 \
  "add sp, sp, #248\n\t"                                                                                   \
  "pop {r4-r11, pc}\n\t"
/* The weights into the frame (r1: the group's MN_FMT_DW_CV taps, r12 = sp): per kernel row the 6 tap words
 * (t0 t1 t2, each (c0, c2), (c1, c3)) become A = (w0, w1) and B = (w1, w2) per channel (stride 1) or A and C
 * (stride 2) with PKHBT (low halves) and PKHTB (high halves) */
#define D3S_W1_LO "pkhbt r8, r2, r4, lsl #16\n\tpkhbt r9, r3, r5, lsl #16\n\tpkhbt r10, r4, r6, lsl #16\n\tpkhbt r11, r5, r7, lsl #16\n\t"
#define D3S_W1_HI "pkhtb r8, r4, r2, asr #16\n\tpkhtb r9, r5, r3, asr #16\n\tpkhtb r10, r6, r4, asr #16\n\tpkhtb r11, r7, r5, asr #16\n\t"
#define D3S_FRAME_W1                                                                                       \
  "ldm r1!, {r2-r7}\n\t" D3S_W1_LO "stm r12!, {r8-r11}\n\t" D3S_W1_HI "stm r12!, {r8-r11}\n\t"                 \
  "ldm r1!, {r2-r7}\n\t" D3S_W1_LO "stm r12!, {r8-r11}\n\t" D3S_W1_HI "stm r12!, {r8-r11}\n\t"                 \
  "ldm r1!, {r2-r7}\n\t" D3S_W1_LO "strd r8, r9, [sp, #64]\n\tstrd r10, r11, [sp, #224]\n\t" D3S_W1_HI        \
  "add r12, sp, #232\n\tstm r12, {r8-r11}\n\t"
#define D3S_W2                                                                                             \
  "ldm r1!, {r2-r7}\n\t"                                                                                   \
  "pkhbt r8, r2, r4, lsl #16\n\tpkhbt r9, r3, r5, lsl #16\n\tpkhbt r10, r6, r7, lsl #16\n\tpkhtb r11, r7, r6, asr #16\n\t" \
  "stm r12!, {r8-r11}\n\t"                                                                                 \
  "pkhtb r8, r4, r2, asr #16\n\tpkhtb r9, r5, r3, asr #16\n\t"                                              \
  "stm r12!, {r8, r9}\n\t"
#define D3S_FRAME_W2 D3S_W2 D3S_W2 D3S_W2
#define D3S_DECL_(NAME, FRAME_W, ROWS, ROWS_1, STEP, SH, CLAMP, RQ, CLAMP_1, RQ_1)                         \
  __attribute__((naked, noinline)) static void NAME(const d3p_ctx *c __attribute__((unused))) {           \
    __asm__ volatile(D3S_RUN(FRAME_W, ROWS, ROWS_1, STEP, SH, CLAMP, RQ, CLAMP_1, RQ_1));                  \
  }
#define D3S_DECL(...) D3S_DECL_(__VA_ARGS__)
#define D3S_S1 D3S_FRAME_W1, D3S_ROWS_P1, D3S_ROWS_P1_1, "16", "4"
#define D3S_S2 D3S_FRAME_W2, D3S_ROWS_P2, D3S_ROWS_P2_1, "32", "5"
D3S_DECL(d3s_run_s1, D3S_S1, "", D3_RQ, "", D3_RQ_1)
D3S_DECL(d3s_run_s1_act, D3S_S1, D3_CLAMP, D3_RQ, D3_CLAMP_1, D3_RQ_1)
D3S_DECL(d3s_run_s2, D3S_S2, "", D3_RQ, "", D3_RQ_1)
D3S_DECL(d3s_run_s2_act, D3S_S2, D3_CLAMP, D3_RQ, D3_CLAMP_1, D3_RQ_1)
D3S_DECL(d3s_run_s1_w, D3S_S1, "", D3_RQW, "", D3_RQW_1)
D3S_DECL(d3s_run_s1_act_w, D3S_S1, D3_CLAMP, D3_RQW, D3_CLAMP_1, D3_RQW_1)
D3S_DECL(d3s_run_s2_w, D3S_S2, "", D3_RQW, "", D3_RQW_1)
D3S_DECL(d3s_run_s2_act_w, D3S_S2, D3_CLAMP, D3_RQW, D3_CLAMP_1, D3_RQW_1)

/* small-plane loops, selected like d3_call */
D3_DISPATCH(d3s_call, d3s_run, d3p_ctx)

/* Column-pair plane rows of one group: per row, an optional left pair whose first column is padding (lp), n
 * pairs inside the image, an optional right pair whose second column is padding (rp); each pair (a, b) of
 * input words (4 channels) becomes the words (a_j, b_j) as int16 lanes, j = 0..3 (PKHBT / PKHTB, then SXTB16);
 * padding reads zp4 (the zero point in 4 bytes). NULL rows are skipped (the caller filled them once). */
typedef struct {
  int32_t n, IC;     /* 0, 4 */
  uint32_t zp4;      /* 8 */
  int32_t lp, rp, c; /* 12, 16, 20 */
} d3s_gather_args;
#define D3S_EMIT                                                                                           \
  "pkhbt r8, r11, r12, lsl #16\n\t"                                                                        \
  "pkhtb r12, r12, r11, asr #16\n\t"                                                                       \
  "sxtb16 r11, r8\n\t"                                                                                     \
  "sxtb16 r8, r8, ror #8\n\t"                                                                              \
  "strd r11, r8, [r10], #8\n\t"                                                                            \
  "sxtb16 r11, r12\n\t"                                                                                    \
  "sxtb16 r12, r12, ror #8\n\t"                                                                            \
  "strd r11, r12, [r10], #8\n\t"
#define D3S_LD "ldr r11, [r9]\n\tldr r12, [r9, r5]\n\tadd r9, r9, r5, lsl #1\n\t"
__attribute__((naked, noinline)) static void d3s_gather(uint32_t *d __attribute__((unused)),
                                                        const int8_t *const *src __attribute__((unused)),
                                                        int32_t nr __attribute__((unused)), int32_t rs __attribute__((unused)),
                                                        const d3s_gather_args *a __attribute__((unused))) {
  __asm__ volatile(
      "push {r4-r11, lr}\n\t"
      "ldr r4, [sp, #36]\n\t" /* a */
      "ldr r5, [r4, #4]\n\t"  /* IC */
      "ldr r6, [r4, #8]\n\t"  /* zp4 */
      "1:\n\t"
      "ldr r9, [r1], #4\n\t"
      "cmp r9, #0\n\t"
      "beq 8f\n\t"
      "ldr r7, [r4, #20]\n\t" /* c */
      "add r9, r9, r7\n\t"
      "mov r10, r0\n\t"
      "ldr r7, [r4, #12]\n\t" /* lp */
      "cbz r7, 2f\n\t"
      "mov r11, r6\n\t"
      "ldr r12, [r9, r5]\n\t"
      "add r9, r9, r5, lsl #1\n\t"
      D3S_EMIT
      "2:\n\t"
      "ldr r7, [r4]\n\t" /* n: an odd one first, then two per iteration */
      "lsrs r7, r7, #1\n\t"
      "bcc 3f\n\t"
      D3S_LD D3S_EMIT
      "3:\n\t"
      "cbz r7, 4f\n\t"
      "5:\n\t"
      D3S_LD D3S_EMIT D3S_LD D3S_EMIT
      "subs r7, r7, #1\n\t"
      "bne 5b\n\t"
      "4:\n\t"
      "ldr r7, [r4, #16]\n\t" /* rp */
      "cbz r7, 8f\n\t"
      "ldr r11, [r9]\n\t"
      "mov r12, r6\n\t"
      D3S_EMIT
      "8:\n\t"
      "add r0, r0, r3\n\t"
      "subs r2, r2, #1\n\t"
      "bne 1b\n\t"
      "pop {r4-r11, pc}\n\t");
}

/* 2n column pairs of a broadcast plane row (d3s_gather_bcast) from the 4n bytes at x (any alignment): per 4 bytes
 * (x0, x1, x2, x3) the words (x0, x1) and (x2, x3) as int16 lanes, each stored 4 times */
MN_INLINE void d3s_bc_pairs(uint32_t *d, const int8_t *x, int32_t n) {
  uint32_t v, e, o, w0, w1;
  __asm__ volatile("1:\n\t"
                   "ldr %[v], [%[x]], #4\n\t"
                   "sxtb16 %[e], %[v]\n\t"
                   "sxtb16 %[o], %[v], ror #8\n\t"
                   "pkhbt %[w0], %[e], %[o], lsl #16\n\t"
                   "pkhtb %[w1], %[o], %[e], asr #16\n\t"
                   "strd %[w0], %[w0], [%[d]], #8\n\t"
                   "strd %[w0], %[w0], [%[d]], #8\n\t"
                   "strd %[w1], %[w1], [%[d]], #8\n\t"
                   "strd %[w1], %[w1], [%[d]], #8\n\t"
                   "subs %[n], %[n], #1\n\t"
                   "bne 1b\n\t"
                   : [v] "=&r"(v), [e] "=&r"(e), [o] "=&r"(o), [w0] "=&r"(w0), [w1] "=&r"(w1), [x] "+r"(x), [d] "+r"(d),
                     [n] "+r"(n)
                   :
                   : "cc", "memory");
}

/* The plane rows of the batch of n output rows from r0 (plane row i = input row k of output row r0 + r,
 * r = min(i / sh, n - 1)) as sources at plane column plo (input column plo - pad_left, which may lie in a halo
 * before the row); returns their number. */
static int32_t d3_batch_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t r0, int32_t n, int32_t sh,
                             int32_t plo, const int8_t **out) {
  const int32_t prow = (n - 1) * sh + 3;
  const intptr_t x0 = (intptr_t)(plo - p->pad_left) * p->in_c;
  for (int32_t i = 0, r = 0, k = 0; i < prow; i++) {
    const int8_t *src = rows[3 * (r0 + r) + k];
    if (++k == sh && r < n - 1) k = 0, r++;
    out[i] = src ? (const int8_t *)(uintptr_t)((intptr_t)(uintptr_t)src + x0) : NULL;
  }
  return prow;
}

/* The step between the input rows of consecutive output rows in rows[]: stride_h when the caller's rows are
 * consistent with it (plane row r * sh + k is then rows[3r + k]), else 3 (every output row's three rows apart). */
static int32_t d3_row_step(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows) {
  int32_t sh = p->stride_h >= 1 && p->stride_h <= 3 ? p->stride_h : 3;
  for (int32_t r = 1; r < nrows && sh < 3; r++) {
    for (int32_t k = 0; k + sh < 3; k++) {
      if (rows[3 * r + k] != rows[3 * (r - 1) + k + sh]) sh = 3;
    }
  }
  return sh;
}

/* the plane rows [from, to) (rw words each) whose source is NULL (outside the image) filled with zx */
static void d3s_fill_null(uint32_t *pk, const int8_t *const *src, int32_t from, int32_t to, int32_t rw, uint32_t zx) {
  for (int32_t i = from; i < to; i++) {
    if (src[i]) continue;
    for (int32_t j = 0; j < rw; j++) pk[i * rw + j] = zx;
  }
}

/* The column-pair plane of a layer with one input channel and a depth multiplier that is a multiple of 4 (every
 * channel of a group reads that channel): in each of the prow rows (NULL: outside the image), per column pair q
 * the word (x[2q - pad_left], x[2q + 1 - pad_left]) as int16 lanes (zx's zero point outside the image), four
 * times (one per channel of a group, so the d3s loops run unchanged); rw = 4 * ncp words per row. */
static void d3s_gather_bcast(const mn_dw_conv_params *p, const int8_t *const *rr, int32_t prow, int32_t ncp, uint32_t *pk,
                             uint32_t zx) {
  const int32_t pl = p->pad_left, W = p->in_w;
  const int32_t zp = (int16_t)(zx & 0xffffu);
  /* pairs q in [qa, qb) read 4 bytes x[2q - pl .. 2q - pl + 3] inside the row (two pairs per load) */
  const int32_t qa = MN_MIN(ncp, (pl + 1) >> 1);
  int32_t qb = qa;
  while (qb + 1 < ncp && 2 * (qb + 1) - pl + 1 < W) qb += 2;
  for (int32_t i = 0; i < prow; i++) {
    uint32_t *d = pk + i * 4 * ncp;
    const int8_t *x = rr[i];
    if (!x) {
      for (int32_t j = 0; j < 4 * ncp; j++) d[j] = zx;
      continue;
    }
    for (int32_t q = 0; q < ncp;) {
      uint32_t w0;
      if (q == qa && qb > qa) {
        d3s_bc_pairs(d + 4 * q, x + 2 * q - pl, (qb - qa) >> 1);
        q = qb;
        continue;
      }
      const int32_t a = 2 * q - pl;
      const int32_t lo = a >= 0 && a < W ? x[a] : zp, hi = a + 1 >= 0 && a + 1 < W ? x[a + 1] : zp;
      w0 = ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
      d[4 * q] = w0, d[4 * q + 1] = w0, d[4 * q + 2] = w0, d[4 * q + 3] = w0;
      q++;
    }
  }
}

/* n words (a multiple of 4) from s to d <= s, forward (the ranges may overlap), 4 words per LDM / STM */
MN_INLINE void d3s_copy_fwd(uint32_t *d, const uint32_t *s, int32_t n) {
  n >>= 2;
  if (n <= 0) return;
  __asm__ volatile("1:\n\t"
                   "ldm %[s]!, {r4, r5, r6, r7}\n\t"
                   "stm %[d]!, {r4, r5, r6, r7}\n\t"
                   "subs %[n], %[n], #1\n\t"
                   "bne 1b\n\t"
                   : [s] "+r"(s), [d] "+r"(d), [n] "+r"(n)
                   :
                   : "r4", "r5", "r6", "r7", "cc", "memory");
}

/* A whole call on column-pair planes (pk, D3_PKW words; sh as in d3_rows), in batches of output rows when one
 * plane does not hold them all. Returns 0 (nothing done) when not even one row fits. */
enum { D3S_BCAST = 1, D3S_HALO = 2 }; /* d3s_rows modes */
#ifndef D3S_HALO_MIN_PAIRS
#define D3S_HALO_MIN_PAIRS 4 /* pixel pairs a haloed row needs to take the column-pair plane */
#endif
static int d3s_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, int32_t sh,
                    uint32_t *pk, int mode) {
  const int bcast = mode & D3S_BCAST, halo = mode & D3S_HALO;
  const int32_t C = p->out_c, s = p->stride_w, np = (p->out_w + 1) >> 1, IC = p->in_c, row_out = p->out_w * C;
  const int32_t ncp = s == 1 ? np + 1 : 2 * np + 1, rw = 4 * ncp;
  enum { D3S_ROWS = 64 };
  int32_t nb = nrows;
  while (nb > 0 && ((nb - 1) * sh + 3) * rw > D3_PKW) nb--;
  if (nb == 0) return 0;
  const int32_t nbat = (nrows + nb - 1) / nb;
  nb = (nrows + nbat - 1) / nbat; /* batches as even as they go */
  const int32_t prow = (nb - 1) * sh + 3;
  if (nbat * prow > D3S_ROWS || ((bcast || halo) && nbat > 1)) return 0;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  const uint32_t zp4 = (uint32_t)(uint8_t)(int8_t)(-p->in_offset) * 0x01010101u, zx = __sxtb16(zp4);
  /* plane columns [vlo, vhi) are read from the rows (plane column q = input column q - pad_left): the image, or
   * every column when the rows carry zero-point halos wide enough (d3_halo_ok) */
  const int32_t vlo = halo ? 0 : MN_MIN(p->pad_left, 2 * ncp), vhi = halo ? 2 * ncp : MN_MIN(p->pad_left + p->in_w, 2 * ncp);
  d3s_gather_args ga;
  ga.IC = IC, ga.zp4 = zp4, ga.lp = vlo & 1, ga.c = 0;
  const int32_t cp0 = vlo >> 1, cf1 = vhi >> 1; /* first pair written; end of the full pairs */
  ga.n = cf1 - ((vlo + 1) >> 1);
  ga.rp = (vhi & 1) && (vhi >> 1) < ncp;
  if (ga.n < 0) ga.n = 0;
  /* the plane rows of every batch (batch b's from b * prow; the broadcast plane reads from column 0) */
  const int8_t *src[D3S_ROWS];
  for (int32_t b = 0, i0 = 0; b < nbat; b++, i0 += prow) {
    const int32_t r0 = b * nb, pr = d3_batch_rows(p, rows, r0, MN_MIN(nb, nrows - r0), sh, bcast ? p->pad_left : 2 * cp0, src + i0);
    for (int32_t i = i0 + pr; i < i0 + prow; i++) src[i] = NULL;
  }
  if (bcast) {
    /* one plane for every group (they all read the one input channel) */
    d3s_gather_bcast(p, src, prow, ncp, pk, zx);
  } else if (halo) {
    /* every column of a row that is there is gathered: only rows outside the image are filled */
    d3s_fill_null(pk, src, 0, prow, rw, zx);
  } else {
    for (int32_t i = 0; i < prow * rw; i++) pk[i] = zx;
  }
  /* with several batches a NULL row (outside the image) may follow data in its plane row: refilled */
  int refill = 0;
  for (int32_t i = 0; i < nbat * prow && nbat > 1; i++) refill |= src[i] == NULL;
  d3p_ctx xp;
  xp.lo4 = (uint32_t)(uint8_t)(int8_t)p->act_min * 0x01010101u;
  xp.hi4 = (uint32_t)(uint8_t)(int8_t)p->act_max * 0x01010101u;
  xp.C = C, xp.rs = 4 * rw, xp.np = np - (p->out_w & 1), xp.odd = p->out_w & 1;
  xp.lj = sh * 4 * rw - 16 * s * np, xp.yj = row_out - 2 * np * C, xp.lr0 = pk, xp.oo = p->out_offset;
  const int32_t gw = cv_group_bytes(p) >> 2;
  const uint32_t *wg = (const uint32_t *)(const void *)p->weights;
  for (int32_t c = 0; c + 4 <= C; c += 4, wg += gw) {
    const int32_t slow = d3_head(p, c, wg, xp.rq, xp.b2, &xp.hp);
    const int sel = d3_sel(s, clamp, slow & 16);
    xp.wp = wg;
    ga.c = c;
    /* one batch (small maps, haloed rows) without the batch loop's bookkeeping: it shows on 3x3 maps */
    if (nbat == 1) {
      if (!bcast) d3s_gather(pk + 4 * cp0, src, prow, 4 * rw, &ga);
      xp.y = out + c, xp.rows = nrows;
      d3s_call(sel, &xp);
    }
    for (int32_t b = 0, last = 0; b < nbat && nbat > 1; b++) {
      const int32_t r0 = b * nb, n = MN_MIN(nb, nrows - r0), pr = (n - 1) * sh + 3;
      /* the first 3 - sh plane rows of a batch are the last ones of the batch before: moved, not gathered */
      const int32_t keep = b > 0 ? 3 - sh : 0;
      if (keep > 0) d3s_copy_fwd(pk, pk + (last - keep) * rw, keep * rw);
      if (refill) d3s_fill_null(pk, src + b * prow, keep, pr, rw, zx);
      d3s_gather(pk + keep * rw + 4 * cp0, src + b * prow + keep, pr - keep, 4 * rw, &ga);
      last = pr;
      xp.y = out + r0 * row_out + c, xp.rows = n;
      d3s_call(sel, &xp);
    }
    d3_exact_slow(p, rows, nrows, out, c, slow);
  }
  return 1;
}

/* One output row whose three input rows are there and carry a halo wide enough (the rows of a streamed region):
 * per group of 4 channels one direct segment over the whole row, no packing. */
static void d3_row_halo(const mn_dw_conv_params *p, const int8_t *const *rows, int8_t *out) {
  const int32_t C = p->out_c, s = p->stride_w, np = (p->out_w + 1) >> 1, IC = p->in_c;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  d3_ctx x;
  d3_seg seg[2];
  x.lo4 = (uint32_t)(uint8_t)(int8_t)p->act_min * 0x01010101u;
  x.hi4 = (uint32_t)(uint8_t)(int8_t)p->act_max * 0x01010101u;
  x.C = C, x.oo = p->out_offset, x.seg = seg;
  seg[0].cin = IC, seg[0].np = np, seg[0].odd = 2 * np > p->out_w, seg[0].pad = 0;
  seg[1].np = 0;
  seg[0].row[0] = rows[0] - p->pad_left * IC, seg[0].row[1] = rows[1] - p->pad_left * IC;
  seg[0].row[2] = rows[2] - p->pad_left * IC, seg[0].y = out;
  const int32_t gw = cv_group_bytes(p) >> 2, sel = d3_sel(s, clamp, 0);
  const uint32_t *wg = (const uint32_t *)(const void *)p->weights;
  for (int32_t c = 0; c + 4 <= C; c += 4, wg += gw) {
    x.wp = wg;
    const int32_t slow = d3_head(p, c, wg, x.rq, x.b2, &x.hp);
    d3_call(sel + (slow & 16 ? 2 : 0), &x);
    /* the next group: 4 channels on */
    seg[0].row[0] += 4, seg[0].row[1] += 4, seg[0].row[2] += 4, seg[0].y += 4;
    d3_exact_slow(p, rows, 1, out, c, slow);
  }
}

/* A whole call of a stride-2 map of 3 x 3 output pixels on channel planes (mn_dw_conv_cp_s8_dsp.c; pk holds the
 * 4 planes and the asm's records below them): 0 (nothing done) for any other call. The planes are filled with
 * the zero point once; the asm gathers the full column pairs inside the image, a column whose pair straddles
 * the image edge is written here (one group per asm call then, as for heads made per call). */
static int d3c_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out, uint32_t *pk) {
  if (p->stride_w != 2 || p->out_w != 3 || p->out_h != 3 || nrows != 3 || d3_row_step(p, rows, nrows) != 2) return 0;
  /* plane columns [lo, hi) are inside the image; full pairs [q0, q1) */
  const int32_t pl = p->pad_left, lo = MN_MAX(0, pl), hi = MN_MIN(8, pl + p->in_w);
  const int32_t q0 = (lo + 1) >> 1, q1 = hi >> 1;
  if (pl < 0 || q1 - q0 < 2 || q1 - q0 > 3) return 0;
  enum { PROW = 7, PW = MN_DWCP_PLANE_BYTES / 4 };
  const int32_t C = p->out_c, IC = p->in_c, G = C >> 2, gw = cv_group_bytes(p) >> 2;
  /* columns lo (odd) and hi - 1 (even) share their pair with padding: written here, per group */
  const int el = lo & 1, er = (hi & 1) && hi - 1 > lo, edges = el || er;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  const uint32_t zx = __sxtb16((uint32_t)(uint8_t)(int8_t)(-p->in_offset) * 0x01010101u);
  uint32_t *planes = pk + PW;
  for (int32_t j = 0; j < 4; j++) {
    for (int32_t i = 0; i < 4 * PROW; i++) planes[PW * j + i] = zx;
  }
  /* the plane rows inside the image (plane column 0: input column -pad_left) */
  const int8_t *src[PROW];
  d3_batch_rows(p, rows, 0, nrows, 2, 0, src);
  int32_t i0 = 0, n = 0;
  while (i0 < PROW && !src[i0]) i0++;
  while (i0 + n < PROW && src[i0 + n]) n++;
  if (n == 0) return 0;
  const uint32_t *wg = (const uint32_t *)(const void *)p->weights;
  /* the asm steps wg, hp, y and off from group to group */
  mn_dwcp_args a = {wg, wg + 18, out, C, planes, src + i0, n, IC, 2 * q0 * IC, q1 - q0, planes + 4 * i0 + q0, G,
                    4 * gw, p->out_offset};
  if (p->prepared && !edges) {
    /* every group in one call; then the channels the heads flag run the exact C code */
    mn_dwcp_run(&a);
    for (int32_t c = 0; c < 4 * G && p->bias; c += 4, wg += gw) {
      const int32_t slow = (int32_t)wg[18 + 20];
      d3_exact_slow(p, rows, nrows, out, c, slow);
    }
  } else {
    struct {
      int32_t rq[4][3], b2[8], flags; /* d3_head's and its flags (contiguous, as the asm reads them) */
    } h;
    a.ngroups = 1;
    for (int32_t c = 0; c < 4 * G; c += 4, wg += gw) {
      const uint32_t *hp;
      const int32_t slow = d3_head(p, c, wg, h.rq, h.b2, &hp);
      h.flags = slow;
      for (int32_t i = i0; edges && i < i0 + n; i++) {
        for (int32_t j = 0; j < 4; j++) {
          int16_t *d = (int16_t *)(void *)(planes + PW * j + 4 * i);
          if (el) d[lo] = src[i][lo * IC + c + j];
          if (er) d[hi - 1] = src[i][(hi - 1) * IC + c + j];
        }
      }
      a.hp = hp; /* this group's head (the asm stepped wg, y and off past the previous group) */
      mn_dwcp_run(&a);
      d3_exact_slow(p, rows, nrows, out, c, slow);
    }
  }
  for (int32_t i = 0; clamp && i < 9; i++) {
    int8_t *y = out + i * C;
    for (int32_t c = 0; c < 4 * G; c++) y[c] = (int8_t)MN_MIN(MN_MAX(y[c], p->act_min), p->act_max);
  }
  return 1;
}

static void d3_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  const int halo = d3_halo_ok(p);
  d3_state st;
  if (nrows == p->out_h && d3c_rows(p, rows, nrows, out, st.pk)) return;
  /* one haloed row of a streamed region at stride 1 with enough pixel pairs to repay the gather: a column-pair
   * plane of its three rows (halo columns read as they are, rows outside the image filled) */
  if (nrows == 1 && halo && p->stride_w == 1 && p->out_w >= 2 * D3S_HALO_MIN_PAIRS &&
      d3s_rows(p, rows, 1, out, 3, st.pk, D3S_HALO))
    return;
  if (nrows == 1 && rows[0] && rows[1] && rows[2] && halo) {
    d3_row_halo(p, rows, out);
    return;
  }
  const int32_t C = p->out_c, s = p->stride_w, row_out = p->out_w * C, np = (p->out_w + 1) >> 1;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  d3_ctx x;
  st.p = p, st.x = &x, st.nseg = 0, st.npk = 0;
  st.run = d3_sel(s, clamp, 0);
  st.zp4 = (uint32_t)(uint8_t)(int8_t)(-p->in_offset) * 0x01010101u;
  x.lo4 = (uint32_t)(uint8_t)(int8_t)p->act_min * 0x01010101u;
  x.hi4 = (uint32_t)(uint8_t)(int8_t)p->act_max * 0x01010101u;
  x.C = C;
  /* pairs [0, pl) touch the left padding, [pr, np) the right one (or read past the last column) */
  /* plane mode: plane row r * sh + k is input row rows[3r + k] of output row r (sh = stride_h when the
   * caller's rows are consistent with that, else 3); batches of nb output rows fit the buffer */
  const int32_t ncols = s * (2 * np - 1) + 3;
  const int32_t sh = d3_row_step(p, rows, nrows);
  /* plane mode: rows of 2 * ncols words (each column pre-extended, D3P_ROW1); batches of nb output rows fit */
  const int32_t rw = 2 * ncols;
  int32_t nb = 0;
  while (nb < nrows && (nb * sh + 3) * rw <= D3_PKW) nb++;
  /* a single haloed row left here has kernel rows outside the image: d3_null_rows, not the plane */
  const int plane = !(halo && nrows == 1) && nb >= 1 && (nrows > 1 || p->out_w <= 16);
  /* column-pair planes for whole calls of small maps, and for calls of several rows too wide for the column plane
   * to batch more than one (it would gather each output row's three input rows anew either way) */
  if (plane && (nrows == p->out_h || (nrows > 1 && nb == 1)) && d3s_rows(p, rows, nrows, out, sh, st.pk, 0)) return;
  const int32_t plo = MN_MIN(ncols, MN_MAX(0, p->pad_left)), phi = MN_MAX(plo, MN_MIN(ncols, p->in_w + p->pad_left));
  d3p_ctx xp;
  /* plane mode: np - odd full pairs per row, then the last pixel of an odd row alone; lr and y advance by a
   * pair's step either way */
  xp.lo4 = x.lo4, xp.hi4 = x.hi4, xp.C = C, xp.rs = 4 * rw, xp.np = np - (p->out_w & 1), xp.odd = p->out_w & 1;
  xp.lj = sh * 4 * rw - 16 * s * np, xp.yj = row_out - 2 * np * C, xp.lr0 = st.pk;
  x.oo = p->out_offset, xp.oo = p->out_offset;
  int runp = d3_sel(s, clamp, 0);
  /* plane mode: the batches' plane rows as sources (first copied column, channel 0; NULL outside the image),
   * made once when they fit gsrc (else per group and batch); the padding columns are written once, each group
   * only gathers the columns inside the image */
  enum { D3_GATHER_ROWS = 128 };
  const int8_t *gsrc[D3_GATHER_ROWS];
  int32_t gtotal = 0;
  for (int32_t r0 = 0; plane && r0 < nrows; r0 += nb) gtotal += (MN_MIN(nb, nrows - r0) - 1) * sh + 3;
  const int gall = plane && gtotal <= D3_GATHER_ROWS;
  if (gall) {
    for (int32_t r0 = 0, g0 = 0; r0 < nrows; r0 += nb) g0 += d3_batch_rows(p, rows, r0, MN_MIN(nb, nrows - r0), sh, plo, gsrc + g0);
  }
  d3_gather_args ga;
  ga.n = phi - plo, ga.IC = p->in_c, ga.c = 0, ga.null_done = 0;
  ga.zx = __sxtb16(st.zp4);
  if (plane) {
    const int32_t maxrows = (MN_MIN(nb, nrows) - 1) * sh + 3;
    for (int32_t i = 0; i < maxrows; i++) {
      uint32_t *d = st.pk + i * rw;
      for (int32_t j = 0; j < 2 * plo; j++) d[j] = ga.zx;
      for (int32_t j = 2 * phi; j < rw; j++) d[j] = ga.zx;
    }
  }
  int32_t pl = 0, pr = np;
  while (pl < np && 2 * pl * s - p->pad_left < 0) pl++;
  while (pr > pl && (2 * (pr - 1) + 1) * s - p->pad_left + 2 >= p->in_w) pr--;
  for (int32_t c = 0; c + 4 <= C; c += 4) {
    const uint32_t *wg = (const uint32_t *)(const void *)p->weights + (c >> 2) * (cv_group_bytes(p) >> 2);
    x.wp = wg, xp.wp = wg;
    const int32_t slow = plane ? d3_head(p, c, wg, xp.rq, xp.b2, &xp.hp) : d3_head(p, c, wg, x.rq, x.b2, &x.hp);
    if (slow & 16) {
      st.run = d3_sel(s, clamp, 1);
      runp = d3_sel(s, clamp, 1);
    } else {
      st.run = d3_sel(s, clamp, 0);
      runp = d3_sel(s, clamp, 0);
    }
    if (plane) {
      ga.c = c;
      for (int32_t r0 = 0, g0 = 0; r0 < nrows; r0 += nb) {
        const int32_t n = MN_MIN(nb, nrows - r0), prow = (n - 1) * sh + 3;
        const int8_t **src = gsrc + g0;
        if (gall) g0 += prow;
        else src = gsrc, d3_batch_rows(p, rows, r0, n, sh, plo, gsrc);
        /* one batch: its rows outside the image keep the zero point from the first group on */
        ga.null_done = nb >= nrows && c > 0;
        d3_gather(st.pk + 2 * plo, src, prow, rw, &ga);
        xp.y = out + r0 * row_out + c, xp.rows = n;
        d3p_call(runp, &xp);
      }
    } else {
      for (int32_t r = 0; r < nrows; r++) {
        const int8_t *const *rw = rows + 3 * r;
        int8_t *y = out + r * row_out + c;
        if (!rw[0] || !rw[1] || !rw[2]) {
          if (halo && (rw[0] || rw[1] || rw[2])) d3_null_rows(&st, rw, y, c, np, wg, x.hp);
          else for (int32_t q = 0; q < np; q += D3_PKP) d3_add(&st, rw, y, c, q, MN_MIN(D3_PKP, np - q), 1);
          continue;
        }
        if (halo) {
          d3_add(&st, rw, y, c, 0, np, 0);
          continue;
        }
        for (int32_t q = 0; q < pl; q += D3_PKP) d3_add(&st, rw, y, c, q, MN_MIN(D3_PKP, pl - q), 1);
        if (pr > pl) d3_add(&st, rw, y, c, pl, pr - pl, 0);
        for (int32_t q = pr; q < np; q += D3_PKP) d3_add(&st, rw, y, c, q, MN_MIN(D3_PKP, np - q), 1);
      }
      d3_flush(&st);
    }
    d3_exact_slow(p, rows, nrows, out, c, slow);
  }
}

/* the broadcast column-pair path (d3s_gather_bcast) of a call; 0: it does not fit (the caller runs cv_rows) */
static int d3s_bcast_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  uint32_t pk[D3_PKW];
  return d3s_rows(p, rows, nrows, out, d3_row_step(p, rows, nrows), pk, D3S_BCAST);
}

static void dwcv_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  const int32_t C = p->out_c, full = C & ~3;
  if ((((uintptr_t)p->weights) & 3) != 0 || p->in_offset < -128 || p->in_offset > 128) {
    for (int32_t r = 0; r < nrows; r++) cv_row_portable(p, rows + p->k_h * r, out + r * p->out_w * C, 0, C);
    return;
  }
  const int d3 = p->k_h == 3 && p->k_w == 3 && p->depth_mult == 1 && p->stride_w <= 2 && p->in_offset > -128;
  if (p->prepared && !d3) {
    /* MN_FMT_DW_D3P is only made for d3 shapes; anything else runs the exact portable loop */
    for (int32_t r = 0; r < nrows; r++) cv_row_portable(p, rows + p->k_h * r, out + r * p->out_w * C, 0, C);
    return;
  }
  /* one input channel, depth multiplier 4k (grey-scale stems): the column-pair plane, one for every group */
  const int bc = p->k_h == 3 && p->k_w == 3 && p->in_c == 1 && p->depth_mult % 4 == 0 && p->stride_w <= 2 && !p->prepared &&
                 p->in_offset > -128;
  if (full && d3) d3_rows(p, rows, nrows, out);
  else if (full && bc && d3s_bcast_rows(p, rows, nrows, out)) {
  } else if (full) cv_rows(p, rows, nrows, out, p->depth_mult != 1);
  if (full < C) {
    for (int32_t r = 0; r < nrows; r++) cv_row_portable(p, rows + p->k_h * r, out + r * p->out_w * C, full, C);
  }
}

#else

static void dwcv_rows(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  for (int32_t r = 0; r < nrows; r++) cv_row_portable(p, rows + p->k_h * r, out + r * p->out_w * p->out_c, 0, p->out_c);
}

#endif

/* The entry: shapes of MN_DWCV_APPLIES run dwcv_rows (the paths above), anything else the reference row by row. */
void mn_dw_conv_rows_s8_dsp(const mn_dw_conv_params *p, const int8_t *const *rows, int32_t nrows, int8_t *out) {
  if (MN_DWCV_APPLIES(p)) {
    dwcv_rows(p, rows, nrows, out);
    return;
  }
  for (int32_t r = 0; r < nrows; r++) mn_dw_conv_row_s8(p, rows + p->k_h * r, out + r * p->out_w * p->out_c);
}
