/**
 * Fidelity benchmark: marl-dse against a DRAMSys binary on the same configs and traces.
 *
 *   DRAMSYS=/path/to/DRAMSys node dist/bench/fidelity.js [--suite reference,ddr4,mechanisms]
 *        [--designs N] [--seed S] [--jobs J] [--traces stream,random,cloud-1,cloud-2] [--out FILE.json]
 *        [--resources DIR] [--verbose]
 *   … --diff --case TEXT    one case (the first whose name contains TEXT), both command streams compared
 *                           (DRAMSys runs under gdb, which must be installed); --dump PREFIX writes both
 *
 * DRAMSYS is the simulator binary (the build that ships with the public ArchGym repository:
 * `sims/DRAM/binary/DRAMSys/DRAMSys`); its resources folder (memspecs, mcconfigs, address mappings,
 * the reference traces) defaults to `<binary>/../../DRAMSys/library/resources` as laid out there,
 * or `--resources DIR` / DRAMSYS_RESOURCES. Both simulators read the very same JSON files and traces.
 *
 * Suites:
 * - `reference`: N designs of the reference space (sampled with the seed; DRAMSys's default
 *   controller and its `fr_fcfs.json` always included) × the four reference traces, DDR3-1600;
 * - `wide`: N designs of the `wide` space (CmdMux, power-down and its timeout too; per-bank
 *   refresh left out, DRAMSys has none for DDR3) × the reference traces;
 * - `ddr4`: the same designs on DDR4-2400 (DRAMSys's JEDEC_4Gb_DDR4-2400 memspec and its
 *   bank-row-column mapping), with the reference traces, and DDR4 fine-granularity refresh modes;
 * - `lpddr4`: LPDDR4-3200 (DRAMSys's JEDEC_8Gb_LPDDR4-3200_16bit memspec and its bank-row-column
 *   mapping): the reference designs (every other one refreshing per bank instead of all-bank) ×
 *   the reference traces, and hand-written traces for its mechanisms (multi-cycle commands, tFAW
 *   with per-bank refreshes, refresh policies, power-down and self-refresh, two ranks). DRAMSys
 *   computes no power for LPDDR4, so these cases run without power analysis and compare total time;
 * - `differences`: where marl-dse differs on purpose (Closed pages with power-down, several ranks
 *   with power-down, CmdMux Strict with FR-FCFS), to quote how far apart they are;
 * - `mechanisms`: hand-written traces and configs, one per mechanism where the two simulators
 *   could differ (admission, delays, refresh, power-down, energy window).
 *
 * It prints, per suite and overall, Spearman's ρ, the median, 90th percentile and worst relative
 * error of total time and of average power (where DRAMSys computes it), and the worst cases. CI
 * does not run it (it needs the binary); see README "Agreement with DRAMSys".
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { sampleCorrelation } from 'simple-statistics';
import { makeRng } from '../common/random.js';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { parseAddressMapping } from '../simulators/dram/address-mapping.js';
import { readJsonFile } from '../simulators/dram/json.js';
import { type McConfig, DEFAULT_MCCONFIG, mcConfigToJson, withOverrides } from '../simulators/dram/mcconfig.js';
import { parseMemSpec } from '../simulators/dram/memspec.js';
import { PRESETS_DIR } from '../simulators/dram/presets.js';
import { simulate, simulateWithCommands } from '../simulators/dram/simulate.js';
import { COMMAND_NAMES } from '../simulators/dram/commands.js';
import { openTraceFile } from '../traces/formats.js';
import { loadSpace } from '../src/space/builtin.js';
import { designToConfig, designAt } from '../src/space/space.js';
import { spaceSize } from '../src/space/masks.js';

interface Case {
  suite: string;
  name: string;
  memspec: string; // file name under configs/memspecs (or an absolute path to a written file)
  addressmapping: string;
  mcconfig: Record<string, string | number>;
  trace: string; // file name under traces/ or absolute path
  clkMhz: number;
  /** DRAMSys computes power (false for standards it has no power model for: HBM2; total time only). */
  power?: boolean;
}

/** Average power and energy are NaN where DRAMSys ran without power analysis. */
interface Numbers {
  totalTimeNs: number;
  averagePowerMw: number;
  energyPj: number;
}

