// Parameter importance per metric of the selected runs' objectives: one column of bars per metric,
// each parameter's share of what the forest explains (importance.js), most important first, with
// the forest's out-of-bag R² (how much of the metric the parameters explain at all).
import d3 from '../d3.js';
import { formatValue } from '../data.js';

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
  const columns = d3.select(container).append('div').attr('class', 'importance-columns');

  /**
   * @param {{ names: string[], results: MetricImportance[], evaluations: number, computing: boolean } | null} state
   */
  function update(state) {
    if (!state) {
      status.text('');
      columns.selectAll('*').remove();
      return;
    }
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
      const rows = state.names.map((name, p) => ({ name, share: d.share[p] ?? 0 })).sort((a, b) => b.share - a.share);
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
      row.select('text.name').text((r) => r.name);
      row.select('rect').attr('width', (r) => Math.max(0.5, x(r.share)));
      row
        .select('text.share')
        .attr('x', (r) => LEFT + Math.max(0.5, x(r.share)) + 4)
        .text((r) => `${(r.share * 100).toFixed(r.share < 0.1 ? 1 : 0)} %`);
    });
  }

  return { update };
}
