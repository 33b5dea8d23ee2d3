/**
 * mnetc's intermediate representation: a typed graph of tensors and ops.
 *
 * - Layout is always NHWC (TFLite's), shapes are plain number arrays.
 * - Scales are kept as the float32 values stored in the file (a JS number holding a float32 exactly);
 *   every multiplier derived from them is computed later, in src/fixed, in the precision TFLM uses.
 * - Ops are a discriminated union on `kind`. `inputs`/`outputs` hold tensor indices in TFLite order;
 *   -1 marks an omitted optional input (a conv without bias).
 */

export type DType = 'float32' | 'float16' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool' | 'other';

export interface Quantization {
  /** float32 scale(s): one per tensor, or one per slice along `axis` */
  scales: number[];
  zeroPoints: number[];
  /** quantized dimension for per-channel quantization (0 for per-tensor) */
  axis: number;
}

export interface Tensor {
  index: number;
  name: string;
  shape: number[];
  dtype: DType;
  quant: Quantization | null;
  /** bytes of a constant tensor (weights, biases, shape vectors); null for activations */
  data: Uint8Array | null;
}

export type Activation = 'none' | 'relu' | 'relu_n1_to_1' | 'relu6' | 'tanh' | 'sign_bit';
export type Padding = 'same' | 'valid';

interface OpBase {
  /** position in the original TFLite operator list */
  index: number;
  inputs: number[];
  outputs: number[];
  /** TFLite builtin operator name, e.g. 'CONV_2D' */
  opName: string;
}

/** Padding given in pixels (a PAD op folded into the convolution); overrides `padding` when present. */
export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface Conv2DOp extends OpBase {
  kind: 'conv2d';
  padding: Padding;
  explicitPadding?: ExplicitPadding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: Activation;
}
export interface DepthwiseConv2DOp extends OpBase {
  kind: 'depthwise_conv2d';
  padding: Padding;
  explicitPadding?: ExplicitPadding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  depthMultiplier: number;
  activation: Activation;
}
export interface FullyConnectedOp extends OpBase {
  kind: 'fully_connected';
  activation: Activation;
  keepNumDims: boolean;
}
export interface AddOp extends OpBase {
  kind: 'add';
  activation: Activation;
}
export interface MulOp extends OpBase {
  kind: 'mul';
  activation: Activation;
}
export interface Pool2DOp extends OpBase {
  kind: 'average_pool2d' | 'max_pool2d';
  padding: Padding;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  activation: Activation;
}
/** MEAN and REDUCE_MAX: a reduction over the axes in the constant second input. */
export interface MeanOp extends OpBase {
  kind: 'mean' | 'reduce_max';
  keepDims: boolean;
}
export interface PadOp extends OpBase {
  kind: 'pad';
}
export interface ReshapeOp extends OpBase {
  kind: 'reshape' | 'squeeze';
}
export interface TransposeOp extends OpBase {
  kind: 'transpose';
}
export interface ConcatOp extends OpBase {
  kind: 'concatenation';
  axis: number;
  activation: Activation;
}
export interface SoftmaxOp extends OpBase {
  kind: 'softmax';
  beta: number;
}
export interface UnaryOp extends OpBase {
  kind: 'logistic' | 'hard_swish' | 'relu' | 'relu6' | 'quantize' | 'dequantize';
}
export interface ResizeNearestOp extends OpBase {
  kind: 'resize_nearest_neighbor';
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

export type Op =
  | Conv2DOp
  | DepthwiseConv2DOp
  | FullyConnectedOp
  | AddOp
  | MulOp
  | Pool2DOp
  | MeanOp
  | PadOp
  | ReshapeOp
  | TransposeOp
  | ConcatOp
  | SoftmaxOp
  | UnaryOp
  | ResizeNearestOp;

export type OpKind = Op['kind'];

export interface Graph {
  tensors: Tensor[];
  /** ops in execution order */
  ops: Op[];
  inputs: number[];
  outputs: number[];
  /** model description and metadata entries (names only; data by reference into the file) */
  description: string;
  metadata: { name: string; data: Uint8Array | null }[];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function dtypeBytes(t: DType): number {
  switch (t) {
    case 'int8':
    case 'uint8':
    case 'bool':
      return 1;
    case 'int16':
    case 'float16':
      return 2;
    case 'int32':
    case 'float32':
      return 4;
    case 'int64':
      return 8;
    default:
      return 1;
  }
}

export function tensorBytes(t: Tensor): number {
  return elementCount(t.shape) * dtypeBytes(t.dtype);
}

/** Typed array holding one tensor's values in the interpreter and in tests. */
export type TensorValues = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;
