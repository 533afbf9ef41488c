/**
 * What a comparison writes: summary.csv and summary.json (one row per run, and per agent × trace ×
 * objective the median, mean, 95 % confidence interval and success rate), standalone SVG charts,
 * and report.html, self-contained: charts inline, tables of final results, and for MARL against
 * each baseline a two-sided Mann-Whitney U test with Cliff's delta and a plain verdict per cell.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber as fmt, withUnit } from '../../common/format.js';
import { objectiveDirection, objectiveMetric, type ObjectiveName } from '../objectives.js';
import { bestSoFarSvg, type CurveSeries, esc, slug } from './charts.js';
import { type CellResult, type CompareSpec, cellUnit, workloadsOf } from './matrix.js';
import { cliffsDelta, holm, mannWhitneyU, mean, meanCi95, median, medianCi, seedsForSignificance, smallestPValue } from './stats.js';

export interface AgentSummary {
  agent: string;
  trace: string;
  objective: ObjectiveName;
  runs: number;
  median: number;
  mean: number;
  ci95: [number, number] | null;
  successRate: number | null;
  medianEvaluationsToTarget: number | null;
}

export interface Comparison {
  trace: string;
  objective: ObjectiveName;
  /** What is compared: the final best values, or the evaluations each run took to reach the target. */
  metric: 'final' | 'evaluationsToTarget';
  baseline: string;
  u: number;
  pValue: number;
  /** Holm-adjusted over the baselines of the cell. */
  pHolm: number;
  /** Cliff's delta of MARL's final values against the baseline's (negative: MARL's are smaller). */
  cliffsDelta: number;
  verdict: 'wins' | 'ties' | 'loses';
}

export interface CellSummary {
  /** A trace or a suite. */
  trace: string;
  objective: ObjectiveName;
  /** The unit of the cell's values (a suite's: ratios to the baseline design's). */
  unit: string;
  optimum: number | null;
  target: number | null;
  agents: AgentSummary[];
  comparisons: Comparison[];
  verdict: string;
}

const ALPHA = 0.05;

/** Two significant digits, without trailing zeros: 0.33, 0.029, 1. */
const pText = (p: number): string => String(Number(p.toPrecision(2)));

/**
 * One line when the comparison cannot show any significant difference: with its seeds the smallest
 * attainable p (Holm-corrected over the baselines) is not below ALPHA. Null when it can, or when
 * nothing is tested (no MARL, or no baseline).
 */
export function smallSeedsWarning(spec: Pick<CompareSpec, 'agents' | 'seeds'>): string | null {
  const baselines = spec.agents.filter((a) => a !== 'marl').length;
  if (!spec.agents.includes('marl') || baselines === 0) return null;
  const p = smallestPValue(spec.seeds, spec.seeds);
  const adjusted = Math.min(1, baselines * p);
  if (adjusted < ALPHA) return null;
  const holmText = baselines > 1 ? `, ${pText(adjusted)} after Holm's correction over ${baselines} baselines` : '';
  return (
    `--seeds ${spec.seeds}: the smallest two-sided Mann-Whitney p attainable with ${spec.seeds} run${spec.seeds === 1 ? '' : 's'} per agent is ${pText(p)}${holmText}, ` +
    `so no difference can be significant at ${ALPHA}; that needs --seeds ${seedsForSignificance(ALPHA, baselines)}`
  );
}

/**
 * What the chart's band spans with n runs: the k-th lowest to the k-th highest (the range when
 * k = 1), and its real coverage when that falls short of 95 % (n ≤ 5).
 */
function bandText(n: number): string {
  const { low, coverage } = medianCi(Array.from({ length: n }, (_, i) => i + 1), 0.95);
  const runs = `with ${n} seed${n === 1 ? '' : 's'}`;
  if (low > 1) return `${runs}: from the ${ordinal(low)} lowest to the ${ordinal(low)} highest run`;
  return coverage < 0.95 ? `${runs}: the range, which holds the median with only ${Math.floor(coverage * 1000) / 10} % confidence` : `${runs}: the range`;
}

function ordinal(k: number): string {
  const tens = k % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][k % 10] ?? 'th');
  return `${k}${suffix}`;
}

function unitOf(o: ObjectiveName, unit: string): string {
  const metric = objectiveMetric(o);
  return metric === null ? (o === 'joint' ? 'max ratio to target' : 'normalised hypervolume') : `${o} (${unit})`;
}

