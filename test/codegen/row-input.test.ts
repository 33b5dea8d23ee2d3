/**
 * Row input (compile --input-rows): the caller hands the model input over one row at a time through a callback,
 * and the first streamed region pulls the rows into a ring, so the input never exists whole in the arena.
 * Checked here: the plan (no full input buffer, smaller arena), the generated API, the fallback when no region
 * reads the input (read whole first), refusals, and byte-exact results of the generated C on the host (ASan +
 * UBSan, dead-region poisoning, a runner that checks rows come in order, once each, into the arena), under
 * QEMU, and in a generated CMake project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomInput } from '../../src/api/golden-test.js';
import { loadModel } from '../../src/api/model.js';
import { runNative } from '../../src/api/native.js';
import { compileGraph } from '../../src/codegen/index.js';
import { writeProject } from '../../src/codegen/project.js';
import { interpret } from '../../src/interp/index.js';
import type { Graph } from '../../src/ir/types.js';
import { regionSchedule, type Stage } from '../../src/passes/stream.js';
import { canRun } from '../../src/targets/index.js';
import { IrBuilder } from '../helpers/ir-builder.js';
import { repoRoot, sharedDir, sharedModels } from '../helpers/shared.js';

const hex = (xs: Uint8Array[]) => xs.map((x) => Buffer.from(x).toString('hex'));
const SANITIZERS = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'];
const digits = join(repoRoot, 'examples/digits/digits.tflite');
const zooDir = join(repoRoot, 'test/fixtures/zoo');
const zoo = readdirSync(zooDir).filter((f) => f.endsWith('.tflite')).sort();
// one of each family (V1, V2 with residual adds, V3 with hard-swish / squeeze-excite, float I/O)
const zooPick = zoo.filter((f) => /^(v1_0\.25_96_c3_top|v2_0\.35_96_c1_notop|v3s_0\.35_96_c3_top|v3lmin_0\.5)/.test(f));
const work = mkdtempSync(join(tmpdir(), 'mnetc-rowin-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** input -> MAX_POOL (never streamed) -> inverted-residual block: no region can read the input */
function poolFirst(): Graph {
  const b = new IrBuilder();
  const x = b.tensor('x', [1, 12, 10, 8], 0.05, 3);
  const p = b.tensor('pool', [1, 6, 5, 8], 0.05, 3);
  b.ops.push({ kind: 'max_pool2d', index: 0, opName: 'MAX_POOL_2D', inputs: [x], outputs: [p], padding: 'valid', strideH: 2, strideW: 2, filterH: 2, filterW: 2, activation: 'none' });
  return b.graph(x, b.block(p, { t: 4, k: 3, stride: 1, outC: 8 }));
}

