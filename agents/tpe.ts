/**
 * `tpe`: the tree-structured Parzen estimator (Bergstra et al. 2011) as Optuna 3.1's TPESampler
 * implements it, with its defaults. After `startupTrials` random designs, the trials so far are
 * split into the γ(n) best (below) and the rest (above); a Parzen estimator is fitted to each,
 * l(x) and g(x), `eiCandidates` designs are drawn from l, and the one with the largest
 * l(x)/g(x) (the expected-improvement criterion) is proposed.
 *
 * An estimator is a mixture with one component per observation plus a prior component:
 *   weights   default_weights: 1 each, but beyond the newest 25 a linear ramp from 1/n, so older
 *             observations count less; the prior gets `priorWeight`; then normalised;
 *   category  the observed value with 1 + c, every value c = priorWeight / (n + 1), normalised
 *             (the prior component: uniform);
 *   ordinal   (with `ordinal`) a Gaussian on the value index, truncated to [−0.5, k − 0.5], each
 *             index getting the mass of [i − 0.5, i + 0.5] (Optuna's IntDistribution with step 1:
 *             sampling the truncated normal and rounding is drawing an index with that mass); σ
 *             from the distances to the neighbouring observations (equal values in trial order,
 *             where Optuna's numpy quicksort leaves them in no defined order), or Scott's rule,
 *             0.2 · n^(−1/(d+4)) of the range, when multivariate; clipped to
 *             [range / min(100, n + 2), range] (the "magic clip"); the prior: centre, σ = range.
 * Default (univariate) TPE fits and samples each parameter on its own; `multivariate` fits one
 * joint estimator (a component's kernels multiply) and draws whole designs from it.
 *
 * Where the space has rules, designs are made parameter by parameter in order within the masks:
 * the startup designs uniformly among the allowed values, and every candidate value drawn from its
 * component's kernel restricted to the allowed values (renormalised). Candidates are still scored
 * by l(x)/g(x); within one mask the restriction scales l and g alike.
 */
import { withDefaults } from '../common/hyperparameters.js';
import { drawAllowed } from '../common/mask.js';
import { normalMass } from '../common/normal.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, type Feedback, maskOf, randomDesign, type SearchProblem } from './agent.js';

export interface TpeHyperparameters {
  /** Random designs before the estimators take over (n_startup_trials). */
  startupTrials: number;
  /** Designs drawn from l(x) per proposal (n_ei_candidates). */
  eiCandidates: number;
  /** Weight of the prior component in each estimator (prior_weight). */
  priorWeight: number;
  /** The good group holds min(⌈gamma · n⌉, gammaMax) of the n trials (default_gamma). */
  gamma: number;
  gammaMax: number;
  /** One joint estimator over all parameters instead of one per parameter. */
  multivariate: boolean;
  /** Ordered parameters (numbers) as integers on their value index, with Gaussian kernels;
   *  otherwise every parameter is categorical. */
  ordinal: boolean;
  /** Bound the ordinal kernels' σ from below by range / min(100, n + 2). */
  considerMagicClip: boolean;
  /** Let the first and last ordinal kernels' σ reach to the ends of the range. */
  considerEndpoints: boolean;
  /** Designs proposed at a time (an Optuna study run sequentially: 1). */
  batch: number;
}

export const TPE_DEFAULTS: TpeHyperparameters = {
  startupTrials: 10,
  eiCandidates: 24,
  priorWeight: 1,
  gamma: 0.1,
  gammaMax: 25,
  multivariate: false,
  ordinal: false,
  considerMagicClip: true,
  considerEndpoints: false,
  batch: 1,
};

/** What each hyperparameter does, for `--hp help` and the README's table (checked against it). */
export const TPE_MEANINGS: Record<keyof TpeHyperparameters, string> = {
  startupTrials: 'random designs before the estimators take over (n_startup_trials)',
  eiCandidates: 'designs drawn from l per proposal (n_ei_candidates)',
  priorWeight: 'weight of the prior component (prior_weight)',
  gamma: 'the good group holds min(⌈gamma · n⌉, gammaMax) of the n trials',
  gammaMax: 'the most trials the good group holds',
  multivariate: 'one joint estimator over all parameters',
  ordinal: 'ordered parameters on their value index, with Gaussian kernels (suggest_int)',
  considerMagicClip: "ordinal kernels' σ at least range / min(100, n + 2) (consider_magic_clip)",
  considerEndpoints: "the outermost ordinal kernels' σ may reach to the ends of the range (consider_endpoints)",
  batch: 'designs proposed at a time (each from the same estimators)',
};

