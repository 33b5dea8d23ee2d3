/**
 * Kernel variants: per-architecture implementations of a reference kernel, chosen at compile time by target.
 * A variant keeps the reference kernel's parameter struct and results (bit-exact); it may ask for its
 * constant data in another order (a weight transform applied at compile time).
 *
 * The weight formats are documented in runtime-c/include/mn_kernels_opt.h. Each one is a pure function of
 * (variant, layer shape): a layer call and a row-streamed call of the same layer (rowKernelName) read the
 * same reordered bytes, so applyVariants must run on the layers whose params the streamed code uses.
 */
import type { CArray, CField, Layer } from './layers.js';

/** The reference kernel (or runtime file) an optimised variant's name stands for: mn_x_s8_dsp -> mn_x_s8. */
export function refKernelName(kernel: string): string {
  return kernel.replace(/_(dsp|mve|rv32)(\.c)?$/, (_m, _f, ext: string | undefined) => ext ?? '');
}

/** The variant family of a kernel or file name ('dsp', 'mve', 'rv32'), or null for a reference kernel. */
export function variantFamilyOf(name: string): string | null {
  return /_(dsp|mve|rv32)(\.c)?$/.exec(name)?.[1] ?? null;
}

/** The row kernel a streamed region calls for a full-tensor convolution kernel, or null if it has none. */
export function rowKernelOf(refKernel: string): string | null {
  return refKernel === 'mn_conv_s8' ? 'mn_conv_row_s8' : refKernel === 'mn_dw_conv_s8' ? 'mn_dw_conv_row_s8' : null;
}

/** Variant families a target can use (from src/targets Target.kernels); their order does not matter. */
export type VariantFamily = 'ref' | 'dsp' | 'mve' | 'rv32';

/** Which variant wins when a target offers several (the instruction counts in bench/kernels.ts decide). */
const FAMILY_PRIORITY: readonly VariantFamily[] = ['mve', 'dsp', 'rv32'];

/** The layer-shape numbers the weight formats depend on (parameter-struct field names). */
export type ShapeFields = Record<string, number>;

export interface KernelVariant {
  /** C function of the variant */
  fn: string;
  /** reference C function it replaces (a layer kernel or a row kernel) */
  ref: string;
  family: Exclude<VariantFamily, 'ref'>;
  /** runtime-c/src file defining `fn` */
  file: string;
  /** other runtime-c files the variant's file needs (relative to runtime-c/) */
  needs: readonly string[];
  /** name of the weight format (mn_kernels_opt.h) and the transform; identity when the format does not apply */
  format?: { name: string; applies(s: ShapeFields): boolean; reorder(s: ShapeFields, ref: Uint8Array): Uint8Array };
}

const OPT_H = 'include/mn_kernels_opt.h';
const DSP_GEMM_H = 'include/mn_dsp_gemm.h';

// ---------------------------------------------------------------------------------------------------------
// weight formats (the C side reads them; see mn_kernels_opt.h)

const need = (s: ShapeFields, k: string): number => {
  const v = s[k];
  if (v === undefined || !Number.isInteger(v)) throw new Error(`variants: shape field '${k}' missing`);
  return v;
};

/** MN_FMT_1X1_PAIR4: output-channel pairs x input-channel quads, SXTB16 lane order. ref: [out_c][in_c]. */
export function format1x1Pair4(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const inC = need(s, 'in_c'), outC = need(s, 'out_c');
  const cp = (inC + 3) & ~3, ocp = (outC + 1) & ~1;
  if (ref.length !== inC * outC) throw new Error(`variants: 1x1 weights have ${ref.length} bytes, expected ${inC * outC}`);
  const out = new Uint8Array(ocp * cp);
  for (let oc = 0; oc < outC; oc++) {
    for (let c = 0; c < inC; c++) {
      out[(oc >> 1) * cp * 2 + (c >> 2) * 8 + (c & 1) * 4 + ((c >> 1) & 1) * 2 + (oc & 1)] = ref[oc * inC + c]!;
    }
  }
  return out;
}

