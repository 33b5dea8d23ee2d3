/**
 * CONV_2D and DEPTHWISE_CONV_2D against a naive formulation: the input explicitly padded with its zero point,
 * plain nested loops, and the BigInt models of QuantizeMultiplier / MultiplyByQuantizedMultiplier.
 */
import { describe, expect, it } from 'vitest';
import type { Padding } from '../../../src/ir/types.js';
import { mbqmModel, quantizeMultiplierModel } from '../../fixed/bigint-models.js';
import { GraphBuilder, randomInts, runOp } from '../build.js';

interface ConvCase {
  n: number; h: number; w: number; c: number; oc: number; kh: number; kw: number;
  stride: [number, number]; dilation: [number, number]; padding: Padding;
  depthwise?: boolean; dm?: number; groups?: number; act?: 'none' | 'relu6'; seed: number;
}

const f = Math.fround;

function outSize(p: Padding, i: number, k: number, s: number, d: number): number {
  const eff = (k - 1) * d + 1;
  return p === 'same' ? Math.ceil(i / s) : Math.floor((i - eff) / s) + 1;
}

function naive(cs: ConvCase, x: number[], wts: number[], bias: number[], si: number, zi: number, sw: number[], so: number, zo: number): number[] {
  const { n, h, w, c, kh, kw, stride: [sh, sW], dilation: [dh, dw], padding } = cs;
  const oc = cs.depthwise ? c * (cs.dm ?? 1) : cs.oc;
  const oh = outSize(padding, h, kh, sh, dh), ow = outSize(padding, w, kw, sW, dw);
  const pt = padding === 'same' ? Math.max(0, Math.floor(((oh - 1) * sh + (kh - 1) * dh + 1 - h) / 2)) : 0;
  const pl = padding === 'same' ? Math.max(0, Math.floor(((ow - 1) * sW + (kw - 1) * dw + 1 - w) / 2)) : 0;
  // explicit zero-point padding: a tap outside the image contributes w * (zp - zp) = 0
  const at = (b: number, y: number, xx: number, ch: number): number =>
    y < 0 || y >= h || xx < 0 || xx >= w ? zi : x[((b * h + y) * w + xx) * c + ch]!;
  const [lo, hi] = cs.act === 'relu6' ? [Math.max(-128, zo), Math.min(127, zo + Math.round(f(6 / f(so))))] : [-128, 127];
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < oc; o++) {
    let acc = bias[o]!;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const y = oy * sh - pt + ky * dh, xx = ox * sW - pl + kx * dw;
      if (cs.depthwise) {
        const ic = Math.floor(o / (cs.dm ?? 1));
        acc += wts[(ky * kw + kx) * oc + o]! * (at(b, y, xx, ic) - zi);
      } else {
        // grouped convolution: filter depth c / groups, output channel o reads group floor(o / (oc / groups))
        const fc = c / (cs.groups ?? 1), g = Math.floor(o / (oc / (cs.groups ?? 1)));
        for (let ic = 0; ic < fc; ic++) acc += wts[((o * kh + ky) * kw + kx) * fc + ic]! * (at(b, y, xx, g * fc + ic) - zi);
      }
    }
    const q = quantizeMultiplierModel(si * sw[o]! / so);
    out.push(Math.min(hi, Math.max(lo, mbqmModel(acc, q.multiplier, q.shift) + zo)));
  }
  return out;
}

