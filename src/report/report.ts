/**
 * `mnetc report`: one self-contained HTML page about a compiled model (no scripts, no network): the summary
 * (inputs/outputs, MACs, weights, the arena of both plans), MACs and weight bytes per layer as SVG bar
 * charts, the arena plan as a time x address picture (src/report/plan.ts) and the layer table.
 */
import { basename } from 'node:path';
import type { CompiledModule } from '../codegen/index.js';
import { render } from '../codegen/emit.js';
import { inspectGraph, type TensorSummary } from '../ir/inspect.js';
import { tensorBytes, type Graph } from '../ir/types.js';
import { peakLiveBytes } from '../memory/index.js';
import { planPicture, shortName } from './plan.js';

/** Text made safe for HTML element content and attribute values (the templates do not escape). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const int = (n: number) => n.toLocaleString('en-US');
const shapeText = (s: readonly number[]) => (s.length ? s.join('×') : 'scalar');

function quantText(t: TensorSummary): string {
  if (t.scale === undefined) return t.dtype;
  const s = Array.isArray(t.scale) ? `per-channel (${t.scale.length})` : `s=${t.scale.toPrecision(4)}`;
  return `${t.dtype} ${s} z=${t.zeroPoint}`;
}

/** Colour class of an op in the charts. */
export function opClass(op: string): string {
  if (op === 'CONV_2D') return 'conv';
  if (op === 'DEPTHWISE_CONV_2D') return 'dw';
  if (op === 'FULLY_CONNECTED') return 'fc';
  return 'other';
}

/** The smallest 1, 2 or 5 x 10^k at or above `v` (1 for v <= 0). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A number with a k/M/G suffix for axis labels. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  const f = (x: number, s: string) => `${Number(x.toPrecision(3))}${s}`;
  if (a >= 1e9) return f(n / 1e9, 'G');
  if (a >= 1e6) return f(n / 1e6, 'M');
  if (a >= 1e3) return f(n / 1e3, 'k');
  return String(n);
}

export interface BarInput {
  /** what the bar is (tooltip) */
  title: string;
  value: number;
  cls: string;
}

export interface BarChart {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  plotTop: number;
  plotBottom: number;
  bars: { x: string; y: string; w: string; h: string; cls: string; title: string }[];
  yTicks: { y: string; label: string }[];
  xTicks: { x: string; label: string }[];
}

/** A vertical bar chart, one bar per value in order, with a 0..nice-max axis and every k-th index labelled. */
export function barChart(values: BarInput[], opts: { width?: number; height?: number } = {}): BarChart {
  const width = opts.width ?? 960, height = opts.height ?? 220;
  const plotLeft = 56, plotRight = width - 8, plotTop = 10, plotBottom = height - 26;
  const max = niceCeil(Math.max(0, ...values.map((v) => v.value)));
  const n = Math.max(1, values.length);
  const step = (plotRight - plotLeft) / n;
  const gap = step > 4 ? Math.min(2, step * 0.2) : 0;
  const plotH = plotBottom - plotTop;
  const bars = values.map((v, i) => {
    const h = v.value > 0 ? Math.max(1, (v.value / max) * plotH) : 0;
    return { x: (plotLeft + i * step + gap / 2).toFixed(1), y: (plotBottom - h).toFixed(1), w: Math.max(0.5, step - gap).toFixed(1), h: h.toFixed(1), cls: v.cls, title: v.title };
  });
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: (plotBottom - f * plotH).toFixed(1), label: shortNumber(f * max) }));
  const every = Math.max(1, niceCeil(n / 16));
  const xTicks: BarChart['xTicks'] = [];
  for (let i = 0; i < values.length; i += every) xTicks.push({ x: (plotLeft + (i + 0.5) * step).toFixed(1), label: String(i) });
  return { width, height, plotLeft, plotRight, plotTop, plotBottom, bars, yTicks, xTicks };
}

export interface ReportOptions {
  /** shown as the model's name (default: the module name) */
  modelFile?: string;
}

