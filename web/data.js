// Data shaping for the dashboard: small functions, separate from drawing. The pure ones (bestSteps,
// paretoFront, growDomain, bestRange, …) take and return plain values; the run-state ones update a
// run's state in place and say what changed, so 50+ events a second cost only the new data.
//
// A run's evaluations are held in columns (typed arrays, one per field and one per parameter), not
// as the objects the server sends: 100,000 evaluations take about 9 MB, and the charts, the
// brushing and the trial table loop over plain numbers.

/** @typedef {import('../src/server/protocol.js').RunInfo} RunInfo */
/** @typedef {import('../src/server/protocol.js').SpaceInfo} SpaceInfo */
/** @typedef {import('../src/server/protocol.js').EvaluationEvent} EvaluationEvent */
/** @typedef {import('../src/server/protocol.js').AgentStatsEvent} AgentStatsEvent */
/** @typedef {'min' | 'max'} Direction */
/** @typedef {{ name: string, subsystem: string | null, values: Array<string | number> }} Axis */

/** A design's value index for a parameter it does not set (or a value outside the space). */
export const MISSING = 0xffff;

/** The per-design metrics of an evaluation, in the protocol's field names, with their units. */
export const DESIGN_METRICS = /** @type {const} */ ([
  { key: 'latencyNs', label: 'latency (total time)', unit: 'ns' },
  { key: 'powerMw', label: 'average power', unit: 'mW' },
  { key: 'avgLatencyNs', label: 'mean request latency', unit: 'ns' },
  { key: 'energyPj', label: 'energy', unit: 'pJ' },
  { key: 'bandwidthGBps', label: 'bandwidth', unit: 'GB/s' },
]);
/** @typedef {(typeof DESIGN_METRICS)[number]['key']} MetricKey */

/** The per-design metrics each objective is made of (`joint` and `pareto` combine power and latency). */
export const OBJECTIVE_METRICS = /** @type {Readonly<Record<string, MetricKey[]>>} */ ({
  power: ['powerMw'],
  latency: ['latencyNs'],
  'avg-latency': ['avgLatencyNs'],
  energy: ['energyPj'],
  bandwidth: ['bandwidthGBps'],
  joint: ['powerMw', 'latencyNs'],
  pareto: ['powerMw', 'latencyNs'],
});

/**
 * Whether `a` is better than `b` (null and NaN are never better; anything beats them).
 * @param {number | null} a @param {number | null} b @param {Direction} direction
 */
function better(a, b, direction) {
  if (a === null || Number.isNaN(a)) return false;
  if (b === null || Number.isNaN(b)) return true;
  return direction === 'min' ? a < b : a > b;
}

/**
 * The best-so-far curve as the points where it changes, plus its last point: a step line of a few
 * dozen points however long the run.
 * @param {ArrayLike<number | null>} best best-so-far values by evaluation (null or NaN: none yet)
 * @param {number} [length] how many of them (default all)
 * @returns {Array<[number, number]>} [evaluations done, best]
 */
export function bestSteps(best, length = best.length) {
  /** @type {Array<[number, number]>} */
  const out = [];
  for (let i = 0; i < length; i++) {
    const b = best[i];
    if (b === null || Number.isNaN(b)) continue;
    if (out.length === 0 || out[out.length - 1][1] !== b) out.push([i + 1, b]);
  }
  const last = length > 0 ? best[length - 1] : null;
  if (last !== null && !Number.isNaN(last) && out.length > 0 && out[out.length - 1][0] !== length) out.push([length, last]);
  return out;
}

/**
 * The y ranges of best-so-far curves. `full` covers every value; `best` leaves out each run's first
 * `share` of evaluations, where a search falls from its first, poor designs: what is left is the
 * range the search spends its time improving in. Reference marks (a true optimum, a target) are
 * always inside. Null when there is nothing to show.
 * The same rule serves both directions: the early values are the poor ones either way.
 * @param {ReadonlyArray<Array<[number, number]>>} curves each run's `bestSteps`
 * @param {ReadonlyArray<number>} [marks]
 * @param {number} [share]
 * @returns {{ full: [number, number], best: [number, number] } | null}
 */
