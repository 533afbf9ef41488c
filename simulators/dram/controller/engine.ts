/**
 * The memory system, cycle-accurate in the controller's clock and event-driven: it jumps from one
 * cycle where something can happen to the next. As in DRAMSys: a trace player → an arbiter → one
 * controller per channel (`channel.ts`: scheduler buffer, bank machines, refresh and power-down
 * managers, command multiplexer, DRAM, response queue) → the arbiter → the player.
 *
 * Within a cycle the order follows DRAMSys's delta cycles: responses move first, then the player's
 * request; each channel takes the requests that reached it before its command, issues at most one
 * command per command bus, then takes the requests that arrived after it (see `ChannelController.step`).
 */
import { InputError } from '../../../common/errors.js';
import { chunksOf, type Trace, type TraceSource } from '../../trace.js';
import { AddressDecoder, type AddressMapping, type DecodedAddress } from '../address-mapping.js';
import { COMMAND_COUNT, COMMAND_NAMES, type CmdName } from '../commands.js';
import type { EnergyBreakdownPj } from '../energy.js';
import type { McConfig } from '../mcconfig.js';
import type { MemSpec } from '../memspec.js';
import { type ChannelSimStats, LatencyHistogram, type SimStats } from '../stats.js';
import { ARBITERS, type Arbiter } from './arbiter/index.js';
import { ChannelController, type ChannelStats } from './channel.js';
import type { CommandLog } from './command-log.js';
import { RequestPool } from './requests.js';

export interface ControllerOptions {
  /** Trace-player clock in MHz: trace cycles are converted to controller cycles with it. */
  clkMhz: number;
  /** Keep every issued command (for the protocol checker). */
  recordCommands?: boolean;
}

export interface ControllerResult {
  stats: SimStats;
  /** Each channel's command log (when recorded). */
  commandLogs: CommandLog[] | null;
  /** Cycles the event loop visited (the rest it jumped over). */
  steps: number;
}

export class MemorySystem {
  private readonly pool = new RequestPool();
  private readonly channels: ChannelController[];
  private readonly arbiter: Arbiter;
  private readonly decoder: AddressDecoder;
  private readonly latency = new LatencyHistogram();
  /** The controller's and the trace player's clock periods, whole picoseconds (DRAMSys's resolution). */
  private readonly tckPs: number;
  private readonly playerPs: number;
  /**
   * How far ahead of the clock edge the controller's command chain runs (a fraction of a cycle; 0
   * but for DRAMSys's HBM2 model, whose buses are free from 1 ps before the first edge): commands
   * chained to the first one fall just before each edge, requests and refreshes on it.
   */
  private readonly lead: number;

