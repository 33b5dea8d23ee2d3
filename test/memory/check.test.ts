import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan, planMemory, type BufferRequest, type PlanConstraints } from '../../src/memory/index.js';
import { instanceArb } from './helpers.js';

const req = (id: string, size: number, first: number, last: number, align = 1): BufferRequest => ({
  id,
  size,
  first,
  last,
  align,
});
const plan = (offsets: Record<string, number>, arenaBytes: number) => ({
  offsets: new Map(Object.entries(offsets)),
  arenaBytes,
});
const kinds = (v: { kind: string }[]) => v.map((x) => x.kind);

describe('checkPlan', () => {
  const r = [req('a', 10, 0, 1), req('b', 10, 1, 2), req('c', 10, 2, 3)];

  it('accepts a valid plan', () => {
    expect(checkPlan(r, plan({ a: 0, b: 10, c: 0 }, 20))).toEqual([]);
  });

  it('catches an address overlap of buffers sharing a step (inclusive lifetimes)', () => {
    const v = checkPlan(r, plan({ a: 0, b: 5, c: 15 }, 25));
    expect(kinds(v)).toEqual(['overlap']);
    expect(v[0]!.ids).toEqual(['a', 'b']);
    expect(v[0]!.message).toMatch(/share bytes \[5, 10\).*steps 1\.\.1/);
    // a and c never live together: sharing addresses is fine; touching ranges do not overlap
    expect(checkPlan(r, plan({ a: 5, b: 15, c: 3 }, 25))).toEqual([]);
  });

  it('catches misalignment, arena overflow, missing, unknown and invalid offsets', () => {
    expect(kinds(checkPlan([{ id: 'x', size: 4, first: 0, last: 0 }], plan({ x: 8 }, 12)))).toEqual(['misaligned']);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 10, c: 0 }, 19)))).toEqual(['out-of-arena']);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 10 }, 20)))).toEqual(['missing']);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 10, c: 0, d: 0 }, 20)))).toEqual(['unknown']);
    expect(kinds(checkPlan(r, plan({ a: -10, b: 10, c: 0 }, 20)))).toEqual(['invalid-offset']);
    expect(kinds(checkPlan(r, plan({ a: 0.5, b: 10, c: 0 }, 20)))).toEqual(['invalid-offset']);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 10, c: 0 }, NaN)))).toContain('invalid-offset');
  });

  it('reports malformed requests and rules instead of throwing', () => {
    expect(kinds(checkPlan([req('a', 1, 0, 0), req('a', 1, 0, 0)], plan({ a: 0 }, 1)))).toContain('invalid-request');
    expect(kinds(checkPlan([req('a', -1, 0, 0)], plan({ a: 0 }, 1)))).toContain('invalid-request');
    expect(kinds(checkPlan([req('a', 1, 2, 1)], plan({ a: 0 }, 1)))).toContain('invalid-request');
    const bad: PlanConstraints = { mayOverlap: [['a', 'nope', { kind: 'same-offset' }]] };
    expect(kinds(checkPlan(r, plan({ a: 0, b: 10, c: 0 }, 20), bad))).toEqual(['invalid-rule']);
  });

  it('same-offset permits exactly equal offsets', () => {
    const c: PlanConstraints = { mayOverlap: [['a', 'b', { kind: 'same-offset' }]] };
    expect(checkPlan(r, plan({ a: 0, b: 0, c: 10 }, 20), c)).toEqual([]);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 1, c: 11 }, 21), c))).toEqual(['overlap']);
    // the rule does not extend to other pairs (b and c share step 2)
    const v = checkPlan(r, plan({ a: 0, b: 0, c: 0 }, 20), c);
    expect(v.map((x) => x.ids)).toEqual([['b', 'c']]);
  });

  it('forward: off(b) <= off(a) + slack, boundary inclusive, role order matters', () => {
    const c = (slack: number): PlanConstraints => ({ mayOverlap: [['a', 'b', { kind: 'forward', slack }]] });
    expect(checkPlan(r, plan({ a: 5, b: 2, c: 20 }, 30), c(-3))).toEqual([]);
    expect(kinds(checkPlan(r, plan({ a: 5, b: 3, c: 20 }, 30), c(-3)))).toEqual(['overlap']);
    expect(checkPlan(r, plan({ a: 0, b: 4, c: 20 }, 30), c(4))).toEqual([]);
    expect(kinds(checkPlan(r, plan({ a: 0, b: 5, c: 20 }, 30), c(4)))).toEqual(['overlap']);
    // reversed roles: now 'b' is the consumed buffer
    const rev: PlanConstraints = { mayOverlap: [['b', 'a', { kind: 'forward', slack: -3 }]] };
    expect(kinds(checkPlan(r, plan({ a: 5, b: 2, c: 20 }, 30), rev))).toEqual(['overlap']);
    expect(checkPlan(r, plan({ a: 2, b: 5, c: 20 }, 30), rev)).toEqual([]);
  });

  it('backward: end(b) >= end(a) - slack, boundary inclusive', () => {
    const rr = [req('a', 10, 0, 1), req('b', 15, 1, 2)];
    const c = (slack: number): PlanConstraints => ({ mayOverlap: [['a', 'b', { kind: 'backward', slack }]] });
    expect(checkPlan(rr, plan({ a: 5, b: 0 }, 15), c(0))).toEqual([]);
    expect(kinds(checkPlan(rr, plan({ a: 6, b: 0 }, 16), c(0)))).toEqual(['overlap']);
    expect(checkPlan(rr, plan({ a: 6, b: 0 }, 16), c(1))).toEqual([]);
    expect(kinds(checkPlan(rr, plan({ a: 5, b: 0 }, 15), c(-1)))).toEqual(['overlap']);
  });

  it('any of several rules on a pair may permit the overlap', () => {
    const c: PlanConstraints = {
      mayOverlap: [
        ['a', 'b', { kind: 'same-offset' }],
        ['a', 'b', { kind: 'forward', slack: -2 }],
      ],
    };
    expect(checkPlan(r, plan({ a: 2, b: 2, c: 12 }, 22), c)).toEqual([]);
    expect(checkPlan(r, plan({ a: 2, b: 0, c: 12 }, 22), c)).toEqual([]);
    expect(kinds(checkPlan(r, plan({ a: 2, b: 1, c: 12 }, 22), c))).toEqual(['overlap']);
  });

  it('property: moving a buffer onto a live neighbour is always caught', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 16, withRules: true }), fc.nat(), ({ requests, rules }, pick) => {
        const c = { mayOverlap: rules };
        const p = planMemory(requests, c, { exactNodeBudget: 1000 });
        expect(checkPlan(requests, p, c)).toEqual([]);
        const ruled = new Set(rules.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
        const pairs: Array<[BufferRequest, BufferRequest]> = [];
        for (const x of requests)
          for (const y of requests)
            if (
              x !== y &&
              x.size > 0 &&
              y.size > 0 &&
              Math.max(x.first, y.first) <= Math.min(x.last, y.last) &&
              !ruled.has(`${x.id}|${y.id}`)
            )
              pairs.push([x, y]);
        fc.pre(pairs.length > 0);
        const [x, y] = pairs[pick % pairs.length]!;
        const offsets = new Map(p.offsets);
        offsets.set(x.id, p.offsets.get(y.id)!);
        const v = checkPlan(requests, { offsets, arenaBytes: p.arenaBytes + x.size }, c);
        expect(v.some((e) => e.kind === 'overlap' && e.ids.includes(x.id) && e.ids.includes(y.id))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('property: shrinking the arena below a plan is caught', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 12 }), ({ requests }) => {
        const p = planMemory(requests);
        fc.pre(p.arenaBytes > 0);
        const v = checkPlan(requests, { offsets: p.offsets, arenaBytes: p.arenaBytes - 1 });
        expect(v.some((e) => e.kind === 'out-of-arena')).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
