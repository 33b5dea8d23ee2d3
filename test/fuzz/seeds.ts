/**
 * Seed corpus of the fuzzer: real converter output (../shared/models when present, the committed zoo, the
 * digits example) and small hand-built models (test/helpers/build-model.ts) that together use every operator
 * mnetc supports, so that mutations reach every reader path, validation rule, interpreter kernel and lowering.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, int32Data, int8Data, tinyConvModel, type ModelSpec, type OpSpec, type TensorSpec } from '../helpers/build-model.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** real converter output (big weight buffers) or a small hand-built model */
  kind: 'file' | 'built';
}

/** Builds specs tensor by tensor; `q` gives per-tensor int8 quantization. */
class Spec {
  tensors: TensorSpec[] = [];
  ops: OpSpec[] = [];
  private seed = 1;
  t(name: string, shape: number[], scale = 0.05, zp = 0, extra: Partial<TensorSpec> = {}): number {
    this.tensors.push({ name, shape, dtype: 'int8', scale: [scale], zeroPoint: [zp], ...extra });
    return this.tensors.length - 1;
  }
  weights(name: string, shape: number[], channels: number, axis: number, inScale: number): [number, number] {
    const n = shape.reduce((a, b) => a * b, 1);
    const scales = Array.from({ length: channels }, (_, c) => 0.004 + 0.002 * ((c * 7) % 5));
    this.tensors.push({ name: `${name}/w`, shape, dtype: 'int8', scale: scales, axis, data: int8Data(n, this.seed++) });
    this.tensors.push({ name: `${name}/b`, shape: [channels], dtype: 'int32', scale: scales.map((s) => s * inScale), data: int32Data(Array.from({ length: channels }, (_, c) => ((c * 37) % 200) - 100)) });
    return [this.tensors.length - 2, this.tensors.length - 1];
  }
  const32(name: string, shape: number[], values: number[]): number {
    this.tensors.push({ name, shape, dtype: 'int32', data: int32Data(values) });
    return this.tensors.length - 1;
  }
  op(o: OpSpec): void {
    this.ops.push(o);
  }
  build(inputs: number[], outputs: number[]): Uint8Array {
    const spec: ModelSpec = { tensors: this.tensors, ops: this.ops, inputs, outputs };
    return buildModel(spec);
  }
}

/** An inverted-residual block (expand 1x1, depthwise 3x3, project 1x1, residual ADD), then PAD, stride-2 conv, pooling and a classifier. */
function mobilenetBlock(): Uint8Array {
  const s = new Spec();
  const x = s.t('input', [1, 8, 8, 4], 0.02, -3);
  const [w1, b1] = s.weights('expand', [12, 1, 1, 4], 12, 0, 0.02);
  const e = s.t('expand/out', [1, 8, 8, 12], 0.03, -128);
  s.op({ op: 'CONV_2D', inputs: [x, w1, b1], outputs: [e], conv: { stride: 1, activation: 'RELU6' } });
  const [w2, b2] = s.weights('dw', [1, 3, 3, 12], 12, 3, 0.03);
  const d = s.t('dw/out', [1, 8, 8, 12], 0.03, -128);
  s.op({ op: 'DEPTHWISE_CONV_2D', inputs: [e, w2, b2], outputs: [d], conv: { stride: 1, activation: 'RELU6' } });
  const [w3, b3] = s.weights('project', [4, 1, 1, 12], 4, 0, 0.03);
  const p = s.t('project/out', [1, 8, 8, 4], 0.02, 5);
  s.op({ op: 'CONV_2D', inputs: [d, w3, b3], outputs: [p], conv: { stride: 1 } });
  const a = s.t('add/out', [1, 8, 8, 4], 0.03, -2);
  s.op({ op: 'ADD', inputs: [x, p], outputs: [a] });
  const pads = s.const32('paddings', [4, 2], [0, 0, 0, 1, 0, 1, 0, 0]);
  const padded = s.t('pad/out', [1, 9, 9, 4], 0.03, -2);
  s.op({ op: 'PAD', inputs: [a, pads], outputs: [padded] });
  const [w4, b4] = s.weights('down', [8, 3, 3, 4], 8, 0, 0.03);
  const c = s.t('down/out', [1, 4, 4, 8], 0.04, -128);
  s.op({ op: 'CONV_2D', inputs: [padded, w4, b4], outputs: [c], conv: { stride: 2, padding: 'valid', activation: 'RELU' } });
  const pooled = s.t('avgpool/out', [1, 1, 1, 8], 0.04, -128);
  s.op({ op: 'AVERAGE_POOL_2D', inputs: [c], outputs: [pooled], pool: { filter: 4, stride: 4, padding: 'valid' } });
  const shape = s.const32('shape', [2], [1, 8]);
  const flat = s.t('reshape/out', [1, 8], 0.04, -128);
  s.op({ op: 'RESHAPE', inputs: [pooled, shape], outputs: [flat], newShape: [1, 8] });
  const [w5, b5] = s.weights('fc', [5, 8], 5, 0, 0.04);
  const logits = s.t('fc/out', [1, 5], 0.1, 3);
  s.op({ op: 'FULLY_CONNECTED', inputs: [flat, w5, b5], outputs: [logits] });
  const prob = s.t('softmax/out', [1, 5], 1 / 256, -128);
  s.op({ op: 'SOFTMAX', inputs: [logits], outputs: [prob], beta: 1 });
  return s.build([x], [prob]);
}

