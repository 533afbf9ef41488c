/**
 * What the JEDEC DDR family (DDR3, DDR4) shares: the command set, the precharge, refresh,
 * power-down and self-refresh rules (DRAMSys's DDR3 and DDR4 checkers agree on these), how long
 * data takes, and the refresh modes; and the VDD + VPP current reader DDR4 and HBM share.
 */
import { InputError } from '../../../common/errors.js';
import type { CmdName, TimingConstraint } from '../commands.js';
import { type JsonObject, current, cycles } from '../json.js';
import type { ArchInfo, CommandSpec, DataTiming, EnergyTiming, Rail, RefreshPolicyName, RefreshSpec, Rule, Timing } from './standard.js';
import { toConstraint } from './standard.js';

/** DDR3's and DDR4's commands: one command bus, one cycle each. */
export const DDR_COMMANDS: Readonly<Partial<Record<CmdName, CommandSpec>>> = {
  ACT: { effect: 'activate', target: 'bank', window: true },
  PRE: { effect: 'precharge', target: 'bank' },
  PREA: { effect: 'precharge', target: 'rank' },
  RD: { effect: 'read', target: 'bank' },
  RDA: { effect: 'readAuto', target: 'bank' },
  WR: { effect: 'write', target: 'bank' },
  WRA: { effect: 'writeAuto', target: 'bank' },
  REF: { effect: 'refresh', target: 'rank' },
  // Per-bank refresh is not part of DDR3/DDR4: it exists only when the memspec gives REFIPB/RFCPB.
  REFPB: { effect: 'refresh', target: 'bank' },
  PDEA: { effect: 'powerDown', target: 'rank' },
  PDXA: { effect: 'powerUp', target: 'rank' },
  PDEP: { effect: 'powerDown', target: 'rank' },
  PDXP: { effect: 'powerUp', target: 'rank' },
  SREFEN: { effect: 'selfRefreshEntry', target: 'rank' },
  SREFEX: { effect: 'selfRefreshExit', target: 'rank' },
};

/**
 * The refresh mode (JEDEC fine-granularity refresh: 1 normal, 2 twice as often, 4 four times) from
 * memarchitecturespec.RefMode, as DRAMSys reads it, or from `RefMode`/`REFM` among the timings `t`
 * (older DDR4 files; pass null where a standard has no such files).
 */
export function refMode(arch: ArchInfo, t: JsonObject | null, at: string, modes: readonly number[]): number {
  const inArch = arch.json.RefMode !== undefined || t === null;
  const mode = inArch ? cycles(arch.json, 'RefMode', arch.where, 1) : cycles(t, 'RefMode', at, cycles(t, 'REFM', at, 1));
  if (!modes.includes(mode)) {
    const list = modes.length > 1 ? `${modes.slice(0, -1).join(', ')} or ${modes[modes.length - 1]}` : String(modes[0]);
    throw new InputError(`${inArch ? arch.where : at}.RefMode: expected ${list}, got ${mode}`);
  }
  return mode;
}

export function ddrDataTiming(t: Timing): DataTiming {
  return {
    burst: t.BURST,
    readLatency: t.RL,
    writeLatency: t.WL,
    readToPrecharge: t.AL + t.RTP,
    writeToPrecharge: t.WL + t.BURST + t.WR,
    ras: t.RAS,
    // DRAMPower's timeToCompletion: a read until its data (plus DQSCK and a cycle), a write until
    // its recovery, an activate tRCD, a precharge tRP; other commands end where they start.
    completion: {
      RD: t.RL + t.DQSCK + 1 + t.BURST,
      RDA: t.RL + t.DQSCK + 1 + t.BURST,
      WR: t.WL + t.BURST + t.WR,
      WRA: t.WL + t.BURST + t.WR,
      ACT: t.RCD,
      PRE: t.RP,
      PREA: t.RP,
    },
    fourActivateWindow: t.FAW,
    rankSwitch: { bubble: t.RTRS, readPreamble: t.RPRE, writePreamble: t.WPRE },
  };
}

export function ddrEnergyTiming(t: Timing): EnergyTiming {
  return { ras: t.RAS, rc: t.RC, refreshPrecharged: t.RP };
}

