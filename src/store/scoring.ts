/** How a stored run scored its evaluations, read from its options: its suite's aggregate and its constraints. */
import { AGGREGATE_NAMES, type AggregateName } from '../aggregate.js';

export interface RunScoring {
  /** A suite's aggregate (values are ratios to the baseline design's); null for a single trace. */
  readonly aggregate: AggregateName | null;
  /** The constraints as given; none for a run without (or stored before they existed). */
  readonly constraints: readonly string[];
}

export function runScoring(run: { readonly options: unknown }): RunScoring {
  const o = typeof run.options === 'object' && run.options !== null ? (run.options as Record<string, unknown>) : {};
  const aggregate = AGGREGATE_NAMES.find((a) => a === o.aggregate) ?? null;
  const constraints = Array.isArray(o.constraints) ? o.constraints.filter((c): c is string => typeof c === 'string') : [];
  return { aggregate, constraints };
}
