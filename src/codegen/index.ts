/**
 * compileGraph: IR -> generated C module (files in memory) plus its report. writeModule puts the files, and
 * the runtime kernels the model uses, into a directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fail } from '../diagnostics.js';
import { tensorBytes, type Graph, type Op } from '../ir/types.js';
import { planUnits, type ArenaPlan, type Unit } from './arena.js';
import { depthwiseSingleChannelToConv } from '../passes/dw-to-conv.js';
import { foldPad } from '../passes/fold-pad.js';
import { planStreaming, readersOf, regionFromStages, rowInputCandidates, type Stage } from '../passes/stream.js';
import { getTarget } from '../targets/index.js';
import { applyVariants, prepareSmallMapLayer, prepareStreamedLayer, variantFamilyOf, variantSupportFiles } from './variants.js';
import { emitModule } from './emit.js';
import type { Layer } from './layers.js';
import { lowerGraph } from './lower.js';
import { runtimeDir, VERSION } from './paths.js';

export type MemoryPlanMode = 'layer' | 'stream';

export interface CompileOptions {
  /** C identifier prefix of the module; default derived from the model file name */
  name?: string;
  modelFile?: string;
  memoryPlan?: MemoryPlanMode;
  /** target whose kernel variants are used (default host: plain C reference kernels) */
  target?: string;
  /**
   * Row input: the caller hands the model input over one row at a time (a camera's lines) through a callback,
   * so with the stream plan the input never has to exist whole in the arena. Single 4-D input models only.
   */
  rowInput?: boolean;
  /**
   * Lean flash: streamed layers, and 3x3 depthwise layers on small output maps, keep the plain weight formats
   * instead of carrying precomputed requantization heads (MN_FMT_DW_D3P, mn_conv_1x1_params.heads): less flash
   * (FOMO 46.6 -> 40.4 KB), a few percent more instructions on Arm DSP targets. No effect on other targets.
   */
  leanFlash?: boolean;
}

export interface LayerReport {
  index: number;
  op: string;
  kernel: string | null;
  outputShape: number[];
  macs: number;
  arenaOffset: number | null;
  outputBytes: number;
}

export interface CompileReport {
  mnetcVersion: string;
  name: string;
  memoryPlan: MemoryPlanMode;
  /** compiled with row input (the caller delivers the input one row at a time; see CompileOptions.rowInput) */
  row_input: boolean;
  /** all activation RAM: inputs, outputs, intermediates, scratch */
  arena_bytes: number;
  /** arena of each plan, for comparison */
  arena_bytes_layer: number;
  arena_bytes_stream: number;
  /** streamed regions: the layers each runs together */
  regions: { id: string; layers: number[]; ring_bytes: number }[];
  target: string;
  weights_bytes: number;
  macs: number;
  layers: LayerReport[];
}

export interface CompiledModule {
  name: string;
  files: Map<string, string>;
  /** runtime-c files to copy next to the generated ones */
  runtimeFiles: string[];
  report: CompileReport;
  layers: Layer[];
  arena: ArenaPlan;
  units: Unit[];
  /** the graph after compile-time rewrites (PAD folding) */
  graph: Graph;
}

/** A valid C identifier made from a file name: lower case, [a-z0-9_], not starting with a digit. */
export function moduleNameFrom(file: string): string {
  let n = basename(file).replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!n) n = 'model';
  if (/^[0-9]/.test(n)) n = `m_${n}`;
  return n;
}

export function validateModuleName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) {
    fail('MN405', `--name "${name}" must be a lower-case C identifier (letters, digits, underscores; at most 41 characters)`);
  }
  return name;
}

