/* mn_conv_row_s8_dsp.c - one output row of an int8 convolution (groups == 1, small K: the MobileNet stem)
 * for Armv7E-M / Armv8-M DSP (SMLAD), bit-exact with mn_conv_row_s8. Contract: mn_kernels.h.
 * Weights in MN_FMT_CONV_PAIR when MN_CONV_PAIR_APPLIES(p) (mn_kernels_opt.h), else reference order (and
 * the reference kernel runs).
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

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#define BUF_WORDS (3 * MN_CONV_PAIR_MAX_K) /* 3 KiB: at least 2 blocks of 3 pixels x MN_CONV_PAIR_MAX_K taps */

MN_INLINE int32_t smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

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
    v = smmulr(a2, r->m);
    v += r->k + (-(int32_t)((uint32_t)(v) >> 31));
    v = __ssat(v >> r->e, 8);
  } else if (mode == RQ_GEN) {
    v = smmulr((int32_t)((uint32_t)a2 << r->left), r->m);
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

void mn_conv_row_s8_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (!MN_CONV_PAIR_APPLIES(p)) {
    mn_conv_row_s8(p, rows, out_row);
    return;
  }
  if ((((uintptr_t)p->weights) & 3) != 0) {
    conv_row_portable(p, rows, out_row);
    return;
  }
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

#else /* !__ARM_FEATURE_DSP */

void mn_conv_row_s8_dsp(const mn_conv_params *p, const int8_t *const *rows, int8_t *out_row) {
  if (!MN_CONV_PAIR_APPLIES(p)) mn_conv_row_s8(p, rows, out_row);
  else conv_row_portable(p, rows, out_row);
}

#endif
