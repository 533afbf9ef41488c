// The frame every SVG chart draws in: margins, axes groups, axis labels, a tooltip.
import d3 from '../d3.js';

/**
 * @typedef {object} Frame
 * @property {d3.Selection<SVGSVGElement, unknown, null, undefined>} svg
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} plot the inner area, translated by the margins
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} xAxis
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} yAxis
 * @property {d3.Selection<SVGTextElement, unknown, null, undefined>} xLabel
 * @property {d3.Selection<SVGTextElement, unknown, null, undefined>} yLabel
 * @property {number} width inner width
 * @property {number} height inner height
 */

/**
 * @param {HTMLElement} container
 * @param {{ height: number, margin?: { top: number, right: number, bottom: number, left: number } }} options
 * @returns {Frame}
 */
export function frame(container, { height, margin = { top: 12, right: 16, bottom: 38, left: 64 } }) {
  const outerWidth = Math.max(320, container.clientWidth || 600);
  const svg = d3.select(container).append('svg').attr('width', outerWidth).attr('height', height).attr('viewBox', `0 0 ${outerWidth} ${height}`);
  const width = outerWidth - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  const xAxis = plot.append('g').attr('class', 'axis x').attr('transform', `translate(0,${innerHeight})`);
  const yAxis = plot.append('g').attr('class', 'axis y');
  const xLabel = plot.append('text').attr('class', 'axis-label').attr('x', width).attr('y', innerHeight + 32).attr('text-anchor', 'end');
  const yLabel = plot.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', 0).attr('y', -margin.left + 14).attr('text-anchor', 'end');
  return { svg, plot, xAxis, yAxis, xLabel, yLabel, width, height: innerHeight };
}

/**
 * Per-run groups of marks drawn append-only: each update appends only the evaluations a run gained
 * since the last one. A run whose key changes (a new snapshot, another colour) is redrawn whole.
 * @param {d3.Selection<SVGGElement, unknown, null, undefined>} layer
 * @param {(run: import('./best.js').RunView) => string} key
 */
export function appendOnlyRuns(layer, key) {
  /** Evaluations drawn per run key. @type {Map<string, number>} */
  const drawn = new Map();
  return {
    /** Each run's evaluations not drawn yet. @param {import('./best.js').RunView[]} runs */
    fresh: (runs) => runs.map((r) => r.state.evaluations.slice(drawn.get(key(r)) ?? 0)),
    /**
     * One `<g class="run">` per run; `append(group, run, added)` draws what `fresh` gave it.
     * @param {import('./best.js').RunView[]} runs
     * @param {import('../data.js').EvaluationEvent[][]} fresh
     * @param {(group: d3.Selection<SVGGElement, any, null, undefined>, run: import('./best.js').RunView, added: import('../data.js').EvaluationEvent[]) => void} append
     */
    draw(runs, fresh, append) {
      layer
        .selectAll('g.run')
        .data(runs, (d) => key(/** @type {import('./best.js').RunView} */ (d)))
        .join(
          (enter) => enter.append('g').attr('class', 'run'),
          (same) => same,
          (exit) => exit.each((d) => drawn.delete(key(d))).remove(),
        )
        .each(function (r) {
          const added = fresh[runs.indexOf(r)] ?? [];
          drawn.set(key(r), r.state.evaluations.length);
          if (added.length > 0) append(d3.select(/** @type {SVGGElement} */ (this)), r, added);
        });
    },
    /** Forgets what was drawn (the layer was emptied). */
    clear: () => drawn.clear(),
  };
}

/** The page's one tooltip element. */
export function tooltip() {
  let tip = /** @type {HTMLDivElement | null} */ (document.querySelector('#tooltip'));
  if (!tip) {
    tip = document.createElement('div');
    tip.id = 'tooltip';
    document.body.append(tip);
  }
  const el = tip;
  return {
    /** @param {MouseEvent} event @param {string} html */
    show(event, html) {
      el.innerHTML = html;
      el.style.display = 'block';
      el.style.left = `${Math.min(window.innerWidth - el.offsetWidth - 8, event.clientX + 14)}px`;
      el.style.top = `${event.clientY + 14}px`;
    },
    hide() {
      el.style.display = 'none';
    },
  };
}

/** A design's mcconfig as `Key=value` pairs, for a tooltip. @param {Record<string, string | number>} config */
export function configHtml(config) {
  return Object.entries(config)
    .map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(String(v))}`)
    .join(' ');
}

/** @param {string} s */
export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
