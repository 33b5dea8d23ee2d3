/**
 * Kernel-variant benchmark: exact instructions per MAC of the reference kernels and of their per-architecture
 * variants (src/codegen/variants.ts, runtime-c/src/*_dsp.c / *_mve.c / *_rv32.c) on representative MobileNet
 * layer shapes, on every emulated target that can run here (QEMU + the instruction-count plugin; instruction
 * counts, not cycles). Every benchmarked call is also checked byte for byte against the reference.
 *
 * Usage: node dist/bench/kernels.js [--targets cortex-m4,cortex-m55] [--selected] [--shapes TEXT] [--functions]
 * (--selected: only the variant codegen picks per target; default: every variant native to the target;
 * --shapes: only the shapes whose name contains TEXT; --functions: also instructions per function of the run)
 *
 * The same machinery (random cases, serialization, the C driver test/runtime/fixtures/variants_main.c) is used
 * by test/runtime/variants.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conv1x1Heads, dwD3Applies, formatDwD3Prepared, KERNEL_VARIANTS, selectVariant, variantSupportFiles, variantWeights, type VariantFamily } from '../src/codegen/variants.js';
import { packageRoot } from '../src/codegen/paths.js';
import { buildProgram, canRun, functionProfile, getTarget, runProgram, type Target, type TargetName } from '../src/targets/index.js';

export type CaseKind = '1x1' | 'dw' | 'conv';

/** One kernel call: reference and variant run on the same data. */
export interface KernelCase {
  name: string;
  kind: CaseKind;
  /** variant C function (e.g. mn_conv_1x1_s8_dsp) */
  variant: string;
  /** surround the two full-tensor calls with mn_bench_mark() */
  bench: boolean;
  /** also run the row kernel variant output row by row (dw, conv) */
  rows: boolean;
  /** 0..3: the input tensor starts this many bytes after a 16-byte boundary */
  misalign: number;
  /** 1x1: also run the variant on pieces of this many pixels (0: no) */
  split: number;
  /** parameter-struct integer fields in struct order (see PARAM_ORDER) */
  params: Record<string, number>;
  input: Int8Array;
  /** reference-order weights */
  weights: Int8Array;
  bias: Int32Array | null;
  mult: Int32Array;
  shift: Int32Array;
  outBytes: number;
  macs: number;
  /** dw: the variant gets its weights in MN_FMT_DW_D3P (prepared = 1; 3x3 d3 shapes only) */
  prepared?: boolean;
  /** dw rows: the row-by-row calls read rows with 2 zero-point halo pixels each side (halo_l = halo_r = 2) */
  halo?: boolean;
  /** 1x1: the variant gets the compiler's requantization heads (mn_conv_1x1_params.heads) */
  heads?: boolean;
}

export const PARAM_ORDER: Record<CaseKind, readonly string[]> = {
  '1x1': ['pixels', 'in_c', 'out_c', 'out_offset', 'act_min', 'act_max'],
  dw: ['in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'depth_mult', 'k_h', 'k_w', 'stride_h', 'stride_w', 'dil_h', 'dil_w', 'pad_top', 'pad_left', 'in_offset', 'out_offset', 'act_min', 'act_max'],
  conv: ['in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'k_h', 'k_w', 'stride_h', 'stride_w', 'dil_h', 'dil_w', 'pad_top', 'pad_left', 'groups', 'in_offset', 'out_offset', 'act_min', 'act_max'],
};

const KIND_CODE: Record<CaseKind, number> = { '1x1': 1, dw: 2, conv: 3 };
/** index of each variant in the C driver's function tables */
const VARIANT_INDEX: Record<string, number> = {
  mn_conv_1x1_s8_dsp: 0, mn_conv_1x1_s8_mve: 1, mn_conv_1x1_s8_rv32: 2, mn_dw_conv_s8_dsp: 0, mn_conv_s8_dsp: 0,
};
/** the full-tensor reference kernel each case kind exercises */
export const REF_KERNEL: Record<CaseKind, string> = { '1x1': 'mn_conv_1x1_s8', dw: 'mn_dw_conv_s8', conv: 'mn_conv_s8' };

// ---------------------------------------------------------------------------------------------------------
// deterministic random cases

/** xorshift32-based generator: same seed, same cases, on every machine */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + (this.u32() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.u32() % xs.length]!;
  }
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }
  int8s(n: number): Int8Array {
    const a = new Int8Array(n);
    for (let i = 0; i < n; i++) a[i] = (this.u32() >>> 24) - 128;
    return a;
  }
}

