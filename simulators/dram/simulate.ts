/**
 * The simulator's entry point: a pure function of its inputs (no I/O, no globals), safe to call
 * from worker threads. The same inputs give the same numbers, bit for bit.
 */
import type { Trace, TraceSource } from '../trace.js';
import type { AddressMapping } from './address-mapping.js';
import { Controller } from './controller/engine.js';
import type { CommandLog } from './controller/command-log.js';
import type { McConfig } from './mcconfig.js';
import type { MemSpec } from './memspec.js';
import type { SimStats } from './stats.js';

export interface SimulateOptions {
  /** Trace-player clock in MHz (default 800, the reference setup's). */
  clkMhz?: number;
}

/** Simulates a trace on one memory and controller configuration. */
export function simulate(
  trace: Trace | TraceSource,
  memspec: MemSpec,
  addressMapping: AddressMapping,
  mcConfig: McConfig,
  options: SimulateOptions = {},
): SimStats {
  const controller = new Controller(memspec, addressMapping, mcConfig, { clkMhz: options.clkMhz ?? 800 });
  return controller.run(trace).stats;
}

/** Like `simulate`, and also returns every issued command (for the protocol checker). */
export function simulateWithCommands(
  trace: Trace | TraceSource,
  memspec: MemSpec,
  addressMapping: AddressMapping,
  mcConfig: McConfig,
  options: SimulateOptions = {},
): { stats: SimStats; commands: CommandLog } {
  const controller = new Controller(memspec, addressMapping, mcConfig, { clkMhz: options.clkMhz ?? 800, recordCommands: true });
  const { stats, commandLog } = controller.run(trace);
  return { stats, commands: commandLog! };
}