/** MN_FMT_1X1_QUAD: groups of 4 output channels, input-channel major inside a group. ref: [out_c][in_c]. */
export function format1x1Quad(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const inC = need(s, 'in_c'), outC = need(s, 'out_c');
  const ocq = (outC + 3) & ~3;
  if (ref.length !== inC * outC) throw new Error(`variants: 1x1 weights have ${ref.length} bytes, expected ${inC * outC}`);
  const out = new Uint8Array(ocq * inC);
  for (let oc = 0; oc < outC; oc++) {
    for (let c = 0; c < inC; c++) out[(oc >> 2) * inC * 4 + c * 4 + (oc & 3)] = ref[oc * inC + c]!;
  }
  return out;
}

export const CONV_PAIR_MAX_K = 256; // MN_CONV_PAIR_MAX_K in mn_kernels_opt.h

export function convPairApplies(s: ShapeFields): boolean {
  return need(s, 'groups') === 1 && need(s, 'k_h') * need(s, 'k_w') * need(s, 'in_c') <= CONV_PAIR_MAX_K;
}

/** MN_FMT_CONV_PAIR: output-channel pairs x k-pairs (k = (ky, kx, ic) flattened). ref: [out_c][k_h][k_w][in_c]. */
export function formatConvPair(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const outC = need(s, 'out_c');
  const k = need(s, 'k_h') * need(s, 'k_w') * need(s, 'in_c');
  const kp = (k + 1) & ~1, ocp = (outC + 1) & ~1;
  if (ref.length !== k * outC) throw new Error(`variants: conv weights have ${ref.length} bytes, expected ${k * outC}`);
  const out = new Uint8Array(ocp * kp);
  for (let oc = 0; oc < outC; oc++) {
    for (let j = 0; j < k; j++) out[(oc >> 1) * kp * 2 + (j >> 1) * 4 + (j & 1) * 2 + (oc & 1)] = ref[oc * k + j]!;
  }
  return out;
}

export const DWCV_MAX_K = 7; // MN_DWCV_MAX_K

/** Does a MN_FMT_CONV_PAIR layer use MN_FMT_STEM3 instead (3x3 kernel over 3 input channels, the RGB stems)? */
export function stem3Applies(s: ShapeFields): boolean {
  return need(s, 'groups') === 1 && need(s, 'in_c') === 3 && need(s, 'k_h') === 3 && need(s, 'k_w') === 3 && need(s, 'dil_w') === 1;
}

/**
 * MN_FMT_STEM3 (runtime-c/src/mn_conv_row_s8_dsp.c): the 27 taps k = ky * 9 + j (j = kx * 3 + ic, the byte
 * of the 9-byte window row) taken in 14 pairs that match SXTB16 lanes of the window's words:
 * per ky: (j0, j2) (j1, j3) (j4, j6) (j5, j7); then (ky0 j8, ky1 j8), (ky2 j8, pad).
 * Part 1, per output-channel pair (a, b) (out_c padded to even) and tap pair s: two words, int16 pairs
 * (low half first) of doubled weights (2 w_a[k0], 2 w_a[k1]) then (2 w_b[k0], 2 w_b[k1]): 56 * OCp bytes.
 * Part 2, per output channel (OCp): int32 sum of its 27 weights, int32 sum of their magnitudes: 8 * OCp bytes.
 */
export const STEM3_PAIRS: readonly (readonly [number, number])[] = [
  ...[0, 1, 2].flatMap((ky) => [[9 * ky, 9 * ky + 2], [9 * ky + 1, 9 * ky + 3], [9 * ky + 4, 9 * ky + 6], [9 * ky + 5, 9 * ky + 7]] as [number, number][]),
  [8, 17],
  [26, -1],
];

export function formatStem3(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const outC = need(s, 'out_c');
  const ocp = (outC + 1) & ~1;
  if (ref.length !== 27 * outC) throw new Error(`variants: stem weights have ${ref.length} bytes, expected ${27 * outC}`);
  const w = new Int8Array(ref.buffer, ref.byteOffset, ref.byteLength);
  const at = (oc: number, k: number) => (oc < outC && k >= 0 ? w[oc * 27 + k]! : 0);
  const out = new Uint8Array(64 * ocp);
  const dv = new DataView(out.buffer);
  for (let pr = 0; pr < ocp / 2; pr++) {
    STEM3_PAIRS.forEach(([k0, k1], si) => {
      for (let h = 0; h < 2; h++) {
        const o = pr * 112 + si * 8 + h * 4;
        dv.setInt16(o, 2 * at(2 * pr + h, k0), true);
        dv.setInt16(o + 2, 2 * at(2 * pr + h, k1), true);
      }
    });
  }
  for (let oc = 0; oc < ocp; oc++) {
    let sum = 0, abs = 0;
    for (let k = 0; k < 27; k++) {
      sum += at(oc, k);
      abs += Math.abs(at(oc, k));
    }
    dv.setInt32(56 * ocp + 8 * oc, sum, true);
    dv.setInt32(56 * ocp + 8 * oc + 4, abs, true);
  }
  return out;
}

