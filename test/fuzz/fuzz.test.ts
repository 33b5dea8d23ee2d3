/**
 * Property-based fuzzing of the reader, the validator, the compiler (TypeScript part) and the reference
 * interpreter with structure-aware mutations of real flatbuffers (see mutate.ts, fbmap.ts). 10,000 cases
 * per run with a fixed seed (MNETC_FUZZ_SEED to vary it; `make fuzz` runs the long campaign):
 *   - 5,000 mutants of the model files, through loadModelBytes + inspect (fast: most die in the verifier);
 *   - 1,500 mutants of the small built models, through loadModelBytes, compileGraph and interpret;
 *   - 3,400 semantic mutants (field values and constants only) of the built models, likewise: most of them
 *     still load, so they exercise validation, lowering, planning, emission and every interpreter kernel;
 *   - 100 semantic mutants of the model files that also go through compileGraph when they still load.
 * Allowed outcomes: a result, or an MnetcError whose every diagnostic has a published code and exit status
 * 1 or 2. Any other exception, MN499, a case slower than 10 s, or a heap that keeps growing fails the test.
 * Every input the fuzzer ever broke mnetc with lives in test/fixtures/fuzz/ and is replayed here (also through
 * the CLI, which must exit 1 or 2 with one `mnetc: error MNxxx:` line per diagnostic and no stack trace).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';
import { caseBytes, corpus, loadFixtures, sha256, type PreparedSeed } from './campaign.js';
import { caseArb, semanticCaseArb, type MutationCase } from './mutate.js';
import { knownCodes, runCase, type CaseOptions } from './oracle.js';

const SEED = Number(process.env.MNETC_FUZZ_SEED ?? 20251122);
const codes = knownCodes(repoRoot);
/** model files up to 2 MB (MobileNetV2-1.0-224 is left to the campaign) */
const files = corpus(repoRoot, 'file', 2 * 1024 * 1024);
const built = corpus(repoRoot, 'built');
const fixturesDir = join(repoRoot, 'test/fixtures/fuzz');

let maxRss = 0;

