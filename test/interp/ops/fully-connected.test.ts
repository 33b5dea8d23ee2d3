import { describe, expect, it } from 'vitest';
import { mbqmModel, quantizeMultiplierModel } from '../../fixed/bigint-models.js';
import { GraphBuilder, randomInts, runOp } from '../build.js';

const f = Math.fround;

describe('FULLY_CONNECTED int8', () => {
  it('hand-checked: acc = bias + sum w * (x - zp_in), M = 1', () => {
    // s_in 0.5, s_w 0.5 -> product 0.25 = s_out: M = 1
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 3], scale: 0.5, zp: 1 });
    const w = b.tensor({ shape: [2, 3], scale: 0.5, data: [1, 2, 3, -1, 0, 1] });
    const bias = b.tensor({ shape: [2], dtype: 'int32', scale: 0.25, data: [10, -10] });
    const y = b.tensor({ shape: [1, 2], scale: 0.25, zp: -5 });
    // x - 1 = [1, 2, -3]: row 0: 1 + 4 - 9 = -4 + 10 = 6 -> 1; row 1: -1 + 0 - 3 = -4 - 10 = -14 -> -19
    expect(runOp(b, { kind: 'fully_connected', activation: 'none', keepNumDims: false, inputs: [x, w, bias], outputs: [y] }, [[2, 3, -2]]))
      .toEqual([1, -19]);
  });
  it('per-tensor weights: multiplier from the float32 product s_in * s_w; batches of a flattened input', () => {
    const si = f(0.0156569127), sw = f(0.00472028926), so = f(0.0146362185);
    const depth = 16, units = 3, batches = 2;
    const xv = randomInts(batches * depth, -128, 127, 21), wv = randomInts(units * depth, -127, 127, 22), bv = randomInts(units, -2000, 2000, 23);
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [batches, 1, 1, depth], scale: si, zp: -128 });
    const w = b.tensor({ shape: [units, depth], scale: sw, data: wv });
    const bias = b.tensor({ shape: [units], dtype: 'int32', scale: si * sw, data: bv });
    const y = b.tensor({ shape: [batches, units], scale: so, zp: -5 });
    const got = runOp(b, { kind: 'fully_connected', activation: 'relu', keepNumDims: false, inputs: [x, w, bias], outputs: [y] }, [xv]);
    const q = quantizeMultiplierModel(f(si * sw) / so);
    const want: number[] = [];
    for (let bt = 0; bt < batches; bt++) for (let u = 0; u < units; u++) {
      let acc = bv[u]!;
      for (let d = 0; d < depth; d++) acc += wv[u * depth + d]! * (xv[bt * depth + d]! + 128);
      want.push(Math.min(127, Math.max(-5, mbqmModel(acc, q.multiplier, q.shift) - 5)));
    }
    expect(got).toEqual(want);
  });
  it('per-channel weights use one multiplier per output unit', () => {
    const si = f(0.03), so = f(0.07), sw = [f(0.001), f(0.004)];
    const xv = randomInts(8, -128, 127, 31), wv = randomInts(16, -127, 127, 32);
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 8], scale: si, zp: 2 });
    const w = b.tensor({ shape: [2, 8], scale: sw, data: wv });
    const y = b.tensor({ shape: [1, 2], scale: so, zp: 0 });
    const got = runOp(b, { kind: 'fully_connected', activation: 'none', keepNumDims: false, inputs: [x, w, -1], outputs: [y] }, [xv]);
    const want = [0, 1].map((u) => {
      let acc = 0;
      for (let d = 0; d < 8; d++) acc += wv[u * 8 + d]! * (xv[d]! - 2);
      const q = quantizeMultiplierModel(si * sw[u]! / so);
      return Math.min(127, Math.max(-128, mbqmModel(acc, q.multiplier, q.shift)));
    });
    expect(got).toEqual(want);
  });
});
