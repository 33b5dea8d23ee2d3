/**
 * QUANTIZE and DEQUANTIZE (TFLM micro/kernels/quantize_common.cc, dequantize_common.cc;
 * reference/quantize.h, requantize.h, dequantize.h):
 * - float32 -> int8/int16: AffineQuantize, zp + TfLiteRound(x / (float)scale) with the division in float32
 *   and rounding half away from zero, clamped (confirmed by MCUNet's golden input QUANTIZE);
 * - integer -> integer (int8<->uint8, int8->int8, ...): Requantize, MultiplyByQuantizedMultiplier(q - zp_in)
 *   with QuantizeMultiplier((double)s_in / (double)s_out), + zp_out, clamped. Requantize's XOR-0x80 fast path
 *   (equal scales, zero points 128 apart) gives the same bytes, so it needs no special case;
 * - DEQUANTIZE: (float)scale * (float)(q - zp) in float32 (the product of a float and a 9-bit integer is exact
 *   in double, so rounding it once to float32 matches C).
 */
import { fail } from '../../diagnostics.js';
import { clamp, mulByQuantizedMultiplier, roundHalfAway } from '../../fixed/index.js';
import { dtypeRange, requantizeMultiplier, scaleOf, zeroPointOf } from '../../fixed/params.js';
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
  const { multiplier, shift } = requantizeMultiplier(inT, oT);
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
