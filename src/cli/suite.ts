/** A suite evaluation's traces as a table: what `search` and `runs show` print for a suite's best design. */
import Table from 'cli-table3';
import { formatNumber, withUnit } from '../../common/format.js';
import { objectiveMetric, objectiveUnit } from '../objectives.js';
import type { TraceEvaluation } from '../store/store.js';

/** One row per trace, in suite order: its weight, the objective's value in its unit, that value over the baseline design's, feasibility. */
export function suiteTable(traces: readonly TraceEvaluation[], objective: string, constrained: boolean): string {
  const metric = objectiveMetric(objective);
  const head = ['trace', 'weight', ...(metric ? [`${objective} (${objectiveUnit(objective)})`, '× baseline'] : []), ...(constrained ? ['constraints'] : [])];
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const r of traces) {
    t.push([r.trace, formatNumber(r.weight), ...(metric ? [formatNumber(r.value), formatNumber(r.normalised)] : []), ...(constrained ? [r.feasible ? 'met' : 'broken'] : [])]);
  }
  return t.toString();
}

/** The scoring of a run in words: `latency, geomean of each trace's value over the baseline's`. */
export function scoringText(objective: string, aggregate: string | null | undefined): string {
  return aggregate ? `${objective}, ${aggregate} of each trace's value / the baseline design's` : objective;
}

/** The best value, or why there is none: a run with constraints no evaluated design met. */
export function bestText(bestValue: number | null, objective: string, aggregate: string | null | undefined, constraints: readonly string[], evaluations: number): string {
  if (bestValue === null && constraints.length > 0 && evaluations > 0) return `no feasible design: each of the ${formatNumber(evaluations)} evaluated breaks a constraint`;
  return withUnit(bestValue, objectiveUnit(objective, aggregate));
}
