/**
 * Masked actions: on the architect space, whose rules exclude designs that cannot exist, every
 * agent proposes only valid designs (no repair by the environment), reaches every value some valid
 * design takes, and continues exactly from a checkpoint; the masked categorical is a distribution
 * over the allowed values; the search problem's masks are the space's; a real search never needs
 * the environment's repair.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskOf, withValue } from '../../agents/agent.js';
import { designKey } from '../../agents/bo.js';
import { type AgentName, createAgent, loadAgents } from '../../agents/index.js';
import { drawCategorical, HeadLayout, initBackend, maskedLogProb, tf, tidyRead, writeRefusals } from '../../agents/nn.js';
import { JointActionCritic, PPO_DEFAULTS } from '../../agents/ppo.js';
import { drawAllowed } from '../../common/mask.js';
import { makeRng, uniform01 } from '../../common/random.js';
import { DramEnv } from '../../src/env/dram-env.js';
import { inProcessEvaluator, loadWorkload } from '../../src/evaluator/index.js';
import { problemOf } from '../../src/search/runner.js';
import { loadSpace } from '../../src/space/builtin.js';
import { allowedValues, invalidReason, spaceSize } from '../../src/space/masks.js';
import { makeSpace, type ParameterSpace } from '../../src/space/space.js';
import { driveSynthetic } from './harness.js';

beforeAll(async () => {
  await loadAgents();
  await initBackend('wasm');
});

const architect = loadSpace('architect');
const OBS = 8;

/**
 * The architect space's organisation, one XOR bit, the scheduling knobs the watermark rules read,
 * and refresh: each slice has at most 1,024 combinations, as counterfactual baselines per slice
 * need, and learners of several parameters whose masks depend on their own earlier choices.
 */
const compact = makeSpace(
  'architect, compact',
  architect.parameters
    .filter((p) => ['Memory', 'Channels', 'Ranks', 'XorBa0', 'SchedulerBuffer', 'RequestBufferSize', 'Scheduler', 'HighWatermark', 'LowWatermark', 'RefreshPolicy', 'RefreshMaxPostponed'].includes(p.name))
    .map((p) => (p.name === 'RequestBufferSize' ? { ...p, values: [1, 4] } : p)),
  architect.base,
  architect.baseSystem,
);

/** Every agent, and every variant of the learners that changes how a design is sampled or scored. */
const VARIANTS: Array<{ label: string; agent: AgentName; hp?: Record<string, unknown>; grouping?: 'slice'; space?: ParameterSpace }> = [
  { label: 'random', agent: 'random' },
  { label: 'ga', agent: 'ga' },
  { label: 'tpe', agent: 'tpe' },
  { label: 'tpe, multivariate', agent: 'tpe', hp: { multivariate: true } },
  { label: 'tpe, ordinal', agent: 'tpe', hp: { ordinal: true } },
  { label: 'aco', agent: 'aco' },
  // Fewer random designs first, so most proposals come from the GP.
  { label: 'bo', agent: 'bo', hp: { initialDesigns: 5 } },
  { label: 'ppo', agent: 'ppo' },
  { label: 'marl', agent: 'marl' },
  { label: 'marl per slice', agent: 'marl', grouping: 'slice' },
  { label: 'marl, centralised critic', agent: 'marl', hp: { centralizedCritic: true } },
  { label: 'marl, counterfactual', agent: 'marl', hp: { counterfactual: true } },
  { label: 'marl per slice, counterfactual, centralised critic', agent: 'marl', grouping: 'slice', hp: { counterfactual: true, centralizedCritic: true }, space: compact },
  // SAC's gradient steps over 32 heads padded to MapOrder's 720 values take seconds each on this
  // machine: smaller batches from an earlier start take the same paths sooner.
  { label: 'sac', agent: 'sac', hp: { learningStarts: 16, batchSize: 16 } },
];

/** Proposals per validity check: 256, or five rollouts of 32 for the learners, fewer for the slowest. */
const PROPOSALS: Partial<Record<string, number>> = {
  bo: 60,
  sac: 64,
  ppo: 160,
  marl: 160,
  'marl per slice': 160,
  'marl, centralised critic': 160,
  'marl, counterfactual': 96,
};

