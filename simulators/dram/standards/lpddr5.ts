/**
 * LPDDR5 (JESD209-5): one x16 (or x8) channel of 16 banks, in bank-group mode (4 bank groups of 4
 * banks, _S/_L column and write-to-read timings) or 16-bank mode; BL16 or BL32; commands on a
 * double-data-rate command bus, one clock each except the two-part activate; all-bank and per-2-bank
 * refresh (REFpb refreshes bank b and b + 8 together); three core supplies (VDD1, VDD2H, VDD2L).
 *
 * Clocks: the controller counts command clocks (CK); data moves on WCK, WCK2CK times faster, both
 * edges: a burst takes BL / (dataRate · WCK2CK) CK, BL16 at WCK:CK 4:1 two CK (2.5 ns at 6400 MT/s:
 * 16 beats × 16 bits = 32 bytes at 12.8 GB/s).
 *
 * Sources: the timing rules are Ramulator 2's LPDDR5 table (CMU-SAFARI/ramulator2,
 * `python/ramulator/dram/lpddr5.py`, the revision annotated with JESD209-5C table numbers; its v2.0a
 * `src/dram/impl/LPDDR5.cpp` overwrites tCK with a quarter of it, so every value it derives from ns is
 * four times too large), checked against JESD209-5 where the two disagree; the memspec keys are
 * DRAMSys's (DRAMUtils `MemSpecLPDDR5`); the burst timing of BL32 in bank-group mode follows gem5's
 * LPDDR5 interfaces. Public DRAMSys has no LPDDR5 model to check against.
 *
 * Convention (as LPDDR4's): cycles between the first clocks of the two commands. The activate is
 * modelled as one 2-clock command, ACT-1 then ACT-2 back to back (JEDEC allows up to tAAD = 8 CK
 * between them; a controller sends them together when it can), so a rule JEDEC measures from ACT-2
 * is one cycle longer here and one measured to ACT-2 one cycle shorter (tRCD + 1, tRP − 1, …). The
 * four-activate window counts activates and per-2-bank refreshes between their last clocks.
 *
 * Approximations, stated in the README: the WCK is taken to be running (as with WCKalwaysOn), so no
 * CAS (WCK2CK sync) command precedes a read or write; BL32 in bank-group mode, which JEDEC sends as
 * two 2-CK halves 4 CK apart with room for another bank group's burst in the gap, is a 4-CK burst
 * ending at the end of that 6-CK window, another bank group's may follow after BL_n_S_32 = 4 CK
 * (the same bandwidth as interleaving); every burst has the memspec's burst length. Power-down and
 * self-refresh, which no public LPDDR5 model times, follow LPDDR4's rules with LPDDR5's one-clock
 * commands and the marl-dse keys XP, PD, CMDPD, SR, XSR.
 */
import type { TimingConstraint } from '../commands.js';
import { type JsonObject, cycles, numberField } from '../json.js';
import { InputError } from '../../../common/errors.js';
import { type LpddrCurrent, lpddrRail } from './lpddr.js';
import type { ArchInfo, CommandSpec, DataTiming, DramStandard, Rail, Timing } from './standard.js';
import { type Rule, toConstraint } from './standard.js';

