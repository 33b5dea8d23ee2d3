/**
 * Spatial geometry shared by the interpreter, the planner and codegen: output sizes and TFLite's padding
 * (ComputePaddingHeightWidth: SAME puts the odd pixel of padding at the bottom/right).
 */
import type { Padding } from './types.js';

export function dilatedSize(filter: number, dilation: number): number {
  return (filter - 1) * dilation + 1;
}

export function outputSize(padding: Padding, input: number, filter: number, stride: number, dilation = 1): number {
  const eff = dilatedSize(filter, dilation);
  return padding === 'same' ? Math.floor((input + stride - 1) / stride) : Math.floor((input - eff + stride) / stride);
}

/** Padding before the first row/column (the "offset" part goes after). */
export function paddingBefore(padding: Padding, input: number, filter: number, stride: number, dilation: number, output: number): number {
  if (padding === 'valid') return 0;
  const total = Math.max(0, (output - 1) * stride + dilatedSize(filter, dilation) - input);
  return Math.floor(total / 2);
}

export interface Window2D {
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  filterH: number;
  filterW: number;
  padTop: number;
  padLeft: number;
}
