import { describe, expect, it } from 'vitest';
import { runNative } from '../../src/api/native.js';
import { randomInput } from '../../src/api/golden-test.js';
import { compileGraph } from '../../src/codegen/index.js';
import { interpret } from '../../src/interp/index.js';
import { foldPad } from '../../src/passes/fold-pad.js';
import { depthwiseSingleChannelToConv } from '../../src/passes/dw-to-conv.js';
import { planStreaming } from '../../src/passes/stream.js';
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
