/**
 * The protocol checker: replays a command log against the memspec, on its own, and reports every
 * JEDEC timing requirement or bank/rank state rule the log breaks. It shares no code with the
 * controller's timing tables: its requirements are written here, from the JEDEC DDR3/DDR4 rules,
 * and the data bus is checked by replaying bursts rather than by command-to-command delays.
 */
import { Cmd, COMMAND_COUNT, COMMAND_NAMES, type CmdName } from './commands.js';
import type { CommandLog } from './controller/command-log.js';
import type { McConfig } from './mcconfig.js';
import type { MemSpec, Timing } from './memspec.js';

export interface Violation {
  /** Position of the offending command in the log. */
  index: number;
  cycle: number;
  command: CmdName;
  rule: string;
  message: string;
}

export interface CheckReport {
  commands: number;
  violationCount: number;
  /** The first violations found (up to `maxReported`). */
  violations: Violation[];
}

type Where = 'sameBank' | 'sameBankGroup' | 'sameRank';

/** "`second` must come at least `min` cycles after `first`, on the same bank / bank group / rank." */
interface Requirement {
  rule: string;
  first: CmdName[];
  second: CmdName[];
  where: Where;
  min: (t: Timing) => number;
}

const READS: CmdName[] = ['RD', 'RDA'];
const WRITES: CmdName[] = ['WR', 'WRA'];
const COLUMN: CmdName[] = [...READS, ...WRITES];
const PD_EXITS: CmdName[] = ['PDXA', 'PDXP'];
/** Commands that may not follow a power-down exit within tXP. */
const AFTER_XP: CmdName[] = ['ACT', 'PRE', 'PREA', ...COLUMN, 'REF', 'REFPB', 'SREFEN'];

