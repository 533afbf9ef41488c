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
 *
 * Where the space has rules, a design is sampled parameter by parameter in index order, each
 * parameter's categorical restricted to the values its mask allows after the earlier parameters
 * (refused logits at −1e9, the rest renormalised), whichever learner owns it: in `marl` a
 * learner's mask depends on the choices of the learners before it in the same design. The
 * log-probabilities, entropies and ratios of the update are those of the restricted distributions,
 * their masks recomputed from the stored designs.
 */
import { InputError } from '../common/errors.js';
import { withDefaults } from '../common/hyperparameters.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, EpisodeCursor, type Feedback, maskOf, type SearchProblem } from './agent.js';
import { PPO_DEFAULTS, type PpoHyperparameters } from './ppo-hyperparameters.js';
import { Adam, CategoricalMlps, clipPerNetwork, drawCategorical, float32FromBase64, loadVariables, maskedLogProb, maskedProbabilities, oneRow, saveVariables, StackedMlp, tf, tidyRead, toBase64, writeRefusals } from './nn.js';

export { PPO_DEFAULTS, PPO_MEANINGS, type PpoHyperparameters } from './ppo-hyperparameters.js';

/** One sampled action and what the update needs of it: each learner's log-probability and value,
 *  and the policies it was drawn from (at the policy's `offsets`, before any mask). */
export interface PpoStep {
  action: number[];
  logp: number[];
  value: number[];
  probs: Float32Array;
}

/**
 * Steps `idx` of each block of `data` laid out [blocks, steps, width]: a tensor [blocks, idx.length, width].
 */
function stepsOf(data: Float32Array, blocks: number, steps: number, width: number, idx: readonly number[]): tf.Tensor3D {
  const out = new Float32Array(blocks * idx.length * width);
  for (let b = 0, at = 0; b < blocks; b++) {
    for (const t of idx) {
      const from = (b * steps + t) * width;
      out.set(data.subarray(from, from + width), at);
      at += width;
    }
  }
  return tf.tensor3d(out, [blocks, idx.length, width]);
}

/** A learner's own choices are enumerated for its counterfactual baseline: at most this many. */
const MAX_COUNTERFACTUAL_CHOICES = 1024;

/**
 * The critic of counterfactual advantages: Q(s, u) of the observation and the joint action (the
 * one-hot code of every parameter's value), fitted to returns from a replay buffer. Learner a's
 * baseline marginalises its own choice under its policy, the others' choices kept:
 *   b_a(s, u) = Σ_c π_a(c | s) Q(s, (u_−a, c)),
 * so it does not depend on what a chose and the policy gradient stays unbiased, while the noise the
 * other learners' choices put into the shared reward is taken out of a's advantage. Under the
 * space's rules π_a is restricted to the values a's masks allow in the design (u_−a, c), which
 * depend on the earlier parameters only, so on a's own choice only through a's earlier parameters.
 */
export class JointActionCritic {
  private readonly net: StackedMlp;
  private readonly opt: Adam;
  private readonly inputSize: number;
  /** Where each parameter's one-hot code starts in the input. */
  private readonly offsets: number[];
  /** The learner that chooses each parameter. */
  private readonly owner: number[] = [];
  /** Each learner's own choices: a value per parameter of its group. */
  private readonly choices: number[][][];
  // Replay buffer, a ring of encoded (observation, joint action) and returns.
  private inputs: Float32Array;
  private targets: Float32Array;
  private size = 0;
  private head = 0;
  lastLoss = NaN;

