/**
 * Images as model inputs (`mnetc run MODEL --input photo.png`) and class names for outputs (`--top K`).
 *
 * An image (PNG, JPEG, BMP, GIF, TIFF; decoded by jimp, pure JS) is resized to the input's height x width,
 * turned into 1 (luma, BT.601) or 3 (RGB) channels, normalised per channel with x = (pixel - mean) / std,
 * and stored in the input's dtype: float32 as it is, int8/uint8 quantized with the input's scale and zero
 * point. mean/std come from --mean/--std when given, else from the model's TFLite metadata
 * (NormalizationOptions of the input), else 127.5/127.5 ([0, 255] -> [-1, 1]).
 *
 * TFLite metadata (the TFLITE_METADATA buffer, schema tflite-support metadata_schema.fbs, identifier M001) is
 * read here with a small bounds-checked flatbuffer reader; label files are associated files packed into the
 * .tflite file as a zip archive appended to the flatbuffer.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fail } from '../diagnostics.js';
import { readInputs } from './io.js';
import { elementCount, tensorBytes, type Graph, type Tensor } from '../ir/types.js';

// ---------------------------------------------------------------------------------------------------------
// TFLite metadata

/** What mnetc uses from one tensor's metadata. */
export interface TensorMetadataInfo {
  name?: string;
  description?: string;
  /** NormalizationOptions: x = (value - mean) / std, per channel (one value = all channels) */
  mean?: number[];
  std?: number[];
  /** name of the first TENSOR_AXIS_LABELS associated file */
  labelsFile?: string;
}

export interface ModelMetadataInfo {
  name?: string;
  description?: string;
  version?: string;
  author?: string;
  license?: string;
  inputs: TensorMetadataInfo[];
  outputs: TensorMetadataInfo[];
}

class FlatReader {
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(p: number, n: number): void {
    if (!Number.isInteger(p) || p < 0 || p + n > this.bytes.length) throw new RangeError(`metadata offset ${p} out of bounds`);
  }
  u8(p: number): number {
    this.check(p, 1);
    return this.view.getUint8(p);
  }
  u16(p: number): number {
    this.check(p, 2);
    return this.view.getUint16(p, true);
  }
  u32(p: number): number {
    this.check(p, 4);
    return this.view.getUint32(p, true);
  }
  i32(p: number): number {
    this.check(p, 4);
    return this.view.getInt32(p, true);
  }
  f32(p: number): number {
    this.check(p, 4);
    return this.view.getFloat32(p, true);
  }
  identifier(): string {
    this.check(4, 4);
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }
  root(): number {
    return this.u32(0);
  }
  /** absolute position of field `i` of the table at `t`, 0 when absent */
  field(t: number, i: number): number {
    const vt = t - this.i32(t);
    const vlen = this.u16(vt);
    const o = 4 + 2 * i;
    if (o + 2 > vlen) return 0;
    const off = this.u16(vt + o);
    return off ? t + off : 0;
  }
  table(t: number, i: number): number {
    const p = this.field(t, i);
    return p ? p + this.u32(p) : 0;
  }
  string(t: number, i: number): string | undefined {
    const p = this.field(t, i);
    if (!p) return undefined;
    const s = p + this.u32(p);
    const n = this.u32(s);
    this.check(s + 4, n);
    return new TextDecoder().decode(this.bytes.subarray(s + 4, s + 4 + n));
  }
  private vector(t: number, i: number, elem: number): { start: number; length: number } | null {
    const p = this.field(t, i);
    if (!p) return null;
    const v = p + this.u32(p);
    const length = this.u32(v);
    this.check(v + 4, length * elem);
    return { start: v + 4, length };
  }
  tables(t: number, i: number): number[] {
    const v = this.vector(t, i, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, k) => {
      const e = v.start + 4 * k;
      return e + this.u32(e);
    });
  }
  floats(t: number, i: number): number[] | undefined {
    const v = this.vector(t, i, 4);
    return v ? Array.from({ length: v.length }, (_, k) => this.f32(v.start + 4 * k)) : undefined;
  }
}

const NORMALIZATION_OPTIONS = 1; // ProcessUnitOptions union tag
const TENSOR_AXIS_LABELS = 2; // AssociatedFileType

