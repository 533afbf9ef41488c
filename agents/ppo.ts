/**
 * PPO (Schulman et al. 2017) in the CleanRL layout: hyperparameters, networks, rollout, the loss
 * with every term, the update. One implementation serves both search agents:
 *
 *  - `ppo`: one learner choosing the whole design, a categorical head per parameter;
 *  - `marl` (agents/marl.ts): one learner per parameter (or per subsystem), each with its own
 *    policy and value networks, trained on the shared reward.
 *
 * The learners of a group are independent networks stored stacked, so one batched matMul serves
 * them all; each keeps its own weights, gradient norm and Adam moments.
 */
import { withDefaults } from '../common/hyperparameters.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, EpisodeCursor, type Feedback, type SearchProblem } from './agent.js';
import { Adam, clipPerNetwork, loadVariables, PaddedHeads, sampleCategorical, saveVariables, StackedMlp, tf } from './nn.js';

export interface PpoHyperparameters {
  learningRate: number;
  /** Transitions collected between updates. */
  rolloutSteps: number;
  epochs: number;
  minibatches: number;
  gamma: number;
  gaeLambda: number;
  clipCoef: number;
  entropyCoef: number;
  valueCoef: number;
  maxGradNorm: number;
  hidden: number[];
  normalizeAdvantages: boolean;
  /** One value network for all learners (MAPPO) instead of one each. */
  centralizedCritic: boolean;
}

export const PPO_DEFAULTS: PpoHyperparameters = {
  learningRate: 3e-3,
  rolloutSteps: 32,
  epochs: 4,
  minibatches: 2,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipCoef: 0.2,
  entropyCoef: 0.01,
  valueCoef: 0.5,
  maxGradNorm: 0.5,
  hidden: [64, 64],
  normalizeAdvantages: true,
  centralizedCritic: false,
};

/**
 * A set of independent PPO learners over one environment stream. Learner `a` chooses the
 * parameters `groups[a]`; `act` returns the full action (a value per parameter).
 */
export class PpoLearners {
  readonly hp: PpoHyperparameters;
  private readonly policy: StackedMlp;
  private readonly critic: StackedMlp;
  private readonly heads: PaddedHeads;
  private readonly policyOpt: Adam;
  private readonly criticOpt: Adam;
  private readonly nLearners: number;
  private readonly nCritics: number;
  // Rollout buffer (plain arrays; copied into fresh tensors at update time).
  private obs: Float64Array[] = [];
  private actions: number[][] = [];
  private logps: number[][] = [];
  private values: number[][] = [];
  private rewards: number[] = [];
  private dones: number[] = [];
  private lastNextObs: Float64Array | null = null;
  lastLosses: Record<string, number> = {};
  updates = 0;

  constructor(
    readonly groups: ReadonlyArray<readonly number[]>,
    readonly nvec: readonly number[],
    readonly obsSize: number,
    hp: Partial<PpoHyperparameters>,
    rng: Rng,
  ) {
    this.hp = withDefaults(PPO_DEFAULTS, hp, 'ppo');
    this.nLearners = groups.length;
    this.nCritics = this.hp.centralizedCritic ? 1 : this.nLearners;
    this.heads = new PaddedHeads(groups.map((g) => g.map((p) => nvec[p])));
    // Small initial policy logits (gain 0.01) start every learner near uniform, as CleanRL does.
    this.policy = new StackedMlp(this.nLearners, [obsSize, ...this.hp.hidden, this.heads.outputs], rng, 0.01);
    this.critic = new StackedMlp(this.nCritics, [obsSize, ...this.hp.hidden, 1], rng, 1);
    this.policyOpt = new Adam(this.policy.variables(), this.hp.learningRate);
    this.criticOpt = new Adam(this.critic.variables(), this.hp.learningRate);
  }

