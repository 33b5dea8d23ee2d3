/**
 * gemmlowp's scalar fixed-point math (fixedpoint/fixedpoint.h, as vendored by TFLM) and the TFLite helpers
 * built on it (tensorflow/lite/kernels/internal/common.h): exp on negative values, 1/(1+x), logistic, the
 * softmax reciprocal, plus the int16 primitives HARD_SWISH uses.
 *
 * Conventions. A gemmlowp `FixedPoint<int32_t, I>` is represented here by its raw int32 value (a JS number in
 * [-2^31, 2^31)); `I` (the number of integer bits) is passed explicitly where the code depends on it. The
 * value of raw r with I integer bits is r / 2^(31 - I). Plain fixed-point `+` and `-` are gemmlowp's
 * non-saturating Add/Sub; in C they are int32 arithmetic that in practice wraps, so we wrap (`| 0`).
 * The product of two fixed-point numbers is SaturatingRoundingDoublingHighMul of the raws (srdhm), and the
 * integer bits add up.
 *
 * Everything is a pure function of int32 inputs, so codegen can constant-fold with it and the C runtime can be
 * tested against it.
 */
import { INT32_MAX, INT32_MIN, rdbpot, srdhm } from './index.js';

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** wrap to int16 like a C cast from int */
export function wrap16(x: number): number {
  return (x << 16) >> 16;
}

/** gemmlowp RoundingHalfSum<int32>: (a + b) / 2 rounded half away from zero, computed in 64 bits. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b; // exact: |sum| < 2^32
  const sign = sum >= 0 ? 1 : -1;
  return Math.trunc((sum + sign) / 2);
}

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT<exponent> on an int32 raw value: a saturating left shift for
 * exponent > 0, RoundingDivideByPOT for exponent < 0.
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return rdbpot(x, -exponent);
  // threshold = 2^(31 - exponent) - 1; values beyond +-threshold saturate
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return x * 2 ** exponent; // exact and in range
}

/** gemmlowp Rescale<dstBits>(FixedPoint<int32, srcBits>) */
export function rescale(x: number, srcIntegerBits: number, dstIntegerBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);
}

/** raw of FixedPoint<int32, I>::One(): INT32_MAX for I = 0, else 2^(31 - I) */
export function fixedOne(integerBits: number): number {
  return integerBits === 0 ? INT32_MAX : 2 ** (31 - integerBits);
}

// Constants of gemmlowp's exp / reciprocal, as raw Q0.31 (or Q2.29 where noted) values.
const EXP_MINUS_ONE_EIGHTH = 1895147668; // exp(-1/8), Q0.31
const ONE_THIRD = 715827883; // 1/3, Q0.31
const FORTY_EIGHT_OVER_17 = 1515870810; // 48/17, Q2.29
const MINUS_32_OVER_17 = -1010580540; // -32/17, Q2.29

/** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: exp(a) for a in [-1/4, 0), Q0.31 in and out. */
export function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  // Taylor expansion around -1/8: x = a + 1/8
  const x = (a + (1 << 28)) | 0;
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = rdbpot(x4, 2);
  // (x^4/4 + x^3) / 3 + x^2, then halved: x^4/24 + x^3/6 + x^2/2
  const poly = rdbpot((srdhm((x4Over4 + x3) | 0, ONE_THIRD) + x2) | 0, 1);
  return (EXP_MINUS_ONE_EIGHTH + srdhm(EXP_MINUS_ONE_EIGHTH, (x + poly) | 0)) | 0;
}

/** multipliers exp(-2^k) as Q0.31 for k = -2 .. 4 (gemmlowp's barrel shifter) */
const EXP_BARREL: readonly [number, number][] = [
  [-2, 1672461947],
  [-1, 1302514674],
  [0, 790015084],
  [1, 290630308],
  [2, 39332535],
  [3, 720401],
  [4, 242],
];

