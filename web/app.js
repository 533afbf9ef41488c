// The dashboard page: the run list, the selected runs' state, and the charts. Messages from the
// server are queued and applied once per animation frame, then each chart that changed is updated
// once: at 50+ evaluations a second the page does one small update per frame, not one per event.
// Parameter importance is computed in a worker (importance-worker.js) a few times a minute at most.
import d3 from './d3.js';
import { appendAgentStats, appendEvaluations, bestDesign, DESIGN_METRICS, formatValue, OBJECTIVE_METRICS, runFromSnapshot, spaceKey, withUnit } from './data.js';
import { connect, PROTOCOL_VERSION } from './socket.js';
import { bestChart } from './charts/best.js';
import { scatterChart } from './charts/scatter.js';
import { parallelChart } from './charts/parallel.js';
import { heatmapChart } from './charts/heatmap.js';
import { curvesChart } from './charts/curves.js';
import { importanceChart } from './charts/importance.js';
import { trialTable } from './charts/trials.js';

/** @typedef {import('./data.js').RunState} RunState */
/** @typedef {import('./data.js').RunInfo} RunInfo */
/** @typedef {import('./socket.js').ServerMessage} ServerMessage */

const model = {
  /** @type {RunInfo[]} */
  runList: [],
  /** Subscribed runs' state. @type {Map<number, RunState>} */
  runs: new Map(),
  /** Selected run ids, in the order they were selected. @type {number[]} */
  selected: selectionFromHash(),
  /** The run the heat map and the best design show. @type {number | null} */
  focus: null,
  /** @type {Map<number, string>} */
  colors: new Map(),
  /** The comparison this store belongs to, if any. @type {import('../src/server/protocol.js').ComparisonInfo | null} */
  comparison: null,
  epoch: 0,
  /** Opened without a selection, and the user has not chosen yet: the page follows the one running run. */
  autoFollow: selectionFromHash().length === 0,
};

/** What the page has done, for its header and for tests (`window.__dashboard`). */
const metrics = {
  connected: false,
  connections: 0,
  messages: 0,
  evaluationsApplied: 0,
  snapshots: 0,
  resyncs: 0,
  gaps: 0,
  frames: 0,
  lastFrameMs: 0,
  maxFrameMs: 0,
  /** Durations of the frames that applied a new brush (the last 1,000). @type {number[]} */
  brushFrameMs: [],
  /** Evaluations the store gained per second over the last three seconds, all runs (selected or not). */
  evaluationsPerSecond: 0,
  /** @type {string | null} */
  lastError: null,
};

/**
 * @typedef {object} Charts
 * @property {ReturnType<typeof bestChart>} best
 * @property {ReturnType<typeof scatterChart>} scatter
 * @property {ReturnType<typeof parallelChart>} parallel
 * @property {ReturnType<typeof importanceChart>} importance
 * @property {ReturnType<typeof trialTable>} trials
 * @property {ReturnType<typeof heatmapChart>} heatmap
 * @property {ReturnType<typeof curvesChart>} curves
 */
/** @type {Charts | null} */
let charts = null;
const dirty = { runList: true, charts: false, details: false, comparison: false, selection: false };
let runListStale = false;

// ---- selection ----

function selectionFromHash() {
  const m = /runs=([\d,]+)/.exec(location.hash);
  return m ? [...new Set(m[1].split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0))] : [];
}

