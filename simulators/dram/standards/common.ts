/**
 * Timing rules shared by the JEDEC DDR family (DDR3, DDR4): precharge, refresh, power-down and
 * self-refresh.
 * They match DRAMSys's DDR3 and DDR4 checkers, which agree on these.
 */
import type { TimingConstraint } from '../commands.js';
import type { Timing } from '../memspec.js';

/** [from, to, scope, cycles, JEDEC parameter] */
export type Rule = [TimingConstraint['from'], TimingConstraint['to'], TimingConstraint['scope'], number, string];

export function toConstraint([from, to, scope, cycles, param]: Rule): TimingConstraint {
  return { from, to, scope, cycles, param };
}

export function prechargeRefreshAndPowerDownRules(t: Timing): TimingConstraint[] {
  const WRPRE = t.WL + t.BURST + t.WR;
  const RDPDEN = t.RL + t.BURST + 1;
  const WRPDEN = t.WL + t.BURST + t.WR;
  const WRAPDEN = WRPDEN + 1;
  const R = 'rank', B = 'bank';
  const rules: Rule[] = [
    // Precharge
    [['ACT'], ['PRE'], B, t.RAS, 'tRAS'],
    [['RD'], ['PRE'], B, t.AL + t.RTP, 'tAL+tRTP'],
    [['WR'], ['PRE'], B, WRPRE, 'tWL+tBURST+tWR'],
    [['PDXA'], ['PRE'], R, t.XP, 'tXP'],
    [['ACT'], ['PREA'], R, t.RAS, 'tRAS'],
    [['RD', 'RDA'], ['PREA'], R, t.AL + t.RTP, 'tAL+tRTP'],
    [['WR', 'WRA'], ['PREA'], R, WRPRE, 'tWL+tBURST+tWR'],
    [['PDXA'], ['PREA'], R, t.XP, 'tXP'],
    // All-bank refresh
    [['ACT'], ['REF'], R, t.RC, 'tRC'],
    [['RDA'], ['REF'], R, t.AL + t.RTP + t.RP, 'tAL+tRTP+tRP'],
    [['WRA'], ['REF'], R, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE', 'PREA'], ['REF'], R, t.RP, 'tRP'],
    [['PDXP'], ['REF'], R, t.XP, 'tXP'],
    [['REF'], ['REF'], R, t.RFC, 'tRFC'],
    [['SREFEX'], ['REF'], R, t.XS, 'tXS'],
    // Per-bank refresh (an extension for DDR3; only used when the memspec defines RFCPB/REFIPB)
    [['ACT'], ['REFPB'], B, t.RC, 'tRC'],
    [['ACT'], ['REFPB'], R, t.RRD_S, 'tRRD'],
    [['RDA'], ['REFPB'], B, t.AL + t.RTP + t.RP, 'tAL+tRTP+tRP'],
    [['WRA'], ['REFPB'], B, WRPRE + t.RP, 'tWL+tBURST+tWR+tRP'],
    [['PRE'], ['REFPB'], B, t.RP, 'tRP'],
    [['PREA'], ['REFPB'], R, t.RP, 'tRP'],
    [['PDXP', 'PDXA'], ['REFPB'], R, t.XP, 'tXP'],
    [['REFPB'], ['REFPB'], B, t.RFCPB, 'tRFCpb'],
    [['REFPB'], ['REFPB'], R, t.RRD_S, 'tRRD'],
    [['REF'], ['REFPB'], R, t.RFC, 'tRFC'],
    [['SREFEX'], ['REFPB'], R, t.XS, 'tXS'],
    // Power-down
    [['ACT'], ['PDEA'], R, t.ACTPDEN, 'tACTPDEN'],
    [['RD', 'RDA'], ['PDEA'], R, RDPDEN, 'tRL+tBURST+1'],
    [['WR'], ['PDEA'], R, WRPDEN, 'tWL+tBURST+tWR'],
    [['WRA'], ['PDEA'], R, WRAPDEN, 'tWL+tBURST+tWR+1'],
    [['PRE'], ['PDEA'], R, t.PRPDEN, 'tPRPDEN'],
    [['PDXA'], ['PDEA'], R, t.CKE, 'tCKE'],
    [['REFPB'], ['PDEA'], R, t.REFPDEN, 'tREFPDEN'],
    [['PDEA'], ['PDXA'], R, t.PD, 'tPD'],
    [['RD', 'RDA'], ['PDEP'], R, RDPDEN, 'tRL+tBURST+1'],
    [['WRA'], ['PDEP'], R, WRAPDEN, 'tWL+tBURST+tWR+1'],
    [['PRE', 'PREA'], ['PDEP'], R, t.PRPDEN, 'tPRPDEN'],
    [['PDXP', 'PDXA'], ['PDEP'], R, t.CKE, 'tCKE'],
    [['REF', 'REFPB'], ['PDEP'], R, t.REFPDEN, 'tREFPDEN'],
    [['SREFEX'], ['PDEP'], R, t.XS, 'tXS'],
    [['PDEP'], ['PDXP'], R, t.PD, 'tPD'],
    // Self-refresh
    [['ACT'], ['SREFEN'], R, t.RC, 'tRC'],
    [['RDA'], ['SREFEN'], R, Math.max(RDPDEN, t.AL + t.RTP + t.RP), 'max(tRDPDEN, tAL+tRTP+tRP)'],
    [['WRA'], ['SREFEN'], R, Math.max(WRAPDEN, WRPRE + t.RP), 'max(tWRAPDEN, tWRPRE+tRP)'],
    [['PRE', 'PREA'], ['SREFEN'], R, t.RP, 'tRP'],
    [['PDXP'], ['SREFEN'], R, t.XP, 'tXP'],
    [['REF'], ['SREFEN'], R, t.RFC, 'tRFC'],
    [['REFPB'], ['SREFEN'], R, t.RFCPB, 'tRFCpb'],
    [['SREFEX'], ['SREFEN'], R, t.XS, 'tXS'],
    [['SREFEN'], ['SREFEX'], R, t.CKESR, 'tCKESR'],
  ];
  return rules.map(toConstraint);
}
