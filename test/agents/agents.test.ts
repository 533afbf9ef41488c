/**
 * The agents behind one interface: each improves on its first evaluations on a small space with a
 * known optimum, none is handicapped (every value of every parameter is reachable), all are
 * deterministic per seed, the learners do not leak tensors, and MARL with one agent is PPO.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENTS, createAgent, loadAgents } from '../../agents/index.js';
import { initBackend, tf } from '../../agents/nn.js';
import { SacLearner } from '../../agents/sac.js';
import { makeRng } from '../../common/random.js';
import { DramEnv } from '../../src/env/dram-env.js';
import { problemOf } from '../../src/search/runner.js';
import { parseSpace } from '../../src/space/space.js';
import { run, smallEvaluator, smallOptimum, space } from './harness.js';

beforeAll(async () => {
  await loadAgents();
  await initBackend('wasm');
  await smallOptimum(); // a minute of simulations: once, here, rather than inside a test's time limit
}, 300_000);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe.each(AGENTS)('%s', (name) => {
  it('improves on its first evaluations and gets close to the known optimum', async () => {
    const { values, best } = await run(name, 7, 256);
    expect(best).toBeLessThanOrEqual(Math.min(...values.slice(0, 8)));
    expect(best).toBeLessThanOrEqual((await smallOptimum()) * 1.05);
    // Learners (and the GA's selection) concentrate on good designs; random search cannot. BO
    // never evaluates a design twice, so once the good ones of this small space are used up it
    // explores: its designs are better than random search's over the run instead.
    if (name === 'bo') expect(median(values)).toBeLessThan(0.8 * median((await run('random', 7, 256)).values));
    else if (name !== 'random') expect(mean(values.slice(-32))).toBeLessThan(0.8 * mean(values.slice(0, 32)));
  });

  it('reaches every value of every parameter', async () => {
    const { designs } = await run(name, 3, 96);
    space.parameters.forEach((p, i) => {
      const seen = new Set(designs.map((d) => d[i]));
      expect(seen.size, `${name} ${p.name}`).toBe(p.values.length);
    });
  });

  it('is deterministic per seed', async () => {
    const a = await run(name, 11, 48);
    const b = await run(name, 11, 48);
    const c = await run(name, 12, 48);
    expect(b.designs).toEqual(a.designs);
    expect(c.designs).not.toEqual(a.designs);
  });
});

describe('learners', () => {
  it('share one backend when several runs start at once', async () => {
    const chosen = await Promise.all([initBackend('auto'), initBackend('auto'), initBackend('wasm')]);
    expect(chosen).toEqual(['wasm', 'wasm', 'wasm']);
  });

  it('do not leak tensors over a long run', async () => {
    for (const name of ['marl', 'ppo', 'sac'] as const) {
      await run(name, 1, 64); // warm up kernels and caches
      const before = tf.memory().numTensors;
      await run(name, 2, 160);
      expect(tf.memory().numTensors, name).toBe(before);
    }
  });

  it('MARL with one agent is PPO, evaluation by evaluation', async () => {
    const one = parseSpace({ name: 'one', parameters: [{ name: 'RequestBufferSize', values: [1, 2, 4, 8, 16, 32, 64, 128] }] }, 'one.json');
    const marl = await run('marl', 5, 96, {}, one);
    const ppo = await run('ppo', 5, 96, {}, one);
    expect(marl.designs).toEqual(ppo.designs);
    expect(marl.values).toEqual(ppo.values);
  });

  it('restore(state()) continues exactly', async () => {
    for (const name of ['marl', 'sac', 'ga', 'tpe', 'bo', 'aco'] as const) {
      const env = new DramEnv({ space, evaluator: smallEvaluator(), objective: { name: 'latency' } });
      const [obs] = await env.reset(1);
      const a = createAgent(name, problemOf(space, obs.length), { seed: 1 });
      a.begin(obs);
      for (let k = 0; k < 6; k++) {
        const ds = a.ask(a.batchSize);
        const r = await env.stepMany(ds);
        await a.tell(r.map(([o, rw, d], i) => ({ design: ds[i], reward: rw, observation: o, done: d })));
      }
      const saved = JSON.parse(JSON.stringify(await a.state()));
      const b = createAgent(name, problemOf(space, obs.length), { seed: 99 });
      b.restore(saved);
      expect(b.ask(8)).toEqual(a.ask(8));
      a.dispose();
      b.dispose();
    }
  });
});

describe('SAC n-step transitions', () => {
  /** The critic loss of one update on a single transition, stored with the given horizon (γ = 0.5, so γ^n stays well apart). */
  const lossWith = (horizon: number, done: boolean): number => {
    const learner = new SacLearner([2, 3], 2, { batchSize: 4, learningStarts: 0, bufferSize: 8, gamma: 0.5 }, makeRng(1));
    learner.store(Float64Array.from([0.5, -0.5]), [1, 2], 1, done, Float64Array.from([0.25, 0.75]), horizon);
    learner.update(makeRng(2));
    const loss = learner.lastLosses.qLoss;
    learner.dispose();
    return loss;
  };

  it('bootstrap with γ to the power of the horizon, and not at all after a terminal state', () => {
    // The critics and the soft value of the next state are the same in every case, so the loss is a
    // quadratic in the discount d = γ^n: L(d) = A·d² + B·d + C, with C = L(0), the terminal case.
    const c = lossWith(1, true);
    expect(lossWith(3, true)).toBe(c);
    const [l1, l2, l3] = [1, 2, 3].map((n) => lossWith(n, false));
    // A and B from d = 1/2 and d = 1/4; then the loss at d = 1/8 is predicted.
    // A/4 + B/2 = l1 − c and A/16 + B/4 = l2 − c:
    const b = 8 * (l2 - c) - 2 * (l1 - c);
    const a = 4 * (l1 - c) - 2 * b;
    expect(l1).not.toBeCloseTo(c, 3); // the bootstrap term matters here
    expect(l3).toBeCloseTo(a / 64 + b / 8 + c, 4);
  });
});