/** The per-burst-length keys of DRAMUtils' LPDDR5 memspec (`BL_n_min_16`, …, `RTW_S_32`). */
const PER_BURST = ['BL_n_min', 'BL_n_max', 'BL_n_L', 'BL_n_S', 'RTW_L', 'RTW_S'];
const TIMING_KEYS = [
  'REFI', 'REFIpb', 'RFCab', 'RFCpb', 'RAS', 'RPab', 'RPpb', 'RCpb', 'RCab', 'PPD', 'RCD', 'RCD_L', 'RCD_S', 'FAW',
  'RRD', 'RL', 'RBTP', 'WL', 'WR', 'RTRS', 'WTR_L', 'WTR_S', 'WCK2DQO', 'WCK2CK', 'pbR2act', 'pbR2pbR',
  ...PER_BURST.flatMap((k) => [`${k}_16`, `${k}_32`]),
  // Power-down and self-refresh: not in DRAMSys's LPDDR5 memspec; marl-dse's keys, defaults in ns.
  'XP', 'PD', 'CMDPD', 'SR', 'XSR',
];

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  /** A default of `ns` nanoseconds, at least `min` clocks. */
  const ns = (x: number, min: number): number => Math.max(min, Math.ceil(x / arch.tCkNs - 1e-9));
  const archAt = arch.where;
  const banks = numberField(arch.json, 'nbrOfBanks', archAt, 'pos');
  const groups = numberField(arch.json, 'nbrOfBankGroups', archAt, 'pos', 1);
  if (banks !== 16 || (groups !== 4 && groups !== 1)) {
    throw new InputError(`${archAt}.nbrOfBanks: LPDDR5 is modelled in bank-group mode (16 banks in 4 bank groups) and 16-bank mode (16 banks, 1 group), got ${banks} banks in ${groups} groups`);
  }
  const offset = arch.json.per2BankOffset;
  if (offset !== undefined && offset !== banks / 2) {
    throw new InputError(`${archAt}.per2BankOffset: per-2-bank refresh pairs bank b with b + ${banks / 2} (half the banks), got ${JSON.stringify(offset)}`);
  }
  const WCK2CK = c('WCK2CK');
  if (WCK2CK !== 2 && WCK2CK !== 4) throw new InputError(`${at}.WCK2CK: WCK runs 2 or 4 times as fast as CK, got ${WCK2CK}`);
  const beatsPerClock = arch.dataRate * WCK2CK;
  if (arch.burstLength % beatsPerClock !== 0) {
    throw new InputError(`${at}.WCK2CK: a burst of ${arch.burstLength} beats at ${beatsPerClock} beats per clock is not whole clocks`);
  }
  const BL = arch.burstLength;
  const given = ['RCD', 'RCD_L', 'RCD_S'].filter((k) => t[k] !== undefined);
  if (given.length === 0) throw new InputError(`${at}.RCD_L: missing (give RCD_L and RCD_S, or RCD)`);
  const RL = c('RL'), WL = c('WL'), WCK2DQO = c('WCK2DQO');
  const NMIN = c(`BL_n_min_${BL}`), NMAX = c(`BL_n_max_${BL}`);
  const RFCab = c('RFCab');
  return {
    // DRAMUtils splits tRCD into _L and _S; marl-dse keeps the longer for every access.
    RCD: Math.max(...given.map((k) => c(k))),
    RL,
    WL,
    RAS: c('RAS'),
    RPpb: c('RPpb'),
    RPab: c('RPab'),
    RCpb: c('RCpb'),
    RCab: c('RCab'),
    RRD: c('RRD'),
    FAW: c('FAW'),
    PPD: c('PPD'),
    RBTP: c('RBTP'),
    WR: c('WR'),
    WTR_S: c('WTR_S'),
    WTR_L: c('WTR_L'),
    RTRS: c('RTRS'),
    WCK2DQO,
    WCK2CK,
    REFI: c('REFI'),
    REFIpb: c('REFIpb'),
    RFCab,
    RFCpb: c('RFCpb'),
    pbR2act: c('pbR2act'),
    pbR2pbR: c('pbR2pbR'),
    BURST: BL / beatsPerClock,
    // Per burst length: the burst's window on the bus (BL/n_min), the same-bank-group column cycle
    // (BL/n_max), column-to-column delays and read-to-write turnarounds.
    NMIN,
    NMAX,
    CCD_S: c(`BL_n_S_${BL}`),
    CCD_L: c(`BL_n_L_${BL}`),
    RTW_S: c(`RTW_S_${BL}`, RL + WCK2DQO + NMIN + 1 - WL),
    RTW_L: c(`RTW_L_${BL}`, RL + WCK2DQO + NMAX + 1 - WL),
    // Estimates by analogy with LPDDR4 (tXP max(7 ns, 3 nCK), tCKE, tCMDCKE, tSR; tXSR = tRFCab + 7.5 ns).
    XP: c('XP', ns(7, 3)),
    PD: c('PD', ns(7.5, 4)),
    CMDPD: c('CMDPD', ns(1.75, 3)),
    SR: c('SR', ns(15, 3)),
    XSR: c('XSR', RFCab + ns(7.5, 2)),
  };
}

function checkTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  need(t.RCpb >= t.RAS + t.RPpb, 'RCpb', `RCpb (${t.RCpb}) is less than RAS + RPpb (${t.RAS + t.RPpb})`);
  need(t.RCab >= t.RAS + t.RPab, 'RCab', `RCab (${t.RCab}) is less than RAS + RPab (${t.RAS + t.RPab})`);
  need(t.RAS >= t.RCD, 'RAS', `RAS (${t.RAS}) is less than RCD (${t.RCD})`);
  need(t.RPab >= t.RPpb, 'RPab', `RPab (${t.RPab}) is less than RPpb (${t.RPpb})`);
  need(t.RFCab >= t.RFCpb, 'RFCpb', `RFCpb (${t.RFCpb}) exceeds RFCab (${t.RFCab})`);
  need(t.REFI > t.RFCab, 'REFI', `REFI (${t.REFI}) must exceed RFCab (${t.RFCab})`);
  need(t.REFIpb > t.RFCpb, 'REFIpb', `REFIpb (${t.REFIpb}) must exceed RFCpb (${t.RFCpb})`);
  need(t.NMIN >= t.BURST, 'BL_n_min', `a burst's window (${t.NMIN}) is shorter than the burst (${t.BURST} clocks)`);
  need(t.NMAX >= t.NMIN, 'BL_n_max', `BL_n_max (${t.NMAX}) is less than BL_n_min (${t.NMIN})`);
  need(t.CCD_S >= t.BURST, 'BL_n_S', `column-to-column delay (${t.CCD_S}) is shorter than a burst (${t.BURST} clocks)`);
  need(t.CCD_L >= t.CCD_S, 'BL_n_L', `BL_n_L (${t.CCD_L}) is less than BL_n_S (${t.CCD_S})`);
}

/** VDD1, VDD2H and VDD2L, in DRAMUtils' keys (`vdd1`, `idd01`, …, `vdd2h`, `idd02h`, …, `vdd2l`, `idd02l`, …). */
function readPower(p: JsonObject, at: string, scale: number, t: Timing): Rail[] {
  const rail = (name: string, suffix: string): Rail => lpddrRail(p, at, scale, t, name, (base: LpddrCurrent) => base + suffix);
  return [rail('VDD1', '1'), rail('VDD2H', '2h'), rail('VDD2L', '2l')];
}

const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  // ACT-1 and ACT-2 back to back.
  ACT: { effect: 'activate', target: 'bank', length: 2, window: true },
  PRE: { effect: 'precharge', target: 'bank' },
  PREA: { effect: 'precharge', target: 'rank' },
  RD: { effect: 'read', target: 'bank' },
  RDA: { effect: 'readAuto', target: 'bank' },
  WR: { effect: 'write', target: 'bank' },
  WRA: { effect: 'writeAuto', target: 'bank' },
  REF: { effect: 'refresh', target: 'rank' },
  // REFpb: banks b and b + 8, counted in the four-activate window (JESD209-5C, Ramulator 2).
  REFP2B: { effect: 'refresh', target: 'bankPair', window: true },
  PDEA: { effect: 'powerDown', target: 'rank' },
  PDXA: { effect: 'powerUp', target: 'rank' },
  PDEP: { effect: 'powerDown', target: 'rank' },
  PDXP: { effect: 'powerUp', target: 'rank' },
  SREFEN: { effect: 'selfRefreshEntry', target: 'rank' },
  SREFEX: { effect: 'selfRefreshExit', target: 'rank' },
};

/** Read to precharge (BL/n_min + tRBTP) and write recovery (WL + BL/n_min + 1 + tWR), JESD209-5. */
function derived(t: Timing) {
  const RTP = t.NMIN + t.RBTP;
  const WRP = t.WL + t.NMIN + 1 + t.WR;
  return { RTP, WRP, RDPDEN: t.RL + t.WCK2DQO + t.NMIN + 1, WRAPDEN: WRP + 1 };
}

