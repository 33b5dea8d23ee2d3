/**
 * The C kernels of src/codegen/lower-extra.ts (MEAN, SOFTMAX, MUL, LOGISTIC, HARD_SWISH, CONCATENATION,
 * RESIZE_NEAREST_NEIGHBOR) against the reference interpreter: tiny hand-made graphs, several seeded random
 * inputs each, built for the host and compared byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNative, type NativeRunOptions } from '../../src/api/native.js';
import { compileGraph } from '../../src/codegen/index.js';
import { meanLoops, softmaxExpTable } from '../../src/codegen/lower-extra.js';
import { interpret } from '../../src/interp/index.js';
import { softmaxParams } from '../../src/fixed/params.js';
import { elementCount, type Graph } from '../../src/ir/types.js';
import { getReciprocal, oneOverOnePlusXForXIn01, saturatingRoundingMultiplyByPOT } from '../../src/fixed/gemmlowp.js';
import { runtimeDir } from '../../src/codegen/paths.js';
import { GraphBuilder, randomInts, type OpSpec } from '../interp/build.js';

const HOST: NativeRunOptions = { target: 'host' };
const SANITIZED: NativeRunOptions = {
  target: 'host', extraCflags: ['-pedantic', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'],
};

/** Random bytes for every graph input (int8/uint8 over their full range; wider types small values). */
function randomInputs(g: Graph, seed: number, lo = -128, hi = 127): Uint8Array[] {
  return g.inputs.map((t, k) => {
    const x = g.tensors[t]!;
    const n = elementCount(x.shape);
    const v = randomInts(n, lo, hi, seed * 131 + k * 7 + 1);
    if (x.dtype === 'int8') return new Uint8Array(Int8Array.from(v).buffer);
    if (x.dtype === 'uint8') return Uint8Array.from(v.map((q) => q + 128));
    if (x.dtype === 'int16') return new Uint8Array(Int16Array.from(v.map((q) => q * 97)).buffer);
    if (x.dtype === 'int32') return new Uint8Array(Int32Array.from(v.map((q) => q * 100003)).buffer);
    throw new Error(`no random input for ${x.dtype}`);
  });
}

const hex = (bs: Uint8Array[]): string[] => bs.map((b) => Buffer.from(b).toString('hex'));

/** interpret and the host build agree on `cases` seeded random inputs (plus any explicit ones). */
async function expectSame(g: Graph, cases = 4, extra: Uint8Array[][] = [], opts: NativeRunOptions = HOST, range: [number, number] = [-128, 127]): Promise<void> {
  const inputs = [...extra, ...Array.from({ length: cases }, (_, s) => randomInputs(g, s + 1, range[0], range[1]))];
  for (const ins of inputs) {
    const want = interpret(g, ins).outputs;
    const got = (await runNative(g, ins, opts)).outputs;
    expect(hex(got)).toEqual(hex(want));
  }
}

/** A graph of one op whose non-constant inputs are the graph inputs. */
function oneOp(b: GraphBuilder, op: OpSpec): Graph {
  b.op(op);
  return b.graph(op.inputs.filter((i) => i >= 0 && !b.tensors[i]!.data), op.outputs);
}

/** every int8 value once, as one input */
const allInt8 = (): Uint8Array => new Uint8Array(Int8Array.from({ length: 256 }, (_, i) => i - 128).buffer);

