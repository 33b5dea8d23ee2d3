/**
 * Images as model inputs (src/api/image.ts): PNG/JPEG files written here with jimp, resized, normalised and
 * quantized into examples/digits/digits.tflite's int8 [1,32,32,1] input; TFLite metadata (normalisation,
 * label files packed as a zip after the flatbuffer) read from hand-built buffers; --top K classes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as flatbuffers from 'flatbuffers';
import { Jimp } from 'jimp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatTopClasses, imageToInput, isImageFile, modelLabels, normalisation, parseModelMetadata, parseNumberList, readInputFiles,
  readModelMetadata, topClasses, zipEntries,
} from '../../src/api/image.js';
import { loadModel, loadModelBytes } from '../../src/api/model.js';
import { interpret } from '../../src/interp/index.js';
import type { Graph } from '../../src/ir/types.js';
import { repoRoot } from '../helpers/shared.js';
import { tinyConvModel } from '../helpers/build-model.js';

const digitsPath = join(repoRoot, 'examples/digits/digits.tflite');
const images = new Int8Array(readFileSync(join(repoRoot, 'examples/digits/test_images.bin')).buffer.slice(0));
const labels = new Uint8Array(readFileSync(join(repoRoot, 'examples/digits/test_labels.bin')));
let dir = '';
let digits: Graph;

/** Digits test image n (int8, scale 2/255, zero point -1, values in [-1, 1]) as 8-bit grey pixels. */
function pixels(n: number): number[] {
  return Array.from(images.subarray(1024 * n, 1024 * (n + 1)), (q) => Math.min(255, Math.max(0, Math.round(((q + 1) * (2 / 255) + 1) * 127.5))));
}

/** A PNG (or JPEG) of digits test image n, grey as RGB, optionally scaled up `up` times (nearest). */
async function writeDigit(n: number, file: string, up = 1, tint = false): Promise<string> {
  const p = pixels(n);
  const img = new Jimp({ width: 32 * up, height: 32 * up, color: 0x000000ff });
  for (let y = 0; y < 32 * up; y++) {
    for (let x = 0; x < 32 * up; x++) {
      const v = p[Math.floor(y / up) * 32 + Math.floor(x / up)]!;
      const o = 4 * (y * 32 * up + x);
      img.bitmap.data[o] = v;
      img.bitmap.data[o + 1] = v;
      img.bitmap.data[o + 2] = tint ? 255 - v : v;
      img.bitmap.data[o + 3] = 255;
    }
  }
  const path = join(dir, file);
  await img.write(path as `${string}.${string}`);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnetc-image-'));
  digits = loadModel(digitsPath);
});

