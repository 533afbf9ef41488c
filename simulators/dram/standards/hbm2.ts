/**
 * HBM2 (JESD235): timing rules as data, following DRAMSys's HBM2 checker of 2021
 * (`tukl-msd/DRAMSys` 460604a, `CheckerHBM2.cpp`, `MemSpecHBM2.cpp`), the model DRAMSys 4.0
 * simulates; cross-checked with Ramulator 2 (`python/ramulator/dram/hbm2.py`, c5b1c3a) and gem5's
 * `HBM_2000_4H_1x64`, which carry the same numbers.
 *
 * A channel has two pseudo-channels, modelled as ranks (as DRAMSys does), each with its banks in
 * bank groups; a row command bus (ACT, PRE, refresh, power-down) and a column command bus (RD, WR)
 * shared by both, so one row and one column command may start in the same cycle. ACT holds the
 * row bus 2 cycles. Single-bank refresh (JEDEC REFSB, DRAMSys REFB, here REFPB) counts in the
 * four-activate window; after a full round of them on a pseudo-channel the next waits tRFCSB,
 * otherwise tRREFD. Power-down and self-refresh rules span the whole channel (HBM2 has one CKE per
 * channel; DRAMSys 2021 scopes them so).
 *
 * Convention: cycles between the cycles two commands start (DRAMSys's), the corrections for the
 * 2-cycle ACT written out: a rule measured from an ACT gains a cycle (tRCDRD + 1: the ACT's second
 * cycle counts), one measured to an ACT loses one (tRP − 1).
 */
import { InputError } from '../../../common/errors.js';
import type { CmdName, TimingConstraint } from '../commands.js';
import { type JsonObject, cycles } from '../json.js';
import type { ArchInfo, CommandSpec, DataTiming, DramStandard, EnergyTiming, RefreshPolicyName, RefreshSpec, Rule, Timing } from './standard.js';
import { toConstraint } from './standard.js';
import { readVddVppPower } from './common.js';

const TIMING_KEYS = [
  'CCDL', 'CCDS', 'CKE', 'DQSCK', 'FAW', 'PL', 'RAS', 'RC', 'RCDRD', 'RCDWR', 'REFI', 'REFISB', 'RFC', 'RFCSB', 'RL', 'RP',
  'RRDL', 'RRDS', 'RREFD', 'RTP', 'RTW', 'WL', 'WR', 'WTRL', 'WTRS', 'XP', 'XS',
  // DRAMSys's newer layout: reads to another stack (its HBM2 file gives 2 stacks per channel).
  'CCDR',
];

/** HBM's commands: the column commands on the column bus, everything else on the row bus. */
export const HBM_COMMANDS: Readonly<Partial<Record<CmdName, CommandSpec>>> = {
  ACT: { effect: 'activate', target: 'bank', bus: 'row', length: 2, window: true },
  PRE: { effect: 'precharge', target: 'bank', bus: 'row' },
  PREA: { effect: 'precharge', target: 'rank', bus: 'row' },
  RD: { effect: 'read', target: 'bank', bus: 'column' },
  RDA: { effect: 'readAuto', target: 'bank', bus: 'column' },
  WR: { effect: 'write', target: 'bank', bus: 'column' },
  WRA: { effect: 'writeAuto', target: 'bank', bus: 'column' },
  REF: { effect: 'refresh', target: 'rank', bus: 'row' },
  // JEDEC's single-bank refresh REFSB (DRAMSys REFB): one bank, counted in the four-activate window.
  REFPB: { effect: 'refresh', target: 'bank', bus: 'row', window: true },
  PDEA: { effect: 'powerDown', target: 'rank', bus: 'row' },
  PDXA: { effect: 'powerUp', target: 'rank', bus: 'row' },
  PDEP: { effect: 'powerDown', target: 'rank', bus: 'row' },
  PDXP: { effect: 'powerUp', target: 'rank', bus: 'row' },
  SREFEN: { effect: 'selfRefreshEntry', target: 'rank', bus: 'row' },
  SREFEX: { effect: 'selfRefreshExit', target: 'rank', bus: 'row' },
};

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  const CKE = c('CKE');
  return {
    RC: c('RC'),
    RAS: c('RAS'),
    RCDRD: c('RCDRD'),
    RCDWR: c('RCDWR'),
    RRDL: c('RRDL'),
    RRDS: c('RRDS'),
    FAW: c('FAW'),
    RTP: c('RTP'),
    RP: c('RP'),
    RL: c('RL'),
    WL: c('WL'),
    PL: c('PL', 0),
    WR: c('WR'),
    CCDL: c('CCDL'),
    CCDS: c('CCDS'),
    CCDR: c('CCDR', 0),
    WTRL: c('WTRL'),
    WTRS: c('WTRS'),
    RTW: c('RTW'),
    XP: c('XP'),
    CKE,
    PD: CKE,
    CKESR: CKE + 1,
    XS: c('XS'),
    RFC: c('RFC'),
    RFCSB: c('RFCSB'),
    RREFD: c('RREFD'),
    REFI: c('REFI'),
    REFISB: c('REFISB'),
    DQSCK: c('DQSCK', 0),
    BURST: Math.floor(arch.burstLength / arch.dataRate),
  };
}

function checkTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  need(t.RC >= t.RAS + t.RP, 'RC', `RC (${t.RC}) is less than RAS + RP (${t.RAS + t.RP})`);
  need(t.RAS >= t.RCDRD, 'RAS', `RAS (${t.RAS}) is less than RCDRD (${t.RCDRD})`);
  need(t.REFI > t.RFC, 'REFI', `REFI (${t.REFI}) must exceed RFC (${t.RFC})`);
  need(t.CCDL >= t.CCDS, 'CCDL', `CCDL (${t.CCDL}) is less than CCDS (${t.CCDS})`);
  need(t.CCDS >= t.BURST, 'CCDS', `column-to-column delay (${t.CCDS}) is shorter than a burst (${t.BURST} cycles)`);
  need(t.RRDL >= t.RRDS, 'RRDL', `RRDL (${t.RRDL}) is less than RRDS (${t.RRDS})`);
  need(t.WTRL >= t.WTRS, 'WTRL', `WTRL (${t.WTRL}) is less than WTRS (${t.WTRS})`);
  need(t.RFCSB <= t.RFC, 'RFCSB', `RFCSB (${t.RFCSB}) exceeds RFC (${t.RFC})`);
  // A refresh round ends with tRFCSB, the refreshes within it are tRREFD apart (the larger rule wins).
  need(t.RFCSB >= t.RREFD, 'RREFD', `RREFD (${t.RREFD}) exceeds RFCSB (${t.RFCSB})`);
}

