import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MnetcError } from '../../src/diagnostics.js';
import { loadModelBytes } from '../../src/api/model.js';
import { readModel } from '../../src/tflite/read.js';
import { hasShared, sharedDir, sharedModels } from '../helpers/shared.js';
import { seededBytes } from '../../src/api/golden-test.js';

/** Either a graph or an MnetcError with a stable MN code; anything else fails the test. */
function readOrDiagnose(bytes: Uint8Array): 'ok' | string {
  try {
    loadModelBytes(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof MnetcError)) throw new Error(`not a diagnostic: ${(e as Error).stack}`);
    for (const d of e.diagnostics) expect(d.code).toMatch(/^MN[0-9]{3}$/);
    return e.diagnostics[0]!.code;
  }
}

describe('reader basics', () => {
  it('rejects files that are not TFLite models', () => {
    expect(readOrDiagnose(new Uint8Array(0))).toBe('MN101');
    expect(readOrDiagnose(new TextEncoder().encode('hello world, not a model'))).toBe('MN102');
    const fake = new Uint8Array(64);
    fake.set(new TextEncoder().encode('TFL3'), 4);
    fake[0] = 200; // root offset beyond the end
    expect(readOrDiagnose(fake)).toBe('MN103');
  });
});

describe.skipIf(!hasShared)('shared models', () => {
  const models = sharedModels();
  it.each(models)('%s reads into a valid graph', (m) => {
    const g = readModel(new Uint8Array(readFileSync(join(sharedDir, 'models', `${m}.tflite`))));
    expect(g.ops.length).toBeGreaterThan(0);
    expect(g.inputs.length).toBe(1);
    expect(readOrDiagnose(new Uint8Array(readFileSync(join(sharedDir, 'models', `${m}.tflite`))))).toBe('ok');
  });

  it('handles duplicate operator codes, unused opcodes and shape_signature', () => {
    const mcunet = readModel(new Uint8Array(readFileSync(join(sharedDir, 'models', 'mcunet_vww_80_int8_floatio.tflite'))));
    expect(mcunet.ops.filter((o) => o.kind === 'conv2d').length).toBe(30);
    const vww = readModel(new Uint8Array(readFileSync(join(sharedDir, 'models', 'mobilenet_v1_0.25_96_vww_int8.tflite'))));
    expect(vww.tensors[vww.inputs[0]!]!.shape).toEqual([1, 96, 96, 3]);
  });

  it.each(models.filter((m) => !m.includes('224')))('%s: every truncation gives a diagnostic, never a crash', (m) => {
    const bytes = new Uint8Array(readFileSync(join(sharedDir, 'models', `${m}.tflite`)));
    const cuts = new Set<number>([0, 1, 4, 7, 8, 12, 16, 64, 100]);
    for (let k = 1; k < 60; k++) cuts.add(Math.floor((bytes.length * k) / 60));
    for (const n of cuts) {
      const r = readOrDiagnose(bytes.subarray(0, n));
      expect(r).not.toBe('ok');
    }
  });

  it.each(models.filter((m) => !m.includes('224')))('%s: random corruption gives a graph or a diagnostic', (m) => {
    const bytes = new Uint8Array(readFileSync(join(sharedDir, 'models', `${m}.tflite`)));
    const rnd = seededBytes(m.length, 4096);
    for (let trial = 0; trial < 40; trial++) {
      const copy = bytes.slice();
      for (let k = 0; k < 8; k++) {
        // corrupt mostly the flatbuffer structure (the head of the file and the table area)
        const pos = ((rnd[(trial * 32 + k * 4) % 4096]! << 16) | (rnd[(trial * 32 + k * 4 + 1) % 4096]! << 8) | rnd[(trial * 32 + k * 4 + 2) % 4096]!) % copy.length;
        copy[pos] = rnd[(trial * 32 + k * 4 + 3) % 4096]!;
      }
      const t0 = Date.now();
      readOrDiagnose(copy);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }
  });
});