function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasGcc())('mn_gemmlowp.h equals src/fixed/gemmlowp.ts', () => {
  it('one_over_one_plus_x, GetReciprocal and SaturatingRoundingMultiplyByPOT on edge and random operands', () => {
    const edges = [0, 1, 2, 3, 0x3fffffff, 0x40000000, 0x40000001, 0x7ffffffe, 0x7fffffff, -1, -2, -0x40000000, -0x7fffffff, -0x80000000, 1 << 19, (1 << 19) + 1, (1 << 28) - 1, 1 << 28];
    const rnd = randomInts(4000, -0x80000000, 0x7fffffff, 4242).map((v) => v | 0);
    const small = randomInts(1000, 0, 1 << 24, 77);
    const xs = [...edges, ...rnd, ...small];
    const unit = xs.filter((v) => v >= 0);
    const pots = [-31, -12, -5, -1, 0, 1, 2, 5, 12, 30];
    const src = `#include <stdio.h>
#include "mn_gemmlowp.h"
static const int32_t xs[] = {${xs.map((v) => (v === -0x80000000 ? '(-2147483647 - 1)' : String(v))).join(', ')}};
static const int32_t unit[] = {${unit.join(', ')}};
static const int pots[] = {${pots.join(', ')}};
int main(void) {
  unsigned i, k;
  for (i = 0; i < sizeof unit / sizeof unit[0]; i++) printf("%ld\\n", (long)mn_one_over_one_plus_x_for_x_in_0_1(unit[i]));
  for (i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    int bits = 0;
    const int32_t r = mn_get_reciprocal(xs[i], 12, &bits);
    printf("%ld %d\\n", (long)r, bits);
  }
  for (k = 0; k < sizeof pots / sizeof pots[0]; k++)
    for (i = 0; i < sizeof xs / sizeof xs[0]; i++) printf("%ld\\n", (long)mn_sat_round_mul_pot(xs[i], pots[k]));
  return 0;
}
`;
    const dir = mkdtempSync(join(tmpdir(), 'mn-gemmlowp-'));
    try {
      writeFileSync(join(dir, 't.c'), src);
      execFileSync('gcc', ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-O2', '-fsanitize=undefined', '-fno-sanitize-recover=all',
        '-I', join(runtimeDir, 'include'), '-o', join(dir, 't'), join(dir, 't.c')]);
      const got = execFileSync(join(dir, 't'), { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
      const want = [
        ...unit.map((v) => String(oneOverOnePlusXForXIn01(v))),
        ...xs.map((v) => {
          const r = getReciprocal(v, 12);
          return `${r.reciprocal} ${r.numBitsOverUnit}`;
        }),
        ...pots.flatMap((e) => xs.map((v) => String(saturatingRoundingMultiplyByPOT(v, e)))),
      ];
      expect(got).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LOGISTIC and HARD_SWISH through mn_lut_s8', () => {
  it.each([
    [0.0625, -5], [0.1, 20], [0.5, 0], [Math.fround(0.01953125), -128], [3e-3, 100],
  ])('LOGISTIC, input scale %f zero point %i: all 256 inputs and random tensors', async (scale, zp) => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 4, 4, 16], scale, zp });
    const y = b.tensor({ shape: [1, 4, 4, 16], scale: 1 / 256, zp: -128 });
    await expectSame(oneOp(b, { kind: 'logistic', inputs: [x], outputs: [y] }), 3, [[allInt8()]]);
  });

  it.each([
    [0.05, -10, 0.03, -100], [0.2, 3, 0.1, -120], [0.0235, 0, 0.0201, -127], [0.5, 50, 0.25, 10], [0.01, -128, 0.005, -128],
  ])('HARD_SWISH, s_in %f zp_in %i -> s_out %f zp_out %i: all 256 inputs and random tensors', async (si, zi, so, zo) => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [256], scale: si, zp: zi }), y = b.tensor({ shape: [256], scale: so, zp: zo });
    await expectSame(oneOp(b, { kind: 'hard_swish', inputs: [x], outputs: [y] }), 2, [[allInt8()]]);
  });

  it('rejects what the interpreter rejects (LOGISTIC output zero point)', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [4], scale: 0.1 }), y = b.tensor({ shape: [4], scale: 1 / 256, zp: 0 });
    const g = oneOp(b, { kind: 'logistic', inputs: [x], outputs: [y] });
    expect(() => compileGraph(g)).toThrow(/zero point -128/);
  });
});

