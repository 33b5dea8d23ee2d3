/**
 * IR -> kernel calls. Every derived number (multipliers, shifts, activation ranges, folded biases, padding)
 * is computed here at compile time with the same functions the reference interpreter uses, so the C kernels
 * only move and multiply.
 */
import { fail } from '../diagnostics.js';
import { activationRange, convMultipliers, dtypeRange, fcMultipliers, relu6Params, reluParams, requantizeMultiplier, scaleOf, zeroPointOf } from '../fixed/params.js';
import { opCost } from '../ir/cost.js';
import { convPadding, paddingBefore } from '../ir/geometry.js';
import { elementCount, type Graph, type Op, type Tensor } from '../ir/types.js';
import { addParams, type AddParams } from '../interp/ops/add.js';
import { mulByQuantizedMultiplierSmallerThanOneExp } from '../fixed/index.js';
import { padAmounts } from '../interp/ops/pad.js';
import { Context } from '../interp/context.js';
import type { CArray, CallArg, CField, Layer } from './layers.js';
import { lowerExtra } from './lower-extra.js';

export interface LowerContext {
  graph: Graph;
  t(i: number): Tensor;
  /** int32 view of a constant tensor */
  int32(i: number): Int32Array;
  int8(i: number): Int8Array;
}

export function multiplierArrays(id: string, qm: { multiplier: number; shift: number }[]): CArray[] {
  return [
    { symbol: `${id}_mult`, ctype: 'int32_t', values: qm.map((q) => q.multiplier), comment: 'per-channel Q31 multipliers' },
    { symbol: `${id}_shift`, ctype: 'int32_t', values: qm.map((q) => q.shift), comment: 'per-channel shifts' },
  ];
}

function layerBase(op: Op, g: Graph): Pick<Layer, 'id' | 'op' | 'notes' | 'macs' | 'arrays' | 'fields' | 'args'> {
  return { id: `L${op.index}`, op, notes: [], macs: opCost(g, op).macs, arrays: [], fields: [], args: [] };
}

const io = (op: Op, ins = 1): CallArg[] => [
  ...op.inputs.slice(0, ins).map((tensor) => ({ kind: 'tensor' as const, tensor, role: 'in' as const })),
  { kind: 'tensor', tensor: op.outputs[0]!, role: 'out' },
];

