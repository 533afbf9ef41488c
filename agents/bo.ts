/**
 * `bo`: Bayesian optimisation with a Gaussian process over the discrete design space.
 *
 * Model. The reward, standardised, is a GP with a Matérn 5/2 kernel over a mixed distance with
 * one length scale per parameter (ARD):
 *   k(x, x') = σf² · (1 + √5 r + 5r²/3) · exp(−√5 r),   r² = Σ_i s_i(x, x') / ℓ_i²,
 *   s_i = [x_i ≠ x'_i]            for a categorical parameter (the Hamming distance, i.e. half the
 *                                  squared distance of one-hot codes, so the kernel stays valid),
 *   s_i = ((x_i − x'_i)/(k_i − 1))² for an ordered one (the value index scaled to [0, 1]),
 * plus noise σn² on the diagonal. σf², σn² and the ℓ_i maximise the log marginal likelihood
 * (analytic gradients, iRprop− in log space, `restarts` starts: the previous optimum and random
 * ones).
 *
 * Acquisition. Expected improvement over the best standardised reward seen, maximised over designs
 * not evaluated yet: `candidates` random designs, then local searches from the best candidates and
 * the best designs seen, each sweeping the parameters in order and moving to the best value of
 * each, until a whole sweep leaves the design as it is (a local maximum over the designs that
 * differ in one parameter). A neighbour's posterior is an update of its parent's (only the points
 * whose distance changes enter), and the values of a categorical parameter that no point takes,
 * alike to the GP, are scored once, by one of them drawn at random.
 *
 * Where the space has rules, every design is valid: random candidates are drawn parameter by
 * parameter within the masks, and a neighbour takes another allowed value of one parameter, the
 * later parameters whose masks that change refuses moved to their nearest allowed value
 * (`withValue`).
 *
 * Practical size. A GP costs O(n³) in the designs it conditions on, so it conditions on at most
 * `maxPoints` (the best half and the most recent half) and refits its hyperparameters every
 * `refitEvery` evaluations on at most `fitPoints` of them: the cost of a proposal stops growing
 * after `maxPoints` evaluations (README, "Practical size").
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { withDefaults } from '../common/hyperparameters.js';
import { normalCdf, normalPdf } from '../common/normal.js';
import { makeRng, type Rng, rngFromState, rngState, uniform01 } from '../common/random.js';
import { type Agent, type AgentStats, type Feedback, maskOf, randomDesign, type SearchProblem, withValue } from './agent.js';

export interface BoHyperparameters {
  /** Random designs before the GP takes over. */
  initialDesigns: number;
  /** Random designs scored per proposal before the local search. */
  candidates: number;
  /** Local searches per proposal, from the best candidates and the best designs seen. */
  localStarts: number;
  /** The GP conditions on at most this many evaluations. */
  maxPoints: number;
  /** Hyperparameters are fitted on at most this many of them… */
  fitPoints: number;
  /** …every this many evaluations. */
  refitEvery: number;
  /** Starts of the likelihood maximisation (the previous optimum counts as one). */
  restarts: number;
  /** iRprop− steps per start. */
  fitIterations: number;
  /** Designs proposed at a time (each from the same model; 1: fully sequential). */
  batch: number;
}

export const BO_DEFAULTS: BoHyperparameters = {
  initialDesigns: 10,
  candidates: 64,
  localStarts: 2,
  maxPoints: 64,
  fitPoints: 64,
  refitEvery: 20,
  restarts: 2,
  fitIterations: 30,
  batch: 1,
};

