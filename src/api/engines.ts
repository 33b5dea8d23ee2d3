/**
 * Engines: interchangeable implementations that run a graph on raw input bytes. `reference` is the
 * TypeScript interpreter (the golden answer); the others compile the model to C and run it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import type { Graph } from '../ir/types.js';
import { bytesOf } from '../interp/context.js';
import { interpret } from '../interp/index.js';
import { runNative } from './native.js';

export interface EngineOptions {
  dumpTensorsDir?: string;
  modelPath?: string;
  /** arena plan of the generated C; with dumpTensorsDir the default is 'layer', so every tensor exists */
  memoryPlan?: 'layer' | 'stream';
  /** native engines: build with row input (the runner delivers the input row by row) */
  rowInput?: boolean;
}

export interface EngineResult {
  outputs: Uint8Array[];
}

type Engine = (graph: Graph, inputs: Uint8Array[], opts: EngineOptions) => Promise<EngineResult>;

const engines: Record<string, Engine> = {
  reference: async (graph, inputs, opts) => {
    const r = interpret(graph, inputs, { keepAll: opts.dumpTensorsDir !== undefined });
    if (opts.dumpTensorsDir) {
      const tensors = new Map<number, Uint8Array>();
      for (const [i, v] of r.tensors) tensors.set(i, bytesOf(v));
      dumpTensors(graph, tensors, opts.dumpTensorsDir);
    }
    return { outputs: r.outputs };
  },
};

/** Engines that compile to C and run the program natively (host) or under QEMU (targets). */
export const NATIVE_ENGINES = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32'] as const;
for (const target of NATIVE_ENGINES) {
  engines[target] = async (graph, inputs, opts) => {
    // (the reference engine ignores rowInput: how the input is handed over does not change the results)
    const memoryPlan = opts.memoryPlan ?? (opts.dumpTensorsDir ? 'layer' : 'stream');
    const r = await runNative(graph, inputs, { target, modelFile: opts.modelPath, traceDir: opts.dumpTensorsDir, memoryPlan, rowInput: opts.rowInput });
    if (opts.dumpTensorsDir && r.traced) dumpTensors(graph, r.traced, opts.dumpTensorsDir);
    return { outputs: r.outputs };
  };
}

export function registerEngine(name: string, engine: Engine): void {
  engines[name] = engine;
}

export function engineNames(): string[] {
  return Object.keys(engines);
}

export async function runEngine(name: string, graph: Graph, inputs: Uint8Array[], opts: EngineOptions = {}): Promise<EngineResult> {
  const e = engines[name];
  if (!e) return fail('MN405', `unknown engine "${name}"; choose one of ${engineNames().join(', ')}`);
  return e(graph, inputs, opts);
}

/** Writes tensors in the format of shared/golden/<model>/tensors: tK.bin files and manifest.json. */
export function dumpTensors(graph: Graph, tensors: Map<number, Uint8Array>, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const producer = new Map<number, number>();
  for (const op of graph.ops) for (const o of op.outputs) producer.set(o, op.index);
  const list = [...tensors.keys()].sort((a, b) => a - b).map((i) => {
    const t = graph.tensors[i]!;
    const file = `t${i}.bin`;
    writeFileSync(join(dir, file), tensors.get(i)!);
    return {
      tensor_index: i, name: t.name, type: t.dtype.toUpperCase(), shape: t.shape, bytes: tensors.get(i)!.length,
      scale: t.quant?.scales[0] ?? 0, zero_point: t.quant?.zeroPoints[0] ?? 0, producer_op: producer.get(i) ?? -1, file,
    };
  });
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ tensors: list }, null, 1)}\n`);
}
