/**
 * `mnetc bench`: exact instructions per layer and in total on a target under QEMU (a profiling build marks
 * every layer boundary; the project's TCG plugin counts instructions between marks), MACs and MAC per
 * instruction per layer, the arena, and flash split into code and weights. Instructions, not cycles.
 */
import type { Graph } from '../ir/types.js';
import { functionProfile, getTarget, sizeOf } from '../targets/index.js';
import { moduleStackReport } from '../report/stack.js';
import { randomInput } from './golden-test.js';
import { runNative } from './native.js';

export interface BenchLayer {
  layers: number[];
  ops: string;
  kernel: string;
  macs: number;
  instructions: number;
}

export interface BenchResult {
  target: string;
  instructions: number;
  macs: number;
  arena_bytes: number;
  weights_bytes: number;
  flash: { text: number; data: number; weights: number };
  /** worst-case stack of NAME_invoke on the target (gcc -fstack-usage / -fcallgraph-info, src/report/stack.ts) */
  stack_bytes: number;
  /** false when stack_bytes is not a proven bound (a dynamic frame, recursion, an unknown callee) */
  stack_bounded: boolean;
  layers: BenchLayer[];
  /** with the functions option: instructions per function over the whole run (boot and I/O included), largest first */
  functions?: { name: string; instructions: number }[];
}

export async function benchModel(graph: Graph, opts: { target: string; memoryPlan?: 'layer' | 'stream'; modelFile?: string; rowInput?: boolean; functions?: boolean; leanFlash?: boolean }): Promise<BenchResult> {
  const target = getTarget(opts.target);
  const inputs = graph.inputs.map((t, k) => randomInput(graph.tensors[t]!, 101 + k));
  const r = await runNative(graph, inputs, { target: target.name, memoryPlan: opts.memoryPlan ?? 'stream', countInstructions: true, profile: true, modelFile: opts.modelFile, timeoutMs: 1_800_000, rowInput: opts.rowInput, pcProfile: opts.functions, leanFlash: opts.leanFlash });
  const units = r.module.units;
  // marks: [copy-in + unit 0, unit 1, ..., unit n-1 (+ the traces of its further outputs), copy-out]
  const marks = r.marks ?? [];
  const layers: BenchLayer[] = [];
  let m = 0;
  for (const u of units) {
    const ls = u.kind === 'layer' ? [u.layer] : u.layers;
    const traces = u.kind === 'layer' ? 1 : Math.max(1, u.region.outputs.length);
    let insns = 0;
    for (let k = 0; k < traces && m < marks.length; k++) insns += marks[m++]!;
    layers.push({
      layers: ls.map((l) => l.op.index),
      ops: u.kind === 'layer' ? u.layer.op.opName : `${u.id}: ${ls.map((l) => l.op.opName.replace('DEPTHWISE_CONV_2D', 'DW').replace('CONV_2D', 'CONV')).join('+')}`,
      kernel: u.kind === 'layer' ? (u.layer.kernel ?? '(alias)') : 'streamed',
      macs: ls.reduce((s, l) => s + l.macs, 0),
      instructions: insns,
    });
  }
  if (layers.length && m < marks.length) layers[layers.length - 1]!.instructions += marks.slice(m).reduce((a, b) => a + b, 0);
  const size = await sizeOf(target, r.elfPath);
  const weights = size.sections['.weights'] ?? 0;
  // the module as shipped (no profiling marks), compiled with the target's flags
  const stack = await moduleStackReport(target, r.module);
  const functions = opts.functions && r.pcCounts ? await functionProfile(target, r.elfPath, r.pcCounts) : undefined;
  return {
    ...(functions ? { functions } : {}),
    target: target.name, instructions: r.instructions ?? 0, macs: r.module.report.macs,
    arena_bytes: r.module.report.arena_bytes, weights_bytes: r.module.report.weights_bytes,
    flash: { text: size.text - weights, data: size.data, weights }, stack_bytes: stack.invokeBytes, stack_bounded: stack.bounded, layers,
  };
}
