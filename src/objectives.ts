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
 *
 * A suite (several traces) scores each trace's value normalised to the baseline design's value on
 * that trace, combined by an aggregate (aggregate.ts): the value is a ratio, 1 being the baseline's.
 * Constraints (metric-constraints.ts) make a design infeasible when any trace breaks one: an
 * infeasible design is never the best, never reaches the target, and its reward lies below every
 * feasible design's (see `constrainedReward`).
 */
import { InputError } from '../common/errors.js';
import type { SimStats } from '../simulators/dram/stats.js';
import { AGGREGATES, type AggregateName, DEFAULT_AGGREGATE, NORMALISED_UNIT } from './aggregate.js';
import { type Constraint, violation } from './metric-constraints.js';
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
  /** A suite's aggregate of normalised per-trace values (the tracker's `suite` defaults it to geomean). */
  aggregate?: AggregateName;
  /** Limits every trace must keep; a design that breaks one is infeasible. */
  constraints?: readonly Constraint[];
}

/**
 * The unit of an objective's value, as the dashboard labels its axis ('' for an objective this
 * version does not know); with an aggregate (a suite), a ratio to the baseline design's.
 */
export function objectiveUnit(objective: string, aggregate?: string | null): string {
  if (aggregate) return NORMALISED_UNIT;
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
  if (spec.aggregate !== undefined && objectiveMetric(spec.name) === null) {
    throw new InputError(`objective ${spec.name}: not defined for a suite (it combines two metrics); search one metric and bound the other with --constraint`);
  }
  if (spec.name === 'pareto') {
    if (reward === 'archgym') throw new InputError('objective pareto: the archgym reward is defined for single targets only; use the log reward');
    if (spec.target !== undefined && spec.target > 1) throw new InputError(`objective pareto: target is a normalised hypervolume in (0, 1], got ${spec.target}`);
    spec.referencePoint?.forEach((v) => positive(v, 'reference point'));
  } else if (reward === 'archgym' && spec.name !== 'joint' && spec.target === undefined) {
    throw new InputError(`objective ${spec.name}: the archgym reward needs a target (--target)`);
  }
}

/** One trace's part of an evaluation. */
export interface TraceScore {
  /** The objective's metric on this trace, in its unit (null for `joint` and `pareto`). */
  value: number | null;
  /** `value` over the baseline design's value on this trace (null where `value` is). */
  normalised: number | null;
  /** Whether this trace meets every constraint. */
  feasible: boolean;
}

export interface Observation {
  /** The objective's value for this evaluation (pareto: the front's hypervolume after it). */
  value: number;
  reward: number;
  /** Whether this evaluation reached the target (only a feasible one can). */
  success: boolean;
  /** Whether it improved the best value (only a feasible one can). */
  improved: boolean;
  /** Whether every trace meets every constraint (always true without constraints). */
  feasible: boolean;
  /** Per trace, in suite order. */
  traces: TraceScore[];
}

/** A suite's baseline: the baseline design's figures on each trace, and each trace's weight and name. */
export interface SuiteBaseline {
  readonly traces: readonly SimStats[];
  readonly weights: readonly number[];
  readonly names: readonly string[];
}

/**
 * With constraints, the reward of a feasible design is kept at or above −FEASIBLE_FLOOR (a log
 * reward below it means 1,000 times worse than the reference), and an infeasible design's lies
 * below that: −FEASIBLE_FLOOR − 1 − min(FEASIBLE_FLOOR, ln(1 + V)), V its largest relative
 * violation. Rewards without constraints are unchanged.
 */
export const FEASIBLE_FLOOR = Math.log(1000);

