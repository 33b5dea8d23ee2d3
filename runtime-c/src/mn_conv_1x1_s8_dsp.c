/* mn_conv_1x1_s8_dsp.c - pointwise int8 convolution for Armv7E-M / Armv8-M DSP (SMLAD), bit-exact with
 * mn_conv_1x1_s8. Contract: mn_kernels.h; weights in MN_FMT_1X1_PAIR4 (mn_kernels_opt.h).
 *
 * Method: pixels are taken in blocks of 3. A chunk of blocks is sign-extended once into a buffer of doubled
 * int16 pairs ((2x[4q], 2x[4q+2]) and (2x[4q+1], 2x[4q+3]) per pixel: SXTB16 order, no repacking; 6 KiB of
 * stack). For each output-channel pair, a naked asm loop (mn_blocks) runs every full block: per 2 input
 * channels one weight word (SXTB16 gives both output channels' pairs), one LDM of 3 input words, 6 SMLADs
 * (0.83 instructions per MAC), then requantizes the 6 sums and stores them. The doubled sums make
 * SMMULR/SMMLAR (round-half-up high multiply) compute gemmlowp's SaturatingRoundingDoublingHighMul exactly;
 * rounding right shift (ties away from zero) and output offset take three more instructions.
 * Layers whose sums or shifts do not fit that scheme (checked once per call) use C with inline asm for the
 * MAC loop and the exact reference requantization. Without the DSP extension a portable C loop reads the
 * same weight format.
 */
#include <stddef.h>
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

/* weight of (oc, c) in MN_FMT_1X1_PAIR4 with Cp input channels (padded to 4) */
#define W_AT(w, cp, oc, c) \
  ((w)[((oc) >> 1) * (cp) * 2 + ((c) >> 2) * 8 + ((c) & 1) * 4 + (((c) >> 1) & 1) * 2 + ((oc) & 1)])

