/**
 * What a trace looks like to a memory system: its size, mix, footprint, timing and row-buffer
 * locality. Streams, so it inspects a trace of any length in bounded memory (apart from the
 * distinct lines above 4 GiB, which are rare).
 */
import { AddressDecoder, type DecodedAddress } from '../simulators/dram/address-mapping.js';
import { loadAddressMapping, loadMemSpec } from '../simulators/dram/presets.js';
import { LatencyHistogram } from '../simulators/dram/stats.js';
import { type Trace, type TraceSource, chunksOf } from '../simulators/trace.js';
import { LINE_BYTES } from './generators.js';

export interface InterArrival {
  /** Over the gaps between consecutive requests; all 0 for fewer than two requests. */
  meanCycles: number;
  minCycles: number;
  /** Nearest-rank percentiles of the gaps in whole cycles: exact below 65,536, within 0.1 % above. */
  p50Cycles: number;
  p99Cycles: number;
  maxCycles: number;
}

export interface TraceInspection {
  name: string;
  requests: number;
  reads: number;
  writes: number;
  /** reads / requests (0 for an empty trace). */
  readShare: number;
  /** Distinct 64-byte lines touched × 64. */
  footprintBytes: number;
  /** Issue cycle of the first and last request (0 for an empty trace). */
  firstCycle: number;
  lastCycle: number;
  /**
   * Share of the requests within the memory that go to the row the previous request to the same
   * bank went to: the row-hit rate an open-page controller serving the trace in order would see.
   */
  rowBufferLocality: number;
  /** The memory the locality refers to, and requests at addresses beyond its capacity (not counted in the locality). */
  localityMemory: string;
  requestsBeyondCapacity: number;
  interArrival: InterArrival;
}

export interface InspectOptions {
  /** Memspec and address mapping for the row-buffer locality, as preset names or files (default ddr3-1600). */
  memspec?: string;
  addressmapping?: string;
}

/** Lines below 2^32 bytes: a bitmap of 2^26 bits (8 MiB at most), grown as higher lines appear. */
const BITMAP_LINES = 2 ** 32 / LINE_BYTES;

/** Counts distinct 64-byte lines: a growing bitmap below 4 GiB, a Set above. */
class LineSet {
  private bits = new Uint32Array(1024);
  private readonly high = new Set<number>();
  count = 0;

  add(address: number): void {
    const line = Math.floor(address / LINE_BYTES);
    if (line >= BITMAP_LINES) {
      const before = this.high.size;
      this.high.add(line);
      this.count += this.high.size - before;
      return;
    }
    const word = line >>> 5;
    if (word >= this.bits.length) this.grow(word);
    const mask = 1 << (line & 31);
    if ((this.bits[word] & mask) === 0) {
      this.bits[word] |= mask;
      this.count++;
    }
  }

  private grow(word: number): void {
    let size = this.bits.length;
    while (size <= word) size *= 2;
    const bits = new Uint32Array(Math.min(size, BITMAP_LINES / 32));
    bits.set(this.bits);
    this.bits = bits;
  }
}

/** Inspects a trace or a streamed trace file. Cycles are expected to be whole numbers. */
export function inspectTrace(trace: Trace | TraceSource, options: InspectOptions = {}): TraceInspection {
  const memspecName = options.memspec ?? 'ddr3-1600';
  const spec = loadMemSpec(memspecName);
  const decoder = new AddressDecoder(loadAddressMapping(options.addressmapping ?? memspecName), spec);
  const openRow = new Float64Array(spec.channels * spec.ranks * spec.banks).fill(-1);
  const where: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
  const lines = new LineSet();
  const gaps = new LatencyHistogram();
  let requests = 0;
  let writes = 0;
  let rowHits = 0;
  let beyond = 0;
  let firstCycle = 0;
  let lastCycle = 0;
  let minGap = Infinity;
  let maxGap = 0;

  for (const c of chunksOf(trace)) {
    for (let i = 0; i < c.length; i++) {
      const cycle = c.cycle[i];
      const address = c.address[i];
      if (requests === 0) firstCycle = cycle;
      else {
        const gap = cycle - lastCycle;
        gaps.record(Math.max(0, Math.floor(gap)));
        if (gap < minGap) minGap = gap;
        if (gap > maxGap) maxGap = gap;
      }
      lastCycle = cycle;
      requests++;
      writes += c.isWrite[i];
      lines.add(address);
      if (address >= decoder.capacityBytes) {
        beyond++;
        continue;
      }
      decoder.decode(address, where);
      const bank = where.channel * spec.ranks * spec.banks + where.bank;
      if (openRow[bank] === where.row) rowHits++;
      openRow[bank] = where.row;
    }
  }

  const reads = requests - writes;
  const within = requests - beyond;
  const gapCount = Math.max(0, requests - 1);
  return {
    name: trace.name,
    requests,
    reads,
    writes,
    readShare: requests > 0 ? reads / requests : 0,
    footprintBytes: lines.count * LINE_BYTES,
    firstCycle,
    lastCycle,
    rowBufferLocality: within > 0 ? rowHits / within : 0,
    localityMemory: memspecName,
    requestsBeyondCapacity: beyond,
    interArrival: {
      meanCycles: gapCount > 0 ? (lastCycle - firstCycle) / gapCount : 0,
      minCycles: gapCount > 0 ? minGap : 0,
      p50Cycles: gaps.percentile(50),
      p99Cycles: gaps.percentile(99),
      maxCycles: maxGap,
    },
  };
}
