/**
 * Row streaming: runs of consecutive spatial ops (convolutions, depthwise convolutions, residual ADDs,
 * element-wise requantizations) execute together, one output row at a time, so the tensors between them only
 * ever hold the few rows still needed (a ring of rows) instead of the whole feature map. MobileNetV2's
 * inverted residual block (1x1 expand -> kxk depthwise -> 1x1 project [+ ADD]) is the typical region; the stem
 * convolution and several blocks can be chained in one region while feature maps are large.
 *
 * Every row is computed exactly once with the same kernels and the same arithmetic as the layer-by-layer
 * plan, so results are bit-identical; only the order of rows across ops changes.
 *
 * This module is pure analysis: which ops form regions, how many rows each ring needs, and how far a region's
 * output may overlap its input. The C loop that executes a region is written by codegen/stream-emit.ts,
 * which follows the same schedule (`regionSchedule`).
 */
import { convPadding } from '../ir/geometry.js';
import { elementCount, tensorBytes, type Graph, type Op } from '../ir/types.js';

/** How a stage reads one input tensor: output row r needs input rows [r*stride - pad, ... + (k-1)*dil]. */
export interface RowDep {
  tensor: number;
  stride: number;
  pad: number;
  k: number;
  dil: number;
}

export interface Stage {
  op: Op;
  out: number;
  /** output rows */
  rows: number;
  deps: RowDep[];
}

export interface TensorSource {
  tensor: number;
  rows: number;
  rowBytes: number;
  /** rows held: the tensor's height for full tensors, the ring depth for internal ones */
  ringRows: number;
  full: boolean;
  /**
   * Halo (rings only, StreamOptions.halo): bytes kept before and after every row of the ring, filled with the
   * tensor's zero point when the region starts, so a depthwise kernel that reads output pixels in pairs can
   * read the padding columns (and one column past the row) like any other. Consecutive rows are `stride` bytes
   * apart (rowBytes + the larger halo: the gap between two rows serves as the halo after one and before the
   * next); the ring takes `bytes` = haloBefore + ringRows * rowBytes + (ringRows - 1) * gap + haloAfter.
   */
  haloBefore: number;
  haloAfter: number;
  stride: number;
  bytes: number;
}

export interface StreamRegion {
  stages: Stage[];
  /** full tensors read by the region, produced before it */
  inputs: number[];
  /** full tensors the region produces (read after it, or model outputs) */
  outputs: number[];
  /** internal tensors kept as rings */
  rings: TensorSource[];
  /** for each (input, output) pair: the output may start at most `slack` bytes above the input's start */
  overlap: { input: number; output: number; slack: number }[];
  /** total ring bytes */
  ringBytes: number;
  /**
   * Row input (compile option `rowInput`): model inputs the caller delivers one row at a time while the region
   * runs. They never exist whole in the arena: each is a ring here (listed in `rings`), filled row by row, in
   * increasing order, exactly once per row.
   */
  sources: number[];
}

const ELEMENTWISE = new Set(['add', 'relu', 'relu6', 'quantize', 'dequantize', 'hard_swish', 'logistic']);

function shape4(g: Graph, t: number): number[] | null {
  const s = g.tensors[t]!.shape;
  return s.length === 4 && s[0] === 1 ? s : null;
}

