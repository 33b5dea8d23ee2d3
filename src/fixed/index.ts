/**
 * Fixed-point arithmetic with exactly TensorFlow Lite (Micro)'s semantics (gemmlowp fixedpoint, common.h,
 * quantization_util.cc). Shared by the reference interpreter and by codegen's compile-time folding, so the C
 * runtime (runtime-c/mn_fixed.h) can be tested against it.
 *
 * All int32 values are JS numbers in [-2^31, 2^31). The hot path avoids BigInt: a 32x32-bit product is split
 * into exact partial products in doubles (see srdhm). test/fixed checks each function against BigInt models.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

const TWO31 = 2147483648;
const TWO30 = 1073741824;

/**
 * C's std::round: half away from zero. (Math.round is exact for every double but rounds ties toward +inf, so
 * apply it to |x|; `floor(x + 0.5)` would be wrong for 0.49999999999999994, whose sum rounds up to 1.)
 */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** std::frexp for finite positive or negative doubles: x = m * 2^e with |m| in [0.5, 1). */
export function frexp(x: number): { m: number; e: number } {
  if (x === 0 || !Number.isFinite(x)) return { m: x, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  let exp = (hi >>> 20) & 0x7ff;
  if (exp === 0) {
    // subnormal: scale up first
    const r = frexp(x * 2 ** 64);
    return { m: r.m, e: r.e - 64 };
  }
  const e = exp - 1022;
  view.setUint32(0, (hi & 0x800fffff) | (1022 << 20));
  return { m: view.getFloat64(0), e };
}

export interface QuantizedMultiplier {
  /** Q31 significand in [2^30, 2^31) (or 0) */
  multiplier: number;
  /** power of two exponent: value = multiplier * 2^(shift - 31) */
  shift: number;
}

/** tflite::QuantizeMultiplier */
export function quantizeMultiplier(m: number): QuantizedMultiplier {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { m: q, e } = frexp(m);
  let shift = e;
  let qFixed = roundHalfAway(q * TWO31);
  if (qFixed === TWO31) {
    qFixed /= 2;
    shift += 1;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** tflite::QuantizeMultiplierSmallerThanOneExp: requires 0 < m < 1; shift <= 0 */
export function quantizeMultiplierSmallerThanOneExp(m: number): QuantizedMultiplier {
  return quantizeMultiplier(m);
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: (a*b + nudge) / 2^31 truncated toward zero, where
 * nudge = 2^30 for a non-negative product and 1 - 2^30 otherwise. Exact without BigInt:
 * a*b = p*2^16 + q with p = a*bh, q = a*bl (each < 2^47, exact), and p = ph*2^15 + pl.
 */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const bl = b & 0xffff; // 0..65535
  const bh = (b - bl) / 65536; // exact, signed
  const p = a * bh;
  const q = a * bl;
  const pl = ((p % 32768) + 32768) % 32768;
  const ph = (p - pl) / 32768;
  const negative = a !== 0 && b !== 0 && (a < 0) !== (b < 0);
  const nudge = negative ? 1 - TWO30 : TWO30;
  const r = pl * 65536 + q + nudge; // |r| < 2^48, exact
  // total = ph*2^31 + r; truncate total / 2^31 toward zero
  const total = ph * TWO31 + r; // only its sign is used
  const rq = total >= 0 ? Math.floor(r / TWO31) : Math.ceil(r / TWO31);
  return ph + rq;
}

/** gemmlowp RoundingDivideByPOT: x / 2^e rounding half away from zero, 0 <= e <= 31. */
export function rdbpot(x: number, e: number): number {
  if (e === 0) return x;
  const mask = 2 ** e - 1;
  const remainder = (x & mask) >>> 0;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

/** Wrap to int32 as C's two's-complement arithmetic does on every target we build for. */
export function wrap32(x: number): number {
  return x | 0;
}

/** tflite::MultiplyByQuantizedMultiplier (double-rounding variant, TFLM's default build). */
export function mulByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(left === 0 ? x : wrap32(x * 2 ** left), multiplier), right);
}

/** tflite::MultiplyByQuantizedMultiplierSmallerThanOneExp */
export function mulByQuantizedMultiplierSmallerThanOneExp(x: number, multiplier: number, shift: number): number {
  return rdbpot(srdhm(x, multiplier), -shift);
}

/** tflite::MultiplyByQuantizedMultiplierGreaterThanOne */
export function mulByQuantizedMultiplierGreaterThanOne(x: number, multiplier: number, shift: number): number {
  return srdhm(wrap32(x * 2 ** shift), multiplier);
}

/** Saturate to a signed integer range. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
