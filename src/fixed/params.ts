/**
 * Quantization parameters derived from tensor scales, computed exactly as TFLM's Prepare functions do
 * (kernel_util.cc, quantization_util.cc). The interpreter and codegen both call these, so the C runtime
 * receives the very multipliers the reference used.
 */
import type { Activation, Tensor } from '../ir/types.js';
import { downScaleInt32ToInt16Multiplier } from './gemmlowp.js';
import { clamp, frexp, quantizeMultiplier, roundHalfAway, type QuantizedMultiplier } from './index.js';

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

/**
 * tflite::CalculateActivationRangeQuantized (kernels/kernel_util.cc): quantize f as zp + round(f / scale),
 * f / scale in float32. Any other fused activation (TANH, SIGN_BIT) falls into TFLM's `else` branch and
 * clamps to the full dtype range only.
 */
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
    default: return [qmin, qmax];
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
 * FULLY_CONNECTED (micro/kernels/fully_connected_common.cc CalculateOpDataFullyConnected):
 * - per-tensor filter: GetQuantizedConvolutionMultipler (kernels/kernel_util.cc) takes the input * filter
 *   product in float32 first, then divides in double: (double)(s_in * s_w) / (double)s_out;
 * - per-channel filter (scale count > 1, int8 only): the conv formula per output channel,
 *   (double)s_in * (double)s_w[c] / (double)s_out.
 */
export function fcMultipliers(input: Tensor, filter: Tensor, output: Tensor, channels: number): QuantizedMultiplier[] {
  const fs = filter.quant?.scales ?? [0];
  if (fs.length > 1) return convMultipliers(input, filter, output, channels);
  const m = quantizeMultiplier(Math.fround(scaleOf(input) * fs[0]!) / scaleOf(output));
  return Array.from({ length: channels }, () => m);
}

/**
 * QUANTIZE between integer types (micro/kernels/quantize_common.cc PrepareQuantizeReference), also MEAN's and
 * RELU's base multiplier: QuantizeMultiplier((double)s_in / (double)s_out).
 */
export function requantizeMultiplier(input: Tensor, output: Tensor): QuantizedMultiplier {
  return quantizeMultiplier(scaleOf(input) / scaleOf(output));
}

// ---------------------------------------------------------------------------------------------------------
// Derived parameters of the ops added for MobileNetV2/V3 heads. Each function mirrors one TFLM Prepare.

/**
 * MUL int8 (micro/kernels/mul_common.cc CalculateOpDataMul): one multiplier for
 * (double)s1 * (double)s2 / (double)s_out, the clamp range of the fused activation, and the zero points.
 */
export interface MulParams {
  in1Offset: number;
  in2Offset: number;
  outOffset: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}
/**
 * Which implementation's arithmetic to reproduce. mnetc's golden answer is TFLM ('tflm'). TensorFlow Lite's
 * own reference kernels ('tflite', the converter's interpreter) differ in one place the zoo exercises: MUL
 * computes its multiplier as s1 * s2 / s_out in float32 (lite/kernels/mul.cc), TFLM in double
 * (micro/kernels/mul_common.cc), which moves a rare output by one step.
 */
export type Semantics = 'tflm' | 'tflite';

export function mulParams(a: Tensor, b: Tensor, out: Tensor, act: Activation, semantics: Semantics = 'tflm'): MulParams {
  const real = semantics === 'tflite' ? Math.fround(Math.fround(scaleOf(a) * scaleOf(b)) / scaleOf(out)) : (scaleOf(a) * scaleOf(b)) / scaleOf(out);
  const { multiplier, shift } = quantizeMultiplier(real);
  const [actMin, actMax] = activationRange(act, out);
  return { in1Offset: -zeroPointOf(a), in2Offset: -zeroPointOf(b), outOffset: zeroPointOf(out), multiplier, shift, actMin, actMax };
}

/**
 * MEAN int8 (micro/kernels/reduce_common.cc PrepareMeanOrSumHelper): QuantizeMultiplier of
 * (double)s_in / (double)s_out. The 1/N factor is folded in at eval time by meanFoldedMultiplier.
 */
export function meanMultiplier(input: Tensor, output: Tensor): QuantizedMultiplier {
  return requantizeMultiplier(input, output);
}

/**
 * reference/reduce.h QuantizedMeanOrSum (mean case): folds 1/N into the multiplier.
 *   s = floor(log2 N), capped at 32 and at 31 + shift;
 *   multiplier' = (int32)(((int64)multiplier << s) / N)   (C division, truncating);
 *   shift' = shift - s.
 */
export function meanFoldedMultiplier(m: QuantizedMultiplier, n: number): QuantizedMultiplier {
  let s = floorLog2(n);
  s = Math.min(s, 32);
  s = Math.min(s, 31 + m.shift);
  const folded = Number((BigInt(m.multiplier) << BigInt(s)) / BigInt(n));
  return { multiplier: folded | 0, shift: m.shift - s };
}

/** 63 - CountLeadingZeros((uint64)n) for a positive integer n */
function floorLog2(n: number): number {
  return n.toString(2).length - 1;
}


/**
 * SOFTMAX int8 (micro/kernels/softmax_common.cc CalculateSoftmaxParams with kScaledDiffIntegerBits = 5;
 * quantization_util.cc PreprocessSoftmaxScaling and CalculateInputRadius):
 *   real = min((double)beta * (double)s_in * 2^26, 2^31 - 1); (multiplier, leftShift) = QuantizeMultiplier(real)
 *   diffMin = -floor(31 * 2^26 / 2^leftShift)
 */
