/** The worker-thread pool evaluator: simulations spread over N threads of this machine. */
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { EvalConfig } from '../space/system.js';
import { packageRoot } from '../../simulators/dram/presets.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { type Evaluator, type Memo, MemoizingEvaluator, type SimulationBackend } from './evaluator.js';
import type { PoolTask } from './worker.js';
import type { Workload } from './workload.js';

/** The compiled worker module (tests run from the TypeScript sources, workers from the build). */
export const WORKER_FILE = join(packageRoot(), 'dist', 'src', 'evaluator', 'worker.js');

/** A pool of simulation threads that several evaluators (of different workloads) may share. */
export function createPoolBackend(threads: number): { backend: SimulationBackend; close: () => Promise<void> } {
  const pool = new Piscina({ filename: WORKER_FILE, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  const backend = async (w: Workload, configs: readonly EvalConfig[], signal?: AbortSignal): Promise<SimStats[]> => {
    // One task per thread, contiguous slices, so results come back in order.
    const per = Math.ceil(configs.length / threads);
    const tasks: Array<Promise<SimStats[]>> = [];
    for (let i = 0; i < configs.length; i += per) {
      const task: PoolTask = { spec: w.spec, configs: configs.slice(i, i + per) };
      // Aborted, piscina ends the threads running these tasks (and starts fresh ones).
      tasks.push(pool.run(task, signal ? { signal } : {}) as Promise<SimStats[]>);
    }
    return (await Promise.all(tasks)).flat();
  };
  return { backend, close: () => pool.destroy() };
}

export function poolEvaluator(workload: Workload, threads: number, memo?: Memo, signal?: AbortSignal): Evaluator {
  const { backend, close } = createPoolBackend(threads);
  return new MemoizingEvaluator(workload, backend, memo, close, signal);
}
