/**
 * The system parameters: what a design may choose beyond the controller's mcconfig — the memory
 * (standard and speed grade), its channels and ranks, and its address mapping (field order,
 * interleaving granularity, XOR bank hashing). A design's system choice travels with its mcconfig
 * (`EvalConfig.system`); `resolveSystem` turns it into the memspec and mapping it simulates.
 */
import { InputError } from '../../common/errors.js';
import type { AddressMapping } from '../../simulators/dram/address-mapping.js';
import { type McConfig, mcConfigKey } from '../../simulators/dram/mcconfig.js';
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { buildAddressMapping, HASHED_FIELDS, type HashedField, type MappingRecipe, parseOrder, reorganise } from '../../simulators/dram/organisation.js';
import { loadAddressMapping, loadMemSpec, MEMSPEC_PRESETS } from '../../simulators/dram/presets.js';

export type SystemValue = string | number;
/** A design's system parameters by name; absent ones keep the workload's memory and mapping. */
export type SystemChoice = Readonly<Record<string, SystemValue>>;

/** What one evaluation simulates: a controller config and, when the space searches them, system parameters. */
export type EvalConfig = McConfig & { readonly system?: SystemChoice };

/** The most bits of a field XOR hashing can reach (channels up to 16, bank groups and banks up to 8). */
const HASH_BITS: Readonly<Record<HashedField, number>> = { Ch: 4, Bg: 3, Ba: 3 };
/** XOR partners: the lowest row bits, as permutation-based page interleaving uses. */
export const XOR_ROW_BITS = 16;

export interface SystemParameter {
  readonly subsystem: 'organisation' | 'address-mapping';
  readonly what: string;
  /** The value as given in a space or config file, checked; throws an InputError naming `where`. */
  parse(raw: unknown, where: string): SystemValue;
}

function powerOfTwo(max: number): SystemParameter['parse'] {
  return (raw, where) => {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > max || (raw & (raw - 1)) !== 0) {
      throw new InputError(`${where}expected a power of two from 1 to ${max}, got ${JSON.stringify(raw)}`);
    }
    return raw;
  };
}

function xorParameter(field: HashedField, bit: number): SystemParameter {
  return {
    subsystem: 'address-mapping',
    what: `${field === 'Ch' ? 'channel' : field === 'Bg' ? 'bank-group' : 'bank'} bit ${bit} XORed with a row bit ("off", or "r0"–"r${XOR_ROW_BITS - 1}", the row's lowest bits)`,
    parse(raw, where) {
      if (raw === 'off' || (typeof raw === 'string' && /^r([0-9]|1[0-5])$/.test(raw))) return raw;
      throw new InputError(`${where}expected "off" or a row bit "r0" to "r${XOR_ROW_BITS - 1}", got ${JSON.stringify(raw)}`);
    },
  };
}

/** The registry of system parameters. */
export const SYSTEM_PARAMETERS: Readonly<Record<string, SystemParameter>> = {
  Memory: {
    subsystem: 'organisation',
    what: 'the memory: a memspec preset (standard and speed grade)',
    parse(raw, where) {
      if (typeof raw !== 'string' || !Object.hasOwn(MEMSPEC_PRESETS, raw)) {
        throw new InputError(`${where}expected a memspec preset (${Object.keys(MEMSPEC_PRESETS).join(', ')}), got ${JSON.stringify(raw)}`);
      }
      return raw;
    },
  },
  Channels: { subsystem: 'organisation', what: 'independent channels, each with its own controller', parse: powerOfTwo(64) },
  Ranks: { subsystem: 'organisation', what: 'ranks per channel (HBM: pseudo-channels)', parse: powerOfTwo(8) },
  MapOrder: {
    subsystem: 'address-mapping',
    what: 'the order of the address fields, most significant first (Ro row, Ra rank, Bg bank group, Ba bank, Co column, Ch channel)',
    parse(raw, where) {
      if (typeof raw !== 'string') throw new InputError(`${where}expected an order string such as "RoRaBgBaCoCh", got ${JSON.stringify(raw)}`);
      parseOrder(raw, where.replace(/: $/, ''));
      return raw;
    },
  },
  MapColumnLow: {
    subsystem: 'address-mapping',
    what: 'column bits kept below the ordered fields: the interleaving granularity is 2^k bursts',
    parse(raw, where) {
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 16) throw new InputError(`${where}expected an integer from 0 to 16, got ${JSON.stringify(raw)}`);
      return raw;
    },
  },
  ...Object.fromEntries(HASHED_FIELDS.flatMap((f) => Array.from({ length: HASH_BITS[f] }, (_, i) => [`Xor${f}${i}`, xorParameter(f, i)]))),
};