/** What each hyperparameter does, for `--hp help` and the README's table (checked against it). */
export const BO_MEANINGS: Record<keyof BoHyperparameters, string> = {
  initialDesigns: 'random designs before the GP takes over',
  candidates: 'random designs scored per proposal',
  localStarts: 'local searches per proposal (half from the best candidates, half from the best designs seen)',
  maxPoints: 'evaluations the GP conditions on, at most',
  fitPoints: 'evaluations the hyperparameters are fitted on, at most',
  refitEvery: 'evaluations between hyperparameter fits',
  restarts: 'starts of the likelihood maximisation (the previous optimum is one)',
  fitIterations: 'iRprop− steps per start',
  batch: 'designs proposed at a time (each from the same model)',
};

/** Bounds of the log hyperparameters: length scales, signal variance, noise variance. */
const LOG_ELL: [number, number] = [Math.log(0.01), Math.log(100)];
const LOG_SIGNAL: [number, number] = [Math.log(0.01), Math.log(100)];
const LOG_NOISE: [number, number] = [Math.log(1e-6), Math.log(1)];
const SQRT5 = Math.sqrt(5);

/** In-place Cholesky factorisation of the n×n row-major matrix `a` (lower triangle); false if not positive definite. */
function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solves L x = b (L lower triangular), in place in `b`. */
function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Solves Lᵀ x = b, in place in `b`. */
function solveUpper(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** The GP's hyperparameters, in log space: [log ℓ_1 … log ℓ_D, log σf², log σn²]. */
type Theta = number[];

/** EI = (μ − yBest) Φ(z) + σ φ(z), z = (μ − yBest) / σ, from the posterior mean and variance. */
function expectedImprovementOf(mean: number, variance: number, yBest: number): number {
  const sd = Math.sqrt(Math.max(variance, 1e-12));
  const z = (mean - yBest) / sd;
  return (mean - yBest) * normalCdf(z) + sd * normalPdf(z);
}

/**
 * The posterior at a design, kept to score its one-parameter neighbours incrementally: per
 * conditioning point j, r²_j and k_j = k(x, x_j); w = K⁻¹k; the mean αᵀk and q = kᵀK⁻¹k.
 */
export interface Posterior {
  readonly design: readonly number[];
  readonly r2: Float64Array;
  readonly k: Float64Array;
  readonly w: Float64Array;
  readonly mean: number;
  readonly q: number;
}

/**
 * A GP fitted to designs: the Cholesky factor of K + σn² I, α = K⁻¹ y and K⁻¹ itself (for
 * neighbours, below).
 */
export class GaussianProcess {
  readonly n: number;
  private readonly chol: Float64Array;
  private readonly alpha: Float64Array;
  private readonly inverse: Float64Array;
  /** Per parameter, 1 / ℓ_i² (s_i / ℓ_i² = tables[i][…] · invEll2[i]). */
  private readonly invEll2: Float64Array;
  private readonly signal: number;
  /** The points' values, point-major: points[j][i] = flat[j · D + i]. */
  private readonly flat: Int32Array;
  /** Per parameter and value, the points that take it (built on first use). */
  private readonly byValue: Array<Int32Array[] | undefined>;
  /** Scratch for `neighbourEi`: the points whose kernel changes, their change, a stamp per point. */
  private readonly touched: Int32Array;
  private readonly delta: Float64Array;
  private readonly stamp: Int32Array;
  private generation = 0;

  constructor(points: ReadonlyArray<readonly number[]>, private readonly dist: Distance, theta: Theta, y: Float64Array) {
    this.n = points.length;
    const D = dist.dims;
    this.invEll2 = Float64Array.from({ length: D }, (_, i) => Math.exp(-2 * theta[i]));
    this.signal = Math.exp(theta[D]);
    const noise = Math.exp(theta[D + 1]);
    const n = this.n;
    this.chol = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const k = this.kernel(points[i], points[j]);
        this.chol[i * n + j] = k;
        this.chol[j * n + i] = k;
      }
      this.chol[i * n + i] += noise;
    }
    // Jitter until positive definite (duplicates with long length scales make K near singular).
    const base = Float64Array.from(this.chol);
    for (let jitter = 1e-8; !cholesky(this.chol, n); jitter *= 10) {
      this.chol.set(base);
      for (let i = 0; i < n; i++) this.chol[i * n + i] += jitter * this.signal;
    }
    this.alpha = Float64Array.from(y);
    solveLower(this.chol, n, this.alpha);
    solveUpper(this.chol, n, this.alpha);
    this.inverse = inverseFromCholesky(this.chol, n);
    this.flat = Int32Array.from(points.flat());
    this.byValue = new Array(D);
    this.touched = new Int32Array(n);
    this.delta = new Float64Array(n);
    this.stamp = new Int32Array(n);
  }

  private kernel(a: readonly number[], b: readonly number[]): number {
    let r2 = 0;
    for (let i = 0; i < a.length; i++) r2 += this.dist.tables[i][a[i] * this.dist.nvec[i] + b[i]] * this.invEll2[i];
    return this.matern(r2);
  }

  private matern(r2: number): number {
    const r = Math.sqrt(r2);
    return this.signal * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
  }

  /** r²_j and k_j = k(design, x_j) for every point j, into `r2` and `k`. */
  private kernelRow(design: readonly number[], r2: Float64Array, k: Float64Array): void {
    const D = this.dist.dims;
    const { tables, nvec } = this.dist;
    const { flat, invEll2 } = this;
    const base = new Int32Array(D);
    for (let i = 0; i < D; i++) base[i] = design[i] * nvec[i];
    for (let j = 0; j < this.n; j++) {
      const o = j * D;
      let s = 0;
      for (let i = 0; i < D; i++) s += tables[i][base[i] + flat[o + i]] * invEll2[i];
      r2[j] = s;
      k[j] = this.matern(s);
    }
  }

  /** Expected improvement over `yBest` of each design: μ = kᵀα, σ² = σf² − ‖L⁻¹k‖². */
  expectedImprovement(designs: ReadonlyArray<readonly number[]>, yBest: number): Float64Array {
    const r2 = new Float64Array(this.n);
    const k = new Float64Array(this.n);
    return Float64Array.from(designs, (d) => {
      this.kernelRow(d, r2, k);
      let mean = 0;
      for (let j = 0; j < this.n; j++) mean += k[j] * this.alpha[j];
      solveLower(this.chol, this.n, k);
      let variance = this.signal;
      for (let j = 0; j < this.n; j++) variance -= k[j] * k[j];
      return expectedImprovementOf(mean, variance, yBest);
    });
  }

  /** The posterior at `design`, in O(nD + n²). */
  posterior(design: readonly number[]): Posterior {
    const n = this.n;
    const { alpha, inverse } = this;
    const r2 = new Float64Array(n);
    const k = new Float64Array(n);
    this.kernelRow(design, r2, k);
    const w = new Float64Array(n);
    let mean = 0;
    let q = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += inverse[j * n + l] * k[l];
      w[j] = s;
      q += k[j] * s;
      mean += k[j] * alpha[j];
    }
    return { design, r2, k, w, mean, q };
  }

  /** Expected improvement over `yBest` at the design of a posterior. */
  posteriorEi(at: Posterior, yBest: number): number {
    return expectedImprovementOf(at.mean, this.signal - at.q, yBest);
  }

  /** The points whose value of categorical parameter i is v. */
  private pointsWith(i: number, v: number): Int32Array {
    let groups = this.byValue[i];
    if (!groups) {
      const D = this.dist.dims;
      const lists: number[][] = Array.from({ length: this.dist.nvec[i] }, () => []);
      for (let j = 0; j < this.n; j++) lists[this.flat[j * D + i]].push(j);
      groups = this.byValue[i] = lists.map((js) => Int32Array.from(js));
    }
    return groups[v];
  }

  /** Whether some point the GP conditions on has value v of parameter i. */
  takes(i: number, v: number): boolean {
    return this.pointsWith(i, v).length > 0;
  }

  /**
   * Expected improvement at `design`, which differs from `at.design` in the parameters `changed`.
   * Only the points whose distance to it changes enter: for a categorical parameter those that
   * take its old or its new value, for an ordered one all. With δ the change of the kernel row,
   *   μ = αᵀ(k + δ),   σ² = σf² − (q + 2 wᵀδ + δᵀK⁻¹δ),
   * O(|changed| · m + m²) for m such points instead of O(nD + n²).
   */
  neighbourEi(at: Posterior, design: readonly number[], changed: readonly number[], yBest: number): number {
    const n = this.n;
    const D = this.dist.dims;
    const gen = ++this.generation;
    let m = 0;
    const touch = (j: number): void => {
      if (this.stamp[j] !== gen) {
        this.stamp[j] = gen;
        this.touched[m++] = j;
      }
    };
    for (const i of changed) {
      if (this.dist.ordered[i]) for (let j = 0; j < n; j++) touch(j);
      else {
        for (const j of this.pointsWith(i, at.design[i])) touch(j);
        for (const j of this.pointsWith(i, design[i])) touch(j);
      }
    }
    const { touched, delta, inverse, flat, invEll2 } = this;
    const { tables, nvec } = this.dist;
    let mean = at.mean;
    let q = at.q;
    for (let t = 0; t < m; t++) {
      const j = touched[t];
      let r2 = at.r2[j];
      for (const i of changed) {
        const p = flat[j * D + i];
        const k = nvec[i];
        r2 += (tables[i][design[i] * k + p] - tables[i][at.design[i] * k + p]) * invEll2[i];
      }
      const d = this.matern(Math.max(r2, 0)) - at.k[j];
      delta[t] = d;
      mean += this.alpha[j] * d;
      q += 2 * at.w[j] * d;
    }
    // δᵀK⁻¹δ over the lower triangle (K⁻¹ is symmetric).
    for (let t = 0; t < m; t++) {
      const row = touched[t] * n;
      let s = 0;
      for (let u = 0; u < t; u++) s += inverse[row + touched[u]] * delta[u];
      q += delta[t] * (2 * s + inverse[row + touched[t]] * delta[t]);
    }
    return expectedImprovementOf(mean, this.signal - q, yBest);
  }
}

