import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src/ir/types.js';
import { GraphBuilder, randomInts, runOp } from '../build.js';

function transposeRun(shape: number[], perm: number[], x: number[], dtype: DType = 'int8'): number[] {
  const b = new GraphBuilder();
  const i = b.tensor({ shape, dtype, scale: dtype === 'float32' ? undefined : 1 });
  const p = b.tensor({ shape: [perm.length], dtype: 'int32', data: perm });
  const o = b.tensor({ shape: perm.map((k) => shape[k]!), dtype, scale: dtype === 'float32' ? undefined : 1 });
  return runOp(b, { kind: 'transpose', inputs: [i, p], outputs: [o] }, [x]);
}

describe('TRANSPOSE', () => {
  it('hand-checked 3-D permutation', () => {
    // in [1,2,3] = [[1,2,3],[4,5,6]]; perm [2,0,1] -> out[k][0][i] = in[0][i][k]
    expect(transposeRun([1, 2, 3], [2, 0, 1], [1, 2, 3, 4, 5, 6])).toEqual([1, 4, 2, 5, 3, 6]);
  });
  it('NHWC -> NCHW as in MCUNet, uint8 and float32 too', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8]; // [1,2,2,2]: (h,w,c)
    expect(transposeRun([1, 2, 2, 2], [0, 3, 1, 2], x)).toEqual([1, 3, 5, 7, 2, 4, 6, 8]);
    expect(transposeRun([1, 2, 2, 2], [0, 3, 1, 2], x, 'uint8')).toEqual([1, 3, 5, 7, 2, 4, 6, 8]);
    expect(transposeRun([2, 2], [1, 0], [0.5, -1.25, 3, 4], 'float32')).toEqual([0.5, 3, -1.25, 4]);
  });
  it('5-D permutation equals a naive index computation', () => {
    const shape = [2, 3, 1, 4, 2], perm = [4, 1, 3, 0, 2];
    const n = shape.reduce((a, v) => a * v, 1);
    const x = randomInts(n, -128, 127, 13);
    const got = transposeRun(shape, perm, x);
    const outShape = perm.map((k) => shape[k]!);
    const want: number[] = [];
    for (let a = 0; a < outShape[0]!; a++) for (let b = 0; b < outShape[1]!; b++) for (let c = 0; c < outShape[2]!; c++)
      for (let d = 0; d < outShape[3]!; d++) for (let e = 0; e < outShape[4]!; e++) {
        const o = [a, b, c, d, e];
        const idx = [0, 0, 0, 0, 0];
        perm.forEach((k, j) => { idx[k] = o[j]!; });
        let flat = 0;
        for (let j = 0; j < 5; j++) flat = flat * shape[j]! + idx[j]!;
        want.push(x[flat]!);
      }
    expect(got).toEqual(want);
  });
  it('rejects a non-permutation', () => {
    expect(() => transposeRun([2, 2], [0, 0], [1, 2, 3, 4])).toThrow(/MN209/);
  });
});