describe.each(VARIANTS)('$label on the architect space', ({ label, agent, hp, grouping, space = architect }) => {
  it('proposes only designs the rules allow', async () => {
    const problem = problemOf(space, OBS);
    const a = createAgent(agent, problem, { seed: 5, hyperparameters: hp, grouping });
    const designs = await driveSynthetic(a, problem, PROPOSALS[label] ?? 256);
    a.dispose();
    const invalid = designs.map((d) => invalidReason(space, d)).filter((r) => r !== null);
    expect(invalid, label).toEqual([]);
  }, 300_000);

  it('restore(state()) continues exactly', async () => {
    const problem = problemOf(space, OBS);
    const a = createAgent(agent, problem, { seed: 2, hyperparameters: hp, grouping });
    // Past SAC's random start and PPO's first update, so the restored networks and buffers are used.
    await driveSynthetic(a, problem, agent === 'bo' ? 12 : agent === 'sac' ? 24 : 40);
    const saved = JSON.parse(JSON.stringify(await a.state()));
    const b = createAgent(agent, problem, { seed: 99, hyperparameters: hp, grouping });
    b.restore(saved);
    expect(b.ask(8)).toEqual(a.ask(8));
    a.dispose();
    b.dispose();
  }, 300_000);
});

/**
 * Per parameter, the values some valid design of `space` takes: those for which the space narrowed
 * to that one value still has designs.
 */
function reachableValues(space: ParameterSpace): boolean[][] {
  return space.parameters.map((p, j) =>
    p.values.map((v) => spaceSize(makeSpace(space.name, space.parameters.map((q, i) => (i === j ? { ...q, values: [v] } : q)), space.base, space.baseSystem)) > 0),
  );
}

describe('reaching every value a valid design takes', () => {
  // MapOrder's 720 orders would take thousands of designs to see each, and no rule reads it: four
  // of them keep the budget small while every rule of the architect space stays in force.
  const space = makeSpace(
    'architect, 4 orders',
    architect.parameters.map((p) => (p.name === 'MapOrder' ? { ...p, values: p.values.slice(0, 4) } : p)),
    architect.base,
    architect.baseSystem,
  );
  const reachable = reachableValues(space);

  it('every value is taken by some valid design, and many are refused after some choices', () => {
    expect(reachable.flat().every(Boolean)).toBe(true);
    const problem = problemOf(space, OBS);
    const refused = new Set<string>();
    const designs = createAgent('random', problem, { seed: 1 }).ask(200);
    for (const d of designs) space.parameters.forEach((p, j) => maskOf(problem, d, j)?.forEach((ok, v) => !ok && refused.add(`${p.name}=${p.values[v]}`)));
    for (const v of ['Channels=16', 'XorCh3=r0', 'RefreshPolicy=Per2Bank', 'HighWatermark=32', 'LowWatermark=16']) expect(refused, v).toContain(v);
    // Values drawn uniformly, ignoring the masks, break the rules in most designs.
    const rng = makeRng(2);
    const unmasked = Array.from({ length: 200 }, () => space.parameters.map((p) => Math.floor(uniform01(rng) * p.values.length)));
    expect(unmasked.filter((d) => invalidReason(space, d) !== null).length).toBeGreaterThan(100);
  });

  it.each(['random', 'ga', 'tpe', 'aco'] as const)('%s reaches them all', async (agent) => {
    const problem = problemOf(space, OBS);
    const a = createAgent(agent, problem, { seed: 3 });
    const designs = await driveSynthetic(a, problem, 1200);
    a.dispose();
    space.parameters.forEach((p, j) => {
      const seen = new Set(designs.map((d) => d[j]));
      const missing = p.values.filter((_, v) => reachable[j][v] && !seen.has(v));
      expect(missing, `${agent} ${p.name}`).toEqual([]);
    });
  }, 300_000);
});

describe('the masked categorical', () => {
  const p = Float32Array.from([0.05, 0.3, 0.1, 0.25, 0.2, 0.1, 0.5, 0.5]);
  const offset = 0;
  const size = 6;
  const mask = [true, false, true, true, false, true];

  it('gives log-probabilities that sum to 1 over the allowed values, −∞ elsewhere', () => {
    const probs = mask.map((_, k) => Math.exp(maskedLogProb(p, offset, mask, k)));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    mask.forEach((ok, k) => (ok ? expect(probs[k]).toBeGreaterThan(0) : expect(maskedLogProb(p, offset, mask, k)).toBe(-Infinity)));
    // Renormalised: p_k / Σ allowed p.
    expect(probs[3]).toBeCloseTo(0.25 / (0.05 + 0.1 + 0.25 + 0.1), 6);
    // Without a mask, the log of p.
    expect(maskedLogProb(p, offset, null, 1)).toBe(Math.log(p[1]));
  });

  it('draws only allowed values, as often as their restricted probabilities say', () => {
    const rng = makeRng(4);
    const counts = new Array<number>(size).fill(0);
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[drawCategorical(p, offset, size, uniform01(rng), mask)]++;
    mask.forEach((ok, k) => {
      if (!ok) expect(counts[k]).toBe(0);
      else expect(counts[k] / n).toBeCloseTo(Math.exp(maskedLogProb(p, offset, mask, k)), 1);
    });
    // Allowed values whose probabilities all underflowed: uniform among them.
    const zeros = Float32Array.from([0.5, 0, 0, 0.5]);
    const onlyZeros = [false, true, true, false];
    expect(new Set(Array.from({ length: 50 }, () => drawCategorical(zeros, 0, 4, uniform01(rng), onlyZeros)))).toEqual(new Set([1, 2]));
    expect(maskedLogProb(zeros, 0, onlyZeros, 2)).toBeCloseTo(Math.log(0.5), 12);
    expect(drawAllowed(onlyZeros, () => 0, 0.99)).toBe(2);
  });

  it('is the distribution the networks train on: softmax with refused logits', () => {
    const logits = Float32Array.from([0.3, -1.2, 2.0, 0.1, 0.7, -0.4]);
    const heads = new HeadLayout([[6]], [6]);
    const refused = new Float32Array(6);
    writeRefusals(refused, 0, mask);
    const logp = tidyRead(() => heads.distributions(tf.tensor3d(logits, [1, 1, 6]), tf.tensor3d(refused, [1, 1, 6])).logp);
    const probs = tidyRead(() => heads.distributions(tf.tensor3d(logits, [1, 1, 6])).p);
    heads.dispose();
    mask.forEach((ok, k) => (ok ? expect(logp[k]).toBeCloseTo(maskedLogProb(probs, 0, mask, k), 5) : expect(Math.exp(logp[k])).toBe(0)));
  });
});