function saveSelection() {
  // replaceState keeps ?token= and adds no history entries.
  history.replaceState(null, '', `${location.pathname}${location.search}${model.selected.length ? `#runs=${model.selected.join(',')}` : ''}`);
}

/** @param {number} id */
function colorOf(id) {
  let c = model.colors.get(id);
  if (!c) {
    const used = new Set(model.colors.values());
    c = d3.schemeTableau10.find((p) => !used.has(p)) ?? d3.schemeTableau10[id % 10];
    model.colors.set(id, c);
  }
  return c;
}

/** @param {number} id */
function toggle(id) {
  model.autoFollow = false;
  select(id);
}

/** Selects or deselects a run. @param {number} id */
function select(id) {
  if (model.selected.includes(id)) {
    model.selected = model.selected.filter((r) => r !== id);
    model.runs.delete(id);
    model.colors.delete(id);
    conn.send({ type: 'unsubscribe', runs: [id] });
  } else {
    model.selected.push(id);
    colorOf(id);
    conn.send({ type: 'subscribe', runs: [id] });
  }
  if (model.focus === null || !model.selected.includes(model.focus)) model.focus = model.selected[0] ?? null;
  saveSelection();
  dirty.runList = dirty.charts = dirty.details = true;
  schedule();
}

// ---- messages ----

/** @type {ServerMessage[]} */
const inbox = [];
let scheduled = false;
let raf = 0;
let fallback = 0;

/** One update per animation frame; a timer too, so a hidden tab (no frames) still keeps its state current. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  raf = requestAnimationFrame(frame);
  fallback = window.setTimeout(frame, 250);
}

function frame() {
  if (!scheduled) return;
  scheduled = false;
  cancelAnimationFrame(raf);
  clearTimeout(fallback);
  const t0 = performance.now();
  const batch = inbox.splice(0);
  for (const m of batch) apply(m);
  const brushed = dirty.selection;
  render();
  metrics.frames++;
  metrics.lastFrameMs = performance.now() - t0;
  metrics.maxFrameMs = Math.max(metrics.maxFrameMs, metrics.lastFrameMs);
  if (brushed) {
    metrics.brushFrameMs.push(metrics.lastFrameMs);
    if (metrics.brushFrameMs.length > 1000) metrics.brushFrameMs.shift();
  }
}

/** @param {ServerMessage} m */
function apply(m) {
  metrics.messages++;
  switch (m.type) {
    case 'hello':
      if (m.version !== PROTOCOL_VERSION) showError(`the server speaks protocol version ${m.version}; this page speaks ${PROTOCOL_VERSION}`);
      return;
    case 'runs':
      model.runList = m.runs;
      dirty.runList = true;
      follow();
      return;
    case 'snapshot': {
      if (!model.selected.includes(m.run.id)) return;
      const run = runFromSnapshot(m, ++model.epoch);
      model.runs.set(m.run.id, run);
      metrics.snapshots++;
      metrics.evaluationsApplied += run.n;
      mergeInfo(m.run);
      dirty.runList = dirty.charts = dirty.details = true;
      return;
    }
    case 'evaluations': {
      const run = model.runs.get(m.runId);
      if (!run) return;
      const r = appendEvaluations(run, m.evaluations);
      if (r.gap) {
        // Something was missed: ask for the whole run again.
        metrics.gaps++;
        conn.send({ type: 'subscribe', runs: [m.runId] });
        return;
      }
      metrics.evaluationsApplied += r.added;
      dirty.charts = true;
      // The run list's counts follow twice a second, not every frame (it may hold hundreds of runs).
      runListStale = true;
      if (r.bestChanged && m.runId === model.focus) dirty.details = true;
      return;
    }
    case 'agent-stats': {
      const run = model.runs.get(m.runId);
      if (run && appendAgentStats(run, m.agentStats) > 0 && m.runId === model.focus) dirty.details = true;
      return;
    }
    case 'comparison':
      model.comparison = m.comparison;
      dirty.comparison = dirty.charts = true;
      return;
    case 'run-status':
      mergeInfo(m.run);
      dirty.runList = dirty.details = true;
      return;
    case 'resync':
      metrics.resyncs++;
      return;
    case 'error':
      showError(m.reason);
      return;
    default:
      return;
  }
}

/** Opened on no run: select the store's one running run, once (a search served by `marl-dse serve`). */
function follow() {
  if (!model.autoFollow || model.selected.length > 0) return;
  const running = model.runList.filter((r) => r.status === 'running');
  if (running.length !== 1) return;
  model.autoFollow = false;
  select(running[0].id);
}

/** @param {RunInfo} info */
function mergeInfo(info) {
  const run = model.runs.get(info.id);
  if (run) run.info = info;
  const i = model.runList.findIndex((r) => r.id === info.id);
  if (i >= 0) model.runList[i] = info;
}

/** @param {string} reason */
function showError(reason) {
  metrics.lastError = reason;
  const el = d3.select('#message').text(reason).classed('visible', true);
  setTimeout(() => el.classed('visible', false), 8000);
}

// ---- drawing ----

function views() {
  return model.selected.flatMap((id) => {
    const state = model.runs.get(id);
    return state ? [{ id, color: colorOf(id), state }] : [];
  });
}

function ensureCharts() {
  if (charts) return charts;
  d3.select('#charts').attr('hidden', null);
  const el = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.querySelector(id));
  charts = {
    best: bestChart(el('#best')),
    scatter: scatterChart(el('#scatter')),
    parallel: parallelChart(el('#parallel'), {
      onBrush: () => {
        dirty.selection = true;
        schedule();
      },
    }),
    importance: importanceChart(el('#importance')),
    trials: trialTable(el('#trials')),
    heatmap: heatmapChart(el('#heatmap')),
    curves: curvesChart(el('#curves')),
  };
  return charts;
}

