/**
 * The zoo sweep (test/fixtures/zoo, made by tools/zoo with TensorFlow's converter; no Python needed here).
 * Its goldens come from TensorFlow Lite's reference kernels, which differ from TFLM (mnetc's golden answer)
 * in exactly one place these models reach: MUL's multiplier precision (see Semantics in src/fixed/params.ts).
 * So each model is checked twice:
 *  1. the interpreter with TFLite semantics equals the TFLite goldens byte for byte (all cases);
 *  2. the generated C (host, streamed plan; built with ASan + UBSan and dead-region poisoning, NAME_POISON)
 *     equals the interpreter with TFLM semantics byte for byte;
 * plus a subset on Cortex-M4 firmware under QEMU.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { runNative } from '../../src/api/native.js';
import { interpret } from '../../src/interp/index.js';
import { canRun } from '../../src/targets/index.js';
import { repoRoot } from '../helpers/shared.js';

const zoo = join(repoRoot, 'test/fixtures/zoo');
const models = existsSync(zoo) ? readdirSync(zoo).filter((f) => f.endsWith('.tflite')).map((f) => f.replace(/\.tflite$/, '')).sort() : [];

function cases(m: string) {
  const d = join(zoo, m);
  return [0, 1, 2].map((k) => ({
    inputs: readdirSync(d).filter((f) => f.startsWith(`input_${k}_`)).sort().map((f) => new Uint8Array(readFileSync(join(d, f)))),
    outputs: readdirSync(d).filter((f) => f.startsWith(`output_${k}_`)).sort().map((f) => Buffer.from(readFileSync(join(d, f)))),
  }));
}

const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'));
/** the host builds run under AddressSanitizer and UndefinedBehaviorSanitizer, and are dead-region poisoned */
const SANITIZERS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'];

describe('model zoo', () => {
  it('has at least 19 committed models covering V1, V2, V3 small/large and minimalistic', () => {
    expect(models.length).toBeGreaterThanOrEqual(19);
    for (const family of ['v1_', 'v2_', 'v3s_', 'v3l_', 'v3smin_', 'v3lmin_']) expect(models.some((m) => m.startsWith(family))).toBe(true);
  });

  it.each(models)('%s: reference with TFLite semantics equals the TFLite goldens', (m) => {
    const g = loadModel(join(zoo, `${m}.tflite`));
    for (const c of cases(m)) expect(hex(interpret(g, c.inputs, { semantics: 'tflite' }).outputs)).toEqual(hex(c.outputs));
  });

  it.each(models)('%s: generated C (host, streamed, poisoned, ASan+UBSan) equals the TFLM reference', async (m) => {
    const g = loadModel(join(zoo, `${m}.tflite`));
    for (const c of cases(m)) {
      const want = interpret(g, c.inputs).outputs;
      const got = (await runNative(g, c.inputs, { target: 'host', modelFile: m, poison: true, extraCflags: SANITIZERS })).outputs;
      expect(hex(got)).toEqual(hex(want));
    }
  });

  it.skipIf(!canRun('cortex-m4')).each(models.filter((m) => /^(v1_0.25_96_c3_top|v2_0.35_96_c1_top|v3s_0.35_96_c3_top|v3lmin_0.5)/.test(m)))(
    '%s: Cortex-M4 firmware equals the TFLM reference', async (m) => {
      const g = loadModel(join(zoo, `${m}.tflite`));
      const c = cases(m)[0]!;
      const got = (await runNative(g, c.inputs, { target: 'cortex-m4', modelFile: m })).outputs;
      expect(hex(got)).toEqual(hex(interpret(g, c.inputs).outputs));
    });
});

describe('trained digits example', () => {
  const d = join(repoRoot, 'examples/digits');
  it('the reference reproduces TFLite\'s prediction on every held-out image', () => {
    const g = loadModel(join(d, 'digits.tflite'));
    const images = new Uint8Array(readFileSync(join(d, 'test_images.bin')));
    const labels = new Uint8Array(readFileSync(join(d, 'test_labels.bin')));
    const expected = new Uint8Array(readFileSync(join(d, 'tflite_predictions.bin')));
    let correct = 0;
    for (let i = 0; i < expected.length; i++) {
      const out = new Int8Array(interpret(g, [images.subarray(i * 1024, (i + 1) * 1024)]).outputs[0]!.buffer);
      let best = 0;
      for (let k = 1; k < out.length; k++) if (out[k]! > out[best]!) best = k;
      expect(best).toBe(expected[i]);
      if (best === labels[i]) correct++;
    }
    expect(correct / expected.length).toBeGreaterThan(0.95);
  });
});
