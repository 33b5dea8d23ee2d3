/**
 * FULLY_CONNECTED int8 (TFLM micro/kernels/fully_connected.cc + fully_connected_common.cc,
 * reference_integer_ops::FullyConnected / FullyConnectedPerChannel): input flattened to [batches, depth],
 * acc = bias[o] + sum (w + w_off) * (x - in_zp); out = requant(acc) + out_zp, clamped. TFLM at the golden
 * commit supports per-channel int8 weights (one multiplier per output unit, conv formula); per-tensor weights use
 * the float32 s_in * s_w product (see fcMultipliers). w_off is 0 for TFLM's symmetric int8 weights.
 */
import { fail } from '../../diagnostics.js';
import { clamp, mulByQuantizedMultiplier } from '../../fixed/index.js';
import { activationRange, fcMultipliers, zeroPointOf } from '../../fixed/params.js';
import { elementCount, type FullyConnectedOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function fullyConnected(op: FullyConnectedOp, ctx: Context): void {
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), fT = ctx.tensor(fi), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || fT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `FULLY_CONNECTED ${op.index}: only int8 is supported`);
  const x = ctx.getInt8(ii), w = ctx.getInt8(fi);
  const bias = bi !== undefined && bi >= 0 ? ctx.getInt32(bi) : null;
  const y = ctx.out(oi) as Int8Array;
  const [outD, depth] = fT.shape as [number, number];
  const batches = elementCount(inT.shape) / depth;
  if (!Number.isInteger(batches)) fail('MN205', `FULLY_CONNECTED ${op.index}: input of ${elementCount(inT.shape)} elements is not a multiple of depth ${depth}`);
  const inOff = -zeroPointOf(inT);
  const wOff = -zeroPointOf(fT);
  const outZp = zeroPointOf(oT);
  const [lo, hi] = activationRange(op.activation, oT);
  const qm = fcMultipliers(inT, fT, oT, outD);
  for (let b = 0; b < batches; b++) {
    for (let o = 0; o < outD; o++) {
      let acc = 0;
      const wb = o * depth, xb = b * depth;
      for (let d = 0; d < depth; d++) acc += (w[wb + d]! + wOff) * (x[xb + d]! + inOff);
      if (bias) acc += bias[o]!;
      const q = qm[o]!;
      y[b * outD + o] = clamp(mulByQuantizedMultiplier(acc | 0, q.multiplier, q.shift) + outZp, lo, hi);
    }
  }
}