/** The op as a stage, or null if it cannot run row by row. */
export function asStage(g: Graph, op: Op): Stage | null {
  const out = op.outputs[0]!;
  const os = shape4(g, out);
  if (!os || op.outputs.length !== 1 || g.tensors[out]!.data) return null;
  if (op.kind === 'conv2d' || op.kind === 'depthwise_conv2d') {
    const x = op.inputs[0]!;
    const xs = shape4(g, x);
    if (!xs || g.tensors[x]!.data) return null;
    const f = g.tensors[op.inputs[1]!]!.shape;
    const kH = f[1]!, kW = f[2]!;
    const { top } = convPadding(op, xs[1]!, xs[2]!, kH, kW, os[1]!, os[2]!);
    return { op, out, rows: os[1]!, deps: [{ tensor: x, stride: op.strideH, pad: top, k: kH, dil: op.dilationH }] };
  }
  if (ELEMENTWISE.has(op.kind)) {
    const ins = op.kind === 'add' ? op.inputs.slice(0, 2) : op.inputs.slice(0, 1);
    for (const i of ins) {
      const s = shape4(g, i);
      if (!s || g.tensors[i]!.data || elementCount(s) !== elementCount(os) || s[1] !== os[1]) return null;
    }
    const a = g.tensors[ins[0]!]!.dtype, b = g.tensors[out]!.dtype;
    const ints = new Set(['int8', 'uint8']);
    if (op.kind === 'quantize' && !((ints.has(a) || a === 'float32') && ints.has(b))) return null;
    if (op.kind === 'dequantize' && !(ints.has(a) && b === 'float32')) return null;
    if ((op.kind === 'hard_swish' || op.kind === 'logistic') && !(a === 'int8' && b === 'int8')) return null;
    return { op, out, rows: os[1]!, deps: ins.map((tensor) => ({ tensor, stride: 1, pad: 0, k: 1, dil: 1 })) };
  }
  return null;
}

/** input rows needed to produce the first n output rows */
export function rowsNeeded(d: RowDep, n: number, inRows: number): number {
  if (n <= 0) return 0;
  const hi = (n - 1) * d.stride - d.pad + (d.k - 1) * d.dil + 1;
  return Math.max(0, Math.min(inRows, hi));
}

/** first input row that output row r reads */
function firstRow(d: RowDep, r: number): number {
  return Math.max(0, r * d.stride - d.pad);
}

/**
 * The schedule of a region, as the generated C runs it (demand-driven): producing row j of a stage first
 * brings each producer it reads up to the rows that row needs, then computes it. The last stage is driven to
 * its full height, then every other stage (outputs read after the region) is finished. A chain of 1x1 or
 * element-wise stages therefore advances one row at a time, and a ring holds only the rows still needed.
 * Calls `onRow(stage, row)` for each row computation in execution order, and `onFetch(tensor, row)` when a
 * row of a caller-delivered input (`sources`: tensor -> rows) is read in, just before the first row that needs it.
 */
export function regionSchedule(
  stages: Stage[],
  onRow: (s: number, row: number) => void,
  sources: ReadonlyMap<number, number> = new Map(),
  onFetch: (tensor: number, row: number) => void = () => {},
): void {
  const done = new Array<number>(stages.length).fill(0);
  const fetched = new Map<number, number>([...sources.keys()].map((t) => [t, 0]));
  const producer = new Map<number, number>();
  stages.forEach((s, i) => producer.set(s.out, i));
  const fetch = (t: number, n: number): void => {
    while (fetched.get(t)! < n) {
      onFetch(t, fetched.get(t)!);
      fetched.set(t, fetched.get(t)! + 1);
    }
  };
  const ensure = (s: number, n: number): void => {
    const st = stages[s]!;
    while (done[s]! < n) {
      const j = done[s]!;
      for (const d of st.deps) {
        const p = producer.get(d.tensor);
        if (p !== undefined) ensure(p, rowsNeeded(d, j + 1, stages[p]!.rows));
        else if (sources.has(d.tensor)) fetch(d.tensor, rowsNeeded(d, j + 1, sources.get(d.tensor)!));
      }
      onRow(s, j);
      done[s]!++;
    }
  };
  const last = stages.length - 1;
  ensure(last, stages[last]!.rows);
  for (let s = 0; s < last; s++) ensure(s, stages[s]!.rows);
  // the caller hands over every row, also rows no output depends on
  for (const [t, rows] of sources) fetch(t, rows);
}

/**
 * For each stage, what it pulls rows from, in dependency order: a producer stage of the region, or a
 * caller-delivered input (`source`: index into `sources`).
 */
