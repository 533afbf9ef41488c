/**
 * The one interface every search agent implements: `ask(n)` proposes designs, `tell(results)`
 * reports how they did, `state()`/`restore()` checkpoint it exactly. Agents see the problem only
 * through `SearchProblem` (the space's shape and the observation size), never the simulator.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { allowedIndexes, nearestAllowed } from '../common/mask.js';
import type { Rng } from '../common/random.js';

/** What an agent knows of the problem. */
export interface SearchProblem {
  /** Number of values of each parameter. */
  readonly nvec: readonly number[];
  readonly parameterNames: readonly string[];
  /** Parameter indexes grouped by controller subsystem (for per-slice agents). */
  readonly slices: ReadonlyArray<{ readonly name: string; readonly parameters: readonly number[] }>;
  readonly observationSize: number;
  /**
   * Per parameter, whether its values lie on an ordered scale (numbers, increasing), so nearby
   * indexes mean nearby values; the others are unordered categories. Absent: all categorical.
   */
  readonly ordered?: readonly boolean[];
  /**
   * Which values parameter j may take given the design's first j values (the space's rules: a
   * refresh policy the memory lacks, a watermark above the buffer); null or absent: all. Agents
   * choose parameters in order, each within its mask (`chooseInOrder`).
   */
  readonly allowed?: (design: readonly number[], j: number) => readonly boolean[] | null;
  /**
   * Per parameter, the earlier parameters its mask reads (absent: it may read any of them), so a
   * change to one value re-checks only the parameters that depend on it (`withValue`).
   */
  readonly dependsOn?: ReadonlyArray<readonly number[]>;
}

/**
 * The values parameter j may take after `design`'s first j values; null when every value may.
 * A mask that allows everything counts as none, so a space whose rules restrict nothing is
 * searched draw for draw as a space without rules.
 */
export function maskOf(problem: Pick<SearchProblem, 'allowed'>, design: readonly number[], j: number): readonly boolean[] | null {
  const mask = problem.allowed?.(design, j) ?? null;
  return mask === null || mask.every(Boolean) ? null : mask;
}

/**
 * A design built parameter by parameter in order, each value picked by `pick(j, mask)` from the
 * values `problem.allowed` leaves (mask null: all allowed). `pick` must return an allowed index.
 */
export function chooseInOrder(problem: SearchProblem, pick: (j: number, mask: readonly boolean[] | null, design: readonly number[]) => number): number[] {
  const design = new Array<number>(problem.nvec.length).fill(0);
  for (let j = 0; j < design.length; j++) {
    const mask = maskOf(problem, design, j);
    const v = pick(j, mask, design);
    if (mask && !mask[v]) throw new Error(`agent chose value ${v} of parameter ${problem.parameterNames[j]}, which its mask excludes`);
    design[j] = v;
  }
  return design;
}

/** The allowed value closest to `v` by index (the lower one on a tie). */
function closestAllowed(problem: SearchProblem, j: number, mask: readonly boolean[], v: number): number {
  const best = nearestAllowed(mask, v);
  if (best < 0) throw new Error(`no value of parameter ${problem.parameterNames[j]} is allowed`);
  return best;
}

/**
 * Valid `design` with parameter i set to `v` (a value its mask allows): the later parameters whose
 * masks read a changed value and now refuse it move to the closest allowed value by index, the
 * others are left as they are.
 */
export function withValue(problem: SearchProblem, design: readonly number[], i: number, v: number): number[] {
  const out = [...design];
  out[i] = v;
  if (!problem.allowed) return out;
  const changed = new Uint8Array(out.length);
  changed[i] = 1;
  for (let j = i + 1; j < out.length; j++) {
    const reads = problem.dependsOn?.[j];
    if (reads && !reads.some((d) => changed[d])) continue;
    const mask = maskOf(problem, out, j);
    if (mask && !mask[out[j]]) {
      out[j] = closestAllowed(problem, j, mask, out[j]);
      changed[j] = 1;
    }
  }
  return out;
}

/** A value of a parameter with `k` values, uniformly among those `mask` allows (null: all), from one draw of `rng`. */
function uniformAllowed(rng: Rng, k: number, mask: readonly boolean[] | null): number {
  if (!mask) return uniformInt(rng, 0, k - 1);
  const ok = allowedIndexes(mask);
  return ok[uniformInt(rng, 0, ok.length - 1)];
}

/** A random design: each parameter in order uniformly among the values its mask allows. */
export function randomDesign(problem: SearchProblem, rng: Rng): number[] {
  return chooseInOrder(problem, (j, mask) => uniformAllowed(rng, problem.nvec[j], mask));
}

/** The outcome of one proposed design. */
export interface Feedback {
  design: readonly number[];
  reward: number;
  /** The observation after the step (the next state). */
  observation: Float64Array;
  /** The episode ended with this step. */
  done: boolean;
}

/** Numbers an agent reports about itself (losses, entropy, …), for logs and the dashboard. */
export type AgentStats = Record<string, number | number[][]>;

export interface Agent {
  readonly name: string;
  /** How many designs it prefers to be asked for at once (its population or rollout chunk). */
  readonly batchSize: number;
  /** Sets the observation the next `ask` acts on (the environment's reset observation). */
  begin(observation: Float64Array): void;
  /** Proposes the next `n` designs (a value index per parameter). */
  ask(n: number): number[][];
  /** Reports the results of the last `ask`, in order. */
  tell(results: readonly Feedback[]): Promise<void>;
  /** Everything needed to continue exactly from here, JSON-serialisable. */
  state(): Promise<unknown>;
  restore(state: unknown): void;
  stats(): AgentStats;
  dispose(): void;
}

/**
 * Where a learning agent is in its episodes: the reset observation (`begin`) and the one it acts
 * on next, which returns to the reset observation whenever an episode ends.
 */
export class EpisodeCursor {
  start: Float64Array;
  current: Float64Array;

  constructor(size: number) {
    this.start = new Float64Array(size);
    this.current = this.start;
  }

  begin(observation: Float64Array): void {
    this.start = Float64Array.from(observation);
    this.current = this.start;
  }

  advance(r: Feedback): void {
    this.current = r.done ? this.start : Float64Array.from(r.observation);
  }

  state(): { start: number[]; current: number[] } {
    return { start: Array.from(this.start), current: Array.from(this.current) };
  }

  restore(s: { start: number[]; current: number[] }): void {
    this.start = Float64Array.from(s.start);
    this.current = Float64Array.from(s.current);
  }
}