/** Per-parameter distances s_i of the mixed kernel, as a table over pairs of values. */
export class Distance {
  readonly dims: number;
  /** tables[i][a · k_i + b] = s_i(a, b) */
  readonly tables: Float64Array[];

  constructor(readonly nvec: readonly number[], readonly ordered: readonly boolean[]) {
    this.dims = nvec.length;
    this.tables = nvec.map((k, i) => {
      const t = new Float64Array(k * k);
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) t[a * k + b] = a === b ? 0 : ordered[i] ? ((a - b) / (k - 1)) ** 2 : 1;
      return t;
    });
  }

  s(i: number, a: number, b: number): number {
    return this.tables[i][a * this.nvec[i] + b];
  }
}

/** K⁻¹ from the Cholesky factor L of K: L⁻¹ by forward substitution, then L⁻ᵀ L⁻¹ (symmetric, both triangles). */
function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = inv[j * n + i] = s;
    }
  }
  return inv;
}

/**
 * The log marginal likelihood of standardised rewards `y` at `points` and its gradient in θ:
 *   log p(y) = −½ yᵀα − Σ log L_ii − (n/2) log 2π,   ∂/∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ).
 * `s` is `pairDistances(points, dist)`.
 */
export function logLikelihood(points: ReadonlyArray<readonly number[]>, y: Float64Array, dist: Distance, s: Float64Array, theta: Theta): { value: number; grad: number[] } | null {
  const n = points.length;
  const D = dist.dims;
  const invEll2 = Float64Array.from({ length: D }, (_, i) => Math.exp(-2 * theta[i]));
  const signal = Math.exp(theta[D]);
  const noise = Math.exp(theta[D + 1]);
  const k = new Float64Array(n * n);
  /** ∂k/∂(r²) / (−1), per pair (lower triangle), to share between the length-scale gradients. */
  const dk = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const o = ((i * (i + 1)) / 2 + j) * D;
      let r2 = 0;
      for (let d = 0; d < D; d++) r2 += s[o + d] * invEll2[d];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      k[i * n + j] = k[j * n + i] = signal * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      dk[i * n + j] = signal * (5 / 6) * (1 + SQRT5 * r) * e;
    }
    k[i * n + i] += noise;
  }
  const l = Float64Array.from(k);
  if (!cholesky(l, n)) return null;
  const alpha = Float64Array.from(y);
  solveLower(l, n, alpha);
  solveUpper(l, n, alpha);
  let value = -0.5 * n * Math.log(2 * Math.PI);
  for (let i = 0; i < n; i++) value -= 0.5 * y[i] * alpha[i] + Math.log(l[i * n + i]);
  const inv = inverseFromCholesky(l, n);
  // W = ααᵀ − K⁻¹ (symmetric); each gradient is ½ Σ_ij W_ij ∂K_ij/∂θ, the lower triangle counted twice.
  const grad = new Array<number>(D + 2).fill(0);
  const g = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const w = (alpha[i] * alpha[j] - inv[i * n + j]) * (i === j ? 0.5 : 1);
      const kij = k[i * n + j] - (i === j ? noise : 0);
      grad[D] += w * kij;
      if (i === j) grad[D + 1] += w * noise;
      // ∂k/∂log ℓ_d = (−∂k/∂r²) · 2 s_d / ℓ_d²
      const c = 2 * w * dk[i * n + j];
      if (c !== 0) {
        const o = ((i * (i + 1)) / 2 + j) * D;
        for (let d = 0; d < D; d++) g[d] += c * s[o + d];
      }
    }
  }
  for (let d = 0; d < D; d++) grad[d] = g[d] * invEll2[d];
  return { value, grad };
}

