/**
 * A stored run as CSV or JSON text, produced a chunk at a time so a run of any length is exported
 * in bounded memory.
 */
import { EXPORT_METRICS } from '../metrics.js';
import type { FrontPoint } from './front.js';
import type { EvaluationRecord, RunRow } from './store.js';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The SimStats columns of a CSV export, in order (metrics.ts). */
export { EXPORT_METRICS };

/** RFC 4180: quote a cell only when it holds a comma, a quote or a line break. */
export function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(cells: ReadonlyArray<string | number>): string {
  return cells.map(csvCell).join(',') + '\n';
}

/**
 * One line per evaluation: index, the design's values by parameter name, value, reward, best, then
 * `feasible` when the run has constraints, then EXPORT_METRICS, then for a suite each trace's
 * `<trace>:value`, `<trace>:normalised` and (with constraints) `<trace>:feasible`. The parameter,
 * feasibility and trace columns follow the first evaluation (a run has one space and one workload).
 */
export function* csvExport(evals: Iterable<EvaluationRecord>): Generator<string, void, undefined> {
  let layout: CsvLayout | null = null;
  for (const e of evals) {
    if (layout === null) {
      layout = csvLayout(e);
      yield csvLine(layout.header);
    }
    yield csvLine(layout.row(e));
  }
  if (layout === null) yield csvLine(['index', 'value', 'reward', 'best', ...EXPORT_METRICS]);
}

interface CsvLayout {
  readonly header: readonly string[];
  row(e: EvaluationRecord): Array<string | number>;
}

const cell = (v: number | boolean | null | undefined): string | number => (v === null || v === undefined ? '' : typeof v === 'boolean' ? String(v) : v);

function csvLayout(first: EvaluationRecord): CsvLayout {
  const parameters = Object.keys(first.config);
  const constrained = first.feasible !== undefined;
  const traces = first.traces?.map((t) => t.trace) ?? [];
  const traceHeader = traces.flatMap((t) => [`${t}:value`, `${t}:normalised`, ...(constrained ? [`${t}:feasible`] : [])]);
  return {
    header: ['index', ...parameters, 'value', 'reward', 'best', ...(constrained ? ['feasible'] : []), ...EXPORT_METRICS, ...traceHeader],
    row: (e) => [
      e.index,
      ...parameters.map((p) => e.config[p] ?? ''),
      e.value,
      e.reward,
      e.best,
      ...(constrained ? [cell(e.feasible)] : []),
      ...EXPORT_METRICS.map((m) => e.stats[m]),
      ...traces.flatMap((_, i) => {
        const t = e.traces?.[i];
        return [cell(t?.value), cell(t?.normalised), ...(constrained ? [cell(t?.feasible)] : [])];
      }),
    ],
  };
}

/** One JSON object `{run, evaluations}`, an evaluation per line. NaN values become null, as in any JSON. */
export function* jsonExport(run: RunRow, evals: Iterable<EvaluationRecord>): Generator<string, void, undefined> {
  yield `{"run":${JSON.stringify(run)},"evaluations":[`;
  let separator = '\n';
  for (const e of evals) {
    yield separator + JSON.stringify(e);
    separator = ',\n';
  }
  yield '\n]}\n';
}

/**
 * A run's power–latency front (front.ts), one line per design by increasing power: the evaluation,
 * average power, total time, then the design's values by parameter name.
 */
export function* frontCsvExport(front: readonly FrontPoint[]): Generator<string, void, undefined> {
  const parameters = front.length > 0 ? Object.keys(front[0].config) : [];
  yield csvLine(['index', 'averagePowerMw', 'totalTimeNs', ...parameters]);
  for (const f of front) yield csvLine([f.index, f.averagePowerMw, f.totalTimeNs, ...parameters.map((p) => f.config[p] ?? '')]);
}

/** One JSON object `{run, front}`, a design of the front per line. */
export function* frontJsonExport(run: RunRow, front: readonly FrontPoint[]): Generator<string, void, undefined> {
  yield `{"run":${JSON.stringify(run)},"front":[`;
  yield front.map((f) => '\n' + JSON.stringify(f)).join(',');
  yield '\n]}\n';
}
