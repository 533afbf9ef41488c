/**
 * One channel's memory controller (DRAMSys's Controller): scheduler buffer → bank machines
 * (scheduler + page policy) with a refresh and a power-down manager per rank → command
 * multiplexer → DRAM → response queue. Cycle-accurate in the controller clock.
 *
 * What commands exist, what each does to the banks it targets, how long it holds its command bus
 * and how commands constrain each other all come from the standard's file: issuing a command pushes
 * forward, per bank, bank group and rank, the earliest cycle of every command it constrains, so
 * checking a candidate is a few array reads.
 */
import { Cmd, COMMAND_COUNT, EFFECTS, type Effect, type Scope, type Target, type TimingConstraint } from '../commands.js';
import { EnergyMeter, type EnergyBreakdownPj, refreshEnergyPj } from '../energy.js';
import type { McConfig } from '../mcconfig.js';
import type { MemSpec } from '../memspec.js';
import { BUFFERS, type BufferCounter } from './buffer/index.js';
import { CMD_MUXES, type CmdMux } from './cmd-mux/index.js';
import { CommandLog } from './command-log.js';
import { PAGE_POLICIES, type PagePolicy } from './page-policy/index.js';
import { NoPowerDown } from './power-down/no-power-down.js';
import { type PowerDownManager, PowerState } from './power-down/power-down-manager.js';
import { StaggeredPowerDown } from './power-down/staggered.js';
import { type ControllerView, makeRefreshManager, type RefreshManager, refreshSets } from './refresh/index.js';
import { BankQueues, IdWindow, type RequestPool, RowOutcome, SlotFifo } from './requests.js';
import { RESPONSE_QUEUES, type ResponseQueue } from './resp-queue/index.js';
import { SCHEDULERS, type Scheduler } from './scheduler/index.js';

const NC = COMMAND_COUNT;
const { ACT, PRE, RD, RDA, WR, WRA } = Cmd;
const SCOPES: Record<Scope, number> = { bank: 0, bankGroup: 1, rank: 2, otherRanks: 3, channel: 4, otherStacks: 5 };
const SCOPE_BANK = 0, SCOPE_GROUP = 1, SCOPE_RANK = 2, SCOPE_OTHER_RANKS = 3, SCOPE_CHANNEL = 4, SCOPE_OTHER_STACKS = 5;
const EFFECT_CODES = Object.fromEntries(EFFECTS.map((e, i) => [e, i])) as Record<Effect, number>;
const E = EFFECT_CODES;
const TARGETS: Record<Target, number> = { bank: 0, rank: 1, sameBank: 2, bankPair: 3 };
const TARGET_BANK = 0, TARGET_RANK = 1;
/** Command-mux priorities (DRAMSys's payload IDs): refresh before any request, power-down after all. */
const REFRESH_ID = -1;
const POWER_DOWN_ID = Number.MAX_SAFE_INTEGER;
/** Who asked for the chosen command. */
const FROM_BANK = 0, FROM_REFRESH = 1, FROM_POWER_DOWN = 2;
/** Where in a cycle a request enters the scheduler buffer (see `admit`). */
export const ADMIT_EARLY = 0, ADMIT_AFTER_COLUMN = 1, ADMIT_LATE = 2;

/** The delays the channel applies, in its cycles (DRAMSys's Think/Phy delays). */
export interface ChannelDelays {
  /** How late the front end hears that a request which waited for room was taken (ThinkDelayFw). */
  readonly thinkFw: number;
  /** From a burst's end to the response leaving (ThinkFw + PhyFw + PhyBw + ThinkBw). */
  readonly response: number;
  /** How late DRAMPower sees each command (ThinkFw + PhyFw): it lengthens the energy window. */
  readonly commandShift: number;
  /** ArbitrationDelayFw: how long after the last END_REQ the arbiter's next request arrives. */
  readonly forward: number;
}

/** A channel's own figures, for the run's totals and its per-channel breakdown. */
export interface ChannelStats {
  reads: number;
  writes: number;
  rowHits: number;
  rowMisses: number;
  rowConflicts: number;
  commandCounts: Float64Array;
  energy: EnergyBreakdownPj;
  energyPj: number;
  /** DRAMPower's window for this channel, ns. */
  energyWindowNs: number;
  averagePowerMw: number;
}

/**
 * Compiles the rule table into flat arrays grouped by the earlier command: its rules from
 * `start[c]`, those that hold only after a round (`round`) from `roundStart[c]` to `start[c + 1]`.
 */
function compileRules(rules: readonly TimingConstraint[], targetOf: Int8Array) {
  const merged = new Map<string, { from: number; to: number; scope: number; cycles: number; round: number }>();
  for (const r of rules) {
    for (const f of r.from) {
      for (const to of r.to) {
        const from = Cmd[f], t = Cmd[to];
        let scope = SCOPES[r.scope];
        // A bank, bank-group or stack rule towards a rank-wide command holds for any bank of the rank.
        if ((scope === SCOPE_BANK || scope === SCOPE_GROUP || scope === SCOPE_OTHER_STACKS) && targetOf[t] === TARGET_RANK) scope = SCOPE_RANK;
        const round = r.round ? 1 : 0;
        const key = `${from}/${t}/${scope}/${round}`;
        const old = merged.get(key);
        if (!old || old.cycles < r.cycles) merged.set(key, { from, to: t, scope, cycles: r.cycles, round });
      }
    }
  }
  const list = [...merged.values()].sort((a, b) => a.from - b.from || a.round - b.round || a.to - b.to || a.scope - b.scope);
  const start = new Int32Array(NC + 1);
  for (const r of list) start[r.from + 1]++;
  for (let c = 0; c < NC; c++) start[c + 1] += start[c];
  const roundStart = Int32Array.from({ length: NC }, (_, c) => start[c] + list.slice(start[c], start[c + 1]).filter((r) => r.round === 0).length);
  return {
    start,
    roundStart,
    scope: Int8Array.from(list, (r) => r.scope),
    to: Int8Array.from(list, (r) => r.to),
    cycles: Int32Array.from(list, (r) => r.cycles),
  };
}

