import { describe, expect, it } from 'vitest';
import { runNative } from '../../src/api/native.js';
import { randomInput } from '../../src/api/golden-test.js';
import { compileGraph } from '../../src/codegen/index.js';
import { interpret } from '../../src/interp/index.js';
import { foldPad } from '../../src/passes/fold-pad.js';
import { depthwiseSingleChannelToConv } from '../../src/passes/dw-to-conv.js';
import { pairDwHalo, planStreaming } from '../../src/passes/stream.js';
import { canRun } from '../../src/targets/index.js';
import { IrBuilder } from '../helpers/ir-builder.js';

type BlockOpts = { t: number; k: number; stride: number; outC: number; explicitPad?: boolean };

function network(h: number, c: number, blocks: BlockOpts[], stem = false) {
  const b = new IrBuilder();
  const x = b.tensor('input', [1, h, h, c], 0.02, -5);
  let y = stem ? b.conv(x, 8, 3, 2, 'relu6') : x;
  for (const o of blocks) y = b.block(y, o);
  return b.graph(x, y);
}

async function expectStreamedEqualsReference(g: ReturnType<typeof network>, seeds = [1, 2, 3]) {
  expect(planStreaming(foldPad(g)).length).toBeGreaterThan(0);
  for (const seed of seeds) {
    const inputs = [randomInput(g.tensors[g.inputs[0]!]!, seed)];
    const want = interpret(g, inputs).outputs[0]!;
    const got = (await runNative(g, inputs, { target: 'host', memoryPlan: 'stream' })).outputs[0]!;
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  }
}

describe('row-streamed regions are bit-exact', () => {
  it.each([
    ['3x3 stride 1 with residual', [{ t: 6, k: 3, stride: 1, outC: 8 }]],
    ['3x3 stride 2', [{ t: 6, k: 3, stride: 2, outC: 12 }]],
    ['5x5 stride 1 and 7x7 stride 2', [{ t: 3, k: 5, stride: 1, outC: 8 }, { t: 4, k: 7, stride: 2, outC: 16 }]],
    ['no expansion (t = 1)', [{ t: 1, k: 3, stride: 1, outC: 8 }]],
    ['explicit PAD before a stride-2 depthwise', [{ t: 6, k: 3, stride: 2, outC: 8, explicitPad: true }]],
    ['explicit PAD, 5x5 stride 1, residual', [{ t: 2, k: 5, stride: 1, outC: 8, explicitPad: true }]],
  ] as [string, BlockOpts[]][])('%s', async (_name, blocks) => {
    await expectStreamedEqualsReference(network(12, 8, blocks));
  });

  it('stem convolution chained into several blocks', async () => {
    const g = network(24, 3, [{ t: 1, k: 3, stride: 1, outC: 8 }, { t: 6, k: 3, stride: 2, outC: 12 }, { t: 6, k: 3, stride: 1, outC: 12 }], true);
    await expectStreamedEqualsReference(g);
    const regions = planStreaming(foldPad(g));
    expect(regions.length).toBeGreaterThan(0);
    expect(Math.max(...regions.map((r) => r.stages.length))).toBeGreaterThan(3);
  });
});

describe('streaming saves memory honestly', () => {
  it('keeps the expanded tensor as a ring of k rows, far smaller than the tensor', () => {
    const g = network(32, 16, [{ t: 6, k: 3, stride: 1, outC: 16 }]);
    const regions = planStreaming(foldPad(g));
    const expanded = g.ops[0]!.outputs[0]!;
    const ring = regions.flatMap((r) => r.rings).find((r) => r.tensor === expanded)!;
    expect(ring.ringRows).toBe(3);
    const m = compileGraph(g, {});
    expect(m.report.arena_bytes_stream).toBeLessThan(m.report.arena_bytes_layer / 2);
  });

  it('folds a PAD into the depthwise convolution without changing results', () => {
    const g = network(10, 4, [{ t: 2, k: 3, stride: 2, outC: 4, explicitPad: true }]);
    const f = foldPad(g);
    expect(f.ops.some((o) => o.kind === 'pad')).toBe(false);
    const inputs = [randomInput(g.tensors[g.inputs[0]!]!, 9)];
    expect(Buffer.from(interpret(f, inputs).outputs[0]!).equals(Buffer.from(interpret(g, inputs).outputs[0]!))).toBe(true);
  });
});

