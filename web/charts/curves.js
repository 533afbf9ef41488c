// The agent's figures over the run, from its reports: one small chart per figure it reports (PPO's
// and MARL's policy and value losses, entropy and KL divergence, SAC's losses and temperature, the
// GA's fitness), against evaluations. Counters (whole numbers that only grow, such as the number of
// updates) are not curves: their latest value is listed instead.
import d3 from '../d3.js';
import { agentSeries, formatValue, thin } from '../data.js';

/** @typedef {import('../data.js').RunState} RunState */

const HEIGHT = 130;
const MARGIN = { top: 18, right: 10, bottom: 22, left: 52 };

/** @param {HTMLElement} container */
export function curvesChart(container) {
  const grid = d3.select(container).append('div').attr('class', 'curves');
  const counters = d3.select(container).append('div').attr('class', 'scalars');
  const message = d3.select(container).append('div').attr('class', 'note');
  let shownKey = '';

  /** @param {RunState | null} run */
  function update(run) {
    const key = run ? `${run.info.id}:${run.epoch}:${run.agentStats.length}:${run.info.budget}` : '';
    if (key === shownKey) return;
    shownKey = key;
    const { curves, counters: counts } = agentSeries(run?.agentStats ?? []);
    message.text(!run ? '' : run.agentStats.length === 0 ? `run ${run.info.id} (${run.info.agent}): no agent reports yet` : curves.length === 0 ? `run ${run.info.id} (${run.info.agent}) reports no figures to plot` : '');
    counters.text(counts.length ? counts.map((c) => `${c.name} ${formatValue(c.value)}`).join(' · ') : '');
    const cellWidth = Math.max(220, Math.floor((container.clientWidth || 600) / 2) - 8);
    const width = cellWidth - MARGIN.left - MARGIN.right;
    const height = HEIGHT - MARGIN.top - MARGIN.bottom;
    const xMax = run ? Math.max(run.info.budget, run.n, ...run.agentStats.map((s) => s.evaluations)) : 1;
    const x = d3.scaleLinear().domain([0, xMax]).range([0, width]);
    const cells = grid
      .selectAll('svg')
      .data(curves, (d) => /** @type {{ name: string }} */ (d).name)
      .join((enter) => {
        const svg = enter.append('svg').attr('class', 'curve');
        const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
        g.append('text').attr('class', 'curve-name').attr('y', -6);
        g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${height})`);
        g.append('g').attr('class', 'axis y');
        g.append('path').attr('class', 'curve-line');
        return svg;
      })
      .attr('width', cellWidth)
      .attr('height', HEIGHT)
      .attr('data-name', (d) => d.name);
    cells.each(function (d) {
      const g = d3.select(this).select('g');
      const y = d3
        .scaleLinear()
        .domain(/** @type {[number, number]} */ (d3.extent(d.points, (p) => p[1])))
        .range([height, 0])
        .nice();
      g.select('text.curve-name').text(`${d.name} (latest ${formatValue(d.points[d.points.length - 1][1])})`);
      g.select('g.axis.x').call(/** @type {any} */ (d3.axisBottom(x).ticks(4).tickFormat(d3.format('~s'))));
      g.select('g.axis.y').call(/** @type {any} */ (d3.axisLeft(y).ticks(4)));
      const line = d3
        .line()
        .x((p) => x(p[0]))
        .y((p) => y(p[1]));
      g.select('path.curve-line').attr('d', line(thin(d.points, x)));
    });
  }

  return { update };
}
