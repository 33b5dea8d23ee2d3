/**
 * HARD_SWISH int8 (TFLM micro/kernels/hard_swish.cc + hard_swish_common.cc, reference/hard_swish.h). Every
 * step is int16 fixed point, in this order:
 *   v = x - zp_in;  hires = v * 128                                        (fits int16: |v| <= 255)
 *   pre = srdhm16(hires, outMult16)                                         (value on the pre-shift output scale)
 *   r = hires; if reluishExp > 0: r = satShl16(r, reluishExp - 1)
 *   r = srdhm16(r, reluishMult16)
 *   if reluishExp > 0: r = satShl16(r, 1);  if reluishExp < 0: r = rdbpot16(r, -reluishExp)
 *   r = (r + 32768) >> 1                                                    (from [-1, 1] to [0, 1] in Q15)
 *   o = sdhm16(r, pre)                                                      (TRUNCATING doubling high mul)
 *   o = rdbpot16(o, -outExp) + zp_out (int16 wrap), clamped to int8.
 */
import { fail } from '../../diagnostics.js';
import { rdbpot16, saturatingLeftShift16, sdhm16, srdhm16, wrap16 } from '../../fixed/gemmlowp.js';
import { hardSwishParams, type HardSwishParams } from '../../fixed/params.js';
import type { UnaryOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function hardSwishElement(p: HardSwishParams, q: number): number {
  const inputValue = wrap16(q - p.inputZeroPoint);
  const hires = wrap16(inputValue * 128);
  const preshift = srdhm16(hires, p.outputMultiplier);
  let reluish = hires;
  if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, p.reluishExponent - 1);
  reluish = srdhm16(reluish, p.reluishMultiplier);
  if (p.reluishExponent > 0) reluish = saturatingLeftShift16(reluish, 1);
  if (p.reluishExponent < 0) reluish = rdbpot16(reluish, -p.reluishExponent);
  reluish = wrap16((reluish + 32768) >> 1);
  const preshiftOutput = sdhm16(reluish, preshift);
  let out = rdbpot16(preshiftOutput, -p.outputExponent);
  out = wrap16(out + p.outputZeroPoint);
  return out > 127 ? 127 : out < -128 ? -128 : out;
}

export function hardSwish(op: UnaryOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `HARD_SWISH ${op.index}: only int8 is supported`);
  const p = hardSwishParams(inT, oT);
  if (p.outputExponent > 0) fail('MN302', `HARD_SWISH ${op.index}: output scale smaller than input scale / 128 (TFLM rejects a positive output exponent)`);
  const x = ctx.getInt8(ii);
  const y = ctx.out(oi) as Int8Array;
  const table = new Int8Array(256);
  for (let q = -128; q < 128; q++) table[q + 128] = hardSwishElement(p, q);
  for (let i = 0; i < x.length; i++) y[i] = table[x[i]! + 128]!;
}
