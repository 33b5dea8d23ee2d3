/**
 * `mnetc eval`: classification accuracy of the generated C on a batch of raw inputs (one firmware run for
 * the whole batch), compared with the labels and, optionally, with another engine's predictions.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../diagnostics.js';
import { compileGraph, writeModule } from '../codegen/index.js';
import { cTypeOfTensor, render } from '../codegen/emit.js';
import { VERSION } from '../codegen/paths.js';
import { elementCount, tensorBytes, type Graph } from '../ir/types.js';
import { buildProgram, getTarget, runProgram, sizeOf } from '../targets/index.js';
import { cacheRoot } from './native.js';

export interface EvalResult {
  images: number;
  predictions: Uint8Array;
  accuracy: number | null;
  /** agreement with the expected predictions, when given */
  agreement: number | null;
  mismatches: number[];
  arenaBytes: number;
  weightsBytes: number;
  instructionsPerInference?: number;
  size?: { text: number; data: number; bss: number; weights: number };
}

export async function evaluate(graph: Graph, images: Uint8Array, opts: { target: string; labels?: Uint8Array; expected?: Uint8Array; modelFile?: string }): Promise<EvalResult> {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) fail('MN302', 'eval handles models with one input and one output');
  const inT = graph.tensors[graph.inputs[0]!]!, outT = graph.tensors[graph.outputs[0]!]!;
  const per = tensorBytes(inT);
  if (images.length % per !== 0 || images.length === 0) fail('MN401', `the images file has ${images.length} bytes, not a multiple of one input (${per} bytes)`);
  const count = images.length / per;
  for (const [what, v] of [['labels', opts.labels], ['expected predictions', opts.expected]] as const) {
    if (v && v.length !== count) fail('MN401', `${what}: ${v.length} entries for ${count} images`);
  }
  const target = getTarget(opts.target);
  const mod = compileGraph(graph, { name: 'model', modelFile: opts.modelFile, target: target.name });
  const dir = mkdtempSync(join(cacheRoot(), 'eval-'));
  try {
    const files = writeModule(mod, dir, { force: true });
    writeFileSync(join(dir, 'main.c'), render('runner/batch_main.c.hbs', {
      name: mod.name, version: VERSION, count, inCtype: cTypeOfTensor(inT), outCtype: cTypeOfTensor(outT),
      inElements: elementCount(inT.shape), outElements: elementCount(outT.shape),
    }));
    const sources = [...files.filter((f) => f.endsWith('.c')), 'main.c'].map((f) => join(dir, f));
    const { elfPath } = await buildProgram(target, { sources, includeDirs: [dir], outDir: dir, name: 'eval' });
    writeFileSync(join(dir, 'images.bin'), images);
    const run = await runProgram(target, elfPath, { cwd: dir, timeoutMs: 1_800_000, countInstructions: target.kind !== 'host' });
    if (run.exitCode !== 0) fail('MN403', `the evaluation program exited with status ${run.exitCode}: ${run.stdout.trim()} ${run.stderr.trim()}`);
    const predictions = new Uint8Array(readFileSync(join(dir, 'preds.bin')));
    const correct = opts.labels ? predictions.reduce((s, p, i) => s + (p === opts.labels![i] ? 1 : 0), 0) : 0;
    const mismatches: number[] = [];
    if (opts.expected) predictions.forEach((p, i) => p !== opts.expected![i] && mismatches.push(i));
    const res: EvalResult = {
      images: count, predictions, accuracy: opts.labels ? correct / count : null,
      agreement: opts.expected ? (count - mismatches.length) / count : null, mismatches,
      arenaBytes: mod.report.arena_bytes, weightsBytes: mod.report.weights_bytes,
    };
    if (run.marks?.length) res.instructionsPerInference = run.marks[0]!;
    if (target.kind !== 'host') {
      const s = await sizeOf(target, elfPath);
      res.size = { text: s.text, data: s.data, bss: s.bss, weights: s.sections['.weights'] ?? 0 };
    }
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