describe('counterfactual baselines under masks', () => {
  // Learner 0 chooses parameters 0 and 1, whose mask depends on parameter 0; learner 1 chooses
  // parameter 2, whose mask depends on parameter 1.
  const nvec = [2, 3, 2];
  const groups = [[0, 1], [2]];
  const rules = {
    allowed: (d: readonly number[], j: number) => (j === 1 ? (d[0] === 0 ? [true, true, false] : [false, true, true]) : j === 2 && d[1] === 2 ? [true, false] : null),
  };
  const obs = Float64Array.from([0.3, -0.2]);
  const hp = { ...PPO_DEFAULTS, counterfactual: true, counterfactualSteps: 30 };
  const actions = Array.from({ length: 48 }, (_, i) => [i % 2, (i * 5) % 3, (i >> 1) % 2]);
  const fitted = (r: typeof rules | undefined) => {
    const critic = new JointActionCritic(groups, nvec, 2, hp, makeRng(1), r);
    critic.fit(actions.map(() => obs), actions, actions.map((u) => u[0] * u[1] - u[2] + 0.5 * u[1] * u[2]), makeRng(2));
    return critic;
  };
  /** Policies side by side, and where each learner's heads start. */
  const layout = (l0h0: number[], l0h1: number[], l1h0: number[]): Float32Array => Float32Array.from([...l0h0, ...l0h1, ...l1h0]);
  const offsets = [[0, 2], [5]];

  it('weigh each choice by its probability under the masks the choice itself leads to', () => {
    const withRules = fitted(rules);
    const without = fitted(undefined); // the same weights: same seed, same data
    const q = (u: number[]): number => without.values([obs], [u])[0];
    const p = layout([0.3, 0.7], [0.2, 0.5, 0.3], [0.6, 0.4]);
    const u = [1, 2, 0];
    const b = withRules.baselines([obs], [u], [p], offsets);
    // Learner 0: parameter 1 restricted to {0, 1} after 0, to {1, 2} after 1.
    const b0 = 0.3 * ((0.2 / 0.7) * q([0, 0, 0]) + (0.5 / 0.7) * q([0, 1, 0])) + 0.7 * ((0.5 / 0.8) * q([1, 1, 0]) + (0.3 / 0.8) * q([1, 2, 0]));
    expect(b[0]).toBeCloseTo(b0, 5);
    // Learner 1: parameter 2 may only be 0 after parameter 1 = 2.
    expect(b[1]).toBeCloseTo(q([1, 2, 0]), 5);
    // Unmasked, the weights are the policies' own.
    const free = without.baselines([obs], [u], [p], offsets);
    expect(free[1]).toBeCloseTo(0.6 * q([1, 2, 0]) + 0.4 * q([1, 2, 1]), 5);
    expect(Math.abs(free[0] - b[0])).toBeGreaterThan(1e-4);
    withRules.dispose();
    without.dispose();
  });
});

