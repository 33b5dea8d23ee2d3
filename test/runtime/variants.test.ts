/**
 * Kernel variants are bit-exact with the reference kernels, on every runnable target: the DSP/MVE/RV32 code
 * where the target has it, the portable fallbacks elsewhere (the host runs only fallbacks). Seeded random
 * shapes (odd channel counts, widths beyond one chunk, strides 1/2, padding rows NULL, depth multiplier,
 * shapes the variants do not specialise, per-channel shifts of both signs, huge biases, activation ranges),
 * full-tensor and row-by-row calls, weights reordered by src/codegen/variants.ts. Emulated targets also
 * count the instructions per MAC of representative MobileNet shapes (bench/kernels.ts) and print a table.
 * A target is skipped only when its compiler or QEMU is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  benchTarget,
  case1x1,
  caseConv,
  caseDw,
  formatBenchTable,
  Rng,
  runCases,
  type KernelCase,
  type RequantStyle,
} from '../../bench/kernels.js';
import {
  applyVariants,
  format1x1Pair4,
  formatDwCv,
  rowKernelName,
  selectVariant,
  variantSupportFiles,
} from '../../src/codegen/variants.js';
import type { Layer } from '../../src/codegen/layers.js';
import { canRun, getTarget, type TargetName } from '../../src/targets/index.js';

const TARGETS: TargetName[] = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32'];
const STYLES: RequantStyle[] = ['typical', 'typical', 'mixed', 'positive-shift', 'tiny', 'huge-bias'];

/** the seeded random cases every target runs */
function randomCases(): KernelCase[] {
  const rng = new Rng(20240611);
  const cases: KernelCase[] = [];
  const chans = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64];
  for (const variant of ['mn_conv_1x1_s8_dsp', 'mn_conv_1x1_s8_mve', 'mn_conv_1x1_s8_rv32']) {
    for (let i = 0; i < 30; i++) {
      cases.push(case1x1(rng, { pixels: rng.int(1, 40), inC: rng.pick(chans), outC: rng.pick(chans), style: STYLES[i % STYLES.length]!, variant }));
    }
    cases.push(case1x1(rng, { pixels: 7, inC: 1100, outC: 5, variant })); // beyond the DSP kernel's buffer
    cases.push(case1x1(rng, { pixels: 200, inC: 8, outC: 6, variant })); // several pixel chunks
    // DSP: 1-pixel and 2-pixel paths, chunks of 1 block, sign-extended weights, per-pair requant modes
    cases.push(case1x1(rng, { pixels: 1, inC: 1280, outC: 7, variant })); // one pixel, beyond 3-pixel blocks
    cases.push(case1x1(rng, { pixels: 2, inC: 600, outC: 9, style: 'mixed', variant }));
    cases.push(case1x1(rng, { pixels: 5, inC: 1024, outC: 4, style: 'tiny', variant }));
    cases.push(case1x1(rng, { pixels: 31, inC: 200, outC: 11, style: 'mixed', variant }));
    cases.push(case1x1(rng, { pixels: 14, inC: 96, outC: 34, style: 'tiny', variant }));
    cases.push(case1x1(rng, { pixels: 20, inC: 40, outC: 16, style: 'mixed', variant }));
  }
  // streamed 1x1 layers: the compiler's requantization heads (TypeScript must derive what rq_k derives; a pair it
  // cannot take has e_a = 0), every requantization style, odd channel counts, 1- and 2-pixel tails
  for (let i = 0; i < 20; i++) {
    const c = case1x1(rng, { pixels: rng.int(1, 50), inC: rng.pick(chans), outC: rng.pick(chans), style: STYLES[i % STYLES.length]!, variant: 'mn_conv_1x1_s8_dsp' });
    if (c.bias) c.heads = true;
    cases.push(c);
  }
  const dw = 'mn_dw_conv_s8_dsp';
  for (let i = 0; i < 44; i++) {
    const stride = rng.pick([1, 2]);
    cases.push(caseDw(rng, {
      inH: rng.int(1, 12), inW: rng.int(1, 14), c: rng.pick(chans), stride, strideH: rng.chance(0.2) ? 3 - stride : stride,
      pad: rng.pick(['same', 'same', 'valid', [1, 1], [0, 2]] as const), style: STYLES[i % STYLES.length]!, noBias: rng.chance(0.2), variant: dw,
    }));
  }
  // chunking beyond 56 output pixels, stride 1 and 2
  cases.push(caseDw(rng, { inH: 3, inW: 80, c: 8, stride: 1, variant: dw }));
  cases.push(caseDw(rng, { inH: 4, inW: 130, c: 5, stride: 2, variant: dw }));
  cases.push(caseDw(rng, { inH: 3, inW: 120, c: 4, stride: 1, variant: dw }));
  // shapes the 3x3 code does not take: the reference runs, weights stay in reference order
  cases.push(caseDw(rng, { inH: 6, inW: 7, c: 4, mult: 2, variant: dw }));
  cases.push(caseDw(rng, { inH: 7, inW: 7, c: 6, k: 5, variant: dw }));
  cases.push(caseDw(rng, { inH: 5, inW: 9, c: 3, k: 1, kw: 3, variant: dw }));
  cases.push(caseDw(rng, { inH: 9, inW: 9, c: 5, dil: 2, variant: dw }));
  cases.push(caseDw(rng, { inH: 9, inW: 9, c: 8, stride: 3, variant: dw }));
  // the channel-vectorised kernel (MN_FMT_DW_CV): kernels 5 and 7, stride 1 and 2, small spatial sizes with
  // many channels, explicit padding larger than the kernel's reach, depth multipliers 4 and 8, dead channels
  // (shifts -23..-31) mixed with live ones, tiny stride-2 3x3 layers
  for (let i = 0; i < 24; i++) {
    const k = rng.pick([5, 7, 3]);
    const stride = rng.pick([1, 2]);
    cases.push(caseDw(rng, {
      inH: rng.int(1, 11), inW: rng.int(1, 11), c: rng.pick([4, 8, 12, 16, 20, 33, 48, 64]), k, stride,
      strideH: rng.chance(0.2) ? 3 - stride : stride, pad: rng.pick(['same', 'same', 'valid', [3, 3], [2, 1], [0, 3]] as const),
      style: STYLES[i % STYLES.length]!, noBias: rng.chance(0.15), variant: dw,
    }));
  }
  cases.push(caseDw(rng, { inH: 3, inW: 3, c: 96, k: 7, variant: dw }));
  cases.push(caseDw(rng, { inH: 5, inW: 5, c: 64, k: 5, stride: 2, style: 'mixed', variant: dw }));
  cases.push(caseDw(rng, { inH: 20, inW: 20, c: 16, k: 7, stride: 2, pad: [3, 3], variant: dw }));
  cases.push(caseDw(rng, { inH: 6, inW: 6, c: 64, stride: 2, style: 'mixed', variant: dw }));
  cases.push(caseDw(rng, { inH: 6, inW: 6, c: 40, stride: 1, style: 'tiny', variant: dw }));
  cases.push(caseDw(rng, { inH: 3, inW: 3, c: 128, stride: 1, style: 'mixed', variant: dw }));
  cases.push(caseDw(rng, { inH: 9, inW: 10, c: 1, mult: 8, stride: 2, variant: dw }));
  cases.push(caseDw(rng, { inH: 7, inW: 6, c: 3, mult: 4, k: 5, variant: dw }));
  cases.push(caseDw(rng, { inH: 5, inW: 40, c: 6, k: 7, stride: 1, variant: dw }));
  // the 3x3 2-pixel x 4-channel kernel: direct rows with packed edge pairs (odd widths, both paddings), several
  // packed batches per call, huge biases / dead channels on the C path, stride_h != stride_w
  cases.push(caseDw(rng, { inH: 5, inW: 71, c: 12, stride: 2, pad: [1, 1], style: 'mixed', variant: dw }));
  cases.push(caseDw(rng, { inH: 4, inW: 57, c: 9, stride: 1, style: 'huge-bias', variant: dw }));
  cases.push(caseDw(rng, { inH: 20, inW: 60, c: 8, stride: 1, strideH: 2, variant: dw }));
  cases.push(caseDw(rng, { inH: 7, inW: 7, c: 20, stride: 1, pad: 'valid', style: 'tiny', variant: dw }));
  cases.push(caseDw(rng, { inH: 4, inW: 50, c: 8, stride: 2, style: 'tiny', variant: dw }));
  cases.push(caseDw(rng, { inH: 5, inW: 45, c: 16, stride: 2, pad: 'valid', style: 'mixed', variant: dw }));
  // column-pair planes (d3s, whole calls of small maps): in two batches with padding rows to refill (24x24 and
  // 25x25 VALID at stride 2, 16x40 at stride 1), an odd left padding (pairs straddling the image edge), and one
  // of prepared heads on a 3x3 map
  cases.push(caseDw(rng, { inH: 24, inW: 24, c: 8, stride: 2, style: 'mixed', variant: dw }));
  cases.push(caseDw(rng, { inH: 25, inW: 25, c: 8, stride: 2, pad: 'valid', variant: dw }));
  cases.push(caseDw(rng, { inH: 16, inW: 40, c: 4, stride: 1, variant: dw }));
  cases.push(caseDw(rng, { inH: 7, inW: 9, c: 8, stride: 2, pad: [1, 1], variant: dw }));
  cases.push({ ...caseDw(rng, { inH: 3, inW: 3, c: 16, stride: 1, style: 'mixed', variant: dw }), prepared: true });
  // streamed layers: MN_FMT_DW_D3P weights (requantization heads made by TypeScript, must equal d3_setup's) and
  // rows with zero-point halos (one direct segment per row); every requantization style, odd widths, stride 2
  for (let i = 0; i < 16; i++) {
    const stride = rng.pick([1, 1, 2]);
    const c = caseDw(rng, {
      inH: rng.int(1, 9), inW: rng.int(1, 40), c: rng.pick([4, 8, 12, 16, 20, 33, 64]), stride, strideH: rng.chance(0.2) ? 3 - stride : stride,
      pad: rng.pick(['same', 'same', 'valid', [1, 1], [0, 1]] as const), style: STYLES[i % STYLES.length]!, noBias: rng.chance(0.15), variant: dw,
    });
    c.prepared = i % 4 !== 3;
    c.halo = i % 4 !== 2;
    cases.push(c);
  }
  const conv = 'mn_conv_s8_dsp';
  /* stem cases: every third with dead channels (bias -2^30, shifts -24 / -27), every fourth (from the second)
   * with a zero point at an end of the range */
  const stemExtremes = (r: Rng, c: KernelCase, i: number): KernelCase => {
    if (i % 3 === 0 && c.bias) {
      for (let oc = 0; oc < c.mult.length; oc += r.int(1, 4)) {
        c.bias[oc] = -(2 ** 30);
        c.shift[oc] = r.pick([-24, -27, -12]);
        c.mult[oc] = r.int(2 ** 30, 2 ** 31 - 1);
      }
    }
    if (i % 4 === 1) c.params.in_offset = r.pick([-127, 128, 0]);
    return c;
  };
  // channel planes (d3c: whole calls of 3x3 stride-2 layers with 3 x 3 output pixels): every requantization
  // style (shifts below -22 take the loop that adds out_offset after the shift, huge biases and positive shifts
  // the exact C channels), dead channels, prepared heads (every group in one asm call) or heads made per group,
  // columns whose pair straddles the image edge (padding 1 on 5- and 6-wide maps, 7x7 VALID), channel tails,
  // no bias, zero points at both ends
  const planeShapes: [number, number, 'same' | 'valid' | [number, number]][] = [
    [6, 6, 'same'], [5, 5, [1, 1]], [6, 6, [1, 1]], [7, 7, 'valid'], [6, 5, 'same'], [5, 6, 'same'],
  ];
  for (let i = 0; i < 18; i++) {
    const [inH, inW, pad] = planeShapes[i % planeShapes.length]!;
    const c = caseDw(rng, {
      inH, inW, c: rng.pick([4, 8, 12, 20, 33, 64]), stride: 2, pad, style: STYLES[i % STYLES.length]!, noBias: i % 7 === 5, variant: dw,
    });
    c.prepared = i % 3 !== 2;
    cases.push(stemExtremes(rng, c, i));
  }
  for (let i = 0; i < 30; i++) {
    const inC = rng.pick([1, 1, 2, 3, 3, 4, 5, 8]);
    cases.push(caseConv(rng, {
      inH: rng.int(1, 12), inW: rng.int(1, 14), inC, outC: rng.int(1, 20), k: rng.pick([1, 3, 3, 3, 5]), stride: rng.pick([1, 2]),
      pad: rng.pick(['same', 'valid'] as const), style: STYLES[i % STYLES.length]!, noBias: rng.chance(0.2), variant: conv,
    }));
  }
  cases.push(caseConv(rng, { inH: 5, inW: 70, inC: 3, outC: 8, stride: 2, variant: conv })); // several im2col chunks? (35 px)
  // 3x3 stems over 3 channels (MN_FMT_STEM3): strides 1-3, both paddings, odd channel counts, rows of several
  // chunks, every requantization style, plus dead channels (bias -2^30 with shifts -24/-27, as in FOMO)
  for (let i = 0; i < 18; i++) {
    const c = caseConv(rng, {
      inH: rng.int(1, 9), inW: rng.pick([1, 2, 5, 7, 16, 23, 80, 130, 225]), inC: 3, outC: rng.pick([1, 2, 3, 8, 15, 16, 17, 32, 33]), k: 3,
      stride: i % 7 === 6 ? 3 : rng.pick([1, 2]), pad: rng.pick(['same', 'valid'] as const), style: STYLES[i % STYLES.length]!,
      noBias: rng.chance(0.15), variant: conv,
    });
    cases.push(stemExtremes(rng, c, i));
  }
  // 3x3 stems over 1 channel (MN_FMT_STEM1, run by the depthwise kernel's broadcast column-pair plane): strides
  // 1-3, both paddings, widths from 1 to past the plane (225 at stride 1 falls back to the channel-vectorised
  // loop), dead channels, zero points at both ends
  for (let i = 0; i < 14; i++) {
    const c = caseConv(rng, {
      inH: rng.int(1, 9), inW: rng.pick([1, 2, 5, 7, 16, 23, 96, 130, 225]), inC: 1, outC: rng.pick([4, 8, 8, 12, 16, 32]), k: 3,
      stride: i % 7 === 6 ? 3 : rng.pick([1, 2]), pad: rng.pick(['same', 'valid'] as const), style: STYLES[i % STYLES.length]!,
      noBias: rng.chance(0.15), variant: conv,
    });
    cases.push(stemExtremes(rng, c, i));
  }
  cases.push(caseConv(rng, { inH: 4, inW: 4, inC: 30, outC: 3, variant: conv })); // K = 270 > 256: reference path
  cases.push(caseConv(rng, { inH: 5, inW: 5, inC: 4, outC: 4, groups: 2, variant: conv })); // grouped: reference path
  cases.push(caseConv(rng, { inH: 9, inW: 9, inC: 2, outC: 3, dil: 2, variant: conv }));
  return cases;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mnetc-variants-'));
});
afterAll(() => {
  if (work && !process.env.MNETC_KEEP_WORK) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`kept ${work}`);
});

