/*
 * mn_fixed.h - fixed-point helpers shared by every mnetc kernel.
 *
 * Each function reproduces TensorFlow Lite Micro's reference arithmetic exactly (gemmlowp's
 * SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, tflite::MultiplyByQuantizedMultiplier in its
 * default double-rounding form). The TypeScript twins live in src/fixed/index.ts; test/runtime checks both
 * agree on random and edge-case operands.
 *
 * Signed overflow is avoided on purpose: left shifts go through uint32_t, so the code is clean under
 * -fsanitize=undefined while producing the two's-complement results TFLM gets in practice.
 */
#ifndef MN_FIXED_H
#define MN_FIXED_H

#include <stdint.h>

#if defined(__GNUC__)
#define MN_INLINE static inline __attribute__((always_inline))
#else
#define MN_INLINE static inline
#endif

#define MN_MAX(a, b) ((a) > (b) ? (a) : (b))
#define MN_MIN(a, b) ((a) < (b) ? (a) : (b))

/* (a * b * 2) / 2^32 rounded to nearest (ties away from zero), saturating the single overflow case. */
MN_INLINE int32_t mn_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? (int64_t)(1 << 30) : (int64_t)(1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^e rounded to nearest, ties away from zero; 0 <= e <= 31. */
MN_INLINE int32_t mn_rdbpot(int32_t x, int e) {
  const int32_t mask = (int32_t)(((int64_t)1 << e) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

/* x << s as two's-complement int32 (TFLM writes x * (1 << s)). */
MN_INLINE int32_t mn_shl(int32_t x, int s) {
  return (int32_t)((uint32_t)x << s);
}

/* tflite::MultiplyByQuantizedMultiplier: x * mult * 2^(shift - 31), shift in [-31, 30]. */
MN_INLINE int32_t mn_requant(int32_t x, int32_t mult, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return mn_rdbpot(mn_srdhm(mn_shl(x, left), mult), right);
}

/* tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
MN_INLINE int32_t mn_requant_lt1(int32_t x, int32_t mult, int32_t shift) {
  return mn_rdbpot(mn_srdhm(x, mult), -shift);
}

/* tflite::MultiplyByQuantizedMultiplierGreaterThanOne (shift >= 0). */
MN_INLINE int32_t mn_requant_gt1(int32_t x, int32_t mult, int32_t shift) {
  return mn_srdhm(mn_shl(x, shift), mult);
}

MN_INLINE int32_t mn_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* std::round on a float (ties away from zero) without libm, for |v| < 2^31; NaN gives 0. */
MN_INLINE int32_t mn_round_f32(float v) {
  if (!(v == v)) return 0;
  if (v > 2147483520.0f) return INT32_MAX;
  if (v < -2147483520.0f) return INT32_MIN;
  int32_t t = (int32_t)v;
  const float frac = v - (float)t;
  if (frac >= 0.5f) t += 1;
  else if (frac <= -0.5f) t -= 1;
  return t;
}

#if defined(__ARM_FEATURE_DSP)
/* Armv7E-M / Armv8-M DSP instructions the optimised kernels share (no <arm_acle.h> equivalent for the rotated
 * forms, and the ACLE has no SMMULR / SMMLAR). */
/* sign-extended bytes 1 and 3: (int16)x.b1 | (int16)x.b3 << 16 */
MN_INLINE uint32_t mn_sxtb16_r8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
/* a + mn_sxtb16_r8(x), lane by lane */
MN_INLINE uint32_t mn_sxtab16_r8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
/* round-half-up high word of a * b */
MN_INLINE int32_t mn_smmulr(int32_t a, int32_t b) {
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
/* k + round-half-up high word of a * m */
MN_INLINE int32_t mn_smmlar(int32_t a, int32_t m, int32_t k) {
  int32_t r;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(m), "r"(k));
  return r;
}
#endif

#endif /* MN_FIXED_H */
