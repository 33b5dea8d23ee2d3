/* mn_conv_row_s8_dsp.c - one output row of an int8 convolution (groups == 1, small K: the MobileNet stem)
 * for Armv7E-M / Armv8-M DSP (SMLAD), bit-exact with mn_conv_row_s8. Contract: mn_kernels.h.
 * Weights in MN_FMT_CONV_PAIR when MN_CONV_PAIR_APPLIES(p) (mn_kernels_opt.h), else reference order (and
 * the reference kernel runs); 3x3 kernels over 3 input channels (STEM3_APPLIES: the RGB stems) use
 * MN_FMT_STEM3 instead (see "3x3x3 stems" below), 3x3 kernels over 1 input channel MN_FMT_STEM1 (stem1_row).
 *
 * Method: im2col of 3 output pixels at a time into doubled int16 pairs 2 * (x + in_offset) (taps outside
 * the image are 0, which is what skipping them means; unrolled for the 3x3 stems with 1 or 3 input
 * channels), then the same 2 output channels x 3 pixels SMLAD block loop and SMMLAR requantization as
 * mn_conv_1x1_s8_dsp (~4 KiB of stack).
 * Without the DSP extension a portable C loop reads the same weight format.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

/* MN_STEM1_APPLIES layers (MN_FMT_STEM1): the row as a depthwise convolution of the one input channel with depth
 * multiplier out_c, by the depthwise kernel (its 3x3 column-pair plane, built once per row for every group) */
static void stem1_row(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  mn_dw_conv_params d;
  memset(&d, 0, sizeof d);
  d.in_h = p->in_h, d.in_w = p->in_w, d.in_c = 1, d.out_h = p->out_h, d.out_w = p->out_w, d.out_c = p->out_c;
  d.depth_mult = p->out_c, d.k_h = 3, d.k_w = 3, d.stride_h = p->stride_h, d.stride_w = p->stride_w;
  d.dil_h = p->dil_h, d.dil_w = 1, d.pad_top = p->pad_top, d.pad_left = p->pad_left;
  d.in_offset = p->in_offset, d.out_offset = p->out_offset, d.act_min = p->act_min, d.act_max = p->act_max;
  d.weights = p->weights, d.bias = p->bias, d.mult = p->mult, d.shift = p->shift;
  mn_dw_conv_rows_s8_dsp(&d, rows, 1, out_row);
}

/* weight of (oc, k) in MN_FMT_CONV_PAIR with Kp (padded to even) taps */
#define W_AT(w, kp, oc, k) ((w)[((oc) >> 1) * (kp) * 2 + ((k) >> 1) * 4 + ((k) & 1) * 2 + ((oc) & 1)])

