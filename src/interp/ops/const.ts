/** Reading small constant integer tensors (axes, permutations, sizes) that parameterise an op. */
import { fail } from '../../diagnostics.js';
import type { Context } from '../context.js';

/** the values of a constant int32 or int64 tensor, as numbers */
export function constInts(ctx: Context, tensorIndex: number, what: string): number[] {
  const t = ctx.tensor(tensorIndex);
  if (!t.data) return fail('MN302', `${what}: tensor "${t.name}" must be a constant`);
  const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out: number[] = [];
  if (t.dtype === 'int32') {
    for (let i = 0; i + 4 <= t.data.byteLength; i += 4) out.push(v.getInt32(i, true));
  } else if (t.dtype === 'int64') {
    for (let i = 0; i + 8 <= t.data.byteLength; i += 8) out.push(Number(v.getBigInt64(i, true)));
  } else {
    return fail('MN205', `${what}: tensor "${t.name}" must be int32 or int64, not ${t.dtype}`);
  }
  return out;
}

/** row-major strides of a shape */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}
