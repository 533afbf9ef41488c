// The trial table: every evaluation of the selected runs, sortable by any column, filtered by
// parameter values (`Scheduler=FrFcfs`) or words, and by the parallel coordinates' brushes, shown a
// page at a time (the DOM holds one page however many rows match). Each row's design is written as
// its differences from the run's best design, or from the baseline design; or, one column per
// parameter under a header per subsystem, the values that differ in bold. The run, evaluation and
// objective value stay in view when the table scrolls sideways. The rows that match, in their
// order, export to CSV with every parameter in its own column.
import d3 from '../d3.js';
import { axisGroups, configAt, csvField, designDiff, formatValue, groupedAxes, MISSING, parseTrialFilter, shortName, withUnit } from '../data.js';

/** @typedef {import('./best.js').RunView} RunView */
/** @typedef {import('./scatter.js').Selection} Selection */

const PAGE = 25;
/** Recomputing the rows at most this often while data streams in (a user's action recomputes at once). */
const EVERY_MS = 700;

/**
 * @typedef {object} Column
 * @property {string} key
 * @property {string} label
 * @property {boolean} numeric
 * @property {(r: RunView, i: number) => number} [value] what it sorts by
 * @property {(r: RunView, i: number) => string} text
 * @property {string} [name] a parameter's column: the parameter
 */

/** Characters of a parameter's name in its column's header (all of it on hover). */
const HEADER_LIMIT = 16;
/** The columns that stay in view when the table scrolls sideways: run, evaluation, objective value. */
const STICKY = 3;

/** @type {Column[]} */
const COLUMNS = [
  { key: 'run', label: 'run', numeric: true, value: (r) => r.id, text: (r) => `#${r.id}` },
  { key: 'evaluation', label: 'evaluation', numeric: true, value: (_r, i) => i, text: (_r, i) => formatValue(i) },
  { key: 'value', label: 'objective value', numeric: true, value: (r, i) => r.state.cols.value[i], text: (r, i) => `${withUnit(r.state.cols.value[i], r.state.info.unit)}${r.state.cols.feasible[i] ? '' : ' ✗'}` },
  { key: 'latencyNs', label: 'latency (ns)', numeric: true, value: (r, i) => r.state.cols.latencyNs[i], text: (r, i) => formatValue(r.state.cols.latencyNs[i]) },
  { key: 'powerMw', label: 'power (mW)', numeric: true, value: (r, i) => r.state.cols.powerMw[i], text: (r, i) => formatValue(r.state.cols.powerMw[i]) },
  { key: 'reward', label: 'reward', numeric: true, value: (r, i) => r.state.cols.reward[i], text: (r, i) => formatValue(r.state.cols.reward[i]) },
  { key: 'design', label: 'design', numeric: false, text: () => '' },
];

