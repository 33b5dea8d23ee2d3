/**
 * Graph validation: everything the interpreter and the generated C assume, checked once, with diagnostics.
 * A model that passes here cannot make a kernel index outside its tensors.
 */
import { MnetcError, type Diagnostic } from '../diagnostics.js';
import { convOutputSize, outputSize } from './geometry.js';
import { dtypeBytes, elementCount, type Graph, type Op, type Tensor } from './types.js';

const MIN_SCALE = 1e-30;

const intRange: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
};

/** Ops whose arithmetic needs quantized int8 tensors (a float32 one means a float model). */
const int8Arith = new Set<Op['kind']>(['conv2d', 'depthwise_conv2d', 'fully_connected', 'add', 'mul', 'average_pool2d', 'max_pool2d', 'mean', 'softmax', 'logistic', 'hard_swish', 'relu', 'relu6']);

export function validateGraph(g: Graph): void {
  const errs: Diagnostic[] = [];
  const err = (code: Diagnostic['code'], message: string) => errs.push({ code, message });
  const name = (i: number) => `tensor ${i} "${g.tensors[i]?.name ?? '?'}"`;

  if (g.inputs.length === 0) err('MN207', 'the model declares no inputs');
  if (g.outputs.length === 0) err('MN207', 'the model declares no outputs');

  // constant data sizes and quantization
  for (const t of g.tensors) {
    if (t.data) {
      const want = elementCount(t.shape) * dtypeBytes(t.dtype);
      if (t.dtype !== 'other' && t.data.length !== want) {
        err('MN203', `${name(t.index)} has ${t.data.length} bytes of data, its shape [${t.shape.join(',')}] of ${t.dtype} needs ${want}`);
      }
    }
    checkQuant(t, err, name);
  }

  // execution order: every read tensor is a constant, a model input, or written earlier; one writer each
  const written = new Set<number>(g.inputs);
  for (const i of g.inputs) if (g.tensors[i]!.data) err('MN206', `${name(i)} is a model input but also a constant`);
  for (const op of g.ops) {
    const where = `operator ${op.index} (${op.opName})`;
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
  for (const o of g.outputs) if (!written.has(o) && !g.tensors[o]!.data) err('MN206', `model output ${name(o)} is never written`);
  if (errs.length) {
    // float models: one clear message instead of many
    if (errs.some((e) => e.code === 'MN301')) {
      throw new MnetcError(errs.filter((e) => e.code === 'MN301').slice(0, 1));
    }
    throw new MnetcError(errs.slice(0, 20));
  }
}

function checkQuant(t: Tensor, err: (c: Diagnostic['code'], m: string) => void, name: (i: number) => string): void {
  const q = t.quant;
  if (!q) return;
  for (const s of q.scales) {
    if (!Number.isFinite(s) || s <= 0 || (s < MIN_SCALE && t.dtype !== 'int32')) {
      err('MN204', `${name(t.index)} has quantization scale ${s}; scales must be finite and positive`);
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

function checkOp(g: Graph, op: Op, where: string, err: (c: Diagnostic['code'], m: string) => void): void {
  const t = (k: number) => g.tensors[op.inputs[k]!]!;
  const out = g.tensors[op.outputs[0]!]!;
  if (int8Arith.has(op.kind)) {
    const inT = t(0);
    if (inT.dtype === 'float32' || out.dtype === 'float32') {
      err('MN301', `${where} computes in float32: float models are not supported; convert with full-integer int8 quantization (TFLiteConverter with a representative dataset and TFLITE_BUILTINS_INT8)`);
      return;
    }
    if (inT.dtype === 'uint8') {
      err('MN301', `${where} computes in uint8: legacy uint8-quantized models are not supported; re-convert to int8`);
      return;
    }
    for (const k of [0, 1]) {
      const x = op.inputs[k];
      if (x === undefined || x < 0) continue;
      const xt = g.tensors[x]!;
      if ((xt.dtype === 'int8' || xt.dtype === 'uint8') && !xt.quant) err('MN204', `${where} input ${k} "${xt.name}" has no quantization parameters`);
    }
    if ((out.dtype === 'int8' || out.dtype === 'uint8') && !out.quant) err('MN204', `${where} output "${out.name}" has no quantization parameters`);
  }
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
      }
      if (op.kind === 'conv2d' && x.shape[3]! % f.shape[3]! !== 0) err('MN205', `${where}: input depth ${x.shape[3]} is not a multiple of filter depth ${f.shape[3]}`);
      if (op.kind === 'depthwise_conv2d' && x.shape[3]! * op.depthMultiplier !== oc) err('MN205', `${where}: ${x.shape[3]} channels x depth multiplier ${op.depthMultiplier} != ${oc}`);
      checkPerChannel(f, oc, op.kind === 'conv2d' ? 0 : 3, where, err);
      checkBias(g, op.inputs[2], oc, where, err);
      break;
    }
    case 'fully_connected': {
      const x = t(0), f = t(1);
      if (f.shape.length !== 2) { err('MN205', `${where}: weights must be 2-D, got [${f.shape}]`); return; }
      if (!f.data) err('MN302', `${where}: the weights must be a constant tensor`);
      if (elementCount(x.shape) % f.shape[1]! !== 0) err('MN205', `${where}: input of ${elementCount(x.shape)} elements is not a multiple of depth ${f.shape[1]}`);
      if (elementCount(out.shape) !== (elementCount(x.shape) / f.shape[1]!) * f.shape[0]!) err('MN205', `${where}: output shape [${out.shape}] does not match`);
      checkPerChannel(f, f.shape[0]!, 0, where, err);
      checkBias(g, op.inputs[2], f.shape[0]!, where, err);
      break;
    }
    case 'average_pool2d':
    case 'max_pool2d': {
      const x = t(0);
      if (x.shape.length !== 4 || out.shape.length !== 4) { err('MN205', `${where} needs 4-D NHWC tensors`); return; }
      const oh = outputSize(op.padding, x.shape[1]!, op.filterH, op.strideH);
      const ow = outputSize(op.padding, x.shape[2]!, op.filterW, op.strideW);
      if (out.shape[1] !== oh || out.shape[2] !== ow || out.shape[3] !== x.shape[3]) err('MN205', `${where}: output shape [${out.shape}] does not match the computed [${x.shape[0]},${oh},${ow},${x.shape[3]}]`);
      break;
    }
    case 'reshape':
    case 'squeeze':
      if (elementCount(t(0).shape) !== elementCount(out.shape)) err('MN205', `${where}: ${elementCount(t(0).shape)} elements in, ${elementCount(out.shape)} out`);
      break;
    default:
      break;
  }
}

function checkPerChannel(f: Tensor, channels: number, axis: number, where: string, err: (c: Diagnostic['code'], m: string) => void): void {
  const q = f.quant;
  if (!q) return;
  if (q.scales.length !== 1 && (q.scales.length !== channels || q.axis !== axis)) {
    err('MN204', `${where}: filter "${f.name}" has ${q.scales.length} scales along axis ${q.axis}; expected 1 or ${channels} along axis ${axis}`);
  }
  if (q.zeroPoints.some((z) => z !== 0) && q.scales.length > 1) err('MN204', `${where}: per-channel filter "${f.name}" must have zero points of 0`);
}

function checkBias(g: Graph, bi: number | undefined, channels: number, where: string, err: (c: Diagnostic['code'], m: string) => void): void {
  if (bi === undefined || bi < 0) return;
  const b = g.tensors[bi]!;
  if (b.dtype !== 'int32') { err('MN301', `${where}: bias "${b.name}" is ${b.dtype}; int8 models need int32 biases`); return; }
  if (!b.data) err('MN302', `${where}: the bias must be a constant tensor`);
  if (elementCount(b.shape) !== channels) err('MN205', `${where}: bias has ${elementCount(b.shape)} elements for ${channels} channels`);
}
