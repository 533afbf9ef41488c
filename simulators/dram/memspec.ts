/**
 * Memspecs: a DRAM device and its organisation, in DRAMSys's JSON format (`{"memspec": {...}}` with
 * `memarchitecturespec`, `memtimingspec`, `mempowerspec`). All three generations of that format are
 * read: tCK in seconds (current), in picoseconds, or as `clkMhz` (oldest); currents in amperes
 * (current) or milliamperes (older).
 */
import { InputError } from '../../common/errors.js';
import type { TimingConstraint } from './commands.js';
import { type JsonObject, describe, isObject, numberField, unwrap } from './json.js';
import { DDR3 } from './standards/ddr3.js';
import { DDR4 } from './standards/ddr4.js';

export type MemoryType = 'DDR3' | 'DDR4';

/** Timing parameters in controller clock cycles (tCK). Names follow JEDEC without the "t". */
export interface Timing {
  AL: number;
  RCD: number;
  RP: number;
  RAS: number;
  RC: number;
  RL: number;
  WL: number;
  /** Column-to-column delay to another bank group / the same bank group (equal on DDR3). */
  CCD_S: number;
  CCD_L: number;
  RRD_S: number;
  RRD_L: number;
  WTR_S: number;
  WTR_L: number;
  FAW: number;
  RTP: number;
  WR: number;
  RFC: number;
  REFI: number;
  /** Per-bank refresh cycle time and interval; 0 where the memspec defines none. */
  RFCPB: number;
  REFIPB: number;
  XP: number;
  XS: number;
  XSDLL: number;
  CKE: number;
  /** Minimum power-down duration (DRAMSys: tPD = tCKE). */
  PD: number;
  CKESR: number;
  ACTPDEN: number;
  PRPDEN: number;
  REFPDEN: number;
  /** Rank-to-rank data-bus switch bubble. */
  RTRS: number;
  RPRE: number;
  WPRE: number;
  /** Data burst duration: burstLength / dataRate. */
  BURST: number;
  /** DQS output access time from CK (DRAMPower counts it in a read's completion). */
  DQSCK: number;
}

/** Currents in mA and voltages in V, per device (DRAMPower's convention). */
export interface PowerSpec {
  vdd: number;
  idd0: number;
  idd2n: number;
  idd2p0: number;
  idd2p1: number;
  idd3n: number;
  idd3p0: number;
  idd3p1: number;
  idd4r: number;
  idd4w: number;
  idd5: number;
  /** Per-bank refresh current, when the memspec gives one. */
  idd5pb: number | null;
  idd6: number;
  /** Second supply (DDR4 VPP); 0 where the standard has none. */
  vpp: number;
  ipp0: number;
  ipp2n: number;
  ipp2p: number;
  ipp3n: number;
  ipp3p: number;
  ipp4r: number;
  ipp4w: number;
  ipp5: number;
  ipp6: number;
}

export interface MemSpec {
  readonly memoryId: string;
  readonly memoryType: MemoryType;
  readonly ranks: number;
  /** Bank groups per rank (1 on DDR3). */
  readonly bankGroups: number;
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
  /** The controller clock's period, ns, in whole picoseconds (DRAMSys's resolution: 0.833 at 1200 MHz). */
  readonly tCkNs: number;
  /** The controller clock's exact frequency (DRAMPower's energy model uses 1000 / clockMhz ns per cycle). */
  readonly clockMhz: number;
  readonly bytesPerBurst: number;
  readonly capacityBytes: number;
  readonly timing: Readonly<Timing>;
  readonly power: Readonly<PowerSpec>;
  /** The memspec as read, for reports and round trips. */
  readonly json: JsonObject;
}

/** What the timing reader needs from memarchitecturespec. */
export interface ArchInfo {
  burstLength: number;
  dataRate: number;
  /** The raw memarchitecturespec, for standard-specific keys (DDR4 RefMode), and where it is. */
  json: JsonObject;
  where: string;
}

/** What a DRAM standard contributes: how to read its timing and power, and its timing rules. */
export interface DramStandard {
  readonly type: MemoryType;
  /** Every memtimingspec key the standard accepts (required or optional). */
  readonly timingKeys: readonly string[];
  readTiming(t: JsonObject, where: string, arch: ArchInfo): Timing;
  readPower(p: JsonObject, where: string, scale: number): PowerSpec;
  /** The controller's timing rules: which command constrains which, by how many cycles. */
  constraints(t: Timing): TimingConstraint[];
}

