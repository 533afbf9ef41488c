/** Gymnasium / PettingZoo conformance of the environments. */
import { describe, expect, it } from 'vitest';
import { inProcessEvaluator, loadWorkload } from '../../src/evaluator/index.js';
import { DramEnv } from '../../src/env/dram-env.js';
import { MultiAgentDramEnv } from '../../src/env/multi-agent-env.js';
import { Box, Discrete, MultiDiscrete } from '../../src/env/spaces.js';
import { loadSpace } from '../../src/space/builtin.js';
import { configToDesign } from '../../src/space/space.js';
import { config } from '../helpers.js';

const workload = loadWorkload({ trace: 'builtin:random' });
const space = loadSpace('reference');

function env(opts: Partial<ConstructorParameters<typeof DramEnv>[0]> = {}) {
  return new DramEnv({ space, evaluator: inProcessEvaluator(workload), objective: { name: 'latency' }, ...opts });
}

describe('single-agent env (Gymnasium API)', () => {
  it('has a MultiDiscrete action over every parameter and a Box observation', async () => {
    const e = env();
    expect(e.actionSpace).toBeInstanceOf(MultiDiscrete);
    expect(e.actionSpace.nvec).toEqual([4, 3, 3, 8, 2, 2, 4, 4, 3, 8]);
    expect(e.observationSpace).toBeInstanceOf(Box);
    expect(e.observationSpace.shape).toEqual([6 + 10]);
    const [obs, info] = await e.reset(7);
    expect(e.observationSpace.contains(obs)).toBe(true);
    expect(Array.from(obs.slice(0, 4))).toEqual([1, 1, 1, 1]); // the baseline, relative to itself
    expect(info.design).toEqual(configToDesign(space, space.base));
  });

  it('step returns [obs, reward, terminated, truncated, info]; episode length 1 ends every step', async () => {
    const e = env();
    const [, start] = await e.reset(1);
    const action = e.actionSpace.sample(e.random);
    const [obs, reward, terminated, truncated, info] = await e.step(action);
    expect(e.observationSpace.contains(obs)).toBe(true);
    // The log reward without a target: −ln(total time / the baseline design's).
    expect(info.stats.totalTimeNs).not.toBe(start.stats.totalTimeNs);
    expect(reward).toBeCloseTo(-Math.log(info.stats.totalTimeNs / start.stats.totalTimeNs), 12);
    expect(terminated).toBe(true);
    expect(truncated).toBe(false);
    expect(info.design).toEqual(action);
    expect(info.stats.requests).toBe(10_000);
  });

  it('longer episodes end after episodeLength steps', async () => {
    const e = env({ episodeLength: 3 });
    await e.reset(1);
    const flags = [];
    for (let i = 0; i < 6; i++) flags.push((await e.step(e.actionSpace.sample(e.random)))[2]);
    expect(flags).toEqual([false, false, true, false, false, true]);
  });

  it('is seeded: the same seed samples the same actions and gives the same rewards', async () => {
    const rollout = async (seed: number) => {
      const e = env();
      await e.reset(seed);
      const out = [];
      for (let i = 0; i < 5; i++) {
        const a = e.actionSpace.sample(e.random);
        out.push([a, (await e.step(a))[1]]);
      }
      return out;
    };
    expect(await rollout(3)).toEqual(await rollout(3));
    expect(await rollout(3)).not.toEqual(await rollout(4));
  });

  it('log reward: positive for a faster design, negative for a slower one; archgym: positive, peaks at the target', async () => {
    const e = env();
    await e.reset(0);
    const fast = configToDesign(space, config({ Scheduler: 'FrFcfs', RequestBufferSize: 128, Arbiter: 'Fifo', MaxActiveTransactions: 128, PagePolicy: 'Closed' }));
    const slow = configToDesign(space, config({ Arbiter: 'Fifo', MaxActiveTransactions: 1, PagePolicy: 'Open' }));
    const [, rFast, , , iFast] = await e.step(fast);
    const [, rSlow, , , iSlow] = await e.step(slow);
    expect(iFast.stats.totalTimeNs).toBeLessThan(iSlow.stats.totalTimeNs);
    expect(rFast).toBeGreaterThan(0);
    expect(rSlow).toBeLessThan(0);
    expect(rFast).toBeCloseTo(-Math.log(iFast.stats.totalTimeNs / e.objective.reference), 12);

    const a = env({ objective: { name: 'latency', target: iFast.stats.totalTimeNs, reward: 'archgym' } });
    await a.reset(0);
    expect((await a.step(fast))[1]).toBe(1000);
    const r = (await a.step(slow))[1];
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThan(1);
  });

  it('rejects an action outside the action space', async () => {
    const e = env();
    await e.reset(0);
    await expect(e.step([9, 0, 0, 0, 0, 0, 0, 0, 0, 0])).rejects.toThrow(/is not in MultiDiscrete/);
  });
});

describe('multi-agent env (PettingZoo parallel API)', () => {
  it('one agent per parameter, each with its own Discrete space, one shared reward', async () => {
    const m = new MultiAgentDramEnv({ space, evaluator: inProcessEvaluator(workload), objective: { name: 'power' } });
    expect(m.possibleAgents).toEqual(space.parameters.map((p) => p.name));
    expect(m.actionSpace('Scheduler')).toEqual(new Discrete(3));
    const [obs, infos] = await m.reset(5);
    expect(Object.keys(obs)).toEqual([...m.possibleAgents]);
    expect(Object.keys(infos)).toEqual([...m.possibleAgents]);
    expect(m.agents).toEqual([...m.possibleAgents]);
    const actions = Object.fromEntries(m.possibleAgents.map((a) => [a, m.actionSpace(a).sample(m.random)]));
    const [o, rewards, terms, truncs] = await m.step(actions);
    expect(new Set(Object.values(rewards)).size).toBe(1);
    expect(Object.values(terms).every((t) => t)).toBe(true);
    expect(Object.values(truncs).every((t) => t === false)).toBe(true);
    expect(m.observationSpace('PagePolicy').contains(o.PagePolicy)).toBe(true);
    expect(m.agents).toEqual([]);
  });

  it('per-slice agents decode a joint action over their parameters', () => {
    const m = new MultiAgentDramEnv({ space, evaluator: inProcessEvaluator(workload), objective: { name: 'power' }, grouping: 'slice' });
    expect(m.possibleAgents).toEqual(['scheduling', 'page', 'refresh', 'transport']);
    expect(m.actionSpace('scheduling').n).toBe(3 * 3 * 8);
    const design = m.jointDesign({ scheduling: 3 * 8 * 2 + 8 * 1 + 5, page: 2, refresh: 0, transport: 1 * 24 + 2 * 8 + 7 });
    expect(design).toEqual([2, 2, 1, 5, 1, 0, 0, 0, 2, 7]);
  });

  it('rejects a missing or unknown agent', async () => {
    const m = new MultiAgentDramEnv({ space, evaluator: inProcessEvaluator(workload), objective: { name: 'power' } });
    await m.reset(0);
    await expect(m.step({ PagePolicy: 0 })).rejects.toThrow(/missing: Scheduler/);
    expect(() => m.actionSpace('Nobody')).toThrow(/unknown agent "Nobody"/);
  });
});