/** MN_STEM1_APPLIES: 3x3 kernel over one input channel, stride <= 2, out_c a multiple of 4 (grey-scale stems) */
export function stem1Applies(s: ShapeFields): boolean {
  return (
    need(s, 'groups') === 1 && need(s, 'in_c') === 1 && need(s, 'k_h') === 3 && need(s, 'k_w') === 3 && need(s, 'dil_w') === 1 &&
    need(s, 'stride_w') <= 2 && need(s, 'out_c') % 4 === 0
  );
}

/**
 * MN_FMT_STEM1: the MN_FMT_DW_CV bytes of the layer written as a depthwise convolution of its one input channel
 * with depth multiplier out_c (depthwise weights [ky][kx][oc] = conv weights [oc][ky][kx][0]); the conv row
 * kernel runs it with the depthwise one. ref: [out_c][3][3][1].
 */
export function formatStem1(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const outC = need(s, 'out_c');
  if (ref.length !== 9 * outC) throw new Error(`variants: stem weights have ${ref.length} bytes, expected ${9 * outC}`);
  const dw = new Uint8Array(9 * outC);
  for (let oc = 0; oc < outC; oc++) for (let t = 0; t < 9; t++) dw[t * outC + oc] = ref[oc * 9 + t]!;
  return formatDwCv({ out_c: outC, k_h: 3, k_w: 3 }, dw);
}

/** MN_DWCV_APPLIES: the channel-vectorised depthwise kernel (any stride, kernels up to 7x7) */
export function dwCvApplies(s: ShapeFields): boolean {
  const dm = need(s, 'depth_mult');
  return (
    need(s, 'dil_w') === 1 && (dm === 1 || dm % 4 === 0) && need(s, 'k_h') <= DWCV_MAX_K && need(s, 'k_w') <= DWCV_MAX_K
  );
}

/**
 * MN_FMT_DW_CV: output channels in groups of 4 (out_c padded to a multiple of 4, zero weights); per group, per
 * tap t = ky * k_w + kx two words of doubled int16 weights (2w[t][4g], 2w[t][4g+2]) and (2w[t][4g+1], 2w[t][4g+3])
 * (low half first: the SXTB16 lanes of the input word), then 4 int32 tap sums. ref: [k_h][k_w][out_c].
 */
export function formatDwCv(s: ShapeFields, ref: Uint8Array): Uint8Array {
  const outC = need(s, 'out_c'), K = need(s, 'k_h') * need(s, 'k_w');
  if (ref.length !== K * outC) throw new Error(`variants: depthwise weights have ${ref.length} bytes, expected ${K * outC}`);
  const w = new Int8Array(ref.buffer, ref.byteOffset, ref.byteLength);
  const groups = (outC + 3) >> 2, gb = 8 * K + 16;
  const out = new Uint8Array(groups * gb);
  const dv = new DataView(out.buffer);
  for (let c = 0; c < outC; c++) {
    const o = (c >> 2) * gb + 4 * (c & 1) + 2 * ((c >> 1) & 1);
    let sum = 0;
    for (let t = 0; t < K; t++) {
      const v = w[t * outC + c]!;
      dv.setInt16(o + 8 * t, 2 * v, true);
      sum += v;
    }
    dv.setInt32((c >> 2) * gb + 8 * K + 4 * (c & 3), sum, true);
  }
  return out;
}

/** Shapes the 2-pixel 3x3 depthwise kernel (d3_rows in mn_dw_conv_rows_s8_dsp.c) runs: MN_FMT_DW_D3P applies. */
export function dwD3Applies(s: ShapeFields): boolean {
  return dwCvApplies(s) && need(s, 'k_h') === 3 && need(s, 'k_w') === 3 && need(s, 'depth_mult') === 1 && need(s, 'stride_w') <= 2;
}

export const DW_D3P_GROUP_BYTES = 160;