export const STANDARDS: Readonly<Record<MemoryType, DramStandard>> = { DDR3, DDR4 };

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Parses a memspec document; `where` names its file in error messages. */
export function parseMemSpec(doc: unknown, where: string): MemSpec {
  const spec = unwrap(doc, 'memspec', where);
  const at = `${where}: memspec`;
  const type = spec.memoryType;
  if (typeof type !== 'string' || !(type in STANDARDS)) {
    throw new InputError(`${at}.memoryType: expected one of ${Object.keys(STANDARDS).join(', ')}, got ${describe(type)}`);
  }
  const standard = STANDARDS[type as MemoryType];
  const memoryId = typeof spec.memoryId === 'string' ? spec.memoryId : where;
  for (const k of ['memarchitecturespec', 'memtimingspec', 'mempowerspec']) {
    if (!isObject(spec[k])) throw new InputError(`${at}.${k}: missing or not an object`);
  }
  const arch = spec.memarchitecturespec as JsonObject;
  const archAt = `${at}.memarchitecturespec`;
  const banks = numberField(arch, 'nbrOfBanks', archAt, 'pos');
  const bankGroups = type === 'DDR4' ? numberField(arch, 'nbrOfBankGroups', archAt, 'pos') : numberField(arch, 'nbrOfBankGroups', archAt, 'pos', 1);
  const ranks = numberField(arch, 'nbrOfRanks', archAt, 'pos', 1);
  const rows = numberField(arch, 'nbrOfRows', archAt, 'pos');
  const columns = numberField(arch, 'nbrOfColumns', archAt, 'pos');
  const width = numberField(arch, 'width', archAt, 'pos');
  const devices = arch.nbrOfDevices !== undefined
    ? numberField(arch, 'nbrOfDevices', archAt, 'pos')
    : numberField(arch, 'nbrOfDevicesOnDIMM', archAt, 'pos', 1);
  const burstLength = numberField(arch, 'burstLength', archAt, 'pos');
  const dataRate = numberField(arch, 'dataRate', archAt, 'pos');
  const channels = numberField(arch, 'nbrOfChannels', archAt, 'pos', 1);
  if (channels !== 1) throw new InputError(`${archAt}.nbrOfChannels: only single-channel memories are simulated, got ${channels}`);
  for (const [k, v] of Object.entries({ nbrOfBanks: banks, nbrOfBankGroups: bankGroups, nbrOfRanks: ranks, nbrOfRows: rows, nbrOfColumns: columns })) {
    if (!isPowerOfTwo(v)) throw new InputError(`${archAt}.${k}: must be a power of two, got ${v}`);
    // Checked before anything is sized by them: the controller keeps tables per bank and rank.
    const max = ORGANISATION_LIMITS[k];
    if (v > max) throw new InputError(`${archAt}.${k}: ${v} is beyond any DRAM device (at most ${max.toLocaleString('en-US')})`);
  }
  if (devices > MAX_DEVICES) throw new InputError(`${archAt}.nbrOfDevices: ${devices} is beyond any module (at most ${MAX_DEVICES})`);
  if (banks % bankGroups !== 0) throw new InputError(`${archAt}.nbrOfBanks: ${banks} banks do not divide into ${bankGroups} bank groups`);
  if (type === 'DDR3' && bankGroups !== 1) throw new InputError(`${archAt}.nbrOfBankGroups: DDR3 has no bank groups, got ${bankGroups}`);
  if (burstLength !== 8) throw new InputError(`${archAt}.burstLength: ${type} is simulated with burst length 8, got ${burstLength}`);
  if (dataRate !== 2) throw new InputError(`${archAt}.dataRate: ${type} transfers on both clock edges (2), got ${dataRate}`);
  if (![4, 8, 16, 32].includes(width)) throw new InputError(`${archAt}.width: expected 4, 8, 16 or 32 bits, got ${width}`);

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
  const tCkNs = Math.round(periodPs) / 1000;
  if (!(tCkNs >= TCK_NS_RANGE[0] && tCkNs <= TCK_NS_RANGE[1])) {
    throw new InputError(`${timAt}.${tim.tCK !== undefined ? 'tCK' : 'clkMhz'}: a clock period of ${periodPs / 1000} ns is outside ${TCK_NS_RANGE[0]}–${TCK_NS_RANGE[1]} ns (10 GHz to 1 MHz)`);
  }
  const timing = standard.readTiming(tim, timAt, { burstLength, dataRate, json: arch, where: archAt });
  checkTiming(timing, timAt);

  const pow = spec.mempowerspec as JsonObject;
  const powAt = `${at}.mempowerspec`;
  // Current DRAMSys memspecs give amperes (0.07), older ones milliamperes (70).
  const currents = Object.entries(pow).filter(([k, v]) => /^i/.test(k) && typeof v === 'number').map(([, v]) => v as number);
  const scale = currents.length > 0 && Math.max(...currents) < 1 ? 1000 : 1;
  const power = standard.readPower(pow, powAt, scale);
  checkPower(power, powAt);

  const bytesPerBurst = (burstLength * width * devices) / 8;
  const capacityBytes = (ranks * banks * rows * columns * width * devices) / 8;
  return {
    memoryId,
    memoryType: type as MemoryType,
    ranks,
    bankGroups,
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
    power,
    json: { memspec: spec },
  };
}

