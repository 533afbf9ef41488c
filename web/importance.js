// Parameter importance: how much each parameter of the design explains a metric, as permutation
// importance from a random forest (Breiman 2001): grow regression trees on bootstrap samples of the
// distinct designs evaluated, then, for each tree and each parameter, shuffle that parameter among
// the designs the tree did not see (its out-of-bag designs) and measure how much its squared error
// grows. A parameter the metric does not depend on costs nothing when shuffled; for an additive
// metric the growth is twice the variance the parameter contributes, so the shares match the
// variance decomposition (what fANOVA reports). Pure functions of their inputs and a seed: the page
// runs them in a worker (importance-worker.js), the tests in Node.

/** A value index outside a parameter's values (the protocol's MISSING): its own category here. */
const MISSING = 0xffff;

/**
 * @typedef {object} ImportanceInput
 * @property {ReadonlyArray<ArrayLike<number>>} columns per parameter, each design's value index (MISSING allowed)
 * @property {ReadonlyArray<number>} levels per parameter, how many values it has
 * @property {ArrayLike<number>} y the metric, per design (NaN: left out)
 * @property {number} n designs
 */

/**
 * @typedef {object} ImportanceOptions
 * @property {number} [trees] default 64
 * @property {number} [minLeaf] fewest designs in a leaf (default 2)
 * @property {number} [maxDepth] default 14
 * @property {number} [maxSamples] distinct designs used at most (a seeded sample; default 4000)
 * @property {number} [seed] default 1
 * @property {boolean} [log] model log(y) when every y is positive (default true): parameters that scale a metric weigh alike at any level
 */

/**
 * @typedef {object} ImportanceResult
 * @property {number[]} share per parameter, in [0, 1], summing to 1 (all 0 when nothing is explained)
 * @property {number[]} raw per parameter, the mean growth of the out-of-bag squared error when shuffled
 * @property {number} r2 the forest's out-of-bag R² (how well the parameters explain the metric; NaN with too few designs)
 * @property {number} designs distinct designs the forest was grown on
 * @property {boolean} log whether log(y) was modelled
 */

/** mulberry32: a small seeded generator, uniform in [0, 1). @param {number} seed */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The distinct designs of the input, each with its mean metric, as columns.
 * @param {ImportanceInput} input
 * @returns {{ x: Uint16Array[], y: Float64Array, m: number }}
 */
function distinctDesigns(input) {
  const P = input.columns.length;
  /** @type {Map<string, number>} */
  const seen = new Map();
  /** @type {number[][]} */
  const rows = [];
  /** @type {number[]} */
  const sums = [];
  /** @type {number[]} */
  const counts = [];
  for (let i = 0; i < input.n; i++) {
    const v = input.y[i];
    if (!Number.isFinite(v)) continue;
    const row = new Array(P);
    for (let p = 0; p < P; p++) {
      const level = input.columns[p][i];
      row[p] = level === MISSING || level >= input.levels[p] ? input.levels[p] : level;
    }
    const key = row.join(',');
    let k = seen.get(key);
    if (k === undefined) {
      k = rows.length;
      seen.set(key, k);
      rows.push(row);
      sums.push(0);
      counts.push(0);
    }
    sums[k] += v;
    counts[k]++;
  }
  const m = rows.length;
  const x = Array.from({ length: P }, (_, p) => Uint16Array.from(rows, (r) => r[p]));
  const y = Float64Array.from(sums, (s, k) => s / counts[k]);
  return { x, y, m };
}

/**
 * @typedef {object} Tree
 * @property {Int32Array} feature per node: the split's parameter, -1 for a leaf
 * @property {Array<Uint8Array | null>} left per node: 1 for the values that go left
 * @property {Int32Array} lo child for values that go left
 * @property {Int32Array} hi child for the others
 * @property {Float64Array} value per node: the mean of its designs (a leaf's prediction)
 * @property {Int32Array} oob the designs its bootstrap sample left out
 */

/**
 * Grows one regression tree on `sample` (indexes into x/y, with repeats).
 * @param {Uint16Array[]} x @param {Float64Array} y @param {number[]} levels (+1 for MISSING)
 * @param {Int32Array} sample @param {() => number} rand @param {{ minLeaf: number, maxDepth: number, mtry: number }} o
 * @returns {Omit<Tree, 'oob'>}
 */
