/**
 * The protocol checker: replays one channel's command log against the memspec and reports every
 * timing requirement or bank/rank state rule the log breaks. It reads the same standard file as
 * the controller (the rule rows, what each command does, command lengths and buses, the
 * four-activate window, data timing, refresh modes) but none of the controller's code: it keeps the
 * time of the latest command of each kind per bank, bank group and rank and checks each command
 * against every rule naming it, tracks bank and rank state from the commands' effects, and replays
 * the data bursts rather than trusting command-to-command delays.
 */
import { Cmd, COMMAND_COUNT, COMMAND_NAMES, type CmdName, type Scope } from './commands.js';
import type { CommandLog } from './controller/command-log.js';
import type { McConfig } from './mcconfig.js';
import type { MemSpec } from './memspec.js';

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

export interface CheckOptions {
  /** With the controller config, refresh obligations are checked too. */
  mcConfig?: McConfig;
  /** The cycle the run ended: refresh obligations are checked up to it, not just up to the last refresh. */
  endCycle?: number;
  maxReported?: number;
}

/** Bank and rank states while replaying. */
const CLOSED = -1;
const AWAKE = 0, POWER_DOWN_ACTIVE = 1, POWER_DOWN_PRECHARGED = 2, SELF_REFRESH = 3;
const STATE_NAMES = ['awake', 'in active power-down', 'in precharged power-down', 'in self-refresh'];

/** "`to` must come at least `min` cycles after any `from` within `scope`." */
interface Requirement {
  param: string;
  from: number[];
  fromNames: string;
  scope: Scope;
  min: number;
  /** Holds only after a `from` command that completed a round on its rank (HBM's per-bank refresh). */
  round: boolean;
}

