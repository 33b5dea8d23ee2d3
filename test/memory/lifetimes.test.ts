import { describe, expect, it } from 'vitest';
import { MnetcError } from '../../src/diagnostics.js';
import { computeLifetimes, lifetimesToRequests } from '../../src/memory/index.js';

const obj = (m: Map<string, unknown>) => Object.fromEntries(m);

describe('computeLifetimes', () => {
  const steps = [
    { reads: ['in', 'w0'], writes: ['t0'] },
    { reads: ['t0'], writes: ['t1', 'dead'] },
    { reads: ['t0', 't1'], writes: ['t2'] },
    { reads: ['t2'], writes: ['out'] },
  ];

  it('spans first write to last read; inputs from step 0, outputs to the end', () => {
    const lt = computeLifetimes(steps, { liveAtStart: ['in'], liveAtEnd: ['out'], isExternal: (id) => id === 'w0' });
    expect(obj(lt)).toEqual({
      in: { first: 0, last: 0 },
      t0: { first: 0, last: 2 },
      t1: { first: 1, last: 2 },
      dead: { first: 1, last: 1 },
      t2: { first: 2, last: 3 },
      out: { first: 3, last: 3 },
    });
    expect([...lt.keys()]).toEqual(['in', 't0', 't1', 'dead', 't2', 'out']);
  });

  it('pinned buffers live for the whole run; outputs read later stay to the end', () => {
    const lt = computeLifetimes(
      [
        { reads: ['in'], writes: ['a'] },
        { reads: ['a'], writes: ['b'] },
        { reads: ['b'], writes: ['c'] },
      ],
      { pinned: ['in'], liveAtEnd: ['a'] },
    );
    expect(obj(lt)).toEqual({ in: { first: 0, last: 2 }, a: { first: 0, last: 2 }, b: { first: 1, last: 2 }, c: { first: 2, last: 2 } });
  });

  it('an input that is also an output lives through the run; empty schedules work', () => {
    expect(obj(computeLifetimes([], { liveAtStart: ['x'], liveAtEnd: ['x'] }))).toEqual({ x: { first: 0, last: 0 } });
    expect(computeLifetimes([]).size).toBe(0);
  });

  it('rejects reads before writes and outputs nobody writes', () => {
    expect(() => computeLifetimes(steps)).toThrow(MnetcError);
    expect(() => computeLifetimes(steps, { liveAtStart: ['in'] })).toThrow(/step 0 reads buffer 'w0'/);
    expect(() => computeLifetimes([{ reads: ['x'], writes: ['x'] }])).toThrow(/before any step writes it/);
    expect(() => computeLifetimes([], { liveAtEnd: ['y'] })).toThrow(/no step writes it/);
  });

  it('lifetimesToRequests skips buffers without a size and applies alignment', () => {
    const lt = computeLifetimes(steps, { liveAtStart: ['in', 'w0'], liveAtEnd: ['out'] });
    const reqs = lifetimesToRequests(
      lt,
      (id) => (id === 'w0' ? undefined : 100),
      (id) => (id === 'in' ? 4 : undefined),
    );
    expect(reqs.map((r) => r.id)).toEqual(['in', 't0', 't1', 'dead', 't2', 'out']);
    expect(reqs[0]).toEqual({ id: 'in', size: 100, first: 0, last: 0, align: 4 });
    expect(reqs[1]!.align).toBe(16);
  });
});
