/**
 * The simulator's entry point: a pure function of its inputs (no I/O, no globals), safe to call
 * from worker threads. The same inputs give the same numbers, bit for bit.
 */
import type { Trace, TraceSource } from '../trace.js';
import type { AddressMapping } from './address-mapping.js';
import { MemorySystem } from './controller/engine.js';
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
  return new MemorySystem(memspec, addressMapping, mcConfig, { clkMhz: options.clkMhz ?? 800 }).run(trace).stats;
}

/**
 * Like `simulate`, and also returns every issued command (for the protocol checker): `commands`
 * is channel 0's log, `channelCommands` every channel's.
 */
export function simulateWithCommands(
  trace: Trace | TraceSource,
  memspec: MemSpec,
  addressMapping: AddressMapping,
  mcConfig: McConfig,
  options: SimulateOptions = {},
): { stats: SimStats; commands: CommandLog; channelCommands: CommandLog[] } {
  const system = new MemorySystem(memspec, addressMapping, mcConfig, { clkMhz: options.clkMhz ?? 800, recordCommands: true });
  const { stats, commandLogs } = system.run(trace);
  return { stats, commands: commandLogs![0], channelCommands: commandLogs! };
}
