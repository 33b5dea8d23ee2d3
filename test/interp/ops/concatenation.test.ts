import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

describe('CONCATENATION', () => {
  it('copies bytes along the last axis even when the input params differ (as TFLM does)', () => {
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [1, 2, 2], scale: 0.5, zp: 1 }), c = b.tensor({ shape: [1, 2, 1], scale: 0.25, zp: -3 });
    const o = b.tensor({ shape: [1, 2, 3], scale: 0.1, zp: 0 });
    expect(runOp(b, { kind: 'concatenation', axis: -1, activation: 'none', inputs: [a, c], outputs: [o] }, [[1, 2, 3, 4], [9, 10]]))
      .toEqual([1, 2, 9, 3, 4, 10]);
  });
  it('axis 1 with three inputs', () => {
    const b = new GraphBuilder();
    const t = [b.tensor({ shape: [2, 1, 2], scale: 1 }), b.tensor({ shape: [2, 2, 2], scale: 1 }), b.tensor({ shape: [2, 1, 2], scale: 1 })];
    const o = b.tensor({ shape: [2, 4, 2], scale: 1 });
    expect(runOp(b, { kind: 'concatenation', axis: 1, activation: 'none', inputs: t, outputs: [o] }, [[1, 2, 3, 4], [10, 11, 12, 13, 14, 15, 16, 17], [-1, -2, -3, -4]]))
      .toEqual([1, 2, 10, 11, 12, 13, -1, -2, 3, 4, 14, 15, 16, 17, -3, -4]);
  });
  it('rejects a fused activation (TFLM requires NONE)', () => {
    const b = new GraphBuilder();
    const a = b.tensor({ shape: [2], scale: 1 }), c = b.tensor({ shape: [2], scale: 1 }), o = b.tensor({ shape: [4], scale: 1 });
    expect(() => runOp(b, { kind: 'concatenation', axis: 0, activation: 'relu', inputs: [a, c], outputs: [o] }, [[1, 2], [3, 4]])).toThrow(/MN302/);
  });
});
