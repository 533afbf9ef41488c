/** Latency statistics in bounded memory, and the `SimStats` result type. */
import type { CmdName } from './commands.js';

export interface EnergyBreakdownPj {
  activate: number;
  precharge: number;
  read: number;
  write: number;
  refresh: number;
  activeStandby: number;
  prechargedStandby: number;
  activePowerDown: number;
  prechargedPowerDown: number;
  selfRefresh: number;
}

const EXACT = 1 << 16;
const SUB_BITS = 10;
const SUB = 1 << SUB_BITS;

/**
 * A histogram of integer latencies in cycles: exact below 65,536 cycles, and above that in
 * buckets 1/1024 wide relative to their value, so percentiles are exact for ordinary latencies
 * and within 0.1 % for huge ones. Memory does not grow with the number of requests. The exact
 * counts grow (doubling) to the largest latency seen and the buckets are made at the first latency
 * that needs them: a short simulation does not clear 0.8 MB of counters.
 */
export class LatencyHistogram {
  private exact = new Float64Array(1024);
  private coarse: Float64Array | null = null;
  count = 0;
  sum = 0;
  max = 0;

  record(v: number): void {
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.exact.length) this.exact[v]++;
    else if (v < EXACT) this.recordBeyond(v);
    else (this.coarse ??= new Float64Array(38 * SUB))[this.coarseIndex(v)]++;
  }

  /** An exact count beyond the counters made so far: twice as many, or as many as it takes. */
  private recordBeyond(v: number): void {
    let size = this.exact.length * 2;
    while (size <= v) size *= 2;
    const grown = new Float64Array(Math.min(size, EXACT));
    grown.set(this.exact);
    this.exact = grown;
    this.exact[v]++;
  }

  private coarseIndex(v: number): number {
    // Integer latencies below 2^32 (all but absurd ones): the same bucket from the bits alone.
    if (v < 2 ** 32 && Number.isInteger(v)) {
      const e = 31 - Math.clz32(v);
      return (e - 16) * SUB + ((v >>> (e - SUB_BITS)) & (SUB - 1));
    }
    const e = Math.floor(Math.log2(v));
    const sub = Math.floor((v / 2 ** e - 1) * SUB);
    return (e - 16) * SUB + sub;
  }

  private coarseValue(i: number): number {
    const e = Math.floor(i / SUB) + 16;
    return Math.ceil(2 ** e * (1 + (i % SUB) / SUB));
  }

  /** Nearest-rank percentile: the smallest latency with at least p % of requests at or below it. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    const exact = this.exact;
    for (let v = 0; v < exact.length; v++) {
      seen += exact[v];
      if (seen >= rank) return v;
    }
    const coarse = this.coarse ?? [];
    for (let i = 0; i < coarse.length; i++) {
      seen += coarse[i];
      if (seen >= rank) return Math.min(this.coarseValue(i), this.max);
    }
    return this.max;
  }
}

/** What one simulation reports. Every quantity carries its unit in its name. */
export interface SimStats {
  memoryId: string;
  requests: number;
  reads: number;
  writes: number;
  /** Completion of the last response: the "latency" of the published DSE work. */
  totalTimeNs: number;
  /** Request latency, from the trace's issue time to the response reaching the player. */
  avgLatencyNs: number;
  p50LatencyNs: number;
  p99LatencyNs: number;
  maxLatencyNs: number;
  bandwidthGBps: number;
  /** Share of the run the data bus carried data (averaged over the channels). */
  bandwidthUtilization: number;
  energyPj: number;
  /** Energy-delay product: energyPj × totalTimeNs. */
  energyDelayPjNs: number;
  energyByComponentPj: EnergyBreakdownPj;
  /**
   * The average power DRAMSys reports (DRAMPower's): each channel's energy over its energy window
   * (the time its commands keep the device busy rather than until the last response), summed over
   * the channels.
   */
  averagePowerMw: number;
  /** The energy window: from time 0 to the completion of the last command (DRAMPower's); the longest channel's. */
  energyWindowNs: number;
  rowHits: number;
  rowMisses: number;
  rowConflicts: number;
  commands: Record<CmdName, number>;
  controllerClockMhz: number;
  simulatedCycles: number;
  /** Each channel's own figures (one entry for a single-channel memory). */
  channels: ChannelSimStats[];
}

/** One channel's part of a simulation's figures. */
export interface ChannelSimStats {
  reads: number;
  writes: number;
  bandwidthUtilization: number;
  energyPj: number;
  averagePowerMw: number;
  energyWindowNs: number;
  rowHits: number;
  rowMisses: number;
  rowConflicts: number;
  commands: Record<CmdName, number>;
}