/** MobileNetV3-style squeeze-and-excite (MEAN, MUL, HARD_SWISH, LOGISTIC), max pooling, and float I/O. */
function squeezeExcite(): Uint8Array {
  const s = new Spec();
  s.tensors.push({ name: 'input_f32', shape: [1, 6, 6, 4], dtype: 'float32' });
  const xf = 0;
  const x = s.t('quantize/out', [1, 6, 6, 4], 0.02, 1);
  s.op({ op: 'QUANTIZE', inputs: [xf], outputs: [x] });
  const hs = s.t('hswish/out', [1, 6, 6, 4], 0.02, -10);
  s.op({ op: 'HARD_SWISH', inputs: [x], outputs: [hs] });
  const axes = s.const32('axes', [2], [1, 2]);
  const m = s.t('mean/out', [1, 1, 1, 4], 0.015, -5);
  s.op({ op: 'MEAN', inputs: [hs, axes], outputs: [m], keepDims: true });
  const [w, b] = s.weights('se', [4, 1, 1, 4], 4, 0, 0.015);
  const se = s.t('se/out', [1, 1, 1, 4], 0.05, 0);
  s.op({ op: 'CONV_2D', inputs: [m, w, b], outputs: [se], conv: { stride: 1 } });
  const sig = s.t('logistic/out', [1, 1, 1, 4], 1 / 256, -128);
  s.op({ op: 'LOGISTIC', inputs: [se], outputs: [sig] });
  const mul = s.t('mul/out', [1, 6, 6, 4], 0.02, -7);
  s.op({ op: 'MUL', inputs: [hs, sig], outputs: [mul] });
  const mp = s.t('maxpool/out', [1, 3, 3, 4], 0.02, -7);
  s.op({ op: 'MAX_POOL_2D', inputs: [mul], outputs: [mp], pool: { filter: 2, stride: 2, padding: 'same' } });
  const r = s.t('relu/out', [1, 3, 3, 4], 0.02, -128);
  s.op({ op: 'RELU', inputs: [mp], outputs: [r] });
  s.tensors.push({ name: 'output_f32', shape: [1, 3, 3, 4], dtype: 'float32' });
  const yf = s.tensors.length - 1;
  s.op({ op: 'DEQUANTIZE', inputs: [r], outputs: [yf] });
  return s.build([xf], [yf]);
}