export function summarise(spec: CompareSpec, results: readonly CellResult[], optima: Map<string, number | null>, targets: Map<string, number | null>): CellSummary[] {
  const cells: CellSummary[] = [];
  for (const trace of workloadsOf(spec)) {
    for (const objective of spec.objectives) {
      const key = `${trace}|${objective}`;
      const here = results.filter((r) => r.trace === trace && r.objective === objective);
      const max = objectiveDirection(objective) === 'max';
      const agents: AgentSummary[] = spec.agents.map((agent) => {
        const runs = here.filter((r) => r.agent === agent);
        const finals = runs.map((r) => r.bestValue);
        const target = targets.get(key) ?? null;
        const reached = runs.map((r) => r.evaluationsToTarget).filter((e): e is number => e !== null);
        return {
          agent,
          trace,
          objective,
          runs: runs.length,
          median: finals.length ? median(finals) : NaN,
          mean: finals.length ? mean(finals) : NaN,
          ci95: meanCi95(finals),
          successRate: target === null || runs.length === 0 ? null : reached.length / runs.length,
          medianEvaluationsToTarget: reached.length ? median(reached) : null,
        };
      });
      const baselines = spec.agents.filter((a) => a !== 'marl');
      const hasMarl = here.some((r) => r.agent === 'marl');
      const comparisons = [
        ...compareWithMarl(trace, objective, 'final', here, baselines, (r) => r.bestValue, max),
        // How fast: a run that never reached the target counts as taking more than the budget.
        ...(targets.get(key) !== null && targets.get(key) !== undefined
          ? compareWithMarl(trace, objective, 'evaluationsToTarget', here, baselines, (r) => r.evaluationsToTarget ?? spec.budget + 1, false)
          : []),
      ];
      cells.push({ trace, objective, unit: cellUnit(spec, trace, objective), optimum: optima.get(key) ?? null, target: targets.get(key) ?? null, agents, comparisons, verdict: verdictLine(trace, objective, comparisons, hasMarl) });
    }
  }
  return cells;
}

/** MARL against each baseline on one measure (Holm-adjusted over the baselines). */
function compareWithMarl(
  trace: string,
  objective: ObjectiveName,
  metric: Comparison['metric'],
  runs: readonly CellResult[],
  baselines: readonly string[],
  measure: (r: CellResult) => number,
  higherIsBetter: boolean,
): Comparison[] {
  const marl = runs.filter((r) => r.agent === 'marl').map(measure);
  if (marl.length === 0) return [];
  const raw = baselines.map((b) => {
    const other = runs.filter((r) => r.agent === b).map(measure);
    const mw = mannWhitneyU(marl, other);
    return { baseline: b, u: mw.u, pValue: mw.pValue, delta: other.length ? cliffsDelta(marl, other) : NaN };
  });
  const adjusted = holm(raw.map((r) => (Number.isNaN(r.pValue) ? 1 : r.pValue)));
  return raw.map((r, i) => {
    const better = higherIsBetter ? r.delta > 0 : r.delta < 0;
    const verdict = adjusted[i] < ALPHA && r.delta !== 0 ? (better ? 'wins' : 'loses') : 'ties';
    return { trace, objective, metric, baseline: r.baseline, u: r.u, pValue: r.pValue, pHolm: adjusted[i], cliffsDelta: r.delta, verdict };
  });
}

function verdictLine(trace: string, objective: string, cs: readonly Comparison[], hasMarl: boolean): string {
  if (!hasMarl) return `${trace} / ${objective}: MARL was not part of this comparison.`;
  if (cs.length === 0) return `${trace} / ${objective}: no baseline to compare MARL with.`;
  const phrase = (metric: Comparison['metric']): string => {
    const here = cs.filter((c) => c.metric === metric);
    const by = (v: Comparison['verdict']) => here.filter((c) => c.verdict === v).map((c) => c.baseline);
    const parts: string[] = [];
    if (by('wins').length) parts.push(`wins against ${by('wins').join(', ')}`);
    if (by('ties').length) parts.push(`ties with ${by('ties').join(', ')}`);
    if (by('loses').length) parts.push(`loses to ${by('loses').join(', ')}`);
    return parts.join('; ');
  };
  const speed = cs.some((c) => c.metric === 'evaluationsToTarget') ? `; in evaluations to the target MARL ${phrase('evaluationsToTarget')}` : '';
  return `${trace} / ${objective}: on the best value found MARL ${phrase('final')}${speed} (a win or a loss needs p < ${ALPHA} in a two-sided Mann-Whitney U test, Holm-adjusted).`;
}

