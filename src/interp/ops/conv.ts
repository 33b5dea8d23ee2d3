/**
 * CONV_2D and DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLM micro/kernels/conv_common.cc and
 * depthwise_conv_common.cc -> kernels/kernel_util.cc PopulateConvolutionQuantizationParams;
 * reference_integer_ops::ConvPerChannel and DepthwiseConvPerChannel): acc = sum over in-image taps of
 * w * (x - in_zp), + bias[c]; out = MultiplyByQuantizedMultiplier(acc, M[c], shift[c]) + out_zp, clamped to the
 * fused activation range. Taps outside the image are skipped (the same as padding with in_zp). CONV_2D supports
 * grouped filters (input depth a multiple of the filter depth), DEPTHWISE_CONV_2D any depth multiplier.
 * The loops are arranged for speed (zero point folded into a copy of the input, 1x1 convolutions four output
 * channels at a time); accumulation is exact in doubles and wrapped to int32 once, which equals C's wrapping sum.
 */
import { fail } from '../../diagnostics.js';
import { mulByQuantizedMultiplier } from '../../fixed/index.js';
import { activationRange, convMultipliers, zeroPointOf } from '../../fixed/params.js';
import { convPadding } from '../../ir/geometry.js';
import type { Conv2DOp, DepthwiseConv2DOp } from '../../ir/types.js';
import type { Context } from '../context.js';

function requireInt8(ctx: Context, op: Conv2DOp | DepthwiseConv2DOp): void {
  const [i, f] = op.inputs;
  if (ctx.tensor(i!).dtype !== 'int8' || ctx.tensor(f!).dtype !== 'int8' || ctx.tensor(op.outputs[0]!).dtype !== 'int8') {
    fail('MN301', `${op.opName} ${op.index}: only int8 input, filter and output are supported`);
  }
}

/** the input with the negated input zero point already added (x - zp_in), so inner loops do one multiply-add */
function offsetInput(x: Int8Array, inOff: number): Int32Array {
  const xo = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) xo[i] = x[i]! + inOff;
  return xo;
}

function multiplierArrays(qm: { multiplier: number; shift: number }[]): { mult: Int32Array; shift: Int32Array } {
  return { mult: Int32Array.from(qm, (q) => q.multiplier), shift: Int32Array.from(qm, (q) => q.shift) };
}

export function conv2d(op: Conv2DOp, ctx: Context): void {
  requireInt8(ctx, op);
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), fT = ctx.tensor(fi), oT = ctx.tensor(oi);
  const x = ctx.getInt8(ii), w = ctx.getInt8(fi);
  const bias = bi !== undefined && bi >= 0 ? ctx.getInt32(bi) : null;
  const y = ctx.out(oi) as Int8Array;
  const [batches, inH, inW, inC] = inT.shape as [number, number, number, number];
  const [outC, kH, kW, filterInC] = fT.shape as [number, number, number, number];
  const [, outH, outW] = oT.shape as [number, number, number, number];
  if (inC % filterInC !== 0) fail('MN302', `CONV_2D ${op.index}: input depth ${inC} is not a multiple of filter depth ${filterInC}`);
  const groups = inC / filterInC;
  const outPerGroup = outC / groups;
  const { strideH, strideW, dilationH, dilationW } = op;
  const { top: padT, left: padL } = convPadding(op, inH, inW, kH, kW, outH, outW);
  const outZp = zeroPointOf(oT);
  const [lo, hi] = activationRange(op.activation, oT);
  const { mult, shift } = multiplierArrays(convMultipliers(inT, fT, oT, outC));
  const xo = offsetInput(x, -zeroPointOf(inT));
  const biasOf = (oc: number): number => (bias ? bias[oc]! : 0);
  const pointwise = kH === 1 && kW === 1 && padT === 0 && padL === 0;
  const requant = (acc: number, oc: number): number => {
    const r = mulByQuantizedMultiplier((acc + biasOf(oc)) | 0, mult[oc]!, shift[oc]!) + outZp;
    return r < lo ? lo : r > hi ? hi : r;
  };
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padT;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padL;
        const yBase = ((b * outH + oy) * outW + ox) * outC;
        if (pointwise && groups === 1) {
          // 1x1 convolution: a dot product of the pixel with each filter row; four rows at a time
          const xb = ((b * inH + iy0) * inW + ix0) * inC;
          let oc = 0;
          for (; oc + 4 <= outC; oc += 4) {
            const w0 = oc * inC, w1 = w0 + inC, w2 = w1 + inC, w3 = w2 + inC;
            let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (let c = 0; c < inC; c++) {
              const xv = xo[xb + c]!;
              a0 += w[w0 + c]! * xv;
              a1 += w[w1 + c]! * xv;
              a2 += w[w2 + c]! * xv;
              a3 += w[w3 + c]! * xv;
            }
            y[yBase + oc] = requant(a0, oc);
            y[yBase + oc + 1] = requant(a1, oc + 1);
            y[yBase + oc + 2] = requant(a2, oc + 2);
            y[yBase + oc + 3] = requant(a3, oc + 3);
          }
          for (; oc < outC; oc++) {
            const wb = oc * inC;
            let acc = 0;
            for (let c = 0; c < inC; c++) acc += w[wb + c]! * xo[xb + c]!;
            y[yBase + oc] = requant(acc, oc);
          }
          continue;
        }
        for (let oc = 0; oc < outC; oc++) {
          const gOff = Math.floor(oc / outPerGroup) * filterInC;
          // acc = sum over in-image taps of w * (x - zp_in), then + bias (reference_integer_ops::ConvPerChannel)
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * dilationW;
              if (ix < 0 || ix >= inW) continue;
              const xb = ((b * inH + iy) * inW + ix) * inC + gOff;
              const wb = ((oc * kH + ky) * kW + kx) * filterInC;
              for (let c = 0; c < filterInC; c++) acc += w[wb + c]! * xo[xb + c]!;
            }
          }
          y[yBase + oc] = requant(acc, oc);
        }
      }
    }
  }
}