  constructor(
    private readonly groups: ReadonlyArray<readonly number[]>,
    nvec: readonly number[],
    obsSize: number,
    private readonly hp: PpoHyperparameters,
    rng: Rng,
    private readonly rules: Pick<SearchProblem, 'allowed'> = {},
  ) {
    this.offsets = nvec.map((_, i) => obsSize + nvec.slice(0, i).reduce((a, b) => a + b, 0));
    this.inputSize = obsSize + nvec.reduce((a, b) => a + b, 0);
    this.choices = groups.map((g, a) => {
      const count = g.reduce((n, p) => n * nvec[p], 1);
      if (count > MAX_COUNTERFACTUAL_CHOICES) {
        throw new InputError(`ppo hyperparameter counterfactual: learner ${a} chooses among ${count} combinations (at most ${MAX_COUNTERFACTUAL_CHOICES}; use one learner per parameter or per slice)`);
      }
      let combos: number[][] = [[]];
      for (const p of g) combos = combos.flatMap((c) => Array.from({ length: nvec[p] }, (_, v) => [...c, v]));
      return combos;
    });
    groups.forEach((g, a) => g.forEach((p) => (this.owner[p] = a)));
    this.net = new StackedMlp(1, [this.inputSize, ...hp.hidden, 1], rng, 1);
    this.opt = new Adam(this.net.variables(), hp.learningRate);
    this.inputs = new Float32Array(hp.counterfactualBuffer * this.inputSize);
    this.targets = new Float32Array(hp.counterfactualBuffer);
  }

  private encode(obs: Float64Array, action: readonly number[], out: Float32Array, at: number): void {
    out.fill(0, at, at + this.inputSize);
    out.set(obs, at);
    action.forEach((v, p) => (out[at + this.offsets[p] + v] = 1));
  }

  /** Q(s, u) of each observation and joint action. */
  values(obs: readonly Float64Array[], actions: readonly number[][]): Float32Array {
    const x = new Float32Array(obs.length * this.inputSize);
    obs.forEach((o, t) => this.encode(o, actions[t], x, t * this.inputSize));
    return tidyRead(() => this.net.apply(tf.tensor3d(x, [1, obs.length, this.inputSize])));
  }

  /**
   * b_a for each learner a and step t ([learners × steps]); `probs[t]` holds the policies at step
   * t, learner a's head h from `offsets[a][h]` on.
   *
   * The input's action part is one-hot, so a row's first layer is the sum of the weight rows of
   * its observation and of each parameter's value: the part without learner a's parameters is a
   * running sum over the learners before a plus one over those after it (both made once per step),
   * and each of a's choices adds its own rows (a few hidden-width additions, not a pass over the
   * whole encoded input). That part does not see a's choice, so neither does a's baseline, to the
   * last bit.
   */
  baselines(obs: readonly Float64Array[], actions: readonly number[][], probs: readonly Float32Array[], offsets: readonly (readonly number[])[]): Float32Array {
    const T = obs.length;
    const A = this.groups.length;
    const rows = T * this.choices.reduce((n, c) => n + c.length, 0);
    const width = this.hp.hidden[0];
    const w = this.net.layers[0].w.dataSync() as Float32Array; // [1, inputSize, width]
    const bias = this.net.layers[0].b.dataSync() as Float32Array;
    /** The first layer's pre-activations of each row. */
    const x = new Float32Array(rows * width);
    /** π_a(c | s) of each row's choice c. */
    const pi = new Float64Array(rows);
    const others = new Float32Array(width);
    const addRow = (out: Float32Array, at: number, input: number, scale: number): void => {
      for (let k = 0; k < width; k++) out[at + k] += scale * w[input * width + k];
    };
    // Per learner, the rows of its own choices (`own`), then the observation's rows with the
    // choices of the learners before it (`before`) and those of the learners after it (`after`):
    // their sum leaves its own choice out exactly.
    const own = new Float32Array(A * width);
    const before = new Float32Array(A * width);
    const after = new Float32Array(A * width);
    let r = 0;
    for (let t = 0; t < T; t++) {
      own.fill(0);
      this.groups.forEach((g, a) => g.forEach((p) => addRow(own, a * width, this.offsets[p] + actions[t][p], 1)));
      before.set(bias);
      obs[t].forEach((v, i) => v !== 0 && addRow(before, 0, i, v));
      after.fill(0, (A - 1) * width);
      for (let a = 0; a + 1 < A; a++) {
        for (let k = 0; k < width; k++) before[(a + 1) * width + k] = before[a * width + k] + own[a * width + k];
      }
      for (let a = A - 1; a > 0; a--) {
        for (let k = 0; k < width; k++) after[(a - 1) * width + k] = after[a * width + k] + own[a * width + k];
      }
      this.groups.forEach((g, a) => {
        for (let k = 0; k < width; k++) others[k] = before[a * width + k] + after[a * width + k];
        // A learner with one parameter has the same mask whatever it chooses: its restricted
        // distribution is computed once.
        const single = g.length === 1 ? maskedProbabilities(probs[t], offsets[a][0], this.choices[a].length, maskOf(this.rules, actions[t], g[0])) : null;
        for (const c of this.choices[a]) {
          if (single) pi[r] = single[c[0]];
          else {
            const u = [...actions[t]];
            g.forEach((p, h) => (u[p] = c[h]));
            let prob = 1;
            c.forEach((v, h) => {
              const mask = maskOf(this.rules, u, g[h]);
              const offset = offsets[a][h];
              prob *= mask ? Math.exp(maskedLogProb(probs[t], offset, mask, v)) : probs[t][offset + v];
            });
            pi[r] = prob;
          }
          x.set(others, r * width);
          g.forEach((p, h) => addRow(x, r * width, this.offsets[p] + c[h], 1));
          r++;
        }
      });
    }
    const q = tidyRead(() => this.net.afterFirstLayer(tf.tensor3d(x, [1, rows, width])));
    const out = new Float32Array(A * T);
    r = 0;
    for (let t = 0; t < T; t++) {
      this.groups.forEach((g, a) => {
        let b = 0;
        for (let i = 0; i < this.choices[a].length; i++, r++) b += pi[r] * q[r];
        out[a * T + t] = b;
      });
    }
    return out;
  }