export function bestRange(curves, marks = [], share = 0.05) {
  let lo = Infinity;
  let hi = -Infinity;
  let bestLo = Infinity;
  let bestHi = -Infinity;
  for (const steps of curves) {
    if (steps.length === 0) continue;
    const n = steps[steps.length - 1][0];
    const from = Math.max(1, Math.ceil(share * n));
    // The curve's value after `from` evaluations: the last step at or before it (or the first step).
    let after = steps[0][1];
    for (const [at, v] of steps) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (at <= from) after = v;
      else {
        if (v < bestLo) bestLo = v;
        if (v > bestHi) bestHi = v;
      }
    }
    if (after < bestLo) bestLo = after;
    if (after > bestHi) bestHi = after;
  }
  for (const m of marks) {
    if (!Number.isFinite(m)) continue;
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
    bestLo = Math.min(bestLo, m);
    bestHi = Math.max(bestHi, m);
  }
  if (lo > hi) return null;
  return { full: [lo, hi], best: [bestLo, bestHi] };
}

/**
 * How to show best-so-far curves when the user has not chosen: zoomed to the `best` range when it
 * is under a quarter of the full one (a first design at 311,000 ns would flatten a search that
 * improves from 60,662 to 55,046 ns), and on a log scale when what is shown spans a factor of 10 or more.
 * @param {{ full: [number, number], best: [number, number] }} range
 * @returns {{ zoom: 'best' | 'full', log: boolean }}
 */
export function defaultBestView(range) {
  const span = (/** @type {[number, number]} */ [a, b]) => b - a;
  const zoom = span(range.full) > 0 && span(range.best) < 0.25 * span(range.full) ? 'best' : 'full';
  const [lo, hi] = zoom === 'best' ? range.best : range.full;
  return { zoom, log: lo > 0 && hi / lo >= 10 };
}

/**
 * The Pareto front of 2-D minimisation points (power, latency): indexes of the points no other point
 * dominates, sorted by the first coordinate. Of equal points, the first is kept.
 * @param {ReadonlyArray<readonly [number, number]>} points
 * @returns {number[]}
 */
export function paretoFront(points) {
  const idx = points.map((_, i) => i);
  idx.sort((a, b) => points[a][0] - points[b][0] || points[a][1] - points[b][1] || a - b);
  /** @type {number[]} */
  const front = [];
  let bestSecond = Infinity;
  for (const i of idx) {
    if (points[i][1] < bestSecond) {
      front.push(i);
      bestSecond = points[i][1];
    }
  }
  return front;
}

/**
 * A domain that covers `values`, grown from `domain` with a margin so that it changes rarely as
 * values arrive (each change redraws every mark). Returns the same array when nothing changed.
 * @param {[number, number] | null} domain @param {Iterable<number>} values @param {number} [margin]
 * @returns {[number, number] | null}
 */
export function growDomain(domain, values, margin = 0.1) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return domain;
  if (domain && lo >= domain[0] && hi <= domain[1]) return domain;
  const a = domain ? Math.min(domain[0], lo) : lo;
  const b = domain ? Math.max(domain[1], hi) : hi;
  const pad = (b - a || Math.abs(a) || 1) * margin;
  return [domain && a === domain[0] ? a : a - pad, domain && b === domain[1] ? b : b + pad];
}

/**
 * The design as a DRAMSys mcconfig document: the space's base controller with the design's values.
 * @param {SpaceInfo | null} space @param {Readonly<Record<string, string | number>>} config
 * @returns {{ mcconfig: Record<string, string | number> }}
 */
export function mcconfigOf(space, config) {
  return { mcconfig: { ...(space ? space.base : {}), ...config } };
}

