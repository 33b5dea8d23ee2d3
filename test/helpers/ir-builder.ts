/** Builds IR graphs directly (no flatbuffers) for pass and codegen tests: MobileNet-style blocks. */
import type { Activation, Graph, Op, Tensor } from '../../src/ir/types.js';
import { int8Data, int32Data } from './build-model.js';

export class IrBuilder {
  tensors: Tensor[] = [];
  ops: Op[] = [];
  private seed = 1;

  tensor(name: string, shape: number[], scale: number, zp: number, data: Uint8Array | null = null, dtype: Tensor['dtype'] = 'int8'): number {
    this.tensors.push({ index: this.tensors.length, name, shape, dtype, quant: { scales: [scale], zeroPoints: [zp], axis: 0 }, data });
    return this.tensors.length - 1;
  }

  private weights(name: string, shape: number[], channels: number, axis: number, inScale: number): { w: number; b: number } {
    const n = shape.reduce((a, b) => a * b, 1);
    const scales = Array.from({ length: channels }, (_, c) => Math.fround(0.004 + 0.002 * ((c * 7) % 5)));
    const w = this.tensors.length;
    this.tensors.push({ index: w, name: `${name}/w`, shape, dtype: 'int8', quant: { scales, zeroPoints: scales.map(() => 0), axis }, data: int8Data(n, this.seed++) });
    const b = this.tensors.length;
    const bias = Array.from({ length: channels }, (_, c) => ((c * 37) % 200) - 100);
    this.tensors.push({ index: b, name: `${name}/b`, shape: [channels], dtype: 'int32', quant: { scales: scales.map((s) => s * inScale), zeroPoints: scales.map(() => 0), axis: 0 }, data: int32Data(bias) });
    return { w, b };
  }

  conv(x: number, outC: number, k: number, stride: number, act: Activation, padding: 'same' | 'valid' = 'same'): number {
    const [, h, wd, c] = this.tensors[x]!.shape as [number, number, number, number];
    const { w, b } = this.weights(`conv${this.ops.length}`, [outC, k, k, c], outC, 0, this.tensors[x]!.quant!.scales[0]!);
    const oh = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - k) / stride) + 1;
    const ow = padding === 'same' ? Math.ceil(wd / stride) : Math.floor((wd - k) / stride) + 1;
    const y = this.tensor(`conv${this.ops.length}/out`, [1, oh, ow, outC], 0.03, -20);
    this.ops.push({ kind: 'conv2d', index: this.ops.length, opName: 'CONV_2D', inputs: [x, w, b], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, activation: act });
    return y;
  }

  dw(x: number, k: number, stride: number, act: Activation, padding: 'same' | 'valid' = 'same'): number {
    const [, h, wd, c] = this.tensors[x]!.shape as [number, number, number, number];
    const { w, b } = this.weights(`dw${this.ops.length}`, [1, k, k, c], c, 3, this.tensors[x]!.quant!.scales[0]!);
    const oh = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - k) / stride) + 1;
    const ow = padding === 'same' ? Math.ceil(wd / stride) : Math.floor((wd - k) / stride) + 1;
    const y = this.tensor(`dw${this.ops.length}/out`, [1, oh, ow, c], 0.025, -128);
    this.ops.push({ kind: 'depthwise_conv2d', index: this.ops.length, opName: 'DEPTHWISE_CONV_2D', inputs: [x, w, b], outputs: [y], padding, strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: act });
    return y;
  }

  pad(x: number, top: number, bottom: number, left: number, right: number): number {
    const [, h, w, c] = this.tensors[x]!.shape as [number, number, number, number];
    const q = this.tensors[x]!.quant!;
    const p = this.tensors.length;
    this.tensors.push({ index: p, name: 'paddings', shape: [4, 2], dtype: 'int32', quant: null, data: int32Data([0, 0, top, bottom, left, right, 0, 0]) });
    const y = this.tensor(`pad${this.ops.length}/out`, [1, h + top + bottom, w + left + right, c], q.scales[0]!, q.zeroPoints[0]!);
    this.ops.push({ kind: 'pad', index: this.ops.length, opName: 'PAD', inputs: [x, p], outputs: [y] });
    return y;
  }

  add(a: number, b: number): number {
    const y = this.tensor(`add${this.ops.length}/out`, this.tensors[a]!.shape, 0.04, 3);
    this.ops.push({ kind: 'add', index: this.ops.length, opName: 'ADD', inputs: [a, b], outputs: [y], activation: 'none' });
    return y;
  }

  /** MobileNetV2 inverted residual: [expand 1x1] -> kxk depthwise (stride, optional explicit PAD) -> project [+ add] */
  block(x: number, opts: { t: number; k: number; stride: number; outC: number; explicitPad?: boolean }): number {
    const c = this.tensors[x]!.shape[3]!;
    let e = opts.t > 1 ? this.conv(x, c * opts.t, 1, 1, 'relu6') : x;
    let d: number;
    if (opts.explicitPad) {
      const p = Math.floor((opts.k - 1) / 2);
      e = this.pad(e, p, opts.k - 1 - p, p, opts.k - 1 - p);
      d = this.dw(e, opts.k, opts.stride, 'relu6', 'valid');
    } else d = this.dw(e, opts.k, opts.stride, 'relu6');
    const p = this.conv(d, opts.outC, 1, 1, 'none');
    return opts.stride === 1 && opts.outC === c ? this.add(x, p) : p;
  }

  graph(input: number, output: number): Graph {
    return { tensors: this.tensors, ops: this.ops, inputs: [input], outputs: [output], description: 'test', metadata: [] };
  }
}
