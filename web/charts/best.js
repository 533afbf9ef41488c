// Best-so-far objective against evaluations: one step line per run.
import d3 from '../d3.js';
import { bestSteps, formatValue, growDomain } from '../data.js';
import { escapeHtml, frame } from './frame.js';

/** @typedef {{ id: number, color: string, state: import('../data.js').RunState }} RunView */

const UNITS = /** @type {Record<string, string>} */ ({ power: 'mW', latency: 'ns', 'avg-latency': 'ns', energy: 'pJ', joint: '× target', pareto: 'normalised hypervolume' });

/** @param {HTMLElement} container */
export function bestChart(container) {
  const f = frame(container, { height: 300 });
  const x = d3.scaleLinear().range([0, f.width]);
  const y = d3.scaleLinear().range([f.height, 0]);
  const lines = f.plot.append('g').attr('class', 'lines');
  const legend = d3.select(container).append('div').attr('class', 'legend');
  /** @type {[number, number] | null} */
  let yDomain = null;
  let xMax = 0;
  /** @type {string} */
  let objectives = '';
  const line = d3
    .line()
    .curve(d3.curveStepAfter)
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));

  /** @param {RunView[]} runs */
  function update(runs) {
    const series = runs.map((r) => ({ id: r.id, color: r.color, info: r.state.info, steps: bestSteps(r.state.best) }));
    const names = [...new Set(runs.map((r) => r.state.info.objective))].join(', ');
    if (names !== objectives) {
      // Another objective: start the scale afresh.
      objectives = names;
      yDomain = null;
      f.yLabel.text(runs.length === 0 ? '' : names.includes(',') ? 'best value' : `best ${names} (${UNITS[names] ?? ''})`);
    }
    const newX = Math.max(1, ...runs.map((r) => Math.max(r.state.info.budget, r.state.evaluations.length)));
    const newY = growDomain(yDomain, series.flatMap((s) => s.steps.map((p) => p[1])), 0.05);
    if (newX !== xMax || newY !== yDomain) {
      xMax = newX;
      yDomain = newY;
      x.domain([0, xMax]);
      y.domain(yDomain ?? [0, 1]);
      f.xAxis.call(d3.axisBottom(x).ticks(6, 's'));
      f.yAxis.call(d3.axisLeft(y).ticks(6, 's'));
      f.xLabel.text('evaluations');
    }
    lines
      .selectAll('path')
      .data(series, (d) => /** @type {{ id: number }} */ (d).id)
      .join('path')
      .attr('fill', 'none')
      .attr('stroke', (d) => d.color)
      .attr('stroke-width', 2)
      .attr('d', (d) => line(d.steps));
    legend
      .selectAll('span')
      .data(series, (d) => /** @type {{ id: number }} */ (d).id)
      .join('span')
      .attr('class', 'legend-item')
      .html(
        (d) =>
          `<i style="background:${d.color}"></i>run ${d.id} · ${escapeHtml(d.info.agent)} · best ${formatValue(d.steps.length ? d.steps[d.steps.length - 1][1] : null)}`,
      );
  }
  return { update };
}
