// Best-so-far objective against evaluations: one panel per objective (runs with different
// objectives never share an axis), each labelled with its unit, one step line per run, and dashed
// lines for the comparison's true optimum and target when the runs belong to one of its cells.
// The y axis zooms to the range the search improves in and turns logarithmic when the values span
// a factor of ten (data.js: bestRange, defaultBestView), unless the user picks otherwise; dragging a
// rectangle zooms into it, a double click zooms out again.
import d3 from '../d3.js';
import { bestRange, bestSteps, defaultBestView, withUnit } from '../data.js';
import { escapeHtml, frame } from './frame.js';

/** @typedef {{ id: number, color: string, state: import('../data.js').RunState }} RunView */
/** @typedef {{ optimum: number | null, target: number | null }} Reference */
/** @typedef {{ scale: 'auto' | 'linear' | 'log', range: 'auto' | 'best' | 'full' }} ViewChoice */

/** @param {HTMLElement} container */
export function bestChart(container) {
  /** @type {ViewChoice} */
  const choice = { scale: 'auto', range: 'auto' };
  const toolbar = d3.select(container).append('div').attr('class', 'toolbar');
  const select = (/** @type {string} */ label, /** @type {keyof ViewChoice} */ key, /** @type {Array<[string, string]>} */ options) => {
    const l = toolbar.append('label').text(`${label} `);
    l.append('select')
      .attr('class', `best-${key}`)
      .on('change', (event) => {
        choice[key] = /** @type {any} */ (event.target).value;
        for (const p of panels.values()) p.resetZoom();
        redraw();
      })
      .selectAll('option')
      .data(options)
      .join('option')
      .attr('value', (d) => d[0])
      .text((d) => d[1]);
  };
  select('y scale', 'scale', [
    ['auto', 'auto'],
    ['linear', 'linear'],
    ['log', 'logarithmic'],
  ]);
  select('range', 'range', [
    ['auto', 'auto'],
    ['best', 'the best values'],
    ['full', 'every value'],
  ]);
  toolbar.append('span').attr('class', 'hint').text('drag to zoom, double-click to zoom out');
  const holder = d3.select(container).append('div').attr('class', 'panels');
  /** @type {Map<string, ReturnType<typeof bestPanel>>} */
  const panels = new Map();
  /** @type {RunView[]} */
  let lastRuns = [];
  /** @type {Reference | null} */
  let lastReference = null;

  /**
   * @param {RunView[]} runs
   * @param {Reference | null} [reference]
   */
  function update(runs, reference = null) {
    lastRuns = runs;
    lastReference = reference;
    /** @type {Map<string, RunView[]>} */
    const byObjective = new Map();
    for (const r of runs) {
      const o = r.state.info.objective;
      if (!byObjective.has(o)) byObjective.set(o, []);
      byObjective.get(o)?.push(r);
    }
    for (const [o, p] of panels) {
      if (!byObjective.has(o)) {
        p.remove();
        panels.delete(o);
      }
    }
    const height = byObjective.size > 1 ? 230 : 300;
    for (const [o, group] of byObjective) {
      let p = panels.get(o);
      if (p && p.height !== height) {
        p.remove();
        p = undefined;
      }
      if (!p) {
        p = bestPanel(/** @type {HTMLElement} */ (holder.append('div').attr('class', 'panel').attr('data-objective', o).node()), o, height, redraw);
        panels.set(o, p);
      }
      p.update(group, reference, choice);
    }
    // Panels in the order their objectives first appear among the selected runs.
    for (const o of byObjective.keys()) holder.node()?.append(/** @type {ReturnType<typeof bestPanel>} */ (panels.get(o)).node);
  }

  function redraw() {
    update(lastRuns, lastReference);
  }

  return { update, panels: () => [...panels.values()].map((p) => p.state()) };
}

/**
 * @param {HTMLElement} node @param {string} objective @param {number} height
 * @param {() => void} redraw
 */