/** Byte-moving ops: CONCATENATION, TRANSPOSE, RESIZE_NEAREST_NEIGHBOR, RELU6, a second input and two outputs. */
function byteMoves(): Uint8Array {
  const s = new Spec();
  const a = s.t('a', [1, 4, 4, 3], 0.05, 2);
  const b = s.t('b', [1, 4, 4, 2], 0.05, 2);
  const c = s.t('concat/out', [1, 4, 4, 5], 0.05, 2);
  s.op({ op: 'CONCATENATION', inputs: [a, b], outputs: [c], axis: 3 });
  const perm = s.const32('perm', [4], [0, 2, 1, 3]);
  const t = s.t('transpose/out', [1, 4, 4, 5], 0.05, 2);
  s.op({ op: 'TRANSPOSE', inputs: [c, perm], outputs: [t] });
  const size = s.const32('size', [2], [8, 8]);
  const up = s.t('resize/out', [1, 8, 8, 5], 0.05, 2);
  s.op({ op: 'RESIZE_NEAREST_NEIGHBOR', inputs: [t, size], outputs: [up] });
  const r6 = s.t('relu6/out', [1, 8, 8, 5], 0.05, -128);
  s.op({ op: 'RELU6', inputs: [up], outputs: [r6] });
  const [w, bias] = s.weights('dw2', [1, 3, 3, 10], 10, 3, 0.05);
  const d = s.t('dw2/out', [1, 4, 4, 10], 0.05, -128);
  s.op({ op: 'DEPTHWISE_CONV_2D', inputs: [r6, w, bias], outputs: [d], conv: { stride: 2, depthMultiplier: 2, activation: 'RELU6' } });
  return s.build([a, b], [d, t]);
}

/** A fully-connected classifier with per-tensor weights and no bias, and a dilated convolution. */
function dilatedAndFc(): Uint8Array {
  const s = new Spec();
  const x = s.t('input', [1, 7, 7, 2], 0.03, 0);
  const [w, b] = s.weights('dil', [3, 3, 3, 2], 3, 0, 0.03);
  const y = s.t('dil/out', [1, 7, 7, 3], 0.05, -1);
  s.op({ op: 'CONV_2D', inputs: [x, w, b], outputs: [y], conv: { stride: 1, dilation: 2 } });
  s.tensors.push({ name: 'fc/w', shape: [4, 147], dtype: 'int8', scale: [0.01], data: int8Data(4 * 147, 99) });
  const fw = s.tensors.length - 1;
  const out = s.t('fc/out', [1, 4], 0.2, 0);
  s.op({ op: 'FULLY_CONNECTED', inputs: [y, fw, -1], outputs: [out], activation: 'RELU' });
  return s.build([x], [out]);
}

export function builtSeeds(): Seed[] {
  const seeds: [string, () => Uint8Array][] = [
    ['built:tiny_conv', () => tinyConvModel()],
    ['built:tiny_conv_relu6', () => tinyConvModel({ extraOp: 'RELU6' })],
    ['built:tiny_conv_hard_swish', () => tinyConvModel({ extraOp: 'HARD_SWISH' })],
    ['built:mobilenet_block', mobilenetBlock],
    ['built:squeeze_excite', squeezeExcite],
    ['built:byte_moves', byteMoves],
    ['built:dilated_fc', dilatedAndFc],
  ];
  return seeds.map(([name, f]) => ({ name, bytes: f(), kind: 'built' as const }));
}

/** The directory holding package.json of mnetc, from any file below it (works from test/ and from dist/). */
export function findRepoRoot(from: string): string {
  let d = from;
  for (let i = 0; i < 8; i++) {
    const pj = join(d, 'package.json');
    if (existsSync(pj) && /"name":\s*"mnetc"/.test(readFileSync(pj, 'utf8'))) return d;
    d = join(d, '..');
  }
  throw new Error(`cannot find the mnetc repository above ${from}`);
}

/** Real model files; ../shared/models is optional. `maxBytes` leaves out the big ones (MobileNetV2-1.0-224). */
export function fileSeeds(repo: string, maxBytes = Infinity): Seed[] {
  const dirs = [join(repo, '../shared/models'), join(repo, 'test/fixtures/zoo'), join(repo, 'examples/digits')];
  const out: Seed[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((n) => n.endsWith('.tflite')).sort()) {
      const p = join(d, f);
      if (statSync(p).size > maxBytes) continue;
      out.push({ name: `${d.split('/').slice(-1)[0]}/${f}`, bytes: new Uint8Array(readFileSync(p)), kind: 'file' });
    }
  }
  return out;
}

