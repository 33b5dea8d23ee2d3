/**
 * MEAN on int8 (TFLM micro/kernels/reduce_common.cc EvalMeanHelper -> EvalIntegerMean -> QuantizedMeanOrSum,
 * reference/reduce.h). The axes come from the constant axis tensor (negative axes wrap, duplicates are
 * dropped: ResolveAxis). At the golden commit every int8 MEAN takes the same path, whatever the axes and even
 * when input and output share scale and zero point (older TFLM had a truncating "same params" shortcut and a
 * special 4-D axes {1,2} kernel; the golden tensors of MCUNet and MobileNetV2 rule both out):
 *   sum = int32 sum of the raw int8 values over the axes;  N = number of values summed
 *   (M', shift') = meanFoldedMultiplier(QuantizeMultiplier(s_in / s_out), N)
 *   out = clamp(MultiplyByQuantizedMultiplier(sum - zp_in * N, M', shift') + zp_out, -128, 127)
 */
import { fail } from '../../diagnostics.js';
import { mulByQuantizedMultiplier } from '../../fixed/index.js';
import { meanFoldedMultiplier, meanMultiplier, zeroPointOf } from '../../fixed/params.js';
import type { MeanOp } from '../../ir/types.js';
import type { Context } from '../context.js';
import { constInts, stridesOf } from './const.js';

/** tflite::reference_ops::ResolveAxis: wrap negative axes, drop duplicates, keep first-seen order */
export function resolveAxes(rank: number, axes: readonly number[]): number[] {
  const out: number[] = [];
  for (const a of axes) {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) fail('MN209', `MEAN: axis ${a} is out of range for rank ${rank}`);
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * Sums of `x` over `axes`: one int32 (wrapping) sum per element of the reduced shape (row-major, kept
 * dimensions in order), and the number N of input elements per sum.
 */
export function reduceSums(x: ArrayLike<number>, shape: readonly number[], axes: readonly number[]): { sums: Int32Array; count: number } {
  const rank = shape.length;
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const keptShape = shape.map((d, i) => (reduced[i] ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  const outStride = shape.map((_, i) => (reduced[i] ? 0 : keptStrides[i]!));
  let outCount = 1, count = 1;
  for (let i = 0; i < rank; i++) {
    if (reduced[i]) count *= shape[i]!;
    else outCount *= shape[i]!;
  }
  const sums = new Int32Array(outCount);
  if (x.length === 0) return { sums, count };
  // iterate the input in row-major order, with the innermost dimension unrolled
  const inner = rank > 0 ? shape[rank - 1]! : 1;
  const innerStride = rank > 0 ? outStride[rank - 1]! : 0;
  const coord = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let base = 0;
  for (let i = 0; i < x.length; i += inner) {
    for (let k = 0; k < inner; k++) sums[base + k * innerStride] = (sums[base + k * innerStride]! + x[i + k]!) | 0;
    for (let d = rank - 2; d >= 0; d--) {
      coord[d]!++;
      base += outStride[d]!;
      if (coord[d]! < shape[d]!) break;
      base -= outStride[d]! * shape[d]!;
      coord[d] = 0;
    }
  }
  return { sums, count };
}

export function mean(op: MeanOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `MEAN ${op.index}: only int8 is supported`);
  const axes = resolveAxes(inT.shape.length, constInts(ctx, op.inputs[1]!, `MEAN ${op.index} axis`));
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array;
  const { sums, count } = reduceSums(x, inT.shape, axes);
  if (sums.length !== y.length) fail('MN205', `MEAN ${op.index}: output has ${y.length} elements, the reduction ${sums.length}`);
  if (count === 0) return;
  const { multiplier, shift } = meanFoldedMultiplier(meanMultiplier(inT, oT), count);
  const zin = zeroPointOf(inT), zout = zeroPointOf(oT);
  const correction = Math.imul(zin, count);
  for (let i = 0; i < y.length; i++) {
    const r = mulByQuantizedMultiplier((sums[i]! - correction) | 0, multiplier, shift) + zout;
    y[i] = r < -128 ? -128 : r > 127 ? 127 : r;
  }
}
