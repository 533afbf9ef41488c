/** The latency histogram: exact percentiles below 65,536 cycles, within 0.1 % above, however its counters grew. */
import { describe, expect, it } from 'vitest';
import { makeRng, uniform01 } from '../../common/random.js';
import { LatencyHistogram } from '../../simulators/dram/stats.js';

/** Nearest-rank percentile of a list, the definition the histogram follows. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

describe('LatencyHistogram', () => {
  it('gives the exact nearest-rank percentiles, mean and maximum below 65,536 cycles, in any order of arrival', () => {
    const rng = makeRng(3);
    // Short latencies first, then ones that make the counters grow several times, then short again.
    const values = [
      ...Array.from({ length: 500 }, () => Math.floor(uniform01(rng) * 900)),
      ...Array.from({ length: 300 }, () => 1000 + Math.floor(uniform01(rng) * 60_000)),
      ...Array.from({ length: 200 }, () => Math.floor(uniform01(rng) * 50)),
      65_535,
    ];
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    for (const p of [1, 25, 50, 90, 99, 99.9, 100]) expect(h.percentile(p), `p${p}`).toBe(nearestRank(values, p));
    expect(h.count).toBe(values.length);
    expect(h.sum).toBe(values.reduce((a, b) => a + b, 0));
    expect(h.max).toBe(65_535);
  });

  it('places huge latencies within 0.1 % and never above the maximum', () => {
    const values = [10, 20, 70_000, 123_456, 5_000_000, 2 ** 33 + 7];
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    for (const p of [50, 60, 80, 90, 100]) {
      const exact = nearestRank(values, p);
      const got = h.percentile(p);
      expect(got, `p${p}`).toBeLessThanOrEqual(h.max);
      expect(Math.abs(got - exact) / exact, `p${p}`).toBeLessThanOrEqual(0.001);
    }
    expect(h.percentile(10)).toBe(10);
  });

  it('reports 0 for no latencies', () => {
    expect(new LatencyHistogram().percentile(99)).toBe(0);
  });
});