/** LPDDR5's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`". */
export function lpddr5Constraints(t: Timing): TimingConstraint[] {
  const { RTP, WRP, RDPDEN, WRAPDEN } = derived(t);
  const R = 'rank', G = 'bankGroup', B = 'bank', O = 'otherRanks';
  const rules: Rule[] = [
    // Column commands (tRCD from ACT-2)
    [['ACT'], ['RD', 'RDA', 'WR', 'WRA'], B, t.RCD + 1, 'tRCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], G, t.CCD_L, 'BL/n_L'],
    [['RD', 'RDA'], ['RD', 'RDA'], R, t.CCD_S, 'BL/n_S'],
    [['RD', 'RDA'], ['RD', 'RDA'], O, t.NMIN + t.RTRS, 'BL/n_min+tRTRS'],
    [['WR', 'WRA'], ['WR', 'WRA'], G, t.CCD_L, 'BL/n_L'],
    [['WR', 'WRA'], ['WR', 'WRA'], R, t.CCD_S, 'BL/n_S'],
    [['WR', 'WRA'], ['WR', 'WRA'], O, t.NMIN + t.RTRS, 'BL/n_min+tRTRS'],
    [['RD', 'RDA'], ['WR', 'WRA'], G, t.RTW_L, 'tRTW_L'],
    [['RD', 'RDA'], ['WR', 'WRA'], R, t.RTW_S, 'tRTW_S'],
    [['RD', 'RDA'], ['WR', 'WRA'], O, t.RL + t.WCK2DQO + t.NMIN + t.RTRS - t.WL, 'RL+tWCK2DQO+BL/n_min+tRTRS-WL'],
    [['WR', 'WRA'], ['RD', 'RDA'], G, t.WL + t.NMAX + t.WTR_L, 'WL+BL/n_max+tWTR_L'],
    [['WR', 'WRA'], ['RD', 'RDA'], R, t.WL + t.NMIN + t.WTR_S, 'WL+BL/n_min+tWTR_S'],
    [['WR', 'WRA'], ['RD', 'RDA'], O, t.WL + t.NMIN + t.RTRS - t.RL, 'WL+BL/n_min+tRTRS-RL'],
    [['WR'], ['RDA'], B, WRP - RTP, 'tWR before auto-precharge'],
    [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XP, 'tXP'],
    // Activate (tRC, tRRD between ACT-2s; tRP and the refreshes end at ACT-2)
    [['ACT'], ['ACT'], B, t.RCpb, 'tRCpb'],
    [['ACT'], ['ACT'], R, t.RRD, 'tRRD'],
    [['RDA'], ['ACT'], B, RTP + t.RPpb - 1, 'tRTP+tRPpb'],
    [['WRA'], ['ACT'], B, WRP + t.RPpb - 1, 'tWR+tRPpb'],
    [['PRE'], ['ACT'], B, t.RPpb - 1, 'tRPpb'],
    [['PREA'], ['ACT'], R, t.RPab - 1, 'tRPab'],
    [['PDXA', 'PDXP'], ['ACT'], R, t.XP, 'tXP'],
    [['REF'], ['ACT'], R, t.RFCab - 1, 'tRFCab'],
    [['REFP2B'], ['ACT'], B, t.RFCpb - 1, 'tRFCpb'],
    [['REFP2B'], ['ACT'], R, t.pbR2act - 1, 'tpbR2act'],
    [['SREFEX'], ['ACT'], R, t.XSR, 'tXSR'],
    // Precharge
    [['ACT'], ['PRE'], B, t.RAS + 1, 'tRAS'],
    [['RD'], ['PRE'], B, RTP, 'BL/n_min+tRBTP'],
    [['WR'], ['PRE'], B, WRP, 'WL+BL/n_min+1+tWR'],
    [['PRE', 'PREA'], ['PRE', 'PREA'], R, t.PPD, 'tPPD'],
    [['PDXA'], ['PRE', 'PREA'], R, t.XP, 'tXP'],
    [['ACT'], ['PREA'], R, t.RAS + 1, 'tRAS'],
    [['RD', 'RDA'], ['PREA'], R, RTP, 'BL/n_min+tRBTP'],
    [['WR', 'WRA'], ['PREA'], R, WRP, 'WL+BL/n_min+1+tWR'],
    [['REF'], ['PREA'], R, t.RFCab, 'tRFCab'],
    [['REFP2B'], ['PREA'], R, t.RFCpb, 'tRFCpb'],
    // All-bank refresh
    [['ACT'], ['REF', 'SREFEN'], R, t.RCab + 1, 'tRAS+tRPab'],
    [['RDA'], ['REF'], R, RTP + t.RPpb, 'tRTP+tRPpb'],
    [['WRA'], ['REF'], R, WRP + t.RPpb, 'tWR+tRPpb'],
    [['PRE'], ['REF', 'SREFEN'], R, t.RPpb, 'tRPpb'],
    [['PREA'], ['REF', 'REFP2B', 'SREFEN'], R, t.RPab, 'tRPab'],
    [['PDXP'], ['REF', 'SREFEN'], R, t.XP, 'tXP'],
    [['REF'], ['REF', 'REFP2B', 'SREFEN'], R, t.RFCab, 'tRFCab'],
    [['REFP2B'], ['REF', 'SREFEN'], R, t.RFCpb, 'tRFCpb'],
    [['SREFEX'], ['REF', 'REFP2B'], R, t.XSR, 'tXSR'],
    // Per-2-bank refresh (bank rules hold for both banks of the pair)
    [['ACT'], ['REFP2B'], B, t.RCpb + 1, 'tRCpb'],
    [['ACT'], ['REFP2B'], R, t.RRD + 1, 'tRRD'],
    [['PRE'], ['REFP2B'], B, t.RPpb, 'tRPpb'],
    [['RDA'], ['REFP2B'], B, RTP + t.RPpb, 'tRTP+tRPpb'],
    [['WRA'], ['REFP2B'], B, WRP + t.RPpb, 'tWR+tRPpb'],
    [['REFP2B'], ['REFP2B'], R, t.pbR2pbR, 'tpbR2pbR'],
    [['PDXA', 'PDXP'], ['REFP2B'], R, t.XP, 'tXP'],
    // Power-down
    [['ACT'], ['PDEA'], R, 1 + t.CMDPD, 'tCMDPD after ACT-2'],
    [['RD', 'RDA'], ['PDEA', 'PDEP'], R, RDPDEN, 'RL+tWCK2DQO+BL/n_min+1'],
    [['WR'], ['PDEA'], R, WRP, 'WL+BL/n_min+1+tWR'],
    [['WRA'], ['PDEA', 'PDEP'], R, WRAPDEN, 'WL+BL/n_min+2+tWR'],
    [['PRE', 'REFP2B'], ['PDEA', 'PDEP'], R, t.CMDPD, 'tCMDPD'],
    [['PREA', 'REF'], ['PDEP'], R, t.CMDPD, 'tCMDPD'],
    [['PDXA'], ['PDEA'], R, t.PD, 'tPD'],
    [['PDEA'], ['PDXA'], R, t.PD, 'tPD'],
    [['PDXP'], ['PDEP'], R, t.PD, 'tPD'],
    [['PDEP'], ['PDXP'], R, t.PD, 'tPD'],
    [['SREFEX'], ['PDEP', 'SREFEN'], R, t.XSR, 'tXSR'],
    // Self-refresh
    [['RDA'], ['SREFEN'], R, Math.max(RDPDEN, RTP + t.RPpb), 'max(tRDPDEN, tRTP+tRPpb)'],
    [['WRA'], ['SREFEN'], R, Math.max(WRAPDEN, WRP + t.RPpb), 'max(tWRAPDEN, tWR+tRPpb)'],
    [['REFP2B'], ['SREFEN'], R, t.RFCpb, 'tRFCpb'],
    [['SREFEN'], ['SREFEX'], R, t.SR, 'tSR'],
  ];
  return rules.map(toConstraint);
}

function dataTiming(t: Timing): DataTiming {
  const { RTP, WRP } = derived(t);
  // A burst's data ends BL/n_min after it starts: its last clock of data, BURST long, ends there
  // (BL32 in bank-group mode ends 2 CK after its 4 CK of data).
  const readLatency = t.RL + t.WCK2DQO + t.NMIN - t.BURST;
  const writeLatency = t.WL + t.NMIN - t.BURST;
  return {
    burst: t.BURST,
    readLatency,
    writeLatency,
    // An auto-precharge closes the bank where an explicit PRE could start at the earliest.
    readToPrecharge: RTP,
    writeToPrecharge: WRP,
    ras: t.RAS + 1,
    completion: {
      RD: readLatency + t.BURST,
      RDA: readLatency + t.BURST,
      WR: writeLatency + t.BURST,
      WRA: writeLatency + t.BURST,
      ACT: t.RCD + 1,
      PRE: t.RPpb,
      PREA: t.RPab,
    },
    fourActivateWindow: t.FAW,
    rankSwitch: { bubble: t.RTRS, readPreamble: 0, writePreamble: 0 },
  };
}

export const LPDDR5: DramStandard = {
  type: 'LPDDR5',
  description: 'JESD209-5: 16 banks (4 bank groups of 4, or 16), BL16/BL32 at WCK:CK 4:1 or 2:1, all-bank and per-2-bank refresh, VDD1, VDD2H and VDD2L supplies',
  organisation: { burstLengths: [16, 32], dataRate: 2, bankGroups: 'optional', widths: [8, 16], ranks: [1, 2] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming,
  readPower,
  commands: COMMANDS,
  commandBuses: 1,
  constraints: lpddr5Constraints,
  dataTiming,
  // DRAMPower's precharge energy spans tRPpb (E_PRE over tRC − tRAS); an all-bank refresh counts as active throughout.
  energyTiming: (t) => ({ ras: t.RAS, rc: t.RAS + t.RPpb, refreshPrecharged: 0 }),
  refresh: () => ({
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFCab' },
    Per2Bank: { command: 'REFP2B', precharge: 'PRE', interval: 'REFIpb', duration: 'RFCpb' },
  }),
};
