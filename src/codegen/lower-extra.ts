/**
 * Lowering of the ops whose C kernels need TFLM's gemmlowp-style fixed-point pipelines
 * (SOFTMAX, LOGISTIC, HARD_SWISH, MEAN, MUL, CONCATENATION, RESIZE_NEAREST_NEIGHBOR).
 * Returns null for an op it does not handle, which lowerGraph reports as unsupported.
 *
 * As in lower.ts, every derived number is computed here with the very functions the reference interpreter
 * uses, and each op is checked exactly as the interpreter checks it (same diagnostics), so the C kernel either
 * reproduces the reference bit for bit or the model is rejected at compile time:
 * - LOGISTIC and HARD_SWISH become a 256-entry table filled with the interpreter's per-element function;
 * - SOFTMAX gets a table of exp() over the 256 possible differences from the row maximum (0 below diff_min),
 *   only the reciprocal of the row sum runs on the device (mn_gemmlowp.h);
 * - MEAN gets its folded multiplier (meanFoldedMultiplier) and a canonical loop nest over merged dimensions.
 */
import { fail } from '../diagnostics.js';
import { expOnNegativeValues } from '../fixed/gemmlowp.js';
import { mulByQuantizedMultiplierGreaterThanOne } from '../fixed/index.js';
import {
  hardSwishParams, logisticParams, meanFoldedMultiplier, meanMultiplier, mulParams, scaleOf, softmaxParams,
  SOFTMAX_SCALED_DIFF_INTEGER_BITS, zeroPointOf,
} from '../fixed/params.js';
import { opCost } from '../ir/cost.js';
import { dtypeBytes, elementCount, type ConcatOp, type Graph, type MeanOp, type MulOp, type Op, type ResizeNearestOp, type SoftmaxOp, type UnaryOp } from '../ir/types.js';
import { Context } from '../interp/context.js';
import { constInts, stridesOf } from '../interp/ops/const.js';
import { hardSwishElement } from '../interp/ops/hard-swish.js';
import { logisticElement } from '../interp/ops/logistic.js';
import { resolveAxes } from '../interp/ops/mean.js';
import { nearestNeighborIndex } from '../interp/ops/resize-nearest.js';
import type { CallArg, CField, Layer } from './layers.js';
import { broadcast4, type LowerContext } from './lower.js';

export function lowerExtra(op: Op, c: LowerContext): Layer | null {
  switch (op.kind) {
    case 'logistic':
    case 'hard_swish':
      return lowerLut(op, c);
    case 'softmax': return lowerSoftmax(op, c);
    case 'mean': return lowerMean(op, c);
    case 'reduce_max': return lowerReduceMax(op, c);
    case 'mul': return lowerMul(op, c);
    case 'concatenation': return lowerConcat(op, c);
    case 'resize_nearest_neighbor': return lowerResizeNearest(op, c);
    default: return null;
  }
}

function layerBase(op: Op, g: Graph): Pick<Layer, 'id' | 'op' | 'notes' | 'macs' | 'arrays' | 'fields' | 'args'> {
  return { id: `L${op.index}`, op, notes: [], macs: opCost(g, op).macs, arrays: [], fields: [], args: [] };
}

const io = (op: Op, ins = 1): CallArg[] => [
  ...op.inputs.slice(0, ins).map((tensor) => ({ kind: 'tensor' as const, tensor, role: 'in' as const })),
  { kind: 'tensor', tensor: op.outputs[0]!, role: 'out' },
];

