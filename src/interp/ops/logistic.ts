/**
 * LOGISTIC int8 (TFLM micro/kernels/logistic_common.cc + reference/integer_ops/logistic.h). With
 * v = x - zp_in: v <= -radius gives -128, v >= radius gives 127; otherwise
 *   q4 = MultiplyByQuantizedMultiplier(v, M, leftShift)    (a Q4.27 value)
 *   out = clamp(RoundingDivideByPOT(gemmlowp::logistic(q4), 23) - 128)
 * The output is read as scale 1/256, zero point -128 whatever the output tensor says (TFLM checks the zero point).
 */
import { fail } from '../../diagnostics.js';
import { logisticFixed } from '../../fixed/gemmlowp.js';
import { mulByQuantizedMultiplier, rdbpot } from '../../fixed/index.js';
import { LOGISTIC_INPUT_INTEGER_BITS, logisticParams, zeroPointOf, type LogisticParams } from '../../fixed/params.js';
import type { UnaryOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function logisticElement(p: LogisticParams, q: number): number {
  const v = q - p.inputZeroPoint;
  if (v <= -p.inputRangeRadius) return -128;
  if (v >= p.inputRangeRadius) return 127;
  const q4 = mulByQuantizedMultiplier(v, p.inputMultiplier, p.inputLeftShift);
  const r = rdbpot(logisticFixed(q4, LOGISTIC_INPUT_INTEGER_BITS), 31 - 8) - 128;
  return r < -128 ? -128 : r > 127 ? 127 : r;
}

export function logistic(op: UnaryOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `LOGISTIC ${op.index}: only int8 is supported`);
  if (zeroPointOf(oT) !== -128) fail('MN302', `LOGISTIC ${op.index}: int8 output must have zero point -128`);
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array;
  const p = logisticParams(inT);
  // only 256 possible inputs: tabulate
  const table = new Int8Array(256);
  for (let q = -128; q < 128; q++) table[q + 128] = logisticElement(p, q);
  for (let i = 0; i < x.length; i++) y[i] = table[x[i]! + 128]!;
}
