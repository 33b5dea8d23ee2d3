/**
 * Per-op cost: multiply-accumulates, constant (weight) bytes and activation bytes. MACs count one per
 * multiply-add of the op's main arithmetic (conv taps over the whole kernel, including taps that fall in
 * padding, as TFLM and TinyEngine count them); elementwise and data-movement ops count 0 MACs.
 */
import { elementCount, tensorBytes, type Graph, type Op } from './types.js';

export interface OpCost {
  macs: number;
  weightBytes: number;
  outputBytes: number;
  inputBytes: number;
}

export function opCost(graph: Graph, op: Op): OpCost {
  const t = (i: number) => graph.tensors[i]!;
  const out = t(op.outputs[0]!);
  let macs = 0;
  switch (op.kind) {
    case 'conv2d': {
      const f = t(op.inputs[1]!);
      // filter [O, kh, kw, I]
      macs = elementCount(out.shape) * f.shape[1]! * f.shape[2]! * f.shape[3]!;
      break;
    }
    case 'depthwise_conv2d': {
      const f = t(op.inputs[1]!);
      macs = elementCount(out.shape) * f.shape[1]! * f.shape[2]!;
      break;
    }
    case 'fully_connected': {
      const f = t(op.inputs[1]!);
      macs = (elementCount(out.shape) / f.shape[0]!) * f.shape[0]! * f.shape[1]!;
      break;
    }
    default:
      macs = 0;
  }
  let weightBytes = 0, inputBytes = 0;
  for (const i of op.inputs) {
    if (i < 0) continue;
    const x = t(i);
    if (x.data) weightBytes += x.data.length;
    else inputBytes += tensorBytes(x);
  }
  const outputBytes = op.outputs.reduce((s, o) => s + tensorBytes(t(o)), 0);
  return { macs, weightBytes, outputBytes, inputBytes };
}

export function graphCost(graph: Graph): OpCost {
  const total: OpCost = { macs: 0, weightBytes: 0, outputBytes: 0, inputBytes: 0 };
  const seenConst = new Set<number>();
  for (const op of graph.ops) {
    const c = opCost(graph, op);
    total.macs += c.macs;
    total.outputBytes += c.outputBytes;
    for (const i of op.inputs) {
      if (i < 0 || seenConst.has(i)) continue;
      const x = graph.tensors[i]!;
      if (x.data) {
        seenConst.add(i);
        total.weightBytes += x.data.length;
      }
    }
  }
  return total;
}