  /** Action probabilities per learner and head for one observation: [learners][heads × width]. */
  probabilities(obs: Float64Array): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor3d(Float32Array.from(obs), [1, 1, this.obsSize]).tile([this.nLearners, 1, 1]) as tf.Tensor3D;
      return tf.exp(this.heads.logProbs(this.policy.apply(x))).dataSync() as Float32Array;
    });
  }

  private valuesOf(obs: Float64Array): Float32Array {
    return tf.tidy(() => {
      const x = tf.tensor3d(Float32Array.from(obs), [1, 1, this.obsSize]).tile([this.nCritics, 1, 1]) as tf.Tensor3D;
      return this.critic.apply(x).dataSync() as Float32Array;
    });
  }

  /**
   * Samples `n` actions for one observation (the same state: parallel episodes of a bandit, or
   * n = 1 for a sequential environment). Returns the actions and what the update needs later.
   */
  act(obs: Float64Array, n: number, rng: Rng): Array<{ action: number[]; logp: number[]; value: number[] }> {
    const p = this.probabilities(obs);
    const v = Array.from(this.valuesOf(obs));
    const { heads, width } = this.heads;
    const out = [];
    for (let i = 0; i < n; i++) {
      const action = new Array<number>(this.nvec.length).fill(0);
      const logp: number[] = [];
      this.groups.forEach((g, a) => {
        let lp = 0;
        g.forEach((param, h) => {
          const offset = (a * heads + h) * width;
          const k = sampleCategorical(p, offset, this.nvec[param], rng);
          action[param] = k;
          lp += Math.log(p[offset + k]);
        });
        logp.push(lp);
      });
      out.push({ action, logp, value: v });
    }
    return out;
  }

  store(obs: Float64Array, t: { action: number[]; logp: number[]; value: number[] }, reward: number, done: boolean, nextObs: Float64Array): void {
    this.obs.push(obs);
    this.actions.push(t.action);
    this.logps.push(t.logp);
    this.values.push(t.value);
    this.rewards.push(reward);
    this.dones.push(done ? 1 : 0);
    this.lastNextObs = nextObs;
  }

  get ready(): boolean {
    return this.rewards.length >= this.hp.rolloutSteps;
  }

  /** For learning-rate schedules (e.g. linear annealing). */
  setLearningRate(lr: number): void {
    this.policyOpt.lr = lr;
    this.criticOpt.lr = lr;
  }

  /** GAE(λ) advantages and returns per critic, bootstrapping from the last next state. */
  private advantages(): { adv: Float32Array; ret: Float32Array } {
    const T = this.rewards.length;
    const C = this.nCritics;
    const adv = new Float32Array(C * T);
    const ret = new Float32Array(C * T);
    const nextV = this.dones[T - 1] ? new Float32Array(C) : this.valuesOf(this.lastNextObs!);
    for (let c = 0; c < C; c++) {
      let gae = 0;
      for (let t = T - 1; t >= 0; t--) {
        const notDone = 1 - this.dones[t];
        const next = t === T - 1 ? nextV[c] : this.values[t + 1][c];
        const delta = this.rewards[t] + this.hp.gamma * next * notDone - this.values[t][c];
        gae = delta + this.hp.gamma * this.hp.gaeLambda * notDone * gae;
        adv[c * T + t] = gae;
        ret[c * T + t] = gae + this.values[t][c];
      }
    }
    return { adv, ret };
  }

  /** The PPO update on the collected rollout; clears it. */
  update(rng: Rng): void {
    const hp = this.hp;
    const T = this.rewards.length;
    const A = this.nLearners;
    const C = this.nCritics;
    const H = this.heads.heads;
    const { adv, ret } = this.advantages();
    // Fresh copies: the cpu backend keeps references to arrays handed to it.
    const obsData = new Float32Array(T * this.obsSize);
    this.obs.forEach((o, t) => obsData.set(o, t * this.obsSize));
    const actData = new Int32Array(A * T * H);
    const logpData = new Float32Array(A * T);
    for (let t = 0; t < T; t++) {
      this.groups.forEach((g, a) => {
        g.forEach((param, h) => (actData[(a * T + t) * H + h] = this.actions[t][param]));
        logpData[a * T + t] = this.logps[t][a];
      });
    }
    const mbSize = Math.max(1, Math.floor(T / hp.minibatches));
    const order = Array.from({ length: T }, (_, i) => i);
    let pgSum = 0, vSum = 0, entSum = 0, kl = 0, n = 0;
    const policyVars = this.policy.variables();
    const criticVars = this.critic.variables();
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      // Fisher-Yates with our generator.
      for (let i = T - 1; i > 0; i--) {
        const j = Math.floor(uniform01(rng) * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start + mbSize <= T; start += mbSize) {
        const idx = tf.tensor1d(order.slice(start, start + mbSize), 'int32');
        const losses = tf.tidy(() => {
          const obsAll = tf.tensor2d(obsData, [T, this.obsSize]);
          const mbObs = tf.gather(obsAll, idx);
          const xPolicy = mbObs.expandDims(0).tile([A, 1, 1]) as tf.Tensor3D;
          const xCritic = mbObs.expandDims(0).tile([C, 1, 1]) as tf.Tensor3D;
          const mbAct = tf.gather(tf.tensor3d(actData, [A, T, H], 'int32'), idx, 1) as tf.Tensor3D;
          const mbOldLogp = tf.gather(tf.tensor2d(logpData, [A, T]), idx, 1);
          let mbAdv = tf.gather(tf.tensor2d(adv, [C, T]), idx, 1);
          const mbRet = tf.gather(tf.tensor2d(ret, [C, T]), idx, 1);
          if (hp.normalizeAdvantages) {
            const { mean, variance } = tf.moments(mbAdv, 1, true);
            mbAdv = tf.div(tf.sub(mbAdv, mean), tf.add(tf.sqrt(variance), 1e-8));
          }
          const advPerLearner = C === A ? mbAdv : mbAdv.tile([A, 1]);
          const out = { pg: 0, v: 0, ent: 0, kl: 0 };
          // Policy loss: clipped surrogate minus the entropy bonus, summed over learners.
          const { grads: pGrads, value: pLoss } = tf.variableGrads(() => {
            const logp = this.heads.logProbs(this.policy.apply(xPolicy));
            const newLogp = this.heads.logProbOf(logp, mbAct);
            const ratio = tf.exp(tf.sub(newLogp, mbOldLogp));
            const pg1 = tf.mul(tf.neg(advPerLearner), ratio);
            const pg2 = tf.mul(tf.neg(advPerLearner), tf.clipByValue(ratio, 1 - hp.clipCoef, 1 + hp.clipCoef));
            const pgLoss = tf.mean(tf.maximum(pg1, pg2), 1);
            const entropy = tf.mean(this.heads.entropy(logp), 1);
            out.ent = tf.mean(entropy).dataSync()[0];
            out.kl = tf.mean(tf.sub(mbOldLogp, newLogp)).dataSync()[0];
            out.pg = tf.mean(pgLoss).dataSync()[0];
            return tf.sum(tf.sub(pgLoss, tf.mul(entropy, hp.entropyCoef))) as tf.Scalar;
          }, policyVars);
          // Value loss, per critic.
          const { grads: vGrads } = tf.variableGrads(() => {
            const v = this.critic.apply(xCritic).squeeze([2]);
            const vLoss = tf.mul(tf.mean(tf.square(tf.sub(v, mbRet)), 1), 0.5 * hp.valueCoef);
            out.v = tf.mean(vLoss).dataSync()[0];
            return tf.sum(vLoss) as tf.Scalar;
          }, criticVars);
          void pLoss;
          this.policyOpt.apply(clipPerNetwork(policyVars.map((v) => pGrads[v.name]), A, hp.maxGradNorm));
          this.criticOpt.apply(clipPerNetwork(criticVars.map((v) => vGrads[v.name]), C, hp.maxGradNorm));
          return out;
        });
        idx.dispose();
        pgSum += losses.pg;
        vSum += losses.v;
        entSum += losses.ent;
        kl = losses.kl;
        n++;
      }
    }
    this.lastLosses = { policyLoss: pgSum / n, valueLoss: vSum / n, entropy: entSum / n, approxKl: kl };
    this.updates++;
    this.obs = [];
    this.actions = [];
    this.logps = [];
    this.values = [];
    this.rewards = [];
    this.dones = [];
  }

  async state(): Promise<unknown> {
    return {
      policy: await saveVariables(this.policy.variables()),
      critic: await saveVariables(this.critic.variables()),
      policyOpt: { step: this.policyOpt.step, vars: await saveVariables(this.policyOpt.variables()) },
      criticOpt: { step: this.criticOpt.step, vars: await saveVariables(this.criticOpt.variables()) },
      buffer: {
        obs: this.obs.map((o) => Array.from(o)),
        actions: this.actions,
        logps: this.logps,
        values: this.values,
        rewards: this.rewards,
        dones: this.dones,
        lastNextObs: this.lastNextObs ? Array.from(this.lastNextObs) : null,
      },
      updates: this.updates,
      lastLosses: this.lastLosses,
    };
  }

  restore(s: unknown): void {
    const st = s as {
      policy: string[]; critic: string[];
      policyOpt: { step: number; vars: string[] }; criticOpt: { step: number; vars: string[] };
      buffer: { obs: number[][]; actions: number[][]; logps: number[][]; values: number[][]; rewards: number[]; dones: number[]; lastNextObs: number[] | null };
      updates: number; lastLosses: Record<string, number>;
    };
    loadVariables(this.policy.variables(), st.policy);
    loadVariables(this.critic.variables(), st.critic);
    loadVariables(this.policyOpt.variables(), st.policyOpt.vars);
    loadVariables(this.criticOpt.variables(), st.criticOpt.vars);
    this.policyOpt.step = st.policyOpt.step;
    this.criticOpt.step = st.criticOpt.step;
    this.obs = st.buffer.obs.map((o) => Float64Array.from(o));
    this.actions = st.buffer.actions;
    this.logps = st.buffer.logps;
    this.values = st.buffer.values;
    this.rewards = st.buffer.rewards;
    this.dones = st.buffer.dones;
    this.lastNextObs = st.buffer.lastNextObs ? Float64Array.from(st.buffer.lastNextObs) : null;
    this.updates = st.updates;
    this.lastLosses = st.lastLosses;
  }

  dispose(): void {
    this.policy.dispose();
    this.critic.dispose();
    this.policyOpt.dispose();
    this.criticOpt.dispose();
    this.heads.dispose();
  }
}

