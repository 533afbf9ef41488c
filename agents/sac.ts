/**
 * `sac`: discrete Soft Actor-Critic (Christodoulou 2019) over the whole design, in the CleanRL
 * layout. The policy has a categorical head per parameter; the twin Q networks output one Q-value
 * per value of each parameter (action branching, Tavakoli et al. 2018), so the 442,368-design
 * joint action never has to be enumerated and every value of every parameter stays reachable.
 * The entropy temperature of each head is tuned automatically towards a target entropy.
 *
 * Per head h, with π_h, Q_h and temperature α_h:
 *   target      y_h = r + γ (1 − done) Σ_a π_h(a|s') [min(Q'1_h, Q'2_h)(s', a) − α_h log π_h(a|s')]
 *   critic loss Σ_h ½ [(Q1_h(s, a_h) − y_h)² + (Q2_h(s, a_h) − y_h)²]
 *   actor loss  Σ_h Σ_a π_h(a|s) [α_h log π_h(a|s) − min(Q1_h, Q2_h)(s, a)]
 *   α loss      Σ_h Σ_a π_h(a|s) [−log α_h (log π_h(a|s) + H̄_h)],   H̄_h = scale · ln(values of h)
 *
 * Where the space has rules, a design is sampled parameter by parameter in order, each head's
 * categorical restricted to the values its mask allows after the earlier parameters (the uniform
 * exploration before learning starts likewise). In the update π_h is the restricted distribution
 * of the stored design's masks (recomputed from it), at s and, for the bootstrap, at s' (whose
 * design is the one stored, the start of the next refinement), and H̄_h is scale · ln(values h may
 * take there).
 */
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { allowedIndexes } from '../common/mask.js';
import { type Agent, type AgentStats, chooseInOrder, EpisodeCursor, type Feedback, maskOf, type SearchProblem } from './agent.js';
import { SAC_DEFAULTS, type SacHyperparameters } from './sac-hyperparameters.js';
import { Adam, drawCategorical, float32FromBase64, HeadLayout, headWidths, inputRows, int32FromBase64, loadVariables, saveVariables, StackedMlp, tf, tidyRead, toBase64, writeRefusals } from './nn.js';
import { withDefaults } from '../common/hyperparameters.js';

export { SAC_DEFAULTS, SAC_MEANINGS, type SacHyperparameters } from './sac-hyperparameters.js';

/** A discrete SAC learner over several categorical heads, for any environment stream. */
export class SacLearner {
  readonly hp: SacHyperparameters;
  /** The heads as parameters, with the space's masks. */
  private readonly problem: SearchProblem;
  private readonly heads: HeadLayout;
  private readonly actor: StackedMlp;
  /** Twin critics, stacked: network 0 is Q1, network 1 is Q2. */
  private readonly q: StackedMlp;
  private readonly qTarget: StackedMlp;
  private readonly logAlpha: tf.Variable;
  /** [1, heads] */
  private readonly targetEntropy: tf.Tensor2D;
  private readonly actorOpt: Adam;
  private readonly qOpt: Adam;
  private readonly alphaOpt: Adam;
  // Replay buffer, a ring.
  private obs: Float32Array;
  private nextObs: Float32Array;
  private actions: Int32Array;
  private rewards: Float32Array;
  private dones: Float32Array;
  /** Steps until the bootstrap state: 1, or n for an n-step return stored by the caller. */
  private horizons: Float32Array;
  private size = 0;
  private head = 0;
  steps = 0;
  /** Gradient steps taken (since construction or restore). */
  private updates = 0;
  private lastProbabilities: { updates: number; obs: Float64Array; p: Float32Array } | null = null;
  lastLosses: Record<string, number> = {};

