/**
 * Spatial geometry shared by the interpreter, the planner and codegen: output sizes and TFLite's padding
 * (ComputePaddingHeightWidth: SAME puts the odd pixel of padding at the bottom/right).
 */
import type { Conv2DOp, DepthwiseConv2DOp, Padding } from './types.js';

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

/**
 * Top/left padding of a convolution: the explicit pixels of a folded PAD, or TFLite's SAME/VALID rule.
 * Bottom/right padding never needs to be known by a kernel: taps below/right of the image are skipped.
 */
export function convPadding(op: Conv2DOp | DepthwiseConv2DOp, inH: number, inW: number, kH: number, kW: number, outH: number, outW: number): { top: number; left: number } {
  if (op.explicitPadding) return { top: op.explicitPadding.top, left: op.explicitPadding.left };
  return {
    top: paddingBefore(op.padding, inH, kH, op.strideH, op.dilationH, outH),
    left: paddingBefore(op.padding, inW, kW, op.strideW, op.dilationW, outW),
  };
}

/** Output size of a convolution, honouring explicit padding. */
export function convOutputSize(op: Conv2DOp | DepthwiseConv2DOp, dim: 'h' | 'w', input: number, filter: number): number {
  const stride = dim === 'h' ? op.strideH : op.strideW;
  const dil = dim === 'h' ? op.dilationH : op.dilationW;
  const e = op.explicitPadding;
  if (!e) return outputSize(op.padding, input, filter, stride, dil);
  const padded = input + (dim === 'h' ? e.top + e.bottom : e.left + e.right);
  return Math.floor((padded - dilatedSize(filter, dil)) / stride) + 1;
}