/** s_d(x_i, x_j) for every pair j ≤ i of `points` and parameter d, pair-major: [(i(i+1)/2 + j) · D + d]. */
export function pairDistances(points: ReadonlyArray<readonly number[]>, dist: Distance): Float64Array {
  const n = points.length;
  const D = dist.dims;
  const out = new Float64Array(((n * (n + 1)) / 2) * D);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) for (let d = 0; d < D; d++) out[((i * (i + 1)) / 2 + j) * D + d] = dist.s(d, points[i][d], points[j][d]);
  return out;
}

const bounds = (D: number): Array<[number, number]> => [...new Array<[number, number]>(D).fill(LOG_ELL), LOG_SIGNAL, LOG_NOISE];

/** Maximises the log likelihood from `start` by iRprop− (sign-based steps in log space, within bounds). */
function fit(points: ReadonlyArray<readonly number[]>, y: Float64Array, dist: Distance, start: Theta, iterations: number): { theta: Theta; value: number } {
  const D = dist.dims;
  const s = pairDistances(points, dist);
  const box = bounds(D);
  let theta = [...start];
  let cur = logLikelihood(points, y, dist, s, theta);
  let best = { theta: [...theta], value: cur?.value ?? -Infinity };
  const step = new Array<number>(D + 2).fill(0.1);
  let prev = new Array<number>(D + 2).fill(0);
  for (let it = 0; it < iterations && cur; it++) {
    const g = [...cur.grad];
    const next = theta.map((t, p) => {
      if (g[p] * prev[p] > 0) step[p] = Math.min(step[p] * 1.2, 1);
      else if (g[p] * prev[p] < 0) {
        step[p] = Math.max(step[p] * 0.5, 1e-6);
        g[p] = 0;
      }
      return Math.min(box[p][1], Math.max(box[p][0], t + Math.sign(g[p]) * step[p]));
    });
    prev = g;
    const trial = logLikelihood(points, y, dist, s, next);
    if (!trial) {
      for (let p = 0; p < step.length; p++) step[p] *= 0.5;
      continue;
    }
    theta = next;
    cur = trial;
    if (cur.value > best.value) best = { theta: [...theta], value: cur.value };
  }
  return best;
}

