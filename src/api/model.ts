/** Loading a model: read the file, verify it, build and validate the IR. */
import { readFileSync, statSync } from 'node:fs';
import { fail } from '../diagnostics.js';
import type { Graph } from '../ir/types.js';
import { validateGraph } from '../ir/validate.js';
import { readModel } from '../tflite/read.js';

/** Largest model file accepted (a microcontroller's flash is far smaller). */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

export function loadModelBytes(bytes: Uint8Array): Graph {
  const g = readModel(bytes);
  validateGraph(g);
  return g;
}

export function loadModel(path: string): Graph {
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (!st.isFile()) fail('MN100', `${path} is not a file`);
    if (st.size > MAX_MODEL_BYTES) fail('MN100', `${path} is ${st.size} bytes; mnetc reads models up to ${MAX_MODEL_BYTES} bytes`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as { code?: string }).code) fail('MN100', `cannot read ${path}: ${(e as Error).message}`);
    throw e;
  }
  return loadModelBytes(bytes);
}
