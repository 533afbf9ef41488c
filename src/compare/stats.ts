/**
 * The statistics of a comparison, written out so they can be checked against published values:
 * the 95 % t confidence interval of a mean, an order-statistic confidence interval of a median,
 * the two-sided Mann-Whitney U test (exact without ties for small samples, the normal
 * approximation with tie and continuity corrections otherwise), Cliff's delta, and Holm's
 * correction for several tests at once.
 */
import jstat from 'jstat';
import { mean as ssMean, median as ssMedian, sampleStandardDeviation } from 'simple-statistics';
import { normalCdf } from '../../common/normal.js';

const { jStat } = jstat;

export function mean(xs: readonly number[]): number {
  return ssMean([...xs]);
}

export function median(xs: readonly number[]): number {
  return ssMedian([...xs]);
}

/** Student's t quantile at 0.975 (two-sided 95 %). */
export function t975(df: number): number {
  return df < 1 ? NaN : jStat.studentt.inv(0.975, df);
}

/** 95 % confidence interval of the mean (t distribution); null below two samples. */
export function meanCi95(xs: readonly number[]): [number, number] | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const h = (t975(xs.length - 1) * sampleStandardDeviation([...xs])) / Math.sqrt(xs.length);
  return [m - h, m + h];
}

function binomialCdf(k: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, i)
  for (let i = 0; i <= k; i++) {
    p += c;
    c = (c * (n - i)) / (i + 1);
  }
  return p / 2 ** n;
}

/**
 * A distribution-free confidence interval of the median: [x(k), x(n+1−k)] with the largest k
 * whose coverage 1 − 2·P(Binomial(n, ½) < k) is at least `level`; the whole range when even k = 1
 * falls short (n ≤ 5 at 95 %). Returns the interval and its actual coverage.
 */
export function medianCi(xs: readonly number[], level = 0.95): { low: number; high: number; coverage: number } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomialCdf(k, n) >= level) k++;
  return { low: s[k - 1], high: s[n - k], coverage: 1 - 2 * binomialCdf(k - 1, n) };
}

/** Midranks of the pooled sample (1-based). */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k][1]] = mid;
    i = j + 1;
  }
  return r;
}

/** Number of ways to choose m of the ranks 1..m+n with rank-sum-minus-minimum u: the exact U distribution. */
function exactUCounts(m: number, n: number): number[] {
  // f[i][j][u] via the recurrence f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u).
  const max = m * n;
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]); // m = 0: only u = 0
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [];
    for (let j = 0; j <= n; j++) {
      const row = new Array<number>(i * j + 1).fill(0);
      for (let u = 0; u <= i * j; u++) {
        const a = u - j >= 0 ? (prev[j][u - j] ?? 0) : 0;
        const b = j > 0 ? (cur[j - 1][u] ?? 0) : 0;
        row[u] = a + b;
      }
      cur.push(row);
    }
    prev = cur;
  }
  const counts = prev[n];
  while (counts.length < max + 1) counts.push(0);
  return counts;
}

/** C(n, k), as a float (exact for the sample sizes a comparison has). */
function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * The smallest two-sided p the exact Mann-Whitney test can give for samples of m and n: the two
 * complete separations are the only outcomes as extreme, each of probability 1 / C(m + n, m).
 */
export function smallestPValue(m: number, n: number): number {
  return Math.min(1, 2 / binomial(m + n, m));
}

/**
 * The fewest seeds per agent with which `tests` Holm-corrected tests of n runs against n can reach
 * p < alpha (Holm multiplies the smallest p by the number of tests).
 */
export function seedsForSignificance(alpha: number, tests = 1): number {
  let n = 1;
  while (tests * smallestPValue(n, n) >= alpha) n++;
  return n;
}

export interface MannWhitney {
  /** U of the first sample: the number of pairs (x, y) with x > y, ties counting ½. */
  u: number;
  pValue: number;
  method: 'exact' | 'normal';
}

/** Two-sided Mann-Whitney U test of `x` against `y`. */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitney {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) return { u: NaN, pValue: NaN, method: 'exact' };
  const r = ranks([...x, ...y]);
  const rx = r.slice(0, m).reduce((a, b) => a + b, 0);
  const u = rx - (m * (m + 1)) / 2;
  const tied = new Set(r).size < r.length;
  if (!tied && m <= 25 && n <= 25) {
    const counts = exactUCounts(m, n);
    const total = counts.reduce((a, b) => a + b, 0);
    const lo = Math.min(u, m * n - u);
    let tail = 0;
    for (let k = 0; k <= lo; k++) tail += counts[k];
    return { u, pValue: Math.min(1, (2 * tail) / total), method: 'exact' };
  }
  const N = m + n;
  const counts = new Map<number, number>();
  for (const v of r) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tieTerm = 0;
  for (const t of counts.values()) tieTerm += t ** 3 - t;
  const sigma = Math.sqrt(((m * n) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  if (sigma === 0) return { u, pValue: 1, method: 'normal' };
  const z = (Math.abs(u - (m * n) / 2) - 0.5) / sigma;
  const p = 2 * normalCdf(-Math.max(0, z));
  return { u, pValue: Math.min(1, p), method: 'normal' };
}

/** Cliff's delta: P(x > y) − P(x < y), from −1 (x always smaller) to 1. */
export function cliffsDelta(x: readonly number[], y: readonly number[]): number {
  let gt = 0, lt = 0;
  for (const a of x) for (const b of y) {
    if (a > b) gt++;
    else if (a < b) lt++;
  }
  return (gt - lt) / (x.length * y.length);
}

/** Holm's step-down adjustment of p-values (family-wise error), in the input order. */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (ps.length - k) * p));
    out[i] = running;
  });
  return out;
}
