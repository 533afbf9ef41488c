/**
 * The metrics of a simulation that marl-dse searches, reports and stores: one registry. The
 * objectives, the columns of a sweep and of an export, the observation's metric features and the
 * dashboard's evaluation events all derive from it, so a new metric (or a new objective on a
 * metric) is one entry here. The order is the column order of sweeps and exports.
 */
import type { SimStats } from '../simulators/dram/stats.js';

/** Which way a value is better: lower (`min`) or higher (`max`). */
export type Direction = 'min' | 'max';

interface MetricInfo {
  readonly label: string;
  readonly unit: string;
  readonly direction: Direction;
  /** The objective that optimises this metric alone (`--objective`). */
  readonly objective?: string;
  /** A column of `marl-dse sweep` (the ground truth). */
  readonly sweep?: true;
  /** A column of `marl-dse runs export --format csv`. */
  readonly export?: true;
  /**
   * Its place among the observation's features, as a ratio to the baseline design's value. Fixed:
   * the agents' networks, and every stored run replayed on resume, depend on the order.
   */
  readonly observed?: number;
  /** Its field in the dashboard's evaluation events. */
  readonly event?: string;
}

export const METRICS = {
  totalTimeNs: { label: 'total time', unit: 'ns', direction: 'min', objective: 'latency', sweep: true, export: true, observed: 1, event: 'latencyNs' },
  averagePowerMw: { label: 'average power', unit: 'mW', direction: 'min', objective: 'power', sweep: true, export: true, observed: 0, event: 'powerMw' },
  avgLatencyNs: { label: 'mean request latency', unit: 'ns', direction: 'min', objective: 'avg-latency', sweep: true, export: true, observed: 2, event: 'avgLatencyNs' },
  p99LatencyNs: { label: 'p99 request latency', unit: 'ns', direction: 'min', objective: 'p99-latency', sweep: true, export: true },
  energyPj: { label: 'energy', unit: 'pJ', direction: 'min', objective: 'energy', sweep: true, export: true, observed: 3, event: 'energyPj' },
  energyDelayPjNs: { label: 'energy-delay product', unit: 'pJ·ns', direction: 'min', objective: 'edp', sweep: true, export: true },
  bandwidthGBps: { label: 'bandwidth', unit: 'GB/s', direction: 'max', objective: 'bandwidth', sweep: true, export: true, event: 'bandwidthGBps' },
  rowHits: { label: 'row hits', unit: 'requests', direction: 'max', sweep: true },
  rowMisses: { label: 'row misses', unit: 'requests', direction: 'min', sweep: true },
  rowConflicts: { label: 'row conflicts', unit: 'requests', direction: 'min', sweep: true },
} as const satisfies Partial<Record<keyof SimStats, MetricInfo>>;

export type MetricName = keyof typeof METRICS;
type Entry<K extends MetricName> = (typeof METRICS)[K];

/** Objectives of one metric, and the metric of each. */
export type MetricObjective = { [K in MetricName]: Entry<K> extends { objective: infer O extends string } ? O : never }[MetricName];
export type EventField = { [K in MetricName]: Entry<K> extends { event: infer F extends string } ? F : never }[MetricName];

const NAMES = Object.keys(METRICS) as MetricName[];
const info = (m: MetricName): MetricInfo => METRICS[m];

export const SWEEP_METRICS = NAMES.filter((m) => info(m).sweep);
export const EXPORT_METRICS = NAMES.filter((m) => info(m).export);
/** The metrics the observation holds as ratios to the baseline, in their fixed order. */
export const OBSERVED_METRICS = NAMES.filter((m) => info(m).observed !== undefined).sort((a, b) => info(a).observed! - info(b).observed!);
/** Dashboard event field → metric. */
export const EVENT_METRICS = NAMES.filter((m) => info(m).event !== undefined).map((m) => [info(m).event as EventField, m] as const);
/** Objective → metric, in registry order. */
export const OBJECTIVE_METRICS = Object.fromEntries(NAMES.filter((m) => info(m).objective !== undefined).map((m) => [info(m).objective, m])) as Record<MetricObjective, MetricName>;

/** What the dashboard is told about each metric (the `hello` message). */
export function metricsInfo(): Array<{ name: MetricName; label: string; unit: string; direction: Direction; objective: string | null; event: string | null }> {
  return NAMES.map((name) => ({ name, label: info(name).label, unit: info(name).unit, direction: info(name).direction, objective: info(name).objective ?? null, event: info(name).event ?? null }));
}
