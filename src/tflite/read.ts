/**
 * TFLite flatbuffer -> mnetc IR. Nothing outside src/tflite knows the file format.
 *
 * The file is verified first (verify.ts); only then do the generated flatbuffers accessors touch it.
 */
import * as flatbuffers from 'flatbuffers';
import { fail, MnetcError, type Diagnostic } from '../diagnostics.js';
import type { Activation, DType, Graph, Op, Padding, Quantization, Tensor } from '../ir/types.js';
import * as fb from './schema/schema_generated.js';
import { verifyModel } from './verify.js';

const dtypeOf: Partial<Record<number, DType>> = {
  [fb.TensorType.FLOAT32]: 'float32',
  [fb.TensorType.FLOAT16]: 'float16',
  [fb.TensorType.INT32]: 'int32',
  [fb.TensorType.UINT8]: 'uint8',
  [fb.TensorType.INT64]: 'int64',
  [fb.TensorType.BOOL]: 'bool',
  [fb.TensorType.INT16]: 'int16',
  [fb.TensorType.INT8]: 'int8',
};

const activationOf: Record<number, Activation> = {
  [fb.ActivationFunctionType.NONE]: 'none',
  [fb.ActivationFunctionType.RELU]: 'relu',
  [fb.ActivationFunctionType.RELU_N1_TO_1]: 'relu_n1_to_1',
  [fb.ActivationFunctionType.RELU6]: 'relu6',
  [fb.ActivationFunctionType.TANH]: 'tanh',
  [fb.ActivationFunctionType.SIGN_BIT]: 'sign_bit',
};

/** Largest tensor we accept (elements); anything bigger cannot be meant for a microcontroller. */
export const MAX_TENSOR_ELEMENTS = 1 << 28;
/**
 * Graph size limits: far beyond any MobileNet (MobileNetV2-1.0 has 65 operators, 176 tensors), small enough
 * that a hostile file cannot make reading, validation or compilation (whose planner is superlinear) run for
 * minutes or exhaust memory.
 */
export const MAX_TENSORS = 1 << 16;
export const MAX_OPERATORS = 4096;
/** all operator input and output lists together, and the subgraph's input and output lists */
export const MAX_TENSOR_REFERENCES = 1 << 20;

function builtinName(code: number): string {
  return (fb.BuiltinOperator as unknown as Record<number, string>)[code] ?? `BUILTIN_${code}`;
}

function padding(p: number): Padding {
  return p === fb.Padding.VALID ? 'valid' : 'same';
}

function activation(a: number, where: string): Activation {
  const act = activationOf[a];
  if (act === undefined) fail('MN209', `${where}: unknown fused activation ${a}`);
  return act;
}

export interface ReadOptions {
  /** label used in messages */
  fileName?: string;
}

