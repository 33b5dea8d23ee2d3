/** Property tests of src/fixed's core primitives against BigInt models of the same arithmetic. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  frexp, INT32_MAX, INT32_MIN, mulByQuantizedMultiplier, mulByQuantizedMultiplierGreaterThanOne,
  mulByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier, rdbpot, roundHalfAway, srdhm,
} from '../../src/fixed/index.js';
import { mbqmModel, quantizeMultiplierModel, rdbpotModel, srdhmModel } from './bigint-models.js';

const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX, INT32_MAX - 1, 1 << 30, -(1 << 30)),
);
const multiplier = fc.integer({ min: 1 << 30, max: INT32_MAX });
const runs = { numRuns: 5000 };

describe('srdhm (SaturatingRoundingDoublingHighMul)', () => {
  it('equals round(a*b / 2^31), ties toward +inf, saturating MIN*MIN', () => {
    fc.assert(fc.property(int32, int32, (a, b) => srdhm(a, b) === srdhmModel(a, b)), runs);
  });
  it('hand-checked values', () => {
    expect(srdhm(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    expect(srdhm(1 << 30, 1 << 30)).toBe(1 << 29); // 0.5 * 0.5 = 0.25
    expect(srdhm(3, 1 << 30)).toBe(2); // 1.5 rounds up
    expect(srdhm(-3, 1 << 30)).toBe(-1); // -1.5 rounds toward +inf
    expect(srdhm(-5, 1 << 30)).toBe(-2); // -2.5 -> -2
    expect(srdhm(INT32_MAX, INT32_MAX)).toBe(INT32_MAX - 1);
  });
});

describe('rdbpot (RoundingDivideByPOT)', () => {
  it('equals x / 2^e rounded half away from zero', () => {
    fc.assert(fc.property(int32, fc.integer({ min: 0, max: 31 }), (x, e) => rdbpot(x, e) === rdbpotModel(x, e)), runs);
  });
  it('hand-checked values', () => {
    expect(rdbpot(5, 1)).toBe(3);
    expect(rdbpot(-5, 1)).toBe(-3);
    expect(rdbpot(-4, 1)).toBe(-2);
    expect(rdbpot(6, 2)).toBe(2); // 1.5 -> 2
    expect(rdbpot(-6, 2)).toBe(-2); // -1.5 -> -2
    expect(rdbpot(-7, 3)).toBe(-1); // -0.875
    expect(rdbpot(INT32_MIN, 31)).toBe(-1);
    expect(rdbpot(INT32_MAX, 31)).toBe(1);
  });
});

describe('mulByQuantizedMultiplier', () => {
  it('equals the BigInt model for shifts in [-31, 7]', () => {
    fc.assert(fc.property(
      fc.integer({ min: -(2 ** 24), max: 2 ** 24 }), multiplier, fc.integer({ min: -31, max: 7 }),
      (x, m, s) => mulByQuantizedMultiplier(x, m, s) === mbqmModel(x, m, s),
    ), runs);
  });
  it('equals the BigInt model on the full int32 range (left shift wraps like C)', () => {
    fc.assert(fc.property(int32, multiplier, fc.integer({ min: -31, max: 3 }),
      (x, m, s) => mulByQuantizedMultiplier(x, m, s) === mbqmModel(x, m, s)), runs);
  });
  it('approximates x * m * 2^(shift - 31)', () => {
    fc.assert(fc.property(fc.integer({ min: -100000, max: 100000 }), multiplier, fc.integer({ min: -20, max: 4 }), (x, m, s) => {
      const exact = x * m * 2 ** (s - 31);
      return Math.abs(mulByQuantizedMultiplier(x, m, s) - exact) <= 1;
    }), runs);
  });
  it('the SmallerThanOne / GreaterThanOne variants are the same pipeline', () => {
    fc.assert(fc.property(int32, multiplier, fc.integer({ min: -31, max: 0 }),
      (x, m, s) => mulByQuantizedMultiplierSmallerThanOneExp(x, m, s) === mbqmModel(x, m, s)), runs);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), multiplier, fc.integer({ min: 0, max: 10 }),
      (x, m, s) => mulByQuantizedMultiplierGreaterThanOne(x, m, s) === mbqmModel(x, m, s)), runs);
  });
});

describe('quantizeMultiplier', () => {
  const positive = fc.oneof(
    fc.double({ min: 1e-12, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: 2 ** -40, max: 2 ** -28, noNaN: true }),
    fc.constantFrom(1, 0.5, 0.25, 1 - 2 ** -33, 1 - 2 ** -32, 2 ** -31, 2 ** -32, 0.75, 3),
  );
  it('equals the exact model (frexp, round half away, 2^31 fix, flush below 2^-32)', () => {
    fc.assert(fc.property(positive, (m) => {
      expect(quantizeMultiplier(m)).toEqual(quantizeMultiplierModel(m));
    }), runs);
  });
  it('hand-checked values', () => {
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 * 2 ** 29, shift: 0 });
    // rounds up to 2^31, which becomes 2^30 with one more shift
    expect(quantizeMultiplier(1 - 2 ** -33)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
  });
  it('frexp splits x into m * 2^e with m in [0.5, 1)', () => {
    fc.assert(fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (x) => {
      const { m, e } = frexp(x);
      return m >= 0.5 && m < 1 && m * 2 ** e === x;
    }), runs);
  });
  it('roundHalfAway is C round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, -2.4].map(roundHalfAway)).toEqual([1, 2, 3, -1, -2, -3, 0, -2]);
  });
});