/** What a channel controller derives from its memory alone: the same for every channel and every run of that memspec. */
interface ChannelTables {
  readonly bankRank: Int32Array;
  readonly bankGroup: Int32Array;
  readonly groupStack: Int32Array;
  readonly bankAlone: Int32Array[];
  readonly rankBanks: Int32Array[];
  readonly effect: Int8Array;
  readonly target: Int8Array;
  readonly length: Int32Array;
  readonly bus: Int8Array;
  readonly inWindow: Uint8Array;
  readonly targetSets: Array<Int32Array[] | null>;
  readonly refreshEnergy: Float64Array;
  readonly refreshBusy: Int32Array;
  readonly completion: Int32Array;
  readonly roundLength: Int32Array;
  readonly ruleStart: Int32Array;
  readonly ruleRoundStart: Int32Array;
  readonly ruleScope: Int8Array;
  readonly ruleTo: Int8Array;
  readonly ruleCycles: Int32Array;
}

/**
 * Built once per memspec object and shared (read-only) by its channels and runs: compiling the
 * standard's rules and tables cost more than simulating a short trace (a search simulates the same
 * few memspecs thousands of times).
 */
const TABLES = new WeakMap<MemSpec, ChannelTables>();

function channelTables(spec: MemSpec): ChannelTables {
  let tables = TABLES.get(spec);
  if (!tables) {
    tables = buildChannelTables(spec);
    TABLES.set(spec, tables);
  }
  return tables;
}

function buildChannelTables(spec: MemSpec): ChannelTables {
  const t = spec.timing;
  const std = spec.standard;
  const nBanks = spec.ranks * spec.banks;
  const bankRank = new Int32Array(nBanks);
  const bankGroup = new Int32Array(nBanks);
  for (let b = 0; b < nBanks; b++) {
    bankRank[b] = Math.floor(b / spec.banks);
    bankGroup[b] = Math.floor(b / spec.banksPerGroup);
  }
  const groupsPerStack = spec.bankGroups / spec.stacks;
  const effect = new Int8Array(NC).fill(-1);
  const target = new Int8Array(NC);
  const length = new Int32Array(NC).fill(1);
  const bus = new Int8Array(NC);
  const inWindow = new Uint8Array(NC);
  const targetSets = new Array<Int32Array[] | null>(NC).fill(null);
  const refreshEnergy = new Float64Array(NC);
  const refreshBusy = new Int32Array(NC);
  const completion = new Int32Array(NC);
  const roundLength = new Int32Array(NC).fill(1);
  for (const [name, c] of Object.entries(std.commands)) {
    const code = Cmd[name as keyof typeof Cmd];
    effect[code] = E[c!.effect];
    target[code] = TARGETS[c!.target];
    length[code] = c!.length ?? 1;
    bus[code] = c!.bus === 'column' ? 1 : 0;
    inWindow[code] = c!.window ? 1 : 0;
    if (c!.target === 'sameBank' || c!.target === 'bankPair') {
      const sets: Int32Array[] = new Array(nBanks);
      for (let r = 0; r < spec.ranks; r++) for (const set of refreshSets(spec, r, c!.target)) for (const b of set) sets[b] = Int32Array.from(set);
      targetSets[code] = sets;
    }
    if (c!.target !== 'rank') roundLength[code] = refreshSets(spec, 0, c!.target).length;
  }
  for (const [name, n] of Object.entries(spec.data.completion)) completion[Cmd[name as keyof typeof Cmd]] = n!;
  for (const mode of Object.values(std.refresh(t))) {
    const code = Cmd[mode!.command];
    const banks = target[code] === TARGET_RANK ? spec.banks : target[code] === TARGET_BANK ? 1 : (targetSets[code]?.[0]?.length ?? 1);
    refreshBusy[code] = t[mode!.duration];
    refreshEnergy[code] = refreshEnergyPj(spec, t[mode!.duration], banks / spec.banks, mode!.command !== 'REF' && target[code] !== TARGET_RANK);
  }
  const rules = compileRules(std.constraints(t), target);
  return {
    bankRank,
    bankGroup,
    groupStack: Int32Array.from({ length: spec.ranks * spec.bankGroups }, (_, g) => Math.floor((g % spec.bankGroups) / groupsPerStack)),
    bankAlone: Array.from({ length: nBanks }, (_, b) => Int32Array.of(b)),
    rankBanks: Array.from({ length: spec.ranks }, (_, r) => Int32Array.from({ length: spec.banks }, (_, i) => r * spec.banks + i)),
    effect,
    target,
    length,
    bus,
    inWindow,
    targetSets,
    refreshEnergy,
    refreshBusy,
    completion,
    roundLength,
    ruleStart: rules.start,
    ruleRoundStart: rules.roundStart,
    ruleScope: rules.scope,
    ruleTo: rules.to,
    ruleCycles: rules.cycles,
  };
}

export class ChannelController implements ControllerView {
  readonly banksPerRank: number;
  private readonly nRanks: number;
  private readonly nBanks: number;
  private readonly groupsPerRank: number;
  private readonly bankRank: Int32Array;
  private readonly bankGroup: Int32Array;
  /** Each bank group's stack (HBM's stack ID). */
  private readonly groupStack: Int32Array;