const int8Bytes = (v: Int8Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** LOGISTIC / HARD_SWISH: the interpreter's per-element function over all 256 inputs, as a lookup table. */
function lowerLut(op: UnaryOp, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  const base = layerBase(op, c.graph);
  const table = new Int8Array(256);
  if (op.kind === 'logistic') {
    if (x.dtype !== 'int8' || y.dtype !== 'int8') fail('MN301', `LOGISTIC ${op.index}: only int8 is supported`);
    if (zeroPointOf(y) !== -128) fail('MN302', `LOGISTIC ${op.index}: int8 output must have zero point -128`);
    const p = logisticParams(x);
    for (let q = -128; q < 128; q++) table[q + 128] = logisticElement(p, q);
    base.notes.push(`logistic table: input multiplier ${p.inputMultiplier}, left shift ${p.inputLeftShift}, range radius ${p.inputRangeRadius}`);
  } else if (op.kind === 'hard_swish') {
    if (x.dtype !== 'int8' || y.dtype !== 'int8') fail('MN301', `HARD_SWISH ${op.index}: only int8 is supported`);
    const p = hardSwishParams(x, y);
    if (p.outputExponent > 0) fail('MN302', `HARD_SWISH ${op.index}: output scale smaller than input scale / 128 (TFLM rejects a positive output exponent)`);
    for (let q = -128; q < 128; q++) table[q + 128] = hardSwishElement(p, q);
    base.notes.push(`hard-swish table: output ${p.outputMultiplier}*2^${p.outputExponent}, reluish ${p.reluishMultiplier}*2^${p.reluishExponent} (Q15)`);
  } else {
    return fail('MN300', `no C kernel yet for: ${op.opName}`);
  }
  base.arrays.push({ symbol: `${base.id}_table`, ctype: 'int8_t', bytes: int8Bytes(table), comment: `${op.opName} of every int8 input (index input + 128)` });
  const fields: CField[] = [{ name: 'size', value: elementCount(y.shape) }, { name: 'table', value: `${base.id}_table` }];
  return { ...base, kernel: 'mn_lut_s8', kernelFile: 'mn_lut_s8.c', paramsType: 'mn_lut_params', fields, args: io(op), inPlaceInput: op.inputs[0]! };
}

/** The largest SOFTMAX row mnetc compiles: a row sum of 4096 maximal entries (2^19 each) would overflow int32. */
export const SOFTMAX_MAX_DEPTH = 4095;

/**
 * exp() of every difference -255..0 from the row maximum, as softmaxRow computes it: 0 where the difference is
 * below diff_min (which, like softmaxRow's skipped entries, adds nothing to the sum and outputs the minimum).
 */
export function softmaxExpTable(inputScale: number, beta: number): Int32Array {
  const p = softmaxParams(inputScale, beta);
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const diff = -i;
    if (diff < p.diffMin) continue;
    const scaled = mulByQuantizedMultiplierGreaterThanOne(diff, p.inputMultiplier, p.inputLeftShift);
    table[i] = expOnNegativeValues(scaled, SOFTMAX_SCALED_DIFF_INTEGER_BITS);
  }
  return table;
}

function lowerSoftmax(op: SoftmaxOp, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.dtype !== 'int8' || (y.dtype !== 'int8' && y.dtype !== 'int16')) {
    fail('MN301', `SOFTMAX ${op.index}: ${x.dtype} -> ${y.dtype} is not supported (int8 -> int8/int16 only)`);
  }
  const zo = y.quant?.zeroPoints[0] ?? 0, so = scaleOf(y);
  if (y.dtype === 'int8' && (zo !== -128 || so !== 1 / 256)) fail('MN302', `SOFTMAX ${op.index}: int8 output must have scale 1/256 and zero point -128`);
  if (y.dtype === 'int16' && (zo !== -32768 || Math.abs(so - 1 / 65536) > 0.001 / 65536)) {
    fail('MN302', `SOFTMAX ${op.index}: int16 output must have scale 1/65536 and zero point -32768`);
  }
  const depth = x.shape[x.shape.length - 1] ?? 1;
  if (depth > SOFTMAX_MAX_DEPTH) fail('MN302', `SOFTMAX ${op.index}: rows of ${depth} values are not supported (${SOFTMAX_MAX_DEPTH} at most)`);
  const n = elementCount(x.shape);
  const base = layerBase(op, c.graph);
  const p = softmaxParams(scaleOf(x), op.beta);
  base.notes.push(`softmax: input multiplier ${p.inputMultiplier}, left shift ${p.inputLeftShift}, diff_min ${p.diffMin}`);
  base.arrays.push({ symbol: `${base.id}_exp`, ctype: 'int32_t', values: softmaxExpTable(scaleOf(x), op.beta), comment: 'exp(beta * s_in * (x - max)) for x - max = 0, -1, ..., -255 (Q0.31; 0 below diff_min)' });
  const fields: CField[] = [
    { name: 'rows', value: depth > 0 ? n / depth : 0 }, { name: 'depth', value: depth },
    { name: 'out_bits', value: y.dtype === 'int8' ? 8 : 16 }, { name: 'exp_table', value: `${base.id}_exp` },
  ];
  const layer: Layer = { ...base, kernel: 'mn_softmax_s8', kernelFile: 'mn_softmax_s8.c', paramsType: 'mn_softmax_params', fields, args: io(op) };
  if (y.dtype === 'int8') layer.inPlaceInput = op.inputs[0]!;
  return layer;
}

