/**
 * The single-agent environment, with Gymnasium's API: `reset(seed) → [obs, info]` and
 * `step(action) → [obs, reward, terminated, truncated, info]`. The action is a whole design (a
 * MultiDiscrete over every parameter). Steps are asynchronous because evaluations may run on
 * worker threads or other machines.
 *
 * An episode has `episodeLength` steps: 1 reproduces the published setup (each step a complete
 * episode), longer episodes let an agent refine a design from the metrics of the last one.
 */
import { InputError } from '../../common/errors.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { Evaluator } from '../evaluator/evaluator.js';
import { type SuiteResult, SuiteEvaluator } from '../evaluator/suite.js';
import { type ObjectiveSpec, ObjectiveTracker, type TraceScore } from '../objectives.js';
import { configToDesign, type Design, designToConfig, describeDesign, type ParamValue, type ParameterSpace } from '../space/space.js';
import { repairDesign } from '../space/masks.js';
import { isSystemKey } from '../space/system.js';
import { observationSpace, observe } from './observation.js';
import { makeRng, type Rng } from '../../common/random.js';
import { type Box, MultiDiscrete } from './spaces.js';

export interface EnvOptions {
  space: ParameterSpace;
  /** One trace's evaluator, or a suite's: one step then evaluates the design on every trace. */
  evaluator: Evaluator | SuiteEvaluator;
  objective: ObjectiveSpec;
  /** Steps per episode (default 1). */
  episodeLength?: number;
}

export interface StepInfo {
  /** The design's figures (a suite's traces combined as if run back to back: evaluator/combine.ts). */
  stats: SimStats;
  /** A suite's: each trace's figures, in suite order; null for a single trace. */
  traceStats: SimStats[] | null;
  /** Each trace's objective value, normalised value and feasibility, in suite order. */
  traces: TraceScore[];
  /** Whether every trace meets every constraint. */
  feasible: boolean;
  design: number[];
  config: Record<string, ParamValue>;
  /** The objective's value for this design (pareto: the front's hypervolume). */
  value: number;
  /** The best value of a feasible design so far; NaN while there is none. */
  best: number;
  success: boolean;
  evaluations: number;
  /** The action broke the space's rules and `design` is the nearest valid design, simulated instead. */
  repaired: boolean;
}

export type StepResult = [obs: Float64Array, reward: number, terminated: boolean, truncated: boolean, info: StepInfo];

/**
 * The design the base config describes, or the first value of each parameter where it is not in
 * the space; made valid (masks.ts) where the base's values break a rule.
 */
export function baseDesign(space: ParameterSpace): number[] {
  const base = { ...space.base, system: space.baseSystem };
  let design: number[];
  try {
    design = configToDesign(space, base);
  } catch {
    design = space.parameters.map((p) => Math.max(0, p.values.indexOf((isSystemKey(p.name) ? space.baseSystem : (space.base as unknown as Record<string, ParamValue>))[p.name])));
  }
  return repairDesign(space, design);
}

export class DramEnv {
  readonly actionSpace: MultiDiscrete;
  readonly observationSpace: Box;
  readonly space: ParameterSpace;
  readonly episodeLength: number;
  private readonly evaluator: SuiteEvaluator;
  private readonly objectiveSpec: ObjectiveSpec;
  private tracker: ObjectiveTracker | null = null;
  private baseline: SuiteResult | null = null;
  private design: number[];
  private stepInEpisode = 0;
  private rng: Rng = makeRng(0);

  constructor(opts: EnvOptions) {
    this.space = opts.space;
    this.evaluator = SuiteEvaluator.of(opts.evaluator);
    this.objectiveSpec = opts.objective;
    this.episodeLength = opts.episodeLength ?? 1;
    if (!Number.isInteger(this.episodeLength) || this.episodeLength < 1) {
      throw new InputError(`episode length: expected a positive integer, got ${opts.episodeLength}`);
    }
    this.actionSpace = new MultiDiscrete(this.space.parameters.map((p) => p.values.length));
    this.observationSpace = observationSpace(this.space);
    this.design = baseDesign(this.space);
  }

  /** The run's tracker (best value, evaluations to target); exists after the first reset. */
  get objective(): ObjectiveTracker {
    if (!this.tracker) throw new Error('call reset() first');
    return this.tracker;
  }

  /** Seeded randomness for `actionSpace.sample(env.random)`. */
  get random(): Rng {
    return this.rng;
  }

  /** Whether a step scores a suite (several traces, or an aggregate asked for): values normalised per trace. */
  get isSuite(): boolean {
    return this.evaluator.size > 1 || this.objectiveSpec.aggregate !== undefined;
  }

  /**
   * Starts an episode from the base design. The first reset evaluates the base design once, as the
   * baseline metrics are normalised against; later resets keep the run's tracker.
   */
  async reset(seed?: number): Promise<[Float64Array, { stats: SimStats; design: number[] }]> {
    if (seed !== undefined) this.rng = makeRng(seed);
    if (!this.baseline) {
      const start = baseDesign(this.space);
      const [baseline] = await this.evaluator.evaluate([designToConfig(this.space, start)]);
      const e = this.evaluator;
      this.tracker = new ObjectiveTracker(this.objectiveSpec, baseline.stats, this.isSuite ? { traces: baseline.traces, weights: e.weights, names: e.names } : undefined);
      this.baseline = baseline;
    }
    this.design = baseDesign(this.space);
    this.stepInEpisode = 0;
    const stats = this.baseline.stats;
    return [observe(this.space, stats, stats, this.design), { stats, design: [...this.design] }];
  }


  async step(action: readonly number[]): Promise<StepResult> {
    const [result] = await this.stepMany([action]);
    return result;
  }

  /**
   * Evaluates several actions at once (one batch for the evaluator), as if stepped one after
   * another; for agents that propose populations.
   */
  async stepMany(actions: ReadonlyArray<readonly number[]>): Promise<StepResult[]> {
    if (!this.tracker || !this.baseline) throw new Error('call reset() first');
    for (const a of actions) {
      if (!this.actionSpace.contains([...a])) {
        throw new InputError(`action ${JSON.stringify(a)} is not in MultiDiscrete(${JSON.stringify(this.actionSpace.nvec)})`);
      }
    }
    // A design that cannot exist is never simulated: it becomes the nearest valid one (the agents
    // choose within the masks, so this happens only for callers that ignore them).
    const designs = actions.map((a) => repairDesign(this.space, a));
    const configs = designs.map((d) => designToConfig(this.space, d));
    const results = await this.evaluator.evaluate(configs);
    return results.map(({ stats: s, traces }, i) => {
      const design: Design = designs[i];
      const o = this.tracker!.observe(s, traces);
      this.design = [...design];
      this.stepInEpisode++;
      const done = this.stepInEpisode >= this.episodeLength;
      if (done) this.stepInEpisode = 0;
      const info: StepInfo = {
        stats: s,
        traceStats: this.evaluator.size > 1 ? [...traces] : null,
        traces: o.traces,
        feasible: o.feasible,
        design: [...design],
        config: describeDesign(this.space, design),
        value: o.value,
        best: this.tracker!.hasBest ? this.tracker!.best : NaN,
        success: o.success,
        evaluations: this.tracker!.evaluations,
        repaired: design.some((v, k) => v !== actions[i][k]),
      };
      return [observe(this.space, s, this.baseline!.stats, design), o.reward, done, false, info];
    });
  }
}