export interface PpoAgentOptions {
  seed: number;
  hyperparameters?: Partial<PpoHyperparameters>;
}

/**
 * A search agent driven by PPO learners. With episodes of one step (the published setup) every
 * proposal is a one-step episode from the same start, so a batch of proposals is a batch of
 * parallel episodes; longer episodes are stepped one design at a time.
 */
export class PpoSearchAgent implements Agent {
  readonly batchSize: number;
  private readonly learners: PpoLearners;
  private rng: Rng;
  private readonly obs: EpisodeCursor;
  private pending: Array<{ action: number[]; logp: number[]; value: number[] }> = [];

  constructor(
    readonly name: string,
    readonly problem: SearchProblem,
    groups: ReadonlyArray<readonly number[]>,
    readonly groupNames: readonly string[],
    opts: PpoAgentOptions,
  ) {
    this.rng = makeRng(opts.seed);
    this.learners = new PpoLearners(groups, problem.nvec, problem.observationSize, opts.hyperparameters ?? {}, this.rng);
    this.batchSize = Math.min(8, this.learners.hp.rolloutSteps);
    this.obs = new EpisodeCursor(problem.observationSize);
  }

  begin(observation: Float64Array): void {
    this.obs.begin(observation);
  }

  ask(n: number): number[][] {
    this.pending = this.learners.act(this.obs.current, n, this.rng);
    return this.pending.map((p) => [...p.action]);
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    if (results.length !== this.pending.length) throw new Error(`told ${results.length} results for ${this.pending.length} asked`);
    results.forEach((r, i) => {
      this.learners.store(this.obs.current, this.pending[i], r.reward, r.done, r.observation);
      this.obs.advance(r);
      if (this.learners.ready) this.learners.update(this.rng);
    });
    this.pending = [];
  }

