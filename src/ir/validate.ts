/**
 * Graph validation: everything the interpreter and the generated C assume, checked once, with diagnostics.
 * A model that passes here cannot make a kernel index outside its tensors, and every multiplier derived from
 * its scales lies in the range the fixed-point code handles: a hostile or inconsistent file is rejected when it
 * is loaded, never turned into a crash or a silently wrong answer later.
 *
 * Checked: tensor sizes (declared bytes, ranks, zero dimensions), constant data against shapes, quantization
 * (finite positive normal scales, zero points in range, per-channel only where kernels support it, derived
 * multipliers in range), execution order (every tensor written before it is read, once), and per operator:
 * arity, dtypes, shapes (outputs equal to the shapes the op computes), constant parameter tensors (paddings,
 * axes, permutations, sizes) and option values.
 */
import { MnetcError, type Diagnostic } from '../diagnostics.js';
import { quantizeMultiplier } from '../fixed/index.js';
import { convMultipliers, fcMultipliers, hardSwishParams, mulParams, requantizeMultiplier, scaleOf, zeroPointOf } from '../fixed/params.js';
import { convOutputSize, outputSize } from './geometry.js';
import { dtypeBytes, elementCount, type Graph, type Op, type OpKind, type Tensor } from './types.js';

const MIN_SCALE = 1e-30;

/** Largest tensor accepted (bytes): far beyond any microcontroller, small enough to never exhaust the host. */
export const MAX_TENSOR_BYTES = 64 * 1024 * 1024;
/** Largest sum of all activation (non-constant) tensors. */
export const MAX_ACTIVATION_BYTES = 256 * 1024 * 1024;
/** Highest tensor rank any kernel handles. */
export const MAX_RANK = 6;
/** Largest shift of a Q31 multiplier the fixed-point code (mn_fixed.h mn_requant) handles: shift in [-31, 30]. */
const MAX_MULTIPLIER_SHIFT = 30;

const intRange: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
};

/** Ops whose arithmetic needs quantized int8 tensors (a float32 one means a float model). */
const int8Arith = new Set<OpKind>(['conv2d', 'depthwise_conv2d', 'fully_connected', 'add', 'mul', 'average_pool2d', 'max_pool2d', 'mean', 'reduce_max', 'softmax', 'logistic', 'hard_swish', 'relu', 'relu6']);

/** [min, max] inputs per op; -1 (omitted) is allowed only for the bias of conv / depthwise / fully connected. */
const arity: Record<OpKind, [number, number]> = {
  conv2d: [2, 3], depthwise_conv2d: [2, 3], fully_connected: [2, 3], add: [2, 2], mul: [2, 2],
  average_pool2d: [1, 1], max_pool2d: [1, 1], mean: [2, 2], reduce_max: [2, 2], pad: [2, 3], reshape: [1, 2], squeeze: [1, 1],
  transpose: [2, 2], concatenation: [1, 1 << 16], softmax: [1, 1], logistic: [1, 1], hard_swish: [1, 1],
  relu: [1, 1], relu6: [1, 1], quantize: [1, 1], dequantize: [1, 1], resize_nearest_neighbor: [2, 2],
};

/** Inputs holding activations (per-tensor quantized); the others are weights, biases or parameter tensors. */
function dataInputs(op: Op): number[] {
  switch (op.kind) {
    case 'add':
    case 'mul':
      return op.inputs.slice(0, 2);
    case 'concatenation':
      return op.inputs;
    default:
      return op.inputs.slice(0, 1);
  }
}

/** Dtypes that byte-moving ops (reshape, transpose, concatenation, resize, pad) copy correctly. */
const movable = new Set(['int8', 'uint8', 'int16', 'int32', 'float32']);

type Err = (code: Diagnostic['code'], message: string) => void;

