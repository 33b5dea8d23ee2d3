/**
 * Renders the generated module (NAME.h, NAME.c, NAME_weights.h/.c, build files) from the lowered layers and
 * the arena plan, through the handlebars templates in templates/module. Output is deterministic: the same
 * model and options give the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { elementCount, tensorBytes, type Graph, type Tensor } from '../ir/types.js';
import { rowSourcedInputs, type ArenaPlan, type Unit } from './arena.js';
import { emitRegion, refKernelOf, rowFields } from './stream-emit.js';
import { rowKernelOf, selectVariant, variantFamilyOf, variantSupportFiles, type VariantFamily } from './variants.js';
import type { CArray, CField, Layer } from './layers.js';
import { floatLiteral } from './lower.js';
import { packageRoot, VERSION } from './paths.js';

const hb = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

export function render(template: string, data: object): string {
  let t = cache.get(template);
  if (!t) {
    t = hb.compile(readFileSync(join(packageRoot, 'templates', template), 'utf8'), { noEscape: true, strict: true });
    cache.set(template, t);
  }
  return t(data);
}

const ctypeOf: Record<string, string> = { int8: 'int8_t', uint8: 'uint8_t', int16: 'int16_t', int32: 'int32_t', float32: 'float' };

export function cTypeOfTensor(t: Tensor): string {
  return ctypeOf[t.dtype] ?? 'int8_t';
}

const HEX = Array.from({ length: 256 }, (_, b) => `\\x${b.toString(16).padStart(2, '0')}`);

/** An initializer for a constant array: a string literal for bytes, a number list otherwise. */
function arrayInit(a: CArray): { init: string; length: number } {
  if (a.bytes) {
    const lines: string[] = [];
    const bytes = a.bytes;
    if (bytes.length === 0) return { init: '{0}', length: 1 };
    for (let i = 0; i < bytes.length; i += 40) {
      let s = '  "';
      const end = Math.min(bytes.length, i + 40);
      for (let k = i; k < end; k++) s += HEX[bytes[k]!];
      lines.push(`${s}"`);
    }
    return { init: `\n${lines.join('\n')}`, length: bytes.length };
  }
  const v = Array.from(a.values ?? []);
  if (v.length === 0) return { init: '{0}', length: 1 };
  const fmt = (x: number) => (a.ctype === 'float' ? floatLiteral(x) : x === -2147483648 ? '(-2147483647 - 1)' : String(x));
  const lines: string[] = [];
  for (let i = 0; i < v.length; i += 12) lines.push(`  ${v.slice(i, i + 12).map(fmt).join(', ')},`);
  return { init: `{\n${lines.join('\n')}\n}`, length: v.length };
}

function arrayBytes(a: CArray, length: number): number {
  const w = a.ctype === 'int8_t' || a.ctype === 'uint8_t' ? 1 : a.ctype === 'int16_t' ? 2 : 4;
  return length * w;
}

function fieldValue(f: CField, prefix: string, symbols: Set<string>): string {
  if (Array.isArray(f.value)) return `{${f.value.join(', ')}}`;
  if (typeof f.value === 'number') return f.value === -2147483648 ? '(-2147483647 - 1)' : String(f.value);
  return symbols.has(f.value) ? `${prefix}${f.value}` : f.value;
}

function quantText(t: Tensor): string {
  if (!t.quant) return '';
  if (t.quant.scales.length > 1) return `per-channel scales (${t.quant.scales.length}) axis ${t.quant.axis}`;
  return `scale ${t.quant.scales[0]} zero_point ${t.quant.zeroPoints[0]}`;
}

export function tensorLine(role: string, t: Tensor): string {
  const q = quantText(t);
  return `${role.padEnd(7)} t${t.index} "${t.name}" ${t.dtype} [${t.shape.join('x')}]${q ? ` ${q}` : ''}`;
}

export interface EmitOptions {
  name: string;
  modelFile: string;
  memoryPlan: string;
  families: readonly VariantFamily[];
  /** row input: the invoke functions take a row-reader callback instead of the input buffer */
  rowInput?: boolean;
}

/** runtime-c/src files a kernel file calls into */
const KERNEL_DEPS: Record<string, string[]> = {
  'mn_conv_s8.c': ['mn_rows_for_output.c'],
  'mn_dw_conv_s8.c': ['mn_rows_for_output.c'],
};

export interface EmittedModule {
  files: Map<string, string>;
  /** runtime-c/src files the module uses */
  kernelFiles: string[];
  weightsBytes: number;
}

