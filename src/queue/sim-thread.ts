/**
 * A simulation thread of a queue worker. The trace arrives over shared memory (no copy per task);
 * memory and mapping are rebuilt from their documents once per workload and kept for the next
 * tasks, since a worker usually serves one search at a time.
 */
import type { AddressMapping } from '../../simulators/dram/address-mapping.js';
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { simulateConfig } from '../evaluator/simulate.js';
import type { EvalConfig } from '../space/system.js';
import type { Trace } from '../../simulators/trace.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { isInputError } from '../../common/errors.js';
import { workloadFromWire, type WorkloadWire } from './protocol.js';

export interface SimTask {
  workload: WorkloadWire;
  trace: Trace;
  configs: EvalConfig[];
}

/** Stats in config order, or the simulator's refusal (an InputError's class does not cross threads). */
export type SimOutcome = { stats: SimStats[] } | { inputError: string };

const KEEP = 4;
const devices = new Map<string, { memspec: MemSpec; mapping: AddressMapping }>();

function devicesOf(wire: WorkloadWire): { memspec: MemSpec; mapping: AddressMapping } {
  let d = devices.get(wire.key);
  if (!d) {
    d = workloadFromWire(wire);
    devices.set(wire.key, d);
    if (devices.size > KEEP) devices.delete(devices.keys().next().value as string);
  }
  return d;
}

export default function run(task: SimTask): SimOutcome {
  try {
    const { memspec, mapping } = devicesOf(task.workload);
    const clkMhz = task.workload.clkMhz;
    return { stats: task.configs.map((c) => simulateConfig(task.trace, memspec, mapping, c, clkMhz)) };
  } catch (e) {
    if (isInputError(e)) return { inputError: e.message };
    throw e;
  }
}
