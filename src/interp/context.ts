/**
 * Tensor storage for one interpreter run: typed-array values per tensor index, created on first write.
 * Constant tensors are decoded from the model's bytes once (copied, so that int32 views are aligned).
 */
import { fail } from '../diagnostics.js';
import type { Semantics } from '../fixed/params.js';
import { elementCount, type Graph, type Tensor, type TensorValues } from '../ir/types.js';

export function allocValues(t: Tensor): TensorValues {
  const n = elementCount(t.shape);
  switch (t.dtype) {
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'float32': return new Float32Array(n);
    default: return fail('MN301', `tensor "${t.name}" has dtype ${t.dtype}, which mnetc does not support`);
  }
}

/** Views raw little-endian bytes as the tensor's dtype (copying to get alignment). */
export function valuesFromBytes(t: Tensor, bytes: Uint8Array): TensorValues {
  const v = allocValues(t);
  const dst = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (bytes.length !== dst.length) {
    fail('MN203', `tensor "${t.name}" has ${bytes.length} bytes of data, its shape [${t.shape.join(',')}] of ${t.dtype} needs ${dst.length}`);
  }
  dst.set(bytes);
  return v;
}

export function bytesOf(v: TensorValues): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export class Context {
  readonly values: (TensorValues | null)[];
  constructor(readonly graph: Graph, readonly semantics: Semantics = 'tflm') {
    this.values = graph.tensors.map(() => null);
  }
  tensor(i: number): Tensor {
    return this.graph.tensors[i]!;
  }
  /** values of an input tensor: a constant, a model input or an earlier op's output */
  get(i: number): TensorValues {
    let v = this.values[i];
    if (v) return v;
    const t = this.tensor(i);
    if (t.data) {
      v = valuesFromBytes(t, t.data);
      this.values[i] = v;
      return v;
    }
    return fail('MN206', `tensor ${i} "${t.name}" is read before any operator writes it`);
  }
  getInt8(i: number): Int8Array { return this.get(i) as Int8Array; }
  getInt32(i: number): Int32Array { return this.get(i) as Int32Array; }
  /** fresh storage for an op's output */
  out(i: number): TensorValues {
    const v = allocValues(this.tensor(i));
    this.values[i] = v;
    return v;
  }
}
