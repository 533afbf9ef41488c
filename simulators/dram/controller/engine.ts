/**
 * The memory controller, cycle-accurate in its own clock (tCK) and event-driven: it jumps from one
 * cycle where something can happen to the next. Pipeline, as in DRAMSys: trace player → arbiter →
 * scheduler buffer → bank machines (scheduler + page policy) with the refresh and power-down
 * managers → command multiplexer (one command per cycle) → DRAM → response queue → arbiter → player.
 *
 * Timing rules come from the standard's table: issuing a command pushes forward, per bank, bank
 * group and rank, the earliest cycle of every command it constrains, so checking a candidate is a
 * few array reads.
 */
import { InputError } from '../../../common/errors.js';
import { chunksOf, type Trace, type TraceSource } from '../../trace.js';
import { AddressDecoder, type AddressMapping, type DecodedAddress } from '../address-mapping.js';
import { Cmd, COMMAND_COUNT, COMMAND_NAMES, type CmdName, type TimingConstraint } from '../commands.js';
import { EnergyMeter } from '../energy.js';
import type { McConfig } from '../mcconfig.js';
import { type MemSpec, STANDARDS, type Timing } from '../memspec.js';
import { LatencyHistogram, type SimStats } from '../stats.js';
import { ARBITERS, type Arbiter } from './arbiter/index.js';
import { BUFFERS, type BufferCounter } from './buffer/index.js';
import { CMD_MUXES, type CmdMux } from './cmd-mux/index.js';
import { CommandLog } from './command-log.js';
import { PAGE_POLICIES, type PagePolicy } from './page-policy/index.js';
import { NoPowerDown } from './power-down/no-power-down.js';
import { type PowerDownManager, PowerState } from './power-down/power-down-manager.js';
import { StaggeredPowerDown } from './power-down/staggered.js';
import { AllBankRefresh } from './refresh/all-bank.js';
import { NoRefresh } from './refresh/no-refresh.js';
import { PerBankRefresh } from './refresh/per-bank.js';
import type { ControllerView, RefreshManager } from './refresh/refresh-manager.js';
import { BankQueues, IdWindow, RequestPool, RowOutcome, SlotFifo } from './requests.js';
import { RESPONSE_QUEUES, type ResponseQueue } from './resp-queue/index.js';
import { SCHEDULERS, type Scheduler } from './scheduler/index.js';

const NC = COMMAND_COUNT;
const { ACT, PRE, PREA, RD, RDA, WR, WRA, REF, REFPB, PDEA, PDXA, PDEP, PDXP, SREFEN, SREFEX } = Cmd;
const SCOPE_BANK = 0, SCOPE_GROUP = 1, SCOPE_RANK = 2, SCOPE_OTHER_RANKS = 3;
const SCOPE_CODES = { bank: SCOPE_BANK, bankGroup: SCOPE_GROUP, rank: SCOPE_RANK, otherRanks: SCOPE_OTHER_RANKS } as const;
/** Command-mux priorities: refresh before any request, power-down after all. */
const REFRESH_ID = -1;
const POWER_DOWN_ID = Number.MAX_SAFE_INTEGER;
/** Where in a cycle a request enters the scheduler buffer (see `admit`). */
const ADMIT_EARLY = 0, ADMIT_AFTER_COLUMN = 1, ADMIT_LATE = 2;
/** Who asked for the chosen command. */
const FROM_BANK = 0, FROM_REFRESH = 1, FROM_POWER_DOWN = 2;

export interface ControllerOptions {
  /** Trace-player clock in MHz: trace cycles are converted to controller cycles with it. */
  clkMhz: number;
  /** Keep every issued command (for the protocol checker). */
  recordCommands?: boolean;
}

export interface ControllerResult {
  stats: SimStats;
  commandLog: CommandLog | null;
  /** Cycles the event loop visited (the rest it jumped over). */
  steps: number;
}

/** Compiles the rule table into flat arrays grouped by the earlier command. */
function compileRules(rules: readonly TimingConstraint[]) {
  const merged = new Map<string, { from: number; to: number; scope: number; cycles: number }>();
  for (const r of rules) {
    for (const f of r.from) {
      for (const to of r.to) {
        const from = Cmd[f], t = Cmd[to], scope = SCOPE_CODES[r.scope];
        const key = `${from}/${t}/${scope}`;
        const old = merged.get(key);
        if (!old || old.cycles < r.cycles) merged.set(key, { from, to: t, scope, cycles: r.cycles });
      }
    }
  }
  const list = [...merged.values()].sort((a, b) => a.from - b.from || a.to - b.to || a.scope - b.scope);
  const start = new Int32Array(NC + 1);
  for (const r of list) start[r.from + 1]++;
  for (let c = 0; c < NC; c++) start[c + 1] += start[c];
  return {
    start,
    scope: Int8Array.from(list, (r) => r.scope),
    to: Int8Array.from(list, (r) => r.to),
    cycles: Int32Array.from(list, (r) => r.cycles),
  };
}