describe("the search problem's masks", () => {
  const problem = problemOf(architect, OBS);

  it("are the space's, memoised on the values the rules read", () => {
    const rng = makeRng(8);
    for (let k = 0; k < 300; k++) {
      // Any values, valid or not: a mask reads only the design's earlier values.
      const d = architect.parameters.map((p) => Math.floor(uniform01(rng) * p.values.length));
      architect.parameters.forEach((_, j) => expect(problem.allowed!(d, j), `design ${k}, parameter ${j}`).toEqual(allowedValues(architect, d, j)));
    }
    const at = (name: string) => architect.parameters.findIndex((p) => p.name === name);
    expect([...problem.dependsOn![at('LowWatermark')]].sort()).toEqual([at('Scheduler'), at('HighWatermark')].sort());
    expect(problem.dependsOn![at('MapOrder')]).toEqual([]);
  });

  it('give a valid design with one value changed (withValue) that keeps what the change allows', () => {
    const rng = makeRng(9);
    const memory = 0;
    for (let k = 0; k < 100; k++) {
      const d = createAgent('random', problem, { seed: k }).ask(1)[0];
      const mask = maskOf(problem, d, memory);
      const v = Math.floor(uniform01(rng) * architect.parameters[memory].values.length);
      if (mask && !mask[v]) continue;
      const e = withValue(problem, d, memory, v);
      expect(invalidReason(architect, e)).toBeNull();
      expect(e[memory]).toBe(v);
      // Parameters whose masks read nothing are kept.
      architect.parameters.forEach((p, j) => j !== memory && problem.dependsOn![j].length === 0 && expect(e[j], p.name).toBe(d[j]));
    }
  });
});

describe('bo', () => {
  it('tells apart designs that differ only in their last parameter, on spaces beyond 2^53 designs', () => {
    const nvec = problemOf(architect, OBS).nvec;
    expect(nvec.reduce((a, k) => a * k, 1)).toBeGreaterThan(2 ** 53);
    const key = designKey(nvec);
    const d = nvec.map((k) => k - 1);
    const e = [...d.slice(0, -1), 0];
    expect(key(e)).not.toEqual(key(d));
    expect(key([...d])).toEqual(key(d));
    // Small spaces keep numbers (the design's index).
    expect(designKey([4, 3])([2, 1])).toBe(7);
  });
});

describe('a search on the architect space', () => {
  const dir = mkdtempSync(join(tmpdir(), 'marl-dse-masks-'));
  const trace = join(dir, 'tiny.stl');
  // 64 requests over a few rows and banks: a few milliseconds to simulate on any memory.
  writeFileSync(trace, Array.from({ length: 64 }, (_, i) => `${i * 4}:\t${i % 3 === 0 ? 'write' : 'read'}\t0x${((i * 0x2040 + (i % 5) * 0x100000) >>> 0).toString(16)}`).join('\n') + '\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks a repaired action, and the agents never need a repair', async () => {
    const env = new DramEnv({ space: architect, evaluator: inProcessEvaluator(loadWorkload({ trace, memspec: 'ddr4-2400' })), objective: { name: 'latency' } });
    const [obs] = await env.reset(1);
    // An action that breaks a rule (a low watermark above the high one with GrpFrFcfsWm) is repaired, and says so.
    const problem = problemOf(architect, obs.length);
    const valid = createAgent('random', problem, { seed: 1 }).ask(1)[0];
    const at = (name: string) => architect.parameters.findIndex((p) => p.name === name);
    const broken = [...valid];
    broken[at('Scheduler')] = architect.parameters[at('Scheduler')].values.indexOf('GrpFrFcfsWm');
    broken[at('SchedulerBuffer')] = architect.parameters[at('SchedulerBuffer')].values.indexOf('Shared');
    broken[at('RequestBufferSize')] = architect.parameters[at('RequestBufferSize')].values.length - 1;
    broken[at('HighWatermark')] = 0;
    broken[at('LowWatermark')] = architect.parameters[at('LowWatermark')].values.length - 1;
    expect(invalidReason(architect, broken)).not.toBeNull();
    const [[, , , , repaired], [, , , , kept]] = await env.stepMany([broken, valid]);
    expect(repaired.repaired).toBe(true);
    expect(invalidReason(architect, repaired.design)).toBeNull();
    expect(kept.repaired).toBe(false);

    for (const agent of ['random', 'ga', 'tpe', 'bo', 'aco', 'ppo', 'marl', 'sac'] as const) {
      const a = createAgent(agent, problem, { seed: 4, hyperparameters: agent === 'bo' ? { candidates: 32, localStarts: 2, initialDesigns: 5 } : {} });
      a.begin(obs);
      const repairs: number[][] = [];
      for (let n = 0; n < 24; ) {
        const ds = a.ask(Math.min(a.batchSize, 24 - n));
        const results = await env.stepMany(ds);
        for (const [, , , , info] of results) if (info.repaired) repairs.push(info.design);
        await a.tell(results.map(([o, r, d], i) => ({ design: ds[i], reward: r, observation: o, done: d })));
        n += ds.length;
      }
      a.dispose();
      expect(repairs, agent).toEqual([]);
    }
  }, 300_000);
});