  // The standard's commands, by code.
  private readonly effect: Int8Array;
  private readonly target: Int8Array;
  private readonly length: Int32Array;
  private readonly bus: Int8Array;
  private readonly inWindow: Uint8Array;
  /** The banks a command targeting bank b acts on, for the targets beyond one bank or a whole rank. */
  private readonly targetSets: Array<Int32Array[] | null>;
  /** Each bank alone, and each rank's banks: what a bank or a rank-wide command acts on. */
  private readonly bankAlone: Int32Array[];
  private readonly rankBanks: Int32Array[];
  private readonly refreshEnergy: Float64Array;
  private readonly refreshBusy: Int32Array;

  private readonly nextBank: Float64Array;
  private readonly nextGroup: Float64Array;
  private readonly nextRank: Float64Array;
  private readonly ruleStart: Int32Array;
  private readonly ruleRoundStart: Int32Array;
  /** Per command: how many of it make a round on a rank, and per rank how many issued in this round. */
  private readonly roundLength: Int32Array;
  private readonly roundCount: Int32Array;
  private readonly ruleScope: Int8Array;
  private readonly ruleTo: Int8Array;
  private readonly ruleCycles: Int32Array;
  /** When each command bus is free again. */
  private readonly busFree = new Float64Array(2);
  /** The four-activate window per rank: the last four windowed commands' end cycles, and tFAW. */
  private readonly windowEnd: Float64Array;
  private readonly windowNext: Int32Array;
  private readonly windowCycles: number;

  private readonly openRow: Int32Array;
  private readonly actTime: Float64Array;
  private readonly blocked: Uint8Array;
  /** The cycle each bank was last blocked at: a bank blocked by a refresh falling due this cycle still issues the command it had ready (DRAMSys's bank machines see the block only when they next restart). */
  private readonly blockedAt: Float64Array;
  private readonly pickSlot: Int32Array;
  private readonly pickCmd: Int8Array;
  private readonly pickValid: Uint8Array;
  /**
   * What the last scan leaves known about the cycle the next command can go: whether every
   * candidate but the one it chose was unready (and no refresh or power-down command waited), so
   * that its `nextReady` bounds them still, and the banks that must pick again since (whose
   * candidates it does not bound).
   */
  private scanBounds = false;
  private readonly repicked: Int32Array;
  private repickedCount = 0;
  /** Candidates found ready in the current scan. */
  private readyNow = 0;
  private readonly rankPending: Int32Array;
  /** Banks holding requests, a bit each, in 32-bit words per rank (the multiplexer visits only these). */
  private readonly waiting: Int32Array;
  private readonly wordsPerRank: number;
  /** Each command's rank-wide bound (rank rules, its bus, the four-activate window) in the current scan, per rank. */
  private readonly rankBound: Float64Array;
  private readonly rankBoundScan: Int32Array;
  private scanId = 0;
  private readonly rankOpen: Int32Array;
  /** The cycle being decided. */
  private now = 0;
  /**
   * No command can issue before this cycle unless a request enters: every candidate's ready cycle,
   * the command buses and the managers' next triggers lie at or beyond it, so `step` skips the
   * multiplexer's scan until then. A command issued, or a bank blocked, sets it anew.
   */
  private quietUntil = 0;
  private blockedNow = false;
  /** Whether the last `step` took a request or issued a command. */
  acted = false;

  /** Requests the arbiter handed this channel that it has not taken yet; the head is at its port. */
  readonly arbQueue: SlotFifo;
  /** The last cycle a request entered the scheduler buffer, and when the front end heard of it (END_REQ). */
  lastAdmit = -1;
  lastEndReq = -1;
  /** A request entered the buffer in the cycle being decided. */
  endReqDue = false;

  private readonly queues: BankQueues;
  private readonly scheduler: Scheduler;
  private readonly page: PagePolicy;
  private readonly buffer: BufferCounter;
  private readonly mux: CmdMux;
  private readonly strict: IdWindow | null;
  readonly respQueue: ResponseQueue;
  private readonly refresh: RefreshManager[];
  private readonly powerDown: PowerDownManager[];
  private readonly energy: EnergyMeter;
  readonly log: CommandLog | null;
  private readonly commandCounts = new Float64Array(NC);
  /** The last command's time and how long DRAMPower counts it, and the latest implicit precharge of an auto-precharge (DRAMPower adds it as a PRE). */
  private lastCommandAt = 0;
  private lastCommandCompletion = 0;
  private lastAutoPrechargeAt = -1;
  private readonly completion: Int32Array;

  /** The multiplexer's best candidate so far per command bus, and the earliest later ready cycle. */
  private readonly best = [0, 1].map(() => ({ key: Infinity, id: Infinity, ready: Infinity, cmd: -1, bank: -1, rank: -1, slot: -1, from: FROM_BANK }));
  private nextReady = Infinity;
  private readonly twoBuses: boolean;
  private readonly buses: number;

  // The chosen command.
  private selCmd = -1;
  private selBank = -1;
  private selRank = -1;
  private selSlot = -1;
  private selFrom = FROM_BANK;

  private rowHits = 0;
  private rowMisses = 0;
  private rowConflicts = 0;
  private reads = 0;
  private writes = 0;

