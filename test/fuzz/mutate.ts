/**
 * Structure-aware mutations of TFLite flatbuffers, as fast-check arbitraries. A mutation names its target by
 * kind (a uoffset, a vector length, a vtable entry, a scalar field, a small constant, a structure byte) and
 * an index taken modulo the number of such targets in the seed, so any mutation applies to any seed, and
 * shrinking (fewer mutations, smaller indices, simpler values) keeps working.
 */
import fc from 'fast-check';
import type { FbMap } from './fbmap.js';

export type Mutation =
  /** xor a byte of the structure region (everything but the big weight buffers) */
  | { k: 'flip'; at: number; xor: number }
  /** overwrite a uoffset or a vector/string length with a boundary value */
  | { k: 'offset' | 'length'; pick: number; value: number; random: number }
  /** overwrite a vtable entry (u16) */
  | { k: 'vtable'; pick: number; value: number; random: number }
  /** overwrite a table scalar or an element of a small typed vector (shape, indices, scales, zero points) */
  | { k: 'scalar'; pick: number; value: number; random: number }
  /** overwrite an int32 of a small constant buffer (paddings, axes, perm, sizes) */
  | { k: 'const'; pick: number; value: number; random: number }
  /** cut the file */
  | { k: 'truncate'; at: number }
  /** copy a region over another one */
  | { k: 'copy'; from: number; to: number; len: number }
  /** insert a copy of a region (everything behind it moves) */
  | { k: 'duplicate'; from: number; to: number; len: number }
  /** remove a region */
  | { k: 'delete'; at: number; len: number }
  /** overwrite a region with the bytes at the same place in another seed */
  | { k: 'splice'; other: number; at: number; len: number };

export interface MutationCase {
  seed: number;
  mutations: Mutation[];
}

const pick = fc.nat({ max: 1 << 24 });
const choice = fc.nat({ max: 63 });
const random = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const len = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 512 }));

/** Mutations that keep the flatbuffer readable and change what it says: field values, constants, the odd byte. */
export const semanticMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('scalar' as const), pick, value: choice, random }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('const' as const), pick, value: choice, random }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('vtable' as const), pick, value: choice, random }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('flip' as const), at: pick, xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('offset' as const, 'length' as const), pick, value: choice, random }) },
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('flip' as const), at: pick, xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('offset' as const, 'length' as const), pick, value: choice, random }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('vtable' as const), pick, value: choice, random }) },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('scalar' as const), pick, value: choice, random }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('const' as const), pick, value: choice, random }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), at: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('copy' as const), from: pick, to: pick, len }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('duplicate' as const), from: pick, to: pick, len }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), at: pick, len }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('splice' as const), other: pick, at: pick, len }) },
);

/** Cases over seeds 0..nSeeds-1; `groups` (lists of seed indices with weights) skews which seeds are picked. */
export const caseArb = (nSeeds: number, maxMutations = 4, groups?: { seeds: number[]; weight: number }[]): fc.Arbitrary<MutationCase> => {
  const seed = groups
    ? fc.oneof(...groups.filter((g) => g.seeds.length).map((g) => ({ weight: g.weight, arbitrary: fc.constantFrom(...g.seeds) })))
    : fc.nat({ max: nSeeds - 1 });
  return fc.record({ seed, mutations: fc.array(mutationArb, { minLength: 1, maxLength: maxMutations }) });
};

/** Cases of mostly semantic mutations (see semanticMutationArb), which reach the compiler and interpreter more often. */
export const semanticCaseArb = (nSeeds: number, maxMutations = 3): fc.Arbitrary<MutationCase> =>
  fc.record({ seed: fc.nat({ max: nSeeds - 1 }), mutations: fc.array(semanticMutationArb, { minLength: 1, maxLength: maxMutations }) });

/** u32 boundary values: around 0, the int32/uint32 limits, the file length and the old value */
function u32Value(i: number, old: number, fileLen: number, rnd: number): number {
  const vals = [0, 1, 2, 3, 4, 8, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0xfffffffc, fileLen, fileLen - 1, fileLen + 1, fileLen - 4, fileLen + 4,
    old + 1, old - 1, old + 4, old - 4, old * 2, old >>> 1, 0x10000, 0xffff, 1 << 28, 1 << 30];
  return (i < vals.length ? vals[i]! : rnd) >>> 0;
}

/** signed boundary values for integer scalars of any width */
function intValue(i: number, old: number, rnd: number): number {
  const vals = [0, 1, -1, 2, 3, 4, 5, 7, 127, 128, -128, -129, 255, 256, 0x7fff, -0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000,
    1 << 20, 1 << 28, 1 << 30, old + 1, old - 1, -old, old * 2, old * 1000, 16, 17, 64, 100];
  return i < vals.length ? vals[i]! : rnd;
}