/**
 * MN_FMT_DW_D3P (mn_kernels_opt.h): a 3x3 layer's MN_FMT_DW_CV bytes with each group's requantization head
 * precomputed exactly as d3_setup computes it at run time, so a kernel called once per row skips that work.
 * `cv`: the layer's MN_FMT_DW_CV bytes; bias (null: none), mult, shift: the layer's per-channel arrays.
 */
export function formatDwD3Prepared(s: ShapeFields, cv: Uint8Array, q: { bias: ArrayLike<number> | null; mult: ArrayLike<number>; shift: ArrayLike<number> }): Uint8Array {
  const outC = need(s, 'out_c'), inOff = need(s, 'in_offset'), outOff = need(s, 'out_offset');
  const groups = (outC + 3) >> 2, cvBytes = 8 * 9 + 16;
  if (cv.length !== groups * cvBytes) throw new Error(`variants: MN_FMT_DW_CV weights have ${cv.length} bytes, expected ${groups * cvBytes}`);
  const src = new DataView(cv.buffer, cv.byteOffset, cv.byteLength);
  const out = new Uint8Array(groups * DW_D3P_GROUP_BYTES);
  const dv = new DataView(out.buffer);
  const lim = 2 ** 30 - 9 * 128 * 256;
  for (let g = 0; g < groups; g++) {
    const o = g * DW_D3P_GROUP_BYTES;
    out.set(cv.subarray(g * cvBytes, g * cvBytes + 72), o);
    const chans = [0, 1, 2, 3].map((j) => 4 * g + j).filter((c) => c < outC);
    const wide = chans.some((c) => q.shift[c]! < -22 && q.shift[c]! >= -31);
    let flags = wide ? 16 : 0;
    for (let j = 0; j < 4; j++) {
      const c = 4 * g + j;
      let m = 0, k = 0, e = 1, b2 = 0;
      if (c >= outC) flags |= 1 << j; // padding channel: never run by the asm (partial groups run C)
      else {
        const b = q.bias ? q.bias[c]! : 0, sh = q.shift[c]!, mult = q.mult[c]!;
        b2 = (2 * (b + inOff * src.getInt32(g * cvBytes + 72 + 4 * j, true))) | 0;
        if (b <= -lim || b >= lim || sh > -1 || sh < -31 || mult < 0) flags |= 1 << j;
        else {
          e = -sh;
          m = mult;
          k = ((1 << (e - 1)) + (wide ? 0 : outOff << e)) | 0;
        }
      }
      dv.setInt32(o + 72 + 12 * j, m, true);
      dv.setInt32(o + 76 + 12 * j, k, true);
      dv.setInt32(o + 80 + 12 * j, e, true);
      dv.setInt32(o + 120 + 4 * j, b2, true);
      dv.setInt32(o + 136 + 4 * j, b2, true);
    }
    dv.setInt32(o + 152, flags, true);
  }
  return out;
}

const always = () => true;

// ---------------------------------------------------------------------------------------------------------
// the variant table

const DW_ROW_NEEDS = [OPT_H, 'src/mn_dw_conv_rows_s8_dsp.c', 'src/mn_dw_conv_cp_s8_dsp.c', 'src/mn_dw_conv_s8.c', 'src/mn_rows_for_output.c'];
/* MN_FMT_STEM1 layers run on the depthwise rows kernel */
const CONV_ROW_NEEDS = [OPT_H, DSP_GEMM_H, 'src/mn_conv_s8.c', ...DW_ROW_NEEDS];
const PAIR4 = { name: 'MN_FMT_1X1_PAIR4', applies: always, reorder: format1x1Pair4 };
const QUAD = { name: 'MN_FMT_1X1_QUAD', applies: always, reorder: format1x1Quad };
const CONV_PAIR = {
  name: 'MN_FMT_CONV_PAIR (MN_FMT_STEM3 for 3x3x3 kernels, MN_FMT_STEM1 for 3x3x1)', applies: convPairApplies,
  reorder: (s: ShapeFields, ref: Uint8Array) => (stem1Applies(s) ? formatStem1(s, ref) : stem3Applies(s) ? formatStem3(s, ref) : formatConvPair(s, ref)),
};
const DW_CV = { name: 'MN_FMT_DW_CV', applies: dwCvApplies, reorder: formatDwCv };

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  { fn: 'mn_conv_1x1_s8_mve', ref: 'mn_conv_1x1_s8', family: 'mve', file: 'mn_conv_1x1_s8_mve.c', needs: [OPT_H] },
  { fn: 'mn_conv_1x1_s8_dsp', ref: 'mn_conv_1x1_s8', family: 'dsp', file: 'mn_conv_1x1_s8_dsp.c', needs: [OPT_H, DSP_GEMM_H], format: PAIR4 },
  { fn: 'mn_conv_1x1_s8_rv32', ref: 'mn_conv_1x1_s8', family: 'rv32', file: 'mn_conv_1x1_s8_rv32.c', needs: [OPT_H], format: QUAD },
  {
    fn: 'mn_conv_s8_dsp', ref: 'mn_conv_s8', family: 'dsp', file: 'mn_conv_s8_dsp.c',
    needs: ['src/mn_conv_row_s8_dsp.c', ...CONV_ROW_NEEDS], format: CONV_PAIR,
  },
  { fn: 'mn_conv_row_s8_dsp', ref: 'mn_conv_row_s8', family: 'dsp', file: 'mn_conv_row_s8_dsp.c', needs: CONV_ROW_NEEDS, format: CONV_PAIR },
  {
    fn: 'mn_dw_conv_s8_dsp', ref: 'mn_dw_conv_s8', family: 'dsp', file: 'mn_dw_conv_s8_dsp.c',
    needs: DW_ROW_NEEDS, format: DW_CV,
  },
  { fn: 'mn_dw_conv_row_s8_dsp', ref: 'mn_dw_conv_row_s8', family: 'dsp', file: 'mn_dw_conv_row_s8_dsp.c', needs: DW_ROW_NEEDS, format: DW_CV },
];