export function depthwiseConv2d(op: DepthwiseConv2DOp, ctx: Context): void {
  requireInt8(ctx, op);
  const [ii, fi, bi] = op.inputs as [number, number, number | undefined];
  const oi = op.outputs[0]!;
  const inT = ctx.tensor(ii), fT = ctx.tensor(fi), oT = ctx.tensor(oi);
  const x = ctx.getInt8(ii), w = ctx.getInt8(fi);
  const bias = bi !== undefined && bi >= 0 ? ctx.getInt32(bi) : null;
  const y = ctx.out(oi) as Int8Array;
  const [batches, inH, inW, inC] = inT.shape as [number, number, number, number];
  const [, kH, kW, outC] = fT.shape as [number, number, number, number];
  const [, outH, outW] = oT.shape as [number, number, number, number];
  const dm = op.depthMultiplier;
  if (inC * dm !== outC) fail('MN302', `DEPTHWISE_CONV_2D ${op.index}: ${inC} input channels x multiplier ${dm} != ${outC} output channels`);
  const { strideH, strideW, dilationH, dilationW } = op;
  const { top: padT, left: padL } = convPadding(op, inH, inW, kH, kW, outH, outW);
  const outZp = zeroPointOf(oT);
  const [lo, hi] = activationRange(op.activation, oT);
  const { mult, shift } = multiplierArrays(convMultipliers(inT, fT, oT, outC));
  const xo = offsetInput(x, -zeroPointOf(inT));
  // acc[oc] = sum over in-image taps of w[ky][kx][oc] * (x[ic] - zp_in) with oc = ic * dm + m, then + bias
  // (reference_integer_ops::DepthwiseConvPerChannel); int32 wrap is applied before requantizing
  const acc = new Float64Array(outC);
  // in-image taps of the current output pixel: input and filter offsets
  const tapX = new Int32Array(kH * kW), tapW = new Int32Array(kH * kW);
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padT;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padL;
        let taps = 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = iy0 + ky * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ix0 + kx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            tapX[taps] = ((b * inH + iy) * inW + ix) * inC;
            tapW[taps] = (ky * kW + kx) * outC;
            taps++;
          }
        }
        const yBase = ((b * outH + oy) * outW + ox) * outC;
        if (dm === 1) {
          for (let c = 0; c < outC; c++) {
            let a = 0;
            for (let t = 0; t < taps; t++) a += w[tapW[t]! + c]! * xo[tapX[t]! + c]!;
            if (bias) a += bias[c]!;
            const r = mulByQuantizedMultiplier(a | 0, mult[c]!, shift[c]!) + outZp;
            y[yBase + c] = r < lo ? lo : r > hi ? hi : r;
          }
          continue;
        }
        acc.fill(0);
        for (let t = 0; t < taps; t++) {
          const xb = tapX[t]!, wb = tapW[t]!;
          for (let ic = 0; ic < inC; ic++) {
            const xv = xo[xb + ic]!;
            for (let m = 0; m < dm; m++) acc[ic * dm + m]! += w[wb + ic * dm + m]! * xv;
          }
        }
        for (let oc = 0; oc < outC; oc++) {
          const total = bias ? acc[oc]! + bias[oc]! : acc[oc]!;
          const r = mulByQuantizedMultiplier(total | 0, mult[oc]!, shift[oc]!) + outZp;
          y[yBase + oc] = r < lo ? lo : r > hi ? hi : r;
        }
      }
    }
  }
}
