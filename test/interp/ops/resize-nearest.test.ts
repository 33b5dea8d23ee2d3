import { describe, expect, it } from 'vitest';
import { nearestNeighborIndex } from '../../../src/interp/ops/resize-nearest.js';
import { GraphBuilder, runOp } from '../build.js';

describe('RESIZE_NEAREST_NEIGHBOR', () => {
  it('source index rules (hand-checked)', () => {
    const idx = (inS: number, outS: number, ac: boolean, hp: boolean): number[] =>
      Array.from({ length: outS }, (_, o) => nearestNeighborIndex(o, inS, outS, ac, hp));
    expect(idx(2, 4, false, false)).toEqual([0, 0, 1, 1]); // floor(o * 0.5)
    expect(idx(3, 2, false, false)).toEqual([0, 1]); // floor(o * 1.5)
    expect(idx(2, 3, true, false)).toEqual([0, 1, 1]); // round(o * 0.5): 0.5 rounds away to 1
    expect(idx(2, 4, false, true)).toEqual([0, 0, 1, 1]); // floor((o + 0.5) * 0.5)
    expect(idx(3, 2, false, true)).toEqual([0, 2]); // floor(0.75), floor(2.25)
    expect(idx(3, 5, true, true)).toEqual([0, 1, 1, 2, 2]); // round((o + 0.5) * 0.5), capped at 2
    expect(idx(4, 1, true, false)).toEqual([0]); // align_corners with one output falls back to in / out
  });
  it('gathers whole pixels (2x2 -> 4x4 upsampling, 2 channels)', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 2, 2, 2], scale: 1 });
    const size = b.tensor({ shape: [2], dtype: 'int32', data: [4, 4] });
    const y = b.tensor({ shape: [1, 4, 4, 2], scale: 1 });
    const got = runOp(b, { kind: 'resize_nearest_neighbor', alignCorners: false, halfPixelCenters: false, inputs: [x, size], outputs: [y] },
      [[1, -1, 2, -2, 3, -3, 4, -4]]);
    const px = (v: number): number[] => [v, -v];
    const row = (a: number, c: number): number[] => [...px(a), ...px(a), ...px(c), ...px(c)];
    expect(got).toEqual([...row(1, 2), ...row(1, 2), ...row(3, 4), ...row(3, 4)]);
  });
});