/** Optuna's default_weights: the newest 25 observations weigh 1, older ones ramp up from 1/n. */
function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const w: number[] = [];
  for (let i = 0; i < ramp; i++) w.push(ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1));
  for (let i = 0; i < 25; i++) w.push(1);
  return w;
}

/** An estimator's normalised component weights over n observations and the prior, and their logs. */
export interface ComponentWeights {
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
}

function componentWeights(n: number, priorWeight: number): ComponentWeights {
  const w = [...defaultWeights(n), priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  const weights = Float64Array.from(w, (x) => x / total);
  return { weights, logWeights: weights.map(Math.log) };
}

/** Parameter p's value in each observation. */
function column(observations: ReadonlyArray<readonly number[]>, p: number): Int32Array {
  const out = new Int32Array(observations.length);
  for (let i = 0; i < out.length; i++) out[i] = observations[i][p];
  return out;
}

/**
 * A parameter's kernels in a Parzen estimator: component c's log-probability of value v. A
 * categorical one keeps only the observed values (its kernel is one of two numbers), so an
 * estimator over n observations of a parameter with k values costs O(n), not O(n · k).
 */
interface Kernels {
  logP(c: number, v: number): number;
}

/** Optuna's categorical kernels: the observed value gets 1 + c, every value c = w / (n + 1). */
class CategoricalKernels implements Kernels {
  private readonly logHit: number;
  private readonly logOther: number;
  private readonly logPrior: number;

  constructor(private readonly values: Int32Array, k: number, priorWeight: number) {
    const c = priorWeight / (values.length + 1);
    this.logOther = Math.log(c / (k * c + 1));
    this.logHit = Math.log((c + 1) / (k * c + 1));
    this.logPrior = -Math.log(k);
  }

  logP(c: number, v: number): number {
    return c < this.values.length ? (this.values[c] === v ? this.logHit : this.logOther) : this.logPrior;
  }
}

/** Kernels as a table: [component · k + value] → log-probability. */
class TableKernels implements Kernels {
  constructor(private readonly table: Float64Array, private readonly k: number) {}

  logP(c: number, v: number): number {
    return this.table[c * this.k + v];
  }
}

/**
 * A Parzen estimator over some parameters: component weights and, per parameter, each
 * component's log-probability of each value (a categorical kernel, or a discretised Gaussian).
 */
export class ParzenEstimator {
  /** Normalised component weights, observations first, the prior last. */
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
  /** Per parameter (in `params` order), its kernels. */
  private readonly kernels: Kernels[];
  /** Per parameter, its number of values k. */
  private readonly sizes: number[];
  /** For a single parameter: the log density of each value, NaN until first asked for. */
  private readonly table: Float64Array | undefined;

  constructor(
    observations: ReadonlyArray<readonly number[]>,
    readonly params: readonly number[],
    nvec: readonly number[],
    ordinal: readonly boolean[],
    hp: TpeHyperparameters,
    /** `componentWeights(observations.length, hp.priorWeight)`, shared by the estimators of one split. */
    shared?: ComponentWeights,
  ) {
    ({ weights: this.weights, logWeights: this.logWeights } = shared ?? componentWeights(observations.length, hp.priorWeight));
    this.sizes = params.map((p) => nvec[p]);
    this.kernels = params.map((p) =>
      ordinal[p]
        ? new TableKernels(gaussianKernels(observations.map((o) => o[p]), nvec[p], params.length, hp), nvec[p])
        : new CategoricalKernels(column(observations, p), nvec[p], hp.priorWeight),
    );
    if (params.length === 1) this.table = new Float64Array(this.sizes[0]).fill(NaN);
  }

  get components(): number {
    return this.weights.length;
  }

  /**
   * Draws one value per parameter, all from one component (for a single parameter, Optuna's
   * univariate sampling); `maskAt(j, values)` restricts parameter j given the values drawn before it.
   */
  sample(rng: Rng, maskAt?: (j: number, values: readonly number[]) => readonly boolean[] | null): number[] {
    const c = drawIndex(this.weights, rng);
    const values: number[] = [];
    this.sizes.forEach((_, j) => {
      const mask = maskAt?.(j, values) ?? null;
      const u = uniform01(rng);
      values.push(mask ? drawAllowed(mask, (v) => Math.exp(this.kernels[j].logP(c, v)), u) : this.draw(j, c, u));
    });
    return values;
  }

  /** Value of parameter j drawn by the uniform u from component c's kernel. */
  private draw(j: number, c: number, u: number): number {
    const k = this.sizes[j];
    for (let v = 0; v < k; v++) {
      u -= Math.exp(this.kernels[j].logP(c, v));
      if (u < 0) return v;
    }
    return k - 1;
  }

  /** log density of a design restricted to `params` (values in `params` order). */
  logPdf(values: readonly number[]): number {
    if (this.table) {
      // One parameter: its density per value, each computed once, when first asked for (Optuna's
      // fast path computes them all; a parameter may have hundreds of values and few are drawn).
      if (Number.isNaN(this.table[values[0]])) this.table[values[0]] = this.mixture(values);
      return this.table[values[0]];
    }
    return this.mixture(values);
  }

  /** log Σ_c w_c Π_j P_cj(values[j]), shifted by the largest term. */
  private mixture(values: readonly number[]): number {
    const C = this.components;
    const terms = new Float64Array(C);
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      let t = this.logWeights[c];
      for (let j = 0; j < values.length; j++) t += this.kernels[j].logP(c, values[j]);
      terms[c] = t;
      if (t > max) max = t;
    }
    if (max === -Infinity) return -Infinity;
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(terms[c] - max);
    return Math.log(s) + max;
  }
}

