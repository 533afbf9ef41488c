/**
 * DDR5 (JESD79-5): one 32-bit sub-channel per channel (a DIMM's two sub-channels are two channels),
 * 8 bank groups (x4/x8; 4 on x16), BL16, two-cycle ACT/RD/RDA/WR/WRA on the CA bus, same-bank
 * precharge (PREsb) and refresh (REFsb, mcconfig RefreshPolicy SameBank), normal and
 * fine-granularity all-bank refresh (memarchitecturespec RefMode 1/2: tREFI1 with tRFC1, tREFI2 with
 * tRFC2), power-down and self-refresh, VDD and VPP supplies.
 *
 * Public DRAMSys has no DDR5 model in any version (2021 `CheckerDDR5.cpp` is a stub; later ones are
 * a closed extension), so nothing here is DRAMSys's. Sources:
 * - memspec keys: DRAMUtils `include/DRAMUtils/memspec/standards/MemSpecDDR5.h` (DRAMSys's schema);
 * - rules: Ramulator 2 v2.0a `src/dram/impl/DDR5.cpp` (the only public source of the PREsb/REFsb
 *   rows) and HEAD `python/ramulator/dram/ddr5.py` (tPPD, its multi-cycle convention), each value
 *   checked against the JEDEC JESD79-5 parameter it names;
 * - power: DRAMPower 5/6 `standards/ddr5` (VDD and VPP rails, IDD5B/IDD5F by RefMode, IDD5C for
 *   same-bank refresh, a refresh keeping its banks active for its whole tRFC).
 * Where the sources part: WR→WR in one bank group uses tCCD_L_WR2 (full-burst writes need no
 * read-modify-write; Ramulator HEAD uses tCCD_L_WR for every write); REFsb→ACT and REFsb→REFsb to
 * another bank wait tREFSBRD (a DRAMUtils key no public rule table uses); the rank-switch
 * turnarounds carry the read and write preambles, as DDR4's do in DRAMSys.
 *
 * Convention: every value below is JEDEC's, counted between the cycles in which the two commands
 * complete (their last CA cycle), as Ramulator 2 HEAD states and as DRAMSys's LPDDR4 numbers are
 * built. The engine counts between the cycles commands start, so `startToStart` adds
 * (length(from) − 1) − (length(to) − 1): +1 from a two-cycle to a one-cycle command (ACT→PRE is
 * tRAS + 1), −1 the other way (PRE→ACT is tRP − 1), 0 between commands of one length. Read and
 * write data likewise follow RL and WL after the column command's second cycle.
 */
import { InputError } from '../../../common/errors.js';
import type { CmdName, TimingConstraint } from '../commands.js';
import { type JsonObject, current, cycles } from '../json.js';
import { refMode } from './common.js';
import type { ArchInfo, CommandSpec, DataTiming, DramStandard, EnergyTiming, Rail, RefreshPolicyName, RefreshSpec, Rule, Timing } from './standard.js';

const COMMANDS: Readonly<Partial<Record<CmdName, CommandSpec>>> = {
  ACT: { effect: 'activate', target: 'bank', length: 2, window: true },
  PRE: { effect: 'precharge', target: 'bank' },
  PREA: { effect: 'precharge', target: 'rank' },
  PRESB: { effect: 'precharge', target: 'sameBank' },
  RD: { effect: 'read', target: 'bank', length: 2 },
  RDA: { effect: 'readAuto', target: 'bank', length: 2 },
  WR: { effect: 'write', target: 'bank', length: 2 },
  WRA: { effect: 'writeAuto', target: 'bank', length: 2 },
  REF: { effect: 'refresh', target: 'rank' },
  REFSB: { effect: 'refresh', target: 'sameBank' },
  PDEA: { effect: 'powerDown', target: 'rank' },
  PDXA: { effect: 'powerUp', target: 'rank' },
  PDEP: { effect: 'powerDown', target: 'rank' },
  PDXP: { effect: 'powerUp', target: 'rank' },
  SREFEN: { effect: 'selfRefreshEntry', target: 'rank' },
  SREFEX: { effect: 'selfRefreshExit', target: 'rank' },
};