describe('row input: the plan', () => {
  it('a region reads the input row by row: no full input buffer, a smaller arena, same MACs', () => {
    const g = loadModel(digits);
    const plain = compileGraph(g, { name: 'digits' });
    const rows = compileGraph(g, { name: 'digits', rowInput: true });
    const input = rows.graph.inputs[0]!;
    expect(rows.report.row_input).toBe(true);
    expect(rows.arena.offsets.has(input)).toBe(false);
    const first = rows.units.find((u) => u.kind === 'region');
    expect(first?.kind === 'region' && first.region.sources).toEqual([input]);
    expect(rows.report.arena_bytes).toBeLessThan(plain.report.arena_bytes);
    expect(rows.report.macs).toBe(plain.report.macs);
  });

  it('the schedule fetches every input row exactly once, in order, before the rows that need it', () => {
    const b = new IrBuilder();
    const x = b.tensor('x', [1, 9, 4, 3], 0.05, 0);
    const y = b.conv(x, 4, 3, 2, 'relu6', 'valid'); // rows 0..3 need input rows up to 2*3+2 = 8
    const g = b.graph(x, y);
    const stage: Stage = { op: g.ops[0]!, out: y, rows: 4, deps: [{ tensor: x, stride: 2, pad: 0, k: 3, dil: 1 }] };
    const events: string[] = [];
    regionSchedule([stage], (_s, r) => events.push(`row${r}`), new Map([[x, 9]]), (_t, r) => events.push(`in${r}`));
    expect(events).toEqual(['in0', 'in1', 'in2', 'row0', 'in3', 'in4', 'row1', 'in5', 'in6', 'row2', 'in7', 'in8', 'row3']);
  });

  it('when no region reads the input, it is read whole (row by row) before the first layer', () => {
    const mod = compileGraph(poolFirst(), { name: 'pf', rowInput: true });
    expect(mod.arena.offsets.has(mod.graph.inputs[0]!)).toBe(true);
    const c = mod.files.get('pf.c')!;
    expect(c).toContain('read_row(user, y, a + OFF_T0 + (uint32_t)y * PF_INPUT0_ROW_BYTES)');
    expect(mod.files.get('pf.h')).toContain('read whole into the arena');
  });

  it('the header documents the callback contract and the row geometry', () => {
    const h = compileGraph(loadModel(digits), { name: 'digits', rowInput: true }).files.get('digits.h')!;
    expect(h).toContain('#define DIGITS_ROW_INPUT 1');
    expect(h).toContain('#define DIGITS_INPUT0_ROWS 32');
    expect(h).toContain('#define DIGITS_INPUT0_ROW_BYTES 32u');
    expect(h).toContain('typedef void (*digits_read_row_fn)(void *user, int32_t row, void *dst);');
    expect(h).toContain('int digits_invoke_with_arena(void *arena, digits_read_row_fn read_row, void *user, int8_t *output0);');
  });

  it('refuses models without exactly one 4-D input (MN405)', () => {
    const b = new IrBuilder();
    const x1 = b.tensor('x1', [1, 4, 4, 8], 0.05, 0);
    const x2 = b.tensor('x2', [1, 4, 4, 8], 0.05, 0);
    const y = b.add(x1, x2);
    const g: Graph = { ...b.graph(x1, y), inputs: [x1, x2] };
    expect(() => compileGraph(g, { rowInput: true })).toThrow(/MN405.*exactly one 4-D/);
  });
});

describe.skipIf(!canRun('host'))('row input: generated C on the host (ASan + UBSan, poisoned, order-checking runner)', () => {
  const check = async (g: Graph, modelFile: string, seeds: number[]) => {
    for (const seed of seeds) {
      const inputs = g.inputs.map((t) => randomInput(g.tensors[t]!, seed));
      const want = interpret(g, inputs).outputs;
      const got = (await runNative(g, inputs, { target: 'host', modelFile, rowInput: true, poison: true, extraCflags: SANITIZERS })).outputs;
      expect(hex(got)).toEqual(hex(want));
    }
  };
  it('digits', () => check(loadModel(digits), digits, [1, 2]), 120_000);
  it('an input no region reads (read whole first)', () => check(poolFirst(), 'pool_first.tflite', [3, 4]), 120_000);
  it.each(zooPick)('zoo %s', (f) => check(loadModel(join(zooDir, f)), f, [5, 6]), 240_000);
  it.each(sharedModels())('shared %s', (m) => {
    const p = join(sharedDir, 'models', `${m}.tflite`);
    return check(loadModel(p), p, [7]);
  }, 600_000);
});

describe.skipIf(!canRun('cortex-m4'))('row input: Cortex-M4 firmware under QEMU', () => {
  it('digits with the Arm DSP kernels equals the reference', async () => {
    const g = loadModel(digits);
    const inputs = g.inputs.map((t) => randomInput(g.tensors[t]!, 11));
    const got = (await runNative(g, inputs, { target: 'cortex-m4', modelFile: digits, rowInput: true })).outputs;
    expect(hex(got)).toEqual(hex(interpret(g, inputs).outputs));
  }, 180_000);
});

const hasCmake = (() => {
  try {
    execFileSync('cmake', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasCmake || !canRun('host'))('row input: a generated CMake project', () => {
  it('the self-test feeds the embedded input row by row and passes', () => {
    const mod = compileGraph(loadModel(digits), { name: 'digits', rowInput: true });
    const dir = join(work, 'cmake');
    writeProject(mod, 'cmake', dir);
    execFileSync('cmake', ['-S', '.', '-B', 'build'], { cwd: dir, env: { ...process.env, CFLAGS: '-std=c99 -Wall -Wextra -Werror -pedantic' }, stdio: 'pipe' });
    execFileSync('cmake', ['--build', 'build'], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync(join(dir, 'build', 'digits_demo'), { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/^PASS$/m);
  }, 120_000);
});
