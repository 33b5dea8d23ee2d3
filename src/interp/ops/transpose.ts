/**
 * TRANSPOSE (TFLM micro/kernels/transpose.cc, reference/transpose.h): output dimension i is input dimension
 * perm[i]; a pure element permutation for any dtype (int8, uint8, int16, int32, float32), up to 6 dimensions.
 */
import { fail } from '../../diagnostics.js';
import type { TransposeOp } from '../../ir/types.js';
import type { Context } from '../context.js';
import { constInts, stridesOf } from './const.js';

/** for each output element (row-major), the flat index of the input element it copies */
export function transposeIndex(inShape: readonly number[], perm: readonly number[]): Int32Array {
  const rank = inShape.length;
  if (perm.length !== rank) fail('MN205', `TRANSPOSE: permutation of length ${perm.length} for a rank-${rank} tensor`);
  const seen = new Set<number>();
  for (const p of perm) {
    if (!Number.isInteger(p) || p < 0 || p >= rank || seen.has(p)) fail('MN209', `TRANSPOSE: [${perm.join(',')}] is not a permutation of 0..${rank - 1}`);
    seen.add(p);
  }
  const inStrides = stridesOf(inShape);
  const outShape = perm.map((p) => inShape[p]!);
  const step = perm.map((p) => inStrides[p]!);
  let n = 1;
  for (const d of outShape) n *= d;
  const idx = new Int32Array(n);
  const coord = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]!++;
      off += step[d]!;
      if (coord[d]! < outShape[d]!) break;
      off -= step[d]! * outShape[d]!;
      coord[d] = 0;
    }
  }
  return idx;
}

export function transpose(op: TransposeOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== oT.dtype) fail('MN210', `TRANSPOSE ${op.index}: input is ${inT.dtype}, output ${oT.dtype}`);
  if (inT.shape.length > 6) fail('MN302', `TRANSPOSE ${op.index}: at most 6 dimensions are supported`);
  const perm = constInts(ctx, op.inputs[1]!, `TRANSPOSE ${op.index} perm`);
  const x = ctx.get(ii);
  const y = ctx.out(oi);
  const idx = transposeIndex(inT.shape, perm);
  if (idx.length !== y.length) fail('MN205', `TRANSPOSE ${op.index}: output has ${y.length} elements, expected ${idx.length}`);
  for (let i = 0; i < idx.length; i++) y[i] = x[idx[i]!]!;
}