const TIMING_KEYS = [
  // DRAMUtils MemSpecDDR5 (all accepted; the _dlr/_dpr, _M, RPST/WPST/RDDQS and CCD_L_WR keys have no effect here)
  'RAS', 'RCD', 'RTP', 'WL', 'WR', 'RP', 'PPD', 'RL', 'RPRE', 'RPST', 'RDDQS', 'WPRE', 'WPST',
  'CCD_L_slr', 'CCD_L_WR_slr', 'CCD_L_WR2_slr', 'CCD_M_slr', 'CCD_M_WR_slr', 'CCD_S_slr', 'CCD_S_WR_slr',
  'CCD_dlr', 'CCD_WR_dlr', 'CCD_WR_dpr', 'RRD_L_slr', 'RRD_S_slr', 'RRD_dlr', 'FAW_slr', 'FAW_dlr',
  'WTR_L', 'WTR_M', 'WTR_S', 'RFC1_slr', 'RFC2_slr', 'RFC1_dlr', 'RFC2_dlr', 'RFC1_dpr', 'RFC2_dpr',
  'RFCsb_slr', 'RFCsb_dlr', 'REFI1', 'REFI2', 'REFISB', 'REFSBRD_slr', 'REFSBRD_dlr', 'RTRS',
  'CPDED', 'PD', 'XP', 'ACTPDEN', 'PRPDEN', 'REFPDEN',
  // Self-refresh exit, which DRAMUtils does not name: tXS (default tRFC1) and tXS_DLL (default tXS).
  'XS', 'XSDLL',
];

/** memarchitecturespec keys the model covers only at 1, refused otherwise. */
const ONLY_ONE: ReadonlyArray<[string, string]> = [
  ['nbrOfLogicalRanks', '3DS logical ranks (the _dlr timings) are not modelled'],
  ['cmdMode', '2N command timing is not modelled'],
];

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  for (const [key, why] of ONLY_ONE) {
    const v = arch.json[key] === undefined ? 1 : cycles(arch.json, key, arch.where);
    if (v !== 1) throw new InputError(`${arch.where}.${key}: ${why}; expected 1, got ${v}`);
  }
  // Normal (1) or fine-granularity (2) all-bank refresh.
  const mode = refMode(arch, null, at, [1, 2]);
  const RAS = c('RAS');
  const RP = c('RP');
  const RFC1 = c('RFC1_slr');
  const RFC2 = c('RFC2_slr');
  const XS = c('XS', RFC1);
  return {
    RefMode: mode,
    RCD: c('RCD'),
    RP,
    RAS,
    RC: RAS + RP,
    RL: c('RL'),
    WL: c('WL'),
    RTP: c('RTP'),
    WR: c('WR'),
    PPD: c('PPD'),
    CCD_S: c('CCD_S_slr'),
    CCD_L: c('CCD_L_slr'),
    CCD_S_WR: c('CCD_S_WR_slr'),
    CCD_L_WR2: c('CCD_L_WR2_slr'),
    RRD_S: c('RRD_S_slr'),
    RRD_L: c('RRD_L_slr'),
    FAW: c('FAW_slr'),
    WTR_S: c('WTR_S'),
    WTR_L: c('WTR_L'),
    RTRS: c('RTRS'),
    RPRE: c('RPRE'),
    WPRE: c('WPRE'),
    RFC1,
    RFC2,
    RFC: mode === 2 ? RFC2 : RFC1,
    REFI: mode === 2 ? c('REFI2') : c('REFI1'),
    RFCsb: c('RFCsb_slr'),
    REFISB: c('REFISB'),
    REFSBRD: c('REFSBRD_slr'),
    XP: c('XP'),
    PD: c('PD'),
    CPDED: c('CPDED'),
    ACTPDEN: c('ACTPDEN'),
    PRPDEN: c('PRPDEN'),
    REFPDEN: c('REFPDEN'),
    XS,
    XSDLL: c('XSDLL', XS),
    BURST: Math.floor(arch.burstLength / arch.dataRate),
  };
}

function checkTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  const atLeast = (a: string, key: string, b: string): void => need(t[a] >= t[b], key, `${a} (${t[a]}) is less than ${b} (${t[b]})`);
  atLeast('RAS', 'RAS', 'RCD');
  atLeast('CCD_L', 'CCD_L_slr', 'CCD_S');
  atLeast('CCD_L_WR2', 'CCD_L_WR2_slr', 'CCD_S_WR');
  atLeast('RRD_L', 'RRD_L_slr', 'RRD_S');
  atLeast('WTR_L', 'WTR_L', 'WTR_S');
  atLeast('RFC1', 'RFC1_slr', 'RFCsb');
  need(t.CCD_S >= t.BURST, 'CCD_S_slr', `CCD_S (${t.CCD_S}) is shorter than a burst (${t.BURST} cycles)`);
  need(t.CCD_S_WR >= t.BURST, 'CCD_S_WR_slr', `CCD_S_WR (${t.CCD_S_WR}) is shorter than a burst (${t.BURST} cycles)`);
  need(t.REFI > t.RFC, t.RefMode === 2 ? 'REFI2' : 'REFI1', `the refresh interval (${t.REFI}) must exceed RFC (${t.RFC})`);
  need(t.REFISB > t.RFCsb, 'REFISB', `REFISB (${t.REFISB}) must exceed RFCsb (${t.RFCsb})`);
}

/** VDD and VPP with DRAMPower's DDR5 currents: all-bank refresh IDD5B (RefMode 1) or IDD5F (RefMode 2), same-bank IDD5C. */
function readPower(p: JsonObject, at: string, scale: number, _t: Timing, arch: ArchInfo): Rail[] {
  const fine = refMode(arch, null, at, [1, 2]) === 2;
  const rail = (name: string, supply: string, prefix: string): Rail => {
    const i = (k: string): number => current(p, prefix + k, at, scale);
    return {
      name,
      voltage: current(p, supply, at, 1),
      currents: {
        idd0: i('0'),
        idd2n: i('2n'),
        idd3n: i('3n'),
        idd4r: i('4r'),
        idd4w: i('4w'),
        idd5: i(fine ? '5f' : '5b'),
        idd5pb: i('5c'),
        idd2p: i('2p'),
        idd3p: i('3p'),
        idd6: i('6n'),
      },
    };
  };
  return [rail('VDD', 'vdd', 'idd'), rail('VPP', 'vpp', 'ipp')];
}

const READS: CmdName[] = ['RD', 'RDA'];
const WRITES: CmdName[] = ['WR', 'WRA'];
const COLUMN: CmdName[] = [...READS, ...WRITES];
const PRECHARGES: CmdName[] = ['PRE', 'PREA', 'PRESB'];
const PD_EXITS: CmdName[] = ['PDXA', 'PDXP'];

/** JEDEC values (between the commands' last cycles) to the engine's cycles between their first. */
function startToStart(rules: readonly Rule[]): TimingConstraint[] {
  const extra = (c: CmdName): number => (COMMANDS[c]!.length ?? 1) - 1;
  const out: TimingConstraint[] = [];
  for (const [from, to, scope, cycles, param] of rules) {
    for (const f of from) for (const g of to) out.push({ from: [f], to: [g], scope, cycles: cycles + extra(f) - extra(g), param });
  }
  return out;
}

