/**
 * `marl`: decentralized multi-agent PPO, the approach of the published DSE work. Each agent owns
 * one parameter (or, with `grouping: 'slice'`, one controller subsystem) and learns its own
 * policy and value networks from the shared reward; at execution each agent picks its own part of
 * the design from the shared observation, without seeing the others' choices. With
 * `centralizedCritic`, the agents share one value network (MAPPO: centralised training,
 * decentralised execution).
 *
 * The learning rule is PPO's (agents/ppo.ts), instantiated once per agent, so MARL with a single
 * agent is exactly PPO.
 */
import type { SearchProblem } from './agent.js';
import { type PpoHyperparameters, PpoSearchAgent } from './ppo.js';

export type MarlGrouping = 'parameter' | 'slice';

export interface MarlOptions {
  seed: number;
  grouping?: MarlGrouping;
  hyperparameters?: Partial<PpoHyperparameters>;
}

export function marlGroups(problem: SearchProblem, grouping: MarlGrouping): { groups: number[][]; names: string[] } {
  if (grouping === 'slice') {
    return { groups: problem.slices.map((s) => [...s.parameters]), names: problem.slices.map((s) => s.name) };
  }
  return { groups: problem.nvec.map((_, i) => [i]), names: [...problem.parameterNames] };
}

export function createMarlAgent(problem: SearchProblem, opts: MarlOptions): PpoSearchAgent {
  const { groups, names } = marlGroups(problem, opts.grouping ?? 'parameter');
  return new PpoSearchAgent('marl', problem, groups, names, { seed: opts.seed, hyperparameters: opts.hyperparameters });
}