/** @param {string | number} a @param {string | number} b */
function compareValues(a, b) {
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/**
 * The parameters to draw axes for: the space's, or (when the server could not load the space) the
 * values seen in the configs, sorted.
 * @param {SpaceInfo | null} space @param {ReadonlyArray<{ config: Readonly<Record<string, string | number>> }>} evaluations
 * @returns {Axis[]}
 */
export function axesOf(space, evaluations) {
  if (space) return space.parameters.map((p) => ({ name: p.name, subsystem: p.subsystem ?? null, values: p.values }));
  /** @type {Map<string, Set<string | number>>} */
  const seen = new Map();
  for (const e of evaluations) {
    for (const [k, v] of Object.entries(e.config)) {
      if (!seen.has(k)) seen.set(k, new Set());
      seen.get(k)?.add(v);
    }
  }
  return [...seen].map(([name, values]) => ({ name, subsystem: null, values: [...values].sort(compareValues) }));
}

/**
 * Colours of the subsystems, in the order a space's subsystems first appear (d3's Set2 without its
 * grey, then three of Set3): a subsystem no one has named yet is just the next colour.
 */
const SUBSYSTEM_COLORS = ['#66c2a5', '#fc8d62', '#8da0cb', '#e78ac3', '#a6d854', '#ffd92f', '#e5c494', '#80b1d3', '#bc80bd', '#fb8072'];
/** The colour of parameters that belong to no subsystem (a space the server could not load). */
const NO_SUBSYSTEM_COLOR = '#b3b3b3';

/**
 * @typedef {object} AxisGroup a subsystem's parameters
 * @property {string | null} subsystem null: parameters of no known subsystem
 * @property {string} color
 * @property {Axis[]} axes in the space's order
 */

/**
 * The parameters grouped by subsystem, the groups in the order their subsystems first appear in the
 * space. Any subsystem name makes a group: a space with new subsystems needs no change here.
 * @param {ReadonlyArray<Axis>} axes
 * @returns {AxisGroup[]}
 */
export function axisGroups(axes) {
  /** @type {Map<string | null, AxisGroup>} */
  const groups = new Map();
  for (const a of axes) {
    let g = groups.get(a.subsystem);
    if (!g) {
      const named = [...groups.keys()].filter((k) => k !== null).length;
      g = { subsystem: a.subsystem, color: a.subsystem === null ? NO_SUBSYSTEM_COLOR : SUBSYSTEM_COLORS[named % SUBSYSTEM_COLORS.length], axes: [] };
      groups.set(a.subsystem, g);
    }
    g.axes.push(a);
  }
  return [...groups.values()];
}

/**
 * Axes in reading order: grouped by subsystem (the space's slices, in the order they first appear),
 * the space's order within a group.
 * @param {ReadonlyArray<Axis>} axes
 * @returns {Axis[]}
 */
export function groupedAxes(axes) {
  return axisGroups(axes).flatMap((g) => g.axes);
}

/**
 * A name in at most `limit` characters, for a crowded chart: the words of a CamelCase (or
 * hyphenated) name are cut to three letters from the left, the last kept whole
 * (`RequestBufferSizeWrite` → `ReqBufSizeWrite`), so names that differ at the end stay apart; if
 * that is not enough, the end is cut with an ellipsis.
 * @param {string} name @param {number} limit
 */
export function shortName(name, limit) {
  const max = Math.max(2, limit);
  if (name.length <= max) return name;
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^A-Za-z\d]+/g) ?? [name];
  for (let k = 0; k + 1 < words.length; k++) {
    if (/^[A-Za-z]{4,}$/.test(words[k])) words[k] = words[k].slice(0, 3);
    if (words.join('').length <= max) return words.join('');
  }
  const joined = words.join('');
  return joined.length <= max ? joined : `${joined.slice(0, max - 1)}…`;
}

/**
 * A parameter value as a tick label of at most `limit` characters: itself, or a number in SI
 * form (`327680` → `328k` in four), or a shortened name (`ClosedAdaptive` → `CloAd…` in six); ''
 * when even that would say too little (under four characters).
 * @param {string | number} value @param {number} limit
 */
export function tickLabel(value, limit) {
  const text = String(value);
  if (text.length <= limit) return text;
  if (limit < 4) return '';
  if (typeof value === 'number') {
    for (const digits of [3, 2, 1]) {
      const si = siFormat(value, digits);
      if (si.length <= limit) return si;
    }
    return '';
  }
  return shortName(text, limit);
}