function render() {
  if (dirty.runList) renderRunList();
  if (dirty.comparison) renderComparison();
  dirty.comparison = false;
  d3.select('#empty').attr('hidden', model.selected.length ? '' : null);
  d3.select('#charts').attr('hidden', model.selected.length ? null : '');
  if (model.selected.length === 0) {
    dirty.runList = dirty.charts = dirty.details = dirty.selection = false;
    return;
  }
  const c = ensureCharts();
  const v = views();
  if (dirty.charts || dirty.selection) {
    // The parallel coordinates first: they extend (or, brushed, remake) the selection the others show.
    if (dirty.charts) c.parallel.update(v);
    if (dirty.selection) c.parallel.applyBrushes();
    const selection = c.parallel.selection();
    c.scatter.setSelection(selection);
    if (dirty.charts) c.best.update(v, reference(v));
    c.scatter.update(v);
    c.trials.update(v, selection);
    if (dirty.charts) requestImportance(v);
  }
  if (dirty.details || dirty.charts) renderFocus();
  if (dirty.details) {
    const focus = model.focus === null ? null : (model.runs.get(model.focus) ?? null);
    c.heatmap.update(focus);
    c.curves.update(focus);
    renderBestDesign();
  }
  dirty.runList = dirty.charts = dirty.details = dirty.selection = false;
}

// ---- parameter importance, in a worker ----

const importance = {
  /** @type {Worker | null} */
  worker: null,
  busy: false,
  id: 0,
  /** What the last request covered: the runs and their evaluations. */
  key: '',
  evaluations: 0,
  startedAt: 0,
  doneAt: -Infinity,
  tookMs: 0,
  timer: 0,
  /** The parameters, in the order of the shares. @type {import('./data.js').Axis[]} */
  axes: [],
  /** @type {Array<import('./charts/importance.js').MetricImportance>} */
  results: [],
  /** @type {ReturnType<typeof views>} */
  pending: [],
};

/**
 * Asks the worker for the importance of each parameter for the metrics of the shown runs'
 * objectives, unless it is busy or answered recently (at most every 2 s, or 4 times as long as it
 * took), and only when there is something new.
 * @param {ReturnType<typeof views>} shown
 */
