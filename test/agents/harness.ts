/**
 * What the agent suites share: a small space with a known optimum on builtin:cloud-2, a search
 * loop that drives an agent there and records every design and value, and a loop that drives an
 * agent against a synthetic reward, without the simulator.
 */
import { type Agent, createAgent, type AgentName, loadAgents, type SearchProblem } from '../../agents/index.js';
import { DramEnv } from '../../src/env/dram-env.js';
import { type Evaluator, inProcessEvaluator, loadWorkload, MapMemo } from '../../src/evaluator/index.js';
import { problemOf } from '../../src/search/runner.js';
import { designAt, designToConfig, parseSpace } from '../../src/space/space.js';
import { spaceSize } from '../../src/space/masks.js';

export const space = parseSpace(
  {
    name: 'small',
    parameters: [
      { name: 'PagePolicy', values: ['Open', 'OpenAdaptive', 'Closed', 'ClosedAdaptive'] },
      { name: 'Scheduler', values: ['Fifo', 'FrFcfsGrp', 'FrFcfs'] },
      { name: 'RequestBufferSize', values: [1, 2, 4, 8, 16, 32, 64, 128] },
      { name: 'Arbiter', values: ['Simple', 'Fifo', 'Reorder'] },
      { name: 'MaxActiveTransactions', values: [1, 4, 16, 128] },
    ],
  },
  'small.json',
);
const workload = loadWorkload({ trace: 'builtin:cloud-2' });

/** Every run shares one memo, which `smallOptimum` fills: the agents' tests then simulate nothing. */
const memo = new MapMemo();

/** An evaluator of the small space's workload through the shared memo. */
export function smallEvaluator(): Evaluator {
  return inProcessEvaluator(workload, memo);
}

let optimum: number | null = null;

/** The true optimum of total time over the small space (1,152 designs, many equivalent), computed once. */
export async function smallOptimum(): Promise<number> {
  if (optimum === null) {
    const configs = Array.from({ length: spaceSize(space) }, (_, i) => designToConfig(space, designAt(space, i)));
    optimum = Math.min(...(await smallEvaluator().evaluate(configs)).map((s) => s.totalTimeNs));
  }
  return optimum;
}

/** An agent's search on the small space (or `s`), latency on builtin:cloud-2. */
export async function run(agentName: AgentName, seed: number, budget: number, hyperparameters: Record<string, unknown> = {}, s = space) {
  const env = new DramEnv({ space: s, evaluator: smallEvaluator(), objective: { name: 'latency' } });
  const [obs] = await env.reset(seed);
  await loadAgents([agentName]);
  const agent = createAgent(agentName, problemOf(s, obs.length), { seed, hyperparameters });
  agent.begin(obs);
  const values: number[] = [];
  const designs: number[][] = [];
  while (values.length < budget) {
    const ds = agent.ask(Math.min(agent.batchSize, budget - values.length));
    const results = await env.stepMany(ds);
    await agent.tell(results.map(([o, r, d], i) => ({ design: ds[i], reward: r, observation: o, done: d })));
    for (const [, , , , info] of results) values.push(info.value);
    designs.push(...ds);
  }
  agent.dispose();
  return { values, designs, best: env.objective.best };
}


/**
 * A reward for a design without simulating it: each parameter scored by its distance to a target
 * value of its own (and a ripple, so the landscape is not one smooth bowl). Deterministic, cheap,
 * with a single best design: for driving agents through hundreds of asks and tells.
 */
export function syntheticReward(design: readonly number[], nvec: readonly number[]): number {
  let r = 0;
  design.forEach((v, i) => (r -= Math.abs(v - ((i * 7919) % nvec[i])) / nvec[i] + 0.1 * Math.sin(v * (i + 1))));
  return r;
}

/** Asks and tells `agent` until it has proposed `budget` designs, rewarded by `syntheticReward`; returns them. */
export async function driveSynthetic(agent: Agent, problem: SearchProblem, budget: number): Promise<number[][]> {
  const observation = new Float64Array(problem.observationSize).fill(0.5);
  agent.begin(observation);
  const designs: number[][] = [];
  while (designs.length < budget) {
    const ds = agent.ask(Math.min(agent.batchSize, budget - designs.length));
    await agent.tell(ds.map((design) => ({ design, reward: syntheticReward(design, problem.nvec), observation, done: true })));
    designs.push(...ds);
  }
  return designs;
}
