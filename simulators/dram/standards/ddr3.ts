/**
 * DDR3 (JESD79-3): timing rules as data. Values follow DRAMSys's DDR3 checker; scopes are bank,
 * rank, and other ranks (DDR3 has no bank groups, so its _S and _L values coincide).
 */
import type { TimingConstraint } from '../commands.js';
import { checkDdrTiming, DDR_COMMANDS, ddrDataTiming, ddrEnergyTiming, ddrRefresh, prechargeRefreshAndPowerDownRules } from './common.js';
import { type Rule, toConstraint } from './standard.js';
import type { ArchInfo, DramStandard, Rail, Timing } from './standard.js';
import { type JsonObject, current, cycles } from '../json.js';

const TIMING_KEYS = [
  'AL', 'CCD', 'CKE', 'CKESR', 'CL', 'DQSCK', 'FAW', 'RAS', 'RC', 'RCD', 'REFI', 'RFC', 'RL', 'RP', 'RRD',
  'RTP', 'WL', 'WR', 'WTR', 'XP', 'XPDLL', 'XS', 'XSDLL', 'ACTPDEN', 'PRPDEN', 'REFPDEN', 'RTRS',
  // Per-bank refresh is not part of DDR3; these optional keys enable it (see README).
  'REFIPB', 'RFCPB',
];

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  const CCD = c('CCD');
  const RRD = c('RRD');
  const WTR = c('WTR');
  const CKE = c('CKE');
  return {
    AL: c('AL', 0),
    RCD: c('RCD'),
    RP: c('RP'),
    RAS: c('RAS'),
    RC: c('RC'),
    RL: c('RL'),
    WL: c('WL'),
    CCD_S: CCD,
    CCD_L: CCD,
    RRD_S: RRD,
    RRD_L: RRD,
    WTR_S: WTR,
    WTR_L: WTR,
    FAW: c('FAW'),
    RTP: c('RTP'),
    WR: c('WR'),
    RFC: c('RFC'),
    REFI: c('REFI'),
    RFCPB: c('RFCPB', 0),
    REFIPB: c('REFIPB', 0),
    XP: c('XP'),
    XS: c('XS'),
    XSDLL: c('XSDLL', 512),
    CKE,
    PD: CKE,
    CKESR: c('CKESR', CKE + 1),
    ACTPDEN: c('ACTPDEN', 1),
    PRPDEN: c('PRPDEN', 1),
    REFPDEN: c('REFPDEN', 1),
    RTRS: c('RTRS', 1),
    RPRE: 0,
    WPRE: 0,
    BURST: Math.floor(arch.burstLength / arch.dataRate),
    DQSCK: c('DQSCK', 0),
  };
}

function readPower(p: JsonObject, at: string, scale: number): Rail[] {
  const i = (k: string): number => current(p, k, at, scale);
  return [
    {
      name: 'VDD',
      voltage: current(p, 'vdd', at, 1),
      currents: {
        idd0: i('idd0'),
        idd2n: i('idd2n'),
        idd3n: i('idd3n'),
        idd4r: i('idd4r'),
        idd4w: i('idd4w'),
        idd5: i('idd5'),
        idd5pb: p.idd5pb === undefined ? null : i('idd5pb'),
        // Slow-exit power-down, as DRAMSys maps its power-down commands for DRAMPower.
        idd2p: i('idd2p0'),
        idd3p: i('idd3p0'),
        idd6: i('idd6'),
      },
    },
  ];
}

/** DDR3's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`". */
export function ddr3Constraints(t: Timing): TimingConstraint[] {
  const WRRD = t.WL + t.BURST + t.WTR_S - t.AL; // write-to-read turnaround (tWTR after the burst)
  const RDWR = t.RL + t.BURST + 2 - t.WL; // read-to-write turnaround, 2 tCK bus gap
  const WRPRE = t.WL + t.BURST + t.WR; // write recovery before precharge
  const R = 'rank', B = 'bank', O = 'otherRanks';
  const rules: Rule[] = [
    // Column commands
    [['ACT'], ['RD', 'RDA', 'WR', 'WRA'], B, t.RCD - t.AL, 'tRCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], R, t.CCD_S, 'tCCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['WR', 'WRA'], ['RD', 'RDA'], R, WRRD, 'tWL+tBURST+tWTR'],
    [['WR', 'WRA'], ['RD', 'RDA'], O, t.WL + t.BURST + t.RTRS - t.RL, 'tWL+tBURST+tRTRS-tRL'],
    [['WR'], ['RDA'], B, WRPRE - t.RTP - t.AL, 'tWR before auto-precharge'],
    [['RD', 'RDA'], ['WR', 'WRA'], R, RDWR, 'tRL+tBURST+2-tWL'],
    [['RD', 'RDA'], ['WR', 'WRA'], O, t.RL + t.BURST + t.RTRS - t.WL, 'tRL+tBURST+tRTRS-tWL'],
    [['WR', 'WRA'], ['WR', 'WRA'], R, t.CCD_S, 'tCCD'],
    [['WR', 'WRA'], ['WR', 'WRA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XP, 'tXP'],
    [['SREFEX'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XSDLL, 'tXSDLL'],
    // Activate
    [['ACT'], ['ACT'], B, t.RC, 'tRC'],
    [['ACT'], ['ACT'], R, t.RRD_S, 'tRRD'],
    [['RDA'], ['ACT'], B, t.AL + t.RTP + t.RP, 'tAL+tRTP+tRP'],
    [['WRA'], ['ACT'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE'], ['ACT'], B, t.RP, 'tRP'],
    [['PREA'], ['ACT'], R, t.RP, 'tRP'],
    [['PDXA', 'PDXP'], ['ACT'], R, t.XP, 'tXP'],
    [['REF'], ['ACT'], R, t.RFC, 'tRFC'],
    [['REFPB'], ['ACT'], B, t.RFCPB, 'tRFCpb'],
    [['REFPB'], ['ACT'], R, t.RRD_S, 'tRRD'],
    [['SREFEX'], ['ACT'], R, t.XS, 'tXS'],
  ];
  return [...rules.map(toConstraint), ...prechargeRefreshAndPowerDownRules(t)];
}

export const DDR3: DramStandard = {
  type: 'DDR3',
  description: 'JESD79-3: 8 banks, BL8, one 1.5 V supply',
  organisation: { burstLengths: [8], dataRate: 2, bankGroups: 'none', widths: [4, 8, 16, 32], ranks: [1, 2, 4] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming: checkDdrTiming,
  readPower,
  commands: DDR_COMMANDS,
  commandBuses: 1,
  constraints: ddr3Constraints,
  dataTiming: ddrDataTiming,
  energyTiming: ddrEnergyTiming,
  refresh: ddrRefresh,
};
