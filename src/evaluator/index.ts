import type { Evaluator, Memo } from './evaluator.js';
import { inProcessEvaluator } from './evaluator.js';
import { poolEvaluator } from './pool.js';
import type { Workload } from './workload.js';

export * from './evaluator.js';
export * from './workload.js';
export { createPoolBackend, poolEvaluator } from './pool.js';
export * from './suite.js';
export { combineStats } from './combine.js';

/** In-process for `workers` ≤ 1, else a pool of that many threads. */
export function makeEvaluator(workload: Workload, workers = 1, memo?: Memo, signal?: AbortSignal): Evaluator {
  return workers > 1 ? poolEvaluator(workload, workers, memo, signal) : inProcessEvaluator(workload, memo, signal);
}
