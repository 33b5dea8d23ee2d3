/**
 * Folds a spatial PAD into the convolution that consumes it: PAD(H, W by the input zero point) followed by a
 * convolution equals the convolution with explicit padding, because a padded tap contributes
 * w * (zp - zp) = 0, exactly like a skipped tap. Only exact cases are folded: the PAD keeps its input's
 * quantization, pads only H and W, fills with the zero point, and its output has no other reader.
 */
import type { Conv2DOp, DepthwiseConv2DOp, Graph, Op } from '../ir/types.js';
import { padAmounts } from '../interp/ops/pad.js';
import { Context } from '../interp/context.js';

function sameQuant(g: Graph, a: number, b: number): boolean {
  const qa = g.tensors[a]!.quant, qb = g.tensors[b]!.quant;
  return !!qa && !!qb && qa.scales.length === 1 && qb.scales.length === 1 && qa.scales[0] === qb.scales[0] && qa.zeroPoints[0] === qb.zeroPoints[0];
}

export function foldPad(g: Graph): Graph {
  const readers = new Map<number, Op[]>();
  for (const op of g.ops) for (const i of op.inputs) if (i >= 0) readers.set(i, [...(readers.get(i) ?? []), op]);
  const ctx = new Context(g);
  const removed = new Set<Op>();
  const replaced = new Map<Op, Op>();
  for (const op of g.ops) {
    if (op.kind !== 'pad') continue;
    const padded = op.outputs[0]!;
    const rs = readers.get(padded) ?? [];
    if (rs.length !== 1 || g.outputs.includes(padded)) continue;
    const conv = rs[0]!;
    if ((conv.kind !== 'conv2d' && conv.kind !== 'depthwise_conv2d') || conv.inputs[0] !== padded || conv.explicitPadding) continue;
    const x = g.tensors[op.inputs[0]!]!;
    if (x.shape.length !== 4 || (x.dtype !== 'int8') || !sameQuant(g, op.inputs[0]!, padded)) continue;
    if (op.inputs.length > 2 && op.inputs[2]! >= 0) {
      const v = ctx.get(op.inputs[2]!)[0];
      if (v !== x.quant!.zeroPoints[0]) continue;
    }
    let amounts: [number, number][];
    try {
      amounts = padAmounts(ctx, op);
    } catch {
      continue;
    }
    if (amounts[0]![0] || amounts[0]![1] || amounts[3]![0] || amounts[3]![1]) continue;
    // the convolution's own SAME padding (if any) adds to the PAD's
    const own = conv.padding === 'valid' ? null : conv;
    if (own) continue;
    const folded: Conv2DOp | DepthwiseConv2DOp = {
      ...conv,
      inputs: [op.inputs[0]!, ...conv.inputs.slice(1)],
      explicitPadding: { top: amounts[1]![0], bottom: amounts[1]![1], left: amounts[2]![0], right: amounts[2]![1] },
    };
    removed.add(op);
    replaced.set(conv, folded);
  }
  if (!removed.size) return g;
  return { ...g, ops: g.ops.filter((o) => !removed.has(o)).map((o) => replaced.get(o) ?? o) };
}