export type DesignKey = number | string;

/**
 * A design's set key: its number in the space (mixed radix) where every design has its own double,
 * else the numbers of consecutive groups of parameters, each group's below 2^53, joined (a single
 * number beyond 2^53 designs would round designs that differ only in their last parameters to the
 * same double).
 */
export function designKey(nvec: readonly number[]): (d: readonly number[]) => DesignKey {
  const starts = [0];
  for (let i = 0, size = 1; i < nvec.length; i++) {
    if (size * nvec[i] > Number.MAX_SAFE_INTEGER) {
      starts.push(i);
      size = 1;
    }
    size *= nvec[i];
  }
  const number = (d: readonly number[], from: number, to: number): number => {
    let k = 0;
    for (let i = from; i < to; i++) k = k * nvec[i] + d[i];
    return k;
  };
  if (starts.length === 1) return (d) => number(d, 0, d.length);
  const ends = [...starts.slice(1), nvec.length];
  return (d) => {
    let key = `${number(d, 0, ends[0])}`;
    for (let g = 1; g < starts.length; g++) key += `,${number(d, starts[g], ends[g])}`;
    return key;
  };
}

interface Observation {
  design: number[];
  reward: number;
}

export class BoAgent implements Agent {
  readonly name = 'bo';
  readonly batchSize: number;
  private readonly hp: BoHyperparameters;
  private readonly dist: Distance;
  private rng: Rng;
  private observations: Observation[] = [];
  /** Keys of the designs evaluated. */
  private seen = new Set<DesignKey>();
  /** A design as a set key. */
  private readonly key: (d: readonly number[]) => DesignKey;
  private theta: Theta;
  private fittedAt = -Infinity;
  private lastLikelihood = NaN;
  /** Per parameter: no mask reads it, so a change to it changes nothing else (`withValue`). */
  private readonly unread: boolean[];
  /** Per parameter: categorical and unread, so its values differ to the GP only through the points. */
  private readonly interchangeable: boolean[];

