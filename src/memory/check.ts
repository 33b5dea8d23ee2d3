/**
 * Independent plan checker. Shares no placement code with the planner: it re-derives every condition directly
 * from the definitions in types.ts, pair by pair, so a planner bug cannot hide behind a shared helper.
 */
import { DEFAULT_ALIGN, type BufferRequest, type OverlapRule, type PlanConstraints } from './types.js';

export type ViolationKind =
  /** a request is malformed (empty/duplicate id, bad size, lifetime or alignment) */
  | 'invalid-request'
  /** an overlap rule is malformed or names an unknown buffer */
  | 'invalid-rule'
  /** the plan has no offset for a request */
  | 'missing'
  /** the plan has an offset for an id that is not requested */
  | 'unknown'
  /** offset is not a non-negative integer, or arenaBytes is not */
  | 'invalid-offset'
  /** offset is not a multiple of the request's alignment */
  | 'misaligned'
  /** offset + size > arenaBytes */
  | 'out-of-arena'
  /** two buffers live in a common step overlap in address and no rule allows it */
  | 'overlap';

export interface Violation {
  kind: ViolationKind;
  /** the buffers involved (one or two) */
  ids: string[];
  message: string;
}

/** The part of a plan the checker looks at. */
export interface PlanToCheck {
  offsets: ReadonlyMap<string, number>;
  arenaBytes: number;
}

/** Returns every violation of `plan` (empty when the plan is valid). Never throws on bad data. */
export function checkPlan(
  requests: ReadonlyArray<BufferRequest>,
  plan: PlanToCheck,
  constraints: PlanConstraints = {},
): Violation[] {
  const out: Violation[] = [];
  const add = (kind: ViolationKind, ids: string[], message: string) => out.push({ kind, ids, message });
  const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

  if (!isNat(plan.arenaBytes)) add('invalid-offset', [], `arenaBytes ${plan.arenaBytes} is not a non-negative integer`);

  // requests
  const byId = new Map<string, BufferRequest>();
  for (const r of requests) {
    if (typeof r.id !== 'string' || r.id === '') {
      add('invalid-request', [String(r.id)], 'request with an empty id');
      continue;
    }
    if (byId.has(r.id)) add('invalid-request', [r.id], `duplicate request id ${r.id}`);
    byId.set(r.id, r);
    if (!isNat(r.size)) add('invalid-request', [r.id], `${r.id}: size ${r.size} is not a non-negative integer`);
    if (!Number.isSafeInteger(r.first) || !Number.isSafeInteger(r.last) || r.first > r.last)
      add('invalid-request', [r.id], `${r.id}: bad lifetime ${r.first}..${r.last}`);
    if (r.align !== undefined && !(Number.isSafeInteger(r.align) && r.align >= 1))
      add('invalid-request', [r.id], `${r.id}: alignment ${r.align} is not a positive integer`);
  }

  // per-request placement
  for (const r of byId.values()) {
    const off = plan.offsets.get(r.id);
    if (off === undefined) {
      add('missing', [r.id], `${r.id} has no offset`);
      continue;
    }
    if (!isNat(off)) {
      add('invalid-offset', [r.id], `${r.id}: offset ${off} is not a non-negative integer`);
      continue;
    }
    const align = r.align ?? DEFAULT_ALIGN;
    if (Number.isSafeInteger(align) && align >= 1 && off % align !== 0)
      add('misaligned', [r.id], `${r.id}: offset ${off} is not a multiple of ${align}`);
    if (off + r.size > plan.arenaBytes)
      add('out-of-arena', [r.id], `${r.id}: [${off}, ${off + r.size}) exceeds arena of ${plan.arenaBytes} bytes`);
  }
  for (const id of plan.offsets.keys())
    if (!byId.has(id)) add('unknown', [id], `plan places ${id}, which was not requested`);

  // rules, keyed by unordered pair
  const rules = new Map<string, Array<{ a: string; b: string; rule: OverlapRule }>>();
  for (const entry of constraints.mayOverlap ?? []) {
    const [a, b, rule] = entry;
    if (!byId.has(a) || !byId.has(b) || a === b) {
      add('invalid-rule', [a, b], `overlap rule ${a}/${b} must name two distinct requested buffers`);
      continue;
    }
    const kind = (rule as { kind?: unknown } | undefined)?.kind;
    if (kind === 'forward' || kind === 'backward') {
      const slack = (rule as { slack: unknown }).slack;
      if (!(typeof slack === 'number' && (Number.isSafeInteger(slack) || slack === Infinity))) {
        add('invalid-rule', [a, b], `overlap rule ${a}/${b}: bad slack ${String(slack)}`);
        continue;
      }
    } else if (kind !== 'same-offset') {
      add('invalid-rule', [a, b], `overlap rule ${a}/${b}: unknown kind ${String(kind)}`);
      continue;
    }
    const key = pairKey(a, b);
    const list = rules.get(key) ?? [];
    list.push({ a, b, rule });
    rules.set(key, list);
  }

  // pairs
  const placed = [...byId.values()].filter((r) => isNat(plan.offsets.get(r.id)) && isNat(r.size) && r.size > 0);
  for (let i = 0; i < placed.length; i++) {
    const x = placed[i]!;
    const ox = plan.offsets.get(x.id)!;
    for (let j = i + 1; j < placed.length; j++) {
      const y = placed[j]!;
      const sharedFirst = Math.max(x.first, y.first);
      const sharedLast = Math.min(x.last, y.last);
      if (sharedFirst > sharedLast) continue; // never live together
      const oy = plan.offsets.get(y.id)!;
      const lo = Math.max(ox, oy);
      const hi = Math.min(ox + x.size, oy + y.size);
      if (lo >= hi) continue; // disjoint addresses
      const permitted = (rules.get(pairKey(x.id, y.id)) ?? []).some(({ a, b, rule }) => {
        const ra = a === x.id ? x : y;
        const rb = b === x.id ? x : y;
        return holds(rule, plan.offsets.get(ra.id)!, ra.size, plan.offsets.get(rb.id)!, rb.size);
      });
      if (!permitted)
        add(
          'overlap',
          [x.id, y.id],
          `${x.id} [${ox}, ${ox + x.size}) and ${y.id} [${oy}, ${oy + y.size}) share bytes [${lo}, ${hi}) ` +
            `while both live in steps ${sharedFirst}..${sharedLast}`,
        );
    }
  }
  return out;
}

/** the rule's condition, straight from its definition */
function holds(rule: OverlapRule, offA: number, sizeA: number, offB: number, sizeB: number): boolean {
  switch (rule.kind) {
    case 'same-offset':
      return offB === offA;
    case 'forward':
      return offB <= offA + rule.slack;
    case 'backward':
      return offB + sizeB >= offA + sizeA - rule.slack;
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? JSON.stringify([a, b]) : JSON.stringify([b, a]);
}
