/* mn_quantize_f32.c - float32 -> int8/uint8 QUANTIZE. Contract: mn_kernels.h.
 *
 * Reference semantics (TFLM AffineQuantize): y = clamp(zero_point + round(x / scale)), the division in
 * float32, round() half away from zero; here NaN rounds to 0 and values beyond int32 saturate (mn_round_f32).
 *
 * With a single-precision Arm FPU the rounding is one add and one conversion:
 *   round(q) == trunc(q + copysign(H, q)),  H = 0.49999997f = 0.5 - 2^-25 (the float just below 0.5),
 * with the add in float32 (round to nearest even, the default FPSCR mode) and VCVT's truncation, which
 * saturates out-of-range values and maps NaN to 0 as mn_round_f32 does. Proof for q >= 0 (q < 0 is the mirror
 * image; q = -0 gives -H, truncated to 0): write q = n + f, n integer, 0 <= f < 1, u = ulp(q).
 *  - q < 0.5 - 2^-25: then q <= 0.5 - 2^-24 (or q < 0.25), so q + H < 1 - 2^-25 rounds below 1: result 0.
 *  - q = 0.5 - 2^-25: q + H = 1 - 2^-24 exactly: result 0 (a plain +0.5 would give 1 here).
 *  - q = 0.5: q + H = 1 - 2^-25 exactly, halfway between 1 - 2^-24 and 1, rounds to the even 1: result 1.
 *  - q > 0.5: u >= 2^-24 and the exact sum q + H lies in q's binade or the next, so ulp(sum) <= 2u.
 *    f < 0.5 means f <= 0.5 - u, so n + 1 - (q + H) >= u + 2^-25 > ulp(sum) / 2: the sum rounds below
 *    n + 1, and not below the float n: result n. f >= 0.5: q + H >= n + 1 - 2^-25 and q + H > 1 (for n = 0,
 *    q >= 0.5 + 2^-24), so ulp >= 2^-23 around it: it rounds to at least n + 1 and stays below n + 2:
 *    result n + 1. (q >= 2^23: q is an integer, H < ulp / 2: result q.)
 * Then y = SSAT/USAT 8 of the saturating sum QADD(r, zero_point), equal to the 64-bit clamp of the reference.
 */
#include <string.h>
#include "mn_fixed.h"
#include "mn_kernels.h"

#if defined(__ARM_FP) && (__ARM_FP & 4) && defined(__ARM_FEATURE_SAT) && defined(__ARM_FEATURE_QBIT)
#include <arm_acle.h>

MN_INLINE int32_t qf_round(float q) {
  uint32_t b;
  memcpy(&b, &q, 4);
  b = (b & 0x80000000u) | 0x3effffffu; /* copysign(0.49999997f, q) */
  float h, t;
  memcpy(&h, &b, 4);
  const float s = q + h;
  __asm__("vcvt.s32.f32 %0, %1" : "=t"(t) : "t"(s));
  int32_t r;
  memcpy(&r, &t, 4);
  return r;
}

#define QF_LOOP(SAT, T)                                                                                        \
  do {                                                                                                         \
    T *o = (T *)out;                                                                                           \
    int32_t n = p->size;                                                                                       \
    for (; n >= 4; n -= 4, in += 4, o += 4) {                                                                  \
      const float a = in[0] / scale, b = in[1] / scale, c = in[2] / scale, d = in[3] / scale;                  \
      o[0] = (T)SAT(__qadd(qf_round(a), zp), 8);                                                               \
      o[1] = (T)SAT(__qadd(qf_round(b), zp), 8);                                                               \
      o[2] = (T)SAT(__qadd(qf_round(c), zp), 8);                                                               \
      o[3] = (T)SAT(__qadd(qf_round(d), zp), 8);                                                               \
    }                                                                                                          \
    for (; n > 0; n--) *o++ = (T)SAT(__qadd(qf_round(*in++ / scale), zp), 8);                                  \
  } while (0)

void mn_quantize_f32(const mn_quantize_f32_params *p, const float *in, void *out) {
  const float scale = p->scale;
  const int32_t zp = p->zero_point;
  if (p->out_unsigned) QF_LOOP(__usat, uint8_t);
  else QF_LOOP(__ssat, int8_t);
}

#else

void mn_quantize_f32(const mn_quantize_f32_params *p, const float *in, void *out) {
  const int32_t lo = p->out_unsigned ? 0 : -128, hi = p->out_unsigned ? 255 : 127;
  for (int32_t i = 0; i < p->size; i++) {
    const int32_t r = mn_round_f32(in[i] / p->scale);
    /* add in 64 bits: r may be near INT32_MAX for huge inputs */
    const int64_t q = (int64_t)r + p->zero_point;
    const int32_t y = q < lo ? lo : (q > hi ? hi : (int32_t)q);
    if (p->out_unsigned) ((uint8_t *)out)[i] = (uint8_t)y;
    else ((int8_t *)out)[i] = (int8_t)y;
  }
}

#endif
