/**
 * A depthwise convolution over a single input channel with depth multiplier M is an ordinary convolution
 * with one input channel and M output channels: every output channel sums the same taps of the same input
 * with its own weights, bias and per-channel multiplier. Rewriting it lets the convolution kernels (and their
 * optimised stem variants) run it; results are identical. Filter [1, kh, kw, M] becomes [M, kh, kw, 1],
 * quantized along axis 0 instead of 3.
 */
import type { Conv2DOp, Graph, Tensor } from '../ir/types.js';

export function depthwiseSingleChannelToConv(g: Graph): Graph {
  let tensors: Tensor[] | null = null;
  const ops = g.ops.map((op) => {
    if (op.kind !== 'depthwise_conv2d') return op;
    const x = g.tensors[op.inputs[0]!]!, f = g.tensors[op.inputs[1]!]!;
    if (x.shape[3] !== 1 || x.dtype !== 'int8' || !f.data || f.shape.length !== 4 || f.dtype !== 'int8') return op;
    const [, kh, kw, m] = f.shape as [number, number, number, number];
    const src = f.data;
    const dst = new Uint8Array(src.length);
    for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let c = 0; c < m; c++) dst[(c * kh + y) * kw + xx] = src[(y * kw + xx) * m + c]!;
    tensors ??= [...g.tensors];
    const filter: Tensor = {
      index: tensors.length, name: `${f.name}/as_conv`, shape: [m, kh, kw, 1], dtype: 'int8',
      quant: f.quant ? { ...f.quant, axis: 0 } : null, data: dst,
    };
    tensors.push(filter);
    const conv: Conv2DOp = {
      kind: 'conv2d', index: op.index, opName: op.opName, inputs: [op.inputs[0]!, filter.index, ...op.inputs.slice(2)], outputs: op.outputs,
      padding: op.padding, strideH: op.strideH, strideW: op.strideW, dilationH: op.dilationH, dilationW: op.dilationW, activation: op.activation,
      ...(op.explicitPadding ? { explicitPadding: op.explicitPadding } : {}),
    };
    return conv;
  });
  return tensors ? { ...g, tensors, ops } : g;
}
