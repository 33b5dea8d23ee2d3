/**
 * Memory maps: a printable text map (table + time x address chart), JSON-friendly data for an HTML renderer,
 * and the peak-live lower bound reports compare plans against.
 */
import type { BufferRequest, MemoryPlan } from './types.js';

/** The parts of a plan the map needs (strategy/optimal are shown when present). */
export type PlanForMap = Pick<MemoryPlan, 'offsets' | 'arenaBytes'> & Partial<Pick<MemoryPlan, 'strategy' | 'optimal'>>;

/** One placed buffer: a box in the time x address plane. */
export interface MemoryBox {
  id: string;
  offset: number;
  size: number;
  first: number;
  last: number;
}

export interface MemoryMapData {
  arenaBytes: number;
  strategy: string | null;
  optimal: boolean | null;
  /** lower bound without overlap rules: see {@link peakLiveBytes} */
  peakLiveBytes: number;
  /** step range covered by the boxes (0..-1 when there are none) */
  firstStep: number;
  lastStep: number;
  /** bytes live at each step, index 0 = firstStep */
  liveBytes: number[];
  /** sorted by offset, then id */
  boxes: MemoryBox[];
}

/**
 * Max over steps of the total size of the buffers live in that step: no plan can use a smaller arena unless
 * overlap rules let buffers share bytes.
 */
export function peakLiveBytes(requests: ReadonlyArray<BufferRequest>): number {
  // events: +size at first, -size after last; process removals before additions at the same step
  const events: Array<[step: number, delta: number]> = [];
  for (const r of requests) {
    if (r.size <= 0) continue;
    events.push([r.first, r.size], [r.last + 1, -r.size]);
  }
  events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let live = 0;
  let peak = 0;
  for (const [, d] of events) {
    live += d;
    peak = Math.max(peak, live);
  }
  return peak;
}

/** JSON-friendly description of a plan (no Maps), for renderers. */
export function memoryMapData(requests: ReadonlyArray<BufferRequest>, plan: PlanForMap): MemoryMapData {
  const boxes: MemoryBox[] = requests
    .map((r) => ({ id: r.id, offset: plan.offsets.get(r.id) ?? 0, size: r.size, first: r.first, last: r.last }))
    .sort((x, y) => x.offset - y.offset || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const firstStep = boxes.length ? Math.min(...boxes.map((b) => b.first)) : 0;
  const lastStep = boxes.length ? Math.max(...boxes.map((b) => b.last)) : -1;
  const liveBytes = new Array<number>(Math.max(lastStep - firstStep + 1, 0)).fill(0);
  for (const b of boxes) for (let t = b.first; t <= b.last; t++) liveBytes[t - firstStep]! += b.size;
  return {
    arenaBytes: plan.arenaBytes,
    strategy: plan.strategy ?? null,
    optimal: plan.optimal ?? null,
    peakLiveBytes: peakLiveBytes(requests),
    firstStep,
    lastStep,
    liveBytes,
    boxes,
  };
}

export interface MemoryMapOptions {
  /** chart width in columns (address bins); default 64 */
  width?: number;
  /** at most this many chart rows (steps); default 400 */
  maxSteps?: number;
}

const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Text memory map: a summary line, a table sorted by offset (symbol, id, offset, size, end, lifetime) and a
 * chart with one row per step and one column per address bin; each bin shows the symbol of the live buffer
 * covering most of its bytes ('.' = free). Symbols repeat after 62 buffers; the table is authoritative.
 */
export function formatMemoryMap(
  requests: ReadonlyArray<BufferRequest>,
  plan: PlanForMap,
  options: MemoryMapOptions = {},
): string {
  const data = memoryMapData(requests, plan);
  const width = Math.max(8, Math.floor(options.width ?? 64));
  const maxSteps = Math.max(1, Math.floor(options.maxSteps ?? 400));
  const lines: string[] = [];

  const peak = data.peakLiveBytes;
  const ratio = peak > 0 ? ` (arena = ${((100 * data.arenaBytes) / peak).toFixed(1)}% of it)` : '';
  const how = data.strategy ? `, strategy ${data.strategy}${data.optimal ? ' (optimal)' : ''}` : '';
  lines.push(`arena ${data.arenaBytes} bytes${how}; peak live ${peak} bytes${ratio}; ${data.boxes.length} buffers`);
  if (data.boxes.length === 0) return lines.join('\n') + '\n';

  // table
  const sym = (i: number) => SYMBOLS[i % SYMBOLS.length]!;
  const rows = data.boxes.map((b, i) => [
    sym(i),
    b.id,
    String(b.offset),
    String(b.size),
    String(b.offset + b.size),
    `${b.first}..${b.last}`,
  ]);
  const header = ['sym', 'id', 'offset', 'size', 'end', 'lifetime'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => (c >= 2 && c <= 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  lines.push('', fmt(header), ...rows.map(fmt));

  // chart
  const arena = Math.max(data.arenaBytes, 1);
  const binBytes = Math.max(1, Math.ceil(arena / width));
  const cols = Math.ceil(arena / binBytes);
  const stepW = Math.max(4, String(data.lastStep).length, String(data.firstStep).length);
  lines.push('', `time x address: ${binBytes} byte(s) per column, '.' = free`);
  const endLabel = String(data.arenaBytes);
  lines.push(`${'step'.padStart(stepW)} |0${endLabel.padStart(Math.max(cols - 1, endLabel.length))}|`);
  const shown = Math.min(data.lastStep - data.firstStep + 1, maxSteps);
  for (let k = 0; k < shown; k++) {
    const t = data.firstStep + k;
    const cover = new Array<number>(cols).fill(0);
    const owner = new Array<string>(cols).fill('.');
    data.boxes.forEach((b, i) => {
      if (b.size === 0 || t < b.first || t > b.last) return;
      const end = b.offset + b.size;
      for (let c = Math.floor(b.offset / binBytes); c < cols && c * binBytes < end; c++) {
        const bytes = Math.min(end, (c + 1) * binBytes) - Math.max(b.offset, c * binBytes);
        if (bytes > cover[c]!) {
          cover[c] = bytes;
          owner[c] = sym(i);
        }
      }
    });
    lines.push(`${String(t).padStart(stepW)} |${owner.join('')}| ${data.liveBytes[k]} live`);
  }
  if (shown < data.lastStep - data.firstStep + 1)
    lines.push(`... ${data.lastStep - data.firstStep + 1 - shown} more steps not shown`);
  return lines.join('\n') + '\n';
}