/** @param {number} n @param {number} digits significant digits */
function siFormat(n, digits) {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let k = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && k + 1 < prefixes.length) {
    v /= 1000;
    k++;
  }
  return `${Number(v.toPrecision(digits))}${prefixes[k]}`;
}

/**
 * Where the page keeps the user's choice of axes for a space: one entry per set of parameter
 * names, in any order (a space widened or narrowed in its values keeps the choice).
 * @param {ReadonlyArray<Axis>} axes
 */
export function axesStorageKey(axes) {
  // FNV-1a over the sorted names: a short, stable key.
  let h = 0x811c9dc5;
  for (const c of axes.map((a) => a.name).sort().join('\n')) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `marl-dse:axes:${h.toString(16).padStart(8, '0')}`;
}

/**
 * A stored choice of axes read back: the names it lists that the space has; null when there is
 * none or it is not a JSON list of names (edited by hand, or from another version of the page).
 * @param {string | null} text @param {ReadonlyArray<Axis>} axes
 * @returns {Set<string> | null}
 */
export function parseAxesChoice(text, axes) {
  if (text === null) return null;
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string')) return null;
  return new Set(axes.map((a) => a.name).filter((n) => parsed.includes(n)));
}

// Made once: toLocaleString builds a formatter on every call, which a table of numbers feels.
const FORMATS = {
  integer: new Intl.NumberFormat('en-US'),
  large: new Intl.NumberFormat('en-US', { maximumSignificantDigits: 7 }),
  small: new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }),
};

/**
 * A number for people: thousands separators, 4 significant digits for fractions, powers of ten
 * below 0.001 (a loss of 2.2e-8, not 0.000000022).
 * @param {number | null | undefined} n
 */
export function formatValue(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return FORMATS.integer.format(n);
  if (Math.abs(n) < 0.001) return n.toExponential(3).replace(/\.?0+e/, 'e');
  return (Math.abs(n) >= 1000 ? FORMATS.large : FORMATS.small).format(n);
}

/** A value with its unit: `55,046.25 ns`. @param {number | null | undefined} n @param {string} unit */
export function withUnit(n, unit) {
  const v = formatValue(n);
  return unit && v !== '—' ? `${v} ${unit}` : v;
}

// ---- the agent's figures ----

/**
 * The reports as one series per figure, in the order the agent first reported them.
 * @param {ReadonlyArray<AgentStatsEvent>} stats
 * @returns {{ curves: Array<{ name: string, points: Array<[number, number]> }>, counters: Array<{ name: string, value: number }> }}
 */
export function agentSeries(stats) {
  /** @type {Map<string, Array<[number, number]>>} */
  const series = new Map();
  for (const s of stats) {
    for (const [k, v] of Object.entries(s.scalars)) {
      if (!series.has(k)) series.set(k, []);
      series.get(k)?.push([s.evaluations, v]);
    }
  }
  const curves = [];
  const counters = [];
  for (const [name, points] of series) {
    const counter = points.every(([, v], i) => Number.isInteger(v) && (i === 0 || v >= points[i - 1][1]));
    if (counter) counters.push({ name, value: points[points.length - 1][1] });
    else curves.push({ name, points });
  }
  return { curves, counters };
}

/**
 * At most two points per pixel column (its lowest and highest), so a long run draws as fast as a
 * short one and keeps its spikes.
 * @param {Array<[number, number]>} points sorted by x @param {(x: number) => number} px @returns {Array<[number, number]>}
 */
export function thin(points, px) {
  if (points.length < 1000) return points;
  /** @type {Array<[number, number]>} */
  const out = [];
  let column = NaN;
  /** @type {[number, number] | null} */
  let lo = null;
  /** @type {[number, number] | null} */
  let hi = null;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo[0] <= hi[0]) out.push(lo, ...(hi !== lo ? [hi] : []));
    else out.push(hi, lo);
  };
  for (const p of points) {
    const c = Math.floor(px(p[0]));
    if (c !== column) {
      flush();
      column = c;
      lo = hi = p;
    } else {
      if (lo && p[1] < lo[1]) lo = p;
      if (hi && p[1] > hi[1]) hi = p;
    }
  }
  flush();
  return out;
}