export type Pull = { producer: number; dep: RowDep } | { source: number; dep: RowDep };

export function stagePulls(stages: Stage[], sources: readonly number[] = []): Pull[][] {
  const producer = new Map<number, number>();
  stages.forEach((s, i) => producer.set(s.out, i));
  return stages.map((st) => st.deps.flatMap((d): Pull[] => {
    const p = producer.get(d.tensor);
    if (p !== undefined) return [{ producer: p, dep: d }];
    const k = sources.indexOf(d.tensor);
    return k >= 0 ? [{ source: k, dep: d }] : [];
  }));
}

/** Builds a region from consecutive stages: classifies tensors, sizes rings, derives overlap slack. */
export function analyzeRegion(g: Graph, stages: Stage[], readersOutside: (t: number) => boolean, sources: readonly number[] = [], halo?: (op: Op) => boolean): StreamRegion {
  const produced = new Map<number, number>();
  stages.forEach((s, i) => produced.set(s.out, i));
  const inputs: number[] = [];
  for (const s of stages) for (const d of s.deps) if (!produced.has(d.tensor) && !sources.includes(d.tensor) && !inputs.includes(d.tensor)) inputs.push(d.tensor);
  const outputs = stages.map((s) => s.out).filter((t) => readersOutside(t) || g.outputs.includes(t));
  const rowBytes = (t: number) => tensorBytes(g.tensors[t]!) / g.tensors[t]!.shape[1]!;

  // simulate: ring depth of internal tensors, last reader event of every input row
  const internal = [...sources, ...stages.map((s) => s.out).filter((t) => !outputs.includes(t))];
  const depth = new Map<number, number>(internal.map((t) => [t, 1]));
  const doneRows = new Map<number, number>();
  const lastRead = new Map<number, Int32Array>(inputs.map((t) => [t, new Int32Array(g.tensors[t]!.shape[1]!).fill(-1)]));
  const writes: { event: number; tensor: number; row: number }[] = [];
  let event = 0;
  regionSchedule(stages, (si, row) => {
    const s = stages[si]!;
    for (const d of s.deps) {
      const inRows = g.tensors[d.tensor]!.shape[1]!;
      const lo = firstRow(d, row);
      const hi = Math.min(inRows, row * d.stride - d.pad + (d.k - 1) * d.dil + 1) - 1;
      if (depth.has(d.tensor)) {
        const produced = doneRows.get(d.tensor) ?? 0;
        depth.set(d.tensor, Math.max(depth.get(d.tensor)!, produced - lo));
      }
      const lr = lastRead.get(d.tensor);
      if (lr) for (let y = lo; y <= hi; y++) lr[y] = event;
    }
    doneRows.set(s.out, (doneRows.get(s.out) ?? 0) + 1);
    if (outputs.includes(s.out)) writes.push({ event, tensor: s.out, row });
    event++;
  }, new Map(sources.map((t) => [t, g.tensors[t]!.shape[1]!])), (t) => doneRows.set(t, (doneRows.get(t) ?? 0) + 1));
  const rings: TensorSource[] = internal.map((t) => {
    const [before, after] = halo ? ringHalo(g, stages, t, halo) : [0, 0];
    const rb = rowBytes(t), gap = Math.max(before, after), ringRows = Math.min(depth.get(t)!, g.tensors[t]!.shape[1]!);
    return {
      tensor: t, rows: g.tensors[t]!.shape[1]!, rowBytes: rb, ringRows, full: false, haloBefore: before, haloAfter: after, stride: rb + gap,
      bytes: before + ringRows * rb + (ringRows - 1) * gap + after,
    };
  });

  // overlap: writing output row j at event e must not touch input bytes still to be read at or after e
  const overlap: StreamRegion['overlap'] = [];
  for (const i of inputs) {
    const lr = lastRead.get(i)!;
    const ri = rowBytes(i);
    for (const o of outputs) {
      if (g.outputs.includes(i) || g.inputs.includes(o)) continue;
      let slack = Infinity;
      let minUnread = 0;
      const ro = rowBytes(o);
      const sorted = writes.filter((w) => w.tensor === o);
      for (const w of sorted) {
        while (minUnread < lr.length && lr[minUnread]! < w.event) minUnread++;
        slack = Math.min(slack, minUnread * ri - (w.row + 1) * ro);
      }
      if (Number.isFinite(slack)) overlap.push({ input: i, output: o, slack });
    }
  }
  return { stages, inputs, outputs, rings, overlap, ringBytes: rings.reduce((s, r) => s + r.bytes, 0), sources: [...sources] };
}

