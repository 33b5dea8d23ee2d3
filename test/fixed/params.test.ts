/** Derived parameters (src/fixed/params.ts) on hand-checked cases. Expected values are worked out in comments. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activationRange, calculateInputRadius, convMultipliers, fcMultipliers, hardSwishParams, logisticParams,
  meanFoldedMultiplier, meanMultiplier, mulParams, relu6Params, reluParams, softmaxParams,
} from '../../src/fixed/params.js';
import { quantizeMultiplier } from '../../src/fixed/index.js';
import type { DType, Tensor } from '../../src/ir/types.js';

const f = Math.fround;
function t(scale: number | number[], zp = 0, dtype: DType = 'int8'): Tensor {
  const scales = (Array.isArray(scale) ? scale : [scale]).map(f);
  return { index: 0, name: 't', shape: [1], dtype, quant: { scales, zeroPoints: scales.map(() => zp), axis: 0 }, data: null };
}

describe('activationRange (CalculateActivationRangeQuantized)', () => {
  it('quantizes 0 and 6 with zp + round(f / scale)', () => {
    // scale 0.125, zp -10: 0 -> -10, 6 -> -10 + 48 = 38
    expect(activationRange('relu6', t(0.125, -10))).toEqual([-10, 38]);
    expect(activationRange('relu', t(0.125, -10))).toEqual([-10, 127]);
    expect(activationRange('none', t(0.125, -10))).toEqual([-128, 127]);
    // relu_n1_to_1: -1 -> -18, 1 -> -2
    expect(activationRange('relu_n1_to_1', t(0.125, -10))).toEqual([-18, -2]);
    // 6 / f32(6/255) = 255 in float32 -> -128 + 255 = 127
    expect(activationRange('relu6', t(6 / 255, -128))).toEqual([-128, 127]);
    // bounds are intersected with the int8 range: 6 / 0.01 = 600
    expect(activationRange('relu6', t(0.01, 0))).toEqual([0, 127]);
    // TFLM's else branch: other activations only clamp to the dtype range
    expect(activationRange('tanh', t(0.01, 3))).toEqual([-128, 127]);
  });
});

describe('conv / FC multipliers', () => {
  it('per-channel conv: (double)s_in * (double)s_w[c] / (double)s_out', () => {
    const qm = convMultipliers(t(0.5), t([0.25, 0.75]), t(0.125), 2);
    // 0.5 * 0.25 / 0.125 = 1 -> 2^30, shift 1; 0.5 * 0.75 / 0.125 = 3 = 0.75 * 2^2 -> 0.75 * 2^31, shift 2
    expect(qm).toEqual([{ multiplier: 2 ** 30, shift: 1 }, { multiplier: 3 * 2 ** 29, shift: 2 }]);
  });
  it('per-tensor FC takes the s_in * s_w product in float32 (GetQuantizedConvolutionMultipler)', () => {
    // f32(0.1) * f32(0.3) = 0.03000000163912775 exactly, rounded to float32 0.030000001192092896; / f32(0.7)
    // gives multiplier 1472560299 (the all-double formula would give 1472560321)
    expect(fcMultipliers(t(0.1), t(0.3), t(0.7), 2)).toEqual([
      { multiplier: 1472560299, shift: -4 }, { multiplier: 1472560299, shift: -4 },
    ]);
    expect(quantizeMultiplier((f(0.1) * f(0.3)) / f(0.7)).multiplier).toBe(1472560321);
  });
  it('per-channel FC uses the conv formula per output channel', () => {
    expect(fcMultipliers(t(0.1), t([0.3, 0.3]), t(0.7), 2)[0]).toEqual({ multiplier: 1472560321, shift: -4 });
  });
});

describe('MUL', () => {
  it('one multiplier for s1 * s2 / s_out, offsets, fused activation range', () => {
    // 0.5 * 0.25 / 0.125 = 1.0 -> (2^30, 1)
    expect(mulParams(t(0.5, 3), t(0.25, -7), t(0.125, -10), 'relu6')).toEqual({
      in1Offset: -3, in2Offset: 7, outOffset: -10, multiplier: 2 ** 30, shift: 1, actMin: -10, actMax: 38,
    });
  });
});

describe('MEAN', () => {
  it('meanMultiplier is QuantizeMultiplier(s_in / s_out)', () => {
    expect(meanMultiplier(t(0.5), t(0.25))).toEqual({ multiplier: 2 ** 30, shift: 2 });
  });
  it('folds 1/N: s = floor(log2 N), multiplier << s / N (truncating), shift - s', () => {
    // N = 3: s = 1; 2^31 / 3 = 715827882.67 -> 715827882; shift 1 - 1 = 0
    expect(meanFoldedMultiplier({ multiplier: 2 ** 30, shift: 1 }, 3)).toEqual({ multiplier: 715827882, shift: 0 });
    // N = 49 (7x7): s = 5; 2^35 / 49 = 701219150.37 -> 701219150; shift 1 - 5 = -4
    expect(meanFoldedMultiplier({ multiplier: 2 ** 30, shift: 1 }, 49)).toEqual({ multiplier: 701219150, shift: -4 });
    // N = 1: s = 0, nothing changes
    expect(meanFoldedMultiplier({ multiplier: 1234567890, shift: -3 }, 1)).toEqual({ multiplier: 1234567890, shift: -3 });
    // s is capped at 31 + shift: shift -30, N = 8: s = min(3, 1) = 1; 2^31 / 8 = 2^28; shift -31
    expect(meanFoldedMultiplier({ multiplier: 2 ** 30, shift: -30 }, 8)).toEqual({ multiplier: 2 ** 28, shift: -31 });
  });
  it('the folded multiplier approximates multiplier / N', () => {
    fc.assert(fc.property(fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }), fc.integer({ min: -20, max: 5 }), fc.integer({ min: 1, max: 1e6 }), (m, s, n) => {
      const r = meanFoldedMultiplier({ multiplier: m, shift: s }, n);
      const want = (m * 2 ** s) / n, got = r.multiplier * 2 ** r.shift;
      // truncation loses less than one unit of the new multiplier; while s is not capped by 31 + shift,
      // N < 2^(s+1) keeps the multiplier above m / 2
      const uncapped = s - r.shift === Math.floor(Math.log2(n));
      return r.multiplier <= m && Math.abs(got - want) <= 2 ** r.shift && (!uncapped || r.multiplier > m / 2);
    }));
  });
});

describe('SOFTMAX', () => {
  it('input scale 1/16, beta 1: 2^-4 * 2^26 = 2^22 -> (2^30, 23); diffMin = -floor(31 * 2^26 / 2^23) = -248', () => {
    expect(softmaxParams(1 / 16, 1)).toEqual({ inputMultiplier: 2 ** 30, inputLeftShift: 23, diffMin: -248 });
  });
  it('caps the real multiplier at 2^31 - 1', () => {
    // 100 * 2^26 > 2^31 - 1; frexp(2^31 - 1) = (1 - 2^-31) * 2^31 -> q = 2^31 - 1, shift 31; radius floor(0.97) = 0
    expect(softmaxParams(1, 100)).toEqual({ inputMultiplier: 2 ** 31 - 1, inputLeftShift: 31, diffMin: 0 });
  });
  it('CalculateInputRadius', () => {
    expect(calculateInputRadius(5, 23)).toBe(248);
    expect(calculateInputRadius(4, 24)).toBe(120); // 15 * 2^27 / 2^24
    expect(calculateInputRadius(4, 20)).toBe(1920);
  });
});

describe('LOGISTIC', () => {
  it('s_in = 1/16: 2^-4 * 2^27 = 2^23 = 0.5 * 2^24 -> (2^30, 24); radius 15 * 2^27 / 2^24 = 120', () => {
    expect(logisticParams(t(1 / 16, 5))).toEqual({ inputZeroPoint: 5, inputMultiplier: 2 ** 30, inputLeftShift: 24, inputRangeRadius: 120 });
  });
});

describe('HARD_SWISH', () => {
  it('s_in 0.1, s_out 0.05', () => {
    // hires = f32(0.1) / 128; hires / f32(0.05) rounds to exactly 0.015625 = 0.5 * 2^-5 -> Q31 2^30, exponent -5,
    // Q15 2^14. reluish: hires / (3/32768) = 8.5333335 = 0.53333 * 2^4 -> Q31 1145324672, exponent 4,
    // Q15 round(1145324672 / 65536) = round(17476.27) = 17476.
    expect(hardSwishParams(t(0.1, -3), t(0.05, 7))).toEqual({
      inputZeroPoint: -3, outputZeroPoint: 7, outputMultiplier: 16384, outputExponent: -5, reluishMultiplier: 17476, reluishExponent: 4,
    });
  });
});

describe('RELU / RELU6', () => {
  it('RELU requantizes s_in / s_out and clamps below at max(-128, zp_out)', () => {
    expect(reluParams(t(0.5, 4), t(0.25, -20))).toEqual({
      inputZeroPoint: 4, outputZeroPoint: -20, multiplier: 2 ** 30, shift: 2, actMin: -20, actMax: 127,
    });
    expect(reluParams(t(0.5), t(0.25, -128)).actMin).toBe(-128);
  });
  it('RELU6 clamps to [zp_in, round(6 / s_in) + zp_in]', () => {
    // 6 / f32(0.1) = 60 in float32 -> 60 - 5 = 55
    expect(relu6Params(t(0.1, -5))).toEqual({ zero: -5, six: 55 });
    // 6 / 0.01 = 600 -> clamped to 127
    expect(relu6Params(t(0.01, 0))).toEqual({ zero: 0, six: 127 });
  });
});
