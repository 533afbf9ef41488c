/** The agents, by name. */
import { InputError } from '../common/errors.js';
import { AcoAgent } from './aco.js';
import type { Agent, SearchProblem } from './agent.js';
import { BoAgent } from './bo.js';
import { GeneticAgent } from './ga.js';
import { createMarlAgent, type MarlGrouping } from './marl.js';
import { createPpoAgent } from './ppo.js';
import { RandomAgent } from './random.js';
import { SacAgent } from './sac.js';
import { TpeAgent } from './tpe.js';

export type { Agent, AgentStats, Feedback, SearchProblem } from './agent.js';

export const AGENTS = ['marl', 'ppo', 'sac', 'random', 'ga', 'tpe', 'bo', 'aco'] as const;
export type AgentName = (typeof AGENTS)[number];

/** Agents that learn with TensorFlow.js (and so need a backend). */
export const LEARNING_AGENTS: readonly AgentName[] = ['marl', 'ppo', 'sac'];

export interface AgentOptions {
  seed: number;
  /** Overrides of the agent's hyperparameters (names as in its file). */
  hyperparameters?: Record<string, unknown>;
  /** marl: one agent per parameter (default) or per subsystem slice. */
  grouping?: MarlGrouping;
}

export function parseAgentName(raw: string): AgentName {
  if ((AGENTS as readonly string[]).includes(raw)) return raw as AgentName;
  throw new InputError(`agent "${raw}": unknown (expected one of ${AGENTS.join(', ')})`);
}

export function createAgent(name: AgentName, problem: SearchProblem, opts: AgentOptions): Agent {
  const hp = opts.hyperparameters as never;
  switch (name) {
    case 'marl':
      return createMarlAgent(problem, { seed: opts.seed, grouping: opts.grouping, hyperparameters: hp });
    case 'ppo':
      return createPpoAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'sac':
      return new SacAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'ga':
      return new GeneticAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'tpe':
      return new TpeAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'bo':
      return new BoAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'aco':
      return new AcoAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'random':
      if (opts.hyperparameters && Object.keys(opts.hyperparameters).length > 0) throw new InputError('random agent: it has no hyperparameters');
      return new RandomAgent(problem, { seed: opts.seed });
  }
}