/** DDR5's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`", in JEDEC's values. */
export function ddr5Constraints(t: Timing): TimingConstraint[] {
  const WRPRE = t.WL + t.BURST + t.WR;
  const RDPDEN = t.RL + t.BURST + 1;
  const WRAPDEN = WRPRE + 1;
  const R = 'rank', G = 'bankGroup', B = 'bank', O = 'otherRanks';
  const rules: Rule[] = [
    // Column commands. Read to write: the read burst, its postamble (0.5 tCK, rounded to 2 with the
    // bus turnaround, as Ramulator 2) and the write preamble.
    [['ACT'], COLUMN, B, t.RCD, 'tRCD'],
    [READS, READS, G, t.CCD_L, 'tCCD_L'],
    [READS, READS, R, t.CCD_S, 'tCCD_S'],
    [READS, READS, O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [WRITES, WRITES, G, t.CCD_L_WR2, 'tCCD_L_WR2'],
    [WRITES, WRITES, R, t.CCD_S_WR, 'tCCD_S_WR'],
    [WRITES, WRITES, O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [WRITES, READS, G, t.WL + t.BURST + t.WTR_L, 'tWL+tBURST+tWTR_L'],
    [WRITES, READS, R, t.WL + t.BURST + t.WTR_S, 'tWL+tBURST+tWTR_S'],
    [WRITES, READS, O, t.WL + t.BURST + t.RTRS - t.RL + t.RPRE, 'tWL+tBURST+tRTRS-tRL+tRPRE'],
    [READS, WRITES, R, t.RL + t.BURST + 2 - t.WL + t.WPRE, 'tRL+tBURST+2-tWL+tWPRE'],
    [READS, WRITES, O, t.RL + t.BURST + t.RTRS - t.WL + t.WPRE, 'tRL+tBURST+tRTRS-tWL+tWPRE'],
    [['WR'], ['RDA'], B, WRPRE - t.RTP, 'tWR before auto-precharge'],
    [['SREFEX'], COLUMN, R, t.XSDLL, 'tXS_DLL'],
    // Activate
    [['ACT'], ['ACT'], B, t.RC, 'tRC'],
    [['ACT'], ['ACT'], G, t.RRD_L, 'tRRD_L'],
    [['ACT'], ['ACT'], R, t.RRD_S, 'tRRD_S'],
    [['RDA'], ['ACT'], B, t.RTP + t.RP, 'tRTP+tRP'],
    [['WRA'], ['ACT'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE', 'PRESB'], ['ACT'], B, t.RP, 'tRP'],
    [['PREA'], ['ACT'], R, t.RP, 'tRP'],
    [['REF'], ['ACT'], R, t.RFC, 'tRFC'],
    [['REFSB'], ['ACT'], B, t.RFCsb, 'tRFCsb'],
    [['REFSB'], ['ACT'], R, t.REFSBRD, 'tREFSBRD'],
    [['SREFEX'], ['ACT'], R, t.XS, 'tXS'],
    // Precharge (tPPD between any two precharges of a rank)
    [['ACT'], ['PRE', 'PRESB'], B, t.RAS, 'tRAS'],
    [['ACT'], ['PREA'], R, t.RAS, 'tRAS'],
    [['RD'], ['PRE', 'PRESB'], B, t.RTP, 'tRTP'],
    [READS, ['PREA'], R, t.RTP, 'tRTP'],
    [['WR'], ['PRE', 'PRESB'], B, WRPRE, 'tWL+tBURST+tWR'],
    [WRITES, ['PREA'], R, WRPRE, 'tWL+tBURST+tWR'],
    [PRECHARGES, PRECHARGES, R, t.PPD, 'tPPD'],
    [['REF'], PRECHARGES, R, t.RFC, 'tRFC'],
    [['REFSB'], ['PRE', 'PRESB'], B, t.RFCsb, 'tRFCsb'],
    [['REFSB'], ['PREA'], R, t.RFCsb, 'tRFCsb'],
    [['SREFEX'], PRECHARGES, R, t.XS, 'tXS'],
    // All-bank refresh
    [['ACT'], ['REF'], R, t.RC, 'tRC'],
    [['RDA'], ['REF'], R, t.RTP + t.RP, 'tRTP+tRP'],
    [['WRA'], ['REF'], R, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [PRECHARGES, ['REF'], R, t.RP, 'tRP'],
    [['REF'], ['REF'], R, t.RFC, 'tRFC'],
    [['REFSB'], ['REF'], R, t.RFCsb, 'tRFCsb'],
    [['SREFEX'], ['REF'], R, t.XS, 'tXS'],
    // Same-bank refresh: bank b of every bank group, each bank as if it alone were refreshed
    [['ACT'], ['REFSB'], B, t.RC, 'tRC'],
    [['RDA'], ['REFSB'], B, t.RTP + t.RP, 'tRTP+tRP'],
    [['WRA'], ['REFSB'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE', 'PRESB'], ['REFSB'], B, t.RP, 'tRP'],
    [['PREA'], ['REFSB'], R, t.RP, 'tRP'],
    [['REFSB'], ['REFSB'], B, t.RFCsb, 'tRFCsb'],
    [['REFSB'], ['REFSB'], R, t.REFSBRD, 'tREFSBRD'],
    [['REF'], ['REFSB'], R, t.RFC, 'tRFC'],
    [['SREFEX'], ['REFSB'], R, t.XS, 'tXS'],
    // Power-down: entered by command (DDR5 has no CKE), left after tPD; tXP to any command after.
    [PD_EXITS, ['ACT', ...PRECHARGES, ...COLUMN, 'REF', 'REFSB', 'PDEA', 'PDEP', 'SREFEN'], R, t.XP, 'tXP'],
    [['ACT'], ['PDEA'], R, t.ACTPDEN, 'tACTPDEN'],
    [READS, ['PDEA', 'PDEP'], R, RDPDEN, 'tRL+tBURST+1'],
    [['WR'], ['PDEA'], R, WRPRE, 'tWL+tBURST+tWR'],
    [['WRA'], ['PDEA', 'PDEP'], R, WRAPDEN, 'tWL+tBURST+tWR+1'],
    [['PRE', 'PRESB'], ['PDEA'], R, t.PRPDEN, 'tPRPDEN'],
    [PRECHARGES, ['PDEP'], R, t.PRPDEN, 'tPRPDEN'],
    [['REF', 'REFSB'], ['PDEA', 'PDEP'], R, t.REFPDEN, 'tREFPDEN'],
    [['PDEA'], ['PDXA'], R, Math.max(t.PD, t.CPDED), 'max(tPD, tCPDED)'],
    [['PDEP'], ['PDXP'], R, Math.max(t.PD, t.CPDED), 'max(tPD, tCPDED)'],
    [['SREFEX'], ['PDEA', 'PDEP'], R, t.XS, 'tXS'],
    // Self-refresh: entered with every bank closed and settled; left no sooner than tPD + 1 (as
    // DDR4's tCKESR = tCKE + 1 tCK: DDR5 names no minimum self-refresh time in DRAMUtils).
    [['ACT'], ['SREFEN'], R, t.RC, 'tRC'],
    [['RDA'], ['SREFEN'], R, Math.max(RDPDEN, t.RTP + t.RP), 'max(tRDPDEN, tRTP+tRP)'],
    [['WRA'], ['SREFEN'], R, Math.max(WRAPDEN, WRPRE + t.RP), 'max(tWRAPDEN, tWRPRE+tRP)'],
    [PRECHARGES, ['SREFEN'], R, t.RP, 'tRP'],
    [['REF'], ['SREFEN'], R, t.RFC, 'tRFC'],
    [['REFSB'], ['SREFEN'], R, t.RFCsb, 'tRFCsb'],
    [['SREFEX'], ['SREFEN'], R, t.XS, 'tXS'],
    [['SREFEN'], ['SREFEX'], R, t.PD + 1, 'tPD+1'],
  ];
  return startToStart(rules);
}

function dataTiming(t: Timing): DataTiming {
  // Data follows RL/WL after a column command's second cycle.
  const RL = t.RL + 1;
  const WL = t.WL + 1;
  return {
    burst: t.BURST,
    readLatency: RL,
    writeLatency: WL,
    // DRAMPower's DDR5 precharge offsets: its implicit precharge after RDA/WRA.
    readToPrecharge: t.RTP,
    writeToPrecharge: t.WL + t.BURST + t.WR,
    ras: t.RAS,
    completion: {
      RD: RL + t.BURST,
      RDA: RL + t.BURST,
      WR: WL + t.BURST + t.WR,
      WRA: WL + t.BURST + t.WR,
      ACT: t.RCD + 1,
      PRE: t.RP,
      PREA: t.RP,
      PRESB: t.RP,
      // DRAMPower 5/6 keeps refreshing banks active to the refresh's end.
      REF: t.RFC,
      REFSB: t.RFCsb,
    },
    fourActivateWindow: t.FAW,
    rankSwitch: { bubble: t.RTRS, readPreamble: t.RPRE, writePreamble: t.WPRE },
  };
}

function energyTiming(t: Timing): EnergyTiming {
  // DRAMPower 5/6 counts a refreshing bank active for the whole tRFC (DRAMPower 4: tRFC − tRP).
  return { ras: t.RAS, rc: t.RC, refreshPrecharged: 0 };
}

function refresh(): Partial<Record<RefreshPolicyName, RefreshSpec>> {
  return {
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFC' },
    SameBank: { command: 'REFSB', precharge: 'PRESB', interval: 'REFISB', duration: 'RFCsb' },
  };
}

export const DDR5: DramStandard = {
  type: 'DDR5',
  description: 'JESD79-5: 32-bit sub-channels, 8 bank groups (x4/x8) or 4 (x16), BL16, two-cycle ACT/RD/WR, same-bank refresh, fine-granularity refresh, VDD and VPP supplies',
  organisation: { burstLengths: [16], dataRate: 2, bankGroups: 'required', widths: [4, 8, 16], ranks: [1, 2] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming,
  readPower,
  commands: COMMANDS,
  commandBuses: 1,
  constraints: ddr5Constraints,
  dataTiming,
  energyTiming,
  refresh,
};
