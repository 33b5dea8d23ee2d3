/**
 * Static activation-arena planning, as a pure library: requests in, offsets out. Independent of the IR.
 *
 * Typical use: computeLifetimes(schedule) -> lifetimesToRequests(...) -> planMemory(requests, constraints)
 * -> checkPlan(...) (must be empty) -> formatMemoryMap(...) for reports.
 */

/** Request, rule, constraint and plan types; the default alignment (16 bytes). */
export {
  DEFAULT_ALIGN,
  type BufferRequest,
  type MemoryPlan,
  type OverlapPermission,
  type OverlapRule,
  type PlanConstraints,
} from './types.js';

/**
 * planMemory: places requests in one arena (default strategy 'best-of'). arenaLowerBound: a rule-aware lower
 * bound on any plan's arena. GREEDY_STRATEGIES: the greedy strategy names, in best-of's order.
 */
export {
  planMemory,
  arenaLowerBound,
  GREEDY_STRATEGIES,
  type GreedyStrategy,
  type PlanStrategy,
  type PlanOptions,
} from './planner.js';

/** checkPlan: independent validator of a plan against requests and rules; returns all violations. */
export { checkPlan, type PlanToCheck, type Violation, type ViolationKind } from './check.js';

/**
 * computeLifetimes: {first, last} per buffer from a read/write schedule. lifetimesToRequests: lifetimes plus
 * sizes -> planner requests.
 */
export {
  computeLifetimes,
  lifetimesToRequests,
  type Lifetime,
  type LifetimeOptions,
  type ScheduleStep,
} from './lifetimes.js';

/**
 * formatMemoryMap: text table + time x address chart. memoryMapData: the same as JSON-friendly boxes.
 * peakLiveBytes: max bytes live in one step, the lower bound on the arena without overlap rules.
 */
export {
  formatMemoryMap,
  memoryMapData,
  peakLiveBytes,
  type MemoryBox,
  type MemoryMapData,
  type MemoryMapOptions,
  type PlanForMap,
} from './map.js';
