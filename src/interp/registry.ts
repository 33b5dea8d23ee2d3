/**
 * One interpreter kernel per op kind. Each kernel reads its inputs from the Context and writes its outputs.
 * The mapped type makes the compiler insist that every IR op kind has a kernel.
 */
import type { Op, OpKind } from '../ir/types.js';
import type { Context } from './context.js';
import { add } from './ops/add.js';
import { conv2d, depthwiseConv2d } from './ops/conv.js';
import { fullyConnected } from './ops/fully-connected.js';
import { pad } from './ops/pad.js';
import { pool2d } from './ops/pool.js';
import { dequantize, quantize } from './ops/quantize.js';
import { reshape } from './ops/reshape.js';

type Kernel<K extends OpKind> = (op: Extract<Op, { kind: K }>, ctx: Context) => void;
export type KernelTable = { [K in OpKind]: Kernel<K> };

export const kernels: Partial<KernelTable> = {
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
};
