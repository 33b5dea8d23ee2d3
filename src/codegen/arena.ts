/**
 * Layer-by-layer arena plan: every activation tensor becomes one buffer request whose lifetime runs from the
 * layer that writes it to the last layer that reads it (model inputs from step 0, model outputs to the end).
 * RESHAPE/SQUEEZE outputs share their input's buffer; element-wise layers that read each element before
 * writing it may put their output on top of an input that dies there. The placement itself is src/memory's.
 */
import { fail } from '../diagnostics.js';
import { tensorBytes, type Graph } from '../ir/types.js';
import { checkPlan, computeLifetimes, planMemory, type BufferRequest, type MemoryPlan, type OverlapPermission } from '../memory/index.js';
import type { StreamRegion } from '../passes/stream.js';
import type { Layer } from './layers.js';

/** One step of the executed schedule: a single layer, or a streamed region of several layers. */
export type Unit =
  | { kind: 'layer'; layer: Layer }
  | { kind: 'region'; region: StreamRegion; layers: Layer[]; id: string };

export interface ArenaPlan {
  /** arena offset of every activation tensor that exists in full (aliases included) */
  offsets: Map<number, number>;
  /** arena offset of each region's ring of a tensor, keyed by `${regionId}:${tensor}` */
  ringOffsets: Map<string, number>;
  arenaBytes: number;
  requests: BufferRequest[];
  plan: MemoryPlan;
  /** buffer id of each tensor */
  bufferOf: Map<number, string>;
}

export const ARENA_ALIGN = 16;

export function planLayers(graph: Graph, layers: Layer[]): ArenaPlan {
  return planUnits(graph, layers.map((layer) => ({ kind: 'layer' as const, layer })));
}

/** Model inputs a streamed region reads row by row from the caller (row-input mode): never whole in the arena. */
export function rowSourcedInputs(units: readonly Unit[]): Set<number> {
  return new Set(units.flatMap((u) => (u.kind === 'region' ? u.region.sources : [])));
}

export function planUnits(graph: Graph, units: Unit[]): ArenaPlan {
  const isActivation = (t: number) => t >= 0 && !graph.tensors[t]!.data;
  // alias groups: RESHAPE output = its input's buffer
  const root = new Map<number, number>();
  const find = (t: number): number => {
    let r = t;
    while (root.has(r)) r = root.get(r)!;
    return r;
  };
  for (const u of units) {
    if (u.kind === 'layer' && u.layer.aliasOf !== undefined && isActivation(u.layer.aliasOf)) root.set(u.layer.op.outputs[0]!, find(u.layer.aliasOf));
  }
  const id = (t: number) => `t${find(t)}`;
  const steps = units.map((u) =>
    u.kind === 'layer'
      ? { reads: u.layer.op.inputs.filter(isActivation).map(id), writes: u.layer.op.outputs.filter(isActivation).map(id) }
      : { reads: u.region.inputs.filter(isActivation).map(id), writes: u.region.outputs.filter(isActivation).map(id) },
  );
  // inputs delivered row by row into a region's ring (row-input mode) never exist whole
  const rowSourced = rowSourcedInputs(units);
  const pinnedStart = graph.inputs.filter((t) => isActivation(t) && !rowSourced.has(t)).map(id);
  const pinnedEnd = graph.outputs.filter(isActivation).map(id);
  const lifetimes = computeLifetimes(steps, { liveAtStart: pinnedStart, liveAtEnd: pinnedEnd });

  const sizes = new Map<string, number>();
  for (const t of graph.tensors) {
    if (!isActivation(t.index) || !lifetimes.has(id(t.index))) continue;
    const b = id(t.index);
    sizes.set(b, Math.max(sizes.get(b) ?? 0, tensorBytes(t)));
  }
  const requests: BufferRequest[] = [];
  for (const [b, lt] of lifetimes) requests.push({ id: b, size: sizes.get(b) ?? 0, first: lt.first, last: lt.last, align: ARENA_ALIGN });
  // rings live only while their region runs
  units.forEach((u, step) => {
    if (u.kind !== 'region') return;
    for (const r of u.region.rings) requests.push({ id: `${u.id}:${r.tensor}`, size: r.bytes, first: step, last: step, align: ARENA_ALIGN });
  });
  requests.sort((x, y) => x.first - y.first || x.id.localeCompare(y.id, 'en'));

  const mayOverlap: OverlapPermission[] = [];
  const dies = (b: string, step: number) => lifetimes.get(b)?.last === step && !pinnedEnd.includes(b);
  units.forEach((u, step) => {
    if (u.kind === 'layer') {
      // in-place element-wise outputs: permitted to share the dying input's offset
      const l = u.layer;
      if (l.inPlaceInput === undefined || !isActivation(l.inPlaceInput)) return;
      const a = id(l.inPlaceInput), b = id(l.op.outputs[0]!);
      if (a === b || !dies(a, step) || sizes.get(a) !== sizes.get(b)) return;
      mayOverlap.push([a, b, { kind: 'same-offset' }]);
    } else {
      // a region may write its output rows over input rows it has finished reading
      for (const o of u.region.overlap) {
        const a = id(o.input), b = id(o.output);
        if (a === b || !dies(a, step)) continue;
        mayOverlap.push([a, b, { kind: 'forward', slack: o.slack }]);
      }
    }
  });

  const plan = planMemory(requests, { mayOverlap });
  const violations = checkPlan(requests, plan, { mayOverlap });
  if (violations.length) fail('MN499', `arena plan failed its overlap check: ${violations.map((v) => v.message).slice(0, 3).join('; ')}`);

  const offsets = new Map<number, number>();
  const bufferOf = new Map<number, string>();
  for (const t of graph.tensors) {
    if (!isActivation(t.index)) continue;
    const b = id(t.index);
    if (!plan.offsets.has(b) || !lifetimes.has(b)) continue; // tensors that never exist in full (rings, unused)
    offsets.set(t.index, plan.offsets.get(b)!);
    bufferOf.set(t.index, b);
  }
  const ringOffsets = new Map<string, number>();
  for (const r of requests) if (r.id.includes(':')) ringOffsets.set(r.id, plan.offsets.get(r.id)!);
  return { offsets, ringOffsets, arenaBytes: plan.arenaBytes, requests, plan, bufferOf };
}
