import { describe, expect, it } from 'vitest';
import type { SimStats } from '../../simulators/dram/stats.js';
import { METRICS } from '../../src/metrics.js';
import { ARCHGYM_CAP, hypervolume, OBJECTIVES, objectiveDirection, objectiveMetric, ObjectiveTracker, paretoFront, paretoFrontIndexes, validateObjective } from '../../src/objectives.js';

function stats(averagePowerMw: number, totalTimeNs: number, extra: Partial<SimStats> = {}): SimStats {
  return { averagePowerMw, totalTimeNs, avgLatencyNs: totalTimeNs / 2, energyPj: averagePowerMw * totalTimeNs, ...extra } as SimStats;
}

describe('pareto helpers', () => {
  it('keeps only non-dominated points', () => {
    expect(paretoFront([[3, 1], [1, 3], [2, 2], [2, 3], [3, 3]])).toEqual([[1, 3], [2, 2], [3, 1]]);
  });

  it('names the front by index, by increasing power; of equal points the first', () => {
    expect(paretoFrontIndexes([[3, 1], [2, 2], [1, 3], [2, 2], [2, 3]])).toEqual([2, 1, 0]);
    expect(paretoFrontIndexes([])).toEqual([]);
  });

  it('computes the dominated area against a reference point', () => {
    // Staircase (1,3),(2,2),(3,1) in the box to (4,4): 1·1 + 1·2 + 1·3 = 6.
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(6);
    expect(hypervolume([[5, 1]], [4, 4])).toBe(0);
    expect(hypervolume([], [4, 4])).toBe(0);
  });
});

describe('rewards', () => {
  const baseline = stats(1000, 50_000);

  it('log reward: zero at the reference, positive when better, scale-free', () => {
    const t = new ObjectiveTracker({ name: 'power' }, baseline);
    expect(t.observe(stats(1000, 1)).reward).toBeCloseTo(0, 12);
    const half = t.observe(stats(500, 1)).reward;
    expect(half).toBeCloseTo(Math.log(2), 12);
    expect(t.observe(stats(2000, 1)).reward).toBeCloseTo(-Math.log(2), 12);
    const big = new ObjectiveTracker({ name: 'latency' }, stats(1, 1e9));
    expect(big.observe(stats(1, 5e8)).reward).toBeCloseTo(half, 12);
  });

  it('log reward with a target keeps paying for beating it; archgym peaks at it', () => {
    const log = new ObjectiveTracker({ name: 'power', target: 800 }, baseline);
    const arch = new ObjectiveTracker({ name: 'power', target: 800, reward: 'archgym' }, baseline);
    const values = [1600, 900, 800, 700, 400];
    const logR = values.map((v) => log.observe(stats(v, 1)).reward);
    const archR = values.map((v) => arch.observe(stats(v, 1)).reward);
    expect([...logR].sort((a, b) => a - b)).toEqual(logR); // monotone in improvement
    expect(archR[2]).toBe(ARCHGYM_CAP); // at the target: capped instead of infinite
    expect(archR[1]).toBeCloseTo(8, 12); // 800 / |900 − 800|
    expect(archR[4]).toBeLessThan(archR[3]); // beating the target by more pays less
    expect(log.evaluationsToTarget).toBe(3);
    expect(log.best).toBe(400);
  });

  it('joint: the worse of the two ratios, success when both targets are met', () => {
    const t = new ObjectiveTracker({ name: 'joint', powerTargetMw: 1000, latencyTargetNs: 10_000 }, baseline);
    const a = t.observe(stats(500, 20_000));
    expect(a.value).toBe(2);
    expect(a.success).toBe(false);
    const b = t.observe(stats(900, 9_000));
    expect(b.value).toBeCloseTo(0.9, 12);
    expect(b.success).toBe(true);
    const arch = new ObjectiveTracker({ name: 'joint', powerTargetMw: 1000, latencyTargetNs: 10_000, reward: 'archgym' }, baseline);
    expect(arch.observe(stats(900, 9_000)).reward).toBeCloseTo(10 * 10, 9);
  });

  it('pareto: hypervolume grows only with non-dominated points', () => {
    const t = new ObjectiveTracker({ name: 'pareto', referencePoint: [2000, 100_000] }, baseline);
    const first = t.observe(stats(1000, 50_000));
    expect(first.value).toBeCloseTo(0.25, 12);
    expect(first.reward).toBeCloseTo(25, 9);
    const dominated = t.observe(stats(1500, 60_000));
    expect(dominated.reward).toBe(0);
    const better = t.observe(stats(500, 75_000));
    expect(better.value).toBeGreaterThan(0.25);
    expect(t.paretoFront()).toEqual([[500, 75_000], [1000, 50_000]]);
  });

  it('refuses objectives that lack the targets their reward needs', () => {
    expect(() => validateObjective({ name: 'joint' })).toThrow(/objective joint needs two targets/);
    expect(() => validateObjective({ name: 'power', reward: 'archgym' })).toThrow(/archgym reward needs a target/);
    expect(() => validateObjective({ name: 'pareto', reward: 'archgym' })).toThrow(/pareto: the archgym reward/);
    expect(() => validateObjective({ name: 'power', target: -3 })).toThrow(/target must be a positive number/);
  });
});

