/**
 * Buffer lifetimes from a schedule. Generic: a schedule is a list of steps, each reading and writing buffers
 * named by string ids; nothing here knows about the IR.
 */
import { fail } from '../diagnostics.js';
import { DEFAULT_ALIGN, type BufferRequest } from './types.js';

/** One step of a schedule (typically one op). Within a step, all reads happen before all writes complete. */
export interface ScheduleStep {
  reads: readonly string[];
  writes: readonly string[];
}

export interface LifetimeOptions {
  /** buffers that exist before step 0 (model inputs): live from step 0 */
  liveAtStart?: readonly string[];
  /** buffers that must survive the last step (model outputs): live until the last step */
  liveAtEnd?: readonly string[];
  /** buffers live for the whole run (both of the above) */
  pinned?: readonly string[];
  /** buffers that do not live in the arena (weights, other constants): ignored wherever they appear */
  isExternal?: (id: string) => boolean;
}

/** Inclusive step range during which a buffer must stay intact. */
export interface Lifetime {
  first: number;
  last: number;
}

/**
 * Computes `{first, last}` for every buffer the schedule or the options mention, in order of first mention:
 * `first` = the step of its first write (0 for buffers live at start), `last` = the step of its last read or
 * write (the last step for buffers live at end). A buffer written but never read lives during its writing
 * step only. Throws MN499 if a buffer is read before it is written and is not live at start, or if a
 * live-at-end buffer is never produced.
 */
export function computeLifetimes(
  steps: ReadonlyArray<ScheduleStep>,
  options: LifetimeOptions = {},
): Map<string, Lifetime> {
  const lastStep = Math.max(steps.length - 1, 0);
  const atStart = new Set([...(options.liveAtStart ?? []), ...(options.pinned ?? [])]);
  const atEnd = new Set([...(options.liveAtEnd ?? []), ...(options.pinned ?? [])]);
  const out = new Map<string, Lifetime>();
  const external = options.isExternal ?? (() => false);

  for (const id of atStart) if (!external(id)) out.set(id, { first: 0, last: 0 });
  steps.forEach((step, t) => {
    for (const id of step.reads) {
      if (external(id)) continue;
      const lt = out.get(id);
      if (!lt) fail('MN499', `schedule step ${t} reads buffer '${id}' before any step writes it`);
      lt.last = t;
    }
    for (const id of step.writes) {
      if (external(id)) continue;
      const lt = out.get(id);
      if (lt) lt.last = Math.max(lt.last, t);
      else out.set(id, { first: t, last: t });
    }
  });
  for (const id of atEnd) {
    if (external(id)) continue;
    const lt = out.get(id);
    if (!lt) fail('MN499', `buffer '${id}' must be live at the end but no step writes it`);
    lt.last = lastStep;
  }
  return out;
}

/**
 * Turns lifetimes into planner requests. `sizeOf` gives each buffer's byte size; buffers for which it returns
 * undefined are left out (e.g. constants that do not live in the arena). `alignOf` defaults to 16 bytes.
 */
export function lifetimesToRequests(
  lifetimes: ReadonlyMap<string, Lifetime>,
  sizeOf: (id: string) => number | undefined,
  alignOf: (id: string) => number | undefined = () => DEFAULT_ALIGN,
): BufferRequest[] {
  const out: BufferRequest[] = [];
  for (const [id, { first, last }] of lifetimes) {
    const size = sizeOf(id);
    if (size === undefined) continue;
    out.push({ id, size, first, last, align: alignOf(id) ?? DEFAULT_ALIGN });
  }
  return out;
}