/** @param {HTMLElement} container */
export function trialTable(container) {
  const root = d3.select(container);
  const bar = root.append('div').attr('class', 'toolbar trials-toolbar');
  const filterInput = bar.append('input').attr('type', 'search').attr('class', 'trial-filter').attr('placeholder', 'filter: Scheduler=FrFcfs RequestBufferSize=8, or words').attr('size', 44);
  const diffLabel = bar.append('label').text('differences from ');
  const diffSelect = diffLabel.append('select').attr('class', 'trial-diff');
  diffSelect
    .selectAll('option')
    .data([
      ['best', "the run's best design"],
      ['baseline', 'the baseline design'],
    ])
    .join('option')
    .attr('value', (d) => d[0])
    .text((d) => d[1]);
  const columnsLabel = bar.append('label');
  const columnsBox = columnsLabel.append('input').attr('type', 'checkbox').attr('class', 'trial-columns');
  columnsLabel.append('span').text(' one column per parameter');
  const onlyLabel = bar.append('label');
  const onlyBox = onlyLabel.append('input').attr('type', 'checkbox').attr('class', 'trial-brushed').property('checked', true);
  onlyLabel.append('span').text(' only designs kept by the brushes');
  const exportButton = bar.append('button').attr('type', 'button').attr('class', 'trial-export').text('Export CSV');
  const countText = bar.append('span').attr('class', 'trial-count');
  const wrap = root.append('div').attr('class', 'table-wrap trials-wrap');
  const table = wrap.append('table').attr('class', 'trials');
  const head = table.append('thead');
  const body = table.append('tbody');
  const pager = root.append('div').attr('class', 'pager');
  const prev = pager.append('button').attr('type', 'button').attr('class', 'prev').text('‹ previous');
  const pageText = pager.append('span').attr('class', 'page');
  const next = pager.append('button').attr('type', 'button').attr('class', 'next').text('next ›');

  /** @type {{ key: string, dir: 1 | -1 }} */
  let sort = { key: 'evaluation', dir: 1 };
  let page = 0;
  /** @type {RunView[]} */
  let runs = [];
  /** @type {Selection} */
  let selection = null;
  /** The matching rows, in order: the run's position in `runs` and the evaluation. */
  let rowRun = new Uint16Array(0);
  let rowIndex = new Uint32Array(0);
  let problem = '';
  let computedAt = -Infinity;
  let timer = 0;
  /** The columns shown: the fixed ones, then the design as text or one column per parameter. */
  let columns = COLUMNS;
  let columnsKey = '';

  /** The columns for the runs and the mode; the header made again when they change. */
  function setColumns() {
    const perParameter = columnsBox.property('checked');
    // Every parameter of the runs (runs of several spaces: each parameter once), grouped by subsystem.
    /** @type {Map<string, import('../data.js').Axis>} */
    const union = new Map();
    for (const r of runs) for (const a of r.state.axes) if (!union.has(a.name)) union.set(a.name, a);
    const axes = perParameter ? groupedAxes([...union.values()]) : [];
    const key = `${perParameter}|${axes.map((a) => `${a.name}:${a.subsystem}`).join()}`;
    if (key === columnsKey) return;
    columnsKey = key;
    columns = perParameter ? [...COLUMNS.filter((c) => c.key !== 'design'), ...axes.map(parameterColumn)] : COLUMNS;
    if (!columns.some((c) => c.key === sort.key)) sort = { key: 'evaluation', dir: 1 };
    head.selectAll('tr').remove();
    if (perParameter) {
      // A row of subsystems over the parameters' names.
      const groups = head.append('tr').attr('class', 'groups');
      groups.append('th').attr('class', 'stick').attr('colspan', STICKY);
      groups.append('th').attr('colspan', columns.length - axes.length - STICKY);
      groups
        .selectAll('th.group')
        .data(axisGroups(axes))
        .join('th')
        .attr('class', 'group')
        .attr('colspan', (g) => g.axes.length)
        .attr('data-group', (g) => g.subsystem ?? '')
        .style('--group', (g) => g.color)
        .append('span')
        .text((g) => g.subsystem ?? 'parameters');
    }
    head
      .append('tr')
      .attr('class', 'names')
      .selectAll('th')
      .data(columns)
      .join('th')
      .attr('class', (c, k) => `${c.numeric ? 'num ' : ''}${c.value ? 'sortable' : ''}${k < STICKY ? ' stick' : ''}`)
      .attr('data-key', (c) => c.key)
      .attr('title', (c) => c.name ?? null)
      .on('click', (_event, c) => {
        if (!c.value) return;
        sort = sort.key === c.key ? { key: c.key, dir: sort.dir === 1 ? -1 : 1 } : { key: c.key, dir: 1 };
        page = 0;
        compute();
      });
  }

  setColumns();

  /** A parameter's column: its value, sorted in the space's order of values. @param {import('../data.js').Axis} axis @returns {Column} */
  function parameterColumn(axis) {
    /** The value's index in the run's axis (NaN where the run has no such parameter or value). @param {RunView} r @param {number} i */
    const at = (r, i) => {
      const p = r.state.axes.findIndex((a) => a.name === axis.name);
      const v = p < 0 ? MISSING : r.state.cols.design[p][i];
      return { p, v: v === MISSING ? NaN : v };
    };
    return {
      key: `parameter:${axis.name}`,
      label: shortName(axis.name, HEADER_LIMIT),
      name: axis.name,
      numeric: axis.values.every((v) => typeof v === 'number'),
      value: (r, i) => at(r, i).v,
      text: (r, i) => {
        const { p, v } = at(r, i);
        return Number.isNaN(v) ? '' : String(r.state.axes[p].values[v]);
      },
    };
  }

  /** Rows of the shown runs that pass the filter and (if asked) the brushes, sorted. */
  function compute() {
    clearTimeout(timer);
    timer = 0;
    computedAt = performance.now();
    setColumns();
    const { equals, words } = parseTrialFilter(/** @type {HTMLInputElement} */ (filterInput.node()).value);
    problem = '';
    let total = 0;
    for (const r of runs) total += r.state.n;
    const outRun = new Uint16Array(total);
    const outIndex = new Uint32Array(total);
    let n = 0;
    runs.forEach((r, k) => {
      const s = r.state;
      // `Key=Value` terms as allowed value indexes per parameter.
      /** @type {Array<{ col: Uint16Array, allowed: Set<number> }>} */
      const terms = [];
      for (const [key, value] of equals) {
        const p = s.axes.findIndex((a) => a.name.toLowerCase() === key);
        if (p < 0) {
          problem = `no parameter "${key}"`;
          continue;
        }
        terms.push({ col: s.cols.design[p], allowed: new Set(s.axes[p].values.flatMap((v, l) => (String(v).toLowerCase() === value ? [l] : []))) });
      }
      const mask = onlyBox.property('checked') && selection ? (selection.get(r.id) ?? null) : null;
      const agent = `${s.info.agent} ${s.info.objective}`.toLowerCase();
      for (let i = 0; i < s.n; i++) {
        if (mask && mask[i] !== 1) continue;
        if (!terms.every((t) => t.col[i] !== MISSING && t.allowed.has(t.col[i]))) continue;
        if (words.length) {
          const config = configAt(s, i);
          const text = `${agent} ${Object.entries(config)
            .map(([a, v]) => `${a}=${v}`)
            .join(' ')}`.toLowerCase();
          if (!words.every((w) => text.includes(w))) continue;
        }
        outRun[n] = k;
        outIndex[n] = i;
        n++;
      }
    });
    rowRun = outRun.subarray(0, n);
    rowIndex = outIndex.subarray(0, n);
    const column = columns.find((c) => c.key === sort.key);
    if (column?.value && !(column.key === 'evaluation' && sort.dir === 1)) {
      const keys = new Float64Array(n);
      for (let k = 0; k < n; k++) keys[k] = column.value(runs[rowRun[k]], rowIndex[k]);
      const dir = sort.dir;
      const order = Uint32Array.from({ length: n }, (_, k) => k).sort((a, b) => {
        const u = keys[a];
        const v = keys[b];
        // Missing values last either way; ties in run and evaluation order.
        if (Number.isNaN(u) !== Number.isNaN(v)) return Number.isNaN(u) ? 1 : -1;
        return (u === v || Number.isNaN(u) ? 0 : u < v ? -dir : dir) || rowRun[a] - rowRun[b] || rowIndex[a] - rowIndex[b];
      });
      rowRun = Uint16Array.from(order, (k) => rowRun[k]);
      rowIndex = Uint32Array.from(order, (k) => rowIndex[k]);
    }
    page = Math.min(page, Math.max(0, Math.ceil(n / PAGE) - 1));
    render();
  }

  function render() {
    const n = rowRun.length;
    const diffFrom = diffSelect.property('value');
    const from = page * PAGE;
    /** @type {Array<{ r: RunView, i: number }>} */
    const rows = [];
    for (let k = from; k < Math.min(n, from + PAGE); k++) rows.push({ r: runs[rowRun[k]], i: rowIndex[k] });
    head.selectAll('tr.names th').text((c) => {
      const col = /** @type {Column} */ (c);
      const label = col.key === 'design' ? `design: differences from ${diffFrom === 'best' ? "the run's best" : 'the baseline'}` : col.label;
      return `${label}${sort.key === col.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}`;
    });
    body
      .selectAll('tr')
      .data(rows)
      .join('tr')
      .attr('data-run', (d) => d.r.id)
      .attr('data-index', (d) => d.i)
      .selectAll('td')
      .data((d) => {
        const reference = referenceOf(d.r, diffFrom);
        return columns.map((c, k) => {
          const text = c.key === 'design' ? diffText(d.r, d.i, diffFrom) : c.text(d.r, d.i);
          // A parameter's cell: bold where the design differs from the reference.
          const kind = c.name === undefined ? (c.numeric ? 'num' : 'design') : `value${c.numeric ? ' num' : ''}${text !== String(reference[c.name] ?? '') ? ' differs' : ''}`;
          return { c, d, text, cls: `${kind}${k < STICKY ? ' stick' : ''}` };
        });
      })
      .join('td')
      .attr('class', (cell) => cell.cls)
      .style('--swatch', ({ c, d }) => (c.key === 'run' ? d.r.color : null))
      .text((cell) => cell.text);
    stick();
    countText.text(`${formatValue(n)} of ${formatValue(runs.reduce((a, r) => a + r.state.n, 0))} evaluations${problem ? ` · ${problem}` : ''}`);
    pageText.text(n === 0 ? 'no rows' : `rows ${formatValue(from + 1)}–${formatValue(Math.min(n, from + PAGE))} of ${formatValue(n)}`);
    prev.attr('disabled', page > 0 ? null : '');
    next.attr('disabled', from + PAGE < n ? null : '');
  }

  /** The design a row is compared with: the run's best, or the baseline. @param {RunView} r @param {string} from */
  function referenceOf(r, from) {
    const s = r.state;
    return from === 'best' ? (s.bestIndex === null ? {} : configAt(s, s.bestIndex)) : (s.space?.base ?? {});
  }

  /** @param {RunView} r @param {number} i @param {string} from */
  function diffText(r, i, from) {
    const diff = designDiff(r.state.axes, configAt(r.state, i), referenceOf(r, from));
    return diff.length ? diff.join(' ') : from === 'best' ? '= the best design' : '= the baseline';
  }

  /** The first columns held in view when the table scrolls sideways, and the names' row under the subsystems' row when it scrolls down. */
  function stick() {
    const names = /** @type {HTMLTableRowElement | null} */ (head.select('tr.names').node());
    if (!names) return;
    // Each where it is in the table: the held columns move together, so their offsets from the first hold however far it is scrolled.
    const at = (/** @type {number} */ k) => names.cells[k].getBoundingClientRect().left - names.cells[0].getBoundingClientRect().left;
    for (let k = 0; k < STICKY; k++) table.selectAll(`tr > .stick:nth-child(${k + 1})`).style('left', `${at(k)}px`);
    const left = at(STICKY - 1) + names.cells[STICKY - 1].getBoundingClientRect().width;
    // A subsystem's name stays in view beside the held columns.
    table.style('--held', `${left}px`);
    const groups = /** @type {HTMLTableRowElement | null} */ (head.select('tr.groups').node());
    const below = groups ? `${groups.offsetHeight}px` : '';
    head.selectAll('tr.names th').style('top', below);
  }

  function exportCsv() {
    const params = [...new Set(runs.flatMap((r) => r.state.axes.map((a) => a.name)))];
    const header = ['run', 'agent', 'trace', 'objective', 'unit', 'evaluation', 'value', 'reward', 'powerMw', 'latencyNs', 'avgLatencyNs', 'energyPj', 'bandwidthGBps', 'simulated', 'feasible', ...params];
    const lines = [header.join(',')];
    for (let k = 0; k < rowRun.length; k++) {
      const r = runs[rowRun[k]];
      const i = rowIndex[k];
      const s = r.state;
      const c = s.cols;
      const config = configAt(s, i);
      lines.push(
        [r.id, s.info.agent, s.info.trace, s.info.objective, s.info.unit, i, c.value[i], c.reward[i], c.powerMw[i], c.latencyNs[i], c.avgLatencyNs[i], c.energyPj[i], c.bandwidthGBps[i], c.simulated[i] ? 'true' : 'false', c.feasible[i] ? 'true' : 'false', ...params.map((p) => config[p] ?? null)]
          .map(csvField)
          .join(','),
      );
    }
    const url = URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'marl-dse-trials.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  let typing = 0;
  filterInput.on('input', () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => {
      page = 0;
      compute();
    }, 200);
  });
  diffSelect.on('change', render);
  columnsBox.on('change', compute);
  onlyBox.on('change', () => {
    page = 0;
    compute();
  });
  exportButton.on('click', exportCsv);
  prev.on('click', () => {
    page = Math.max(0, page - 1);
    render();
  });
  next.on('click', () => {
    page++;
    render();
  });

  /**
   * New data or a new selection: the rows are recomputed now, or soon when they were a moment ago.
   * @param {RunView[]} nextRuns @param {Selection} nextSelection
   */
  function update(nextRuns, nextSelection) {
    const changed = nextRuns.length !== runs.length || nextRuns.some((r, k) => r.state !== runs[k].state || r.color !== runs[k].color);
    // A new brush shows within a quarter second, new data within EVERY_MS.
    const wait = (nextSelection !== selection ? 250 : EVERY_MS) - (performance.now() - computedAt);
    runs = nextRuns;
    selection = nextSelection;
    if (changed || wait <= 0) compute();
    else {
      // Due at a fixed time after the last computation, however often updates come.
      clearTimeout(timer);
      timer = window.setTimeout(compute, wait);
    }
  }

  return { update, rows: () => rowRun.length };
}
