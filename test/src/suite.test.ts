/**
 * Suites: one evaluation is one design on every trace. Aggregates and constraints are checked
 * against each trace simulated on its own with `simulate`; the pool runs a design's traces at once
 * and gives the in-process numbers; a trace two suites share is simulated once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../common/errors.js';
import { simulate } from '../../simulators/dram/simulate.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { DramEnv, baseDesign } from '../../src/env/dram-env.js';
import { combineStats } from '../../src/evaluator/combine.js';
import { inProcessBackend, MapMemo, type SimulationBackend } from '../../src/evaluator/evaluator.js';
import { createPoolBackend } from '../../src/evaluator/pool.js';
import { type SuiteEvaluator, suiteEvaluator } from '../../src/evaluator/suite.js';
import { loadWorkload, type Workload } from '../../src/evaluator/workload.js';
import { parseConstraint } from '../../src/metric-constraints.js';
import { constrainedReward, FEASIBLE_FLOOR, type ObjectiveSpec, ObjectiveTracker } from '../../src/objectives.js';
import { loadSpace } from '../../src/space/builtin.js';
import { designAt, designToConfig } from '../../src/space/space.js';
import { spaceSize } from '../../src/space/masks.js';

const TRACES = ['gen:gups:requests=800', 'gen:stencil:requests=800', 'gen:pointer-chase:requests=400:chains=4'];
const workloads: Workload[] = TRACES.map((trace) => loadWorkload({ trace }));
const space = loadSpace('reference');
const designs = Array.from({ length: 10 }, (_, i) => designAt(space, (i * 40_009 + 77) % spaceSize(space)));
const configs = designs.map((d) => designToConfig(space, d));
const base = designToConfig(space, baseDesign(space));

/** Each trace simulated on its own, as `marl-dse simulate` would. */
const alone = (config: typeof base): SimStats[] => workloads.map((w) => simulate(w.trace, w.memspec, w.mapping, config, { clkMhz: w.clkMhz }));
const baseline = alone(base);

const opened: SuiteEvaluator[] = [];
afterAll(async () => {
  for (const e of opened) await e.close();
});

function inProcess(weights = TRACES.map(() => 1), memo = new MapMemo()): SuiteEvaluator {
  const e = suiteEvaluator(workloads, weights, TRACES, { backend: inProcessBackend, memo, close: async () => {} });
  opened.push(e);
  return e;
}

async function envOf(objective: ObjectiveSpec, evaluator = inProcess()): Promise<DramEnv> {
  const env = new DramEnv({ space, evaluator, objective });
  await env.reset(1);
  return env;
}

const geomean = (rs: number[], ws: number[]): number => Math.exp(rs.reduce((s, r, i) => s + ws[i] * Math.log(r), 0) / ws.reduce((a, b) => a + b, 0));

describe('a suite evaluation', () => {
  it('holds each trace\'s figures, bit for bit those of simulating it alone, and their combination', async () => {
    const results = await inProcess().evaluate(configs.slice(0, 3));
    results.forEach((r, i) => {
      const own = alone(configs[i]);
      expect(r.traces).toEqual(own);
      expect(r.stats).toEqual(combineStats(own));
    });
  });

  it('combines the traces as if run back to back: counts and times add up, means are weighted', () => {
    const own = alone(configs[0]);
    const c = combineStats(own);
    const sum = (f: (s: SimStats) => number): number => own.reduce((a, s) => a + f(s), 0);
    expect(c.requests).toBe(sum((s) => s.requests));
    expect(c.totalTimeNs).toBe(sum((s) => s.totalTimeNs));
    expect(c.energyPj).toBe(sum((s) => s.energyPj));
    expect(c.commands.ACT).toBe(sum((s) => s.commands.ACT));
    expect(c.energyDelayPjNs).toBe(c.energyPj * c.totalTimeNs);
    expect(c.avgLatencyNs).toBeCloseTo(sum((s) => s.avgLatencyNs * s.requests) / c.requests, 6);
    // Bytes over time.
    expect(c.bandwidthGBps).toBeCloseTo(sum((s) => s.bandwidthGBps * s.totalTimeNs) / c.totalTimeNs, 9);
    expect(c.p99LatencyNs).toBe(Math.max(...own.map((s) => s.p99LatencyNs)));
    expect(c.averagePowerMw).toBeCloseTo(sum((s) => s.averagePowerMw * s.energyWindowNs) / c.energyWindowNs, 6);
    expect(combineStats([own[1]])).toBe(own[1]);
  });
});