describe('SOFTMAX through mn_softmax_s8', () => {
  it('the exp table: exp(0) = 1, non-increasing, 0 below diff_min', () => {
    for (const [scale, beta] of [[0.1, 1], [0.5, 1], [0.0625, 0.5], [2, 1]] as const) {
      const table = softmaxExpTable(Math.fround(scale), beta);
      const p = softmaxParams(Math.fround(scale), beta);
      expect(table[0]).toBe(2147483647);
      for (let i = 1; i < 256; i++) {
        expect(table[i]!).toBeLessThanOrEqual(table[i - 1]!);
        if (-i < p.diffMin) expect(table[i]).toBe(0);
        else expect(table[i]!).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it.each([[0.1, 1], [0.02, 1], [0.5, 0.7], [2, 1]])('every difference from the row maximum (rows [127, 127 - i]), scale %f beta %f', async (scale, beta) => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [256, 2], scale, zp: 0 }), y = b.tensor({ shape: [256, 2], scale: 1 / 256, zp: -128 });
    const rows = new Int8Array(512);
    for (let i = 0; i < 256; i++) {
      rows[2 * i] = 127;
      rows[2 * i + 1] = 127 - i;
    }
    await expectSame(oneOp(b, { kind: 'softmax', beta, inputs: [x], outputs: [y] }), 1, [[new Uint8Array(rows.buffer)]]);
  });

  it.each([
    [[4, 10], 0.1, 1], [[2, 3, 7], 0.0625, 1], [[1, 1001], 0.08, 1], [[8, 5], 0.5, 1], [[3, 16], 0.02, 2.5], [[5, 1], 0.1, 1], [[2, 300], 1.5, 1],
  ])('int8 -> int8, shape %j, input scale %f, beta %f, several rows', async (shape, scale, beta) => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape, scale, zp: 7 }), y = b.tensor({ shape, scale: 1 / 256, zp: -128 });
    const g = oneOp(b, { kind: 'softmax', beta, inputs: [x], outputs: [y] });
    await expectSame(g, 4);
    await expectSame(g, 2, [], HOST, [100, 127]); // near-equal rows: large sums, large reciprocal exponents
  });

  it('int8 -> int16', async () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [6, 12], scale: 0.15, zp: -3 }), y = b.tensor({ shape: [6, 12], dtype: 'int16', scale: 1 / 65536, zp: -32768 });
    await expectSame(oneOp(b, { kind: 'softmax', beta: 1, inputs: [x], outputs: [y] }), 4);
  });

  it('rejects rows whose sum could overflow', () => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 5000], scale: 0.1 }), y = b.tensor({ shape: [1, 5000], scale: 1 / 256, zp: -128 });
    expect(() => compileGraph(oneOp(b, { kind: 'softmax', beta: 1, inputs: [x], outputs: [y] }))).toThrow(/MN302|rows of 5000/);
  });
});

function meanGraph(inShape: number[], outShape: number[], axes: number[], keepDims: boolean, si = 0.07, zi = -11, so = 0.05, zo = 9): Graph {
  const b = new GraphBuilder();
  const x = b.tensor({ shape: inShape, scale: si, zp: zi });
  const ax = b.tensor({ shape: [axes.length], dtype: 'int32', data: axes });
  const y = b.tensor({ shape: outShape, scale: so, zp: zo });
  return oneOp(b, { kind: 'mean', keepDims, inputs: [x, ax], outputs: [y] });
}

describe('MEAN through mn_mean_s8', () => {
  it('merges dimensions into the canonical loop nest', () => {
    expect(meanLoops([1, 7, 7, 1280], [1, 2])).toEqual({ outer: { dims: [], strides: [] }, red: { dims: [49], strides: [1280] }, inner: 1280, count: 49 });
    expect(meanLoops([2, 3, 4, 5], [1, 2])).toEqual({ outer: { dims: [2], strides: [60] }, red: { dims: [12], strides: [5] }, inner: 5, count: 12 });
    expect(meanLoops([2, 3, 4, 5], [3])).toEqual({ outer: { dims: [24], strides: [5] }, red: { dims: [5], strides: [1] }, inner: 1, count: 5 });
    expect(meanLoops([2, 3, 4, 5], [1, 3])).toEqual({ outer: { dims: [2, 4], strides: [60, 5] }, red: { dims: [3, 5], strides: [20, 1] }, inner: 1, count: 15 });
    expect(meanLoops([1, 1, 1, 8], [1, 2])).toEqual({ outer: { dims: [], strides: [] }, red: { dims: [], strides: [] }, inner: 8, count: 1 });
  });

  it.each([
    ['H,W keep_dims', [1, 5, 7, 12], [1, 1, 1, 12], [1, 2], true],
    ['H,W no keep_dims', [1, 5, 7, 12], [1, 12], [1, 2], false],
    ['H,W with more channels than one accumulator block', [1, 3, 4, 70], [1, 1, 1, 70], [2, 1], true],
    ['H,W, batch 2', [2, 3, 4, 5], [2, 5], [1, 2], false],
    ['innermost axis', [1, 4, 3, 9], [1, 4, 3, 1], [-1], true],
    ['non-adjacent axes', [2, 3, 4, 5], [2, 4], [1, 3], false],
    ['all axes', [1, 6, 5, 4], [1, 1, 1, 1], [0, 1, 2, 3], true],
    ['a single axis in the middle, duplicated', [3, 6, 5], [3, 5], [1, -2], false],
    ['a large reduction (MobileNetV2 head)', [1, 7, 7, 1280], [1, 1280], [1, 2], false],
  ])('%s', async (_name, inShape, outShape, axes, keep) => {
    await expectSame(meanGraph(inShape as number[], outShape as number[], axes as number[], keep as boolean), 3);
  });

  it('equal input and output quantization, and a multiplier above one', async () => {
    await expectSame(meanGraph([1, 4, 4, 8], [1, 1, 1, 8], [1, 2], true, 0.1, 5, 0.1, 5), 3);
    await expectSame(meanGraph([1, 4, 4, 8], [1, 8], [1, 2], false, 0.3, -2, 0.02, -40), 3);
  });
});

