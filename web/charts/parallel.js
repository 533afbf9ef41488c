// Parallel coordinates of the evaluated designs: one axis per chosen parameter (grouped by subsystem,
// the space's slices) and one for the reward. Between two neighbouring axes the designs are drawn
// as bundles: one line per pair of values that occurs, as wide as the number of designs taking it
// and coloured by their mean reward. So the cost of a frame depends on the number of value pairs
// (a few hundred), not on the number of designs: 100,000 designs brush as fluidly as 100. The
// bundles are on a canvas; the axes, the brushes and each run's best design (one line per run) are
// SVG. Brushing an axis keeps the designs whose value falls in the brush; the others turn grey
// here and in the other charts. Each subsystem's axes stand on a band of its colour, with a gap
// before the next; crowded names are turned and shortened, values cut to the room between axes
// (whole on hover). The user's choice of axes is kept per space in the browser's local storage.
import d3 from '../d3.js';
import { axesStorageKey, axisGroups, configAt, formatValue, groupedAxes, growDomain, MISSING, parseAxesChoice, shortName, spaceKey, tickLabel } from '../data.js';
import { canvasLayer, configHtml, escapeHtml, tooltip } from './frame.js';

/** @typedef {import('./best.js').RunView} RunView */
/** @typedef {import('./scatter.js').Selection} Selection */
/** @typedef {import('../data.js').Axis} Axis */
/**
 * @typedef {object} Dim
 * @property {string} name
 * @property {string | null} subsystem
 * @property {number} param the parameter's index in the runs' axes; -1 for the reward
 * @property {number} levels values (or reward bins)
 * @property {Array<string | number>} values the parameter's values (none for the reward)
 * @property {(level: number) => number} y a level's position
 * @property {any} scale
 */
/**
 * @typedef {object} Pair the designs between two neighbouring axes, by (value, value)
 * @property {number} lb levels of the right-hand axis
 * @property {Float64Array} count
 * @property {Float64Array} rewardSum
 * @property {Float64Array} rewardCount
 */

/** Beyond this many parameters, the chart starts with a subset (the most important, once known). */
const MAX_DEFAULT_AXES = 16;
/** Parameters shown by default in a larger space. */
const DEFAULT_AXES = 12;
const REWARD_BINS = 48;
/** A design in no bundle of a pair (a value missing on either axis). */
const NONE = 0xffffffff;
const MAX_WIDTH = 12;
const DIM = '#cfd3da';
const MARGIN = { top: 64, right: 40, bottom: 36, left: 100 };
const HEIGHT = 300;
/** Narrower than this between neighbouring axes, the chart grows wider than its card and scrolls sideways. */
const MIN_SPACING = 24;
/** The extra space between two subsystems' axes, in spacings between axes. */
const GROUP_GAP = 0.7;
/** Characters of a turned axis name. */
const NAME_LIMIT = 18;
/** How far turned axis names are turned from the horizontal, in degrees. */
const NAME_ANGLE = 60;
/** Tick labels are cut to fit between the axes at about this many pixels a character. */
const TICK_CHAR_PX = 6;

/** @param {number} la @param {number} lb @returns {Pair} */
function newPair(la, lb) {
  return { lb, count: new Float64Array(la * lb), rewardSum: new Float64Array(la * lb), rewardCount: new Float64Array(la * lb) };
}

/**
 * @param {HTMLElement} container
 * @param {{ onBrush: () => void }} options onBrush: the brushes moved (call `applyBrushes` on the next frame)
 */
