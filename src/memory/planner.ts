/**
 * Static arena planner: gives every buffer request a byte offset in one arena so that buffers whose lifetimes
 * intersect never overlap in address, except where an {@link OverlapRule} explicitly allows it.
 *
 * Strategies (all deterministic; ties are broken by id, so the plan depends only on the set of requests, not
 * on their order):
 * - greedy-size      largest first, each at the lowest aligned offset that fits (TFLM's GreedyMemoryPlanner)
 * - greedy-conflict  most conflicting bytes (sum of sizes of buffers live at the same time) first
 * - greedy-lifetime  longest lifetime first
 * - greedy-first-use earliest first step first (first-fit over time)
 * - exact            branch and bound over placement orders and offset choices, seeded with the best greedy
 *                    plan, within a node budget
 * - best-of          all greedies, plus exact when the instance is small; keeps the smallest arena
 *
 * "Lowest fitting offset" placement with a suitable order is complete without overlap rules: for any plan,
 * placing buffers in increasing offset order lowest-fit gives every buffer an offset no higher than in that
 * plan. The exact search therefore branches over orders (pruning orders that only swap buffers with disjoint
 * lifetimes) and, for buffers with overlap rules, over the offsets the rules anchor. Without rules a finished
 * search proves optimality; with rules the anchored offsets are not proven complete (they matched a brute-force
 * optimum on every one of ~12k random instances of up to 6 buffers), so `optimal` is then only claimed when the
 * arena meets the lower bound.
 *
 * Cost: each greedy is O(n^2 log n) (about 5-20 ms for 200 requests); the exact search is capped by its node
 * budget (about 1-3 us per node on 12 requests).
 */
import { fail } from '../diagnostics.js';
import {
  DEFAULT_ALIGN,
  type BufferRequest,
  type MemoryPlan,
  type OverlapRule,
  type PlanConstraints,
} from './types.js';

export const GREEDY_STRATEGIES = ['greedy-size', 'greedy-conflict', 'greedy-lifetime', 'greedy-first-use'] as const;
export type GreedyStrategy = (typeof GREEDY_STRATEGIES)[number];
export type PlanStrategy = GreedyStrategy | 'exact' | 'best-of';

export interface PlanOptions {
  /** default 'best-of' */
  strategy?: PlanStrategy;
  /** best-of runs the exact search when at most this many non-empty requests exist; default 12 */
  exactMaxRequests?: number;
  /** node budget of the exact search (one node = one tentative placement); default 10000 */
  exactNodeBudget?: number;
}

const DEFAULT_EXACT_MAX = 12;
const DEFAULT_NODE_BUDGET = 10_000;

interface Item {
  id: string;
  size: number;
  first: number;
  last: number;
  align: number;
}

/** a rule between item `self` and `other`, with self's role in it */
interface Edge {
  other: number;
  role: 'a' | 'b';
  rule: OverlapRule;
}

interface Problem {
  /** canonical order: sorted by id */
  items: Item[];
  /** input position -> canonical index */
  inputIndex: number[];
  /** time-conflict adjacency (only non-empty items), ascending */
  conflicts: number[][];
  conflictMatrix: Uint8Array;
  /** rule edges between conflicting non-empty items, per item */
  edges: Edge[][];
  activeRules: number;
  lowerBound: number;
}

// ---------------------------------------------------------------------------------------------------------
// public API

/**
 * Plans the arena. Throws MnetcError MN499 on malformed input (duplicate ids, negative sizes, first > last,
 * bad alignment, rules naming unknown buffers): those are compiler bugs, not user errors.
 */
export function planMemory(
  requests: ReadonlyArray<BufferRequest>,
  constraints: PlanConstraints = {},
  options: PlanOptions = {},
): MemoryPlan {
  const p = buildProblem(requests, constraints);
  const strategy = options.strategy ?? 'best-of';
  const budget = options.exactNodeBudget ?? DEFAULT_NODE_BUDGET;
  const exactMax = options.exactMaxRequests ?? DEFAULT_EXACT_MAX;

  let result: Placement;
  if (strategy === 'best-of') {
    result = bestGreedy(p);
    const active = p.items.filter((it) => it.size > 0).length;
    if (active <= exactMax && !result.optimal) result = exactSearch(p, result, budget);
  } else if (strategy === 'exact') {
    result = exactSearch(p, bestGreedy(p), budget);
  } else if ((GREEDY_STRATEGIES as readonly string[]).includes(strategy)) {
    result = runGreedy(p, strategy);
  } else {
    fail('MN499', `unknown memory planning strategy '${String(strategy)}'`);
  }
  return toPlan(requests, p, result);
}

