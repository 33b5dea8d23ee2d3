/**
 * The generated C against TFLM's goldens: every small shared model, 3 cases, through the host build with the
 * streamed plan (default) and the layer-by-layer plan; a sanitizer build; and Cortex-M4 firmware under QEMU.
 * Host builds are dead-region poisoned (NAME_POISON): a read of data the plan has declared dead changes outputs.
 * Skips cleanly without ../shared (the zoo fixtures cover the same paths there).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEngine } from '../../src/api/engines.js';
import { loadModel } from '../../src/api/model.js';
import { runNative } from '../../src/api/native.js';
import { compileGraph } from '../../src/codegen/index.js';
import { canRun } from '../../src/targets/index.js';
import { goldenCases, hasShared, sharedDir, SMALL_MODELS } from '../helpers/shared.js';

const models = hasShared ? SMALL_MODELS : [];

describe.skipIf(!hasShared)('generated C equals the TFLM goldens', () => {
  it.each(models)('%s: host build, streamed plan, poisoned, 3 cases', async (m) => {
    for (const c of goldenCases(m)) {
      const g = loadModel(c.modelPath);
      const r = await runNative(g, c.inputs, { target: 'host', modelFile: c.modelPath, memoryPlan: 'stream', poison: true });
      expect(r.outputs.map((o) => Buffer.from(o).toString('hex'))).toEqual(c.outputs.map((o) => Buffer.from(o).toString('hex')));
    }
  });

  it.each(models)('%s: host build, layer-by-layer plan, poisoned', async (m) => {
    const c = goldenCases(m)[1]!;
    const r = await runNative(loadModel(c.modelPath), c.inputs, { target: 'host', modelFile: c.modelPath, memoryPlan: 'layer', poison: true });
    expect(Buffer.from(r.outputs[0]!).equals(Buffer.from(c.outputs[0]!))).toBe(true);
  });

  it.each(models)('%s: clean under AddressSanitizer and UndefinedBehaviorSanitizer', async (m) => {
    const c = goldenCases(m)[2]!;
    const r = await runNative(loadModel(c.modelPath), c.inputs, {
      target: 'host', modelFile: c.modelPath, poison: true, extraCflags: ['-pedantic', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'],
    });
    expect(Buffer.from(r.outputs[0]!).equals(Buffer.from(c.outputs[0]!))).toBe(true);
  });

  it.skipIf(!canRun('cortex-m4')).each(models.slice(0, 3))('%s: Cortex-M4 firmware under QEMU (-Werror)', async (m) => {
    const c = goldenCases(m)[0]!;
    const r = await runNative(loadModel(c.modelPath), c.inputs, { target: 'cortex-m4', modelFile: c.modelPath, countInstructions: true });
    expect(Buffer.from(r.outputs[0]!).equals(Buffer.from(c.outputs[0]!))).toBe(true);
    expect(r.instructions).toBeGreaterThan(1_000_000);
  });

  it('--dump-tensors from the generated C matches every TFLM intermediate tensor it writes', async () => {
    const m = 'mcunet_vww_80_int8_floatio';
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-dump-'));
    const c = goldenCases(m)[0]!;
    await runEngine('host', loadModel(c.modelPath), c.inputs, { dumpTensorsDir: dir, modelPath: c.modelPath });
    const gold = JSON.parse(readFileSync(join(sharedDir, 'golden', m, 'tensors/manifest.json'), 'utf8')) as { tensors: { tensor_index: number; file: string }[] };
    const mine = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { tensors: { tensor_index: number; file: string }[] };
    let compared = 0;
    for (const t of mine.tensors) {
      const g = gold.tensors.find((x) => x.tensor_index === t.tensor_index);
      if (!g) continue;
      expect(readFileSync(join(dir, t.file)).equals(readFileSync(join(sharedDir, 'golden', m, 'tensors', g.file)))).toBe(true);
      compared++;
    }
    // every TFLM tensor except the model input (no op writes it) and the outputs of the 4 PAD ops, which
    // mnetc folds into the convolutions that read them
    expect(compared).toBe(gold.tensors.length - 5);
  });

  it('compiling twice gives identical bytes', () => {
    const g = loadModel(goldenCases(models[0]!)[0]!.modelPath);
    const a = compileGraph(g, { name: 'x' }), b = compileGraph(g, { name: 'x' });
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
  });

  it('the header states exactly the arena the report gives', () => {
    const g = loadModel(goldenCases('person_detect')[0]!.modelPath);
    const m = compileGraph(g, { name: 'pd' });
    expect(m.files.get('pd.h')).toContain(`#define PD_ARENA_BYTES ${m.report.arena_bytes}u`);
    expect(m.report.arena_bytes).toBe(m.report.arena_bytes_stream);
    expect(m.report.arena_bytes_stream).toBeLessThan(m.report.arena_bytes_layer);
  });
});
