import { describe, expect, it } from 'vitest';
import { GraphBuilder, randomInts, runOp } from '../build.js';

describe('ADD int8', () => {
  it('equal scales add exactly: shifted by 2^20, halved and doubled without loss', () => {
    // s1 = s2 = s_out = 0.5: input multipliers 0.5, output 2^-19; every step is exact -> x1 + x2, clamped
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [3], scale: 0.5 }), c = b.tensor({ shape: [3], scale: 0.5 }), o = b.tensor({ shape: [3], scale: 0.5 });
    expect(runOp(b, { kind: 'add', activation: 'none', inputs: [a, c], outputs: [o] }, [[100, 50, -100], [50, -100, -100]]))
      .toEqual([127, -50, -128]);
  });
  it('within one unit of the real sum for mixed scales and zero points, with broadcasting', () => {
    const s1 = Math.fround(0.0412), s2 = Math.fround(0.0177), so = Math.fround(0.051);
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [1, 2, 2, 4], scale: s1, zp: -7 }), c = b.tensor({ shape: [4], scale: s2, zp: 12 });
    const o = b.tensor({ shape: [1, 2, 2, 4], scale: so, zp: 3 });
    const x1 = randomInts(16, -128, 127, 41), x2 = randomInts(4, -128, 127, 42);
    const got = runOp(b, { kind: 'add', activation: 'none', inputs: [a, c], outputs: [o] }, [x1, x2]);
    got.forEach((q, i) => {
      const real = ((x1[i]! + 7) * s1 + (x2[i % 4]! - 12) * s2) / so + 3;
      expect(Math.abs(q - Math.max(-128, Math.min(127, real)))).toBeLessThanOrEqual(1);
    });
  });
});
