// Parameter importance per metric of the selected runs' objectives: one column of bars per metric,
// each parameter's share of what the forest explains (importance.js), most important first, with
// the forest's out-of-bag R² (how much of the metric the parameters explain at all). Each bar is in
// its subsystem's colour (as in the parallel coordinates), named in a legend.
import d3 from '../d3.js';
import { axisGroups, formatValue } from '../data.js';

/**
 * @typedef {object} MetricImportance
 * @property {string} key the metric's field (`latencyNs`, …)
 * @property {string} label
 * @property {string} unit
 * @property {number[]} share per parameter
 * @property {number} r2
 * @property {number} designs
 * @property {boolean} log
 */

const BAR = 16;
const LEFT = 170;

/** @param {HTMLElement} container */
export function importanceChart(container) {
  const status = d3.select(container).append('div').attr('class', 'note importance-status');
  const legend = d3.select(container).append('div').attr('class', 'legend importance-legend');
  const columns = d3.select(container).append('div').attr('class', 'importance-columns');

  /**
   * @param {{ axes: import('../data.js').Axis[], results: MetricImportance[], evaluations: number, computing: boolean } | null} state
   */
  function update(state) {
    if (!state) {
      status.text('');
      legend.selectAll('*').remove();
      columns.selectAll('*').remove();
      return;
    }
    const groups = axisGroups(state.axes);
    /** @type {Map<string, import('../data.js').AxisGroup>} */
    const groupOf = new Map(groups.flatMap((g) => g.axes.map((a) => [a.name, g])));
    legend
      .selectAll('span')
      .data(groups.length > 1 ? groups : [])
      .join((enter) => {
        const e = enter.append('span');
        e.append('i');
        e.append('b');
        return e;
      })
      .call((e) => e.select('i').style('background', (g) => g.color).style('height', '10px'))
      .call((e) => e.select('b').style('font-weight', 'normal').text((g) => g.subsystem ?? 'parameters'));
    const few = state.results.length > 0 && state.results.every((r) => r.designs < 8);
    status.text(
      state.results.length === 0
        ? state.computing
          ? 'computing…'
          : 'no designs yet'
        : `permutation importance from a random forest over ${formatValue(state.results[0].designs)} distinct designs (${formatValue(state.evaluations)} evaluations)` +
            (few ? ': too few designs to tell' : '') +
            (state.computing ? '; updating…' : ''),
    );
    const width = Math.max(260, Math.floor((container.clientWidth || 600) / Math.max(1, state.results.length)) - 12);
    const cols = columns
      .selectAll('div.importance')
      .data(state.results, (d) => /** @type {MetricImportance} */ (d).key)
      .join((enter) => {
        const div = enter.append('div').attr('class', 'importance');
        div.append('h3');
        div.append('svg');
        return div;
      })
      .attr('data-metric', (d) => d.key);
    cols.select('h3').text((d) => `${d.label} (${d.unit})${d.log ? ', as log' : ''} · R² ${Number.isFinite(d.r2) ? d.r2.toFixed(2) : '—'}`);
    cols.select('svg').each(function (d) {
      const rows = state.axes.map(({ name }, p) => ({ name, share: d.share[p] ?? 0 })).sort((a, b) => b.share - a.share);
      const svg = d3.select(this).attr('width', width).attr('height', rows.length * BAR + 4);
      const x = d3
        .scaleLinear()
        .domain([0, Math.max(0.05, rows[0]?.share ?? 0)])
        .range([0, width - LEFT - 50]);
      const row = svg
        .selectAll('g.bar')
        .data(rows, (r) => /** @type {{ name: string }} */ (r).name)
        .join((enter) => {
          const g = enter.append('g').attr('class', 'bar');
          g.append('text').attr('class', 'name').attr('x', LEFT - 6).attr('y', BAR / 2).attr('dy', '0.35em').attr('text-anchor', 'end');
          g.append('rect').attr('x', LEFT).attr('y', 2).attr('height', BAR - 4);
          g.append('text').attr('class', 'share').attr('y', BAR / 2).attr('dy', '0.35em');
          return g;
        })
        .attr('data-name', (r) => r.name)
        .attr('transform', (_r, i) => `translate(0,${i * BAR})`);
      row.select('text.name').each(function (r) {
        const subsystem = groupOf.get(r.name)?.subsystem;
        d3.select(this).text(r.name).append('title').text(subsystem ? `${r.name} (${subsystem})` : r.name);
      });
      row
        .select('rect')
        .attr('width', (r) => Math.max(0.5, x(r.share)))
        .style('fill', (r) => groupOf.get(r.name)?.color ?? null);
      row
        .select('text.share')
        .attr('x', (r) => LEFT + Math.max(0.5, x(r.share)) + 4)
        .text((r) => `${(r.share * 100).toFixed(r.share < 0.1 ? 1 : 0)} %`);
    });
  }

  return { update };
}
