// The dashboard page: the run list, the selected runs' state, and the charts. Messages from the
// server are queued and applied once per animation frame, then each chart that changed is updated
// once: at 50+ evaluations a second the page does one small update per frame, not one per event.
import d3 from './d3.js';
import { appendAgentStats, appendEvaluations, bestDesign, formatValue, runFromSnapshot } from './data.js';
import { connect, PROTOCOL_VERSION } from './socket.js';
import { bestChart } from './charts/best.js';
import { scatterChart } from './charts/scatter.js';
import { parallelChart } from './charts/parallel.js';
import { heatmapChart } from './charts/heatmap.js';

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
  /** Evaluations applied per second over the last two seconds. */
  evaluationsPerSecond: 0,
  /** @type {string | null} */
  lastError: null,
};

/** @type {{ best: ReturnType<typeof bestChart>, scatter: ReturnType<typeof scatterChart>, parallel: ReturnType<typeof parallelChart>, heatmap: ReturnType<typeof heatmapChart> } | null} */
let charts = null;
const dirty = { runList: true, charts: false, details: false, comparison: false };
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
  render();
  metrics.frames++;
  metrics.lastFrameMs = performance.now() - t0;
  metrics.maxFrameMs = Math.max(metrics.maxFrameMs, metrics.lastFrameMs);
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
      return;
    case 'snapshot': {
      if (!model.selected.includes(m.run.id)) return;
      const run = runFromSnapshot(m, ++model.epoch);
      model.runs.set(m.run.id, run);
      metrics.snapshots++;
      metrics.evaluationsApplied += run.evaluations.length;
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
  charts = {
    best: bestChart(/** @type {HTMLElement} */ (document.querySelector('#best'))),
    scatter: scatterChart(/** @type {HTMLElement} */ (document.querySelector('#scatter'))),
    parallel: parallelChart(/** @type {HTMLElement} */ (document.querySelector('#parallel')), { onFilter: (f) => charts?.scatter.setFilter(f) }),
    heatmap: heatmapChart(/** @type {HTMLElement} */ (document.querySelector('#heatmap'))),
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
    dirty.runList = dirty.charts = dirty.details = false;
    return;
  }
  const c = ensureCharts();
  if (dirty.charts) {
    const v = views();
    c.best.update(v, reference(v));
    c.scatter.update(v);
    c.parallel.update(v);
  }
  if (dirty.details || dirty.charts) renderFocus();
  if (dirty.details) {
    c.heatmap.update(model.focus === null ? null : (model.runs.get(model.focus) ?? null));
    renderBestDesign();
  }
  dirty.runList = dirty.charts = dirty.details = false;
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
    .text((cell) => cell.verdict + (cell.optimum !== null ? ` True optimum ${formatValue(cell.optimum)}.` : ''));
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
      const evaluations = Math.max(d.evaluations, live?.evaluations.length ?? 0);
      const best = live && live.best.length ? live.best[live.best.length - 1] : d.bestValue;
      return [
        { cls: 'swatch', text: '', color: model.selected.includes(d.id) ? colorOf(d.id) : 'transparent' },
        { cls: 'id', text: `#${d.id}` },
        { cls: `status ${d.status}`, text: d.status },
        { cls: '', text: d.agent },
        { cls: 'trace', text: d.trace },
        { cls: '', text: d.objective },
        { cls: 'num', text: `${formatValue(evaluations)} / ${formatValue(d.budget)}` },
        { cls: 'num', text: formatValue(best) },
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
  const select = d3.select('#focus');
  select
    .selectAll('option')
    .data(model.selected, (d) => /** @type {number} */ (d))
    .join('option')
    .attr('value', (d) => d)
    .text((d) => {
      const info = model.runs.get(d)?.info ?? model.runList.find((r) => r.id === d);
      return info ? `run ${d} · ${info.agent} · ${info.objective}` : `run ${d}`;
    });
  select.property('value', model.focus ?? '');
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
        (['latency', 'power'].includes(run.info.objective) ? '' : `${run.info.objective} ${formatValue(e.value)} · `) +
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

/** @type {Array<[number, number]>} */
const samples = [];
setInterval(() => {
  const now = performance.now();
  samples.push([now, metrics.evaluationsApplied]);
  while (samples.length > 2 && now - samples[0][0] > 2000) samples.shift();
  const [t0, n0] = samples[0];
  metrics.evaluationsPerSecond = now > t0 ? ((metrics.evaluationsApplied - n0) * 1000) / (now - t0) : 0;
  d3.select('#rate').text(metrics.connected ? `${metrics.evaluationsPerSecond.toFixed(0)} evaluations/s` : '');
  if (runListStale) {
    runListStale = false;
    dirty.runList = true;
    schedule();
  }
}, 500);

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
    for (const id of ['#best', '#scatter', '#parallel', '#heatmap']) d3.select(id).selectAll('*').remove();
    charts = null;
    dirty.charts = dirty.details = true;
    schedule();
  }, 200);
});

if (model.selected.length) model.focus = model.selected[0];
for (const id of model.selected) colorOf(id);

Object.assign(window, {
  __dashboard: {
    metrics,
    model,
    scatterPoints: () => charts?.scatter.count() ?? 0,
    parallelLines: () => charts?.parallel.count() ?? 0,
  },
});
schedule();
