import { afterAll, describe, expect, it } from 'vitest';
import { effectiveMcConfig, mcConfigKey } from '../../simulators/dram/mcconfig.js';
import { simulate } from '../../simulators/dram/simulate.js';
import { inProcessEvaluator, loadWorkload, poolEvaluator, type Evaluator } from '../../src/evaluator/index.js';
import { loadSpace } from '../../src/space/builtin.js';
import { designAt, designToConfig } from '../../src/space/space.js';
import { spaceSize } from '../../src/space/masks.js';
import { config } from '../helpers.js';

const workload = loadWorkload({ trace: 'builtin:random' });
const space = loadSpace('reference');
const opened: Evaluator[] = [];
afterAll(async () => {
  for (const e of opened) await e.close();
});

describe('evaluator', () => {
  const configs = Array.from({ length: 24 }, (_, i) => designToConfig(space, designAt(space, (i * 18_433) % spaceSize(space))));

  it('the worker pool and the in-process evaluator give identical stats, in order', async () => {
    const local = inProcessEvaluator(workload);
    const pool = poolEvaluator(workload, 2);
    opened.push(local, pool);
    const a = await local.evaluate(configs);
    const b = await pool.evaluate(configs);
    expect(b).toEqual(a);
    expect(new Set(a.map((s) => s.totalTimeNs)).size).toBeGreaterThan(3);
  });

  it('a repeated design is a cache hit and costs no simulation', async () => {
    const e = inProcessEvaluator(workload);
    const [first] = await e.evaluate([configs[0]]);
    expect(e.counters()).toEqual({ evaluations: 1, simulations: 1, cacheHits: 0 });
    const again = await e.evaluate([configs[0], configs[0]]);
    expect(again).toEqual([first, first]);
    expect(e.counters()).toEqual({ evaluations: 3, simulations: 1, cacheHits: 2 });
  });

  it('designs that differ only in parameters without effect share one simulation, soundly', async () => {
    const a = config({ RefreshPolicy: 'NoRefresh', RefreshMaxPostponed: 1, Arbiter: 'Simple', MaxActiveTransactions: 4 });
    const b = config({ RefreshPolicy: 'NoRefresh', RefreshMaxPostponed: 8, Arbiter: 'Simple', MaxActiveTransactions: 128 });
    expect(mcConfigKey(a)).toBe(mcConfigKey(b));
    expect(mcConfigKey(a)).not.toBe(mcConfigKey(config({ RefreshPolicy: 'AllBank' })));
    // Simulating both for real gives the same numbers, so sharing is exact.
    const run = (c: typeof a) => simulate(workload.trace, workload.memspec, workload.mapping, c);
    expect(run(b)).toEqual(run(a));
    expect(effectiveMcConfig(a).MaxActiveTransactions).toBe(1);
    const e = inProcessEvaluator(workload);
    await e.evaluate([a, b]);
    expect(e.counters().simulations).toBe(1);
  });

  it('the workload key changes with the trace, the memory and the clock', () => {
    const keys = new Set([
      workload.key,
      loadWorkload({ trace: 'builtin:stream' }).key,
      loadWorkload({ trace: 'builtin:random', memspec: 'ddr4-2400', addressmapping: 'ddr4-2400' }).key,
      loadWorkload({ trace: 'builtin:random', clkMhz: 400 }).key,
    ]);
    expect(keys.size).toBe(4);
    expect(loadWorkload({ trace: 'builtin:random' }).key).toBe(workload.key);
  });
});