function requestImportance(shown) {
  importance.pending = shown;
  const first = shown[0];
  // The runs of the first run's space, like the parallel coordinates.
  const runs = first ? shown.filter((r) => spaceKey(r.state) === spaceKey(first.state)) : [];
  const wanted = DESIGN_METRICS.filter((m) => runs.some((r) => (OBJECTIVE_METRICS[r.state.info.objective] ?? ['latencyNs', 'powerMw']).includes(m.key)));
  const key = `${runs.map((r) => `${r.id}:${r.state.epoch}`).join()}|${wanted.map((m) => m.key).join()}|${first ? spaceKey(first.state) : ''}`;
  const total = runs.reduce((a, r) => a + r.state.n, 0);
  if (key === importance.key && total === importance.evaluations) return;
  if (importance.busy) return;
  const wait = Math.max(2000, 4 * importance.tookMs) - (performance.now() - importance.doneAt);
  if (key === importance.key && wait > 0) {
    clearTimeout(importance.timer);
    importance.timer = window.setTimeout(() => requestImportance(importance.pending), wait);
    return;
  }
  if (key !== importance.key) importance.results = [];
  importance.key = key;
  importance.evaluations = total;
  if (!first || total === 0) {
    importance.axes = [];
    charts?.importance.update(null);
    return;
  }
  const axes = first.state.axes;
  const columns = axes.map((_, p) => {
    const col = new Uint16Array(total);
    let at = 0;
    for (const r of runs) {
      col.set(r.state.cols.design[p].subarray(0, r.state.n), at);
      at += r.state.n;
    }
    return col;
  });
  const ys = wanted.map((m) => {
    const y = new Float64Array(total);
    let at = 0;
    for (const r of runs) {
      y.set(r.state.cols[m.key].subarray(0, r.state.n), at);
      at += r.state.n;
    }
    return { key: m.key, y };
  });
  if (!importance.worker) {
    importance.worker = new Worker('/importance-worker.js', { type: 'module' });
    importance.worker.onmessage = (event) => onImportance(event.data);
    importance.worker.onerror = (event) => {
      importance.busy = false;
      showError(`parameter importance failed: ${event.message}`);
    };
  }
  importance.busy = true;
  importance.id++;
  importance.axes = axes;
  importance.startedAt = performance.now();
  importance.worker.postMessage({ id: importance.id, columns, levels: axes.map((a) => a.values.length), n: total, metrics: ys }, [
    ...columns.map((c) => c.buffer),
    ...ys.map((m) => m.y.buffer),
  ]);
  showImportance();
}

function showImportance() {
  charts?.importance.update({ axes: importance.axes, results: importance.results, evaluations: importance.evaluations, computing: importance.busy });
}

/** @param {{ id: number, results: Array<{ key: string, share: number[], r2: number, designs: number, log: boolean }> }} reply */
function onImportance(reply) {
  importance.busy = false;
  importance.doneAt = performance.now();
  importance.tookMs = importance.doneAt - importance.startedAt;
  if (reply.id !== importance.id) return;
  importance.results = reply.results.map((r) => {
    const m = DESIGN_METRICS.find((d) => d.key === r.key);
    return { ...r, label: m?.label ?? r.key, unit: m?.unit ?? '' };
  });
  showImportance();
  // The most important parameters first (their largest share over the metrics): the default axes of a large space.
  const weight = importance.axes.map((_, p) => Math.max(0, ...importance.results.map((r) => r.share[p] ?? 0)));
  charts?.parallel.setPreferred(importance.axes.map((a, p) => ({ n: a.name, w: weight[p] })).sort((a, b) => b.w - a.w).map((e) => e.n));
  // Data that arrived meanwhile.
  requestImportance(importance.pending);
}

/** The comparison's optimum and target for the selected runs, when they all belong to one of its cells. */
/** @param {ReturnType<typeof views>} shown */
function reference(shown) {
  const infos = shown.map((v) => v.state.info);
  if (!model.comparison || infos.length === 0) return null;
  const cell = model.comparison.cells.find((c) => infos.every((i) => i.trace === c.trace && i.objective === c.objective));
  return cell && (cell.optimum !== null || cell.target !== null) ? { optimum: cell.optimum, target: cell.target } : null;
}

function renderComparison() {
  const c = model.comparison;
  const card = d3.select('#comparison-card').attr('hidden', c ? null : '');
  if (!c) return;
  card
    .select('.meta')
    .text(`${c.name}: ${formatValue(c.runs)} runs, ${formatValue(c.simulations)} simulations, ${formatValue(Math.round(c.wallSeconds))} s`);
  // The report is the comparison's data: it needs the page's token too.
  card.select('#report-link').attr('hidden', c.report ? null : '').attr('href', `/comparison/report.html${location.search}`);
  card
    .select('.verdicts')
    .selectAll('li')
    .data(c.cells)
    .join('li')
    .text((cell) => cell.verdict + (cell.optimum !== null ? ` True optimum ${withUnit(cell.optimum, cell.unit)}.` : ''));
}