/** The variant used for reference kernel `refKernel` on a target offering `families`, or undefined. */
export function selectVariant(refKernel: string, families: readonly VariantFamily[]): KernelVariant | undefined {
  for (const fam of FAMILY_PRIORITY) {
    if (!families.includes(fam)) continue;
    const v = KERNEL_VARIANTS.find((k) => k.ref === refKernel && k.family === fam);
    if (v) return v;
  }
  return undefined;
}

/** The variant's weight bytes for a layer of this shape (the reference bytes when its format does not apply). */
export function variantWeights(v: KernelVariant, shape: ShapeFields, ref: Uint8Array): Uint8Array {
  return v.format && v.format.applies(shape) ? v.format.reorder(shape, ref) : ref;
}

/**
 * runtime-c files (relative to runtime-c/) a module needs besides the ones its layers name in kernelFile:
 * the variants' header and the files their code calls (reference kernels used as fallbacks, row kernels).
 * Pass the layers' kernelFile values (file names in runtime-c/src).
 */
export function variantSupportFiles(kernelFiles: readonly string[]): string[] {
  const out = new Set<string>();
  const todo = [...kernelFiles];
  while (todo.length) {
    const f = todo.pop()!;
    const v = KERNEL_VARIANTS.find((k) => k.file === f);
    if (!v) continue;
    for (const n of v.needs) {
      if (out.has(n)) continue;
      out.add(n);
      if (n.startsWith('src/')) todo.push(n.slice(4));
    }
  }
  for (const f of kernelFiles) out.delete(`src/${f}`);
  return [...out].sort();
}

/** The array a layer's pointer field (weights, bias, mult, ...) names, or undefined. */
function fieldArray(layer: Layer, field: string): CArray | undefined {
  const v = layer.fields.find((f) => f.name === field)?.value;
  return typeof v === 'string' ? layer.arrays.find((a) => a.symbol === v) : undefined;
}

function shapeOf(fields: readonly CField[]): ShapeFields {
  const s: ShapeFields = {};
  for (const f of fields) if (typeof f.value === 'number') s[f.name] = f.value;
  return s;
}

/**
 * Rewrites layers to use the best variant available for `families`. Every kernel function named in a layer
 * (including the row kernels that streamed blocks call) is looked up. The reference kernel stays when no
 * variant exists. A variant with a weight format gets a copy of the layer whose weights array holds the
 * reordered bytes (the parameter struct keeps pointing at the same symbol); the input layers are not modified.
 */
