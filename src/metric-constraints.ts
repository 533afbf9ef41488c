/**
 * Constraints on a design's metrics (`--constraint`): `METRIC<=LIMIT` or `METRIC>=LIMIT`, the
 * metric by its objective's name, the limit either relative to the baseline design (`1.2x`: 1.2
 * times the baseline's value on the same trace) or absolute with a unit (`500ns`, `400mW`). Each
 * holds per trace: a design is feasible when every trace of the suite meets every constraint.
 */
import { InputError } from '../common/errors.js';
import type { SimStats } from '../simulators/dram/stats.js';
import { METRICS, type MetricName, OBJECTIVE_METRICS } from './metrics.js';

export const CONSTRAINT_OPERATORS = ['<=', '>='] as const;
export type ConstraintOperator = (typeof CONSTRAINT_OPERATORS)[number];

export interface Constraint {
  /** As the user wrote it. */
  readonly text: string;
  /** The objective naming the metric (`p99-latency`). */
  readonly objective: string;
  readonly metric: MetricName;
  readonly operator: ConstraintOperator;
  /** The limit in the metric's unit, or the ratio to the baseline's value when `relative`. */
  readonly limit: number;
  readonly relative: boolean;
}

/** Units a limit may be written in, per metric unit: the factor to that unit. */
const UNITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  ns: { ps: 1e-3, ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 },
  mW: { µW: 1e-3, uW: 1e-3, mW: 1, W: 1e3 },
  pJ: { pJ: 1, nJ: 1e3, µJ: 1e6, uJ: 1e6, mJ: 1e9, J: 1e12 },
  'pJ·ns': { 'pJ·ns': 1, 'pJ*ns': 1, pJns: 1 },
  'GB/s': { 'MB/s': 1e-3, 'GB/s': 1, 'TB/s': 1e3 },
};

const SHAPE = /^\s*([a-z0-9-]+)\s*(<=|>=|≤|≥)\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(\S*)\s*$/i;
const EXAMPLE = 'METRIC<=LIMIT or METRIC>=LIMIT, e.g. p99-latency<=1.2x, p99-latency<=500ns, power<=400mW';

/** Reads one constraint; errors are one line naming `flag` and the text. */
export function parseConstraint(text: string, flag = '--constraint'): Constraint {
  const where = `${flag} ${JSON.stringify(text)}`;
  const m = SHAPE.exec(text);
  if (!m) throw new InputError(`${where}: expected ${EXAMPLE}`);
  const [, objective, op, number, unit] = m;
  const metric = (OBJECTIVE_METRICS as Record<string, MetricName>)[objective];
  if (!metric) throw new InputError(`${where}: unknown metric "${objective}" (expected one of ${Object.keys(OBJECTIVE_METRICS).join(', ')})`);
  const operator: ConstraintOperator = op === '≤' || op === '<=' ? '<=' : '>=';
  const value = Number(number);
  const own = METRICS[metric].unit;
  const units = UNITS[own] ?? { [own]: 1 };
  const choices = `${Object.keys(units).join(', ')}, or a ratio to the baseline design such as 1.2x`;
  if (unit === 'x' || unit === '×') {
    if (!(value > 0)) throw new InputError(`${where}: a ratio to the baseline must be > 0`);
    return { text, objective, metric, operator, limit: value, relative: true };
  }
  if (unit === '') throw new InputError(`${where}: give a unit (${choices})`);
  if (!Object.hasOwn(units, unit)) throw new InputError(`${where}: ${objective} is in ${own}; give ${choices}`);
  return { text, objective, metric, operator, limit: value * units[unit], relative: false };
}

/** The limit on a trace, in the metric's unit: a relative one scaled by the baseline's value there. */
export function limitOn(c: Constraint, baseline: SimStats): number {
  return c.relative ? c.limit * baseline[c.metric] : c.limit;
}

/**
 * How far `stats` breaks `c`, relative to the limit: 0 when it holds, else (value − limit) / limit
 * for `<=` and (limit − value) / limit for `>=` (∞ past a limit of 0).
 */
export function violation(c: Constraint, stats: SimStats, baseline: SimStats): number {
  const limit = limitOn(c, baseline);
  const value = stats[c.metric];
  const excess = c.operator === '<=' ? value - limit : limit - value;
  if (!(excess > 0)) return Number.isNaN(value) ? Infinity : 0;
  return limit > 0 ? excess / limit : Infinity;
}