/**
 * gemmlowp exp_on_negative_values: exp(a) for a <= 0, where `a` is a raw FixedPoint<int32, integerBits>;
 * returns a raw Q0.31. The input is split into a part in [-1/4, 0) handled by a polynomial, and multiples of
 * 1/4 handled by multiplying with exp(-2^k) for each set bit.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusQuarter = ((a & mask) - oneQuarter) | 0;
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusQuarter, integerBits, 0));
  const remainder = (aModQuarterMinusQuarter - a) | 0;
  for (const [exponent, multiplier] of EXP_BARREL) {
    if (integerBits > exponent) {
      const bit = fractionalBits + exponent;
      if (remainder & (1 << bit)) result = srdhm(result, multiplier);
    }
  }
  if (integerBits > 5) {
    // below -32, exp() is flushed to zero
    const clamp = -(2 ** (36 - integerBits));
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/**
 * gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a raw Q0.31 `a` in [0, 1), by three
 * Newton-Raphson steps in Q2.29; returns a raw Q0.31.
 */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const oneQ2 = 1 << 29;
  let x = (FORTY_EIGHT_OVER_17 + srdhm(halfDenominator, MINUS_32_OVER_17)) | 0;
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = srdhm(halfDenominator, x);
    const oneMinus = (oneQ2 - halfDenominatorTimesX) | 0;
    // Q2 * Q2 = Q4, rescaled back to Q2
    x = (x + rescale(srdhm(x, oneMinus), 4, 2)) | 0;
  }
  // ExactMulByPot<-1> turns Q2.29 into Q1.30 (same raw); then Rescale<0>
  return rescale(x, 1, 0);
}

/** gemmlowp logistic(FixedPoint<int32, integerBits>) -> raw Q0.31 */
export function logisticFixed(a: number, integerBits: number): number {
  if (a === 0) return 1 << 30;
  const positive = a > 0;
  const absInput = positive ? a : -a | 0;
  const ifPositive = oneOverOnePlusXForXIn01(expOnNegativeValues(-absInput | 0, integerBits));
  return positive ? ifPositive : (INT32_MAX - ifPositive) | 0;
}

/** count leading zeros of the 32-bit pattern of x (32 for 0) */
export function clz32(x: number): number {
  return Math.clz32(x);
}

/**
 * tflite::GetReciprocal (common.h): for a positive raw `x` with `xIntegerDigits` integer bits, returns
 * the Q0.31 raw of 1 / (x normalised to [1, 2)) and how many bits above 1.0 x had.
 */
export function getReciprocal(x: number, xIntegerDigits: number): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  // (uint32(x) << headroom_plus_one) - 2^31, reinterpreted as int32
  const shifted = headroomPlusOne >= 32 ? 0 : (x << headroomPlusOne) >>> 0;
  const shiftedSumMinusOne = (shifted - 2147483648) | 0;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

// ---------------------------------------------------------------------------------------------------------
// int16 primitives (gemmlowp's int16 specialisations and reference/hard_swish.h helpers)

/** gemmlowp SaturatingRoundingDoublingHighMul<int16>: (a*b + nudge) / 2^15 truncated; -32768^2 saturates. */
export function srdhm16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  const ab = a * b;
  const nudge = ab >= 0 ? 1 << 14 : 1 - (1 << 14);
  return wrap16(Math.trunc((ab + nudge) / 32768));
}

/**
 * hard_swish.h SaturatingDoublingHighMul (like ARM SQDMULH): the same as srdhm16 but truncating toward zero,
 * with no rounding nudge.
 */
export function sdhm16(a: number, b: number): number {
  if (a === INT16_MIN && b === INT16_MIN) return INT16_MAX;
  return wrap16(Math.trunc((a * b) / 32768));
}

/** gemmlowp RoundingDivideByPOT<int16>: every intermediate is an int16 in C, so wrap like it does. */
export function rdbpot16(x: number, exponent: number): number {
  const mask = wrap16(2 ** exponent - 1);
  const remainder = wrap16(x & mask);
  const threshold = wrap16((mask >> 1) + (x < 0 ? 1 : 0));
  return wrap16((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/** hard_swish.h SaturatingLeftShift: value * 2^amount computed in 64 bits, saturated to int16. */
export function saturatingLeftShift16(value: number, amount: number): number {
  const r = value * 2 ** amount;
  return r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r;
}

/** tflite::DownScaleInt32ToInt16Multiplier (common.h): round a Q31 multiplier to Q15. */
export function downScaleInt32ToInt16Multiplier(m: number): number {
  const roundingOffset = 1 << 15;
  if (m >= INT32_MAX - roundingOffset) return INT16_MAX;
  return (m + roundingOffset) >> 16;
}
