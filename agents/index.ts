/** The agents, by name. */
import { InputError } from '../common/errors.js';
import { unknownHyperparameter } from '../common/hyperparameters.js';
import { ACO_DEFAULTS, ACO_MEANINGS, AcoAgent } from './aco.js';
import type { Agent, SearchProblem } from './agent.js';
import { BO_DEFAULTS, BO_MEANINGS, BoAgent } from './bo.js';
import { GA_DEFAULTS, GA_MEANINGS, GeneticAgent } from './ga.js';
import type { MarlGrouping } from './marl.js';
import { PPO_DEFAULTS, PPO_MEANINGS } from './ppo-hyperparameters.js';
import { RandomAgent } from './random.js';
import { SAC_DEFAULTS, SAC_MEANINGS } from './sac-hyperparameters.js';
import { TPE_DEFAULTS, TPE_MEANINGS, TpeAgent } from './tpe.js';

export type { Agent, AgentStats, Feedback, SearchProblem } from './agent.js';

export const AGENTS = ['marl', 'ppo', 'sac', 'random', 'ga', 'tpe', 'bo', 'aco'] as const;
export type AgentName = (typeof AGENTS)[number];

/**
 * The agents that learn with TensorFlow.js (and so need a backend), by how their modules load:
 * on demand (`loadAgents`), since they bring TensorFlow.js (about 0.7 s of CPU to load), which a
 * search with another agent never needs.
 */
const LEARNER_MODULES = {
  marl: () => import('./marl.js'),
  ppo: () => import('./ppo.js'),
  sac: () => import('./sac.js'),
};
type Learner = keyof typeof LEARNER_MODULES;
type LearnerModule<K extends Learner> = Awaited<ReturnType<(typeof LEARNER_MODULES)[K]>>;

export const LEARNING_AGENTS: readonly AgentName[] = Object.keys(LEARNER_MODULES) as Learner[];

const learners: { [K in Learner]?: LearnerModule<K> } = {};

/** Loads what `createAgent` needs to make these agents (a learning agent's module and TensorFlow.js). */
export async function loadAgents(names: readonly AgentName[] = AGENTS): Promise<void> {
  for (const name of names) {
    if (name in LEARNER_MODULES) (learners as Record<Learner, unknown>)[name as Learner] ??= await LEARNER_MODULES[name as Learner]();
  }
}

function learner<K extends Learner>(name: K): LearnerModule<K> {
  const m = learners[name];
  if (!m) throw new Error(`createAgent(${name}): await loadAgents(['${name}']) first`);
  return m as LearnerModule<K>;
}

export interface AgentOptions {
  seed: number;
  /** Overrides of the agent's hyperparameters (names as in its file). */
  hyperparameters?: Record<string, unknown>;
  /** marl: one agent per parameter (default) or per subsystem slice. */
  grouping?: MarlGrouping;
}

export interface Hyperparameter {
  name: string;
  default: unknown;
  meaning: string;
}

/** Each agent's hyperparameters with their defaults and meanings (`marl` runs PPO's code, so has PPO's). */
const HYPERPARAMETERS: Readonly<Record<AgentName, { defaults: object; meanings: Readonly<Record<string, string>> }>> = {
  marl: { defaults: PPO_DEFAULTS, meanings: PPO_MEANINGS },
  ppo: { defaults: PPO_DEFAULTS, meanings: PPO_MEANINGS },
  sac: { defaults: SAC_DEFAULTS, meanings: SAC_MEANINGS },
  random: { defaults: {}, meanings: {} },
  ga: { defaults: GA_DEFAULTS, meanings: GA_MEANINGS },
  tpe: { defaults: TPE_DEFAULTS, meanings: TPE_MEANINGS },
  bo: { defaults: BO_DEFAULTS, meanings: BO_MEANINGS },
  aco: { defaults: ACO_DEFAULTS, meanings: ACO_MEANINGS },
};

/** The hyperparameters `--hp` may set for `agent`, in the order its file declares them. */
export function agentHyperparameters(agent: AgentName): Hyperparameter[] {
  const { defaults, meanings } = HYPERPARAMETERS[agent];
  return Object.entries(defaults).map(([name, d]) => ({ name, default: d, meaning: meanings[name] }));
}

export function parseAgentName(raw: string): AgentName {
  if ((AGENTS as readonly string[]).includes(raw)) return raw as AgentName;
  throw new InputError(`agent "${raw}": unknown (expected one of ${AGENTS.join(', ')})`);
}

/** A new agent for `problem` (a learning agent once `loadAgents` has loaded it). */
export function createAgent(name: AgentName, problem: SearchProblem, opts: AgentOptions): Agent {
  const hp = opts.hyperparameters as never;
  // Names are checked here, against the agent asked for (marl's are PPO's, but the message says marl).
  const known = agentHyperparameters(name).map((h) => h.name);
  for (const k of Object.keys(opts.hyperparameters ?? {})) {
    if (known.length > 0 && !known.includes(k)) throw new InputError(unknownHyperparameter(name, k, known));
  }
  switch (name) {
    case 'marl':
      return learner('marl').createMarlAgent(problem, { seed: opts.seed, grouping: opts.grouping, hyperparameters: hp });
    case 'ppo':
      return learner('ppo').createPpoAgent(problem, { seed: opts.seed, hyperparameters: hp });
    case 'sac':
      return new (learner('sac').SacAgent)(problem, { seed: opts.seed, hyperparameters: hp });
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