export function constrainedReward(reward: number, feasible: boolean, violationShare: number): number {
  if (feasible) return Math.max(reward, -FEASIBLE_FLOOR);
  return -FEASIBLE_FLOOR - 1 - Math.min(FEASIBLE_FLOOR, Math.log1p(violationShare));
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

/** Follows one run: scores each evaluation, keeps the best (of feasible designs), and the front for `pareto`. */
export class ObjectiveTracker {
  readonly spec: Required<Pick<ObjectiveSpec, 'name' | 'reward'>> & ObjectiveSpec;
  readonly direction: Direction;
  /** What the log reward compares against (single objectives; 1 for a suite: the baseline's aggregate). */
  readonly reference: number;
  best: number;
  evaluations = 0;
  /** Evaluations that met every constraint. */
  feasibleEvaluations = 0;
  evaluationsToTarget: number | null = null;
  /** A suite's aggregate, or null for a single trace scored in its metric's unit. */
  readonly aggregate: AggregateName | null;
  private front: Array<[number, number]> = [];
  private readonly refPoint: [number, number];
  private readonly baselines: readonly SimStats[];
  private readonly weights: readonly number[];
  private readonly constraints: readonly Constraint[];

  /** `suite`: score a suite, normalised per trace; without it, one trace (`baseline`) in its metric's unit. */
  constructor(spec: ObjectiveSpec, baseline: SimStats, suite?: SuiteBaseline) {
    this.aggregate = suite ? (spec.aggregate ?? DEFAULT_AGGREGATE) : null;
    validateObjective({ ...spec, aggregate: this.aggregate ?? undefined });
    this.spec = { ...spec, reward: spec.reward ?? 'log' };
    this.direction = objectiveDirection(spec.name);
    this.best = this.direction === 'min' ? Infinity : spec.name === 'pareto' ? 0 : -Infinity;
    this.refPoint = spec.referencePoint ?? [2 * baseline.averagePowerMw, 2 * baseline.totalTimeNs];
    this.baselines = suite?.traces ?? [baseline];
    this.weights = suite?.weights ?? [1];
    this.constraints = spec.constraints ?? [];
    const metric = objectiveMetric(spec.name);
    if (suite && metric !== null) {
      suite.traces.forEach((b, i) => {
        if (!(Number.isFinite(b[metric]) && b[metric] > 0)) {
          throw new InputError(`objective ${spec.name}: the baseline design's ${METRICS[metric].label} on ${suite.names[i]} is ${b[metric]} ${METRICS[metric].unit}; a suite's values are normalised to it, so it must be positive`);
        }
      });
    }
    this.reference = spec.name === 'joint' || spec.name === 'pareto' ? 1 : (spec.target ?? (this.aggregate ? 1 : baseline[OBJECTIVE_METRICS[spec.name]]));
  }

  get target(): number | null {
    if (this.spec.name === 'joint') return 1;
    return this.spec.target ?? null;
  }

  /** Whether some evaluation so far met every constraint (then `best` is a feasible design's). */
  get hasBest(): boolean {
    return this.feasibleEvaluations > 0;
  }

  /**
   * The objective's value for one evaluation, without recording it (pareto: its hypervolume alone);
   * a suite's from its traces' figures, in suite order.
   */
  valueOf(s: SimStats, traces: readonly SimStats[] = [s]): number {
    const name = this.spec.name;
    if (name === 'joint') return Math.max(s.averagePowerMw / this.spec.powerTargetMw!, s.totalTimeNs / this.spec.latencyTargetNs!);
    if (name === 'pareto') return this.normalisedHv([[s.averagePowerMw, s.totalTimeNs]]);
    const metric = OBJECTIVE_METRICS[name];
    if (this.aggregate === null) return s[metric];
    const normalised = traces.map((t, i) => t[metric] / this.baselines[i][metric]);
    return AGGREGATES[this.aggregate].combine(normalised, this.weights, this.direction);
  }

  private normalisedHv(points: ReadonlyArray<readonly [number, number]>): number {
    const [rp, rl] = this.refPoint;
    return hypervolume(points.map(([p, l]) => [p / rp, l / rl] as [number, number]), [1, 1]);
  }

  /** Scores one evaluation: `s` its figures, `traces` each trace's for a suite (in suite order). */
  observe(s: SimStats, traces: readonly SimStats[] = [s]): Observation {
    if (traces.length !== this.baselines.length) throw new Error(`observe: ${traces.length} traces' figures for a suite of ${this.baselines.length}`);
    this.evaluations++;
    const name = this.spec.name;
    const metric = objectiveMetric(name);
    let worst = 0;
    const scores = traces.map((t, i): TraceScore => {
      const breaks = this.constraints.map((c) => violation(c, t, this.baselines[i]));
      worst = Math.max(worst, ...breaks);
      const value = metric === null ? null : t[metric];
      return { value, normalised: value === null ? null : value / this.baselines[i][metric!], feasible: breaks.every((v) => v === 0) };
    });
    const feasible = scores.every((t) => t.feasible);
    let value: number;
    let reward: number;
    if (name === 'pareto') {
      const before = this.normalisedHv(this.front);
      // An infeasible design never joins the front.
      if (feasible) this.front = paretoFront([...this.front, [s.averagePowerMw, s.totalTimeNs]]);
      value = this.normalisedHv(this.front);
      reward = 100 * (value - before);
    } else {
      value = this.valueOf(s, traces);
      reward = this.rewardFor(s, value);
    }
    if (this.constraints.length > 0) reward = constrainedReward(reward, feasible, worst);
    if (feasible) this.feasibleEvaluations++;
    const improved = feasible && better(this.direction, value, this.best);
    if (improved) this.best = value;
    const t = this.target;
    const success = feasible && t !== null && (value === t || better(this.direction, value, t));
    if (success && this.evaluationsToTarget === null) this.evaluationsToTarget = this.evaluations;
    return { value, reward, success, improved, feasible, traces: scores };
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