/**
 * Columns a pair-wise 3x3 depthwise row kernel reads outside an input row of width inW: [before, after].
 * It reads output pixels two at a time (the second one even past an odd row end), so the last pair reads up to
 * column stride * (2 * pairs - 1) + 2 - pad_left. Null when the op is not such a layer (3x3, depth multiplier 1,
 * stride 1 or 2, no dilation along the row).
 */
export function pairDwHalo(g: Graph, op: Op): [number, number] | null {
  if (op.kind !== 'depthwise_conv2d' || op.strideW > 2 || op.dilationW !== 1) return null;
  const x = g.tensors[op.inputs[0]!]!.shape, f = g.tensors[op.inputs[1]!]!.shape, y = g.tensors[op.outputs[0]!]!.shape;
  if (x.length !== 4 || f.length !== 4 || y.length !== 4 || f[1] !== 3 || f[2] !== 3 || f[3] !== x[3]) return null;
  const { left } = convPadding(op, x[1]!, x[2]!, 3, 3, y[1]!, y[2]!);
  const pairs = Math.ceil(y[2]! / 2);
  const last = op.strideW * (2 * pairs - 1) + 2 - left;
  return [Math.max(0, left), Math.max(0, last - (x[2]! - 1))];
}

/** Halo bytes [before, after] of ring tensor t: the widest any stage with halo(op) reads (pairDwHalo). */
function ringHalo(g: Graph, stages: Stage[], t: number, halo: (op: Op) => boolean): [number, number] {
  const pixelBytes = tensorBytes(g.tensors[t]!) / (g.tensors[t]!.shape[1]! * g.tensors[t]!.shape[2]!);
  let before = 0;
  let after = 0;
  for (const s of stages) {
    if (!s.deps.some((d) => d.tensor === t) || !halo(s.op)) continue;
    const h = pairDwHalo(g, s.op);
    if (!h) continue;
    before = Math.max(before, h[0]);
    after = Math.max(after, h[1]);
  }
  return [before * pixelBytes, after * pixelBytes];
}

/** The ops that read each tensor. */
export function readersOf(g: Graph): Map<number, Op[]> {
  const readers = new Map<number, Op[]>();
  for (const op of g.ops) for (const i of op.inputs) if (i >= 0) readers.set(i, [...(readers.get(i) ?? []), op]);
  return readers;
}

/**
 * analyzeRegion for consecutive stages: a tensor is a region output when an op outside the stages reads it.
 * A row-input candidate (`rowInputs`) becomes a source of the region when every op that reads it is a stage.
 */
export function regionFromStages(g: Graph, stages: Stage[], readers: Map<number, Op[]>, rowInputs: readonly number[] = [], halo?: (op: Op) => boolean): StreamRegion {
  const inRegion = new Set(stages.map((s) => s.op));
  const sources = rowInputs.filter((t) => stages.some((s) => s.deps.some((d) => d.tensor === t)) && (readers.get(t) ?? []).every((op) => inRegion.has(op)));
  return analyzeRegion(g, stages, (t) => (readers.get(t) ?? []).some((op) => !inRegion.has(op)), sources, halo);
}

