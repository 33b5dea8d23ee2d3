/**
 * SOFTMAX with int8 input (TFLM micro/kernels/softmax.cc + softmax_common.cc, reference/softmax.h), int8
 * output (scale 1/256, zero point -128) or int16 output (scale 1/65536, zero point -32768). Per row of the
 * last dimension:
 *   diff = x - max(row); rows entries with diff < diffMin contribute nothing and output the dtype minimum;
 *   scaled = MultiplyByQuantizedMultiplierGreaterThanOne(diff, M, leftShift)        (a Q5.26 value)
 *   e = exp_on_negative_values(scaled)                                             (Q0.31)
 *   sum = sum of Rescale<12>(e)                                                    (Q12.19, wrapping add)
 *   (recip, bitsOverUnit) = GetReciprocal(sum, 12)
 *   out = RoundingDivideByPOT(srdhm(recip, e), bitsOverUnit + 31 - outBits) + dtype minimum, clamped.
 */
import { fail } from '../../diagnostics.js';
import { expOnNegativeValues, getReciprocal, rescale } from '../../fixed/gemmlowp.js';
import { mulByQuantizedMultiplierGreaterThanOne, rdbpot, srdhm } from '../../fixed/index.js';
import { SOFTMAX_ACCUMULATION_INTEGER_BITS, SOFTMAX_SCALED_DIFF_INTEGER_BITS, scaleOf, softmaxParams, type SoftmaxParams } from '../../fixed/params.js';
import type { SoftmaxOp } from '../../ir/types.js';
import type { Context } from '../context.js';

/** One row of the int8 softmax into `out` (Int8Array or Int16Array), exactly as reference_ops::Softmax. */
export function softmaxRow(
  p: SoftmaxParams, x: Int8Array, xOff: number, depth: number, out: Int8Array | Int16Array, outBits: 8 | 16,
): void {
  const outMin = outBits === 8 ? -128 : -32768;
  const outMax = outBits === 8 ? 127 : 32767;
  let max = -128;
  for (let c = 0; c < depth; c++) if (x[xOff + c]! > max) max = x[xOff + c]!;
  const exps = new Int32Array(depth);
  const used = new Uint8Array(depth);
  let sum = 0;
  for (let c = 0; c < depth; c++) {
    const diff = x[xOff + c]! - max;
    if (diff >= p.diffMin) {
      const scaled = mulByQuantizedMultiplierGreaterThanOne(diff, p.inputMultiplier, p.inputLeftShift);
      const e = expOnNegativeValues(scaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS);
      exps[c] = e;
      used[c] = 1;
      sum = (sum + rescale(e, 0, SOFTMAX_ACCUMULATION_INTEGER_BITS)) | 0;
    }
  }
  const { reciprocal, numBitsOverUnit } = getReciprocal(sum, SOFTMAX_ACCUMULATION_INTEGER_BITS);
  const exponent = numBitsOverUnit + 31 - outBits;
  if (exponent < 0 || exponent > 31) fail('MN499', `SOFTMAX: reciprocal exponent ${exponent} out of range`);
  for (let c = 0; c < depth; c++) {
    if (!used[c]) {
      out[xOff + c] = outMin;
      continue;
    }
    const r = rdbpot(srdhm(reciprocal, exps[c]!), exponent) + outMin;
    out[xOff + c] = r < outMin ? outMin : r > outMax ? outMax : r;
  }
}

export function softmax(op: SoftmaxOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || (oT.dtype !== 'int8' && oT.dtype !== 'int16')) {
    fail('MN301', `SOFTMAX ${op.index}: ${inT.dtype} -> ${oT.dtype} is not supported (int8 -> int8/int16 only)`);
  }
  // TFLM checks the output parameters in Prepare (softmax_common.cc)
  const zo = oT.quant?.zeroPoints[0] ?? 0, so = scaleOf(oT);
  if (oT.dtype === 'int8' && (zo !== -128 || so !== 1 / 256)) fail('MN302', `SOFTMAX ${op.index}: int8 output must have scale 1/256 and zero point -128`);
  if (oT.dtype === 'int16' && (zo !== -32768 || Math.abs(so - 1 / 65536) > 0.001 / 65536)) {
    fail('MN302', `SOFTMAX ${op.index}: int16 output must have scale 1/65536 and zero point -32768`);
  }
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array | Int16Array;
  const depth = inT.shape[inT.shape.length - 1] ?? 1;
  const p = softmaxParams(scaleOf(inT), op.beta);
  const outBits = oT.dtype === 'int8' ? 8 : 16;
  for (let off = 0; off < x.length; off += depth) softmaxRow(p, x, off, depth, y, outBits);
}
