/**
 * Objectives (what "better" means) and rewards (what an agent is told). Every objective has a
 * value per evaluation and a target; success is reaching the target.
 *
 *  - power        average power, mW (lower is better)
 *  - latency      total time to finish the trace, ns: the published work's "latency"
 *  - avg-latency  mean request latency, ns
 *  - p99-latency  99th-percentile request latency, ns (the tail a latency budget is about)
 *  - energy       total energy, pJ
 *  - edp          energy-delay product, energy × total time, pJ·ns
 *  - bandwidth    bytes moved / total time, GB/s (higher is better)
 *  - joint        power and latency against two targets: max(P / P_target, L / L_target), so
 *                 ≤ 1 means both targets are met
 *  - pareto       the power-latency front found so far, scored by its hypervolume against a
 *                 reference point, normalised to the box [0, P_ref] × [0, L_ref] (higher is better)
 *
 * Rewards:
 *  - archgym  target / |value − target|, capped at 1000 (the published formulation; `joint` is the
 *             product of the two). It peaks at the target and pays as much for falling short as
 *             for beating it, and it explodes near the target.
 *  - log      (default) −ln(value / reference) (ln(value / reference) for an objective to maximise,
 *             such as bandwidth), where the reference is the target or, without
 *             one, the baseline design's value. Zero at the reference, positive when better, the
 *             same reward for the same relative improvement on any scale, never unbounded near the
 *             target, and beating the target always pays more. For `pareto`: 100 × the gain in
 *             normalised hypervolume.
 */
import { InputError } from '../common/errors.js';
import type { SimStats } from '../simulators/dram/stats.js';
import { type Direction, METRICS, type MetricName, type MetricObjective, OBJECTIVE_METRICS } from './metrics.js';

/** One objective per metric that has one (metrics.ts), then the two built from power and latency. */
export const OBJECTIVES = [...(Object.keys(OBJECTIVE_METRICS) as MetricObjective[]), 'joint', 'pareto'] as const;
export type ObjectiveName = MetricObjective | 'joint' | 'pareto';

/** The metric a single-metric objective optimises, or null for `joint` and `pareto`. */
export function objectiveMetric(objective: string): MetricName | null {
  return (OBJECTIVE_METRICS as Record<string, MetricName>)[objective] ?? null;
}

/**
 * Which way an objective improves: its metric's way; `joint` (a ratio to the targets) lower,
 * `pareto` (a front's hypervolume) higher.
 */
export function objectiveDirection(objective: string): Direction {
  const metric = objectiveMetric(objective);
  if (metric !== null) return METRICS[metric].direction;
  return objective === 'pareto' ? 'max' : 'min';
}

/** Whether `a` is better than `b` for `direction`. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'min' ? a < b : a > b;
}
export const REWARDS = ['log', 'archgym'] as const;
export type RewardKind = (typeof REWARDS)[number];

export const ARCHGYM_CAP = 1000;

export interface ObjectiveSpec {
  name: ObjectiveName;
  /** Single objectives: the target value in the metric's unit. `pareto`: a normalised hypervolume in [0, 1]. */
  target?: number;
  /** `joint`: targets for power (mW) and latency (ns). */
  powerTargetMw?: number;
  latencyTargetNs?: number;
  /** `pareto`: the reference point (mW, ns); default twice the baseline's power and latency. */
  referencePoint?: [number, number];
  reward?: RewardKind;
}

/** The unit of an objective's value, as the dashboard labels its axis ('' for an objective this version does not know). */
export function objectiveUnit(objective: string): string {
  const metric = objectiveMetric(objective);
  if (metric !== null) return METRICS[metric].unit;
  return objective === 'joint' ? '× target' : objective === 'pareto' ? 'normalised hypervolume' : '';
}

export function parseObjectiveName(raw: string): ObjectiveName {
  if ((OBJECTIVES as readonly string[]).includes(raw)) return raw as ObjectiveName;
  throw new InputError(`objective "${raw}": unknown (expected one of ${OBJECTIVES.join(', ')})`);
}

export function parseRewardKind(raw: string): RewardKind {
  if ((REWARDS as readonly string[]).includes(raw)) return raw as RewardKind;
  throw new InputError(`reward "${raw}": unknown (expected one of ${REWARDS.join(', ')})`);
}

/** Checks that the objective has the targets its reward needs. */
export function validateObjective(spec: ObjectiveSpec): void {
  const reward = spec.reward ?? 'log';
  const positive = (v: number | undefined, what: string): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InputError(`objective ${spec.name}: ${what} must be a positive number, got ${v}`);
  };
  positive(spec.target, 'target');
  positive(spec.powerTargetMw, 'power target');
  positive(spec.latencyTargetNs, 'latency target');
  if (spec.name === 'joint' && (spec.powerTargetMw === undefined || spec.latencyTargetNs === undefined)) {
    throw new InputError('objective joint needs two targets: power in mW and latency in ns (--target POWER_MW,LATENCY_NS)');
  }
  if (spec.name === 'pareto') {
    if (reward === 'archgym') throw new InputError('objective pareto: the archgym reward is defined for single targets only; use the log reward');
    if (spec.target !== undefined && spec.target > 1) throw new InputError(`objective pareto: target is a normalised hypervolume in (0, 1], got ${spec.target}`);
    spec.referencePoint?.forEach((v) => positive(v, 'reference point'));
  } else if (reward === 'archgym' && spec.name !== 'joint' && spec.target === undefined) {
    throw new InputError(`objective ${spec.name}: the archgym reward needs a target (--target)`);
  }
}

