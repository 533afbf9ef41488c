// Power against latency for every evaluated design, one colour per run (grey for a design that
// breaks a constraint), each run's Pareto front drawn as a staircase with its designs ringed. The
// designs are small squares written straight into the canvas's pixels (blended at 60 % opacity, so
// dense regions read darker): 100,000 cost a few milliseconds and no DOM, where as many fillRect
// calls cost a hundred times more without a GPU.
// The axes, the fronts and the hovered design are SVG. New designs are painted on top; the canvas
// is repainted whole only when a scale's domain grows, the runs change, or the selection made in
// the parallel coordinates changes.
import d3 from '../d3.js';
import { configAt, formatValue, growDomain } from '../data.js';
import { canvasLayer, configHtml, frame, tooltip } from './frame.js';

/** @typedef {import('./best.js').RunView} RunView */
/** @typedef {Map<number, Uint8Array> | null} Selection per run id, 1 for the designs kept by the brushes; null: no brush */

/** A design's square, in CSS pixels: smaller beyond DENSE designs, where squares would cover each other. */
const SIZE = 3;
const DENSE_SIZE = 2;
const DENSE = 20_000;
const DIM = '#c9ced6';
const GREY = d3.rgb(DIM);
const OPACITY = 0.6;

/** @param {HTMLElement} container */
export function scatterChart(container) {
  const f = frame(container, { height: 300 });
  f.xLabel.text('latency: total time (ns)');
  f.yLabel.text('average power (mW)');
  const layer = canvasLayer(container, f);
  const pixels = pixelBuffer(layer.canvas);
  const x = d3.scaleLinear().range([0, f.width]);
  const y = d3.scaleLinear().range([f.height, 0]);
  const frontLayer = f.plot.append('g').attr('class', 'fronts');
  const hover = f.plot.append('circle').attr('class', 'hover-point').attr('r', 5).style('display', 'none');
  const tip = tooltip();
  /** @type {[number, number] | null} */
  let xDomain = null;
  /** @type {[number, number] | null} */
  let yDomain = null;
  /** @type {Selection} */
  let selection = null;
  let repaint = true;
  /** Every design in grey, kept while only the selection changes: a brush then paints the kept designs alone. @type {Uint32Array | null} */
  let greyed = null;
  /** Designs painted per run key (run, snapshot epoch, colour). @type {Map<string, number>} */
  const painted = new Map();
  /** Designs the domains cover, per run key. @type {Map<string, number>} */
  const measured = new Map();
  const keyOf = (/** @type {RunView} */ r) => `${r.id}:${r.state.epoch}:${r.color}`;
  const stair = d3
    .line()
    .curve(d3.curveStepAfter)
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));
  /** @type {RunView[]} */
  let lastRuns = [];
  /** Designs shown, all runs: the squares' size. */
  let total = 0;

  /** Paints designs [from, to) of a run: all of them in grey ('dim'), the kept ones in the run's colour ('kept'), or all in colour. */
  function paint(/** @type {RunView} */ r, /** @type {number} */ from, /** @type {number} */ to, /** @type {'dim' | 'kept' | 'all'} */ which) {
    const { latencyNs, powerMw, feasible } = r.state.cols;
    const mask = selection?.get(r.id) ?? null;
    const rgb = d3.rgb(which === 'dim' ? DIM : r.color);
    // The scales inlined, in device pixels: a function call per design is most of the cost at 100,000.
    const [x0, x1] = x.domain();
    const [y0, y1] = y.domain();
    const kx = pixels.width / (x1 - x0);
    const ky = -pixels.height / (y1 - y0);
    const size = Math.max(1, Math.round((total > DENSE ? DENSE_SIZE : SIZE) * pixels.ratio));
    const bx = -x0 * kx - size / 2;
    const by = pixels.height - y0 * ky - size / 2;
    for (let i = from; i < to; i++) {
      if (which === 'kept' && mask && mask[i] !== 1) continue;
      // A design that breaks a constraint is grey, whatever its run.
      const c = feasible[i] ? rgb : GREY;
      pixels.square(Math.round(latencyNs[i] * kx + bx), Math.round(powerMw[i] * ky + by), size, c.r, c.g, c.b, which === 'dim' || !feasible[i] ? 0.5 : OPACITY);
    }
  }

  /** @param {RunView[]} runs */
  function update(runs) {
    lastRuns = runs;
    const wasDense = total > DENSE;
    total = runs.reduce((a, r) => a + r.state.n, 0);
    if (total > DENSE !== wasDense) repaint = true;
    const keys = runs.map(keyOf);
    const runsChanged = painted.size !== keys.length || keys.some((k) => !painted.has(k));
    // The grey image holds every design painted: new designs or other runs make it stale.
    if (runsChanged || keys.some((k, i) => painted.get(k) !== runs[i].state.n)) greyed = null;
    if (runsChanged) repaint = true;
    // Grow the domains over the designs not measured yet.
    /** @param {'latencyNs' | 'powerMw'} col */
    const fresh = function* (col) {
      for (const [k, r] of runs.entries()) {
        const c = r.state.cols[col];
        for (let i = measured.get(keys[k]) ?? 0; i < r.state.n; i++) yield c[i];
      }
    };
    const nx = growDomain(xDomain, fresh('latencyNs'));
    const ny = growDomain(yDomain, fresh('powerMw'));
    measured.clear();
    runs.forEach((r, k) => measured.set(keys[k], r.state.n));
    if (nx !== xDomain || ny !== yDomain) {
      xDomain = nx;
      yDomain = ny;
      x.domain(xDomain ?? [0, 1]);
      y.domain(yDomain ?? [0, 1]);
      f.xAxis.call(d3.axisBottom(x).ticks(6).tickFormat(d3.format('~s')));
      f.yAxis.call(d3.axisLeft(y).ticks(6).tickFormat(d3.format('~s')));
      repaint = true;
      greyed = null;
    }
    if (repaint) {
      painted.clear();
      if (selection) {
        // Every design in grey under the kept ones.
        if (!greyed) {
          pixels.clear();
          for (const r of runs) paint(r, 0, r.state.n, 'dim');
          greyed = pixels.copy();
        } else pixels.restore(greyed);
        for (const r of runs) paint(r, 0, r.state.n, 'kept');
      } else {
        pixels.clear();
        for (const r of runs) paint(r, 0, r.state.n, 'all');
      }
      runs.forEach((r, k) => painted.set(keys[k], r.state.n));
      repaint = false;
    } else {
      runs.forEach((r, k) => {
        const from = painted.get(keys[k]) ?? 0;
        if (from >= r.state.n) return;
        if (selection) paint(r, from, r.state.n, 'dim');
        paint(r, from, r.state.n, selection ? 'kept' : 'all');
        painted.set(keys[k], r.state.n);
      });
    }
    pixels.show();

    const fronts = runs.map((r) => ({
      id: r.id,
      color: r.color,
      points: r.state.front.map((i) => /** @type {[number, number, number]} */ ([r.state.cols.latencyNs[i], r.state.cols.powerMw[i], i])).sort((a, b) => a[0] - b[0]),
    }));
    frontLayer
      .selectAll('path')
      .data(fronts, (d) => /** @type {{ id: number }} */ (d).id)
      .join('path')
      .attr('class', 'front')
      .attr('stroke', (d) => d.color)
      .attr('d', (d) => stair(d.points.map((p) => [p[0], p[1]])));
    frontLayer
      .selectAll('circle')
      .data(
        fronts.flatMap((fr) => fr.points.map((p) => ({ id: fr.id, color: fr.color, p }))),
        (d) => `${/** @type {any} */ (d).id}:${/** @type {any} */ (d).p[2]}`,
      )
      .join('circle')
      .attr('class', 'front-point')
      .attr('r', 4.5)
      .attr('stroke', (d) => d.color)
      .attr('cx', (d) => x(d.p[0]))
      .attr('cy', (d) => y(d.p[1]));
  }

  // The nearest design to the pointer: a scan over the columns, cheap for 100,000 designs and free of per-mark listeners.
  f.svg.on('mousemove', (event) => {
    const [mx, my] = d3.pointer(event, f.plot.node());
    let best = null;
    let bestD = 100; // px², 10 px
    for (const r of lastRuns) {
      const { latencyNs, powerMw } = r.state.cols;
      for (let i = 0; i < r.state.n; i++) {
        const dx = x(latencyNs[i]) - mx;
        const dy = y(powerMw[i]) - my;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = { r, i };
        }
      }
    }
    if (!best) {
      hover.style('display', 'none');
      return tip.hide();
    }
    const { r, i } = best;
    const c = r.state.cols;
    hover.style('display', null).attr('cx', x(c.latencyNs[i])).attr('cy', y(c.powerMw[i])).attr('stroke', r.color);
    const onFront = r.state.front.includes(i) ? ' · on the Pareto front' : '';
    tip.show(
      event,
      `<b>run ${r.id}, evaluation ${i}</b>${onFront}<br>latency ${formatValue(c.latencyNs[i])} ns · power ${formatValue(c.powerMw[i])} mW<br>` +
        configHtml(configAt(r.state, i)),
    );
  });
  f.svg.on('mouseleave', () => {
    hover.style('display', 'none');
    tip.hide();
  });

  /** The parallel coordinates' selection: the canvas is repainted on the next update if it changed. @param {Selection} next */
  function setSelection(next) {
    if (next === selection) return;
    selection = next;
    repaint = true;
  }

  /** Designs painted (for tests and the page's counters). */
  function count() {
    let n = 0;
    for (const v of painted.values()) n += v;
    return n;
  }

  return { update, setSelection, count };
}

