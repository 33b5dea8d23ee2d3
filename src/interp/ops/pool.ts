/**
 * AVERAGE_POOL_2D and MAX_POOL_2D int8 (TFLM reference_integer_ops pooling.h): the window is clipped to the
 * image; average divides the sum by the number of valid taps rounding half away from zero.
 */
import { fail } from '../../diagnostics.js';
import { clamp } from '../../fixed/index.js';
import { activationRange } from '../../fixed/params.js';
import { paddingBefore } from '../../ir/geometry.js';
import type { Pool2DOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function pool2d(op: Pool2DOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `${op.opName} ${op.index}: only int8 is supported`);
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array;
  const [batches, inH, inW, depth] = inT.shape as [number, number, number, number];
  const [, outH, outW] = oT.shape as [number, number, number, number];
  const padT = paddingBefore(op.padding, inH, op.filterH, op.strideH, 1, outH);
  const padL = paddingBefore(op.padding, inW, op.filterW, op.strideW, 1, outW);
  const [lo, hi] = activationRange(op.activation, oT);
  const isMax = op.kind === 'max_pool2d';
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * op.strideH - padT;
      const fy0 = Math.max(0, -iy0), fy1 = Math.min(op.filterH, inH - iy0);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * op.strideW - padL;
        const fx0 = Math.max(0, -ix0), fx1 = Math.min(op.filterW, inW - ix0);
        for (let c = 0; c < depth; c++) {
          let acc = isMax ? -128 : 0;
          let count = 0;
          for (let fy = fy0; fy < fy1; fy++) {
            for (let fx = fx0; fx < fx1; fx++) {
              const v = x[((b * inH + iy0 + fy) * inW + ix0 + fx) * depth + c]!;
              if (isMax) acc = v > acc ? v : acc;
              else acc += v;
              count++;
            }
          }
          if (!isMax) {
            if (count === 0) fail('MN209', `AVERAGE_POOL_2D ${op.index}: a window covers no input pixel`);
            const half = Math.trunc(count / 2);
            acc = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          }
          y[((b * outH + oy) * outW + ox) * depth + c] = clamp(acc, lo, hi);
        }
      }
    }
  }
}