  constructor(private readonly problem: SearchProblem, opts: { seed: number; hyperparameters?: Partial<BoHyperparameters> }) {
    this.hp = withDefaults(BO_DEFAULTS, opts.hyperparameters, 'bo');
    this.batchSize = Math.max(1, Math.floor(this.hp.batch));
    this.dist = new Distance(problem.nvec, problem.ordered ?? problem.nvec.map(() => false));
    this.key = designKey(problem.nvec);
    this.theta = [...new Array<number>(problem.nvec.length).fill(0), 0, Math.log(1e-3)];
    this.rng = makeRng(opts.seed);
    const read = (i: number): boolean => !problem.dependsOn || problem.dependsOn.some((reads, j) => j > i && reads.includes(i));
    this.unread = problem.nvec.map((_, i) => !problem.allowed || !read(i));
    this.interchangeable = problem.nvec.map((_, i) => this.unread[i] && !this.dist.ordered[i]);
  }

  begin(): void {}

  private randomDesign(): number[] {
    return randomDesign(this.problem, this.rng);
  }

  /**
   * Designs that differ from `d` in parameter i (and in later ones whose masks the change
   * refuses), with the parameters they differ in. Values of an interchangeable parameter that no
   * point of `gp` takes are alike to the GP (same distance to every point, so the same posterior):
   * one of them, drawn at random, stands for them all.
   */
  private neighboursAlong(d: readonly number[], i: number, gp: GaussianProcess): Array<{ design: number[]; changed: number[] }> {
    const out: Array<{ design: number[]; changed: number[] }> = [];
    const add = (v: number): void => {
      if (this.unread[i]) {
        const design = [...d];
        design[i] = v;
        out.push({ design, changed: [i] });
        return;
      }
      const design = withValue(this.problem, d, i, v);
      const changed: number[] = [];
      for (let j = i; j < design.length; j++) if (design[j] !== d[j]) changed.push(j);
      out.push({ design, changed });
    };
    const mask = maskOf(this.problem, d, i);
    const unseen: number[] = [];
    for (let v = 0; v < this.problem.nvec[i]; v++) {
      if (v === d[i] || (mask && !mask[v])) continue;
      if (this.interchangeable[i] && !gp.takes(i, v)) unseen.push(v);
      else add(v);
    }
    if (unseen.length > 0) add(unseen[uniformInt(this.rng, 0, unseen.length - 1)]);
    return out;
  }

