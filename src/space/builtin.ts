/**
 * The built-in spaces. `reference` is the space of the published DSE work (442,368 designs);
 * `wide` adds the other values the simulator supports; `architect` searches the memory, its
 * organisation and address mapping with every controller knob.
 */
import { InputError } from '../../common/errors.js';
import { DEFAULT_MCCONFIG, MC_CHOICES } from '../../simulators/dram/mcconfig.js';
import { ORDER_FIELDS } from '../../simulators/dram/organisation.js';
import { loadSpaceFile, makeSpace, type Parameter, type ParameterSpace } from './space.js';

const POWERS_OF_TWO_TO_128 = [1, 2, 4, 8, 16, 32, 64, 128];

function referenceParameters(): Parameter[] {
  return [
    { name: 'PagePolicy', subsystem: 'page', values: ['Open', 'OpenAdaptive', 'Closed', 'ClosedAdaptive'] },
    // The reference work's order: Fifo, FrFcfsGrp, FrFcfs.
    { name: 'Scheduler', subsystem: 'scheduling', values: ['Fifo', 'FrFcfsGrp', 'FrFcfs'] },
    { name: 'SchedulerBuffer', subsystem: 'scheduling', values: ['Bankwise', 'ReadWrite', 'Shared'] },
    { name: 'RequestBufferSize', subsystem: 'scheduling', values: POWERS_OF_TWO_TO_128 },
    { name: 'RespQueue', subsystem: 'transport', values: ['Fifo', 'Reorder'] },
    { name: 'RefreshPolicy', subsystem: 'refresh', values: ['NoRefresh', 'AllBank'] },
    { name: 'RefreshMaxPostponed', subsystem: 'refresh', values: [1, 2, 4, 8] },
    { name: 'RefreshMaxPulledin', subsystem: 'refresh', values: [1, 2, 4, 8] },
    { name: 'Arbiter', subsystem: 'transport', values: ['Simple', 'Fifo', 'Reorder'] },
    { name: 'MaxActiveTransactions', subsystem: 'transport', values: POWERS_OF_TWO_TO_128 },
  ];
}

function wideParameters(): Parameter[] {
  const ref = referenceParameters().map((p) => {
    // The refresh policies DDR3 has (with the presets' per-bank refresh timings).
    if (p.name === 'RefreshPolicy') return { ...p, values: ['NoRefresh', 'AllBank', 'PerBank'] };
    if (p.name === 'RefreshMaxPostponed' || p.name === 'RefreshMaxPulledin') return { ...p, values: [0, 1, 2, 4, 8] };
    return p;
  });
  return [
    ...ref,
    { name: 'CmdMux', subsystem: 'scheduling', values: [...MC_CHOICES.CmdMux] },
    { name: 'PowerDownPolicy', subsystem: 'power-down', values: [...MC_CHOICES.PowerDownPolicy] },
    { name: 'PowerDownTimeout', subsystem: 'power-down', values: [0, 16, 64, 256] },
  ];
}

/** Every order of the six address fields. */
function allOrders(fields: readonly string[] = ORDER_FIELDS): string[] {
  if (fields.length === 1) return [...fields];
  return fields.flatMap((f, i) => allOrders([...fields.slice(0, i), ...fields.slice(i + 1)]).map((rest) => f + rest));
}

/** The memories the architect space chooses from, all organised to 16 GiB. */
const ARCHITECT_MEMORIES = ['ddr3-1600', 'ddr4-2400', 'ddr5-4800', 'ddr5-6400', 'lpddr4-3200', 'lpddr5-6400', 'hbm2-stack', 'hbm3-6400'];
const XOR_CHOICES = ['off', 'r0', 'r1', 'r2', 'r3'];

