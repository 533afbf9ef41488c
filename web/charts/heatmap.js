// Each agent's (parameter's) action distribution over time, from the agent's reports: one band per
// parameter, one labelled row per value, one column per report; darker is more probable (the legend
// gives the scale). The bands are grouped by subsystem under a heading in the subsystem's colour.
// Drawn on a canvas: new reports paint new columns only; the whole map is repainted when the run or
// its size changes.
import d3 from '../d3.js';
import { axisGroups, formatValue } from '../data.js';
import { escapeHtml, tooltip } from './frame.js';

/** @typedef {import('../data.js').RunState} RunState */

const LEFT = 240;
/** Rows are tall enough for their value's label. */
const MIN_CELL = 11;
const RIGHT = 12;
const GAP = 6;
const TOP = 4;
const AXIS = 24;
/** A subsystem's heading. */
const HEADING = 18;
/** The subsystem's colour beside its bands. */
const STRIP = 4;

/** @param {HTMLElement} container */
export function heatmapChart(container) {
  const width = Math.max(360, container.clientWidth || 600);
  const legend = d3.select(container).append('div').attr('class', 'heatmap-legend');
  const scroll = d3.select(container).append('div').attr('class', 'heatmap-scroll');
  const canvas = scroll.append('canvas').attr('class', 'heatmap').node();
  const message = d3.select(container).append('div').attr('class', 'note');
  const tip = tooltip();
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas?.getContext('2d'));
  const color = d3.scaleSequentialSqrt(d3.interpolateYlGnBu).domain([0, 1]);
  drawLegend(legend, color);
  const x = d3.scaleLinear().range([LEFT, width - RIGHT]);
  /**
   * Each band: a parameter (`p`, its index in the run's axes and the agent's distributions), at `top`.
   * @type {{ key: string, drawn: number, cell: number, headings: Array<{ name: string, color: string, top: number }>, bands: Array<{ name: string, p: number, color: string, values: Array<string | number>, top: number }>, height: number } | null}
   */
  let layout = null;
  /** @type {RunState | null} */
  let shown = null;

  /** @param {RunState} run */
  function makeLayout(run) {
    const params = run.axes;
    const rows = params.reduce((n, p) => n + p.values.length, 0);
    const cell = Math.max(MIN_CELL, Math.min(14, Math.floor(420 / Math.max(1, rows))));
    const groups = axisGroups(params);
    let top = TOP;
    /** @type {NonNullable<typeof layout>['headings']} */
    const headings = [];
    /** @type {NonNullable<typeof layout>['bands']} */
    const bands = [];
    for (const g of groups) {
      if (groups.length > 1) {
        headings.push({ name: g.subsystem ?? 'parameters', color: g.color, top });
        top += HEADING;
      }
      for (const a of g.axes) {
        bands.push({ name: a.name, p: params.indexOf(a), color: g.color, values: a.values, top });
        top += a.values.length * cell + GAP;
      }
    }
    return { key: `${run.info.id}:${run.epoch}:${params.map((p) => p.values.length).join()}`, drawn: 0, cell, headings, bands, height: top + AXIS };
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
    for (const h of layout.headings) {
      ctx.fillStyle = h.color;
      ctx.fillRect(0, h.top + 2, width - RIGHT, HEADING - 6);
      ctx.textAlign = 'left';
      ctx.fillStyle = '#1d2330';
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.fillText(h.name, 6, h.top + HEADING / 2 - 1);
    }
    for (const b of layout.bands) {
      ctx.fillStyle = b.color;
      ctx.fillRect(0, b.top, STRIP, b.values.length * layout.cell);
      ctx.textAlign = 'left';
      ctx.fillStyle = '#333';
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.fillText(b.name, STRIP + 4, b.top + (b.values.length * layout.cell) / 2);
      // Every value, value 0 at the bottom of its band like the parallel coordinates' axes.
      ctx.textAlign = 'right';
      ctx.fillStyle = '#666';
      ctx.font = `${Math.min(10, layout.cell - 2)}px system-ui, sans-serif`;
      const cell = layout.cell;
      b.values.forEach((v, k) => ctx.fillText(String(v), LEFT - 4, b.top + (b.values.length - k - 0.5) * cell));
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
      lay.bands.forEach((b) => {
        const probs = dist[b.p] ?? [];
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
      legend.style('display', 'none');
      message.text(
        !run
          ? ''
          : run.agentStats.length === 0
            ? `run ${run.info.id} (${run.info.agent}): no agent reports yet`
            : `run ${run.info.id} (${run.info.agent}): this agent reports no action distributions`,
      );
      return;
    }
    if (canvas) canvas.style.display = 'block';
    legend.style('display', null);
    message.text('');
    const domainEnd = Math.max(run.info.budget, run.n, run.agentStats[run.agentStats.length - 1].evaluations);
    const next = makeLayout(run);
    if (!layout || layout.key !== next.key || x.domain()[1] !== domainEnd) {
      x.domain([0, domainEnd]);
      layout = next;
      paintFrame();
      paintColumns(run, 0);
    } else if (layout.drawn < run.agentStats.length) {
      paintColumns(run, layout.drawn);
    }
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
    const p = s?.distributions?.[b.p]?.[v];
    tip.show(event, `<b>${escapeHtml(b.name)} = ${escapeHtml(String(b.values[v]))}</b><br>p = ${formatValue(p ?? null)} after ${formatValue(s?.evaluations)} evaluations`);
  });
  canvas?.addEventListener('mouseleave', () => tip.hide());

  return { update };
}

/**
 * The colour scale as a bar with ticks: which probability a shade means.
 * @param {d3.Selection<HTMLDivElement, unknown, null, undefined>} holder
 * @param {d3.ScaleSequential<string>} color
 */
function drawLegend(holder, color) {
  const width = 220;
  const svg = holder.append('svg').attr('width', width + 150).attr('height', 30);
  const id = `heat-${Math.random().toString(36).slice(2)}`;
  svg
    .append('defs')
    .append('linearGradient')
    .attr('id', id)
    .selectAll('stop')
    .data(d3.range(0, 1.0001, 0.05))
    .join('stop')
    .attr('offset', (t) => t)
    .attr('stop-color', (t) => color(t * t));
  const g = svg.append('g').attr('transform', 'translate(140,4)');
  svg.append('text').attr('x', 134).attr('y', 13).attr('text-anchor', 'end').attr('class', 'axis-label').text('action probability');
  g.append('rect').attr('width', width).attr('height', 10).attr('fill', `url(#${id})`).attr('stroke', '#ccc');
  // The bar is linear in the square root of p, as the colours are.
  const at = d3.scaleSqrt().domain([0, 1]).range([0, width]);
  g.append('g').attr('class', 'axis').attr('transform', 'translate(0,10)').call(d3.axisBottom(at).tickValues([0, 0.05, 0.25, 0.5, 1]).tickFormat(d3.format('~g')).tickSize(3));
}