/**
 * MEAN's loop nest: size-1 dimensions dropped, neighbouring dimensions of the same kind (reduced / kept)
 * merged; a trailing kept run becomes `inner` (contiguous), the other kept groups `outer` (in order).
 */
export function meanLoops(shape: readonly number[], axes: readonly number[]): {
  outer: { dims: number[]; strides: number[] }; red: { dims: number[]; strides: number[] }; inner: number; count: number;
} {
  const strides = stridesOf(shape);
  const groups: { reduced: boolean; size: number; stride: number }[] = [];
  let count = 1;
  shape.forEach((size, d) => {
    const reduced = axes.includes(d);
    if (reduced) count *= size;
    if (size === 1) return;
    const last = groups[groups.length - 1];
    if (last && last.reduced === reduced) {
      last.size *= size;
      last.stride = strides[d]!;
    } else {
      groups.push({ reduced, size, stride: strides[d]! });
    }
  });
  let inner = 1;
  const tail = groups[groups.length - 1];
  if (tail && !tail.reduced) {
    inner = tail.size;
    groups.pop();
  }
  const pick = (reduced: boolean) => {
    const gs = groups.filter((g) => g.reduced === reduced);
    return { dims: gs.map((g) => g.size), strides: gs.map((g) => g.stride) };
  };
  return { outer: pick(false), red: pick(true), inner, count };
}

function lowerMean(op: MeanOp, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.dtype !== 'int8' || y.dtype !== 'int8') fail('MN301', `MEAN ${op.index}: only int8 is supported`);
  const ctx = new Context(c.graph);
  const axes = resolveAxes(x.shape.length, constInts(ctx, op.inputs[1]!, `MEAN ${op.index} axis`));
  const loops = meanLoops(x.shape, axes);
  const outCount = elementCount(loops.outer.dims) * loops.inner;
  if (elementCount(x.shape) > 0 && outCount !== elementCount(y.shape)) {
    fail('MN205', `MEAN ${op.index}: output has ${elementCount(y.shape)} elements, the reduction ${outCount}`);
  }
  if (loops.count === 0 || elementCount(x.shape) === 0) fail('MN302', `MEAN ${op.index}: reducing an empty tensor is not supported`);
  if (loops.outer.dims.length > 4 || loops.red.dims.length > 4) fail('MN302', `MEAN ${op.index}: axes [${axes.join(',')}] of a ${x.shape.length}-D tensor are not supported`);
  const { multiplier, shift } = meanFoldedMultiplier(meanMultiplier(x, y), loops.count);
  const pad4 = (v: number[]) => [...v, ...Array(4 - v.length).fill(0)] as number[];
  const base = layerBase(op, c.graph);
  base.notes.push(`mean over axes [${axes.join(',')}] of ${loops.count} values, 1/${loops.count} folded into the multiplier`);
  const fields: CField[] = [
    { name: 'outer_rank', value: loops.outer.dims.length }, { name: 'outer_dims', value: pad4(loops.outer.dims) }, { name: 'outer_strides', value: pad4(loops.outer.strides) },
    { name: 'red_rank', value: loops.red.dims.length }, { name: 'red_dims', value: pad4(loops.red.dims) }, { name: 'red_strides', value: pad4(loops.red.strides) },
    { name: 'inner', value: loops.inner }, { name: 'correction', value: Math.imul(zeroPointOf(x), loops.count) },
    { name: 'mult', value: multiplier }, { name: 'shift', value: shift }, { name: 'out_offset', value: zeroPointOf(y) },
  ];
  return { ...base, kernel: 'mn_mean_s8', kernelFile: 'mn_mean_s8.c', paramsType: 'mn_mean_params', fields, args: io(op) };
}