function floatValue(i: number, old: number, rnd: number): number {
  const vals = [0, -0, -1, NaN, Infinity, -Infinity, 1e-45, 1.1754942e-38, 1e-40, 1e-30, 1e-20, 1e30, 3.4028234e38, old * 2, old / 2, -old, 1, 0.5, old * 1e10, old * 1e-10];
  if (i < vals.length) return vals[i]!;
  const b = new DataView(new ArrayBuffer(4));
  b.setInt32(0, rnd, true);
  return b.getFloat32(0, true);
}

function u16Value(i: number, old: number, rnd: number): number {
  const vals = [0, 1, 2, 3, 4, 5, 6, 0xffff, 0xfffe, 0x8000, old + 1, old - 1, old + 2, old - 2, old + 4, old - 4, old * 2, 8, 12, 16];
  return (i < vals.length ? vals[i]! : rnd) & 0xffff;
}

function writeInt(view: DataView, pos: number, size: number, v: number): void {
  if (pos < 0 || pos + size > view.byteLength) return;
  switch (size) {
    case 1: view.setUint8(pos, v & 0xff); break;
    case 2: view.setUint16(pos, v & 0xffff, true); break;
    case 4: view.setUint32(pos, v >>> 0, true); break;
    case 8: view.setBigInt64(pos, BigInt(Math.trunc(v)), true); break;
  }
}

function readInt(view: DataView, pos: number, size: number): number {
  if (pos < 0 || pos + size > view.byteLength) return 0;
  switch (size) {
    case 1: return view.getInt8(pos);
    case 2: return view.getInt16(pos, true);
    case 4: return view.getInt32(pos, true);
    default: return Number(view.getBigInt64(pos, true));
  }
}

/** Applies `mutations` in order to a copy of `bytes` (whose structure `map` describes). */
export function applyMutations(bytes: Uint8Array, map: FbMap, mutations: readonly Mutation[], others: readonly Uint8Array[] = []): Uint8Array {
  let out = bytes.slice();
  let view = new DataView(out.buffer);
  // positions come from the seed's map; after a truncation or deletion they are folded back into the file
  const structurePos = (n: number) => {
    const p = map.structure.length ? map.structure[n % map.structure.length]! : n;
    return p < out.length ? p : p % Math.max(1, out.length);
  };
  for (const m of mutations) {
    const L = out.length;
    if (L === 0) break;
    switch (m.k) {
      case 'flip': {
        const p = structurePos(m.at);
        if (p < L) out[p]! ^= m.xor;
        break;
      }
      case 'offset':
      case 'length': {
        const list = m.k === 'offset' ? map.uoffsets : map.lengths;
        if (!list.length) break;
        const p = list[m.pick % list.length]!;
        if (p + 4 > L) break;
        view.setUint32(p, u32Value(m.value, view.getUint32(p, true), L, m.random), true);
        break;
      }
      case 'vtable': {
        if (!map.vtableEntries.length) break;
        const p = map.vtableEntries[m.pick % map.vtableEntries.length]!;
        if (p + 2 > L) break;
        view.setUint16(p, u16Value(m.value, view.getUint16(p, true), m.random), true);
        break;
      }
      case 'scalar': {
        if (!map.scalars.length) break;
        const s = map.scalars[m.pick % map.scalars.length]!;
        if (s.pos + s.size > L) break;
        if (s.kind === 'float') view.setFloat32(s.pos, floatValue(m.value, view.getFloat32(s.pos, true), m.random), true);
        else writeInt(view, s.pos, s.size, intValue(m.value, readInt(view, s.pos, s.size), m.random));
        break;
      }
      case 'const': {
        if (!map.smallData.length) break;
        const p = map.smallData[m.pick % map.smallData.length]!;
        if (p + 4 > L) break;
        view.setInt32(p, intValue(m.value, view.getInt32(p, true), m.random), true);
        break;
      }
      case 'truncate':
        out = out.slice(0, m.at % L);
        break;
      case 'copy': {
        const from = structurePos(m.from), to = structurePos(m.to);
        const n = Math.min(m.len, L - from, L - to);
        if (n > 0) out.copyWithin(to, from, from + n);
        break;
      }
      case 'duplicate': {
        const from = structurePos(m.from), to = structurePos(m.to);
        const chunk = out.slice(from, Math.min(L, from + m.len));
        const grown = new Uint8Array(L + chunk.length);
        grown.set(out.subarray(0, to), 0);
        grown.set(chunk, to);
        grown.set(out.subarray(to), to + chunk.length);
        out = grown;
        break;
      }
      case 'delete': {
        const at = structurePos(m.at);
        const shrunk = new Uint8Array(Math.max(0, L - Math.min(m.len, L - at)));
        shrunk.set(out.subarray(0, at), 0);
        shrunk.set(out.subarray(Math.min(L, at + m.len)), at);
        out = shrunk;
        break;
      }
      case 'splice': {
        if (!others.length) break;
        const o = others[m.other % others.length]!;
        const at = structurePos(m.at);
        const n = Math.min(m.len, L - at, o.length - at);
        if (n > 0) out.set(o.subarray(at, at + n), at);
        break;
      }
    }
    view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  }
  return out;
}
