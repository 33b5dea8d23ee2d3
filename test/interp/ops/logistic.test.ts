import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

const all = Array.from({ length: 256 }, (_, i) => i - 128);

describe('LOGISTIC int8', () => {
  it('hand-checked values at input scale 1/16', () => {
    // radius = 15 * 2^27 / 2^24 = 120; sigmoid(0) = 0.5 -> 128 - 128 = 0; sigmoid(1) * 256 = 187.15 -> 59
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [7], scale: 1 / 16 }), y = b.tensor({ shape: [7], scale: 1 / 256, zp: -128 });
    expect(runOp(b, { kind: 'logistic', inputs: [x], outputs: [y] }, [[0, 16, -16, 119, 120, -119, -120]]))
      .toEqual([0, 59, -59, 127, 127, -128, -128]);
  });
  it('every input is within one unit of 256 * sigmoid(x) - 128', () => {
    const s = Math.fround(0.0531), zp = 7;
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [256], scale: s, zp }), y = b.tensor({ shape: [256], scale: 1 / 256, zp: -128 });
    const got = runOp(b, { kind: 'logistic', inputs: [x], outputs: [y] }, [all]);
    got.forEach((q, i) => {
      const real = 256 / (1 + Math.exp(-(all[i]! - zp) * s)) - 128;
      expect(Math.abs(q - Math.min(127, real))).toBeLessThanOrEqual(1);
    });
  });
});
