/**
 * The memory plan as people read it: a text map for the terminal, and an HTML page with a time x address
 * picture (one box per tensor or ring) for `mnetc plan --html`.
 */
import { formatMemoryMap, memoryMapData, peakLiveBytes, type MemoryMapData } from '../memory/index.js';
import type { CompiledModule } from '../codegen/index.js';
import { basename } from 'node:path';
import { render } from '../codegen/emit.js';

/** A tensor name people can read: the last meaningful path segment, at most 28 characters. */
export function shortName(name: string): string {
  const first = name.split(';')[0]!;
  const parts = first.split('/').filter((p) => p && !/^(StatefulPartitionedCall|BiasAdd|Relu6?|FusedBatchNormV3|batch_norm)$/.test(p));
  const s = parts.slice(-2).join('/') || first;
  return s.length > 28 ? `${s.slice(0, 27)}…` : s;
}

/** What a buffer of the plan is, for people: its text and its class (io, tensor or ring). */
export function label(mod: CompiledModule, id: string): { text: string; cls: string } {
  const g = mod.graph;
  if (id.includes(':')) {
    const [region, t] = id.split(':');
    return { text: `${region} ring t${t} ${shortName(g.tensors[Number(t)]!.name)}`, cls: 'ring' };
  }
  const t = Number(id.slice(1));
  const io = g.inputs.includes(t) || g.outputs.includes(t);
  return { text: `t${t} ${shortName(g.tensors[t]!.name)}`, cls: io ? 'io' : 'tensor' };
}

export function planText(mod: CompiledModule): string {
  return formatMemoryMap(mod.arena.requests, mod.arena.plan, { width: 72 });
}

/** One buffer of the plan as a box of the time x address picture (SVG user units). */
export interface PlanBox {
  label: string;
  cls: string;
  offset: number;
  size: number;
  first: number;
  last: number;
  x: string;
  y: number;
  w: string;
  h: number;
  tx: string;
  ty: number;
  showLabel: boolean;
}

export interface PlanPicture {
  data: MemoryMapData;
  steps: number;
  width: number;
  height: number;
  boxes: PlanBox[];
}

/**
 * The time x address picture of the module's arena plan: one box per buffer, x = address (the arena spans
 * `width`), y = steps (`rowH` per step, starting at `top`).
 */
export function planPicture(mod: CompiledModule, opts: { width?: number; rowH?: number; top?: number } = {}): PlanPicture {
  const data = memoryMapData(mod.arena.requests, mod.arena.plan);
  const width = opts.width ?? 960, rowH = opts.rowH ?? 34, left = 0, top = opts.top ?? 18;
  const steps = data.lastStep - data.firstStep + 1;
  const scale = (width - 2) / Math.max(1, data.arenaBytes);
  const boxes = data.boxes.filter((b) => b.size > 0).map((b) => {
    const l = label(mod, b.id);
    const x = left + b.offset * scale, w = Math.max(1, b.size * scale);
    const y = top + (b.first - data.firstStep) * rowH, h = (b.last - b.first + 1) * rowH - 1;
    return { label: l.text, cls: l.cls, offset: b.offset, size: b.size, first: b.first, last: b.last, x: x.toFixed(1), y, w: w.toFixed(1), h, tx: (x + 2).toFixed(1), ty: y + 14, showLabel: w > 90 };
  });
  return { data, steps, width, height: top + steps * rowH + 20, boxes };
}

export function planHtml(mod: CompiledModule, model: string): string {
  const { steps, width, height, boxes } = planPicture(mod);
  const fmt = (n: number) => `${n.toLocaleString('en-US')} B`;
  return render('report/plan.html.hbs', {
    model: basename(model), planName: mod.report.memoryPlan, arenaText: fmt(mod.report.arena_bytes), layerText: fmt(mod.report.arena_bytes_layer),
    peakText: fmt(peakLiveBytes(mod.arena.requests)), steps, boxCount: boxes.length, boxes, width, height,
    rows: [...boxes].sort((a, b) => a.offset - b.offset || a.first - b.first),
  });
}