function growTree(x, y, levels, sample, rand, o) {
  const P = x.length;
  const cap = 2 * sample.length + 1;
  const feature = new Int32Array(cap).fill(-1);
  const lo = new Int32Array(cap);
  const hi = new Int32Array(cap);
  const value = new Float64Array(cap);
  /** @type {Array<Uint8Array | null>} */
  const left = [];
  let nodes = 1;
  const maxLevels = Math.max(...levels);
  const count = new Float64Array(maxLevels);
  const sum = new Float64Array(maxLevels);
  const order = new Int32Array(maxLevels);
  const mean = new Float64Array(maxLevels);
  const features = Int32Array.from({ length: P }, (_, p) => p);
  /** @type {Array<[number, number, number, number]>} node, start, end, depth */
  const stack = [[0, 0, sample.length, 0]];
  while (stack.length) {
    const [node, start, end, depth] = /** @type {[number, number, number, number]} */ (stack.pop());
    const n = end - start;
    let total = 0;
    for (let k = start; k < end; k++) total += y[sample[k]];
    value[node] = total / n;
    left[node] = null;
    if (n < 2 * o.minLeaf || depth >= o.maxDepth) continue;
    // mtry parameters drawn without replacement (a partial shuffle).
    for (let k = 0; k < o.mtry; k++) {
      const j = k + Math.floor(rand() * (P - k));
      const t = features[k];
      features[k] = features[j];
      features[j] = t;
    }
    let bestGain = 1e-12 * Math.max(1, Math.abs(total));
    let bestFeature = -1;
    /** @type {Uint8Array | null} */
    let bestLeft = null;
    const base = (total * total) / n;
    for (let k = 0; k < o.mtry; k++) {
      const f = features[k];
      const L = levels[f];
      const col = x[f];
      count.fill(0, 0, L);
      sum.fill(0, 0, L);
      for (let s = start; s < end; s++) {
        const i = sample[s];
        count[col[i]]++;
        sum[col[i]] += y[i];
      }
      // Categories ordered by their mean: the best binary split of a nominal variable for squared
      // error is a prefix of that order (Breiman et al., CART, 1984).
      let present = 0;
      for (let v = 0; v < L; v++) {
        if (count[v] === 0) continue;
        // Insertion sort by mean: a handful of values per parameter.
        const m = sum[v] / count[v];
        mean[v] = m;
        let c = present++;
        while (c > 0 && mean[order[c - 1]] > m) {
          order[c] = order[c - 1];
          c--;
        }
        order[c] = v;
      }
      if (present < 2) continue;
      const ordered = order;
      let nL = 0;
      let sL = 0;
      for (let c = 0; c < present - 1; c++) {
        nL += count[ordered[c]];
        sL += sum[ordered[c]];
        const nR = n - nL;
        if (nL < o.minLeaf || nR < o.minLeaf) continue;
        const sR = total - sL;
        const gain = (sL * sL) / nL + (sR * sR) / nR - base;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestLeft = new Uint8Array(L);
          for (let d = 0; d <= c; d++) bestLeft[ordered[d]] = 1;
        }
      }
    }
    if (bestFeature < 0 || !bestLeft) continue;
    // Partition [start, end) in place: left values first.
    const col = x[bestFeature];
    let a = start;
    let b = end - 1;
    while (a <= b) {
      if (bestLeft[col[sample[a]]]) a++;
      else {
        const t = sample[a];
        sample[a] = sample[b];
        sample[b] = t;
        b--;
      }
    }
    feature[node] = bestFeature;
    left[node] = bestLeft;
    lo[node] = nodes++;
    hi[node] = nodes++;
    stack.push([lo[node], start, a, depth + 1], [hi[node], a, end, depth + 1]);
  }
  return { feature: feature.subarray(0, nodes), left, lo: lo.subarray(0, nodes), hi: hi.subarray(0, nodes), value: value.subarray(0, nodes) };
}

/**
 * The tree's prediction for design i, with parameter `swap` taking the value `swapped` instead.
 * @param {Omit<Tree, 'oob'>} t @param {Uint16Array[]} x @param {number} i @param {number} swap @param {number} swapped
 */