export class Controller implements ControllerView {
  readonly banksPerRank: number;
  private readonly nRanks: number;
  private readonly nBanks: number;
  private readonly groupsPerRank: number;
  private readonly bankRank: Int32Array;
  private readonly bankGroup: Int32Array;

  private readonly timing: Timing;
  private readonly nextBank: Float64Array;
  private readonly nextGroup: Float64Array;
  private readonly nextRank: Float64Array;
  private readonly ruleStart: Int32Array;
  private readonly ruleScope: Int8Array;
  private readonly ruleTo: Int8Array;
  private readonly ruleCycles: Int32Array;
  private readonly faw: Float64Array;
  private readonly fawNext: Int32Array;

  private readonly openRow: Int32Array;
  private readonly actTime: Float64Array;
  private readonly blocked: Uint8Array;
  /** The cycle each bank was last blocked at: a bank blocked by a refresh falling due this cycle still issues the command it had ready (DRAMSys's bank machines see the block only when they next restart). */
  private readonly blockedAt: Float64Array;
  /** The cycle being decided. */
  private now = 0;
  /** The last cycle a request entered the scheduler buffer, and when the front end heard of it (END_REQ). */
  private lastAdmit = -1;
  private lastEndReq = -1;
  /** A request entered the buffer this cycle (the Simple arbiter's player then sends its next). */
  private endReqDue = false;
  private readonly pickSlot: Int32Array;
  private readonly pickCmd: Int8Array;
  private readonly pickValid: Uint8Array;
  private readonly rankPending: Int32Array;
  private readonly rankOpen: Int32Array;

  private readonly pool = new RequestPool();
  private readonly queues: BankQueues;
  private readonly arbQueue: SlotFifo;
  private readonly scheduler: Scheduler;
  private readonly page: PagePolicy;
  private readonly buffer: BufferCounter;
  private readonly mux: CmdMux;
  private readonly strict: IdWindow | null;
  private readonly respQueue: ResponseQueue;
  private readonly arbiter: Arbiter;
  private readonly refresh: RefreshManager[];
  private readonly powerDown: PowerDownManager[];
  private readonly decoder: AddressDecoder;
  private readonly energy: EnergyMeter;
  private readonly log: CommandLog | null;
  private readonly latency = new LatencyHistogram();
  private readonly commandCounts = new Float64Array(NC);

  /** ThinkDelayFw in cycles: how late the front end hears that a waiting request was taken. */
  private readonly thinkFw: number;
  /** Cycles from a column command's data to its response leaving (Think/Phy delays, both ways). */
  private readonly responseDelay: number;
  /** Cycles DRAMPower sees every command late (ThinkDelayFw + PhyDelayFw): it lengthens the energy window. */
  private readonly commandShift: number;
  /** The controller's and the trace player's clock periods, whole picoseconds (DRAMSys's resolution). */
  private readonly tckPs: number;
  private readonly playerPs: number;
  /** How long DRAMPower counts each command after it issues (its completion), for the energy window. */
  private readonly completion: Int32Array;
  /** The last command's time and completion. */
  private lastCommandAt = 0;
  private lastCommandCompletion = 0;
  /** The latest implicit precharge of an auto-precharge command (DRAMPower adds it as a PRE). */
  private lastAutoPrechargeAt = -1;

  // Chosen command this cycle.
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

