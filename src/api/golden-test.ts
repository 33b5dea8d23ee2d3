/**
 * `mnetc test`: the host-side golden test a user runs on their own model. Seeded random inputs (plus any
 * given files) go through the reference interpreter and an engine; each case passes only when every output
 * byte is equal. On a mismatch both sides are traced layer by layer to name the first differing layer.
 */
import type { Graph, Tensor } from '../ir/types.js';
import { elementCount, tensorBytes } from '../ir/types.js';
import { bytesOf } from '../interp/context.js';
import { interpret } from '../interp/index.js';
import { runEngine } from './engines.js';
import { runNative } from './native.js';

export interface CaseResult {
  name: string;
  pass: boolean;
  firstDifference?: { op: number; opName: string; tensor: number; differing: number; total: number } | null;
}

/** xorshift32: small, seeded, identical everywhere */
export function seededBytes(seed: number, n: number): Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A random input for a tensor: uniform over the integer range, or uniform in [-1, 1) for float32. */
export function randomInput(t: Tensor, seed: number): Uint8Array {
  if (t.dtype !== 'float32') return seededBytes(seed, tensorBytes(t));
  const n = elementCount(t.shape);
  const raw = seededBytes(seed, n * 2);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = ((raw[2 * i]! | (raw[2 * i + 1]! << 8)) / 32768) - 1;
  return new Uint8Array(f.buffer);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function firstDifferingLayer(graph: Graph, inputs: Uint8Array[], engine: string): Promise<CaseResult['firstDifference']> {
  const ref = interpret(graph, inputs, { keepAll: true });
  const nat = await runNative(graph, inputs, { target: engine, traceDir: 'trace' });
  for (const op of graph.ops) {
    const t = op.outputs[0]!;
    const mine = nat.traced?.get(t);
    const want = ref.tensors.get(t);
    if (!mine || !want) continue;
    const w = bytesOf(want);
    if (!equal(mine, w)) {
      let d = 0;
      for (let i = 0; i < w.length; i++) if (mine[i] !== w[i]) d++;
      return { op: op.index, opName: op.opName, tensor: t, differing: d, total: w.length };
    }
  }
  return null;
}

export async function goldenTest(
  graph: Graph,
  engine: string,
  cases: { name: string; inputs: Uint8Array[] }[],
  onCase?: (r: CaseResult) => void,
  opts: { rowInput?: boolean } = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const want = interpret(graph, c.inputs).outputs;
    const got = (await runEngine(engine, graph, c.inputs, { rowInput: opts.rowInput })).outputs;
    const pass = want.length === got.length && want.every((w, k) => equal(w, got[k]!));
    const r: CaseResult = { name: c.name, pass };
    if (!pass && engine !== 'reference') r.firstDifference = await firstDifferingLayer(graph, c.inputs, engine);
    results.push(r);
    onCase?.(r);
  }
  return results;
}
