/**
 * CONV_2D and DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLM reference_integer_ops::ConvPerChannel and
 * DepthwiseConvPerChannel): acc = bias[c] + sum over in-image taps of w * (x - in_zp); out = requant(acc) + out_zp,
 * clamped to the fused activation range. Taps outside the image are skipped.
 */
import { fail } from '../../diagnostics.js';
import { clamp, mulByQuantizedMultiplier } from '../../fixed/index.js';
import { activationRange, convMultipliers, zeroPointOf } from '../../fixed/params.js';
import { paddingBefore } from '../../ir/geometry.js';
import type { Conv2DOp, DepthwiseConv2DOp } from '../../ir/types.js';
import type { Context } from '../context.js';

function requireInt8(ctx: Context, op: Conv2DOp | DepthwiseConv2DOp): void {
  const [i, f] = op.inputs;
  if (ctx.tensor(i!).dtype !== 'int8' || ctx.tensor(f!).dtype !== 'int8' || ctx.tensor(op.outputs[0]!).dtype !== 'int8') {
    fail('MN301', `${op.opName} ${op.index}: only int8 input, filter and output are supported`);
  }
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
  const padT = paddingBefore(op.padding, inH, kH, op.strideH, op.dilationH, outH);
  const padL = paddingBefore(op.padding, inW, kW, op.strideW, op.dilationW, outW);
  const inOff = -zeroPointOf(inT);
  const outZp = zeroPointOf(oT);
  const [lo, hi] = activationRange(op.activation, oT);
  const qm = convMultipliers(inT, fT, oT, outC);
  const mult = qm.map((q) => q.multiplier), shift = qm.map((q) => q.shift);
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * op.strideH - padT;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * op.strideW - padL;
        const yBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const g = Math.floor(oc / outPerGroup);
          let acc = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = iy0 + ky * op.dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = ix0 + kx * op.dilationW;
              if (ix < 0 || ix >= inW) continue;
              const xb = ((b * inH + iy) * inW + ix) * inC + g * filterInC;
              const wb = ((oc * kH + ky) * kW + kx) * filterInC;
              for (let c = 0; c < filterInC; c++) acc += w[wb + c]! * (x[xb + c]! + inOff);
            }
          }
          if (bias) acc += bias[oc]!;
          acc = mulByQuantizedMultiplier(acc | 0, mult[oc]!, shift[oc]!) + outZp;
          y[yBase + oc] = clamp(acc, lo, hi);
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
  const padT = paddingBefore(op.padding, inH, kH, op.strideH, op.dilationH, outH);
  const padL = paddingBefore(op.padding, inW, kW, op.strideW, op.dilationW, outW);
  const inOff = -zeroPointOf(inT);
  const outZp = zeroPointOf(oT);
  const [lo, hi] = activationRange(op.activation, oT);
  const qm = convMultipliers(inT, fT, oT, outC);
  const acc = new Float64Array(outC);
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * op.strideH - padT;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * op.strideW - padL;
        if (bias) for (let oc = 0; oc < outC; oc++) acc[oc] = bias[oc]!;
        else acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const iy = iy0 + ky * op.dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const ix = ix0 + kx * op.dilationW;
            if (ix < 0 || ix >= inW) continue;
            const xb = ((b * inH + iy) * inW + ix) * inC;
            const wb = (ky * kW + kx) * outC;
            if (dm === 1) {
              for (let c = 0; c < outC; c++) acc[c]! += w[wb + c]! * (x[xb + c]! + inOff);
            } else {
              for (let ic = 0; ic < inC; ic++) {
                const xv = x[xb + ic]! + inOff;
                for (let m = 0; m < dm; m++) acc[ic * dm + m]! += w[wb + ic * dm + m]! * xv;
              }
            }
          }
        }
        const yBase = ((b * outH + oy) * outW + ox) * outC;
        for (let oc = 0; oc < outC; oc++) {
          const q = qm[oc]!;
          y[yBase + oc] = clamp(mulByQuantizedMultiplier(acc[oc]! | 0, q.multiplier, q.shift) + outZp, lo, hi);
        }
      }
    }
  }
}