export function validateGraph(g: Graph): void {
  const errs: Diagnostic[] = [];
  const err: Err = (code, message) => errs.push({ code, message });
  const name = (i: number) => `tensor ${i} "${g.tensors[i]?.name ?? '?'}"`;

  if (g.inputs.length === 0) err('MN207', 'the model declares no inputs');
  if (g.outputs.length === 0) err('MN207', 'the model declares no outputs');
  for (const [list, what] of [[g.inputs, 'inputs'], [g.outputs, 'outputs']] as const) {
    const seen = new Set<number>();
    const dup = list.find((t) => seen.has(t) || !seen.add(t));
    if (dup !== undefined) err('MN205', `the model lists ${name(dup)} twice among its ${what}`);
  }

  // tensors: declared sizes, constant data against shapes, quantization
  const referenced = new Set<number>([...g.inputs, ...g.outputs]);
  for (const op of g.ops) for (const i of [...op.inputs, ...op.outputs]) if (i >= 0) referenced.add(i);
  let activationBytes = 0;
  for (const t of g.tensors) {
    const bytes = elementCount(t.shape) * dtypeBytes(t.dtype);
    if (bytes > MAX_TENSOR_BYTES) {
      err('MN202', `${name(t.index)} declares shape [${t.shape.join(',')}] of ${t.dtype}: ${bytes} bytes, more than the ${MAX_TENSOR_BYTES} mnetc accepts for one tensor`);
      continue;
    }
    if (referenced.has(t.index)) {
      if (t.shape.length > MAX_RANK) err('MN202', `${name(t.index)} has rank ${t.shape.length}; mnetc handles at most ${MAX_RANK} dimensions`);
      else if (t.shape.some((d) => d === 0)) err('MN202', `${name(t.index)} has an empty dimension in shape [${t.shape.join(',')}]`);
      if (!t.data) activationBytes += bytes;
    }
    if (t.data) {
      if (t.dtype !== 'other' && t.data.length !== bytes) {
        err('MN203', `${name(t.index)} has ${t.data.length} bytes of data, its shape [${t.shape.join(',')}] of ${t.dtype} needs ${bytes}`);
      }
    }
    checkQuant(t, err, name);
  }
  if (activationBytes > MAX_ACTIVATION_BYTES) err('MN202', `the model's activation tensors declare ${activationBytes} bytes, more than the ${MAX_ACTIVATION_BYTES} mnetc accepts`);
  if (errs.length) throwErrors(errs);

  // execution order: every read tensor is a constant, a model input, or written earlier; one writer each
  const written = new Set<number>(g.inputs);
  for (const i of g.inputs) if (g.tensors[i]!.data) err('MN206', `${name(i)} is a model input but also a constant`);
  for (const op of g.ops) {
    const where = `operator ${op.index} (${op.opName})`;
    const before = errs.length;
    checkArity(op, where, err);
    if (errs.length > before) continue;
    for (const i of op.inputs) {
      if (i < 0) continue;
      if (!written.has(i) && !g.tensors[i]!.data) err('MN206', `${where} reads ${name(i)} before any operator writes it (cycle or missing producer)`);
    }
    for (const o of op.outputs) {
      if (written.has(o)) err('MN206', `${where} writes ${name(o)}, which is already written by another operator or is a model input`);
      if (g.tensors[o]!.data) err('MN206', `${where} writes ${name(o)}, which is a constant`);
      written.add(o);
    }
    checkOp(g, op, where, err);
  }
  for (const o of g.outputs) {
    if (g.tensors[o]!.data) err('MN302', `model output ${name(o)} is a constant tensor; outputs must be computed by the model`);
    else if (!written.has(o)) err('MN206', `model output ${name(o)} is never written`);
  }
  if (errs.length) throwErrors(errs);
}

function throwErrors(errs: Diagnostic[]): never {
  // float models: one clear message instead of many
  if (errs.some((e) => e.code === 'MN301')) {
    throw new MnetcError(errs.filter((e) => e.code === 'MN301').slice(0, 1));
  }
  throw new MnetcError(errs.slice(0, 20));
}

