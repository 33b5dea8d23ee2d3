/**
 * RESIZE_NEAREST_NEIGHBOR (TFLM micro/kernels/resize_nearest_neighbor.cc,
 * reference/resize_nearest_neighbor.h): a byte gather over height and width. For output coordinate o,
 *   scale = (alignCorners && out > 1) ? (in - 1) / (out - 1) : in / out            (float32)
 *   src = alignCorners ? round((o + offset) * scale) : floor((o + offset) * scale)  (offset 0.5 with
 *         halfPixelCenters, else 0; float32 arithmetic; round is half away from zero)
 *   src = min(src, in - 1), and with halfPixelCenters also max(src, 0).
 */
import { fail } from '../../diagnostics.js';
import { roundHalfAway } from '../../fixed/index.js';
import type { ResizeNearestOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function nearestNeighborIndex(o: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const f = Math.fround;
  const scale = alignCorners && outSize > 1 ? f((inSize - 1) / f(outSize - 1)) : f(inSize / f(outSize));
  const offset = halfPixelCenters ? 0.5 : 0;
  const pos = f(f(o + offset) * scale);
  let v = Math.min(alignCorners ? roundHalfAway(pos) : Math.floor(pos), inSize - 1);
  if (halfPixelCenters) v = Math.max(0, v);
  return v;
}

export function resizeNearestNeighbor(op: ResizeNearestOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== oT.dtype) fail('MN210', `RESIZE_NEAREST_NEIGHBOR ${op.index}: input is ${inT.dtype}, output ${oT.dtype}`);
  if (inT.shape.length > 4 || oT.shape.length > 4) fail('MN302', `RESIZE_NEAREST_NEIGHBOR ${op.index}: at most 4 dimensions`);
  const ext = (s: readonly number[]): number[] => [...Array(4 - s.length).fill(1), ...s] as number[];
  const [batches, inH, inW, depth] = ext(inT.shape) as [number, number, number, number];
  const [ob, outH, outW, od] = ext(oT.shape) as [number, number, number, number];
  if (ob !== batches || od !== depth) fail('MN205', `RESIZE_NEAREST_NEIGHBOR ${op.index}: batch/depth of input and output differ`);
  const x = ctx.get(ii);
  const y = ctx.out(oi);
  const ys = Array.from({ length: outH }, (_, o) => nearestNeighborIndex(o, inH, outH, op.alignCorners, op.halfPixelCenters));
  const xs = Array.from({ length: outW }, (_, o) => nearestNeighborIndex(o, inW, outW, op.alignCorners, op.halfPixelCenters));
  let dst = 0;
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const src = ((b * inH + ys[oy]!) * inW + xs[ox]!) * depth;
        y.set(x.subarray(src, src + depth) as never, dst);
        dst += depth;
      }
    }
  }
}
