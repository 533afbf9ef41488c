/**
 * One design's figures over a suite as if its traces ran one after another: what a suite's
 * evaluation shows where one set of figures is expected (observations, the dashboard's power and
 * latency, exports). Each field has a rule: counts, times and energies add up; means are weighted
 * by what they average over; tail latencies take the worst trace (the suite's own percentiles are
 * not recoverable from the traces'). The objectives of a suite do not use these figures: they
 * aggregate the traces' own values (objectives.ts).
 */
import type { ChannelSimStats, SimStats } from '../../simulators/dram/stats.js';

/** `first`: the same on every trace (one design, one memory); `sum`; `max`; a mean weighted by requests, total time or energy window. */
type Rule = 'first' | 'sum' | 'max' | 'byRequests' | 'byTime' | 'byWindow' | 'sumEach' | 'product' | 'channels';

const RULES = {
  memoryId: 'first',
  requests: 'sum',
  reads: 'sum',
  writes: 'sum',
  totalTimeNs: 'sum',
  avgLatencyNs: 'byRequests',
  p50LatencyNs: 'max',
  p99LatencyNs: 'max',
  maxLatencyNs: 'max',
  // Bytes over time: the traces' bandwidths weighted by their times.
  bandwidthGBps: 'byTime',
  bandwidthUtilization: 'byTime',
  energyPj: 'sum',
  // The combined energy times the combined time, not a sum of products.
  energyDelayPjNs: 'product',
  energyByComponentPj: 'sumEach',
  // Energy over the energy window (per channel, summed over channels): weighted by the windows.
  averagePowerMw: 'byWindow',
  energyWindowNs: 'sum',
  rowHits: 'sum',
  rowMisses: 'sum',
  rowConflicts: 'sum',
  commands: 'sumEach',
  controllerClockMhz: 'first',
  simulatedCycles: 'sum',
  channels: 'channels',
} as const satisfies Record<keyof SimStats, Rule>;

const CHANNEL_RULES = {
  reads: 'sum',
  writes: 'sum',
  bandwidthUtilization: 'byTime',
  energyPj: 'sum',
  averagePowerMw: 'byWindow',
  energyWindowNs: 'sum',
  rowHits: 'sum',
  rowMisses: 'sum',
  rowConflicts: 'sum',
  commands: 'sumEach',
} as const satisfies Record<keyof ChannelSimStats, Rule>;

interface Weights {
  byRequests: readonly number[];
  byTime: readonly number[];
  byWindow: readonly number[];
}

function weightedMean(xs: readonly number[], ws: readonly number[]): number {
  let sum = 0;
  let weight = 0;
  xs.forEach((x, i) => {
    sum += x * ws[i];
    weight += ws[i];
  });
  return weight > 0 ? sum / weight : 0;
}

function sumEach<T extends Record<string, number>>(records: readonly T[]): T {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out as T;
}

function combineField(rule: Rule, values: readonly unknown[], weights: Weights): unknown {
  const nums = values as readonly number[];
  switch (rule) {
    case 'first':
      return values[0];
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...nums);
    case 'byRequests':
    case 'byTime':
    case 'byWindow':
      return weightedMean(nums, weights[rule]);
    case 'sumEach':
      return sumEach(values as ReadonlyArray<Record<string, number>>);
    default:
      throw new Error(`combine: rule ${rule} needs the whole record`);
  }
}

function combineRecord<T extends object>(records: readonly T[], rules: Readonly<Record<keyof T, Rule>>, weights: Weights): T {
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules) as Array<[keyof T & string, Rule]>) {
    if (rule === 'product' || rule === 'channels') continue;
    out[key] = combineField(rule, records.map((r) => r[key]), weights);
  }
  return out as T;
}

/** The figures of `traces` (one design, in suite order) run back to back; one trace's are returned as they are. */
export function combineStats(traces: readonly SimStats[]): SimStats {
  if (traces.length === 1) return traces[0];
  if (traces.length === 0) throw new Error('combineStats: no traces');
  const byTime = traces.map((s) => s.totalTimeNs);
  const out = combineRecord(traces, RULES, { byRequests: traces.map((s) => s.requests), byTime, byWindow: traces.map((s) => s.energyWindowNs) });
  out.energyDelayPjNs = out.energyPj * out.totalTimeNs;
  out.channels = traces[0].channels.map((_, c) =>
    combineRecord(
      traces.map((s) => s.channels[c]),
      CHANNEL_RULES,
      { byRequests: [], byTime, byWindow: traces.map((s) => s.channels[c].energyWindowNs) },
    ),
  );
  return out;
}
