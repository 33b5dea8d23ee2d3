import { describe, expect, it } from 'vitest';
import { MnetcError } from '../../src/diagnostics.js';
import {
  arenaLowerBound,
  checkPlan,
  computeLifetimes,
  GREEDY_STRATEGIES,
  lifetimesToRequests,
  peakLiveBytes,
  planMemory,
  type BufferRequest,
  type OverlapPermission,
  type PlanConstraints,
  type ScheduleStep,
} from '../../src/memory/index.js';

const req = (id: string, size: number, first: number, last: number, align = 1): BufferRequest => ({
  id,
  size,
  first,
  last,
  align,
});

function planAndCheck(requests: BufferRequest[], constraints: PlanConstraints = {}, strategy?: 'exact' | 'best-of') {
  const plan = planMemory(requests, constraints, strategy ? { strategy } : {});
  expect(checkPlan(requests, plan, constraints)).toEqual([]);
  return plan;
}

function expectMN499(f: () => unknown, pattern: RegExp) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MnetcError);
    expect((e as MnetcError).diagnostics[0]!.code).toBe('MN499');
    expect((e as MnetcError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an MnetcError');
}

/** every greedy gets 13 here; the optimum (= peak live) is 10 */
const GREEDY_TRAP = [req('a', 6, 4, 5), req('b', 3, 3, 5), req('c', 4, 1, 3), req('d', 6, 2, 2)];

describe('planMemory: known optima', () => {
  it('empty input', () => {
    const plan = planMemory([]);
    expect(plan).toEqual({ offsets: new Map(), arenaBytes: 0, strategy: 'greedy-size', optimal: true });
  });

  it('a chain reuses memory of dead buffers', () => {
    const r = [req('A', 100, 0, 1), req('B', 200, 1, 2), req('C', 100, 2, 3)];
    for (const strategy of GREEDY_STRATEGIES) {
      const plan = planMemory(r, {}, { strategy });
      expect(checkPlan(r, plan)).toEqual([]);
      expect(plan.arenaBytes).toBe(300);
    }
    const plan = planAndCheck(r);
    expect(plan.arenaBytes).toBe(300);
    expect(plan.optimal).toBe(true);
    expect(plan.offsets.get('A')).toBe(plan.offsets.get('C'));
  });

  it('TFLM-style greedy-size: largest first at the lowest fitting offset', () => {
    const r = [req('small', 10, 0, 5), req('big', 100, 0, 1), req('mid', 50, 2, 3)];
    const plan = planMemory(r, {}, { strategy: 'greedy-size' });
    expect(Object.fromEntries(plan.offsets)).toEqual({ small: 100, big: 0, mid: 0 });
    expect(plan.arenaBytes).toBe(110);
  });

  it('exact search beats every greedy on a trap instance', () => {
    for (const strategy of GREEDY_STRATEGIES) expect(planMemory(GREEDY_TRAP, {}, { strategy }).arenaBytes).toBe(13);
    expect(peakLiveBytes(GREEDY_TRAP)).toBe(10);
    const exact = planAndCheck(GREEDY_TRAP, {}, 'exact');
    expect(exact).toMatchObject({ arenaBytes: 10, strategy: 'exact', optimal: true });
    const best = planAndCheck(GREEDY_TRAP);
    expect(best).toMatchObject({ arenaBytes: 10, strategy: 'exact', optimal: true });
  });

  it('best-of skips the exact search above exactMaxRequests', () => {
    const plan = planMemory(GREEDY_TRAP, {}, { exactMaxRequests: 3 });
    expect(plan.arenaBytes).toBe(13);
    expect(plan.optimal).toBe(false);
  });

  it('respects alignment (default 16)', () => {
    const r: BufferRequest[] = [
      { id: 'x', size: 10, first: 0, last: 0 },
      { id: 'y', size: 10, first: 0, last: 0 },
    ];
    const plan = planAndCheck(r);
    expect([...plan.offsets.values()].sort((a, b) => a - b)).toEqual([0, 16]);
    expect(plan.arenaBytes).toBe(26);
    const packed = planAndCheck(r.map((x) => ({ ...x, align: 1 })));
    expect(packed.arenaBytes).toBe(20);
    const wide = planAndCheck([req('p', 3, 0, 0, 1), req('q', 8, 0, 0, 64)]);
    expect(wide.offsets.get('q')! % 64).toBe(0);
    expect(Object.fromEntries(wide.offsets)).toEqual({ q: 0, p: 8 });
    expect(wide.arenaBytes).toBe(11);
    const wide2 = planAndCheck([req('p', 3, 0, 0, 1), req('q', 2, 0, 0, 64)]);
    expect(Object.fromEntries(wide2.offsets)).toEqual({ p: 2, q: 0 });
    expect(wide2.arenaBytes).toBe(5);
  });

  it('zero-size requests sit at 0 and take no space', () => {
    const plan = planAndCheck([req('z', 0, 0, 9), req('a', 32, 0, 9), req('b', 32, 0, 9)]);
    expect(plan.offsets.get('z')).toBe(0);
    expect(plan.arenaBytes).toBe(64);
  });

  it('breaks ties by id, independent of input order', () => {
    const r = [req('y', 16, 0, 1), req('x', 16, 0, 1)];
    const p1 = planMemory(r);
    const p2 = planMemory([...r].reverse());
    expect(p1.offsets.get('x')).toBe(0);
    expect(p1.offsets.get('y')).toBe(16);
    expect(Object.fromEntries(p2.offsets)).toEqual(Object.fromEntries(p1.offsets));
    expect([...p1.offsets.keys()]).toEqual(['y', 'x']); // map keys follow request order
  });

  it('exact search honours its node budget on large instances', () => {
    const r = Array.from({ length: 40 }, (_, i) => req(`r${i}`, 16 + ((i * 37) % 200), i % 7, (i % 7) + (i % 5)));
    const t0 = performance.now();
    const plan = planAndCheck(r, {}, 'exact');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(plan.arenaBytes).toBeGreaterThanOrEqual(peakLiveBytes(r));
  });
});

describe('planMemory: overlap rules', () => {
  const pair = (sa: number, sb: number) => [req('in', sa, 0, 1), req('out', sb, 1, 2)];

  it('same-offset lets an element-wise output alias its input exactly', () => {
    const r = pair(64, 64);
    expect(planAndCheck(r).arenaBytes).toBe(128);
    const c = { mayOverlap: [['in', 'out', { kind: 'same-offset' }]] as OverlapPermission[] };
    for (const strategy of [...GREEDY_STRATEGIES, 'exact', 'best-of'] as const) {
      const plan = planMemory(r, c, { strategy });
      expect(checkPlan(r, plan, c)).toEqual([]);
      expect(plan.arenaBytes).toBe(64);
      expect(plan.offsets.get('out')).toBe(plan.offsets.get('in'));
    }
    expect(arenaLowerBound(r, c)).toBe(64);
  });

  it('forward: output may start at most slack bytes above the input', () => {
    const r = pair(100, 100);
    const c = (slack: number): PlanConstraints => ({ mayOverlap: [['in', 'out', { kind: 'forward', slack }]] });
    // in-order element-wise loop: slack 0, output may coincide with the input
    expect(planAndCheck(r, c(0)).arenaBytes).toBe(100);
    // output must trail the input by 20 bytes: best is out at 0, in at 20
    const p = planAndCheck(r, c(-20));
    expect(p.arenaBytes).toBe(120);
    expect(p.offsets.get('in')! - p.offsets.get('out')!).toBe(20);
    // a lag larger than the buffers cannot be met while overlapping: they end up disjoint
    expect(planAndCheck(r, c(-200)).arenaBytes).toBe(200);
    // slack +Infinity: any overlap is fine
    expect(planAndCheck(r, c(Infinity)).arenaBytes).toBe(100);
  });

  it('forward with a shrinking output (stride-2 style)', () => {
    const r = pair(100, 40);
    const p = planAndCheck(r, { mayOverlap: [['in', 'out', { kind: 'forward', slack: 0 }]] });
    expect(p.arenaBytes).toBe(100);
    expect(p.offsets.get('out')! <= p.offsets.get('in')!).toBe(true);
  });

  it('backward: a larger output may end at or above the input end', () => {
    const r = pair(100, 150);
    const p = planAndCheck(r, { mayOverlap: [['in', 'out', { kind: 'backward', slack: 0 }]] });
    expect(p.arenaBytes).toBe(150);
    expect(p.offsets.get('out')! + 150).toBeGreaterThanOrEqual(p.offsets.get('in')! + 100);
    // out must end at least 60 bytes above in's end: out at 10..160 over in at 0..100
    const lagged = planAndCheck(r, { mayOverlap: [['in', 'out', { kind: 'backward', slack: -60 }]] });
    expect(lagged.arenaBytes).toBe(160);
    expect(Object.fromEntries(lagged.offsets)).toEqual({ in: 0, out: 10 });
  });

  it('a rule only concerns its own pair', () => {
    const r = [req('in', 64, 0, 1), req('out', 64, 1, 2), req('other', 64, 1, 1)];
    const c: PlanConstraints = { mayOverlap: [['in', 'out', { kind: 'same-offset' }]] };
    const p = planAndCheck(r, c);
    expect(p.arenaBytes).toBe(128);
    expect(p.offsets.get('other')).not.toBe(p.offsets.get('in'));
  });

  it('rules on buffers that are never live together are harmless', () => {
    const r = [req('a', 64, 0, 0), req('b', 64, 5, 5)];
    const p = planAndCheck(r, { mayOverlap: [['a', 'b', { kind: 'forward', slack: -1000 }]] });
    expect(p.arenaBytes).toBe(64);
  });
});

describe('planMemory: input validation', () => {
  it('rejects malformed requests and rules with MN499', () => {
    expectMN499(() => planMemory([req('a', 1, 0, 0), req('a', 1, 0, 0)]), /duplicate/);
    expectMN499(() => planMemory([req('', 1, 0, 0)]), /empty id/);
    expectMN499(() => planMemory([req('a', -1, 0, 0)]), /bad size/);
    expectMN499(() => planMemory([req('a', 1.5, 0, 0)]), /bad size/);
    expectMN499(() => planMemory([req('a', 1, 3, 2)]), /bad lifetime/);
    expectMN499(() => planMemory([req('a', 1, 0, 0, 0)]), /alignment/);
    const r = [req('a', 1, 0, 0), req('b', 1, 0, 0)];
    expectMN499(() => planMemory(r, { mayOverlap: [['a', 'zz', { kind: 'same-offset' }]] }), /unknown buffer 'zz'/);
    expectMN499(() => planMemory(r, { mayOverlap: [['a', 'a', { kind: 'same-offset' }]] }), /itself/);
    expectMN499(() => planMemory(r, { mayOverlap: [['a', 'b', { kind: 'forward', slack: NaN }]] }), /slack/);
    expectMN499(
      () => planMemory(r, { mayOverlap: [['a', 'b', { kind: 'sideways' } as never]] }),
      /unknown kind 'sideways'/,
    );
    expectMN499(() => planMemory(r, {}, { strategy: 'magic' as never }), /unknown memory planning strategy/);
  });
});

/** a MobileNetV2-shaped schedule: stem, 17 inverted-residual blocks (some with skip adds), head */
function mobilenetV2Like(): { steps: ScheduleStep[]; sizes: Map<string, number> } {
  const steps: ScheduleStep[] = [];
  const sizes = new Map<string, number>();
  let hw = 112;
  let ch = 32;
  let cur = 'input';
  sizes.set('input', 224 * 224 * 3);
  let n = 0;
  const op = (reads: string[], bytes: number): string => {
    const out = `t${n++}`;
    sizes.set(out, bytes);
    steps.push({ reads, writes: [out] });
    return out;
  };
  cur = op([cur], hw * hw * ch);
  const cfg: Array<[t: number, c: number, reps: number, s: number]> = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  for (const [t, c, reps, s] of cfg) {
    for (let i = 0; i < reps; i++) {
      const stride = i === 0 ? s : 1;
      const blockIn = cur;
      let x = cur;
      if (t !== 1) x = op([x], hw * hw * ch * t);
      const hw2 = hw / stride;
      x = op([x], hw2 * hw2 * ch * t);
      x = op([x], hw2 * hw2 * c);
      if (stride === 1 && c === ch) x = op([blockIn, x], hw2 * hw2 * c);
      cur = x;
      hw = hw2;
      ch = c;
    }
  }
  cur = op([cur], hw * hw * 1280);
  cur = op([cur], 1280);
  cur = op([cur], 1000);
  cur = op([cur], 1000);
  steps.at(-1)!.writes = ['output'];
  sizes.set('output', 1000);
  return { steps, sizes };
}

describe('planMemory: scale', () => {
  it('plans a MobileNetV2-shaped schedule at the peak-live bound', () => {
    const { steps, sizes } = mobilenetV2Like();
    const lifetimes = computeLifetimes(steps, { liveAtStart: ['input'], liveAtEnd: ['output'] });
    const requests = lifetimesToRequests(lifetimes, (id) => sizes.get(id));
    expect(requests.length).toBeGreaterThan(60);
    const plan = planAndCheck(requests);
    expect(plan.arenaBytes).toBe(peakLiveBytes(requests));
    expect(plan.optimal).toBe(true);
  });

  it('plans 200 requests in well under 100 ms', () => {
    let s = 12345;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const dense: BufferRequest[] = [];
    for (let i = 0; i < 200; i++) {
      const f = Math.floor(rnd() * 50);
      dense.push({ id: `r${i}`, size: 16 * (1 + Math.floor(rnd() * 5000)), first: f, last: f + Math.floor(rnd() * 40) });
    }
    planMemory(dense); // warm-up (JIT)
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const plan = planMemory(dense);
      times.push(performance.now() - t0);
      expect(checkPlan(dense, plan)).toEqual([]);
    }
    expect(Math.min(...times)).toBeLessThan(100);
  });
});
