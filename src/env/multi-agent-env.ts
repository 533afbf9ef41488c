/**
 * The multi-agent environment, with PettingZoo's parallel API: one agent per parameter (or per
 * subsystem slice), each choosing its own part of the design with a Discrete action; dicts keyed by
 * agent name; one shared reward. `reset(seed) → [observations, infos]`,
 * `step(actions) → [observations, rewards, terminations, truncations, infos]`.
 */
import { InputError } from '../../common/errors.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { ParameterSpace } from '../space/space.js';
import { DramEnv, type EnvOptions, type StepInfo } from './dram-env.js';
import type { Rng } from '../../common/random.js';
import { type Box, Discrete } from './spaces.js';

export type AgentGrouping = 'parameter' | 'slice';

export interface AgentSpec {
  readonly name: string;
  /** The space parameters this agent sets, in order. */
  readonly parameters: readonly number[];
  /** Values per parameter, for decoding a joint action index (mixed radix, first slowest). */
  readonly radix: readonly number[];
}

export function agentsOf(space: ParameterSpace, grouping: AgentGrouping): AgentSpec[] {
  if (grouping === 'parameter') {
    return space.parameters.map((p, i) => ({ name: p.name, parameters: [i], radix: [p.values.length] }));
  }
  return space.slices.map((s) => ({
    name: s.subsystem,
    parameters: s.parameters,
    radix: s.parameters.map((i) => space.parameters[i].values.length),
  }));
}

type Dict<T> = Record<string, T>;

export class MultiAgentDramEnv {
  readonly possibleAgents: readonly string[];
  agents: string[] = [];
  readonly specs: readonly AgentSpec[];
  private readonly env: DramEnv;
  private readonly actionSpaces: Dict<Discrete> = {};

  constructor(opts: EnvOptions & { grouping?: AgentGrouping }) {
    this.env = new DramEnv(opts);
    this.specs = agentsOf(opts.space, opts.grouping ?? 'parameter');
    this.possibleAgents = this.specs.map((a) => a.name);
    for (const a of this.specs) this.actionSpaces[a.name] = new Discrete(a.radix.reduce((x, y) => x * y, 1));
  }

  get space(): ParameterSpace {
    return this.env.space;
  }

  get single(): DramEnv {
    return this.env;
  }

  get random(): Rng {
    return this.env.random;
  }

  actionSpace(agent: string): Discrete {
    const s = this.actionSpaces[agent];
    if (!s) throw new InputError(`unknown agent "${agent}" (agents: ${this.possibleAgents.join(', ')})`);
    return s;
  }

  /** Every agent sees the same global observation. */
  observationSpace(agent: string): Box {
    this.actionSpace(agent);
    return this.env.observationSpace;
  }

  /** The joint design from each agent's action. */
  jointDesign(actions: Readonly<Dict<number>>): number[] {
    const design = new Array<number>(this.env.space.parameters.length).fill(0);
    for (const a of this.specs) {
      const act = actions[a.name];
      if (!this.actionSpaces[a.name].contains(act)) {
        throw new InputError(`action for agent ${a.name}: ${JSON.stringify(act)} is not in Discrete(${this.actionSpaces[a.name].n})`);
      }
      let rest = act;
      for (let k = a.parameters.length - 1; k >= 0; k--) {
        design[a.parameters[k]] = rest % a.radix[k];
        rest = Math.floor(rest / a.radix[k]);
      }
    }
    return design;
  }

  private perAgent<T>(v: T): Dict<T> {
    return Object.fromEntries(this.possibleAgents.map((a) => [a, v]));
  }

  async reset(seed?: number): Promise<[Dict<Float64Array>, Dict<{ stats: SimStats }>]> {
    const [obs, info] = await this.env.reset(seed);
    this.agents = [...this.possibleAgents];
    return [this.perAgent(obs), this.perAgent({ stats: info.stats })];
  }

  async step(
    actions: Readonly<Dict<number>>,
  ): Promise<[Dict<Float64Array>, Dict<number>, Dict<boolean>, Dict<boolean>, Dict<StepInfo>]> {
    for (const name of Object.keys(actions)) this.actionSpace(name);
    const missing = this.possibleAgents.filter((a) => !(a in actions));
    if (missing.length > 0) throw new InputError(`step needs an action for every agent; missing: ${missing.join(', ')}`);
    const [obs, reward, terminated, truncated, info] = await this.env.step(this.jointDesign(actions));
    if (terminated || truncated) this.agents = [];
    return [this.perAgent(obs), this.perAgent(reward), this.perAgent(terminated), this.perAgent(truncated), this.perAgent(info)];
  }
}
