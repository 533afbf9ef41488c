// Data shaping for the dashboard: small functions, separate from drawing. The pure ones (bestSoFar,
// paretoFront, growDomain, mcconfigOf, …) take and return plain values; the run-state ones update a
// run's state in place and say what changed, so 50+ events a second cost only the new data.

/** @typedef {import('../src/server/protocol.js').RunInfo} RunInfo */
/** @typedef {import('../src/server/protocol.js').SpaceInfo} SpaceInfo */
/** @typedef {import('../src/server/protocol.js').EvaluationEvent} EvaluationEvent */
/** @typedef {import('../src/server/protocol.js').AgentStatsEvent} AgentStatsEvent */
/** @typedef {'min' | 'max'} Direction */

/**
 * Whether `a` is better than `b` (null is never better; anything beats null).
 * @param {number | null} a @param {number | null} b @param {Direction} direction
 */
export function better(a, b, direction) {
  if (a === null || Number.isNaN(a)) return false;
  if (b === null || Number.isNaN(b)) return true;
  return direction === 'min' ? a < b : a > b;
}

/**
 * The best value up to and including each position.
 * @param {ReadonlyArray<number | null>} values @param {Direction} direction @param {number | null} [start]
 * @returns {Array<number | null>}
 */
export function bestSoFar(values, direction, start = null) {
  const out = new Array(values.length);
  let best = start;
  for (let i = 0; i < values.length; i++) {
    if (better(values[i], best, direction)) best = values[i];
    out[i] = best;
  }
  return out;
}

/**
 * The best-so-far curve as the points where it changes, plus its last point: a step line of a few
 * dozen points however long the run.
 * @param {ReadonlyArray<number | null>} best best-so-far values by evaluation
 * @returns {Array<[number, number]>} [evaluations done, best]
 */
export function bestSteps(best) {
  /** @type {Array<[number, number]>} */
  const out = [];
  for (let i = 0; i < best.length; i++) {
    const b = best[i];
    if (b === null) continue;
    if (out.length === 0 || out[out.length - 1][1] !== b) out.push([i + 1, b]);
  }
  const last = best[best.length - 1];
  if (last !== null && last !== undefined && out.length > 0 && out[out.length - 1][0] !== best.length) out.push([best.length, last]);
  return out;
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
 * @param {[number, number] | null} domain @param {ReadonlyArray<number>} values @param {number} [margin]
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

/**
 * The parameters to draw axes for: the space's, or (when the server could not load the space) the
 * values seen in the configs, sorted.
 * @param {SpaceInfo | null} space @param {ReadonlyArray<EvaluationEvent>} evaluations
 * @returns {Array<{ name: string, values: Array<string | number> }>}
 */
export function axesOf(space, evaluations) {
  if (space) return space.parameters;
  /** @type {Map<string, Set<string | number>>} */
  const seen = new Map();
  for (const e of evaluations) {
    for (const [k, v] of Object.entries(e.config)) {
      if (!seen.has(k)) seen.set(k, new Set());
      seen.get(k)?.add(v);
    }
  }
  return [...seen].map(([name, values]) => ({
    name,
    values: [...values].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)))),
  }));
}

/**
 * A number for people: thousands separators, 4 significant digits for fractions.
 * @param {number | null | undefined} n
 */
export function formatValue(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumSignificantDigits: Math.abs(n) >= 1000 ? 7 : 4 });
}

// ---- one run's state ----

/**
 * @typedef {object} RunState
 * @property {RunInfo} info
 * @property {SpaceInfo | null} space
 * @property {EvaluationEvent[]} evaluations by index
 * @property {Array<number | null>} best best-so-far by index
 * @property {number | null} bestIndex the first evaluation that reached the best value
 * @property {number[]} front indexes of the Pareto front (power, latency)
 * @property {AgentStatsEvent[]} agentStats by evaluations
 * @property {number} epoch bumped when the state is replaced (a snapshot): charts redraw the run
 */

/**
 * A run's state from a snapshot (replacing any previous one).
 * @param {{ run: RunInfo, space: SpaceInfo | null, evaluations: EvaluationEvent[], agentStats: AgentStatsEvent[] }} snapshot
 * @param {number} [epoch]
 * @returns {RunState}
 */
export function runFromSnapshot(snapshot, epoch = 0) {
  /** @type {RunState} */
  const run = { info: snapshot.run, space: snapshot.space, evaluations: [], best: [], bestIndex: null, front: [], agentStats: [], epoch };
  appendEvaluations(run, snapshot.evaluations);
  appendAgentStats(run, snapshot.agentStats);
  return run;
}

/**
 * Appends evaluations that continue the run; repeats are skipped.
 * @param {RunState} run @param {ReadonlyArray<EvaluationEvent>} evaluations
 * @returns {{ added: number, gap: boolean, bestChanged: boolean, frontChanged: boolean }} gap: the batch starts after the
 *   run's end (something was missed: ask for a snapshot)
 */
export function appendEvaluations(run, evaluations) {
  const start = run.evaluations.length;
  const fresh = evaluations.filter((e) => e.index >= start);
  if (fresh.length === 0) return { added: 0, gap: false, bestChanged: false, frontChanged: false };
  if (fresh[0].index !== start || fresh.some((e, i) => e.index !== start + i)) return { added: 0, gap: true, bestChanged: false, frontChanged: false };
  const direction = run.info.direction;
  const previous = start > 0 ? run.best[start - 1] : null;
  const best = bestSoFar(
    fresh.map((e) => e.value),
    direction,
    previous,
  );
  let bestChanged = false;
  fresh.forEach((e, i) => {
    run.evaluations.push(e);
    run.best.push(best[i]);
    if (best[i] !== null && (run.bestIndex === null || best[i] !== (i === 0 ? previous : best[i - 1]))) {
      run.bestIndex = e.index;
      bestChanged = true;
    }
  });
  // A point dominated once stays dominated: the new front is among the old front and the new points.
  const candidates = [...run.front.map((i) => run.evaluations[i]), ...fresh];
  const front = paretoFront(candidates.map((e) => /** @type {[number, number]} */ ([e.powerMw, e.latencyNs]))).map((k) => candidates[k].index);
  const frontChanged = front.length !== run.front.length || front.some((i, k) => i !== run.front[k]);
  run.front = front;
  return { added: fresh.length, gap: false, bestChanged, frontChanged };
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
 * The run's best design, with the mcconfig to copy.
 * @param {RunState} run
 * @returns {{ evaluation: EvaluationEvent, mcconfig: { mcconfig: Record<string, string | number> } } | null}
 */
export function bestDesign(run) {
  if (run.bestIndex === null) return null;
  const evaluation = run.evaluations[run.bestIndex];
  return evaluation ? { evaluation, mcconfig: mcconfigOf(run.space, evaluation.config) } : null;
}