function renderRunList() {
  const rows = d3
    .select('#runs tbody')
    .selectAll('tr')
    .data(model.runList, (d) => /** @type {RunInfo} */ (d).id)
    .join((enter) => enter.append('tr').on('click', (_event, d) => toggle(d.id)))
    .attr('data-id', (d) => d.id)
    .classed('selected', (d) => model.selected.includes(d.id));
  rows
    .selectAll('td')
    .data((d) => {
      const live = model.runs.get(d.id);
      const evaluations = Math.max(d.evaluations, live?.n ?? 0);
      const best = live && live.n > 0 && !Number.isNaN(live.cols.best[live.n - 1]) ? live.cols.best[live.n - 1] : d.bestValue;
      return [
        { cls: 'swatch', text: '', color: model.selected.includes(d.id) ? colorOf(d.id) : 'transparent' },
        { cls: 'id', text: `#${d.id}` },
        { cls: `status ${d.status}`, text: d.status },
        { cls: '', text: d.agent },
        { cls: 'trace', text: d.trace },
        { cls: '', text: d.objective },
        { cls: 'num', text: `${formatValue(evaluations)} / ${formatValue(d.budget)}` },
        { cls: 'num', text: withUnit(best, d.unit) },
        { cls: 'time', text: d.createdAt.slice(0, 16).replace('T', ' ') },
      ];
    })
    .join('td')
    .attr('class', (c) => c.cls)
    .style('--swatch', (c) => c.color ?? null)
    .text((c) => c.text);
  d3.select('#runs-empty').attr('hidden', model.runList.length ? '' : null);
}

function renderFocus() {
  const focusSelect = d3.select('#focus');
  focusSelect
    .selectAll('option')
    .data(model.selected, (d) => /** @type {number} */ (d))
    .join('option')
    .attr('value', (d) => d)
    .text((d) => {
      const info = model.runs.get(d)?.info ?? model.runList.find((r) => r.id === d);
      return info ? `run ${d} · ${info.agent} · ${info.objective}` : `run ${d}`;
    });
  focusSelect.property('value', model.focus ?? '');
}

let shownDesign = '';
function renderBestDesign() {
  const run = model.focus === null ? null : model.runs.get(model.focus);
  const best = run ? bestDesign(run) : null;
  const key = run && best ? `${run.info.id}:${run.epoch}:${best.evaluation.index}` : '';
  if (key === shownDesign) return;
  shownDesign = key;
  const panel = d3.select('#best-design');
  if (!run || !best) {
    panel.select('.summary').text(run ? 'no evaluations yet' : '');
    panel.select('pre').text('');
    panel.select('button').attr('disabled', '');
    return;
  }
  const e = best.evaluation;
  panel
    .select('.summary')
    .text(
      `run ${run.info.id}, evaluation ${e.index}: ` +
        (['latency', 'power'].includes(run.info.objective) ? '' : `${run.info.objective} ${withUnit(e.value, run.info.unit)} · `) +
        `latency ${formatValue(e.latencyNs)} ns · power ${formatValue(e.powerMw)} mW`,
    );
  panel.select('pre').text(JSON.stringify(best.mcconfig, null, 2));
  panel.select('button').attr('disabled', null);
}

async function copyConfig() {
  const text = d3.select('#best-design pre').text();
  const done = d3.select('#best-design .copied');
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard API outside a secure context (a remote --host over http): select and copy.
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  done.text('copied');
  setTimeout(() => done.text(''), 1500);
}

// ---- connection ----

const conn = connect({
  onOpen: () => {
    metrics.connected = true;
    metrics.connections++;
    d3.select('#connection').attr('class', 'badge live').text('live');
    conn.send({ type: 'list-runs' });
    // After a reconnect the snapshots replace what the page holds.
    if (model.selected.length) conn.send({ type: 'subscribe', runs: model.selected });
  },
  onMessage: (m) => {
    inbox.push(m);
    schedule();
  },
  onClose: ({ code, reason, retryMs }) => {
    metrics.connected = false;
    d3.select('#connection')
      .attr('class', 'badge down')
      .text(`disconnected${reason ? ` (${reason})` : code === 1006 ? '' : ` (${code})`}; retrying in ${(retryMs / 1000).toFixed(1)} s`);
  },
});