  constructor(private readonly spec: MemSpec, mapping: AddressMapping, cfg: McConfig, opts: ControllerOptions) {
    const t = spec.timing;
    this.timing = t;
    this.nRanks = spec.ranks;
    this.banksPerRank = spec.banks;
    this.nBanks = spec.ranks * spec.banks;
    this.groupsPerRank = spec.bankGroups;
    this.bankRank = new Int32Array(this.nBanks);
    this.bankGroup = new Int32Array(this.nBanks);
    for (let b = 0; b < this.nBanks; b++) {
      this.bankRank[b] = Math.floor(b / spec.banks);
      this.bankGroup[b] = Math.floor(b / spec.banksPerGroup);
    }
    this.decoder = new AddressDecoder(mapping, spec);

    const rules = compileRules(STANDARDS[spec.memoryType].constraints(t));
    this.ruleStart = rules.start;
    this.ruleScope = rules.scope;
    this.ruleTo = rules.to;
    this.ruleCycles = rules.cycles;
    this.nextBank = new Float64Array(this.nBanks * NC);
    this.nextGroup = new Float64Array(spec.ranks * spec.bankGroups * NC);
    this.nextRank = new Float64Array(spec.ranks * NC);
    this.faw = new Float64Array(spec.ranks * 4).fill(-Infinity);
    this.fawNext = new Int32Array(spec.ranks);

    this.openRow = new Int32Array(this.nBanks).fill(-1);
    this.actTime = new Float64Array(this.nBanks);
    this.blocked = new Uint8Array(this.nBanks);
    this.blockedAt = new Float64Array(this.nBanks);
    this.pickSlot = new Int32Array(this.nBanks).fill(-1);
    this.pickCmd = new Int8Array(this.nBanks);
    this.pickValid = new Uint8Array(this.nBanks);
    this.rankPending = new Int32Array(spec.ranks);
    this.rankOpen = new Int32Array(spec.ranks);

    this.queues = new BankQueues(this.nBanks, this.pool);
    this.arbQueue = new SlotFifo(this.pool);
    this.scheduler = new SCHEDULERS[cfg.Scheduler](this.pool, this.queues);
    this.page = PAGE_POLICIES[cfg.PagePolicy](this.scheduler);
    this.buffer = BUFFERS[cfg.SchedulerBuffer](cfg, this.nBanks);
    this.mux = new CMD_MUXES[cfg.CmdMux]();
    this.strict = cfg.CmdMux === 'Strict' ? new IdWindow() : null;
    this.respQueue = new RESPONSE_QUEUES[cfg.RespQueue](this.pool);
    this.completion = new Int32Array(NC);
    this.completion[RD] = this.completion[RDA] = t.RL + t.DQSCK + 1 + t.BURST;
    this.completion[WR] = this.completion[WRA] = t.WL + t.BURST + t.WR;
    this.completion[ACT] = t.RCD;
    this.completion[PRE] = this.completion[PREA] = t.RP;
    this.tckPs = Math.round(spec.tCkNs * 1000);
    this.playerPs = Math.round(1e6 / opts.clkMhz);
    // DRAMSys's pipeline delays are nanoseconds, each rounded to whole controller cycles.
    const cycles = (ns: number): number => Math.round(Math.round(ns * 1000) / this.tckPs);
    this.arbiter = ARBITERS[cfg.Arbiter](this.pool, cfg, { fw: cycles(cfg.ArbitrationDelayFw), bw: cycles(cfg.ArbitrationDelayBw) });
    this.thinkFw = cycles(cfg.ThinkDelayFw);
    const phyFw = cycles(cfg.PhyDelayFw);
    this.responseDelay = this.thinkFw + phyFw + cycles(cfg.PhyDelayBw) + cycles(cfg.ThinkDelayBw);
    this.commandShift = this.thinkFw + phyFw;

    if (cfg.RefreshPolicy === 'PerBank' && (t.REFIPB === 0 || t.RFCPB === 0)) {
      throw new InputError(
        `mcconfig RefreshPolicy PerBank: memspec ${spec.memoryId} defines no per-bank refresh (memtimingspec REFIPB and RFCPB)`,
      );
    }
    this.refresh = [];
    this.powerDown = [];
    for (let r = 0; r < spec.ranks; r++) {
      const rm =
        cfg.RefreshPolicy === 'AllBank'
          ? new AllBankRefresh(this, r, spec.ranks, t.REFI, cfg.RefreshMaxPostponed, cfg.RefreshMaxPulledin)
          : cfg.RefreshPolicy === 'PerBank'
            ? new PerBankRefresh(this, r, spec.ranks, t.REFIPB, cfg.RefreshMaxPostponed, cfg.RefreshMaxPulledin)
            : new NoRefresh();
      this.refresh.push(rm);
      this.powerDown.push(cfg.PowerDownPolicy === 'Staggered' ? new StaggeredPowerDown(this, rm, r, cfg.PowerDownTimeout) : new NoPowerDown());
    }
    this.energy = new EnergyMeter(spec);
    this.log = opts.recordCommands ? new CommandLog() : null;

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
  }
  interruptPowerDown(rank: number): void {
    this.powerDown[rank].interrupt();
  }
  isAsleep(rank: number): boolean {
    return this.powerDown[rank].state !== PowerState.AWAKE;
  }

