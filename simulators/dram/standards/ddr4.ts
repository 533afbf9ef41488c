/**
 * DDR4 (JESD79-4): timing rules as data. Bank groups split the column-to-column, activate-to-
 * activate and write-to-read delays into _S (other bank group) and _L (same bank group). Values
 * follow DRAMSys's DDR4 checker, including the read/write preambles in the turnarounds.
 */
import type { TimingConstraint } from '../commands.js';
import type { ArchInfo, DramStandard, Timing } from './standard.js';
import { type JsonObject, cycles } from '../json.js';
import { InputError } from '../../../common/errors.js';
import { checkDdrTiming, DDR_COMMANDS, ddrDataTiming, ddrEnergyTiming, ddrRefresh, prechargeRefreshAndPowerDownRules, readVddVppPower, refMode } from './common.js';
import { type Rule, toConstraint } from './standard.js';

const TIMING_KEYS = [
  'AL', 'CCD_L', 'CCD_S', 'CKE', 'CKESR', 'CL', 'DQSCK', 'FAW', 'RAS', 'RC', 'RCD', 'REFM', 'RefMode', 'REFI',
  'RFC', 'RFC1', 'RFC2', 'RFC4', 'RL', 'RPRE', 'RP', 'RRD_L', 'RRD_S', 'RTP', 'WL', 'WPRE', 'WR', 'WTR_L', 'WTR_S',
  'XP', 'XPDLL', 'XS', 'XSDLL', 'ACTPDEN', 'PRPDEN', 'REFPDEN', 'RTRS',
  // Per-bank refresh is not part of DDR4; these optional keys enable it (see README).
  'REFIPB', 'RFCPB',
];

function readTiming(t: JsonObject, at: string, arch: ArchInfo): Timing {
  const c = (k: string, fallback?: number): number => cycles(t, k, at, fallback);
  // Fine-granularity refresh: modes 2 and 4 refresh twice / four times as often, each shorter.
  const mode = refMode(arch, t, at, [1, 2, 4]);
  // Mode 1 uses tRFC1 (`RFC` in older files); modes 2 and 4 use tRFC2 and tRFC4, whatever `RFC` says
  // (DRAMSys's MemSpecDDR4).
  const rfcKey = mode === 2 ? 'RFC2' : mode === 4 ? 'RFC4' : t.RFC !== undefined ? 'RFC' : 'RFC1';
  const RFC = c(rfcKey);
  if (RFC === 0) throw new InputError(`${at}.${rfcKey}: must be positive for RefMode ${mode}`);
  const CKE = c('CKE');
  return {
    AL: c('AL', 0),
    RCD: c('RCD'),
    RP: c('RP'),
    RAS: c('RAS'),
    RC: c('RC'),
    RL: c('RL'),
    WL: c('WL'),
    CCD_S: c('CCD_S'),
    CCD_L: c('CCD_L'),
    RRD_S: c('RRD_S'),
    RRD_L: c('RRD_L'),
    WTR_S: c('WTR_S'),
    WTR_L: c('WTR_L'),
    FAW: c('FAW'),
    RTP: c('RTP'),
    WR: c('WR'),
    RFC,
    REFI: Math.floor(c('REFI') / mode),
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
    RPRE: c('RPRE', 1),
    WPRE: c('WPRE', 1),
    BURST: Math.floor(arch.burstLength / arch.dataRate),
    DQSCK: c('DQSCK', 0),
  };
}