describe('zero-point halos and prepared heads for the Arm DSP depthwise row kernel', () => {
  it('pairDwHalo: the columns a 2-pixel 3x3 kernel reads outside the row', () => {
    const b = new IrBuilder();
    const x = b.tensor('input', [1, 13, 13, 4], 0.02, -5);
    const d1 = b.dw(x, 3, 1, 'relu6'); // 13 wide, 'same': pad 1 left; 7 pairs read up to column 14
    const d2 = b.dw(d1, 3, 2, 'relu6'); // 13 -> 7, 'same': pad 1 left; 4 pairs (8 pixels) read up to column 15
    const y = b.tensor('input2', [1, 12, 12, 4], 0.02, -5);
    const d3 = b.dw(y, 3, 2, 'relu6'); // 12 -> 6, 'same': pad 0 left, 1 right
    const g = b.graph(x, d2);
    const op = (t: number) => g.ops.find((o) => o.outputs[0] === t)!;
    expect(pairDwHalo(g, op(d1))).toEqual([1, 2]);
    expect(pairDwHalo(g, op(d2))).toEqual([1, 3]);
    expect(pairDwHalo(g, op(d3))).toEqual([0, 1]);
    const w5 = b.dw(x, 5, 1, 'relu6');
    expect(pairDwHalo(g, g.ops.find((o) => o.outputs[0] === w5)!)).toBeNull();
  });

  it('rings read by those layers get halo bytes on cortex-m4 only; rows share the gap between them', () => {
    const g = network(13, 8, [{ t: 6, k: 3, stride: 1, outC: 8 }, { t: 6, k: 3, stride: 2, outC: 12 }]);
    const m4 = compileGraph(g, { target: 'cortex-m4' });
    const rings = m4.units.flatMap((u) => (u.kind === 'region' ? u.region.rings : []));
    const haloed = rings.filter((r) => r.haloBefore + r.haloAfter > 0);
    expect(haloed.length).toBeGreaterThan(0);
    for (const r of rings) {
      // one gap between two rows serves as the halo after the first and before the second
      expect(r.stride).toBe(r.rowBytes + Math.max(r.haloBefore, r.haloAfter));
      expect(r.bytes).toBe(r.haloBefore + r.ringRows * r.rowBytes + (r.ringRows - 1) * (r.stride - r.rowBytes) + r.haloAfter);
    }
    const c = m4.files.get(`${m4.name}.c`)!;
    expect(c).toMatch(/\.prepared = 1,/);
    expect(c).toMatch(/\.halo_l = 1,/);
    expect(c).toMatch(/halo: the zero point before row 0, between rows and after the last row/);
    expect(c).toMatch(/\.heads = [A-Za-z0-9_]+_heads,/);
    // lean flash: the same plan without the precomputed heads, fewer weight bytes
    const lean = compileGraph(g, { target: 'cortex-m4', leanFlash: true });
    const lc = lean.files.get(`${lean.name}.c`)!;
    expect(lc).not.toMatch(/\.prepared = 1,|\.heads = /);
    expect(lean.report.weights_bytes).toBeLessThan(m4.report.weights_bytes);
    expect(lean.report.arena_bytes).toBe(m4.report.arena_bytes);
    const host = compileGraph(g, { target: 'host' });
    expect(host.units.flatMap((u) => (u.kind === 'region' ? u.region.rings : [])).every((r) => r.haloBefore + r.haloAfter === 0)).toBe(true);
  });

  it.skipIf(!canRun('cortex-m4'))('streamed blocks with halos and prepared weights are bit-exact on cortex-m4 (odd widths, stride 2)', async () => {
    for (const [h, blocks] of [
      [13, [{ t: 6, k: 3, stride: 1, outC: 8 }, { t: 6, k: 3, stride: 2, outC: 12 }]],
      [14, [{ t: 4, k: 3, stride: 2, outC: 8 }, { t: 1, k: 3, stride: 1, outC: 8 }]],
    ] as [number, BlockOpts[]][]) {
      const g = network(h, 8, blocks);
      for (const seed of [1, 2]) {
        const inputs = [randomInput(g.tensors[g.inputs[0]!]!, seed)];
        const want = interpret(g, inputs).outputs[0]!;
        for (const leanFlash of [false, true]) {
          const got = (await runNative(g, inputs, { target: 'cortex-m4', memoryPlan: 'stream', leanFlash })).outputs[0]!;
          expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
        }
      }
    }
  }, 120_000);

  it('small output maps carry heads in both plans; layers whose heads hold every channel drop bias, mult and shift', () => {
    // 6x6 -> 3x3 at stride 2, then a 3x3 map at stride 1: small maps, prepared in the layer-by-layer plan too
    const g = network(6, 8, [{ t: 2, k: 3, stride: 2, outC: 8 }, { t: 2, k: 3, stride: 1, outC: 8 }]);
    const m = compileGraph(g, { target: 'cortex-m4', memoryPlan: 'layer' });
    const c = m.files.get(`${m.name}.c`)!;
    const blocks = c.split('static const mn_dw_conv_params').slice(1);
    expect(blocks.length).toBe(2);
    for (const b of blocks) {
      expect(b).toMatch(/\.prepared = 1,/);
      expect(b).toMatch(/\.mult = NULL,/);
      expect(b).toMatch(/\.shift = NULL,/);
    }
    const lean = compileGraph(g, { target: 'cortex-m4', memoryPlan: 'layer', leanFlash: true });
    const lc = lean.files.get(`${lean.name}.c`)!;
    expect(lc).not.toMatch(/\.prepared = 1,|\.mult = NULL/);
    // a channel the asm cannot do (a shift of 0): its layer keeps the arrays for the exact C code
    const dead = network(6, 8, [{ t: 2, k: 3, stride: 2, outC: 8 }]);
    const dw = dead.ops.find((o) => o.kind === 'depthwise_conv2d')!;
    const wt = dead.tensors[dw.inputs[1]!]!;
    // channel 0's requantization multiplier above 1 (a left shift): outside the asm's scheme
    wt.quant = { ...wt.quant!, scales: wt.quant!.scales.map((v, i) => (i === 0 ? v * 1e4 : v)) };
    const dc = compileGraph(dead, { target: 'cortex-m4', memoryPlan: 'layer' }).files;
    const dcode = [...dc.entries()].find(([k]) => k.endsWith('.c') && !k.includes('weights') && !k.startsWith('mn_'))![1];
    const dblock = dcode.split('static const mn_dw_conv_params')[1]!;
    expect(dblock).toMatch(/\.prepared = 1,/);
    expect(dblock).not.toMatch(/\.mult = NULL/);
  });

  it.skipIf(!canRun('cortex-m4'))('small-map layers with heads and without bias, mult, shift are bit-exact on cortex-m4', async () => {
    const g = network(6, 8, [{ t: 2, k: 3, stride: 2, outC: 8 }, { t: 2, k: 3, stride: 1, outC: 8 }]);
    for (const seed of [1, 2]) {
      const inputs = [randomInput(g.tensors[g.inputs[0]!]!, seed)];
      const want = interpret(g, inputs).outputs[0]!;
      const got = (await runNative(g, inputs, { target: 'cortex-m4', memoryPlan: 'layer' })).outputs[0]!;
      expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    }
  }, 120_000);

  it.skipIf(!canRun('cortex-m4'))('row input read by a 3x3 depthwise: the input ring carries the halo, bit-exact on cortex-m4', async () => {
    const g = network(15, 8, [{ t: 1, k: 3, stride: 1, outC: 8 }, { t: 6, k: 3, stride: 2, outC: 8 }]);
    const m = compileGraph(g, { target: 'cortex-m4', rowInput: true });
    const src = m.units.flatMap((u) => (u.kind === 'region' ? u.region.rings.filter((r) => u.region.sources.includes(r.tensor)) : []));
    expect(src.length).toBe(1);
    expect(src[0]!.haloBefore).toBeGreaterThan(0);
    for (const seed of [4, 5]) {
      const inputs = [randomInput(g.tensors[g.inputs[0]!]!, seed)];
      const want = interpret(g, inputs).outputs[0]!;
      const got = (await runNative(g, inputs, { target: 'cortex-m4', memoryPlan: 'stream', rowInput: true })).outputs[0]!;
      expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    }
  }, 120_000);
});

describe('depthwise over one channel becomes a convolution', () => {
  it('gives identical results and a conv2d op', () => {
    const b = new IrBuilder();
    const x = b.tensor('input', [1, 9, 9, 1], 0.02, -5);
    const d = b.dw(x, 3, 2, 'relu6');
    const g = b.graph(x, d);
    expect(g.ops[0]!.kind).toBe('depthwise_conv2d');
    const r = depthwiseSingleChannelToConv(g);
    expect(r.ops[0]!.kind).toBe('conv2d');
    const inputs = [randomInput(g.tensors[x]!, 3)];
    expect(Buffer.from(interpret(r, inputs).outputs[0]!).equals(Buffer.from(interpret(g, inputs).outputs[0]!))).toBe(true);
  });
});