  constructor(private readonly spec: MemSpec, mapping: AddressMapping, cfg: McConfig, opts: ControllerOptions) {
    this.decoder = new AddressDecoder(mapping, spec);
    // Whole picoseconds (half ones in half-cycle ticks); the rounding only clears floating-point noise.
    this.tckPs = Math.round(spec.tCkNs * 1e6) / 1000;
    this.playerPs = Math.round(1e6 / opts.clkMhz);
    const first = spec.standard.firstCommandCycle ?? 0;
    this.lead = Math.ceil(first) - first;
    // DRAMSys's pipeline delays are nanoseconds, each rounded to whole controller cycles.
    const cycles = (ns: number): number => Math.round(Math.round(ns * 1000) / this.tckPs);
    this.arbiter = ARBITERS[cfg.Arbiter](this.pool, cfg, spec.channels, { fw: cycles(cfg.ArbitrationDelayFw), bw: cycles(cfg.ArbitrationDelayBw) });
    const thinkFw = cycles(cfg.ThinkDelayFw);
    const phyFw = cycles(cfg.PhyDelayFw);
    const delays = {
      thinkFw,
      response: thinkFw + phyFw + cycles(cfg.PhyDelayBw) + cycles(cfg.ThinkDelayBw),
      commandShift: thinkFw + phyFw,
      forward: this.arbiter.forwardDelay,
    };
    this.channels = Array.from({ length: spec.channels }, () => new ChannelController(spec, cfg, this.pool, delays, opts.recordCommands ?? false));
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
    const arbiter = this.arbiter;
    const channels = this.channels;
    const nChannels = channels.length;
    const multiChannel = nChannels > 1;
    // Loop invariants, read once.
    const lead = this.lead, playerPs = this.playerPs, latency = this.latency, decoder = this.decoder;
    const backwardDelay = arbiter.backwardDelay, forwardDelay = arbiter.forwardDelay;
    const acknowledgesOnAccept = arbiter.acknowledgesOnAccept;
    const decoded: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
    const capacity = decoder.capacityBytes;
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
    /** Requests the arbiter holds that no controller has taken yet. */
    let queued = 0;
    let lastAccept = -1, lastDelivery = -1;
    const lastResponse = new Float64Array(nChannels).fill(-1);
    const lastTaken = new Float64Array(nChannels).fill(-1);
    /** Requests each channel has been given so far. */
    const channelAccepted = new Float64Array(nChannels);
    // With several channels, most are idle in most cycles. Before `wake[c]` channel c has nothing
    // to do (no response to hand over, no request to take, no scan), so a cycle passes it by, and
    // `visit[c]` is the cycle it next asks the loop to look at. Both hold from when they were last
    // worked out until something reaches the channel from outside (−Infinity: work them out again).
    const wake = new Float64Array(nChannels).fill(-Infinity);
    const visit = new Float64Array(nChannels);
    /** The channels stepped in the current cycle. */
    const stepped = new Int32Array(nChannels);
    let end = 0;
    let t = 0;
    let steps = 0;

    for (;;) {
      steps++;
      /** A controller issued a command or took a request: its candidates changed, look again next cycle. */
      let acted = false;
      // 1. Each controller hands at most one response to the arbiter.
      for (let c = 0; c < nChannels; c++) {
        if (t < wake[c] || !arbiter.canTakeResponse(c, t, lastResponse[c], lastTaken[c])) continue;
        const rq = channels[c].respQueue;
        const s = rq.peek(t);
        if (s >= 0) {
          rq.pop();
          arbiter.take(s, t);
          lastResponse[c] = t;
        }
      }
      // 2. One response reaches the player per cycle.
      if (t >= lastDelivery + 1 + backwardDelay) {
        const s = arbiter.peek(t);
        if (s >= 0) {
          arbiter.pop();
          // Whole cycles: a command chain running ahead of the clock edge (`lead`) ends just before one.
          latency.record(Math.round(t - pool.arrival[s]));
          lastDelivery = t;
          lastTaken[pool.channel[s]] = t;
          wake[pool.channel[s]] = -Infinity;
          end = t;
          active--;
          completed++;
          pool.release(s);
        }
      }
      // 3. The arbiter takes the player's next request and hands it to its channel's controller.
      if (haveNext && playerAt <= t && lastAccept < t && arbiter.canAccept(queued, active)) {
        const c = chunk.value!;
        const address = c.address[index];
        if (address >= capacity) {
          throw new InputError(
            `${trace.name}: request ${seen + 1} (address 0x${address.toString(16)}) is beyond the ${capacity} bytes the address mapping covers`,
          );
        }
        decoder.decode(address, decoded);
        const s = pool.alloc();
        pool.arrival[s] = this.arrivalCycle(line * playerPs);
        pool.id[s] = accepted;
        pool.channelId[s] = channelAccepted[decoded.channel]++;
        pool.channel[s] = decoded.channel;
        pool.rank[s] = decoded.rank;
        pool.bankGroup[s] = decoded.bankGroup;
        pool.bank[s] = decoded.bank;
        pool.row[s] = decoded.row;
        pool.column[s] = decoded.column;
        pool.write[s] = c.isWrite[index];
        // The arbiter hands it on at once if it holds nothing else for that controller and the
        // controller took nothing this cycle (it then arrives after the controller's command);
        // otherwise a cycle after the one before it is taken.
        const ch = channels[decoded.channel];
        pool.lateAt[s] = -1;
        if (ch.arbQueue.length > 0) pool.forwardAt[s] = Infinity;
        else if (t > ch.lastEndReq) {
          pool.forwardAt[s] = t + forwardDelay;
          if (forwardDelay === 0) pool.lateAt[s] = t;
        } else pool.forwardAt[s] = ch.lastEndReq + 1 + forwardDelay;
        ch.arbQueue.push(s);
        wake[decoded.channel] = -Infinity;
        queued++;
        accepted++;
        active++;
        lastAccept = t;
        seen++;
        if (++index === c.length) {
          index = 0;
          do chunk = chunks.next();
          while (!chunk.done && chunk.value.length === 0);
          haveNext = !chunk.done;
        }
        if (haveNext) line = chunk.value!.cycle[index];
        // Fifo and Reorder tell the player at once; Simple when the controller takes the request.
        playerAt = haveNext && acknowledgesOnAccept ? this.sendAfter(t, line) : Infinity;
      }
      // 4-6. Each controller with something to do takes requests and issues commands.
      // With a lead, each busy cycle has two moments: the command chain's, just before the edge, and the edge's.
      const busy = lead === 0 ? t + 1 : t % 1 === 0 ? t + 1 - lead : Math.ceil(t);
      let next = Infinity;
      /** The earliest `visit` of the channels passed by. */
      let idleNext = Infinity;
      let nStepped = 0;
      for (let c = 0; c < nChannels; c++) {
        if (t < wake[c]) {
          if (visit[c] < idleNext) idleNext = visit[c];
          continue;
        }
        const ch = channels[c];
        const n = ch.step(t);
        stepped[nStepped++] = c;
        wake[c] = -Infinity;
        if (ch.acted) acted = true;
        // A controller that acted looks again at its next scan (once a command bus is free); one
        // that did not, at its next candidate.
        const look = ch.acted ? ch.nextScan : n;
        if (look < next) next = look;
        if (ch.endReqDue) {
          ch.endReqDue = false;
          queued--;
          // Simple: the player hears that its request was taken and sends the next.
          if (!acknowledgesOnAccept && haveNext) playerAt = this.sendAfter(ch.lastEndReq, line);
        }
      }

      if (!haveNext && completed === accepted) break;

      // 7. Jump to the next cycle at which anything can happen. Steps 1-3 came before the controllers
      // looked at this cycle, so unless a controller acted, its earliest candidate still holds and the
      // other parts' next times follow from their state now. After a controller acted its candidates
      // changed: it looks again at its next scan (above); with a lead, at the next of the cycle's
      // two moments.
      if (acted && lead !== 0) next = busy;
      if (next <= t) next = t + 1;
      // Unless nothing else can come before the next cycle, the other parts' times count too: the
      // arbiter's, the player's and the channels passed by first, then the stepped channels' own.
      let full = lead === 0 ? next > t + 1 : !acted;
      if (full) {
        if (idleNext < next) next = idleNext;
        const a = Math.max(arbiter.nextTime(), lastDelivery + 1 + backwardDelay);
        if (a < next) next = a;
        if (haveNext && arbiter.canAccept(queued, active)) {
          const p = Math.max(playerAt, lastAccept + 1);
          if (p < next) next = p;
        }
        if (lead === 0 && next <= t + 1) full = false;
      }
      // The stepped channels' own times, worked out when they count and always with several
      // channels (to pass idle ones by).
      if (full || multiChannel) {
        for (let i = 0; i < nStepped; i++) {
          const c = stepped[i];
          const ch = channels[c];
          let response = Infinity, respond = Infinity;
          if (arbiter.canTakeResponse(c, Infinity, lastResponse[c], lastTaken[c])) {
            const r = ch.respQueue.nextTime();
            response = Math.max(r, lastResponse[c] + 1, lastTaken[c] + 1);
            // The arbiter checks one of the two (Simple the player's, the others the channel's).
            respond = Math.max(r, Math.min(lastResponse[c], lastTaken[c]) + 1);
          }
          let admit = Infinity;
          const h = ch.arbQueue.head;
          if (h >= 0 && ch.headFits()) admit = Math.max(pool.forwardAt[h], ch.lastAdmit + 1);
          const own = Math.min(response, admit, ch.nextManagerTime(t));
          if (full && own < next) next = own;
          // A channel passed by returns its next scan from `step` (which the manager times never precede).
          visit[c] = Math.min(own, ch.nextScan);
          wake[c] = Math.min(respond, admit, ch.nextScan);
        }
      }
      if (next <= t) next = t + 1;
      if (next === Infinity) throw new Error(`controller stalled at cycle ${t} with ${accepted - completed} requests in flight`);
      t = next;
    }
    const logs = channels[0].log ? channels.map((ch) => ch.log!) : null;
    return { stats: this.finish(end, seen), commandLogs: logs, steps };
  }

