/**
 * RELU and RELU6 on int8 (TFLM micro/kernels/activations.cc, activations_common.cc, activations.h).
 * - RELU requantizes: out = clamp(zp_out + MultiplyByQuantizedMultiplier(x - zp_in, M, shift)) with
 *   M = QuantizeMultiplier((double)s_in / (double)s_out), lower bound max(-128, zp_out), upper 127.
 * - RELU6 does not requantize: out = clamp(x, zp_in, six) with six = round(6 / s_in) + zp_in (clamped to int8);
 *   TFLM ignores the output tensor's scale and zero point.
 */
import { fail } from '../../diagnostics.js';
import { mulByQuantizedMultiplier } from '../../fixed/index.js';
import { relu6Params, reluParams } from '../../fixed/params.js';
import type { UnaryOp } from '../../ir/types.js';
import type { Context } from '../context.js';

function check(op: UnaryOp, ctx: Context): void {
  const inT = ctx.tensor(op.inputs[0]!), oT = ctx.tensor(op.outputs[0]!);
  if (inT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `${op.opName} ${op.index}: only int8 is supported`);
}

export function relu(op: UnaryOp, ctx: Context): void {
  check(op, ctx);
  const x = ctx.getInt8(op.inputs[0]!);
  const y = ctx.out(op.outputs[0]!) as Int8Array;
  const p = reluParams(ctx.tensor(op.inputs[0]!), ctx.tensor(op.outputs[0]!));
  for (let i = 0; i < x.length; i++) {
    const r = p.outputZeroPoint + mulByQuantizedMultiplier(x[i]! - p.inputZeroPoint, p.multiplier, p.shift);
    y[i] = r < p.actMin ? p.actMin : r > p.actMax ? p.actMax : r;
  }
}

export function relu6(op: UnaryOp, ctx: Context): void {
  check(op, ctx);
  const x = ctx.getInt8(op.inputs[0]!);
  const y = ctx.out(op.outputs[0]!) as Int8Array;
  const { zero, six } = relu6Params(ctx.tensor(op.inputs[0]!));
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v > six ? six : v < zero ? zero : v;
  }
}
