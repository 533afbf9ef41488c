/**
 * What the hard benchmark measures about its runs (pure functions, tested): the best value after n
 * evaluations, the evaluations needed to come within a tolerance of the best-known value, the
 * wall time that takes when a simulation is cheap or expensive, and how many seeds a
 * Mann-Whitney test (src/compare/stats.ts) needs to detect a given effect, by resampling measured
 * runs.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { makeRng } from '../common/random.js';
import { mannWhitneyU, median } from '../src/compare/stats.js';
import type { Direction } from '../src/metrics.js';
import type { ParamValue } from '../src/space/space.js';

/** An evaluation that improved a run's best: its number (from 1), the value, the distinct designs the run had simulated by then, and its agent's CPU ms by then. */
export type Improvement = readonly [evaluation: number, value: number, simulations: number, agentMs: number];

/** One run of one agent on one task, as the benchmark keeps it. */
export interface RunRecord {
  readonly task: string;
  readonly label: string;
  readonly seed: number;
  readonly budget: number;
  /** Identifies the code and the task the run was made with; runs made with other code are not used. */
  readonly fingerprint: string;
  readonly improvements: readonly Improvement[];
  readonly evaluations: number;
  /** Distinct designs this run simulated (its own repeats are free; other runs' are not counted). */
  readonly simulations: number;
  /** Its agent's CPU ms (proposing and learning), in all. */
  readonly agentMs: number;
  readonly bestDesign: Readonly<Record<string, ParamValue>>;
  readonly wallSeconds: number;
}

/** A value relative to the best-known one: 1 is the best-known, 1.01 is 1 % worse, whatever the direction. */
export function normalised(value: number, bestKnown: number, direction: Direction): number {
  return direction === 'min' ? value / bestKnown : bestKnown / value;
}

/** The run's best value after its first `n` evaluations; null when it made fewer. */
export function bestAt(run: RunRecord, n: number): number | null {
  if (n > run.evaluations || n < 1) return null;
  let best: number | null = null;
  for (const [e, v] of run.improvements) {
    if (e > n) break;
    best = v;
  }
  return best;
}

/** The first improvement within `tolerance` of the best-known value (1 % is 0.01), or null. */
export function firstWithin(run: RunRecord, bestKnown: number, direction: Direction, tolerance: number): Improvement | null {
  return run.improvements.find(([, v]) => normalised(v, bestKnown, direction) <= 1 + tolerance + 1e-12) ?? null;
}

/** Evaluations to come within `tolerance` of the best-known, censored: `horizon + 1` when not within the first `horizon`. */
export function evaluationsToWithin(run: RunRecord, bestKnown: number, direction: Direction, tolerance: number, horizon: number = run.budget): number {
  const hit = firstWithin(run, bestKnown, direction, tolerance);
  return hit !== null && hit[0] <= horizon ? hit[0] : horizon + 1;
}

/**
 * Wall seconds to an improvement when each of the run's simulations costs `simMs` and the agent
 * its measured CPU time: what a search costs where simulation is cheap, or expensive.
 */
export function wallSecondsTo(hit: Improvement, simMs: number): number {
  return (hit[3] + hit[2] * simMs) / 1000;
}

export interface Spread {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export interface PowerOptions {
  /** Significance level (default 0.05). */
  readonly alpha?: number;
  /**
   * Tests in the Holm family; the test must reach p · tests < alpha, as Holm asks of the family's
   * smallest p (the strictest case). Default 1.
   */
  readonly tests?: number;
  /** Resampled experiments per seed count (default 2,000). */
  readonly resamples?: number;
  /** Seed of the resampling (default 1). */
  readonly seed?: number;
}

/**
 * The power of a two-sided Mann-Whitney test with `n` runs per agent: agent A's runs are drawn
 * (with replacement) from `sample`, agent B's from `sample` then passed through `effect` (e.g.
 * twice the evaluations); the share of resampled experiments the test finds significant.
 */
export function power(sample: readonly number[], effect: (x: number) => number, n: number, opts: PowerOptions = {}): number {
  const alpha = opts.alpha ?? 0.05;
  const tests = opts.tests ?? 1;
  const resamples = opts.resamples ?? 2000;
  const rng = makeRng(opts.seed ?? 1);
  const draw = (): number => sample[uniformInt(rng, 0, sample.length - 1)];
  let significant = 0;
  const a = new Array<number>(n);
  const b = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) a[i] = draw();
    for (let i = 0; i < n; i++) b[i] = effect(draw());
    if (mannWhitneyU(a, b).pValue * tests < alpha) significant++;
  }
  return significant / resamples;
}

/** The fewest runs per agent (2 to `maxSeeds`) whose power reaches `target` (0.8), or null if none does. */
export function seedsForPower(sample: readonly number[], effect: (x: number) => number, target = 0.8, maxSeeds = 40, opts: PowerOptions = {}): number | null {
  if (sample.length === 0) return null;
  for (let n = 2; n <= maxSeeds; n++) if (power(sample, effect, n, opts) >= target) return n;
  return null;
}
