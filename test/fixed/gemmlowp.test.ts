/**
 * gemmlowp fixed-point functions: (1) equal to a BigInt model of the same arithmetic (gemmlowp's algorithm
 * spelled out over exact integers with explicit int32 wrap / saturation), (2) close to the real function they
 * approximate, (3) a few hand-checked values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  downScaleInt32ToInt16Multiplier, expOnIntervalBetweenNegativeOneQuarterAnd0Excl, expOnNegativeValues, getReciprocal,
  logisticFixed, oneOverOnePlusXForXIn01, rdbpot16, rescale, roundingHalfSum, saturatingLeftShift16,
  saturatingRoundingMultiplyByPOT, sdhm16, srdhm16,
} from '../../src/fixed/gemmlowp.js';
import { INT32_MAX, INT32_MIN } from '../../src/fixed/index.js';
import { asI32, floorDiv, MAX32, MIN32, rdbpotModel, srdhmModel } from './bigint-models.js';

const runs = { numRuns: 3000 };

// ---- BigInt model -----------------------------------------------------------------------------------------
const w = (x: bigint): bigint => asI32(x);
const mul = (a: bigint, b: bigint): bigint => BigInt(srdhmModel(Number(a), Number(b)));
const rdiv = (x: bigint, e: number): bigint => BigInt(rdbpotModel(Number(x), e));
/** multiply by 2^e: exact-then-saturate for e > 0, rounding for e < 0 */
const pot = (x: bigint, e: number): bigint => {
  if (e <= 0) return rdiv(x, -e);
  const r = x * 2n ** BigInt(e);
  return r > MAX32 ? MAX32 : r < MIN32 ? MIN32 : r;
};
const half = (a: bigint, b: bigint): bigint => {
  const s = a + b;
  const t = s + (s >= 0n ? 1n : -1n);
  return t / 2n; // truncating, as C
};

function expQuarterModel(a: bigint): bigint {
  const x = w(a + 2n ** 28n);
  const x2 = mul(x, x), x3 = mul(x2, x), x4 = mul(x2, x2);
  const x4q = pot(x4, -2);
  const poly = pot(w(mul(w(x4q + x3), 715827883n) + x2), -1);
  return w(1895147668n + mul(1895147668n, w(x + poly)));
}

function expNegModel(a: bigint, ib: number): bigint {
  const fb = 31 - ib;
  const quarter = 2n ** BigInt(fb - 2);
  const aMod = w((a & (quarter - 1n)) - quarter);
  let r = expQuarterModel(pot(aMod, ib));
  const rem = w(aMod - a);
  const table: [number, bigint][] = [[-2, 1672461947n], [-1, 1302514674n], [0, 790015084n], [1, 290630308n], [2, 39332535n], [3, 720401n], [4, 242n]];
  for (const [e, m] of table) if (ib > e && (rem >> BigInt(fb + e)) & 1n) r = mul(r, m);
  if (ib > 5 && a < -(2n ** BigInt(36 - ib))) r = 0n;
  if (a === 0n) r = MAX32;
  return r;
}

function recipModel(a: bigint): bigint {
  const hd = half(a, MAX32);
  let x = w(1515870810n + mul(hd, -1010580540n));
  for (let i = 0; i < 3; i++) x = w(x + pot(mul(x, w(2n ** 29n - mul(hd, x))), 2));
  return pot(x, 1);
}

// ---- generators -------------------------------------------------------------------------------------------
const nonPositive = fc.oneof(fc.integer({ min: INT32_MIN, max: 0 }), fc.integer({ min: -(2 ** 27), max: 0 }), fc.constantFrom(0, -1, INT32_MIN, -(2 ** 26), -(2 ** 24)));
const q0unit = fc.integer({ min: 0, max: INT32_MAX });