  /** The evaluations the GP conditions on: all, or the best half and the most recent half of `limit`. */
  private conditioningSet(limit: number): Observation[] {
    const obs = this.observations;
    if (obs.length <= limit) return obs;
    const byReward = obs.map((_, i) => i).sort((a, b) => obs[b].reward - obs[a].reward || a - b);
    const keep = new Set(byReward.slice(0, Math.floor(limit / 2)));
    for (let i = obs.length - 1; keep.size < limit; i--) keep.add(i);
    return [...keep].sort((a, b) => a - b).map((i) => obs[i]);
  }

  private standardise(obs: readonly Observation[]): Float64Array {
    const mean = obs.reduce((a, o) => a + o.reward, 0) / obs.length;
    const sd = Math.sqrt(obs.reduce((a, o) => a + (o.reward - mean) ** 2, 0) / obs.length) || 1;
    return Float64Array.from(obs, (o) => (o.reward - mean) / sd);
  }

  /** Refits the hyperparameters when due: from the previous optimum and `restarts − 1` random starts. */
  private refit(): void {
    const n = this.observations.length;
    if (n - this.fittedAt < this.hp.refitEvery) return;
    const obs = this.conditioningSet(this.hp.fitPoints);
    const points = obs.map((o) => o.design);
    const y = this.standardise(obs);
    const D = this.dist.dims;
    let best = fit(points, y, this.dist, this.theta, this.hp.fitIterations);
    for (let r = 1; r < this.hp.restarts; r++) {
      const start = bounds(D).map(([lo, hi], p) => (p === D + 1 ? Math.log(1e-3) : lo + (hi - lo) * (0.25 + 0.5 * uniform01(this.rng))));
      const f = fit(points, y, this.dist, start, this.hp.fitIterations);
      if (f.value > best.value) best = f;
    }
    this.theta = best.theta;
    this.lastLikelihood = best.value;
    this.fittedAt = n;
  }

  ask(n: number): number[][] {
    const ready = this.observations.length >= this.hp.initialDesigns;
    if (ready) this.refit();
    const obs = this.conditioningSet(this.hp.maxPoints);
    const y = this.standardise(obs);
    const gp = ready ? new GaussianProcess(obs.map((o) => o.design), this.dist, this.theta, y) : null;
    const proposed = new Set<DesignKey>();
    const taken = (k: DesignKey): boolean => this.seen.has(k) || proposed.has(k);
    return Array.from({ length: n }, () => {
      const d = gp ? this.maximiseEi(gp, Math.max(...y), obs, taken) : this.randomDesignNotIn(taken);
      proposed.add(this.key(d));
      return d;
    });
  }

  /** A random design not taken (any design when none is left to find). */
  private randomDesignNotIn(taken: (k: DesignKey) => boolean): number[] {
    for (let tries = 0; tries < 1000; tries++) {
      const d = this.randomDesign();
      if (!taken(this.key(d))) return d;
    }
    return this.randomDesign();
  }