export function compileGraph(graph: Graph, opts: CompileOptions = {}): CompiledModule {
  const name = validateModuleName(opts.name ?? moduleNameFrom(opts.modelFile ?? 'model'));
  const memoryPlan = opts.memoryPlan ?? 'stream';
  const target = getTarget(opts.target ?? 'host');
  const families = target.kernels;
  const g = depthwiseSingleChannelToConv(foldPad(graph));
  const varied = applyVariants(lowerGraph(g), families);
  const layers = opts.leanFlash ? varied : varied.map(prepareSmallMapLayer);
  const layerUnits: Unit[] = layers.map((layer) => ({ kind: 'layer', layer }));
  const layerArena = planUnits(g, layerUnits);
  const rowInputs = opts.rowInput ? checkRowInput(g) : [];
  const halo = haloPredicate(layers);
  const { units: streamUnits, arena: streamArena } = pruneRegions(g, streamingUnits(g, layers, rowInputs, halo), rowInputs, halo);
  const units = memoryPlan === 'stream' ? (opts.leanFlash ? streamUnits : streamUnits.map(prepareUnit)) : layerUnits;
  const arena = memoryPlan === 'stream' ? streamArena : layerArena;
  const emitted = emitModule(g, units, arena, { name, modelFile: basename(opts.modelFile ?? 'model.tflite'), memoryPlan, families, rowInput: !!opts.rowInput });
  const report: CompileReport = {
    mnetcVersion: VERSION,
    name,
    memoryPlan,
    row_input: !!opts.rowInput,
    arena_bytes: arena.arenaBytes,
    arena_bytes_layer: layerArena.arenaBytes,
    arena_bytes_stream: streamArena.arenaBytes,
    regions: units.flatMap((u) => (u.kind === 'region' ? [{ id: u.id, layers: u.layers.map((l) => l.op.index), ring_bytes: u.region.ringBytes }] : [])),
    target: target.name,
    weights_bytes: emitted.weightsBytes,
    macs: layers.reduce((s, l) => s + l.macs, 0),
    layers: layers.map((l) => {
      const out = l.op.outputs[0]!;
      return {
        index: l.op.index, op: l.op.opName, kernel: l.kernel, outputShape: graph.tensors[out]!.shape, macs: l.macs,
        arenaOffset: arena.offsets.get(out) ?? null, outputBytes: tensorBytes(graph.tensors[out]!),
      };
    }),
  };
  const optimised = emitted.kernelFiles.some((f) => variantFamilyOf(f) !== null);
  const runtimeFiles = [
    'include/mn_kernels.h', 'include/mn_fixed.h', 'include/mn_stream.h', 'include/mn_gemmlowp.h',
    ...(optimised ? variantSupportFiles(emitted.kernelFiles).filter((f) => f.startsWith('include/')) : []),
    ...emitted.kernelFiles.map((f) => `src/${f}`),
  ];
  return { name, files: emitted.files, runtimeFiles, report, layers, arena, units, graph: g };
}

/**
 * Streaming costs some instructions (per-row calls); it only pays where it lowers the peak. Each region, the
 * one with the fewest ring bytes first, is run layer by layer instead whenever that does not grow the arena.
 */
export function pruneRegions(g: Graph, units: Unit[], rowInputs: readonly number[] = [], halo?: (op: Op) => boolean): { units: Unit[]; arena: ArenaPlan } {
  let best = units;
  let arena = planUnits(g, units);
  const order = units.flatMap((u) => (u.kind === 'region' ? [u] : [])).sort((a, b) => a.region.ringBytes - b.region.ringBytes || a.id.localeCompare(b.id));
  for (const r of order) {
    const trial = best.flatMap((u): Unit[] => (u === r ? r.layers.map((layer) => ({ kind: 'layer' as const, layer })) : [u]));
    const a = planUnits(g, trial);
    if (a.arenaBytes <= arena.arenaBytes) {
      best = trial;
      arena = a;
    }
  }
  // then shrink the regions that stay to their shortest run of stages (the rest run layer by layer) that does
  // not grow the arena; among equally short runs, the one with the smallest arena
  const readers = readersOf(g);
  const regionOf = (id: string, stages: Stage[], layers: Layer[]): Unit => ({ kind: 'region', id, region: regionFromStages(g, stages, readers, rowInputs, halo), layers });
  const lone = (ls: Layer[]): Unit[] => ls.map((layer) => ({ kind: 'layer' as const, layer }));
  for (const u of [...best]) {
    if (u.kind !== 'region' || u.layers.length < 2) continue;
    const n = u.layers.length;
    let chosen: { units: Unit[]; arena: ArenaPlan } | null = null;
    for (let len = 1; len < n && !chosen; len++) {
      for (let i = 0; i + len <= n; i++) {
        const sub = regionOf(u.id, u.region.stages.slice(i, i + len), u.layers.slice(i, i + len));
        // a one-stage region only pays when it overlaps its output with its input or reads row input
        const keep = len > 1 || (sub.kind === 'region' && (sub.region.overlap.length > 0 || sub.region.sources.length > 0));
        const parts = [...lone(u.layers.slice(0, i)), ...(keep ? [sub] : lone(u.layers.slice(i, i + len))), ...lone(u.layers.slice(i + len))];
        const trial = best.flatMap((x): Unit[] => (x === u ? parts : [x]));
        const a = planUnits(g, trial);
        if (a.arenaBytes <= arena.arenaBytes && (!chosen || a.arenaBytes < chosen.arena.arenaBytes)) chosen = { units: trial, arena: a };
      }
    }
    if (chosen) {
      best = chosen.units;
      arena = chosen.arena;
    }
  }
  return { units: best, arena };
}

