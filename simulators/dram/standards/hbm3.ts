/**
 * HBM3 (JESD238): timing rules as data. No public DRAMSys model exists (DRAMSys's HBM3 is in its
 * closed extensions); the rules are Ramulator 2's (`python/ramulator/dram/hbm3.py` at c5b1c3a,
 * "Table 84 in JESD238"; Ramulator 2 v2.0a's HBM3 is a copy of its HBM2 and is not used), with
 * the rules Ramulator leaves out taken from HBM2's JEDEC family as DRAMSys models it (`hbm2.ts`):
 * all-bank against per-bank refresh, precharge-all after a refresh, power-down and self-refresh
 * (channel-wide, as HBM2's), auto-precharge after a write.
 *
 * A channel has two pseudo-channels (ranks here), each with 2 stack IDs (8-high stacks) of 4 bank
 * groups × 4 banks; the row and column command buses are shared by both pseudo-channels. Reads to
 * another stack ID wait tCCDR (scope `otherStacks`). Precharges keep tPPD apart. A per-bank refresh
 * round ends with tRFCpb (Ramulator's refresh manager; as HBM2's tRFCSB round rule).
 *
 * Half-cycle commands: HBM3 samples its command lines on both clock edges, so ACT takes 1.5 clock
 * cycles, PRE and REF half a cycle, RD/WR, PDE and SRE one (JESD238). The controller runs in half
 * clock cycles (`ticksPerClock` 2, as Ramulator 2 does: 3.2 GHz ticks for HBM3-6400), every timing
 * in ticks, so two row commands may share a clock cycle. Each rule, given as JEDEC states it
 * (between the commands' last edges, as Ramulator applies it), becomes the ticks between command
 * starts: value + len(from) − len(to) (lengths in ticks: ACT 3, PRE and REF 1, others 2), e.g.
 * ACT→RD 2·tRCDRD + 1 ticks, PRE→ACT 2·tRP − 2.
 *
 * `hbm3Standard(1)` is the same standard in whole clock cycles, command lengths and rules rounded
 * up (ACT 2, PRE 1; ⌈(2·value + len½(from) − len½(to)) / 2⌉ cycles): `bench/hbm3-half-cycle.ts`
 * measures what that rounding would cost (up to 11 % on random traffic that keeps one channel's
 * row bus busy), which is why the half-cycle clock is the one simulated.
 */
import { InputError } from '../../../common/errors.js';
import type { CmdName, Scope, TimingConstraint } from '../commands.js';
import { type JsonObject, cycles } from '../json.js';
import { readVddVppPower } from './common.js';
import { HBM_COMMANDS, hbmDataTiming, hbmEnergyTiming } from './hbm2.js';
import type { ArchInfo, CommandSpec, DramStandard, RefreshPolicyName, RefreshSpec, Timing } from './standard.js';

const TIMING_KEYS = [
  'CCDL', 'CCDR', 'CCDS', 'CKE', 'DQSCK', 'FAW', 'PL', 'PPD', 'RAS', 'RC', 'RCDRD', 'RCDWR', 'REFI', 'REFIPB', 'RFC', 'RFCPB',
  'RL', 'RP', 'RRDL', 'RRDS', 'RREFD', 'RTP', 'RTW', 'WL', 'WR', 'WTRL', 'WTRS', 'XP', 'XS',
];

/** Half clock cycles each command holds its bus (JESD238): ACT 1.5 cycles, PRE and REF half, the rest one. */
const HALF_CYCLES: Readonly<Partial<Record<CmdName, number>>> = {
  ACT: 3, PRE: 1, PREA: 1, REF: 1, REFPB: 1,
  RD: 2, RDA: 2, WR: 2, WRA: 2, PDEA: 2, PDXA: 2, PDEP: 2, PDXP: 2, SREFEN: 2, SREFEX: 2,
};