const MAX_TIMING_CYCLES = 1 << 24;
/** Organisation beyond any device or module, refused before the controller sizes its tables. */
const ORGANISATION_LIMITS: Record<string, number> = {
  nbrOfBanks: 256,
  nbrOfBankGroups: 64,
  nbrOfRanks: 64,
  nbrOfRows: 1 << 22,
  nbrOfColumns: 1 << 16,
};
const MAX_DEVICES = 256;
/** Supply voltages (V) and currents (mA per device) beyond any DRAM. */
const MAX_VOLTAGE = 10;
const MAX_CURRENT_MA = 10_000;
/** The controller clock's period, ns: 10 GHz to 1 MHz. */
const TCK_NS_RANGE = [0.1, 1000] as const;

function checkTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  // Cycles are kept in 32-bit integers: far beyond any real timing, and sums stay exact.
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'number') need(v <= MAX_TIMING_CYCLES, k, `${v} cycles is beyond any DRAM timing (at most ${MAX_TIMING_CYCLES.toLocaleString('en-US')})`);
  }
  need(t.RC >= t.RAS + t.RP, 'RC', `RC (${t.RC}) is less than RAS + RP (${t.RAS + t.RP})`);
  need(t.RAS >= t.RCD, 'RAS', `RAS (${t.RAS}) is less than RCD (${t.RCD})`);
  need(t.REFI > t.RFC, 'REFI', `REFI (${t.REFI}) must exceed RFC (${t.RFC})`);
  need(t.RL > t.AL, 'RL', `RL (${t.RL}) must exceed AL (${t.AL})`);
  need(t.WL > t.AL, 'WL', `WL (${t.WL}) must exceed AL (${t.AL})`);
  need(t.RCD > t.AL, 'RCD', `RCD (${t.RCD}) must exceed AL (${t.AL})`);
  need(t.CCD_L >= t.CCD_S, 'CCD_L', `CCD_L (${t.CCD_L}) is less than CCD_S (${t.CCD_S})`);
  need(t.CCD_S >= t.BURST, 'CCD', `column-to-column delay (${t.CCD_S}) is shorter than a burst (${t.BURST} cycles)`);
  need(t.RRD_L >= t.RRD_S, 'RRD_L', `RRD_L (${t.RRD_L}) is less than RRD_S (${t.RRD_S})`);
  need(t.WTR_L >= t.WTR_S, 'WTR_L', `WTR_L (${t.WTR_L}) is less than WTR_S (${t.WTR_S})`);
  need(t.RFCPB === 0 || t.RFCPB <= t.RFC, 'RFCPB', `RFCPB (${t.RFCPB}) exceeds RFC (${t.RFC})`);
}

function checkPower(p: PowerSpec, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  need(p.vdd > 0, 'vdd', 'must be positive');
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== 'number') continue;
    if (k === 'vdd' || k === 'vpp') need(v >= 0 && v <= MAX_VOLTAGE, k, `${v} V is outside 0–${MAX_VOLTAGE} V`);
    else need(v >= 0 && v <= MAX_CURRENT_MA, k, `${v} mA is outside 0–${MAX_CURRENT_MA.toLocaleString('en-US')} mA per device`);
  }
  need(p.idd0 >= p.idd3n, 'idd0', `idd0 (${p.idd0} mA) is below idd3n (${p.idd3n} mA): activation energy would be negative`);
  need(p.idd0 >= p.idd2n, 'idd0', `idd0 (${p.idd0} mA) is below idd2n (${p.idd2n} mA): precharge energy would be negative`);
  need(p.idd4r >= p.idd3n, 'idd4r', `idd4r (${p.idd4r} mA) is below idd3n (${p.idd3n} mA)`);
  need(p.idd4w >= p.idd3n, 'idd4w', `idd4w (${p.idd4w} mA) is below idd3n (${p.idd3n} mA)`);
  need(p.idd5 >= p.idd3n, 'idd5', `idd5 (${p.idd5} mA) is below idd3n (${p.idd3n} mA)`);
}

/** Reads a current in mA from a power spec given in A (`scale` 1000) or mA (`scale` 1). */
export function current(p: JsonObject, key: string, where: string, scale: number, fallback?: number): number {
  return numberField(p, key, where, 'real', fallback === undefined ? undefined : fallback / scale) * scale;
}

/** Reads a timing parameter in cycles. */
export function cycles(t: JsonObject, key: string, where: string, fallback?: number): number {
  return numberField(t, key, where, 'int', fallback);
}