/** Median and band per evaluation over a set of best-so-far curves. */
export function curveBand(curves: readonly number[][]): { median: number[]; low: number[]; high: number[] } {
  const n = Math.min(...curves.map((c) => c.length));
  const out = { median: [] as number[], low: [] as number[], high: [] as number[] };
  for (let i = 0; i < n; i++) {
    const xs = curves.map((c) => c[i]);
    const ci = medianCi(xs, 0.95);
    out.median.push(median(xs));
    out.low.push(ci.low);
    out.high.push(ci.high);
  }
  return out;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}


/** Counts (evaluations, U) and their medians: whole numbers as such, halves and the like to one decimal (22, 4.5, 1,234). */
export const fmtCount = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: 1 });

export interface ReportInput {
  dir: string;
  spec: CompareSpec;
  results: CellResult[];
  cells: CellSummary[];
  wallSeconds: number;
  simulations: number;
}

/** Writes summary.csv, summary.json, charts/*.svg and report.html into the comparison's folder. */
export function writeReport({ dir, spec, results, cells, wallSeconds, simulations }: ReportInput): string[] {
  const files: string[] = [];
  const write = (name: string, text: string): void => {
    writeFileSync(join(dir, name), text);
    files.push(join(dir, name));
  };
  // One row per run, then one per agent × trace × objective.
  const runCols = ['kind', 'agent', 'trace', 'objective', 'seed', 'runId', 'bestValue', 'evaluationsToTarget', 'simulations', 'wallSeconds', 'median', 'mean', 'ci95Low', 'ci95High', 'successRate'];
  const rows: string[] = [runCols.join(',')];
  for (const r of results) rows.push(['run', r.agent, r.trace, r.objective, r.seed, r.runId, r.bestValue, r.evaluationsToTarget, r.simulations, r.wallSeconds.toFixed(3), '', '', '', '', ''].map(csvCell).join(','));
  for (const c of cells) for (const a of c.agents) {
    rows.push(['agent', a.agent, a.trace, a.objective, '', '', '', a.medianEvaluationsToTarget, '', '', a.median, a.mean, a.ci95?.[0], a.ci95?.[1], a.successRate].map(csvCell).join(','));
  }
  write('summary.csv', rows.join('\n') + '\n');
  write(
    'summary.json',
    JSON.stringify(
      {
        spec,
        wallSeconds: wallSeconds,
        simulations,
        runs: results.map(({ curve: _curve, ...r }) => r),
        cells: cells.map((c) => ({ ...c })),
      },
      null,
      2,
    ) + '\n',
  );
  // Charts.
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const svgs = new Map<string, string>();
  for (const c of cells) {
    const series: CurveSeries[] = spec.agents
      .map((agent) => ({ agent, curves: results.filter((r) => r.trace === c.trace && r.objective === c.objective && r.agent === agent).map((r) => r.curve) }))
      .filter((s) => s.curves.length > 0)
      .map((s) => ({ agent: s.agent, ...curveBand(s.curves) }));
    if (series.length === 0) continue;
    const svg = bestSoFarSvg(`${c.trace.replace(/^builtin:/, '')} · ${c.objective}: best so far, median over seeds`, unitOf(c.objective, c.unit), series, c.optimum);
    const name = `charts/${slug(c.trace)}-${c.objective}.svg`;
    write(name, svg + '\n');
    svgs.set(`${c.trace}|${c.objective}`, svg);
  }
  write('report.html', reportHtml({ dir, spec, results, cells, wallSeconds, simulations }, svgs));
  return files;
}

