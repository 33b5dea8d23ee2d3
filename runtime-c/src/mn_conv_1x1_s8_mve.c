/* mn_conv_1x1_s8_mve.c - pointwise int8 convolution for Armv8.1-M Helium (MVE), bit-exact with
 * mn_conv_1x1_s8. Contract: mn_kernels.h; weights in the reference order [out_c][in_c].
 *
 * Method: 4 output channels x 2 pixels per block; per 16 input channels two input vectors and four weight
 * vectors feed eight VMLADAVA.S8 (16 MACs each); the last partial vector is zero-predicated (VCTP8, the
 * zeroed lanes add nothing). The 4 sums of a pixel are requantized as one vector (VQRDMULH is exactly
 * gemmlowp's SaturatingRoundingDoublingHighMul; see rq_store) and stored with one VSTRB.32.
 * Without MVE a portable C loop (the reference computation) runs instead.
 */
#include <stddef.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>

/* Requantizes 4 sums (one pixel, 4 output channels) exactly as mn_requant: VSHL by the left shift, VQRDMULH
 * (= SaturatingRoundingDoublingHighMul, saturation included), then the rounding right shift with ties away
 * from zero: x - (x < 0) (saturating; only for lanes with a right shift) followed by VRSHL by -e (round half
 * up, computed without overflow). Then the output offset and the activation range; stores the low bytes. */
typedef struct {
  int32x4_t mult, left, right, fix, off, lo, hi;
} rq_vec;

MN_INLINE void rq_store(const rq_vec *r, int32x4_t acc, int8_t *y, mve_pred16_t pred) {
  int32x4_t v = vshlq_s32(acc, r->left);
  v = vqrdmulhq_s32(v, r->mult);
  v = vqaddq_s32(v, vandq_s32(vshrq_n_s32(v, 31), r->fix));
  v = vrshlq_s32(v, r->right);
  v = vaddq_s32(v, r->off);
  v = vmaxq_s32(v, r->lo);
  v = vminq_s32(v, r->hi);
  vstrbq_p_s32(y, v, pred);
}

MN_INLINE int32x4_t pack4(int32_t a, int32_t b, int32_t c, int32_t d) {
  int32x4_t v = vdupq_n_s32(0);
  v = vsetq_lane_s32(a, v, 0);
  v = vsetq_lane_s32(b, v, 1);
  v = vsetq_lane_s32(c, v, 2);
  v = vsetq_lane_s32(d, v, 3);
  return v;
}

void mn_conv_1x1_s8_mve(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  const int32_t C = p->in_c, OC = p->out_c;
  const int32_t c16 = C & ~15, tail = C - c16;
  const mve_pred16_t tp = vctp8q((uint32_t)tail);
  for (int32_t oc = 0; oc < OC; oc += 4) {
    const int32_t nv = MN_MIN(4, OC - oc);
    const mve_pred16_t sp = vctp32q((uint32_t)nv);
    int32_t m4[4], l4[4], r4[4], f4[4], bias[4];
    const int8_t *wr[4];
    for (int32_t j = 0; j < 4; j++) {
      const int32_t o = oc + (j < nv ? j : 0);
      const int32_t sh = p->shift[o];
      m4[j] = p->mult[o];
      l4[j] = sh > 0 ? sh : 0;
      r4[j] = sh > 0 ? 0 : sh; /* VRSHL by a negative amount: rounding right shift */
      f4[j] = sh < 0 ? -1 : 0;
      bias[j] = p->bias[o];
      wr[j] = p->weights + o * C;
    }
    rq_vec r;
    r.mult = vld1q_s32(m4), r.left = vld1q_s32(l4), r.right = vld1q_s32(r4), r.fix = vld1q_s32(f4);
    r.off = vdupq_n_s32(p->out_offset), r.lo = vdupq_n_s32(p->act_min), r.hi = vdupq_n_s32(p->act_max);
    const int8_t *w0 = wr[0], *w1 = wr[1], *w2 = wr[2], *w3 = wr[3];
    int32_t px = 0;
    for (; px + 2 <= p->pixels; px += 2) {
      const int8_t *xa = in + px * C, *xb = xa + C;
      int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
      int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      for (int32_t c = 0; c < c16; c += 16) {
        const int8x16_t va = vld1q_s8(xa + c), vb = vld1q_s8(xb + c);
        int8x16_t w = vld1q_s8(w0 + c);
        a0 = vmladavaq_s8(a0, va, w), b0 = vmladavaq_s8(b0, vb, w);
        w = vld1q_s8(w1 + c);
        a1 = vmladavaq_s8(a1, va, w), b1 = vmladavaq_s8(b1, vb, w);
        w = vld1q_s8(w2 + c);
        a2 = vmladavaq_s8(a2, va, w), b2 = vmladavaq_s8(b2, vb, w);
        w = vld1q_s8(w3 + c);
        a3 = vmladavaq_s8(a3, va, w), b3 = vmladavaq_s8(b3, vb, w);
      }
      if (tail) {
        const int8x16_t va = vld1q_z_s8(xa + c16, tp), vb = vld1q_z_s8(xb + c16, tp);
        int8x16_t w = vld1q_z_s8(w0 + c16, tp);
        a0 = vmladavaq_s8(a0, va, w), b0 = vmladavaq_s8(b0, vb, w);
        w = vld1q_z_s8(w1 + c16, tp);
        a1 = vmladavaq_s8(a1, va, w), b1 = vmladavaq_s8(b1, vb, w);
        w = vld1q_z_s8(w2 + c16, tp);
        a2 = vmladavaq_s8(a2, va, w), b2 = vmladavaq_s8(b2, vb, w);
        w = vld1q_z_s8(w3 + c16, tp);
        a3 = vmladavaq_s8(a3, va, w), b3 = vmladavaq_s8(b3, vb, w);
      }
      int8_t *y = out + px * OC + oc;
      rq_store(&r, pack4(a0, a1, a2, a3), y, sp);
      rq_store(&r, pack4(b0, b1, b2, b3), y + OC, sp);
    }
    if (px < p->pixels) {
      const int8_t *xa = in + px * C;
      int32_t acc[4];
      for (int32_t j = 0; j < 4; j++) {
        int32_t a = bias[j];
        for (int32_t c = 0; c < c16; c += 16) a = vmladavaq_s8(a, vld1q_s8(xa + c), vld1q_s8(wr[j] + c));
        if (tail) a = vmladavaq_s8(a, vld1q_z_s8(xa + c16, tp), vld1q_z_s8(wr[j] + c16, tp));
        acc[j] = a;
      }
      rq_store(&r, vld1q_s32(acc), out + px * OC + oc, sp);
    }
  }
}

#else /* no MVE: the reference computation */

void mn_conv_1x1_s8_mve(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  for (int32_t px = 0; px < p->pixels; px++) {
    const int8_t *x = in + px * p->in_c;
    int8_t *y = out + px * p->out_c;
    const int8_t *w = p->weights;
    for (int32_t oc = 0; oc < p->out_c; oc++, w += p->in_c) {
      int32_t acc = p->bias[oc];
      for (int32_t c = 0; c < p->in_c; c++) acc += (int32_t)w[c] * (int32_t)x[c];
      acc = mn_requant(acc, p->mult[oc], p->shift[oc]) + p->out_offset;
      y[oc] = (int8_t)mn_clamp(acc, p->act_min, p->act_max);
    }
  }
}

#endif