  constructor(
    private readonly spec: MemSpec,
    cfg: McConfig,
    private readonly pool: RequestPool,
    private readonly delays: ChannelDelays,
    recordCommands: boolean,
  ) {
    const std = spec.standard;
    this.nRanks = spec.ranks;
    this.banksPerRank = spec.banks;
    this.nBanks = spec.ranks * spec.banks;
    this.groupsPerRank = spec.bankGroups;
    const k = channelTables(spec);
    this.bankRank = k.bankRank;
    this.bankGroup = k.bankGroup;
    this.bankAlone = k.bankAlone;
    this.rankBanks = k.rankBanks;
    this.groupStack = k.groupStack;
    this.effect = k.effect;
    this.target = k.target;
    this.length = k.length;
    this.bus = k.bus;
    this.inWindow = k.inWindow;
    this.targetSets = k.targetSets;
    this.refreshEnergy = k.refreshEnergy;
    this.refreshBusy = k.refreshBusy;
    this.completion = k.completion;
    this.roundLength = k.roundLength;
    this.windowCycles = spec.data.fourActivateWindow;
    this.twoBuses = std.commandBuses === 2;
    this.buses = std.commandBuses;
    this.busFree.fill(std.firstCommandCycle ?? 0);

    this.ruleStart = k.ruleStart;
    this.ruleRoundStart = k.ruleRoundStart;
    this.roundCount = new Int32Array(spec.ranks * NC);
    this.ruleScope = k.ruleScope;
    this.ruleTo = k.ruleTo;
    this.ruleCycles = k.ruleCycles;
    this.nextBank = new Float64Array(this.nBanks * NC);
    this.nextGroup = new Float64Array(spec.ranks * spec.bankGroups * NC);
    this.nextRank = new Float64Array(spec.ranks * NC);
    this.windowEnd = new Float64Array(spec.ranks * 4).fill(-Infinity);
    this.windowNext = new Int32Array(spec.ranks);

    this.openRow = new Int32Array(this.nBanks).fill(-1);
    this.actTime = new Float64Array(this.nBanks);
    this.blocked = new Uint8Array(this.nBanks);
    this.blockedAt = new Float64Array(this.nBanks);
    this.pickSlot = new Int32Array(this.nBanks).fill(-1);
    this.pickCmd = new Int8Array(this.nBanks);
    this.pickValid = new Uint8Array(this.nBanks);
    this.repicked = new Int32Array(4);
    this.rankPending = new Int32Array(spec.ranks);
    this.wordsPerRank = Math.ceil(spec.banks / 32);
    this.waiting = new Int32Array(spec.ranks * this.wordsPerRank);
    this.rankBound = new Float64Array(spec.ranks * NC);
    this.rankBoundScan = new Int32Array(spec.ranks * NC);
    this.rankOpen = new Int32Array(spec.ranks);

    this.arbQueue = new SlotFifo(pool);
    this.queues = new BankQueues(this.nBanks, pool);
    this.scheduler = SCHEDULERS[cfg.Scheduler](pool, this.queues, cfg);
    this.page = PAGE_POLICIES[cfg.PagePolicy](this.scheduler);
    this.buffer = BUFFERS[cfg.SchedulerBuffer](cfg, this.nBanks);
    this.mux = new CMD_MUXES[cfg.CmdMux]();
    this.strict = cfg.CmdMux === 'Strict' ? new IdWindow() : null;
    this.respQueue = new RESPONSE_QUEUES[cfg.RespQueue](pool);

    this.refresh = [];
    this.powerDown = [];
    for (let r = 0; r < spec.ranks; r++) {
      const rm = makeRefreshManager(spec, cfg, this, r);
      this.refresh.push(rm);
      this.powerDown.push(cfg.PowerDownPolicy === 'Staggered' ? new StaggeredPowerDown(this, rm, r, cfg.PowerDownTimeout) : new NoPowerDown());
    }
    this.energy = new EnergyMeter(spec);
    this.log = recordCommands ? new CommandLog() : null;
  }

  // ---- ControllerView, for the refresh and power-down managers ----
  pendingOnRank(rank: number): number {
    return this.rankPending[rank];
  }
  pendingOnBank(bank: number): number {
    return this.queues.count[bank];
  }
  openBanksOnRank(rank: number): number {
    return this.rankOpen[rank];
  }
  isOpen(bank: number): boolean {
    return this.openRow[bank] >= 0;
  }
  setBlocked(bank: number, blocked: boolean): void {
    if (blocked && this.blocked[bank] === 0) this.blockedAt[bank] = this.now;
    this.blocked[bank] = blocked ? 1 : 0;
    this.blockedNow = true;
  }
  interruptPowerDown(rank: number): void {
    this.powerDown[rank].interrupt();
  }
  isAsleep(rank: number): boolean {
    return this.powerDown[rank].state !== PowerState.AWAKE;
  }

  /** Whether the request at the port would fit in the buffer. */
  headFits(): boolean {
    const h = this.arbQueue.head;
    return h >= 0 && this.buffer.hasSpace(this.pool.bank[h], this.pool.write[h] === 1);
  }

  /**
   * Moves the request at the port into the scheduler buffer if it has reached the controller,
   * fits, and none entered this cycle. `phase` says where in the cycle we are: before the command
   * (requests that arrived before it), after a column command (a request that waited for room; the
   * front end hears of it ThinkDelayFw later), or after the command (requests that arrived after it).
   */
  admit(t: number, phase: number): boolean {
    const pool = this.pool;
    const h = this.arbQueue.head;
    if (h < 0 || pool.forwardAt[h] > t || this.lastAdmit >= t || !this.buffer.hasSpace(pool.bank[h], pool.write[h] === 1)) return false;
    const late = pool.lateAt[h] === t;
    if (late !== (phase === ADMIT_LATE)) return false;
    this.arbQueue.shift();
    const bank = pool.bank[h];
    pool.admitted[h] = t;
    this.queues.append(bank, h);
    this.markWaiting(bank, true);
    this.buffer.add(bank, pool.write[h] === 1);
    this.rankPending[pool.rank[h]]++;
    this.repick(bank);
    if (this.scheduler.onAdmit?.(pool.write[h] === 1)) this.repickAll();
    if (this.strict) this.strict.put(pool.channelId[h], h);
    this.lastAdmit = t;
    // Its first command may go as soon as a command bus is free.
    const bus = this.busBound();
    if (this.quietUntil > bus) this.quietUntil = bus > t ? bus : t;
    // The controller's END_REQ; the arbiter hands on its next request a cycle later.
    this.lastEndReq = phase === ADMIT_AFTER_COLUMN ? t + this.delays.thinkFw : t;
    this.endReqDue = true;
    const n = this.arbQueue.head;
    if (n >= 0) pool.forwardAt[n] = this.lastEndReq + 1 + this.delays.forward;
    return true;
  }

