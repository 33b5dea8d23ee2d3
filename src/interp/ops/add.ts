/**
 * ADD int8 (TFLM add_common.cc + reference_integer_ops::Add): both inputs are offset, shifted left by 20,
 * rescaled by s_i / (2 max(s1, s2)), summed, then rescaled by 2 max(s1, s2) / (2^20 s_out). Broadcasting
 * follows NumPy rules over up to 4 dimensions.
 */
import { fail } from '../../diagnostics.js';
import { clamp, mulByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplierSmallerThanOneExp } from '../../fixed/index.js';
import { activationRange, scaleOf, zeroPointOf } from '../../fixed/params.js';
import type { AddOp, Tensor } from '../../ir/types.js';
import type { Context } from '../context.js';
import { broadcastIndex } from './broadcast.js';

export interface AddParams {
  leftShift: number;
  in1Offset: number;
  in2Offset: number;
  outOffset: number;
  in1Mult: number;
  in1Shift: number;
  in2Mult: number;
  in2Shift: number;
  outMult: number;
  outShift: number;
  actMin: number;
  actMax: number;
}

/** CalculateOpDataAdd for int8 */
export function addParams(a: Tensor, b: Tensor, out: Tensor, act: AddOp['activation']): AddParams {
  const leftShift = 20;
  const s1 = scaleOf(a), s2 = scaleOf(b);
  const twiceMax = 2 * Math.max(s1, s2);
  const m1 = quantizeMultiplierSmallerThanOneExp(s1 / twiceMax);
  const m2 = quantizeMultiplierSmallerThanOneExp(s2 / twiceMax);
  const mo = quantizeMultiplierSmallerThanOneExp(twiceMax / ((1 << leftShift) * scaleOf(out)));
  const [actMin, actMax] = activationRange(act, out);
  return {
    leftShift, in1Offset: -zeroPointOf(a), in2Offset: -zeroPointOf(b), outOffset: zeroPointOf(out),
    in1Mult: m1.multiplier, in1Shift: m1.shift, in2Mult: m2.multiplier, in2Shift: m2.shift,
    outMult: mo.multiplier, outShift: mo.shift, actMin, actMax,
  };
}

export function addElement(p: AddParams, a: number, b: number): number {
  const sa = mulByQuantizedMultiplierSmallerThanOneExp((a + p.in1Offset) * (1 << p.leftShift), p.in1Mult, p.in1Shift);
  const sb = mulByQuantizedMultiplierSmallerThanOneExp((b + p.in2Offset) * (1 << p.leftShift), p.in2Mult, p.in2Shift);
  const raw = mulByQuantizedMultiplierSmallerThanOneExp(sa + sb, p.outMult, p.outShift) + p.outOffset;
  return clamp(raw, p.actMin, p.actMax);
}

export function add(op: AddOp, ctx: Context): void {
  const [ai, bi] = op.inputs as [number, number];
  const oi = op.outputs[0]!;
  const aT = ctx.tensor(ai), bT = ctx.tensor(bi), oT = ctx.tensor(oi);
  if (aT.dtype !== 'int8' || bT.dtype !== 'int8' || oT.dtype !== 'int8') fail('MN301', `ADD ${op.index}: only int8 is supported`);
  const a = ctx.getInt8(ai), b = ctx.getInt8(bi);
  const y = ctx.out(oi) as Int8Array;
  const p = addParams(aT, bT, oT, op.activation);
  if (a.length === y.length && b.length === y.length) {
    for (let i = 0; i < y.length; i++) y[i] = addElement(p, a[i]!, b[i]!);
    return;
  }
  const ia = broadcastIndex(aT.shape, oT.shape), ib = broadcastIndex(bT.shape, oT.shape);
  for (let i = 0; i < y.length; i++) y[i] = addElement(p, a[ia[i]!]!, b[ib[i]!]!);
}