  constructor(
    readonly nvec: readonly number[],
    readonly obsSize: number,
    hp: Partial<SacHyperparameters>,
    rng: Rng,
    /** The space's masks (none: every value of every parameter allowed). */
    rules: Pick<SearchProblem, 'allowed'> = {},
  ) {
    this.problem = { nvec, parameterNames: nvec.map((_, h) => `head ${h}`), slices: [], observationSize: obsSize, allowed: rules.allowed };
    this.hp = withDefaults(SAC_DEFAULTS, hp, 'sac');
    this.heads = new HeadLayout([nvec], headWidths(nvec));
    this.actor = new StackedMlp(1, [obsSize, ...this.hp.hidden, this.heads.units], rng, 0.01);
    this.q = new StackedMlp(2, [obsSize, ...this.hp.hidden, this.heads.units], rng, 1);
    this.qTarget = new StackedMlp(2, [obsSize, ...this.hp.hidden, this.heads.units], rng, 1);
    this.qTarget.variables().forEach((v, i) => v.assign(this.q.variables()[i]));
    this.logAlpha = tf.tidy(() => tf.variable(tf.fill([nvec.length], Math.log(this.hp.initialAlpha))));
    this.targetEntropy = tf.keep(tf.tensor2d(nvec.map((k) => this.hp.targetEntropyScale * Math.log(k)), [1, nvec.length]));
    this.actorOpt = new Adam(this.actor.variables(), this.hp.policyLearningRate, 0.9, 0.999, 1e-4);
    this.qOpt = new Adam(this.q.variables(), this.hp.qLearningRate, 0.9, 0.999, 1e-4);
    this.alphaOpt = new Adam([this.logAlpha], this.hp.alphaLearningRate, 0.9, 0.999, 1e-4);
    const cap = this.hp.bufferSize;
    this.obs = new Float32Array(cap * obsSize);
    this.nextObs = new Float32Array(cap * obsSize);
    this.actions = new Int32Array(cap * nvec.length);
    this.rewards = new Float32Array(cap);
    this.dones = new Float32Array(cap);
    this.horizons = new Float32Array(cap).fill(1);
  }

  /**
   * The policy's action probabilities for one observation, head h's from `column[h]` on. Between
   * two updates the policy is the same, and a search's one-step episodes observe one state: the
   * last answer serves again.
   */
  probabilities(obs: Float64Array): Float32Array {
    const last = this.lastProbabilities;
    if (last && last.updates === this.updates && last.obs.every((x, i) => x === obs[i])) return last.p;
    const p = tidyRead(() => {
      const x = tf.tensor3d(Float32Array.from(obs), [1, 1, this.obsSize]);
      return this.heads.distributions(this.actor.apply(x)).p;
    });
    this.lastProbabilities = { updates: this.updates, obs: Float64Array.from(obs), p };
    return p;
  }

  /** Where each head's probabilities start in `probabilities`' result. */
  get column(): readonly number[] {
    return this.heads.column;
  }

  act(obs: Float64Array, n: number, rng: Rng): number[][] {
    if (this.steps < this.hp.learningStarts) {
      // Uniform exploration (among the allowed values) before learning starts.
      return Array.from({ length: n }, () =>
        chooseInOrder(this.problem, (h, mask) => {
          const u = uniform01(rng);
          if (!mask) return Math.min(this.nvec[h] - 1, Math.floor(u * this.nvec[h]));
          const ok = allowedIndexes(mask);
          return ok[Math.min(ok.length - 1, Math.floor(u * ok.length))];
        }),
      );
    }
    const p = this.probabilities(obs);
    return Array.from({ length: n }, () => chooseInOrder(this.problem, (h, mask) => drawCategorical(p, this.heads.column[h], this.nvec[h], uniform01(rng), mask)));
  }

