/**
 * The built-in spaces. `reference` is the space of the published DSE work (442,368 designs);
 * `wide` adds the other values the simulator supports.
 */
import { InputError } from '../../common/errors.js';
import { MC_CHOICES } from '../../simulators/dram/mcconfig.js';
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

export const BUILTIN_SPACES: Readonly<Record<string, { description: string; make: () => ParameterSpace }>> = {
  reference: {
    description: 'the published DSE space: 10 parameters, 442,368 designs',
    make: () => makeSpace('reference', referenceParameters()),
  },
  wide: {
    description: 'every value the simulator supports for those parameters, plus CmdMux and power-down',
    make: () => makeSpace('wide', wideParameters()),
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