/** [from, to, scope, value, JEDEC parameter]: `to` no earlier than `value` after `from`, between their last edges. */
type EdgeRule = [readonly CmdName[], readonly CmdName[], Scope, number, string];

/**
 * HBM3 with the controller clock at `ticks` per clock cycle: 1 (whole cycles, command lengths
 * and rules rounded up: the standard marl-dse simulates) or 2 (half cycles, exact).
 */
export function hbm3Standard(ticks: 1 | 2): DramStandard {
  const half = 2 / ticks; // half cycles per tick
  const commands: Partial<Record<CmdName, CommandSpec>> = {};
  for (const [name, spec] of Object.entries(HBM_COMMANDS) as Array<[CmdName, CommandSpec]>) {
    // Only activates count in the four-activate window (Ramulator; DRAMSys's HBM2 counts REFSB too).
    commands[name] = { ...spec, length: Math.ceil(HALF_CYCLES[name]! / half), window: name === 'ACT' };
  }
  /** Ticks between the commands' starts honouring a rule of `value` ticks between their last edges. */
  const between = (from: CmdName, to: CmdName, value: number): number => Math.ceil((value * half + HALF_CYCLES[from]! - HALF_CYCLES[to]!) / half);

  function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
    const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback) * ticks;
    const CKE = c('CKE');
    return {
      RC: c('RC'), RAS: c('RAS'), RCDRD: c('RCDRD'), RCDWR: c('RCDWR'), RRDL: c('RRDL'), RRDS: c('RRDS'), FAW: c('FAW'),
      RTP: c('RTP'), RP: c('RP'), RL: c('RL'), WL: c('WL'), PL: c('PL', 0), WR: c('WR'), CCDL: c('CCDL'), CCDS: c('CCDS'),
      CCDR: c('CCDR'), WTRL: c('WTRL'), WTRS: c('WTRS'), RTW: c('RTW'), PPD: c('PPD'), XP: c('XP'), CKE, PD: CKE,
      CKESR: CKE + ticks, XS: c('XS'), RFC: c('RFC'), RFCPB: c('RFCPB'), RREFD: c('RREFD'), REFI: c('REFI'),
      REFIPB: c('REFIPB'), DQSCK: c('DQSCK', 0), BURST: (arch.burstLength / arch.dataRate) * ticks,
    };
  }

  function checkTiming(t: Timing, at: string): void {
    const need = (ok: boolean, key: string, msg: string): void => {
      if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
    };
    need(t.RC >= t.RAS + t.RP, 'RC', `RC (${t.RC / ticks}) is less than RAS + RP (${(t.RAS + t.RP) / ticks})`);
    need(t.RAS >= t.RCDRD, 'RAS', `RAS (${t.RAS / ticks}) is less than RCDRD (${t.RCDRD / ticks})`);
    need(t.REFI > t.RFC, 'REFI', `REFI (${t.REFI / ticks}) must exceed RFC (${t.RFC / ticks})`);
    need(t.CCDL >= t.CCDS, 'CCDL', `CCDL (${t.CCDL / ticks}) is less than CCDS (${t.CCDS / ticks})`);
    need(t.CCDS >= t.BURST, 'CCDS', `column-to-column delay (${t.CCDS / ticks}) is shorter than a burst (${t.BURST / ticks} cycles)`);
    need(t.RRDL >= t.RRDS, 'RRDL', `RRDL (${t.RRDL / ticks}) is less than RRDS (${t.RRDS / ticks})`);
    need(t.WTRL >= t.WTRS, 'WTRL', `WTRL (${t.WTRL / ticks}) is less than WTRS (${t.WTRS / ticks})`);
    need(t.RFCPB <= t.RFC, 'RFCPB', `RFCPB (${t.RFCPB / ticks}) exceeds RFC (${t.RFC / ticks})`);
    need(t.RFCPB >= t.RREFD, 'RREFD', `RREFD (${t.RREFD / ticks}) exceeds RFCPB (${t.RFCPB / ticks})`);
  }

  function constraints(t: Timing): TimingConstraint[] {
    const WRPRE = t.WL + t.BURST + t.WR;
    const RDPDE = t.RL + t.PL + t.BURST + ticks;
    const WRPDE = t.WL + t.PL + t.BURST + ticks + t.WR;
    const B = 'bank', G = 'bankGroup', R = 'rank', C = 'channel';
    const rules: EdgeRule[] = [
      // Column commands (Ramulator: tCCDS within a stack ID, tCCDR to the other, the burst on the PC)
      [['ACT'], ['RD', 'RDA'], B, t.RCDRD, 'tRCDRD'],
      [['ACT'], ['WR', 'WRA'], B, t.RCDWR, 'tRCDWR'],
      [['RD', 'RDA'], ['RD', 'RDA'], G, t.CCDL, 'tCCDL'],
      [['RD', 'RDA'], ['RD', 'RDA'], R, Math.max(t.CCDS, t.BURST), 'tCCDS'],
      [['RD', 'RDA'], ['RD', 'RDA'], 'otherStacks', t.CCDR, 'tCCDR'],
      [['WR', 'WRA'], ['WR', 'WRA'], G, t.CCDL, 'tCCDL'],
      [['WR', 'WRA'], ['WR', 'WRA'], R, Math.max(t.CCDS, t.BURST), 'tCCDS'],
      [['WR'], ['RDA'], B, WRPRE - t.RTP, 'tWL+tBURST+tWR-tRTP'],
      [['WR', 'WRA'], ['RD', 'RDA'], G, t.WL + t.BURST + t.WTRL, 'tWL+tBURST+tWTRL'],
      [['WR', 'WRA'], ['RD', 'RDA'], R, t.WL + t.BURST + t.WTRS, 'tWL+tBURST+tWTRS'],
      [['RD', 'RDA'], ['WR', 'WRA'], R, t.RTW, 'tRTW'],
      [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], C, t.XP, 'tXP'],
      // Activate
      [['ACT'], ['ACT'], B, t.RC, 'tRC'],
      [['ACT'], ['ACT'], G, t.RRDL, 'tRRDL'],
      [['ACT'], ['ACT'], R, t.RRDS, 'tRRDS'],
      [['RDA'], ['ACT'], B, t.RTP + t.RP, 'tRTP+tRP'],
      [['WRA'], ['ACT'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
      [['PRE'], ['ACT'], B, t.RP, 'tRP'],
      [['PREA'], ['ACT'], R, t.RP, 'tRP'],
      [['PDXA', 'PDXP'], ['ACT'], C, t.XP, 'tXP'],
      [['REF'], ['ACT'], R, t.RFC, 'tRFC'],
      [['REFPB'], ['ACT'], B, t.RFCPB, 'tRFCpb'],
      [['REFPB'], ['ACT'], R, t.RREFD, 'tRREFD'],
      [['SREFEX'], ['ACT'], C, t.XS, 'tXS'],
      // Precharge (tPPD: new in HBM3)
      [['ACT'], ['PRE'], B, t.RAS, 'tRAS'],
      [['RD'], ['PRE'], B, t.RTP, 'tRTP'],
      [['WR'], ['PRE'], B, WRPRE, 'tWL+tBURST+tWR'],
      [['PRE', 'PREA'], ['PRE', 'PREA'], R, t.PPD, 'tPPD'],
      [['PDXA'], ['PRE', 'PREA'], C, t.XP, 'tXP'],
      [['ACT'], ['PREA'], R, t.RAS, 'tRAS'],
      [['RD', 'RDA'], ['PREA'], R, t.RTP, 'tRTP'],
      [['WR', 'WRA'], ['PREA'], R, WRPRE, 'tWL+tBURST+tWR'],
      [['REF'], ['PREA'], R, t.RFC, 'tRFC'],
      [['REFPB'], ['PREA'], R, t.RFCPB, 'tRFCpb'],
      // All-bank refresh
      [['ACT'], ['REF'], R, t.RC, 'tRC'],
      [['RDA'], ['REF'], R, t.RTP + t.RP, 'tRTP+tRP'],
      [['WRA'], ['REF'], R, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
      [['PRE', 'PREA'], ['REF'], R, t.RP, 'tRP'],
      [['PDXP'], ['REF'], C, t.XP, 'tXP'],
      [['REF'], ['REF'], R, t.RFC, 'tRFC'],
      [['REFPB'], ['REF'], R, t.RFCPB, 'tRFCpb'],
      [['SREFEX'], ['REF'], C, t.XS, 'tXS'],
      // Per-bank refresh
      [['ACT'], ['REFPB'], B, t.RC, 'tRC'],
      [['ACT'], ['REFPB'], G, t.RRDL, 'tRRDL'],
      [['ACT'], ['REFPB'], R, t.RRDS, 'tRRDS'],
      [['RDA'], ['REFPB'], B, t.RTP + t.RP, 'tRTP+tRP'],
      [['WRA'], ['REFPB'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
      [['PRE'], ['REFPB'], B, t.RP, 'tRP'],
      [['PREA'], ['REFPB'], R, t.RP, 'tRP'],
      [['PDXA', 'PDXP'], ['REFPB'], C, t.XP, 'tXP'],
      [['REF'], ['REFPB'], R, t.RFC, 'tRFC'],
      [['REFPB'], ['REFPB'], B, t.RFCPB, 'tRFCpb'],
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
      [['ACT'], ['SREFEN'], C, t.RC, 'tRC'],
      [['RDA'], ['SREFEN'], C, Math.max(t.RTP + t.RP, RDPDE), 'max(tRTP+tRP, tRDSRE)'],
      [['WRA'], ['SREFEN'], C, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
      [['PRE', 'PREA'], ['SREFEN'], C, t.RP, 'tRP'],
      [['PDXP'], ['SREFEN'], C, t.XP, 'tXP'],
      [['REF'], ['SREFEN'], C, t.RFC, 'tRFC'],
      [['REFPB'], ['SREFEN'], C, t.RFCPB, 'tRFCpb'],
      [['SREFEX'], ['SREFEN'], C, t.XS, 'tXS'],
      [['SREFEN'], ['SREFEX'], C, t.CKESR, 'tCKESR'],
    ];
    const out: TimingConstraint[] = [];
    for (const [from, to, scope, value, param] of rules) {
      for (const f of from) for (const x of to) out.push({ from: [f], to: [x], scope, cycles: between(f, x, value), param });
    }
    // A per-bank refresh round ends with tRFCpb before the next round starts.
    out.push({ from: ['REFPB'], to: ['REFPB'], scope: R, cycles: between('REFPB', 'REFPB', t.RFCPB), param: 'tRFCpb after a round', round: true });
    return out;
  }

  return {
    type: 'HBM3',
    description: 'JESD238: pseudo-channels as ranks, stack IDs, 4 bank groups per stack ID, BL8, row and column command buses (half-cycle row commands rounded up), per-bank refresh',
    organisation: { burstLengths: [8], dataRate: 4, bankGroups: 'required', widths: [32, 64], ranks: [2] },
    timingKeys: TIMING_KEYS,
    readTiming,
    checkTiming,
    readPower: readVddVppPower,
    commands,
    commandBuses: 2,
    ticksPerClock: ticks,
    constraints,
    dataTiming: hbmDataTiming,
    energyTiming: hbmEnergyTiming,
    refresh,
  };
}

function refresh(): Partial<Record<RefreshPolicyName, RefreshSpec>> {
  return {
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFC' },
    PerBank: { command: 'REFPB', precharge: 'PRE', interval: 'REFIPB', duration: 'RFCPB' },
  };
}

export const HBM3 = hbm3Standard(2);