  /**
   * The refused logits [B, units] (`writeRefusals`) and target entropies [B, heads] of the
   * stored designs at `idx`, from their masks; null when no mask refuses anything.
   */
  private restrictions(idx: readonly number[]): { refused: Float32Array; targetEntropy: Float32Array } | null {
    const H = this.nvec.length;
    const U = this.heads.units;
    const refused = new Float32Array(idx.length * U);
    const targetEntropy = new Float32Array(idx.length * H);
    let any = false;
    idx.forEach((k, b) => {
      const design = Array.from(this.actions.subarray(k * H, (k + 1) * H));
      for (let h = 0; h < H; h++) {
        const mask = maskOf(this.problem, design, h);
        if (writeRefusals(refused, b * U + this.heads.column[h], mask)) any = true;
        targetEntropy[b * H + h] = this.hp.targetEntropyScale * Math.log(mask ? allowedIndexes(mask).length : this.nvec[h]);
      }
    });
    return any ? { refused, targetEntropy } : null;
  }

  /** One transition; with `horizon` n > 1, `reward` is the discounted n-step return and `nextObs`
   *  the state n steps on, bootstrapped with γⁿ. */
  store(obs: Float64Array, action: readonly number[], reward: number, done: boolean, nextObs: Float64Array, horizon = 1): void {
    const i = this.head;
    this.obs.set(obs, i * this.obsSize);
    this.nextObs.set(nextObs, i * this.obsSize);
    this.actions.set(action, i * this.nvec.length);
    this.rewards[i] = reward;
    this.dones[i] = done ? 1 : 0;
    this.horizons[i] = horizon;
    this.head = (this.head + 1) % this.hp.bufferSize;
    this.size = Math.min(this.size + 1, this.hp.bufferSize);
    this.steps++;
  }

