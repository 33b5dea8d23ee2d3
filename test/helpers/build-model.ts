/**
 * Builds small .tflite files in tests, through the same generated flatbuffers bindings the reader uses.
 * Enough for hand-made graphs: tensors with shapes, dtypes, quantization and data; ops by builtin name with
 * Conv2D / DepthwiseConv2D options. Used for unsupported-op and "model that lies" cases.
 */
import * as flatbuffers from 'flatbuffers';
import * as fb from '../../src/tflite/schema/schema_generated.js';

export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'int8' | 'int32' | 'float32' | 'uint8' | 'int16' | 'int64' | 'bool';
  scale?: number[];
  /** zero points (default: one 0 per scale); may be given with a different length than `scale` */
  zeroPoint?: number[];
  axis?: number;
  data?: Uint8Array;
  /** a Buffer that claims its data lies outside the flatbuffer at this absolute file offset and size */
  external?: { offset: bigint; size: bigint };
}

export interface OpSpec {
  op: keyof typeof fb.BuiltinOperator;
  inputs: number[];
  outputs: number[];
  conv?: {
    padding?: 'same' | 'valid'; stride?: number; dilation?: number; activation?: keyof typeof fb.ActivationFunctionType; depthMultiplier?: number;
    /** per-axis values (override stride / dilation) */
    strideH?: number; strideW?: number; dilationH?: number; dilationW?: number;
  };
  /** AVERAGE_POOL_2D / MAX_POOL_2D options */
  pool?: { padding?: 'same' | 'valid'; stride?: number; filter: number; activation?: keyof typeof fb.ActivationFunctionType; strideH?: number; strideW?: number; filterH?: number; filterW?: number };
  /** fused activation of FULLY_CONNECTED, ADD, MUL, CONCATENATION */
  activation?: keyof typeof fb.ActivationFunctionType;
  /** CONCATENATION axis */
  axis?: number;
  /** SOFTMAX beta */
  beta?: number;
  /** MEAN keep_dims, FULLY_CONNECTED keep_num_dims */
  keepDims?: boolean;
  /** RESHAPE new_shape option */
  newShape?: number[];
}

export interface ModelSpec {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
}

const dtypes = {
  int8: fb.TensorType.INT8, int32: fb.TensorType.INT32, float32: fb.TensorType.FLOAT32, uint8: fb.TensorType.UINT8,
  int16: fb.TensorType.INT16, int64: fb.TensorType.INT64, bool: fb.TensorType.BOOL,
};