  /**
   * Decides cycle t after the front end moved requests: requests that arrived before the command,
   * the command(s), then requests that arrived after it (and, if no command went yet, a second
   * choice). Returns the earliest later cycle at which a waiting command becomes ready; `acted`
   * says whether it took a request or issued a command.
   */
  step(t: number): number {
    let acted = this.admit(t, ADMIT_EARLY);
    let next = this.quietUntil;
    let issued = 0;
    // Before quietUntil the multiplexer would find nothing: skip its scan.
    const scan = t >= this.quietUntil;
    if (scan) {
      next = this.chooseCommand(t, true);
      while (this.selCmd >= 0) {
        this.issueAndAdmit(t);
        acted = true;
        // With a row and a column command bus, the other bus may take a command in the same cycle.
        if (++issued >= this.buses) break;
        next = this.chooseCommand(t, false);
      }
    }
    let late = false;
    if (this.admit(t, ADMIT_LATE)) {
      acted = true;
      // The late request wakes the multiplexer again: a command bus still free this cycle may take a
      // command. (The request may lower quietUntil to now.)
      if (issued < this.buses && (issued > 0 || t >= this.quietUntil)) {
        late = true;
        while (issued < this.buses) {
          next = this.chooseCommand(t, false);
          if (this.selCmd < 0) break;
          this.issueAndAdmit(t);
          issued++;
        }
      }
    }
    if (scan || late) {
      // After a command nothing goes before a command bus is free (the other candidates' ready
      // cycles are stale); otherwise nothing before the next candidate is ready. A refresh or
      // power-down trigger, or a bank just blocked, asks for a scan at its cycle.
      let quiet = issued > 0 ? Math.max(this.busBound(), this.candidatesBound()) : next;
      const m = this.nextManagerTime(t);
      if (m < quiet) quiet = m;
      if (this.blockedNow && t + 1 < quiet) quiet = t + 1;
      this.blockedNow = false;
      this.quietUntil = quiet;
    }
    this.acted = acted;
    return next;
  }

  /** The first cycle a command bus is free. */
  private busBound(): number {
    const a = this.busFree[0];
    return this.twoBuses && this.busFree[1] < a ? this.busFree[1] : a;
  }

  /** Issues the chosen command; a column command frees buffer room, which a waiting request takes at once. */
  private issueAndAdmit(t: number): void {
    const column = this.selCmd >= RD && this.selCmd <= WRA;
    this.issue(t);
    if (column) this.admit(t, ADMIT_AFTER_COLUMN);
  }

  /** The cycle of the multiplexer's next scan: no command goes before it unless a request enters. */
  get nextScan(): number {
    return this.quietUntil;
  }

  /** The earliest cycle a refresh or power-down manager's next action is due (beyond t). */
  nextManagerTime(t: number): number {
    let next = Infinity;
    for (let r = 0; r < this.nRanks; r++) {
      // A trigger already due is being acted on through a candidate command (or the rank sleeps).
      const rt = this.refresh[r].nextTrigger();
      if (rt > t && rt < next) next = rt;
      const pt = this.powerDown[r].nextTime();
      if (pt > t && pt < next) next = pt;
    }
    return next;
  }

  /** The command a bank machine wants for request `slot`. */
  private bankCommand(b: number, slot: number): number {
    const open = this.openRow[b];
    if (open < 0) return ACT;
    if (this.pool.row[slot] !== open) return PRE;
    const auto = this.page.autoPrecharge(b, open, slot);
    return this.pool.write[slot] === 1 ? (auto ? WRA : WR) : auto ? RDA : RD;
  }

  /** The earliest cycle `cmd` may start on bank b (a representative bank for set targets), by the rules, its bus and the four-activate window. */
  private earliest(cmd: number, b: number): number {
    const sets = this.targetSets[cmd];
    let e = sets === null ? this.nextBank[b * NC + cmd] : -Infinity;
    if (sets !== null) {
      for (const x of sets[b]) {
        const v = this.nextBank[x * NC + cmd];
        if (v > e) e = v;
        const g = this.nextGroup[this.bankGroup[x] * NC + cmd];
        if (g > e) e = g;
      }
    } else {
      const g = this.nextGroup[this.bankGroup[b] * NC + cmd];
      if (g > e) e = g;
    }
    return this.rankEarliest(cmd, this.bankRank[b], e);
  }

  private rankEarliest(cmd: number, rank: number, e: number): number {
    const r = this.nextRank[rank * NC + cmd];
    if (r > e) e = r;
    const bus = this.busFree[this.bus[cmd]];
    if (bus > e) e = bus;
    if (this.inWindow[cmd] === 1 && this.windowCycles > 0) {
      // The fifth windowed command ends at least tFAW after the first of the last four ends.
      const w = this.windowEnd[rank * 4 + this.windowNext[rank]] + this.windowCycles - this.length[cmd];
      if (w > e) e = w;
    }
    return e;
  }