  private finish(endCycle: number, requests: number): SimStats {
    const spec = this.spec;
    const tck = spec.tCkNs;
    const perChannel = this.channels.map((ch) => ch.finish());
    const sum = (f: (c: ChannelStats) => number): number => perChannel.reduce((a, c) => a + f(c), 0);
    const energy = {} as EnergyBreakdownPj;
    for (const k of Object.keys(perChannel[0].energy) as Array<keyof EnergyBreakdownPj>) energy[k] = sum((c) => c.energy[k]);
    const counts = (c: ChannelStats): Record<CmdName, number> => {
      const out = {} as Record<CmdName, number>;
      COMMAND_NAMES.forEach((n, i) => (out[n] = c.commandCounts[i]));
      return out;
    };
    const all = new Float64Array(COMMAND_COUNT);
    for (const c of perChannel) for (let i = 0; i < COMMAND_COUNT; i++) all[i] += c.commandCounts[i];
    const totalTimeNs = endCycle * tck;
    const reads = sum((c) => c.reads), writes = sum((c) => c.writes);
    const utilization = (columns: number): number => (endCycle > 0 ? (columns * spec.data.burst) / endCycle : 0);
    const h = this.latency;
    const channelStats: ChannelSimStats[] = perChannel.map((c) => ({
      reads: c.reads,
      writes: c.writes,
      bandwidthUtilization: utilization(c.reads + c.writes),
      energyPj: c.energyPj,
      averagePowerMw: c.averagePowerMw,
      energyWindowNs: c.energyWindowNs,
      rowHits: c.rowHits,
      rowMisses: c.rowMisses,
      rowConflicts: c.rowConflicts,
      commands: counts(c),
    }));
    const energyPj = sum((c) => c.energyPj);
    return {
      memoryId: spec.memoryId,
      requests,
      reads,
      writes,
      totalTimeNs,
      avgLatencyNs: h.count > 0 ? (h.sum / h.count) * tck : 0,
      p50LatencyNs: h.percentile(50) * tck,
      p99LatencyNs: h.percentile(99) * tck,
      maxLatencyNs: h.max * tck,
      bandwidthGBps: totalTimeNs > 0 ? ((reads + writes) * spec.bytesPerBurst) / totalTimeNs : 0,
      bandwidthUtilization: utilization(reads + writes) / perChannel.length,
      energyPj,
      energyDelayPjNs: energyPj * totalTimeNs,
      energyByComponentPj: energy,
      // Each channel's DRAM reports its own power (DRAMSys); the memory's is their sum.
      averagePowerMw: sum((c) => c.averagePowerMw),
      energyWindowNs: Math.max(...perChannel.map((c) => c.energyWindowNs)),
      rowHits: sum((c) => c.rowHits),
      rowMisses: sum((c) => c.rowMisses),
      rowConflicts: sum((c) => c.rowConflicts),
      commands: counts({ ...perChannel[0], commandCounts: all }),
      controllerClockMhz: spec.clockMhz,
      simulatedCycles: endCycle,
      channels: channelStats,
    };
  }
}
