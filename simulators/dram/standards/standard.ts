/**
 * What a DRAM standard is, as data: its commands and what each does, its timing rules, its refresh
 * modes, how long its data takes, its organisation limits and its power model. One file per
 * standard (`ddr3.ts`, `ddr4.ts`, …) fills this in; the controller, the protocol checker and the
 * energy model read it and hold no code for any standard by name.
 */
import type { CmdName, Effect, Scope, Target, TimingConstraint } from '../commands.js';
import type { JsonObject } from '../json.js';

/** Timing parameters in controller clock cycles, by the standard's own names (JEDEC's, without the "t"). */
export type Timing = Readonly<Record<string, number>>;

export interface CommandSpec {
  readonly effect: Effect;
  readonly target: Target;
  /** Cycles the command holds its command bus (LPDDR4's ACT takes 4); default 1. */
  readonly length?: number;
  /** With two command buses (HBM): the row or the column bus. */
  readonly bus?: 'row' | 'column';
  /** Counts in the four-activate window (every ACT; LPDDR4's and HBM2's per-bank refresh too). */
  readonly window?: boolean;
}

/** The mcconfig RefreshPolicy values and the command each refreshes with. */
export type RefreshPolicyName = 'AllBank' | 'PerBank' | 'SameBank' | 'Per2Bank';

export interface RefreshSpec {
  /** The refresh command; its target says which banks one refresh covers. */
  readonly command: CmdName;
  /** Closes an open bank of the target before the refresh (PREA for a whole rank). */
  readonly precharge: CmdName;
  /** Timing keys: the interval between refreshes (of one target) and one refresh's duration. */
  readonly interval: string;
  readonly duration: string;
  /** The refresh's current above active standby, per rail (mA); default: the all-bank one scaled by the banks covered. */
  readonly current?: string;
}

/** Cycles the controller needs beyond the rule table, derived from the timing once. */
export interface DataTiming {
  /** Cycles the data bus carries one burst. */
  readonly burst: number;
  /** From a read / write command to its first data beat. */
  readonly readLatency: number;
  readonly writeLatency: number;
  /** From RDA / WRA to the bank's internal precharge (which also waits for tRAS after the ACT). */
  readonly readToPrecharge: number;
  readonly writeToPrecharge: number;
  /** ACT to the earliest precharge. */
  readonly ras: number;
  /** How long DRAMPower counts each command after it starts, for the energy window (0 if absent). */
  readonly completion: Partial<Record<CmdName, number>>;
  /** The four-activate window, cycles (0: none). */
  readonly fourActivateWindow: number;
  /**
   * Ranks sharing one data bus: the bubble between bursts of different ranks, plus the new
   * direction's preamble when the direction changes too. Null where each rank has its own data
   * bus (HBM's pseudo-channels).
   */
  readonly rankSwitch: { readonly bubble: number; readonly readPreamble: number; readonly writePreamble: number } | null;
}

/** Currents of one supply rail, mA per device (DRAMPower's names without the rail's suffix). */
export interface RailCurrents {
  readonly idd0: number;
  readonly idd2n: number;
  readonly idd3n: number;
  readonly idd4r: number;
  readonly idd4w: number;
  /** All-bank refresh. */
  readonly idd5: number;
  /** Refresh currents of the other refresh commands, where the memspec gives them. */
  readonly idd5pb: number | null;
  /** Power-down (slow exit, as DRAMSys uses it): precharged and active. */
  readonly idd2p: number;
  readonly idd3p: number;
  /** Self-refresh. */
  readonly idd6: number;
}

export interface Rail {
  readonly name: string;
  /** Volts. */
  readonly voltage: number;
  readonly currents: RailCurrents;
}

/** Cycles DRAMPower's energy formulas use: E_ACT over tRAS, E_PRE over tRC − tRAS. */
export interface EnergyTiming {
  readonly ras: number;
  readonly rc: number;
  /** The end of an all-bank refresh DRAMPower counts as precharged standby rather than active (tRP). */
  readonly refreshPrecharged: number;
}

/** What the memspec reader knows of memarchitecturespec when it reads timing and power. */
export interface ArchInfo {
  burstLength: number;
  dataRate: number;
  /** The clock period, ns, for timings a memspec may leave out and the standard gives in ns. */
  tCkNs: number;
  /** The raw memarchitecturespec, for standard-specific keys (DDR4 RefMode), and where it is. */
  json: JsonObject;
  where: string;
}

export interface Organisation {
  /** Burst lengths the standard supports. */
  readonly burstLengths: readonly number[];
  readonly dataRate: number;
  /** Whether banks come in bank groups (memarchitecturespec.nbrOfBankGroups required, and above 1). */
  readonly bankGroups: 'none' | 'required' | 'optional';
  /** Device widths, bits. */
  readonly widths: readonly number[];
  /** Ranks per channel an organisation search may choose (HBM: its two pseudo-channels). */
  readonly ranks: readonly number[];
}

export interface DramStandard {
  readonly type: string;
  readonly description: string;
  readonly organisation: Organisation;
  /** Every memtimingspec key the standard accepts (required or optional). */
  readonly timingKeys: readonly string[];
  readTiming(t: JsonObject, where: string, arch: ArchInfo): Timing;
  /** Checks the timing for consistency (throws an InputError naming the key). */
  checkTiming?(t: Timing, where: string): void;
  /**
   * The supply rails and their currents, from mempowerspec (currents scaled to mA by `scale`); the
   * timing read before, for currents given as averages over an interval (IDD5PB), and `arch` for keys
   * that choose among currents (DDR5's RefMode).
   */
  readPower(p: JsonObject, where: string, scale: number, t: Timing, arch: ArchInfo): Rail[];
  /** The commands it has, and what each does. */
  readonly commands: Readonly<Partial<Record<CmdName, CommandSpec>>>;
  /** 1, or 2 for a separate row and column command bus (HBM). */
  readonly commandBuses: 1 | 2;
  /**
   * Controller cycles per clock cycle (default 1): 2 runs the controller in half clock cycles, for
   * commands that take half a cycle (HBM3's row commands). `readTiming` then gives every timing
   * in these ticks; the memspec's clock period is divided by it.
   */
  readonly ticksPerClock?: number;
  /**
   * The first cycle any command may start (default 0). A fraction runs the command chain that
   * follows ahead of the clock edge: DRAMSys's HBM2 checker lets its buses be used from 1 ps
   * before the first edge, so its commands fall 1 ps before each edge until the controller idles.
   * Keep the fraction a power of two (exact arithmetic).
   */
  readonly firstCommandCycle?: number;
  /** The controller's timing rules: which command constrains which, by how many cycles. */
  constraints(t: Timing): TimingConstraint[];
  dataTiming(t: Timing): DataTiming;
  energyTiming(t: Timing): EnergyTiming;
  /** The refresh policies it supports (NoRefresh always). */
  refresh(t: Timing): Readonly<Partial<Record<RefreshPolicyName, RefreshSpec>>>;
}

/** [from, to, scope, cycles, JEDEC parameter] */
export type Rule = [TimingConstraint['from'], TimingConstraint['to'], Scope, number, string];

export function toConstraint([from, to, scope, cycles, param]: Rule): TimingConstraint {
  return { from, to, scope, cycles, param };
}