/** DDR4's rules; each line reads "`to` no earlier than `cycles` after `from`, within `scope`". */
export function ddr4Constraints(t: Timing): TimingConstraint[] {
  const WRRD_S = t.WL + t.BURST + t.WTR_S - t.AL;
  const WRRD_L = t.WL + t.BURST + t.WTR_L - t.AL;
  const RDWR = t.RL + t.BURST + 1 - t.WL + t.WPRE; // 1 tCK bus gap plus the write preamble
  const WRPRE = t.WL + t.BURST + t.WR;
  const R = 'rank', G = 'bankGroup', B = 'bank', O = 'otherRanks';
  const rules: Rule[] = [
    // Column commands
    [['ACT'], ['RD', 'RDA', 'WR', 'WRA'], B, t.RCD - t.AL, 'tRCD'],
    [['RD', 'RDA'], ['RD', 'RDA'], G, t.CCD_L, 'tCCD_L'],
    [['RD', 'RDA'], ['RD', 'RDA'], R, t.CCD_S, 'tCCD_S'],
    [['RD', 'RDA'], ['RD', 'RDA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['WR', 'WRA'], ['RD', 'RDA'], G, WRRD_L, 'tWL+tBURST+tWTR_L'],
    [['WR', 'WRA'], ['RD', 'RDA'], R, WRRD_S, 'tWL+tBURST+tWTR_S'],
    [['WR', 'WRA'], ['RD', 'RDA'], O, t.WL + t.BURST + t.RTRS - t.RL + t.RPRE, 'tWL+tBURST+tRTRS-tRL+tRPRE'],
    [['WR'], ['RDA'], B, WRPRE - t.RTP - t.AL, 'tWR before auto-precharge'],
    [['RD', 'RDA'], ['WR', 'WRA'], R, RDWR, 'tRL+tBURST+1-tWL+tWPRE'],
    [['RD', 'RDA'], ['WR', 'WRA'], O, t.RL + t.BURST + t.RTRS - t.WL + t.WPRE, 'tRL+tBURST+tRTRS-tWL+tWPRE'],
    [['WR', 'WRA'], ['WR', 'WRA'], G, t.CCD_L, 'tCCD_L'],
    [['WR', 'WRA'], ['WR', 'WRA'], R, t.CCD_S, 'tCCD_S'],
    [['WR', 'WRA'], ['WR', 'WRA'], O, t.BURST + t.RTRS, 'tBURST+tRTRS'],
    [['PDXA'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XP, 'tXP'],
    [['SREFEX'], ['RD', 'RDA', 'WR', 'WRA'], R, t.XSDLL, 'tXSDLL'],
    // Activate
    [['ACT'], ['ACT'], B, t.RC, 'tRC'],
    [['ACT'], ['ACT'], G, t.RRD_L, 'tRRD_L'],
    [['ACT'], ['ACT'], R, t.RRD_S, 'tRRD_S'],
    [['RDA'], ['ACT'], B, t.AL + t.RTP + t.RP, 'tAL+tRTP+tRP'],
    [['WRA'], ['ACT'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE'], ['ACT'], B, t.RP, 'tRP'],
    [['PREA'], ['ACT'], R, t.RP, 'tRP'],
    [['PDXA', 'PDXP'], ['ACT'], R, t.XP, 'tXP'],
    [['REF'], ['ACT'], R, t.RFC, 'tRFC'],
    [['REFPB'], ['ACT'], B, t.RFCPB, 'tRFCpb'],
    [['REFPB'], ['ACT'], R, t.RRD_S, 'tRRD_S'],
    [['SREFEX'], ['ACT'], R, t.XS, 'tXS'],
  ];
  return [...rules.map(toConstraint), ...prechargeRefreshAndPowerDownRules(t)];
}

export const DDR4: DramStandard = {
  type: 'DDR4',
  description: 'JESD79-4: 4 bank groups (x4/x8) or 2 (x16), BL8, fine-granularity refresh, VDD and VPP supplies',
  organisation: { burstLengths: [8], dataRate: 2, bankGroups: 'required', widths: [4, 8, 16], ranks: [1, 2, 4] },
  timingKeys: TIMING_KEYS,
  readTiming,
  checkTiming: checkDdrTiming,
  readPower: readVddVppPower,
  commands: DDR_COMMANDS,
  commandBuses: 1,
  constraints: ddr4Constraints,
  dataTiming: ddrDataTiming,
  energyTiming: ddrEnergyTiming,
  refresh: ddrRefresh,
};