/** REDUCE_MAX: the loop layout of MEAN, no arithmetic (input and output share quantization). */
function lowerReduceMax(op: MeanOp, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.dtype !== 'int8' || y.dtype !== 'int8') fail('MN301', `REDUCE_MAX ${op.index}: only int8 is supported`);
  const ctx = new Context(c.graph);
  const axes = resolveAxes(x.shape.length, constInts(ctx, op.inputs[1]!, `REDUCE_MAX ${op.index} axis`));
  const loops = meanLoops(x.shape, axes);
  if (elementCount(x.shape) === 0 || loops.count === 0) fail('MN302', `REDUCE_MAX ${op.index}: reducing an empty tensor is not supported`);
  if (elementCount(loops.outer.dims) * loops.inner !== elementCount(y.shape)) fail('MN205', `REDUCE_MAX ${op.index}: output shape [${y.shape}] does not match the reduction`);
  if (loops.outer.dims.length > 4 || loops.red.dims.length > 4) fail('MN302', `REDUCE_MAX ${op.index}: axes [${axes.join(',')}] of a ${x.shape.length}-D tensor are not supported`);
  const pad4 = (v: number[]) => [...v, ...Array(4 - v.length).fill(0)] as number[];
  const base = layerBase(op, c.graph);
  base.notes.push(`max over axes [${axes.join(',')}] of ${loops.count} values`);
  const fields: CField[] = [
    { name: 'outer_rank', value: loops.outer.dims.length }, { name: 'outer_dims', value: pad4(loops.outer.dims) }, { name: 'outer_strides', value: pad4(loops.outer.strides) },
    { name: 'red_rank', value: loops.red.dims.length }, { name: 'red_dims', value: pad4(loops.red.dims) }, { name: 'red_strides', value: pad4(loops.red.strides) },
    { name: 'inner', value: loops.inner },
  ];
  return { ...base, kernel: 'mn_reduce_max_s8', kernelFile: 'mn_reduce_max_s8.c', paramsType: 'mn_reduce_max_params', fields, args: io(op) };
}

function lowerMul(op: MulOp, c: LowerContext): Layer {
  const [ai, bi] = op.inputs as [number, number];
  const a = c.t(ai), b = c.t(bi), y = c.t(op.outputs[0]!);
  if (a.dtype !== 'int8' || b.dtype !== 'int8' || y.dtype !== 'int8') fail('MN301', `MUL ${op.index}: only int8 is supported`);
  for (const s of [a.shape, b.shape]) {
    const off = y.shape.length - s.length;
    if (off < 0 || s.some((d, i) => d !== 1 && d !== y.shape[off + i])) fail('MN205', `cannot broadcast shape [${s.join(',')}] to [${y.shape.join(',')}]`);
  }
  const p = mulParams(a, b, y, op.activation);
  const bc = broadcast4(a.shape, b.shape, y.shape);
  const fields: CField[] = [
    { name: 'size', value: elementCount(y.shape) }, { name: 'broadcast', value: bc.same ? 0 : 1 }, { name: 'shape', value: bc.init },
    { name: 'in1_offset', value: p.in1Offset }, { name: 'in2_offset', value: p.in2Offset }, { name: 'out_offset', value: p.outOffset },
    { name: 'mult', value: p.multiplier }, { name: 'shift', value: p.shift }, { name: 'act_min', value: p.actMin }, { name: 'act_max', value: p.actMax },
  ];
  const layer: Layer = { ...layerBase(op, c.graph), kernel: 'mn_mul_s8', kernelFile: 'mn_mul_s8.c', paramsType: 'mn_mul_params', fields, args: io(op, 2) };
  if (bc.same) layer.inPlaceInput = c.graph.tensors[ai]!.data ? bi : ai;
  return layer;
}