function lowerConv(op: Extract<Op, { kind: 'conv2d' }>, c: LowerContext): Layer {
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const x = c.t(ii), f = c.t(fi), y = c.t(op.outputs[0]!);
  const [, inH, inW, inC] = x.shape as number[] as [number, number, number, number];
  const [outC, kH, kW, fC] = f.shape as [number, number, number, number];
  const [, outH, outW] = y.shape as [number, number, number];
  const base = layerBase(op, c.graph);
  const qm = convMultipliers(x, f, y, outC);
  const [lo, hi] = activationRange(op.activation, y);
  const inOff = -zeroPointOf(x);
  const bias = bi !== undefined && bi >= 0 ? c.int32(bi) : new Int32Array(outC);
  const w = c.int8(fi);
  const { top: padT, left: padL } = convPadding(op, inH, inW, kH, kW, outH, outW);
  const pointwise = kH === 1 && kW === 1 && op.strideH === 1 && op.strideW === 1 && fC === inC && padT === 0 && padL === 0 && outH === inH && outW === inW;
  const arrays: CArray[] = [{ symbol: `${base.id}_weights`, ctype: 'int8_t', bytes: new Uint8Array(w.buffer, w.byteOffset, w.byteLength), comment: `[${f.shape.join('][')}] int8 weights` }];
  if (pointwise) {
    // fold the input zero point into the bias: sum w*(x + off) = sum w*x + off * sum w
    const folded = new Int32Array(outC);
    for (let o = 0; o < outC; o++) {
      let s = 0;
      for (let k = 0; k < inC; k++) s += w[o * inC + k]!;
      folded[o] = (bias[o]! + inOff * s) | 0;
    }
    arrays.push({ symbol: `${base.id}_bias`, ctype: 'int32_t', values: folded, comment: 'bias + input_offset * sum(weights), folded at compile time' });
    arrays.push(...multiplierArrays(base.id, qm));
    const fields: CField[] = [
      { name: 'pixels', value: outH * outW * (x.shape[0] ?? 1) }, { name: 'in_c', value: inC }, { name: 'out_c', value: outC },
      { name: 'out_offset', value: zeroPointOf(y) }, { name: 'act_min', value: lo }, { name: 'act_max', value: hi },
      { name: 'weights', value: `${base.id}_weights` }, { name: 'bias', value: `${base.id}_bias` },
      { name: 'mult', value: `${base.id}_mult` }, { name: 'shift', value: `${base.id}_shift` },
    ];
    return { ...base, kernel: 'mn_conv_1x1_s8', kernelFile: 'mn_conv_1x1_s8.c', paramsType: 'mn_conv_1x1_params', fields, arrays, args: io(op) };
  }
  if (x.shape[0] !== 1) fail('MN302', `CONV_2D ${op.index}: batch ${x.shape[0]} is not supported (batch 1 only)`);
  if (bi !== undefined && bi >= 0) arrays.push({ symbol: `${base.id}_bias`, ctype: 'int32_t', values: bias, comment: 'int32 bias' });
  arrays.push(...multiplierArrays(base.id, qm));
  const fields: CField[] = [
    { name: 'in_h', value: inH }, { name: 'in_w', value: inW }, { name: 'in_c', value: inC },
    { name: 'out_h', value: outH }, { name: 'out_w', value: outW }, { name: 'out_c', value: outC },
    { name: 'k_h', value: kH }, { name: 'k_w', value: kW }, { name: 'stride_h', value: op.strideH }, { name: 'stride_w', value: op.strideW },
    { name: 'dil_h', value: op.dilationH }, { name: 'dil_w', value: op.dilationW }, { name: 'pad_top', value: padT }, { name: 'pad_left', value: padL },
    { name: 'groups', value: inC / fC }, { name: 'in_offset', value: inOff }, { name: 'out_offset', value: zeroPointOf(y) },
    { name: 'act_min', value: lo }, { name: 'act_max', value: hi },
    { name: 'weights', value: `${base.id}_weights` }, { name: 'bias', value: bi !== undefined && bi >= 0 ? `${base.id}_bias` : 'NULL' },
    { name: 'mult', value: `${base.id}_mult` }, { name: 'shift', value: `${base.id}_shift` },
  ];
  return { ...base, kernel: 'mn_conv_s8', kernelFile: 'mn_conv_s8.c', paramsType: 'mn_conv_params', fields, arrays, args: io(op) };
}

function lowerDepthwise(op: Extract<Op, { kind: 'depthwise_conv2d' }>, c: LowerContext): Layer {
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const x = c.t(ii), f = c.t(fi), y = c.t(op.outputs[0]!);
  if (x.shape[0] !== 1) fail('MN302', `DEPTHWISE_CONV_2D ${op.index}: batch ${x.shape[0]} is not supported (batch 1 only)`);
  const [, inH, inW, inC] = x.shape as [number, number, number, number];
  const [, kH, kW, outC] = f.shape as [number, number, number, number];
  const [, outH, outW] = y.shape as [number, number, number];
  const base = layerBase(op, c.graph);
  const w = c.int8(fi);
  const [lo, hi] = activationRange(op.activation, y);
  const arrays: CArray[] = [{ symbol: `${base.id}_weights`, ctype: 'int8_t', bytes: new Uint8Array(w.buffer, w.byteOffset, w.byteLength), comment: `[${f.shape.join('][')}] int8 weights` }];
  const hasBias = bi !== undefined && bi >= 0;
  if (hasBias) arrays.push({ symbol: `${base.id}_bias`, ctype: 'int32_t', values: c.int32(bi), comment: 'int32 bias' });
  arrays.push(...multiplierArrays(base.id, convMultipliers(x, f, y, outC)));
  const fields: CField[] = [
    { name: 'in_h', value: inH }, { name: 'in_w', value: inW }, { name: 'in_c', value: inC },
    { name: 'out_h', value: outH }, { name: 'out_w', value: outW }, { name: 'out_c', value: outC },
    { name: 'depth_mult', value: op.depthMultiplier }, { name: 'k_h', value: kH }, { name: 'k_w', value: kW },
    { name: 'stride_h', value: op.strideH }, { name: 'stride_w', value: op.strideW }, { name: 'dil_h', value: op.dilationH }, { name: 'dil_w', value: op.dilationW },
    { name: 'pad_top', value: convPadding(op, inH, inW, kH, kW, outH, outW).top },
    { name: 'pad_left', value: convPadding(op, inH, inW, kH, kW, outH, outW).left },
    { name: 'in_offset', value: -zeroPointOf(x) }, { name: 'out_offset', value: zeroPointOf(y) }, { name: 'act_min', value: lo }, { name: 'act_max', value: hi },
    { name: 'weights', value: `${base.id}_weights` }, { name: 'bias', value: hasBias ? `${base.id}_bias` : 'NULL' },
    { name: 'mult', value: `${base.id}_mult` }, { name: 'shift', value: `${base.id}_shift` },
  ];
  return { ...base, kernel: 'mn_dw_conv_s8', kernelFile: 'mn_dw_conv_s8.c', paramsType: 'mn_dw_conv_params', fields, arrays, args: io(op) };
}