/** Index drawn with probability proportional to `p` (which sums to 1). */
function drawIndex(p: Float64Array, rng: Rng): number {
  let u = uniform01(rng);
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}

/**
 * Optuna's kernels for an integer parameter with step 1 on the value index: truncated Gaussians
 * on [−0.5, k − 0.5], read as the mass each index's unit interval receives.
 */
function gaussianKernels(values: readonly number[], k: number, dims: number, hp: TpeHyperparameters): Float64Array {
  const n = values.length;
  const low = -0.5;
  const high = k - 0.5;
  const range = high - low;
  const mus = [...values, 0.5 * (low + high)];
  const sigmas = new Float64Array(n + 1);
  if (hp.multivariate) {
    sigmas.fill(0.2 * Math.max(n, 1) ** (-1 / (dims + 4)) * range);
  } else {
    const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
    const s = [low, ...order.map((i) => mus[i]), high];
    const sorted = order.map((_, i) => Math.max(s[i + 1] - s[i], s[i + 2] - s[i + 1]));
    if (!hp.considerEndpoints && s.length >= 4) {
      sorted[0] = s[2] - s[1];
      sorted[sorted.length - 1] = s[s.length - 2] - s[s.length - 3];
    }
    order.forEach((i, r) => (sigmas[i] = sorted[r]));
  }
  const minSigma = hp.considerMagicClip ? range / Math.min(100, 1 + mus.length) : 1e-12;
  for (let i = 0; i < n; i++) sigmas[i] = Math.min(Math.max(sigmas[i], minSigma), range);
  sigmas[n] = range;
  const out = new Float64Array((n + 1) * k);
  const cache = new Map<string, Float64Array>();
  mus.forEach((mu, i) => {
    const sigma = sigmas[i];
    const key = `${mu} ${sigma}`;
    let row = cache.get(key);
    if (!row) {
      const logAccept = Math.log(normalMass((low - mu) / sigma, (high - mu) / sigma));
      row = new Float64Array(k);
      for (let v = 0; v < k; v++) row[v] = Math.log(normalMass((v - 0.5 - mu) / sigma, (v + 0.5 - mu) / sigma)) - logAccept;
      cache.set(key, row);
    }
    out.set(row, i * k);
  });
  return out;
}

interface Trial {
  design: number[];
  /** Optuna minimises: the negated reward. */
  loss: number;
}

export class TpeAgent implements Agent {
  readonly name = 'tpe';
  readonly batchSize: number;
  private readonly hp: TpeHyperparameters;
  private readonly ordinal: boolean[];
  /** Parameters with more than one value (Optuna leaves single-valued ones out of the model). */
  private readonly free: number[];
  private rng: Rng;
  private trials: Trial[] = [];

