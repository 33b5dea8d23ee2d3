/**
 * Straightforward BigInt models of TFLite's fixed-point arithmetic, written from the definitions (exact
 * products, floor/round divisions) rather than from the bit tricks the implementations use.
 */
export const MIN32 = -(2n ** 31n);
export const MAX32 = 2n ** 31n - 1n;

export function asI32(x: bigint): bigint {
  return BigInt.asIntN(32, x);
}

/** floor(a / b) for b > 0 */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** SaturatingRoundingDoublingHighMul = round(a*b / 2^31) with ties toward +infinity, saturating MIN*MIN */
export function srdhmModel(a: number, b: number): number {
  if (a === -(2 ** 31) && b === -(2 ** 31)) return 2 ** 31 - 1;
  return Number(floorDiv(BigInt(a) * BigInt(b) + 2n ** 30n, 2n ** 31n));
}

/** RoundingDivideByPOT = x / 2^e rounded to nearest, ties away from zero */
export function rdbpotModel(x: number, e: number): number {
  if (e === 0) return x;
  const X = BigInt(x), d = 2n ** BigInt(e);
  const mag = (X < 0n ? -X : X) * 2n + d; // 2|x| + d, then floor(/ 2d) = floor(|x|/d + 1/2)
  const r = mag / (2n * d);
  return Number(X < 0n ? -r : r);
}

/** MultiplyByQuantizedMultiplier (double rounding): wrap(x * 2^left), srdhm, rdbpot */
export function mbqmModel(x: number, m: number, shift: number): number {
  const left = Math.max(shift, 0), right = Math.max(-shift, 0);
  const shifted = Number(asI32(BigInt(x) * 2n ** BigInt(left)));
  return rdbpotModel(srdhmModel(shifted, m), right);
}

/** the exact value of a finite double as num / 2^k */
function exactDouble(x: number): { num: bigint; k: bigint } {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  const bits = v.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e2 = (exp === 0 ? 1 : exp) - 1075; // x = mant * 2^e2
  return e2 >= 0 ? { num: sign * (mant << BigInt(e2)), k: 0n } : { num: sign * mant, k: BigInt(-e2) };
}

/**
 * QuantizeMultiplier from the definition: for m > 0 pick the shift with m / 2^shift in [0.5, 1), then
 * q = round(m * 2^(31 - shift)) with ties away from zero, computed exactly; q = 2^31 becomes 2^30, shift + 1;
 * shift < -31 flushes to zero.
 */
export function quantizeMultiplierModel(m: number): { multiplier: number; shift: number } {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { num, k } = exactDouble(m);
  const neg = num < 0n;
  const a = neg ? -num : num;
  // shift = floor(log2(a / 2^k)) + 1
  let shift = a.toString(2).length - Number(k);
  // q = round(a * 2^(31 - shift) / 2^k)
  const p = 31n - BigInt(shift) - k; // q = round(a * 2^p)
  let q = p >= 0n ? a << p : (a + (1n << (-p - 1n))) >> -p;
  if (q === 2n ** 31n) {
    q = 2n ** 30n;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: Number(neg ? -q : q), shift };
}