function reportHtml(input: ReportInput, svgs: Map<string, string>): string {
  const { spec, cells, results, wallSeconds, simulations } = input;
  const verdicts = cells.map((c) => `<li>${esc(c.verdict)}</li>`).join('\n');
  const sections = cells
    .map((c) => {
      const svg = svgs.get(`${c.trace}|${c.objective}`) ?? '<p>No finished runs.</p>';
      const unit = c.unit;
      const inUnit = unit ? ` (${esc(unit)})` : '';
      const agentRows = c.agents
        .map(
          (a) =>
            `<tr><td>${esc(a.agent)}</td><td>${a.runs}</td><td>${fmt(a.median)}</td><td>${fmt(a.mean)}</td>` +
            `<td>${a.ci95 ? `${fmt(a.ci95[0])} – ${fmt(a.ci95[1])}` : '—'}</td>` +
            `<td>${c.optimum !== null && Number.isFinite(a.median) ? `${(((a.median / c.optimum) - 1) * 100).toFixed(2)} %` : '—'}</td>` +
            `<td>${a.successRate === null ? '—' : `${Math.round(a.successRate * 100)} %`}</td><td>${fmtCount(a.medianEvaluationsToTarget)}</td></tr>`,
        )
        .join('\n');
      const testRows = c.comparisons
        .map(
          (t) =>
            `<tr><td>MARL vs ${esc(t.baseline)}</td><td>${t.metric === 'final' ? 'best value' : 'evaluations to target'}</td><td>${fmt(t.u)}</td><td>${fmt(t.pValue)}</td><td>${fmt(t.pHolm)}</td>` +
            `<td>${fmt(t.cliffsDelta)}</td><td class="${t.verdict}">${t.verdict === 'wins' ? 'MARL wins' : t.verdict === 'loses' ? 'MARL loses' : 'tie'}</td></tr>`,
        )
        .join('\n');
      return `<section>
<h2>${esc(c.trace)} · ${esc(c.objective)}</h2>
<p class="verdict">${esc(c.verdict)}</p>
<figure class="chart">${svg}<figcaption>Median over seeds of the best value so far; the band is a 95 % distribution-free confidence interval of the median (${bandTexts(c)}).</figcaption></figure>
<table><thead><tr><th>agent</th><th>runs</th><th>median final${inUnit}</th><th>mean${inUnit}</th><th>95 % CI of mean${inUnit}</th><th>median gap to optimum</th><th>success</th><th>median evaluations to target</th></tr></thead>
<tbody>${agentRows}</tbody></table>
<p class="note">${c.optimum !== null ? `True optimum ${esc(withUnit(c.optimum, unit))} from the ground-truth sweep; ` : ''}${c.target !== null ? `target ${esc(withUnit(c.target, unit))}.` : 'no target, so no success rate.'}</p>
${c.comparisons.length ? `<table><thead><tr><th>test</th><th>measure</th><th>U</th><th>p</th><th>p (Holm)</th><th>Cliff's δ</th><th>verdict</th></tr></thead><tbody>${testRows}</tbody></table>` : ''}
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>marl-dse comparison</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.wins { color: #0a7a2f; font-weight: 600; } .loses { color: #b3261e; font-weight: 600; } .ties { color: #555; }
.verdict { font-weight: 600; } .note { color: #666; font-size: 0.85rem; }
section { margin-top: 2.2rem; } figure.chart { margin: 0; }
</style></head><body>
<h1>MARL against the baselines</h1>
<p>${spec.agents.length} agents × ${spec.traces.length} traces${spec.suites.length ? ` and ${spec.suites.length} suite${spec.suites.length === 1 ? '' : 's'} (${spec.aggregate} of each trace's value over the baseline design's)` : ''} × ${spec.objectives.length} objectives × ${spec.seeds} seeds × ${spec.budget.toLocaleString('en-US')} evaluations
(${results.length} finished runs) on the ${esc(spec.space)} space of ${esc(spec.memspec)}, reward <code>${spec.reward}</code>.
${spec.constraints.length ? `Every run keeps ${spec.constraints.map((c) => `<code>${esc(c)}</code>`).join(', ')} on every trace; only designs that do count. ` : ''}Wall time ${wallSeconds.toFixed(0)} s; ${simulations.toLocaleString('en-US')} distinct simulations (runs of one trace share results).</p>
<p>Each cell compares MARL's runs with each baseline's with a two-sided Mann-Whitney U test (exact when there
are no ties), Holm-adjusted over the baselines of the cell, on two measures: the best value found, and, where
there is a target, the evaluations it took to reach it (a run that never did counts as taking more than the
budget). Cliff's δ is the effect size (−1: every MARL run was lower, i.e. better, on that measure). With ${spec.seeds} seeds per agent the smallest possible p-value is
${pText(smallestPValue(spec.seeds, spec.seeds))}, so a cell can only show a significant difference when the separation is complete or nearly so.</p>
<h2>Verdicts</h2>
<ul>${verdicts}</ul>
${sections}
</body></html>
`;
}

/** The band's span for each number of runs the cell's agents have (one unless a comparison was cut short). */
function bandTexts(c: CellSummary): string {
  const counts = [...new Set(c.agents.map((a) => a.runs).filter((n) => n > 0))].sort((a, b) => a - b);
  return counts.map(bandText).join('; ');
}