function checkQuant(t: Tensor, err: Err, name: (i: number) => string): void {
  const q = t.quant;
  if (!q) return;
  for (const s of q.scales) {
    if (!Number.isFinite(s) || s <= 0 || (s < MIN_SCALE && t.dtype !== 'int32')) {
      err('MN204', `${name(t.index)} has quantization scale ${s}; scales must be finite and positive (and not denormal)`);
      return;
    }
  }
  const r = intRange[t.dtype];
  if (r) {
    for (const z of q.zeroPoints) {
      if (z < r[0] || z > r[1]) {
        err('MN204', `${name(t.index)} has zero point ${z}, outside the ${t.dtype} range [${r[0]}, ${r[1]}]`);
        return;
      }
    }
  }
}

function checkArity(op: Op, where: string, err: Err): void {
  const [lo, hi] = arity[op.kind];
  if (op.inputs.length < lo || op.inputs.length > hi) {
    err('MN205', `${where} has ${op.inputs.length} inputs; it takes ${lo === hi ? lo : `${lo} to ${hi}`}`);
  }
  const biasOptional = op.kind === 'conv2d' || op.kind === 'depthwise_conv2d' || op.kind === 'fully_connected';
  op.inputs.forEach((i, k) => {
    if (i < 0 && !(biasOptional && k === 2)) err('MN205', `${where} input ${k} is missing`);
  });
  if (op.outputs.length !== 1) err('MN205', `${where} has ${op.outputs.length} outputs; it produces 1`);
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The values of a constant int32/int64 tensor, or a diagnostic. */
function constInts(t: Tensor, where: string, what: string, err: Err): number[] | null {
  if (!t.data) {
    err('MN302', `${where}: the ${what} tensor "${t.name}" must be a constant`);
    return null;
  }
  if (t.dtype !== 'int32' && t.dtype !== 'int64') {
    err('MN205', `${where}: the ${what} tensor "${t.name}" must be int32 or int64, not ${t.dtype}`);
    return null;
  }
  const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out: number[] = [];
  if (t.dtype === 'int32') for (let i = 0; i + 4 <= t.data.byteLength; i += 4) out.push(v.getInt32(i, true));
  else for (let i = 0; i + 8 <= t.data.byteLength; i += 8) out.push(Number(v.getBigInt64(i, true)));
  return out;
}

function checkShift(shift: number, where: string, what: string, err: Err): boolean {
  if (shift > MAX_MULTIPLIER_SHIFT) {
    err('MN204', `${where}: the scales give ${what} of 2^${shift - 1} or more; the fixed-point kernels handle multipliers below 2^${MAX_MULTIPLIER_SHIFT}`);
    return false;
  }
  return true;
}

function checkOp(g: Graph, op: Op, where: string, err: Err): void {
  const t = (k: number) => g.tensors[op.inputs[k]!]!;
  const out = g.tensors[op.outputs[0]!]!;
  const dtypeErr = (x: Tensor, role: string, want: string): void => {
    if (x.dtype === 'float32') {
      err('MN301', `${where} computes in float32: float models are not supported; convert with full-integer int8 quantization (TFLiteConverter with a representative dataset and TFLITE_BUILTINS_INT8)`);
    } else if (x.dtype === 'uint8' && want === 'int8') {
      err('MN301', `${where} computes in uint8: legacy uint8-quantized models are not supported; re-convert to int8`);
    } else {
      err('MN301', `${where}: ${role} "${x.name}" is ${x.dtype}; this operator needs ${want}`);
    }
  };
  const need = (x: Tensor, role: string, ...dtypes: string[]): boolean => {
    if (dtypes.includes(x.dtype)) return true;
    dtypeErr(x, role, dtypes.join(' or '));
    return false;
  };

  // dtypes
  let ok = true;
  if (int8Arith.has(op.kind)) {
    ok = need(t(0), 'input', 'int8') && ok;
    if (op.kind === 'softmax') ok = need(out, 'output', 'int8', 'int16') && ok;
    else ok = need(out, 'output', 'int8') && ok;
    if (op.kind === 'conv2d' || op.kind === 'depthwise_conv2d' || op.kind === 'fully_connected') ok = need(t(1), 'filter', 'int8') && ok;
    if (op.kind === 'add' || op.kind === 'mul') ok = need(t(1), 'input', 'int8') && ok;
    if (!ok) return;
  }
  switch (op.kind) {
    case 'quantize':
      if (!need(t(0), 'input', 'float32', 'int8', 'uint8') || !need(out, 'output', 'int8', 'uint8')) return;
      break;
    case 'dequantize':
      if (!need(t(0), 'input', 'int8', 'uint8') || !need(out, 'output', 'float32')) return;
      break;
    case 'pad':
      if (!need(t(0), 'input', 'int8', 'uint8')) return;
      break;
    case 'reshape':
    case 'squeeze':
    case 'transpose':
    case 'concatenation':
    case 'resize_nearest_neighbor':
      if (!movable.has(t(0).dtype)) {
        err('MN301', `${where}: input "${t(0).name}" is ${t(0).dtype}, which mnetc does not support`);
        return;
      }
      break;
    default:
      break;
  }
  if (!int8Arith.has(op.kind) && op.kind !== 'quantize' && op.kind !== 'dequantize') {
    for (const i of dataInputs(op)) {
      const x = g.tensors[i]!;
      if (x.dtype !== out.dtype) {
        err('MN210', `${where}: input "${x.name}" is ${x.dtype} but the output "${out.name}" is ${out.dtype}`);
        return;
      }
    }
  }

  // quantization: activations are per-tensor; arithmetic needs parameters on its integer tensors
  for (const x of [...dataInputs(op).map((i) => g.tensors[i]!), out]) {
    if (x.quant && x.quant.scales.length > 1) err('MN204', `${where}: "${x.name}" has ${x.quant.scales.length} scales; per-channel quantization is supported for weights and biases only`);
  }
  const quantized: Tensor[] = [];
  if (int8Arith.has(op.kind)) {
    quantized.push(t(0), out);
    if (op.kind === 'add' || op.kind === 'mul') quantized.push(t(1));
    if (op.kind === 'conv2d' || op.kind === 'depthwise_conv2d' || op.kind === 'fully_connected') quantized.push(t(1));
  }
  if (op.kind === 'quantize') quantized.push(out, ...(t(0).dtype === 'float32' ? [] : [t(0)]));
  if (op.kind === 'dequantize') quantized.push(t(0));
  let missingQuant = false;
  for (const x of quantized) {
    if (!x.quant) {
      err('MN204', `${where}: "${x.name}" has no quantization parameters`);
      missingQuant = true;
    }
  }
  if (missingQuant) return;

  switch (op.kind) {
    case 'conv2d':
    case 'depthwise_conv2d': {
      const x = t(0), f = t(1);
      if (x.shape.length !== 4 || f.shape.length !== 4 || out.shape.length !== 4) {
        err('MN205', `${where} needs 4-D input, filter and output (NHWC); got [${x.shape}], [${f.shape}], [${out.shape}]`);
        return;
      }
      if (!f.data) err('MN302', `${where}: the filter must be a constant tensor`);
      const [, kh, kw] = f.shape as [number, number, number, number];
      const oh = convOutputSize(op, 'h', x.shape[1]!, kh);
      const ow = convOutputSize(op, 'w', x.shape[2]!, kw);
      const oc = op.kind === 'conv2d' ? f.shape[0]! : f.shape[3]!;
      if (out.shape[1] !== oh || out.shape[2] !== ow || out.shape[3] !== oc || out.shape[0] !== x.shape[0]) {
        err('MN205', `${where}: output shape [${out.shape}] does not match the computed [${x.shape[0]},${oh},${ow},${oc}]`);
        return;
      }
      if (op.kind === 'conv2d') {
        if (x.shape[3]! % f.shape[3]! !== 0) {
          err('MN205', `${where}: input depth ${x.shape[3]} is not a multiple of filter depth ${f.shape[3]}`);
          return;
        }
        const groups = x.shape[3]! / f.shape[3]!;
        if (oc % groups !== 0) err('MN205', `${where}: ${oc} output channels cannot be split into ${groups} groups`);
      } else {
        if (f.shape[0] !== 1) err('MN205', `${where}: depthwise filter shape [${f.shape}] must be [1, kh, kw, channels]`);
        if (x.shape[3]! * op.depthMultiplier !== oc) err('MN205', `${where}: ${x.shape[3]} channels x depth multiplier ${op.depthMultiplier} != ${oc}`);
      }
      if (f.quant!.zeroPoints.some((z) => z !== 0)) err('MN204', `${where}: filter "${f.name}" must have zero points of 0 (symmetric int8 weights)`);
      if (checkPerChannel(f, oc, op.kind === 'conv2d' ? 0 : 3, where, err)) {
        convMultipliers(x, f, out, oc).every((m) => checkShift(m.shift, where, 'an output multiplier', err));
      }
      checkBias(g, op.inputs[2], oc, where, err);
      break;
    }
    case 'fully_connected': {
      const x = t(0), f = t(1);
      if (f.shape.length !== 2) { err('MN205', `${where}: weights must be 2-D, got [${f.shape}]`); return; }
      if (!f.data) err('MN302', `${where}: the weights must be a constant tensor`);
      if (elementCount(x.shape) % f.shape[1]! !== 0) err('MN205', `${where}: input of ${elementCount(x.shape)} elements is not a multiple of depth ${f.shape[1]}`);
      else if (elementCount(out.shape) !== (elementCount(x.shape) / f.shape[1]!) * f.shape[0]!) err('MN205', `${where}: output shape [${out.shape}] does not match`);
      if (f.quant!.scales.length > 1 && f.quant!.zeroPoints.some((z) => z !== 0)) err('MN204', `${where}: per-channel weights "${f.name}" must have zero points of 0`);
      if (checkPerChannel(f, f.shape[0]!, 0, where, err)) {
        fcMultipliers(x, f, out, f.shape[0]!).every((m) => checkShift(m.shift, where, 'an output multiplier', err));
      }
      checkBias(g, op.inputs[2], f.shape[0]!, where, err);
      break;
    }
    case 'add':
    case 'mul': {
      if (!checkBroadcast(t(0).shape, t(1).shape, out.shape, where, err)) return;
      if (op.kind === 'mul') {
        checkShift(mulParams(t(0), t(1), out, op.activation).shift, where, 'a multiplier', err);
      } else {
        const twiceMax = 2 * Math.max(scaleOf(t(0)), scaleOf(t(1)));
        if (quantizeMultiplier(twiceMax / ((1 << 20) * scaleOf(out))).shift > 0) {
          err('MN204', `${where}: output scale ${scaleOf(out)} is too small for inputs of scales ${scaleOf(t(0))} and ${scaleOf(t(1))} (TFLM requires 2 max(s1, s2) / (2^20 s_out) < 1)`);
        }
      }
      break;
    }
    case 'average_pool2d':
    case 'max_pool2d': {
      const x = t(0);
      if (x.shape.length !== 4 || out.shape.length !== 4) { err('MN205', `${where} needs 4-D NHWC tensors`); return; }
      const oh = outputSize(op.padding, x.shape[1]!, op.filterH, op.strideH);
      const ow = outputSize(op.padding, x.shape[2]!, op.filterW, op.strideW);
      if (out.shape[0] !== x.shape[0] || out.shape[1] !== oh || out.shape[2] !== ow || out.shape[3] !== x.shape[3]) {
        err('MN205', `${where}: output shape [${out.shape}] does not match the computed [${x.shape[0]},${oh},${ow},${x.shape[3]}]`);
      }
      break;
    }
    case 'mean':
    case 'reduce_max': {
      const x = t(0);
      const axes = constInts(t(1), where, 'axis', err);
      if (!axes) return;
      const rank = x.shape.length;
      const reduced = new Set<number>();
      for (const a of axes) {
        const r = a < 0 ? a + rank : a;
        if (!Number.isInteger(r) || r < 0 || r >= rank) { err('MN209', `${where}: axis ${a} is out of range for rank ${rank}`); return; }
        reduced.add(r);
      }
      const kept = x.shape.filter((_, d) => !reduced.has(d));
      if (elementCount(kept) !== elementCount(out.shape)) err('MN205', `${where}: output shape [${out.shape}] does not match the reduction of [${x.shape}] over axes [${axes}]`);
      if (op.kind === 'mean') checkShift(requantizeMultiplier(x, out).shift, where, 'a multiplier', err);
      // TFLM's int8 REDUCE_MAX moves values unchanged: it requires equal input and output quantization
      else if (x.quant?.scales[0] !== out.quant?.scales[0] || x.quant?.zeroPoints[0] !== out.quant?.zeroPoints[0]) {
        err('MN302', `${where}: input and output quantization differ (TFLM requires them equal for REDUCE_MAX)`);
      }
      break;
    }
    case 'pad': {
      const x = t(0);
      if (x.shape.length > 4) { err('MN302', `${where}: padding a ${x.shape.length}-D tensor is not supported`); return; }
      const amounts = constInts(t(1), where, 'paddings', err);
      if (!amounts) return;
      const rank = x.shape.length;
      if (amounts.length !== 2 * rank) { err('MN205', `${where}: paddings must be [${rank}, 2], got ${amounts.length} values`); return; }
      if (amounts.some((a) => a < 0 || a > 1 << 16)) { err('MN209', `${where}: paddings [${amounts}] must be between 0 and 65536`); return; }
      const want = x.shape.map((d, k) => d + amounts[2 * k]! + amounts[2 * k + 1]!);
      if (!sameShape(want, out.shape)) err('MN205', `${where}: output shape [${out.shape}] does not match the padded [${want}]`);
      if (op.inputs.length > 2) {
        const v = t(2);
        if (!v.data) err('MN302', `${where}: the constant value must be a constant tensor`);
        else if (v.dtype !== x.dtype || elementCount(v.shape) < 1) err('MN205', `${where}: the constant value "${v.name}" must be one ${x.dtype} value`);
      }
      break;
    }
    case 'reshape':
    case 'squeeze':
      if (elementCount(t(0).shape) !== elementCount(out.shape)) err('MN205', `${where}: ${elementCount(t(0).shape)} elements in, ${elementCount(out.shape)} out`);
      // the generated C makes the output an alias of the input's arena bytes, which a constant does not have
      if (t(0).data) err('MN302', `${where} reshapes the constant tensor "${t(0).name}"; constant ${op.opName} is not supported (the TFLite converter folds it)`);
      break;
    case 'transpose': {
      const x = t(0);
      const perm = constInts(t(1), where, 'permutation', err);
      if (!perm) return;
      const rank = x.shape.length;
      if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= rank)) {
        err('MN209', `${where}: [${perm}] is not a permutation of the ${rank} dimensions of [${x.shape}]`);
        return;
      }
      const want = perm.map((p) => x.shape[p]!);
      if (!sameShape(want, out.shape)) err('MN205', `${where}: output shape [${out.shape}] does not match the transposed [${want}]`);
      break;
    }
    case 'concatenation': {
      if (op.activation !== 'none') { err('MN302', `${where}: fused activation ${op.activation} is not supported (TFLM requires NONE)`); return; }
      const rank = out.shape.length;
      const axis = op.axis < 0 ? op.axis + rank : op.axis;
      if (axis < 0 || axis >= rank) { err('MN209', `${where}: axis ${op.axis} is out of range for rank ${rank}`); return; }
      let sum = 0;
      for (const i of op.inputs) {
        const x = g.tensors[i]!;
        if (x.shape.length !== rank || x.shape.some((d, k) => k !== axis && d !== out.shape[k])) {
          err('MN205', `${where}: input "${x.name}" of shape [${x.shape}] does not match the output [${out.shape}] outside axis ${axis}`);
          return;
        }
        sum += x.shape[axis]!;
      }
      if (sum !== out.shape[axis]) err('MN205', `${where}: inputs add up to ${sum} along axis ${axis}, the output has ${out.shape[axis]}`);
      break;
    }
    case 'resize_nearest_neighbor': {
      const x = t(0);
      if (x.shape.length !== 4 || out.shape.length !== 4) { err('MN205', `${where} needs 4-D NHWC tensors`); return; }
      if (x.shape[0] !== out.shape[0] || x.shape[3] !== out.shape[3]) err('MN205', `${where}: batch/depth of input [${x.shape}] and output [${out.shape}] differ`);
      const size = constInts(t(1), where, 'size', err);
      if (size && (size.length !== 2 || size[0] !== out.shape[1] || size[1] !== out.shape[2])) {
        err('MN205', `${where}: size [${size}] does not match the output shape [${out.shape}]`);
      }
      break;
    }
    case 'softmax': {
      if (!sameShape(t(0).shape, out.shape)) err('MN205', `${where}: output shape [${out.shape}] differs from the input's [${t(0).shape}]`);
      if (!Number.isFinite(op.beta) || op.beta <= 0) err('MN209', `${where}: beta ${op.beta} must be finite and positive`);
      const zo = zeroPointOf(out), so = scaleOf(out);
      if (out.dtype === 'int8' && (zo !== -128 || so !== 1 / 256)) err('MN302', `${where}: int8 output must have scale 1/256 and zero point -128`);
      if (out.dtype === 'int16' && (zo !== -32768 || Math.abs(so - 1 / 65536) > 0.001 / 65536)) err('MN302', `${where}: int16 output must have scale 1/65536 and zero point -32768`);
      break;
    }
    case 'logistic':
    case 'hard_swish':
    case 'relu':
    case 'relu6':
    case 'quantize':
    case 'dequantize': {
      if (!sameShape(t(0).shape, out.shape)) { err('MN205', `${where}: output shape [${out.shape}] differs from the input's [${t(0).shape}]`); return; }
      if (op.kind === 'logistic' && zeroPointOf(out) !== -128) err('MN302', `${where}: int8 output must have zero point -128`);
      if (op.kind === 'hard_swish' && hardSwishParams(t(0), out).outputExponent > 0) {
        err('MN302', `${where}: output scale smaller than input scale / 128 (TFLM rejects a positive output exponent)`);
      }
      if (op.kind === 'relu' || (op.kind === 'quantize' && t(0).dtype !== 'float32')) checkShift(requantizeMultiplier(t(0), out).shift, where, 'a multiplier', err);
      break;
    }
  }
}

