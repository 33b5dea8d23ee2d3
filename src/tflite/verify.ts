/**
 * A bounds-checking verifier for the parts of a TFLite flatbuffer that mnetc reads.
 *
 * The `flatbuffers` runtime trusts every offset it follows, so a truncated or hostile file could make the
 * generated accessors read garbage or loop over a huge vector. We walk the same tables first, with a small
 * description of their layout (field ids from schema.fbs), and reject the file with a diagnostic that names
 * the byte offset of the first bad structure. Work is bounded by the file size: every vector is checked
 * against the bytes that remain before any element is visited.
 */
import { fail } from '../diagnostics.js';

type Scalar = 'u8' | 'i8' | 'bool' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'u64' | 'i64';

type FieldDesc =
  | { id: number; kind: 'scalar'; type: Scalar }
  | { id: number; kind: 'string' }
  | { id: number; kind: 'vector'; elem: Scalar }
  | { id: number; kind: 'table'; table: TableDesc }
  | { id: number; kind: 'tables'; table: TableDesc }
  | { id: number; kind: 'strings' }
  /** union value whose table layout depends on the type field with id `typeId` */
  | { id: number; kind: 'union'; typeId: number; tables: Record<number, TableDesc> };

export interface TableDesc {
  name: string;
  fields: FieldDesc[];
}

const scalarSize: Record<Scalar, number> = {
  u8: 1, i8: 1, bool: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8,
};

// ---- The subset of schema.fbs that mnetc reads -------------------------------------------------------------

/** Builtin option tables: scalars only, except the few with vectors. Unknown union types are checked generically. */
const scalarsOnly = (name: string): TableDesc => ({ name, fields: [] });
const reshapeOptions: TableDesc = { name: 'ReshapeOptions', fields: [{ id: 0, kind: 'vector', elem: 'i32' }] };
const squeezeOptions: TableDesc = { name: 'SqueezeOptions', fields: [{ id: 0, kind: 'vector', elem: 'i32' }] };

const quantization: TableDesc = {
  name: 'QuantizationParameters',
  fields: [
    { id: 0, kind: 'vector', elem: 'f32' },
    { id: 1, kind: 'vector', elem: 'f32' },
    { id: 2, kind: 'vector', elem: 'f32' },
    { id: 3, kind: 'vector', elem: 'i64' },
    { id: 4, kind: 'scalar', type: 'u8' },
    { id: 6, kind: 'scalar', type: 'i32' },
  ],
};
const tensor: TableDesc = {
  name: 'Tensor',
  fields: [
    { id: 0, kind: 'vector', elem: 'i32' },
    { id: 1, kind: 'scalar', type: 'i8' },
    { id: 2, kind: 'scalar', type: 'u32' },
    { id: 3, kind: 'string' },
    { id: 4, kind: 'table', table: quantization },
    { id: 5, kind: 'scalar', type: 'bool' },
    { id: 6, kind: 'table', table: scalarsOnly('SparsityParameters') },
    { id: 7, kind: 'vector', elem: 'i32' },
  ],
};
const operator: TableDesc = {
  name: 'Operator',
  fields: [
    { id: 0, kind: 'scalar', type: 'u32' },
    { id: 1, kind: 'vector', elem: 'i32' },
    { id: 2, kind: 'vector', elem: 'i32' },
    { id: 3, kind: 'scalar', type: 'u8' },
    // BuiltinOptions union: ReshapeOptions = 17, SqueezeOptions = 30 (schema.fbs `union BuiltinOptions`)
    { id: 4, kind: 'union', typeId: 3, tables: { 17: reshapeOptions, 30: squeezeOptions } },
    { id: 5, kind: 'vector', elem: 'u8' },
    { id: 8, kind: 'vector', elem: 'i32' },
  ],
};
const subgraph: TableDesc = {
  name: 'SubGraph',
  fields: [
    { id: 0, kind: 'tables', table: tensor },
    { id: 1, kind: 'vector', elem: 'i32' },
    { id: 2, kind: 'vector', elem: 'i32' },
    { id: 3, kind: 'tables', table: operator },
    { id: 4, kind: 'string' },
  ],
};
const operatorCode: TableDesc = {
  name: 'OperatorCode',
  fields: [
    { id: 0, kind: 'scalar', type: 'i8' },
    { id: 1, kind: 'string' },
    { id: 2, kind: 'scalar', type: 'i32' },
    { id: 3, kind: 'scalar', type: 'i32' },
  ],
};
const buffer: TableDesc = {
  name: 'Buffer',
  fields: [
    { id: 0, kind: 'vector', elem: 'u8' },
    { id: 1, kind: 'scalar', type: 'u64' },
    { id: 2, kind: 'scalar', type: 'u64' },
  ],
};
const metadata: TableDesc = {
  name: 'Metadata',
  fields: [
    { id: 0, kind: 'string' },
    { id: 1, kind: 'scalar', type: 'u32' },
  ],
};
export const modelDesc: TableDesc = {
  name: 'Model',
  fields: [
    { id: 0, kind: 'scalar', type: 'u32' },
    { id: 1, kind: 'tables', table: operatorCode },
    { id: 2, kind: 'tables', table: subgraph },
    { id: 3, kind: 'string' },
    { id: 4, kind: 'tables', table: buffer },
    { id: 5, kind: 'vector', elem: 'i32' },
    { id: 6, kind: 'tables', table: metadata },
  ],
};

// ---- The walker --------------------------------------------------------------------------------------------