/** HBM2's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`". */
export function hbm2Constraints(t: Timing): TimingConstraint[] {
  const WRPRE = t.WL + t.BURST + t.WR;
  const WRRDS = t.WL + t.BURST + t.WTRS;
  const WRRDL = t.WL + t.BURST + t.WTRL;
  const RDPDE = t.RL + t.PL + t.BURST + 1;
  const WRPDE = t.WL + t.PL + t.BURST + 1 + t.WR;
  const B = 'bank', G = 'bankGroup', R = 'rank', C = 'channel';
  const rules: Rule[] = [
    // Column commands
    [['ACT'], ['RD', 'RDA'], B, t.RCDRD + 1, 'tRCDRD'],
    [['ACT'], ['WR', 'WRA'], B, t.RCDWR + 1, 'tRCDWR'],
    [['RD', 'RDA'], ['RD', 'RDA'], G, t.CCDL, 'tCCDL'],
    [['RD', 'RDA'], ['RD', 'RDA'], R, t.CCDS, 'tCCDS'],
    [['RD', 'RDA'], ['RD', 'RDA'], 'otherStacks', t.CCDR, 'tCCDR'],
    [['WR', 'WRA'], ['WR', 'WRA'], G, t.CCDL, 'tCCDL'],
    [['WR', 'WRA'], ['WR', 'WRA'], R, t.CCDS, 'tCCDS'],
    [['WR'], ['RDA'], B, WRPRE - t.RTP, 'tWL+tBURST+tWR-tRTP'],
    [['WR', 'WRA'], ['RD', 'RDA'], G, WRRDL, 'tWL+tBURST+tWTRL'],
    [['WR', 'WRA'], ['RD', 'RDA'], R, WRRDS, 'tWL+tBURST+tWTRS'],
    [['RD', 'RDA'], ['WR', 'WRA'], R, t.RTW, 'tRTW'],
    [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], C, t.XP, 'tXP'],
    // Activate
    [['ACT'], ['ACT'], B, t.RC, 'tRC'],
    [['ACT'], ['ACT'], G, t.RRDL, 'tRRDL'],
    [['ACT'], ['ACT'], R, t.RRDS, 'tRRDS'],
    [['RDA'], ['ACT'], B, t.RTP + t.RP - 1, 'tRTP+tRP'],
    [['WRA'], ['ACT'], B, WRPRE + t.RP - 1, 'tWL+tBURST+tWR+tRP'],
    [['PRE'], ['ACT'], B, t.RP - 1, 'tRP'],
    [['PREA'], ['ACT'], R, t.RP - 1, 'tRP'],
    [['PDXA', 'PDXP'], ['ACT'], C, t.XP - 1, 'tXP'],
    [['REF'], ['ACT'], R, t.RFC - 1, 'tRFC'],
    [['REFPB'], ['ACT'], B, t.RFCSB - 1, 'tRFCSB'],
    [['REFPB'], ['ACT'], R, t.RREFD - 1, 'tRREFD'],
    [['SREFEX'], ['ACT'], C, t.XS - 1, 'tXS'],
    // Precharge
    [['ACT'], ['PRE'], B, t.RAS + 1, 'tRAS'],
    [['RD'], ['PRE'], B, t.RTP, 'tRTP'],
    [['WR'], ['PRE'], B, WRPRE, 'tWL+tBURST+tWR'],
    [['PDXA'], ['PRE', 'PREA'], C, t.XP, 'tXP'],
    [['ACT'], ['PREA'], R, t.RAS + 1, 'tRAS'],
    [['RD', 'RDA'], ['PREA'], R, t.RTP, 'tRTP'],
    [['WR', 'WRA'], ['PREA'], R, WRPRE, 'tWL+tBURST+tWR'],
    [['REFPB'], ['PREA'], R, t.RFCSB, 'tRFCSB'],
    // All-bank refresh
    [['ACT'], ['REF'], R, t.RC + 1, 'tRC'],
    [['RDA'], ['REF'], R, t.RTP + t.RP, 'tRTP+tRP'],
    [['WRA'], ['REF'], R, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE', 'PREA'], ['REF'], R, t.RP, 'tRP'],
    [['PDXP'], ['REF'], C, t.XP, 'tXP'],
    [['REF'], ['REF'], R, t.RFC, 'tRFC'],
    [['REFPB'], ['REF'], R, t.RFCSB, 'tRFCSB'],
    [['SREFEX'], ['REF'], C, t.XS, 'tXS'],
    // Single-bank refresh
    [['ACT'], ['REFPB'], B, t.RC + 1, 'tRC'],
    [['ACT'], ['REFPB'], G, t.RRDL + 1, 'tRRDL'],
    [['ACT'], ['REFPB'], R, t.RRDS + 1, 'tRRDS'],
    [['RDA'], ['REFPB'], B, t.RTP + t.RP, 'tRTP+tRP'],
    [['WRA'], ['REFPB'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE'], ['REFPB'], B, t.RP, 'tRP'],
    [['PREA'], ['REFPB'], R, t.RP, 'tRP'],
    [['PDXA', 'PDXP'], ['REFPB'], C, t.XP, 'tXP'],
    [['REF'], ['REFPB'], R, t.RFC, 'tRFC'],
    [['REFPB'], ['REFPB'], B, t.RFCSB, 'tRFCSB'],
    [['REFPB'], ['REFPB'], R, t.RREFD, 'tRREFD'],
    [['SREFEX'], ['REFPB'], C, t.XS, 'tXS'],
    // Power-down
    [['RD', 'RDA'], ['PDEA', 'PDEP'], C, RDPDE, 'tRL+tPL+tBURST+1'],
    [['WR'], ['PDEA'], C, WRPDE, 'tWL+tPL+tBURST+1+tWR'],
    [['WRA'], ['PDEA', 'PDEP'], C, WRPDE, 'tWL+tPL+tBURST+1+tWR'],
    [['PDXA'], ['PDEA'], C, t.CKE, 'tCKE'],
    [['PDEA'], ['PDXA'], C, t.PD, 'tPD'],
    [['PDXP'], ['PDEP'], C, t.CKE, 'tCKE'],
    [['SREFEX'], ['PDEP'], C, t.XS, 'tXS'],
    [['PDEP'], ['PDXP'], C, t.PD, 'tPD'],
    // Self-refresh
    [['ACT'], ['SREFEN'], C, t.RC + 1, 'tRC'],
    [['RDA'], ['SREFEN'], C, Math.max(t.RTP + t.RP, RDPDE), 'max(tRTP+tRP, tRDSRE)'],
    [['WRA'], ['SREFEN'], C, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE', 'PREA'], ['SREFEN'], C, t.RP, 'tRP'],
    [['PDXP'], ['SREFEN'], C, t.XP, 'tXP'],
    [['REF'], ['SREFEN'], C, t.RFC, 'tRFC'],
    [['REFPB'], ['SREFEN'], C, t.RFCSB, 'tRFCSB'],
    [['SREFEX'], ['SREFEN'], C, t.XS, 'tXS'],
    [['SREFEN'], ['SREFEX'], C, t.CKESR, 'tCKESR'],
  ];
  return [
    ...rules.map(toConstraint),
    // After the single-bank refresh that completes a round of the pseudo-channel's banks.
    { from: ['REFPB'], to: ['REFPB'], scope: R, cycles: t.RFCSB, param: 'tRFCSB after a round', round: true },
  ];
}

/** How long data takes: reads return RL + DQSCK after the command (DRAMSys's data strobe interval). */
export function hbmDataTiming(t: Timing): DataTiming {
  const WRPRE = t.WL + t.BURST + t.WR;
  return {
    burst: t.BURST,
    readLatency: t.RL + t.DQSCK,
    writeLatency: t.WL,
    readToPrecharge: t.RTP,
    writeToPrecharge: WRPRE,
    ras: t.RAS,
    // Pseudo-channels have data buses of their own: no rank-to-rank bubble.
    rankSwitch: null,
    // The energy window (DRAMPower-style; no public power model simulates HBM): a read until its
    // data, a write until its recovery, an activate its tRCD, a precharge tRP.
    completion: {
      RD: t.RL + t.DQSCK + 1 + t.BURST,
      RDA: t.RL + t.DQSCK + 1 + t.BURST,
      WR: WRPRE,
      WRA: WRPRE,
      ACT: t.RCDRD,
      PRE: t.RP,
      PREA: t.RP,
    },
    fourActivateWindow: t.FAW,
  };
}

export function hbmEnergyTiming(t: Timing): EnergyTiming {
  return { ras: t.RAS, rc: t.RC, refreshPrecharged: t.RP };
}

function refresh(): Partial<Record<RefreshPolicyName, RefreshSpec>> {
  return {
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFC' },
    PerBank: { command: 'REFPB', precharge: 'PRE', interval: 'REFISB', duration: 'RFCSB' },
  };
}

export const HBM2: DramStandard = {
  type: 'HBM2',
  description: 'JESD235: pseudo-channels as ranks, 4 bank groups, BL4, row and column command buses, single-bank refresh',
  organisation: { burstLengths: [2, 4], dataRate: 2, bankGroups: 'required', widths: [64, 128], ranks: [2] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming,
  readPower: readVddVppPower,
  commands: HBM_COMMANDS,
  commandBuses: 2,
  // DRAMSys 2021's HBM2 checker adds tCK to a bus's "never used" time (sc_max_time), which wraps
  // to tCK − 1 ps: commands start from just before the first clock edge (2^-10 cycles ≈ 1 ps at 1 GHz).
  firstCommandCycle: 1 - 2 ** -10,
  constraints: hbm2Constraints,
  dataTiming: hbmDataTiming,
  energyTiming: hbmEnergyTiming,
  refresh,
};
