/**
 * LPDDR4 (JESD209-4): one x16 channel of 8 banks without bank groups, BL16 (or BL32), a 6-bit
 * single-data-rate command bus on which commands take several clocks (ACT, RD, WR 4; PRE, REF,
 * self-refresh 2; power-down 1), all-bank and per-bank refresh, two core supplies (VDD1, VDD2).
 *
 * Sources: the rules are DRAMSys's LPDDR4 checker of 2021 (`CheckerLPDDR4.cpp` and
 * `MemSpecLPDDR4.cpp` at tukl-msd/DRAMSys 460604a), which the fidelity benchmark holds marl-dse to;
 * JESD209-4 for what each parameter means. Convention (DRAMSys's): every rule counts cycles from the
 * first cycle of the earlier command to the first cycle of the later one, with the corrections for
 * multi-cycle commands baked into the numbers (ACT after PRE is tRPpb − 2, PRE after ACT tRAS + 2,
 * PRE after RD tRTP + tBURST − 6: JEDEC measures these between the commands' last cycles). The
 * four-activate window counts activates and per-bank refreshes (as DRAMSys does) between their last
 * cycles: the fifth ends at least tFAW after the first of the last four ended. One row differs from
 * DRAMSys on purpose: a write after a read on another rank waits until the read's data has left the
 * bus (DRAMSys's tRDWR_R leaves out tDQSCK, tDQSS and tDQS2DQ and lets the two overlap).
 *
 * Energy follows DRAMPower's LPDDR4 model (DRAMPower v6 with ρ = 1, the one DRAMSys uses since 5.0;
 * DRAMSys 2021 computes none for LPDDR4): each formula summed over VDD1 and VDD2, the per-bank
 * refresh from IDD5PB.
 */
import type { TimingConstraint } from '../commands.js';
import { type JsonObject, cycles } from '../json.js';
import { InputError } from '../../../common/errors.js';
import { type LpddrCurrent, lpddrRail } from './lpddr.js';
import type { ArchInfo, CommandSpec, DataTiming, DramStandard, Rail, Timing } from './standard.js';
import { type Rule, toConstraint } from './standard.js';

/**
 * memtimingspec keys in DRAMSys's spellings: 2021 (`REFIPB`, `RFCAB`, …) and current (`REFIpb`,
 * `RFCab`, …) alike. `CCDMW` (masked writes), `ESCKE` and `RCab` are accepted; no rule uses them.
 */
const SPELLINGS: Record<string, readonly string[]> = {
  REFIpb: ['REFIpb', 'REFIPB'],
  RFCab: ['RFCab', 'RFCAB'],
  RFCpb: ['RFCpb', 'RFCPB'],
  RPab: ['RPab', 'RPAB'],
  RPpb: ['RPpb', 'RPPB'],
  RCab: ['RCab', 'RCAB'],
  RCpb: ['RCpb', 'RCPB'],
};
const PLAIN_KEYS = [
  'CCD', 'CCDMW', 'CKE', 'CMDCKE', 'DQS2DQ', 'DQSCK', 'DQSS', 'ESCKE', 'FAW', 'PPD', 'RAS', 'RCD', 'REFI', 'RL',
  'RPST', 'RRD', 'RTP', 'RTRS', 'SR', 'WL', 'WPRE', 'WR', 'WTR', 'XP', 'XSR',
];
const TIMING_KEYS = [...PLAIN_KEYS, ...Object.values(SPELLINGS).flat()];

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  const spelled = (name: string, fallback?: number): number => {
    const keys = SPELLINGS[name];
    const given = keys.filter((k) => t[k] !== undefined);
    if (given.length > 1) throw new InputError(`${at}.${given[1]}: given twice (also as ${given[0]})`);
    return c(given[0] ?? keys[0], fallback);
  };
  spelled('RCab', 0); // read (and checked) as DRAMSys does, used by none of its rules
  return {
    RCD: c('RCD'),
    RL: c('RL'),
    WL: c('WL'),
    RAS: c('RAS'),
    RPpb: spelled('RPpb'),
    RPab: spelled('RPab'),
    RCpb: spelled('RCpb'),
    RRD: c('RRD'),
    FAW: c('FAW'),
    CCD: c('CCD'),
    RTP: c('RTP'),
    WR: c('WR'),
    WTR: c('WTR'),
    WPRE: c('WPRE'),
    RPST: c('RPST'),
    DQSCK: c('DQSCK'),
    DQSS: c('DQSS'),
    DQS2DQ: c('DQS2DQ'),
    REFI: c('REFI'),
    REFIpb: spelled('REFIpb'),
    RFCab: spelled('RFCab'),
    RFCpb: spelled('RFCpb'),
    PPD: c('PPD'),
    XP: c('XP'),
    SR: c('SR'),
    XSR: c('XSR'),
    CKE: c('CKE'),
    CMDCKE: c('CMDCKE'),
    RTRS: c('RTRS'),
    BURST: Math.floor(arch.burstLength / arch.dataRate),
  };
}

function checkTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  need(t.RCpb >= t.RAS + t.RPpb, 'RCpb', `RCpb (${t.RCpb}) is less than RAS + RPpb (${t.RAS + t.RPpb})`);
  need(t.RAS >= t.RCD, 'RAS', `RAS (${t.RAS}) is less than RCD (${t.RCD})`);
  need(t.RPab >= t.RPpb, 'RPab', `RPab (${t.RPab}) is less than RPpb (${t.RPpb})`);
  need(t.RFCab >= t.RFCpb, 'RFCpb', `RFCpb (${t.RFCpb}) exceeds RFCab (${t.RFCab})`);
  need(t.REFI > t.RFCab, 'REFI', `REFI (${t.REFI}) must exceed RFCab (${t.RFCab})`);
  need(t.REFIpb > t.RFCpb, 'REFIpb', `REFIpb (${t.REFIpb}) must exceed RFCpb (${t.RFCpb})`);
  need(t.CCD >= t.BURST, 'CCD', `column-to-column delay (${t.CCD}) is shorter than a burst (${t.BURST} cycles)`);
}

/**
 * VDD1 and VDD2, in DRAMSys's current spellings (`vdd1`, `idd01`, `idd2n1`, `idd5pb1`, …, `vdd2`,
 * `idd02`, …) or its 2021 ones, where VDD1's keys have no suffix (`vdd`, `idd0`, `idd2n`, …) and
 * IDD5PB is `idd5b`.
 */
function readPower(p: JsonObject, at: string, scale: number, t: Timing): Rail[] {
  const has = (k: string): boolean => p[k] !== undefined;
  const vdd1 = (base: LpddrCurrent): string => {
    if (has(base + '1')) return base + '1';
    return base === 'idd5pb' && !has('idd5pb') ? 'idd5b' : base;
  };
  const vdd2 = (base: LpddrCurrent): string => (base === 'idd5pb' && !has('idd5pb2') && has('idd5b2') ? 'idd5b2' : base + '2');
  return [lpddrRail(p, at, scale, t, 'VDD1', vdd1), lpddrRail(p, at, scale, t, 'VDD2', vdd2)];
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  ACT: { effect: 'activate', target: 'bank', length: 4, window: true },
  PRE: { effect: 'precharge', target: 'bank', length: 2 },
  PREA: { effect: 'precharge', target: 'rank', length: 2 },
  RD: { effect: 'read', target: 'bank', length: 4 },
  RDA: { effect: 'readAuto', target: 'bank', length: 4 },
  WR: { effect: 'write', target: 'bank', length: 4 },
  WRA: { effect: 'writeAuto', target: 'bank', length: 4 },
  REF: { effect: 'refresh', target: 'rank', length: 2 },
  // Per-bank refresh draws activate-like current: DRAMSys counts it in the four-activate window.
  REFPB: { effect: 'refresh', target: 'bank', length: 2, window: true },
  PDEA: { effect: 'powerDown', target: 'rank' },
  PDXA: { effect: 'powerUp', target: 'rank' },
  PDEP: { effect: 'powerDown', target: 'rank' },
  PDXP: { effect: 'powerUp', target: 'rank' },
  SREFEN: { effect: 'selfRefreshEntry', target: 'rank', length: 2 },
  SREFEX: { effect: 'selfRefreshExit', target: 'rank', length: 2 },
};

/** The derived delays of DRAMSys's LPDDR4 checker (cycles between command starts). */
function derived(t: Timing) {
  const RDPRE = t.RTP + t.BURST - 6;
  const WRPRE = t.WL + t.BURST + 1 + t.WR + 2;
  const WRPDEN = 3 + t.WL + t.DQSS + t.DQS2DQ + t.BURST + t.WR;
  return {
    RDWR: t.RL + t.DQSCK + t.BURST - t.WL + t.WPRE + t.RPST,
    // To another rank: the write's data (WL + tDQSS + tDQS2DQ + 3 after it) tRTRS after the read's
    // ends (RL + tDQSCK + 3 + tBURST). DRAMSys 2021 has RL + tBURST + tRTRS − WL, 3 cycles short.
    RDWR_R: t.RL + t.DQSCK + t.BURST + t.RTRS - (t.WL + t.DQSS + t.DQS2DQ),
    WRRD: t.WL + 1 + t.BURST + t.WTR,
    WRRD_R: t.WL + t.BURST + t.RTRS - t.RL,
    RDPRE,
    WRPRE,
    RDAACT: t.RTP + t.BURST - 8 + t.RPpb,
    WRAACT: t.WL + t.BURST + 1 + t.WR + t.RPpb,
    ACTPDEN: 3 + t.CMDCKE,
    PRPDEN: 1 + t.CMDCKE,
    REFPDEN: 1 + t.CMDCKE,
    RDPDEN: 3 + t.RL + t.DQSCK + t.BURST + t.RPST,
    WRPDEN,
    WRAPDEN: WRPDEN + 2,
  };
}

