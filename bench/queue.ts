/**
 * The queue evaluator's throughput on this machine, against a local redis-server it starts:
 *  - jobs per second through the queue with 2 workers, on a tiny trace (so the queue, not the
 *    simulator, is what is measured), for several job sizes (configs per job);
 *  - evaluations per second of a 2,000-config batch on builtin:cloud-1: in-process, the worker-
 *    thread pool (2 threads), and the queue with 1 and 2 workers (1 thread each), with one config
 *    per job and with the automatic job size.
 * Medians of BENCH_RUNS runs (default 3). Every run uses fresh memos, so every config is simulated.
 * `node dist/bench/queue.js` (needs /usr/bin/redis-server; REDIS_SERVER overrides).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { McConfig } from '../simulators/dram/mcconfig.js';
import { packageRoot } from '../simulators/dram/presets.js';
import { type Evaluator, inProcessEvaluator, loadWorkload, MapMemo, poolEvaluator, type Workload } from '../src/evaluator/index.js';
import { queueEvaluator } from '../src/evaluator/queue.js';
import { median } from '../src/compare/stats.js';
import { autoJobSize } from '../src/queue/dispatcher.js';
import { loadSpace } from '../src/space/builtin.js';
import { designAt, designToConfig } from '../src/space/space.js';
import { spaceSize } from '../src/space/masks.js';
import { writeStl } from '../traces/stl.js';
import { streamTrace } from '../traces/generators.js';
import { LocalRedis } from './local-redis.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONFIGS = Number(process.env.BENCH_CONFIGS ?? 2000);
const WORKER_MAIN = join(packageRoot(), 'dist', 'src', 'queue', 'worker-main.js');

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

async function waitFor(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A worker process with one simulation thread, not using the memo (every config is simulated). */
async function startWorker(url: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [WORKER_MAIN, '--queue', url, '--concurrency', '1', '--no-memo'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(() => err.includes('simulation threads'), 'a worker');
  return proc;
}

async function stopWorker(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

function randomConfigs(n: number, seed: number): McConfig[] {
  const space = loadSpace('reference');
  let x = seed;
  const next = (): number => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => designToConfig(space, designAt(space, Math.floor(next() * spaceSize(space)))));
}

/**
 * Simulations per second of one batch, median over runs; each run on a fresh evaluator. (Designs
 * that differ only in parameters without effect share one simulation, so count simulations.)
 */
async function measure(label: string, make: () => Evaluator | Promise<Evaluator>, configs: McConfig[], unit = 'evaluations/s'): Promise<number> {
  const warm = await make();
  await warm.evaluate(configs.slice(0, 50));
  await warm.close();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const e = await make();
    const t0 = performance.now();
    await e.evaluate(configs);
    const s = (performance.now() - t0) / 1000;
    const sims = e.counters().simulations;
    await e.close();
    rates.push(sims / s);
  }
  const med = median(rates);
  console.log(`${label.padEnd(58)} ${fmt(med).padStart(7)} ${unit}  (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))})`);
  return med;
}

async function main(): Promise<void> {
  const redis = await LocalRedis.start();
  const { dir, url } = redis;
  const workers: ChildProcess[] = [];
  // Even if the benchmark dies, leave no worker behind.
  process.once('exit', () => workers.forEach((p) => p.kill('SIGKILL')));
  try {
    console.log(`marl-dse queue benchmark: ${availableParallelism()} CPUs, node ${process.version}, median of ${RUNS} runs, local redis-server`);
    const cloud = loadWorkload({ trace: 'builtin:cloud-1' });
    const tinyPath = join(dir, 'tiny.stl');
    writeStl(streamTrace({ requests: 32 }, 'tiny'), tinyPath);
    const tiny: Workload = loadWorkload({ trace: tinyPath });
    const batch = randomConfigs(CONFIGS, 11);
    const viaQueue = (w: Workload, jobSize: number | 'auto') => () => queueEvaluator(w, url, { memo: new MapMemo(), jobSize });

    console.log(`\n${CONFIGS.toLocaleString('en-US')}-config batch on builtin:cloud-1 (10,000 requests):`);
    await measure('in-process (1 thread)', () => inProcessEvaluator(cloud, new MapMemo()), batch);
    await measure('worker-thread pool, 2 threads', () => poolEvaluator(cloud, 2, new MapMemo()), batch);
    workers.push(await startWorker(url));
    await measure('queue, 1 worker x 1 thread, 1 config per job', viaQueue(cloud, 1), batch);
    workers.push(await startWorker(url));
    await measure('queue, 2 workers x 1 thread, 1 config per job', viaQueue(cloud, 1), batch);
    const auto = autoJobSize(CONFIGS);
    await measure(`queue, 2 workers x 1 thread, ${auto} config${auto > 1 ? 's' : ''} per job (auto)`, viaQueue(cloud, 'auto'), batch);

    console.log(`\nthroughput of the queue itself: ${CONFIGS.toLocaleString('en-US')} configs on a 32-request trace, 2 workers x 1 thread:`);
    for (const size of [1, 2, 4, 8, 16]) {
      const rate = await measure(`${size} config${size > 1 ? 's' : ''} per job (configs/s)`, viaQueue(tiny, size), batch, 'configs/s');
      console.log(`${''.padEnd(58)} ${fmt(rate / size).padStart(7)} jobs/s`);
    }
  } finally {
    for (const w of workers) await stopWorker(w);
    await redis.dispose();
  }
}

await main();
