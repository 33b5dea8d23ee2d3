import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

describe('RELU / RELU6 int8', () => {
  it('RELU requantizes then clamps at zp_out', () => {
    // s 0.5 -> 0.25 doubles (x - 4); then - 20, clamped to [-20, 127]
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [5], scale: 0.5, zp: 4 }), y = b.tensor({ shape: [5], scale: 0.25, zp: -20 });
    expect(runOp(b, { kind: 'relu', inputs: [x], outputs: [y] }, [[4, 6, 2, -128, 127]])).toEqual([-20, -16, -20, -20, 127]);
  });
  it('RELU6 clamps the raw input to [zp_in, six] and ignores the output params', () => {
    // six = round(6 / 0.1) - 5 = 55
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [6], scale: 0.1, zp: -5 }), y = b.tensor({ shape: [6], scale: 0.7, zp: 30 });
    expect(runOp(b, { kind: 'relu6', inputs: [x], outputs: [y] }, [[-10, -5, 0, 55, 60, 127]])).toEqual([-5, -5, 0, 55, 55, 55]);
  });
});