function lowerFc(op: Extract<Op, { kind: 'fully_connected' }>, c: LowerContext): Layer {
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const x = c.t(ii), f = c.t(fi), y = c.t(op.outputs[0]!);
  const [outC, depth] = f.shape as [number, number];
  const base = layerBase(op, c.graph);
  const w = c.int8(fi);
  const inOff = -zeroPointOf(x), wOff = -zeroPointOf(f);
  const hasBias = bi !== undefined && bi >= 0;
  const bias = hasBias ? c.int32(bi) : new Int32Array(outC);
  const fold = wOff === 0;
  const b2 = new Int32Array(outC);
  for (let o = 0; o < outC; o++) {
    let s = 0;
    if (fold) for (let d = 0; d < depth; d++) s += w[o * depth + d]!;
    b2[o] = (bias[o]! + inOff * s) | 0;
  }
  const [lo, hi] = activationRange(op.activation, y);
  const arrays: CArray[] = [
    { symbol: `${base.id}_weights`, ctype: 'int8_t', bytes: new Uint8Array(w.buffer, w.byteOffset, w.byteLength), comment: `[${outC}][${depth}] int8 weights` },
    { symbol: `${base.id}_bias`, ctype: 'int32_t', values: b2, comment: fold ? 'bias + input_offset * sum(weights), folded' : 'int32 bias' },
    ...multiplierArrays(base.id, fcMultipliers(x, f, y, outC)),
  ];
  const fields: CField[] = [
    { name: 'batches', value: elementCount(x.shape) / depth }, { name: 'depth', value: depth }, { name: 'out_c', value: outC },
    { name: 'in_offset', value: fold ? 0 : inOff }, { name: 'w_offset', value: wOff }, { name: 'out_offset', value: zeroPointOf(y) },
    { name: 'act_min', value: lo }, { name: 'act_max', value: hi },
    { name: 'weights', value: `${base.id}_weights` }, { name: 'bias', value: `${base.id}_bias` },
    { name: 'mult', value: `${base.id}_mult` }, { name: 'shift', value: `${base.id}_shift` },
  ];
  return { ...base, kernel: 'mn_fc_s8', kernelFile: 'mn_fc_s8.c', paramsType: 'mn_fc_params', fields, arrays, args: io(op) };
}

/** 4-D broadcast description (dims and element strides of each input; 0 along broadcast dims) */
export function broadcast4(a: number[], b: number[], out: number[]): { same: boolean; init: string } {
  const pad4 = (s: number[]) => [...Array(4 - s.length).fill(1), ...s] as number[];
  if (out.length > 4) fail('MN302', `broadcasting over ${out.length} dimensions is not supported (4 at most)`);
  const o = pad4(out), pa = pad4(a), pb = pad4(b);
  const strides = (s: number[]) => {
    const r = [0, 0, 0, 0];
    let acc = 1;
    for (let d = 3; d >= 0; d--) {
      r[d] = s[d] === 1 && o[d] !== 1 ? 0 : acc;
      acc *= s[d]!;
    }
    return r;
  };
  const same = elementCount(a) === elementCount(out) && elementCount(b) === elementCount(out);
  return { same, init: `{ .dims = {${o.join(', ')}}, .in1_strides = {${strides(pa).join(', ')}}, .in2_strides = {${strides(pb).join(', ')}} }` };
}

