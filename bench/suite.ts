/**
 * Evaluations per second of one design at a time on a suite (default suite:kernels), as a search
 * asks for them: in-process, and on the worker-thread pool (2 threads), where a design's traces run
 * at once. Distinct designs, fresh memos: every trace of every design is simulated. The two are
 * measured in turns, BENCH_RUNS rounds (default 3) of BENCH_DESIGNS designs (default 24); medians.
 * `node dist/bench/suite.js [SUITE]`.
 */
import { performance } from 'node:perf_hooks';
import { median } from '../src/compare/stats.js';
import { inProcessBackend, MapMemo } from '../src/evaluator/evaluator.js';
import { createPoolBackend } from '../src/evaluator/pool.js';
import { type Backend, type SuiteEvaluator, suiteEvaluator } from '../src/evaluator/suite.js';
import { loadSuiteWorkloads } from '../src/evaluator/workload.js';
import { loadSpace } from '../src/space/builtin.js';
import { designAt, designToConfig } from '../src/space/space.js';
import { spaceSize } from '../src/space/masks.js';
import { loadSuite } from '../traces/suites.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DESIGNS = Number(process.env.BENCH_DESIGNS ?? 24);
const suite = loadSuite(process.argv[2] ?? 'suite:kernels');
const workloads = loadSuiteWorkloads(suite, {});
const space = loadSpace('reference');

function evaluatorOn(backend: Backend): SuiteEvaluator {
  return suiteEvaluator(workloads, suite.entries.map((e) => e.weight), suite.entries.map((e) => e.trace), { ...backend, memo: new MapMemo() });
}

/** Designs/s of `DESIGNS` distinct designs (from `seed`), one evaluation each, after one to warm up. */
async function rate(e: SuiteEvaluator, seed: number): Promise<number> {
  const configs = Array.from({ length: DESIGNS + 1 }, (_, i) => designToConfig(space, designAt(space, (seed * 7_919 + i * 40_009) % spaceSize(space))));
  await e.evaluate([configs[0]]);
  const t0 = performance.now();
  for (const c of configs.slice(1)) await e.evaluate([c]);
  return DESIGNS / ((performance.now() - t0) / 1000);
}

const pool = createPoolBackend(2);
const results = { inProcess: [] as number[], pool: [] as number[] };
try {
  for (let run = 0; run < RUNS; run++) {
    results.inProcess.push(await rate(evaluatorOn({ backend: inProcessBackend, close: async () => {} }), run + 1));
    results.pool.push(await rate(evaluatorOn({ backend: pool.backend, close: async () => {} }), run + 1));
  }
} finally {
  await pool.close();
}
const inProcess = median(results.inProcess);
const threads = median(results.pool);
console.log(`${suite.name}: ${suite.entries.length} traces, ${workloads.reduce((n, w) => n + w.trace.length, 0).toLocaleString('en-US')} requests a design`);
console.log(`in-process:      ${inProcess.toFixed(2)} evaluations/s (${(1000 / inProcess).toFixed(0)} ms a design; runs ${results.inProcess.map((r) => r.toFixed(2)).join(', ')})`);
console.log(`pool, 2 threads: ${threads.toFixed(2)} evaluations/s (${(1000 / threads).toFixed(0)} ms a design; runs ${results.pool.map((r) => r.toFixed(2)).join(', ')}), ${(threads / inProcess).toFixed(2)}x`);