export interface Observation {
  /** The objective's value for this evaluation (pareto: the front's hypervolume after it). */
  value: number;
  reward: number;
  /** Whether this evaluation reached the target. */
  success: boolean;
  /** Whether it improved the best value. */
  improved: boolean;
}

/**
 * Two-dimensional minimisation front of points (power, latency): the indexes of the points no other
 * point dominates, by increasing power. Of equal points, the first is kept.
 */
export function paretoFrontIndexes(points: ReadonlyArray<readonly [number, number]>): number[] {
  const order = points.map((_, i) => i).sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1] || a - b);
  const front: number[] = [];
  let bestLatency = Infinity;
  for (const i of order) {
    if (points[i][1] < bestLatency) {
      front.push(i);
      bestLatency = points[i][1];
    }
  }
  return front;
}

/** Two-dimensional minimisation front: points (power, latency), none dominating another. */
export function paretoFront(points: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  return paretoFrontIndexes(points).map((i) => [points[i][0], points[i][1]]);
}

/** Hypervolume dominated by a 2-D front (minimisation) inside the box up to `ref`. */
export function hypervolume(front: ReadonlyArray<readonly [number, number]>, ref: readonly [number, number]): number {
  const pts = paretoFront(front.filter(([p, l]) => p < ref[0] && l < ref[1]));
  let hv = 0;
  for (let i = 0; i < pts.length; i++) {
    const nextP = i + 1 < pts.length ? pts[i + 1][0] : ref[0];
    hv += (nextP - pts[i][0]) * (ref[1] - pts[i][1]);
  }
  return hv;
}

/** Follows one run: scores each evaluation, keeps the best, and the front for `pareto`. */
export class ObjectiveTracker {
  readonly spec: Required<Pick<ObjectiveSpec, 'name' | 'reward'>> & ObjectiveSpec;
  readonly direction: Direction;
  /** What the log reward compares against (single objectives). */
  readonly reference: number;
  best: number;
  evaluations = 0;
  evaluationsToTarget: number | null = null;
  private front: Array<[number, number]> = [];
  private readonly refPoint: [number, number];

  constructor(spec: ObjectiveSpec, baseline: SimStats) {
    validateObjective(spec);
    this.spec = { ...spec, reward: spec.reward ?? 'log' };
    this.direction = objectiveDirection(spec.name);
    this.best = this.direction === 'min' ? Infinity : spec.name === 'pareto' ? 0 : -Infinity;
    this.refPoint = spec.referencePoint ?? [2 * baseline.averagePowerMw, 2 * baseline.totalTimeNs];
    this.reference = spec.name === 'joint' || spec.name === 'pareto' ? 1 : (spec.target ?? baseline[OBJECTIVE_METRICS[spec.name]]);
  }

  get target(): number | null {
    if (this.spec.name === 'joint') return 1;
    return this.spec.target ?? null;
  }

  /** The objective's value for one evaluation, without recording it (pareto: its hypervolume alone). */
  valueOf(s: SimStats): number {
    const name = this.spec.name;
    if (name === 'joint') return Math.max(s.averagePowerMw / this.spec.powerTargetMw!, s.totalTimeNs / this.spec.latencyTargetNs!);
    if (name === 'pareto') return this.normalisedHv([[s.averagePowerMw, s.totalTimeNs]]);
    return s[OBJECTIVE_METRICS[name]];
  }

  private normalisedHv(points: ReadonlyArray<readonly [number, number]>): number {
    const [rp, rl] = this.refPoint;
    return hypervolume(points.map(([p, l]) => [p / rp, l / rl] as [number, number]), [1, 1]);
  }

  observe(s: SimStats): Observation {
    this.evaluations++;
    const name = this.spec.name;
    let value: number;
    let reward: number;
    if (name === 'pareto') {
      const before = this.normalisedHv(this.front);
      this.front = paretoFront([...this.front, [s.averagePowerMw, s.totalTimeNs]]);
      value = this.normalisedHv(this.front);
      reward = 100 * (value - before);
    } else {
      value = this.valueOf(s);
      reward = this.rewardFor(s, value);
    }
    const improved = better(this.direction, value, this.best);
    if (improved) this.best = value;
    const t = this.target;
    const success = t !== null && (value === t || better(this.direction, value, t));
    if (success && this.evaluationsToTarget === null) this.evaluationsToTarget = this.evaluations;
    return { value, reward, success, improved };
  }

  private rewardFor(s: SimStats, value: number): number {
    if (this.spec.reward === 'archgym') {
      const ratio = (v: number, t: number): number => Math.min(ARCHGYM_CAP, t / Math.abs(v - t));
      if (this.spec.name === 'joint') {
        return Math.min(ARCHGYM_CAP, ratio(s.averagePowerMw, this.spec.powerTargetMw!) * ratio(s.totalTimeNs, this.spec.latencyTargetNs!));
      }
      return ratio(value, this.spec.target!);
    }
    // Positive when better than the reference, whichever way the objective improves.
    return (this.direction === 'min' ? -1 : 1) * Math.log(value / this.reference);
  }

  /** The current front (pareto), as (mW, ns) points. */
  paretoFront(): Array<[number, number]> {
    return this.front.map(([p, l]) => [p, l]);
  }
}
