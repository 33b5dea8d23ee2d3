/* mn_conv_1x1_s8_rv32.c - pointwise int8 convolution tuned for rv32im (no SIMD, no multiply-accumulate),
 * bit-exact with mn_conv_1x1_s8. Contract: mn_kernels.h; weights in MN_FMT_1X1_QUAD (mn_kernels_opt.h).
 *
 * Method: 4 output channels x 3 pixels per block, the channel loop unrolled by 4 so every load uses an
 * immediate offset (one weight pointer walks the QUAD format sequentially); 12 accumulators live in
 * registers. Requantization uses MULH on the doubled sum (exact SaturatingRoundingDoublingHighMul when the
 * sum's bound allows it, checked once per call) and folds the output offset into the rounding constant.
 * Plain C: it compiles and is exact everywhere.
 */
#include <stddef.h>
#include "mn_fixed.h"
#include "mn_kernels.h"
#include "mn_kernels_opt.h"

enum { RQ_FAST = 0, RQ_GEN = 1, RQ_SLOW = 2 };

typedef struct {
  int32_t m, e, k, left, sm, init;
} rq_ch;

static rq_ch rq_setup(const mn_conv_1x1_params *p, int32_t oc, int mode) {
  rq_ch r;
  const int32_t sh = p->shift[oc];
  r.m = p->mult[oc];
  r.left = sh > 0 ? sh : 0;
  r.e = sh > 0 ? 0 : -sh;
  r.sm = r.e > 0 ? -1 : 0;
  r.init = mode == RQ_SLOW ? 0 : p->bias[oc];
  if (mode == RQ_FAST) r.k = (1 << (r.e - 1)) + (int32_t)((uint32_t)p->out_offset << r.e);
  else if (mode == RQ_GEN) r.k = r.e > 0 ? 1 << (r.e - 1) : 0;
  else r.k = 0;
  return r;
}

/* high word of a * b rounded half up: floor((a * b + 2^31) / 2^32), == SRDHM(x, m) for a = 2x */
MN_INLINE int32_t mulhr(int32_t a, int32_t b) {
  const int64_t ab = (int64_t)a * (int64_t)b;
  return (int32_t)(ab >> 32) + (int32_t)((uint32_t)ab >> 31);
}

MN_INLINE int32_t rq_one(const mn_conv_1x1_params *p, int32_t oc, const rq_ch *r, int32_t acc, int mode) {
  int32_t v;
  if (mode == RQ_FAST) {
    v = mulhr((int32_t)((uint32_t)acc << 1), r->m);
    v += r->k + (-(int32_t)((uint32_t)(v) >> 31));
    v >>= r->e;
  } else if (mode == RQ_GEN) {
    v = mulhr((int32_t)((uint32_t)acc << (r->left + 1)), r->m);
    v += r->k + ((-(int32_t)((uint32_t)(v) >> 31)) & r->sm);
    v = (v >> r->e) + p->out_offset;
  } else {
    v = mn_requant((int32_t)((uint32_t)p->bias[oc] + (uint32_t)acc), r->m, p->shift[oc]) + p->out_offset;
  }
  return mn_clamp(v, p->act_min, p->act_max);
}

#define MAC4(A, X)                       \
  A##0 += (int32_t)(X) * w0;             \
  A##1 += (int32_t)(X) * w1;             \
  A##2 += (int32_t)(X) * w2;             \
  A##3 += (int32_t)(X) * w3;

/* keeps gcc from hoisting the loads of all four unrolled steps (which spills the accumulators) */
#if defined(__GNUC__)
#define MN_RV_BARRIER __asm__ volatile("" ::: "memory");
#else
#define MN_RV_BARRIER
#endif

