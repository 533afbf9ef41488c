// Parallel coordinates of the evaluated designs: one axis per parameter (its values in the space's
// order) and one for the reward, one line per design coloured by its reward. Brushing an axis keeps
// the designs whose value falls in the brush; the selection is handed to the other charts.
import d3 from '../d3.js';
import { axesOf, formatValue, growDomain } from '../data.js';
import { appendOnlyRuns, configHtml, tooltip } from './frame.js';

/** @typedef {import('./best.js').RunView} RunView */
/** @typedef {import('../data.js').EvaluationEvent} EvaluationEvent */
/** @typedef {import('./scatter.js').DesignFilter} DesignFilter */
/**
 * @typedef {object} Dim
 * @property {string} name
 * @property {boolean} numeric
 * @property {(e: EvaluationEvent) => number | undefined} at the design's position on the axis, without jitter
 * @property {number} jitter half the spread of lines around a value
 * @property {any} scale
 */

const MARGIN = { top: 40, right: 40, bottom: 14, left: 84 };

/** A fixed pseudo-random offset in [-0.5, 0.5) per design and axis, so equal values fan out a little. */
function spread(/** @type {number} */ index, /** @type {number} */ axis) {
  return ((Math.imul(index + 1, 2654435761) ^ Math.imul(axis + 7, 40503)) >>> 0) / 2 ** 32 - 0.5;
}

/**
 * @param {HTMLElement} container
 * @param {{ onFilter: (filter: DesignFilter | null) => void }} options
 */
