/**
 * Dead-region poisoning (NAME_POISON builds): the interval arithmetic that decides which arena bytes die after
 * each unit, the generated C with and without the define, and proof that the mechanism catches a read of data
 * that is still needed: a deliberately wrong schedule (one buffer's lifetime cut short) poisons live bytes
 * through the test-only NAME_POISON_HOOK and the outputs must change.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/api/model.js';
import { runNative } from '../../src/api/native.js';
import { mergeRanges, poisonSchedule, subtractRanges, type ByteRange } from '../../src/codegen/emit.js';
import { compileGraph, writeModule, type MemoryPlanMode } from '../../src/codegen/index.js';
import { interpret } from '../../src/interp/index.js';
import { canRun } from '../../src/targets/index.js';
import { repoRoot } from '../helpers/shared.js';

const r = (offset: number, size: number): ByteRange => ({ offset, size });
const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'));

describe('poison intervals', () => {
  it('merges and subtracts byte ranges', () => {
    expect(mergeRanges([r(32, 16), r(0, 16), r(16, 8), r(100, 0), r(40, 20)])).toEqual([r(0, 24), r(32, 28)]);
    expect(subtractRanges([r(0, 100)], [r(10, 10), r(50, 60)])).toEqual([r(0, 10), r(20, 30)]);
    expect(subtractRanges([r(0, 100)], [r(0, 100)])).toEqual([]);
    expect(subtractRanges([r(0, 16), r(64, 16)], [r(8, 64)])).toEqual([r(0, 8), r(72, 8)]);
    expect(subtractRanges([r(10, 10)], [])).toEqual([r(10, 10)]);
    expect(subtractRanges([r(10, 10)], [r(0, 5), r(30, 5)])).toEqual([r(10, 10)]);
  });

  it('poisons a dead buffer after its last step, minus bytes of buffers that live on', () => {
    const offsets = new Map([['in', 0], ['a', 0], ['ring', 200], ['b', 64], ['c', 56], ['out', 128]]);
    const buffers = [
      { id: 'in', size: 64, first: 0, last: 0 },
      { id: 'a', size: 64, first: 0, last: 1 }, // in-place over `in` (same offset)
      { id: 'ring', size: 16, first: 1, last: 1 }, // a region's ring: lives during its unit only
      { id: 'b', size: 32, first: 1, last: 2 },
      { id: 'c', size: 24, first: 2, last: 3 }, // a region's output written forward over its input `b`
      { id: 'out', size: 8, first: 3, last: 3 }, // a model output: never poisoned
    ];
    const s = poisonSchedule(buffers, offsets, new Set(['out']), 4);
    expect(s[0]).toEqual([]); // `in` dies at 0, but `a` now owns all of its bytes
    expect(s[1]).toEqual([r(0, 64), r(200, 16)]); // `a` and the ring; `c` (56..) does not exist yet
    expect(s[2]).toEqual([r(80, 16)]); // `b` (64..96) minus the part `c` (56..80) now holds
    expect(s[3]).toEqual([r(56, 24)]); // `c` dies at the last step; `out` is kept for the copy-out
  });
});

const digits = join(repoRoot, 'examples/digits/digits.tflite');

describe.skipIf(!canRun('host'))('poisoned builds', () => {
  it('without NAME_POISON the preprocessed module has no trace of poisoning', () => {
    const mod = compileGraph(loadModel(digits), { name: 'digits' });
    expect(mod.files.get('digits.c')).toContain('#if defined(DIGITS_POISON)');
    const dir = mkdtempSync(join(tmpdir(), 'mnetc-poison-'));
    try {
      writeModule(mod, dir, { force: true });
      const pre = (defs: string[]) => execFileSync('cc', ['-E', '-P', '-I', dir, '-I', join(repoRoot, 'runtime-c/include'), ...defs, join(dir, 'digits.c')], { encoding: 'utf8' });
      const plain = pre([]);
      expect(plain).not.toMatch(/dead_range|digits_poison|0xCD/);
      expect(pre(['-DDIGITS_POISON'])).toMatch(/memset\(a \+ dead\[i\]\.offset, 0xCD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['layer', 'stream'] as MemoryPlanMode[])('%s plan: a correct schedule leaves the outputs unchanged, a wrong one is caught', async (plan) => {
    const g = loadModel(digits);
    const inputs = [new Uint8Array(1024).map((_, i) => (i * 37 + 11) & 0xff)];
    const want = hex(interpret(g, inputs).outputs);
    const opts = { target: 'host', modelFile: 'digits.tflite', name: 'digits', memoryPlan: plan, poison: true };
    expect(hex((await runNative(g, inputs, opts)).outputs)).toEqual(want);

    // plant a bug: cut short the lifetime of a buffer that a later unit still reads, and poison what the
    // wrong schedule would call dead (through the test-only hook, on top of the real tables)
    const mod = compileGraph(g, { name: 'digits', memoryPlan: plan });
    const keep = new Set(g.outputs.map((t) => mod.arena.bufferOf.get(t)!));
    const steps = mod.units.length;
    const victim = mod.arena.requests.find((b) => !b.id.includes(':') && !keep.has(b.id) && b.last - b.first >= 1 && b.size >= 64)!;
    expect(victim).toBeDefined();
    const wrong = mod.arena.requests.map((b) => (b === victim ? { ...b, last: b.first } : b));
    const right = poisonSchedule(mod.arena.requests, mod.arena.plan.offsets, keep, steps);
    const extra = subtractRanges(poisonSchedule(wrong, mod.arena.plan.offsets, keep, steps)[victim.first]!, right[victim.first]!);
    expect(extra.length).toBeGreaterThan(0);
    const memsets = extra.map((x) => `memset((a)+${x.offset},0xCD,${x.size});`).join('');
    const hook = `-DDIGITS_POISON_HOOK(a,step)=do{if((step)==${victim.first}){${memsets}}}while(0)`;
    expect(hex((await runNative(g, inputs, { ...opts, extraCflags: [hook] })).outputs)).not.toEqual(want);
  });
});