/** Reads and verifies a .tflite file's bytes into an IR graph. Throws MnetcError on any problem. */
export function readModel(bytes: Uint8Array, _opts: ReadOptions = {}): Graph {
  // the generated accessors view int32/float32 vectors as typed arrays: they need a 4-aligned start
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  verifyModel(bytes);
  const bb = new flatbuffers.ByteBuffer(bytes);
  const model = fb.Model.getRootAsModel(bb);

  if (model.subgraphsLength() === 0) fail('MN200', 'the model has no subgraphs');
  if (model.subgraphsLength() > 1) {
    fail('MN302', `the model has ${model.subgraphsLength()} subgraphs; mnetc supports single-subgraph models (no control flow)`);
  }
  const sg = model.subgraphs(0)!;
  if (sg.tensorsLength() > MAX_TENSORS) fail('MN107', `the model has ${sg.tensorsLength()} tensors; mnetc reads at most ${MAX_TENSORS}`);
  if (sg.operatorsLength() > MAX_OPERATORS) fail('MN107', `the model has ${sg.operatorsLength()} operators; mnetc reads at most ${MAX_OPERATORS}`);
  let references = sg.inputsLength() + sg.outputsLength();
  for (let i = 0; i < sg.operatorsLength(); i++) {
    const o = sg.operators(i)!;
    references += o.inputsLength() + o.outputsLength();
  }
  if (references > MAX_TENSOR_REFERENCES) fail('MN107', `the model's operators and subgraph list ${references} tensor references; mnetc reads at most ${MAX_TENSOR_REFERENCES}`);

  // --- buffers ---
  const nBuffers = model.buffersLength();
  const bufferData = (index: number, tensorName: string): Uint8Array | null => {
    if (index === 0) return null;
    if (index >= nBuffers) fail('MN201', `tensor "${tensorName}" refers to buffer ${index}, but the model has ${nBuffers}`);
    const b = model.buffers(index)!;
    const arr = b.dataArray();
    if (arr && arr.length > 0) return arr;
    const offset = Number(b.offset());
    const size = Number(b.size());
    if (offset > 1 && size > 0) {
      // data stored outside the flatbuffer, at an absolute file offset (models > 2 GB style)
      if (offset + size > bytes.length) fail('MN108', `buffer ${index} claims bytes ${offset}..${offset + size} but the file has ${bytes.length}`, offset);
      return bytes.subarray(offset, offset + size);
    }
    return null;
  };

  // --- tensors ---
  const tensors: Tensor[] = [];
  const nTensors = sg.tensorsLength();
  for (let i = 0; i < nTensors; i++) {
    const t = sg.tensors(i)!;
    const name = t.name() ?? `tensor_${i}`;
    const shapeArr = t.shapeArray();
    const shape = shapeArr ? Array.from(shapeArr) : [];
    let elements = 1;
    for (const d of shape) {
      if (d < 0) fail('MN202', `tensor ${i} "${name}" has a negative dimension in shape [${shape.join(',')}]`);
      elements *= d;
    }
    if (elements > MAX_TENSOR_ELEMENTS) fail('MN202', `tensor ${i} "${name}" declares ${elements} elements, more than any microcontroller model can hold`);
    if (t.sparsity()) fail('MN303', `tensor ${i} "${name}" is sparse; mnetc supports dense tensors only`);
    const dtype = dtypeOf[t.type()] ?? 'other';
    tensors.push({ index: i, name, shape, dtype, quant: readQuant(t.quantization(), i, name, shape), data: bufferData(t.buffer(), name) });
  }
  const checkTensor = (ti: number, where: string, optional: boolean): void => {
    if (optional && ti === -1) return;
    if (!Number.isInteger(ti) || ti < 0 || ti >= nTensors) fail('MN201', `${where} refers to tensor ${ti}, but the subgraph has ${nTensors}`);
  };

  // --- operator codes ---
  const opNames: string[] = [];
  for (let i = 0; i < model.operatorCodesLength(); i++) {
    const oc = model.operatorCodes(i)!;
    const code = Math.max(oc.builtinCode(), oc.deprecatedBuiltinCode());
    opNames.push(code === fb.BuiltinOperator.CUSTOM ? `CUSTOM:${oc.customCode() ?? '?'}` : builtinName(code));
  }

  // --- operators ---
  const ops: Op[] = [];
  const unsupported = new Map<string, number>();
  const errors: Diagnostic[] = [];
  for (let i = 0; i < sg.operatorsLength(); i++) {
    const o = sg.operators(i)!;
    const oi = o.opcodeIndex();
    if (oi >= opNames.length) fail('MN208', `operator ${i} uses opcode ${oi}, but the model lists ${opNames.length}`);
    const opName = opNames[oi]!;
    const inputs = Array.from(o.inputsArray() ?? []);
    const outputs = Array.from(o.outputsArray() ?? []);
    inputs.forEach((t) => checkTensor(t, `operator ${i} (${opName}) input`, true));
    outputs.forEach((t) => checkTensor(t, `operator ${i} (${opName}) output`, false));
    if (outputs.length === 0) fail('MN205', `operator ${i} (${opName}) has no outputs`);
    try {
      const op = convertOp(o, i, opName, inputs, outputs, tensors);
      if (op) ops.push(op);
      else unsupported.set(opName, (unsupported.get(opName) ?? 0) + 1);
    } catch (e) {
      if (e instanceof MnetcError) errors.push(...e.diagnostics);
      else throw e;
    }
  }
  if (unsupported.size > 0) {
    const list = [...unsupported].map(([n, c]) => (c > 1 ? `${n} (x${c})` : n)).join(', ');
    errors.unshift({ code: 'MN300', message: `unsupported operators: ${list}` });
  }
  if (errors.length) throw new MnetcError(errors);

  const inputs = Array.from(sg.inputsArray() ?? []);
  const outputs = Array.from(sg.outputsArray() ?? []);
  inputs.forEach((t) => checkTensor(t, 'subgraph input', false));
  outputs.forEach((t) => checkTensor(t, 'subgraph output', false));

  const metadata: Graph['metadata'] = [];
  for (let i = 0; i < model.metadataLength(); i++) {
    const m = model.metadata(i)!;
    const bi = m.buffer();
    metadata.push({ name: m.name() ?? '', data: bi < nBuffers && bi > 0 ? bufferData(bi, 'metadata') : null });
  }
  return { tensors, ops, inputs, outputs, description: model.description() ?? '', metadata };
}

