/**
 * The codegen-level schedule: one `Layer` per kernel call, with its flat parameter struct as data. Built by
 * lower.ts from the IR, placed in the arena by arena.ts, rendered to C by emit.ts.
 */
import type { Op } from '../ir/types.js';

export type CType = 'int8_t' | 'uint8_t' | 'int16_t' | 'int32_t' | 'float';

/** A constant array emitted into NAME_weights.c */
export interface CArray {
  symbol: string;
  ctype: CType;
  /** raw little-endian bytes (int8/uint8 data is emitted as a string literal) */
  bytes?: Uint8Array;
  /** numeric values (emitted as a list) */
  values?: ArrayLike<number>;
  comment: string;
}

/** One field of a parameter struct initializer: a number, a list, or a C expression (symbol, nested init). */
export interface CField {
  name: string;
  value: number | number[] | string;
}

/** One pointer argument of a kernel call after the params pointer. */
export type CallArg =
  | { kind: 'tensor'; tensor: number; role: 'in' | 'out' }
  | { kind: 'scratch'; bytes: number };

export interface Layer {
  /** C identifier stem, e.g. "L3" */
  id: string;
  op: Op;
  /** C function name; null for pure aliases (RESHAPE) that emit no call */
  kernel: string | null;
  /** runtime-c/src file providing the kernel */
  kernelFile: string | null;
  paramsType: string | null;
  fields: CField[];
  arrays: CArray[];
  args: CallArg[];
  /** output tensor occupies the same bytes as this input (RESHAPE/SQUEEZE) */
  aliasOf?: number;
  /** the kernel may write its output over this input (element-wise, reads each element before writing it) */
  inPlaceInput?: number;
  /** extra human-readable lines for the layer's comment block */
  notes: string[];
  macs: number;
}
