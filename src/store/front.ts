/**
 * The power–latency front of a stored run: derived from its evaluations whenever it is asked for,
 * so it is never out of step with them (a resumed run, a run still going).
 */
import { paretoFrontIndexes } from '../objectives.js';
import type { EvaluationRecord, RunRow, RunStore } from './store.js';

/** One design of the front, its two coordinates named with their units. */
export interface FrontPoint {
  /** The evaluation that found it (the earliest, when several share its power and latency). */
  readonly index: number;
  readonly averagePowerMw: number;
  readonly totalTimeNs: number;
  readonly design: readonly number[];
  readonly config: Readonly<Record<string, string | number>>;
}

/** Whether a run keeps a front: its objective is the front itself. */
export function hasFront(run: Pick<RunRow, 'objective'>): boolean {
  return run.objective === 'pareto';
}

export function toFrontPoint(e: EvaluationRecord): FrontPoint {
  return { index: e.index, averagePowerMw: e.stats.averagePowerMw, totalTimeNs: e.stats.totalTimeNs, design: [...e.design], config: { ...e.config } };
}

/**
 * The evaluations of the run (up to the count read with it) that no other of its evaluations
 * dominates in (average power, total time), by increasing power. Two passes, so a long run never
 * sits in memory: its points, then the front's evaluations.
 */
export function runFront(store: RunStore, run: Pick<RunRow, 'id' | 'evaluations'>): FrontPoint[] {
  const points: Array<[number, number]> = [];
  const indexes: number[] = [];
  for (const e of store.iterateEvaluations(run.id, 0, run.evaluations)) {
    points.push([e.stats.averagePowerMw, e.stats.totalTimeNs]);
    indexes.push(e.index);
  }
  return paretoFrontIndexes(points).map((k) => toFrontPoint(store.evaluations(run.id, indexes[k], indexes[k] + 1)[0]));
}
