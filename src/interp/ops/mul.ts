/**
 * MUL int8 (TFLM micro/kernels/mul_common.cc + reference/integer_ops/mul.h):
 * out = clamp(out_zp + MultiplyByQuantizedMultiplier((x1 - zp1) * (x2 - zp2), M, shift)), with
 * M = QuantizeMultiplier((double)s1 * (double)s2 / (double)s_out) and the fused activation range.
 * Broadcasting (BroadcastMul4DSlow) reads each output element's inputs NumPy-style; the arithmetic per element
 * is the same as the flat path.
 */
import { fail } from '../../diagnostics.js';
import { mulByQuantizedMultiplier } from '../../fixed/index.js';
import { mulParams } from '../../fixed/params.js';
import type { MulOp } from '../../ir/types.js';
import type { Context } from '../context.js';
import { broadcastIndex } from './broadcast.js';

export function mul(op: MulOp, ctx: Context): void {
  const [ai, bi] = op.inputs as [number, number];
  const oi = op.outputs[0]!;
  const aT = ctx.tensor(ai), bT = ctx.tensor(bi), oT = ctx.tensor(oi);
  if (aT.dtype !== 'int8' || bT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `MUL ${op.index}: only int8 is supported`);
  const a = ctx.getInt8(ai), b = ctx.getInt8(bi);
  const y = ctx.out(oi) as Int8Array;
  const p = mulParams(aT, bT, oT, op.activation, ctx.semantics);
  const { in1Offset, in2Offset, outOffset, multiplier, shift, actMin, actMax } = p;
  const element = (x1: number, x2: number): number => {
    const r = outOffset + mulByQuantizedMultiplier((x1 + in1Offset) * (x2 + in2Offset), multiplier, shift);
    return r < actMin ? actMin : r > actMax ? actMax : r;
  };
  if (a.length === y.length && b.length === y.length) {
    for (let i = 0; i < y.length; i++) y[i] = element(a[i]!, b[i]!);
    return;
  }
  const ia = broadcastIndex(aT.shape, oT.shape), ib = broadcastIndex(bT.shape, oT.shape);
  for (let i = 0; i < y.length; i++) y[i] = element(a[ia[i]!]!, b[ib[i]!]!);
}
