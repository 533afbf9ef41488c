/** `random`: uniformly random designs, the floor every learning agent must clear. */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { makeRng, type Rng, rngFromState, rngState } from '../common/random.js';
import type { Agent, AgentStats, SearchProblem } from './agent.js';

export class RandomAgent implements Agent {
  readonly name = 'random';
  readonly batchSize = 16;
  private rng: Rng;

  constructor(private readonly problem: SearchProblem, opts: { seed: number }) {
    this.rng = makeRng(opts.seed);
  }

  begin(): void {}

  ask(n: number): number[][] {
    return Array.from({ length: n }, () => this.problem.nvec.map((k) => uniformInt(this.rng, 0, k - 1)));
  }

  async tell(): Promise<void> {}

  async state(): Promise<unknown> {
    return { rng: rngState(this.rng) };
  }

  restore(s: unknown): void {
    this.rng = rngFromState((s as { rng: number[] }).rng);
  }

  stats(): AgentStats {
    return {};
  }

  dispose(): void {}
}