/**
 * Model inputs that may be delivered row by row: 4-D [1,H,W,C] activations. (Whether one actually is depends on
 * the plan: only when a single region reads it.)
 */
export function rowInputCandidates(g: Graph): number[] {
  return g.inputs.filter((t) => {
    const s = shape4(g, t);
    return s !== null && !g.tensors[t]!.data && !g.outputs.includes(t);
  });
}

export interface StreamOptions {
  /** longest region considered (stages) */
  maxStages?: number;
  /** model inputs the caller delivers row by row (see StreamRegion.sources) */
  rowInputs?: readonly number[];
  /** depthwise ops whose row kernel reads pixel pairs: the rings they read get a halo (TensorSource.haloBefore) */
  halo?: (op: Op) => boolean;
}

/** Peak-memory estimate of a region: its full inputs and outputs (overlapped where allowed) plus its rings. */
export function regionCost(g: Graph, r: StreamRegion): number {
  const size = (t: number) => tensorBytes(g.tensors[t]!);
  let best = Infinity;
  const total = [...r.inputs, ...r.outputs].reduce((s, t) => s + size(t), 0);
  best = total;
  for (const o of r.overlap) {
    // overlapping one pair saves up to the smaller of the two, limited by the slack
    const a = size(o.input), b = size(o.output);
    const extent = o.slack >= 0 ? Math.max(a, b) : Math.max(a - o.slack, b);
    best = Math.min(best, total - a - b + Math.min(a + b, extent));
  }
  return best + r.ringBytes;
}

/**
 * Chooses regions over the whole schedule: maximal runs of streamable ops are cut where it lowers the peak
 * (dynamic programming over cut points, minimising the largest region cost). Ops outside any region, and
 * one-stage regions that gain nothing, run layer by layer.
 */
export function planStreaming(g: Graph, opts: StreamOptions = {}): StreamRegion[] {
  const maxStages = opts.maxStages ?? 14;
  const readers = readersOf(g);
  const runs: Stage[][] = [];
  let cur: Stage[] = [];
  for (const op of g.ops) {
    const s = asStage(g, op);
    if (s) cur.push(s);
    else {
      if (cur.length) runs.push(cur);
      cur = [];
    }
  }
  if (cur.length) runs.push(cur);

  const regions: StreamRegion[] = [];
  for (const run of runs) {
    const m = run.length;
    const cost = (i: number, j: number): { c: number; r: StreamRegion } => {
      const r = regionFromStages(g, run.slice(i, j + 1), readers, opts.rowInputs, opts.halo);
      return { c: regionCost(g, r), r };
    };
    // minimise the largest region cost, then the sum (so ties do not leave a cheap improvement unused)
    const best = new Array<number>(m + 1).fill(Infinity);
    const sum = new Array<number>(m + 1).fill(Infinity);
    const from = new Array<number>(m + 1).fill(-1);
    sum[0] = 0;
    const memo = new Map<string, { c: number; r: StreamRegion }>();
    best[0] = 0;
    for (let j = 1; j <= m; j++) {
      for (let i = Math.max(0, j - maxStages); i < j; i++) {
        const key = `${i},${j - 1}`;
        let e = memo.get(key);
        if (!e) {
          e = cost(i, j - 1);
          memo.set(key, e);
        }
        const v = Math.max(best[i]!, e.c);
        const t = sum[i]! + e.c;
        if (v < best[j]! || (v === best[j]! && t < sum[j]!)) {
          best[j] = v;
          sum[j] = t;
          from[j] = i;
        }
      }
    }
    const cuts: [number, number][] = [];
    for (let j = m; j > 0; j = from[j]!) cuts.unshift([from[j]!, j - 1]);
    for (const [i, j] of cuts) {
      const r = memo.get(`${i},${j}`)!.r;
      // a lone op streams only to let its output overlap its input, or to read a row input
      if (j === i && r.overlap.length === 0 && r.sources.length === 0) continue;
      regions.push(r);
    }
  }
  return regions;
}
