/**
 * Layer-by-layer arena plan: every activation tensor becomes one buffer request whose lifetime runs from the
 * layer that writes it to the last layer that reads it (model inputs from step 0, model outputs to the end).
 * RESHAPE/SQUEEZE outputs share their input's buffer; element-wise layers that read each element before
 * writing it may put their output on top of an input that dies there. The placement itself is src/memory's.
 */
import { fail } from '../diagnostics.js';
import { tensorBytes, type Graph } from '../ir/types.js';
import { checkPlan, computeLifetimes, planMemory, type BufferRequest, type MemoryPlan, type OverlapPermission } from '../memory/index.js';
import type { Layer } from './layers.js';

export interface ArenaPlan {
  /** arena offset of every activation tensor (aliases included) */
  offsets: Map<number, number>;
  arenaBytes: number;
  requests: BufferRequest[];
  plan: MemoryPlan;
  /** buffer id of each tensor */
  bufferOf: Map<number, string>;
}

export const ARENA_ALIGN = 16;

export function planLayers(graph: Graph, layers: Layer[]): ArenaPlan {
  const isActivation = (t: number) => t >= 0 && !graph.tensors[t]!.data;
  // alias groups: RESHAPE output = its input's buffer
  const root = new Map<number, number>();
  const find = (t: number): number => {
    let r = t;
    while (root.has(r)) r = root.get(r)!;
    return r;
  };
  for (const l of layers) if (l.aliasOf !== undefined && isActivation(l.aliasOf)) root.set(l.op.outputs[0]!, find(l.aliasOf));

  const id = (t: number) => `t${find(t)}`;
  const steps = layers.map((l) => ({
    reads: l.op.inputs.filter(isActivation).map(id),
    writes: l.op.outputs.filter(isActivation).map(id),
  }));
  const pinnedStart = graph.inputs.filter(isActivation).map(id);
  const pinnedEnd = graph.outputs.filter(isActivation).map(id);
  const lifetimes = computeLifetimes(steps, { liveAtStart: pinnedStart, liveAtEnd: pinnedEnd });

  const sizes = new Map<string, number>();
  for (const t of graph.tensors) {
    if (!isActivation(t.index)) continue;
    const b = id(t.index);
    sizes.set(b, Math.max(sizes.get(b) ?? 0, tensorBytes(t)));
  }
  const requests: BufferRequest[] = [];
  for (const [b, lt] of lifetimes) requests.push({ id: b, size: sizes.get(b) ?? 0, first: lt.first, last: lt.last, align: ARENA_ALIGN });
  requests.sort((x, y) => x.first - y.first || x.id.localeCompare(y.id, 'en'));

  // in-place element-wise outputs: permitted to share the dying input's offset
  const mayOverlap: OverlapPermission[] = [];
  layers.forEach((l, step) => {
    if (l.inPlaceInput === undefined || !isActivation(l.inPlaceInput)) return;
    const a = id(l.inPlaceInput), b = id(l.op.outputs[0]!);
    if (a === b || lifetimes.get(a)?.last !== step) return;
    if (sizes.get(a) !== sizes.get(b)) return;
    mayOverlap.push([a, b, { kind: 'same-offset' }]);
  });

  const plan = planMemory(requests, { mayOverlap });
  const violations = checkPlan(requests, plan, { mayOverlap });
  if (violations.length) fail('MN499', `arena plan failed its overlap check: ${violations.map((v) => v.message).slice(0, 3).join('; ')}`);

  const offsets = new Map<number, number>();
  const bufferOf = new Map<number, string>();
  for (const t of graph.tensors) {
    if (!isActivation(t.index)) continue;
    const b = id(t.index);
    if (!plan.offsets.has(b)) continue; // tensors no layer touches (unused)
    offsets.set(t.index, plan.offsets.get(b)!);
    bufferOf.set(t.index, b);
  }
  return { offsets, arenaBytes: plan.arenaBytes, requests, plan, bufferOf };
}
