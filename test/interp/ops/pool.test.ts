import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

function pool(kind: 'average_pool2d' | 'max_pool2d', x: number[], padding: 'same' | 'valid', act: 'none' | 'relu' = 'none'): number[] {
  const b = new GraphBuilder();
  const i = b.tensor({ shape: [1, 2, 2, 1], scale: 1 }), o = b.tensor({ shape: [1, 2, 2, 1], scale: 1 });
  return runOp(b, { kind, padding, strideH: 1, strideW: 1, filterH: 2, filterW: 2, activation: act, inputs: [i], outputs: [o] }, [x]);
}

describe('AVERAGE_POOL_2D / MAX_POOL_2D int8', () => {
  it('averages only the in-image taps, rounding half away from zero', () => {
    // 2x2 SAME on 2x2: padding goes bottom/right. (0,0): 11/4 = 2.75 -> 3; (0,1): 7/2 = 3.5 -> 4;
    // (1,0): 8/2 = 4; (1,1): 5
    expect(pool('average_pool2d', [1, 2, 3, 5], 'same')).toEqual([3, 4, 4, 5]);
    expect(pool('average_pool2d', [-1, -2, -3, -5], 'same')).toEqual([-3, -4, -4, -5]);
    expect(pool('average_pool2d', [-1, -2, -3, -5], 'same', 'relu')).toEqual([0, 0, 0, 0]);
  });
  it('max over the in-image taps', () => {
    expect(pool('max_pool2d', [1, 7, 3, 5], 'same')).toEqual([7, 7, 5, 5]);
    expect(pool('max_pool2d', [-128, -128, -128, -128], 'same')).toEqual([-128, -128, -128, -128]);
  });
});
