// Power against latency for every evaluated design, one colour per run, each run's Pareto front
// drawn as a staircase with its designs ringed. New designs are appended (an enter-only join on the
// new data); existing marks move only when a scale's domain has to grow.
import d3 from '../d3.js';
import { formatValue, growDomain } from '../data.js';
import { appendOnlyRuns, configHtml, frame, tooltip } from './frame.js';

/** @typedef {import('./best.js').RunView} RunView */
/** @typedef {import('../data.js').EvaluationEvent} EvaluationEvent */
/** @typedef {(e: EvaluationEvent, runId: number) => boolean} DesignFilter */

/** @param {HTMLElement} container */
export function scatterChart(container) {
  const f = frame(container, { height: 300 });
  f.xLabel.text('latency: total time (ns)');
  f.yLabel.text('average power (mW)');
  const x = d3.scaleLinear().range([0, f.width]);
  const y = d3.scaleLinear().range([f.height, 0]);
  const pointsLayer = f.plot.append('g').attr('class', 'points');
  // Run groups keyed by run, snapshot epoch and colour.
  const points = appendOnlyRuns(pointsLayer, (r) => `${r.id}:${r.state.epoch}:${r.color}`);
  const frontLayer = f.plot.append('g').attr('class', 'fronts');
  const tip = tooltip();
  /** @type {[number, number] | null} */
  let xDomain = null;
  /** @type {[number, number] | null} */
  let yDomain = null;
  /** @type {DesignFilter | null} */
  let filter = null;
  const stair = d3
    .line()
    .curve(d3.curveStepAfter)
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));

  const place = (/** @type {d3.Selection<SVGCircleElement, EvaluationEvent, any, any>} */ sel) =>
    sel.attr('cx', (d) => x(d.latencyNs)).attr('cy', (d) => y(d.powerMw));

  /** @param {RunView[]} runs */
  function update(runs) {
    const fresh = points.fresh(runs);
    const nx = growDomain(xDomain, fresh.flatMap((es) => es.map((e) => e.latencyNs)));
    const ny = growDomain(yDomain, fresh.flatMap((es) => es.map((e) => e.powerMw)));
    const rescaled = nx !== xDomain || ny !== yDomain;
    if (rescaled) {
      xDomain = nx;
      yDomain = ny;
      x.domain(xDomain ?? [0, 1]);
      y.domain(yDomain ?? [0, 1]);
      f.xAxis.call(d3.axisBottom(x).ticks(6, 's'));
      f.yAxis.call(d3.axisLeft(y).ticks(6, 's'));
    }
    points.draw(runs, fresh, (group, r, added) => {
      group
        .selectAll(null)
        .data(added)
        .enter()
        .append('circle')
        .attr('class', 'point')
        .attr('r', 2.5)
        .attr('fill', r.color)
        .classed('dim', (e) => filter !== null && !filter(e, r.id))
        .call(place);
    });
    if (rescaled) pointsLayer.selectAll('circle').call(/** @type {any} */ (place));

    const fronts = runs.map((r) => ({
      id: r.id,
      color: r.color,
      points: r.state.front.map((i) => r.state.evaluations[i]).sort((a, b) => a.latencyNs - b.latencyNs),
    }));
    frontLayer
      .selectAll('path')
      .data(fronts, (d) => /** @type {{ id: number }} */ (d).id)
      .join('path')
      .attr('class', 'front')
      .attr('stroke', (d) => d.color)
      .attr('d', (d) => stair(d.points.map((e) => [e.latencyNs, e.powerMw])));
    frontLayer
      .selectAll('circle')
      .data(
        fronts.flatMap((fr) => fr.points.map((e) => ({ id: fr.id, color: fr.color, e }))),
        (d) => `${/** @type {any} */ (d).id}:${/** @type {any} */ (d).e.index}`,
      )
      .join('circle')
      .attr('class', 'front-point')
      .attr('r', 4.5)
      .attr('stroke', (d) => d.color)
      .attr('cx', (d) => x(d.e.latencyNs))
      .attr('cy', (d) => y(d.e.powerMw));
    lastRuns = runs;
  }

  /** @type {RunView[]} */
  let lastRuns = [];
  // The nearest design to the pointer: a linear scan, cheap for thousands of designs and free of per-mark listeners.
  f.svg.on('mousemove', (event) => {
    const [mx, my] = d3.pointer(event, f.plot.node());
    let best = null;
    let bestD = 100; // px², 10 px
    for (const r of lastRuns) {
      for (const e of r.state.evaluations) {
        const dx = x(e.latencyNs) - mx;
        const dy = y(e.powerMw) - my;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = { r, e };
        }
      }
    }
    if (!best) return tip.hide();
    const { r, e } = best;
    const onFront = r.state.front.includes(e.index) ? ' · on the Pareto front' : '';
    tip.show(
      event,
      `<b>run ${r.id}, evaluation ${e.index}</b>${onFront}<br>latency ${formatValue(e.latencyNs)} ns · power ${formatValue(e.powerMw)} mW<br>` +
        configHtml(e.config),
    );
  });
  f.svg.on('mouseleave', () => tip.hide());

  /** @param {DesignFilter | null} next */
  function setFilter(next) {
    filter = next;
    pointsLayer.selectAll('g.run').each(function (r) {
      const run = /** @type {RunView} */ (r);
      d3.select(this)
        .selectAll('circle')
        .classed('dim', (e) => filter !== null && !filter(/** @type {EvaluationEvent} */ (e), run.id));
    });
  }

  /** Designs drawn (for tests and the page's counters). */
  function count() {
    return pointsLayer.selectAll('circle').size();
  }

  return { update, setFilter, count };
}