function predict(t, x, i, swap = -1, swapped = 0) {
  let node = 0;
  for (;;) {
    const f = t.feature[node];
    if (f < 0) return t.value[node];
    const v = f === swap ? swapped : x[f][i];
    node = /** @type {Uint8Array} */ (t.left[node])[v] ? t.lo[node] : t.hi[node];
  }
}

/**
 * Permutation importance of each parameter for the metric `input.y`.
 * @param {ImportanceInput} input
 * @param {ImportanceOptions} [options]
 * @returns {ImportanceResult}
 */
export function permutationImportance(input, options = {}) {
  const trees = options.trees ?? 64;
  const minLeaf = options.minLeaf ?? 2;
  const maxDepth = options.maxDepth ?? 14;
  const maxSamples = options.maxSamples ?? 4000;
  const rand = random(options.seed ?? 1);
  const P = input.columns.length;
  const zero = () => new Array(P).fill(0);
  let { x, y, m } = distinctDesigns(input);
  const useLog = (options.log ?? true) && m > 0 && y.every((v) => v > 0);
  if (useLog) y = y.map(Math.log);
  if (m > maxSamples) {
    // A seeded sample of the distinct designs.
    const pick = Int32Array.from({ length: m }, (_, i) => i);
    for (let k = 0; k < maxSamples; k++) {
      const j = k + Math.floor(rand() * (m - k));
      const t = pick[k];
      pick[k] = pick[j];
      pick[j] = t;
    }
    const chosen = pick.subarray(0, maxSamples);
    x = x.map((col) => Uint16Array.from(chosen, (i) => col[i]));
    y = Float64Array.from(chosen, (i) => y[i]);
    m = maxSamples;
  }
  if (m < 4 || P === 0) return { share: zero(), raw: zero(), r2: NaN, designs: m, log: useLog };
  const levels = input.levels.map((l) => l + 1);
  const mtry = Math.max(1, Math.ceil(P / 3));
  const raw = zero();
  const used = zero();
  const oobSum = new Float64Array(m);
  const oobCount = new Uint32Array(m);
  const inBag = new Uint8Array(m);
  const sample = new Int32Array(m);
  for (let t = 0; t < trees; t++) {
    inBag.fill(0);
    for (let k = 0; k < m; k++) {
      const i = Math.floor(rand() * m);
      sample[k] = i;
      inBag[i] = 1;
    }
    const tree = growTree(x, y, levels, sample.slice(), rand, { minLeaf, maxDepth, mtry });
    /** @type {number[]} */
    const oob = [];
    for (let i = 0; i < m; i++) if (!inBag[i]) oob.push(i);
    if (oob.length < 2) continue;
    let baseErr = 0;
    for (const i of oob) {
      const p = predict(tree, x, i);
      oobSum[i] += p;
      oobCount[i]++;
      baseErr += (p - y[i]) ** 2;
    }
    const shuffled = new Int32Array(oob.length);
    for (let p = 0; p < P; p++) {
      shuffled.set(oob);
      for (let k = shuffled.length - 1; k > 0; k--) {
        const j = Math.floor(rand() * (k + 1));
        const tmp = shuffled[k];
        shuffled[k] = shuffled[j];
        shuffled[j] = tmp;
      }
      let err = 0;
      oob.forEach((i, k) => {
        err += (predict(tree, x, i, p, x[p][shuffled[k]]) - y[i]) ** 2;
      });
      raw[p] += (err - baseErr) / oob.length;
      used[p]++;
    }
  }
  const mean = raw.map((r, p) => (used[p] ? r / used[p] : 0));
  const positive = mean.map((r) => Math.max(0, r));
  const total = positive.reduce((a, b) => a + b, 0);
  let sse = 0;
  let sst = 0;
  let yMean = 0;
  let counted = 0;
  for (let i = 0; i < m; i++) {
    if (!oobCount[i]) continue;
    yMean += y[i];
    counted++;
  }
  yMean /= counted || 1;
  for (let i = 0; i < m; i++) {
    if (!oobCount[i]) continue;
    sse += (oobSum[i] / oobCount[i] - y[i]) ** 2;
    sst += (y[i] - yMean) ** 2;
  }
  return {
    share: total > 0 ? positive.map((r) => r / total) : zero(),
    raw: mean,
    r2: sst > 0 ? 1 - sse / sst : NaN,
    designs: m,
    log: useLog,
  };
}