/** Everything the report template shows; strings are already HTML-escaped. */
export function reportData(graph: Graph, mod: CompiledModule, opts: ReportOptions = {}) {
  const info = inspectGraph(graph);
  const r = mod.report;
  const compiled = new Map(r.layers.map((l) => [l.index, l]));
  const regionOf = new Map<number, string>();
  for (const reg of r.regions) for (const i of reg.layers) regionOf.set(i, reg.id);
  const model = escapeHtml(basename(opts.modelFile ?? `${mod.name}.tflite`));
  const io = (ts: TensorSummary[], role: string) => ts.map((t, k) => ({
    role: `${role}${k}`, name: escapeHtml(shortName(t.name)), fullName: escapeHtml(t.name), shape: shapeText(t.shape), quant: escapeHtml(quantText(t)),
    bytes: int(tensorBytes(graph.tensors[t.index]!)),
  }));
  const layers = info.layers.map((l) => {
    const c = compiled.get(l.index);
    return {
      index: l.index, op: l.op, cls: opClass(l.op), name: escapeHtml(shortName(l.output.name)), fullName: escapeHtml(l.output.name),
      kernel: escapeHtml(c ? c.kernel ?? '(alias)' : '(folded)'),
      inputs: l.inputs.map((t) => shapeText(t.shape)).join(' '), output: shapeText(l.output.shape), quant: escapeHtml(quantText(l.output)),
      macs: int(l.macs), weightBytes: int(l.weightBytes), outputBytes: int(l.outputBytes),
      arenaOffset: c?.arenaOffset === null || c?.arenaOffset === undefined ? '-' : int(c.arenaOffset), region: regionOf.get(l.index) ?? '',
    };
  });
  const bar = (value: (l: (typeof info.layers)[number]) => number, unit: string) =>
    barChart(info.layers.map((l) => ({ value: value(l), cls: opClass(l.op), title: escapeHtml(`#${l.index} ${l.op} ${shortName(l.output.name)}: ${int(value(l))} ${unit}`) })));
  const pic = planPicture(mod, { rowH: 22 });
  // labels cut to the box (about 5.6 px per character of the 10 px font); the tooltip keeps the whole text
  const boxes = pic.boxes.map((b) => {
    const fit = Math.floor((Number(b.w) - 4) / 5.6);
    const text = b.label.length > fit ? `${b.label.slice(0, Math.max(0, fit - 1))}…` : b.label;
    return { ...b, label: escapeHtml(b.label), text: escapeHtml(text) };
  });
  const histogram = Object.entries(info.opHistogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en')).map(([op, n]) => `${op} ×${n}`).join(', ');
  return {
    model, name: mod.name, version: r.mnetcVersion, target: r.target, description: escapeHtml(info.description),
    layerCount: info.totals.layers, macs: int(info.totals.macs), macsShort: shortNumber(info.totals.macs),
    paramBytes: int(info.totals.weightBytes), flashBytes: int(r.weights_bytes), histogram,
    planName: r.memoryPlan, arenaBytes: int(r.arena_bytes), arenaLayer: int(r.arena_bytes_layer), arenaStream: int(r.arena_bytes_stream),
    saving: r.arena_bytes_layer > 0 ? `${(100 * (1 - r.arena_bytes_stream / r.arena_bytes_layer)).toFixed(1)}% less RAM streamed` : '',
    peakLive: int(peakLiveBytes(mod.arena.requests)), regionCount: r.regions.length,
    inputs: io(info.inputs, 'input'), outputs: io(info.outputs, 'output'), inputCount: info.inputs.length, outputCount: info.outputs.length, layers,
    macsChart: bar((l) => l.macs, 'MACs'), weightsChart: bar((l) => l.weightBytes, 'weight bytes'),
    map: { width: pic.width, height: pic.height, steps: pic.steps, boxes },
  };
}

/** The report page: one HTML file with inline CSS and SVG, nothing fetched. */
export function reportHtml(graph: Graph, mod: CompiledModule, opts: ReportOptions = {}): string {
  return render('report/report.html.hbs', reportData(graph, mod, opts));
}