export function ddrRefresh(t: Timing): Partial<Record<RefreshPolicyName, RefreshSpec>> {
  const modes: Partial<Record<RefreshPolicyName, RefreshSpec>> = {
    AllBank: { command: 'REF', precharge: 'PREA', interval: 'REFI', duration: 'RFC' },
  };
  if (t.REFIPB > 0 && t.RFCPB > 0) modes.PerBank = { command: 'REFPB', precharge: 'PRE', interval: 'REFIPB', duration: 'RFCPB' };
  return modes;
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
    // Per-bank refresh (an extension for DDR3/DDR4; only used when the memspec defines RFCPB/REFIPB)
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

/** DDR3's and DDR4's consistency rules; an error names the key. */
export function checkDdrTiming(t: Timing, at: string): void {
  const need = (ok: boolean, key: string, msg: string): void => {
    if (!ok) throw new InputError(`${at}.${key}: ${msg}`);
  };
  need(t.RC >= t.RAS + t.RP, 'RC', `RC (${t.RC}) is less than RAS + RP (${t.RAS + t.RP})`);
  need(t.RAS >= t.RCD, 'RAS', `RAS (${t.RAS}) is less than RCD (${t.RCD})`);
  need(t.REFI > t.RFC, 'REFI', `REFI (${t.REFI}) must exceed RFC (${t.RFC})`);
  need(t.RL > t.AL, 'RL', `RL (${t.RL}) must exceed AL (${t.AL})`);
  need(t.WL > t.AL, 'WL', `WL (${t.WL}) must exceed AL (${t.AL})`);
  need(t.RCD > t.AL, 'RCD', `RCD (${t.RCD}) must exceed AL (${t.AL})`);
  need(t.CCD_L >= t.CCD_S, 'CCD_L', `CCD_L (${t.CCD_L}) is less than CCD_S (${t.CCD_S})`);
  need(t.CCD_S >= t.BURST, 'CCD', `column-to-column delay (${t.CCD_S}) is shorter than a burst (${t.BURST} cycles)`);
  need(t.RRD_L >= t.RRD_S, 'RRD_L', `RRD_L (${t.RRD_L}) is less than RRD_S (${t.RRD_S})`);
  need(t.WTR_L >= t.WTR_S, 'WTR_L', `WTR_L (${t.WTR_L}) is less than WTR_S (${t.WTR_S})`);
  need(t.RFCPB === 0 || t.RFCPB <= t.RFC, 'RFCPB', `RFCPB (${t.RFCPB}) exceeds RFC (${t.RFC})`);
}

/**
 * DRAMPower's VDD and VPP currents (DDR4, HBM2, HBM3): the current key set (idd2p, idd6n, idd5B or
 * idd5b, vpp/ipp*) and the older one (idd2p0, idd62, vdd2).
 */
export function readVddVppPower(p: JsonObject, at: string, scale: number): Rail[] {
  const i = (k: string, fallback?: number): number => current(p, k, at, scale, fallback);
  const has = (k: string): boolean => p[k] !== undefined;
  const first = (keys: string[], fallback?: number): number => {
    const k = keys.find(has);
    return k ? i(k) : i(keys[0], fallback);
  };
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
        idd5: first(['idd5B', 'idd5b', 'idd5']),
        idd5pb: has('idd5pb') ? i('idd5pb') : null,
        idd2p: first(['idd2p', 'idd2p0']),
        idd3p: first(['idd3p', 'idd3p0']),
        idd6: first(['idd6n', 'idd6']),
      },
    },
    {
      name: 'VPP',
      voltage: has('vpp') ? current(p, 'vpp', at, 1) : has('vdd2') ? current(p, 'vdd2', at, 1) : 0,
      currents: {
        idd0: first(['ipp0', 'idd02'], 0),
        idd2n: i('ipp2n', 0),
        idd3n: i('ipp3n', 0),
        idd4r: i('ipp4r', 0),
        idd4w: i('ipp4w', 0),
        idd5: first(['ipp5B', 'ipp5b', 'ipp5'], 0),
        idd5pb: null,
        idd2p: i('ipp2p', 0),
        idd3p: i('ipp3p', 0),
        idd6: first(['ipp6n', 'idd62'], 0),
      },
    },
  ];
}