function requirements(type: MemSpec['memoryType']): Requirement[] {
  const r: Requirement[] = [
    { rule: 'tRCD', first: ['ACT'], second: COLUMN, where: 'sameBank', min: (t) => t.RCD - t.AL },
    { rule: 'tRC', first: ['ACT'], second: ['ACT', 'REFPB'], where: 'sameBank', min: (t) => t.RC },
    { rule: 'tRC', first: ['ACT'], second: ['REF', 'SREFEN'], where: 'sameRank', min: (t) => t.RC },
    { rule: 'tRAS', first: ['ACT'], second: ['PRE'], where: 'sameBank', min: (t) => t.RAS },
    { rule: 'tRAS', first: ['ACT'], second: ['PREA'], where: 'sameRank', min: (t) => t.RAS },
    { rule: 'tRP', first: ['PRE'], second: ['ACT', 'REFPB'], where: 'sameBank', min: (t) => t.RP },
    { rule: 'tRP', first: ['PREA'], second: ['ACT', 'REF', 'REFPB', 'SREFEN'], where: 'sameRank', min: (t) => t.RP },
    { rule: 'tRP', first: ['PRE'], second: ['REF', 'SREFEN'], where: 'sameRank', min: (t) => t.RP },
    { rule: 'tRRD_S', first: ['ACT'], second: ['ACT'], where: 'sameRank', min: (t) => t.RRD_S },
    { rule: 'tCCD_S', first: READS, second: READS, where: 'sameRank', min: (t) => t.CCD_S },
    { rule: 'tCCD_S', first: WRITES, second: WRITES, where: 'sameRank', min: (t) => t.CCD_S },
    { rule: 'tWTR_S', first: WRITES, second: READS, where: 'sameRank', min: (t) => t.WL + t.BURST + t.WTR_S - t.AL },
    {
      rule: 'read-to-write turnaround',
      first: READS,
      second: WRITES,
      where: 'sameRank',
      // JEDEC: RL + tCCD + 2 tCK − WL on DDR3; DDR4 needs 1 tCK plus the write preamble.
      min: (t) => (type === 'DDR4' ? t.RL + t.BURST + 1 + t.WPRE - t.WL : t.RL + t.BURST + 2 - t.WL),
    },
    { rule: 'tRTP', first: ['RD'], second: ['PRE'], where: 'sameBank', min: (t) => t.AL + t.RTP },
    { rule: 'tRTP', first: READS, second: ['PREA'], where: 'sameRank', min: (t) => t.AL + t.RTP },
    { rule: 'tWR', first: ['WR'], second: ['PRE'], where: 'sameBank', min: (t) => t.WL + t.BURST + t.WR },
    { rule: 'tWR', first: WRITES, second: ['PREA'], where: 'sameRank', min: (t) => t.WL + t.BURST + t.WR },
    // The precharge inside RDA happens AL + tRTP after it, and must respect an earlier write's recovery.
    { rule: 'tWR (auto-precharge)', first: ['WR'], second: ['RDA'], where: 'sameBank', min: (t) => t.WL + t.BURST + t.WR - t.AL - t.RTP },
    { rule: 'tRTP+tRP (auto-precharge)', first: ['RDA'], second: ['ACT', 'REFPB'], where: 'sameBank', min: (t) => t.AL + t.RTP + t.RP },
    { rule: 'tRTP+tRP (auto-precharge)', first: ['RDA'], second: ['REF', 'SREFEN'], where: 'sameRank', min: (t) => t.AL + t.RTP + t.RP },
    { rule: 'tWR+tRP (auto-precharge)', first: ['WRA'], second: ['ACT', 'REFPB'], where: 'sameBank', min: (t) => t.WL + t.BURST + t.WR + t.RP },
    { rule: 'tWR+tRP (auto-precharge)', first: ['WRA'], second: ['REF', 'SREFEN'], where: 'sameRank', min: (t) => t.WL + t.BURST + t.WR + t.RP },
    { rule: 'tRFC', first: ['REF'], second: ['ACT', 'REF', 'REFPB', 'SREFEN'], where: 'sameRank', min: (t) => t.RFC },
    { rule: 'tRFCpb', first: ['REFPB'], second: ['ACT', 'REFPB'], where: 'sameBank', min: (t) => t.RFCPB },
    // Per-bank refreshes draw activate-like current: keep them tRRD apart from activates and each other.
    { rule: 'tRRD (per-bank refresh)', first: ['REFPB', 'ACT'], second: ['REFPB'], where: 'sameRank', min: (t) => t.RRD_S },
    { rule: 'tRRD (per-bank refresh)', first: ['REFPB'], second: ['ACT'], where: 'sameRank', min: (t) => t.RRD_S },
    { rule: 'tXP', first: PD_EXITS, second: AFTER_XP, where: 'sameRank', min: (t) => t.XP },
    { rule: 'tXS', first: ['SREFEX'], second: ['ACT', 'PRE', 'PREA', 'REF', 'REFPB', 'PDEP', 'SREFEN'], where: 'sameRank', min: (t) => t.XS },
    { rule: 'tXSDLL', first: ['SREFEX'], second: COLUMN, where: 'sameRank', min: (t) => t.XSDLL },
    { rule: 'tPD', first: ['PDEA'], second: ['PDXA'], where: 'sameRank', min: (t) => t.PD },
    { rule: 'tPD', first: ['PDEP'], second: ['PDXP'], where: 'sameRank', min: (t) => t.PD },
    { rule: 'tCKE', first: PD_EXITS, second: ['PDEA', 'PDEP'], where: 'sameRank', min: (t) => t.CKE },
    { rule: 'tCKESR', first: ['SREFEN'], second: ['SREFEX'], where: 'sameRank', min: (t) => t.CKESR },
    { rule: 'tACTPDEN', first: ['ACT'], second: ['PDEA'], where: 'sameRank', min: (t) => t.ACTPDEN },
    { rule: 'tPRPDEN', first: ['PRE', 'PREA'], second: ['PDEA', 'PDEP'], where: 'sameRank', min: (t) => t.PRPDEN },
    { rule: 'tRDPDEN', first: READS, second: ['PDEA', 'PDEP', 'SREFEN'], where: 'sameRank', min: (t) => t.RL + t.BURST + 1 },
    { rule: 'tWRPDEN', first: ['WR'], second: ['PDEA'], where: 'sameRank', min: (t) => t.WL + t.BURST + t.WR },
    { rule: 'tWRAPDEN', first: ['WRA'], second: ['PDEA', 'PDEP', 'SREFEN'], where: 'sameRank', min: (t) => t.WL + t.BURST + t.WR + 1 },
    { rule: 'tREFPDEN', first: ['REF', 'REFPB'], second: ['PDEA', 'PDEP'], where: 'sameRank', min: (t) => t.REFPDEN },
  ];
  if (type === 'DDR4') {
    r.push(
      { rule: 'tRRD_L', first: ['ACT'], second: ['ACT'], where: 'sameBankGroup', min: (t) => t.RRD_L },
      { rule: 'tCCD_L', first: READS, second: READS, where: 'sameBankGroup', min: (t) => t.CCD_L },
      { rule: 'tCCD_L', first: WRITES, second: WRITES, where: 'sameBankGroup', min: (t) => t.CCD_L },
      { rule: 'tWTR_L', first: WRITES, second: READS, where: 'sameBankGroup', min: (t) => t.WL + t.BURST + t.WTR_L - t.AL },
    );
  }
  return r;
}

