import { describe, expect, it } from 'vitest';
import { GraphBuilder, randomInts, runOp } from '../build.js';

describe('MUL int8', () => {
  it('M = 1: out = x1 * x2, clamped', () => {
    // 0.5 * 0.25 / 0.125 = 1
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [4], scale: 0.5 }), c = b.tensor({ shape: [4], scale: 0.25 }), o = b.tensor({ shape: [4], scale: 0.125 });
    expect(runOp(b, { kind: 'mul', activation: 'none', inputs: [a, c], outputs: [o] }, [[2, -3, 10, 20], [3, 4, -5, 10]]))
      .toEqual([6, -12, -50, 127]);
  });
  it('M = 0.5 rounds ties toward +infinity (srdhm), with zero points', () => {
    // QuantizeMultiplier(0.5) = (2^30, 0); MultiplyByQuantizedMultiplier(p, 2^30, 0) = round(p / 2), ties up:
    // products (x1 - 1) * (x2 + 1): 3 * 1 = 3 -> 2, -3 -> -1, 5 -> 3, -1 * 5 = -5 -> -2
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [4], scale: 0.5, zp: 1 }), c = b.tensor({ shape: [4], scale: 0.25, zp: -1 }), o = b.tensor({ shape: [4], scale: 0.25 });
    expect(runOp(b, { kind: 'mul', activation: 'none', inputs: [a, c], outputs: [o] }, [[4, -2, 6, 0], [0, 0, 0, 4]]))
      .toEqual([2, -1, 3, -2]);
  });
  it('broadcasts a per-channel [1,1,1,C] gate over [1,H,W,C] (squeeze-and-excite) and applies RELU6', () => {
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [1, 2, 2, 2], scale: 0.5 }), g = b.tensor({ shape: [1, 1, 1, 2], scale: 0.25 });
    const o = b.tensor({ shape: [1, 2, 2, 2], scale: 0.125, zp: -10 });
    // M = 1; products + zp -10, clamped to [-10, -10 + 48]
    const x = [1, 2, 3, 4, 5, 6, -7, 8], gate = [2, 10];
    const want = x.map((v, i) => Math.min(38, Math.max(-10, v * gate[i % 2]! - 10)));
    expect(runOp(b, { kind: 'mul', activation: 'relu6', inputs: [a, g], outputs: [o] }, [x, gate])).toEqual(want);
    expect(want).toEqual([-8, 10, -4, 30, 0, 38, -10, 38]);
  });
  it('stays within one unit of the real product on random data', () => {
    const b = new GraphBuilder();
    const s1 = Math.fround(0.0371), s2 = Math.fround(0.0123), so = Math.fround(0.00517);
    const a = b.tensor({ shape: [64], scale: s1, zp: 3 }), c = b.tensor({ shape: [64], scale: s2, zp: -9 }), o = b.tensor({ shape: [64], scale: so, zp: 2 });
    const x1 = randomInts(64, -128, 127, 7), x2 = randomInts(64, -128, 127, 8);
    const got = runOp(b, { kind: 'mul', activation: 'none', inputs: [a, c], outputs: [o] }, [x1, x2]);
    got.forEach((q, i) => {
      const real = ((x1[i]! - 3) * s1 * (x2[i]! - -9) * s2) / so + 2;
      expect(Math.abs(q - Math.min(127, Math.max(-128, real)))).toBeLessThanOrEqual(1);
    });
  });
});