  /**
   * The design not taken with the largest expected improvement found: random candidates, then
   * coordinate sweeps over one-parameter neighbours from the best candidates and the best designs
   * seen. A taken design scores −∞, so a search from a design seen moves to its best neighbour.
   * Every design scored is valid: the random ones are drawn within the masks, and
   * `neighboursAlong` keeps to them. Each design is scored once per proposal (a neighbour
   * incrementally from the design it neighbours), so a search strictly climbs and ends.
   */
  private maximiseEi(gp: GaussianProcess, yBest: number, obs: readonly Observation[], taken: (k: DesignKey) => boolean): number[] {
    const scores = new Map<DesignKey, number>();
    const random = Array.from({ length: this.hp.candidates }, () => this.randomDesign());
    const randomEi = gp.expectedImprovement(random, yBest);
    const byEi = random
      .map((d, i) => ({ d, ei: taken(this.key(d)) ? -Infinity : randomEi[i] }))
      .filter((c) => c.ei > -Infinity)
      .sort((a, b) => b.ei - a.ei)
      .map((c) => c.d);
    const bestSeen = [...obs].sort((a, b) => b.reward - a.reward).map((o) => o.design);
    const starts = [...byEi.slice(0, Math.ceil(this.hp.localStarts / 2)), ...bestSeen.slice(0, Math.floor(this.hp.localStarts / 2))];
    let best: number[] | null = null;
    let bestEi = -Infinity;
    const D = this.problem.nvec.length;
    for (const start of starts) {
      let cur = start;
      let at = gp.posterior(cur);
      const startKey = this.key(cur);
      if (!scores.has(startKey)) scores.set(startKey, taken(startKey) ? -Infinity : gp.posteriorEi(at, yBest));
      let curEi = scores.get(startKey)!;
      // Sweeps over the parameters, each moving to its best value, until D in a row leave it.
      for (let i = 0, idle = 0; idle < D; i = (i + 1) % D) {
        let next: number[] | null = null;
        for (const { design, changed } of this.neighboursAlong(cur, i, gp)) {
          const k = this.key(design);
          let e = scores.get(k);
          if (e === undefined) {
            e = taken(k) ? -Infinity : gp.neighbourEi(at, design, changed, yBest);
            scores.set(k, e);
          }
          if (e > curEi) {
            next = design;
            curEi = e;
          }
        }
        if (next) {
          cur = next;
          at = gp.posterior(cur);
          idle = 1;
        } else idle++;
      }
      if (curEi > bestEi) {
        best = cur;
        bestEi = curEi;
      }
    }
    return best ?? this.randomDesignNotIn(taken);
  }

  async tell(results: readonly Feedback[]): Promise<void> {
    for (const r of results) {
      this.observations.push({ design: [...r.design], reward: r.reward });
      this.seen.add(this.key(r.design));
    }
  }

  async state(): Promise<unknown> {
    return { rng: rngState(this.rng), observations: this.observations, theta: this.theta, fittedAt: this.fittedAt, lastLikelihood: this.lastLikelihood };
  }

  restore(s: unknown): void {
    const st = s as { rng: number[]; observations: Observation[]; theta: Theta; fittedAt: number | null; lastLikelihood: number | null };
    this.rng = rngFromState(st.rng);
    this.observations = st.observations;
    this.seen = new Set(st.observations.map((o) => this.key(o.design)));
    this.theta = st.theta;
    // JSON turns −Infinity and NaN into null.
    this.fittedAt = st.fittedAt ?? -Infinity;
    this.lastLikelihood = st.lastLikelihood ?? NaN;
  }

  stats(): AgentStats {
    const D = this.dist.dims;
    const out: AgentStats = { observations: this.observations.length, signalVariance: Math.exp(this.theta[D]), noiseVariance: Math.exp(this.theta[D + 1]) };
    if (Number.isFinite(this.lastLikelihood)) out.logLikelihood = this.lastLikelihood;
    return out;
  }

  dispose(): void {}
}
