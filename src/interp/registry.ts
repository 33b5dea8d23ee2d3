/**
 * One interpreter kernel per op kind. Each kernel reads its inputs from the Context and writes its outputs.
 * The mapped type makes the compiler insist that every IR op kind has a kernel.
 */
import type { Op, OpKind } from '../ir/types.js';
import type { Context } from './context.js';
import { relu, relu6 } from './ops/activations.js';
import { add } from './ops/add.js';
import { concatenation } from './ops/concatenation.js';
import { conv2d, depthwiseConv2d } from './ops/conv.js';
import { fullyConnected } from './ops/fully-connected.js';
import { hardSwish } from './ops/hard-swish.js';
import { logistic } from './ops/logistic.js';
import { mean } from './ops/mean.js';
import { reduceMax } from './ops/reduce-max.js';
import { mul } from './ops/mul.js';
import { pad } from './ops/pad.js';
import { pool2d } from './ops/pool.js';
import { dequantize, quantize } from './ops/quantize.js';
import { reshape } from './ops/reshape.js';
import { resizeNearestNeighbor } from './ops/resize-nearest.js';
import { softmax } from './ops/softmax.js';
import { transpose } from './ops/transpose.js';

type Kernel<K extends OpKind> = (op: Extract<Op, { kind: K }>, ctx: Context) => void;
export type KernelTable = { [K in OpKind]: Kernel<K> };

export const kernels: KernelTable = {
  conv2d,
  depthwise_conv2d: depthwiseConv2d,
  fully_connected: fullyConnected,
  add,
  average_pool2d: pool2d,
  max_pool2d: pool2d,
  pad,
  reshape,
  squeeze: reshape,
  quantize,
  dequantize,
  mul,
  mean,
  reduce_max: reduceMax,
  softmax,
  logistic,
  hard_swish: hardSwish,
  relu,
  relu6,
  transpose,
  concatenation,
  resize_nearest_neighbor: resizeNearestNeighbor,
};
