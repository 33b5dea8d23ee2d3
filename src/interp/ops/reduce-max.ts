/**
 * REDUCE_MAX on int8 (TFLM micro/kernels/reduce_common.cc EvalMaxHelper -> reference_ops::ReduceGeneric with
 * a max reducer starting from -128). Values move unchanged: TFLM requires the input and output to share scale
 * and zero point (checked by validateGraph). Axes as for MEAN (negative axes wrap, duplicates dropped).
 */
import { fail } from '../../diagnostics.js';
import type { MeanOp } from '../../ir/types.js';
import type { Context } from '../context.js';
import { constInts, stridesOf } from './const.js';
import { resolveAxes } from './mean.js';

export function reduceMax(op: MeanOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii);
  if (inT.dtype !== 'int8' || ctx.tensor(oi).dtype !== 'int8') fail('MN301', `REDUCE_MAX ${op.index}: only int8 is supported`);
  const shape = inT.shape;
  const axes = resolveAxes(shape.length, constInts(ctx, op.inputs[1]!, `REDUCE_MAX ${op.index} axis`));
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array;
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept);
  const inStrides = stridesOf(shape);
  y.fill(-128);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) {
      if (axes.includes(d)) continue;
      o += (Math.floor(i / inStrides[d]!) % shape[d]!) * keptStrides[d]!;
    }
    if (o >= y.length) fail('MN205', `REDUCE_MAX ${op.index}: output is smaller than the reduction`);
    if (x[i]! > y[o]!) y[o] = x[i]!;
  }
}