describe('images as model inputs', () => {
  it('a 32x32 PNG of a test image gives back its quantized bytes (within one step)', async () => {
    for (const n of [0, 1, 2]) {
      const input = await imageToInput(digits, await writeDigit(n, `d${n}.png`));
      expect(input).toHaveLength(1024);
      const got = new Int8Array(input.buffer, input.byteOffset, input.length);
      const want = images.subarray(1024 * n, 1024 * (n + 1));
      let worst = 0;
      for (let i = 0; i < 1024; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('resizes larger PNG and JPEG images and the model still reads the digit', async () => {
    for (const n of [0, 1, 2, 3, 4, 5]) {
      const png = await writeDigit(n, `big${n}.png`, 3);
      const jpg = await writeDigit(n, `big${n}.jpg`, 4);
      for (const f of [png, jpg]) {
        const input = await imageToInput(digits, f);
        const out = interpret(digits, [input]).outputs;
        expect(topClasses(digits, out, 1)[0]!.index, `${f}`).toBe(labels[n]);
      }
    }
  });

  it('converts RGB to one channel by luma, and keeps three channels for RGB inputs', async () => {
    const f = await writeDigit(0, 'tint.png', 1, true);
    const grey = await imageToInput(digits, f);
    const plain = await imageToInput(digits, await writeDigit(0, 'plain.png'));
    expect(Buffer.from(grey).equals(Buffer.from(plain))).toBe(false); // the blue channel counts
    const rgbModel = loadModelBytes(tinyConvModel()); // int8 [1,8,8,3], scale 0.02, zero point -3
    const rgb = await imageToInput(rgbModel, f, { mean: [0], std: [255] }); // [0,255] -> [0,1] -> q = x/0.02 - 3
    expect(rgb).toHaveLength(8 * 8 * 3);
    const v = new Int8Array(rgb.buffer);
    // pixel 0: the resized r/g/b; blue is the inverse of red/green here
    expect(v[0]).toBe(v[1]);
    expect(Math.abs((v[0]! + 3) + (v[2]! + 3) - 50)).toBeLessThanOrEqual(2); // r + b = 255 -> 1.0 -> 50 steps
  });

  it('reads raw and image files side by side, checks flags and rejects what is not an image', async () => {
    expect(isImageFile('a/b.PNG')).toBe(true);
    expect(isImageFile('in.bin')).toBe(false);
    const raw = join(dir, 'in.bin');
    writeFileSync(raw, images.subarray(0, 1024));
    const [fromRaw] = await readInputFiles(digits, [raw]);
    const [fromPng] = await readInputFiles(digits, [await writeDigit(0, 'r0.png')]);
    expect(fromRaw).toHaveLength(1024);
    expect(fromPng).toHaveLength(1024);
    expect(parseNumberList('123.7, 116.3,103.5', '--mean')).toEqual([123.7, 116.3, 103.5]);
    expect(() => parseNumberList('a', '--mean')).toThrow(/MN405/);
    expect(normalisation(digits)).toEqual({ mean: [127.5], std: [127.5], source: 'default' });
    expect(() => normalisation(digits, { mean: [1, 2, 3] })).toThrow(/3 values/);
    expect(() => normalisation(digits, { std: [0] })).toThrow(/non-zero/);
    await expect(imageToInput(digits, raw.replace('.bin', '.png'))).rejects.toThrow(/MN100/);
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    await expect(imageToInput(digits, join(dir, 'bad.png'))).rejects.toThrow(/cannot decode/);
  });
});

// ------------------------------------------------------------------------------------------------------
// metadata

/** A ModelMetadata flatbuffer: input normalisation, output labels file. */
function metadataBuffer(opts: { mean: number[]; std: number[]; labelsFile: string }): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const floats = (v: number[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]!);
    return b.endVector();
  };
  const tables = (v: number[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]!);
    return b.endVector();
  };
  const mean = floats(opts.mean), std = floats(opts.std);
  b.startObject(2); // NormalizationOptions
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const norm = b.endObject();
  b.startObject(2); // ProcessUnit
  b.addFieldInt8(0, 1, 0);
  b.addFieldOffset(1, norm, 0);
  const pu = b.endObject();
  const inName = b.createString('image');
  const pus = tables([pu]);
  b.startObject(7); // TensorMetadata (input)
  b.addFieldOffset(0, inName, 0);
  b.addFieldOffset(4, pus, 0);
  const input = b.endObject();
  const fileName = b.createString(opts.labelsFile), fileDesc = b.createString('labels');
  b.startObject(4); // AssociatedFile
  b.addFieldOffset(0, fileName, 0);
  b.addFieldOffset(1, fileDesc, 0);
  b.addFieldInt8(2, 2, 0); // TENSOR_AXIS_LABELS
  const file = b.endObject();
  const outName = b.createString('probability');
  const files = tables([file]);
  b.startObject(7); // TensorMetadata (output)
  b.addFieldOffset(0, outName, 0);
  b.addFieldOffset(6, files, 0);
  const output = b.endObject();
  const ins = tables([input]), outs = tables([output]);
  b.startObject(7); // SubGraphMetadata
  b.addFieldOffset(2, ins, 0);
  b.addFieldOffset(3, outs, 0);
  const sub = b.endObject();
  const name = b.createString('digits classifier'), subs = tables([sub]);
  b.startObject(8); // ModelMetadata
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(3, subs, 0);
  const root = b.endObject();
  b.finish(root, 'M001');
  return b.asUint8Array().slice();
}

/** A zip archive (offsets relative to its own start, as Python's zipfile appends one) of the given files. */
function zip(files: Record<string, string>, deflate: boolean): Uint8Array {
  const parts: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), body = deflate ? deflateRawSync(data) : data, n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(deflate ? 8 : 0, 10);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, n);
    parts.push(local, n, body);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, cd, end]));
}