  /** Adds the steps to the replay buffer, then takes `counterfactualSteps` gradient steps on minibatches of it. */
  fit(obs: readonly Float64Array[], actions: readonly number[][], returns: ArrayLike<number>, rng: Rng): void {
    const cap = this.hp.counterfactualBuffer;
    obs.forEach((o, t) => {
      this.encode(o, actions[t], this.inputs, this.head * this.inputSize);
      this.targets[this.head] = returns[t];
      this.head = (this.head + 1) % cap;
      this.size = Math.min(this.size + 1, cap);
    });
    const B = Math.min(64, this.size);
    const vars = this.net.variables();
    let loss = 0;
    for (let step = 0; step < this.hp.counterfactualSteps; step++) {
      const x = new Float32Array(B * this.inputSize);
      const y = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        const k = Math.floor(uniform01(rng) * this.size);
        x.set(this.inputs.subarray(k * this.inputSize, (k + 1) * this.inputSize), b * this.inputSize);
        y[b] = this.targets[k];
      }
      loss += tf.tidy(() => {
        const { grads, value } = tf.variableGrads(
          () => tf.mul(tf.mean(tf.square(tf.sub(this.net.apply(tf.tensor3d(x, [1, B, this.inputSize])).reshape([B]), tf.tensor1d(y)))), 0.5) as tf.Scalar,
          vars,
        );
        this.opt.apply(clipPerNetwork(vars.map((v) => grads[v.name]), 1, this.hp.maxGradNorm));
        return value.dataSync()[0];
      });
    }
    this.lastLoss = loss / Math.max(1, this.hp.counterfactualSteps);
  }

  async state(): Promise<unknown> {
    return {
      net: await saveVariables(this.net.variables()),
      opt: { step: this.opt.step, vars: this.opt.save() },
      inputs: toBase64(this.inputs.subarray(0, this.size * this.inputSize)),
      targets: toBase64(this.targets.subarray(0, this.size)),
      size: this.size,
      head: this.head,
      lastLoss: this.lastLoss,
    };
  }

  restore(s: unknown): void {
    const st = s as { net: string[]; opt: { step: number; vars: string[] }; inputs: string; targets: string; size: number; head: number; lastLoss: number | null };
    loadVariables(this.net.variables(), st.net);
    this.opt.load(st.opt.vars);
    this.opt.step = st.opt.step;
    this.inputs.set(float32FromBase64(st.inputs));
    this.targets.set(float32FromBase64(st.targets));
    this.size = st.size;
    this.head = st.head;
    this.lastLoss = st.lastLoss ?? NaN;
  }

  dispose(): void {
    this.net.dispose();
    this.opt.dispose();
  }
}