function readQuant(q: fb.QuantizationParameters | null, i: number, name: string, shape: number[]): Quantization | null {
  if (!q) return null;
  const scales = q.scaleArray();
  if (!scales || scales.length === 0) return null;
  const zpLen = q.zeroPointLength();
  const zeroPoints: number[] = [];
  for (let k = 0; k < zpLen; k++) {
    const z = q.zeroPoint(k)!;
    if (z > 2147483647n || z < -2147483648n) fail('MN204', `tensor ${i} "${name}" has zero point ${z} outside int32`);
    zeroPoints.push(Number(z));
  }
  let axis = q.quantizedDimension();
  // Old TOCO files tag per-channel biases (rank 1) with the filter's axis 3; the only meaningful axis is 0.
  if (scales.length > 1 && shape.length === 1 && axis >= 1 && shape[0] === scales.length) axis = 0;
  if (scales.length > 1) {
    if (axis < 0 || axis >= shape.length) fail('MN204', `tensor ${i} "${name}" is quantized along axis ${axis}, but has rank ${shape.length}`);
    if (shape[axis] !== scales.length) fail('MN204', `tensor ${i} "${name}" has ${scales.length} scales for ${shape[axis]} channels along axis ${axis}`);
  }
  if (zeroPoints.length !== 0 && zeroPoints.length !== scales.length) {
    fail('MN204', `tensor ${i} "${name}" has ${scales.length} scales but ${zeroPoints.length} zero points`);
  }
  const scaleList = Array.from(scales);
  return { scales: scaleList, zeroPoints: zeroPoints.length ? zeroPoints : scaleList.map(() => 0), axis };
}