function run(cs: ConvCase): { got: number[]; want: number[] } {
  const { n, h, w, c, kh, kw } = cs;
  const oc = cs.depthwise ? c * (cs.dm ?? 1) : cs.oc;
  const oh = outSize(cs.padding, h, kh, cs.stride[0], cs.dilation[0]), ow = outSize(cs.padding, w, kw, cs.stride[1], cs.dilation[1]);
  const si = f(0.02 + (cs.seed % 7) * 0.003), zi = (cs.seed % 11) - 5, so = f(0.05 + (cs.seed % 5) * 0.01), zo = (cs.seed % 13) - 6;
  const sw = randomInts(oc, 1, 100, cs.seed + 1).map((v) => f(v * 1e-4));
  const x = randomInts(n * h * w * c, -128, 127, cs.seed + 2);
  const fc = c / (cs.groups ?? 1);
  const wts = randomInts(oc * kh * kw * (cs.depthwise ? 1 : fc), -127, 127, cs.seed + 3);
  const bias = randomInts(oc, -3000, 3000, cs.seed + 4);
  const b = new GraphBuilder();
  const xi = b.tensor({ shape: [n, h, w, c], scale: si, zp: zi });
  const wi = b.tensor({ shape: cs.depthwise ? [1, kh, kw, oc] : [oc, kh, kw, fc], scale: sw, axis: cs.depthwise ? 3 : 0, data: wts });
  const bi = b.tensor({ shape: [oc], dtype: 'int32', scale: sw.map((s) => s * si), data: bias });
  const oi = b.tensor({ shape: [n, oh, ow, oc], scale: so, zp: zo });
  const common = {
    padding: cs.padding, strideH: cs.stride[0], strideW: cs.stride[1], dilationH: cs.dilation[0], dilationW: cs.dilation[1],
    activation: cs.act ?? ('none' as const), inputs: [xi, wi, bi], outputs: [oi],
  };
  const got = cs.depthwise
    ? runOp(b, { kind: 'depthwise_conv2d', depthMultiplier: cs.dm ?? 1, ...common }, [x])
    : runOp(b, { kind: 'conv2d', ...common }, [x]);
  return { got, want: naive(cs, x, wts, bias, si, zi, sw, so, zo) };
}

describe('CONV_2D', () => {
  const cases: ConvCase[] = [
    { n: 1, h: 5, w: 5, c: 3, oc: 4, kh: 3, kw: 3, stride: [1, 1], dilation: [1, 1], padding: 'same', seed: 1 },
    { n: 1, h: 7, w: 6, c: 2, oc: 5, kh: 3, kw: 3, stride: [2, 2], dilation: [1, 1], padding: 'same', act: 'relu6', seed: 2 },
    { n: 2, h: 6, w: 6, c: 4, oc: 3, kh: 3, kw: 2, stride: [1, 2], dilation: [1, 1], padding: 'valid', seed: 3 },
    { n: 1, h: 4, w: 4, c: 8, oc: 7, kh: 1, kw: 1, stride: [1, 1], dilation: [1, 1], padding: 'same', seed: 4 }, // pointwise path
    { n: 1, h: 5, w: 5, c: 6, oc: 9, kh: 1, kw: 1, stride: [2, 2], dilation: [1, 1], padding: 'valid', seed: 5 },
    { n: 1, h: 7, w: 7, c: 2, oc: 3, kh: 3, kw: 3, stride: [1, 1], dilation: [2, 2], padding: 'same', seed: 6 },
    { n: 1, h: 5, w: 5, c: 4, oc: 6, kh: 3, kw: 3, stride: [1, 1], dilation: [1, 1], padding: 'same', groups: 2, seed: 12 },
    { n: 1, h: 4, w: 4, c: 6, oc: 3, kh: 1, kw: 1, stride: [1, 1], dilation: [1, 1], padding: 'valid', groups: 3, seed: 13 },
  ];
  cases.forEach((cs, i) => it(`matches the naive formulation (case ${i})`, () => {
    const { got, want } = run(cs);
    expect(got).toEqual(want);
  }));
});

describe('DEPTHWISE_CONV_2D', () => {
  const cases: ConvCase[] = [
    { n: 1, h: 6, w: 6, c: 4, oc: 0, kh: 3, kw: 3, stride: [1, 1], dilation: [1, 1], padding: 'same', depthwise: true, seed: 7 },
    { n: 1, h: 7, w: 7, c: 3, oc: 0, kh: 5, kw: 5, stride: [2, 2], dilation: [1, 1], padding: 'same', depthwise: true, act: 'relu6', seed: 8 },
    { n: 1, h: 5, w: 5, c: 1, oc: 0, kh: 3, kw: 3, stride: [2, 2], dilation: [1, 1], padding: 'same', depthwise: true, dm: 8, seed: 9 },
    { n: 1, h: 9, w: 9, c: 2, oc: 0, kh: 7, kw: 7, stride: [1, 1], dilation: [1, 1], padding: 'valid', depthwise: true, dm: 2, seed: 10 },
    { n: 1, h: 8, w: 8, c: 2, oc: 0, kh: 3, kw: 3, stride: [1, 1], dilation: [2, 3], padding: 'same', depthwise: true, seed: 11 },
  ];
  cases.forEach((cs, i) => it(`matches the naive formulation (case ${i})`, () => {
    const { got, want } = run(cs);
    expect(got).toEqual(want);
  }));
});
