/**
 * QUANTIZE and DEQUANTIZE (TFLM quantize.cc / dequantize.cc):
 * - float32 -> int8/uint8/int16: zp + round(x / scale) with the division in float32, clamped;
 * - integer -> integer (int8<->uint8, int8->int8): requantize through MultiplyByQuantizedMultiplier with
 *   the effective scale (double)s_in / (double)s_out;
 * - DEQUANTIZE: (float)((double)scale * (q - zp)).
 */
import { fail } from '../../diagnostics.js';
import { clamp, mulByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../../fixed/index.js';
import { dtypeRange, scaleOf, zeroPointOf } from '../../fixed/params.js';
import type { UnaryOp } from '../../ir/types.js';
import type { Context } from '../context.js';

const integer = new Set(['int8', 'uint8', 'int16']);

export function quantize(op: UnaryOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (!integer.has(oT.dtype) || !(integer.has(inT.dtype) || inT.dtype === 'float32')) {
    fail('MN301', `QUANTIZE ${op.index}: ${inT.dtype} -> ${oT.dtype} is not supported`);
  }
  const x = ctx.get(ii), y = ctx.out(oi);
  const [lo, hi] = dtypeRange(oT.dtype);
  const so = scaleOf(oT), zo = zeroPointOf(oT);
  if (inT.dtype === 'float32') {
    for (let i = 0; i < x.length; i++) y[i] = clamp(roundHalfAway(Math.fround(x[i]! / so)) + zo, lo, hi);
    return;
  }
  const { multiplier, shift } = quantizeMultiplier(scaleOf(inT) / so);
  const zi = zeroPointOf(inT);
  for (let i = 0; i < x.length; i++) y[i] = clamp(mulByQuantizedMultiplier(x[i]! - zi, multiplier, shift) + zo, lo, hi);
}

export function dequantize(op: UnaryOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (!integer.has(inT.dtype) || oT.dtype !== 'float32') fail('MN301', `DEQUANTIZE ${op.index}: ${inT.dtype} -> ${oT.dtype} is not supported`);
  const x = ctx.get(ii), y = ctx.out(oi);
  const s = scaleOf(inT), z = zeroPointOf(inT);
  for (let i = 0; i < x.length; i++) y[i] = Math.fround(s * (x[i]! - z));
}