/**
 * mn_add_params.in1_table / in2_table: for every raw input byte u (int8 value x = (int8)u), twice TFLM's
 * rescaled input MultiplyByQuantizedMultiplierSmallerThanOneExp((x + offset) << left_shift, mult, shift),
 * computed with the interpreter's own functions (addElement's first step), so the kernel's sum of two
 * entries is exactly 2 * raw_sum. null when an entry exceeds 2^29 in magnitude (the kernel's bound; never
 * for TFLM's parameters) - the kernel then rescales each input itself.
 */
export function addInputTables(p: AddParams): [number[], number[]] | null {
  const table = (offset: number, mult: number, shift: number) =>
    Array.from({ length: 256 }, (_, u) => 2 * mulByQuantizedMultiplierSmallerThanOneExp((((u << 24) >> 24) + offset) * (1 << p.leftShift), mult, shift));
  const t1 = table(p.in1Offset, p.in1Mult, p.in1Shift), t2 = table(p.in2Offset, p.in2Mult, p.in2Shift);
  return [...t1, ...t2].every((v) => Math.abs(v) <= 2 ** 29) ? [t1, t2] : null;
}

function lowerAdd(op: Extract<Op, { kind: 'add' }>, c: LowerContext): Layer {
  const [ai, bi] = op.inputs as [number, number];
  const a = c.t(ai), b = c.t(bi), y = c.t(op.outputs[0]!);
  const p = addParams(a, b, y, op.activation);
  const bc = broadcast4(a.shape, b.shape, y.shape);
  const base = layerBase(op, c.graph);
  const fields: CField[] = [
    { name: 'size', value: elementCount(y.shape) }, { name: 'broadcast', value: bc.same ? 0 : 1 }, { name: 'shape', value: bc.init },
    { name: 'left_shift', value: p.leftShift },
    { name: 'in1_offset', value: p.in1Offset }, { name: 'in1_mult', value: p.in1Mult }, { name: 'in1_shift', value: p.in1Shift },
    { name: 'in2_offset', value: p.in2Offset }, { name: 'in2_mult', value: p.in2Mult }, { name: 'in2_shift', value: p.in2Shift },
    { name: 'out_offset', value: p.outOffset }, { name: 'out_mult', value: p.outMult }, { name: 'out_shift', value: p.outShift },
    { name: 'act_min', value: p.actMin }, { name: 'act_max', value: p.actMax },
  ];
  const tables = addInputTables(p);
  if (tables) {
    const sym1 = `${base.id}_in1_table`;
    base.arrays.push({ symbol: sym1, ctype: 'int32_t', values: tables[0], comment: 'ADD input 1: 2 * TFLM rescaled input, indexed by the raw byte (uint8_t)x' });
    let sym2 = sym1;
    if (tables[1].some((v, i) => v !== tables[0][i])) {
      sym2 = `${base.id}_in2_table`;
      base.arrays.push({ symbol: sym2, ctype: 'int32_t', values: tables[1], comment: 'ADD input 2: 2 * TFLM rescaled input, indexed by the raw byte (uint8_t)x' });
    }
    fields.push({ name: 'in1_table', value: sym1 }, { name: 'in2_table', value: sym2 });
  }
  const layer: Layer = { ...base, kernel: 'mn_add_s8', kernelFile: 'mn_add_s8.c', paramsType: 'mn_add_params', fields, args: io(op, 2) };
  if (bc.same) layer.inPlaceInput = c.graph.tensors[ai]!.data ? bi : ai;
  return layer;
}

