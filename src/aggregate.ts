/**
 * How a suite's per-trace values become one objective value: each trace's value is first
 * normalised to the baseline design's value on that trace (1 = as good as the baseline there),
 * then combined by the run's aggregate. One registry: a new aggregate is one entry.
 */
import { InputError } from '../common/errors.js';
import type { Direction } from './metrics.js';

interface AggregateInfo {
  readonly description: string;
  /** The aggregate of normalised values with their weights, for an objective improving in `direction`. */
  combine(normalised: readonly number[], weights: readonly number[], direction: Direction): number;
}

export const AGGREGATES = {
  geomean: {
    description: 'the weighted geometric mean of the normalised values: exp(Σ wᵢ ln rᵢ / Σ wᵢ)',
    combine: (rs, ws) => {
      let sum = 0;
      let weight = 0;
      rs.forEach((r, i) => {
        sum += ws[i] * Math.log(r);
        weight += ws[i];
      });
      return Math.exp(sum / weight);
    },
  },
  worst: {
    description: 'the worst normalised value: the largest for an objective to minimise, the smallest for one to maximise (weights do not count)',
    combine: (rs, _ws, direction) => (direction === 'min' ? Math.max(...rs) : Math.min(...rs)),
  },
} as const satisfies Record<string, AggregateInfo>;

export type AggregateName = keyof typeof AGGREGATES;
export const AGGREGATE_NAMES = Object.keys(AGGREGATES) as AggregateName[];
/** What a suite run uses unless `--aggregate` says otherwise. */
export const DEFAULT_AGGREGATE: AggregateName = 'geomean';

/** The unit of a suite run's values: a ratio to the baseline design's. */
export const NORMALISED_UNIT = '× baseline';

export function parseAggregate(raw: string, flag = '--aggregate'): AggregateName {
  if ((AGGREGATE_NAMES as string[]).includes(raw)) return raw as AggregateName;
  throw new InputError(`${flag} ${raw}: unknown (expected one of ${AGGREGATE_NAMES.join(', ')})`);
}