export function parallelChart(container, { onFilter }) {
  const outerWidth = Math.max(480, container.clientWidth || 900);
  const outerHeight = 340;
  const width = outerWidth - MARGIN.left - MARGIN.right;
  const height = outerHeight - MARGIN.top - MARGIN.bottom;
  const svg = d3.select(container).append('svg').attr('width', outerWidth).attr('height', outerHeight).attr('viewBox', `0 0 ${outerWidth} ${outerHeight}`);
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const linesLayer = plot.append('g').attr('class', 'pc-lines');
  const lines = appendOnlyRuns(linesLayer, (r) => `${r.id}:${r.state.epoch}`);
  const axesLayer = plot.append('g').attr('class', 'pc-axes');
  const note = d3.select(container).append('div').attr('class', 'note');
  const tip = tooltip();
  const color = d3.scaleSequential(d3.interpolateViridis);
  /** @type {Dim[]} */
  let dims = [];
  let axesKey = '';
  /** @type {[number, number] | null} */
  let rewardDomain = null;
  /** Brushed pixel ranges by axis name. */
  const brushes = new Map();
  const x = d3.scalePoint().range([0, width]).padding(0.02);

  /** The line of one design. */
  const pathOf = (/** @type {EvaluationEvent} */ e) => {
    let d = '';
    let pen = false;
    dims.forEach((dim, i) => {
      const at = dim.at(e);
      if (at === undefined || !Number.isFinite(at)) {
        pen = false;
        return;
      }
      const px = /** @type {number} */ (x(dim.name));
      const py = at + dim.jitter * spread(e.index, i);
      d += `${pen ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const colorOf = (/** @type {EvaluationEvent} */ e) => (e.reward === null ? '#bbb' : color(e.reward));

  /** @type {DesignFilter | null} */
  let filter = null;
  function computeFilter() {
    if (brushes.size === 0) return null;
    const active = dims.filter((d) => brushes.has(d.name)).map((d) => ({ dim: d, range: brushes.get(d.name) }));
    return /** @type {DesignFilter} */ ((e) =>
      active.every(({ dim, range }) => {
        const at = dim.at(e);
        return at !== undefined && at >= range[0] && at <= range[1];
      }));
  }
  function applyFilter() {
    filter = computeFilter();
    linesLayer.selectAll('path').classed('dim', (e) => filter !== null && !filter(/** @type {EvaluationEvent} */ (e), 0));
    onFilter(filter);
  }

  /** Builds the axes for a set of parameters (a new space): everything is redrawn. */
  function buildAxes(/** @type {Array<{ name: string, values: Array<string | number> }>} */ params) {
    dims = params.map((p) => {
      const scale = d3
        .scalePoint()
        .domain(p.values.map(String))
        .range([height, 0])
        .padding(0.5);
      return { name: p.name, numeric: false, scale, jitter: scale.step() * 0.35, at: (e) => scale(String(e.config[p.name])) };
    });
    const reward = d3.scaleLinear().range([height, 0]);
    dims.push({ name: 'reward', numeric: true, scale: reward, jitter: 0, at: (e) => (e.reward === null ? undefined : reward(e.reward)) });
    x.domain(dims.map((d) => d.name));
    rewardDomain = null;
    brushes.clear();
    lines.clear();
    linesLayer.selectAll('*').remove();
    axesLayer.selectAll('*').remove();
    const axis = axesLayer
      .selectAll('g.pc-axis')
      .data(dims, (d) => /** @type {Dim} */ (d).name)
      .join('g')
      .attr('class', 'pc-axis')
      .attr('transform', (d) => `translate(${x(d.name)},0)`);
    axis
      .append('text')
      .attr('class', 'pc-name')
      // Long names alternate between two lines so neighbours do not overlap.
      .attr('y', (_d, i) => (i % 2 ? -26 : -12))
      .attr('text-anchor', 'middle')
      .text((d) => d.name);
    axis.append('g').attr('class', 'pc-ticks');
    axis.each(function (d) {
      const brush = d3
        .brushY()
        .extent([
          [-9, 0],
          [9, height],
        ])
        .on('brush end', (event) => {
          if (event.selection) brushes.set(d.name, event.selection);
          else brushes.delete(d.name);
          applyFilter();
        });
      d3.select(this).append('g').attr('class', 'brush').call(brush);
    });
    drawTicks();
    applyFilter();
  }

  function drawTicks() {
    axesLayer.selectAll('g.pc-axis').each(function (d) {
      const dim = /** @type {Dim} */ (d);
      const ax = d3.axisLeft(dim.scale).tickSize(3);
      if (dim.numeric) ax.ticks(5, 's');
      d3.select(this).select('g.pc-ticks').call(/** @type {any} */ (ax));
    });
  }

  /** @param {RunView[]} runs */
  function update(runs) {
    const axes = runs.map((r) => axesOf(r.state.space, r.state.evaluations));
    const params = axes[0] ?? [];
    const key = params.map((p) => `${p.name}:${p.values.join('|')}`).join(';');
    if (key !== axesKey) {
      axesKey = key;
      buildAxes(params);
    }
    const names = params.map((p) => p.name).join();
    const shown = runs.filter((_, i) => axes[i].map((p) => p.name).join() === names);
    const left = runs.filter((r) => !shown.includes(r)).map((r) => r.id);
    note.text(left.length ? `run ${left.join(', ')}: another parameter space, not drawn here` : '');

    const fresh = lines.fresh(shown);
    const nr = growDomain(rewardDomain, fresh.flatMap((es) => es.flatMap((e) => (e.reward === null ? [] : [e.reward]))), 0.02);
    const rescaled = nr !== rewardDomain;
    if (rescaled && nr) {
      rewardDomain = nr;
      const rewardDim = dims[dims.length - 1];
      rewardDim.scale.domain(nr);
      color.domain(nr);
      drawTicks();
    }
    lines.draw(shown, fresh, (group, r, added) => {
      group
        .selectAll(null)
        .data(added)
        .enter()
        .append('path')
        .attr('d', pathOf)
        .attr('stroke', colorOf)
        .classed('dim', (e) => filter !== null && !filter(e, r.id));
    });
    if (rescaled) {
      // The reward axis moved: every line's last point and colour with it.
      linesLayer
        .selectAll('path')
        .attr('d', (e) => pathOf(/** @type {EvaluationEvent} */ (e)))
        .attr('stroke', (e) => colorOf(/** @type {EvaluationEvent} */ (e)));
      if (brushes.has('reward')) applyFilter();
    }
  }

  svg.on('mousemove', (event) => {
    const target = /** @type {Element} */ (event.target);
    if (target.tagName !== 'path' || !target.parentElement?.classList.contains('run')) return tip.hide();
    const e = /** @type {EvaluationEvent} */ (d3.select(target).datum());
    tip.show(
      event,
      `<b>evaluation ${e.index}</b> · reward ${formatValue(e.reward)} · value ${formatValue(e.value)}<br>` +
        configHtml(e.config),
    );
  });
  svg.on('mouseleave', () => tip.hide());

  return { update, count: () => linesLayer.selectAll('path').size() };
}