  async state(): Promise<unknown> {
    return {
      learners: await this.learners.state(),
      rng: rngState(this.rng),
      obs: this.obs.state(),
    };
  }

  restore(s: unknown): void {
    const st = s as { learners: unknown; rng: number[]; obs: { start: number[]; current: number[] } };
    this.learners.restore(st.learners);
    this.rng = rngFromState(st.rng);
    this.obs.restore(st.obs);
  }

  /** Losses of the last update and each parameter's current action distribution. */
  stats(): AgentStats {
    const p = this.learners.probabilities(this.obs.current);
    const { heads, width } = { heads: Math.max(...this.learners.groups.map((g) => g.length)), width: Math.max(...this.problem.nvec) };
    const distributions: number[][] = new Array(this.problem.nvec.length);
    this.learners.groups.forEach((g, a) =>
      g.forEach((param, h) => {
        const off = (a * heads + h) * width;
        distributions[param] = Array.from(p.subarray(off, off + this.problem.nvec[param]));
      }),
    );
    return { ...this.learners.lastLosses, updates: this.learners.updates, distributions };
  }

  dispose(): void {
    this.learners.dispose();
  }
}

/** `ppo`: one learner over the whole design. */
export function createPpoAgent(problem: SearchProblem, opts: PpoAgentOptions): PpoSearchAgent {
  return new PpoSearchAgent('ppo', problem, [problem.nvec.map((_, i) => i)], ['design'], opts);
}
