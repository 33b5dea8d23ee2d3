/**
 * A map of where a (valid) TFLite flatbuffer keeps its structure, so that mutations can aim at it instead of at
 * the megabytes of weights: the uoffsets stored in tables and vectors, vector and string lengths, vtables and
 * their entries, the scalar fields of every table (shapes, strides, tensor indices, scales, zero points, ...),
 * and the small constant buffers (paddings, permutations, axes, sizes) whose values ops interpret.
 *
 * This walker is deliberately independent of src/tflite/verify.ts (its own table descriptions, written from
 * schema.fbs), so that a gap in the verifier's description is not mirrored here.
 */

type Scalar = 'u8' | 'i8' | 'bool' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'u64' | 'i64';
type Field =
  | { id: number; k: 'scalar'; t: Scalar }
  | { id: number; k: 'string' }
  | { id: number; k: 'vector'; t: Scalar; data?: boolean }
  | { id: number; k: 'table'; d: Desc }
  | { id: number; k: 'tables'; d: Desc }
  | { id: number; k: 'union'; typeId: number; d: Record<number, Desc> };
interface Desc {
  name: string;
  fields: Field[];
}

const size: Record<Scalar, number> = { u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8 };

const opts = (name: string, ...fields: [number, Scalar][]): Desc => ({ name, fields: fields.map(([id, t]) => ({ id, k: 'scalar', t })) });
// BuiltinOptions union (schema.fbs): type value -> table
const builtinOptions: Record<number, Desc> = {
  1: opts('Conv2DOptions', [0, 'i8'], [1, 'i32'], [2, 'i32'], [3, 'i8'], [4, 'i32'], [5, 'i32'], [6, 'i8']),
  2: opts('DepthwiseConv2DOptions', [0, 'i8'], [1, 'i32'], [2, 'i32'], [3, 'i32'], [4, 'i8'], [5, 'i32'], [6, 'i32']),
  5: opts('Pool2DOptions', [0, 'i8'], [1, 'i32'], [2, 'i32'], [3, 'i32'], [4, 'i32'], [5, 'i8']),
  8: opts('FullyConnectedOptions', [0, 'i8'], [1, 'i8'], [2, 'bool'], [3, 'bool'], [4, 'i8']),
  9: opts('SoftmaxOptions', [0, 'f32']),
  10: opts('ConcatenationOptions', [0, 'i32'], [1, 'i8']),
  11: opts('AddOptions', [0, 'i8'], [1, 'bool']),
  17: { name: 'ReshapeOptions', fields: [{ id: 0, k: 'vector', t: 'i32' }] },
  21: opts('MulOptions', [0, 'i8']),
  27: opts('ReducerOptions', [0, 'bool']),
  30: { name: 'SqueezeOptions', fields: [{ id: 0, k: 'vector', t: 'i32' }] },
  74: opts('ResizeNearestNeighborOptions', [0, 'bool'], [1, 'bool']),
};
const quantization: Desc = {
  name: 'QuantizationParameters',
  fields: [
    { id: 0, k: 'vector', t: 'f32' }, { id: 1, k: 'vector', t: 'f32' }, { id: 2, k: 'vector', t: 'f32' },
    { id: 3, k: 'vector', t: 'i64' }, { id: 4, k: 'scalar', t: 'u8' }, { id: 6, k: 'scalar', t: 'i32' },
  ],
};
const tensor: Desc = {
  name: 'Tensor',
  fields: [
    { id: 0, k: 'vector', t: 'i32' }, { id: 1, k: 'scalar', t: 'i8' }, { id: 2, k: 'scalar', t: 'u32' }, { id: 3, k: 'string' },
    { id: 4, k: 'table', d: quantization }, { id: 5, k: 'scalar', t: 'bool' }, { id: 7, k: 'vector', t: 'i32' },
  ],
};
const operator: Desc = {
  name: 'Operator',
  fields: [
    { id: 0, k: 'scalar', t: 'u32' }, { id: 1, k: 'vector', t: 'i32' }, { id: 2, k: 'vector', t: 'i32' }, { id: 3, k: 'scalar', t: 'u8' },
    { id: 4, k: 'union', typeId: 3, d: builtinOptions }, { id: 5, k: 'vector', t: 'u8' }, { id: 8, k: 'vector', t: 'i32' },
  ],
};
const subgraph: Desc = {
  name: 'SubGraph',
  fields: [{ id: 0, k: 'tables', d: tensor }, { id: 1, k: 'vector', t: 'i32' }, { id: 2, k: 'vector', t: 'i32' }, { id: 3, k: 'tables', d: operator }, { id: 4, k: 'string' }],
};
const operatorCode: Desc = { name: 'OperatorCode', fields: [{ id: 0, k: 'scalar', t: 'i8' }, { id: 1, k: 'string' }, { id: 2, k: 'scalar', t: 'i32' }, { id: 3, k: 'scalar', t: 'i32' }] };
const buffer: Desc = { name: 'Buffer', fields: [{ id: 0, k: 'vector', t: 'u8', data: true }, { id: 1, k: 'scalar', t: 'u64' }, { id: 2, k: 'scalar', t: 'u64' }] };
const metadata: Desc = { name: 'Metadata', fields: [{ id: 0, k: 'string' }, { id: 1, k: 'scalar', t: 'u32' }] };
const model: Desc = {
  name: 'Model',
  fields: [
    { id: 0, k: 'scalar', t: 'u32' }, { id: 1, k: 'tables', d: operatorCode }, { id: 2, k: 'tables', d: subgraph }, { id: 3, k: 'string' },
    { id: 4, k: 'tables', d: buffer }, { id: 5, k: 'vector', t: 'i32' }, { id: 6, k: 'tables', d: metadata },
  ],
};