/** Runs `runs` cases; a finding fails the property (fast-check then shrinks it to fewer, simpler mutations). */
function fuzz(seeds: PreparedSeed[], runs: number, opts: CaseOptions, seed: number, arb = caseArb(seeds.length)): { outcomes: Map<string, number>; ms: number } {
  const outcomes = new Map<string, number>();
  let n = 0;
  const t0 = performance.now();
  fc.assert(
    fc.property(arb, (c: MutationCase) => {
      const bytes = caseBytes(seeds, c);
      const o = runCase(bytes, { ...opts, slowMs: 10_000 }, codes);
      const key = o.kind === 'ok' ? `ok:${o.stages.join('+')}` : o.kind === 'diagnostic' ? `${o.stage}:${o.codes[0]}` : 'finding';
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (++n % 500 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (o.kind === 'finding') {
        const file = join(mkdtempSync(join(tmpdir(), 'mnetc-fuzz-')), `${o.stage}-${sha256(bytes).slice(0, 12)}.tflite`);
        writeFileSync(file, bytes);
        throw new Error(`${o.stage}: ${o.reason}\n  at ${o.detail}\n  seed ${seeds[c.seed]!.name}, mutations ${JSON.stringify(c.mutations)}\n  input saved to ${file}`);
      }
    }),
    { seed, numRuns: runs, endOnFailure: false },
  );
  return { outcomes, ms: performance.now() - t0 };
}

function summary(name: string, r: { outcomes: Map<string, number>; ms: number }, runs: number): void {
  const top = [...r.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stdout.write(`fuzz ${name}: ${runs} cases in ${(r.ms / 1000).toFixed(1)} s (${((runs * 1000) / r.ms).toFixed(0)}/s): ${top}\n`);
}

describe('fuzz: structure-aware mutations', () => {
  it('has a seed corpus: model files and built models of every supported op', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(built.length).toBeGreaterThanOrEqual(5);
    for (const s of [...files, ...built]) {
      expect(s.map.uoffsets.length).toBeGreaterThan(10);
      expect(s.map.scalars.length).toBeGreaterThan(10);
      expect(runCase(s.bytes, { compile: s.kind === 'built', interpret: s.kind === 'built' }, codes).kind).toBe('ok');
    }
  });

  it('5,000 mutated model files: a graph or a stable diagnostic from the reader', () => {
    const runs = 5000;
    const r = fuzz(files, runs, { compile: false, interpret: false }, SEED);
    summary('reader', r, runs);
    // the mutations must reach past the verifier often enough to exercise the reader and the validator
    const pastVerifier = [...r.outcomes].filter(([k]) => k.startsWith('ok') || /MN2|MN3/.test(k)).reduce((s, [, v]) => s + v, 0);
    expect(pastVerifier).toBeGreaterThan(runs / 10);
  }, 300_000);

  const builtOpts: CaseOptions = { compile: true, interpret: true, maxInterpretBytes: 1 << 20, maxMacs: 2e6 };

  it('1,500 structurally mutated built models: load, compile and interpret, or a stable diagnostic', () => {
    const runs = 1500;
    const r = fuzz(built, runs, builtOpts, SEED + 1);
    summary('built, structure', r, runs);
  }, 300_000);

  it('3,400 semantically mutated built models (field values, constants): load, compile and interpret, or a stable diagnostic', () => {
    const runs = 3400;
    const r = fuzz(built, runs, builtOpts, SEED + 2, semanticCaseArb(built.length, 2));
    summary('built, semantic', r, runs);
    expect(r.outcomes.get('ok:load+compile+interpret') ?? 0).toBeGreaterThan(runs / 6);
  }, 300_000);

  it('100 mutated model files through the compiler', () => {
    const runs = 100;
    const r = fuzz(files, runs, { compile: true, interpret: false }, SEED + 3, semanticCaseArb(files.length));
    summary('files+compile', r, runs);
  }, 300_000);

  it('keeps memory bounded', () => {
    expect(maxRss).toBeLessThan(3 * 1024 * 1024 * 1024);
  });
});

describe('fuzz regressions (test/fixtures/fuzz)', () => {
  const all = corpus(repoRoot, 'all');
  const fixtures = loadFixtures(fixturesDir, all);

  it('reads a valid model from a byte view at any offset (typed-array views need 4-aligned vectors)', () => {
    const bytes = built.find((s) => s.name === 'built:mobilenet_block')!.bytes;
    for (let shift = 0; shift < 8; shift++) {
      const buf = new Uint8Array(bytes.length + shift);
      buf.set(bytes, shift);
      expect(runCase(buf.subarray(shift), { compile: false, interpret: false }, codes).kind).toBe('ok');
    }
  });

  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: a result or a stable diagnostic', (_, f) => {
    if (!f.bytes) return; // its seed lives in ../shared, absent here
    if (f.recipe) expect(sha256(f.bytes), 'the recipe no longer rebuilds the same bytes (did fbmap.ts or mutate.ts change?)').toBe(f.recipe.sha256);
    const o = runCase(f.bytes, { compile: true, interpret: true, maxInterpretBytes: 1 << 22, maxMacs: 2e7, slowMs: 20_000 }, codes);
    expect(o.kind === 'finding' ? `${o.stage}: ${o.reason} at ${o.detail}` : 'ok').toBe('ok');
  });

  it('the CLI maps each fixture to exit 0, 1 or 2 with one line per diagnostic', async () => {
    const cli = join(repoRoot, 'dist/src/cli/main.js');
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-fuzz-cli-'));
    for (const f of fixtures) {
      if (!f.bytes) continue;
      const p = join(dir, f.name.replace(/\.recipe\.json$/, '.tflite'));
      writeFileSync(p, f.bytes);
      const r = await execa('node', [cli, 'inspect', p], { reject: false });
      expect([0, 1, 2], `${f.name}: ${r.stderr}`).toContain(r.exitCode);
      if (r.exitCode !== 0) {
        for (const line of r.stderr.trim().split('\n')) expect(line).toMatch(/^mnetc: error MN[1-3]\d\d: \S/);
        expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      }
    }
  }, 120_000);
});