/* input channel u of the current 4: weights w[4u..4u+3], inputs xa[u], xb[u], xc[u] */
#define STEP3(u)                                                                                 \
  {                                                                                              \
    const int32_t w0 = w[4 * (u)], w1 = w[4 * (u) + 1], w2 = w[4 * (u) + 2], w3 = w[4 * (u) + 3]; \
    const int32_t va = xa[u], vb = xb[u], vc = xc[u];                                            \
    MAC4(a, va) MAC4(b, vb) MAC4(c, vc)                                                          \
    MN_RV_BARRIER                                                                                \
  }

MN_INLINE void run(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out, const int mode) {
  const int32_t C = p->in_c, OC = p->out_c;
  const int32_t c4 = C & ~3;
  for (int32_t oc = 0; oc < OC; oc += 4) {
    const int32_t nv = MN_MIN(4, OC - oc);
    rq_ch r[4];
    for (int32_t j = 0; j < 4; j++) r[j] = rq_setup(p, oc + (j < nv ? j : 0), mode);
    const int8_t *wg = p->weights + oc * C;
    int32_t px = 0;
    /* 4 output channels x 3 pixels: 12 accumulators, 4 weights, 3 inputs and 4 pointers in registers */
    for (; px + 3 <= p->pixels; px += 3) {
      int32_t a0 = r[0].init, a1 = r[1].init, a2 = r[2].init, a3 = r[3].init;
      int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      int32_t c0 = a0, c1 = a1, c2 = a2, c3 = a3;
      const int8_t *xa = in + px * C, *xb = xa + C, *xc = xb + C;
      const int8_t *w = wg;
      const int8_t *xend = xa + c4;
      for (; xa != xend; xa += 4, xb += 4, xc += 4, w += 16) {
        STEP3(0) STEP3(1) STEP3(2) STEP3(3)
      }
      for (int32_t c = c4; c < C; c++, xa++, xb++, xc++, w += 4) STEP3(0)
      int8_t *y = out + px * OC + oc;
      const int32_t acc[3][4] = {{a0, a1, a2, a3}, {b0, b1, b2, b3}, {c0, c1, c2, c3}};
      for (int32_t i = 0; i < 3; i++, y += OC) {
        for (int32_t j = 0; j < nv; j++) y[j] = (int8_t)rq_one(p, oc + j, &r[j], acc[i][j], mode);
      }
    }
    for (; px < p->pixels; px++) {
      int32_t a0 = r[0].init, a1 = r[1].init, a2 = r[2].init, a3 = r[3].init;
      const int8_t *x = in + px * C;
      const int8_t *w = wg;
      for (int32_t c = 0; c < C; c++, w += 4) {
        const int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        const int32_t xa = x[c];
        MAC4(a, xa)
      }
      int8_t *y = out + px * OC + oc;
      const int32_t acc[4] = {a0, a1, a2, a3};
      for (int32_t j = 0; j < nv; j++) y[j] = (int8_t)rq_one(p, oc + j, &r[j], acc[j], mode);
    }
  }
}

void mn_conv_1x1_s8_rv32(const mn_conv_1x1_params *p, const int8_t *in, int8_t *out) {
  /* FAST: every channel has 1 <= -shift <= 22 and |2 * (bias + sum)| < 2^31.
   * GEN: |2 * (bias + sum) << left| < 2^31 and -shift <= 30. SLOW (the reference requant) otherwise. */
  int mode = RQ_FAST;
  const int64_t max_sum = (int64_t)p->in_c * 16384;
  for (int32_t oc = 0; oc < p->out_c; oc++) {
    const int32_t sh = p->shift[oc];
    const int32_t left = sh > 0 ? sh : 0;
    const int64_t b = p->bias[oc];
    const int64_t bound = (b < 0 ? -b : b) + max_sum;
    if (left > 30 || sh < -30 || bound >= ((int64_t)1 << (30 - left))) {
      mode = RQ_SLOW;
      break;
    }
    if (sh > -1 || sh < -22) mode = RQ_GEN;
  }
  if (mode == RQ_FAST) run(p, in, out, RQ_FAST);
  else if (mode == RQ_GEN) run(p, in, out, RQ_GEN);
  else run(p, in, out, RQ_SLOW);
}
