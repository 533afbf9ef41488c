/**
 * What agents observe: the last evaluation's metrics relative to the baseline design (clipped to
 * [0, 10]), its bandwidth utilisation and row-hit rate, then the current design, each value index
 * scaled to [0, 1].
 */
import type { SimStats } from '../../simulators/dram/stats.js';
import type { Design, ParameterSpace } from '../space/space.js';
import { OBSERVED_METRICS } from '../metrics.js';
import { Box } from './spaces.js';

/** The observation's metric features: the observed metrics (metrics.ts) as ratios to the baseline, then two shares. */
export const METRIC_FEATURES = [...OBSERVED_METRICS, 'bandwidthUtilization', 'rowHitRate'] as const;
const CLIP = 10;

export function observationSpace(space: ParameterSpace): Box {
  const n = METRIC_FEATURES.length + space.parameters.length;
  const low = new Float64Array(n);
  const high = new Float64Array(n).fill(1);
  for (let i = 0; i < OBSERVED_METRICS.length; i++) high[i] = CLIP;
  return new Box(low, high);
}

export function observe(space: ParameterSpace, stats: SimStats, baseline: SimStats, design: Design): Float64Array {
  const rel = (v: number, b: number): number => Math.min(CLIP, Math.max(0, b > 0 ? v / b : 0));
  const requests = stats.rowHits + stats.rowMisses + stats.rowConflicts;
  const obs = new Float64Array(METRIC_FEATURES.length + space.parameters.length);
  OBSERVED_METRICS.forEach((m, i) => (obs[i] = rel(stats[m], baseline[m])));
  obs[OBSERVED_METRICS.length] = Math.min(1, stats.bandwidthUtilization);
  obs[OBSERVED_METRICS.length + 1] = requests > 0 ? stats.rowHits / requests : 0;
  space.parameters.forEach((p, i) => {
    obs[METRIC_FEATURES.length + i] = p.values.length > 1 ? design[i] / (p.values.length - 1) : 0;
  });
  return obs;
}