/** Bank and rank states while replaying. */
const CLOSED = -1;
const AWAKE = 0, POWER_DOWN_ACTIVE = 1, POWER_DOWN_PRECHARGED = 2, SELF_REFRESH = 3;

export interface CheckOptions {
  /** With the controller config, refresh obligations are checked too. */
  mcConfig?: McConfig;
  /** The cycle the run ended: refresh obligations are checked up to it, not just up to the last refresh. */
  endCycle?: number;
  maxReported?: number;
}

export function checkProtocol(log: CommandLog, spec: MemSpec, options: CheckOptions = {}): CheckReport {
  const t = spec.timing;
  const maxReported = options.maxReported ?? 100;
  const NC = COMMAND_COUNT;
  const banks = spec.ranks * spec.banks;
  const groups = spec.ranks * spec.bankGroups;
  const lastBank = new Float64Array(banks * NC).fill(-Infinity);
  const lastGroup = new Float64Array(groups * NC).fill(-Infinity);
  const lastRank = new Float64Array(spec.ranks * NC).fill(-Infinity);
  const openRow = new Int32Array(banks).fill(CLOSED);
  const rankState = new Int32Array(spec.ranks).fill(AWAKE);
  const acts: number[][] = Array.from({ length: spec.ranks }, () => []);
  // Refresh obligations: time awake since each rank's / bank's last refresh (self-refresh time excluded).
  const sleptSince = new Float64Array(spec.ranks).fill(-1);
  const sleptCum = new Float64Array(spec.ranks);
  const lastRefresh = new Float64Array(spec.ranks);
  const sleptAtRefresh = new Float64Array(spec.ranks);
  const lastBankRefresh = new Float64Array(banks);
  const sleptAtBankRefresh = new Float64Array(banks);
  let busEnd = -Infinity;
  let busRank = -1;
  let busRead = true;
  let lastCycle = -Infinity;

  // Index the requirements by the later command.
  const bySecond: Array<Array<{ rule: string; first: number[]; firstNames: string; where: Where; min: number }>> = Array.from({ length: NC }, () => []);
  for (const q of requirements(spec.memoryType)) {
    for (const s of q.second) bySecond[Cmd[s]].push({ rule: q.rule, first: q.first.map((f) => Cmd[f]), firstNames: q.first.join('/'), where: q.where, min: q.min(t) });
  }

  // JEDEC lets refreshes be postponed and pulled in, but only so far: the gap between two refreshes
  // of a rank (or, per-bank, of a bank) is bounded by the flexibility the mcconfig allows.
  const mc = options.mcConfig;
  const slack = mc ? mc.RefreshMaxPostponed + mc.RefreshMaxPulledin + 2 : 0;
  const refreshGap = mc?.RefreshPolicy === 'AllBank' ? slack * t.REFI : Infinity;
  const bankRefreshGap = mc?.RefreshPolicy === 'PerBank' ? slack * t.REFIPB * spec.banks : Infinity;

  const violations: Violation[] = [];
  let count = 0;
  for (let i = 0; i < log.length; i++) {
    const now = log.time[i];
    const c = log.cmd[i];
    const name = COMMAND_NAMES[c];
    const rank = log.rank[i];
    const bank = log.bank[i];
    const group = log.bankGroup[i];
    const where = bank >= 0 ? `rank ${rank} bank ${bank}` : `rank ${rank}`;
    const fail = (rule: string, message: string): void => {
      count++;
      if (violations.length < maxReported) violations.push({ index: i, cycle: now, command: name, rule, message: `cycle ${now}: ${name} to ${where}: ${message}` });
    };

    if (now <= lastCycle) fail('command bus', `issued in the same cycle as, or before, the previous command (cycle ${lastCycle})`);
    lastCycle = now;

    // Timing requirements against the latest earlier command of each kind.
    for (const q of bySecond[c]) {
      let prev = -Infinity;
      for (const f of q.first) {
        let p: number;
        if (q.where === 'sameBank') {
          if (bank >= 0) p = lastBank[bank * NC + f];
          else {
            p = -Infinity;
            for (let b = rank * spec.banks; b < (rank + 1) * spec.banks; b++) p = Math.max(p, lastBank[b * NC + f]);
          }
        } else if (q.where === 'sameBankGroup') p = group >= 0 ? lastGroup[group * NC + f] : -Infinity;
        else p = lastRank[rank * NC + f];
        if (p > prev) prev = p;
      }
      if (now - prev < q.min) fail(q.rule, `only ${now - prev} cycles after ${q.firstNames} (${q.rule} needs ${q.min})`);
    }

    // State rules.
    const state = rankState[rank];
    const sleeping = state !== AWAKE;
    const allowedAsleep =
      (state === POWER_DOWN_ACTIVE && c === Cmd.PDXA) ||
      (state === POWER_DOWN_PRECHARGED && c === Cmd.PDXP) ||
      (state === SELF_REFRESH && c === Cmd.SREFEX);
    if (sleeping && !allowedAsleep) fail('power state', `issued while the rank is ${['awake', 'in active power-down', 'in precharged power-down', 'in self-refresh'][state]}`);
    const firstBank = rank * spec.banks;
    let anyOpen = false;
    for (let b = firstBank; b < firstBank + spec.banks; b++) if (openRow[b] !== CLOSED) anyOpen = true;
    switch (c) {
      case Cmd.ACT: {
        if (openRow[bank] !== CLOSED) fail('bank state', `bank already has row ${openRow[bank]} open`);
        openRow[bank] = log.row[i];
        const a = acts[rank];
        if (a.length === 4) {
          if (now - a[0] < t.FAW) fail('tFAW', `fifth activate within ${now - a[0]} cycles of four others (tFAW needs ${t.FAW})`);
          a.shift();
        }
        a.push(now);
        break;
      }
      case Cmd.PRE:
        openRow[bank] = CLOSED;
        break;
      case Cmd.PREA:
        for (let b = firstBank; b < firstBank + spec.banks; b++) openRow[b] = CLOSED;
        break;
      case Cmd.RD:
      case Cmd.RDA:
      case Cmd.WR:
      case Cmd.WRA: {
        if (openRow[bank] === CLOSED) fail('bank state', 'no row is open');
        else if (openRow[bank] !== log.row[i]) fail('bank state', `row ${log.row[i]} accessed but row ${openRow[bank]} is open`);
        if (c === Cmd.RDA || c === Cmd.WRA) openRow[bank] = CLOSED;
        // The data bus: bursts must not overlap; a rank switch needs a tRTRS bubble, plus the new
        // direction's preamble when the direction changes too (DDR4).
        const isRead = c === Cmd.RD || c === Cmd.RDA;
        const start = now + (isRead ? t.RL : t.WL);
        const gap = busRank >= 0 && busRank !== rank ? t.RTRS + (isRead !== busRead ? (isRead ? t.RPRE : t.WPRE) : 0) : 0;
        if (start < busEnd + gap) fail('data bus', `burst at cycle ${start} overlaps the previous one ending at ${busEnd}${gap ? ` (+${gap} for the rank switch)` : ''}`);
        busEnd = Math.max(busEnd, start + t.BURST);
        busRank = rank;
        busRead = isRead;
        break;
      }
      case Cmd.REF: {
        if (anyOpen) fail('bank state', 'all-bank refresh with a row open');
        const awake = now - lastRefresh[rank] - (sleptCum[rank] - sleptAtRefresh[rank]);
        if (awake > refreshGap) fail('tREFI', `${awake} cycles since the last refresh (at most ${refreshGap} allowed by RefreshMaxPostponed/Pulledin)`);
        lastRefresh[rank] = now;
        sleptAtRefresh[rank] = sleptCum[rank];
        // An all-bank refresh refreshes every bank.
        for (let b = firstBank; b < firstBank + spec.banks; b++) {
          lastBankRefresh[b] = now;
          sleptAtBankRefresh[b] = sleptCum[rank];
        }
        break;
      }
      case Cmd.REFPB: {
        if (openRow[bank] !== CLOSED) fail('bank state', 'per-bank refresh of an open bank');
        const awake = now - lastBankRefresh[bank] - (sleptCum[rank] - sleptAtBankRefresh[bank]);
        if (awake > bankRefreshGap) fail('tREFIpb', `${awake} cycles since this bank's last refresh (at most ${bankRefreshGap} allowed)`);
        lastBankRefresh[bank] = now;
        sleptAtBankRefresh[bank] = sleptCum[rank];
        break;
      }
      case Cmd.PDEA:
        if (!anyOpen) fail('power state', 'active power-down with every bank closed (should be PDEP)');
        if (!sleeping) rankState[rank] = POWER_DOWN_ACTIVE;
        break;
      case Cmd.PDEP:
        if (anyOpen) fail('power state', 'precharged power-down with a row open (should be PDEA)');
        if (!sleeping) rankState[rank] = POWER_DOWN_PRECHARGED;
        break;
      case Cmd.PDXA:
      case Cmd.PDXP:
        if (allowedAsleep) rankState[rank] = AWAKE;
        else if (!sleeping) fail('power state', 'power-down exit while not in power-down');
        break;
      case Cmd.SREFEN:
        if (anyOpen) fail('bank state', 'self-refresh entry with a row open');
        if (!sleeping) {
          rankState[rank] = SELF_REFRESH;
          sleptSince[rank] = now;
        }
        break;
      case Cmd.SREFEX:
        if (allowedAsleep) {
          rankState[rank] = AWAKE;
          sleptCum[rank] += now - sleptSince[rank];
        } else if (!sleeping) fail('power state', 'self-refresh exit while not in self-refresh');
        break;
    }

    lastRank[rank * NC + c] = now;
    if (group >= 0) lastGroup[group * NC + c] = now;
    if (bank >= 0) lastBank[bank * NC + c] = now;
    else for (let b = firstBank; b < firstBank + spec.banks; b++) lastBank[b * NC + c] = now;
  }
  // Refreshes still owed at the end of the run.
  if (options.endCycle !== undefined) {
    const end = options.endCycle;
    const fail = (rule: string, message: string): void => {
      count++;
      if (violations.length < maxReported) violations.push({ index: log.length, cycle: end, command: 'REF', rule, message: `cycle ${end}: end of run: ${message}` });
    };
    for (let r = 0; r < spec.ranks; r++) {
      const slept = sleptCum[r] + (rankState[r] === SELF_REFRESH ? end - sleptSince[r] : 0);
      const awake = end - lastRefresh[r] - (slept - sleptAtRefresh[r]);
      if (awake > refreshGap) fail('tREFI', `rank ${r} went ${awake} cycles without a refresh (at most ${refreshGap} allowed)`);
      for (let b = r * spec.banks; b < (r + 1) * spec.banks; b++) {
        const bankAwake = end - lastBankRefresh[b] - (slept - sleptAtBankRefresh[b]);
        if (bankAwake > bankRefreshGap) fail('tREFIpb', `bank ${b} went ${bankAwake} cycles without a refresh (at most ${bankRefreshGap} allowed)`);
      }
    }
  }
  return { commands: log.length, violationCount: count, violations };
}