export function checkProtocol(log: CommandLog, spec: MemSpec, options: CheckOptions = {}): CheckReport {
  const std = spec.standard;
  const t = spec.timing;
  const data = spec.data;
  const maxReported = options.maxReported ?? 100;
  const NC = COMMAND_COUNT;
  const banks = spec.ranks * spec.banks;
  const groups = spec.ranks * spec.bankGroups;
  const lastBank = new Float64Array(banks * NC).fill(-Infinity);
  const lastGroup = new Float64Array(groups * NC).fill(-Infinity);
  const lastRank = new Float64Array(spec.ranks * NC).fill(-Infinity);
  const openRow = new Int32Array(banks).fill(CLOSED);
  const rankState = new Int32Array(spec.ranks).fill(AWAKE);
  const windowEnds: number[][] = Array.from({ length: spec.ranks }, () => []);
  const busFree = [-Infinity, -Infinity];
  // Refresh obligations: time awake since each rank's / bank's last refresh (self-refresh time excluded).
  const sleptSince = new Float64Array(spec.ranks).fill(-1);
  const sleptCum = new Float64Array(spec.ranks);
  const lastRefresh = new Float64Array(spec.ranks);
  const sleptAtRefresh = new Float64Array(spec.ranks);
  const lastBankRefresh = new Float64Array(banks);
  const sleptAtBankRefresh = new Float64Array(banks);
  // The data bus, per channel or (HBM) per rank: where the last burst ends, whose it was, which way.
  const dataBuses = data.rankSwitch === null ? spec.ranks : 1;
  const busEnd = new Float64Array(dataBuses).fill(-Infinity);
  const busRank = new Int32Array(dataBuses).fill(-1);
  const busRead = new Uint8Array(dataBuses).fill(1);

  // The requirements, indexed by the later command.
  const byTo: Requirement[][] = Array.from({ length: NC }, () => []);
  for (const r of std.constraints(t)) {
    const round = r.round === true;
    if (round && (r.scope === 'bank' || r.scope === 'bankGroup' || r.scope === 'otherStacks')) throw new Error(`checker: round rule ${r.param} within a ${r.scope} is not supported`);
    for (const to of r.to) byTo[Cmd[to]].push({ param: r.param, from: r.from.map((f) => Cmd[f]), fromNames: r.from.join('/'), scope: r.scope, min: r.cycles, round });
  }
  // Rounds: every command issued on a rank is counted; a round is as many as the rank has targets
  // for it (one per bank for a per-bank refresh), and the round rules date from the one completing it.
  const roundSize = (c: number): number => {
    const target = std.commands[COMMAND_NAMES[c]]?.target ?? 'rank';
    return target === 'bank' ? spec.banks : target === 'sameBank' ? spec.banksPerGroup : target === 'bankPair' ? spec.banks / 2 : 1;
  };
  const roundCount = new Int32Array(spec.ranks * NC);
  const lastRoundEnd = new Float64Array(spec.ranks * NC).fill(-Infinity);
  // HBM's stack IDs: the bank groups of a rank split into `stacks` equal runs.
  const groupsPerStack = spec.bankGroups / spec.stacks;
  const stackOfGroup = (g: number): number => Math.floor((g % spec.bankGroups) / groupsPerStack);
  const length = (c: number): number => std.commands[COMMAND_NAMES[c]]?.length ?? 1;
  const busOf = (c: number): number => (std.commandBuses === 2 && std.commands[COMMAND_NAMES[c]]?.bus === 'column' ? 1 : 0);

  // Every bank and bank group of each rank, built once rather than for every rank-wide command.
  const rankBanks = Array.from({ length: spec.ranks }, (_, r) => Array.from({ length: spec.banks }, (_, b) => r * spec.banks + b));
  const rankGroups = Array.from({ length: spec.ranks }, (_, r) => Array.from({ length: spec.bankGroups }, (_, g) => r * spec.bankGroups + g));
  /** The banks a command at (rank, bank) acts on, from its target. */
  const targets = (c: number, rank: number, bank: number): number[] => {
    const target = std.commands[COMMAND_NAMES[c]]?.target ?? 'rank';
    const base = rank * spec.banks;
    if (target === 'bank') return [bank];
    if (target === 'rank' || bank < 0) return rankBanks[rank];
    const local = bank - base;
    if (target === 'sameBank') return Array.from({ length: spec.bankGroups }, (_, g) => base + g * spec.banksPerGroup + (local % spec.banksPerGroup));
    const half = spec.banks / 2;
    return [base + (local % half), base + (local % half) + half];
  };

  // JEDEC lets refreshes be postponed and pulled in, but only so far: the gap between two refreshes
  // of a rank (or of a bank, for the partial refreshes) is bounded by the flexibility the mcconfig allows.
  const mc = options.mcConfig;
  const mode = mc && mc.RefreshPolicy !== 'NoRefresh' ? std.refresh(t)[mc.RefreshPolicy] : undefined;
  const slack = mc ? mc.RefreshMaxPostponed + mc.RefreshMaxPulledin + 2 : 0;
  const modeTarget = mode ? std.commands[mode.command]?.target : undefined;
  const sets = modeTarget === 'bank' ? spec.banks : modeTarget === 'sameBank' ? spec.banksPerGroup : modeTarget === 'bankPair' ? spec.banks / 2 : 1;
  const refreshGap = mode && modeTarget === 'rank' ? slack * t[mode.interval] : Infinity;
  const bankRefreshGap = mode && modeTarget !== 'rank' ? slack * t[mode.interval] * sets : Infinity;

  const violations: Violation[] = [];
  let count = 0;
  for (let i = 0; i < log.length; i++) {
    const now = log.time[i];
    const c = log.cmd[i];
    const name = COMMAND_NAMES[c];
    const spec_ = std.commands[name];
    const rank = log.rank[i];
    const bank = log.bank[i];
    const where = bank >= 0 ? `rank ${rank} bank ${bank}` : `rank ${rank}`;
    const fail = (rule: string, message: string): void => {
      count++;
      if (violations.length < maxReported) violations.push({ index: i, cycle: now, command: name, rule, message: `cycle ${now}: ${name} to ${where}: ${message}` });
    };
    if (!spec_) {
      fail('command', `${spec.memoryType} has no ${name} command`);
      continue;
    }
    const hit = targets(c, rank, bank);
    const hitGroups =
      hit.length === 1 ? [Math.floor(hit[0] / spec.banksPerGroup)] : hit === rankBanks[rank] ? rankGroups[rank] : [...new Set(hit.map((b) => Math.floor(b / spec.banksPerGroup)))];

    // The command bus (one, or a row and a column bus): a command starts once the last one left it.
    const bus = busOf(c);
    if (now < busFree[bus]) fail('command bus', `starts before the previous command left the ${std.commandBuses === 2 ? (bus ? 'column' : 'row') + ' ' : ''}command bus (cycle ${busFree[bus]})`);
    busFree[bus] = now + length(c);

    // Timing requirements against the latest earlier command of each kind in the rule's scope.
    for (const q of byTo[c]) {
      let prev = -Infinity;
      for (const f of q.from) {
        let p = -Infinity;
        const byRank = q.round ? lastRoundEnd : lastRank;
        switch (q.scope) {
          case 'bank':
            for (const b of hit) p = Math.max(p, lastBank[b * NC + f]);
            break;
          case 'bankGroup':
            for (const g of hitGroups) p = Math.max(p, lastGroup[g * NC + f]);
            break;
          case 'rank':
            p = byRank[rank * NC + f];
            break;
          case 'otherRanks':
          case 'channel':
            for (let r = 0; r < spec.ranks; r++) if (q.scope === 'channel' || r !== rank) p = Math.max(p, byRank[r * NC + f]);
            break;
          case 'otherStacks':
            // The rank's bank groups outside the command's stack; all of them for a rank-wide command.
            if (spec_.target === 'rank' || bank < 0) p = lastRank[rank * NC + f];
            else {
              const own = stackOfGroup(hitGroups[0]);
              for (let g = rank * spec.bankGroups; g < (rank + 1) * spec.bankGroups; g++) if (stackOfGroup(g) !== own) p = Math.max(p, lastGroup[g * NC + f]);
            }
            break;
        }
        if (p > prev) prev = p;
      }
      if (now - prev < q.min) fail(q.param, `only ${now - prev} cycles after ${q.fromNames} (${q.param} needs ${q.min})`);
    }

    // The four-activate window: the fifth windowed command ends at least tFAW after the first ends.
    if (spec_.window && data.fourActivateWindow > 0) {
      const w = windowEnds[rank];
      const end = now + length(c);
      if (w.length === 4) {
        if (end - w[0] < data.fourActivateWindow) fail('tFAW', `fifth activate within ${end - w[0]} cycles of four others (tFAW needs ${data.fourActivateWindow})`);
        w.shift();
      }
      w.push(end);
    }

    // Power state: asleep, a rank takes only its own exit.
    const state = rankState[rank];
    const sleeping = state !== AWAKE;
    const allowedAsleep =
      (state === POWER_DOWN_ACTIVE && name === 'PDXA') || (state === POWER_DOWN_PRECHARGED && name === 'PDXP') || (state === SELF_REFRESH && name === 'SREFEX');
    if (sleeping && !allowedAsleep) fail('power state', `issued while the rank is ${STATE_NAMES[state]}`);
    const firstBank = rank * spec.banks;
    let anyOpen = false;
    for (let b = firstBank; b < firstBank + spec.banks; b++) if (openRow[b] !== CLOSED) anyOpen = true;

    // Bank state, from what the command does.
    switch (spec_.effect) {
      case 'activate':
        if (openRow[bank] !== CLOSED) fail('bank state', `bank already has row ${openRow[bank]} open`);
        openRow[bank] = log.row[i];
        break;
      case 'precharge':
        for (const b of hit) openRow[b] = CLOSED;
        break;
      case 'read':
      case 'readAuto':
      case 'write':
      case 'writeAuto': {
        if (openRow[bank] === CLOSED) fail('bank state', 'no row is open');
        else if (openRow[bank] !== log.row[i]) fail('bank state', `row ${log.row[i]} accessed but row ${openRow[bank]} is open`);
        if (spec_.effect === 'readAuto' || spec_.effect === 'writeAuto') openRow[bank] = CLOSED;
        // The data bus: bursts must not overlap; a rank switch needs a bubble, plus the new
        // direction's preamble when the direction changes too.
        const isRead = spec_.effect === 'read' || spec_.effect === 'readAuto';
        const d = data.rankSwitch === null ? rank : 0;
        const start = now + (isRead ? data.readLatency : data.writeLatency);
        const sw = data.rankSwitch;
        const gap = sw !== null && busRank[d] >= 0 && busRank[d] !== rank ? sw.bubble + (isRead !== (busRead[d] === 1) ? (isRead ? sw.readPreamble : sw.writePreamble) : 0) : 0;
        if (start < busEnd[d] + gap) fail('data bus', `burst at cycle ${start} overlaps the previous one ending at ${busEnd[d]}${gap ? ` (+${gap} for the rank switch)` : ''}`);
        busEnd[d] = Math.max(busEnd[d], start + data.burst);
        busRank[d] = rank;
        busRead[d] = isRead ? 1 : 0;
        break;
      }
      case 'refresh': {
        if (hit.some((b) => openRow[b] !== CLOSED)) fail('bank state', `${spec_.target === 'rank' ? 'all-bank ' : ''}refresh with a row open`);
        if (spec_.target === 'rank') {
          const awake = now - lastRefresh[rank] - (sleptCum[rank] - sleptAtRefresh[rank]);
          if (awake > refreshGap) fail('tREFI', `${awake} cycles since the last refresh (at most ${refreshGap} allowed by RefreshMaxPostponed/Pulledin)`);
          lastRefresh[rank] = now;
          sleptAtRefresh[rank] = sleptCum[rank];
        }
        for (const b of hit) {
          const awake = now - lastBankRefresh[b] - (sleptCum[rank] - sleptAtBankRefresh[b]);
          if (spec_.target !== 'rank' && awake > bankRefreshGap) fail('tREFIpb', `${awake} cycles since bank ${b}'s last refresh (at most ${bankRefreshGap} allowed)`);
          lastBankRefresh[b] = now;
          sleptAtBankRefresh[b] = sleptCum[rank];
        }
        break;
      }
      case 'powerDown':
        if (name === 'PDEA' && !anyOpen) fail('power state', 'active power-down with every bank closed (should be PDEP)');
        if (name === 'PDEP' && anyOpen) fail('power state', 'precharged power-down with a row open (should be PDEA)');
        if (!sleeping) rankState[rank] = name === 'PDEA' ? POWER_DOWN_ACTIVE : POWER_DOWN_PRECHARGED;
        break;
      case 'powerUp':
        if (allowedAsleep) rankState[rank] = AWAKE;
        else if (!sleeping) fail('power state', 'power-down exit while not in power-down');
        break;
      case 'selfRefreshEntry':
        if (anyOpen) fail('bank state', 'self-refresh entry with a row open');
        if (!sleeping) {
          rankState[rank] = SELF_REFRESH;
          sleptSince[rank] = now;
        }
        break;
      case 'selfRefreshExit':
        if (allowedAsleep) {
          rankState[rank] = AWAKE;
          sleptCum[rank] += now - sleptSince[rank];
        } else if (!sleeping) fail('power state', 'self-refresh exit while not in self-refresh');
        break;
    }

    lastRank[rank * NC + c] = now;
    if (++roundCount[rank * NC + c] === roundSize(c)) {
      roundCount[rank * NC + c] = 0;
      lastRoundEnd[rank * NC + c] = now;
    }
    for (const g of hitGroups) lastGroup[g * NC + c] = now;
    for (const b of hit) lastBank[b * NC + c] = now;
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
