/**
 * The long fuzzing campaign (`make fuzz`): structure-aware mutations of the seed corpus (see test/fuzz/) through
 * loadModelBytes, compileGraph and the reference interpreter, for --seconds seconds.
 *
 *   node dist/bench/fuzz.js [--seconds 300] [--seed N] [--workers 2] [--out test/fixtures/fuzz]
 *                           [--compile-files 0.1] [--built-share 0.5] [--hang-ms 20000] [--heap-mb 2048]
 *
 * --compile-files: share of model-file mutants that also go through compileGraph when they load (slow);
 * --built-share: share of cases on the small built models (which always compile and interpret).
 *
 * Cases run in worker threads with a heap limit, watched by the main thread: a case that raises anything but
 * a stable diagnostic, runs longer than --hang-ms, or runs a worker out of memory is reduced (fewer mutations)
 * and saved to the output directory (.tflite when small, else a .recipe.json over its seed). It prints
 * cases/second and the findings, and exits 1 if there were any.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { caseBytes, corpus, optionsFor, reduce, saveFinding, type PreparedSeed } from '../test/fuzz/campaign.js';
import { caseArb, semanticCaseArb, type MutationCase } from '../test/fuzz/mutate.js';
import { knownCodes, runCase, type Outcome } from '../test/fuzz/oracle.js';
import { findRepoRoot } from '../test/fuzz/seeds.js';

interface Args {
  seconds: number;
  seed: number;
  workers: number;
  out: string;
  compileFiles: number;
  builtShare: number;
  hangMs: number;
  heapMb: number;
}

const repo = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 300, seed: Date.now() % 1_000_000_007, workers: 2, out: join(repo, 'test/fixtures/fuzz'), compileFiles: 0.1, builtShare: 0.5, hangMs: 20_000, heapMb: 2048 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`${argv[i]} needs a number`);
      i++;
      return n;
    };
    switch (argv[i]) {
      case '--seconds': a.seconds = num(); break;
      case '--seed': a.seed = num(); break;
      case '--workers': a.workers = Math.max(1, num()); break;
      case '--compile-files': a.compileFiles = num(); break;
      case '--built-share': a.builtShare = Math.min(1, Math.max(0, num())); break;
      case '--hang-ms': a.hangMs = num(); break;
      case '--heap-mb': a.heapMb = num(); break;
      case '--out': a.out = v!; i++; break;
      default: throw new Error(`unknown argument ${argv[i]} (see the comment at the top of bench/fuzz.ts)`);
    }
  }
  return a;
}

type FromWorker =
  | { t: 'start'; c: MutationCase }
  | { t: 'done'; kind: Outcome['kind']; stages: string; ms: number }
  | { t: 'finding'; c: MutationCase; o: Outcome & { kind: 'finding' } };

// ---- worker: generate and run cases until told to stop ----------------------------------------------------

function workerMain(): void {
  const { seed, compileFiles, builtShare, deadline } = workerData as { seed: number; compileFiles: number; builtShare: number; deadline: number };
  const seeds = corpus(repo, 'all');
  const codes = knownCodes(repo);
  const idx = (kind: string) => seeds.flatMap((s, k) => (s.kind === kind ? [k] : []));
  const arb = caseArb(seeds.length, 4, [{ seeds: idx('file'), weight: Math.round(100 * (1 - builtShare)) }, { seeds: idx('built'), weight: Math.round(100 * builtShare) }]);
  // every other batch: semantic mutations only (field values, constants), which reach the compiler more often
  const semantic = semanticCaseArb(seeds.length, 2);
  let round = 0;
  while (Date.now() < deadline) {
    const batch = fc.sample(round % 2 ? semantic : arb, { seed: seed + round, numRuns: 100 });
    round++;
    for (const c of batch) {
      if (Date.now() >= deadline) break;
      const s = seeds[c.seed]!;
      const opts = optionsFor(s, Math.random() < compileFiles);
      parentPort!.postMessage({ t: 'start', c } satisfies FromWorker);
      const t0 = performance.now();
      const o = runCase(caseBytes(seeds, c), opts, codes);
      const ms = performance.now() - t0;
      if (o.kind === 'finding') {
        const small = reduce(seeds, c, opts, codes, o);
        parentPort!.postMessage({ t: 'finding', c: small, o } satisfies FromWorker);
      }
      parentPort!.postMessage({ t: 'done', kind: o.kind, stages: o.kind === 'ok' ? o.stages.join('+') : o.stage, ms } satisfies FromWorker);
    }
  }
}

// ---- main: start workers, watch them, save findings, report -----------------------------------------------

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const seeds: PreparedSeed[] = corpus(repo, 'all');
  const deadline = Date.now() + args.seconds * 1000;
  const started = Date.now();
  let cases = 0;
  const kinds = new Map<string, number>();
  const findings = new Map<string, string>();
  const note = (c: MutationCase, o: Outcome & { kind: 'finding' }): void => {
    const norm = (x: string) => x.replace(/"[^"]*"/g, '"S"').replace(/\d+/g, 'N');
    const key = `${o.stage}|${norm(o.reason)}|${norm(o.detail.split('|')[0] ?? '')}`;
    if (findings.has(key)) return;
    const file = saveFinding(args.out, seeds, c, o);
    findings.set(key, file);
    process.stdout.write(`\nFINDING (${o.stage}): ${o.reason}\n  at ${o.detail}\n  saved ${relative(process.cwd(), file)}\n`);
  };
  process.stdout.write(`fuzzing ${seeds.length} seeds (${seeds.filter((s) => s.kind === 'file').length} model files, ${seeds.filter((s) => s.kind === 'built').length} built) ` +
    `for ${args.seconds} s on ${args.workers} worker(s), seed ${args.seed}\n`);

  const runWorker = (k: number, generation: number): Promise<void> =>
    new Promise((resolve) => {
      const w = new Worker(fileURLToPath(import.meta.url), {
        workerData: { seed: args.seed + k * 1_000_003 + generation * 7919, compileFiles: args.compileFiles, builtShare: args.builtShare, deadline },
        resourceLimits: { maxOldGenerationSizeMb: args.heapMb },
      });
      let current: MutationCase | null = null;
      let since = Date.now();
      const watchdog = setInterval(() => {
        if (current && Date.now() - since > args.hangMs) {
          note(current, { kind: 'finding', stage: 'time', reason: `no answer after ${args.hangMs} ms (hang)`, detail: '' });
          current = null;
          void w.terminate();
        }
      }, 500);
      w.on('message', (m: FromWorker) => {
        if (m.t === 'start') {
          current = m.c;
          since = Date.now();
        } else if (m.t === 'done') {
          current = null;
          cases++;
          kinds.set(`${m.kind}:${m.stages}`, (kinds.get(`${m.kind}:${m.stages}`) ?? 0) + 1);
        } else note(m.c, m.o);
      });
      w.on('error', (e) => {
        if (current) note(current, { kind: 'finding', stage: 'time', reason: `worker died: ${(e as Error).message}`, detail: (e as { code?: string }).code ?? '' });
        current = null;
      });
      w.on('exit', () => {
        clearInterval(watchdog);
        // a worker killed by the watchdog or out of memory restarts until the deadline
        if (Date.now() < deadline - 2000) void runWorker(k, generation + 1).then(resolve);
        else resolve();
      });
    });

  const progress = setInterval(() => {
    const s = (Date.now() - started) / 1000;
    process.stdout.write(`\r${cases} cases, ${(cases / s).toFixed(0)} cases/s, ${findings.size} finding(s), ${Math.max(0, (deadline - Date.now()) / 1000).toFixed(0)} s left   `);
  }, 2000);
  await Promise.all(Array.from({ length: args.workers }, (_, k) => runWorker(k, 0)));
  clearInterval(progress);
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(`\n\n${cases} cases in ${secs.toFixed(0)} s: ${(cases / secs).toFixed(1)} cases/s on ${args.workers} worker(s)\n`);
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${k.padEnd(40)} ${n}\n`);
  if (findings.size) {
    process.stdout.write(`\n${findings.size} finding(s), saved as regression fixtures:\n`);
    for (const f of findings.values()) process.stdout.write(`  ${relative(process.cwd(), f)}\n`);
    return 1;
  }
  process.stdout.write('no findings\n');
  return 0;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`fuzz: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(3);
    },
  );
} else {
  workerMain();
}