// ---- page ----

/** Each run's evaluations when last counted, and what all runs gained since the page opened. @type {Map<number, number>} */
const counted = new Map();
let gained = 0;
/** [time, gained] over the last three seconds, for the header's rate. @type {Array<[number, number]>} */
const samples = [];
setInterval(() => {
  const now = performance.now();
  // The run list counts every run (pushed each second); a followed run's live count is fresher. A
  // run seen for the first time adds nothing: what it holds was not made in this interval.
  for (const r of model.runList) {
    const n = Math.max(r.evaluations, model.runs.get(r.id)?.n ?? 0);
    const before = counted.get(r.id);
    if (before !== undefined && n > before) gained += n - before;
    counted.set(r.id, n);
  }
  samples.push([now, gained]);
  while (samples.length > 2 && now - samples[0][0] > 3000) samples.shift();
  const [t0, n0] = samples[0];
  metrics.evaluationsPerSecond = now > t0 ? ((gained - n0) * 1000) / (now - t0) : 0;
  d3.select('#rate').text(metrics.connected ? `${metrics.evaluationsPerSecond.toFixed(0)} evaluations/s` : '');
  if (runListStale) {
    runListStale = false;
    dirty.runList = true;
    schedule();
  }
}, 500);

// A URL with another #runs=… pasted into the same tab.
window.addEventListener('hashchange', () => {
  const wanted = selectionFromHash();
  if (wanted.join() === model.selected.join()) return;
  model.autoFollow = false;
  for (const id of model.selected.filter((r) => !wanted.includes(r))) select(id);
  for (const id of wanted.filter((r) => !model.selected.includes(r))) select(id);
});

d3.select('#focus').on('change', (event) => {
  model.focus = Number(/** @type {HTMLSelectElement} */ (event.target).value);
  shownDesign = '';
  dirty.details = true;
  schedule();
});
d3.select('#best-design button').on('click', copyConfig);

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    if (!charts) return;
    redrawAll();
  }, 200);
});

if (model.selected.length) model.focus = model.selected[0];
for (const id of model.selected) colorOf(id);

/** Every chart made anew from the model (a resize), drawn at once; returns how long that took, in ms. */
function redrawAll() {
  const t0 = performance.now();
  for (const id of ['#best', '#scatter', '#parallel', '#importance', '#trials', '#heatmap', '#curves']) d3.select(id).selectAll('*').remove();
  charts = null;
  dirty.charts = dirty.details = true;
  render();
  showImportance();
  return performance.now() - t0;
}

// For tests and diagnostics: what the page holds and draws.
Object.assign(window, {
  __dashboard: {
    metrics,
    model,
    redrawAll,
    scatterPoints: () => charts?.scatter.count() ?? 0,
    parallelLines: () => charts?.parallel.count() ?? 0,
    /** Bundles drawn in colour, per pair of neighbouring axes. */
    parallelBundles: () => charts?.parallel.bundles() ?? [],
    parallelAxes: () => charts?.parallel.axes() ?? [],
    /** Per run, the evaluations the brushes keep; null without a brush. */
    selection: () => {
      const s = charts?.parallel.selection();
      return s ? Object.fromEntries([...s].map(([id, mask]) => [id, mask.reduce((/** @type {number[]} */ out, v, i) => (v ? (out.push(i), out) : out), [])])) : null;
    },
    bestPanels: () => charts?.best.panels() ?? [],
    importance: () => ({ names: importance.axes.map((a) => a.name), results: importance.results, busy: importance.busy }),
    trialRows: () => charts?.trials.rows() ?? 0,
    /** Bytes of the runs' columns (typed arrays, outside the JavaScript heap's count). */
    columnBytes: () => [...model.runs.values()].reduce((a, r) => a + [...r.cols.design, ...Object.values(r.cols).filter((c) => !Array.isArray(c))].reduce((b, c) => b + /** @type {ArrayBufferView} */ (c).byteLength, 0), 0),
  },
});
schedule();