function lowerPool(op: Extract<Op, { kind: 'average_pool2d' | 'max_pool2d' }>, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.shape[0] !== 1) fail('MN302', `${op.opName} ${op.index}: batch ${x.shape[0]} is not supported (batch 1 only)`);
  const [, inH, inW, ch] = x.shape as [number, number, number, number];
  const [, outH, outW] = y.shape as [number, number, number];
  const [lo, hi] = activationRange(op.activation, y);
  const fields: CField[] = [
    { name: 'in_h', value: inH }, { name: 'in_w', value: inW }, { name: 'channels', value: ch }, { name: 'out_h', value: outH }, { name: 'out_w', value: outW },
    { name: 'k_h', value: op.filterH }, { name: 'k_w', value: op.filterW }, { name: 'stride_h', value: op.strideH }, { name: 'stride_w', value: op.strideW },
    { name: 'pad_top', value: paddingBefore(op.padding, inH, op.filterH, op.strideH, 1, outH) },
    { name: 'pad_left', value: paddingBefore(op.padding, inW, op.filterW, op.strideW, 1, outW) },
    { name: 'act_min', value: lo }, { name: 'act_max', value: hi },
  ];
  const kernel = op.kind === 'max_pool2d' ? 'mn_maxpool_s8' : 'mn_avgpool_s8';
  return { ...layerBase(op, c.graph), kernel, kernelFile: `${kernel}.c`, paramsType: 'mn_pool_params', fields, args: io(op) };
}

function lowerPad(op: Extract<Op, { kind: 'pad' }>, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.shape.length > 4) fail('MN302', `${op.opName} ${op.index}: padding a ${x.shape.length}-D tensor is not supported`);
  const ctx = new Context(c.graph);
  const amounts = padAmounts(ctx, op);
  const pad4 = <T>(s: T[], fill: T) => [...Array(4 - s.length).fill(fill), ...s] as T[];
  let value = zeroPointOf(y);
  if (op.inputs.length > 2 && op.inputs[2]! >= 0) value = ctx.get(op.inputs[2]!)[0]!;
  const fields: CField[] = [
    { name: 'in_dims', value: pad4(x.shape, 1) }, { name: 'before', value: pad4(amounts.map((a) => a[0]), 0) },
    { name: 'out_dims', value: pad4(y.shape, 1) }, { name: 'value', value: y.dtype === 'uint8' ? (value << 24) >> 24 : value },
  ];
  return { ...layerBase(op, c.graph), kernel: 'mn_pad_s8', kernelFile: 'mn_pad_s8.c', paramsType: 'mn_pad_params', fields, args: io(op) };
}

function lowerTranspose(op: Extract<Op, { kind: 'transpose' }>, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!);
  const perm = Array.from(c.int32(op.inputs[1]!));
  if (x.shape.length > 6 || perm.length !== x.shape.length) fail('MN302', `TRANSPOSE ${op.index}: permutation [${perm}] of a ${x.shape.length}-D tensor is not supported`);
  const eb = x.dtype === 'float32' || x.dtype === 'int32' ? 4 : x.dtype === 'int16' ? 2 : 1;
  const fill = (s: number[], v: number) => [...s, ...Array(6 - s.length).fill(v)];
  const fields: CField[] = [
    { name: 'rank', value: x.shape.length }, { name: 'elem_bytes', value: eb },
    { name: 'in_dims', value: fill(x.shape, 1) }, { name: 'perm', value: fill(perm, 0) },
  ];
  return { ...layerBase(op, c.graph), kernel: 'mn_transpose', kernelFile: 'mn_transpose.c', paramsType: 'mn_transpose_params', fields, args: io(op) };
}

/** RELU / RELU6 / int->int QUANTIZE all become one requantization with a clamp. */
function lowerRequantize(op: Op, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  const layer = layerBase(op, c.graph);
  if (op.kind === 'quantize' && x.dtype === 'float32') {
    const fields: CField[] = [
      { name: 'size', value: elementCount(y.shape) }, { name: 'out_unsigned', value: y.dtype === 'uint8' ? 1 : 0 },
      { name: 'scale', value: floatLiteral(scaleOf(y)) }, { name: 'zero_point', value: zeroPointOf(y) },
    ];
    return { ...layer, kernel: 'mn_quantize_f32', kernelFile: 'mn_quantize_f32.c', paramsType: 'mn_quantize_f32_params', fields, args: io(op) };
  }
  if (op.kind === 'dequantize') {
    const fields: CField[] = [
      { name: 'size', value: elementCount(y.shape) }, { name: 'in_unsigned', value: x.dtype === 'uint8' ? 1 : 0 },
      { name: 'scale', value: floatLiteral(scaleOf(x)) }, { name: 'zero_point', value: zeroPointOf(x) },
    ];
    return { ...layer, kernel: 'mn_dequantize_f32', kernelFile: 'mn_dequantize_f32.c', paramsType: 'mn_dequantize_f32_params', fields, args: io(op) };
  }
  const rp = requantizeParams(op, x, y);
  const fields: CField[] = [
    { name: 'size', value: elementCount(y.shape) }, { name: 'in_unsigned', value: x.dtype === 'uint8' ? 1 : 0 }, { name: 'out_unsigned', value: y.dtype === 'uint8' ? 1 : 0 },
    { name: 'in_zero_point', value: rp.inZeroPoint }, { name: 'out_offset', value: rp.outOffset },
    { name: 'mult', value: rp.mult }, { name: 'shift', value: rp.shift }, { name: 'act_min', value: rp.lo }, { name: 'act_max', value: rp.hi },
  ];
  return { ...layer, kernel: 'mn_requantize', kernelFile: 'mn_requantize.c', paramsType: 'mn_requantize_params', fields, args: io(op), inPlaceInput: op.inputs[0]! };
}

