/** A per-layer summary of a graph: what `mnetc inspect` prints. */
import { opCost } from './cost.js';
import type { Graph, Tensor } from './types.js';

export interface TensorSummary {
  index: number;
  name: string;
  shape: number[];
  dtype: string;
  scale?: number | number[];
  zeroPoint?: number;
}

export interface LayerRow {
  index: number;
  op: string;
  inputs: TensorSummary[];
  output: TensorSummary;
  macs: number;
  weightBytes: number;
  outputBytes: number;
}

export interface InspectReport {
  description: string;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  layers: LayerRow[];
  totals: { layers: number; macs: number; weightBytes: number; tensors: number };
  opHistogram: Record<string, number>;
}

export function summarizeTensor(t: Tensor): TensorSummary {
  const s: TensorSummary = { index: t.index, name: t.name, shape: t.shape, dtype: t.dtype };
  if (t.quant) {
    s.scale = t.quant.scales.length === 1 ? t.quant.scales[0]! : t.quant.scales;
    s.zeroPoint = t.quant.zeroPoints[0]!;
  }
  return s;
}

export function inspectGraph(g: Graph): InspectReport {
  const layers: LayerRow[] = [];
  const opHistogram: Record<string, number> = {};
  let macs = 0;
  const consts = new Set<number>();
  for (const op of g.ops) {
    const c = opCost(g, op);
    macs += c.macs;
    opHistogram[op.opName] = (opHistogram[op.opName] ?? 0) + 1;
    for (const i of op.inputs) if (i >= 0 && g.tensors[i]!.data) consts.add(i);
    layers.push({
      index: op.index,
      op: op.opName,
      inputs: op.inputs.filter((i) => i >= 0 && !g.tensors[i]!.data).map((i) => summarizeTensor(g.tensors[i]!)),
      output: summarizeTensor(g.tensors[op.outputs[0]!]!),
      macs: c.macs,
      weightBytes: c.weightBytes,
      outputBytes: c.outputBytes,
    });
  }
  const weightBytes = [...consts].reduce((s, i) => s + g.tensors[i]!.data!.length, 0);
  return {
    description: g.description,
    inputs: g.inputs.map((i) => summarizeTensor(g.tensors[i]!)),
    outputs: g.outputs.map((i) => summarizeTensor(g.tensors[i]!)),
    layers,
    totals: { layers: layers.length, macs, weightBytes, tensors: g.tensors.length },
    opHistogram,
  };
}