describe('primitive helpers', () => {
  it('roundingHalfSum = (a + b) / 2 rounded half away from zero', () => {
    fc.assert(fc.property(fc.integer({ min: INT32_MIN, max: INT32_MAX }), fc.integer({ min: INT32_MIN, max: INT32_MAX }),
      (a, b) => roundingHalfSum(a, b) === Number(half(BigInt(a), BigInt(b)))), runs);
    expect(roundingHalfSum(1, 2)).toBe(2);
    expect(roundingHalfSum(-1, -2)).toBe(-2);
    expect(roundingHalfSum(INT32_MAX, INT32_MAX)).toBe(INT32_MAX);
  });
  it('saturatingRoundingMultiplyByPOT = saturated x * 2^e, or rounded x / 2^-e', () => {
    fc.assert(fc.property(fc.integer({ min: INT32_MIN, max: INT32_MAX }), fc.integer({ min: -31, max: 30 }),
      (x, e) => saturatingRoundingMultiplyByPOT(x, e) === Number(pot(BigInt(x), e))), runs);
    expect(saturatingRoundingMultiplyByPOT(1 << 29, 2)).toBe(INT32_MAX);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 29), 2)).toBe(INT32_MIN);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 29) + 1, 2)).toBe(-(2 ** 31) + 4);
    expect(rescale(3, 0, 1)).toBe(2); // Q0 -> Q1: 3 / 2 rounds to 2
  });
});

describe('exp_on_negative_values', () => {
  it('exp on [-1/4, 0) equals the BigInt model and exp()', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 29), max: -1 }), (a) => {
      const got = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a);
      expect(got).toBe(Number(expQuarterModel(BigInt(a))));
      // a degree-4 Taylor polynomial around -1/8: error up to (1/8)^5 / 120 ~ 2.5e-7
      expect(Math.abs(got / 2 ** 31 - Math.exp(a / 2 ** 31))).toBeLessThan(3e-7);
    }), runs);
  });
  for (const ib of [0, 1, 4, 5, 6, 12]) {
    it(`Q${ib}.${31 - ib} input: equals the BigInt model and exp() to 3e-7`, () => {
      fc.assert(fc.property(nonPositive, (a) => {
        const got = expOnNegativeValues(a, ib);
        expect(got).toBe(Number(expNegModel(BigInt(a), ib)));
        expect(Math.abs(got / 2 ** 31 - Math.exp(a / 2 ** (31 - ib)))).toBeLessThan(3e-7);
      }), runs);
    });
  }
  it('hand-checked values (Q5.26)', () => {
    expect(expOnNegativeValues(0, 5)).toBe(INT32_MAX); // exp(0) = 1
    // exp(-32) and below: flushed only for more than 5 integer bits; at Q5 -32 is the minimum: ~1.3e-14 -> 0
    expect(expOnNegativeValues(INT32_MIN, 5)).toBe(0);
    // exp(-1) = 0.36787944 (790015084.35 in Q0.31): the quarter polynomial at -1/4 (its worst point) times
    // the exp(-1/4) and exp(-1/2) barrel constants, 224 raw units (1e-7) above the true value
    expect(expOnNegativeValues(-(2 ** 26), 5)).toBe(790015308);
  });
});

describe('one_over_one_plus_x_for_x_in_0_1 and GetReciprocal', () => {
  it('equals the BigInt model and 1/(1+x) to 1e-8', () => {
    fc.assert(fc.property(q0unit, (a) => {
      const got = oneOverOnePlusXForXIn01(a);
      expect(got).toBe(Number(recipModel(BigInt(a))));
      expect(Math.abs(got / 2 ** 31 - 1 / (1 + a / 2 ** 31))).toBeLessThan(1e-8);
    }), runs);
    expect(oneOverOnePlusXForXIn01(0) / 2 ** 31).toBeCloseTo(1, 8);
  });
  it('GetReciprocal(x, 12): 2^bitsOverUnit * recip / 2^31 ~ 2^12 * 2^19 / x ... i.e. 1 / (x / 2^19)', () => {
    fc.assert(fc.property(fc.integer({ min: 1 << 19, max: INT32_MAX }), (x) => {
      const { reciprocal, numBitsOverUnit } = getReciprocal(x, 12);
      const headroom = Math.clz32(x);
      expect(numBitsOverUnit).toBe(12 - headroom);
      // x normalised to [1, 2): x * 2^headroom / 2^31; reciprocal is 1 over that, halved into [0.5, 1]
      const norm = (x * 2 ** headroom) / 2 ** 31;
      expect(Math.abs(reciprocal / 2 ** 31 - 1 / norm)).toBeLessThan(1e-8);
      const shifted = Number(BigInt.asIntN(32, (BigInt(x) << BigInt(headroom)) - 2n ** 31n));
      expect(reciprocal).toBe(Number(recipModel(BigInt(shifted))));
    }), runs);
  });
});

