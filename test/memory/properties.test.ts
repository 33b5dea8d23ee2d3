import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arenaLowerBound,
  checkPlan,
  GREEDY_STRATEGIES,
  peakLiveBytes,
  planMemory,
  type PlanStrategy,
} from '../../src/memory/index.js';
import { bruteForceArena, instanceArb, shuffled } from './helpers.js';

const ALL: PlanStrategy[] = [...GREEDY_STRATEGIES, 'exact', 'best-of'];

describe('planner properties', () => {
  it('every strategy yields a plan that passes checkPlan (with random overlap rules)', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 14, withRules: true }), ({ requests, rules }) => {
        const c = { mayOverlap: rules };
        for (const strategy of ALL) {
          const plan = planMemory(requests, c, { strategy, exactNodeBudget: 2000 });
          expect(checkPlan(requests, plan, c)).toEqual([]);
          expect(plan.arenaBytes).toBe(Math.max(0, ...requests.map((r) => plan.offsets.get(r.id)! + r.size)));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('larger instances (up to 60 requests) stay valid', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 60, maxStep: 30, withRules: true }), ({ requests, rules }) => {
        const c = { mayOverlap: rules };
        const plan = planMemory(requests, c);
        expect(checkPlan(requests, plan, c)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('best-of is no worse than any single strategy; exact no worse than greedy', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 10, withRules: true }), ({ requests, rules }) => {
        const c = { mayOverlap: rules };
        const best = planMemory(requests, c, { exactNodeBudget: 2000 }).arenaBytes;
        const exact = planMemory(requests, c, { strategy: 'exact', exactNodeBudget: 2000 }).arenaBytes;
        for (const strategy of GREEDY_STRATEGIES) {
          const g = planMemory(requests, c, { strategy }).arenaBytes;
          expect(best).toBeLessThanOrEqual(g);
          expect(exact).toBeLessThanOrEqual(g);
        }
        expect(best).toBeLessThanOrEqual(exact);
      }),
      { numRuns: 150 },
    );
  });

  it('arenaBytes >= peakLiveBytes without rules, >= arenaLowerBound with rules', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 14, withRules: true }), ({ requests, rules }) => {
        const lb = arenaLowerBound(requests, { mayOverlap: rules });
        expect(lb).toBeLessThanOrEqual(peakLiveBytes(requests));
        expect(arenaLowerBound(requests)).toBe(peakLiveBytes(requests));
        for (const strategy of ALL) {
          expect(planMemory(requests, {}, { strategy, exactNodeBudget: 2000 }).arenaBytes).toBeGreaterThanOrEqual(
            peakLiveBytes(requests),
          );
          const withRules = planMemory(requests, { mayOverlap: rules }, { strategy, exactNodeBudget: 2000 });
          expect(withRules.arenaBytes).toBeGreaterThanOrEqual(lb);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic and independent of request order', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 20, withRules: true }), fc.nat(), ({ requests, rules }, seed) => {
        const c = { mayOverlap: rules };
        for (const strategy of ALL) {
          const a = planMemory(requests, c, { strategy, exactNodeBudget: 2000 });
          const b = planMemory(requests, c, { strategy, exactNodeBudget: 2000 });
          const s = planMemory(shuffled(requests, seed), { mayOverlap: shuffled(rules, seed + 1) }, {
            strategy,
            exactNodeBudget: 2000,
          });
          expect(b).toEqual(a);
          expect(s.arenaBytes).toBe(a.arenaBytes);
          for (const r of requests) expect(s.offsets.get(r.id)).toBe(a.offsets.get(r.id));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('exact search matches a brute-force optimum on tiny instances (no rules)', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 4, maxSize: 5, maxStep: 3, aligns: [1, 2] }), ({ requests }) => {
        const plan = planMemory(requests, {}, { strategy: 'exact' });
        expect(plan.arenaBytes).toBe(bruteForceArena(requests, []));
        expect(plan.optimal).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('exact search matches a brute-force optimum on tiny instances with overlap rules', () => {
    fc.assert(
      fc.property(instanceArb({ maxN: 4, maxSize: 5, maxStep: 3, aligns: [1, 2], withRules: true }), ({ requests, rules }) => {
        const plan = planMemory(requests, { mayOverlap: rules }, { strategy: 'exact' });
        expect(plan.arenaBytes).toBe(bruteForceArena(requests, rules));
      }),
      { numRuns: 300 },
    );
  });
});