export interface SoftmaxParams {
  inputMultiplier: number;
  inputLeftShift: number;
  diffMin: number;
}
export const SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5;
export const SOFTMAX_ACCUMULATION_INTEGER_BITS = 12;
export function softmaxParams(inputScale: number, beta: number): SoftmaxParams {
  const intBits = SOFTMAX_SCALED_DIFF_INTEGER_BITS;
  const real = Math.min(beta * inputScale * 2 ** (31 - intBits), 2 ** 31 - 1);
  const { multiplier, shift } = quantizeMultiplier(real);
  return { inputMultiplier: multiplier, inputLeftShift: shift, diffMin: 0 - calculateInputRadius(intBits, shift, 31) };
}

/** tflite::CalculateInputRadius (float build): floor((2^intBits - 1) * 2^(total - intBits) / 2^leftShift) */
export function calculateInputRadius(inputIntegerBits: number, inputLeftShift: number, totalSignedBits = 31): number {
  const max = ((2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift;
  return Math.floor(max);
}

/**
 * LOGISTIC int8 (micro/kernels/logistic_common.cc, kInputIntegerBits = 4):
 *   real = (double)s_in * 2^27; (q, leftShift) = frexp(real); multiplier = (int32)round(q * 2^31)
 *   (no 2^31 overflow fix here, unlike QuantizeMultiplier: on x86-64 the cast of 2^31 yields INT32_MIN);
 *   rangeRadius = CalculateInputRadius(4, leftShift, 31).
 * The output is always read as scale 1/256, zero point -128 (TFLM checks only the zero point).
 */
export interface LogisticParams {
  inputZeroPoint: number;
  inputMultiplier: number;
  inputLeftShift: number;
  inputRangeRadius: number;
}
export const LOGISTIC_INPUT_INTEGER_BITS = 4;
export function logisticParams(input: Tensor): LogisticParams {
  const real = scaleOf(input) * 2 ** (31 - LOGISTIC_INPUT_INTEGER_BITS);
  const { m, e } = frexp(real);
  let multiplier = roundHalfAway(m * 2 ** 31);
  if (multiplier >= 2 ** 31) multiplier = -(2 ** 31);
  return {
    inputZeroPoint: zeroPointOf(input),
    inputMultiplier: multiplier,
    inputLeftShift: e,
    inputRangeRadius: calculateInputRadius(LOGISTIC_INPUT_INTEGER_BITS, e, 31),
  };
}

/**
 * HARD_SWISH int8 (micro/kernels/hard_swish_common.cc HardSwishPrepare). All in float32 first:
 *   hires = (1/128) * s_in;  outputReal = (double)(hires / s_out);  reluishReal = (double)(hires / (3/32768))
 * each QuantizeMultiplier'd, then the Q31 significands are rounded to Q15 (DownScaleInt32ToInt16Multiplier).
 * TFLM rejects a positive output exponent.
 */
export interface HardSwishParams {
  inputZeroPoint: number;
  outputZeroPoint: number;
  outputMultiplier: number;
  outputExponent: number;
  reluishMultiplier: number;
  reluishExponent: number;
}
export function hardSwishParams(input: Tensor, output: Tensor): HardSwishParams {
  const f = Math.fround;
  const hires = f(f(1 / 128) * scaleOf(input));
  const reluishScale = f(3 / 32768);
  const om = quantizeMultiplier(f(hires / scaleOf(output)));
  const rm = quantizeMultiplier(f(hires / reluishScale));
  return {
    inputZeroPoint: zeroPointOf(input),
    outputZeroPoint: zeroPointOf(output),
    outputMultiplier: downScaleInt32ToInt16Multiplier(om.multiplier),
    outputExponent: om.shift,
    reluishMultiplier: downScaleInt32ToInt16Multiplier(rm.multiplier),
    reluishExponent: rm.shift,
  };
}

/**
 * RELU int8 (micro/kernels/activations_common.cc CalculateReluOpData): requantize with
 * (double)s_in / (double)s_out, clamp to [max(-128, zp_out + roundf(0 / s_out)), 127].
 */
export interface ReluParams {
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}
export function reluParams(input: Tensor, output: Tensor): ReluParams {
  const [qmin, qmax] = dtypeRange(output.dtype);
  const { multiplier, shift } = requantizeMultiplier(input, output);
  const zo = zeroPointOf(output);
  return { inputZeroPoint: zeroPointOf(input), outputZeroPoint: zo, multiplier, shift, actMin: Math.max(qmin, zo), actMax: qmax };
}

/**
 * RELU6 int8 (activations_common.cc Relu6Prepare): no requantization at all; clamp the raw input to
 * [zp_in, FloatToQuantizedType(6, s_in, zp_in)] where the latter is round(6f / s_in) + zp_in clamped to int8.
 * The output tensor's own scale and zero point are ignored by TFLM.
 */
export function relu6Params(input: Tensor): { zero: number; six: number } {
  const [qmin, qmax] = dtypeRange(input.dtype);
  const zp = zeroPointOf(input);
  const six = clamp(roundHalfAway(Math.fround(6 / scaleOf(input))) + zp, qmin, qmax);
  return { zero: zp, six };
}