describe('logistic', () => {
  it('matches 1 / (1 + exp(-x)) on Q4.27 inputs and its BigInt composition', () => {
    fc.assert(fc.property(fc.integer({ min: INT32_MIN + 1, max: INT32_MAX }), (a) => {
      const got = logisticFixed(a, 4);
      const x = a / 2 ** 27;
      expect(Math.abs(got / 2 ** 31 - 1 / (1 + Math.exp(-x)))).toBeLessThan(1e-7);
      if (a !== 0) {
        const abs = a > 0 ? a : -a;
        const pos = recipModel(expNegModel(BigInt(-abs), 4));
        expect(got).toBe(Number(a > 0 ? pos : w(MAX32 - pos)));
      }
    }), runs);
    expect(logisticFixed(0, 4)).toBe(1 << 30);
  });
});

describe('int16 helpers (HARD_SWISH)', () => {
  const i16 = fc.integer({ min: -32768, max: 32767 });
  it('srdhm16 = round(a*b / 2^15), ties toward +inf, saturating', () => {
    fc.assert(fc.property(i16, i16, (a, b) => {
      const want = a === -32768 && b === -32768 ? 32767 : Number(floorDiv(BigInt(a * b) + 2n ** 14n, 2n ** 15n));
      return srdhm16(a, b) === want;
    }), runs);
  });
  it('sdhm16 truncates toward zero (no rounding)', () => {
    fc.assert(fc.property(i16, i16, (a, b) => {
      const want = a === -32768 && b === -32768 ? 32767 : Math.trunc((a * b) / 32768);
      return sdhm16(a, b) === want;
    }), runs);
    expect(sdhm16(-1, 16384)).toBe(0); // -0.5 truncates to 0
    expect(srdhm16(-1, 16384)).toBe(0); // -0.5 rounds toward +inf
    expect(srdhm16(1, 16384)).toBe(1); // 0.5 rounds up
    expect(sdhm16(3, 16384)).toBe(1); // 1.5 truncates to 1
  });
  it('rdbpot16 = rounding half away from zero for exponents up to 15', () => {
    fc.assert(fc.property(i16, fc.integer({ min: 0, max: 15 }), (x, e) => rdbpot16(x, e) === rdbpotModel(x, e)), runs);
  });
  it('saturatingLeftShift16 and downScaleInt32ToInt16Multiplier', () => {
    expect(saturatingLeftShift16(100, 8)).toBe(25600);
    expect(saturatingLeftShift16(200, 8)).toBe(32767);
    expect(saturatingLeftShift16(-200, 8)).toBe(-32768);
    expect(downScaleInt32ToInt16Multiplier(1 << 30)).toBe(1 << 14);
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + (1 << 15))).toBe((1 << 14) + 1); // rounds half up
    expect(downScaleInt32ToInt16Multiplier((1 << 30) + (1 << 15) - 1)).toBe(1 << 14);
    expect(downScaleInt32ToInt16Multiplier(INT32_MAX - 10)).toBe(32767);
    fc.assert(fc.property(fc.integer({ min: 0, max: INT32_MAX - 32769 }),
      (m) => downScaleInt32ToInt16Multiplier(m) === Math.floor((m + 32768) / 65536)), runs);
  });
});