describe('MUL through mn_mul_s8', () => {
  const mulGraph = (sa: number[], sb: number[], so: number[], act: 'none' | 'relu6' = 'none', constB = false): Graph => {
    const b = new GraphBuilder();
    const a = b.tensor({ shape: sa, scale: 0.037, zp: 3 });
    const c = b.tensor({ shape: sb, scale: 0.0123, zp: -9, ...(constB ? { data: randomInts(elementCount(sb), -128, 127, 99) } : {}) });
    const o = b.tensor({ shape: so, scale: 0.00517, zp: 2 });
    return oneOp(b, { kind: 'mul', activation: act, inputs: [a, c], outputs: [o] });
  };
  it('same shapes', async () => expectSame(mulGraph([1, 3, 4, 5], [1, 3, 4, 5], [1, 3, 4, 5]), 4));
  it('squeeze-and-excite broadcast [1,H,W,C] x [1,1,1,C], RELU6', async () => expectSame(mulGraph([1, 5, 6, 8], [1, 1, 1, 8], [1, 5, 6, 8], 'relu6'), 4));
  it('broadcast with the small operand first [1,1,1,C] x [1,H,W,C]', async () => expectSame(mulGraph([1, 1, 1, 8], [1, 5, 6, 8], [1, 5, 6, 8]), 4));
  it('broadcast of lower rank [C] x [1,H,W,C] and [3,1] x [1,4]', async () => {
    await expectSame(mulGraph([1, 2, 3, 4], [4], [1, 2, 3, 4]), 3);
    await expectSame(mulGraph([3, 1], [1, 4], [3, 4]), 3);
  });
  it('a constant operand', async () => expectSame(mulGraph([1, 4, 4, 6], [1, 1, 1, 6], [1, 4, 4, 6], 'none', true), 3));
});

describe('CONCATENATION through mn_concat', () => {
  const concat = (shapes: number[][], out: number[], axis: number, dtype: 'int8' | 'int16' | 'int32' = 'int8', constFirst = false): Graph => {
    const b = new GraphBuilder();
    const ins = shapes.map((s, k) => b.tensor({
      shape: s, dtype, scale: 0.1 * (k + 1), zp: k, ...(constFirst && k === 0 ? { data: randomInts(elementCount(s), -100, 100, 5) } : {}),
    }));
    const y = b.tensor({ shape: out, dtype, scale: 0.1, zp: 0 });
    return oneOp(b, { kind: 'concatenation', axis, activation: 'none', inputs: ins, outputs: [y] });
  };
  it('channels of three inputs (axis 3), bytes copied without requantization', async () => {
    await expectSame(concat([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 1]], [1, 2, 3, 10], 3), 3);
  });
  it('axis 1, negative axis, axis 0', async () => {
    await expectSame(concat([[1, 2, 3, 4], [1, 5, 3, 4]], [1, 7, 3, 4], 1), 2);
    await expectSame(concat([[2, 3, 4], [2, 3, 2]], [2, 3, 6], -1), 2);
    await expectSame(concat([[2, 3], [1, 3], [4, 3]], [7, 3], 0), 2);
  });
  it('a constant input and the same tensor twice', async () => {
    await expectSame(concat([[1, 2, 2, 3], [1, 2, 2, 3]], [1, 2, 2, 6], 3, 'int8', true), 2);
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 2, 2, 3], scale: 0.1 }), y = b.tensor({ shape: [1, 2, 2, 6], scale: 0.1 });
    await expectSame(oneOp(b, { kind: 'concatenation', axis: 3, activation: 'none', inputs: [x, x], outputs: [y] }), 2);
  });
  it('wider element types (int16, int32)', async () => {
    await expectSame(concat([[2, 3], [2, 5]], [2, 8], 1, 'int16'), 2);
    await expectSame(concat([[1, 3, 2], [1, 1, 2]], [1, 4, 2], 1, 'int32'), 2);
  });
});

