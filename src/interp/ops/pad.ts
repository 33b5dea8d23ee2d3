/**
 * PAD / PADV2 (TFLM pad.cc): up to 4-D (padded at the front to rank 4); PAD fills with the output zero point,
 * PADV2 with its constant-value input.
 */
import { fail } from '../../diagnostics.js';
import { zeroPointOf } from '../../fixed/params.js';
import type { PadOp } from '../../ir/types.js';
import type { Context } from '../context.js';

/** [before, after] per dimension, read from the paddings tensor (int32 or int64) */
export function padAmounts(ctx: Context, op: PadOp): [number, number][] {
  const pT = ctx.tensor(op.inputs[1]!);
  if (!pT.data) fail('MN302', `${op.opName} ${op.index}: paddings must be a constant tensor`);
  const rank = ctx.tensor(op.inputs[0]!).shape.length;
  const v = new DataView(pT.data.buffer, pT.data.byteOffset, pT.data.byteLength);
  const wide = pT.dtype === 'int64';
  const need = rank * 2 * (wide ? 8 : 4);
  if (pT.data.byteLength < need || (pT.dtype !== 'int32' && !wide)) fail('MN205', `${op.opName} ${op.index}: paddings tensor must be int32/int64 [${rank}, 2]`);
  const out: [number, number][] = [];
  for (let d = 0; d < rank; d++) {
    const get = (k: number): number => (wide ? Number(v.getBigInt64(k * 8, true)) : v.getInt32(k * 4, true));
    const before = get(2 * d), after = get(2 * d + 1);
    if (before < 0 || after < 0) fail('MN209', `${op.opName} ${op.index}: negative padding`);
    out.push([before, after]);
  }
  return out;
}

export function pad(op: PadOp, ctx: Context): void {
  const ii = op.inputs[0]!, oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), oT = ctx.tensor(oi);
  if (inT.dtype !== oT.dtype || (oT.dtype !== 'int8' && oT.dtype !== 'uint8')) fail('MN301', `${op.opName} ${op.index}: only int8/uint8 is supported`);
  const x = ctx.get(ii);
  const y = ctx.out(oi);
  const amounts = padAmounts(ctx, op);
  let value = zeroPointOf(oT);
  if (op.inputs.length > 2 && op.inputs[2]! >= 0) value = ctx.get(op.inputs[2]!)[0]!;
  y.fill(value);
  const inShape = inT.shape, outShape = oT.shape;
  const rank = inShape.length;
  const inStrides = new Array<number>(rank), outStrides = new Array<number>(rank);
  let si = 1, so = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = si; outStrides[d] = so;
    si *= inShape[d]!; so *= outShape[d]!;
  }
  const inner = inShape[rank - 1] ?? 1;
  const rows = x.length / Math.max(1, inner);
  for (let r = 0; r < rows; r++) {
    let rem = r, outOff = amounts[rank - 1]![0];
    for (let d = rank - 2; d >= 0; d--) {
      const c = rem % inShape[d]!;
      rem = Math.floor(rem / inShape[d]!);
      outOff += (c + amounts[d]![0]) * outStrides[d]!;
    }
    y.set(x.subarray(r * inner, (r + 1) * inner) as never, outOff);
  }
}