/**
 * A valid lower bound on the arena of any plan: the largest total size of buffers that are live in the same
 * step and pairwise not allowed to overlap (greedy independent set over the overlap rules, largest first;
 * without rules this is {@link peakLiveBytes}).
 */
export function arenaLowerBound(requests: ReadonlyArray<BufferRequest>, constraints: PlanConstraints = {}): number {
  return buildProblem(requests, constraints).lowerBound;
}

// ---------------------------------------------------------------------------------------------------------
// problem construction

function buildProblem(requests: ReadonlyArray<BufferRequest>, constraints: PlanConstraints): Problem {
  const seen = new Set<string>();
  for (const r of requests) {
    if (typeof r.id !== 'string' || r.id === '') fail('MN499', 'memory request with an empty id');
    if (seen.has(r.id)) fail('MN499', `duplicate memory request id '${r.id}'`);
    seen.add(r.id);
    if (!Number.isSafeInteger(r.size) || r.size < 0) fail('MN499', `memory request '${r.id}': bad size ${r.size}`);
    if (!Number.isSafeInteger(r.first) || !Number.isSafeInteger(r.last) || r.first > r.last)
      fail('MN499', `memory request '${r.id}': bad lifetime ${r.first}..${r.last}`);
    const align = r.align ?? DEFAULT_ALIGN;
    if (!Number.isSafeInteger(align) || align < 1) fail('MN499', `memory request '${r.id}': bad alignment ${align}`);
  }
  const order = requests.map((_, i) => i).sort((x, y) => cmpStr(requests[x]!.id, requests[y]!.id));
  const items: Item[] = order.map((i) => {
    const r = requests[i]!;
    return { id: r.id, size: r.size, first: r.first, last: r.last, align: r.align ?? DEFAULT_ALIGN };
  });
  const inputIndex = new Array<number>(requests.length);
  order.forEach((input, canon) => (inputIndex[input] = canon));
  const n = items.length;
  const byId = new Map(items.map((it, i) => [it.id, i] as const));

  const conflictMatrix = new Uint8Array(n * n);
  const conflicts: number[][] = items.map(() => []);
  // sweep by first step to find intersecting lifetimes in O(n log n + pairs)
  const byFirst = items.map((_, i) => i).sort((x, y) => items[x]!.first - items[y]!.first || x - y);
  const open: number[] = [];
  for (const i of byFirst) {
    const it = items[i]!;
    if (it.size === 0) continue;
    for (let k = open.length - 1; k >= 0; k--) if (items[open[k]!]!.last < it.first) open.splice(k, 1);
    for (const j of open) {
      conflictMatrix[i * n + j] = 1;
      conflictMatrix[j * n + i] = 1;
      conflicts[i]!.push(j);
      conflicts[j]!.push(i);
    }
    open.push(i);
  }
  for (const c of conflicts) c.sort((x, y) => x - y);

  const edges: Edge[][] = items.map(() => []);
  let activeRules = 0;
  for (const entry of constraints.mayOverlap ?? []) {
    const [a, b, rule] = entry;
    const ia = byId.get(a);
    const ib = byId.get(b);
    if (ia === undefined || ib === undefined)
      fail('MN499', `overlap rule names unknown buffer '${ia === undefined ? a : b}'`);
    if (ia === ib) fail('MN499', `overlap rule pairs buffer '${a}' with itself`);
    validateRule(rule, a, b);
    if (!conflictMatrix[ia * n + ib]) continue; // never live together (or empty): irrelevant
    edges[ia]!.push({ other: ib, role: 'a', rule });
    edges[ib]!.push({ other: ia, role: 'b', rule });
    activeRules++;
  }

  return { items, inputIndex, conflicts, conflictMatrix, edges, activeRules, lowerBound: lowerBound(items, edges) };
}