export type ScalarKind = 'int' | 'float';
export interface ScalarSlot {
  pos: number;
  size: number;
  kind: ScalarKind;
  /** where it is, for reports: "Tensor.field0[2]" */
  what: string;
}

export interface FbMap {
  /** positions of uoffset_t fields (root, table fields, vector-of-tables elements) */
  uoffsets: number[];
  /** positions of the u32 length of vectors and strings */
  lengths: number[];
  /** positions of tables (their soffset to the vtable) */
  tables: number[];
  /** positions of the u16 entries of vtables (vtable size, inline size, field offsets) */
  vtableEntries: number[];
  /** scalar fields of tables and elements of small typed vectors */
  scalars: ScalarSlot[];
  /** int32 words of small constant buffers (paddings, axes, permutations, sizes, biases of small models) */
  smallData: number[];
  /** big buffers (weights): [start, end) byte ranges to leave alone when flipping bytes */
  bigData: [number, number][];
  /** every byte position outside bigData (the "structure region"), for byte flips */
  structure: Int32Array;
}

/** Buffers up to this size count as "small constant data" whose values are targets; bigger ones are weights. */
const SMALL_DATA = 256;

export function mapFlatbuffer(bytes: Uint8Array): FbMap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m: FbMap = { uoffsets: [], lengths: [], tables: [], vtableEntries: [], scalars: [], smallData: [], bigData: [], structure: new Int32Array(0) };
  const seenTables = new Set<number>();
  const seenVtables = new Set<number>();
  const inFile = (p: number, n: number) => p >= 0 && p + n <= bytes.length;
  const deref = (p: number): number => {
    if (!inFile(p, 4)) return -1;
    const t = p + view.getUint32(p, true);
    return inFile(t, 4) ? t : -1;
  };
  const kindOf = (t: Scalar): ScalarKind => (t === 'f32' ? 'float' : 'int');

  const walk = (pos: number, d: Desc): void => {
    if (pos < 0 || seenTables.has(pos) || !inFile(pos, 4)) return;
    seenTables.add(pos);
    m.tables.push(pos);
    const vt = pos - view.getInt32(pos, true);
    if (!inFile(vt, 4)) return;
    const vtSize = view.getUint16(vt, true);
    if (!inFile(vt, vtSize)) return;
    if (!seenVtables.has(vt)) {
      seenVtables.add(vt);
      for (let k = 0; k + 2 <= vtSize; k += 2) m.vtableEntries.push(vt + k);
    }
    const nFields = (vtSize - 4) >> 1;
    const fieldPos = (id: number): number => {
      if (id >= nFields) return -1;
      const fo = view.getUint16(vt + 4 + 2 * id, true);
      return fo === 0 ? -1 : pos + fo;
    };
    for (const f of d.fields) {
      const fp = fieldPos(f.id);
      if (fp < 0) continue;
      const what = `${d.name}.field${f.id}`;
      switch (f.k) {
        case 'scalar':
          m.scalars.push({ pos: fp, size: size[f.t], kind: kindOf(f.t), what });
          break;
        case 'string': {
          m.uoffsets.push(fp);
          const s = deref(fp);
          if (s >= 0) m.lengths.push(s);
          break;
        }
        case 'vector': {
          m.uoffsets.push(fp);
          const v = deref(fp);
          if (v < 0) break;
          m.lengths.push(v);
          const n = view.getUint32(v, true);
          const es = size[f.t];
          if (!inFile(v + 4, n * es)) break;
          if (f.data) {
            if (n > SMALL_DATA) m.bigData.push([v + 4, v + 4 + n]);
            else for (let i = 0; i + 4 <= n; i += 4) m.smallData.push(v + 4 + i);
          } else if (n * es <= 4096) {
            for (let i = 0; i < n; i++) m.scalars.push({ pos: v + 4 + i * es, size: es, kind: kindOf(f.t), what: `${what}[${i}]` });
          }
          break;
        }
        case 'table':
          m.uoffsets.push(fp);
          walk(deref(fp), f.d);
          break;
        case 'tables': {
          m.uoffsets.push(fp);
          const v = deref(fp);
          if (v < 0) break;
          m.lengths.push(v);
          const n = view.getUint32(v, true);
          if (!inFile(v + 4, n * 4)) break;
          for (let i = 0; i < n; i++) {
            m.uoffsets.push(v + 4 + 4 * i);
            walk(deref(v + 4 + 4 * i), f.d);
          }
          break;
        }
        case 'union': {
          const tp = fieldPos(f.typeId);
          const type = tp < 0 ? 0 : bytes[tp]!;
          if (type === 0) break;
          m.uoffsets.push(fp);
          walk(deref(fp), f.d[type] ?? { name: `Options${type}`, fields: [] });
          break;
        }
      }
    }
  };

  if (bytes.length >= 8) {
    m.uoffsets.push(0);
    walk(deref(0), model);
  }
  m.bigData.sort((a, b) => a[0] - b[0]);
  const structure: number[] = [];
  let k = 0;
  for (let p = 0; p < bytes.length; p++) {
    while (k < m.bigData.length && m.bigData[k]![1] <= p) k++;
    if (k < m.bigData.length && p >= m.bigData[k]![0]) {
      p = m.bigData[k]![1] - 1;
      continue;
    }
    structure.push(p);
  }
  m.structure = Int32Array.from(structure);
  return m;
}
