import { simulateWithCommands } from '../simulators/dram/simulate.js';
import { loadAddressMapping, loadMemSpec } from '../simulators/dram/presets.js';
import { DEFAULT_MCCONFIG, type McConfig, withOverrides } from '../simulators/dram/mcconfig.js';
import { COMMAND_NAMES, type CmdName } from '../simulators/dram/commands.js';
import { makeTrace } from '../simulators/trace.js';
import type { AddressMapping } from '../simulators/dram/address-mapping.js';
import type { MemSpec } from '../simulators/dram/memspec.js';

export const ddr3 = loadMemSpec('ddr3-1600');
export const ddr3Mapping = loadAddressMapping('ddr3-1600');
export const ddr4 = loadMemSpec('ddr4-2400');
export const ddr4Mapping = loadAddressMapping('ddr4-2400');

/** A byte address on the ddr3-1600 row-bank-column mapping. */
export function ddr3Address(bank: number, row: number, column = 0): number {
  return row * 2 ** 16 + bank * 2 ** 13 + column * 8;
}

export function config(overrides: Record<string, unknown> = {}): McConfig {
  return withOverrides(DEFAULT_MCCONFIG, overrides, 'test ');
}

export interface Issued {
  cycle: number;
  cmd: CmdName;
  rank: number;
  bank: number;
  row: number;
}

/** Runs a small trace (on ddr3-1600 unless `device` says otherwise) and returns the stats and the command list. */
export function run(
  requests: Array<{ cycle: number; address: number; write?: boolean }>,
  overrides: Record<string, unknown> = {},
  device: { memspec: MemSpec; mapping: AddressMapping; clkMhz?: number } = { memspec: ddr3, mapping: ddr3Mapping },
) {
  const cfg = config(overrides);
  const { stats, commands } = simulateWithCommands(makeTrace('test', requests), device.memspec, device.mapping, cfg, { clkMhz: device.clkMhz });
  const issued: Issued[] = [];
  for (let i = 0; i < commands.length; i++) {
    issued.push({ cycle: commands.time[i], cmd: COMMAND_NAMES[commands.cmd[i]], rank: commands.rank[i], bank: commands.bank[i], row: commands.row[i] });
  }
  return { stats, issued, commands, cfg };
}

/** "CMD@cycle" strings, for compact expectations. */
export function timeline(issued: Issued[]): string[] {
  return issued.map((c) => `${c.cmd}@${c.cycle}`);
}
