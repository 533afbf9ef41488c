/**
 * The learners against public yardsticks (run and reported, not part of `npm test`):
 *  - PPO on a faithful port of Gymnasium's CartPole-v1 must reach a mean return of 475 (over the
 *    last 20 episodes) within 100,000 steps, with rl-zoo3's published CartPole-v1 PPO settings
 *    (8 × 32-step rollouts as one 256-step rollout, 20 epochs, γ 0.98, λ 0.8, lr 1e-3 annealed,
 *    no entropy bonus), which solve it in 1e5 steps;
 *  - discrete SAC must pass Tianshou's discrete-SAC test on CartPole-v1 with its settings
 *    (buffer 20,000, actor lr 1e-4, critic lr 1e-3, γ 0.95, τ 0.005, fixed α 0.05, 3-step returns,
 *    10 environments, one update per 10 steps): greedy mean return ≥ 170 within 50,000 steps;
 *  - MARL with one agent equals PPO (checked evaluation by evaluation in test/agents).
 * `node dist/bench/yardsticks.js [ppo|sac] [--seed N]`
 */
import { initBackend } from '../agents/nn.js';
import { PpoLearners } from '../agents/ppo.js';
import { SacLearner } from '../agents/sac.js';
import { makeRng, uniform01, type Rng } from '../common/random.js';

/** Gymnasium's CartPole (classic_control/cartpole.py): Euler integration, 12° and 2.4 m limits. */
class CartPole {
  private x = 0;
  private xDot = 0;
  private theta = 0;
  private thetaDot = 0;
  steps = 0;
  constructor(private readonly rng: Rng, readonly maxSteps: number) {}

  reset(): Float64Array {
    const u = (): number => uniform01(this.rng) * 0.1 - 0.05;
    [this.x, this.xDot, this.theta, this.thetaDot] = [u(), u(), u(), u()];
    this.steps = 0;
    return this.obs();
  }

  private obs(): Float64Array {
    return Float64Array.from([this.x, this.xDot, this.theta, this.thetaDot]);
  }

