import { describe, expect, it } from 'vitest';
import { GraphBuilder, randomInts, runOp } from '../build.js';

function meanGraph(inShape: number[], outShape: number[], axes: number[], keepDims: boolean, si: number, zi: number, so: number, zo: number) {
  const b = new GraphBuilder();
  const x = b.tensor({ shape: inShape, scale: si, zp: zi });
  const ax = b.tensor({ shape: [axes.length], dtype: 'int32', data: axes });
  const y = b.tensor({ shape: outShape, scale: so, zp: zo });
  return { b, op: { kind: 'mean' as const, keepDims, inputs: [x, ax], outputs: [y] } };
}

describe('MEAN int8', () => {
  it('axes {1,2} with equal params still requantizes: the folded multiplier double-rounds', () => {
    // s_in = s_out = 1: M = (2^30, 1); N = 4 -> s = 2, M' = 2^30, shift -1:
    // out = rdbpot(srdhm(sum, 2^30), 1) = rdbpot(round_half_up(sum / 2), 1)
    // channel 0: sum 5 -> 3 -> 2 (true mean 1.25); channel 1: sum -5 -> -2 -> -1 (true mean -1.25)
    const { b, op } = meanGraph([1, 2, 2, 2], [1, 1, 1, 2], [1, 2], true, 1, 0, 1, 0);
    expect(runOp(b, op, [[1, -1, 1, -1, 1, -1, 2, -2]])).toEqual([2, -1]);
  });
  it('subtracts zp_in * N and adds zp_out', () => {
    // zp 3 in and out: sum 17 - 12 = 5 -> 2 -> + 3 = 5
    const { b, op } = meanGraph([1, 2, 2, 1], [1, 1, 1, 1], [2, 1], true, 1, 3, 1, 3);
    expect(runOp(b, op, [[4, 4, 4, 5]])).toEqual([5]);
  });
  it('negative axis, keepDims false, N = 3', () => {
    // M' = (715827882, 0): 6 * 0.333333333 = 1.99999999 -> 2; 16 / 3 = 5.33 -> 5; -16 / 3 -> -5
    const { b, op } = meanGraph([3, 3], [3], [-1], false, 1, 0, 1, 0);
    expect(runOp(b, op, [[1, 2, 3, 4, 5, 7, -4, -5, -7]])).toEqual([2, 5, -5]);
  });
  it('reduces the MCUNet way: axis 3 then axis 2 of a transposed tensor', () => {
    const x = randomInts(2 * 3 * 4, -128, 127, 3);
    const { b, op } = meanGraph([1, 2, 3, 4], [1, 2, 3], [3], false, 0.05, 6, 0.05, 6);
    const got = runOp(b, op, [x]);
    for (let i = 0; i < 6; i++) {
      const mean = x.slice(i * 4, i * 4 + 4).reduce((s, v) => s + v, 0) / 4;
      expect(Math.abs(got[i]! - mean)).toBeLessThanOrEqual(1);
    }
  });
  it('duplicate axes count once; rescaling between different scales stays within one unit', () => {
    const x = randomInts(1 * 7 * 7 * 5, -128, 127, 11);
    const si = Math.fround(0.0235294122), so = Math.fround(0.0190778319);
    const { b, op } = meanGraph([1, 7, 7, 5], [1, 1, 1, 5], [1, 2, 1], true, si, -128, so, -128);
    const got = runOp(b, op, [x]);
    for (let c = 0; c < 5; c++) {
      let s = 0;
      for (let p = 0; p < 49; p++) s += x[p * 5 + c]! + 128;
      const real = ((s / 49) * si) / so - 128;
      expect(Math.abs(got[c]! - Math.min(127, real))).toBeLessThanOrEqual(1);
    }
  });
});