  /** One gradient step on a sampled batch (after `learningStarts` transitions). */
  update(rng: Rng): void {
    if (this.steps < this.hp.learningStarts) return;
    this.updates++;
    const B = this.hp.batchSize;
    const H = this.nvec.length;
    const U = this.heads.units;
    const idx = Array.from({ length: B }, () => Math.floor(uniform01(rng) * this.size));
    const o = new Float32Array(B * this.obsSize);
    const o2 = new Float32Array(B * this.obsSize);
    const a = new Float32Array(B * U);
    const r = new Float32Array(B);
    const discount = new Float32Array(B);
    idx.forEach((k, b) => {
      o.set(this.obs.subarray(k * this.obsSize, (k + 1) * this.obsSize), b * this.obsSize);
      o2.set(this.nextObs.subarray(k * this.obsSize, (k + 1) * this.obsSize), b * this.obsSize);
      this.heads.writeOneHot(a, b * U, (h) => this.actions[k * H + h]);
      r[b] = this.rewards[k];
      discount[b] = (1 - this.dones[k]) * this.hp.gamma ** this.horizons[k];
    });
    const hp = this.hp;
    const heads = this.heads;
    const bootstraps = discount.some((d) => d !== 0);
    const restricted = this.problem.allowed ? this.restrictions(idx) : null;
    this.lastLosses = tf.tidy(() => {
      const x = inputRows(o, this.obsSize);
      const refused = restricted ? tf.tensor3d(restricted.refused, [1, B, U]) : undefined;
      const targetEntropy = restricted ? tf.tensor2d(restricted.targetEntropy, [B, H]) : this.targetEntropy; // [B or 1, H]
      const alpha = tf.exp(this.logAlpha).reshape([1, H]);
      // Σ_a π(a) f(a) per head, from π and f of every value [1, B, U]: [B, H].
      const expect = (p: tf.Tensor3D, f: tf.Tensor3D): tf.Tensor2D => heads.perHeadSum(tf.mul(p, f)).squeeze([0]);
      // Soft targets per head from the target critics and the current policy at s' (with
      // one-step episodes every transition ends one, and the target is the reward alone).
      let y: tf.Tensor2D = tf.tensor2d(r, [B, 1]).tile([1, H]) as tf.Tensor2D; // [B, H]
      if (bootstraps) {
        const x2 = inputRows(o2, this.obsSize);
        const { logp: logp2, p: p2 } = heads.distributions(this.actor.apply(x2), refused);
        const minQ2 = tf.min(this.qTarget.apply(x2), 0).expandDims(0) as tf.Tensor3D;
        const v2 = tf.sub(expect(p2, minQ2), tf.mul(alpha, expect(p2, logp2))); // [B, H]
        y = tf.add(y, tf.mul(tf.tensor2d(discount, [B, 1]), v2));
      }
      const oneHot = tf.tensor3d(a, [1, B, U]);
      // Critics.
      const qVars = this.q.variables();
      const { grads: qGrads, value: qLoss } = tf.variableGrads(() => {
        const qa = heads.perHeadSum(tf.mul(this.q.apply(x), oneHot)); // [2, B, H]
        return tf.mul(tf.sum(tf.mean(tf.square(tf.sub(qa, y.expandDims(0))), 1)), 0.5) as tf.Scalar;
      }, qVars);
      this.qOpt.apply(qVars.map((v) => qGrads[v.name]));
      // Actor, against the updated critics. Its probabilities, detached, also serve the
      // temperature's loss (as CleanRL computes it) and the entropy reported.
      const qNow = tf.min(this.q.apply(x), 0).expandDims(0) as tf.Tensor3D; // [1, B, U]
      const aVars = this.actor.variables();
      let negEntropyNow: tf.Tensor2D | null = null;
      const { grads: aGrads, value: aLoss } = tf.variableGrads(() => {
        const { logp, p } = heads.distributions(this.actor.apply(x), refused);
        const negEntropy = expect(p, logp);
        negEntropyNow = tf.keep(negEntropy); // outlives the gradient's scope; disposed below
        const perHead = tf.sub(tf.mul(alpha, negEntropy), expect(p, qNow)); // [B, H]
        return tf.sum(tf.mean(perHead, 0)) as tf.Scalar;
      }, aVars);
      this.actorOpt.apply(aVars.map((v) => aGrads[v.name]));
      // Temperature: Σ_a π(a) (log π(a) + H̄) = Σ_a π(a) log π(a) + H̄, π summing to 1 per head.
      const negEntropy = negEntropyNow! as tf.Tensor2D; // [B, H]
      const inner = tf.add(negEntropy, targetEntropy);
      const { grads: alphaGrads, value: alphaLoss } = tf.variableGrads(
        () => tf.sum(tf.mean(tf.mul(tf.neg(this.logAlpha.reshape([1, H])), inner), 0)) as tf.Scalar,
        [this.logAlpha],
      );
      this.alphaOpt.apply([alphaGrads[this.logAlpha.name]]);
      const entropy = tf.neg(tf.mean(tf.sum(negEntropy, 1))).dataSync()[0];
      negEntropy.dispose();
      // Polyak-average the target critics.
      this.qTarget.variables().forEach((t, i) => t.assign(tf.add(tf.mul(qVars[i], hp.tau), tf.mul(t, 1 - hp.tau))));
      return {
        qLoss: qLoss.dataSync()[0],
        actorLoss: aLoss.dataSync()[0],
        alphaLoss: alphaLoss.dataSync()[0],
        entropy,
        alpha: tf.mean(alpha).dataSync()[0],
      };
    });
  }

  private variables(): tf.Variable[] {
    return [...this.actor.variables(), ...this.q.variables(), ...this.qTarget.variables(), this.logAlpha];
  }

  private optimizers(): Adam[] {
    return [this.actorOpt, this.qOpt, this.alphaOpt];
  }