  /** [obs, reward, terminated, truncated] */
  step(action: number): [Float64Array, number, boolean, boolean] {
    const gravity = 9.8, massCart = 1.0, massPole = 0.1, length = 0.5, forceMag = 10.0, tau = 0.02;
    const totalMass = massCart + massPole;
    const poleMassLength = massPole * length;
    const force = action === 1 ? forceMag : -forceMag;
    const cos = Math.cos(this.theta), sin = Math.sin(this.theta);
    const temp = (force + poleMassLength * this.thetaDot ** 2 * sin) / totalMass;
    const thetaAcc = (gravity * sin - cos * temp) / (length * (4.0 / 3.0 - (massPole * cos ** 2) / totalMass));
    const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
    this.x += tau * this.xDot;
    this.xDot += tau * xAcc;
    this.theta += tau * this.thetaDot;
    this.thetaDot += tau * thetaAcc;
    this.steps++;
    const terminated = this.x < -2.4 || this.x > 2.4 || this.theta < -(12 * 2 * Math.PI) / 360 || this.theta > (12 * 2 * Math.PI) / 360;
    return [this.obs(), 1, terminated, !terminated && this.steps >= this.maxSteps];
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function ppoCartPole(seed: number): Promise<void> {
  const rng = makeRng(seed);
  const env = new CartPole(makeRng(seed + 1000), 500);
  const total = 100_000;
  const lr = 1e-3;
  const ppo = new PpoLearners([[0]], [2], 4, { learningRate: lr, rolloutSteps: 256, epochs: 20, minibatches: 1, gamma: 0.98, gaeLambda: 0.8, entropyCoef: 0, hidden: [64, 64] }, rng);
  let obs = env.reset();
  let ret = 0;
  const returns: number[] = [];
  let solvedAt: number | null = null;
  const t0 = performance.now();
  for (let step = 1; step <= total; step++) {
    const [t] = ppo.act(obs, 1, rng);
    const [next, r, terminated, truncated] = env.step(t.action[0]);
    ret += r;
    // As CleanRL does, an episode cut at the time limit counts as done.
    ppo.store(obs, t, r, terminated || truncated, next);
    obs = next;
    if (terminated || truncated) {
      returns.push(ret);
      ret = 0;
      obs = env.reset();
      if (solvedAt === null && returns.length >= 20 && mean(returns.slice(-20)) >= 475) solvedAt = step;
    }
    if (ppo.ready) {
      ppo.setLearningRate(lr * (1 - step / total));
      ppo.update(rng);
    }
  }
  console.log(
    `PPO CartPole-v1 seed ${seed}: mean return of the last 20 episodes ${mean(returns.slice(-20)).toFixed(1)} after ${total.toLocaleString('en-US')} steps; ` +
      `475 first reached at step ${solvedAt?.toLocaleString('en-US') ?? 'never'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  ppo.dispose();
}

/**
 * Tianshou's discrete-SAC test protocol (test/discrete/test_discrete_sac.py): CartPole-v1, 10
 * training environments stepped together, one gradient step per 10 transitions (update-per-step
 * 0.1), 3-step returns, 5 epochs of 10,000 steps; after each epoch the greedy policy plays 100
 * test episodes and the test passes when their mean return reaches 170.
 */
async function sacCartPole(seed: number): Promise<void> {
  const rng = makeRng(seed);
  const trainingEnvs = 10, nStep = 3, gamma = 0.95, epochs = 5, stepsPerEpoch = 10_000, threshold = 170;
  const envs = Array.from({ length: trainingEnvs }, (_, i) => new CartPole(makeRng(seed * 100 + i + 1000), 500));
  const testEnv = new CartPole(makeRng(seed + 5000), 500);
  const sac = new SacLearner([2], 4, {
    policyLearningRate: 1e-4, qLearningRate: 1e-3, bufferSize: 20_000, gamma, tau: 0.005, batchSize: 64,
    learningStarts: 0, initialAlpha: 0.05, alphaLearningRate: 0, hidden: [64, 64],
  }, rng);
  type Step = { obs: Float64Array; action: number; reward: number };
  const pending: Step[][] = envs.map(() => []);
  let obs = envs.map((e) => e.reset());
  // Store the oldest pending step of env i as an n-step transition (fewer steps at an episode's end).
  const flush = (i: number, next: Float64Array, terminated: boolean): void => {
    const q = pending[i];
    const ret = q.reduce((acc, s, k) => acc + gamma ** k * s.reward, 0);
    sac.store(q[0].obs, [q[0].action], ret, terminated, next, q.length);
    q.shift();
  };
  const greedy = (o: Float64Array): number => { const p = sac.probabilities(o); return p[1] > p[0] ? 1 : 0; };
  const test = (): number => {
    const returns: number[] = [];
    for (let e = 0; e < 100; e++) {
      let o = testEnv.reset();
      let ret = 0;
      for (;;) {
        const [next, r, terminated, truncated] = testEnv.step(greedy(o));
        ret += r;
        o = next;
        if (terminated || truncated) break;
      }
      returns.push(ret);
    }
    return mean(returns);
  };
  const t0 = performance.now();
  const tests: string[] = [];
  let passedAt: number | null = null;
  // Tianshou stops at the threshold; we train all 5 epochs to show the policy keeps it.
  for (let step = 0; step < epochs * stepsPerEpoch;) {
    for (let i = 0; i < trainingEnvs; i++, step++) {
      const action = sac.act(obs[i], 1, rng)[0][0];
      const [next, r, terminated, truncated] = envs[i].step(action);
      pending[i].push({ obs: obs[i], action, reward: r });
      if (pending[i].length === nStep) flush(i, next, terminated);
      if (terminated || truncated) {
        while (pending[i].length > 0) flush(i, next, terminated);
        obs[i] = envs[i].reset();
      } else obs[i] = next;
    }
    sac.update(rng);
    if (step % stepsPerEpoch === 0) {
      const score = test();
      tests.push(score.toFixed(1));
      if (score >= threshold && passedAt === null) passedAt = step;
    }
  }
  console.log(
    `discrete SAC CartPole-v1 seed ${seed} (Tianshou's protocol): greedy test means after each epoch ${tests.join(', ')}; ` +
      `${passedAt === null ? `never reached ${threshold}` : `passed (≥ ${threshold}) after ${passedAt.toLocaleString('en-US')} steps`} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
  sac.dispose();
}

const which = process.argv[2] ?? 'all';
const seedArg = process.argv.indexOf('--seed');
const seeds = seedArg >= 0 ? [Number(process.argv[seedArg + 1])] : [1, 2, 3];
await initBackend('auto');
for (const seed of seeds) {
  if (which === 'all' || which === 'ppo') await ppoCartPole(seed);
  if (which === 'all' || which === 'sac') await sacCartPole(seed);
}