function validateRule(rule: OverlapRule, a: string, b: string): void {
  switch (rule?.kind) {
    case 'same-offset':
      return;
    case 'forward':
    case 'backward':
      if (Number.isSafeInteger(rule.slack) || rule.slack === Number.POSITIVE_INFINITY) return;
      fail('MN499', `overlap rule ${a}/${b}: slack must be an integer or +Infinity, got ${rule.slack}`);
    default:
      fail('MN499', `overlap rule ${a}/${b}: unknown kind '${String((rule as { kind?: unknown })?.kind)}'`);
  }
}

function lowerBound(items: Item[], edges: Edge[][]): number {
  const steps = [...new Set(items.filter((it) => it.size > 0).map((it) => it.first))];
  let best = 0;
  for (const t of steps) {
    const live = items
      .map((it, i) => i)
      .filter((i) => items[i]!.size > 0 && items[i]!.first <= t && t <= items[i]!.last)
      .sort((x, y) => items[y]!.size - items[x]!.size || x - y);
    const chosen = new Set<number>();
    let sum = 0;
    for (const i of live) {
      if (edges[i]!.some((e) => chosen.has(e.other))) continue;
      chosen.add(i);
      sum += items[i]!.size;
    }
    best = Math.max(best, sum);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------
// placement core

/** offsets in canonical order; -1 = not placed */
type Offsets = number[];

interface Placement {
  offsets: Offsets;
  arena: number;
  strategy: string;
  optimal: boolean;
}

function alignUp(x: number, align: number): number {
  return Math.ceil(x / align) * align;
}

/**
 * The half-open intervals [lo, hi) of offsets forbidden for item r given the placed items: for each placed,
 * conflicting x, the offsets where r would overlap x, minus the offsets where a rule on (r, x) holds.
 */
function forbidden(p: Problem, r: number, offsets: Offsets): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const it = p.items[r]!;
  const edges = p.edges[r]!;
  for (const x of p.conflicts[r]!) {
    const ox = offsets[x]!;
    if (ox < 0) continue;
    const sx = p.items[x]!.size;
    const lo = ox - it.size + 1;
    const hi = ox + sx;
    if (edges.length === 0) {
      out.push([lo, hi]);
      continue;
    }
    const allowed: Array<[number, number]> = [];
    for (const e of edges) if (e.other === x) allowed.push(allowedRange(e, it.size, ox, sx));
    if (allowed.length === 0) out.push([lo, hi]);
    else subtract(lo, hi, allowed, out);
  }
  return out;
}

/** offsets o of the item owning edge e (size `s`) at which e's rule holds, given the partner at ox (size sx) */
function allowedRange(e: Edge, s: number, ox: number, sx: number): [number, number] {
  const inf = Number.POSITIVE_INFINITY;
  const rule = e.rule;
  switch (rule.kind) {
    case 'same-offset':
      return [ox, ox + 1];
    case 'forward':
      // off(b) <= off(a) + slack
      return e.role === 'b' ? [-inf, ox + rule.slack + 1] : [ox - rule.slack, inf];
    case 'backward':
      // off(b) + size(b) >= off(a) + size(a) - slack
      return e.role === 'b' ? [ox + sx - s - rule.slack, inf] : [-inf, ox + sx - s + rule.slack + 1];
  }
}

function subtract(lo: number, hi: number, allowed: Array<[number, number]>, out: Array<[number, number]>): void {
  allowed.sort((x, y) => x[0] - y[0]);
  let cur = lo;
  for (const [alo, ahi] of allowed) {
    if (ahi <= cur) continue;
    if (alo >= hi) break;
    if (alo > cur) out.push([cur, alo]);
    cur = Math.max(cur, ahi);
    if (cur >= hi) return;
  }
  if (cur < hi) out.push([cur, hi]);
}

/** lowest multiple of `align` that is >= from and outside every interval */
function lowestFit(intervals: Array<[number, number]>, align: number, from: number): number {
  intervals.sort((x, y) => x[0] - y[0]);
  let cand = alignUp(Math.max(0, from), align);
  for (const [lo, hi] of intervals) {
    if (hi <= cand) continue;
    if (lo > cand) break;
    cand = alignUp(hi, align);
  }
  return cand;
}

function arenaOf(p: Problem, offsets: Offsets): number {
  let arena = 0;
  p.items.forEach((it, i) => {
    if (it.size > 0) arena = Math.max(arena, offsets[i]! + it.size);
  });
  return arena;
}

function placeInOrder(p: Problem, order: number[]): Offsets {
  const offsets: Offsets = p.items.map(() => -1);
  for (const r of order) {
    const it = p.items[r]!;
    offsets[r] = it.size === 0 ? 0 : lowestFit(forbidden(p, r, offsets), it.align, 0);
  }
  return offsets;
}

// ---------------------------------------------------------------------------------------------------------
// greedy strategies

function greedyOrder(p: Problem, strategy: GreedyStrategy): number[] {
  const items = p.items;
  const span = (i: number) => items[i]!.last - items[i]!.first;
  const size = (i: number) => items[i]!.size;
  let key: (x: number, y: number) => number;
  switch (strategy) {
    case 'greedy-size':
      key = (x, y) => size(y) - size(x) || span(y) - span(x) || items[x]!.first - items[y]!.first;
      break;
    case 'greedy-lifetime':
      key = (x, y) => span(y) - span(x) || size(y) - size(x) || items[x]!.first - items[y]!.first;
      break;
    case 'greedy-conflict': {
      const weight = items.map((it, i) => p.conflicts[i]!.reduce((s, j) => s + items[j]!.size, it.size));
      key = (x, y) => weight[y]! - weight[x]! || size(y) - size(x) || span(y) - span(x);
      break;
    }
    case 'greedy-first-use':
      key = (x, y) => items[x]!.first - items[y]!.first || span(y) - span(x) || size(y) - size(x);
      break;
  }
  // canonical index order == id order: the final tie-break
  return items.map((_, i) => i).sort((x, y) => key(x, y) || x - y);
}

function runGreedy(p: Problem, strategy: GreedyStrategy): Placement {
  const offsets = placeInOrder(p, greedyOrder(p, strategy));
  const arena = arenaOf(p, offsets);
  return { offsets, arena, strategy, optimal: arena <= p.lowerBound };
}

function bestGreedy(p: Problem): Placement {
  let best: Placement | undefined;
  for (const s of GREEDY_STRATEGIES) {
    const r = runGreedy(p, s);
    if (!best || r.arena < best.arena) best = r;
    if (best.optimal) break;
  }
  return best!;
}

// ---------------------------------------------------------------------------------------------------------
// exact search

/**
 * Depth-first branch and bound. A node places one more buffer, either at its lowest fitting offset or at the
 * lowest fitting offset at/after an anchor given by an overlap rule with an already placed partner. Orders that
 * differ only by swapping consecutive buffers with disjoint lifetimes reach the same state; only the one with
 * increasing heuristic rank is explored. Bounds: every unplaced buffer ends at least at its current lowest fit;
 * the stacking bound below; the rule-aware peak-live bound (reaching it ends the search).
 */
function exactSearch(p: Problem, seed: Placement, budget: number): Placement {
  if (seed.optimal) return seed;
  const items = p.items;
  const active = items
    .map((_, i) => i)
    .filter((i) => items[i]!.size > 0)
    .sort((x, y) => items[y]!.size - items[x]!.size || x - y);
  const rank = new Array<number>(items.length).fill(-1);
  active.forEach((i, r) => (rank[i] = r));
  const m = active.length;

  let bestArena = seed.arena;
  let bestOffsets: Offsets | null = null;
  const offsets: Offsets = items.map((it) => (it.size === 0 ? 0 : -1));
  let nodes = 0;
  let aborted = false;
  const lb = p.lowerBound;
  const n = items.length;

  // per step (first steps of rule-free buffers), the rule-free buffers and all buffers live then
  const liveRuleFree: number[][] = [];
  const liveAll: number[][] = [];
  for (const t of new Set(active.map((i) => items[i]!.first))) {
    const live = active.filter((i) => items[i]!.first <= t && t <= items[i]!.last);
    const free = live.filter((i) => p.edges[i]!.length === 0);
    if (free.length < 2) continue;
    liveRuleFree.push(free);
    liveAll.push(live);
  }
  const fitOf = new Array<number>(n).fill(0);
  /** lowest fit of a buffer without overlap rules: bump past overlapping placed buffers until stable */
  const fastFit = (u: number): number => {
    const { size, align } = items[u]!;
    const conf = p.conflicts[u]!;
    let cand = 0;
    for (let moved = true; moved; ) {
      moved = false;
      for (const x of conf) {
        const ox = offsets[x]!;
        if (ox < 0) continue;
        const end = ox + items[x]!.size;
        if (cand < end && cand + size > ox) {
          cand = Math.ceil(end / align) * align;
          moved = true;
        }
      }
    }
    return cand;
  };
  const us: number[] = [];
  const placedLive: Array<[number, number]> = [];
  /**
   * Stacking bound: at a step, the unplaced rule-free buffers live then are pairwise disjoint and disjoint
   * from every placed buffer live then. Those whose lowest fit is >= m, together with the placed bytes above
   * m, all fit in [m, arena).
   */
  const stackBound = (): number => {
    let best = 0;
    for (let k = 0; k < liveRuleFree.length; k++) {
      us.length = 0;
      for (const u of liveRuleFree[k]!) if (offsets[u]! < 0) us.push(u);
      if (us.length < 2) continue;
      us.sort((x, y) => fitOf[y]! - fitOf[x]!);
      placedLive.length = 0;
      for (const i of liveAll[k]!) {
        const o = offsets[i]!;
        if (o >= 0) placedLive.push([o, o + items[i]!.size]);
      }
      placedLive.sort((x, y) => x[0] - y[0]);
      let sum = 0;
      for (const u of us) {
        const m = fitOf[u]!;
        sum += items[u]!.size;
        let covered = 0;
        let reach = m;
        for (const [lo, hi] of placedLive) {
          const a = lo > reach ? lo : reach;
          if (hi > a) {
            covered += hi - a;
            reach = hi;
          }
        }
        if (m + sum + covered > best) best = m + sum + covered;
      }
    }
    return best;
  };

  const dfs = (placed: number, curEnd: number, last: number): void => {
    if (placed === m) {
      if (curEnd < bestArena) {
        bestArena = curEnd;
        bestOffsets = offsets.slice();
      }
      return;
    }
    const fits: Array<{ u: number; forb: Array<[number, number]> | null; fit: number }> = [];
    let bound = Math.max(curEnd, lb);
    for (const u of active) {
      if (offsets[u]! >= 0) continue;
      let forb: Array<[number, number]> | null = null;
      let fit: number;
      if (p.edges[u]!.length === 0) fit = fastFit(u);
      else {
        forb = forbidden(p, u, offsets);
        fit = lowestFit(forb, items[u]!.align, 0);
      }
      bound = Math.max(bound, fit + items[u]!.size);
      fitOf[u] = fit;
      fits.push({ u, forb, fit });
    }
    if (bound >= bestArena) return;
    if (stackBound() >= bestArena) return;
    for (const { u, forb, fit } of fits) {
      if (last >= 0 && !p.conflictMatrix[u * n + last] && rank[u]! < rank[last]!) continue;
      const it = items[u]!;
      const cands = [fit];
      if (forb) for (const e of p.edges[u]!) {
        const ox = offsets[e.other]!;
        if (ox < 0) continue;
        const [alo] = allowedRange(e, it.size, ox, items[e.other]!.size);
        if (Number.isFinite(alo) && alo > fit) cands.push(lowestFit(forb, it.align, alo));
      }
      const uniq = [...new Set(cands)].sort((x, y) => x - y);
      for (const c of uniq) {
        if (c + it.size >= bestArena) break;
        if (++nodes > budget) {
          aborted = true;
          return;
        }
        offsets[u] = c;
        dfs(placed + 1, Math.max(curEnd, c + it.size), u);
        offsets[u] = -1;
        if (aborted || bestArena <= lb) return;
      }
    }
  };
  dfs(0, 0, -1);

  const provedByBound = bestArena <= lb;
  const complete = !aborted && p.activeRules === 0;
  if (bestOffsets === null) return { ...seed, optimal: seed.optimal || provedByBound || complete };
  return { offsets: bestOffsets, arena: bestArena, strategy: 'exact', optimal: provedByBound || complete };
}

// ---------------------------------------------------------------------------------------------------------

function toPlan(requests: ReadonlyArray<BufferRequest>, p: Problem, r: Placement): MemoryPlan {
  const offsets = new Map<string, number>();
  requests.forEach((req, i) => offsets.set(req.id, r.offsets[p.inputIndex[i]!]!));
  return { offsets, arenaBytes: r.arena, strategy: r.strategy, optimal: r.optimal };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