/** NumPy broadcasting of a and b must give exactly the output shape (up to 4 dimensions). */
function checkBroadcast(a: readonly number[], b: readonly number[], out: readonly number[], where: string, err: Err): boolean {
  if (out.length > 4 || a.length > out.length || b.length > out.length) {
    err('MN302', `${where}: broadcasting [${a}] and [${b}] to [${out}] is not supported (4 dimensions at most)`);
    return false;
  }
  const pa = [...Array(out.length - a.length).fill(1), ...a] as number[];
  const pb = [...Array(out.length - b.length).fill(1), ...b] as number[];
  for (let d = 0; d < out.length; d++) {
    const want = pa[d] === 1 ? pb[d] : pa[d];
    if ((pa[d] !== 1 && pb[d] !== 1 && pa[d] !== pb[d]) || want !== out[d]) {
      err('MN205', `${where}: inputs of shapes [${a}] and [${b}] do not broadcast to the output shape [${out}]`);
      return false;
    }
  }
  return true;
}

function checkPerChannel(f: Tensor, channels: number, axis: number, where: string, err: Err): boolean {
  const q = f.quant;
  if (!q) return false;
  if (q.scales.length !== 1 && (q.scales.length !== channels || q.axis !== axis)) {
    err('MN204', `${where}: filter "${f.name}" has ${q.scales.length} scales along axis ${q.axis}; expected 1 or ${channels} along axis ${axis}`);
    return false;
  }
  return true;
}

function checkBias(g: Graph, bi: number | undefined, channels: number, where: string, err: Err): void {
  if (bi === undefined || bi < 0) return;
  const b = g.tensors[bi]!;
  if (b.dtype !== 'int32') { err('MN301', `${where}: bias "${b.name}" is ${b.dtype}; int8 models need int32 biases`); return; }
  if (!b.data) err('MN302', `${where}: the bias must be a constant tensor`);
  if (elementCount(b.shape) !== channels) err('MN205', `${where}: bias has ${elementCount(b.shape)} elements for ${channels} channels`);
}
