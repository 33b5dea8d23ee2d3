/**
 * The fuzzer's oracle. A hostile model file may only end in one of two ways:
 *  - a result (the graph loads; it compiles to C; the reference interpreter runs it), or
 *  - an MnetcError whose every diagnostic carries a published MNxxx code and maps to exit status 1 or 2.
 * Any other exception, a diagnostic with MN499 (internal error, exit 3) or an unknown code, a case that
 * takes longer than `slowMs`, or a model that compiles to C although the reference interpreter rejects it
 * (generated code nobody can check: a silent wrong answer in the making) is a finding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelBytes } from '../../src/api/model.js';
import { randomInput } from '../../src/api/golden-test.js';
import { compileGraph } from '../../src/codegen/index.js';
import { ExitCode, MnetcError } from '../../src/diagnostics.js';
import { interpret } from '../../src/interp/index.js';
import { inspectGraph } from '../../src/ir/inspect.js';
import { tensorBytes, type Graph } from '../../src/ir/types.js';

export type Stage = 'load' | 'compile' | 'interpret';

export interface CaseOptions {
  /** run compileGraph (TypeScript part: lowering, planning, emission) on graphs that load */
  compile: boolean;
  /** run the reference interpreter on graphs that load and are small */
  interpret: boolean;
  /** interpret only when all tensors together take at most this many bytes and MACs stay below maxMacs */
  maxInterpretBytes?: number;
  maxMacs?: number;
  /** a case slower than this is a finding (a hang in the making) */
  slowMs?: number;
}

export type Outcome =
  | { kind: 'ok'; stages: Stage[] }
  | { kind: 'diagnostic'; stage: Stage; codes: string[] }
  | { kind: 'finding'; stage: Stage | 'time'; reason: string; detail: string };

/** The published codes: every `| 'MNxxx'` of DiagnosticCode in src/diagnostics.ts. */
export function knownCodes(repo: string): Set<string> {
  const src = readFileSync(join(repo, 'src/diagnostics.ts'), 'utf8');
  return new Set([...src.matchAll(/\| '(MN\d{3})'/g)].map((m) => m[1]!));
}

function classify(e: unknown, stage: Stage, codes: Set<string>): Outcome {
  if (!(e instanceof MnetcError)) {
    const err = e as Error;
    const where = (err?.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' | ');
    return { kind: 'finding', stage, reason: `${err?.name ?? typeof e}: ${err?.message ?? String(e)}`, detail: where };
  }
  for (const d of e.diagnostics) {
    if (!codes.has(d.code) || d.code === 'MN499') return { kind: 'finding', stage, reason: `diagnostic with code ${d.code}`, detail: d.message };
    if (!d.message || /undefined|\[object /.test(d.message)) return { kind: 'finding', stage, reason: `unclear message for ${d.code}`, detail: d.message };
  }
  if (e.exitCode !== ExitCode.user && e.exitCode !== ExitCode.unsupported) return { kind: 'finding', stage, reason: `exit code ${e.exitCode}`, detail: e.message };
  return { kind: 'diagnostic', stage, codes: e.diagnostics.map((d) => d.code) };
}

function totalBytes(g: Graph): number {
  return g.tensors.reduce((s, t) => s + tensorBytes(t), 0);
}

export function runCase(bytes: Uint8Array, opts: CaseOptions, codes: Set<string>): Outcome {
  const t0 = performance.now();
  const stages: Stage[] = [];
  const slow = (): Outcome | null => {
    const ms = performance.now() - t0;
    return opts.slowMs !== undefined && ms > opts.slowMs ? { kind: 'finding', stage: 'time', reason: `case took ${ms.toFixed(0)} ms`, detail: `stages: ${stages.join(',')}` } : null;
  };
  let g: Graph;
  let macs: number;
  try {
    g = loadModelBytes(bytes);
    macs = inspectGraph(g).totals.macs;
    stages.push('load');
  } catch (e) {
    return slow() ?? classify(e, 'load', codes);
  }
  if (opts.compile) {
    try {
      compileGraph(g, { name: 'fuzz' });
      stages.push('compile');
    } catch (e) {
      const o = classify(e, 'compile', codes);
      if (o.kind === 'finding') return o;
    }
  }
  if (opts.interpret && totalBytes(g) <= (opts.maxInterpretBytes ?? 1 << 20) && macs <= (opts.maxMacs ?? 5e6)) {
    try {
      interpret(g, g.inputs.map((ti, k) => randomInput(g.tensors[ti]!, 1000 + k)));
      stages.push('interpret');
    } catch (e) {
      const o = classify(e, 'interpret', codes);
      if (o.kind === 'finding') return o;
      // C generated for a model the reference rejects would compute something nobody checked
      if (stages.includes('compile')) {
        return { kind: 'finding', stage: 'interpret', reason: `compileGraph accepted a model the reference interpreter rejects (${o.kind === 'diagnostic' ? o.codes.join(',') : ''})`, detail: (e as Error).message.split('\n')[0]! };
      }
    }
  }
  return slow() ?? { kind: 'ok', stages };
}
