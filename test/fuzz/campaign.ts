/**
 * Pieces shared by the CI fuzz test and the long campaign (bench/fuzz.ts): the prepared seed corpus, turning
 * a mutation case into bytes, reducing a finding to fewer mutations, and saving it as a regression fixture.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapFlatbuffer, type FbMap } from './fbmap.js';
import { applyMutations, type Mutation, type MutationCase } from './mutate.js';
import { runCase, type CaseOptions, type Outcome } from './oracle.js';
import { builtSeeds, fileSeeds, type Seed } from './seeds.js';

export interface PreparedSeed extends Seed {
  map: FbMap;
}

export function prepare(seeds: Seed[]): PreparedSeed[] {
  return seeds.map((s) => ({ ...s, map: mapFlatbuffer(s.bytes) }));
}

export function corpus(repo: string, which: 'file' | 'built' | 'all', maxFileBytes = Infinity): PreparedSeed[] {
  const seeds: Seed[] = [];
  if (which !== 'built') seeds.push(...fileSeeds(repo, maxFileBytes));
  if (which !== 'file') seeds.push(...builtSeeds());
  return prepare(seeds);
}

export function caseBytes(seeds: PreparedSeed[], c: MutationCase): Uint8Array {
  const s = seeds[c.seed % seeds.length]!;
  return applyMutations(s.bytes, s.map, c.mutations, seeds.map((x) => x.bytes));
}

/** What the campaign and the test run on each kind of seed. */
export function optionsFor(seed: Seed, compileFiles: boolean): CaseOptions {
  return seed.kind === 'built'
    ? { compile: true, interpret: true, maxInterpretBytes: 1 << 20, maxMacs: 2e6 }
    : { compile: compileFiles, interpret: false };
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A fixture recipe: the seed (by name) and the mutations; the sha256 pins the bytes they make. */
export interface Recipe {
  seed: string;
  mutations: Mutation[];
  sha256: string;
  length: number;
  stage: string;
  reason: string;
  detail?: string;
}

/** Drops mutations one at a time while the same kind of finding remains. */
export function reduce(seeds: PreparedSeed[], c: MutationCase, opts: CaseOptions, codes: Set<string>, finding: Outcome & { kind: 'finding' }): MutationCase {
  let cur = c;
  const same = (o: Outcome) => o.kind === 'finding' && o.stage === finding.stage && o.reason.split(':')[0] === finding.reason.split(':')[0];
  for (let i = cur.mutations.length - 1; i >= 0 && cur.mutations.length > 1; i--) {
    const next = { seed: cur.seed, mutations: cur.mutations.filter((_, k) => k !== i) };
    if (same(runCase(caseBytes(seeds, next), { ...opts, slowMs: undefined }, codes))) cur = next;
  }
  return cur;
}

/** Files up to this size are saved as .tflite; bigger ones as a recipe over their (committed or shared) seed. */
const MAX_FIXTURE_BYTES = 64 * 1024;

export function saveFinding(dir: string, seeds: PreparedSeed[], c: MutationCase, o: Outcome & { kind: 'finding' }): string {
  mkdirSync(dir, { recursive: true });
  const bytes = caseBytes(seeds, c);
  const hash = sha256(bytes);
  const seed = seeds[c.seed % seeds.length]!;
  const base = `${o.stage}-${hash.slice(0, 12)}`;
  const recipe: Recipe = { seed: seed.name, mutations: c.mutations, sha256: hash, length: bytes.length, stage: o.stage, reason: o.reason, detail: o.detail };
  if (bytes.length <= MAX_FIXTURE_BYTES) {
    writeFileSync(join(dir, `${base}.tflite`), bytes);
    writeFileSync(join(dir, `${base}.tflite.json`), `${JSON.stringify(recipe, null, 1)}\n`);
    return join(dir, `${base}.tflite`);
  }
  writeFileSync(join(dir, `${base}.recipe.json`), `${JSON.stringify(recipe, null, 1)}\n`);
  return join(dir, `${base}.recipe.json`);
}

export interface Fixture {
  name: string;
  /** null when the recipe's seed is not available here (../shared absent) */
  bytes: Uint8Array | null;
  recipe?: Recipe;
}

/** Every regression fixture in `dir`: plain .tflite files, and recipes rebuilt from their seeds. */
export function loadFixtures(dir: string, seeds: PreparedSeed[]): Fixture[] {
  if (!existsSync(dir)) return [];
  const out: Fixture[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.tflite')) out.push({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) });
    else if (f.endsWith('.recipe.json')) {
      const recipe = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Recipe;
      const k = seeds.findIndex((s) => s.name === recipe.seed);
      out.push({ name: f, bytes: k < 0 ? null : caseBytes(seeds, { seed: k, mutations: recipe.mutations }), recipe });
    }
  }
  return out;
}
