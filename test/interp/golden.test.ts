/**
 * The reference interpreter against TensorFlow Lite Micro's golden outputs in ../shared (resolved from the
 * repository root): every shared model, 3 cases each, byte-identical outputs; for case 0 also every
 * intermediate tensor TFLM dumped. Skips cleanly when ../shared is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../src/interp/index.js';
import { readModel } from '../../src/tflite/read.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(repoRoot, '../shared');
const goldenDir = path.join(shared, 'golden');
const hasShared = existsSync(goldenDir) && existsSync(path.join(shared, 'models'));

const models = hasShared
  ? readdirSync(goldenDir).filter((n) => existsSync(path.join(shared, 'models', `${n}.tflite`))).sort()
  : [];

function readBins(dir: string, prefix: string): Uint8Array[] {
  return readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.bin')).sort()
    .map((f) => new Uint8Array(readFileSync(path.join(dir, f))));
}

interface ManifestEntry { tensor_index: number; name: string; producer_op: number; file: string }

describe.skipIf(!hasShared)('golden: TFLM reference kernels, byte for byte', () => {
  it('finds the shared models', () => {
    expect(models.length).toBeGreaterThanOrEqual(6);
  });
  for (const model of models) {
    describe(model, () => {
      const dir = path.join(goldenDir, model);
      const graph = readModel(new Uint8Array(readFileSync(path.join(shared, 'models', `${model}.tflite`))));
      for (const k of [0, 1, 2]) {
        it(`case ${k}`, () => {
          const inputs = readBins(dir, `input_${k}_`);
          const want = readBins(dir, `output_${k}_`);
          expect(inputs.length).toBe(graph.inputs.length);
          const r = interpret(graph, inputs, { keepAll: k === 0 });
          expect(r.outputs.length).toBe(want.length);
          r.outputs.forEach((o, j) => expect(Buffer.compare(Buffer.from(o), Buffer.from(want[j]!)), `output ${j}`).toBe(0));
          const manifestPath = path.join(dir, 'tensors', 'manifest.json');
          if (k !== 0 || !existsSync(manifestPath)) return;
          // every intermediate tensor: report the first op whose output differs
          const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { tensors: ManifestEntry[] };
          const bad: string[] = [];
          for (const t of [...manifest.tensors].sort((a, b) => a.producer_op - b.producer_op)) {
            const v = r.tensors.get(t.tensor_index);
            if (!v) continue; // graph inputs are not produced by any op
            const got = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
            if (Buffer.compare(got, readFileSync(path.join(dir, 'tensors', t.file)))) bad.push(`op ${t.producer_op} tensor ${t.tensor_index} "${t.name}"`);
          }
          expect(bad).toEqual([]);
        });
      }
    });
  }
});
