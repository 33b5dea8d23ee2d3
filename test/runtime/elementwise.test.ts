/**
 * The element-wise kernels' fast paths (runtime-c/src/mn_add_s8.c input tables, mn_requantize.c identity and
 * table paths, mn_quantize_f32.c FPU rounding) reproduce TFLM's arithmetic on every runnable target:
 * test/runtime/fixtures/elementwise_main.c checks every (a, b) pair of many ADD parameter sets, every byte of
 * many requantizations, and float rounding ties and their neighbours. The host build runs under ASan/UBSan.
 * Also checks that lower.ts fills the ADD tables as the C contract (mn_kernels.h) describes.
 * A target is skipped only when its compiler or QEMU is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInputTables } from '../../src/codegen/lower.js';
import { packageRoot } from '../../src/codegen/paths.js';
import { mulByQuantizedMultiplierSmallerThanOneExp } from '../../src/fixed/index.js';
import { addElement, type AddParams } from '../../src/interp/ops/add.js';
import { buildProgram, canRun, getTarget, runProgram, type TargetName } from '../../src/targets/index.js';

const TARGETS: TargetName[] = ['host', 'cortex-m4', 'cortex-m55', 'riscv32'];

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mnetc-elementwise-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(TARGETS)('%s', (name) => {
  const target = getTarget(name);
  it.skipIf(!canRun(target))('ADD / QUANTIZE fast paths are exact', async () => {
    const dir = join(work, name);
    const src = (f: string) => join(packageRoot, 'runtime-c', 'src', f);
    const { elfPath } = await buildProgram(target, {
      sources: [join(packageRoot, 'test', 'runtime', 'fixtures', 'elementwise_main.c'), src('mn_add_s8.c'), src('mn_requantize.c'), src('mn_quantize_f32.c')],
      includeDirs: [join(packageRoot, 'runtime-c', 'include')],
      outDir: dir,
      name: 'elementwise',
      extraCflags: target.kind === 'host' ? ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'] : [],
    });
    const r = await runProgram(target, elfPath, { cwd: dir, timeoutMs: 300_000 });
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('R ') || l.startsWith('PASSED') || l.startsWith('FAILED'));
    expect(lines).toEqual(['R add ok', 'R requantize ok', 'R quantize_f32 ok', 'PASSED 0']);
    expect(r.exitCode).toBe(0);
  }, 600_000);
});

describe('ADD input tables (lower.ts)', () => {
  it('hold twice the rescaled input of every raw byte, and their sum gives the interpreter result', () => {
    const p: AddParams = {
      leftShift: 20, in1Offset: 128, in2Offset: -5, outOffset: -3, in1Mult: 1073741824, in1Shift: -1, in2Mult: 1987654321,
      in2Shift: -3, outMult: 1500000000, outShift: -19, actMin: -128, actMax: 127,
    };
    const t = addInputTables(p)!;
    expect(t).not.toBeNull();
    for (const u of [0, 1, 127, 128, 200, 255]) {
      const x = (u << 24) >> 24;
      expect(t[0][u]).toBe(2 * mulByQuantizedMultiplierSmallerThanOneExp((x + 128) * 2 ** 20, p.in1Mult, p.in1Shift));
      expect(t[1][u]).toBe(2 * mulByQuantizedMultiplierSmallerThanOneExp((x - 5) * 2 ** 20, p.in2Mult, p.in2Shift));
    }
    for (let a = -128; a < 128; a += 5) {
      for (let b = -128; b < 128; b += 7) {
        const s2 = t[0][a & 255]! + t[1][b & 255]!;
        const raw = mulByQuantizedMultiplierSmallerThanOneExp(s2 / 2, p.outMult, p.outShift) + p.outOffset;
        expect(Math.min(127, Math.max(-128, raw))).toBe(addElement(p, a, b));
      }
    }
    // an entry beyond the kernel's bound: no tables
    expect(addInputTables({ ...p, leftShift: 23 })).toBeNull();
  });
});