describe('a maximised objective: bandwidth', () => {
  const at = (bandwidthGBps: number) => stats(1000, 50_000, { bandwidthGBps });

  it('keeps the highest value, pays the log reward for more, and reaches its target from below', () => {
    expect(objectiveDirection('bandwidth')).toBe('max');
    const t = new ObjectiveTracker({ name: 'bandwidth', target: 10 }, at(5));
    expect(t.observe(at(8))).toMatchObject({ value: 8, improved: true, success: false });
    expect(t.observe(at(4)).improved).toBe(false);
    expect(t.best).toBe(8);
    const o = t.observe(at(20));
    expect(o).toMatchObject({ value: 20, improved: true, success: true });
    expect(o.reward).toBeCloseTo(Math.log(2), 12); // twice the target
    expect(t.evaluationsToTarget).toBe(3);
    // Without a target, against the baseline: half the bandwidth is as bad as twice is good.
    const u = new ObjectiveTracker({ name: 'bandwidth' }, at(5));
    expect(u.observe(at(2.5)).reward).toBeCloseTo(-Math.log(2), 12);
  });

  it('every objective of one metric takes its direction from the metric registry', () => {
    for (const o of OBJECTIVES) {
      const metric = objectiveMetric(o);
      if (metric !== null) expect(objectiveDirection(o), o).toBe(METRICS[metric].direction);
    }
    expect(OBJECTIVES).toContain('bandwidth');
  });
});

describe('tail latency and energy-delay product', () => {
  it('p99-latency and edp optimise their metrics, lower being better', () => {
    expect(objectiveMetric('p99-latency')).toBe('p99LatencyNs');
    expect(objectiveMetric('edp')).toBe('energyDelayPjNs');
    const at = (p99LatencyNs: number, energyPj: number, totalTimeNs: number) => stats(1000, totalTimeNs, { p99LatencyNs, energyPj, energyDelayPjNs: energyPj * totalTimeNs });
    const tail = new ObjectiveTracker({ name: 'p99-latency' }, at(400, 1e6, 5e4));
    expect(tail.observe(at(200, 1e6, 5e4))).toMatchObject({ value: 200, improved: true });
    expect(tail.observe(at(300, 1e6, 5e4)).improved).toBe(false);
    const edp = new ObjectiveTracker({ name: 'edp' }, at(400, 2e6, 5e4));
    // Half the energy in the same time halves the product: the log reward of a halving.
    expect(edp.observe(at(400, 1e6, 5e4)).reward).toBeCloseTo(Math.log(2), 12);
    // Twice the energy in half the time is no better.
    expect(edp.observe(at(400, 4e6, 2.5e4)).improved).toBe(false);
  });
});