export function emitModule(graph: Graph, units: Unit[], arena: ArenaPlan, opts: EmitOptions): EmittedModule {
  const layers: Layer[] = units.flatMap((u) => (u.kind === 'layer' ? [u.layer] : u.layers));
  const streamed = new Set(units.flatMap((u) => (u.kind === 'region' ? u.layers : [])));
  const regionOfLayer = new Map(units.flatMap((u) => (u.kind === 'region' ? u.layers.map((l) => [l, u.region] as const) : [])));
  const name = opts.name;
  const NAME = name.toUpperCase();
  const prefix = `${name}_`;
  const T = (i: number) => graph.tensors[i]!;

  // constant arrays: every layer's own arrays, plus constant operands of element-wise ops
  const arrays: (CArray & { length: number; init: string })[] = [];
  const symbols = new Set<string>();
  let weightsBytes = 0;
  const constSymbol = new Map<number, string>();
  const addArray = (a: CArray) => {
    const { init, length } = arrayInit(a);
    symbols.add(a.symbol);
    weightsBytes += arrayBytes(a, length);
    arrays.push({ ...a, symbol: `${prefix}${a.symbol}`, init, length });
  };
  for (const l of layers) {
    l.arrays.forEach(addArray);
    for (const arg of l.args) {
      if (arg.kind !== 'tensor' || arg.role !== 'in' || !T(arg.tensor).data || constSymbol.has(arg.tensor)) continue;
      const t = T(arg.tensor);
      const sym = `T${t.index}_data`;
      constSymbol.set(arg.tensor, `${prefix}${sym}`);
      addArray({ symbol: sym, ctype: cTypeOfTensor(t) as CArray['ctype'], bytes: t.dtype === 'int8' || t.dtype === 'uint8' ? t.data! : undefined, values: t.dtype === 'int8' || t.dtype === 'uint8' ? undefined : decodeConst(t), comment: `constant operand "${t.name}"` });
    }
  }

  const offMacro = (t: number) => `OFF_T${t}`;
  const offsets = [...arena.offsets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, offset]) => ({ macro: offMacro(t), offset, size: tensorBytes(T(t)), tensorName: T(t).name.replace(/\*\//g, '* /') }));

  const ptr = (t: number, role: 'in' | 'out') => {
    if (constSymbol.has(t)) return constSymbol.get(t)!;
    const ct = cTypeOfTensor(T(t));
    return role === 'in' ? `(const ${ct} *)(a + ${offMacro(t)})` : `(${ct} *)(a + ${offMacro(t)})`;
  };

  const layerViews = layers.map((l) => {
    const comment = [
      `TFLite operator ${l.op.index} (${l.op.opName})${l.kernel ? `, kernel ${l.kernel}` : ''}`,
      ...l.op.inputs.filter((i) => i >= 0).map((i, k) => tensorLine(k === 0 ? 'input' : T(i).data ? 'const' : 'input', T(i))),
      ...l.op.outputs.map((o) => tensorLine('output', T(o))),
      ...(l.macs ? [`MACs ${l.macs.toLocaleString('en-US')}`] : []),
      ...l.notes,
    ].map((s) => s.replace(/\*\//g, '* /'));
    return {
      index: l.op.index,
      opName: l.op.opName,
      id: l.id,
      paramsType: l.paramsType,
      comment,
      fields: (streamed.has(l) ? rowFields(l, graph, regionOfLayer.get(l)) : l.fields).map((f) => ({ name: f.name, value: fieldValue(f, prefix, symbols) })),
    };
  });

  const layerCall = (l: Layer) => {
    const out = l.op.outputs[0]!;
    let call: string | null = null;
    if (l.kernel) {
      const args = l.args.map((a) => (a.kind === 'tensor' ? ptr(a.tensor, a.role) : 'NULL'));
      call = `${l.kernel}(&${l.id}, ${args.join(', ')});`;
    }
    return { index: l.op.index, opName: l.op.opName, call, traces: [{ op: l.op.index, tensor: out, offset: offMacro(out), bytes: tensorBytes(T(out)) }] };
  };
  const regionFunctions: string[] = [];
  const calls = units.map((u) => {
    if (u.kind === 'layer') return layerCall(u.layer);
    regionFunctions.push(emitRegion(graph, u.id, u.region, u.layers, arena, opts.families));
    const traces = u.region.outputs.map((t) => ({ op: u.layers.find((l) => l.op.outputs[0] === t)!.op.index, tensor: t, offset: offMacro(t), bytes: tensorBytes(T(t)) }));
    const call = u.region.sources.length ? `${u.id}(a, &rd);` : `${u.id}(a);`;
    return { index: u.layers.map((l) => l.op.index).join(','), opName: `streamed region ${u.id}`, call, traces };
  });

  // NAME_POISON debug builds: after each unit, 0xCD over the bytes whose data is dead from then on
  const keep = new Set(graph.outputs.map((t) => arena.bufferOf.get(t)).filter((b): b is string => b !== undefined));
  const deadRanges = poisonSchedule(arena.requests, arena.plan.offsets, keep, units.length);
  const poisonTables = deadRanges.flatMap((ranges, step) => (ranges.length ? [{ symbol: `${prefix}dead_${step}`, step, ranges }] : []));
  const callViews = calls.map((c, step) => {
    const n = deadRanges[step]!.length;
    return { ...c, poison: { step, table: n ? `${prefix}dead_${step}` : 'NULL', count: n } };
  });

  const io = [
    ...graph.inputs.map((t, k) => ({ kind: 'input', k, t })),
    ...graph.outputs.map((t, k) => ({ kind: 'output', k, t })),
  ].map(({ kind, k, t }) => {
    const x = T(t);
    return {
      kind, index: k, macro: `${NAME}_${kind.toUpperCase()}${k}`, tensorName: x.name, dtype: x.dtype, shapeText: x.shape.join('x'),
      quantText: quantText(x), bytes: tensorBytes(x), elements: elementCount(x.shape), rank: x.shape.length, shapeList: x.shape.join(', '),
      hasQuant: !!x.quant, scale: x.quant ? floatLiteral(x.quant.scales[0]!) : '', zeroPoint: x.quant ? x.quant.zeroPoints[0]! : 0,
    };
  });
  const direct = layers.map((l) => l.kernelFile).filter((f): f is string => f !== null);
  // streamed convolutions call row kernels, whose optimised variants live in files of their own
  for (const l of streamed) {
    const rowRef = rowKernelOf(refKernelOf(l));
    const v = rowRef ? selectVariant(rowRef, opts.families) : undefined;
    if (v) direct.push(v.file);
  }
  const withDeps = [...new Set(direct.flatMap((f) => [f, ...(KERNEL_DEPS[f] ?? [])]))];
  // optimised variants fall back on (and call into) reference kernel files
  const support = variantSupportFiles(withDeps).filter((f) => f.startsWith('src/')).map((f) => f.slice(4));
  const kernelFiles = [...new Set([...withDeps, ...support].flatMap((f) => [f, ...(KERNEL_DEPS[f] ?? [])]))].sort();
  const rowInput = !!opts.rowInput;
  const rowSourced = rowSourcedInputs(units);
  const invokeParams = [
    ...(rowInput ? [`${name}_read_row_fn read_row`, 'void *user'] : graph.inputs.map((t, k) => `const ${cTypeOfTensor(T(t))} *input${k}`)),
    ...graph.outputs.map((t, k) => `${cTypeOfTensor(T(t))} *output${k}`),
  ].join(', ');
  const ioArgs = [...(rowInput ? ['read_row', 'user'] : graph.inputs.map((_, k) => `input${k}`)), ...graph.outputs.map((_, k) => `output${k}`)];
  const input0 = T(graph.inputs[0]!);
  const data = {
    name, NAME, version: VERSION, modelFile: opts.modelFile, memoryPlan: opts.memoryPlan,
    arenaBytes: arena.arenaBytes, weightsBytes, macs: layers.reduce((s, l) => s + l.macs, 0),
    macsText: layers.reduce((s, l) => s + l.macs, 0).toLocaleString('en-US'), layerCount: layers.length,
    inputs: graph.inputs, outputs: graph.outputs, io, invokeParams, ioArgs, staticArena: true,
    nullChecks: ioArgs.filter((x) => x !== 'user'),
    offsets, layers: layerViews, calls: callViews, arrays, poisonTables, regionFunctions, streaming: regionFunctions.length > 0 || rowInput,
    optimised: kernelFiles.some((f) => variantFamilyOf(f) !== null),
    rowInput: rowInput ? {
      rows: input0.shape[1], rowBytes: tensorBytes(input0) / input0.shape[1]!, streamed: rowSourced.size > 0,
      // an input no region streams is read whole before the first layer
      fetchAll: rowSourced.size ? null : { offsetMacro: offMacro(graph.inputs[0]!), rowBytesMacro: `${NAME}_INPUT0_ROW_BYTES`, rowsMacro: `${NAME}_INPUT0_ROWS` },
    } : null,
    copyIn: rowInput ? [] : graph.inputs.map((t, k) => ({ offsetMacro: offMacro(t), arg: `input${k}`, bytesMacro: `${NAME}_INPUT${k}_BYTES` })),
    copyOut: graph.outputs.map((t, k) => ({ offsetMacro: offMacro(t), arg: `output${k}`, bytesMacro: `${NAME}_OUTPUT${k}_BYTES` })),
  };
  const sources = [`${name}.c`, `${name}_weights.c`, ...kernelFiles];
  const files = new Map<string, string>([
    [`${name}.h`, render('module/model.h.hbs', data)],
    [`${name}.c`, render('module/model.c.hbs', data)],
    [`${name}_weights.h`, render('module/weights.h.hbs', data)],
    [`${name}_weights.c`, render('module/weights.c.hbs', data)],
    ['CMakeLists.txt', render('module/CMakeLists.txt.hbs', { name, version: VERSION, sources })],
    ['Makefile', render('module/Makefile.hbs', { name, version: VERSION, sources })],
  ]);
  return { files, kernelFiles, weightsBytes };
}

function decodeConst(t: Tensor): number[] {
  const d = t.data!;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const n = elementCount(t.shape);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (t.dtype === 'int32') out.push(v.getInt32(4 * i, true));
    else if (t.dtype === 'int16') out.push(v.getInt16(2 * i, true));
    else if (t.dtype === 'float32') out.push(v.getFloat32(4 * i, true));
    else out.push(d[i]!);
  }
  return out;
}

/** A run of arena bytes. */
export interface ByteRange {
  offset: number;
  size: number;
}

/** Sorts and merges ranges (touching ranges join); empty ranges are dropped. */
export function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = ranges.filter((r) => r.size > 0).sort((x, y) => x.offset - y.offset || x.size - y.size);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.offset <= last.offset + last.size) last.size = Math.max(last.size, r.offset + r.size - last.offset);
    else out.push({ offset: r.offset, size: r.size });
  }
  return out;
}