/**
 * Depthwise layers whose row kernel reads output pixels in pairs (the Arm DSP variant, mn_dw_conv_rows_s8_dsp:
 * 3x3 layers in MN_FMT_DW_CV): the rings they read in a streamed region get zero-point halo columns
 * (TensorSource.haloBefore), so every interior row runs without edge handling. The layer's parameters say so
 * (halo_l, halo_r).
 */
export function haloPredicate(layers: readonly Layer[]): (op: Op) => boolean {
  const ops = new Set(layers.filter((l) => l.kernel === 'mn_dw_conv_s8_dsp').map((l) => l.op));
  return (op) => ops.has(op);
}

/** A streamed region's layers with per-row-friendly weight formats (prepareStreamedLayer); other units as they are. */
function prepareUnit(u: Unit): Unit {
  return u.kind === 'region' ? { ...u, layers: u.layers.map(prepareStreamedLayer) } : u;
}

/** The inputs row-input mode streams: the model must have exactly one 4-D [1,H,W,C] input (MN405 otherwise). */
export function checkRowInput(g: Graph): number[] {
  const ok = rowInputCandidates(g);
  if (g.inputs.length !== 1 || ok.length !== 1) {
    const shapes = g.inputs.map((t) => `[${g.tensors[t]!.shape.join(',')}]`).join(', ');
    fail('MN405', `--input-rows needs a model with exactly one 4-D [1,H,W,C] input; this one has ${g.inputs.length} input(s): ${shapes}`);
  }
  return ok;
}

/** Groups layers into streamed regions where src/passes/stream.ts finds them worthwhile. */
export function streamingUnits(g: Graph, layers: Layer[], rowInputs: readonly number[] = [], halo?: (op: Op) => boolean): Unit[] {
  const regions = planStreaming(g, { rowInputs, halo });
  const byOp = new Map(layers.map((l) => [l.op, l]));
  const regionOf = new Map<Layer, number>();
  regions.forEach((r, k) => r.stages.forEach((s) => regionOf.set(byOp.get(s.op)!, k)));
  const units: Unit[] = [];
  const emitted = new Set<number>();
  for (const l of layers) {
    const k = regionOf.get(l);
    if (k === undefined) units.push({ kind: 'layer', layer: l });
    else if (!emitted.has(k)) {
      emitted.add(k);
      units.push({ kind: 'region', id: `region${k}`, region: regions[k]!, layers: regions[k]!.stages.map((s) => byOp.get(s.op)!) });
    }
  }
  return units;
}

/** Marker line every generated file starts with (used to decide what may be overwritten). */
const GENERATED_MARK = /generated by mnetc|^# Generated by mnetc|^ \* mn_[a-z0-9_]+\.h - |^\/\* mn_[a-z0-9_]+\.[ch] - /m;

/**
 * Writes the module into `dir`. Refuses to overwrite a file mnetc did not generate unless `force` is set.
 */
export function writeModule(mod: CompiledModule, dir: string, opts: { force?: boolean } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const out = new Map(mod.files);
  for (const rf of mod.runtimeFiles) out.set(basename(rf), readFileSync(join(runtimeDir, rf), 'utf8'));
  if (!opts.force) {
    const clobbered = [...out.keys()].filter((f) => {
      const p = join(dir, f);
      return existsSync(p) && !GENERATED_MARK.test(readFileSync(p, 'utf8').slice(0, 4096));
    });
    if (clobbered.length) fail('MN404', `${dir} already has ${clobbered.join(', ')}, not written by mnetc; pass --force to overwrite`);
  }
  const written: string[] = [];
  for (const [f, text] of [...out.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en'))) {
    writeFileSync(join(dir, f), text);
    written.push(f);
  }
  return written;
}

export function listRuntimeKernels(): string[] {
  return readdirSync(join(runtimeDir, 'src')).filter((f) => f.endsWith('.c')).sort();
}
