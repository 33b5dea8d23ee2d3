/*
 * mn_gemmlowp.h - C twins of the gemmlowp fixed-point functions (fixedpoint/fixedpoint.h as vendored by TFLM)
 * and the TFLite helper built on them (tensorflow/lite/kernels/internal/common.h GetReciprocal) that a kernel
 * needs at run time. The TypeScript twins are in src/fixed/gemmlowp.ts; each function below mirrors one there,
 * operation for operation.
 *
 * A gemmlowp FixedPoint<int32_t, I> is passed as its raw int32 value. gemmlowp's plain fixed-point + and -
 * wrap on overflow in practice; here they go through uint32_t (mn_add_wrap / mn_sub_wrap) so the code stays
 * clean under -fsanitize=undefined.
 *
 * Only what runs on the device is here: SOFTMAX's exp() values are tabulated at compile time by mnetc with the
 * TypeScript functions, the reciprocal of the row sum cannot be and is computed by mn_get_reciprocal.
 */
#ifndef MN_GEMMLOWP_H
#define MN_GEMMLOWP_H

#include <stdint.h>

#include "mn_fixed.h"

/* a + b and a - b as two's-complement int32 (gemmlowp's non-saturating Add / Sub) */
MN_INLINE int32_t mn_add_wrap(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
MN_INLINE int32_t mn_sub_wrap(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* Leading zero bits of x as a 32-bit pattern; 32 for 0 (tflite::CountLeadingZeros). */
MN_INLINE int mn_clz32(uint32_t x) {
  int n = 0;
  if (x == 0u) return 32;
  if ((x & 0xFFFF0000u) == 0u) { n += 16; x <<= 16; }
  if ((x & 0xFF000000u) == 0u) { n += 8; x <<= 8; }
  if ((x & 0xF0000000u) == 0u) { n += 4; x <<= 4; }
  if ((x & 0xC0000000u) == 0u) { n += 2; x <<= 2; }
  if ((x & 0x80000000u) == 0u) { n += 1; }
  return n;
}

/* gemmlowp RoundingHalfSum<int32>: (a + b) / 2 rounded half away from zero, computed in 64 bits. */
MN_INLINE int32_t mn_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  const int64_t sign = sum >= 0 ? 1 : -1;
  return (int32_t)((sum + sign) / 2);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT<exponent>: saturating x * 2^exponent for 0 < exponent < 31,
 * RoundingDivideByPOT for -31 <= exponent < 0. */
MN_INLINE int32_t mn_sat_round_mul_pot(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return mn_rdbpot(x, -exponent);
  {
    const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
    if (x > threshold) return INT32_MAX;
    if (x < -threshold) return INT32_MIN;
    return mn_shl(x, exponent);
  }
}

/* gemmlowp Rescale<dst_bits>(FixedPoint<int32, src_bits>) */
MN_INLINE int32_t mn_rescale(int32_t x, int src_integer_bits, int dst_integer_bits) {
  return mn_sat_round_mul_pot(x, src_integer_bits - dst_integer_bits);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a raw Q0.31 a in [0, 1), by three
 * Newton-Raphson steps in Q2.29; returns a raw Q0.31. */
MN_INLINE int32_t mn_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = mn_rounding_half_sum(a, INT32_MAX);      /* Q0.31 */
  const int32_t constant_48_over_17 = 1515870810;                          /* Q2.29 */
  const int32_t constant_neg_32_over_17 = -1010580540;                     /* Q2.29 */
  const int32_t one_q2 = (int32_t)1 << 29;                                 /* F2::One() */
  int32_t x = mn_add_wrap(constant_48_over_17, mn_srdhm(half_denominator, constant_neg_32_over_17));
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t half_denominator_times_x = mn_srdhm(half_denominator, x); /* Q2.29 */
    const int32_t one_minus = mn_sub_wrap(one_q2, half_denominator_times_x);
    /* Q2 * Q2 = Q4, Rescale<2> */
    x = mn_add_wrap(x, mn_rescale(mn_srdhm(x, one_minus), 4, 2));
  }
  /* ExactMulByPot<-1> reads the Q2.29 raw as Q1.30; Rescale<0> */
  return mn_rescale(x, 1, 0);
}

/* tflite::GetReciprocal: for a raw x with x_integer_digits integer bits, the Q0.31 raw of 1 / (x normalised
 * to [1, 2)), and in *num_bits_over_unit how many bits above 1.0 x had. */
MN_INLINE int32_t mn_get_reciprocal(int32_t x, int x_integer_digits, int *num_bits_over_unit) {
  const int headroom_plus_one = mn_clz32((uint32_t)x);
  const uint32_t shifted = headroom_plus_one >= 32 ? 0u : (uint32_t)x << headroom_plus_one;
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  return mn_one_over_one_plus_x_for_x_in_0_1((int32_t)(shifted - 0x80000000u));
}

#endif /* MN_GEMMLOWP_H */
