/** Locating ../shared (third-party models and TFLM goldens). Tests that need it skip cleanly without it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const hasShared = existsSync(join(sharedDir, 'models')) && existsSync(join(sharedDir, 'golden'));

export interface GoldenCase {
  model: string;
  modelPath: string;
  k: number;
  inputs: Uint8Array[];
  outputs: Uint8Array[];
}

export function sharedModels(): string[] {
  if (!hasShared) return [];
  return readdirSync(join(sharedDir, 'golden'))
    .filter((n) => existsSync(join(sharedDir, 'models', `${n}.tflite`)))
    .sort();
}

export function goldenCases(model: string): GoldenCase[] {
  const d = join(sharedDir, 'golden', model);
  const files = readdirSync(d);
  const cases: GoldenCase[] = [];
  for (let k = 0; k < 3; k++) {
    const ins = files.filter((f) => f.startsWith(`input_${k}_`)).sort();
    const outs = files.filter((f) => f.startsWith(`output_${k}_`)).sort();
    if (!ins.length) continue;
    cases.push({
      model, modelPath: join(sharedDir, 'models', `${model}.tflite`), k,
      inputs: ins.map((f) => new Uint8Array(readFileSync(join(d, f)))),
      outputs: outs.map((f) => new Uint8Array(readFileSync(join(d, f)))),
    });
  }
  return cases;
}

/** models small enough for every test run (MobileNetV2-1.0-224 is in the benchmark and golden-check) */
export const SMALL_MODELS = ['person_detect', 'mobilenet_v1_0.25_96_vww_int8', 'fomo_mobilenet_v2_0.35_96_face_int8', 'mcunet_vww_80_int8_floatio', 'mobilenet_v1_0.5_96_vww_int8'];
