/** RESHAPE and SQUEEZE: the bytes are unchanged, only the shape differs. */
import { fail } from '../../diagnostics.js';
import type { ReshapeOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function reshape(op: ReshapeOp, ctx: Context): void {
  const x = ctx.get(op.inputs[0]!);
  const y = ctx.out(op.outputs[0]!);
  if (x.length !== y.length) fail('MN205', `${op.opName} ${op.index}: input has ${x.length} elements, output ${y.length}`);
  y.set(x as never);
}