export function applyVariants(layers: Layer[], families: readonly VariantFamily[]): Layer[] {
  return layers.map((layer) => {
    if (!layer.kernel) return layer;
    const v = selectVariant(layer.kernel, families);
    if (!v) return layer;
    const notes = [...layer.notes, `kernel variant ${v.fn} (${v.family}) of ${v.ref}`];
    let arrays = layer.arrays;
    if (v.format) {
      const shape = shapeOf(layer.fields);
      if (v.format.applies(shape)) {
        const arr = fieldArray(layer, 'weights');
        if (!arr || !arr.bytes) throw new Error(`variants: layer ${layer.id} has no weights bytes for ${v.fn}`);
        const bytes = v.format.reorder(shape, arr.bytes);
        const next: CArray = { ...arr, bytes, comment: `${arr.comment}, reordered to ${v.format.name} for ${v.fn}` };
        arrays = layer.arrays.map((a) => (a === arr ? next : a));
        notes.push(`weights in ${v.format.name} order (${bytes.length} bytes, mn_kernels_opt.h)`);
      }
    }
    return { ...layer, kernel: v.fn, kernelFile: v.file, arrays, notes };
  });
}

/** The C function a streamed block calls for `refKernel` on these targets (identity without a variant). */
export function rowKernelName(refKernel: string, families: readonly VariantFamily[]): string {
  return selectVariant(refKernel, families)?.fn ?? refKernel;
}

/**
 * A streamed layer's copy with precomputed requantization heads for its per-row calls (the layer as is when its
 * kernel takes none): 3x3 mn_dw_conv_s8_dsp layers get their weights in MN_FMT_DW_D3P (72 more flash bytes per
 * group of 4 channels), mn_conv_1x1_s8_dsp layers a heads array (withConv1x1Heads).
 */
export function prepareStreamedLayer(layer: Layer): Layer {
  if (layer.kernel === 'mn_conv_1x1_s8_dsp') return withConv1x1Heads(layer);
  return withDwD3Heads(layer, 'the per-row calls');
}

/**
 * A 3x3 depthwise layer on a small output map (at most 16 pixels, or 49 at stride 2), called once for the whole
 * layer, with MN_FMT_DW_D3P heads: there the run-time set-up of a group's head (about 145 instructions on the
 * Cortex-M4) is 10-45 % of the group's work. Larger maps, other kernels: the layer as is.
 */
export function prepareSmallMapLayer(layer: Layer): Layer {
  if (layer.kernel !== 'mn_dw_conv_s8_dsp') return layer;
  const s = shapeOf(layer.fields);
  const px = need(s, 'out_h') * need(s, 'out_w');
  if (!(px <= 16 || (need(s, 'stride_w') === 2 && px <= 49))) return layer;
  return withDwD3Heads(layer, 'a small map');
}

/** mn_dw_conv_s8_dsp 3x3 layers (dwD3Applies) in MN_FMT_DW_D3P; any other layer as is */
function withDwD3Heads(layer: Layer, why: string): Layer {
  if (layer.kernel !== 'mn_dw_conv_s8_dsp') return layer;
  const shape = shapeOf(layer.fields);
  if (!dwD3Applies(shape) || layer.fields.some((f) => f.name === 'prepared')) return layer;
  const w = fieldArray(layer, 'weights'), mult = fieldArray(layer, 'mult'), shift = fieldArray(layer, 'shift'), bias = fieldArray(layer, 'bias');
  if (!w?.bytes || !mult?.values || !shift?.values) throw new Error(`variants: layer ${layer.id} lacks the arrays MN_FMT_DW_D3P needs`);
  const bytes = formatDwD3Prepared(shape, w.bytes, { bias: bias?.values ?? null, mult: mult.values, shift: shift.values });
  const next: CArray = { ...w, bytes, comment: `${w.comment}, MN_FMT_DW_D3P (prepared requantization heads)` };
  // every channel in the asm (no flag bit 0..3 in any group): the heads hold all the kernel reads, so the bias,
  // mult and shift arrays are left out of flash (mn_dw_conv_params.prepared)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let allAsm = true;
  for (let o = 0; o < bytes.length; o += DW_D3P_GROUP_BYTES) if ((dv.getInt32(o + 152, true) & 15) !== 0) allAsm = false;
  const dropped = new Set<CArray | undefined>(allAsm ? [mult, shift, bias] : []);
  const droppedFields = new Set(allAsm ? ['mult', 'shift', 'bias'] : []);
  return {
    ...layer,
    arrays: layer.arrays.filter((a) => !dropped.has(a)).map((a) => (a === w ? next : a)),
    fields: [...layer.fields.map((f) => (droppedFields.has(f.name) ? { ...f, value: 'NULL' } : f)), { name: 'prepared', value: 1 }],
    notes: [
      ...layer.notes,
      `weights in MN_FMT_DW_D3P (${bytes.length} bytes): requantization set-up precomputed for ${why}${allAsm ? '; bias, mult and shift left out (the heads hold them)' : ''}`,
    ],
  };
}