/** Upper bound on tables visited, so that a file of shared sub-tables cannot make us do quadratic work. */
const MAX_TABLES = 4_000_000;

class Verifier {
  private tables = 0;
  private readonly visited = new Map<TableDesc, Set<number>>();
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(pos: number, len: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.bytes.length) {
      fail('MN103', `${what} lies outside the file (needs bytes ${pos}..${pos + len}, file has ${this.bytes.length})`, Math.max(0, Math.min(pos, this.bytes.length)));
    }
  }

  private u32(pos: number, what: string): number {
    this.need(pos, 4, what);
    return this.view.getUint32(pos, true);
  }

  /** follows a uoffset stored at `pos`, returns the absolute target */
  private deref(pos: number, what: string): number {
    const rel = this.u32(pos, what);
    const target = pos + rel;
    this.need(target, 4, what);
    return target;
  }

  /**
   * follows the uoffset at `pos` to a vector or string and returns its length. Its u32 length must be 4-aligned
   * (the flatbuffers rule; the generated accessors view int32/float32 vectors as typed arrays, which need it).
   */
  private vectorAt(pos: number, what: string): { v: number; len: number } {
    const v = this.deref(pos, what);
    if (v % 4 !== 0) fail('MN104', `${what} vector is misaligned`, v);
    return { v, len: this.u32(v, what) };
  }

  /** checks a table at `pos`; returns a function giving the absolute position of field `id`, or 0 */
  table(pos: number, desc: TableDesc): void {
    // a table shared by several references (legal in flatbuffers) is checked once: work stays linear in the file
    let seen = this.visited.get(desc);
    if (!seen) this.visited.set(desc, (seen = new Set()));
    if (seen.has(pos)) return;
    seen.add(pos);
    if (++this.tables > MAX_TABLES) fail('MN107', 'too many tables in the file', pos);
    if (pos % 4 !== 0) fail('MN103', `${desc.name} table is misaligned`, pos);
    this.need(pos, 4, `${desc.name} table`);
    const vt = pos - this.view.getInt32(pos, true);
    this.need(vt, 4, `${desc.name} vtable`);
    if (vt % 2 !== 0) fail('MN105', `${desc.name} vtable is misaligned`, vt);
    const vtSize = this.view.getUint16(vt, true);
    const inlineSize = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) fail('MN105', `${desc.name} vtable has an invalid size ${vtSize}`, vt);
    this.need(vt, vtSize, `${desc.name} vtable`);
    if (inlineSize < 4) fail('MN105', `${desc.name} table has an invalid inline size ${inlineSize}`, vt);
    this.need(pos, inlineSize, `${desc.name} table`);
    const nFields = (vtSize - 4) / 2;
    // every present field must lie inside the table's inline bytes
    for (let i = 0; i < nFields; i++) {
      const fo = this.view.getUint16(vt + 4 + 2 * i, true);
      if (fo !== 0 && fo < 4) fail('MN105', `${desc.name} field ${i} overlaps the vtable offset`, vt);
      if (fo !== 0 && fo >= inlineSize) fail('MN105', `${desc.name} field ${i} lies outside its table`, vt);
    }
    const fieldPos = (id: number): number => {
      if (id >= nFields) return 0;
      const fo = this.view.getUint16(vt + 4 + 2 * id, true);
      return fo === 0 ? 0 : pos + fo;
    };
    for (const f of desc.fields) {
      const fp = fieldPos(f.id);
      if (fp === 0) continue;
      const what = `${desc.name}.field${f.id}`;
      switch (f.kind) {
        case 'scalar':
          if (fp + scalarSize[f.type] > pos + inlineSize) fail('MN105', `${what} overruns its table`, fp);
          break;
        case 'string': {
          const { v: s, len } = this.vectorAt(fp, what);
          this.need(s + 4, len + 1, `${what} string`);
          break;
        }
        case 'vector': {
          const { v, len } = this.vectorAt(fp, what);
          this.need(v + 4, len * scalarSize[f.elem], `${what} vector`);
          break;
        }
        case 'table':
          this.table(this.deref(fp, what), f.table);
          break;
        case 'tables':
        case 'strings': {
          const { v, len } = this.vectorAt(fp, what);
          this.need(v + 4, len * 4, `${what} vector`);
          for (let i = 0; i < len; i++) {
            const e = this.deref(v + 4 + 4 * i, `${what}[${i}]`);
            if (f.kind === 'tables') this.table(e, f.table);
            else {
              const sl = this.u32(e, what);
              this.need(e + 4, sl + 1, `${what}[${i}] string`);
            }
          }
          break;
        }
        case 'union': {
          const tp = fieldPos(f.typeId);
          const type = tp === 0 ? 0 : this.bytes[tp];
          if (type === 0) break;
          this.table(this.deref(fp, what), f.tables[type] ?? scalarsOnly(`${desc.name}.options`));
          break;
        }
      }
    }
  }

  root(): number {
    if (this.bytes.length < 8) fail('MN101', `file is ${this.bytes.length} bytes, too small to be a TFLite model`, 0);
    const ident = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (ident !== 'TFL3') fail('MN102', `file identifier is ${JSON.stringify(ident)}, expected "TFL3" (not a TFLite model)`, 4);
    return this.deref(0, 'root table');
  }
}

/** Throws an MnetcError (MN101..MN107) unless every structure mnetc reads lies inside `bytes`. */
export function verifyModel(bytes: Uint8Array): void {
  const v = new Verifier(bytes);
  v.table(v.root(), modelDesc);
}