function bestPanel(node, objective, height, redraw) {
  const f = frame(node, { height, margin: { top: 12, right: 16, bottom: 38, left: 84 } });
  const clipId = `best-clip-${objective.replace(/[^\w-]/g, '')}-${Math.random().toString(36).slice(2)}`;
  f.svg.append('defs').append('clipPath').attr('id', clipId).append('rect').attr('width', f.width).attr('height', f.height);
  const lines = f.plot.append('g').attr('class', 'lines').attr('clip-path', `url(#${clipId})`);
  const references = f.plot.append('g').attr('class', 'reference').attr('clip-path', `url(#${clipId})`);
  const note = d3.select(node).append('div').attr('class', 'note zoom-note');
  const legend = d3.select(node).append('div').attr('class', 'legend');
  /** A domain the user dragged out; null: the view's. @type {{ x: [number, number], y: [number, number] } | null} */
  let zoom = null;
  let axesKey = '';
  /** @type {{ log: boolean, zoom: string, domain: [number, number], unit: string }} */
  let shown = { log: false, zoom: 'full', domain: [0, 1], unit: '' };
  /** @type {d3.ScaleContinuousNumeric<number, number>} */
  let y = d3.scaleLinear().range([f.height, 0]);
  const x = d3.scaleLinear().range([0, f.width]);
  const line = d3
    .line()
    .curve(d3.curveStepAfter)
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));

  const brush = d3
    .brush()
    .extent([
      [0, 0],
      [f.width, f.height],
    ])
    .on('end', (event) => {
      if (!event.selection) return;
      const [[x0, y0], [x1, y1]] = /** @type {[[number, number], [number, number]]} */ (event.selection);
      f.plot.select('g.zoom-brush').call(/** @type {any} */ (brush.move), null);
      if (x1 - x0 < 4 || y1 - y0 < 4) return;
      zoom = { x: [x.invert(x0), x.invert(x1)], y: [y.invert(y1), y.invert(y0)] };
      redraw();
    });
  f.plot.insert('g', '.lines').attr('class', 'zoom-brush').call(brush).on('dblclick', () => {
    zoom = null;
    redraw();
  });

  /**
   * @param {RunView[]} runs @param {Reference | null} reference @param {ViewChoice} choice
   */
  function update(runs, reference, choice) {
    /** @type {Array<{ name: string, value: number }>} */
    const marks = [];
    if (reference?.optimum != null) marks.push({ name: 'true optimum', value: reference.optimum });
    // At tolerance 0 the target is the optimum: one line.
    if (reference?.target != null && reference.target !== reference.optimum) marks.push({ name: 'target', value: reference.target });
    const series = runs.map((r) => ({ id: r.id, color: r.color, info: r.state.info, steps: bestSteps(r.state.cols.best, r.state.n) }));
    const unit = runs[0]?.state.info.unit ?? '';
    const range = bestRange(
      series.map((s) => s.steps),
      marks.map((m) => m.value),
    );
    const auto = range ? defaultBestView(range) : { zoom: 'full', log: false };
    const zoomTo = choice.range === 'auto' ? auto.zoom : choice.range;
    /** @type {[number, number]} */
    let domain = zoom ? zoom.y : range ? (zoomTo === 'best' ? range.best : range.full) : [0, 1];
    let log = choice.scale === 'auto' ? auto.log : choice.scale === 'log';
    // A log scale needs positive values (a hypervolume starts at 0).
    if (domain[0] <= 0) log = false;
    if (!zoom) domain = pad(domain, log);
    const xMax = Math.max(1, ...runs.map((r) => Math.max(r.state.info.budget, r.state.n)));
    const xDomain = zoom ? zoom.x : [0, xMax];
    const key = JSON.stringify([domain, xDomain, log, marks]);
    if (key !== axesKey) {
      axesKey = key;
      y = (log ? d3.scaleLog() : d3.scaleLinear()).domain(domain).range([f.height, 0]);
      if (!zoom) y.nice();
      x.domain(xDomain);
      f.xAxis.call(d3.axisBottom(x).ticks(6).tickFormat(d3.format('~s')));
      // Thousands separators, and as many decimals as the ticks' step needs: a narrow range reads 2,000.04, 2,000.06, ….
      f.yAxis.call(d3.axisLeft(y).ticks(log ? 5 : 6, log ? ',~g' : ',f'));
      f.xLabel.text('evaluations');
      f.yLabel.text(`best ${objective}${unit ? ` (${unit})` : ''}${log ? ', log scale' : ''}`);
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
        .text((d) => `${d.name} ${withUnit(d.value, unit)}`);
    }
    shown = { log, zoom: zoom ? 'drag' : zoomTo, domain, unit };
    d3.select(node).attr('data-scale', log ? 'log' : 'linear').attr('data-zoom', shown.zoom);
    lines
      .selectAll('path')
      .data(series, (d) => /** @type {{ id: number }} */ (d).id)
      .join('path')
      .attr('fill', 'none')
      .attr('stroke', (d) => d.color)
      .attr('stroke-width', 2)
      .attr('d', (d) => line(d.steps));
    const hidden = range && !zoom && zoomTo === 'best' && range.best[1] < range.full[1];
    note.text(
      zoom
        ? 'zoomed in: double-click the chart to zoom out'
        : hidden && range
          ? `zoomed to the best values: the first designs (up to ${withUnit(range.full[1], unit)}) lie above; choose "every value" to see them`
          : '',
    );
    legend
      .selectAll('span')
      .data(series, (d) => /** @type {{ id: number }} */ (d).id)
      .join('span')
      .attr('class', 'legend-item')
      .html(
        (d) =>
          `<i style="background:${d.color}"></i>run ${d.id} · ${escapeHtml(d.info.agent)} · best ${escapeHtml(withUnit(d.steps.length ? d.steps[d.steps.length - 1][1] : null, unit))}`,
      );
  }

  return {
    node,
    height,
    update,
    resetZoom: () => {
      zoom = null;
    },
    remove: () => node.remove(),
    /** What the panel shows (for tests). */
    state: () => ({ objective, ...shown, label: f.yLabel.text() }),
  };
}

/**
 * A little room around a domain: 5 % of its span, multiplicative on a log scale.
 * @param {[number, number]} domain @param {boolean} log @returns {[number, number]}
 */
function pad([lo, hi], log) {
  if (log) return [lo / 1.05, hi * 1.05];
  const m = (hi - lo || Math.abs(hi) || 1) * 0.05;
  return [lo - m, hi + m];
}