/**
 * The requantization heads of a 1x1 layer for mn_conv_1x1_s8_dsp (mn_conv_1x1_params.heads): per pair of output
 * channels (m_a, k_a, e_a, m_b, k_b, e_b, 2 * bias_a, 2 * bias_b) exactly as the kernel's rq_k derives them, or
 * zeros (e_a = 0: the kernel derives the pair itself) when a channel is outside rq_k's range (right shift 1..22,
 * m >= 0, |bias| < 2^30 - in_c * 16384) or the pair has one channel; for in_c <= 32 each head is followed by the
 * pair's weights (`pair4`: the layer's MN_FMT_1X1_PAIR4 bytes) as doubled int16 lanes, per packed word (2 input
 * channels x 2 output channels) the words (2 w0, 2 w2) and (2 w1, 2 w3) of its bytes w0..w3.
 */
export function conv1x1Heads(inC: number, outOffset: number, bias: ArrayLike<number>, mult: ArrayLike<number>, shift: ArrayLike<number>, pair4: Uint8Array): Int32Array {
  const outC = mult.length, maxSum = inC * 16384, cp = (inC + 3) & ~3, steps = cp / 2;
  const blim = maxSum < 2 ** 30 ? 2 ** 30 - maxSum : 0;
  const fast = (c: number) => shift[c]! >= -22 && shift[c]! <= -1 && mult[c]! >= 0 && Math.abs(bias[c]!) < blim;
  const ext = steps <= 16 ? 2 * steps : 0, hs = 8 + ext, pairs = (outC + 1) >> 1;
  if (pair4.length !== pairs * 2 * cp) throw new Error(`variants: 1x1 weights have ${pair4.length} bytes, expected ${pairs * 2 * cp}`);
  const heads = new Int32Array(pairs * hs);
  const w = new Int8Array(pair4.buffer, pair4.byteOffset, pair4.byteLength);
  const lanes = (lo: number, hi: number) => ((2 * lo) & 0xffff) | ((2 * hi) << 16);
  for (let q = 0; q < pairs; q++) {
    const oc = 2 * q, o = q * hs;
    for (let k = 0; k < ext / 2; k++) {
      const b = 2 * cp * q + 4 * k;
      heads[o + 8 + 2 * k] = lanes(w[b]!, w[b + 2]!);
      heads[o + 9 + 2 * k] = lanes(w[b + 1]!, w[b + 3]!);
    }
    if (oc + 1 >= outC || !fast(oc) || !fast(oc + 1)) continue;
    for (const [j, c] of [[0, oc], [1, oc + 1]] as const) {
      const e = -shift[c]!;
      heads[o + 3 * j] = mult[c]!;
      heads[o + 3 * j + 1] = ((1 << (e - 1)) + (outOffset << e)) | 0;
      heads[o + 3 * j + 2] = e;
      heads[o + 6 + j] = (2 * bias[c]!) | 0;
    }
  }
  return heads;
}

/** A streamed 1x1 layer's copy with requantization heads (32 flash bytes per pair of output channels, plus its weights again as int16 when in_c <= 32). */
function withConv1x1Heads(layer: Layer): Layer {
  const bias = fieldArray(layer, 'bias'), mult = fieldArray(layer, 'mult'), shift = fieldArray(layer, 'shift'), weights = fieldArray(layer, 'weights');
  const { in_c: inC, out_offset: outOffset } = shapeOf(layer.fields);
  if (!bias?.values || !mult?.values || !shift?.values || !weights?.bytes || typeof inC !== 'number' || typeof outOffset !== 'number') return layer;
  const heads = conv1x1Heads(inC, outOffset, bias.values, mult.values, shift.values, weights.bytes);
  const symbol = `${layer.id}_heads`;
  return {
    ...layer,
    arrays: [...layer.arrays, { symbol, ctype: 'int32_t', values: heads, comment: 'requantization heads per output-channel pair (mn_conv_1x1_params.heads)' }],
    fields: [...layer.fields, { name: 'heads', value: symbol }],
    notes: [...layer.notes, `requantization heads precomputed for the per-row calls (${heads.length * 4} bytes)`],
  };
}