export function buildModel(spec: ModelSpec): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const bufferOffsets: number[] = [fb.Buffer.createBuffer(b, 0, 0n, 0n)];
  const tensorOffsets = spec.tensors.map((t) => {
    let bufferIndex = 0;
    if (t.data) {
      b.startVector(1, t.data.length, 16);
      for (let i = t.data.length - 1; i >= 0; i--) b.addInt8(t.data[i]!);
      const v = b.endVector();
      bufferIndex = bufferOffsets.length;
      bufferOffsets.push(fb.Buffer.createBuffer(b, v, 0n, 0n));
    } else if (t.external) {
      bufferIndex = bufferOffsets.length;
      bufferOffsets.push(fb.Buffer.createBuffer(b, 0, t.external.offset, t.external.size));
    }
    const name = b.createString(t.name);
    const shape = fb.Tensor.createShapeVector(b, t.shape);
    let q = 0;
    if (t.scale) {
      const sc = fb.QuantizationParameters.createScaleVector(b, t.scale);
      const zp = fb.QuantizationParameters.createZeroPointVector(b, (t.zeroPoint ?? t.scale.map(() => 0)).map((z) => BigInt(z)));
      q = fb.QuantizationParameters.createQuantizationParameters(b, 0, 0, sc, zp, fb.QuantizationDetails.NONE, 0, t.axis ?? 0);
    }
    fb.Tensor.startTensor(b);
    fb.Tensor.addShape(b, shape);
    fb.Tensor.addType(b, dtypes[t.dtype]);
    fb.Tensor.addBuffer(b, bufferIndex);
    fb.Tensor.addName(b, name);
    if (q) fb.Tensor.addQuantization(b, q);
    return fb.Tensor.endTensor(b);
  });
  const names = [...new Set(spec.ops.map((o) => o.op))];
  const codes = names.map((n) => fb.OperatorCode.createOperatorCode(b, Math.min(127, fb.BuiltinOperator[n]), 0, 1, fb.BuiltinOperator[n]));
  const ops = spec.ops.map((o) => {
    const ins = fb.Operator.createInputsVector(b, o.inputs);
    const outs = fb.Operator.createOutputsVector(b, o.outputs);
    let optType = fb.BuiltinOptions.NONE, opt = 0;
    const act = fb.ActivationFunctionType[o.conv?.activation ?? o.pool?.activation ?? o.activation ?? 'NONE'];
    const pad = (p: 'same' | 'valid' | undefined) => (p === 'valid' ? fb.Padding.VALID : fb.Padding.SAME);
    if (o.conv && o.op === 'CONV_2D') {
      const c = o.conv;
      optType = fb.BuiltinOptions.Conv2DOptions;
      opt = fb.Conv2DOptions.createConv2DOptions(b, pad(c.padding), c.strideW ?? c.stride ?? 1, c.strideH ?? c.stride ?? 1,
        act, c.dilationW ?? c.dilation ?? 1, c.dilationH ?? c.dilation ?? 1, fb.TensorType.FLOAT32);
    } else if (o.conv && o.op === 'DEPTHWISE_CONV_2D') {
      const c = o.conv;
      optType = fb.BuiltinOptions.DepthwiseConv2DOptions;
      opt = fb.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, pad(c.padding), c.strideW ?? c.stride ?? 1, c.strideH ?? c.stride ?? 1,
        c.depthMultiplier ?? 1, act, c.dilationW ?? c.dilation ?? 1, c.dilationH ?? c.dilation ?? 1);
    } else if (o.pool && (o.op === 'AVERAGE_POOL_2D' || o.op === 'MAX_POOL_2D')) {
      const p = o.pool;
      optType = fb.BuiltinOptions.Pool2DOptions;
      opt = fb.Pool2DOptions.createPool2DOptions(b, pad(p.padding), p.strideW ?? p.stride ?? 1, p.strideH ?? p.stride ?? 1, p.filterW ?? p.filter, p.filterH ?? p.filter, act);
    } else if (o.op === 'FULLY_CONNECTED' && (o.activation || o.keepDims !== undefined)) {
      optType = fb.BuiltinOptions.FullyConnectedOptions;
      opt = fb.FullyConnectedOptions.createFullyConnectedOptions(b, act, fb.FullyConnectedOptionsWeightsFormat.DEFAULT, o.keepDims ?? false, false, fb.TensorType.FLOAT32);
    } else if (o.op === 'ADD' && o.activation) {
      optType = fb.BuiltinOptions.AddOptions;
      opt = fb.AddOptions.createAddOptions(b, act, true);
    } else if (o.op === 'MUL' && o.activation) {
      optType = fb.BuiltinOptions.MulOptions;
      opt = fb.MulOptions.createMulOptions(b, act);
    } else if (o.op === 'CONCATENATION' && (o.axis !== undefined || o.activation)) {
      optType = fb.BuiltinOptions.ConcatenationOptions;
      opt = fb.ConcatenationOptions.createConcatenationOptions(b, o.axis ?? 0, act);
    } else if (o.op === 'SOFTMAX' && o.beta !== undefined) {
      optType = fb.BuiltinOptions.SoftmaxOptions;
      opt = fb.SoftmaxOptions.createSoftmaxOptions(b, o.beta);
    } else if (o.op === 'MEAN' && o.keepDims !== undefined) {
      optType = fb.BuiltinOptions.ReducerOptions;
      opt = fb.ReducerOptions.createReducerOptions(b, o.keepDims);
    } else if (o.op === 'RESHAPE' && o.newShape) {
      optType = fb.BuiltinOptions.ReshapeOptions;
      opt = fb.ReshapeOptions.createReshapeOptions(b, fb.ReshapeOptions.createNewShapeVector(b, o.newShape));
    }
    fb.Operator.startOperator(b);
    fb.Operator.addOpcodeIndex(b, names.indexOf(o.op));
    fb.Operator.addInputs(b, ins);
    fb.Operator.addOutputs(b, outs);
    if (opt) {
      fb.Operator.addBuiltinOptionsType(b, optType);
      fb.Operator.addBuiltinOptions(b, opt);
    }
    return fb.Operator.endOperator(b);
  });
  const sg = fb.SubGraph.createSubGraph(b, fb.SubGraph.createTensorsVector(b, tensorOffsets), fb.SubGraph.createInputsVector(b, spec.inputs),
    fb.SubGraph.createOutputsVector(b, spec.outputs), fb.SubGraph.createOperatorsVector(b, ops), b.createString('main'), -1);
  const model = fb.Model.createModel(b, 3, fb.Model.createOperatorCodesVector(b, codes), fb.Model.createSubgraphsVector(b, [sg]), b.createString('test model'),
    fb.Model.createBuffersVector(b, bufferOffsets), 0, 0, 0, 0, 0);
  b.finish(model, 'TFL3');
  return b.asUint8Array().slice();
}

/** seeded int8 bytes */
export function int8Data(n: number, seed: number, range = 127): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (((x >>> 16) % (2 * range + 1)) - range) & 0xff;
  }
  return out;
}

export function int32Data(values: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(values).buffer);
}

/** A small int8 conv -> depthwise -> conv graph (a MobileNetV1 pair) with the given op swapped in at the end. */
export function tinyConvModel(opts: { extraOp?: OpSpec['op']; inputDtype?: 'int8' | 'float32'; scaleOut?: number; zeroPointIn?: number } = {}): Uint8Array {
  const q = (s: number, z = 0) => ({ scale: [s], zeroPoint: [z] });
  const tensors: TensorSpec[] = [
    { name: 'input', shape: [1, 8, 8, 3], dtype: opts.inputDtype ?? 'int8', ...(opts.inputDtype === 'float32' ? {} : q(0.02, opts.zeroPointIn ?? -3)) },
    { name: 'w1', shape: [4, 3, 3, 3], dtype: 'int8', scale: [0.01, 0.02, 0.015, 0.03], zeroPoint: [0, 0, 0, 0], axis: 0, data: int8Data(108, 1) },
    { name: 'b1', shape: [4], dtype: 'int32', scale: [0.0002, 0.0004, 0.0003, 0.0006], zeroPoint: [0, 0, 0, 0], data: int32Data([100, -50, 7, 0]) },
    { name: 'conv1', shape: [1, 4, 4, 4], dtype: 'int8', ...q(opts.scaleOut ?? 0.05, -128) },
  ];
  const ops: OpSpec[] = [{ op: 'CONV_2D', inputs: [0, 1, 2], outputs: [3], conv: { stride: 2, activation: 'RELU6' } }];
  if (opts.extraOp) {
    tensors.push({ name: 'extra', shape: [1, 4, 4, 4], dtype: 'int8', ...q(0.05, -128) });
    ops.push({ op: opts.extraOp, inputs: [3], outputs: [4] });
  }
  return buildModel({ tensors, ops, inputs: [0], outputs: [tensors.length - 1] });
}

export function int64Data(values: (number | bigint)[]): Uint8Array {
  return new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
}

export function float32Data(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
