/** One evaluation's simulation: the config's system choice resolved against the workload's memory, then the run. */
import type { AddressMapping } from '../../simulators/dram/address-mapping.js';
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { simulate } from '../../simulators/dram/simulate.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { Trace } from '../../simulators/trace.js';
import { type EvalConfig, resolveSystem } from '../space/system.js';

export function simulateConfig(trace: Trace, memspec: MemSpec, mapping: AddressMapping, config: EvalConfig, clkMhz: number): SimStats {
  const system = resolveSystem(memspec, mapping, config.system);
  return simulate(trace, system.memspec, system.mapping, config, { clkMhz });
}