/**
 * The canvas's pixels as a buffer: squares blended in by hand over an opaque white background (the
 * card's), then shown with one putImageData.
 * @param {HTMLCanvasElement} canvas
 */
function pixelBuffer(canvas) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const width = canvas.width;
  const height = canvas.height;
  const image = ctx.createImageData(width, height);
  // One 32-bit word per pixel, red in the low byte (every browser's byte order is little-endian).
  const words = new Uint32Array(image.data.buffer);
  const WHITE = 0xffffffff;
  words.fill(WHITE);
  return {
    width,
    height,
    ratio: window.devicePixelRatio || 1,
    clear: () => words.fill(WHITE),
    copy: () => words.slice(),
    /** @param {Uint32Array} saved */
    restore: (saved) => words.set(saved),
    /**
     * Blends a square of colour (r, g, b) at opacity alpha into the pixels.
     * @param {number} x0 @param {number} y0 @param {number} size @param {number} r @param {number} g @param {number} b
     * @param {number} alpha
     */
    square(x0, y0, size, r, g, b, alpha) {
      const a = Math.round(alpha * 256);
      const xa = Math.max(0, x0);
      const xb = Math.min(width, x0 + size);
      const ya = Math.max(0, y0);
      const yb = Math.min(height, y0 + size);
      for (let py = ya; py < yb; py++) {
        for (let o = py * width + xa, end = py * width + xb; o < end; o++) {
          const p = words[o];
          const r0 = p & 255;
          const g0 = (p >>> 8) & 255;
          const b0 = (p >>> 16) & 255;
          words[o] = (0xff000000 | ((b0 + (((b - b0) * a) >> 8)) << 16) | ((g0 + (((g - g0) * a) >> 8)) << 8) | (r0 + (((r - r0) * a) >> 8))) >>> 0;
        }
      }
    },
    show: () => ctx.putImageData(image, 0, 0),
  };
}
