/**
 * `ga`: a generational genetic algorithm over the discrete space: tournament selection, uniform
 * crossover, per-gene mutation to a random other value, and elitism. Fitness is the reward.
 *
 * Where the space has rules, a child is built gene by gene in parameter order within the masks:
 * a gene its mask refuses (the earlier genes came from the other parent) is the other parent's
 * where that is allowed, else the allowed value nearest it; a mutation draws among the other
 * allowed values. The first generation is random within the masks.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { allowedIndexes, nearestAllowed } from '../common/mask.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, chooseInOrder, type Feedback, randomDesign, type SearchProblem } from './agent.js';
import { withDefaults } from '../common/hyperparameters.js';

export interface GaHyperparameters {
  population: number;
  tournament: number;
  crossoverRate: number;
  /** Per-gene mutation probability; 0 means 1 / number of parameters. */
  mutationRate: number;
  elites: number;
}

export const GA_DEFAULTS: GaHyperparameters = { population: 32, tournament: 3, crossoverRate: 0.9, mutationRate: 0, elites: 2 };

/** What each hyperparameter does, for `--hp help` and the README's table (checked against it). */
export const GA_MEANINGS: Record<keyof GaHyperparameters, string> = {
  population: 'designs per generation',
  tournament: 'designs drawn at random per tournament; the fittest becomes a parent',
  crossoverRate: "probability that a child mixes its two parents' genes (uniform crossover) rather than copying the first's",
  mutationRate: 'per-gene mutation probability; 0 means 1 / number of parameters',
  elites: 'best designs carried unchanged into the next generation',
};

interface Individual {
  design: number[];
  fitness: number;
}

export class GeneticAgent implements Agent {
  readonly name = 'ga';
  readonly batchSize: number;
  private readonly hp: GaHyperparameters;
  private rng: Rng;
  /** The evaluated previous generation, and the current one being evaluated. */
  private parents: Individual[] = [];
  private current: Individual[] = [];
  private queue: number[][] = [];
  private generation = 0;

  constructor(private readonly problem: SearchProblem, opts: { seed: number; hyperparameters?: Partial<GaHyperparameters> }) {
    this.hp = withDefaults(GA_DEFAULTS, opts.hyperparameters, 'ga');
    this.batchSize = this.hp.population;
    this.rng = makeRng(opts.seed);
  }

  begin(): void {}

  private select(): Individual {
    let best: Individual | null = null;
    for (let i = 0; i < this.hp.tournament; i++) {
      const c = this.parents[uniformInt(this.rng, 0, this.parents.length - 1)];
      if (!best || c.fitness > best.fitness) best = c;
    }
    return best!;
  }

  private offspring(): number[] {
    const a = this.select().design;
    const b = this.select().design;
    const cross = uniform01(this.rng) < this.hp.crossoverRate;
    const rate = this.hp.mutationRate > 0 ? this.hp.mutationRate : 1 / this.problem.nvec.length;
    return chooseInOrder(this.problem, (i, mask) => {
      let g = cross && uniform01(this.rng) < 0.5 ? b[i] : a[i];
      if (mask && !mask[g]) g = mask[a[i]] ? a[i] : mask[b[i]] ? b[i] : nearestAllowed(mask, g);
      if (this.problem.nvec[i] > 1 && uniform01(this.rng) < rate) g = this.mutate(g, i, mask);
      return g;
    });
  }

  /** A different value, uniformly (among the allowed ones): every value stays reachable. */
  private mutate(g: number, i: number, mask: readonly boolean[] | null): number {
    const k = this.problem.nvec[i];
    if (!mask) return (g + uniformInt(this.rng, 1, k - 1)) % k;
    const others = allowedIndexes(mask).filter((v) => v !== g);
    return others.length > 0 ? others[uniformInt(this.rng, 0, others.length - 1)] : g;
  }

  /** The next generation's designs: elites carried over, the rest bred. */
  private breed(): number[][] {
    if (this.parents.length === 0) return Array.from({ length: this.hp.population }, () => randomDesign(this.problem, this.rng));
    const elites = [...this.parents].sort((x, y) => y.fitness - x.fitness).slice(0, this.hp.elites).map((e) => [...e.design]);
    const children = Array.from({ length: this.hp.population - elites.length }, () => this.offspring());
    return [...elites, ...children];
  }

  ask(n: number): number[][] {
    const out: number[][] = [];
    while (out.length < n) {
      if (this.queue.length === 0) this.queue = this.breed();
      out.push(this.queue.shift()!);
    }
    return out;
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    for (const r of results) {
      this.current.push({ design: [...r.design], fitness: r.reward });
      if (this.current.length === this.hp.population) {
        this.parents = this.current;
        this.current = [];
        this.generation++;
      }
    }
  }

  async state(): Promise<unknown> {
    return { rng: rngState(this.rng), parents: this.parents, current: this.current, queue: this.queue, generation: this.generation };
  }

  restore(s: unknown): void {
    const st = s as { rng: number[]; parents: Individual[]; current: Individual[]; queue: number[][]; generation: number };
    this.rng = rngFromState(st.rng);
    this.parents = st.parents;
    this.current = st.current;
    this.queue = st.queue;
    this.generation = st.generation;
  }

  stats(): AgentStats {
    const fit = this.parents.map((p) => p.fitness);
    return fit.length ? { generation: this.generation, bestFitness: Math.max(...fit), meanFitness: fit.reduce((a, b) => a + b, 0) / fit.length } : { generation: this.generation };
  }

  dispose(): void {}
}