  /**
   * Collects every command that could go and picks one (into sel*), as DRAMSys's command
   * multiplexer does: the candidate that would finish first on its bus (ready cycle plus command
   * length; a refresh before any request, then the oldest request, power-down last), issued only
   * if it is ready now; with two command buses the better of the best row and the best column
   * command. `first` is the cycle's first choice (later ones follow requests that arrive after it).
   * Returns the earliest later cycle at which a candidate becomes ready.
   */
  private chooseCommand(t: number, first: boolean): number {
    this.selCmd = -1;
    this.now = t;
    this.scanId++;
    this.best[0].cmd = this.best[1].cmd = -1;
    this.best[0].key = this.best[1].key = Infinity;
    this.nextReady = Infinity;
    this.readyNow = 0;
    let managersWait = false;
    const strictSlot = this.strict ? this.strict.peek() : -1;
    const strictBank = strictSlot >= 0 ? this.pool.bank[strictSlot] : -1;
    const bpr = this.banksPerRank;
    for (let r = 0; r < this.nRanks; r++) {
      const rm = this.refresh[r];
      const pd = this.powerDown[r];
      rm.evaluate(t);
      pd.evaluate(t, rm.cmd >= 0);
      if (rm.cmd >= 0 || pd.cmd >= 0 || pd.state !== PowerState.AWAKE) managersWait = true;
      if (pd.cmd >= 0) {
        // While the power-down manager wants a command, nothing else goes to its rank.
        this.consider(t, pd.cmd, this.rankEarliest(pd.cmd, r, -Infinity), POWER_DOWN_ID, -1, r, -1, FROM_POWER_DOWN);
        continue;
      }
      if (pd.state !== PowerState.AWAKE) continue;
      if (rm.cmd >= 0) {
        const e = rm.bank >= 0 ? this.earliest(rm.cmd, rm.bank) : this.rankEarliest(rm.cmd, r, -Infinity);
        this.consider(t, rm.cmd, e, REFRESH_ID, rm.bank, r, -1, FROM_REFRESH);
      }
      // The banks holding requests, in bank order.
      const wpr = this.wordsPerRank;
      for (let w = 0; w < wpr; w++) {
        for (let m = this.waiting[r * wpr + w]; m !== 0; m &= m - 1) {
          this.considerBank(t, r * bpr + (w << 5) + 31 - Math.clz32(m & -m), r, first, strictSlot, strictBank);
        }
      }
    }
    // With two buses, the older of the two buses' best candidates by ready cycle (DRAMSys's RasCas mux).
    const [row, col] = this.best;
    const c = col.cmd >= 0 && (row.cmd < 0 || col.ready < row.ready || (col.ready === row.ready && col.id < row.id)) ? col : row;
    if (c.cmd >= 0 && c.ready === t) this.select(c.cmd, c.bank, c.rank, c.slot, c.from);
    this.scanBounds = this.strict === null && !managersWait && this.readyNow === (this.selCmd >= 0 ? 1 : 0);
    this.repickedCount = 0;
    return this.nextReady;
  }

  /**
   * After the cycle's commands, the earliest cycle any candidate can be ready, if the last scan
   * tells (else -Infinity): its `nextReady` bounds the candidates it saw unready (their rules only
   * move later), and each bank that must pick again is asked now.
   */
  private candidatesBound(): number {
    if (!this.scanBounds) return -Infinity;
    let bound = this.nextReady;
    for (let i = 0; i < this.repickedCount; i++) {
      const b = this.repicked[i];
      // A blocked bank, or one without requests, offers nothing at a later scan.
      if (this.queues.count[b] === 0 || this.blocked[b] === 1) continue;
      this.updatePick(b);
      if (this.pickSlot[b] < 0) continue;
      const e = this.earliest(this.pickCmd[b], b);
      if (e < bound) bound = e;
    }
    return bound;
  }

  /** Asks bank b's scheduler again which request it serves, and the command that needs, if something changed since. */
  private updatePick(b: number): void {
    if (this.pickValid[b] === 1) return;
    const s = this.scheduler.pick(b, this.openRow[b]);
    this.pickSlot[b] = s;
    this.pickCmd[b] = s >= 0 ? this.bankCommand(b, s) : -1;
    this.pickValid[b] = 1;
  }

  /** Bank b's candidate: the command its scheduler's pick needs. */
  private considerBank(t: number, b: number, r: number, first: boolean, strictSlot: number, strictBank: number): void {
    // A bank blocked by a refresh falling due this cycle still offers, in the cycle's first choice,
    // the command it had ready before the block (DRAMSys's bank machines see a block only when
    // they next restart).
    if (this.blocked[b] === 1 && (this.blockedAt[b] < t || !first)) return;
    this.updatePick(b);
    let slot = this.pickSlot[b];
    // The scheduler holds back every request of this bank for now (write draining).
    if (slot < 0 && b !== strictBank) return;
    let cmd = this.pickCmd[b];
    if (b === strictBank && slot !== strictSlot) {
      // Strict: the bank holding the next request in line picked another request, whose column
      // command could never go before it (DRAMSys deadlocks or, opening that request's row,
      // livelocks here): it serves the one in line.
      slot = strictSlot;
      cmd = this.bankCommand(b, slot);
    }
    const id = this.pool.channelId[slot];
    const isColumn = cmd >= RD && cmd <= WRA;
    if (!this.mux.eligible(isColumn, id)) return;
    // A bank's own command: its bank's and group's rules, then the rank's (the same for every bank of the scan).
    let e = this.nextBank[b * NC + cmd];
    const g = this.nextGroup[this.bankGroup[b] * NC + cmd];
    if (g > e) e = g;
    const k = r * NC + cmd;
    if (this.rankBoundScan[k] !== this.scanId) {
      this.rankBound[k] = this.rankEarliest(cmd, r, -Infinity);
      this.rankBoundScan[k] = this.scanId;
    }
    if (this.rankBound[k] > e) e = this.rankBound[k];
    this.consider(t, cmd, e, id, b, r, slot, FROM_BANK);
  }