/**
 * A set of independent PPO learners over one environment stream. Learner `a` chooses the
 * parameters `groups[a]`; `act` returns the full action (a value per parameter).
 */
export class PpoLearners {
  readonly hp: PpoHyperparameters;
  private readonly policy: CategoricalMlps;
  private readonly critic: StackedMlp;
  private readonly policyOpt: Adam;
  private readonly criticOpt: Adam;
  private readonly nLearners: number;
  private readonly nCritics: number;
  private readonly jointCritic: JointActionCritic | null;
  /** Per parameter, the learner that chooses it and its head there. */
  private readonly headOf: Array<{ learner: number; head: number }>;
  // Rollout buffer (plain arrays; copied into fresh tensors at update time).
  private obs: Float64Array[] = [];
  private actions: number[][] = [];
  /** The policies each action was drawn from (counterfactual advantages only). */
  private probs: Float32Array[] = [];
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
    /** The space's masks (none: every value of every parameter allowed). */
    private readonly rules: Pick<SearchProblem, 'allowed'> = {},
  ) {
    this.hp = withDefaults(PPO_DEFAULTS, hp, 'ppo');
    this.nLearners = groups.length;
    this.nCritics = this.hp.centralizedCritic ? 1 : this.nLearners;
    // Small initial policy logits (gain 0.01) start every learner near uniform, as CleanRL does.
    this.policy = new CategoricalMlps(groups.map((g) => g.map((p) => nvec[p])), obsSize, this.hp.hidden, rng, 0.01);
    this.critic = new StackedMlp(this.nCritics, [obsSize, ...this.hp.hidden, 1], rng, 1);
    this.policyOpt = new Adam(this.policy.variables(), this.hp.learningRate);
    this.criticOpt = new Adam(this.critic.variables(), this.hp.learningRate);
    this.jointCritic = this.hp.counterfactual ? new JointActionCritic(groups, nvec, obsSize, this.hp, rng, rules) : null;
    this.headOf = [];
    groups.forEach((g, a) => g.forEach((param, h) => (this.headOf[param] = { learner: a, head: h })));
  }

  /** Action probabilities of every learner's heads for one observation, at `offsets`. */
  probabilities(obs: Float64Array): Float32Array {
    return this.policy.probabilities(obs);
  }

  /** Learner a's head h starts at `offsets[a][h]` of `probabilities`' result. */
  get offsets(): readonly (readonly number[])[] {
    return this.policy.offsets;
  }

  private valuesOf(obs: Float64Array): Float32Array {
    return tidyRead(() => {
      return this.critic.apply(tf.tensor3d(Float32Array.from(obs), [1, 1, this.obsSize]));
    });
  }

  /**
   * Samples `n` actions for one observation (the same state: parallel episodes of a bandit, or
   * n = 1 for a sequential environment). Returns the actions and what the update needs later.
   * Each parameter takes one uniform, drawn in learner order, and is resolved in parameter order
   * within its mask.
   */
  act(obs: Float64Array, n: number, rng: Rng): PpoStep[] {
    const p = this.probabilities(obs);
    const v = Array.from(this.valuesOf(obs));
    const P = this.nvec.length;
    const out = [];
    for (let i = 0; i < n; i++) {
      const u = new Float64Array(P);
      for (const g of this.groups) for (const param of g) u[param] = uniform01(rng);
      const action = new Array<number>(P).fill(0);
      const lp = new Float64Array(P);
      for (let param = 0; param < P; param++) {
        const { learner, head } = this.headOf[param];
        const offset = this.policy.offsets[learner][head];
        const mask = maskOf(this.rules, action, param);
        action[param] = drawCategorical(p, offset, this.nvec[param], u[param], mask);
        lp[param] = maskedLogProb(p, offset, mask, action[param]);
      }
      const logp = this.groups.map((g) => {
        let sum = 0;
        for (const param of g) sum += lp[param];
        return sum;
      });
      out.push({ action, logp, value: v, probs: p });
    }
    return out;
  }

  store(obs: Float64Array, t: PpoStep, reward: number, done: boolean, nextObs: Float64Array): void {
    this.obs.push(obs);
    this.actions.push(t.action);
    if (this.jointCritic) this.probs.push(t.probs);
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

  /**
   * Each learner's advantages ([learners × steps]): its critic's GAE (the shared critic's, with
   * MAPPO), or with counterfactual advantages the return (averaged over critics) minus the
   * learner's counterfactual baseline, after which the joint-action critic learns the returns.
   */
  private policyAdvantages(adv: Float32Array, ret: Float32Array, rng: Rng): Float32Array {
    const T = this.rewards.length;
    const A = this.nLearners;
    const C = this.nCritics;
    if (!this.jointCritic) {
      if (C === A) return adv;
      const out = new Float32Array(A * T);
      for (let a = 0; a < A; a++) out.set(adv.subarray(0, T), a * T);
      return out;
    }
    const returns = new Float32Array(T);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) returns[t] += ret[c * T + t];
      returns[t] /= C;
    }
    // The baselines come from the critic before it has seen these steps, so none depends on the
    // action it is the baseline of.
    const b = this.jointCritic.baselines(this.obs, this.actions, this.probs, this.policy.offsets);
    const out = new Float32Array(A * T);
    for (let a = 0; a < A; a++) for (let t = 0; t < T; t++) out[a * T + t] = returns[t] - b[a * T + t];
    this.jointCritic.fit(this.obs, this.actions, returns, rng);
    return out;
  }

  /**
   * Per bucket of policy networks, its learners' rollout [networks, steps, …]: one-hot actions and
   * refused logits (each step's masks recomputed from its design; null when no mask refuses
   * anything) in the bucket's head layout, old log-probabilities and advantages. They stay arrays:
   * each minibatch copies its steps out (`stepsOf`), cheaper than gathering from tensors on wasm.
   */
  private rolloutByBucket(policyAdv: Float32Array): Array<{ networks: number; units: number; oneHot: Float32Array; refused: Float32Array | null; oldLogp: Float32Array; adv: Float32Array }> {
    const T = this.rewards.length;
    return this.policy.buckets.map(({ networks, layout }) => {
      const [n, U] = [networks.length, layout.units];
      const oneHot = new Float32Array(n * T * U);
      const refused = new Float32Array(n * T * U);
      const oldLogp = new Float32Array(n * T);
      const adv = new Float32Array(n * T);
      let any = false;
      networks.forEach((a, i) => {
        const g = this.groups[a];
        for (let t = 0; t < T; t++) {
          const at = (i * T + t) * U;
          layout.writeOneHot(oneHot, at, (h) => this.actions[t][g[h]]);
          g.forEach((param, h) => {
            if (writeRefusals(refused, at + layout.column[h], maskOf(this.rules, this.actions[t], param))) any = true;
          });
          oldLogp[i * T + t] = this.logps[t][a];
          adv[i * T + t] = policyAdv[a * T + t];
        }
      });
      return { networks: n, units: U, oneHot, refused: any ? refused : null, oldLogp, adv };
    });
  }

  /** The PPO update on the collected rollout; clears it. */
  update(rng: Rng): void {
    const hp = this.hp;
    const T = this.rewards.length;
    const C = this.nCritics;
    const { adv, ret } = this.advantages();
    const policyAdv = this.policyAdvantages(adv, ret, rng);
    const obsData = new Float32Array(T * this.obsSize);
    this.obs.forEach((o, t) => obsData.set(o, t * this.obsSize));
    const rollout = this.rolloutByBucket(policyAdv);
    const buckets = this.policy.buckets;
    const oneState = oneRow(obsData, this.obsSize);
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
        const losses = tf.tidy(() => {
          const idx = order.slice(start, start + mbSize);
          const mbObs = stepsOf(obsData, 1, T, this.obsSize, oneState ? [0] : idx);
          const mbRet = stepsOf(ret, C, T, 1, idx).reshape([C, mbSize]);
          const mb = rollout.map((r) => {
            let mbAdv: tf.Tensor = stepsOf(r.adv, r.networks, T, 1, idx).reshape([r.networks, mbSize]);
            if (hp.normalizeAdvantages) {
              const { mean, variance } = tf.moments(mbAdv, 1, true);
              mbAdv = tf.div(tf.sub(mbAdv, mean), tf.add(tf.sqrt(variance), 1e-8));
            }
            return {
              oneHot: stepsOf(r.oneHot, r.networks, T, r.units, idx),
              refused: r.refused ? stepsOf(r.refused, r.networks, T, r.units, idx) : undefined,
              oldLogp: stepsOf(r.oldLogp, r.networks, T, 1, idx).reshape([r.networks, mbSize]),
              adv: mbAdv,
            };
          });
          const out = { pg: 0, v: 0, ent: 0, kl: 0 };
          // Policy loss: clipped surrogate minus the entropy bonus, summed over learners.
          const { grads: pGrads } = tf.variableGrads(() => {
            const pgLoss: tf.Tensor[] = [];
            const entropy: tf.Tensor[] = [];
            const logRatio: tf.Tensor[] = [];
            buckets.forEach(({ layout, mlp }, i) => {
              const dist = layout.distributions(mlp.apply(mbObs), mb[i].refused);
              const newLogp = layout.logProbOf(dist.logp, mb[i].oneHot);
              const ratio = tf.exp(tf.sub(newLogp, mb[i].oldLogp));
              const pg1 = tf.mul(tf.neg(mb[i].adv), ratio);
              const pg2 = tf.mul(tf.neg(mb[i].adv), tf.clipByValue(ratio, 1 - hp.clipCoef, 1 + hp.clipCoef));
              pgLoss.push(tf.mean(tf.maximum(pg1, pg2), 1));
              entropy.push(tf.mean(layout.entropy(dist), 1));
              logRatio.push(tf.sub(mb[i].oldLogp, newLogp).reshape([-1]));
            });
            const pg = tf.concat(pgLoss);
            const ent = tf.concat(entropy);
            out.ent = tf.mean(ent).dataSync()[0];
            out.kl = tf.mean(tf.concat(logRatio)).dataSync()[0];
            out.pg = tf.mean(pg).dataSync()[0];
            return tf.sum(tf.sub(pg, tf.mul(ent, hp.entropyCoef))) as tf.Scalar;
          }, policyVars);
          // Value loss, per critic.
          const { grads: vGrads } = tf.variableGrads(() => {
            const v = this.critic.apply(mbObs).squeeze([2]);
            const vLoss = tf.mul(tf.mean(tf.square(tf.sub(v, mbRet)), 1), 0.5 * hp.valueCoef);
            out.v = tf.mean(vLoss).dataSync()[0];
            return tf.sum(vLoss) as tf.Scalar;
          }, criticVars);
          this.policyOpt.apply(buckets.flatMap(({ networks, mlp }) => clipPerNetwork(mlp.variables().map((v) => pGrads[v.name]), networks.length, hp.maxGradNorm)));
          this.criticOpt.apply(clipPerNetwork(criticVars.map((v) => vGrads[v.name]), C, hp.maxGradNorm));
          return out;
        });
        pgSum += losses.pg;
        vSum += losses.v;
        entSum += losses.ent;
        kl = losses.kl;
        n++;
      }
    }
    this.lastLosses = { policyLoss: pgSum / n, valueLoss: vSum / n, entropy: entSum / n, approxKl: kl };
    if (this.jointCritic) this.lastLosses.jointCriticLoss = this.jointCritic.lastLoss;
    this.updates++;
    this.obs = [];
    this.actions = [];
    this.probs = [];
    this.logps = [];
    this.values = [];
    this.rewards = [];
    this.dones = [];
  }

  async state(): Promise<unknown> {
    return {
      policy: await saveVariables(this.policy.variables()),
      critic: await saveVariables(this.critic.variables()),
      policyOpt: { step: this.policyOpt.step, vars: this.policyOpt.save() },
      criticOpt: { step: this.criticOpt.step, vars: this.criticOpt.save() },
      buffer: {
        obs: this.obs.map((o) => Array.from(o)),
        actions: this.actions,
        logps: this.logps,
        values: this.values,
        rewards: this.rewards,
        dones: this.dones,
        lastNextObs: this.lastNextObs ? Array.from(this.lastNextObs) : null,
        probs: this.probs.map((p) => Array.from(p)),
      },
      ...(this.jointCritic ? { jointCritic: await this.jointCritic.state() } : {}),
      updates: this.updates,
      lastLosses: this.lastLosses,
    };
  }

  restore(s: unknown): void {
    const st = s as {
      policy: string[]; critic: string[];
      policyOpt: { step: number; vars: string[] }; criticOpt: { step: number; vars: string[] };
      buffer: { obs: number[][]; actions: number[][]; logps: number[][]; values: number[][]; rewards: number[]; dones: number[]; lastNextObs: number[] | null; probs?: number[][] };
      jointCritic?: unknown;
      updates: number; lastLosses: Record<string, number>;
    };
    loadVariables(this.policy.variables(), st.policy);
    loadVariables(this.critic.variables(), st.critic);
    this.policyOpt.load(st.policyOpt.vars);
    this.criticOpt.load(st.criticOpt.vars);
    this.policyOpt.step = st.policyOpt.step;
    this.criticOpt.step = st.criticOpt.step;
    this.obs = st.buffer.obs.map((o) => Float64Array.from(o));
    this.actions = st.buffer.actions;
    this.logps = st.buffer.logps;
    this.values = st.buffer.values;
    this.rewards = st.buffer.rewards;
    this.dones = st.buffer.dones;
    this.lastNextObs = st.buffer.lastNextObs ? Float64Array.from(st.buffer.lastNextObs) : null;
    this.probs = (st.buffer.probs ?? []).map((p) => Float32Array.from(p));
    if (this.jointCritic) this.jointCritic.restore(st.jointCritic);
    this.updates = st.updates;
    this.lastLosses = st.lastLosses;
  }

  dispose(): void {
    this.policy.dispose();
    this.critic.dispose();
    this.policyOpt.dispose();
    this.criticOpt.dispose();
    this.jointCritic?.dispose();
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
  private pending: PpoStep[] = [];

  constructor(
    readonly name: string,
    readonly problem: SearchProblem,
    groups: ReadonlyArray<readonly number[]>,
    readonly groupNames: readonly string[],
    opts: PpoAgentOptions,
  ) {
    this.rng = makeRng(opts.seed);
    this.learners = new PpoLearners(groups, problem.nvec, problem.observationSize, opts.hyperparameters ?? {}, this.rng, problem);
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
    const distributions: number[][] = new Array(this.problem.nvec.length);
    this.learners.groups.forEach((g, a) =>
      g.forEach((param, h) => {
        const off = this.learners.offsets[a][h];
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
