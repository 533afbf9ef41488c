/**
 * `aco`: ant colony optimisation as the original DSE code base configured it for DRAMSys
 * (ArchGym's `sims/DRAM/train_aco_DRAMSys.py` on DeepSwarm's ACO, an ant colony system): a
 * pheromone value per value of every parameter, all starting at τ0. Each ant of a generation
 * builds a design parameter by parameter: with probability `greediness` the value with the most
 * pheromone (ties broken at random), otherwise a value drawn with probability proportional to its
 * pheromone; every value it chose then decays towards τ0 (local update, so the next ants explore):
 *   τ ← (1 − decay) τ + decay τ0.
 * After each generation the best design found so far (a generation's best replaces it when at
 * least as good) deposits pheromone on its values, the rest of it evaporating (global update):
 *   τ ← (1 − evaporation) τ + evaporation / (10 · cost).
 * The cost is exp(−reward): under the default log reward, the design's objective value relative to
 * the reference, so a design as good as the reference deposits τ0 and better ones more. (The
 * original code took cost = −reward, a negative number, so its best design lost pheromone.)
 *
 * The original also evaluates one random design before the first generation; with every
 * pheromone at τ0 the first generation is uniformly random anyway, so here it plays that part.
 *
 * Where the space has rules, an ant chooses each parameter in order among the values its mask
 * allows after the earlier choices: the greedy choice is the allowed value with the most
 * pheromone, the weighted draw is over the allowed values.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { withDefaults } from '../common/hyperparameters.js';
import { allowedIndexes, drawAllowed } from '../common/mask.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, chooseInOrder, type Feedback, type SearchProblem } from './agent.js';

export interface AcoHyperparameters {
  /** Ants (designs) per generation. */
  antCount: number;
  /** Probability of taking the value with the most pheromone instead of a weighted draw. */
  greediness: number;
  /** Share of pheromone replaced by the best design's deposit after each generation. */
  evaporation: number;
  /** Share of a chosen value's pheromone pulled back to τ0 after each ant. */
  decay: number;
  /** τ0: every value's pheromone at the start. */
  initialPheromone: number;
}

/** train_aco_DRAMSys.py's flags (16 ants, greediness 0.5, evaporation 0.1) and default_dramsys.yaml's pheromone settings. */
export const ACO_DEFAULTS: AcoHyperparameters = { antCount: 16, greediness: 0.5, evaporation: 0.1, decay: 0.1, initialPheromone: 0.1 };

/** What each hyperparameter does, for `--hp help` and the README's table (checked against it). */
export const ACO_MEANINGS: Record<keyof AcoHyperparameters, string> = {
  antCount: 'designs per generation',
  greediness: 'probability of taking the value with the most pheromone',
  evaporation: "share of pheromone the best design's deposit replaces after each generation",
  decay: "share of a chosen value's pheromone pulled back to τ0 after each ant",
  initialPheromone: "τ0: every value's pheromone at the start",
};

/** Rewards beyond this deposit as much as this (exp would overflow). */
const MAX_REWARD = 100;

interface Ant {
  design: number[];
  reward: number;
}

export class AcoAgent implements Agent {
  readonly name = 'aco';
  readonly batchSize: number;
  private readonly hp: AcoHyperparameters;
  private rng: Rng;
  /** pheromone[parameter][value] */
  private pheromone: number[][];
  private best: Ant | null = null;
  /** Designs of the generation being proposed, and the results of the one being evaluated. */
  private queue: number[][] = [];
  private current: Ant[] = [];
  private generation = 0;

  constructor(private readonly problem: SearchProblem, opts: { seed: number; hyperparameters?: Partial<AcoHyperparameters> }) {
    this.hp = withDefaults(ACO_DEFAULTS, opts.hyperparameters, 'aco');
    this.batchSize = Math.max(1, Math.floor(this.hp.antCount));
    this.rng = makeRng(opts.seed);
    this.pheromone = problem.nvec.map((k) => new Array<number>(k).fill(this.hp.initialPheromone));
  }

  begin(): void {}

  /** DeepSwarm's selection rule over one parameter's values (heuristic 1 for every value), within `mask` (null: all). */
  private choose(tau: readonly number[], mask: readonly boolean[] | null): number {
    if (uniform01(this.rng) <= this.hp.greediness) {
      const candidates = mask ? allowedIndexes(mask) : tau.map((_, i) => i);
      const max = Math.max(...candidates.map((i) => tau[i]));
      const ties = candidates.filter((i) => tau[i] === max);
      return ties[uniformInt(this.rng, 0, ties.length - 1)];
    }
    if (mask) return drawAllowed(mask, (i) => tau[i], uniform01(this.rng));
    const total = tau.reduce((a, b) => a + b, 0);
    const threshold = uniform01(this.rng) * total;
    let acc = 0;
    for (let i = 0; i < tau.length; i++) {
      acc += tau[i];
      if (acc > threshold) return i;
    }
    return tau.length - 1;
  }

  /** One generation of ants, each followed by its local pheromone update. */
  private ants(): number[][] {
    const { decay, initialPheromone } = this.hp;
    return Array.from({ length: this.batchSize }, () => {
      const design = chooseInOrder(this.problem, (p, mask) => this.choose(this.pheromone[p], mask));
      design.forEach((v, p) => (this.pheromone[p][v] = (1 - decay) * this.pheromone[p][v] + decay * initialPheromone));
      return design;
    });
  }

  ask(n: number): number[][] {
    const out: number[][] = [];
    while (out.length < n) {
      if (this.queue.length === 0) this.queue = this.ants();
      out.push(this.queue.shift()!);
    }
    return out;
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    for (const r of results) {
      this.current.push({ design: [...r.design], reward: r.reward });
      if (this.current.length === this.batchSize) this.endGeneration();
    }
  }

  /** The generation's best replaces the best so far when at least as good; the best then deposits. */
  private endGeneration(): void {
    const top = this.current.reduce((a, b) => (b.reward > a.reward ? b : a));
    if (this.best === null || top.reward >= this.best.reward) this.best = top;
    const { evaporation } = this.hp;
    const deposit = Math.exp(Math.min(this.best.reward, MAX_REWARD)) / 10;
    this.best.design.forEach((v, p) => (this.pheromone[p][v] = (1 - evaporation) * this.pheromone[p][v] + evaporation * deposit));
    this.current = [];
    this.generation++;
  }

  async state(): Promise<unknown> {
    return { rng: rngState(this.rng), pheromone: this.pheromone, best: this.best, queue: this.queue, current: this.current, generation: this.generation };
  }

  restore(s: unknown): void {
    const st = s as { rng: number[]; pheromone: number[][]; best: Ant | null; queue: number[][]; current: Ant[]; generation: number };
    this.rng = rngFromState(st.rng);
    this.pheromone = st.pheromone;
    this.best = st.best;
    this.queue = st.queue;
    this.current = st.current;
    this.generation = st.generation;
  }

  /** The generation and each parameter's pheromone, normalised (shown like the learners' action distributions). */
  stats(): AgentStats {
    const distributions = this.pheromone.map((tau) => {
      const total = tau.reduce((a, b) => a + b, 0);
      return tau.map((t) => t / total);
    });
    return { generation: this.generation, ...(this.best ? { bestReward: this.best.reward } : {}), distributions };
  }

  dispose(): void {}
}