export function parallelChart(container, { onBrush }) {
  const root = d3.select(container);
  const bar = root.append('div').attr('class', 'toolbar pc-toolbar');
  const keptText = bar.append('span').attr('class', 'pc-kept');
  const clearButton = bar
    .append('button')
    .attr('type', 'button')
    .attr('class', 'pc-clear')
    .text('clear the brushes')
    .on('click', () => {
      for (const [name, brush] of brushOf) if (brushes.has(name)) axesLayer.select(`g.pc-axis[data-name="${CSS.escape(name)}"] g.brush`).call(/** @type {any} */ (brush.move), null);
    });
  const chooser = root.append('details').attr('class', 'axis-chooser');
  const summary = chooser.append('summary');
  const groupsDiv = chooser.append('div').attr('class', 'axis-groups');
  const actions = chooser.append('div').attr('class', 'axis-actions');
  const plotDiv = /** @type {HTMLDivElement} */ (root.append('div').attr('class', 'pc-plot').node());
  const note = root.append('div').attr('class', 'note');
  const cardWidth = Math.max(480, container.clientWidth || 900);
  const height = HEIGHT;
  /** The plot's width and top margin: they follow the axes shown (see `layout`). */
  let width = cardWidth - MARGIN.left - MARGIN.right;
  let top = MARGIN.top;
  const svg = d3.select(plotDiv).append('svg');
  const layer = canvasLayer(plotDiv, { width, height, margin: MARGIN });
  const ctx = layer.ctx;
  // Every design's bundles in grey, drawn once while only the brushes move (copied under the kept ones).
  const greyCanvas = document.createElement('canvas');
  const greyCtx = /** @type {CanvasRenderingContext2D} */ (greyCanvas.getContext('2d'));
  let greyDrawn = false;
  const plot = svg.append('g');
  const groupLayer = plot.append('g').attr('class', 'pc-groups');
  const bestLayer = plot.append('g').attr('class', 'pc-best-lines');
  const axesLayer = plot.append('g').attr('class', 'pc-axes');
  const tip = tooltip();
  const color = d3.scaleSequential(d3.interpolateViridis);
  /** Each shown axis's x, by name. @type {Map<string, number>} */
  const xOf = new Map();
  const x = (/** @type {string} */ name) => /** @type {number} */ (xOf.get(name));
  /** Pixels between neighbouring axes of one subsystem. */
  let spacing = width;
  const rewardScale = d3.scaleLinear().range([height, 0]);

  /** Every parameter of the shown runs' space, grouped. @type {Axis[]} */
  let axes = [];
  let axesKey = '';
  /** Where the user's choice of axes for this space is kept (the browser's local storage). */
  let storageKey = '';
  /** The user's choice of axes; null: the default. @type {Set<string> | null} */
  let chosen = null;
  /** Parameter names, most important first (from the importance view). @type {string[] | null} */
  let preferred = null;
  /** @type {Dim[]} */
  let dims = [];
  /** Brushed pixel ranges by axis name. @type {Map<string, [number, number]>} */
  const brushes = new Map();
  /** Each axis's brush behaviour. @type {Map<string, d3.BrushBehavior<any>>} */
  const brushOf = new Map();
  /** @type {[number, number] | null} */
  let rewardDomain = null;
  /** All designs, and (with brushes) the kept ones. @type {{ all: Pair[], kept: Pair[] }} */
  let pairs = { all: [], kept: [] };
  /** Designs aggregated per run key. @type {Map<string, number>} */
  const counted = new Map();
  /** @type {RunView[]} */
  let shown = [];
  /** @type {Selection} */
  let selection = null;
  /** The brushes as tests on a design. @type {Array<{ param: number, allowed: Uint8Array } | { param: -1, lo: number, hi: number }>} */
  let tests = [];
  /** What was drawn, per pair, for the tooltip. @type {Array<Array<{ a: number, b: number, count: number, mean: number, w: number }>>} */
  let drawn = [];

  const keyOf = (/** @type {RunView} */ r) => `${r.id}:${r.state.epoch}`;

  // ---- axes ----

  /** The parameters to draw: all of them, or the most important in a larger space (its first until importance is known). */
  function defaultAxes() {
    if (axes.length <= MAX_DEFAULT_AXES) return new Set(axes.map((a) => a.name));
    const ranked = preferred ? preferred.filter((n) => axes.some((a) => a.name === n)) : axes.map((a) => a.name);
    return new Set(ranked.slice(0, DEFAULT_AXES));
  }

  function buildChooser() {
    const fieldsets = groupsDiv
      .selectAll('fieldset')
      .data(axisGroups(axes), (d) => String(/** @type {import('../data.js').AxisGroup} */ (d).subsystem))
      .join((enter) => {
        const fs = enter.append('fieldset');
        const legend = fs.append('legend').append('label');
        legend.append('input').attr('type', 'checkbox').attr('class', 'group');
        legend.append('span');
        return fs;
      });
    fieldsets.attr('data-group', (d) => d.subsystem ?? '').style('--group', (d) => d.color);
    fieldsets.select('legend span').text((d) => ` ${d.subsystem ?? 'parameters'}`);
    fieldsets.select('input.group').on('change', function (_event, d) {
      const on = /** @type {HTMLInputElement} */ (this).checked;
      const names = new Set(chosenNames());
      for (const a of d.axes) on ? names.add(a.name) : names.delete(a.name);
      choose(names);
    });
    fieldsets
      .selectAll('label.axis')
      .data((d) => d.axes, (d) => /** @type {Axis} */ (d).name)
      .join((enter) => {
        const l = enter.append('label').attr('class', 'axis');
        l.append('input').attr('type', 'checkbox');
        l.append('span');
        return l;
      })
      .attr('data-name', (d) => d.name)
      .call((l) => l.select('span').text((d) => ` ${d.name}`))
      .call((l) =>
        l.select('input').on('change', function (_event, d) {
          const names = new Set(chosenNames());
          /** @type {HTMLInputElement} */ (this).checked ? names.add(d.name) : names.delete(d.name);
          choose(names);
        }),
      );
    actions
      .selectAll('button')
      .data(/** @type {Array<[string, string]>} */ ([
        ['all', 'all parameters'],
        ['important', 'the most important'],
      ]))
      .join('button')
      .attr('type', 'button')
      .attr('data-action', (d) => d[0])
      .text((d) => d[1])
      .on('click', (_event, d) => choose(d[0] === 'all' ? new Set(axes.map((a) => a.name)) : null));
  }

  function chosenNames() {
    return [...(chosen ?? defaultAxes())];
  }

  /** The user's choice (null: back to the default), kept for this space. @param {Set<string> | null} names */
  function choose(names) {
    chosen = names;
    try {
      if (names) localStorage.setItem(storageKey, JSON.stringify(axes.map((a) => a.name).filter((n) => names.has(n))));
      else localStorage.removeItem(storageKey);
    } catch {
      // No storage (disabled, or full): the choice holds until the page is closed.
    }
    rebuild();
  }

  /** The choice kept for this space, if any. */
  function storedChoice() {
    try {
      return parseAxesChoice(localStorage.getItem(storageKey), axes);
    } catch {
      return null;
    }
  }

  function syncChooser() {
    const names = new Set(chosenNames());
    groupsDiv.selectAll('label.axis input').property('checked', (d) => names.has(/** @type {Axis} */ (d).name));
    groupsDiv.selectAll('fieldset').each(function (d) {
      const members = /** @type {import('../data.js').AxisGroup} */ (d).axes;
      const on = members.filter((a) => names.has(a.name)).length;
      const box = /** @type {HTMLInputElement} */ (d3.select(this).select('input.group').node());
      box.checked = on === members.length;
      box.indeterminate = on > 0 && on < members.length;
    });
    const why = chosen ? ' (chosen here, kept for this space)' : names.size < axes.length && preferred ? ' (the most important)' : '';
    summary.text(`Axes: ${names.size} of ${axes.length} parameters, grouped by subsystem${why}`);
  }

  /** The dims for the chosen parameters, then the reward; axes, brushes and counts redone. */
  function rebuild() {
    const names = new Set(chosenNames());
    dims = axes
      .filter((a) => names.has(a.name))
      .map((a) => {
        const scale = d3
          .scalePoint()
          .domain(a.values.map(String))
          .range([height, 0])
          .padding(0.5);
        const values = a.values.map(String);
        return {
          name: a.name,
          subsystem: a.subsystem,
          param: shown[0]?.state.axes.findIndex((p) => p.name === a.name) ?? -1,
          levels: a.values.length,
          values: a.values,
          y: (/** @type {number} */ l) => /** @type {number} */ (scale(values[l])),
          scale,
        };
      });
    dims.push({
      name: 'reward',
      subsystem: null,
      param: -1,
      levels: REWARD_BINS,
      values: [],
      y: (l) => rewardScale(rewardAt(l + 0.5)),
      scale: rewardScale,
    });
    for (const name of [...brushes.keys()]) if (!dims.some((d) => d.name === name)) brushes.delete(name);
    placeAxes();
    drawAxes();
    syncChooser();
    recount();
    applyBrushes(true);
  }

  /** The reward at a (fractional) bin. @param {number} bin */
  function rewardAt(bin) {
    const [lo, hi] = rewardDomain ?? [0, 1];
    return lo + ((hi - lo) * bin) / REWARD_BINS;
  }

  /** Whether an axis starts another subsystem's group than the one before it (the reward is a group of its own). @param {number} j */
  const startsGroup = (j) => j > 0 && (dims[j].subsystem !== dims[j - 1].subsystem || dims[j].param < 0);

  /**
   * Each axis's x: evenly spaced, with a gap between subsystems. The plot takes the card's width,
   * or more (the card then scrolls sideways) when the axes would come closer than MIN_SPACING.
   */
  function placeAxes() {
    const available = cardWidth - MARGIN.left - MARGIN.right;
    let units = 0;
    const at = dims.map((_d, j) => (units += j === 0 ? 0 : 1 + (startsGroup(j) ? GROUP_GAP : 0)));
    spacing = units > 0 ? Math.max(MIN_SPACING, available / units) : available;
    width = Math.max(available, units * spacing);
    xOf.clear();
    dims.forEach((d, j) => xOf.set(d.name, units > 0 ? at[j] * spacing : width / 2));
  }

  /** The SVG and the canvases sized to the plot (after the axis names are measured for the top margin). */
  function layout() {
    const outerWidth = width + MARGIN.left + MARGIN.right;
    const outerHeight = top + height + MARGIN.bottom;
    svg.attr('width', outerWidth).attr('height', outerHeight).attr('viewBox', `0 0 ${outerWidth} ${outerHeight}`);
    plot.attr('transform', `translate(${MARGIN.left},${top})`);
    layer.resize({ width, height, margin: { ...MARGIN, top } });
    greyCanvas.width = layer.canvas.width;
    greyCanvas.height = layer.canvas.height;
    greyCtx.setTransform(layer.canvas.width / width, 0, 0, layer.canvas.height / height, 0, 0);
    greyDrawn = false;
  }

  function drawAxes() {
    axesLayer.selectAll('*').remove();
    brushOf.clear();
    const axis = axesLayer
      .selectAll('g.pc-axis')
      .data(dims, (d) => /** @type {Dim} */ (d).name)
      .join('g')
      .attr('class', 'pc-axis')
      .attr('data-name', (d) => d.name)
      .attr('transform', (d) => `translate(${x(d.name)},0)`)
      // An axis shows its values in full while the pointer is on it, over its neighbours.
      .on('mouseenter', function (_event, d) {
        if (d.param >= 0) d3.select(this).raise().selectAll('.tick text').text((v) => String(v));
      })
      .on('mouseleave', function () {
        d3.select(this).call(shortTicks);
      });
    const names = axis
      .append('text')
      .attr('class', 'pc-name')
      .text((d) => d.name);
    const groupNames = drawGroups();
    // The names measured whole, in one layout: shortened names are estimated at the same width a character.
    const lengths = names.nodes().map((t) => t.getComputedTextLength());
    fitGroupNames(groupNames);
    // Names alternate between two lines while neighbours on a line keep clear of each other; else they are turned and shortened.
    const crowded = Math.max(0, ...lengths) > 2 * spacing - 12;
    const shown = dims.map((d) => (crowded ? shortName(d.name, NAME_LIMIT) : d.name));
    names.text((_d, k) => shown[k]);
    if (crowded) names.attr('transform', `translate(-2,-10) rotate(${-NAME_ANGLE})`).attr('text-anchor', 'start');
    else names.attr('y', (_d, i) => (i % 2 ? -26 : -12)).attr('text-anchor', 'middle');
    names.append('title').text((d) => (d.subsystem ? `${d.name} (${d.subsystem})` : d.name));
    // The top margin holds the longest turned name (a tenth more than estimated).
    const longest = Math.max(0, ...dims.map((d, k) => (lengths[k] * shown[k].length) / d.name.length));
    top = crowded ? Math.max(MARGIN.top, Math.ceil(1.1 * longest * Math.sin((NAME_ANGLE * Math.PI) / 180)) + 20) : MARGIN.top;
    layout();
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
          onBrush();
        });
      brushOf.set(d.name, brush);
      d3.select(this).append('g').attr('class', 'brush').call(brush);
      const kept = brushes.get(d.name);
      if (kept) d3.select(this).select('g.brush').call(/** @type {any} */ (brush.move), kept);
    });
    drawTicks();
  }

  /**
   * A band under each subsystem's axes, in its colour, named below them (none for parameters of no
   * known subsystem). Returns the names, whole, for `fitGroupNames` once they are measured.
   */
  function drawGroups() {
    /** @type {Array<{ name: string, from: number, to: number, color: string }>} */
    const groups = [];
    const colors = new Map(axisGroups(axes).map((g) => [g.subsystem, g.color]));
    dims.forEach((d, j) => {
      if (d.subsystem === null) return;
      const at = x(d.name);
      const last = groups[groups.length - 1];
      if (last && !startsGroup(j)) last.to = at;
      else groups.push({ name: d.subsystem, from: at, to: at, color: colors.get(d.subsystem) ?? '' });
    });
    const pad = Math.min(spacing / 2 - 2, 40);
    const g = groupLayer
      .selectAll('g')
      .data(groups)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'pc-group');
        e.append('rect').attr('class', 'band');
        e.append('rect').attr('class', 'strip');
        e.append('text');
        return e;
      })
      .attr('data-group', (d) => d.name)
      .style('--group', (d) => d.color);
    g.select('rect.band')
      .attr('x', (d) => d.from - pad)
      .attr('width', (d) => d.to - d.from + 2 * pad)
      .attr('y', -6)
      .attr('height', height + 12);
    g.select('rect.strip')
      .attr('x', (d) => d.from - pad)
      .attr('width', (d) => d.to - d.from + 2 * pad)
      .attr('y', height + 8)
      .attr('height', 20);
    return g
      .select('text')
      .attr('x', (d) => (d.from + d.to) / 2)
      .attr('y', height + 22)
      .attr('text-anchor', 'middle')
      .datum((d) => ({ name: d.name, room: d.to - d.from + 2 * pad - 4 }))
      .text((d) => d.name);
  }

  /** As much of each subsystem's name as its band holds (at the whole name's width a character); all of it on hover. @param {ReturnType<typeof drawGroups>} texts */
  function fitGroupNames(texts) {
    const lengths = texts.nodes().map((t) => /** @type {SVGTextElement} */ (t).getComputedTextLength());
    texts.each(function (d, k) {
      const text = d3.select(this);
      if (lengths[k] > d.room) text.text(shortName(d.name, Math.floor((d.name.length * d.room) / lengths[k]) - 1));
      text.append('title').text(d.name);
    });
  }

  function drawTicks() {
    axesLayer.selectAll('g.pc-axis').each(function (d) {
      const dim = /** @type {Dim} */ (d);
      const ax = d3.axisLeft(dim.scale).tickSize(3);
      if (dim.param < 0) ax.ticks(5, 's');
      d3.select(this).select('g.pc-ticks').call(/** @type {any} */ (ax));
    });
    axesLayer.selectAll('g.pc-axis').call(shortTicks);
  }

  /** A parameter axis's values cut to fit the room left of it (all of them on hover). @param {d3.Selection<any, any, any, any>} axis */
  function shortTicks(axis) {
    axis.each(function (/** @type {Dim} */ d) {
      if (d.param < 0) return;
      const j = dims.indexOf(d);
      const room = j > 0 ? x(d.name) - x(dims[j - 1].name) : MARGIN.left;
      const limit = Math.floor((room - 8) / TICK_CHAR_PX);
      const values = new Map(d.values.map((v) => [String(v), v]));
      d3.select(this)
        .selectAll('.tick text')
        .text((v) => tickLabel(values.get(String(v)) ?? String(v), limit));
    });
  }

  // ---- counting ----

  /** Each run's rewards as bin numbers (MISSING for none), per run key; made again when the reward axis moves. @type {Map<string, { col: Uint16Array, filled: number }>} */
  const bins = new Map();

  /** The run's reward bins, up to its last design. @param {RunView} r */
  function binned(r) {
    const key = keyOf(r);
    let b = bins.get(key);
    if (!b || b.col.length < r.state.n) {
      const col = new Uint16Array(Math.max(64, r.state.n * 2));
      if (b) col.set(b.col.subarray(0, b.filled));
      b = { col, filled: b?.filled ?? 0 };
      bins.set(key, b);
    }
    const [lo, hi] = rewardDomain ?? [0, 1];
    const k = REWARD_BINS / (hi - lo || 1);
    const reward = r.state.cols.reward;
    for (let i = b.filled; i < r.state.n; i++) {
      const v = reward[i];
      b.col[i] = Number.isNaN(v) ? MISSING : Math.max(0, Math.min(REWARD_BINS - 1, Math.floor((v - lo) * k)));
    }
    b.filled = r.state.n;
    return b.col;
  }

  /** Each dim's column of levels for a run: its value indexes, or its reward bins. @param {RunView} r */
  function columnsOf(r) {
    return dims.map((d) => (d.param >= 0 ? r.state.cols.design[d.param] : binned(r)));
  }

  /** Per run key, each design's bundle in each pair (NONE: none); made again when the axes or the reward axis change. @type {Map<string, { cols: Uint32Array[], filled: number }>} */
  const bundleOf = new Map();

  /** The run's bundle columns, up to its last design. @param {RunView} r */
  function bundleColumns(r) {
    const key = keyOf(r);
    let b = bundleOf.get(key);
    const n = r.state.n;
    if (!b || (b.cols[0]?.length ?? Infinity) < n) {
      const cols = dims.slice(1).map((_, j) => {
        const col = new Uint32Array(Math.max(64, n * 2));
        if (b) col.set(b.cols[j].subarray(0, b.filled));
        return col;
      });
      b = { cols, filled: b?.filled ?? 0 };
      bundleOf.set(key, b);
    }
    const levels = columnsOf(r);
    for (let j = 0; j + 1 < dims.length; j++) {
      const left = levels[j];
      const right = levels[j + 1];
      const la = dims[j].levels;
      const lb = dims[j + 1].levels;
      const out = b.cols[j];
      for (let i = b.filled; i < n; i++) {
        const u = left[i];
        const v = right[i];
        out[i] = u < la && v < lb ? u * lb + v : NONE;
      }
    }
    b.filled = n;
    return b.cols;
  }

  /** Adds designs [from, to) of a run to the pairs: every one to `all` (and `both`), the kept ones to `kept` (and `both`). */
  function add(/** @type {RunView} */ r, /** @type {number} */ from, /** @type {number} */ to, /** @type {'all' | 'kept' | 'both'} */ which) {
    // Plain loops over typed arrays, pair by pair: this runs over every design on each brush move.
    const cols = bundleColumns(r);
    const reward = r.state.cols.reward;
    const mask = selection?.get(r.id) ?? null;
    if (which !== 'kept') greyDrawn = false;
    cols.forEach((col, j) => {
      if (which !== 'kept') tally(pairs.all[j], col, reward, null, from, to);
      if (which !== 'all' && mask) tally(pairs.kept[j], col, reward, mask, from, to);
    });
  }

  /**
   * Counts designs [from, to) (those with mask 1, if a mask is given) into their bundles.
   * @param {Pair} p @param {Uint32Array} col @param {Float64Array} reward @param {Uint8Array | null} mask @param {number} from @param {number} to
   */
  function tally(p, col, reward, mask, from, to) {
    const { count, rewardSum, rewardCount } = p;
    for (let i = from; i < to; i++) {
      if (mask && mask[i] !== 1) continue;
      const k = col[i];
      if (k === NONE) continue;
      count[k]++;
      const rw = reward[i];
      if (!Number.isNaN(rw)) {
        rewardSum[k] += rw;
        rewardCount[k]++;
      }
    }
  }

  function emptyPairs() {
    return dims.slice(1).map((d, j) => newPair(dims[j].levels, d.levels));
  }

  /** Counts every design of the shown runs again. */
  function recount() {
    pairs = { all: emptyPairs(), kept: emptyPairs() };
    greyDrawn = false;
    counted.clear();
    bins.clear();
    bundleOf.clear();
    for (const r of shown) {
      add(r, 0, r.state.n, 'all');
      counted.set(keyOf(r), r.state.n);
    }
  }

  // ---- brushing ----

  /** Sets mask[i] for designs [from, to) of a run: 1 when it passes every brush. */
  function test(/** @type {RunView} */ r, /** @type {Uint8Array} */ mask, /** @type {number} */ from, /** @type {number} */ to) {
    mask.fill(1, from, to);
    for (const t of tests) {
      if ('allowed' in t) {
        const col = r.state.cols.design[t.param];
        const allowed = t.allowed;
        for (let i = from; i < to; i++) {
          const v = col[i];
          if (v >= allowed.length || !allowed[v]) mask[i] = 0;
        }
      } else {
        const reward = r.state.cols.reward;
        for (let i = from; i < to; i++) {
          const v = reward[i];
          if (!(v >= t.lo && v <= t.hi)) mask[i] = 0;
        }
      }
    }
  }

  /** The brushes as tests on a design. @returns {typeof tests} */
  function brushTests() {
    return dims
      .filter((d) => brushes.has(d.name))
      .map((d) => {
        const [y0, y1] = /** @type {[number, number]} */ (brushes.get(d.name));
        if (d.param < 0) return { param: /** @type {-1} */ (-1), lo: rewardScale.invert(y1), hi: rewardScale.invert(y0) };
        const allowed = new Uint8Array(d.levels);
        for (let l = 0; l < d.levels; l++) {
          const at = d.y(l);
          allowed[l] = at >= y0 && at <= y1 ? 1 : 0;
        }
        return { param: d.param, allowed };
      });
  }

  /** @param {typeof tests} a @param {typeof tests} b */
  function sameTests(a, b) {
    return (
      a.length === b.length &&
      a.every((t, k) => {
        const u = b[k];
        if (t.param !== u.param) return false;
        if ('allowed' in t && 'allowed' in u) return t.allowed.every((v, l) => v === u.allowed[l]);
        return 'lo' in t && 'lo' in u && t.lo === u.lo && t.hi === u.hi;
      })
    );
  }

  /**
   * The brushes applied: each run's designs tested, the kept ones counted, the bundles drawn.
   * Returns the selection: the same object when the brushes still keep the same designs (on a
   * parameter's axis a brush changes something only when it crosses a value). When it changes, only
   * the designs that entered or left are counted in or out. `full`: everything counted again (after a recount).
   */
  function applyBrushes(full = false) {
    const next = brushTests();
    if (!full && sameTests(next, tests)) return selection;
    tests = next;
    const before = full ? null : selection;
    if (tests.length === 0) selection = null;
    else {
      selection = new Map();
      for (const r of shown) {
        const mask = new Uint8Array(r.state.n);
        test(r, mask, 0, r.state.n);
        selection.set(r.id, mask);
      }
    }
    if (!selection) pairs.kept = emptyPairs();
    else if (!before) {
      pairs.kept = emptyPairs();
      for (const r of shown) add(r, 0, r.state.n, 'kept');
    } else for (const r of shown) recountChanged(r, /** @type {Uint8Array} */ (before.get(r.id)), /** @type {Uint8Array} */ (selection.get(r.id)));
    draw();
    return selection;
  }

  /** Counts the designs a brush let in, and out those it dropped. @param {RunView} r @param {Uint8Array} was @param {Uint8Array} now */
  function recountChanged(r, was, now) {
    /** @type {number[]} */
    const changed = [];
    for (let i = 0; i < now.length; i++) if (now[i] !== (was[i] ?? 0)) changed.push(i);
    if (changed.length === 0) return;
    const reward = r.state.cols.reward;
    bundleColumns(r).forEach((col, j) => {
      const { count, rewardSum, rewardCount } = pairs.kept[j];
      for (const i of changed) {
        const k = col[i];
        if (k === NONE) continue;
        const sign = now[i] ? 1 : -1;
        count[k] += sign;
        const rw = reward[i];
        if (!Number.isNaN(rw)) {
          rewardSum[k] += sign * rw;
          rewardCount[k] += sign;
        }
      }
    });
  }

  // ---- drawing ----

  /** The brushes' effect, in words. */
  function showKept() {
    const total = [...counted.values()].reduce((a, b) => a + b, 0);
    let kept = 0;
    if (selection) for (const m of selection.values()) for (let i = 0; i < m.length; i++) kept += m[i];
    keptText.text(selection ? `the brushes keep ${formatValue(kept)} of ${formatValue(total)} designs` : `${formatValue(total)} designs; drag along an axis to keep some`);
    clearButton.attr('hidden', selection ? null : '');
  }

  function draw() {
    showKept();
    layer.clear();
    drawn = [];
    let max = 0;
    for (const p of pairs.all) for (let k = 0; k < p.count.length; k++) if (p.count[k] > max) max = p.count[k];
    if (max === 0) return;
    const widthOf = (/** @type {number} */ c) => 0.8 + (MAX_WIDTH - 0.8) * Math.sqrt(c / max);
    const stroke = (/** @type {CanvasRenderingContext2D} */ on, /** @type {number} */ j, /** @type {number} */ a, /** @type {number} */ b, /** @type {number} */ w) => {
      const x0 = /** @type {number} */ (x(dims[j].name));
      const x1 = /** @type {number} */ (x(dims[j + 1].name));
      on.lineWidth = w;
      on.beginPath();
      on.moveTo(x0, dims[j].y(a));
      on.lineTo(x1, dims[j + 1].y(b));
      on.stroke();
    };
    if (selection) {
      // Every design in grey under the kept ones.
      if (!greyDrawn) {
        greyCtx.clearRect(0, 0, width, height);
        greyCtx.strokeStyle = DIM;
        greyCtx.globalAlpha = 0.5;
        pairs.all.forEach((p, j) => {
          for (let k = 0; k < p.count.length; k++) if (p.count[k] > 0) stroke(greyCtx, j, Math.floor(k / p.lb), k % p.lb, widthOf(p.count[k]));
        });
        greyDrawn = true;
      }
      ctx.drawImage(greyCanvas, 0, 0, width, height);
    }
    ctx.globalAlpha = 0.7;
    (selection ? pairs.kept : pairs.all).forEach((p, j) => {
      /** @type {Array<{ a: number, b: number, count: number, mean: number, w: number }>} */
      const bundles = [];
      for (let k = 0; k < p.count.length; k++) {
        if (p.count[k] === 0) continue;
        bundles.push({ a: Math.floor(k / p.lb), b: k % p.lb, count: p.count[k], mean: p.rewardCount[k] ? p.rewardSum[k] / p.rewardCount[k] : NaN, w: widthOf(p.count[k]) });
      }
      // The best rewards on top.
      bundles.sort((u, v) => (Number.isNaN(u.mean) ? -1 : Number.isNaN(v.mean) ? 1 : u.mean - v.mean));
      for (const u of bundles) {
        ctx.strokeStyle = Number.isNaN(u.mean) ? '#bbb' : color(u.mean);
        stroke(ctx, j, u.a, u.b, u.w);
      }
      drawn.push(bundles);
    });
    ctx.globalAlpha = 1;
  }

  /** Each shown run's best design as an SVG line in the run's colour. */
  function drawBest() {
    const lines = shown.flatMap((r) => (r.state.bestIndex === null ? [] : [{ r, i: r.state.bestIndex }]));
    bestLayer
      .selectAll('path')
      .data(lines, (d) => `${/** @type {any} */ (d).r.id}`)
      .join('path')
      .attr('class', 'pc-best')
      .attr('stroke', (d) => d.r.color)
      .attr('d', (d) => {
        const c = d.r.state.cols;
        let path = '';
        let pen = false;
        for (const dim of dims) {
          const level = dim.param >= 0 ? c.design[dim.param][d.i] : 0;
          const py = dim.param >= 0 ? (level < dim.levels ? dim.y(level) : NaN) : rewardScale(c.reward[d.i]);
          if (!Number.isFinite(py)) {
            pen = false;
            continue;
          }
          path += `${pen ? 'L' : 'M'}${/** @type {number} */ (x(dim.name)).toFixed(1)},${py.toFixed(1)}`;
          pen = true;
        }
        return path;
      });
  }

  // ---- updates ----

  /** @param {RunView[]} runs */
  function update(runs) {
    const first = runs[0];
    const key = first ? spaceKey(first.state) : '';
    // The runs of the first run's space (the others cannot share its axes).
    const nextShown = runs.filter((r) => spaceKey(r.state) === key);
    const left = runs.filter((r) => !nextShown.includes(r)).map((r) => r.id);
    note.text(left.length ? `run ${left.join(', ')}: another parameter space, not drawn here` : '');
    const runsChanged = nextShown.length !== shown.length || nextShown.some((r, k) => keyOf(r) !== keyOf(shown[k]) || !counted.has(keyOf(r)));
    shown = nextShown;
    // The reward axis grows over the designs not counted yet.
    const nr = growDomain(
      rewardDomain,
      (function* () {
        for (const r of shown) {
          const from = runsChanged ? 0 : (counted.get(keyOf(r)) ?? 0);
          for (let i = from; i < r.state.n; i++) yield r.state.cols.reward[i];
        }
      })(),
      0.02,
    );
    const rescaled = nr !== rewardDomain;
    if (rescaled && nr) {
      rewardDomain = nr;
      rewardScale.domain(nr);
      color.domain(nr);
    }
    if (key !== axesKey) {
      axesKey = key;
      axes = first ? groupedAxes(first.state.axes) : [];
      storageKey = axesStorageKey(axes);
      chosen = storedChoice();
      brushes.clear();
      buildChooser();
      rebuild();
    } else if (rescaled || runsChanged) {
      if (rescaled) drawTicks();
      recount();
      applyBrushes(true);
    } else {
      // New designs only: counted, tested against the brushes, drawn.
      let added = false;
      for (const r of shown) {
        const from = counted.get(keyOf(r)) ?? 0;
        if (from >= r.state.n) continue;
        added = true;
        if (selection) {
          const old = selection.get(r.id) ?? new Uint8Array(0);
          const mask = new Uint8Array(r.state.n);
          mask.set(old.subarray(0, Math.min(old.length, from)));
          test(r, mask, from, r.state.n);
          selection.set(r.id, mask);
        }
        add(r, from, r.state.n, 'both');
        counted.set(keyOf(r), r.state.n);
      }
      if (added) draw();
    }
    drawBest();
  }

  /** Parameter names by importance, most important first: the default axes of a larger space. @param {string[]} names */
  function setPreferred(names) {
    const before = chosenNames().join();
    preferred = names;
    if (!chosen && axes.length > MAX_DEFAULT_AXES && chosenNames().join() !== before) rebuild();
    else syncChooser();
  }

  // ---- pointer ----

  svg.on('mousemove', (event) => {
    const target = /** @type {Element} */ (event.target);
    const [mx, my] = d3.pointer(event, plot.node());
    if (target.classList.contains('pc-best')) {
      const d = /** @type {{ r: RunView, i: number }} */ (d3.select(target).datum());
      tip.show(event, `<b>run ${d.r.id}: its best design</b> (evaluation ${d.i}) · reward ${formatValue(d.r.state.cols.reward[d.i])}<br>` + configHtml(configAt(d.r.state, d.i)));
      return;
    }
    const j = dims.findIndex((d, k) => k + 1 < dims.length && mx >= /** @type {number} */ (x(d.name)) && mx <= /** @type {number} */ (x(dims[k + 1].name)));
    const bundles = drawn[j];
    if (j < 0 || !bundles) return tip.hide();
    const x0 = /** @type {number} */ (x(dims[j].name));
    const x1 = /** @type {number} */ (x(dims[j + 1].name));
    const t = (mx - x0) / (x1 - x0 || 1);
    for (let k = bundles.length - 1; k >= 0; k--) {
      const u = bundles[k];
      const at = dims[j].y(u.a) * (1 - t) + dims[j + 1].y(u.b) * t;
      if (Math.abs(at - my) > u.w / 2 + 2) continue;
      const label = (/** @type {Dim} */ d, /** @type {number} */ l) =>
        d.param < 0 ? `reward ${formatValue(rewardAt(l))} to ${formatValue(rewardAt(l + 1))}` : `${escapeHtml(d.name)}=${escapeHtml(String(axes.find((a) => a.name === d.name)?.values[l]))}`;
      tip.show(
        event,
        `<b>${formatValue(u.count)} design${u.count === 1 ? '' : 's'}${selection ? ' kept by the brushes' : ''}</b><br>${label(dims[j], u.a)} → ${label(dims[j + 1], u.b)}<br>mean reward ${formatValue(u.mean)}`,
      );
      return;
    }
    tip.hide();
  });
  svg.on('mouseleave', () => tip.hide());

  return {
    update,
    applyBrushes,
    setPreferred,
    /** Designs drawn (for tests and the page's counters). */
    count: () => [...counted.values()].reduce((a, b) => a + b, 0),
    /** Bundles drawn in colour, per pair of neighbouring axes. */
    bundles: () => drawn.map((b) => b.length),
    /** The axes shown, left to right. */
    axes: () => dims.map((d) => d.name),
    selection: () => selection,
  };
}
