/**
 * Quantization parameters derived from tensor scales, computed exactly as TFLM's Prepare functions do
 * (kernel_util.cc, quantization_util.cc). The interpreter and codegen both call these, so the C runtime
 * receives the very multipliers the reference used.
 */
import type { Activation, Tensor } from '../ir/types.js';
import { quantizeMultiplier, roundHalfAway, type QuantizedMultiplier } from './index.js';

export function dtypeRange(dtype: string): [number, number] {
  switch (dtype) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    default: throw new Error(`no integer range for ${dtype}`);
  }
}

export function scaleOf(t: Tensor): number {
  return t.quant?.scales[0] ?? 0;
}
export function zeroPointOf(t: Tensor): number {
  return t.quant?.zeroPoints[0] ?? 0;
}

/** tflite::CalculateActivationRangeQuantized: quantize f as zp + round(f / scale), f / scale in float32. */
export function activationRange(act: Activation, out: Tensor): [number, number] {
  const [qmin, qmax] = dtypeRange(out.dtype);
  const scale = scaleOf(out);
  const zp = zeroPointOf(out);
  const q = (f: number): number => zp + roundHalfAway(Math.fround(f / scale));
  switch (act) {
    case 'none': return [qmin, qmax];
    case 'relu': return [Math.max(qmin, q(0)), qmax];
    case 'relu6': return [Math.max(qmin, q(0)), Math.min(qmax, q(6))];
    case 'relu_n1_to_1': return [Math.max(qmin, q(-1)), Math.min(qmax, q(1))];
    default: throw new Error(`fused activation ${act} is not supported on quantized tensors`);
  }
}

/**
 * Per-output-channel multipliers for CONV_2D and DEPTHWISE_CONV_2D (PopulateConvolutionQuantizationParams):
 * effective scale = (double)input_scale * (double)filter_scale[c] / (double)output_scale.
 */
export function convMultipliers(input: Tensor, filter: Tensor, output: Tensor, channels: number): QuantizedMultiplier[] {
  const fs = filter.quant?.scales ?? [0];
  const si = scaleOf(input);
  const so = scaleOf(output);
  const out: QuantizedMultiplier[] = [];
  for (let c = 0; c < channels; c++) {
    const f = fs.length > 1 ? fs[c]! : fs[0]!;
    out.push(quantizeMultiplier((si * f) / so));
  }
  return out;
}

/**
 * FULLY_CONNECTED (GetQuantizedConvolutionMultipler): the input*filter product is taken in float32 first,
 * then divided in double. Per-channel filters use the conv formula per channel.
 */
export function fcMultipliers(input: Tensor, filter: Tensor, output: Tensor, channels: number): QuantizedMultiplier[] {
  const fs = filter.quant?.scales ?? [0];
  if (fs.length > 1) return convMultipliers(input, filter, output, channels);
  const m = quantizeMultiplier(Math.fround(scaleOf(input) * fs[0]!) / scaleOf(output));
  return Array.from({ length: channels }, () => m);
}