function convertOp(o: fb.Operator, index: number, opName: string, inputs: number[], outputs: number[], tensors: Tensor[]): Op | null {
  const base = { index, inputs, outputs, opName };
  const where = `operator ${index} (${opName})`;
  const opts = <T>(ctor: { new (): T }, type: fb.BuiltinOptions): T | null => {
    if (o.builtinOptionsType() !== type) return null;
    return o.builtinOptions(new ctor() as never) as T | null;
  };
  const needInputs = (n: number): void => {
    if (inputs.length < n) fail('MN205', `${where} needs ${n} inputs, has ${inputs.length}`);
    for (let k = 0; k < n; k++) if (inputs[k] === -1 && !(k === 2 && n === 3)) fail('MN205', `${where} input ${k} is missing`);
  };
  const positive = (v: number, what: string): number => {
    if (!Number.isInteger(v) || v < 1 || v > 1 << 16) fail('MN209', `${where}: ${what} is ${v}, must be a positive integer`);
    return v;
  };
  switch (opName) {
    case 'CONV_2D': {
      needInputs(2);
      const p = opts(fb.Conv2DOptions, fb.BuiltinOptions.Conv2DOptions);
      return {
        ...base, kind: 'conv2d', padding: padding(p?.padding() ?? 0),
        strideH: positive(p?.strideH() ?? 1, 'stride_h'), strideW: positive(p?.strideW() ?? 1, 'stride_w'),
        dilationH: positive(p?.dilationHFactor() ?? 1, 'dilation_h'), dilationW: positive(p?.dilationWFactor() ?? 1, 'dilation_w'),
        activation: activation(p?.fusedActivationFunction() ?? 0, where),
      };
    }
    case 'DEPTHWISE_CONV_2D': {
      needInputs(2);
      const p = opts(fb.DepthwiseConv2DOptions, fb.BuiltinOptions.DepthwiseConv2DOptions);
      const inC = tensors[inputs[0]!]!.shape[3] ?? 0;
      const outC = tensors[outputs[0]!]!.shape[3] ?? 0;
      // TFLM derives the multiplier from the shapes; the stored option is informational (often 1 or 0 in old files)
      const dm = inC > 0 && outC % inC === 0 ? outC / inC : (p?.depthMultiplier() ?? 1);
      return {
        ...base, kind: 'depthwise_conv2d', padding: padding(p?.padding() ?? 0),
        strideH: positive(p?.strideH() ?? 1, 'stride_h'), strideW: positive(p?.strideW() ?? 1, 'stride_w'),
        dilationH: positive(p?.dilationHFactor() ?? 1, 'dilation_h'), dilationW: positive(p?.dilationWFactor() ?? 1, 'dilation_w'),
        depthMultiplier: positive(dm, 'depth_multiplier'),
        activation: activation(p?.fusedActivationFunction() ?? 0, where),
      };
    }
    case 'FULLY_CONNECTED': {
      needInputs(2);
      const p = opts(fb.FullyConnectedOptions, fb.BuiltinOptions.FullyConnectedOptions);
      if (p && p.weightsFormat() !== fb.FullyConnectedOptionsWeightsFormat.DEFAULT) fail('MN302', `${where}: shuffled weights format is not supported`);
      return { ...base, kind: 'fully_connected', activation: activation(p?.fusedActivationFunction() ?? 0, where), keepNumDims: p?.keepNumDims() ?? false };
    }
    case 'ADD': {
      needInputs(2);
      const p = opts(fb.AddOptions, fb.BuiltinOptions.AddOptions);
      return { ...base, kind: 'add', activation: activation(p?.fusedActivationFunction() ?? 0, where) };
    }
    case 'MUL': {
      needInputs(2);
      const p = opts(fb.MulOptions, fb.BuiltinOptions.MulOptions);
      return { ...base, kind: 'mul', activation: activation(p?.fusedActivationFunction() ?? 0, where) };
    }
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      needInputs(1);
      const p = opts(fb.Pool2DOptions, fb.BuiltinOptions.Pool2DOptions);
      return {
        ...base, kind: opName === 'MAX_POOL_2D' ? 'max_pool2d' : 'average_pool2d', padding: padding(p?.padding() ?? 0),
        strideH: positive(p?.strideH() ?? 1, 'stride_h'), strideW: positive(p?.strideW() ?? 1, 'stride_w'),
        filterH: positive(p?.filterHeight() ?? 1, 'filter_height'), filterW: positive(p?.filterWidth() ?? 1, 'filter_width'),
        activation: activation(p?.fusedActivationFunction() ?? 0, where),
      };
    }
    case 'MEAN':
    case 'REDUCE_MAX': {
      needInputs(2);
      const p = opts(fb.ReducerOptions, fb.BuiltinOptions.ReducerOptions);
      return { ...base, kind: opName === 'REDUCE_MAX' ? 'reduce_max' : 'mean', keepDims: p?.keepDims() ?? false };
    }
    case 'PAD':
    case 'PADV2':
      needInputs(2);
      return { ...base, kind: 'pad' };
    case 'RESHAPE':
      needInputs(1);
      return { ...base, kind: 'reshape' };
    case 'SQUEEZE':
      needInputs(1);
      return { ...base, kind: 'squeeze' };
    case 'TRANSPOSE':
      needInputs(2);
      return { ...base, kind: 'transpose' };
    case 'CONCATENATION': {
      needInputs(1);
      const p = opts(fb.ConcatenationOptions, fb.BuiltinOptions.ConcatenationOptions);
      return { ...base, kind: 'concatenation', axis: p?.axis() ?? 0, activation: activation(p?.fusedActivationFunction() ?? 0, where) };
    }
    case 'SOFTMAX': {
      needInputs(1);
      const p = opts(fb.SoftmaxOptions, fb.BuiltinOptions.SoftmaxOptions);
      return { ...base, kind: 'softmax', beta: p?.beta() ?? 1 };
    }
    case 'RESIZE_NEAREST_NEIGHBOR': {
      needInputs(2);
      const p = opts(fb.ResizeNearestNeighborOptions, fb.BuiltinOptions.ResizeNearestNeighborOptions);
      return { ...base, kind: 'resize_nearest_neighbor', alignCorners: p?.alignCorners() ?? false, halfPixelCenters: p?.halfPixelCenters() ?? false };
    }
    case 'LOGISTIC':
    case 'HARD_SWISH':
    case 'RELU':
    case 'RELU6':
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      needInputs(1);
      return { ...base, kind: opName.toLowerCase() as 'logistic' | 'hard_swish' | 'relu' | 'relu6' | 'quantize' | 'dequantize' };
    default:
      return null;
  }
}
