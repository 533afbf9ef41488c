/**
 * MARL's credit assignment: counterfactual advantages (a joint-action critic, each learner's own
 * choice marginalised out of its baseline), alone and with MAPPO's shared critic.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAgent, loadAgents } from '../../agents/index.js';
import { initBackend, tf } from '../../agents/nn.js';
import { JointActionCritic, PPO_DEFAULTS } from '../../agents/ppo.js';
import { makeRng } from '../../common/random.js';
import { DramEnv } from '../../src/env/dram-env.js';
import { problemOf } from '../../src/search/runner.js';
import { loadSpace } from '../../src/space/builtin.js';
import { parseSpace } from '../../src/space/space.js';
import { run, smallEvaluator, smallOptimum, space } from './harness.js';

beforeAll(async () => {
  await loadAgents();
  await initBackend('wasm');
  await smallOptimum(); // a minute of simulations: once, here, rather than inside a test's time limit
}, 300_000);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the joint-action critic', () => {
  const nvec = [3, 4, 2];
  const groups = [[0], [1], [2]];
  const obs = Float64Array.from([0.3, -0.2]);
  const critic = new JointActionCritic(groups, nvec, 2, { ...PPO_DEFAULTS, counterfactual: true, counterfactualSteps: 50 }, makeRng(1));
  // A reward with an interaction, so Q is not additive.
  const rng = makeRng(2);
  const actions = Array.from({ length: 64 }, (_, i) => [i % 3, (i * 7) % 4, (i >> 2) % 2]);
  critic.fit(actions.map(() => obs), actions, actions.map((u) => u[0] * u[1] - u[2]), rng);
  /** Policies side by side (one head each), and where each learner's head starts. */
  const policies = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());
  const offsets = [[0], [3], [7]];

  it("gives a learner a baseline that does not depend on its own choice, but on the others'", () => {
    const p = policies([[0.2, 0.5, 0.3], [0.1, 0.2, 0.3, 0.4], [0.6, 0.4]]);
    const steps = [[0, 1, 1], [2, 1, 1], [0, 3, 1]];
    const b = critic.baselines(steps.map(() => obs), steps, steps.map(() => p), offsets);
    const T = steps.length;
    // Steps 0 and 1 differ only in learner 0's choice; steps 0 and 2 only in learner 1's.
    expect(b[0 * T + 0]).toBeCloseTo(b[0 * T + 1], 6);
    expect(b[1 * T + 0]).toBeCloseTo(b[1 * T + 2], 6);
    expect(Math.abs(b[1 * T + 0] - b[1 * T + 1])).toBeGreaterThan(1e-3);
    expect(Math.abs(b[0 * T + 0] - b[0 * T + 2])).toBeGreaterThan(1e-3);
  });

  it("is each learner's expectation of Q over its own choices, Q as the network computes it from the encoded joint action", () => {
    const p = policies([[0.2, 0.5, 0.3], [0.1, 0.2, 0.3, 0.4], [0.6, 0.4]]);
    const u = [1, 2, 0];
    const b = critic.baselines([obs], [u], [p], offsets);
    const expected = [[0.2, 0.5, 0.3], [0.1, 0.2, 0.3, 0.4], [0.6, 0.4]].map((pa, a) =>
      pa.reduce((sum, prob, c) => sum + prob * critic.values([obs], [u.map((v, i) => (i === a ? c : v))])[0], 0),
    );
    expected.forEach((e, a) => expect(b[a]).toBeCloseTo(e, 5));
  });

  it('is Q of the action taken, for every learner, when the policies are certain of it', () => {
    const u = [2, 3, 0];
    const p = policies([[0, 0, 1], [0, 0, 0, 1], [1, 0]]);
    const b = critic.baselines([obs], [u], [p], offsets);
    expect(b[1]).toBeCloseTo(b[0], 6);
    expect(b[2]).toBeCloseTo(b[0], 6);
  });
});

describe.each([
  ['counterfactual', { counterfactual: true }],
  ['counterfactual with a shared critic', { counterfactual: true, centralizedCritic: true }],
])('marl, %s', (_, hp) => {
  it('improves on its first evaluations and gets close to the known optimum', async () => {
    const { values, best } = await run('marl', 7, 256, hp);
    expect(best).toBeLessThanOrEqual((await smallOptimum()) * 1.05);
    expect(mean(values.slice(-32))).toBeLessThan(0.8 * mean(values.slice(0, 32)));
  });

  it('is deterministic per seed and reaches every value of every parameter', async () => {
    const a = await run('marl', 11, 96, hp);
    const b = await run('marl', 11, 96, hp);
    expect(b.designs).toEqual(a.designs);
    space.parameters.forEach((p, i) => expect(new Set(a.designs.map((d) => d[i])).size, p.name).toBe(p.values.length));
  });

  it('restore(state()) continues exactly, without leaking tensors', async () => {
    const env = new DramEnv({ space, evaluator: smallEvaluator(), objective: { name: 'latency' } });
    const [obs] = await env.reset(1);
    const before = tf.memory().numTensors;
    const a = createAgent('marl', problemOf(space, obs.length), { seed: 1, hyperparameters: hp });
    a.begin(obs);
    for (let k = 0; k < 10; k++) {
      const ds = a.ask(a.batchSize);
      const r = await env.stepMany(ds);
      await a.tell(r.map(([o, rw, d], i) => ({ design: ds[i], reward: rw, observation: o, done: d })));
    }
    const saved = JSON.parse(JSON.stringify(await a.state()));
    const b = createAgent('marl', problemOf(space, obs.length), { seed: 99, hyperparameters: hp });
    b.restore(saved);
    expect(b.ask(8)).toEqual(a.ask(8));
    expect(b.stats()).toEqual(a.stats());
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('counterfactual advantages', () => {
  it('make MARL with one agent PPO, evaluation by evaluation', async () => {
    const one = parseSpace({ name: 'one', parameters: [{ name: 'RequestBufferSize', values: [1, 2, 4, 8, 16, 32, 64, 128] }] }, 'one.json');
    const marl = await run('marl', 5, 96, { counterfactual: true }, one);
    const ppo = await run('ppo', 5, 96, { counterfactual: true }, one);
    expect(marl.designs).toEqual(ppo.designs);
    expect(marl.values).toEqual(ppo.values);
    // And they change what the learner does.
    expect((await run('marl', 5, 96, {}, one)).designs).not.toEqual(marl.designs);
  });

  it('are refused for a learner whose own choices cannot be enumerated', () => {
    const reference = loadSpace('reference');
    expect(() => createAgent('ppo', problemOf(reference, 4), { seed: 1, hyperparameters: { counterfactual: true } })).toThrow(
      /counterfactual: learner 0 chooses among 442368 combinations/,
    );
  });
});