  async state(): Promise<unknown> {
    const n = this.size;
    return {
      vars: await saveVariables(this.variables()),
      opts: this.optimizers().map((o) => ({ step: o.step, vars: o.save() })),
      buffer: {
        size: this.size,
        head: this.head,
        obs: toBase64(this.obs.subarray(0, n * this.obsSize)),
        nextObs: toBase64(this.nextObs.subarray(0, n * this.obsSize)),
        actions: toBase64(this.actions.subarray(0, n * this.nvec.length)),
        rewards: toBase64(this.rewards.subarray(0, n)),
        dones: toBase64(this.dones.subarray(0, n)),
        horizons: toBase64(this.horizons.subarray(0, n)),
      },
      steps: this.steps,
      lastLosses: this.lastLosses,
    };
  }

  restore(s: unknown): void {
    const st = s as {
      vars: string[]; opts: Array<{ step: number; vars: string[] }>;
      buffer: { size: number; head: number; obs: string; nextObs: string; actions: string; rewards: string; dones: string; horizons?: string };
      steps: number; lastLosses: Record<string, number>;
    };
    loadVariables(this.variables(), st.vars);
    this.lastProbabilities = null;
    this.optimizers().forEach((o, i) => {
      o.load(st.opts[i].vars);
      o.step = st.opts[i].step;
    });
    this.obs.set(float32FromBase64(st.buffer.obs));
    this.nextObs.set(float32FromBase64(st.buffer.nextObs));
    this.actions.set(int32FromBase64(st.buffer.actions));
    this.rewards.set(float32FromBase64(st.buffer.rewards));
    this.dones.set(float32FromBase64(st.buffer.dones));
    // Checkpoints from before n-step returns hold one-step transitions only.
    if (st.buffer.horizons !== undefined) this.horizons.set(float32FromBase64(st.buffer.horizons));
    this.size = st.buffer.size;
    this.head = st.buffer.head;
    this.steps = st.steps;
    this.lastLosses = st.lastLosses;
  }

  dispose(): void {
    this.actor.dispose();
    this.q.dispose();
    this.qTarget.dispose();
    this.logAlpha.dispose();
    this.targetEntropy.dispose();
    for (const o of this.optimizers()) o.dispose();
    this.heads.dispose();
  }
}

/** The search agent: one SAC learner choosing the whole design. */
export class SacAgent implements Agent {
  readonly name = 'sac';
  readonly batchSize = 1;
  private readonly learner: SacLearner;
  private rng: Rng;
  private readonly obs: EpisodeCursor;

  constructor(private readonly problem: SearchProblem, opts: { seed: number; hyperparameters?: Partial<SacHyperparameters> }) {
    this.rng = makeRng(opts.seed);
    this.learner = new SacLearner(problem.nvec, problem.observationSize, opts.hyperparameters ?? {}, this.rng, problem);
    this.obs = new EpisodeCursor(problem.observationSize);
  }

  begin(observation: Float64Array): void {
    this.obs.begin(observation);
  }

  ask(n: number): number[][] {
    return this.learner.act(this.obs.current, n, this.rng);
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    for (const r of results) {
      this.learner.store(this.obs.current, r.design, r.reward, r.done, r.observation);
      this.obs.advance(r);
      const u = this.learner.hp.updatesPerStep;
      const due = Math.floor(this.learner.steps * u) - Math.floor((this.learner.steps - 1) * u);
      for (let k = 0; k < due; k++) this.learner.update(this.rng);
    }
  }

  async state(): Promise<unknown> {
    return { learner: await this.learner.state(), rng: rngState(this.rng), obs: this.obs.state() };
  }

  restore(s: unknown): void {
    const st = s as { learner: unknown; rng: number[]; obs: { start: number[]; current: number[] } };
    this.learner.restore(st.learner);
    this.rng = rngFromState(st.rng);
    this.obs.restore(st.obs);
  }

  stats(): AgentStats {
    const p = this.learner.probabilities(this.obs.current);
    const at = this.learner.column;
    const distributions = this.problem.nvec.map((k, h) => Array.from(p.subarray(at[h], at[h] + k)));
    return { ...this.learner.lastLosses, steps: this.learner.steps, distributions };
  }

  dispose(): void {
    this.learner.dispose();
  }
}