function tensorMetadata(r: FlatReader, t: number): TensorMetadataInfo {
  const info: TensorMetadataInfo = {};
  const name = r.string(t, 0), description = r.string(t, 1);
  if (name) info.name = name;
  if (description) info.description = description;
  for (const pu of r.tables(t, 4)) {
    const tag = r.field(pu, 0) ? r.u8(r.field(pu, 0)) : 0;
    const opts = r.table(pu, 1);
    if (tag !== NORMALIZATION_OPTIONS || !opts) continue;
    const mean = r.floats(opts, 0), std = r.floats(opts, 1);
    if (mean?.length) info.mean = mean;
    if (std?.length) info.std = std;
    break;
  }
  for (const f of r.tables(t, 6)) {
    const type = r.field(f, 2) ? r.u8(r.field(f, 2)) : 0;
    const file = r.string(f, 0);
    if (type === TENSOR_AXIS_LABELS && file) {
      info.labelsFile = file;
      break;
    }
  }
  return info;
}

/** Parses a TFLITE_METADATA buffer (ModelMetadata). Throws RangeError on a malformed buffer. */
export function parseModelMetadata(bytes: Uint8Array): ModelMetadataInfo {
  const r = new FlatReader(bytes);
  if (r.identifier() !== 'M001') throw new RangeError('metadata buffer without the M001 identifier');
  const m = r.root();
  const info: ModelMetadataInfo = { inputs: [], outputs: [] };
  for (const [k, i] of [['name', 0], ['description', 1], ['version', 2], ['author', 4], ['license', 5]] as const) {
    const s = r.string(m, i);
    if (s) info[k] = s;
  }
  const sub = r.tables(m, 3)[0];
  if (sub) {
    info.inputs = r.tables(sub, 2).map((t) => tensorMetadata(r, t));
    info.outputs = r.tables(sub, 3).map((t) => tensorMetadata(r, t));
  }
  return info;
}

/** The model's TFLite metadata, or null when it has none (or it cannot be read: metadata is optional). */
export function readModelMetadata(graph: Graph): ModelMetadataInfo | null {
  const entry = graph.metadata.find((m) => m.name === 'TFLITE_METADATA' && m.data);
  if (!entry) return null;
  try {
    return parseModelMetadata(entry.data!);
  } catch {
    return null;
  }
}

/**
 * The files of a zip archive at the end of `bytes` (a .tflite file with associated files), by name. Empty
 * when there is none. Offsets are taken relative to where the archive really starts (data may precede it).
 */
