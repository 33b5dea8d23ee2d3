/**
 * The targets layer end to end: build a small C program for every runnable target, run it (directly or
 * under QEMU with semihosting), and check its output bytes, exit status and instruction counts.
 * A target is skipped only when its compiler or emulator is not installed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MnetcError } from '../../src/diagnostics.js';
import {
  buildProgram,
  canRun,
  ensureIcountPlugin,
  getTarget,
  listTargets,
  runProgram,
  sizeOf,
  toolchainAvailable,
  type TargetName,
} from '../../src/targets/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DOT_C = join(FIXTURES, 'dot.c');
const BIG_C = join(FIXTURES, 'big_weights.c');
const FAULT_C = join(FIXTURES, 'fault.c');
const CYCLES_C = join(FIXTURES, 'cycles.c');
const MN_EXIT_FAULT = 99;

const N = 1000;
const BIG_N = 3_670_016; // 3.5 MiB, about MobileNetV2's int8 weights
const RUNNABLE: TargetName[] = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32'];

/** deterministic pseudo-random bytes (LCG) */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** what fixtures/dot.c computes (see its header comment) */
function expectedDot(input: Uint8Array): { out: Uint8Array; dot: number } {
  const x = new Int8Array(input.buffer, input.byteOffset, input.length);
  const w = Array.from({ length: 64 }, (_, k) => ((k * 73 + 29) % 251) - 125);
  const out = new Uint8Array(N + 4);
  let dot = 0;
  for (let i = 0; i < N; i++) {
    let acc = 0;
    for (let k = 0; k < 8; k++) acc += x[(i + k) % N]! * w[(8 * i + k) & 63]!;
    acc = (acc + 5 + 64) >> 7;
    out[i] = Math.max(-128, Math.min(127, acc)) & 0xff;
    dot += x[i]! * w[i & 63]!;
  }
  dot += 1;
  new DataView(out.buffer).setInt32(N, dot, true);
  return { out, dot };
}

function fnv1a(data: Uint8Array): number {
  let h = 2166136261;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 16777619) >>> 0;
  return h >>> 0;
}

const input = bytes(N, 12345);
const expected = expectedDot(input);
const bigWeights = bytes(BIG_N, 777);

let work: string;
let bigWeightsC: string;
let bigWeightsS: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mnetc-targets-'));
  // (a) the weights as one C string-literal initialiser: how generated code should emit them
  const parts: string[] = [
    '#include <stdint.h>\n#include "mn_io.h"\n',
    `const int8_t mn_big_weights[${BIG_N}] MN_WEIGHTS =\n`,
  ];
  const hex = Array.from({ length: 256 }, (_, b) => '\\x' + b.toString(16).padStart(2, '0'));
  for (let i = 0; i < BIG_N; i += 64) {
    let line = '"';
    for (let j = i; j < Math.min(i + 64, BIG_N); j++) line += hex[bigWeights[j]!];
    parts.push(line + '"\n');
  }
  parts.push(';\n');
  bigWeightsC = join(work, 'big_weights_data.c');
  writeFileSync(bigWeightsC, parts.join(''));
  // (b) the same bytes through .incbin (assembles in no time; used for the other targets)
  const bin = join(work, 'big_weights.bin');
  writeFileSync(bin, bigWeights);
  bigWeightsS = join(work, 'big_weights_data.S');
  writeFileSync(
    bigWeightsS,
    [
      '  .section .weights, "a"',
      '  .balign 16',
      '  .globl mn_big_weights',
      '  .type mn_big_weights, %object',
      'mn_big_weights:',
      `  .incbin "${bin}"`,
      `  .size mn_big_weights, ${BIG_N}`,
      '#if defined(__linux__)',
      '  .section .note.GNU-stack, "", %progbits',
      '#endif',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** a fresh run directory, optionally with in.bin */
function runDir(name: string, inBin?: Uint8Array): string {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  if (inBin) writeFileSync(join(d, 'in.bin'), inBin);
  return d;
}

async function expectMnetcError(p: Promise<unknown>, code: string): Promise<MnetcError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MnetcError);
  expect((e as MnetcError).diagnostics[0]!.code).toBe(code);
  return e as MnetcError;
}