describe('aggregates', () => {
  it('geomean: each trace\'s latency over the baseline design\'s there, then their geometric mean', async () => {
    const env = await envOf({ name: 'latency', aggregate: 'geomean' });
    const steps = await env.stepMany(designs.slice(0, 4));
    steps.forEach(([, reward, , , info], i) => {
      const own = alone(configs[i]);
      const ratios = own.map((s, k) => s.totalTimeNs / baseline[k].totalTimeNs);
      expect(info.traces.map((t) => t.value)).toEqual(own.map((s) => s.totalTimeNs));
      expect(info.traces.map((t) => t.normalised)).toEqual(ratios);
      expect(info.value).toBeCloseTo(geomean(ratios, [1, 1, 1]), 12);
      expect(reward).toBeCloseTo(-Math.log(info.value), 12); // the baseline's aggregate is 1
    });
    expect(new Set(steps.map(([, , , , i]) => i.value)).size).toBeGreaterThan(2);
  });

  it('weights count in the geometric mean', async () => {
    const env = await envOf({ name: 'energy', aggregate: 'geomean' }, inProcess([3, 1, 0.5]));
    const [[, , , , info]] = await env.stepMany([designs[5]]);
    const ratios = alone(configs[5]).map((s, k) => s.energyPj / baseline[k].energyPj);
    expect(info.value).toBeCloseTo(geomean(ratios, [3, 1, 0.5]), 12);
    expect(info.value).not.toBeCloseTo(geomean(ratios, [1, 1, 1]), 6);
  });

  it('worst: the largest ratio for an objective to minimise, the smallest for one to maximise', async () => {
    const latency = await envOf({ name: 'p99-latency', aggregate: 'worst' });
    const bandwidth = await envOf({ name: 'bandwidth', aggregate: 'worst' });
    for (const i of [1, 2, 3]) {
      const own = alone(configs[i]);
      const [[, , , , l]] = await latency.stepMany([designs[i]]);
      const [[, , , , b]] = await bandwidth.stepMany([designs[i]]);
      expect(l.value).toBe(Math.max(...own.map((s, k) => s.p99LatencyNs / baseline[k].p99LatencyNs)));
      expect(b.value).toBe(Math.min(...own.map((s, k) => s.bandwidthGBps / baseline[k].bandwidthGBps)));
    }
  });

  it('joint and pareto, which combine two metrics, are refused for a suite', async () => {
    await expect(envOf({ name: 'pareto', aggregate: 'geomean' })).rejects.toThrow(/objective pareto: not defined for a suite/);
    await expect(envOf({ name: 'joint', powerTargetMw: 1, latencyTargetNs: 1 })).rejects.toThrow(InputError);
  });
});