// ---- one run's state ----

/**
 * @typedef {object} Columns one entry per evaluation, by index; NaN where the server sent null
 * @property {Uint16Array[]} design per parameter (the run's `axes`): the value's index, MISSING if none
 * @property {Float64Array} value
 * @property {Float64Array} reward
 * @property {Float64Array} best best-so-far
 * @property {Float64Array} powerMw
 * @property {Float64Array} latencyNs
 * @property {Float64Array} avgLatencyNs
 * @property {Float64Array} energyPj
 * @property {Float64Array} bandwidthGBps
 * @property {Uint8Array} simulated
 * @property {Uint8Array} feasible 0: the design breaks a constraint
 */

/**
 * @typedef {object} RunState
 * @property {RunInfo} info
 * @property {SpaceInfo | null} space
 * @property {Axis[]} axes the parameters the designs are indexed by: the space's, or the values seen
 * @property {number} n evaluations held: indexes [0, n)
 * @property {Columns} cols
 * @property {number | null} bestIndex the first evaluation that reached the best value
 * @property {number[]} front indexes of the Pareto front (power, latency)
 * @property {AgentStatsEvent[]} agentStats by evaluations
 * @property {number} epoch bumped when the state is replaced (a snapshot): charts redraw the run
 * @property {Array<Map<string, number>>} lookup per axis: value (as text) → index
 */

const FLOAT_COLUMNS = /** @type {const} */ (['value', 'reward', 'best', 'powerMw', 'latencyNs', 'avgLatencyNs', 'energyPj', 'bandwidthGBps']);
const BYTE_COLUMNS = /** @type {const} */ (['simulated', 'feasible']);

/** @param {number} capacity @param {number} params @returns {Columns} */
function emptyColumns(capacity, params) {
  return {
    design: Array.from({ length: params }, () => new Uint16Array(capacity).fill(MISSING)),
    value: new Float64Array(capacity),
    reward: new Float64Array(capacity),
    best: new Float64Array(capacity),
    powerMw: new Float64Array(capacity),
    latencyNs: new Float64Array(capacity),
    avgLatencyNs: new Float64Array(capacity),
    energyPj: new Float64Array(capacity),
    bandwidthGBps: new Float64Array(capacity),
    simulated: new Uint8Array(capacity),
    feasible: new Uint8Array(capacity),
  };
}

/** Room for `needed` evaluations, doubling. @param {RunState} run @param {number} needed */
function reserve(run, needed) {
  const capacity = run.cols.value.length;
  if (needed <= capacity) return;
  const next = emptyColumns(Math.max(needed, capacity * 2, 64), run.axes.length);
  next.design.forEach((col, p) => col.set(run.cols.design[p].subarray(0, run.n)));
  for (const k of FLOAT_COLUMNS) next[k].set(run.cols[k].subarray(0, run.n));
  for (const k of BYTE_COLUMNS) next[k].set(run.cols[k].subarray(0, run.n));
  run.cols = next;
}

/** @param {ReadonlyArray<Axis>} axes */
function lookupsOf(axes) {
  return axes.map((a) => new Map(a.values.map((v, i) => [String(v), i])));
}

/**
 * Without a space, the axes grow as values appear; a new value keeps each axis sorted, so the
 * stored indexes of that axis are renumbered. Returns whether an axis changed.
 * @param {RunState} run @param {ReadonlyArray<EvaluationEvent>} evaluations
 */
