import { describe, expect, it } from 'vitest';
import { GraphBuilder, randomInts, runOp } from '../build.js';

function softmaxGraph(shape: number[], si: number, zi: number, out: 'int8' | 'int16' = 'int8') {
  const b = new GraphBuilder();
  const x = b.tensor({ shape, scale: si, zp: zi });
  const y = out === 'int8' ? b.tensor({ shape, scale: 1 / 256, zp: -128 }) : b.tensor({ shape, dtype: 'int16', scale: 1 / 65536, zp: -32768 });
  return { b, op: { kind: 'softmax' as const, beta: 1, inputs: [x], outputs: [y] } };
}

function floatSoftmax(row: number[], scale: number): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp((v - m) * scale));
  const s = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / s);
}

describe('SOFTMAX int8', () => {
  it('two classes one real unit apart: sigmoid(1) = 0.731 -> 187 - 128 = 59, 0.269 -> 69 - 128 = -59', () => {
    const { b, op } = softmaxGraph([1, 2], 1 / 16, 0);
    expect(runOp(b, op, [[0, -16]])).toEqual([59, -59]);
  });
  it('equal logits: 1/4 each -> 64 - 128 = -64 (int8) and 16384 - 32768 (int16)', () => {
    const a = softmaxGraph([1, 4], 0.1, 0);
    expect(runOp(a.b, a.op, [[5, 5, 5, 5]])).toEqual([-64, -64, -64, -64]);
    const c = softmaxGraph([1, 4], 0.1, 0, 'int16');
    expect(runOp(c.b, c.op, [[5, 5, 5, 5]])).toEqual([-16384, -16384, -16384, -16384]);
  });
  it('differences below diffMin are dropped and output the minimum; a lone survivor saturates at 127', () => {
    // scale 1/16: diffMin = -248; 127 - (-128) = 255 > 248
    const { b, op } = softmaxGraph([1, 2], 1 / 16, 0);
    expect(runOp(b, op, [[127, -128]])).toEqual([127, -128]);
  });
  it('rows of the last dimension are independent and within one unit of the float softmax', () => {
    const scale = Math.fround(0.0744892);
    const x = randomInts(3 * 10, -128, 127, 5);
    const { b, op } = softmaxGraph([3, 10], scale, -12);
    const got = runOp(b, op, [x]);
    for (let r = 0; r < 3; r++) {
      const p = floatSoftmax(x.slice(r * 10, r * 10 + 10), scale);
      p.forEach((v, c) => expect(Math.abs(got[r * 10 + c]! - Math.min(127, v * 256 - 128))).toBeLessThanOrEqual(1));
    }
  });
  it('int16 output is within a few units of the float softmax', () => {
    const scale = Math.fround(0.05);
    const x = randomInts(16, -128, 127, 9);
    const { b, op } = softmaxGraph([1, 16], scale, 0, 'int16');
    const got = runOp(b, op, [x]);
    floatSoftmax(x, scale).forEach((v, c) => expect(Math.abs(got[c]! - Math.min(32767, v * 65536 - 32768))).toBeLessThanOrEqual(4));
  });
  it('rejects an int8 output that is not scale 1/256, zero point -128', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 2], scale: 0.1 }), y = b.tensor({ shape: [1, 2], scale: 0.1, zp: -128 });
    expect(() => runOp(b, { kind: 'softmax', beta: 1, inputs: [x], outputs: [y] }, [[1, 2]])).toThrow(/MN302/);
  });
});