describe('target catalog', () => {
  it('lists every target with consistent data', () => {
    const names = listTargets().map((t) => t.name);
    expect(names).toEqual(['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32', 'esp32', 'esp32s3']);
    for (const t of listTargets()) {
      expect(getTarget(t.name)).toBe(t);
      expect(t.cflags).toEqual(expect.arrayContaining(['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2']));
      expect(t.kernels).toContain('ref');
      if (t.kind === 'arm' || t.kind === 'riscv') {
        expect(t.qemu).not.toBeNull();
        expect(t.linkerScript).not.toBeNull();
        // the emulated machines take a MobileNetV2-sized weight blob
        expect(t.memory!.weights).toBeGreaterThanOrEqual(BIG_N);
      }
    }
    expect(getTarget('cortex-m55').kernels).toContain('mve');
    expect(getTarget('cortex-m4').kernels).toContain('dsp');
    expect(getTarget('esp32').buildOnly).toBe(true);
  });

  it('rejects an unknown target name with MN405', () => {
    expect(() => getTarget('cortex-a53')).toThrow(MnetcError);
    try {
      getTarget('cortex-a53');
    } catch (e) {
      expect((e as MnetcError).diagnostics[0]!.code).toBe('MN405');
    }
  });

  it.skipIf(toolchainAvailable('esp32'))('refuses to build for a target whose toolchain is missing (MN403)', async () => {
    await expectMnetcError(
      buildProgram('esp32', { sources: [DOT_C], includeDirs: [], outDir: join(work, 'esp32'), name: 'dot' }),
      'MN403',
    );
  });
});

describe.each(RUNNABLE)('%s', (name) => {
  const target = getTarget(name);
  const runnable = canRun(target);
  const emulated = target.kind !== 'host';

  it.skipIf(!runnable)('builds the fixture, runs it and reproduces the reference bytes', async () => {
    const outDir = join(work, name);
    const { elfPath } = await buildProgram(target, {
      sources: [DOT_C],
      includeDirs: [],
      defines: { N_IN: String(N) },
      outDir,
      name: 'dot',
    });
    const cwd1 = runDir(`${name}-run1`, input);
    const r1 = await runProgram(target, elfPath, { cwd: cwd1, timeoutMs: 20_000, countInstructions: true, histogram: true });
    expect(r1.exitCode).toBe(0);
    expect(r1.stdout).toContain(`fixture: dot=${expected.dot}\n`);
    expect(new Uint8Array(readFileSync(join(cwd1, 'out.bin')))).toEqual(expected.out);

    if (!emulated) {
      expect(r1.instructions).toBeUndefined();
      return;
    }
    // exact, deterministic instruction counts
    const cwd2 = runDir(`${name}-run2`, input);
    const r2 = await runProgram(target, elfPath, { cwd: cwd2, timeoutMs: 20_000, countInstructions: true });
    expect(new Uint8Array(readFileSync(join(cwd2, 'out.bin')))).toEqual(expected.out);
    expect(r1.instructions).toBeGreaterThan(0);
    expect(r2.instructions).toBe(r1.instructions);
    expect(r2.marks).toEqual(r1.marks);
    expect(r1.markTotals).toHaveLength(2);
    expect(r1.marks).toHaveLength(1);
    const bench = r1.marks![0]!;
    // 8000 int8 MACs plus 1000 requantisations: at least ~3 and at most ~40 instructions per MAC
    expect(bench).toBeGreaterThan(3 * 8 * N);
    expect(bench).toBeLessThan(40 * 8 * N);
    expect(r1.instructions!).toBeGreaterThan(r1.markTotals![1]!);
    // the histogram covers every executed instruction
    const histTotal = Object.values(r1.histogram!).reduce((a, b) => a + b, 0);
    expect(histTotal).toBe(r1.instructions);
    expect(r1.stderr).not.toContain('icount-plugin');
    console.log(`${name}: dot fixture ${bench} instructions between marks, ${r1.instructions} in total`);
  });

  it.skipIf(!runnable)('propagates nonzero exit codes', async () => {
    const outDir = join(work, name);
    const { elfPath } = await buildProgram(target, {
      sources: [DOT_C],
      includeDirs: [],
      defines: { N_IN: String(N), FIXTURE_EXIT: '42' },
      outDir,
      name: 'dot42',
    });
    const ok = await runProgram(target, elfPath, { cwd: runDir(`${name}-exit42`, input), timeoutMs: 20_000 });
    expect(ok.exitCode).toBe(42);
    expect(ok.stdout).toContain(`fixture: dot=${expected.dot}`);
    // no in.bin: mn_io_read fails and main returns 3
    const missing = await runProgram(target, elfPath, { cwd: runDir(`${name}-missing`), timeoutMs: 20_000 });
    expect(missing.exitCode).toBe(3);
    expect(missing.stdout).toContain('cannot read in.bin');
    // mn_io_read insists on the exact size
    const wrong = await runProgram(target, elfPath, { cwd: runDir(`${name}-short`, input.subarray(0, N - 1)), timeoutMs: 20_000 });
    expect(wrong.exitCode).toBe(3);
    expect(existsSync(join(work, `${name}-short`, 'out.bin'))).toBe(false);
  });

  it.skipIf(!runnable)('links and reads a 3.5 MiB .weights table', async () => {
    const { elfPath } = await buildProgram(target, {
      // the C literal costs ~0.3 s of compile time per target: exercise it where the brief demands 3.5 MiB
      sources: [BIG_C, name === 'cortex-m4' ? bigWeightsC : bigWeightsS],
      includeDirs: [],
      defines: { BIG_N: String(BIG_N) },
      outDir: join(work, name),
      name: 'big',
    });
    const size = await sizeOf(target, elfPath);
    expect(size.text).toBeGreaterThan(BIG_N);
    if (emulated) {
      expect(size.sections['.weights']).toBeGreaterThanOrEqual(BIG_N);
      expect(size.sections['.weights']).toBeLessThanOrEqual(target.memory!.weights);
      expect(size.sections['.text']).toBeLessThan(16 * 1024);
    }
    const cwd = runDir(`${name}-big`);
    const r = await runProgram(target, elfPath, { cwd, timeoutMs: 20_000, countInstructions: emulated });
    expect(r.exitCode).toBe(0);
    const out = readFileSync(join(cwd, 'out.bin'));
    expect(out.length).toBe(4);
    expect(out.readUInt32LE(0)).toBe(fnv1a(bigWeights));
    if (emulated) {
      expect(r.marks![0]).toBeGreaterThanOrEqual(2 * BIG_N);
      expect(r.marks![0]).toBeLessThanOrEqual(12 * BIG_N);
    }
  });
});