static void conv_row_portable(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  const int32_t kp = (p->k_h * p->k_w * p->in_c + 1) & ~1;
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
      int32_t acc = 0;
      for (int32_t ky = 0; ky < p->k_h; ky++) {
        const int8_t *row = rows[ky];
        if (row == NULL) continue;
        for (int32_t kx = 0; kx < p->k_w; kx++) {
          const int32_t ix = ix0 + kx * p->dil_w;
          if (ix < 0 || ix >= p->in_w) continue;
          const int8_t *x = row + ix * p->in_c;
          const int32_t k0 = (ky * p->k_w + kx) * p->in_c;
          for (int32_t c = 0; c < p->in_c; c++) acc += (int32_t)W_AT(p->weights, kp, oc, k0 + c) * ((int32_t)x[c] + p->in_offset);
        }
      }
      if (p->bias) acc += p->bias[oc];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      out_row[ox * p->out_c + oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

/* ---------------------------------------------------------------------------------------------------------
 * 3x3x3 stems: MN_FMT_STEM3 (src/codegen/variants.ts formatStem3).
 * Taps k = ky * 9 + j (j = kx * 3 + ic: byte j of the 9-byte window row ky) go in 14 pairs that match the
 * SXTB16 lanes of the window's words: per ky (j0, j2) (j1, j3) (j4, j6) (j5, j7), then (ky0 j8, ky1 j8),
 * (ky2 j8, pad). Part 1: per output-channel pair (a, b) (out_c padded to even) and tap pair s, the words
 * (2 w_a[k0], 2 w_a[k1]) and (2 w_b[k0], 2 w_b[k1]) of int16 halves (low first), 112 bytes per pair.
 * Part 2 (at byte 56 * OCp): per output channel, int32 sum of its 27 weights and int32 sum of |weights|.
 */
#define STEM3_APPLIES(p) ((p)->groups == 1 && (p)->in_c == 3 && (p)->k_h == 3 && (p)->k_w == 3 && (p)->dil_w == 1)
static const int8_t STEM3_K[2][14] = {{0, 1, 4, 5, 9, 10, 13, 14, 18, 19, 22, 23, 8, 26},
                                      {2, 3, 6, 7, 11, 12, 15, 16, 20, 21, 24, 25, 17, -1}};

MN_INLINE int32_t stem3_w(const int8_t *w, int32_t oc, int32_t s, int32_t h) {
  int16_t v;
  memcpy(&v, w + (oc >> 1) * 112 + s * 8 + (oc & 1) * 4 + h * 2, 2);
  return v / 2;
}

MN_INLINE int32_t stem3_sum(const mn_conv_params *p, int32_t oc, int32_t which) {
  int32_t v;
  memcpy(&v, p->weights + 56 * ((p->out_c + 1) & ~1) + 8 * oc + 4 * which, 4);
  return v;
}

/* the reference arithmetic on MN_FMT_STEM3 weights */
static void stem3_row_portable(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  for (int32_t ox = 0; ox < p->out_w; ox++) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t oc = 0; oc < p->out_c; oc++) {
      int32_t acc = 0;
      for (int32_t s = 0; s < 14; s++) {
        for (int32_t h = 0; h < 2; h++) {
          const int32_t k = STEM3_K[h][s];
          if (k < 0) continue;
          const int8_t *row = rows[k / 9];
          const int32_t ix = ix0 + (k % 9) / 3;
          if (row == NULL || ix < 0 || ix >= p->in_w) continue;
          acc += stem3_w(p->weights, oc, s, h) * ((int32_t)row[ix * 3 + k % 3] + p->in_offset);
        }
      }
      if (p->bias) acc += p->bias[oc];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      out_row[ox * p->out_c + oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#define BUF_WORDS (3 * MN_CONV_PAIR_MAX_K) /* 3 KiB: at least 2 blocks of 3 pixels x MN_CONV_PAIR_MAX_K taps */


#include "mn_dsp_gemm.h"

typedef struct {
  int32_t m, e, k, left, sm, init, bias;
} rq_ch;

MN_INLINE rq_ch rq_setup(const mn_conv_params *p, int32_t oc, int mode) {
  rq_ch r;
  const int32_t sh = p->shift[oc];
  r.m = p->mult[oc];
  r.bias = p->bias ? p->bias[oc] : 0;
  r.left = sh > 0 ? sh : 0;
  r.e = sh > 0 ? 0 : -sh;
  r.sm = r.e > 0 ? -1 : 0;
  if (mode == RQ_FAST) {
    r.k = (1 << (r.e - 1)) + (int32_t)((uint32_t)p->out_offset << r.e);
    r.init = 2 * r.bias;
  } else if (mode == RQ_GEN) {
    r.k = r.e > 0 ? 1 << (r.e - 1) : 0;
    r.init = 2 * r.bias;
  } else {
    r.k = 0;
    r.init = 0;
  }
  return r;
}

MN_INLINE int32_t rq_one(const mn_conv_params *p, int32_t oc, const rq_ch *r, int32_t a2, int mode) {
  int32_t v;
  if (mode == RQ_FAST) {
    v = mn_smmulr(a2, r->m);
    v += r->k + (-(int32_t)((uint32_t)(v) >> 31));
    v = __ssat(v >> r->e, 8);
  } else if (mode == RQ_GEN) {
    v = mn_smmulr((int32_t)((uint32_t)a2 << r->left), r->m);
    v += r->k + ((-(int32_t)((uint32_t)(v) >> 31)) & r->sm);
    v = __ssat((v >> r->e) + p->out_offset, 8);
  } else {
    const int32_t acc = (int32_t)((uint32_t)r->bias + (uint32_t)(a2 >> 1));
    v = mn_clamp(mn_requant(acc, r->m, p->shift[oc]) + p->out_offset, -128, 127);
  }
  return mn_clamp(v, p->act_min, p->act_max);
}

/* im2col of output pixel ox into word column `col` (stride 3 words per k-pair) of a block: slow, general */
static void im2col_px(const mn_conv_params *p, const int8_t *const *rows, int32_t ox, int16_t *tmp, int32_t kp,
                      uint32_t *col) {
  const int32_t C = p->in_c, KW = p->k_w;
  const int32_t off2 = 2 * p->in_offset;
  int16_t *t = tmp;
  if (ox < p->out_w) {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t ky = 0; ky < p->k_h; ky++) {
      const int8_t *row = rows[ky];
      for (int32_t kx = 0; kx < KW; kx++) {
        const int32_t ix = ix0 + kx * p->dil_w;
        if (row == NULL || ix < 0 || ix >= p->in_w) {
          for (int32_t c = 0; c < C; c++) *t++ = 0;
        } else {
          const int8_t *x = row + ix * C;
          for (int32_t c = 0; c < C; c++) *t++ = (int16_t)(2 * x[c] + off2);
        }
      }
    }
  }
  while (t < tmp + kp) *t++ = 0;
  for (int32_t s = 0; s < kp / 2; s++) {
    uint32_t v;
    memcpy(&v, tmp + 2 * s, 4);
    col[s * 3] = v;
  }
}

/* im2col of one inside pixel for k_h == 3 and a compile-time run length L (fully unrolled): the taps in the
 * reference order (ky, kx, ic), doubled and offset, paired into words */
MN_INLINE void im2col_fixed3(const int8_t *x0, const int8_t *x1, const int8_t *x2, int32_t off2, uint32_t *col, const int L) {
  const int8_t *src[3] = {x0, x1, x2};
#pragma GCC unroll 16
  for (int s = 0; s < (3 * L + 1) / 2; s++) {
    const int k0 = 2 * s, k1 = 2 * s + 1;
    const int32_t a = 2 * src[k0 / L][k0 % L] + off2;
    const int32_t b = k1 < 3 * L ? 2 * src[k1 / L][k1 % L] + off2 : 0;
    col[3 * s] = ((uint32_t)a & 0xffffu) | ((uint32_t)b << 16);
  }
}

/* im2col of the pixels [first_i, first_i + n) of a chunk whose window lies inside the image on rows that all
 * exist (dil_w == 1): the k_h runs of L = k_w * in_c contiguous bytes. Pixel i goes to column i % 3 of block
 * i / 3 (bw words per block). o = byte offset of the first pixel's window in a row, step = bytes per pixel. */
static void im2col_inside(const int8_t *const *rows, int32_t kh, int32_t L, int32_t step, int32_t o, int32_t n,
                          int32_t off2, int32_t kp, int32_t bw, int32_t first_i, uint32_t *buf, int16_t *tmp) {
  uint32_t *blk = buf + (first_i / 3) * bw;
  int32_t col = first_i % 3;
  const int32_t K = kh * L;
  if (kh == 3 && (L == 3 || L == 9)) {
    const int8_t *x0 = rows[0] + o, *x1 = rows[1] + o, *x2 = rows[2] + o;
    for (int32_t i = 0; i < n; i++, x0 += step, x1 += step, x2 += step) {
      if (L == 3) im2col_fixed3(x0, x1, x2, off2, blk + col, 3);
      else im2col_fixed3(x0, x1, x2, off2, blk + col, 9);
      if (++col == 3) col = 0, blk += bw;
    }
    return;
  }
  tmp[K] = 0; /* padding tap of an odd K */
  for (int32_t i = 0; i < n; i++, o += step) {
    int16_t *t = tmp;
    for (int32_t ky = 0; ky < kh; ky++) {
      const int8_t *x = rows[ky] + o;
      const int8_t *e = x + L;
      while (x < e) *t++ = (int16_t)(2 * *x++ + off2);
    }
    for (int32_t s = 0; s < kp / 2; s++) {
      uint32_t v;
      memcpy(&v, tmp + 2 * s, 4);
      blk[col + 3 * s] = v;
    }
    if (++col == 3) col = 0, blk += bw;
  }
}

MN_INLINE void run_row(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row, uint32_t *buf, int16_t *tmp,
                       const int mode, const int clamp) {
  const int32_t OC = p->out_c;
  const int32_t kp = (p->k_h * p->k_w * p->in_c + 1) & ~1;
  const int32_t steps = kp / 2;
  const int32_t bw = steps * 3;
  const int32_t blocks_per_chunk = BUF_WORDS / bw;
  const int32_t n4 = steps >> 2, nrem = steps & 3;
  for (int32_t ox0 = 0; ox0 < p->out_w; ox0 += blocks_per_chunk * 3) {
    const int32_t npx = MN_MIN(blocks_per_chunk * 3, p->out_w - ox0);
    const int32_t nblk = (npx + 2) / 3;
    /* pixels whose whole window is inside the image take the fast im2col */
    // cppcheck-suppress duplicateAssignExpression ; all accumulators start from the same folded bias
    int32_t in_lo = nblk * 3, in_hi = nblk * 3;
    int all_rows = 1;
    for (int32_t ky = 0; ky < p->k_h; ky++) all_rows &= rows[ky] != NULL;
    if (all_rows && p->dil_w == 1) {
      const int32_t sw = p->stride_w, span = p->k_w - 1;
      /* ox*sw - pad_left >= 0 and ox*sw - pad_left + span < in_w */
      int32_t lo = (p->pad_left + sw - 1) / sw;
      int32_t hi = p->in_w - span + p->pad_left - 1 >= 0 ? (p->in_w - span + p->pad_left - 1) / sw + 1 : 0;
      lo = MN_MAX(lo, ox0) - ox0;
      hi = MN_MIN(hi, ox0 + npx) - ox0;
      if (lo < hi) in_lo = lo, in_hi = hi;
    }
    for (int32_t i = 0; i < nblk * 3; i++) {
      if (i == in_lo) {
        im2col_inside(rows, p->k_h, p->k_w * p->in_c, p->stride_w * p->in_c,
                      ((ox0 + in_lo) * p->stride_w - p->pad_left) * p->in_c, in_hi - in_lo, 2 * p->in_offset, kp, bw, in_lo,
                      buf, tmp);
        i = in_hi - 1;
        continue;
      }
      im2col_px(p, rows, ox0 + i, tmp, kp, buf + (i / 3) * bw + i % 3);
    }
    for (int32_t oc = 0; oc < OC; oc += 2) {
      const int has_b = oc + 1 < OC;
      const rq_ch ra = rq_setup(p, oc, mode);
      const rq_ch rb = has_b ? rq_setup(p, oc + 1, mode) : ra;
      const int8_t *wbase = p->weights + oc * kp;
      int8_t *y = out_row + ox0 * OC + oc;
      int32_t blk = 0;
      if (mode == RQ_FAST && has_b && npx >= 3) {
        const int32_t nfull = npx / 3, rem = steps - 1;
        mn_blk_ctx ctx;
        ctx.wbase = wbase, ctx.nloop = (rem + 3) >> 2, ctx.entry = (4 - (rem & 3)) & 3;
        ctx.init_a = ra.init, ctx.init_b = rb.init;
        ctx.ma = ra.m, ctx.ka = ra.k, ctx.ea = ra.e, ctx.mb = rb.m, ctx.kb = rb.k, ctx.eb = rb.e;
        ctx.y = y, ctx.oc = OC, ctx.xend = buf + nfull * bw, ctx.lo = p->act_min, ctx.hi = p->act_max;
        if (clamp) mn_blocks_act(&ctx, buf);
        else mn_blocks(&ctx, buf);
        blk = nfull;
        y += nfull * 3 * OC;
      }
      for (; blk < nblk; blk++, y += 3 * OC) {
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
        const int32_t valid = npx - blk * 3;
        y[0] = (int8_t)rq_one(p, oc, &ra, a0, mode);
        if (valid > 1) y[OC] = (int8_t)rq_one(p, oc, &ra, a1, mode);
        if (valid > 2) y[2 * OC] = (int8_t)rq_one(p, oc, &ra, a2, mode);
        if (has_b) {
          y[1] = (int8_t)rq_one(p, oc + 1, &rb, b0, mode);
          if (valid > 1) y[OC + 1] = (int8_t)rq_one(p, oc + 1, &rb, b1, mode);
          if (valid > 2) y[2 * OC + 1] = (int8_t)rq_one(p, oc + 1, &rb, b2, mode);
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------------------
 * 3x3x3 stems on the DSP (MN_FMT_STEM3).
 *
 * im2col: blocks of 3 output pixels, 14 tap pairs x 3 pixels = 42 words ([s][pixel]), each word two raw input
 * bytes sign-extended to int16 lanes (SXTB16 of an unaligned window word gives bytes 0 and 2, ROR 8 bytes
 * 1 and 3: the pair order of the format). Taps outside the image hold the input zero point zp = -in_offset
 * (rows outside the image read a row of zp), so they add w * zp; the offset is folded per channel:
 *   acc = bias + in_offset * sum(w) + sum over all 27 taps of w * x'      (x' = x inside, zp outside)
 *       = bias + sum over taps inside of w * (x + in_offset)              (the reference; mod 2^32 too)
 * and the doubled weights make the SMLAD sums 2 * acc directly (initial value 2 * (bias + in_offset * sum)).
 *
 * Per output channel the requantization takes one of three forms (stem3_rq):
 *  - fast (-22 <= shift <= -1, mult >= 0, |bias| + sum|w| * max|x + in_offset| < 2^30, so |acc| < 2^30 and
 *    2 * acc fits): SMMLAR(2 acc, m, k) + (acc < 0 ? -1 : 0), >> e, SSAT 8 with e = -shift and
 *    k = 2^(e-1) + out_offset * 2^e: SMMULR(2 acc, m) is exactly SRDHM(acc, m), and the rest is
 *    RoundingDivideByPOT(v, e) + out_offset, the sign of acc standing in for the sign of v (they differ only
 *    where v == 0, with the same result); |intermediates| < 2^30 + 2^21 + 2^29 + 1 < 2^31. This is the
 *    RQ_FAST form of mn_dsp_gemm.h.
 *  - constant (shift <= 0, mult >= 0): the reference output is a non-decreasing function of acc, and acc lies
 *    in [bias - R, bias + R], R = sum|w| * max|x + in_offset|; when both ends give the same output c (dead
 *    channels: huge negative bias, shift -24...) every pixel gives c, produced by the same instruction
 *    sequence with m = 0, k = 2c + 1, e = 1: (2c + 1 or 2c) >> 1 = c.
 *  - general: any other channel; its output-channel pair is computed in C from the same im2col (the doubled
 *    dot product without bias is small: |.| <= 2 * 27 * 128 * 128) with the reference requantization.
 */
#define STEM_BLOCK_WORDS 42
#define STEM_MAX_BLOCKS (BUF_WORDS / STEM_BLOCK_WORDS)
#define STEM_RQ_MAX 32 /* per-channel requantization kept for the whole row up to this many channels */

typedef struct {
  const int8_t *wbase;  /* 0: MN_FMT_STEM3 part 1 of the channel pair */
  int32_t init_a;       /* 4: 2 * (bias + in_offset * sum w) of a */
  int32_t init_b;       /* 8 */
  int32_t ma, ka, ea;   /* 12, 16, 20 */
  int32_t mb, kb, eb;   /* 24, 28, 32 */
  int8_t *y;            /* 36: output of the block's first pixel, channel a */
  int32_t oc;           /* 40: output pixel stride */
  const uint32_t *xend; /* 44: end of the last block */
  int32_t lo, hi;       /* 48, 52: activation range */
} stem_ctx;

#define STEM_STEP                        \
  "ldmia r11!, {r6, r7}\n\t"             \
  "ldmia r12!, {r8, r9, r10}\n\t"        \
  "smlad r0, r8, r6, r0\n\t"             \
  "smlad r1, r9, r6, r1\n\t"             \
  "smlad r2, r10, r6, r2\n\t"            \
  "smlad r3, r8, r7, r3\n\t"             \
  "smlad r4, r9, r7, r4\n\t"             \
  "smlad r5, r10, r7, r5\n\t"
#define STEM_RQ(R)                       \
  "smmlar r9, " R ", r6, r7\n\t"         \
  "add " R ", r9, " R ", asr #31\n\t"    \
  "asr " R ", " R ", r8\n\t"             \
  "ssat " R ", #8, " R "\n\t"
#define STEM_ACT(R) "cmp " R ", r6\n\tit lt\n\tmovlt " R ", r6\n\tcmp " R ", r7\n\tit gt\n\tmovgt " R ", r7\n\t"
#define STEM_ACT6                                                                                          \
  "ldrd r6, r7, [lr, #48]\n\t" STEM_ACT("r0") STEM_ACT("r1") STEM_ACT("r2") STEM_ACT("r3") STEM_ACT("r4") \
      STEM_ACT("r5")
/* r0-r2 / r3-r5: accumulators of a / b for pixels 0..2, r6 r7 weight words, r8-r10 input words, r11 weight
 * pointer, r12 input pointer, lr the context. The 14 steps are unrolled; the first starts from the biases. */
#define STEM_BLOCKS(ACT)                                                                                   \
  "push {r4-r11, lr}\n\t"                                                                                  \
  "mov lr, r0\n\t"                                                                                         \
  "mov r12, r1\n\t"                                                                                        \
  "1:\n\t"                                                                                                 \
  "ldr r11, [lr, #0]\n\t"                                                                                  \
  "ldrd r0, r3, [lr, #4]\n\t"                                                                              \
  "ldmia r11!, {r6, r7}\n\t"                                                                               \
  "ldmia r12!, {r8, r9, r10}\n\t"                                                                          \
  "smlad r1, r9, r6, r0\n\t"                                                                               \
  "smlad r2, r10, r6, r0\n\t"                                                                              \
  "smlad r0, r8, r6, r0\n\t"                                                                               \
  "smlad r4, r9, r7, r3\n\t"                                                                               \
  "smlad r5, r10, r7, r3\n\t"                                                                              \
  "smlad r3, r8, r7, r3\n\t"                                                                               \
  STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP STEM_STEP       \
  STEM_STEP STEM_STEP STEM_STEP                                                                            \
  "ldrd r6, r7, [lr, #12]\n\t"                                                                             \
  "ldr r8, [lr, #20]\n\t" STEM_RQ("r0") STEM_RQ("r1") STEM_RQ("r2")                                        \
  "ldrd r6, r7, [lr, #24]\n\t"                                                                             \
  "ldr r8, [lr, #32]\n\t" STEM_RQ("r3") STEM_RQ("r4") STEM_RQ("r5")                                        \
  ACT                                                                                                      \
  "ldrd r6, r7, [lr, #36]\n\t"                                                                             \
  "strb r0, [r6]\n\tstrb r3, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "strb r1, [r6]\n\tstrb r4, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "strb r2, [r6]\n\tstrb r5, [r6, #1]\n\tadd r6, r6, r7\n\t"                                              \
  "str r6, [lr, #36]\n\t"                                                                                  \
  "ldr r6, [lr, #44]\n\t"                                                                                  \
  "cmp r12, r6\n\t"                                                                                        \
  "bne 1b\n\t"                                                                                             \
  "pop {r4-r11, pc}\n\t"

/* Runs full blocks from x (3 pixels x 2 output channels each) until x reaches c->xend. */
__attribute__((naked, noinline)) static void stem_blocks(const stem_ctx *c __attribute__((unused)),
                                                         const uint32_t *x __attribute__((unused))) {
  __asm__ volatile(STEM_BLOCKS(""));
}
__attribute__((naked, noinline)) static void stem_blocks_act(const stem_ctx *c __attribute__((unused)),
                                                             const uint32_t *x __attribute__((unused))) {
  __asm__ volatile(STEM_BLOCKS(STEM_ACT6));
}

typedef struct {
  int32_t init, m, k, e; /* e == 0: general */
} stem_rq;

/* M = max |x + in_offset| over int8 x */
static void stem3_rq(const mn_conv_params *p, int32_t oc, int32_t M, stem_rq *r) {
  const int32_t sum = stem3_sum(p, oc, 0), sabs = stem3_sum(p, oc, 1);
  const int64_t bias = p->bias ? p->bias[oc] : 0;
  const int32_t sh = p->shift[oc], mult = p->mult[oc];
  const int64_t span = (int64_t)sabs * M;
  const int64_t babs = bias < 0 ? -bias : bias;
  if (sh <= -1 && sh >= -22 && mult >= 0 && babs + span < ((int64_t)1 << 30) && p->out_offset >= -128 &&
      p->out_offset <= 128) {
    const int32_t e = -sh;
    r->init = (int32_t)(2 * (bias + (int64_t)p->in_offset * sum));
    r->m = mult;
    r->e = e;
    r->k = (int32_t)((1u << (e - 1)) + ((uint32_t)p->out_offset << e));
    return;
  }
  const int64_t lo = bias - span, hi = bias + span;
  if (sh <= 0 && mult >= 0 && lo >= INT32_MIN && hi <= INT32_MAX) {
    const int32_t c0 = mn_clamp(mn_requant((int32_t)lo, mult, sh) + p->out_offset, p->act_min, p->act_max);
    const int32_t c1 = mn_clamp(mn_requant((int32_t)hi, mult, sh) + p->out_offset, p->act_min, p->act_max);
    if (c0 == c1 && c0 >= -128 && c0 <= 127) {
      r->init = 0, r->m = 0, r->k = 2 * c0 + 1, r->e = 1;
      return;
    }
  }
  r->init = 0, r->m = 0, r->k = 0, r->e = 0;
}

MN_INLINE uint32_t stem_ld32(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* im2col of 3 pixels whose windows lie inside the image horizontally. qs = {q0, s0, q1, s1, q2, s2}: q = the
 * window of the first pixel in row ky, s = bytes from one pixel's window to the next (0 for the zero-point
 * row). Per row: words at +0 and +4 of the 3 windows (unaligned LDR), SXTB16 and SXTB16 ROR 8, stored as tap
 * pairs 4ky..4ky+3; then the 9th bytes: (row 0, row 1) for pair 12, (row 2, anything) for pair 13 (its high
 * lane meets the zero pad weight). */
/* the 4 taps at q of the three input rows (stride s) into 6 words at b */
#define STEM_IM2COL_WORD                                                                                   \
  "ldr r4, [%[q]]\n\t"                                                                                     \
  "ldr r5, [%[q], %[s]]\n\t"                                                                               \
  "ldr r6, [%[q], %[s], lsl #1]\n\t"                                                                       \
  "sxtb16 r7, r4\n\t"                                                                                      \
  "sxtb16 r8, r5\n\t"                                                                                      \
  "sxtb16 r9, r6\n\t"                                                                                      \
  "sxtb16 r4, r4, ror #8\n\t"                                                                              \
  "sxtb16 r5, r5, ror #8\n\t"                                                                              \
  "sxtb16 r6, r6, ror #8\n\t"                                                                              \
  "stmia %[b]!, {r7, r8, r9}\n\t"                                                                          \
  "stmia %[b]!, {r4, r5, r6}\n\t"
#define STEM_IM2COL_ROW(OFF)                                                                               \
  "ldrd %[q], %[s], [%[qs], #" OFF "]\n\t" STEM_IM2COL_WORD "add %[q], %[q], #4\n\t" STEM_IM2COL_WORD

MN_INLINE void stem3_block(const int32_t *qs, uint32_t *b) {
  int32_t q, s, t, u;
  __asm__ volatile(STEM_IM2COL_ROW("0") STEM_IM2COL_ROW("8") STEM_IM2COL_ROW("16")
                   "ldrd %[q], %[s], [%[qs], #0]\n\t"
                   "ldrd %[t], %[u], [%[qs], #8]\n\t"
                   "add %[q], %[q], #8\n\t"
                   "add %[t], %[t], #8\n\t"
                   "ldrsb r4, [%[q]]\n\t"
                   "ldrsb r5, [%[q], %[s]]\n\t"
                   "ldrsb r6, [%[q], %[s], lsl #1]\n\t"
                   "ldrsb r7, [%[t]]\n\t"
                   "ldrsb r8, [%[t], %[u]]\n\t"
                   "ldrsb r9, [%[t], %[u], lsl #1]\n\t"
                   "pkhbt r4, r4, r7, lsl #16\n\t"
                   "pkhbt r5, r5, r8, lsl #16\n\t"
                   "pkhbt r6, r6, r9, lsl #16\n\t"
                   "stmia %[b]!, {r4, r5, r6}\n\t"
                   "ldrd %[q], %[s], [%[qs], #16]\n\t"
                   "add %[q], %[q], #8\n\t"
                   "ldrsb r4, [%[q]]\n\t"
                   "ldrsb r5, [%[q], %[s]]\n\t"
                   "ldrsb r6, [%[q], %[s], lsl #1]\n\t"
                   "stmia %[b]!, {r4, r5, r6}\n\t"
                   : [b] "+r"(b), [q] "=&r"(q), [s] "=&r"(s), [t] "=&r"(t), [u] "=&r"(u)
                   : [qs] "r"(qs)
                   : "r4", "r5", "r6", "r7", "r8", "r9", "memory");
}

/* im2col of one pixel, any position (zp outside the image; pixels beyond out_w get zeros) */
static void stem3_px(const mn_conv_params *p, const int8_t *const *rows, int32_t zp, int32_t ox, uint32_t *col) {
  int16_t v[28];
  if (ox >= p->out_w) {
    memset(v, 0, sizeof v);
  } else {
    const int32_t ix0 = ox * p->stride_w - p->pad_left;
    for (int32_t ky = 0; ky < 3; ky++) {
      for (int32_t j = 0; j < 9; j++) {
        const int32_t ix = ix0 + j / 3;
        v[ky * 9 + j] = (int16_t)(rows[ky] != NULL && ix >= 0 && ix < p->in_w ? rows[ky][ix * 3 + j % 3] : zp);
      }
    }
    v[27] = 0;
  }
  for (int32_t s = 0; s < 14; s++) {
    const int32_t k1 = STEM3_K[1][s] < 0 ? 27 : STEM3_K[1][s];
    col[3 * s] = (uint32_t)(uint16_t)v[STEM3_K[0][s]] | (uint32_t)(uint16_t)v[k1] << 16;
  }
}

/* im2col of a block of 3 pixels touching the image border (stride_w <= 2): their windows copied into a small
 * zero-point-padded buffer, then the inside code */
static void stem3_border_block(const mn_conv_params *p, const int8_t *const *rows, int32_t zp, int32_t ox, uint32_t *blk) {
  uint32_t win[3][6]; /* 3 windows at stride 6 bytes: 21 bytes read */
  const int32_t sw = p->stride_w, span = 6 * sw + 9, g0 = (ox * sw - p->pad_left) * 3, row_bytes = p->in_w * 3;
  int32_t qs[6];
  for (int32_t ky = 0; ky < 3; ky++) {
    int8_t *w = (int8_t *)win[ky];
    const int8_t *row = rows[ky];
    for (int32_t b = 0; b < span; b++) {
      const int32_t g = g0 + b;
      w[b] = (int8_t)(row != NULL && g >= 0 && g < row_bytes ? row[g] : zp);
    }
    qs[2 * ky] = (int32_t)(uintptr_t)w;
    qs[2 * ky + 1] = 3 * sw;
  }
  stem3_block(qs, blk);
}

/* the reference requantization of one channel from the doubled dot product d2 = 2 * sum(w * x') */
MN_INLINE int8_t stem3_ref_out(const mn_conv_params *p, int32_t oc, int32_t d2) {
  const uint32_t fold = (uint32_t)(p->bias ? p->bias[oc] : 0) + (uint32_t)(p->in_offset * stem3_sum(p, oc, 0));
  const int32_t acc = (int32_t)(fold + (uint32_t)(d2 / 2));
  return (int8_t)mn_clamp(mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset, p->act_min, p->act_max);
}

/* one channel of one pixel from its doubled dot product d2 = 2 * sum(w * x'): the fast form of stem3_rq in C
 * (smmlar of 2 * acc = init + d2), or the reference requantization for general channels */
MN_INLINE int8_t stem3_out1(const mn_conv_params *p, int32_t oc, const stem_rq *r, int32_t d2) {
  if (r->e == 0) return stem3_ref_out(p, oc, d2);
  const int32_t a2 = (int32_t)((uint32_t)r->init + (uint32_t)d2);
  int32_t v = mn_smmlar(a2, r->m, r->k);
  v = __ssat((v - (int32_t)((uint32_t)a2 >> 31)) >> r->e, 8);
  return (int8_t)mn_clamp(v, p->act_min, p->act_max);
}

/* channels oc (and oc + 1) of im2col pixel i */
static void stem3_px_out(const mn_conv_params *p, const uint32_t *buf, int32_t i, int32_t oc, const stem_rq *ra,
                         const stem_rq *rb, int8_t *y) {
  const uint32_t *wp = (const uint32_t *)(const void *)(p->weights + (oc >> 1) * 112);
  const uint32_t *xp = buf + (i / 3) * STEM_BLOCK_WORDS + i % 3;
  int32_t da = 0, db = 0;
  for (int32_t s = 0; s < 14; s++) {
    da = __smlad(xp[3 * s], wp[2 * s], da);
    db = __smlad(xp[3 * s], wp[2 * s + 1], db);
  }
  y[0] = stem3_out1(p, oc, ra, da);
  if (oc + 1 < p->out_c) y[1] = stem3_out1(p, oc + 1, rb, db);
}

__attribute__((noinline)) static void stem3_row_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  uint32_t buf[STEM_MAX_BLOCKS * STEM_BLOCK_WORDS];
  const int32_t OC = p->out_c, W = p->out_w, sw = p->stride_w, off = p->in_offset, zp = -off;
  const int32_t M = MN_MAX(128 - off, off + 127);
  uint32_t zrow[3];
  memset(zrow, zp & 0xff, sizeof zrow);
  int32_t st[3];
  for (int32_t ky = 0; ky < 3; ky++) st[ky] = rows[ky] != NULL ? 3 * sw : 0;
  stem_rq rqs[STEM_RQ_MAX];
  const int pre = OC <= STEM_RQ_MAX;
  if (pre)
    for (int32_t oc = 0; oc < OC; oc++) stem3_rq(p, oc, M, &rqs[oc]);
  const int clamp = p->act_min > -128 || p->act_max < 127;
  /* output pixels whose window lies inside the image horizontally: ox * sw - pad_left >= 0 and + 2 < in_w */
  const int32_t in_lo = (p->pad_left + sw - 1) / sw;
  const int32_t in_hi = p->in_w - 3 + p->pad_left >= 0 ? (p->in_w - 3 + p->pad_left) / sw + 1 : 0;
  const int32_t nblk_all = (W + 2) / 3;
  const int32_t nchunks = (nblk_all + STEM_MAX_BLOCKS - 1) / STEM_MAX_BLOCKS;
  const int32_t per = (nblk_all + nchunks - 1) / nchunks;
  for (int32_t b0 = 0; b0 < nblk_all; b0 += per) {
    const int32_t nb = MN_MIN(per, nblk_all - b0), ox0 = 3 * b0, npx = MN_MIN(3 * nb, W - ox0);
    for (int32_t b = 0; b < nb; b++) {
      const int32_t ox = ox0 + 3 * b;
      uint32_t *blk = buf + b * STEM_BLOCK_WORDS;
      if (ox >= in_lo && ox + 2 < in_hi) {
        const int32_t o = (ox * sw - p->pad_left) * 3;
        int32_t qs[6];
        for (int32_t ky = 0; ky < 3; ky++) {
          qs[2 * ky] = (int32_t)(uintptr_t)(rows[ky] != NULL ? rows[ky] + o : (const int8_t *)zrow);
          qs[2 * ky + 1] = st[ky];
        }
        stem3_block(qs, blk);
      } else if (sw <= 2 && ox + 1 < W) {
        stem3_border_block(p, rows, zp, ox, blk);
      } else {
        for (int32_t i = 0; i < 3; i++) stem3_px(p, rows, zp, ox + i, blk + i);
      }
    }
    for (int32_t oc = 0; oc < OC; oc += 2) {
      const int has_b = oc + 1 < OC;
      stem_rq ra, rb = {0, 0, 1, 1}; /* a missing channel b: constant 0 (its weights are 0), not stored */
      if (pre) ra = rqs[oc];
      else stem3_rq(p, oc, M, &ra);
      if (has_b) {
        if (pre) rb = rqs[oc + 1];
        else stem3_rq(p, oc + 1, M, &rb);
      }
      int8_t *y = out_row + ox0 * OC + oc;
      const int8_t *wbase = p->weights + (oc >> 1) * 112;
      if (ra.e == 0 || rb.e == 0) {
        for (int32_t i = 0; i < npx; i++) stem3_px_out(p, buf, i, oc, &ra, &rb, y + i * OC);
        continue;
      }
      stem_ctx ctx;
      ctx.wbase = wbase;
      ctx.init_a = ra.init, ctx.init_b = rb.init;
      ctx.ma = ra.m, ctx.ka = ra.k, ctx.ea = ra.e, ctx.mb = rb.m, ctx.kb = rb.k, ctx.eb = rb.e;
      ctx.lo = p->act_min, ctx.hi = p->act_max;
      const int32_t nfull = has_b ? npx / 3 : 0;
      if (nfull) {
        ctx.y = y, ctx.oc = OC, ctx.xend = buf + nfull * STEM_BLOCK_WORDS;
        if (clamp) stem_blocks_act(&ctx, buf);
        else stem_blocks(&ctx, buf);
      }
      /* the remaining blocks (a partial last block, or every block of an unpaired last channel) write to tmp */
      for (int32_t b = nfull; b < nb; b++) {
        if (has_b && npx - 3 * b == 1) { /* one pixel left: cheaper in C */
          stem3_px_out(p, buf, 3 * b, oc, &ra, &rb, y + 3 * b * OC);
          continue;
        }
        int8_t tmp[6] = {0, 0, 0, 0, 0, 0}; /* written by the asm */
        ctx.y = tmp, ctx.oc = 2, ctx.xend = buf + (b + 1) * STEM_BLOCK_WORDS;
        if (clamp) stem_blocks_act(&ctx, buf + b * STEM_BLOCK_WORDS);
        else stem_blocks(&ctx, buf + b * STEM_BLOCK_WORDS);
        for (int32_t i = 0; i < 3 && 3 * b + i < npx; i++) {
          y[(3 * b + i) * OC] = tmp[2 * i];
          if (has_b) y[(3 * b + i) * OC + 1] = tmp[2 * i + 1];
        }
      }
    }
  }
}

/* MN_FMT_CONV_PAIR shapes (a separate frame: its buffers are not on the stem path's stack) */
__attribute__((noinline)) static void conv_pair_row_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  const int32_t K = p->k_h * p->k_w * p->in_c;
  int mode = RQ_FAST;
  const int64_t max_sum = (int64_t)K * 32640; /* |w * (x + in_offset)| <= 128 * 255 */
  for (int32_t oc = 0; oc < p->out_c; oc++) {
    const int32_t sh = p->shift[oc];
    const int32_t left = sh > 0 ? sh : 0;
    const int64_t b = p->bias ? p->bias[oc] : 0;
    const int64_t bound = (b < 0 ? -b : b) + max_sum;
    if (left > 30 || sh < -30 || bound >= ((int64_t)1 << (30 - left))) {
      mode = RQ_SLOW;
      break;
    }
    if (sh > -1 || sh < -22 || p->mult[oc] < 0) mode = RQ_GEN;
  }
  uint32_t buf[BUF_WORDS];
  uint32_t tmpw[MN_CONV_PAIR_MAX_K / 2 + 1];
  int16_t *tmp = (int16_t *)(void *)tmpw;
  const int clamp = p->act_min > -128 || p->act_max < 127;
  if (mode == RQ_FAST) {
    if (clamp) run_row(p, rows, out_row, buf, tmp, RQ_FAST, 1);
    else run_row(p, rows, out_row, buf, tmp, RQ_FAST, 0);
  } else if (mode == RQ_GEN) {
    run_row(p, rows, out_row, buf, tmp, RQ_GEN, 1);
  } else {
    run_row(p, rows, out_row, buf, tmp, RQ_SLOW, 1);
  }
}

void mn_conv_row_s8_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (!MN_CONV_PAIR_APPLIES(p)) {
    mn_conv_row_s8(p, rows, out_row);
    return;
  }
  if (MN_STEM1_APPLIES(p)) {
    stem1_row(p, rows, out_row);
    return;
  }
  if (STEM3_APPLIES(p)) {
    /* the zero-point padding needs zp in int8; the asm reads the weights with LDM */
    if ((((uintptr_t)p->weights) & 3) != 0 || p->in_offset < -127 || p->in_offset > 128) stem3_row_portable(p, rows, out_row);
    else stem3_row_dsp(p, rows, out_row);
    return;
  }
  if ((((uintptr_t)p->weights) & 3) != 0) {
    conv_row_portable(p, rows, out_row);
    return;
  }
  conv_pair_row_dsp(p, rows, out_row);
}

#else /* !__ARM_FEATURE_DSP */

void mn_conv_row_s8_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (!MN_CONV_PAIR_APPLIES(p)) mn_conv_row_s8(p, rows, out_row);
  else if (MN_STEM1_APPLIES(p)) stem1_row(p, rows, out_row);
  else if (STEM3_APPLIES(p)) stem3_row_portable(p, rows, out_row);
  else conv_row_portable(p, rows, out_row);
}

#endif
