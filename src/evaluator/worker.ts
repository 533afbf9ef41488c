/** A worker thread of the evaluator pool: rebuilds the workload once, then simulates batches. */
import type { EvalConfig } from '../space/system.js';
import { simulateConfig } from './simulate.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { loadWorkload, type Workload, type WorkloadSpec } from './workload.js';

export interface PoolTask {
  spec: WorkloadSpec;
  configs: EvalConfig[];
}

const workloads = new Map<string, Workload>();

export default function run(task: PoolTask): SimStats[] {
  const id = JSON.stringify(task.spec);
  let w = workloads.get(id);
  if (!w) {
    w = loadWorkload(task.spec);
    workloads.set(id, w);
  }
  const workload = w;
  return task.configs.map((c) => simulateConfig(workload.trace, workload.memspec, workload.mapping, c, workload.clkMhz));
}
