/**
 * Data types shared by the arena planner, the independent plan checker and the memory-map printer.
 * Pure data: no IR dependency. All sizes and offsets are byte counts (non-negative integers).
 */

/** Alignment (bytes) used when a request does not give one. */
export const DEFAULT_ALIGN = 16;

/**
 * One buffer to place in the arena.
 * `first`/`last` are the inclusive step indices of the buffer's lifetime: the buffer must be intact from the
 * start of step `first` (its writer) to the end of step `last` (its last reader). Two buffers whose lifetimes
 * share at least one step conflict and must not overlap in address unless an {@link OverlapRule} allows it.
 * A zero-size buffer conflicts with nothing and is placed at offset 0.
 */
export interface BufferRequest {
  /** unique, non-empty */
  id: string;
  /** bytes, integer >= 0 */
  size: number;
  /** first step of the lifetime (integer) */
  first: number;
  /** last step of the lifetime (integer, >= first) */
  last: number;
  /** the offset must be a multiple of this (positive integer); default {@link DEFAULT_ALIGN} */
  align?: number;
}

/**
 * An explicitly allowed address overlap between buffer `a` (the buffer being consumed, e.g. an op's input) and
 * buffer `b` (the buffer being produced from it, e.g. that op's output). The rule is ordered: `a` and `b` play
 * different roles. Notation: off(x) = offset, size(x), end(x) = off(x) + size(x).
 *
 * A rule only ever *permits* an overlap of the pair a/b, and only when its condition holds; when it does not
 * hold the pair must be disjoint as usual. It never affects other pairs. Several rules on the same pair are
 * alternatives (the overlap is legal when any of them holds).
 *
 * - `same-offset`: legal iff off(b) = off(a).
 *   For element-wise writers that produce b[i] only from a[i] (same element width) and read a[i] before
 *   writing b[i], in any iteration order (vectorised, unrolled, ...).
 *
 * - `forward`: legal iff off(b) <= off(a) + slack.
 *   For writers that produce b in increasing address order (byte 0 first). The writer's contract: at the
 *   moment it writes byte k of b, no byte j of a with j <= k + slack is still to be read. Writing b[k] lands on
 *   a[k + off(b) - off(a)], and off(b) - off(a) <= slack makes that a byte already consumed.
 *   Examples: an in-order element-wise loop has slack = 0 (b may start at or below a's start); a 3x3 stride-1
 *   'same' convolution streaming rows (input row bytes R, output row bytes R) still needs input rows r-1..r+1
 *   while writing output row r, giving slack = -2R (b must start at least two rows below a); an op that reads
 *   all of a before writing anything can use slack = +Infinity.
 *
 * - `backward`: legal iff end(b) >= end(a) - slack.
 *   The mirror image, for writers that produce b in decreasing address order (last byte first). Contract: at
 *   the moment it writes the k-th byte of b counted from its end (k = 0 is b's last byte), no byte of a whose
 *   distance from a's end is <= k + slack is still to be read. Typical use: an output larger than its input
 *   (padding, widening) written from the back, so b may end at or above a's end.
 *
 * `slack` is an integer number of bytes (may be negative) or +Infinity.
 */
export type OverlapRule =
  | { kind: 'same-offset' }
  | { kind: 'forward'; slack: number }
  | { kind: 'backward'; slack: number };

/** `[a, b, rule]`: the overlap of a (consumed) and b (produced) is legal where `rule` says so. */
export type OverlapPermission = readonly [a: string, b: string, rule: OverlapRule];

/** Extra placement constraints. (Alias groups are resolved by the caller before planning.) */
export interface PlanConstraints {
  mayOverlap?: ReadonlyArray<OverlapPermission>;
}

/** A placement: one offset per request, all inside `[0, arenaBytes)`. */
export interface MemoryPlan {
  /** byte offset of every request (keys in request order) */
  offsets: Map<string, number>;
  /** arena size: max over requests of offset + size (0 when empty) */
  arenaBytes: number;
  /** the strategy that produced this placement, e.g. 'greedy-size' or 'exact' */
  strategy: string;
  /**
   * true when arenaBytes is proven minimal: it equals a lower bound, or an exhaustive search finished within
   * its budget on an instance without active overlap rules
   */
  optimal: boolean;
}