/**
 * RELU, RELU6 and integer QUANTIZE as one requantize-and-clamp, with TFLM's parameters for each:
 * RELU requantizes (reluParams); RELU6 only clamps the raw input to [zp, q(6)] (relu6Params), which is the
 * identity multiplier 2^30 with shift 1; QUANTIZE requantizes to the full output range.
 */
export function requantizeParams(op: Op, x: Tensor, y: Tensor): { mult: number; shift: number; lo: number; hi: number; inZeroPoint: number; outOffset: number } {
  if (op.kind === 'relu') {
    const p = reluParams(x, y);
    return { mult: p.multiplier, shift: p.shift, lo: p.actMin, hi: p.actMax, inZeroPoint: p.inputZeroPoint, outOffset: p.outputZeroPoint };
  }
  if (op.kind === 'relu6') {
    const p = relu6Params(x);
    return { mult: 1 << 30, shift: 1, lo: p.zero, hi: p.six, inZeroPoint: p.zero, outOffset: p.zero };
  }
  const q = requantizeMultiplier(x, y);
  const [lo, hi] = dtypeRange(y.dtype);
  return { mult: q.multiplier, shift: q.shift, lo, hi, inZeroPoint: zeroPointOf(x), outOffset: zeroPointOf(y) };
}

/** A C float literal that reads back as exactly the same float32. */
export function floatLiteral(v: number): string {
  for (let p = 6; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return `${s.includes('e') || s.includes('.') ? s : `${s}.0`}f`;
  }
  return `${v.toPrecision(9)}f`;
}

export function lowerGraph(graph: Graph): Layer[] {
  const consts = new Map<number, Int8Array | Int32Array>();
  const ctx = new Context(graph);
  const c: LowerContext = {
    graph,
    t: (i) => graph.tensors[i]!,
    int32: (i) => {
      if (!consts.has(i)) consts.set(i, ctx.get(i) as Int32Array);
      return consts.get(i) as Int32Array;
    },
    int8: (i) => {
      if (!consts.has(i)) consts.set(i, ctx.get(i) as Int8Array);
      return consts.get(i) as Int8Array;
    },
  };
  const missing: string[] = [];
  const layers: Layer[] = [];
  for (const op of graph.ops) {
    const l = lowerOp(op, c);
    if (l) layers.push(l);
    else missing.push(op.opName);
  }
  if (missing.length) fail('MN300', `no C kernel yet for: ${[...new Set(missing)].join(', ')}`);
  return layers;
}

function lowerOp(op: Op, c: LowerContext): Layer | null {
  switch (op.kind) {
    case 'conv2d': return lowerConv(op, c);
    case 'depthwise_conv2d': return lowerDepthwise(op, c);
    case 'fully_connected': return lowerFc(op, c);
    case 'add': return lowerAdd(op, c);
    case 'average_pool2d':
    case 'max_pool2d': return lowerPool(op, c);
    case 'pad': return lowerPad(op, c);
    case 'transpose': return lowerTranspose(op, c);
    case 'reshape':
    case 'squeeze':
      return { ...layerBase(op, c.graph), kernel: null, kernelFile: null, paramsType: null, aliasOf: op.inputs[0]! };
    case 'relu':
    case 'relu6':
    case 'dequantize':
      return lowerRequantize(op, c);
    case 'quantize':
      return lowerRequantize(op, c);
    default:
      return lowerExtra(op, c);
  }
}
