/** The DRAM simulator as a library: pure functions, no I/O beyond the loaders named `load*`/`read*`. */
export { simulate, simulateWithCommands, type SimulateOptions } from './dram/simulate.js';
export type { SimStats, ChannelSimStats } from './dram/stats.js';
export type { EnergyBreakdownPj } from './dram/energy.js';
export { parseMemSpec, type MemSpec, type Timing, type Rail, type MemoryType } from './dram/memspec.js';
export { STANDARDS } from './dram/standards/index.js';
export type { DramStandard, CommandSpec, RefreshSpec } from './dram/standards/standard.js';
export { parseAddressMapping, addressMappingToJson, AddressDecoder, type AddressMapping } from './dram/address-mapping.js';
export {
  parseMcConfig,
  mcConfigToJson,
  withOverrides,
  effectiveMcConfig,
  mcConfigKey,
  DEFAULT_MCCONFIG,
  MC_CHOICES,
  MC_NUMBERS,
  MC_KEYS,
  type McConfig,
  type McConfigKey,
} from './dram/mcconfig.js';
export {
  loadMemSpec,
  loadAddressMapping,
  loadMcConfig,
  MEMSPEC_PRESETS,
  ADDRESSMAPPING_PRESETS,
  MCCONFIG_PRESETS,
  PRESETS_DIR,
} from './dram/presets.js';
export { checkProtocol, type CheckReport, type Violation } from './dram/checker.js';
export { CommandLog } from './dram/controller/command-log.js';
export { Cmd, COMMAND_NAMES, type CmdName, type TimingConstraint } from './dram/commands.js';
export { InputError, isInputError } from '../common/errors.js';
export { makeTrace, TraceBuilder, type Trace, type TraceChunk, type TraceSource } from './trace.js';