export function zipEntries(bytes: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (v.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return out;
  try {
    const count = v.getUint16(eocd + 10, true), cdSize = v.getUint32(eocd + 12, true), cdOffset = v.getUint32(eocd + 16, true);
    const base = eocd - cdSize - cdOffset; // bytes before the archive
    let p = base + cdOffset;
    for (let k = 0; k < count; k++) {
      if (v.getUint32(p, true) !== 0x02014b50) break;
      const method = v.getUint16(p + 10, true), csize = v.getUint32(p + 20, true);
      const nlen = v.getUint16(p + 28, true), xlen = v.getUint16(p + 30, true), clen = v.getUint16(p + 32, true);
      const local = base + v.getUint32(p + 42, true);
      const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
      p += 46 + nlen + xlen + clen;
      if (v.getUint32(local, true) !== 0x04034b50) continue;
      const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
      if (start + csize > bytes.length) continue;
      const raw = bytes.subarray(start, start + csize);
      if (method === 0) out.set(name, raw);
      else if (method === 8) out.set(name, new Uint8Array(inflateRawSync(raw)));
    }
  } catch {
    // a truncated or foreign archive: whatever was read so far
  }
  return out;
}

/** Labels: one per line (trailing blank lines dropped, CR removed). */
export function parseLabels(text: string): string[] {
  const lines = text.replace(/\r/g, '').split('\n').map((l) => l.trim());
  while (lines.length && lines.at(-1) === '') lines.pop();
  return lines;
}

export function readLabelsFile(path: string): string[] {
  try {
    return parseLabels(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail('MN100', `cannot read labels file ${path}: ${(e as Error).message}`);
  }
}

/**
 * Class names of output `output`: from `labelsFile` when given, else the TENSOR_AXIS_LABELS file the model's
 * metadata names (packed in `modelBytes`), else null.
 */
export function modelLabels(graph: Graph, opts: { labelsFile?: string; modelBytes?: Uint8Array; output?: number } = {}): string[] | null {
  if (opts.labelsFile) return readLabelsFile(opts.labelsFile);
  const file = readModelMetadata(graph)?.outputs[opts.output ?? 0]?.labelsFile;
  if (!file || !opts.modelBytes) return null;
  const data = zipEntries(opts.modelBytes).get(file);
  return data ? parseLabels(new TextDecoder().decode(data)) : null;
}

// ---------------------------------------------------------------------------------------------------------
// images

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.tif', '.tiff']);

/** True for file names mnetc reads as images rather than raw tensor bytes. */
export function isImageFile(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

/** "127.5" or "123.7,116.3,103.5" -> numbers (for --mean/--std). */
export function parseNumberList(s: string, flag: string): number[] {
  const v = s.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  if (!v.length || v.some((x) => !Number.isFinite(x))) fail('MN405', `${flag} must be a number or comma-separated numbers, got "${s}"`);
  return v;
}

export interface ImageInputOptions {
  /** which model input (default 0) */
  input?: number;
  /** per-channel normalisation; override the model's metadata */
  mean?: number[];
  std?: number[];
}

/** The image geometry of a model input: NHWC with batch 1 (or HWC), 1 or 3 channels. */
export function imageGeometry(t: Tensor): { height: number; width: number; channels: number } {
  const s = t.shape;
  const ok = (s.length === 4 && s[0] === 1) || s.length === 3;
  const [height, width, channels] = s.slice(-3) as [number, number, number];
  if (!ok || !(channels === 1 || channels === 3) || !(height > 0 && width > 0)) {
    fail('MN401', `input "${t.name}" [${s.join(',')}] is not an image (want [1, height, width, 1 or 3])`);
  }
  if (!['int8', 'uint8', 'float32'].includes(t.dtype)) fail('MN401', `input "${t.name}" is ${t.dtype}; images feed int8, uint8 or float32 inputs`);
  return { height, width, channels };
}

/** mean/std for an input: options, then metadata, then 127.5/127.5; each expanded to `channels` values. */
export function normalisation(graph: Graph, opts: ImageInputOptions = {}): { mean: number[]; std: number[]; source: 'options' | 'metadata' | 'default' } {
  const k = opts.input ?? 0;
  const t = graph.tensors[graph.inputs[k]!]!;
  const { channels } = imageGeometry(t);
  const meta = readModelMetadata(graph)?.inputs[k];
  let mean = opts.mean, std = opts.std, source: 'options' | 'metadata' | 'default' = 'options';
  if (!mean && !std && meta?.mean && meta.std) {
    mean = meta.mean;
    std = meta.std;
    source = 'metadata';
  }
  if (!mean && !std) source = 'default';
  const expand = (v: number[] | undefined, def: number, what: string) => {
    const x = v ?? [def];
    if (x.length !== 1 && x.length !== channels) fail('MN405', `${what} has ${x.length} values; input "${t.name}" has ${channels} channel(s)`);
    return Array.from({ length: channels }, (_, c) => x[x.length === 1 ? 0 : c]!);
  };
  const m = expand(mean, 127.5, source === 'metadata' ? 'the metadata mean' : '--mean');
  const s = expand(std, 127.5, source === 'metadata' ? 'the metadata std' : '--std');
  if (s.some((x) => x === 0 || !Number.isFinite(x))) fail('MN405', `std must be non-zero, got ${s.join(',')}`);
  return { mean: m, std: s, source };
}

/** Normalised values (HWC, float) -> the input tensor's bytes in its dtype. */
export function quantizeInput(t: Tensor, values: Float32Array): Uint8Array {
  if (values.length !== elementCount(t.shape)) fail('MN499', `image has ${values.length} values, input needs ${elementCount(t.shape)}`);
  if (t.dtype === 'float32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const scale = t.quant?.scales[0] ?? 1, zp = t.quant?.zeroPoints[0] ?? 0;
  const [lo, hi] = t.dtype === 'int8' ? [-128, 127] : [0, 255];
  const out = new Uint8Array(tensorBytes(t));
  for (let i = 0; i < values.length; i++) {
    const x = values[i]! / scale;
    const q = Math.min(hi, Math.max(lo, (x < 0 ? -Math.round(-x) : Math.round(x)) + zp));
    out[i] = q & 0xff;
  }
  return out;
}

/**
 * Reads an image file and returns the bytes of model input `opts.input` (default 0): resized to the input's
 * height x width, 1 or 3 channels, normalised and quantized (see the file comment).
 */
export async function imageToInput(graph: Graph, path: string, opts: ImageInputOptions = {}): Promise<Uint8Array> {
  const k = opts.input ?? 0;
  if (k < 0 || k >= graph.inputs.length) fail('MN400', `the model has ${graph.inputs.length} input(s); no input ${k}`);
  const t = graph.tensors[graph.inputs[k]!]!;
  const { height, width, channels } = imageGeometry(t);
  const { mean, std } = normalisation(graph, opts);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail('MN100', `cannot read image ${path}: ${(e as Error).message}`);
  }
  const { Jimp } = await import('jimp');
  let img: Awaited<ReturnType<typeof Jimp.fromBuffer>>;
  try {
    img = await Jimp.fromBuffer(bytes);
  } catch (e) {
    return fail('MN100', `cannot decode image ${path}: ${(e as Error).message}`);
  }
  if (img.bitmap.width !== width || img.bitmap.height !== height) img.resize({ w: width, h: height });
  const rgba = img.bitmap.data;
  const values = new Float32Array(height * width * channels);
  for (let p = 0; p < height * width; p++) {
    const r = rgba[4 * p]!, g = rgba[4 * p + 1]!, b = rgba[4 * p + 2]!;
    if (channels === 1) values[p] = (0.299 * r + 0.587 * g + 0.114 * b - mean[0]!) / std[0]!;
    else {
      values[3 * p] = (r - mean[0]!) / std[0]!;
      values[3 * p + 1] = (g - mean[1]!) / std[1]!;
      values[3 * p + 2] = (b - mean[2]!) / std[2]!;
    }
  }
  return quantizeInput(t, values);
}

/** Model inputs from files: images (by extension) through {@link imageToInput}, anything else as raw bytes. */
export async function readInputFiles(graph: Graph, files: string[], opts: Omit<ImageInputOptions, 'input'> = {}): Promise<Uint8Array[]> {
  if (files.length !== graph.inputs.length) fail('MN400', `the model has ${graph.inputs.length} input tensor(s), ${files.length} file(s) given`);
  if (!files.some(isImageFile)) return readInputs(graph, files);
  return Promise.all(files.map(async (f, k) => {
    if (isImageFile(f)) return imageToInput(graph, f, { ...opts, input: k });
    return readInputs({ ...graph, inputs: [graph.inputs[k]!] }, [f])[0]!; // raw bytes for this input alone
  }));
}

// ---------------------------------------------------------------------------------------------------------
// classes

export interface TopClass {
  index: number;
  label: string;
  /** dequantized value (a probability after SOFTMAX) */
  score: number;
}

/** Dequantized values of an output tensor. */
export function dequantize(t: Tensor, bytes: Uint8Array): Float64Array {
  const n = elementCount(t.shape);
  const out = new Float64Array(n);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scale = t.quant?.scales[0] ?? 1, zp = t.quant?.zeroPoints[0] ?? 0;
  for (let i = 0; i < n; i++) {
    if (t.dtype === 'float32') out[i] = v.getFloat32(4 * i, true);
    else if (t.dtype === 'int8') out[i] = (v.getInt8(i) - zp) * scale;
    else if (t.dtype === 'uint8') out[i] = (v.getUint8(i) - zp) * scale;
    else if (t.dtype === 'int16') out[i] = (v.getInt16(2 * i, true) - zp) * scale;
    else if (t.dtype === 'int32') out[i] = (v.getInt32(4 * i, true) - zp) * scale;
    else out[i] = v.getUint8(i);
  }
  return out;
}

/** The k best classes of output `output` (highest first; ties by index), named by `labels` where given. */
export function topClasses(graph: Graph, outputs: Uint8Array[], k: number, labels: string[] | null = null, output = 0): TopClass[] {
  const t = graph.tensors[graph.outputs[output]!]!;
  const scores = dequantize(t, outputs[output]!);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, Math.max(0, k)).map((i) => ({ index: i, label: labels?.[i] ?? String(i), score: scores[i]! }));
}

/** One line per class: rank, label (and index when the label is not the index), score. */
export function formatTopClasses(top: TopClass[]): string {
  const w = Math.max(0, ...top.map((c) => c.label.length));
  return top.map((c, r) => `${String(r + 1).padStart(2)}. ${c.label.padEnd(w)}${c.label === String(c.index) ? '' : `  [${c.index}]`}  ${c.score.toFixed(4)}`).join('\n') + (top.length ? '\n' : '');
}