function architectParameters(): Parameter[] {
  const xor = (field: string, bits: number): Parameter[] =>
    Array.from({ length: bits }, (_, i) => ({ name: `Xor${field}${i}`, subsystem: 'address-mapping', values: XOR_CHOICES }));
  return [
    { name: 'Memory', subsystem: 'organisation', values: ARCHITECT_MEMORIES },
    { name: 'Channels', subsystem: 'organisation', values: [1, 2, 4, 8, 16] },
    { name: 'Ranks', subsystem: 'organisation', values: [1, 2, 4] },
    { name: 'MapOrder', subsystem: 'address-mapping', values: allOrders() },
    { name: 'MapColumnLow', subsystem: 'address-mapping', values: [0, 1, 2, 3, 4, 5] },
    ...xor('Ch', 4),
    ...xor('Bg', 3),
    ...xor('Ba', 3),
    { name: 'SchedulerBuffer', subsystem: 'scheduling', values: [...MC_CHOICES.SchedulerBuffer] },
    { name: 'RequestBufferSize', subsystem: 'scheduling', values: [1, 2, 4, 8, 16, 32, 64] },
    { name: 'RequestBufferSizeRead', subsystem: 'scheduling', values: [4, 8, 16, 32, 64] },
    { name: 'RequestBufferSizeWrite', subsystem: 'scheduling', values: [4, 8, 16, 32, 64] },
    { name: 'Scheduler', subsystem: 'scheduling', values: [...MC_CHOICES.Scheduler] },
    { name: 'HighWatermark', subsystem: 'scheduling', values: [2, 4, 8, 16, 32] },
    { name: 'LowWatermark', subsystem: 'scheduling', values: [1, 2, 4, 8, 16] },
    { name: 'CmdMux', subsystem: 'scheduling', values: [...MC_CHOICES.CmdMux] },
    { name: 'PagePolicy', subsystem: 'page', values: [...MC_CHOICES.PagePolicy] },
    { name: 'RefreshPolicy', subsystem: 'refresh', values: ['NoRefresh', 'AllBank', 'PerBank', 'SameBank', 'Per2Bank'] },
    { name: 'RefreshMaxPostponed', subsystem: 'refresh', values: [0, 1, 2, 4, 8] },
    { name: 'RefreshMaxPulledin', subsystem: 'refresh', values: [0, 1, 2, 4, 8] },
    { name: 'PowerDownPolicy', subsystem: 'power-down', values: [...MC_CHOICES.PowerDownPolicy] },
    { name: 'PowerDownTimeout', subsystem: 'power-down', values: [0, 16, 64, 256] },
    { name: 'RespQueue', subsystem: 'transport', values: [...MC_CHOICES.RespQueue] },
    { name: 'Arbiter', subsystem: 'transport', values: [...MC_CHOICES.Arbiter] },
    { name: 'MaxActiveTransactions', subsystem: 'transport', values: POWERS_OF_TWO_TO_128 },
  ];
}

export const BUILTIN_SPACES: Readonly<Record<string, { description: string; make: () => ParameterSpace }>> = {
  reference: {
    description: 'the published DSE space: 10 parameters, 442,368 designs',
    make: () => makeSpace('reference', referenceParameters()),
  },
  wide: {
    description: 'every value the simulator supports for those parameters, plus CmdMux and power-down',
    make: () => makeSpace('wide', wideParameters()),
  },
  architect: {
    description: 'memory, organisation (16 GiB), address mapping with XOR hashing and every controller knob: 32 parameters',
    // The base: DDR4-2400 in 2 channels of 2 ranks (16 GiB), the reference controller.
    make: () => makeSpace('architect', architectParameters(), DEFAULT_MCCONFIG, { Memory: 'ddr4-2400', Channels: 2, Ranks: 2 }),
  },
};

/** A built-in space by name, or a space JSON file. */
export function loadSpace(nameOrPath: string = 'reference'): ParameterSpace {
  const b = BUILTIN_SPACES[nameOrPath];
  if (b) return b.make();
  if (!nameOrPath.endsWith('.json') && !nameOrPath.includes('/')) {
    throw new InputError(`space "${nameOrPath}": not a built-in space (${Object.keys(BUILTIN_SPACES).join(', ')}) and not a .json file`);
  }
  return loadSpaceFile(nameOrPath);
}

/**
 * The space a stored run searched, from the `space` option it was started with (its name when the
 * options hold none); null when that can no longer be loaded (a space file since moved or changed).
 */
export function runSpace(run: { readonly space: string; readonly options: unknown }): ParameterSpace | null {
  const options = run.options;
  const option = typeof options === 'object' && options !== null && typeof (options as Record<string, unknown>).space === 'string' ? ((options as Record<string, unknown>).space as string) : run.space;
  try {
    return loadSpace(option);
  } catch {
    return null;
  }
}
