/**
 * A tiny builder for hand-made IR graphs, so each interpreter kernel can be run on small hand-checked cases
 * without a .tflite file.
 */
import type { DType, Graph, Op, Tensor } from '../../src/ir/types.js';
import { interpret } from '../../src/interp/index.js';
import type { TensorValues } from '../../src/ir/types.js';

export interface TensorSpec {
  shape: number[];
  dtype?: DType;
  scale?: number | number[];
  zp?: number | number[];
  axis?: number;
  /** constant values (weights, bias, axes, perms, ...) */
  data?: ArrayLike<number>;
}

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
export type OpSpec = DistributiveOmit<Op, 'index' | 'opName'> & { opName?: string };

function bytesOf(dtype: DType, values: ArrayLike<number>): Uint8Array {
  const arr = typedFor(dtype, values.length);
  for (let i = 0; i < values.length; i++) arr[i] = values[i]!;
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).slice();
}

function typedFor(dtype: DType, n: number): TensorValues {
  switch (dtype) {
    case 'int8': return new Int8Array(n);
    case 'uint8': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'float32': return new Float32Array(n);
    default: throw new Error(`no test storage for ${dtype}`);
  }
}

export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly ops: Op[] = [];
  tensor(spec: TensorSpec): number {
    const dtype = spec.dtype ?? 'int8';
    const scales = spec.scale === undefined ? null : Array.isArray(spec.scale) ? spec.scale : [spec.scale];
    const zps = spec.zp === undefined ? (scales ? scales.map(() => 0) : null) : Array.isArray(spec.zp) ? spec.zp : [spec.zp];
    const index = this.tensors.length;
    this.tensors.push({
      index, name: `t${index}`, shape: spec.shape, dtype,
      quant: scales ? { scales: scales.map((s) => Math.fround(s)), zeroPoints: zps!, axis: spec.axis ?? 0 } : null,
      data: spec.data ? bytesOf(dtype, spec.data) : null,
    });
    return index;
  }
  op(spec: OpSpec): void {
    this.ops.push({ ...spec, index: this.ops.length, opName: spec.opName ?? spec.kind.toUpperCase() } as Op);
  }
  graph(inputs: number[], outputs: number[]): Graph {
    return { tensors: this.tensors, ops: this.ops, inputs, outputs, description: 'test', metadata: [] };
  }
}

/** Runs a one-op graph: `inputs` are the values of the non-constant inputs in order; returns output 0's values. */
export function runOp(
  b: GraphBuilder, op: OpSpec, inputValues: ArrayLike<number>[],
): number[] {
  b.op(op);
  const g = b.graph(op.inputs.filter((i) => i >= 0 && !b.tensors[i]!.data), op.outputs);
  const ins = g.inputs.map((ti, k) => bytesOf(g.tensors[ti]!.dtype, inputValues[k]!));
  const r = interpret(g, ins);
  const out = g.tensors[op.outputs[0]!]!;
  const bytes = r.outputs[0]!;
  const view = typedFor(out.dtype, bytes.byteLength / (out.dtype === 'int8' || out.dtype === 'uint8' ? 1 : out.dtype === 'int16' ? 2 : 4));
  new Uint8Array(view.buffer).set(bytes);
  return Array.from(view);
}

/** deterministic pseudo-random ints in [lo, hi] */
export function randomInts(n: number, lo: number, hi: number, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out.push(lo + (s % (hi - lo + 1)));
  }
  return out;
}
