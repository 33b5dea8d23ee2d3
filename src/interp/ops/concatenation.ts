/**
 * CONCATENATION (TFLM micro/kernels/concatenation.cc, reference/concatenation.h). Note: for int8, TFLM
 * stores the input scales and zero points in Prepare but its Eval (EvalUnquantized<int8_t>) calls the plain
 * reference_ops::Concatenation, which copies bytes. So inputs whose quantization differs from the output's are
 * NOT requantized; we reproduce that. A fused activation other than NONE is rejected, as TFLM's Prepare does.
 */
import { fail } from '../../diagnostics.js';
import type { ConcatOp } from '../../ir/types.js';
import type { Context } from '../context.js';

export function concatenation(op: ConcatOp, ctx: Context): void {
  if (op.activation !== 'none') fail('MN302', `CONCATENATION ${op.index}: fused activation ${op.activation} is not supported (TFLM requires NONE)`);
  const oi = op.outputs[0]!;
  const oT = ctx.tensor(oi);
  const rank = oT.shape.length;
  const axis = op.axis < 0 ? op.axis + rank : op.axis;
  if (axis < 0 || axis >= rank) fail('MN209', `CONCATENATION ${op.index}: axis ${op.axis} out of range for rank ${rank}`);
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= oT.shape[d]!;
  for (let d = axis + 1; d < rank; d++) inner *= oT.shape[d]!;
  const y = ctx.out(oi);
  const outRow = oT.shape[axis]! * inner;
  const inputs = op.inputs.map((ii) => {
    const t = ctx.tensor(ii);
    if (t.dtype !== oT.dtype) fail('MN210', `CONCATENATION ${op.index}: input "${t.name}" is ${t.dtype}, output ${oT.dtype}`);
    if (t.shape.length !== rank) fail('MN205', `CONCATENATION ${op.index}: input "${t.name}" has rank ${t.shape.length}, output ${rank}`);
    const values = ctx.get(ii);
    const row = (t.shape[axis] ?? 0) * inner;
    if (values.length !== outer * row) fail('MN205', `CONCATENATION ${op.index}: input "${t.name}" does not match the output's other dimensions`);
    return { values, row };
  });
  if (inputs.reduce((s, i) => s + i.row, 0) !== outRow) fail('MN205', `CONCATENATION ${op.index}: input sizes along axis ${axis} do not add up to the output's`);
  for (let o = 0; o < outer; o++) {
    let dst = o * outRow;
    for (const { values, row } of inputs) {
      y.set(values.subarray(o * row, (o + 1) * row) as never, dst);
      dst += row;
    }
  }
}