  /** A candidate command for the multiplexer: kept if it would finish first on its bus (then by priority). */
  private consider(t: number, cmd: number, earliest: number, id: number, bank: number, rank: number, slot: number, from: number): void {
    const ready = earliest > t ? earliest : t;
    if (ready === t) this.readyNow++;
    else if (ready < this.nextReady) this.nextReady = ready;
    const key = ready + this.length[cmd];
    const c = this.best[this.twoBuses ? this.bus[cmd] : 0];
    if (key < c.key || (key === c.key && id < c.id)) {
      c.key = key;
      c.id = id;
      c.ready = ready;
      c.cmd = cmd;
      c.bank = bank;
      c.rank = rank;
      c.slot = slot;
      c.from = from;
    }
  }

  private select(cmd: number, bank: number, rank: number, slot: number, from: number): void {
    this.selCmd = cmd;
    this.selBank = bank;
    this.selRank = rank;
    this.selSlot = slot;
    this.selFrom = from;
  }

  /** Pushes forward the earliest cycle of every command that `cmd` at cycle t constrains. */
  private applyTiming(cmd: number, rank: number, bank: number, t: number): void {
    const nb = this.nextBank, ng = this.nextGroup, nr = this.nextRank;
    const bpr = this.banksPerRank, gpr = this.groupsPerRank;
    const target = this.target[cmd];
    const sets = this.targetSets[cmd];
    let last = this.ruleRoundStart[cmd];
    if (last < this.ruleStart[cmd + 1]) {
      // This command's round rules hold after the one that completes a round on the rank.
      const k = rank * NC + cmd;
      if (++this.roundCount[k] === this.roundLength[cmd]) {
        this.roundCount[k] = 0;
        last = this.ruleStart[cmd + 1];
      }
    }
    for (let i = this.ruleStart[cmd]; i < last; i++) {
      const to = this.ruleTo[i];
      const at = t + this.ruleCycles[i];
      switch (this.ruleScope[i]) {
        case SCOPE_BANK:
          if (target === TARGET_BANK) {
            const k = bank * NC + to;
            if (nb[k] < at) nb[k] = at;
          } else if (sets !== null) {
            for (const x of sets[bank]) if (nb[x * NC + to] < at) nb[x * NC + to] = at;
          } else {
            for (let b = rank * bpr; b < (rank + 1) * bpr; b++) if (nb[b * NC + to] < at) nb[b * NC + to] = at;
          }
          break;
        case SCOPE_GROUP:
          if (target === TARGET_BANK) {
            const k = this.bankGroup[bank] * NC + to;
            if (ng[k] < at) ng[k] = at;
          } else if (sets !== null) {
            for (const x of sets[bank]) if (ng[this.bankGroup[x] * NC + to] < at) ng[this.bankGroup[x] * NC + to] = at;
          } else {
            for (let g = rank * gpr; g < (rank + 1) * gpr; g++) if (ng[g * NC + to] < at) ng[g * NC + to] = at;
          }
          break;
        case SCOPE_RANK: {
          const k = rank * NC + to;
          if (nr[k] < at) nr[k] = at;
          break;
        }
        case SCOPE_OTHER_RANKS:
          for (let o = 0; o < this.nRanks; o++) if (o !== rank && nr[o * NC + to] < at) nr[o * NC + to] = at;
          break;
        case SCOPE_CHANNEL:
          for (let o = 0; o < this.nRanks; o++) if (nr[o * NC + to] < at) nr[o * NC + to] = at;
          break;
        case SCOPE_OTHER_STACKS: {
          // Every bank group of the rank outside the command's stack (all of them for a rank-wide command).
          const own = target === TARGET_BANK ? this.groupStack[this.bankGroup[bank]] : -1;
          for (let g = rank * gpr; g < (rank + 1) * gpr; g++) if (this.groupStack[g] !== own && ng[g * NC + to] < at) ng[g * NC + to] = at;
        }
      }
    }
    const len = this.length[cmd];
    this.busFree[this.bus[cmd]] = t + len;
    if (this.inWindow[cmd] === 1) {
      const i = this.windowNext[rank];
      this.windowEnd[rank * 4 + i] = t + len;
      this.windowNext[rank] = (i + 1) & 3;
    }
  }

  private markWaiting(bank: number, on: boolean): void {
    const inRank = bank % this.banksPerRank;
    const w = this.bankRank[bank] * this.wordsPerRank + (inRank >>> 5);
    const bit = 1 << (inRank & 31);
    this.waiting[w] = on ? this.waiting[w] | bit : this.waiting[w] & ~bit;
  }

  private invalidateRank(rank: number): void {
    this.pickValid.fill(0, rank * this.banksPerRank, (rank + 1) * this.banksPerRank);
    this.scanBounds = false;
  }

  /** Bank b's scheduler must pick again: its queue or open row changed. */
  private repick(b: number): void {
    this.pickValid[b] = 0;
    if (this.repickedCount < this.repicked.length) this.repicked[this.repickedCount++] = b;
    else this.scanBounds = false;
  }

  /** Every bank's scheduler must pick again: the scheduler's own state changed. */
  private repickAll(): void {
    this.pickValid.fill(0);
    this.scanBounds = false;
  }

  private closeBank(b: number, t: number): void {
    this.openRow[b] = -1;
    this.rankOpen[this.bankRank[b]]--;
    this.energy.precharge(this.bankRank[b], b, t);
    this.repick(b);
  }

  /** The banks `cmd` acts on: bank b, b's set, or every bank of the rank. */
  private targets(cmd: number, rank: number, b: number): Int32Array {
    if (this.target[cmd] === TARGET_BANK) return this.bankAlone[b];
    const sets = this.targetSets[cmd];
    return sets !== null ? sets[b] : this.rankBanks[rank];
  }

