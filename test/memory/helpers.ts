import fc from 'fast-check';
import { checkPlan, type BufferRequest, type OverlapPermission, type OverlapRule } from '../../src/memory/index.js';

export interface Instance {
  requests: BufferRequest[];
  rules: OverlapPermission[];
}

const ruleArb = (maxSlack: number): fc.Arbitrary<OverlapRule> =>
  fc.oneof(
    fc.constant<OverlapRule>({ kind: 'same-offset' }),
    fc.integer({ min: -maxSlack, max: maxSlack }).map<OverlapRule>((slack) => ({ kind: 'forward', slack })),
    fc.integer({ min: -maxSlack, max: maxSlack }).map<OverlapRule>((slack) => ({ kind: 'backward', slack })),
    fc.constant<OverlapRule>({ kind: 'forward', slack: Infinity }),
  );

/** random request sets (ids b0..), optionally with random overlap rules between them */
export function instanceArb(opts: {
  maxN: number;
  maxSize?: number;
  maxStep?: number;
  aligns?: Array<number | undefined>;
  withRules?: boolean;
  /** |slack| bound of random forward/backward rules; default 64 */
  maxSlack?: number;
}): fc.Arbitrary<Instance> {
  const maxSize = opts.maxSize ?? 300;
  const aligns = opts.aligns ?? [1, 2, 4, 8, 16, undefined];
  const req = fc.record({
    size:
      maxSize < 128
        ? fc.integer({ min: 0, max: maxSize })
        : fc.oneof(fc.integer({ min: 0, max: maxSize }), fc.constantFrom(16, 32, 64, 128)),
    first: fc.nat(opts.maxStep ?? 10),
    len: fc.nat(5),
    align: fc.constantFrom(...aligns),
  });
  return fc.array(req, { maxLength: opts.maxN }).chain((list) => {
    const requests: BufferRequest[] = list.map((r, i) => {
      const out: BufferRequest = { id: `b${i}`, size: r.size, first: r.first, last: r.first + r.len };
      if (r.align !== undefined) out.align = r.align;
      return out;
    });
    if (!opts.withRules || requests.length < 2) return fc.constant({ requests, rules: [] });
    const n = requests.length;
    const pair = fc
      .tuple(fc.nat(n - 1), fc.nat(n - 1), ruleArb(opts.maxSlack ?? 64))
      .filter(([a, b]) => a !== b)
      .map(([a, b, rule]) => [`b${a}`, `b${b}`, rule] as OverlapPermission);
    return fc.array(pair, { maxLength: Math.min(6, n) }).map((rules) => ({ requests, rules }));
  });
}

/** brute force minimum arena over all aligned offsets, validated by checkPlan (tiny instances only) */
export function bruteForceArena(requests: BufferRequest[], rules: OverlapPermission[]): number {
  // stacking everything (with alignment padding) always works, so an optimum never ends above this
  const total = requests.reduce((s, r) => s + r.size + (r.align ?? 16), 0);
  const offsets = new Map<string, number>();
  let best = Infinity;
  const rec = (k: number, arena: number) => {
    if (k === requests.length) {
      best = arena;
      return;
    }
    const r = requests[k]!;
    const align = r.align ?? 16;
    const placed = requests.slice(0, k + 1);
    for (let o = 0; r.size === 0 ? o === 0 : o + r.size <= total; o += align) {
      if (Math.max(arena, o + r.size) >= best) break;
      offsets.set(r.id, o);
      const v = checkPlan(placed, { offsets, arenaBytes: total }, { mayOverlap: rules });
      if (!v.some((x) => x.kind === 'overlap')) rec(k + 1, Math.max(arena, o + r.size));
    }
    offsets.delete(r.id);
  };
  rec(0, 0);
  return best;
}

export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