export function isSystemKey(key: string): boolean {
  return Object.hasOwn(SYSTEM_PARAMETERS, key);
}

/** The default field order of a generated mapping: channels interleaved lowest, then columns, banks, ranks, rows. */
export const DEFAULT_ORDER = 'RoRaBaBgCoCh';

/** A string identifying a system choice (empty for none): part of every memo key. */
export function systemKey(system: SystemChoice | undefined): string {
  if (!system) return '';
  const keys = Object.keys(system).sort();
  return keys.length === 0 ? '' : keys.map((k) => `${k}=${system[k]}`).join(',');
}

/** A string that identifies an evaluation's behaviour: its effective mcconfig and its system choice. */
export function configKey(config: EvalConfig): string {
  const system = systemKey(config.system);
  return system === '' ? mcConfigKey(config) : `${mcConfigKey(config)}|${system}`;
}

function hasAny(system: SystemChoice, keys: (k: string) => boolean): boolean {
  return Object.keys(system).some(keys);
}

/** Presets and their reorganisations, read once per process (they are immutable and few). */
const cache = new Map<string, MemSpec | AddressMapping>();
function cached<T extends MemSpec | AddressMapping>(key: string, make: () => T): T {
  let v = cache.get(key) as T | undefined;
  if (v === undefined) cache.set(key, (v = make()));
  return v;
}

/** The memory a system choice names: `Memory`'s preset (or the workload's), in its Channels × Ranks. */
export function systemMemSpec(workloadMemspec: MemSpec, system: SystemChoice): MemSpec {
  const preset = system.Memory as string | undefined;
  const device = preset === undefined ? workloadMemspec : cached(`memspec ${preset}`, () => loadMemSpec(preset));
  const channels = (system.Channels as number | undefined) ?? device.channels;
  const ranks = (system.Ranks as number | undefined) ?? device.ranks;
  if (preset === undefined) return reorganise(device, channels, ranks);
  return cached(`memspec ${preset} ${channels}x${ranks}`, () => reorganise(device, channels, ranks));
}

/** The mapping recipe of a system choice (defaults where it is silent). */
export function mappingRecipe(system: SystemChoice): MappingRecipe {
  const xor: Partial<Record<HashedField, Array<number | null>>> = {};
  for (const f of HASHED_FIELDS) {
    const bits: Array<number | null> = [];
    for (let i = 0; i < HASH_BITS[f]; i++) {
      const v = system[`Xor${f}${i}`];
      bits.push(typeof v === 'string' && v !== 'off' ? Number(v.slice(1)) : null);
    }
    xor[f] = bits;
  }
  return { order: (system.MapOrder as string | undefined) ?? DEFAULT_ORDER, columnLow: (system.MapColumnLow as number | undefined) ?? 0, xor };
}

/**
 * The memspec and address mapping a system choice simulates. Without system parameters: the
 * workload's own. A new memory or organisation without mapping parameters keeps the preset's own
 * mapping where it still fits, else gets the default generated one.
 */
export function resolveSystem(memspec: MemSpec, mapping: AddressMapping, system: SystemChoice | undefined): { memspec: MemSpec; mapping: AddressMapping } {
  if (!system || systemKey(system) === '') return { memspec, mapping };
  for (const [k, v] of Object.entries(system)) {
    if (!isSystemKey(k)) throw new InputError(`system parameter ${k}: unknown (known: ${Object.keys(SYSTEM_PARAMETERS).join(', ')})`);
    SYSTEM_PARAMETERS[k].parse(v, `system parameter ${k}: `);
  }
  const spec = systemMemSpec(memspec, system);
  const mapped = hasAny(system, (k) => SYSTEM_PARAMETERS[k].subsystem === 'address-mapping');
  if (!mapped) {
    if (spec === memspec) return { memspec, mapping };
    const preset = system.Memory as string | undefined;
    if (preset !== undefined && spec === systemMemSpec(memspec, { Memory: preset })) {
      return { memspec: spec, mapping: cached(`mapping ${preset}`, () => loadAddressMapping(preset)) };
    }
  }
  return { memspec: spec, mapping: buildAddressMapping(spec, mappingRecipe(system), systemKey(system)) };
}