describe('TFLite metadata and labels', () => {
  const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const withMetadata = (g: Graph, mean: number[], std: number[]): Graph => ({
    ...g, metadata: [...g.metadata, { name: 'TFLITE_METADATA', data: metadataBuffer({ mean, std, labelsFile: 'labels.txt' }) }],
  });

  it('reads normalisation and the labels file name from the metadata flatbuffer', () => {
    const m = parseModelMetadata(metadataBuffer({ mean: [127.5], std: [127.5], labelsFile: 'labels.txt' }));
    expect(m.name).toBe('digits classifier');
    expect(m.inputs).toEqual([{ name: 'image', mean: [127.5], std: [127.5] }]);
    expect(m.outputs).toEqual([{ name: 'probability', labelsFile: 'labels.txt' }]);
    expect(readModelMetadata(digits)).toBeNull();
    expect(readModelMetadata({ ...digits, metadata: [{ name: 'TFLITE_METADATA', data: new Uint8Array(12) }] })).toBeNull();
  });

  it('finds label files packed after the model (stored and deflated), and --labels FILE wins', () => {
    const model = new Uint8Array(readFileSync(digitsPath));
    const g = withMetadata(digits, [127.5], [127.5]);
    for (const deflate of [false, true]) {
      const bytes = new Uint8Array([...model, ...zip({ 'readme.txt': 'hi', 'labels.txt': `${names.join('\r\n')}\n\n` }, deflate)]);
      expect([...zipEntries(bytes).keys()]).toEqual(['readme.txt', 'labels.txt']);
      expect(modelLabels(g, { modelBytes: bytes })).toEqual(names);
    }
    expect(modelLabels(g, { modelBytes: model })).toBeNull();
    expect(modelLabels(digits, { modelBytes: model })).toBeNull();
    expect(modelLabels(digits, { labelsFile: join(repoRoot, 'examples/digits/labels.txt') })).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('normalises with the metadata unless --mean/--std are given', async () => {
    const png = await writeDigit(0, 'm0.png');
    const g = withMetadata(digits, [0], [255]); // [0,255] -> [0,1]: not what digits wants, but visible
    expect(normalisation(g)).toEqual({ mean: [0], std: [255], source: 'metadata' });
    const meta = new Int8Array((await imageToInput(g, png)).buffer);
    const flags = new Int8Array((await imageToInput(g, png, { mean: [127.5], std: [127.5] })).buffer);
    const zero = pixels(0).indexOf(0); // a black pixel: 0 -> x = 0 -> q = zero point -1
    expect(meta[zero]).toBe(-1);
    expect(flags[zero]).toBe(-128);
  });

  it('prints the best classes with their labels', () => {
    const out = interpret(digits, [images.subarray(0, 1024) as unknown as Uint8Array]).outputs;
    const top = topClasses(digits, out, 3, names);
    expect(top[0]!.index).toBe(labels[0]);
    expect(top[0]!.label).toBe(names[labels[0]!]);
    expect(top[0]!.score).toBeGreaterThan(top[1]!.score);
    const text = formatTopClasses(top);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^ 1\\. ${names[labels[0]!]}\\s+\\[${labels[0]}\\]  0\\.\\d{4}$`));
    expect(formatTopClasses(topClasses(digits, out, 2))).toMatch(/^ 1\. \d  0\.\d{4}\n 2\. \d  0\.\d{4}\n$/);
  });
});
