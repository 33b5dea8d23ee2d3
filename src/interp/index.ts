/**
 * The reference interpreter: runs an IR graph op by op with TFLM's reference-kernel arithmetic. Its outputs
 * are mnetc's golden answer; every generated C program is checked against it.
 */
import { fail } from '../diagnostics.js';
import type { Semantics } from '../fixed/params.js';
import type { Graph, Op, TensorValues } from '../ir/types.js';
import { bytesOf, Context, valuesFromBytes } from './context.js';
import { kernels } from './registry.js';

export interface InterpretOptions {
  /** keep every intermediate tensor (for --dump-tensors and layer-by-layer comparisons) */
  keepAll?: boolean;
  /** reproduce TFLM (default, mnetc's golden answer) or TensorFlow Lite's reference kernels */
  semantics?: Semantics;
  /** called after each op with its output values */
  onOp?: (op: Op, outputs: TensorValues[]) => void;
}

export interface InterpretResult {
  /** raw bytes of each model output, in the model's dtype */
  outputs: Uint8Array[];
  /** values of every tensor that was computed (only with keepAll) */
  tensors: Map<number, TensorValues>;
}

/** ops mnetc's interpreter has no kernel for (by TFLite name), for the "unsupported ops" diagnostic */
export function missingKernels(graph: Graph): string[] {
  return [...new Set(graph.ops.filter((o) => !kernels[o.kind]).map((o) => o.opName))];
}

export function interpret(graph: Graph, inputs: Uint8Array[], opts: InterpretOptions = {}): InterpretResult {
  const missing = missingKernels(graph);
  if (missing.length) fail('MN300', `unsupported operators: ${missing.join(', ')}`);
  if (inputs.length !== graph.inputs.length) fail('MN400', `the model has ${graph.inputs.length} inputs, ${inputs.length} given`);
  const ctx = new Context(graph, opts.semantics ?? 'tflm');
  graph.inputs.forEach((ti, k) => {
    ctx.values[ti] = valuesFromBytes(graph.tensors[ti]!, inputs[k]!);
  });
  const tensors = new Map<number, TensorValues>();
  for (const op of graph.ops) {
    const kernel = kernels[op.kind] as (op: Op, ctx: Context) => void;
    kernel(op, ctx);
    const outs = op.outputs.map((o) => ctx.values[o]!);
    if (opts.keepAll) op.outputs.forEach((o, k) => tensors.set(o, outs[k]!));
    opts.onOp?.(op, outs);
  }
  const outputs = graph.outputs.map((ti) => bytesOf(ctx.get(ti)).slice());
  return { outputs, tensors };
}