/** The bytes of `from` that lie in none of `minus` (interval subtraction), sorted and merged. */
export function subtractRanges(from: readonly ByteRange[], minus: readonly ByteRange[]): ByteRange[] {
  const cut = mergeRanges(minus);
  const out: ByteRange[] = [];
  for (const r of mergeRanges(from)) {
    let start = r.offset;
    const end = r.offset + r.size;
    for (const c of cut) {
      const cEnd = c.offset + c.size;
      if (cEnd <= start) continue;
      if (c.offset >= end) break;
      if (c.offset > start) out.push({ offset: start, size: c.offset - start });
      start = Math.max(start, cEnd);
      if (start >= end) break;
    }
    if (start < end) out.push({ offset: start, size: end - start });
  }
  return out;
}

/** What poisonSchedule needs of a buffer request: its id, size and lifetime in units. */
export interface LiveBuffer {
  id: string;
  size: number;
  first: number;
  last: number;
}

/**
 * Dead-region poisoning (the `NAME_POISON` debug build): for each unit (step), the arena bytes to fill with
 * 0xCD once that unit has run. These are the bytes of every buffer whose lifetime ends at the step, except
 * the `keep` buffers (model outputs, copied out at the end), minus the bytes of every buffer still live after
 * the step: a buffer may legally share bytes with one that lives on (same-offset in-place outputs, a region's
 * output written forward over its input), and those bytes now hold live data.
 */
export function poisonSchedule(buffers: readonly LiveBuffer[], offsets: ReadonlyMap<string, number>, keep: ReadonlySet<string>, steps: number): ByteRange[][] {
  const range = (b: LiveBuffer): ByteRange[] => {
    const offset = offsets.get(b.id);
    return offset === undefined || b.size <= 0 ? [] : [{ offset, size: b.size }];
  };
  const out: ByteRange[][] = [];
  for (let s = 0; s < steps; s++) {
    const dead = buffers.filter((b) => b.last === s && !keep.has(b.id)).flatMap(range);
    const live = buffers.filter((b) => keep.has(b.id) || (b.first <= s && b.last > s)).flatMap(range);
    out.push(dead.length ? subtractRanges(dead, live) : []);
  }
  return out;
}