export type RequantStyle = 'typical' | 'positive-shift' | 'tiny' | 'huge-bias' | 'mixed';

/**
 * Per-channel multipliers and shifts giving outputs spread over the int8 range for sums of `k` products
 * (style 'typical'), or exercising the variants' other requantization paths.
 */
function requantParams(rng: Rng, n: number, k: number, style: RequantStyle): { mult: Int32Array; shift: Int32Array } {
  const mult = new Int32Array(n), shift = new Int32Array(n);
  // std of a sum of k products of uniform int8 values ~ sqrt(k) * 74^2; aim for an output std ~ 50
  const base = Math.floor(Math.log2(50 / (Math.sqrt(k) * 5476))) + 1;
  for (let i = 0; i < n; i++) {
    mult[i] = rng.int(2 ** 30, 2 ** 31 - 1);
    let sh = base + rng.int(-1, 1);
    if (style === 'positive-shift' || (style === 'mixed' && rng.chance(0.3))) sh = rng.int(0, 4);
    if (style === 'tiny' || (style === 'mixed' && rng.chance(0.2))) sh = rng.int(-31, -23);
    mult[i] = rng.chance(0.05) ? 2 ** 30 : mult[i]!;
    shift[i] = Math.max(-31, Math.min(30, sh));
  }
  return { mult, shift };
}

function biasFor(rng: Rng, n: number, k: number, style: RequantStyle): Int32Array {
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = style === 'huge-bias' && rng.chance(0.5) ? rng.int(-(2 ** 30), 2 ** 30) : rng.int(-k * 3000, k * 3000);
  }
  return b;
}

function actRange(rng: Rng, outOffset: number): [number, number] {
  const r = rng.int(0, 3);
  if (r === 0) return [outOffset, 127]; // ReLU
  if (r === 1) return [Math.max(-128, outOffset), Math.min(127, outOffset + rng.int(20, 120))]; // ReLU6-like
  return [-128, 127];
}

