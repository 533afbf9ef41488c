// Best-so-far objective against evaluations: one step line per run, and dashed lines for the
// comparison's true optimum and target when the runs belong to one of its cells.
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
  const references = f.plot.append('g').attr('class', 'reference');
  let referenceKey = '';
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

  /**
   * @param {RunView[]} runs
   * @param {{ optimum: number | null, target: number | null } | null} [reference]
   */
  function update(runs, reference = null) {
    /** @type {Array<{ name: string, value: number }>} */
    const marks = [];
    if (reference?.optimum != null) marks.push({ name: 'true optimum', value: reference.optimum });
    // At tolerance 0 the target is the optimum: one line.
    if (reference?.target != null && reference.target !== reference.optimum) marks.push({ name: 'target', value: reference.target });
    const series = runs.map((r) => ({ id: r.id, color: r.color, info: r.state.info, steps: bestSteps(r.state.best) }));
    const names = [...new Set(runs.map((r) => r.state.info.objective))].join(', ');
    if (names !== objectives) {
      // Another objective: start the scale afresh.
      objectives = names;
      yDomain = null;
      f.yLabel.text(runs.length === 0 ? '' : names.includes(',') ? 'best value' : `best ${names} (${UNITS[names] ?? ''})`);
    }
    const newX = Math.max(1, ...runs.map((r) => Math.max(r.state.info.budget, r.state.evaluations.length)));
    const newY = growDomain(yDomain, [...series.flatMap((s) => s.steps.map((p) => p[1])), ...marks.map((m) => m.value)], 0.05);
    const key = JSON.stringify(marks);
    if (newX !== xMax || newY !== yDomain || key !== referenceKey) {
      referenceKey = key;
      xMax = newX;
      yDomain = newY;
      x.domain([0, xMax]);
      y.domain(yDomain ?? [0, 1]);
      f.xAxis.call(d3.axisBottom(x).ticks(6, 's'));
      f.yAxis.call(d3.axisLeft(y).ticks(6, 's'));
      f.xLabel.text('evaluations');
      const mark = references
        .selectAll('g')
        .data(marks, (d) => /** @type {{ name: string }} */ (d).name)
        .join((enter) => {
          const g = enter.append('g');
          g.append('line').attr('stroke-dasharray', '5 4');
          // The target above its line, the optimum below its own: readable when they are close.
          g.append('text').attr('text-anchor', 'end').attr('dy', (d) => (d.name === 'target' ? -4 : 11));
          return g;
        })
        .attr('class', (d) => (d.name === 'target' ? 'target' : 'optimum'));
      mark.select('line').attr('x1', 0).attr('x2', f.width).attr('y1', (d) => y(d.value)).attr('y2', (d) => y(d.value));
      mark
        .select('text')
        .attr('x', f.width)
        .attr('y', (d) => y(d.value))
        .text((d) => `${d.name} ${formatValue(d.value)}`);
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