  /** The controller cycle at which something the player sends at `ps` reaches the arbiter (the next clock edge). */
  private arrivalCycle(ps: number): number {
    return Math.ceil(ps / this.tckPs);
  }

  /**
   * When the player sends the request of trace cycle `line` after hearing at controller cycle `e`
   * that its last one was taken: at its next clock edge, or at the line's time if that is later
   * (DRAMSys's StlPlayer).
   */
  private sendAfter(e: number, line: number): number {
    const eps = e * this.tckPs;
    const edge = eps + this.playerPs - (eps % this.playerPs);
    return this.arrivalCycle(Math.max(edge, line * this.playerPs));
  }

  run(trace: Trace | TraceSource): ControllerResult {
    const pool = this.pool;
    const decoded: DecodedAddress = { rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
    const capacity = this.decoder.capacityBytes;
    const chunks = chunksOf(trace)[Symbol.iterator]();
    let chunk = chunks.next();
    let index = 0; // within the current chunk
    let seen = 0; // requests taken from the trace
    let haveNext = !chunk.done && chunk.value.length > 0;
    while (!haveNext && !chunk.done) {
      chunk = chunks.next();
      haveNext = !chunk.done && chunk.value.length > 0;
    }
    // The player's next request: its trace cycle, and the cycle it reaches the arbiter (Infinity
    // while the player waits to hear that its last request was taken).
    let line = haveNext ? chunk.value!.cycle[0] : 0;
    let playerAt = haveNext ? this.arrivalCycle(line * this.playerPs) : Infinity;

    let accepted = 0, completed = 0, active = 0;
    let lastAccept = -1, lastResponse = -1, lastDelivery = -1;
    let end = 0;
    let t = 0;
    let steps = 0;
    const arbiter = this.arbiter;

    for (;;) {
      steps++;
      let acted = false;
      // A request that waits at a full Fifo/Reorder arbiter is taken when a response returns: it
      // reaches the controller after this cycle's command (DRAMSys: a later delta cycle).
      const full = arbiter.acknowledgesOnAccept && !arbiter.canAccept(0, active);
      // 1. The controller hands one response to the arbiter.
      if (arbiter.canTakeResponse(t, lastResponse, lastDelivery)) {
        const s = this.respQueue.peek(t);
        if (s >= 0) {
          this.respQueue.pop();
          arbiter.take(s, t);
          lastResponse = t;
          acted = true;
        }
      }
      // 2. One response reaches the player per cycle.
      if (lastDelivery < t) {
        const s = arbiter.peek(t);
        if (s >= 0) {
          arbiter.pop();
          this.latency.record(t - pool.arrival[s]);
          lastDelivery = t;
          end = t;
          active--;
          completed++;
          pool.release(s);
          acted = true;
        }
      }
      // 3. The arbiter takes the player's next request.
      if (haveNext && playerAt <= t && lastAccept < t && arbiter.canAccept(this.arbQueue.length, active)) {
        const c = chunk.value!;
        const address = c.address[index];
        if (address >= capacity) {
          throw new InputError(
            `${trace.name}: request ${seen + 1} (address 0x${address.toString(16)}) is beyond the ${capacity} bytes the address mapping covers`,
          );
        }
        this.decoder.decode(address, decoded);
        const s = pool.alloc();
        pool.arrival[s] = this.arrivalCycle(line * this.playerPs);
        pool.id[s] = accepted;
        pool.rank[s] = decoded.rank;
        pool.bankGroup[s] = decoded.bankGroup;
        pool.bank[s] = decoded.bank;
        pool.row[s] = decoded.row;
        pool.column[s] = decoded.column;
        pool.write[s] = c.isWrite[index];
        // The arbiter hands it on at once if it holds nothing else for the controller and the
        // controller took nothing this cycle; otherwise a cycle after the one before is taken.
        pool.lateAt[s] = -1;
        if (this.arbQueue.length > 0) pool.forwardAt[s] = Infinity;
        else if (t > this.lastEndReq) {
          pool.forwardAt[s] = t + arbiter.forwardDelay;
          if (arbiter.forwardDelay === 0) pool.lateAt[s] = t;
        } else pool.forwardAt[s] = this.lastEndReq + 1 + arbiter.forwardDelay;
        this.arbQueue.push(s);
        accepted++;
        active++;
        lastAccept = t;
        acted = true;
        seen++;
        if (++index === c.length) {
          index = 0;
          do chunk = chunks.next();
          while (!chunk.done && chunk.value.length === 0);
          haveNext = !chunk.done;
        }
        if (haveNext) line = chunk.value!.cycle[index];
        // Fifo and Reorder tell the player at once; Simple when the controller takes the request.
        playerAt = haveNext && arbiter.acknowledgesOnAccept ? this.sendAfter(t, line) : Infinity;
      }
      // 4. The controller takes a request that reached it before this cycle's command. 5. At most
      // one command on the command bus. 6. Then requests that reached it after the command (a
      // request a returning response released) or that waited for the room a column command freed
      // (DRAMSys's later delta cycles); if no command went yet, one may go now.
      if (this.admit(t, ADMIT_EARLY)) acted = true;
      let nextCommand = this.chooseCommand(t, true);
      let issued = false;
      if (this.selCmd >= 0) {
        this.issueAndAdmit(t);
        issued = acted = true;
      }
      if (this.admit(t, ADMIT_LATE)) {
        acted = true;
        if (!issued) {
          nextCommand = this.chooseCommand(t, false);
          if (this.selCmd >= 0) this.issueAndAdmit(t);
        }
      }
      if (this.endReqDue && !arbiter.acknowledgesOnAccept && haveNext) {
        // Simple: the player hears that its request was taken and sends the next.
        playerAt = this.sendAfter(this.lastEndReq, line);
      }
      this.endReqDue = false;

      if (!haveNext && completed === accepted) break;

      // 7. Jump to the next cycle at which anything can happen.
      let next = nextCommand;
      if (acted) next = t + 1;
      else {
        const r = arbiter.canTakeResponse(Infinity, lastResponse, lastDelivery) ? Math.max(this.respQueue.nextTime(), lastResponse + 1, lastDelivery + 1) : Infinity;
        if (r < next) next = r;
        const a = Math.max(arbiter.nextTime(), lastDelivery + 1);
        if (a < next) next = a;
        if (haveNext && arbiter.canAccept(this.arbQueue.length, active)) {
          const p = Math.max(playerAt, lastAccept + 1);
          if (p < next) next = p;
        }
        const h = this.arbQueue.head;
        if (h >= 0 && this.buffer.hasSpace(pool.bank[h], pool.write[h] === 1)) {
          const f = Math.max(pool.forwardAt[h], this.lastAdmit + 1);
          if (f < next) next = f;
        }
        for (let r2 = 0; r2 < this.nRanks; r2++) {
          // A trigger already due is being acted on through a candidate command (or the rank sleeps).
          const rt = this.refresh[r2].nextTrigger();
          if (rt > t && rt < next) next = rt;
          const pt = this.powerDown[r2].nextTime();
          if (pt > t && pt < next) next = pt;
        }
        if (next <= t) next = t + 1;
      }
      if (next === Infinity) throw new Error(`controller stalled at cycle ${t} with ${accepted - completed} requests in flight`);
      t = next;
    }
    return { stats: this.finish(end, seen), commandLog: this.log, steps };
  }

  /** Issues the chosen command; a column command frees buffer room, which a waiting request takes at once. */
  private issueAndAdmit(t: number): void {
    const column = this.selCmd >= RD && this.selCmd <= WRA;
    this.issue(t);
    if (column) this.admit(t, ADMIT_AFTER_COLUMN);
  }

  /**
   * Moves the arbiter's oldest request into the scheduler buffer if it has reached the controller,
   * fits, and none entered this cycle. `phase` says where in the cycle we are: before the command
   * (requests that arrived before it), after a column command (a request that waited for room; the
   * front end hears of it ThinkDelayFw later), or after the command (requests that arrived after it).
   */
  private admit(t: number, phase: number): boolean {
    const pool = this.pool;
    const h = this.arbQueue.head;
    if (h < 0 || pool.forwardAt[h] > t || this.lastAdmit >= t || !this.buffer.hasSpace(pool.bank[h], pool.write[h] === 1)) return false;
    const late = pool.lateAt[h] === t;
    if (late !== (phase === ADMIT_LATE)) return false;
    this.arbQueue.shift();
    const bank = pool.bank[h];
    pool.admitted[h] = t;
    this.queues.append(bank, h);
    this.buffer.add(bank, pool.write[h] === 1);
    this.rankPending[pool.rank[h]]++;
    this.pickValid[bank] = 0;
    if (this.strict) this.strict.put(pool.id[h], h);
    this.lastAdmit = t;
    // The controller's END_REQ; the arbiter hands on its next request a cycle later.
    this.lastEndReq = phase === ADMIT_AFTER_COLUMN ? t + this.thinkFw : t;
    this.endReqDue = true;
    const n = this.arbQueue.head;
    if (n >= 0) pool.forwardAt[n] = this.lastEndReq + 1 + this.arbiter.forwardDelay;
    return true;
  }

  /** The command a bank machine wants for request `slot`. */
  private bankCommand(b: number, slot: number): number {
    const open = this.openRow[b];
    if (open < 0) return ACT;
    if (this.pool.row[slot] !== open) return PRE;
    const auto = this.page.autoPrecharge(b, open, slot);
    return this.pool.write[slot] === 1 ? (auto ? WRA : WR) : auto ? RDA : RD;
  }

  private earliest(cmd: number, b: number): number {
    let e = this.nextBank[b * NC + cmd];
    const g = this.nextGroup[this.bankGroup[b] * NC + cmd];
    if (g > e) e = g;
    const r = this.nextRank[this.bankRank[b] * NC + cmd];
    return r > e ? r : e;
  }

  /**
   * Collects every command that could go this cycle and picks one (into sel*); `first` is the
   * cycle's first choice (a second follows requests that arrive after it). Returns the
   * earliest later cycle at which a candidate becomes ready.
   */
  private chooseCommand(t: number, first: boolean): number {
    this.selCmd = -1;
    this.now = t;
    let bestId = Infinity;
    let next = Infinity;
    const strictSlot = this.strict ? this.strict.peek() : -1;
    const strictBank = strictSlot >= 0 ? this.pool.bank[strictSlot] : -1;
    const bpr = this.banksPerRank;
    for (let r = 0; r < this.nRanks; r++) {
      const rm = this.refresh[r];
      const pd = this.powerDown[r];
      rm.evaluate(t);
      pd.evaluate(t, rm.cmd >= 0);
      if (pd.cmd >= 0) {
        const e = this.nextRank[r * NC + pd.cmd];
        if (e > t) {
          if (e < next) next = e;
        } else if (POWER_DOWN_ID < bestId) {
          bestId = POWER_DOWN_ID;
          this.select(pd.cmd, -1, r, -1, FROM_POWER_DOWN);
        }
        continue;
      }
      if (pd.state !== PowerState.AWAKE) continue;
      if (rm.cmd >= 0) {
        const e = rm.bank >= 0 ? this.earliest(rm.cmd, rm.bank) : this.nextRank[r * NC + rm.cmd];
        if (e > t) {
          if (e < next) next = e;
        } else if (REFRESH_ID < bestId) {
          bestId = REFRESH_ID;
          this.select(rm.cmd, rm.bank, r, -1, FROM_REFRESH);
        }
      }
      const count = this.queues.count;
      for (let b = r * bpr, last = b + bpr; b < last; b++) {
        // A bank blocked by a refresh falling due this cycle still offers, in the cycle's first
        // choice, the command it had ready before the block (DRAMSys's bank machines see a block
        // only when they next restart).
        if (count[b] === 0 || (this.blocked[b] === 1 && (this.blockedAt[b] < t || !first))) continue;
        if (this.pickValid[b] === 0) {
          const s = this.scheduler.pick(b, this.openRow[b]);
          this.pickSlot[b] = s;
          this.pickCmd[b] = this.bankCommand(b, s);
          this.pickValid[b] = 1;
        }
        let slot = this.pickSlot[b];
        let cmd = this.pickCmd[b];
        if (b === strictBank && slot !== strictSlot && cmd >= RD && cmd <= WRA) {
          // Strict: the bank holding the next request in line picked another request's column
          // command, which could never go (DRAMSys deadlocks here): it serves the one in line.
          slot = strictSlot;
          cmd = this.bankCommand(b, slot);
        }
        const id = this.pool.id[slot];
        const isColumn = cmd >= RD && cmd <= WRA;
        if (!this.mux.eligible(isColumn, id)) continue;
        const e = this.earliest(cmd, b);
        if (e <= t) {
          if (id < bestId) {
            bestId = id;
            this.select(cmd, b, r, slot, FROM_BANK);
          }
        } else if (e < next) next = e;
      }
    }
    return next;
  }

  private select(cmd: number, bank: number, rank: number, slot: number, from: number): void {
    this.selCmd = cmd;
    this.selBank = bank;
    this.selRank = rank;
    this.selSlot = slot;
    this.selFrom = from;
  }

  /** Pushes forward the earliest cycle of every command that `cmd` at cycle t constrains. */
  private applyTiming(cmd: number, rank: number, group: number, bank: number, t: number): void {
    const nb = this.nextBank, ng = this.nextGroup, nr = this.nextRank;
    const bpr = this.banksPerRank, gpr = this.groupsPerRank;
    for (let i = this.ruleStart[cmd], last = this.ruleStart[cmd + 1]; i < last; i++) {
      const to = this.ruleTo[i];
      const at = t + this.ruleCycles[i];
      switch (this.ruleScope[i]) {
        case SCOPE_BANK:
          if (bank >= 0) {
            const k = bank * NC + to;
            if (nb[k] < at) nb[k] = at;
          } else {
            for (let b = rank * bpr; b < (rank + 1) * bpr; b++) if (nb[b * NC + to] < at) nb[b * NC + to] = at;
          }
          break;
        case SCOPE_GROUP:
          if (group >= 0) {
            const k = group * NC + to;
            if (ng[k] < at) ng[k] = at;
          } else {
            for (let g = rank * gpr; g < (rank + 1) * gpr; g++) if (ng[g * NC + to] < at) ng[g * NC + to] = at;
          }
          break;
        case SCOPE_RANK: {
          const k = rank * NC + to;
          if (nr[k] < at) nr[k] = at;
          break;
        }
        default:
          for (let o = 0; o < this.nRanks; o++) if (o !== rank && nr[o * NC + to] < at) nr[o * NC + to] = at;
      }
    }
    if (cmd === ACT) {
      // tFAW: a fifth activate waits until tFAW after the first of the last four.
      const base = rank * 4;
      const i = this.fawNext[rank];
      this.faw[base + i] = t;
      this.fawNext[rank] = (i + 1) & 3;
      const oldest = this.faw[base + this.fawNext[rank]] + this.timing.FAW;
      if (nr[rank * NC + ACT] < oldest) nr[rank * NC + ACT] = oldest;
    }
  }

  private invalidateRank(rank: number): void {
    this.pickValid.fill(0, rank * this.banksPerRank, (rank + 1) * this.banksPerRank);
  }

  private closeBank(b: number, t: number): void {
    this.openRow[b] = -1;
    this.rankOpen[this.bankRank[b]]--;
    this.energy.precharge(this.bankRank[b], b, t);
    this.pickValid[b] = 0;
  }

  private issue(t: number): void {
    const cmd = this.selCmd, b = this.selBank, r = this.selRank, slot = this.selSlot;
    const pool = this.pool;
    const tm = this.timing;
    const group = b >= 0 ? this.bankGroup[b] : -1;
    this.commandCounts[cmd]++;
    this.lastCommandAt = t;
    this.lastCommandCompletion = this.completion[cmd];
    let row = -1, column = -1;
    if (slot >= 0) {
      row = pool.row[slot];
      column = pool.column[slot];
      if (pool.outcome[slot] === RowOutcome.UNSET) {
        const outcome = cmd === ACT ? RowOutcome.MISS : cmd === PRE ? RowOutcome.CONFLICT : RowOutcome.HIT;
        pool.outcome[slot] = outcome;
        if (outcome === RowOutcome.HIT) this.rowHits++;
        else if (outcome === RowOutcome.MISS) this.rowMisses++;
        else this.rowConflicts++;
      }
    }
    if (cmd === PRE) {
      // A PRE names the row it closes (the request that asked for it wants another).
      row = this.openRow[b];
      column = -1;
    }
    switch (cmd) {
      case ACT:
        this.openRow[b] = row;
        this.actTime[b] = t;
        this.rankOpen[r]++;
        this.energy.activate(r, b, t);
        this.pickValid[b] = 0;
        break;
      case PRE:
        this.closeBank(b, t);
        break;
      case PREA:
        for (let x = r * this.banksPerRank; x < (r + 1) * this.banksPerRank; x++) if (this.openRow[x] >= 0) this.closeBank(x, t);
        break;
      case RD:
      case RDA:
      case WR:
      case WRA: {
        const isWrite = cmd === WR || cmd === WRA;
        this.queues.remove(b, slot);
        this.buffer.remove(b, isWrite);
        if (--this.rankPending[r] === 0) this.powerDown[r].becameIdle(t);
        if (this.scheduler.onColumnCommand(isWrite)) this.pickValid.fill(0);
        this.mux.onColumnCommand();
        if (this.strict) this.strict.take();
        let closeAt = -1;
        if (cmd === RDA || cmd === WRA) {
          // The internal precharge starts once both tRAS and the read/write recovery allow.
          const after = cmd === RDA ? t + tm.AL + tm.RTP : t + tm.WL + tm.BURST + tm.WR;
          closeAt = Math.max(after, this.actTime[b] + tm.RAS);
          if (closeAt > this.lastAutoPrechargeAt) this.lastAutoPrechargeAt = closeAt;
          this.openRow[b] = -1;
          this.rankOpen[r]--;
        }
        this.energy.column(r, b, t, isWrite, closeAt);
        if (isWrite) this.writes++;
        else this.reads++;
        pool.readyAt[slot] = t + (isWrite ? tm.WL : tm.RL) + tm.BURST + this.responseDelay;
        this.respQueue.push(slot);
        this.pickValid[b] = 0;
        break;
      }
      case REF:
        // DRAMPower counts the rank active for tRFC − tRP, then precharged.
        this.energy.refresh(r, t, t + tm.RFC - tm.RP);
        break;
      case REFPB:
        this.energy.bankRefresh(r, b, t, t + tm.RFCPB);
        break;
      case PDEA:
      case PDEP:
        this.energy.setSleep(r, t, 1);
        break;
      case PDXA:
      case PDXP:
      case SREFEX:
        this.energy.setSleep(r, t, 0);
        this.invalidateRank(r);
        break;
      case SREFEN:
        // Self-refresh entry performs one refresh first (JEDEC; DRAMPower charges it too).
        this.energy.refresh(r, t, t + tm.RFC);
        this.energy.setSleep(r, t, 2);
        break;
    }
    this.applyTiming(cmd, r, group, b, t);
    if (this.log) this.log.push(t, cmd, r, group, b, row, column);
    if (this.selFrom === FROM_REFRESH) this.refresh[r].onIssued(cmd, b, t);
    else if (this.selFrom === FROM_POWER_DOWN) this.powerDown[r].onIssued(cmd, t);
  }

  /**
   * The energy window, as DRAMPower (and so DRAMSys) reports power over it: from time 0 to the
   * completion of the last command (DRAMPower's last command, an auto-precharge's implicit PRE
   * included), every command seen ThinkDelayFw + PhyDelayFw late.
   */
  private energyWindowEnd(): number {
    const t = this.timing;
    const last = this.lastAutoPrechargeAt > this.lastCommandAt ? this.lastAutoPrechargeAt + t.RP - 1 : this.lastCommandAt + this.lastCommandCompletion - 1;
    return Math.max(0, last);
  }

  private finish(endCycle: number, requests: number): SimStats {
    const spec = this.spec;
    const tck = spec.tCkNs;
    const window = this.energyWindowEnd();
    const energy = this.energy.finish(window, this.commandShift);
    const energyPj = Object.values(energy).reduce((a, b) => a + b, 0);
    const energyWindowNs = ((window + this.commandShift) * 1000) / spec.clockMhz;
    const totalTimeNs = endCycle * tck;
    const commands = {} as Record<CmdName, number>;
    COMMAND_NAMES.forEach((n, i) => (commands[n] = this.commandCounts[i]));
    const h = this.latency;
    const columnCommands = this.reads + this.writes;
    return {
      memoryId: spec.memoryId,
      requests,
      reads: this.reads,
      writes: this.writes,
      totalTimeNs,
      avgLatencyNs: h.count > 0 ? (h.sum / h.count) * tck : 0,
      p50LatencyNs: h.percentile(50) * tck,
      p99LatencyNs: h.percentile(99) * tck,
      maxLatencyNs: h.max * tck,
      bandwidthGBps: totalTimeNs > 0 ? (columnCommands * spec.bytesPerBurst) / totalTimeNs : 0,
      bandwidthUtilization: endCycle > 0 ? (columnCommands * this.timing.BURST) / endCycle : 0,
      energyPj,
      energyByComponentPj: energy,
      averagePowerMw: energyWindowNs > 0 ? energyPj / energyWindowNs : 0,
      energyWindowNs,
      rowHits: this.rowHits,
      rowMisses: this.rowMisses,
      rowConflicts: this.rowConflicts,
      commands,
      controllerClockMhz: spec.clockMhz,
      simulatedCycles: endCycle,
    };
  }
}