function lowerConcat(op: ConcatOp, c: LowerContext): Layer {
  if (op.activation !== 'none') fail('MN302', `CONCATENATION ${op.index}: fused activation ${op.activation} is not supported (TFLM requires NONE)`);
  const y = c.t(op.outputs[0]!);
  const rank = y.shape.length;
  const axis = op.axis < 0 ? op.axis + rank : op.axis;
  if (axis < 0 || axis >= rank) fail('MN209', `CONCATENATION ${op.index}: axis ${op.axis} out of range for rank ${rank}`);
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= y.shape[d]!;
  for (let d = axis + 1; d < rank; d++) inner *= y.shape[d]!;
  const eb = dtypeBytes(y.dtype);
  const rows = op.inputs.map((ii) => {
    const t = c.t(ii);
    if (t.dtype !== y.dtype) fail('MN210', `CONCATENATION ${op.index}: input "${t.name}" is ${t.dtype}, output ${y.dtype}`);
    if (t.shape.length !== rank) fail('MN205', `CONCATENATION ${op.index}: input "${t.name}" has rank ${t.shape.length}, output ${rank}`);
    const row = (t.shape[axis] ?? 0) * inner;
    if (elementCount(t.shape) !== outer * row) fail('MN205', `CONCATENATION ${op.index}: input "${t.name}" does not match the output's other dimensions`);
    return row;
  });
  if (rows.reduce((s, r) => s + r, 0) !== y.shape[axis]! * inner) fail('MN205', `CONCATENATION ${op.index}: input sizes along axis ${axis} do not add up to the output's`);
  const base = layerBase(op, c.graph);
  base.arrays.push({ symbol: `${base.id}_in_bytes`, ctype: 'int32_t', values: rows.map((r) => r * eb), comment: 'bytes of one slice of each input' });
  const fields: CField[] = [{ name: 'count', value: op.inputs.length }, { name: 'outer', value: outer }, { name: 'in_bytes', value: `${base.id}_in_bytes` }];
  return { ...base, kernel: 'mn_concat', kernelFile: 'mn_concat.c', paramsType: 'mn_concat_params', fields, args: io(op, op.inputs.length) };
}

function lowerResizeNearest(op: ResizeNearestOp, c: LowerContext): Layer {
  const x = c.t(op.inputs[0]!), y = c.t(op.outputs[0]!);
  if (x.dtype !== y.dtype) fail('MN210', `RESIZE_NEAREST_NEIGHBOR ${op.index}: input is ${x.dtype}, output ${y.dtype}`);
  if (x.shape.length > 4 || y.shape.length > 4) fail('MN302', `RESIZE_NEAREST_NEIGHBOR ${op.index}: at most 4 dimensions`);
  const ext = (s: readonly number[]): number[] => [...Array(4 - s.length).fill(1), ...s] as number[];
  const [batches, inH, inW, depth] = ext(x.shape) as [number, number, number, number];
  const [ob, outH, outW, od] = ext(y.shape) as [number, number, number, number];
  if (ob !== batches || od !== depth) fail('MN205', `RESIZE_NEAREST_NEIGHBOR ${op.index}: batch/depth of input and output differ`);
  const ys = Array.from({ length: outH }, (_, o) => nearestNeighborIndex(o, inH, outH, op.alignCorners, op.halfPixelCenters));
  const xs = Array.from({ length: outW }, (_, o) => nearestNeighborIndex(o, inW, outW, op.alignCorners, op.halfPixelCenters));
  const base = layerBase(op, c.graph);
  base.arrays.push(
    { symbol: `${base.id}_y_index`, ctype: 'int32_t', values: ys, comment: 'source row of each output row' },
    { symbol: `${base.id}_x_index`, ctype: 'int32_t', values: xs, comment: 'source column of each output column' },
  );
  const fields: CField[] = [
    { name: 'batches', value: batches }, { name: 'in_h', value: inH }, { name: 'in_w', value: inW },
    { name: 'out_h', value: outH }, { name: 'out_w', value: outW }, { name: 'pixel_bytes', value: depth * dtypeBytes(x.dtype) },
    { name: 'y_index', value: `${base.id}_y_index` }, { name: 'x_index', value: `${base.id}_x_index` },
  ];
  return { ...base, kernel: 'mn_resize_nearest', kernelFile: 'mn_resize_nearest.c', paramsType: 'mn_resize_nearest_params', fields, args: io(op) };
}
