// Each agent's (parameter's) action distribution over time, from the agent's reports: one band per
// parameter, one row per value, one column per report; darker is more probable. Drawn on a canvas:
// new reports paint new columns only; the whole map is repainted when the run or its size changes.
import d3 from '../d3.js';
import { axesOf, formatValue } from '../data.js';
import { escapeHtml, tooltip } from './frame.js';

/** @typedef {import('../data.js').RunState} RunState */

const LEFT = 200;
const RIGHT = 12;
const GAP = 6;
const TOP = 4;
const AXIS = 24;

/** @param {HTMLElement} container */
export function heatmapChart(container) {
  const width = Math.max(360, container.clientWidth || 600);
  const canvas = d3.select(container).append('canvas').attr('class', 'heatmap').node();
  const message = d3.select(container).append('div').attr('class', 'note');
  const scalars = d3.select(container).append('div').attr('class', 'scalars');
  const tip = tooltip();
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas?.getContext('2d'));
  const color = d3.scaleSequentialSqrt(d3.interpolateYlGnBu).domain([0, 1]);
  const x = d3.scaleLinear().range([LEFT, width - RIGHT]);
  /** @type {{ key: string, drawn: number, cell: number, bands: Array<{ name: string, values: Array<string | number>, top: number }>, height: number } | null} */
  let layout = null;
  /** @type {RunState | null} */
  let shown = null;

  /** @param {RunState} run */
  function makeLayout(run) {
    const params = axesOf(run.space, run.evaluations);
    const rows = params.reduce((n, p) => n + p.values.length, 0);
    const cell = Math.max(3, Math.min(9, Math.floor(420 / Math.max(1, rows))));
    let top = TOP;
    const bands = params.map((p) => {
      const band = { name: p.name, values: p.values, top };
      top += p.values.length * cell + GAP;
      return band;
    });
    return { key: `${run.info.id}:${run.epoch}:${params.map((p) => p.values.length).join()}`, drawn: 0, cell, bands, height: top + AXIS };
  }

  function paintFrame() {
    if (!canvas || !layout) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio;
    canvas.height = layout.height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${layout.height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, layout.height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#333';
    for (const b of layout.bands) {
      ctx.textAlign = 'left';
      ctx.fillText(b.name, 2, b.top + (b.values.length * layout.cell) / 2);
      ctx.textAlign = 'right';
      ctx.fillStyle = '#888';
      ctx.font = '9px system-ui, sans-serif';
      ctx.fillText(String(b.values[0]), LEFT - 4, b.top + (b.values.length - 0.5) * layout.cell);
      if (b.values.length > 1) ctx.fillText(String(b.values[b.values.length - 1]), LEFT - 4, b.top + 0.5 * layout.cell);
      ctx.fillStyle = '#333';
      ctx.font = '11px system-ui, sans-serif';
      ctx.strokeStyle = '#ddd';
      ctx.strokeRect(LEFT - 0.5, b.top - 0.5, width - RIGHT - LEFT + 1, b.values.length * layout.cell + 1);
    }
    // Evaluations axis.
    const axisY = layout.height - AXIS + 4;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#555';
    for (const t of x.ticks(6)) ctx.fillText(d3.format('~s')(t), x(t), axisY);
    ctx.textAlign = 'right';
    ctx.fillText('evaluations', width - RIGHT, axisY + 11);
  }

  /** Paints reports [from, to) of the run. */
  function paintColumns(/** @type {RunState} */ run, /** @type {number} */ from) {
    const lay = layout;
    if (!lay) return;
    const stats = run.agentStats;
    for (let s = from; s < stats.length; s++) {
      const dist = stats[s].distributions;
      if (!dist) continue;
      const x0 = x(s === 0 ? 0 : stats[s - 1].evaluations);
      const x1 = Math.max(x0 + 1, x(stats[s].evaluations));
      lay.bands.forEach((b, p) => {
        const probs = dist[p] ?? [];
        for (let v = 0; v < b.values.length; v++) {
          ctx.fillStyle = color(probs[v] ?? 0);
          // Value 0 at the bottom of its band, like the parallel coordinates' axes.
          ctx.fillRect(x0, b.top + (b.values.length - 1 - v) * lay.cell, x1 - x0 + 0.5, lay.cell);
        }
      });
    }
    lay.drawn = stats.length;
  }

  /** @param {RunState | null} run */
  function update(run) {
    shown = run;
    const hasDistributions = run !== null && run.agentStats.some((s) => s.distributions !== null);
    if (!run || !hasDistributions) {
      layout = null;
      if (canvas) canvas.style.display = 'none';
      message.text(
        !run
          ? ''
          : run.agentStats.length === 0
            ? `run ${run.info.id} (${run.info.agent}): no agent reports yet`
            : `run ${run.info.id} (${run.info.agent}): this agent reports no action distributions`,
      );
      scalars.text('');
      return;
    }
    if (canvas) canvas.style.display = 'block';
    message.text('');
    const domainEnd = Math.max(run.info.budget, run.evaluations.length, run.agentStats[run.agentStats.length - 1].evaluations);
    const next = makeLayout(run);
    if (!layout || layout.key !== next.key || x.domain()[1] !== domainEnd) {
      x.domain([0, domainEnd]);
      layout = next;
      paintFrame();
      paintColumns(run, 0);
    } else if (layout.drawn < run.agentStats.length) {
      paintColumns(run, layout.drawn);
    }
    const last = run.agentStats[run.agentStats.length - 1];
    scalars.text(
      `after ${formatValue(last.evaluations)} evaluations: ` +
        Object.entries(last.scalars)
          .map(([k, v]) => `${k} ${formatValue(v)}`)
          .join(' · '),
    );
  }

  canvas?.addEventListener('mousemove', (event) => {
    const lay = layout;
    if (!lay || !shown) return tip.hide();
    const rect = canvas.getBoundingClientRect();
    const mx = event.clientX - rect.left;
    const my = event.clientY - rect.top;
    const band = lay.bands.findIndex((b) => my >= b.top && my < b.top + b.values.length * lay.cell);
    if (band < 0 || mx < LEFT) return tip.hide();
    const b = lay.bands[band];
    const v = b.values.length - 1 - Math.floor((my - b.top) / lay.cell);
    const evals = x.invert(mx);
    const s = shown.agentStats.find((r) => r.evaluations >= evals) ?? shown.agentStats[shown.agentStats.length - 1];
    const p = s?.distributions?.[band]?.[v];
    tip.show(event, `<b>${escapeHtml(b.name)} = ${escapeHtml(String(b.values[v]))}</b><br>p = ${formatValue(p ?? null)} after ${formatValue(s?.evaluations)} evaluations`);
  });
  canvas?.addEventListener('mouseleave', () => tip.hide());

  return { update };
}
