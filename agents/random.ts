/**
 * `random`: random designs, the floor every learning agent must clear: each parameter in order
 * uniformly among the values the space's rules allow after the earlier ones (all of them where the
 * space has no rules: uniformly random designs).
 */
import { makeRng, type Rng, rngFromState, rngState } from '../common/random.js';
import { type Agent, type AgentStats, randomDesign, type SearchProblem } from './agent.js';

export class RandomAgent implements Agent {
  readonly name = 'random';
  readonly batchSize = 16;
  private rng: Rng;

  constructor(private readonly problem: SearchProblem, opts: { seed: number }) {
    this.rng = makeRng(opts.seed);
  }

  begin(): void {}

  ask(n: number): number[][] {
    return Array.from({ length: n }, () => randomDesign(this.problem, this.rng));
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