/** TFLite SAME padding before (top or left) */
export function samePad(inSize: number, k: number, stride: number, dil = 1): { out: number; before: number } {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dil + 1 - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

export interface Case1x1Opts { pixels: number; inC: number; outC: number; style?: RequantStyle; variant: string; name?: string }

export function case1x1(rng: Rng, o: Case1x1Opts): KernelCase {
  const style = o.style ?? 'typical';
  const outOffset = rng.int(-128, 127);
  const [lo, hi] = style === 'typical' && rng.chance(0.5) ? [-128, 127] : actRange(rng, outOffset);
  const { mult, shift } = requantParams(rng, o.outC, o.inC, style);
  return {
    name: o.name ?? `1x1 ${o.pixels}px ${o.inC}->${o.outC} ${style}`, kind: '1x1', variant: o.variant, bench: false, rows: false,
    misalign: rng.int(0, 3), split: rng.chance(0.5) ? rng.int(1, Math.max(1, o.pixels)) : 0,
    params: { pixels: o.pixels, in_c: o.inC, out_c: o.outC, out_offset: outOffset, act_min: lo, act_max: hi },
    input: rng.int8s(o.pixels * o.inC), weights: rng.int8s(o.inC * o.outC), bias: biasFor(rng, o.outC, o.inC, style), mult, shift,
    outBytes: o.pixels * o.outC, macs: o.pixels * o.inC * o.outC,
  };
}

export interface CaseDwOpts {
  inH: number; inW: number; c: number; k?: number; kw?: number; stride?: number; strideH?: number; dil?: number; mult?: number;
  pad?: 'same' | 'valid' | [number, number]; style?: RequantStyle; noBias?: boolean; variant: string; name?: string;
}

export function caseDw(rng: Rng, o: CaseDwOpts): KernelCase {
  const kh = o.k ?? 3, kw = o.kw ?? kh, sw = o.stride ?? 1, sh = o.strideH ?? sw, dil = o.dil ?? 1, dm = o.mult ?? 1;
  const style = o.style ?? 'typical';
  let outH: number, outW: number, padT: number, padL: number;
  const explicit = Array.isArray(o.pad) ? o.pad : undefined;
  const fits = (inS: number, p: number, k: number, s: number) => Math.floor((inS + 2 * p - ((k - 1) * dil + 1)) / s) + 1 >= 1;
  const valid = o.pad === 'valid' && fits(o.inH, 0, kh, sh) && fits(o.inW, 0, kw, sw);
  if (explicit && fits(o.inH, explicit[0], kh, sh) && fits(o.inW, explicit[1], kw, sw)) {
    [padT, padL] = explicit;
    outH = Math.floor((o.inH + 2 * padT - ((kh - 1) * dil + 1)) / sh) + 1;
    outW = Math.floor((o.inW + 2 * padL - ((kw - 1) * dil + 1)) / sw) + 1;
  } else if (!valid) {
    const a = samePad(o.inH, kh, sh, dil), b = samePad(o.inW, kw, sw, dil);
    [outH, outW, padT, padL] = [a.out, b.out, a.before, b.before];
  } else {
    outH = Math.floor((o.inH - ((kh - 1) * dil + 1)) / sh) + 1;
    outW = Math.floor((o.inW - ((kw - 1) * dil + 1)) / sw) + 1;
    [padT, padL] = [0, 0];
  }
  const outC = o.c * dm;
  const inOffset = rng.int(-127, 128), outOffset = rng.int(-128, 127);
  const [lo, hi] = actRange(rng, outOffset);
  const { mult, shift } = requantParams(rng, outC, kh * kw, style);
  return {
    name: o.name ?? `dw ${o.inH}x${o.inW}x${o.c} k${kh}x${kw} s${sw}${dm > 1 ? ` m${dm}` : ''} ${style}`, kind: 'dw', variant: o.variant,
    bench: false, rows: true, misalign: rng.int(0, 3), split: 0,
    params: {
      in_h: o.inH, in_w: o.inW, in_c: o.c, out_h: outH, out_w: outW, out_c: outC, depth_mult: dm, k_h: kh, k_w: kw,
      stride_h: sh, stride_w: sw, dil_h: dil, dil_w: dil, pad_top: padT, pad_left: padL, in_offset: inOffset, out_offset: outOffset,
      act_min: lo, act_max: hi,
    },
    input: rng.int8s(o.inH * o.inW * o.c), weights: rng.int8s(kh * kw * outC), bias: o.noBias ? null : biasFor(rng, outC, kh * kw, style),
    mult, shift, outBytes: outH * outW * outC, macs: outH * outW * outC * kh * kw,
  };
}

export interface CaseConvOpts {
  inH: number; inW: number; inC: number; outC: number; k?: number; stride?: number; dil?: number; groups?: number;
  pad?: 'same' | 'valid'; style?: RequantStyle; noBias?: boolean; variant: string; name?: string;
}

export function caseConv(rng: Rng, o: CaseConvOpts): KernelCase {
  const k = o.k ?? 3, s = o.stride ?? 1, dil = o.dil ?? 1, groups = o.groups ?? 1;
  const style = o.style ?? 'typical';
  let outH: number, outW: number, padT: number, padL: number;
  const fits = (inS: number) => inS >= (k - 1) * dil + 1;
  if ((o.pad ?? 'same') === 'same' || !fits(o.inH) || !fits(o.inW)) {
    const a = samePad(o.inH, k, s, dil), b = samePad(o.inW, k, s, dil);
    [outH, outW, padT, padL] = [a.out, b.out, a.before, b.before];
  } else {
    outH = Math.floor((o.inH - ((k - 1) * dil + 1)) / s) + 1;
    outW = Math.floor((o.inW - ((k - 1) * dil + 1)) / s) + 1;
    [padT, padL] = [0, 0];
  }
  const kk = k * k * (o.inC / groups);
  const inOffset = rng.int(-127, 128), outOffset = rng.int(-128, 127);
  const [lo, hi] = actRange(rng, outOffset);
  const { mult, shift } = requantParams(rng, o.outC, kk, style);
  return {
    name: o.name ?? `conv ${o.inH}x${o.inW}x${o.inC}->${o.outC} k${k} s${s}${groups > 1 ? ` g${groups}` : ''} ${style}`, kind: 'conv',
    variant: o.variant, bench: false, rows: k <= 8, misalign: rng.int(0, 3), split: 0,
    params: {
      in_h: o.inH, in_w: o.inW, in_c: o.inC, out_h: outH, out_w: outW, out_c: o.outC, k_h: k, k_w: k, stride_h: s, stride_w: s,
      dil_h: dil, dil_w: dil, pad_top: padT, pad_left: padL, groups, in_offset: inOffset, out_offset: outOffset, act_min: lo, act_max: hi,
    },
    input: rng.int8s(o.inH * o.inW * o.inC), weights: rng.int8s(kk * o.outC), bias: o.noBias ? null : biasFor(rng, o.outC, kk, style),
    mult, shift, outBytes: outH * outW * o.outC, macs: outH * outW * o.outC * kk,
  };
}

// ---------------------------------------------------------------------------------------------------------
// serialization (layout: test/runtime/fixtures/variants_main.c)

const u8 = (a: Int8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The variant's weight bytes for a case (its format applied when the format covers the shape). */
export function caseVariantWeights(c: KernelCase): Uint8Array {
  const v = KERNEL_VARIANTS.find((k) => k.fn === c.variant);
  if (!v) throw new Error(`unknown variant ${c.variant}`);
  const w = variantWeights(v, c.params, u8(c.weights));
  if (!c.prepared) return w;
  if (!dwD3Applies(c.params)) throw new Error(`case ${c.name}: MN_FMT_DW_D3P needs a d3 shape`);
  return formatDwD3Prepared(c.params, w, { bias: c.bias, mult: c.mult, shift: c.shift });
}

export function serializeCases(cases: readonly KernelCase[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const words = (xs: number[]) => parts.push(u8(Int32Array.from(xs)));
  const blob = (b: Uint8Array) => {
    parts.push(b);
    const pad = (4 - (b.length % 4)) % 4;
    if (pad) parts.push(new Uint8Array(pad));
  };
  words([0x544e564d, cases.length]);
  for (const c of cases) {
    const idx = VARIANT_INDEX[c.variant];
    if (idx === undefined) throw new Error(`the C driver has no table entry for ${c.variant}`);
    const order = PARAM_ORDER[c.kind];
    const wv = caseVariantWeights(c);
    words([KIND_CODE[c.kind], idx, (c.bench ? 1 : 0) | (c.rows ? 2 : 0) | (c.prepared ? 4 : 0) | (c.halo ? 8 : 0) | (c.heads ? 16 : 0), c.misalign, c.split, order.length]);
    words(order.map((k) => {
      const v = c.params[k];
      if (v === undefined) throw new Error(`case ${c.name}: missing parameter ${k}`);
      return v;
    }));
    words([c.input.length, c.weights.length, wv.length, c.bias ? c.bias.length : -1, c.mult.length, c.outBytes]);
    blob(u8(c.input));
    blob(u8(c.weights));
    blob(wv);
    if (c.bias) blob(u8(c.bias));
    blob(u8(c.mult));
    blob(u8(c.shift));
    if (c.heads) {
      if (c.kind !== '1x1' || !c.bias) throw new Error(`case ${c.name}: heads are for 1x1 cases with a bias`);
      blob(u8(conv1x1Heads(c.params.in_c!, c.params.out_offset!, c.bias, c.mult, c.shift, wv)));
    }
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// build + run

export const DRIVER_C = join(packageRoot, 'test', 'runtime', 'fixtures', 'variants_main.c');

/** runtime-c sources of every variant, the reference kernels they are compared with, and their support files */
export function driverSources(): string[] {
  const files = new Set<string>(['mn_conv_1x1_s8.c', 'mn_conv_s8.c', 'mn_dw_conv_s8.c', 'mn_rows_for_output.c']);
  for (const v of KERNEL_VARIANTS) files.add(v.file);
  for (const f of variantSupportFiles([...files])) if (f.startsWith('src/')) files.add(f.slice(4));
  return [...files].sort().map((f) => join(packageRoot, 'runtime-c', 'src', f));
}

export interface CaseResult {
  ok: boolean;
  message: string;
  /** instructions of the reference / variant call (bench cases on emulated targets) */
  refInstructions?: number;
  varInstructions?: number;
}

export interface DriverRun {
  results: CaseResult[];
  /** instructions per function (runCases with functions on an emulated target) */
  functions?: { name: string; instructions: number }[];
  exitCode: number;
  stdout: string;
  wallMs: number;
}

/** Builds the C driver for `target` and runs `cases` on it (instruction counts for bench cases when emulated). */
export async function runCases(target: Target | TargetName, cases: readonly KernelCase[], workDir: string, tag = 'variants', functions = false): Promise<DriverRun> {
  const t = typeof target === 'string' ? getTarget(target) : target;
  const data = serializeCases(cases);
  const dir = join(workDir, `${t.name}-${tag}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cases.bin'), data);
  const { elfPath } = await buildProgram(t, {
    sources: [DRIVER_C, ...driverSources()],
    includeDirs: [join(packageRoot, 'runtime-c', 'include')],
    defines: { BLOB_BYTES: String(data.length) },
    outDir: dir,
    name: tag,
  });
  const counting = t.kind !== 'host' && cases.some((c) => c.bench);
  const r = await runProgram(t, elfPath, { cwd: dir, timeoutMs: 120_000, countInstructions: counting, pcProfile: counting && functions });
  const lines = new Map<number, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^R (\d+) (.*)$/.exec(line.trim());
    if (m) lines.set(Number(m[1]), m[2]!);
  }
  const marks = r.marks ?? [];
  let b = 0;
  const results = cases.map((c, i): CaseResult => {
    const msg = lines.get(i) ?? 'no result line';
    const res: CaseResult = { ok: msg === 'ok', message: msg };
    if (c.bench && counting) {
      res.refInstructions = marks[3 * b];
      res.varInstructions = marks[3 * b + 1];
      b++;
    }
    return res;
  });
  const out: DriverRun = { results, exitCode: r.exitCode, stdout: r.stdout, wallMs: r.wallMs };
  if (r.pcCounts) out.functions = await functionProfile(t, elfPath, r.pcCounts);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// representative shapes (person_detect / VWW MobileNetV1 0.25, MobileNetV2 0.35 stems)

export interface BenchShape {
  name: string;
  make(rng: Rng, variant: string): KernelCase;
  kind: CaseKind;
}

/** ReLU6 outputs of the int8 MobileNets use the whole int8 range: act_min -128, act_max 127 (the tests cover
 * narrower ranges) */
function fullRange(c: KernelCase): KernelCase {
  c.params.act_min = -128;
  c.params.act_max = 127;
  return c;
}

export const BENCH_SHAPES: readonly BenchShape[] = [
  { name: '1x1 48x48 8->16', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 48 * 48, inC: 8, outC: 16, variant: v })) },
  { name: '1x1 24x24 32->32', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 24 * 24, inC: 32, outC: 32, variant: v })) },
  { name: '1x1 6x6 128->128', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 6 * 6, inC: 128, outC: 128, variant: v })) },
  { name: '1x1 3x3 256->256', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 3 * 3, inC: 256, outC: 256, variant: v })) },
  { name: '1x1 24x24 16->32', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 24 * 24, inC: 16, outC: 32, variant: v })) },
  { name: '1x1 48x48 8->48', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 48 * 48, inC: 8, outC: 48, variant: v })) },
  {
    // near-dead channels as in real models: right shift 26..27, some with a bias of +-2^30
    name: '1x1 12x12 64->64 dead', kind: '1x1', make: (r, v) => {
      const c = fullRange(case1x1(r, { pixels: 12 * 12, inC: 64, outC: 64, variant: v }));
      for (let i = 3; i < 64; i += 9) {
        c.shift[i] = -26 - (i & 1);
        if (i % 2 === 0) c.bias![i] = i % 4 === 0 ? 2 ** 30 : -(2 ** 30);
      }
      return c;
    },
  },
  { name: '1x1 1px 1280->64', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 1, inC: 1280, outC: 64, variant: v })) },
  { name: '1x1 112px 16->96 row', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 112, inC: 16, outC: 96, variant: v })) },
  { name: '1x1 7x7 960->32', kind: '1x1', make: (r, v) => fullRange(case1x1(r, { pixels: 7 * 7, inC: 960, outC: 32, variant: v })) },
  { name: 'dw 48x48x8 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 48, inW: 48, c: 8, stride: 1, variant: v })) },
  { name: 'dw 48x48x16 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 48, inW: 48, c: 16, stride: 2, variant: v })) },
  { name: 'dw 24x24x32 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 24, inW: 24, c: 32, stride: 2, variant: v })) },
  { name: 'dw 6x6x128 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 6, inW: 6, c: 128, stride: 1, variant: v })) },
  // depthwise shapes of the shared real models (MobileNetV1 0.5 VWW, MobileNetV2 1.0, MCUNet 5x5 / 7x7, person_detect)
  { name: 'dw 3x3x256 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 3, inW: 3, c: 256, stride: 1, variant: v })) },
  { name: 'dw 3x3x256 s1 prepared', kind: 'dw', make: (r, v) => ({ ...fullRange(caseDw(r, { inH: 3, inW: 3, c: 256, stride: 1, variant: v })), prepared: true, rows: false }) },
  { name: 'dw 6x6x256 s2 prepared', kind: 'dw', make: (r, v) => ({ ...fullRange(caseDw(r, { inH: 6, inW: 6, c: 256, stride: 2, variant: v })), prepared: true, rows: false }) },
  { name: 'dw 6x6x256 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 6, inW: 6, c: 256, stride: 2, variant: v })) },
  { name: 'dw 12x12x64 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 12, inW: 12, c: 64, stride: 2, variant: v })) },
  { name: 'dw 14x14x576 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 14, inW: 14, c: 576, stride: 2, variant: v })) },
  { name: 'dw 12x12x64 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 12, inW: 12, c: 64, stride: 1, variant: v })) },
  { name: 'dw 14x14x384 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 14, inW: 14, c: 384, stride: 1, variant: v })) },
  { name: 'dw 7x7x960 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 7, inW: 7, c: 960, stride: 1, variant: v })) },
  { name: 'dw 112x112x16 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 112, inW: 112, c: 16, stride: 2, variant: v })) },
  { name: 'dw 56x56x24 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 56, inW: 56, c: 24, stride: 2, variant: v })) },
  { name: 'dw 10x10x120 k5 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 10, inW: 10, c: 120, k: 5, stride: 1, variant: v })) },
  { name: 'dw 5x5x240 k5 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 5, inW: 5, c: 240, k: 5, stride: 2, variant: v })) },
  { name: 'dw 20x20x48 k7 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 20, inW: 20, c: 48, k: 7, stride: 2, pad: [3, 3], variant: v })) },
  { name: 'dw 5x5x240 k7 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 5, inW: 5, c: 240, k: 7, stride: 1, variant: v })) },
  { name: 'dw 3x3x288 k7 s1', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 3, inW: 3, c: 288, k: 7, stride: 1, variant: v })) },
  { name: 'dw 96x96x1 m8 s2', kind: 'dw', make: (r, v) => fullRange(caseDw(r, { inH: 96, inW: 96, c: 1, mult: 8, stride: 2, variant: v })) },
  { name: 'stem 96x96x1->8 s2', kind: 'conv', make: (r, v) => fullRange(caseConv(r, { inH: 96, inW: 96, inC: 1, outC: 8, stride: 2, variant: v })) },
  { name: 'stem 96x96x3->16 s2', kind: 'conv', make: (r, v) => fullRange(caseConv(r, { inH: 96, inW: 96, inC: 3, outC: 16, stride: 2, variant: v })) },
];

/** The variant a target would use for a case kind, or undefined (reference only). */
export function targetVariant(t: Target, kind: CaseKind): string | undefined {
  return selectVariant(REF_KERNEL[kind], t.kernels as readonly VariantFamily[])?.fn;
}

/** Every variant of a case kind that is native on the target (e.g. both 1x1 variants on the M55). */
export function nativeVariants(t: Target, kind: CaseKind): string[] {
  return KERNEL_VARIANTS.filter((v) => v.ref === REF_KERNEL[kind] && (t.kernels as readonly string[]).includes(v.family)).map((v) => v.fn);
}

export interface BenchRow {
  target: string;
  shape: string;
  variant: string;
  macs: number;
  refPerMac: number;
  varPerMac: number;
  ok: boolean;
}

/** Runs the bench shapes on one target: every native variant (or only the one codegen selects). */
export async function benchTarget(t: Target, workDir: string, allVariants = true, seed = 1234, opts: { shapes?: string; functions?: boolean } = {}): Promise<BenchRow[]> {
  const cases: KernelCase[] = [];
  for (const s of BENCH_SHAPES) {
    if (opts.shapes && !s.name.includes(opts.shapes)) continue;
    const vs = allVariants ? nativeVariants(t, s.kind) : [targetVariant(t, s.kind)].filter((v): v is string => !!v);
    for (const v of vs) {
      const c = s.make(new Rng(seed), v);
      c.bench = true;
      c.rows = false;
      c.split = 0;
      c.name = s.name;
      cases.push(c);
    }
  }
  if (!cases.length) return [];
  const run = await runCases(t, cases, workDir, 'bench', opts.functions);
  if (run.functions) {
    console.log(`${t.name}: instructions per function (the whole run: both kernels of every case, data set-up included)`);
    for (const f of run.functions.slice(0, 20)) console.log(`  ${f.instructions.toLocaleString('en-US').padStart(12)}  ${f.name}`);
  }
  return cases.map((c, i) => {
    const r = run.results[i]!;
    return {
      target: t.name, shape: c.name, variant: c.variant, macs: c.macs, ok: r.ok,
      refPerMac: (r.refInstructions ?? NaN) / c.macs, varPerMac: (r.varInstructions ?? NaN) / c.macs,
    };
  });
}

export function formatBenchTable(rows: readonly BenchRow[]): string {
  const head = ['target', 'shape', 'variant', 'MACs', 'ref insn/MAC', 'variant insn/MAC', 'speed-up', 'exact'];
  const body = rows.map((r) => [
    r.target, r.shape, r.variant, r.macs.toLocaleString('en-US'), r.refPerMac.toFixed(2), r.varPerMac.toFixed(2),
    `${(r.refPerMac / r.varPerMac).toFixed(2)}x`, r.ok ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--targets') ? args[args.indexOf('--targets') + 1]!.split(',') : null;
  const all = !args.includes('--selected');
  const shapes = args.includes('--shapes') ? args[args.indexOf('--shapes') + 1] : undefined;
  const functions = args.includes('--functions');
  const names: TargetName[] = ['cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55', 'riscv32'];
  const work = mkdtempSync(join(tmpdir(), 'mnetc-bench-kernels-'));
  try {
    const rows: BenchRow[] = [];
    for (const n of names) {
      if (only && !only.includes(n)) continue;
      const t = getTarget(n);
      if (!canRun(t)) {
        console.log(`${n}: toolchain or QEMU missing, skipped`);
        continue;
      }
      rows.push(...(await benchTarget(t, work, all, 1234, { shapes, functions })));
    }
    console.log('Kernel variants: exact instructions per MAC under QEMU (instructions, not cycles)\n');
    console.log(formatBenchTable(rows));
    if (rows.some((r) => !r.ok)) {
      console.log('\nSOME VARIANT OUTPUTS DIFFER FROM THE REFERENCE');
      process.exitCode = 1;
    }
  } finally {
    // MNETC_KEEP_WORK=1 keeps the firmware and its cases (to profile one address at a time)
    if (process.env['MNETC_KEEP_WORK']) console.log(`work kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