function learnAxes(run, evaluations) {
  if (run.space) return false;
  let changed = false;
  for (const e of evaluations) {
    for (const [k, v] of Object.entries(e.config)) {
      let p = run.axes.findIndex((a) => a.name === k);
      if (p < 0) {
        run.axes.push({ name: k, subsystem: null, values: [] });
        run.lookup.push(new Map());
        run.cols.design.push(new Uint16Array(run.cols.value.length).fill(MISSING));
        p = run.axes.length - 1;
      }
      if (run.lookup[p].has(String(v))) continue;
      const axis = run.axes[p];
      const old = axis.values;
      axis.values = [...old, v].sort(compareValues);
      const renumber = old.map((o) => axis.values.indexOf(o));
      const col = run.cols.design[p];
      for (let i = 0; i < run.n; i++) if (col[i] !== MISSING) col[i] = renumber[col[i]];
      run.lookup[p] = lookupsOf([axis])[0];
      changed = true;
    }
  }
  return changed;
}

/**
 * A run's state from a snapshot (replacing any previous one).
 * @param {{ run: RunInfo, space: SpaceInfo | null, evaluations: EvaluationEvent[], agentStats: AgentStatsEvent[] }} snapshot
 * @param {number} [epoch]
 * @returns {RunState}
 */
export function runFromSnapshot(snapshot, epoch = 0) {
  const axes = axesOf(snapshot.space, []);
  /** @type {RunState} */
  const run = {
    info: snapshot.run,
    space: snapshot.space,
    axes,
    n: 0,
    cols: emptyColumns(Math.max(64, snapshot.evaluations.length), axes.length),
    bestIndex: null,
    front: [],
    agentStats: [],
    epoch,
    lookup: lookupsOf(axes),
  };
  appendEvaluations(run, snapshot.evaluations);
  appendAgentStats(run, snapshot.agentStats);
  return run;
}

/** @param {number | null} v */
const num = (v) => (v === null ? NaN : v);

/**
 * Appends evaluations that continue the run; repeats are skipped.
 * @param {RunState} run @param {ReadonlyArray<EvaluationEvent>} evaluations
 * @returns {{ added: number, gap: boolean, bestChanged: boolean, frontChanged: boolean, axesChanged: boolean }} gap: the
 *   batch starts after the run's end (something was missed: ask for a snapshot)
 */
export function appendEvaluations(run, evaluations) {
  const start = run.n;
  const none = { added: 0, gap: false, bestChanged: false, frontChanged: false, axesChanged: false };
  const fresh = evaluations.filter((e) => e.index >= start);
  if (fresh.length === 0) return none;
  if (fresh.some((e, i) => e.index !== start + i)) return { ...none, gap: true };
  const axesChanged = learnAxes(run, fresh);
  reserve(run, start + fresh.length);
  const c = run.cols;
  const direction = run.info.direction;
  let best = start > 0 ? num(c.best[start - 1]) : NaN;
  let bestChanged = false;
  for (let k = 0; k < fresh.length; k++) {
    const e = fresh[k];
    const i = start + k;
    for (let p = 0; p < run.axes.length; p++) {
      const v = e.config[run.axes[p].name];
      c.design[p][i] = v === undefined ? MISSING : (run.lookup[p].get(String(v)) ?? MISSING);
    }
    const value = num(e.value);
    c.value[i] = value;
    c.reward[i] = num(e.reward);
    c.powerMw[i] = e.powerMw;
    c.latencyNs[i] = e.latencyNs;
    c.avgLatencyNs[i] = e.avgLatencyNs;
    c.energyPj[i] = e.energyPj;
    c.bandwidthGBps[i] = e.bandwidthGBps;
    c.simulated[i] = e.simulated ? 1 : 0;
    c.feasible[i] = e.feasible === false ? 0 : 1;
    // A design that breaks a constraint is never the best, nor on the front, whatever its value.
    if (c.feasible[i] === 1 && better(value, best, direction)) {
      best = value;
      run.bestIndex = i;
      bestChanged = true;
    }
    c.best[i] = best;
  }
  run.n = start + fresh.length;
  // A point dominated once stays dominated: the new front is among the old front and the new points.
  const candidates = [...run.front, ...fresh.filter((e) => e.feasible !== false).map((e) => e.index)];
  const front = paretoFront(candidates.map((i) => /** @type {[number, number]} */ ([c.powerMw[i], c.latencyNs[i]]))).map((k) => candidates[k]);
  const frontChanged = front.length !== run.front.length || front.some((i, k) => i !== run.front[k]);
  run.front = front;
  return { added: fresh.length, gap: false, bestChanged, frontChanged, axesChanged };
}