  private issue(t: number): void {
    const cmd = this.selCmd, b = this.selBank, r = this.selRank, slot = this.selSlot;
    const pool = this.pool;
    const data = this.spec.data;
    this.commandCounts[cmd]++;
    this.lastCommandAt = t;
    this.lastCommandCompletion = this.completion[cmd];
    const effect = this.effect[cmd];
    let row = -1, column = -1;
    if (slot >= 0) {
      row = pool.row[slot];
      column = pool.column[slot];
      if (pool.outcome[slot] === RowOutcome.UNSET) {
        const outcome = effect === E.activate ? RowOutcome.MISS : effect === E.precharge ? RowOutcome.CONFLICT : RowOutcome.HIT;
        pool.outcome[slot] = outcome;
        if (outcome === RowOutcome.HIT) this.rowHits++;
        else if (outcome === RowOutcome.MISS) this.rowMisses++;
        else this.rowConflicts++;
      }
    }
    if (effect === E.precharge && this.target[cmd] === TARGET_BANK) {
      // A PRE names the row it closes (the request that asked for it wants another).
      row = this.openRow[b];
      column = -1;
    }
    switch (effect) {
      case E.activate:
        this.openRow[b] = row;
        this.actTime[b] = t;
        this.rankOpen[r]++;
        this.energy.activate(r, b, t);
        this.repick(b);
        break;
      case E.precharge:
        for (const x of this.targets(cmd, r, b)) if (this.openRow[x] >= 0) this.closeBank(x, t);
        break;
      case E.read:
      case E.readAuto:
      case E.write:
      case E.writeAuto: {
        const isWrite = effect === E.write || effect === E.writeAuto;
        this.queues.remove(b, slot);
        if (this.queues.count[b] === 0) this.markWaiting(b, false);
        this.buffer.remove(b, isWrite);
        if (--this.rankPending[r] === 0) {
          this.powerDown[r].becameIdle(t);
          // The power-down manager may want its rank at the next scan.
          this.scanBounds = false;
        }
        if (this.scheduler.onColumnCommand(isWrite)) this.repickAll();
        this.mux.onColumnCommand();
        if (this.strict) this.strict.take();
        let closeAt = -1;
        if (effect === E.readAuto || effect === E.writeAuto) {
          // The internal precharge starts once both tRAS and the read/write recovery allow.
          const after = t + (isWrite ? data.writeToPrecharge : data.readToPrecharge);
          closeAt = Math.max(after, this.actTime[b] + data.ras);
          if (closeAt > this.lastAutoPrechargeAt) this.lastAutoPrechargeAt = closeAt;
          this.openRow[b] = -1;
          this.rankOpen[r]--;
        }
        this.energy.column(r, b, t, isWrite, closeAt);
        if (isWrite) this.writes++;
        else this.reads++;
        pool.readyAt[slot] = t + (isWrite ? data.writeLatency : data.readLatency) + data.burst + this.delays.response;
        this.respQueue.push(slot);
        this.repick(b);
        break;
      }
      case E.refresh:
        if (this.target[cmd] === TARGET_RANK) {
          // DRAMPower counts the rank active for the refresh less its closing tRP, then precharged.
          this.energy.refresh(r, t, t + this.refreshBusy[cmd] - this.spec.energyTiming.refreshPrecharged, this.refreshEnergy[cmd]);
        } else {
          // The refresh's energy is counted once, with its first bank.
          const banks = this.targets(cmd, r, b);
          for (let i = 0; i < banks.length; i++) this.energy.bankRefresh(r, banks[i], t, t + this.refreshBusy[cmd], i === 0 ? this.refreshEnergy[cmd] : 0);
        }
        break;
      case E.powerDown:
        this.energy.setSleep(r, t, 1);
        break;
      case E.powerUp:
      case E.selfRefreshExit:
        this.energy.setSleep(r, t, 0);
        this.invalidateRank(r);
        break;
      case E.selfRefreshEntry:
        // Self-refresh entry performs one all-bank refresh first (JEDEC; DRAMPower charges it too).
        this.energy.refresh(r, t, t + this.refreshBusy[Cmd.REF], this.refreshEnergy[Cmd.REF]);
        this.energy.setSleep(r, t, 2);
        break;
    }
    this.applyTiming(cmd, r, b, t);
    if (this.log) this.log.push(t, cmd, r, b >= 0 ? this.bankGroup[b] : -1, b, row, column);
    if (this.selFrom === FROM_REFRESH) this.refresh[r].onIssued(cmd, b, t);
    else if (this.selFrom === FROM_POWER_DOWN) this.powerDown[r].onIssued(cmd, t);
  }

  /**
   * The energy window, as DRAMPower (and so DRAMSys) reports power over it: from time 0 to the
   * completion of the last command (DRAMPower's last command, an auto-precharge's implicit PRE
   * included), every command seen ThinkDelayFw + PhyDelayFw late.
   */
  private energyWindowEnd(): number {
    const last =
      this.lastAutoPrechargeAt > this.lastCommandAt
        ? this.lastAutoPrechargeAt + this.completion[PRE] - 1
        : this.lastCommandAt + this.lastCommandCompletion - 1;
    return Math.max(0, last);
  }

  finish(): ChannelStats {
    const spec = this.spec;
    const window = this.energyWindowEnd();
    const shift = this.delays.commandShift;
    const energy = this.energy.finish(window, shift);
    const energyPj = Object.values(energy).reduce((a, b) => a + b, 0);
    const energyWindowNs = ((window + shift) * 1000) / spec.clockMhz;
    return {
      reads: this.reads,
      writes: this.writes,
      rowHits: this.rowHits,
      rowMisses: this.rowMisses,
      rowConflicts: this.rowConflicts,
      commandCounts: this.commandCounts,
      energy,
      energyPj,
      energyWindowNs,
      averagePowerMw: energyWindowNs > 0 ? energyPj / energyWindowNs : 0,
    };
  }
}