describe('RESIZE_NEAREST_NEIGHBOR through mn_resize_nearest', () => {
  const resize = (inShape: number[], outHW: [number, number], ac: boolean, hp: boolean): Graph => {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: inShape, scale: 0.1, zp: 4 });
    const size = b.tensor({ shape: [2], dtype: 'int32', data: outHW });
    const y = b.tensor({ shape: [inShape[0]!, outHW[0], outHW[1], inShape[3]!], scale: 0.1, zp: 4 });
    return oneOp(b, { kind: 'resize_nearest_neighbor', alignCorners: ac, halfPixelCenters: hp, inputs: [x, size], outputs: [y] });
  };
  it.each([
    [false, false], [true, false], [false, true], [true, true],
  ])('align_corners %s, half_pixel_centers %s: up, down and odd ratios', async (ac, hp) => {
    await expectSame(resize([1, 3, 4, 5], [6, 8], ac, hp), 2);
    await expectSame(resize([1, 7, 5, 3], [3, 2], ac, hp), 2);
    await expectSame(resize([2, 3, 5, 2], [7, 4], ac, hp), 2);
  });
});

describe('the new kernels together', () => {
  /** squeeze-and-excite with hard-swish, a logistic gate, then a concatenated, upsampled, softmaxed head */
  function seGraph(): Graph {
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [1, 6, 6, 8], scale: 0.06, zp: -7 });
    const hs = b.tensor({ shape: [1, 6, 6, 8], scale: 0.04, zp: -90 });
    b.op({ kind: 'hard_swish', inputs: [x], outputs: [hs] });
    const ax = b.tensor({ shape: [2], dtype: 'int32', data: [1, 2] });
    const m = b.tensor({ shape: [1, 1, 1, 8], scale: 0.03, zp: -60 });
    b.op({ kind: 'mean', keepDims: true, inputs: [hs, ax], outputs: [m] });
    const gate = b.tensor({ shape: [1, 1, 1, 8], scale: 1 / 256, zp: -128 });
    b.op({ kind: 'logistic', inputs: [m], outputs: [gate] });
    const se = b.tensor({ shape: [1, 6, 6, 8], scale: 0.035, zp: -80 });
    b.op({ kind: 'mul', activation: 'none', inputs: [hs, gate], outputs: [se] });
    const cat = b.tensor({ shape: [1, 6, 6, 16], scale: 0.035, zp: -80 });
    b.op({ kind: 'concatenation', axis: 3, activation: 'none', inputs: [se, hs], outputs: [cat] });
    const size = b.tensor({ shape: [2], dtype: 'int32', data: [12, 12] });
    const up = b.tensor({ shape: [1, 12, 12, 16], scale: 0.035, zp: -80 });
    b.op({ kind: 'resize_nearest_neighbor', alignCorners: false, halfPixelCenters: true, inputs: [cat, size], outputs: [up] });
    const sm = b.tensor({ shape: [1, 12, 12, 16], scale: 1 / 256, zp: -128 });
    b.op({ kind: 'softmax', beta: 1, inputs: [up], outputs: [sm] });
    return b.graph([x], [sm]);
  }
  it('layer-by-layer and streamed plans equal the interpreter', async () => {
    await expectSame(seGraph(), 3, [], { target: 'host', memoryPlan: 'layer' });
    await expectSame(seGraph(), 2, [], { target: 'host', memoryPlan: 'stream' });
  });
  it('clean under AddressSanitizer, UndefinedBehaviorSanitizer and -pedantic', async () => {
    await expectSame(seGraph(), 2, [], SANITIZED);
  });
  it('MEAN, MUL and SOFTMAX edge values under the sanitizers', async () => {
    await expectSame(meanGraph([2, 3, 4, 40], [2, 40], [1, 2], false, 0.3, -128, 0.001, 127), 2, [], SANITIZED);
    const b = new GraphBuilder();
    const x = b.tensor({ shape: [3, 400], scale: 0.05, zp: 0 }), y = b.tensor({ shape: [3, 400], scale: 1 / 256, zp: -128 });
    await expectSame(oneOp(b, { kind: 'softmax', beta: 1, inputs: [x], outputs: [y] }), 2, [], SANITIZED, [120, 127]);
  });
});
