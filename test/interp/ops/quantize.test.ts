import { describe, expect, it } from 'vitest';
import { GraphBuilder, runOp } from '../build.js';

describe('QUANTIZE / DEQUANTIZE', () => {
  it('float32 -> int8: zp + round(x / s), ties away from zero, clamped', () => {
    // x / 0.5 = [0.5, -0.5, 1.5, -1.5, 200, -200] -> [1, -1, 2, -2, 200, -200], - 1, clamped
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [6], dtype: 'float32' }), y = b.tensor({ shape: [6], scale: 0.5, zp: -1 });
    expect(runOp(b, { kind: 'quantize', inputs: [x], outputs: [y] }, [[0.25, -0.25, 0.75, -0.75, 100, -100]]))
      .toEqual([0, -2, 1, -3, 127, -128]);
  });
  it('uint8 -> int8 with the same scale shifts by 128', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [4], dtype: 'uint8', scale: 0.0078431377, zp: 127 });
    const y = b.tensor({ shape: [4], scale: 0.0078431377, zp: -1 });
    expect(runOp(b, { kind: 'quantize', inputs: [x], outputs: [y] }, [[0, 127, 128, 255]])).toEqual([-128, -1, 0, 127]);
  });
  it('int8 -> uint8 requantizes with s_in / s_out', () => {
    // 0.5 / 0.25 = 2: 2x + 128
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [3], scale: 0.5 }), y = b.tensor({ shape: [3], dtype: 'uint8', scale: 0.25, zp: 128 });
    expect(runOp(b, { kind: 'quantize', inputs: [x], outputs: [y] }, [[1, -1, 100]])).toEqual([130, 126, 255]);
  });
  it('dequantize: float32 s * (q - zp)', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [3], scale: 0.1, zp: 3 }), y = b.tensor({ shape: [3], dtype: 'float32' });
    expect(runOp(b, { kind: 'dequantize', inputs: [x], outputs: [y] }, [[3, 13, -7]]))
      .toEqual([0, Math.fround(Math.fround(0.1) * 10), Math.fround(Math.fround(0.1) * -10)]);
  });
});