/**
 * Appends agent reports newer than the last one kept.
 * @param {RunState} run @param {ReadonlyArray<AgentStatsEvent>} stats
 * @returns {number} reports added
 */
export function appendAgentStats(run, stats) {
  const last = run.agentStats.length ? run.agentStats[run.agentStats.length - 1].evaluations : -1;
  const fresh = stats.filter((s) => s.evaluations > last);
  run.agentStats.push(...fresh);
  return fresh.length;
}

/**
 * What identifies a run's parameters and their values: runs with the same key share the charts' axes.
 * @param {RunState} run
 */
export function spaceKey(run) {
  return run.axes.map((a) => `${a.name}:${a.values.join('|')}`).join(';');
}

/**
 * Evaluation `i`'s design as mcconfig values, by parameter name (the parameters it sets).
 * @param {RunState} run @param {number} i
 * @returns {Record<string, string | number>}
 */
export function configAt(run, i) {
  /** @type {Record<string, string | number>} */
  const config = {};
  run.axes.forEach((a, p) => {
    const v = run.cols.design[p][i];
    if (v !== MISSING) config[a.name] = a.values[v];
  });
  return config;
}

/**
 * Evaluation `i` as the server sent it (but `design`, which is the space's value indexes, `best`, and a
 * suite's `traces`, which the page does not keep).
 * @param {RunState} run @param {number} i
 * @returns {EvaluationEvent}
 */
export function evaluationAt(run, i) {
  const c = run.cols;
  /** @param {number} v */
  const orNull = (v) => (Number.isNaN(v) ? null : v);
  return {
    index: i,
    design: c.design.map((col) => col[i]),
    config: configAt(run, i),
    value: orNull(c.value[i]),
    reward: orNull(c.reward[i]),
    best: orNull(c.best[i]),
    powerMw: c.powerMw[i],
    latencyNs: c.latencyNs[i],
    avgLatencyNs: c.avgLatencyNs[i],
    energyPj: c.energyPj[i],
    bandwidthGBps: c.bandwidthGBps[i],
    simulated: c.simulated[i] === 1,
    ...(c.feasible[i] === 0 ? { feasible: false } : {}),
  };
}

/**
 * The run's best design, with the mcconfig to copy.
 * @param {RunState} run
 * @returns {{ evaluation: EvaluationEvent, mcconfig: { mcconfig: Record<string, string | number> } } | null}
 */
export function bestDesign(run) {
  if (run.bestIndex === null || run.bestIndex >= run.n) return null;
  const evaluation = evaluationAt(run, run.bestIndex);
  return { evaluation, mcconfig: mcconfigOf(run.space, evaluation.config) };
}

/**
 * The parameters where `config` differs from `reference`, as `Key=value` (the design's value).
 * @param {ReadonlyArray<Axis>} axes @param {Readonly<Record<string, string | number>>} config
 * @param {Readonly<Record<string, string | number>>} reference
 * @returns {string[]}
 */
export function designDiff(axes, config, reference) {
  /** @type {string[]} */
  const out = [];
  for (const a of axes) {
    const v = config[a.name];
    if (v !== undefined && String(v) !== String(reference[a.name])) out.push(`${a.name}=${v}`);
  }
  return out;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. @param {string | number | null} v */
export function csvField(v) {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Parses the trial table's filter: `Key=Value` terms (each must hold, keys and values without regard
 * to case) and free words (each must appear in the row's text).
 * @param {string} text
 * @returns {{ equals: Array<[string, string]>, words: string[] }}
 */
export function parseTrialFilter(text) {
  /** @type {Array<[string, string]>} */
  const equals = [];
  /** @type {string[]} */
  const words = [];
  for (const term of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([^=]+)=(.*)$/.exec(term);
    if (m) equals.push([m[1].toLowerCase(), m[2].toLowerCase()]);
    else words.push(term.toLowerCase());
  }
  return { equals, words };
}