describe('constraints', () => {
  it('read a metric, an operator and a limit relative to the baseline or with a unit', () => {
    expect(parseConstraint('p99-latency<=1.2x')).toMatchObject({ metric: 'p99LatencyNs', operator: '<=', limit: 1.2, relative: true });
    expect(parseConstraint('p99-latency <= 2.5 µs')).toMatchObject({ metric: 'p99LatencyNs', limit: 2500, relative: false });
    expect(parseConstraint('power<=0.4W')).toMatchObject({ metric: 'averagePowerMw', limit: 400 });
    expect(parseConstraint('bandwidth>=2GB/s')).toMatchObject({ metric: 'bandwidthGBps', operator: '>=', limit: 2 });
    expect(parseConstraint('energy≤3uJ')).toMatchObject({ metric: 'energyPj', operator: '<=', limit: 3e6 });
  });

  it.each([
    ['p99-latency<500ns', '--constraint "p99-latency<500ns": expected METRIC<=LIMIT or METRIC>=LIMIT'],
    ['speed<=1x', '--constraint "speed<=1x": unknown metric "speed" (expected one of latency, power, avg-latency, p99-latency, energy, edp, bandwidth)'],
    ['power<=400', '--constraint "power<=400": give a unit (µW, uW, mW, W, or a ratio to the baseline design such as 1.2x)'],
    ['power<=400ns', '--constraint "power<=400ns": power is in mW; give µW, uW, mW, W, or a ratio to the baseline design such as 1.2x'],
    ['latency<=0x', '--constraint "latency<=0x": a ratio to the baseline must be > 0'],
  ])('%s: one line naming the flag', (text, expected) => {
    expect(() => parseConstraint(text)).toThrow(expected);
  });

  it('hold on every trace: a design is feasible only if each trace keeps each limit', async () => {
    const constraints = [parseConstraint('p99-latency<=1x'), parseConstraint('power<=1.05x')];
    const env = await envOf({ name: 'latency', aggregate: 'geomean', constraints });
    const steps = await env.stepMany(designs);
    for (const [k, [, , , , info]] of steps.entries()) {
      const own = alone(configs[k]);
      const perTrace = own.map((s, t) => s.p99LatencyNs <= baseline[t].p99LatencyNs && s.averagePowerMw <= 1.05 * baseline[t].averagePowerMw);
      expect(info.traces.map((t) => t.feasible)).toEqual(perTrace);
      expect(info.feasible).toBe(perTrace.every(Boolean));
    }
    // Both kinds occur, or the test shows nothing.
    expect(steps.some(([, , , , i]) => i.feasible)).toBe(true);
    expect(steps.some(([, , , , i]) => !i.feasible)).toBe(true);
  });

  it('an infeasible design is never best, never a success, and its reward lies below every feasible one\'s, by the documented rule', async () => {
    // The fastest designs draw the most power: a power budget leaves some of them out.
    const constraints = [parseConstraint('power<=2x')];
    const env = await envOf({ name: 'latency', aggregate: 'geomean', constraints, target: 10 });
    const steps = await env.stepMany(designs);
    const feasible = steps.filter(([, , , , i]) => i.feasible);
    const infeasible = steps.filter(([, , , , i]) => !i.feasible);
    expect(feasible.length).toBeGreaterThan(0);
    expect(infeasible.length).toBeGreaterThan(0);
    expect(env.objective.best).toBe(Math.min(...feasible.map(([, , , , i]) => i.value)));
    // Some infeasible design is faster than the best feasible one: still not the best.
    expect(Math.min(...infeasible.map(([, , , , i]) => i.value))).toBeLessThan(env.objective.best);
    expect(infeasible.every(([, , , , i]) => !i.success)).toBe(true);
    expect(Math.max(...infeasible.map(([, r]) => r))).toBeLessThan(Math.min(...feasible.map(([, r]) => r)));
    for (const [k, [, reward, , , info]] of steps.entries()) {
      const own = alone(configs[k]);
      const v = Math.max(0, ...own.map((s, t) => (s.averagePowerMw - 2 * baseline[t].averagePowerMw) / (2 * baseline[t].averagePowerMw)));
      const unconstrained = -Math.log(info.value / 10); // the target is the reference
      expect(reward).toBeCloseTo(info.feasible ? Math.max(unconstrained, -FEASIBLE_FLOOR) : -FEASIBLE_FLOOR - 1 - Math.min(FEASIBLE_FLOOR, Math.log1p(v)), 12);
    }
    expect(constrainedReward(-100, true, 0)).toBe(-FEASIBLE_FLOOR);
    expect(constrainedReward(5, false, Infinity)).toBe(-2 * FEASIBLE_FLOOR - 1);
  });

  it('an impossible constraint leaves no best and no success; without constraints rewards are unchanged', async () => {
    const env = await envOf({ name: 'latency', aggregate: 'geomean', constraints: [parseConstraint('power<=1mW')], target: 1e9 });
    const steps = await env.stepMany(designs.slice(0, 4));
    expect(steps.every(([, , , , i]) => !i.feasible && !i.success && Number.isNaN(i.best))).toBe(true);
    expect(env.objective.hasBest).toBe(false);
    expect(env.objective.evaluationsToTarget).toBeNull();
    // One trace, no constraints: the value is the metric itself and the reward the plain log reward.
    const t = new ObjectiveTracker({ name: 'latency' }, baseline[0]);
    const o = t.observe(alone(configs[0])[0]);
    expect(o.value).toBe(alone(configs[0])[0].totalTimeNs);
    expect(o.reward).toBe(-Math.log(o.value / baseline[0].totalTimeNs));
  });
});

describe('where a suite runs', () => {
  it('the pool is handed every trace of a design at once, and gives the in-process numbers', async () => {
    const pool = createPoolBackend(2);
    let inFlight = 0;
    let most = 0;
    const counting: SimulationBackend = async (w, c, signal) => {
      most = Math.max(most, ++inFlight);
      try {
        return await pool.backend(w, c, signal);
      } finally {
        inFlight--;
      }
    };
    const viaPool = suiteEvaluator(workloads, [1, 1, 1], TRACES, { backend: counting, close: pool.close });
    opened.push(viaPool);
    const [one] = await viaPool.evaluate([configs[7]]);
    expect(most).toBe(TRACES.length);
    const local = await inProcess().evaluate(configs);
    expect(await viaPool.evaluate(configs)).toEqual(local);
    expect(one).toEqual(local[7]);
  });

  it('a trace two suites share is simulated once per design', async () => {
    const memo = new MapMemo();
    const a = suiteEvaluator(workloads.slice(0, 2), [1, 1], TRACES.slice(0, 2), { backend: inProcessBackend, memo, close: async () => {} });
    const b = suiteEvaluator([workloads[1], workloads[2]], [1, 1], [TRACES[1], TRACES[2]], { backend: inProcessBackend, memo, close: async () => {} });
    await a.evaluate(configs.slice(0, 2));
    expect(a.counters()).toEqual({ evaluations: 2, simulations: 4, cacheHits: 0 });
    await b.evaluate(configs.slice(0, 2));
    expect(b.counters()).toEqual({ evaluations: 2, simulations: 2, cacheHits: 2 });
    expect(b.lastSimulated()).toEqual([[false, true], [false, true]]);
  });
});