describe.each(['cortex-m4', 'riscv32'] as const)('%s firmware runtime', (name) => {
  it.skipIf(!canRun(name))('exits with MN_EXIT_FAULT from the fault handler', async () => {
    const { elfPath } = await buildProgram(name, {
      sources: [FAULT_C],
      includeDirs: [],
      defines: { FAULT_KIND: '1' },
      outDir: join(work, name),
      name: 'fault',
    });
    const r = await runProgram(name, elfPath, { cwd: runDir(`${name}-fault`), timeoutMs: 20_000 });
    expect(r.exitCode).toBe(MN_EXIT_FAULT);
    expect(r.stdout).toContain('fault fixture: start');
    expect(r.stdout).toMatch(/\*\*\* mnetc firmware: (fault|trap)/);
  });

  it.skipIf(!canRun(name))('mn_io_cycles() agrees with the plugin under -icount', async () => {
    const target = getTarget(name);
    const { elfPath } = await buildProgram(target, { sources: [CYCLES_C], includeDirs: [], outDir: join(work, name), name: 'cycles' });
    const cwd = runDir(`${name}-cycles`);
    const r = await runProgram(target, elfPath, { cwd, timeoutMs: 20_000, countInstructions: true });
    expect(r.exitCode).toBe(0);
    const cycles = Number(readFileSync(join(cwd, 'out.bin')).readBigUInt64LE(0));
    const insns = target.qemu!.clockHz === null ? cycles : (cycles * 1e9) / target.qemu!.clockHz;
    const bench = r.marks![0]!;
    expect(bench).toBeGreaterThan(200_000);
    // SysTick resolution is 40 instructions on an386; the timer reads themselves add a few dozen
    expect(Math.abs(insns - bench)).toBeLessThan(200);
  });

  it.skipIf(!canRun(name))('kills a program that never ends and reports MN403', async () => {
    const { elfPath } = await buildProgram(name, {
      sources: [FAULT_C],
      includeDirs: [],
      defines: { FAULT_KIND: '2' },
      outDir: join(work, name),
      name: 'hang',
    });
    const e = await expectMnetcError(runProgram(name, elfPath, { cwd: runDir(`${name}-hang`), timeoutMs: 500 }), 'MN403');
    expect(e.message).toContain('timed out');
  });
});

describe('build failures and host options', () => {
  const anyTarget = RUNNABLE.find((n) => toolchainAvailable(n));

  it.skipIf(!anyTarget)('reports a compiler error as MN403 with the compiler message', async () => {
    const bad = join(work, 'bad.c');
    writeFileSync(bad, 'int main(void) { int unused; return missing_symbol; }\n');
    const e = await expectMnetcError(
      buildProgram(anyTarget!, { sources: [bad], includeDirs: [], outDir: join(work, 'bad'), name: 'bad' }),
      'MN403',
    );
    expect(e.message).toContain('missing_symbol');
    expect(e.message).toContain('bad.c');
  });

  it.skipIf(!canRun('host'))('builds the host program with sanitizers through extraCflags', async () => {
    const { elfPath } = await buildProgram('host', {
      sources: [DOT_C],
      includeDirs: [],
      outDir: join(work, 'asan'),
      name: 'dot_asan',
      extraCflags: ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'],
    });
    const cwd = runDir('host-asan', input);
    const r = await runProgram('host', elfPath, { cwd, timeoutMs: 20_000 });
    expect(r.exitCode).toBe(0);
    expect(new Uint8Array(readFileSync(join(cwd, 'out.bin')))).toEqual(expected.out);
  });

  it.skipIf(!canRun('cortex-m4'))('builds the instruction-count plugin once and reuses it', async () => {
    const a = await ensureIcountPlugin();
    const b = await ensureIcountPlugin();
    expect(a).toBe(b);
    expect(existsSync(a)).toBe(true);
  });
});