interface Outcome {
  c: Case;
  dramsys: Numbers | { error: string };
  marl: Numbers | { error: string };
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const BIN = process.env.DRAMSYS;
if (!BIN || !existsSync(BIN)) {
  process.stderr.write('fidelity: set DRAMSYS to a DRAMSys binary (e.g. the one in ArchGym: sims/DRAM/binary/DRAMSys/DRAMSys)\n');
  process.exit(2);
}
const RES = resolve(arg('resources', process.env.DRAMSYS_RESOURCES) ?? join(dirname(BIN), '../../DRAMSys/library/resources'));
if (!existsSync(join(RES, 'configs', 'memspecs'))) {
  process.stderr.write(`fidelity: ${RES} holds no configs/memspecs (give --resources DIR)\n`);
  process.exit(2);
}
const JOBS = Number(arg('jobs', '2'));
const VERBOSE = process.argv.includes('--verbose');
const WORK = mkdtempSync(join(tmpdir(), 'marl-dse-fidelity-'));

const DDR3 = { memspec: 'MICRON_1Gb_DDR3-1600_8bit_G.json', addressmapping: 'am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json' };
const DDR4 = { memspec: 'JEDEC_4Gb_DDR4-2400_8bit_A.json', addressmapping: 'am_ddr4_8x4Gbx8_dimm_p1KB_brc.json' };
const LPDDR4 = { memspec: 'JEDEC_8Gb_LPDDR4-3200_16bit.json', addressmapping: 'am_lpddr4_8Gbx16_brc.json' };
const REFERENCE_TRACES = ['stream.stl', 'random.stl', 'cloud-1.stl', 'cloud-2.stl'];

/** DRAMSys's default controller (its `policy.json`, the published work's baseline). */
const DRAMSYS_DEFAULT: Record<string, string | number> = {
  PagePolicy: 'Open', Scheduler: 'Fifo', SchedulerBuffer: 'Bankwise', RequestBufferSize: 1, CmdMux: 'Oldest',
  RespQueue: 'Fifo', RefreshPolicy: 'NoRefresh', RefreshMaxPostponed: 1, RefreshMaxPulledin: 1,
  PowerDownPolicy: 'NoPowerDown', Arbiter: 'Simple', MaxActiveTransactions: 1,
};
const FR_FCFS: Record<string, string | number> = {
  ...DRAMSYS_DEFAULT, Scheduler: 'FrFcfs', RequestBufferSize: 8, RefreshPolicy: 'AllBank', RefreshMaxPostponed: 8,
  RefreshMaxPulledin: 8, MaxActiveTransactions: 128,
};

function resourcePath(kind: 'memspecs' | 'amconfigs' | 'mcconfigs' | 'traces', name: string): string {
  if (name.startsWith('/')) return name;
  return kind === 'traces' ? join(RES, 'traces', name) : join(RES, 'configs', kind, name);
}

/** `perBank`: keep per-bank refresh (DRAMSys has it for HBM2, not for DDR3/DDR4). */
function sampleDesigns(n: number, seed: number, spaceName = 'reference', perBank = false): Array<Record<string, string | number>> {
  const space = loadSpace(spaceName);
  const size = spaceSize(space);
  const rng = makeRng(seed);
  const out: Array<Record<string, string | number>> = [DRAMSYS_DEFAULT, FR_FCFS];
  for (let i = 0; i < n; i++) {
    const cfg = designToConfig(space, designAt(space, uniformInt(rng, 0, size - 1)));
    // Left out where marl-dse differs on purpose (README "Agreement with DRAMSys"): DRAMSys has
    // no per-bank refresh for DDR3/DDR4 and allows CmdMux Strict only with the Fifo scheduler.
    if ((cfg.RefreshPolicy === 'PerBank' && !perBank) || (cfg.CmdMux === 'Strict' && cfg.Scheduler !== 'Fifo')) {
      i--;
      continue;
    }
    const rec: Record<string, string | number> = {};
    for (const p of space.parameters) rec[p.name] = cfg[p.name as keyof McConfig] as string | number;
    // DRAMSys reads PowerDownTimeout and ignores it (it enters power-down at once).
    if ('PowerDownTimeout' in rec) rec.PowerDownTimeout = 0;
    out.push({ ...DRAMSYS_DEFAULT, ...rec });
  }
  return out;
}

function describeDesign(d: Record<string, string | number>): string {
  return Object.entries(d).filter(([k, v]) => DRAMSYS_DEFAULT[k] !== v).map(([k, v]) => `${k}=${v}`).join(' ') || 'DRAMSys default';
}

/** Writes a trace file for a mechanism case; returns its absolute path. */
function writeTrace(name: string, lines: string[]): string {
  const path = join(WORK, `${name}.stl`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function reads(addresses: number[], write = false, step = 1): string[] {
  return addresses.map((a, i) => `${i * step}:\t${write ? 'write' : 'read'}\t0x${a.toString(16)}`);
}

function mechanismCases(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, lines: string[], mc: Record<string, string | number>, dev = DDR3, clkMhz = 800): void => {
    cases.push({ suite: 'mechanisms', name, ...dev, mcconfig: { ...DRAMSYS_DEFAULT, ...mc }, trace: writeTrace(name, lines), clkMhz });
  };
  const twelve = [0x10000, 0x20000, 0x32000, 0x42000, 0x54000, 0x64000, 0x70000, 0x82000, 0x94000, 0xa6000, 0xb6000, 0xc6000];
  add('bankwise-admission', reads(twelve), { Arbiter: 'Fifo', MaxActiveTransactions: 16 });
  add('bankwise-admission-4', reads(twelve), { Arbiter: 'Fifo', MaxActiveTransactions: 16, RequestBufferSize: 4, Scheduler: 'FrFcfs' });
  const seq64 = Array.from({ length: 64 }, (_, i) => i * 0x2040);
  add('delays-10ns', reads(seq64), {
    ArbitrationDelayFw: 10, ArbitrationDelayBw: 10, ThinkDelayFw: 10, ThinkDelayBw: 10, PhyDelayFw: 10, PhyDelayBw: 10,
  });
  add('delays-odd', reads(seq64), {
    Arbiter: 'Fifo', MaxActiveTransactions: 8, ArbitrationDelayFw: 3, ArbitrationDelayBw: 7, ThinkDelayFw: 2, ThinkDelayBw: 5, PhyDelayFw: 1, PhyDelayBw: 4,
  });
  add('staggered-one-read', reads([0]), { PowerDownPolicy: 'Staggered' });
  add('staggered-gaps', Array.from({ length: 40 }, (_, i) => `${i * 97}:\t${i % 3 ? 'read' : 'write'}\t0x${(i * 0x12340).toString(16)}`), { PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank' });
  add('final-write', reads([0x0, 0x4000, 0x8000], true), {});
  add('writes-mixed', Array.from({ length: 200 }, (_, i) => `${i}:\t${i % 2 ? 'write' : 'read'}\t0x${((i * 2654435761) % (1 << 30) & ~63).toString(16)}`), { Scheduler: 'FrFcfs', RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 32 });
  // Forced refresh: a saturated stream across a refresh interval with no postponing.
  const long = Array.from({ length: 6000 }, (_, i) => `${i}:\tread\t0x${((i * 0x40) % (1 << 30)).toString(16)}`);
  add('refresh-forced', long, { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
  add('refresh-forced-random', REFERENCE_TRACES.includes('random.stl') ? readFileSync(resourcePath('traces', 'random.stl'), 'utf8').trim().split('\n').slice(0, 6000) : long, { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 1, RefreshMaxPulledin: 1, Scheduler: 'FrFcfs', RequestBufferSize: 4 });
  // DDR4: clock in whole picoseconds; fine-granularity refresh is covered by the ddr4 suite.
  add('ddr4-clock', reads(seq64, false, 3), {}, DDR4);
  // The cases of test/simulators/dramsys.test.ts (expected cycles derived there by hand).
  const a = (bank: number, row: number, column = 0): number => row * 2 ** 16 + bank * 2 ** 13 + column * 8;
  const at = (rs: Array<[number, number, boolean?]>): string[] => rs.map(([c, x, w]) => `${c}:\t${w ? 'write' : 'read'}\t0x${x.toString(16)}`);
  add('golden-bankwise-head-of-line', at([[0, a(0, 0)], [1, a(0, 1)], [2, a(1, 0)]]), { Arbiter: 'Fifo', MaxActiveTransactions: 16 });
  add('golden-delays', at([[0, a(0, 0)]]), { ArbitrationDelayFw: 2.5, ArbitrationDelayBw: 2.5, ThinkDelayFw: 1.25, ThinkDelayBw: 1.25, PhyDelayFw: 1.25, PhyDelayBw: 1.25 });
  add('golden-delays-rounded', at([[0, a(0, 0)]]), { ThinkDelayFw: 1.9, PhyDelayBw: 0.6 });
  add('golden-simple-responses', at([[0, a(0, 0, 0)], [1, a(0, 0, 8)]]), { RequestBufferSize: 4, ArbitrationDelayBw: 7.5 });
  add('golden-staggered-start', at([[0, a(0, 0)]]), { PowerDownPolicy: 'Staggered' });
  add('golden-final-write', at([[0, a(0, 0), true]]), {});
  add('golden-closed-write', at([[0, a(0, 0), true]]), { PagePolicy: 'Closed' });
  add('golden-forced-refresh-slip', at([[6230, a(0, 0)]]), { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
  add('golden-late-arrival', at([[0, a(0, 0)], [10, a(0, 1)]]), { PagePolicy: 'OpenAdaptive', RequestBufferSize: 4 });
  const b4 = (bank: number, row: number): number => row * 2 ** 17 + bank * 2 ** 13;
  add('golden-ddr4-clock', [`2:\tread\t0x${b4(0, 0).toString(16)}`], {}, DDR4);
  add('golden-strict-deadlock (differs)', at([[0, a(0, 0)], [1, a(0, 1)], [2, a(0, 0, 8)]]), { Scheduler: 'FrFcfs', CmdMux: 'Strict', RequestBufferSize: 4 });
  add('golden-closed-staggered (differs)', at([[0, a(0, 0)], [100, a(1, 0)]]), { PagePolicy: 'Closed', PowerDownPolicy: 'Staggered' });
  const refm2 = readJsonFile(resourcePath('memspecs', DDR4.memspec)) as { memspec: { memtimingspec: Record<string, number> } };
  refm2.memspec.memtimingspec.REFM = 2;
  const refm2Path = join(WORK, 'golden-ddr4-refm2.json');
  writeFileSync(refm2Path, JSON.stringify(refm2));
  add('golden-ddr4-refm2', [`3120:\tread\t0x0`], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }, { memspec: refm2Path, addressmapping: DDR4.addressmapping });
  return cases;
}

function referenceCases(designs: Array<Record<string, string | number>>, traces: string[]): Case[] {
  const cases: Case[] = [];
  for (const trace of traces) {
    for (const d of designs) cases.push({ suite: 'reference', name: `${trace} ${describeDesign(d)}`, ...DDR3, mcconfig: d, trace, clkMhz: 800 });
  }
  return cases;
}

function wideCases(designs: Array<Record<string, string | number>>, traces: string[]): Case[] {
  return traces.flatMap((trace) => designs.map((d) => ({ suite: 'wide', name: `${trace} ${describeDesign(d)}`, ...DDR3, mcconfig: d, trace, clkMhz: 800 })));
}

/**
 * Where marl-dse differs from DRAMSys on purpose (README "Agreement with DRAMSys"): ok so the
 * README can quote how far apart the two are.
 * - Closed/ClosedAdaptive pages with Staggered power-down: DRAMSys's power-down manager does not
 *   count auto-precharges as closing banks, so it enters active power-down with every bank closed.
 * - several ranks with power-down: DRAMPower keeps one state machine for all ranks.
 * - CmdMux Strict with a row-hit-first scheduler (DRAMSys supports Strict with Fifo only).
 */
function differenceCases(traces: string[]): Case[] {
  const cases: Case[] = [];
  const line = (i: number, bytes: number): string => {
    const x = (i * 2654435761) % bytes;
    return (x - (x % 64)).toString(16);
  };

  const add = (name: string, mc: Record<string, string | number>, trace: string, dev = DDR3): void => {
    cases.push({ suite: 'differences', name: `${name} ${basename(trace)}`, ...dev, mcconfig: { ...DRAMSYS_DEFAULT, ...mc }, trace, clkMhz: 800 });
  };
  // The reference traces saturate the memory, so a rank rarely idles: a trace with gaps shows power-down.
  const gaps = writeTrace('gaps', Array.from({ length: 3000 }, (_, i) => `${i * 40 + (i % 7) * 3}:\t${i % 3 === 2 ? 'write' : 'read'}\t0x${line(i, 2 ** 30)}`));
  for (const trace of [...traces, gaps]) {
    for (const page of ['Closed', 'ClosedAdaptive']) {
      add(`${page}+Staggered`, { PagePolicy: page, PowerDownPolicy: 'Staggered' }, trace);
      add(`${page}+Staggered fr-fcfs`, { ...FR_FCFS, PagePolicy: page, PowerDownPolicy: 'Staggered' }, trace);
    }
    add('Strict+FrFcfs', { ...FR_FCFS, CmdMux: 'Strict', RefreshPolicy: 'NoRefresh' }, trace);
  }
  // Four ranks (DRAMSys's ranktest memspec and mapping, rank bits 30-31): requests spread over the
  // ranks, with and without power-down.
  const ranks = { memspec: 'memspec_ranktest.json', addressmapping: 'am_ranktest.json' };
  const spread = writeTrace('four-ranks', Array.from({ length: 4000 }, (_, i) => `${i * 4}:\t${i % 4 === 3 ? 'write' : 'read'}\t0x${line(i, 2 ** 32)}`));
  for (const pd of ['NoPowerDown', 'Staggered']) {
    cases.push({ suite: 'differences', name: `4 ranks ${pd}`, ...ranks, mcconfig: { ...FR_FCFS, PowerDownPolicy: pd }, trace: spread, clkMhz: 800 });
  }
  return cases;
}

/** DRAMSys's HBM2 channel (its own memspec and mapping: no power section) and marl-dse's 8-channel stack preset. */
const HBM2 = { memspec: 'HBM2.json', addressmapping: 'am_hbm2_8Gb_pc_brc.json', power: false };
const HBM2_STACK = {
  memspec: join(PRESETS_DIR, 'memspec/HBM2_8ch_8GiB.json'),
  addressmapping: join(PRESETS_DIR, 'addressmapping/am_hbm2_8ch_8Gb_pc_rbc.json'),
  power: false,
};

/**
 * HBM2 (total time only: DRAMSys 2021 has no HBM2 power model): reference designs × traces with the
 * player at 1 GHz (DRAMSys's hbm2-example) and, for a quarter of them, 800 MHz; `wide` designs
 * (per-bank refresh, power-down, CmdMux); the 8-channel stack; hand-written mechanism traces.
 */
function hbm2Cases(designs: Array<Record<string, string | number>>, wide: Array<Record<string, string | number>>, traces: string[]): Case[] {
  const cases: Case[] = [];
  const add = (name: string, dev: typeof HBM2, mc: Record<string, string | number>, trace: string, clkMhz = 1000): void => {
    cases.push({ suite: 'hbm2', name, ...dev, mcconfig: mc, trace, clkMhz });
  };
  for (const trace of traces) {
    for (const d of designs) add(`${trace} ${describeDesign(d)}`, HBM2, d, trace);
    for (const d of designs.slice(0, Math.max(2, Math.ceil(designs.length / 4)))) add(`800 MHz ${trace} ${describeDesign(d)}`, HBM2, d, trace, 800);
    for (const d of wide) add(`wide ${trace} ${describeDesign(d)}`, HBM2, d, trace);
    for (const d of designs.slice(0, 8)) add(`stack ${trace} ${describeDesign(d)}`, HBM2_STACK, d, trace);
  }
  // Mechanisms, on DRAMSys's HBM2 mapping: pseudo-channel bit 29, bank groups 27-28, banks 25-26, rows 10-24, columns 3-9.
  const a = (pc: number, group: number, bank: number, row: number, column = 0): number => pc * 2 ** 29 + group * 2 ** 27 + bank * 2 ** 25 + row * 2 ** 10 + column * 8;
  const line = (cycle: number, address: number, write = false): string => `${cycle}:\t${write ? 'write' : 'read'}\t0x${address.toString(16)}`;
  const mech = (name: string, lines: string[], mc: Record<string, string | number>, dev = HBM2): void =>
    add(`mechanism ${name}`, dev, { ...DRAMSYS_DEFAULT, ...mc }, writeTrace(`hbm2-${name}`, lines));
  const deep = { Scheduler: 'FrFcfs', RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 64 };
  // Row and column commands in the same cycle: reads spread over banks of both pseudo-channels.
  mech('two-buses', Array.from({ length: 64 }, (_, i) => line(i, a(i % 2, (i >> 1) % 4, (i >> 3) % 4, i >> 5, i % 8))), deep);
  // Eight activates at once in one pseudo-channel: tRRDS/tRRDL and the four-activate window.
  mech('four-activate-window', Array.from({ length: 8 }, (_, i) => line(0, a(0, i % 4, i >> 2, 1))), deep);
  // Reads and writes mixed, both pseudo-channels: turnarounds and tRTW.
  mech('read-write', Array.from({ length: 200 }, (_, i) => line(i, a((i >> 2) % 2, i % 4, (i >> 3) % 4, (i * 7) % 5, i % 16), i % 3 === 0)), deep);
  // Per-bank refresh: idle time pulls refreshes in, rounds of 16 back to back (tRREFD, then tRFCSB after a round).
  const sparse = Array.from({ length: 40 }, (_, i) => line(i * 900, a(i % 2, i % 4, (i >> 2) % 4, i)));
  mech('per-bank-pulled-in', sparse, { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 8, RefreshMaxPulledin: 8 });
  // Per-bank refresh forced on a saturated stream (a blocked bank, its PRE first).
  const busy = Array.from({ length: 4000 }, (_, i) => line(i, a((i >> 4) % 2, i % 4, (i >> 2) % 4, (i >> 6) % 64, (i >> 4) % 16)));
  mech('per-bank-forced', busy, { ...deep, RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
  mech('all-bank-forced', busy, { ...deep, RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
  // Power-down across the channel: requests to one pseudo-channel wake it while the other sleeps.
  const gaps = Array.from({ length: 60 }, (_, i) => line(i * 97 + (i % 5) * 13, a((i * 5) % 2 === 0 ? 0 : (i >> 1) % 2, i % 4, (i >> 2) % 4, i % 3), i % 4 === 3));
  mech('power-down', gaps, { PowerDownPolicy: 'Staggered' });
  mech('power-down-refresh', gaps.map((l, i) => l.replace(/^\d+/, String(i * 2000))), { PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank' });
  mech('power-down-per-bank', gaps.map((l, i) => l.replace(/^\d+/, String(i * 700))), { PowerDownPolicy: 'Staggered', RefreshPolicy: 'PerBank' });
  mech('stack', Array.from({ length: 256 }, (_, i) => line(i, i * 64, i % 5 === 4)), deep, HBM2_STACK);
  // The cases of test/simulators/hbm2.test.ts (expected cycles derived there by hand).
  const four = { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 4 };
  mech('golden-idle-read', [line(0, a(0, 0, 0, 0))], {});
  mech('golden-row-hit', [line(0, a(0, 0, 0, 0, 0)), line(1, a(0, 0, 0, 0, 4))], four);
  mech('golden-row-conflict', [line(0, a(0, 0, 0, 0)), line(1, a(0, 0, 0, 1))], four);
  mech('golden-read-write', [line(0, a(0, 0, 0, 0, 0)), line(1, a(0, 0, 0, 0, 4), true)], four);
  mech('golden-write-read', [line(0, a(0, 0, 0, 0, 0), true), line(1, a(0, 0, 0, 0, 4))], four);
  mech('golden-two-pcs', [line(0, a(0, 0, 0, 0)), line(0, a(1, 0, 0, 0))], four);
  const faw = [a(0, 0, 0, 0, 0), a(0, 0, 0, 0, 4), a(0, 1, 0, 0), a(0, 2, 0, 0), a(0, 3, 0, 0), a(0, 0, 1, 0)];
  mech('golden-four-activate-window', faw.map((x, i) => line(i, x)), { ...four, MaxActiveTransactions: 8 });
  mech('golden-all-bank-refresh', [line(1950, a(1, 0, 0, 0))], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
  mech('golden-per-bank-round', [line(400, a(0, 0, 0, 0))], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 });
  mech('golden-power-down', [line(100, a(1, 0, 0, 0)), line(110, a(0, 0, 0, 0)), line(300, a(0, 0, 0, 0, 4))], { ...four, PowerDownPolicy: 'Staggered' });
  mech('golden-stack-two-channels', [line(0, 0), line(1, 64)], { Arbiter: 'Fifo', MaxActiveTransactions: 4 }, HBM2_STACK);
  const spread = Array.from({ length: 256 }, (_, i) => line(i, ((i * 2654435761) % 2 ** 33) - (((i * 2654435761) % 2 ** 33) % 64)));
  mech('golden-stack-reorder', spread, { RespQueue: 'Reorder', Arbiter: 'Fifo', MaxActiveTransactions: 32, RequestBufferSize: 8 }, HBM2_STACK);
  return cases;
}

function ddr4Cases(designs: Array<Record<string, string | number>>, traces: string[]): Case[] {
  const cases: Case[] = [];
  for (const trace of traces) {
    for (const d of designs) cases.push({ suite: 'ddr4', name: `${trace} ${describeDesign(d)}`, ...DDR4, mcconfig: d, trace, clkMhz: 800 });
  }
  // Fine-granularity refresh: the memspec with REFM 2 and 4 (DRAMSys reads tREFI/m and tRFC2/tRFC4).
  const spec = readJsonFile(resourcePath('memspecs', DDR4.memspec)) as { memspec: { memtimingspec: Record<string, number> } };
  for (const m of [2, 4]) {
    const doc = structuredClone(spec);
    doc.memspec.memtimingspec.REFM = m;
    const path = join(WORK, `ddr4-refm${m}.json`);
    writeFileSync(path, JSON.stringify(doc));
    for (const trace of traces.slice(0, 2)) {
      for (const d of [FR_FCFS, { ...FR_FCFS, RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }]) {
        cases.push({ suite: 'ddr4', name: `REFM ${m} ${trace} ${describeDesign(d)}`, memspec: path, addressmapping: DDR4.addressmapping, mcconfig: d, trace, clkMhz: 800 });
      }
    }
  }
  return cases;
}

/**
 * LPDDR4-3200: the reference designs, every other one that refreshes refreshing per bank instead
 * (DRAMSys's PerBank), × the traces; then one hand-written trace per mechanism. All without power
 * analysis (DRAMSys 2021 has no LPDDR4 power model).
 */
function lpddr4Cases(designs: Array<Record<string, string | number>>, traces: string[]): Case[] {
  const cases: Case[] = [];
  const add = (name: string, mcconfig: Record<string, string | number>, trace: string, dev = LPDDR4): void => {
    cases.push({ suite: 'lpddr4', name, ...dev, mcconfig, trace, clkMhz: 800, power: false });
  };
  for (const trace of traces) {
    designs.forEach((d, i) => {
      const design = d.RefreshPolicy === 'AllBank' && i % 2 === 1 ? { ...d, RefreshPolicy: 'PerBank' } : d;
      add(`${trace} ${describeDesign(design)}`, design, trace);
    });
  }
  // Bank-row-column: bank bits 27-29, row 11-26, column 1-10 (16-bit beats).
  const a = (bank: number, row: number, column = 0): number => bank * 2 ** 27 + row * 2 ** 11 + column * 2;
  const lines = (rs: Array<[number, number, boolean?]>): string[] => rs.map(([c, x, w]) => `${c}:\t${w ? 'write' : 'read'}\t0x${x.toString(16)}`);
  const mech = (name: string, rs: Array<[number, number, boolean?]>, mc: Record<string, string | number>, dev = LPDDR4): void =>
    add(`lpddr4-${name}`, { ...DRAMSYS_DEFAULT, ...mc }, writeTrace(`lpddr4-${name}`, lines(rs)), dev);
  const deep = { Scheduler: 'FrFcfs', RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 64 };
  // Multi-cycle commands on one bus: hits, misses and conflicts across the banks.
  mech('commands', Array.from({ length: 64 }, (_, i) => [i * 2, a(i % 8, (i >> 3) % 3, (i * 16) % 1024), i % 5 === 4]), deep);
  // Activates to all eight banks at once: tRRD and the four-activate window.
  mech('faw', Array.from({ length: 32 }, (_, i) => [0, a(i % 8, i >> 3)]), deep);
  // Read/write turnarounds within one open row, and auto-precharge with Closed pages.
  const mixed = Array.from({ length: 48 }, (_, i): [number, number, boolean] => [i, a(i % 2, 0, (i * 16) % 1024), i % 3 === 1]);
  mech('turnarounds', mixed, deep);
  mech('closed', mixed, { ...deep, PagePolicy: 'Closed' });
  // Refresh: a busy stream across several intervals, forced, postponed and pulled in.
  const busy = Array.from({ length: 4000 }, (_, i): [number, number] => [i * 2, a((i * 3) % 8, (i >> 4) % 64, (i * 16) % 1024)]);
  for (const policy of ['AllBank', 'PerBank']) {
    mech(`refresh-${policy}-forced`, busy, { ...deep, RefreshPolicy: policy, RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    mech(`refresh-${policy}-flexible`, busy, { ...deep, RefreshPolicy: policy, RefreshMaxPostponed: 2, RefreshMaxPulledin: 2 });
  }
  // Power-down and self-refresh: requests with long idle gaps.
  const gaps = Array.from({ length: 60 }, (_, i): [number, number, boolean] => [i * 1500 + (i % 4) * 7, a(i % 8, i % 5, 64), i % 3 === 2]);
  for (const policy of ['AllBank', 'PerBank']) mech(`power-down-${policy}`, gaps, { PowerDownPolicy: 'Staggered', RefreshPolicy: policy });
  // Two ranks (rank bit 30): rank-to-rank turnarounds.
  const spec = readJsonFile(resourcePath('memspecs', LPDDR4.memspec)) as { memspec: { memarchitecturespec: Record<string, number> } };
  spec.memspec.memarchitecturespec.nbrOfRanks = 2;
  const ranksSpec = join(WORK, 'lpddr4-2ranks.json');
  writeFileSync(ranksSpec, JSON.stringify(spec));
  const mapping = readJsonFile(resourcePath('amconfigs', LPDDR4.addressmapping)) as { CONGEN: Record<string, number[]> };
  mapping.CONGEN.RANK_BIT = [30];
  const ranksMapping = join(WORK, 'am_lpddr4_2ranks.json');
  writeFileSync(ranksMapping, JSON.stringify(mapping));
  // Reads only agree with DRAMSys; with writes, a write after a read on the other rank waits for the
  // read's data to leave the bus here (DRAMSys lets them overlap: README "Agreement with DRAMSys").
  const twoRanks = (writes: boolean) => Array.from({ length: 64 }, (_, i): [number, number, boolean] => [i * 3, (i % 2) * 2 ** 30 + a(i % 4, 0, (i * 16) % 1024), writes && i % 4 === 3]);
  mech('two-ranks', twoRanks(false), { ...deep, RefreshPolicy: 'PerBank' }, { memspec: ranksSpec, addressmapping: ranksMapping });
  mech('two-ranks-writes (differs)', twoRanks(true), { ...deep, RefreshPolicy: 'PerBank' }, { memspec: ranksSpec, addressmapping: ranksMapping });
  // The cases of test/simulators/lpddr4.test.ts (expected cycles derived there by hand), in the
  // controller's clock (1600 MHz).
  const faw80 = { memspec: variantMemspec(LPDDR4.memspec, 'lpddr4-faw80', { FAW: 80 }), addressmapping: LPDDR4.addressmapping };
  const rrd1 = { memspec: variantMemspec(LPDDR4.memspec, 'lpddr4-rrd1', { RRD: 1 }), addressmapping: LPDDR4.addressmapping };
  const golden = (name: string, rs: Array<[number, number, boolean?]>, mc: Record<string, string | number>, dev = LPDDR4): void => {
    cases.push({ suite: 'lpddr4', name: `golden-lpddr4-${name}`, ...dev, mcconfig: { ...DRAMSYS_DEFAULT, ...mc }, trace: writeTrace(`golden-lpddr4-${name}`, lines(rs)), clkMhz: 1600, power: false });
  };
  const refresh = { RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 };
  const five: Array<[number, number]> = [0, 1, 2, 3, 4].map((b) => [0, a(b, 0)]);
  golden('idle-read', [[0, a(0, 0)]], {});
  golden('row-hit', [[0, a(0, 0)], [0, a(0, 0, 16)]], {});
  golden('row-conflict', [[0, a(0, 0)], [0, a(0, 1)]], {});
  golden('write', [[0, a(0, 0), true]], {});
  golden('write-read', [[0, a(0, 0), true], [0, a(0, 0, 16)]], {});
  golden('read-write', [[0, a(0, 0)], [0, a(0, 0, 16), true]], {});
  golden('write-precharge', [[0, a(0, 0), true], [0, a(0, 1)]], {});
  golden('rrd', five, deep);
  golden('faw', five, deep, faw80);
  golden('bus', [[0, a(0, 0)], [0, a(1, 0)]], deep, rrd1);
  golden('faw-refpb', [1, 2, 3, 4].map((b): [number, number] => [780, a(b, 0)]), { ...deep, RefreshPolicy: 'PerBank', ...refresh }, faw80);
  golden('allbank', [[6246, a(3, 5)]], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
  golden('allbank-prea', [[0, a(0, 0)], [6246, a(0, 0, 16)]], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
  golden('perbank', [[780, a(0, 0)], [780, a(1, 0)]], { RefreshPolicy: 'PerBank', ...refresh, RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 8 });
  golden('perbank-rounds', [[3000, a(7, 0)]], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 });
  golden('power-down', [[100, a(0, 0)]], { PowerDownPolicy: 'Staggered' });
  golden('self-refresh', [[8000, a(0, 0)]], { PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
  const ranks = { memspec: ranksSpec, addressmapping: ranksMapping };
  golden('ranks-read-read', [[0, a(0, 0)], [0, 2 ** 30 + a(0, 0)]], deep, ranks);
  golden('ranks-write-read', [[0, a(0, 0), true], [0, 2 ** 30 + a(0, 0)]], deep, ranks);
  golden('ranks-read-write (differs)', [[0, a(0, 0)], [0, 2 ** 30 + a(0, 0), true]], deep, ranks);
  return cases;
}

/** A copy of a DRAMSys memspec with memtimingspec values changed, written for both simulators. */
function variantMemspec(memspec: string, name: string, timing: Record<string, number>): string {
  const doc = readJsonFile(resourcePath('memspecs', memspec)) as { memspec: { memtimingspec: Record<string, number> } };
  Object.assign(doc.memspec.memtimingspec, timing);
  const path = join(WORK, `${name}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** Parses DRAMSys's summary lines; times may be printed in ns or ps. Without power analysis, power and energy are NaN. */
function parseDramsys(out: string, power: boolean): { totalTimeNs: number; averagePowerMw: number; energyPj: number } {
  const time = /Total Time:\s+([\d.]+)\s*(ns|ps|us)/.exec(out);
  const mw = /Average Power:\s+([\d.]+)\s*mW/.exec(out);
  const energy = /Total Energy:\s+([\d.]+)\s*pJ/.exec(out);
  if (!time || (power && (!mw || !energy))) throw new Error(`unexpected output: ${out.split('\n').filter((l) => l.trim()).slice(-3).join(' | ')}`);
  const scale = time[2] === 'ps' ? 1e-3 : time[2] === 'us' ? 1e3 : 1;
  return { totalTimeNs: Number(time[1]) * scale, averagePowerMw: mw ? Number(mw[1]) : NaN, energyPj: energy ? Number(energy[1]) : NaN };
}

/** DRAMPower's command codes (MemCommand::cmds), as marl-dse names them. */
const DRAMPOWER_COMMANDS: Record<number, string> = {
  0: 'ACT', 1: 'RD', 2: 'WR', 3: 'PRE', 4: 'REF', 5: 'REFPB', 7: 'RDA', 8: 'WRA', 9: 'PREA',
  11: 'PDEP', 13: 'PDEA', 14: 'PDXP', 15: 'PDXA', 16: 'SREFEN', 17: 'SREFEX',
};

/** DRAMSys 2021's Command enum (controller/Command.h), as marl-dse names the commands. */
const DRAMSYS_COMMANDS = ['NOP', 'RD', 'WR', 'RDA', 'WRA', 'ACT', 'PRE', 'REFPB', 'PRESB', 'REFSB', 'PREA', 'REF', 'PDEA', 'PDXA', 'PDEP', 'PDXP', 'SREFEN', 'SREFEX'];

interface TracedCommand {
  cycle: number;
  command: string;
  bank: number;
  channel: number;
}

/**
 * The gdb script that prints every command DRAMSys issues: without power analysis DRAMPower is
 * not called, so it breaks on the standard's checker (`Checker<type>::insert(Command, Rank,
 * BankGroup, Bank)`, at the issue time; `this` tells the channels apart), else on
 * `libDRAMPower::doCommand(type, bank, cycle)` (the cycle includes ThinkDelayFw + PhyDelayFw).
 */
function gdbScript(c: Case): string {
  if (c.power !== false) return 'set pagination off\nbreak libDRAMPower::doCommand\ncommands\nsilent\nprintf "CMD %d %d %ld\\n", $rsi, $rdx, $rcx\ncontinue\nend\nrun\n';
  const type = (readJsonFile(resourcePath('memspecs', c.memspec)) as { memspec: { memoryType: string } }).memspec.memoryType;
  // sc_time_stamp() returns a reference to the time in picoseconds; read the arguments before calling it.
  return [
    'set pagination off', `break Checker${type}::insert`, 'commands', 'silent',
    'set $c = $rsi', 'set $b = $r8', 'set $self = $rdi',
    "set $now = ((unsigned long (*)(void)) 'sc_core::sc_time_stamp()')()",
    'printf "CHK %d %d %lu %lu\\n", $c, $b, *(unsigned long*)$now, $self', 'continue', 'end', 'run', '',
  ].join('\n');
}

function parseTrace(c: Case, out: string): TracedCommand[] {
  if (c.power !== false) {
    return [...out.matchAll(/^CMD (\d+) (-?\d+) (\d+)$/gm)].map((m) => ({ command: DRAMPOWER_COMMANDS[Number(m[1])] ?? `#${m[1]}`, bank: Number(m[2]), cycle: Number(m[3]), channel: 0 }));
  }
  const tck = parseMemSpec(readJsonFile(resourcePath('memspecs', c.memspec)), c.memspec).tCkNs * 1000;
  const rows = [...out.matchAll(/^CHK (\d+) (\d+) (\d+) (\d+)$/gm)];
  // Each channel has its checker, allocated in channel order.
  const checkers = [...new Set(rows.map((m) => BigInt(m[4])))].sort((a, b) => (a < b ? -1 : 1));
  return rows.map((m) => ({
    command: DRAMSYS_COMMANDS[Number(m[1])] ?? `#${m[1]}`,
    bank: Number(m[2]),
    // In cycles, to the picosecond (DRAMSys's HBM2 commands may fall 1 ps before an edge).
    cycle: Number(m[3]) / tck,
    channel: checkers.indexOf(BigInt(m[4])),
  }));
}

function runDramsys(c: Case, index: number, trace = false): Promise<Outcome['dramsys'] & { commands?: TracedCommand[] }> {
  const power = c.power ?? true;
  const dir = join(WORK, `run-${index}`);
  for (const sub of ['configs/memspecs', 'configs/amconfigs', 'configs/mcconfigs', 'configs/simulator', 'configs/thermalsim', 'traces']) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  copyFileSync(resourcePath('memspecs', c.memspec), join(dir, 'configs/memspecs', basename(c.memspec)));
  copyFileSync(resourcePath('amconfigs', c.addressmapping), join(dir, 'configs/amconfigs', basename(c.addressmapping)));
  writeFileSync(join(dir, 'configs/mcconfigs/mc.json'), JSON.stringify({ mcconfig: c.mcconfig }));
  writeFileSync(
    join(dir, 'configs/simulator/sim.json'),
    JSON.stringify({
      simconfig: {
        AddressOffset: 0, CheckTLM2Protocol: false, DatabaseRecording: false, Debug: false, ECCControllerMode: 'Disabled',
        EnableWindowing: false, ErrorCSVFile: '', ErrorChipSeed: 42, PowerAnalysis: c.power !== false, SimulationName: 'fidelity',
        SimulationProgressBar: false, StoreMode: 'NoStorage', ThermalSimulation: false, UseMalloc: false, WindowSize: 1000,
      },
    }),
  );
  for (const f of readdirSync(join(RES, 'configs/thermalsim'))) copyFileSync(join(RES, 'configs/thermalsim', f), join(dir, 'configs/thermalsim', f));
  copyFileSync(resourcePath('traces', c.trace), join(dir, 'traces', 'trace.stl'));
  writeFileSync(
    join(dir, 'simulation.json'),
    JSON.stringify({
      simulation: {
        addressmapping: basename(c.addressmapping), mcconfig: 'mc.json', memspec: basename(c.memspec), simconfig: 'sim.json',
        simulationid: 'fidelity', thermalconfig: 'config.json', tracesetup: [{ clkMhz: c.clkMhz, name: 'trace.stl' }],
      },
    }),
  );
  const memspec = parseMemSpec(readJsonFile(resourcePath('memspecs', c.memspec)), c.memspec);
  return new Promise((done) => {
    // With `trace`, DRAMSys runs under gdb, which prints every command it issues (see gdbScript).
    const script = join(dir, 'trace.gdb');
    writeFileSync(script, gdbScript(c));
    const gdb = ['-q', '-batch', '-x', script, '--args'];
    const child = trace
      ? spawn('gdb', [...gdb, BIN!, join(dir, 'simulation.json'), dir + '/'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(BIN!, [join(dir, 'simulation.json'), dir + '/'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      try {
        const commands = trace ? parseTrace(c, out) : undefined;
        done({ ...parseDramsys(out, c.power !== false), commands });
      } catch (e) {
        done({ error: `exit ${code}: ${(e as Error).message}` });
      }
    });
  });
}

function runMarl(c: Case): Outcome['marl'] {
  try {
    const memspec = parseMemSpec(readJsonFile(resourcePath('memspecs', c.memspec)), c.memspec);
    const mapping = parseAddressMapping(readJsonFile(resourcePath('amconfigs', c.addressmapping)), c.addressmapping);
    const mc = withOverrides(DEFAULT_MCCONFIG, c.mcconfig, 'mcconfig');
    const s = simulate(openTraceFile(resourcePath('traces', c.trace)), memspec, mapping, mc, { clkMhz: c.clkMhz });
    const power = c.power ?? true;
    return { totalTimeNs: s.totalTimeNs, averagePowerMw: power ? s.averagePowerMw : NaN, energyPj: power ? s.energyPj : NaN };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function ranks(xs: number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function spearman(a: number[], b: number[]): number {
  return a.length > 2 ? sampleCorrelation(ranks(a), ranks(b)) : NaN;
}

type Metric = 'totalTimeNs' | 'averagePowerMw';

function summarise(label: string, outcomes: Outcome[]): Record<string, unknown> {
  const all = outcomes.filter((o) => !('error' in o.dramsys) && !('error' in o.marl)) as Array<Outcome & { dramsys: { [k: string]: number }; marl: { [k: string]: number } }>;
  const res: Record<string, unknown> = { suite: label, cases: outcomes.length, compared: all.length };
  const lines: string[] = [`${label}: ${all.length} of ${outcomes.length} cases compared`];
  for (const m of ['totalTimeNs', 'averagePowerMw'] as Metric[]) {
    // Power only where DRAMSys computes it.
    const ok = all.filter((o) => Number.isFinite(o.dramsys[m]));
    if (ok.length === 0) continue;
    const err = ok.map((o) => Math.abs(o.marl[m] - o.dramsys[m]) / o.dramsys[m]);
    const sorted = [...err].sort((a, b) => a - b);
    const within1 = err.filter((e) => e <= 0.01).length;
    const rho = spearman(ok.map((o) => o.dramsys[m]), ok.map((o) => o.marl[m]));
    const worstIdx = err.indexOf(sorted[sorted.length - 1]);
    res[m] = { spearman: rho, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), worst: sorted[sorted.length - 1], within1Percent: within1 };
    lines.push(
      `  ${m.padEnd(15)} ρ ${rho.toFixed(5)}  median ${(quantile(sorted, 0.5) * 100).toFixed(3)} %  p90 ${(quantile(sorted, 0.9) * 100).toFixed(3)} %  worst ${((sorted[sorted.length - 1] ?? NaN) * 100).toFixed(2)} %  within 1 %: ${within1}/${ok.length}` +
        (worstIdx >= 0 ? `\n    worst: ${ok[worstIdx].c.name} (DRAMSys ${ok[worstIdx].dramsys[m]}, marl-dse ${ok[worstIdx].marl[m].toFixed(3)})` : ''),
    );
  }
  const failed = outcomes.filter((o) => 'error' in o.dramsys || 'error' in o.marl);
  for (const f of failed.slice(0, 5)) lines.push(`  failed: ${f.c.name}: ${'error' in f.dramsys ? `DRAMSys ${f.dramsys.error}` : ''} ${'error' in f.marl ? `marl-dse ${f.marl.error}` : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
  return res;
}

/**
 * Runs one case with both simulators recording commands (DRAMSys under gdb) and prints the first
 * commands where they part. Rank-wide commands are compared without their bank; commands of one
 * cycle (a row and a column command, several channels) in a fixed order.
 */
async function diffCommands(c: Case): Promise<void> {
  const d = await runDramsys(c, 0, true);
  if ('error' in d) throw new Error(d.error);
  const memspec = parseMemSpec(readJsonFile(resourcePath('memspecs', c.memspec)), c.memspec);
  const mapping = parseAddressMapping(readJsonFile(resourcePath('amconfigs', c.addressmapping)), c.addressmapping);
  const mc = withOverrides(DEFAULT_MCCONFIG, c.mcconfig, 'mcconfig');
  const { stats, channelCommands } = simulateWithCommands(openTraceFile(resourcePath('traces', c.trace)), memspec, mapping, mc, { clkMhz: c.clkMhz });
  // DRAMPower sees commands ThinkDelayFw + PhyDelayFw late; the checker at their issue.
  const shift = c.power === false ? 0 : Math.round((mc.ThinkDelayFw + mc.PhyDelayFw) / memspec.tCkNs);
  const rankWide = new Set(['PREA', 'REF', 'PDEA', 'PDEP', 'PDXA', 'PDXP', 'SREFEN', 'SREFEX']);
  const order = (a: TracedCommand, b: TracedCommand): number =>
    a.cycle - b.cycle || a.channel - b.channel || a.command.localeCompare(b.command) || a.bank - b.bank;
  const ours: TracedCommand[] = [];
  channelCommands.forEach((commands, channel) => {
    for (let i = 0; i < commands.length; i++) {
      const command = COMMAND_NAMES[commands.cmd[i]];
      const ps = Math.round((commands.time[i] + shift) * memspec.tCkNs * 1000);
      ours.push({ cycle: ps / (memspec.tCkNs * 1000), command, bank: rankWide.has(command) ? 0 : commands.bank[i], channel });
    }
  });
  ours.sort(order);
  const theirs = (d.commands ?? []).map((x) => ({ ...x, bank: rankWide.has(x.command) ? 0 : x.bank })).sort(order);
  const same = (a: TracedCommand, b: TracedCommand): boolean => order(a, b) === 0;
  const show = (x: TracedCommand | undefined): string => (x ? `${+x.cycle.toFixed(3)} ${x.command} ${x.bank}${x.channel > 0 ? ` ch${x.channel}` : ''}` : '—');
  const dump = arg('dump');
  if (dump) {
    writeFileSync(`${dump}.dramsys.txt`, theirs.map(show).join('\n') + '\n');
    writeFileSync(`${dump}.marl-dse.txt`, ours.map(show).join('\n') + '\n');
  }
  let i = 0;
  while (i < ours.length && i < theirs.length && same(ours[i], theirs[i])) i++;
  process.stdout.write(`${c.name}\nDRAMSys ${d.totalTimeNs} ns ${d.averagePowerMw} mW, ${theirs.length} commands; marl-dse ${stats.totalTimeNs} ns ${stats.averagePowerMw.toFixed(2)} mW, ${ours.length} commands\n`);
  if (i === ours.length && i === theirs.length) {
    process.stdout.write('the command streams are identical\n');
    return;
  }
  process.stdout.write(`first difference at command ${i}:\n  DRAMSys           | marl-dse\n`);
  for (let k = Math.max(0, i - 6); k < i + 10; k++) process.stdout.write(`${k === i ? '>' : ' '} ${show(theirs[k]).padEnd(22)}| ${show(ours[k])}\n`);
}

async function main(): Promise<void> {
  const suites = (arg('suite', 'mechanisms,reference,ddr4') ?? '').split(',');
  const n = Number(arg('designs', '200'));
  const seed = Number(arg('seed', '1'));
  const traces = (arg('traces', REFERENCE_TRACES.map((t) => t.replace('.stl', '')).join(',')) ?? '').split(',').map((t) => `${t}.stl`);
  const designs = sampleDesigns(n, seed);
  const cases: Case[] = [];
  if (suites.includes('mechanisms')) cases.push(...mechanismCases());
  if (suites.includes('reference')) cases.push(...referenceCases(designs, traces));
  if (suites.includes('wide')) cases.push(...wideCases(sampleDesigns(n, seed, 'wide'), traces));
  if (suites.includes('differences')) cases.push(...differenceCases(traces));
  if (suites.includes('ddr4')) cases.push(...ddr4Cases(designs.slice(0, Math.max(2, Math.ceil(n / 4))), traces));
  if (suites.includes('hbm2')) {
    // Closed pages with power-down differ on purpose (the differences suite measures them on DDR3).
    const wide = sampleDesigns(Math.ceil(n / 2), seed, 'wide', true).filter((d) => !(String(d.PagePolicy).startsWith('Closed') && d.PowerDownPolicy === 'Staggered'));
    cases.push(...hbm2Cases(designs, wide, traces));
  }
  if (suites.includes('lpddr4')) cases.push(...lpddr4Cases(designs, traces));

  const only = arg('case');
  if (process.argv.includes('--diff')) {
    const c = cases.find((x) => x.name.includes(only ?? ''));
    if (!c) throw new Error(`no case matches "${only}"`);
    await diffCommands(c);
    rmSync(WORK, { recursive: true, force: true });
    return;
  }
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0, finished = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      const dramsys = await runDramsys(c, i);
      const marl = runMarl(c);
      outcomes[i] = { c, dramsys, marl };
      finished++;
      if (VERBOSE || c.suite === 'mechanisms' || c.suite === 'differences' || c.name.startsWith('mechanism ') || /^(golden-)?lpddr4-/.test(c.name)) {
        const mw = (x: number): string => (Number.isFinite(x) ? ` ${x.toFixed(2)} mW` : '');
        const d = 'error' in dramsys ? dramsys.error : `${dramsys.totalTimeNs} ns${mw(dramsys.averagePowerMw)}`;
        const m = 'error' in marl ? marl.error : `${marl.totalTimeNs} ns${mw(marl.averagePowerMw)}`;
        process.stdout.write(`[${finished}/${cases.length}] ${c.suite} ${c.name}: DRAMSys ${d} | marl-dse ${m}\n`);
      } else if (process.stderr.isTTY) process.stderr.write(`\r${finished}/${cases.length}`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  if (process.stderr.isTTY) process.stderr.write('\n');
  const summary = [...new Set(cases.map((c) => c.suite))].map((s) => summarise(s, outcomes.filter((o) => o.c.suite === s)));
  summary.push(summarise('all', outcomes));
  const out = arg('out');
  if (out) writeFileSync(out, JSON.stringify({ summary, outcomes }, null, 1));
  rmSync(WORK, { recursive: true, force: true });
}

await main();