/** LPDDR4's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`". */
export function lpddr4Constraints(t: Timing): TimingConstraint[] {
  const d = derived(t);
  const R = 'rank', B = 'bank', O = 'otherRanks';
  const rules: Rule[] = [
    // Column commands
    [['ACT'], ['RD', 'RDA', 'WR', 'WRA'], B, t.RCD, 'tRCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], R, t.CCD, 'tCCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['WR'], ['RDA'], B, d.WRPRE - d.RDPRE, 'tWRPRE-tRDPRE'],
    [['WR', 'WRA'], ['RD', 'RDA'], R, d.WRRD, 'tWL+1+tBURST+tWTR'],
    [['WR', 'WRA'], ['RD', 'RDA'], O, d.WRRD_R, 'tWL+tBURST+tRTRS-tRL'],
    [['RD', 'RDA'], ['WR', 'WRA'], R, d.RDWR, 'tRL+tDQSCK+tBURST-tWL+tWPRE+tRPST'],
    [['RD', 'RDA'], ['WR', 'WRA'], O, d.RDWR_R, 'RL+tDQSCK+tBURST+tRTRS-WL-tDQSS-tDQS2DQ'],
    [['WR', 'WRA'], ['WR', 'WRA'], R, t.CCD, 'tCCD'],
    [['WR', 'WRA'], ['WR', 'WRA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XP, 'tXP'],
    // Activate
    [['ACT'], ['ACT'], B, t.RCpb, 'tRCpb'],
    [['ACT'], ['ACT'], R, t.RRD, 'tRRD'],
    [['RDA'], ['ACT'], B, d.RDAACT, 'tRTP+tBURST-8+tRPpb'],
    [['WRA'], ['ACT'], B, d.WRAACT, 'tWL+tBURST+1+tWR+tRPpb'],
    [['PRE'], ['ACT'], B, t.RPpb - 2, 'tRPpb-2'],
    [['PREA'], ['ACT'], R, t.RPab - 2, 'tRPab-2'],
    [['PDXA', 'PDXP'], ['ACT'], R, t.XP, 'tXP'],
    [['REF'], ['ACT'], R, t.RFCab - 2, 'tRFCab-2'],
    [['REFPB'], ['ACT'], B, t.RFCpb - 2, 'tRFCpb-2'],
    [['REFPB'], ['ACT'], R, t.RRD - 2, 'tRRD-2'],
    [['SREFEX'], ['ACT'], R, t.XSR - 2, 'tXSR-2'],
    // Precharge
    [['ACT'], ['PRE'], B, t.RAS + 2, 'tRAS+2'],
    [['RD'], ['PRE'], B, d.RDPRE, 'tRTP+tBURST-6'],
    [['WR'], ['PRE'], B, d.WRPRE, 'tWL+tBURST+1+tWR+2'],
    [['PRE'], ['PRE', 'PREA'], R, t.PPD, 'tPPD'],
    [['PDXA'], ['PRE', 'PREA'], R, t.XP, 'tXP'],
    [['ACT'], ['PREA'], R, t.RAS + 2, 'tRAS+2'],
    [['RD', 'RDA'], ['PREA'], R, d.RDPRE, 'tRTP+tBURST-6'],
    [['WR', 'WRA'], ['PREA'], R, d.WRPRE, 'tWL+tBURST+1+tWR+2'],
    [['REFPB'], ['PREA'], R, t.RFCpb, 'tRFCpb'],
    // All-bank refresh
    [['ACT'], ['REF', 'SREFEN'], R, t.RCpb + 2, 'tRCpb+2'],
    [['RDA'], ['REF'], R, d.RDPRE + t.RPpb, 'tRDPRE+tRPpb'],
    [['WRA'], ['REF'], R, d.WRPRE + t.RPpb, 'tWRPRE+tRPpb'],
    [['PRE'], ['REF', 'SREFEN'], R, t.RPpb, 'tRPpb'],
    [['PREA'], ['REF', 'SREFEN'], R, t.RPab, 'tRPab'],
    [['PDXP'], ['REF', 'SREFEN'], R, t.XP, 'tXP'],
    [['REF'], ['REF', 'REFPB', 'SREFEN'], R, t.RFCab, 'tRFCab'],
    [['REFPB'], ['REF', 'REFPB', 'SREFEN'], R, t.RFCpb, 'tRFCpb'],
    [['SREFEX'], ['REF', 'REFPB'], R, t.XSR, 'tXSR'],
    // Per-bank refresh
    [['ACT'], ['REFPB'], B, t.RCpb + 2, 'tRCpb+2'],
    [['ACT'], ['REFPB'], R, t.RRD + 2, 'tRRD+2'],
    [['RDA'], ['REFPB'], B, d.RDPRE + t.RPpb, 'tRDPRE+tRPpb'],
    [['WRA'], ['REFPB'], B, d.WRPRE + t.RPpb, 'tWRPRE+tRPpb'],
    [['PRE'], ['REFPB'], B, t.RPpb, 'tRPpb'],
    [['PREA'], ['REFPB'], R, t.RPab, 'tRPab'],
    [['PDXA', 'PDXP'], ['REFPB'], R, t.XP, 'tXP'],
    // Power-down
    [['ACT'], ['PDEA'], R, d.ACTPDEN, '3+tCMDCKE'],
    [['RD', 'RDA'], ['PDEA', 'PDEP'], R, d.RDPDEN, 'tRDPDEN'],
    [['WR'], ['PDEA'], R, d.WRPDEN, 'tWRPDEN'],
    [['WRA'], ['PDEA', 'PDEP'], R, d.WRAPDEN, 'tWRPDEN+2'],
    [['PRE'], ['PDEA', 'PDEP'], R, d.PRPDEN, '1+tCMDCKE'],
    [['PREA'], ['PDEP'], R, d.PRPDEN, '1+tCMDCKE'],
    [['REF'], ['PDEP'], R, d.REFPDEN, '1+tCMDCKE'],
    [['REFPB'], ['PDEA', 'PDEP'], R, d.REFPDEN, '1+tCMDCKE'],
    [['PDXA'], ['PDEA'], R, t.CKE, 'tCKE'],
    [['PDEA'], ['PDXA'], R, t.CKE, 'tCKE'],
    [['PDXP'], ['PDEP'], R, t.CKE, 'tCKE'],
    [['PDEP'], ['PDXP'], R, t.CKE, 'tCKE'],
    [['SREFEX'], ['PDEP', 'SREFEN'], R, t.XSR, 'tXSR'],
    // Self-refresh
    [['RDA'], ['SREFEN'], R, Math.max(d.RDPDEN, d.RDPRE + t.RPpb), 'max(tRDPDEN, tRDPRE+tRPpb)'],
    [['WRA'], ['SREFEN'], R, Math.max(d.WRAPDEN, d.WRPRE + t.RPpb), 'max(tWRAPDEN, tWRPRE+tRPpb)'],
    [['SREFEN'], ['SREFEX'], R, t.SR, 'tSR'],
  ];
  return rules.map(toConstraint);
}

function dataTiming(t: Timing): DataTiming {
  const d = derived(t);
  // Data leaves the bus 3 cycles after a 4-cycle command's first cycle is counted from (DRAMSys).
  const readLatency = t.RL + t.DQSCK + 3;
  const writeLatency = t.WL + t.DQSS + t.DQS2DQ + 3;
  return {
    burst: t.BURST,
    readLatency,
    writeLatency,
    // An auto-precharge closes the bank where an explicit PRE could start at the earliest.
    readToPrecharge: d.RDPRE,
    writeToPrecharge: d.WRPRE,
    ras: t.RAS + 2,
    // How long each command lasts (DRAMSys's execution times), for the energy window.
    completion: {
      RD: readLatency + t.BURST,
      RDA: readLatency + t.BURST,
      WR: writeLatency + t.BURST,
      WRA: writeLatency + t.BURST,
      ACT: t.RCD + 3,
      PRE: t.RPpb + 1,
      PREA: t.RPab + 1,
    },
    fourActivateWindow: t.FAW,
    rankSwitch: { bubble: t.RTRS, readPreamble: 0, writePreamble: 0 },
  };
}

export const LPDDR4: DramStandard = {
  type: 'LPDDR4',
  description: 'JESD209-4: 8 banks, BL16/BL32, multi-cycle commands, all-bank and per-bank refresh, VDD1 and VDD2 supplies',
  organisation: { burstLengths: [16, 32], dataRate: 2, bankGroups: 'none', widths: [8, 16], ranks: [1, 2] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming,
  readPower,
  commands: COMMANDS,
  commandBuses: 1,
  constraints: lpddr4Constraints,
  dataTiming,
  // DRAMPower's precharge energy spans tRPpb (E_PRE over tRC − tRAS); an all-bank refresh counts as active throughout.
  energyTiming: (t) => ({ ras: t.RAS, rc: t.RAS + t.RPpb, refreshPrecharged: 0 }),
  refresh: () => ({
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFCab' },
    PerBank: { command: 'REFPB', precharge: 'PRE', interval: 'REFIpb', duration: 'RFCpb' },
  }),
};