  constructor(private readonly problem: SearchProblem, opts: { seed: number; hyperparameters?: Partial<TpeHyperparameters> }) {
    this.hp = withDefaults(TPE_DEFAULTS, opts.hyperparameters, 'tpe');
    this.batchSize = Math.max(1, Math.floor(this.hp.batch));
    this.ordinal = problem.nvec.map((_, i) => this.hp.ordinal && (problem.ordered?.[i] ?? false));
    this.free = problem.nvec.map((_, i) => i).filter((i) => problem.nvec[i] > 1);
    this.rng = makeRng(opts.seed);
  }

  begin(): void {}

  ask(n: number): number[][] {
    if (this.trials.length < this.hp.startupTrials) return Array.from({ length: n }, () => this.randomDesign());
    const { below, above } = this.split();
    const groups = this.hp.multivariate ? [this.free] : this.free.map((p) => [p]);
    const lWeights = componentWeights(below.length, this.hp.priorWeight);
    const gWeights = componentWeights(above.length, this.hp.priorWeight);
    const models = groups.map((params) => ({
      params,
      l: new ParzenEstimator(below, params, this.problem.nvec, this.ordinal, this.hp, lWeights),
      g: new ParzenEstimator(above, params, this.problem.nvec, this.ordinal, this.hp, gWeights),
    }));
    return Array.from({ length: n }, () => this.propose(models));
  }

  /** Optuna's RandomSampler: every (allowed) value equally likely. */
  private randomDesign(): number[] {
    return randomDesign(this.problem, this.rng);
  }

  /**
   * A design from the estimators: each group of parameters (all, or one each, in parameter order)
   * from its best candidate, each value within its mask.
   */
  private propose(models: ReadonlyArray<{ params: readonly number[]; l: ParzenEstimator; g: ParzenEstimator }>): number[] {
    const design = new Array<number>(this.problem.nvec.length).fill(0);
    for (const m of models) {
      const maskAt = (j: number, values: readonly number[]): readonly boolean[] | null => {
        values.forEach((v, i) => (design[m.params[i]] = v));
        return maskOf(this.problem, design, m.params[j]);
      };
      const best = this.bestCandidate(m.l, m.g, this.problem.allowed ? maskAt : undefined);
      m.params.forEach((p, j) => (design[p] = best[j]));
    }
    return design;
  }

  /** The candidate drawn from l with the largest log l − log g (the first, on ties). */
  private bestCandidate(l: ParzenEstimator, g: ParzenEstimator, maskAt?: (j: number, values: readonly number[]) => readonly boolean[] | null): number[] {
    let best: number[] = [];
    let bestScore = -Infinity;
    const candidates = Array.from({ length: this.hp.eiCandidates }, () => l.sample(this.rng, maskAt));
    for (const c of candidates) {
      const score = l.logPdf(c) - g.logPdf(c);
      if (best.length === 0 || score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }

  /** The γ(n) trials with the lowest loss (stable: earlier first on ties) and the rest, each in trial order. */
  private split(): { below: number[][]; above: number[][] } {
    const n = this.trials.length;
    const nBelow = Math.min(Math.ceil(this.hp.gamma * n), this.hp.gammaMax);
    const byLoss = this.trials.map((_, i) => i).sort((a, b) => this.trials[a].loss - this.trials[b].loss || a - b);
    const isBelow = new Uint8Array(n);
    for (const i of byLoss.slice(0, nBelow)) isBelow[i] = 1;
    const below: number[][] = [];
    const above: number[][] = [];
    this.trials.forEach((t, i) => (isBelow[i] ? below : above).push(t.design));
    return { below, above };
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    for (const r of results) this.trials.push({ design: [...r.design], loss: -r.reward });
  }

  async state(): Promise<unknown> {
    return { rng: rngState(this.rng), trials: this.trials };
  }

  restore(s: unknown): void {
    const st = s as { rng: number[]; trials: Trial[] };
    this.rng = rngFromState(st.rng);
    this.trials = st.trials;
  }

  stats(): AgentStats {
    const n = this.trials.length;
    return { trials: n, below: n < this.hp.startupTrials ? 0 : Math.min(Math.ceil(this.hp.gamma * n), this.hp.gammaMax) };
  }

  dispose(): void {}
}