static void conv_1x1_portable(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
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

MN_INLINE uint32_t sxtb16_r8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
MN_INLINE uint32_t sxtab16_r8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
MN_INLINE int32_t smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
MN_INLINE int32_t ssat8(int32_t x) {
  return __ssat(x, 8);
}

#include "mn_dsp_gemm.h"

typedef struct {
  int32_t m, e, k, left, sm, init;
} rq_ch;

/* per-channel requant constants for `mode` (see mn_conv_1x1_s8_dsp) */
MN_INLINE rq_ch rq_setup(const mn_conv_1x1_params *p, int32_t oc, int mode) {
  rq_ch r;
  const int32_t sh = p->shift[oc];
  r.m = p->mult[oc];
  r.left = sh > 0 ? sh : 0;
  r.e = sh > 0 ? 0 : -sh;
  r.sm = r.e > 0 ? -1 : 0;
  if (mode == RQ_FAST) {
    r.k = (1 << (r.e - 1)) + (int32_t)((uint32_t)p->out_offset << r.e);
    r.init = 2 * p->bias[oc];
  } else if (mode == RQ_GEN) {
    r.k = r.e > 0 ? 1 << (r.e - 1) : 0;
    r.init = 2 * p->bias[oc];
  } else {
    r.k = 0;
    r.init = 0;
  }
  return r;
}

/* requantize one doubled sum `a2`; result clamped to [-128, 127] (act range applied by the caller) */
MN_INLINE int32_t rq_one(const mn_conv_1x1_params *p, int32_t oc, const rq_ch *r, int32_t a2, int mode) {
  if (mode == RQ_FAST) {
    int32_t v = smmulr(a2, r->m);
    v += r->k + (-(int32_t)((uint32_t)(v) >> 31));
    return ssat8(v >> r->e);
  } else if (mode == RQ_GEN) {
    int32_t v = smmulr((int32_t)((uint32_t)a2 << r->left), r->m);
    v += r->k + ((-(int32_t)((uint32_t)(v) >> 31)) & r->sm);
    return ssat8((v >> r->e) + p->out_offset);
  } else {
    const int32_t acc = (int32_t)((uint32_t)p->bias[oc] + (uint32_t)(a2 >> 1));
    return mn_clamp(mn_requant(acc, r->m, p->shift[oc]) + p->out_offset, -128, 127);
  }
}

MN_INLINE int32_t act(int32_t v, int32_t lo, int32_t hi, int clamp) {
  if (!clamp) return v;
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

/* Sign-extends and doubles pixels [0, npx) of `in` into `buf` (blocks of 3 pixels, zero-padded). */
static void expand(const int8_t *in, int32_t c_in, int32_t npx, int32_t cp, uint32_t *buf) {
  const int32_t c4 = c_in & ~3;
  const int32_t bw = cp * 3 / 2; /* words per 3-pixel block */
  const int32_t nblk = (npx + 2) / 3;
  for (int32_t px = 0; px < nblk * 3; px++) {
    uint32_t *d = buf + (px / 3) * bw + px % 3;
    if (px >= npx) {
      for (int32_t s = 0; s < cp / 2; s++) d[s * 3] = 0;
      continue;
    }
    const int8_t *x = in + px * c_in;
    int32_t c = 0;
    for (; c < c4; c += 4, d += 6) {
      uint32_t u;
      memcpy(&u, x + c, 4);
      d[0] = __sxtab16(__sxtb16(u), u);
      d[3] = sxtab16_r8(sxtb16_r8(u), u);
    }
    if (c < cp) {
      uint32_t u = 0;
      for (int32_t k = 0; c + k < c_in; k++) u |= (uint32_t)(uint8_t)x[c + k] << (8 * k);
      d[0] = __sxtab16(__sxtb16(u), u);
      d[3] = sxtab16_r8(sxtb16_r8(u), u);
    }
  }
}

MN_INLINE void run_layer(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out, uint32_t *buf, const int mode,
                         const int clamp) {
  const int32_t C = p->in_c, OC = p->out_c;
  const int32_t cp = (C + 3) & ~3;
  const int32_t steps = cp / 2;
  const int32_t bw = steps * 3;
  const int32_t blocks_per_chunk = BUF_WORDS / bw;
  const int32_t chunk_px = blocks_per_chunk * 3;
  const int32_t lo = p->act_min, hi = p->act_max;
  const int32_t n4 = steps >> 2, nrem = steps & 3;
  for (int32_t px0 = 0; px0 < p->pixels; px0 += chunk_px) {
    const int32_t npx = MN_MIN(chunk_px, p->pixels - px0);
    const int32_t nblk = (npx + 2) / 3;
    expand(in + px0 * C, C, npx, cp, buf);
    for (int32_t oc = 0; oc < OC; oc += 2) {
      const int has_b = oc + 1 < OC;
      const rq_ch ra = rq_setup(p, oc, mode);
      const rq_ch rb = has_b ? rq_setup(p, oc + 1, mode) : ra;
      const int8_t *wbase = p->weights + oc * cp;
      int8_t *y = out + px0 * OC + oc;
      int32_t blk = 0;
      if (mode == RQ_FAST && has_b && npx >= 3) {
        const int32_t nfull = npx / 3, rem = steps - 1;
        mn_blk_ctx ctx;
        ctx.wbase = wbase, ctx.nloop = (rem + 3) >> 2, ctx.entry = (4 - (rem & 3)) & 3;
        ctx.init_a = ra.init, ctx.init_b = rb.init;
        ctx.ma = ra.m, ctx.ka = ra.k, ctx.ea = ra.e, ctx.mb = rb.m, ctx.kb = rb.k, ctx.eb = rb.e;
        ctx.y = y, ctx.oc = OC, ctx.xend = buf + nfull * bw, ctx.lo = lo, ctx.hi = hi;
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
        const int32_t va0 = act(rq_one(p, oc, &ra, a0, mode), lo, hi, clamp);
        const int32_t va1 = act(rq_one(p, oc, &ra, a1, mode), lo, hi, clamp);
        const int32_t va2 = act(rq_one(p, oc, &ra, a2, mode), lo, hi, clamp);
        if (has_b) {
          const int32_t vb0 = act(rq_one(p, oc + 1, &rb, b0, mode), lo, hi, clamp);
          const int32_t vb1 = act(rq_one(p, oc + 1, &rb, b1, mode), lo, hi, clamp);
          const int32_t vb2 = act(rq_one(p, oc + 1, &rb, b2, mode), lo, hi, clamp);
          if (valid >= 3) {
            y[0] = (int8_t)va0, y[1] = (int8_t)vb0;
            y[OC] = (int8_t)va1, y[OC + 1] = (int8_t)vb1;
            y[2 * OC] = (int8_t)va2, y[2 * OC + 1] = (int8_t)vb2;
          } else {
            y[0] = (int8_t)va0, y[1] = (int8_t)vb0;
            if (valid > 1) y[OC] = (int8_t)va1, y[OC + 1] = (int8_t)vb1;
          }
        } else {
          y[0] = (int8_t)va0;
          if (valid > 1) y[OC] = (int8_t)va1;
          if (valid > 2) y[2 * OC] = (int8_t)va2;
        }
      }
    }
  }
}

void mn_conv_1x1_s8_dsp(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  const int32_t C = p->in_c;
  const int32_t cp = (C + 3) & ~3;
  if (cp * 3 / 2 > BUF_WORDS || C > 65535 || (((uintptr_t)p->weights) & 3) != 0) {
    conv_1x1_portable(p, in, out);
    return;
  }
  /* FAST: every channel has 1 <= -shift <= 22 and |2 * (bias + sum)| < 2^31.
   * GEN: |2 * (bias + sum) << left| < 2^31 and -shift <= 30. SLOW otherwise. */
  int mode = RQ_FAST;
  const int64_t max_sum = (int64_t)C * 16384;
  for (int32_t oc = 0; oc < p->out_c; oc++) {
    const int32_t sh = p->shift[oc];
    const int32_t left = sh > 0 ? sh : 0;
    const int64_t b = p->bias[oc];
    const int64_t bound = (b < 0 ? -b : b) + max_sum;
    if (left > 30 || sh < -30 || bound >= ((int64_t)1 << (30 - left))) {
      mode = RQ_SLOW;
      break;
    }
    if (sh > -1 || sh < -22 || p->mult[oc] < 0) mode = RQ_GEN;
  }
  uint32_t buf[BUF_WORDS];
  const int clamp = p->act_min > -128 || p->act_max < 127;
  if (mode == RQ_FAST) {
    if (clamp) run_layer(p, in, out, buf, RQ_FAST, 1);
    else run_layer(p, in, out, buf, RQ_FAST, 0);
  } else if (mode == RQ_GEN) {
    run_layer(p, in, out, buf, RQ_GEN, 1);
  } else {
    run_layer(p, in, out, buf, RQ_SLOW, 1);
  }
}

#else /* !__ARM_FEATURE_DSP */

void mn_conv_1x1_s8_dsp(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  conv_1x1_portable(p, in, out);
}

#endif
