/**
 * Memspecs: a DRAM device and its organisation, in DRAMSys's JSON format (`{"memspec": {...}}` with
 * `memarchitecturespec`, `memtimingspec`, `mempowerspec`). All three generations of that format are
 * read: tCK in seconds (current), in picoseconds, or as `clkMhz` (oldest); currents in amperes
 * (current) or milliamperes (older). What differs between standards (timing keys, rules, commands,
 * power rails) comes from the standard's file (`standards/`).
 */
import { InputError } from '../../common/errors.js';
import { type JsonObject, describe, isObject, numberField, unwrap } from './json.js';
import { STANDARDS } from './standards/index.js';
import type { ArchInfo, DataTiming, DramStandard, EnergyTiming, Rail, Timing } from './standards/standard.js';

export type { ArchInfo, Rail, Timing } from './standards/standard.js';
/** A standard's name, as DRAMSys's memoryType (`DDR3`, `DDR4`, …). */
export type MemoryType = string;

export interface MemSpec {
  readonly memoryId: string;
  readonly memoryType: MemoryType;
  /** The standard's description: commands, rules, refresh modes, power model. */
  readonly standard: DramStandard;
  /** Independent channels (each with its own controller). */
  readonly channels: number;
  /** Ranks per channel (HBM's pseudo-channels). */
  readonly ranks: number;
  /** Bank groups per rank (1 where the standard has none), across its stacks. */
  readonly bankGroups: number;
  /** Stacks per rank (HBM's stack IDs; 1 elsewhere): each holds bankGroups / stacks bank groups. */
  readonly stacks: number;
  readonly banksPerGroup: number;
  /** Banks per rank. */
  readonly banks: number;
  readonly rows: number;
  readonly columns: number;
  /** Device data width in bits. */
  readonly width: number;
  /** Devices per rank. */
  readonly devices: number;
  readonly burstLength: number;
  readonly dataRate: number;
  /**
   * The controller clock's period, ns, in whole picoseconds (DRAMSys's resolution: 0.833 at 1200
   * MHz), divided by the standard's ticks per clock (HBM3-6400: 0.3125, half its 0.625 ns clock).
   */
  readonly tCkNs: number;
  /** The controller clock's exact frequency (DRAMPower's energy model uses 1000 / clockMhz ns per cycle). */
  readonly clockMhz: number;
  readonly bytesPerBurst: number;
  /** All channels together. */
  readonly capacityBytes: number;
  readonly timing: Timing;
  /** Derived from the timing by the standard: data latencies, auto-precharge, energy window. */
  readonly data: DataTiming;
  readonly energyTiming: EnergyTiming;
  /** Supply rails and their currents (mA per device); none without a mempowerspec (energy reads 0). */
  readonly rails: readonly Rail[];
  /** The memspec as read, for reports and round trips. */
  readonly json: JsonObject;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Parses a memspec document; `where` names its file in error messages. */
export function parseMemSpec(doc: unknown, where: string): MemSpec {
  const spec = unwrap(doc, 'memspec', where);
  const at = `${where}: memspec`;
  const type = spec.memoryType;
  if (typeof type !== 'string' || !Object.hasOwn(STANDARDS, type)) {
    throw new InputError(`${at}.memoryType: expected one of ${Object.keys(STANDARDS).join(', ')}, got ${describe(type)}`);
  }
  const standard = STANDARDS[type];
  const org = standard.organisation;
  const memoryId = typeof spec.memoryId === 'string' ? spec.memoryId : where;
  // DRAMSys's HBM2 memspec has no mempowerspec (DRAMSys computes no HBM2 power): without one, the
  // memory is simulated and its energy reads 0.
  for (const k of ['memarchitecturespec', 'memtimingspec', 'mempowerspec']) {
    if (k === 'mempowerspec' && spec[k] === undefined) continue;
    if (!isObject(spec[k])) throw new InputError(`${at}.${k}: missing or not an object`);
  }
  const arch = spec.memarchitecturespec as JsonObject;
  const archAt = `${at}.memarchitecturespec`;
  const banks = numberField(arch, 'nbrOfBanks', archAt, 'pos');
  const bankGroups =
    org.bankGroups === 'required' ? numberField(arch, 'nbrOfBankGroups', archAt, 'pos') : numberField(arch, 'nbrOfBankGroups', archAt, 'pos', 1);
  // HBM's pseudo-channels are ranks of one channel, as DRAMSys models them.
  const ranks = arch.nbrOfPseudoChannels !== undefined ? numberField(arch, 'nbrOfPseudoChannels', archAt, 'pos') : numberField(arch, 'nbrOfRanks', archAt, 'pos', 1);
  const rows = numberField(arch, 'nbrOfRows', archAt, 'pos');
  const columns = numberField(arch, 'nbrOfColumns', archAt, 'pos');
  const width = numberField(arch, 'width', archAt, 'pos');
  const devices = arch.nbrOfDevices !== undefined
    ? numberField(arch, 'nbrOfDevices', archAt, 'pos')
    : numberField(arch, 'nbrOfDevicesOnDIMM', archAt, 'pos', 1);
  const burstLength = numberField(arch, 'burstLength', archAt, 'pos');
  const dataRate = numberField(arch, 'dataRate', archAt, 'pos');
  const channels = numberField(arch, 'nbrOfChannels', archAt, 'pos', 1);
  const stacks = numberField(arch, 'nbrOfStacks', archAt, 'pos', 1);
  const sizes = { nbrOfChannels: channels, nbrOfBanks: banks, nbrOfBankGroups: bankGroups, nbrOfRanks: ranks, nbrOfRows: rows, nbrOfColumns: columns, nbrOfStacks: stacks };
  for (const [k, v] of Object.entries(sizes)) {
    if (!isPowerOfTwo(v)) throw new InputError(`${archAt}.${k}: must be a power of two, got ${v}`);
    // Checked before anything is sized by them: the controller keeps tables per bank and rank.
    const max = ORGANISATION_LIMITS[k];
    if (v > max) throw new InputError(`${archAt}.${k}: ${v} is beyond any DRAM device (at most ${max.toLocaleString('en-US')})`);
  }
  if (devices > MAX_DEVICES) throw new InputError(`${archAt}.nbrOfDevices: ${devices} is beyond any module (at most ${MAX_DEVICES})`);
  if (banks % bankGroups !== 0) throw new InputError(`${archAt}.nbrOfBanks: ${banks} banks do not divide into ${bankGroups} bank groups`);
  if (bankGroups % stacks !== 0) throw new InputError(`${archAt}.nbrOfStacks: ${bankGroups} bank groups do not divide into ${stacks} stacks`);
  if (org.bankGroups === 'none' && bankGroups !== 1) throw new InputError(`${archAt}.nbrOfBankGroups: ${type} has no bank groups, got ${bankGroups}`);
  if (!org.burstLengths.includes(burstLength)) {
    throw new InputError(`${archAt}.burstLength: ${type} bursts are ${org.burstLengths.join(' or ')} long, got ${burstLength}`);
  }
  if (dataRate !== org.dataRate) throw new InputError(`${archAt}.dataRate: ${type} transfers ${org.dataRate} beats per clock, got ${dataRate}`);
  if (!org.widths.includes(width)) throw new InputError(`${archAt}.width: ${type} devices are ${org.widths.join(', ')} bits wide, got ${width}`);

  const tim = spec.memtimingspec as JsonObject;
  const timAt = `${at}.memtimingspec`;
  for (const k of Object.keys(tim)) {
    if (k !== 'tCK' && k !== 'clkMhz' && !standard.timingKeys.includes(k)) {
      throw new InputError(`${timAt}.${k}: unknown ${type} timing parameter`);
    }
  }
  // The controller's clock period in whole picoseconds, as DRAMSys holds it (SystemC's time
  // resolution): 1200 MHz gives 833 ps, so every cycle count converts to time as DRAMSys's does.
  // `clockMhz` keeps the exact frequency, which DRAMPower's energy model uses.
  let periodPs: number;
  let clockMhz: number;
  if (tim.tCK !== undefined) {
    const raw = numberField(tim, 'tCK', timAt, 'real');
    if (raw <= 0) throw new InputError(`${timAt}.tCK: must be positive`);
    // Seconds in the current DRAMSys format (1.25e-9), picoseconds in the previous one (1250).
    periodPs = raw < 1e-6 ? raw * 1e12 : raw;
    clockMhz = 1e6 / periodPs;
  } else if (tim.clkMhz !== undefined) {
    clockMhz = numberField(tim, 'clkMhz', timAt, 'real');
    if (clockMhz <= 0) throw new InputError(`${timAt}.clkMhz: must be positive`);
    periodPs = 1e6 / clockMhz;
  } else {
    throw new InputError(`${timAt}.tCK: missing (give tCK or clkMhz)`);
  }
  if (!(Math.round(periodPs) / 1000 >= TCK_NS_RANGE[0] && Math.round(periodPs) / 1000 <= TCK_NS_RANGE[1])) {
    throw new InputError(`${timAt}.${tim.tCK !== undefined ? 'tCK' : 'clkMhz'}: a clock period of ${periodPs / 1000} ns is outside ${TCK_NS_RANGE[0]}–${TCK_NS_RANGE[1]} ns (10 GHz to 1 MHz)`);
  }
  // The controller counts in ticks: clock cycles, or half cycles for HBM3.
  const ticks = standard.ticksPerClock ?? 1;
  const tCkNs = Math.round(periodPs) / 1000 / ticks;
  clockMhz *= ticks;
  const archInfo = { burstLength, dataRate, tCkNs, json: arch, where: archAt };
  const timing = standard.readTiming(tim, timAt, archInfo);
  // Cycles are kept in 32-bit integers: far beyond any real timing, and sums stay exact.
  for (const [k, v] of Object.entries(timing)) {
    if (v > MAX_TIMING_CYCLES) throw new InputError(`${timAt}.${k}: ${v} cycles is beyond any DRAM timing (at most ${MAX_TIMING_CYCLES.toLocaleString('en-US')})`);
  }
  standard.checkTiming?.(timing, timAt);

  const rails = spec.mempowerspec === undefined ? [] : readRails(standard, spec.mempowerspec as JsonObject, `${at}.mempowerspec`, timing, archInfo);

  const bytesPerBurst = (burstLength * width * devices) / 8;
  const capacityBytes = (channels * ranks * banks * rows * columns * width * devices) / 8;
  return {
    memoryId,
    memoryType: type,
    standard,
    channels,
    ranks,
    bankGroups,
    stacks,
    banksPerGroup: banks / bankGroups,
    banks,
    rows,
    columns,
    width,
    devices,
    burstLength,
    dataRate,
    tCkNs,
    clockMhz,
    bytesPerBurst,
    capacityBytes,
    timing,
    data: standard.dataTiming(timing),
    energyTiming: standard.energyTiming(timing),
    rails,
    json: { memspec: spec },
  };
}

/** The supply rails from mempowerspec, range-checked. */
function readRails(standard: DramStandard, pow: JsonObject, at: string, timing: Timing, arch: ArchInfo): Rail[] {
  // Current DRAMSys memspecs give amperes (0.07), older ones milliamperes (70).
  const currents = Object.entries(pow).filter(([k, v]) => /^i/.test(k) && typeof v === 'number').map(([, v]) => v as number);
  const scale = currents.length > 0 && Math.max(...currents) < 1 ? 1000 : 1;
  checkPhysical(pow, at, scale);
  const rails = standard.readPower(pow, at, scale, timing, arch);
  checkRails(rails, at);
  return rails;
}

const MAX_TIMING_CYCLES = 1 << 24;
/** Organisation beyond any device or module, refused before the controller sizes its tables. */
const ORGANISATION_LIMITS: Record<string, number> = {
  nbrOfChannels: 64,
  nbrOfBanks: 256,
  nbrOfBankGroups: 64,
  nbrOfRanks: 64,
  nbrOfRows: 1 << 22,
  nbrOfColumns: 1 << 16,
  nbrOfStacks: 16,
};
const MAX_DEVICES = 256;
/** Supply voltages (V) and currents (mA per device) beyond any DRAM. */
const MAX_VOLTAGE = 10;
const MAX_CURRENT_MA = 10_000;
/** The controller clock's period, ns: 10 GHz to 1 MHz. */
const TCK_NS_RANGE = [0.1, 1000] as const;

/** Supplies (keys starting with v) and currents (keys starting with i) within physical bounds. */
function checkPhysical(p: JsonObject, at: string, scale: number): void {
  for (const [k, raw] of Object.entries(p)) {
    if (typeof raw !== 'number') continue;
    if (/^v/.test(k) && !(raw >= 0 && raw <= MAX_VOLTAGE)) throw new InputError(`${at}.${k}: ${raw} V is outside 0–${MAX_VOLTAGE} V`);
    const ma = raw * scale;
    if (/^i/.test(k) && !(ma >= 0 && ma <= MAX_CURRENT_MA)) {
      throw new InputError(`${at}.${k}: ${ma} mA is outside 0–${MAX_CURRENT_MA.toLocaleString('en-US')} mA per device`);
    }
  }
}

/** Every rail's currents give non-negative command energies (DRAMPower subtracts the standby currents). */
function checkRails(rails: readonly Rail[], at: string): void {
  const first = rails[0];
  if (!(first.voltage > 0)) throw new InputError(`${at}.vdd: must be positive`);
  for (const rail of rails) {
    const c = rail.currents;
    const name = (k: string): string => (rail === first ? k : `${k} (${rail.name})`);
    const need = (ok: boolean, key: string, msg: string): void => {
      if (!ok) throw new InputError(`${at}.${name(key)}: ${msg}`);
    };
    need(c.idd0 >= c.idd3n, 'idd0', `idd0 (${c.idd0} mA) is below idd3n (${c.idd3n} mA): activation energy would be negative`);
    need(c.idd0 >= c.idd2n, 'idd0', `idd0 (${c.idd0} mA) is below idd2n (${c.idd2n} mA): precharge energy would be negative`);
    need(c.idd4r >= c.idd3n, 'idd4r', `idd4r (${c.idd4r} mA) is below idd3n (${c.idd3n} mA)`);
    need(c.idd4w >= c.idd3n, 'idd4w', `idd4w (${c.idd4w} mA) is below idd3n (${c.idd3n} mA)`);
    need(c.idd5 >= c.idd3n, 'idd5', `idd5 (${c.idd5} mA) is below idd3n (${c.idd3n} mA)`);
  }
}