const cases = randomCases();

describe.each(TARGETS)('%s', (name) => {
  const target = getTarget(name);
  const runnable = canRun(target);

  it.skipIf(!runnable)('every variant reproduces the reference bytes', async () => {
    const run = await runCases(target, cases, work);
    const failed = run.results.map((r, i) => ({ r, c: cases[i]! })).filter(({ r }) => !r.ok);
    for (const { r, c } of failed.slice(0, 10)) console.log(`${name}: ${c.variant} ${c.name}: ${r.message}`);
    if (failed.length) console.log(`${name}: exit ${run.exitCode}, output tail:\n${run.stdout.slice(-600)}`);
    expect(failed.map(({ c, r }) => `${c.variant} ${c.name}: ${r.message}`)).toEqual([]);
    expect(run.exitCode).toBe(0);
  });

  it.skipIf(!runnable || target.kind === 'host')('variants need fewer instructions per MAC than the reference', async () => {
    const rows = await benchTarget(target, work);
    console.log(`${name}\n${formatBenchTable(rows)}`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.ok, `${r.variant} on ${r.shape}`).toBe(true);
      expect(r.varPerMac, `${r.variant} on ${r.shape}`).toBeLessThan(r.refPerMac);
    }
    if (name === 'cortex-m4') {
      // measured levels on the DSP core (with some slack): 1x1 under 1 instruction per MAC from 128 input
      // channels, wide stride-1 depthwise 3x3 near 3, the stems near 3 (1 input channel) and 1.6 (3)
      const limit: Record<string, number> = {
        '1x1 48x48 8->16': 2.5, '1x1 24x24 32->32': 1.35, '1x1 6x6 128->128': 1.0, '1x1 3x3 256->256': 1.0,
        'dw 48x48x8 s1': 3.3, 'dw 48x48x16 s2': 4.7, 'dw 24x24x32 s2': 5.5, 'dw 6x6x128 s1': 6.2,
        'stem 96x96x1->8 s2': 3.3, 'stem 96x96x3->16 s2': 1.8,
      };
      for (const r of rows) if (limit[r.shape] !== undefined) expect(r.varPerMac, r.shape).toBeLessThan(limit[r.shape]!);
    }
  });
});

describe('variant selection (src/codegen/variants.ts)', () => {
  it('picks variants by target family and keeps row kernels consistent', () => {
    expect(selectVariant('mn_conv_1x1_s8', ['ref'])).toBeUndefined();
    expect(selectVariant('mn_conv_1x1_s8', getTarget('cortex-m4').kernels)?.fn).toBe('mn_conv_1x1_s8_dsp');
    expect(selectVariant('mn_conv_1x1_s8', getTarget('cortex-m55').kernels)?.fn).toBe('mn_conv_1x1_s8_mve');
    expect(selectVariant('mn_conv_1x1_s8', getTarget('riscv32').kernels)?.fn).toBe('mn_conv_1x1_s8_rv32');
    expect(rowKernelName('mn_dw_conv_row_s8', ['ref', 'dsp'])).toBe('mn_dw_conv_row_s8_dsp');
    expect(rowKernelName('mn_conv_row_s8', ['ref', 'dsp', 'mve'])).toBe('mn_conv_row_s8_dsp');
    expect(rowKernelName('mn_conv_1x1_s8', ['ref', 'dsp'])).toBe('mn_conv_1x1_s8_dsp');
    expect(rowKernelName('mn_dw_conv_row_s8', ['ref', 'rv32'])).toBe('mn_dw_conv_row_s8');
    expect(rowKernelName('mn_add_s8', ['ref', 'dsp'])).toBe('mn_add_s8');
    expect(variantSupportFiles(['mn_dw_conv_s8_dsp.c'])).toEqual([
      'include/mn_kernels_opt.h', 'src/mn_dw_conv_cp_s8_dsp.c', 'src/mn_dw_conv_rows_s8_dsp.c', 'src/mn_dw_conv_s8.c', 'src/mn_rows_for_output.c',
    ]);
  });

  it('rewrites layers: kernel, file and reordered weights; other layers untouched', () => {
    const w1 = Int8Array.from({ length: 6 * 5 }, (_, i) => i - 15);
    const wd = Int8Array.from({ length: 9 * 3 }, (_, i) => 3 * i - 40);
    const u = (a: Int8Array) => new Uint8Array(a.buffer);
    const base = { op: {} as Layer['op'], paramsType: null, args: [], notes: [], macs: 0 };
    const layers: Layer[] = [
      {
        ...base, id: 'L0', kernel: 'mn_conv_1x1_s8', kernelFile: 'mn_conv_1x1_s8.c',
        fields: [{ name: 'pixels', value: 4 }, { name: 'in_c', value: 6 }, { name: 'out_c', value: 5 }, { name: 'weights', value: 'L0_weights' }],
        arrays: [{ symbol: 'L0_weights', ctype: 'int8_t', bytes: u(w1), comment: 'w' }, { symbol: 'L0_bias', ctype: 'int32_t', values: [1, 2, 3, 4, 5], comment: 'b' }],
      },
      {
        ...base, id: 'L1', kernel: 'mn_dw_conv_s8', kernelFile: 'mn_dw_conv_s8.c',
        fields: [
          { name: 'k_h', value: 3 }, { name: 'k_w', value: 3 }, { name: 'dil_w', value: 1 }, { name: 'depth_mult', value: 1 },
          { name: 'stride_w', value: 2 }, { name: 'out_w', value: 8 }, { name: 'out_c', value: 3 }, { name: 'in_c', value: 3 },
          { name: 'weights', value: 'L1_weights' },
        ],
        arrays: [{ symbol: 'L1_weights', ctype: 'int8_t', bytes: u(wd), comment: 'w' }],
      },
      { ...base, id: 'L2', kernel: 'mn_add_s8', kernelFile: 'mn_add_s8.c', fields: [], arrays: [] },
    ];
    const out = applyVariants(layers, ['ref', 'dsp']);
    expect(out[0]!.kernel).toBe('mn_conv_1x1_s8_dsp');
    expect(out[0]!.kernelFile).toBe('mn_conv_1x1_s8_dsp.c');
    expect(out[0]!.arrays[0]!.bytes).toEqual(format1x1Pair4({ in_c: 6, out_c: 5 }, u(w1)));
    expect(out[0]!.arrays[0]!.bytes!.length).toBe(6 * 8);
    expect(out[0]!.arrays[1]).toBe(layers[0]!.arrays[1]);
    expect(out[1]!.kernel).toBe('mn_dw_conv_s8_dsp');
    // 3x3 depthwise layers use MN_FMT_DW_CV
    expect(out[1]!.arrays[0]!.bytes).toEqual(formatDwCv({ out_c: 3, k_h: 3, k_w: 3 }, u(wd)));
    expect(out[2]).toBe(layers[2]);
    expect(layers[0]!.kernel).toBe('mn_conv_1x1_s8'); // inputs not modified
    expect(layers[0]!.arrays[0]!.bytes).toEqual(u(w1));
    // the format is a pure function of the shape: applying twice on reference layers gives the same bytes
    expect(applyVariants(layers, ['dsp', 'ref'])[0]!.arrays[0]!.bytes).toEqual(out[0]!.arrays[0]!.bytes);
    // no DSP family: nothing changes
    expect(applyVariants(layers, ['ref'])).toEqual(layers);
  });

  it('documents the depthwise format MN_FMT_DW_CV: doubled tap pairs per group of 4 channels, then the tap sums', () => {
    const w = Int8Array.from({ length: 9 * 4 }, (_, i) => (i % 3 ? -1 : 1) * (i + 1)); // [3][3][4]: tap t, channel c at 4t + c
    const f = new DataView(formatDwCv({ out_c: 4, k_h: 3, k_w: 3 }, new Uint8Array(w.buffer)).buffer);
    expect(f.byteLength).toBe(8 * 9 + 16);
    for (let t = 0; t < 9; t++) {
      const lanes = [0, 2, 4, 6].map((o) => f.getInt16(8 * t + o, true));
      expect(lanes).toEqual([2 * w[4 * t]!, 2 * w[4 * t + 2]!, 2 * w[4 * t + 1]!, 2 * w[4 * t + 3]!]);
    }
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      for (let t = 0; t < 9; t++) sum += w[4 * t + c]!;
      expect(f.getInt32(72 + 4 * c, true)).toBe(sum);
    }
  });
});
