/**
 * A last-level cache model: set-associative, least-recently-used replacement, write-back with
 * write-allocate. What it passes to DRAM: a miss reads its line (a store's miss too: write-allocate
 * fetches the line before the store updates it), and a miss that evicts a dirty line writes that
 * line back. Lines are numbered (byte address / line size); set = line mod sets, as in a cache
 * indexed by the address bits just above the line offset.
 */
import { OptionError, integerOption, isPowerOfTwo } from './options.js';

export interface LlcConfig {
  /** Capacity in bytes: ways × sets × lineBytes. */
  readonly sizeBytes: number;
  readonly ways: number;
  readonly lineBytes: number;
}

export const DEFAULT_LLC: LlcConfig = { sizeBytes: 2 * 2 ** 20, ways: 16, lineBytes: 64 };

/** The most lines a model may hold (256 MiB of 64-byte lines): its state stays under 100 MB. */
export const MAX_LLC_LINES = 2 ** 22;

/** `access` returns this for a hit. */
export const LLC_HIT = -1;
/** `access` returns this for a miss that evicted nothing dirty; otherwise it returns the dirty victim's line. */
export const LLC_MISS = -2;

/** Checks a cache configuration; errors name `llcBytes`, `llcWays` or `lineBytes`. */
export function checkLlcConfig(c: LlcConfig): LlcConfig {
  if (!isPowerOfTwo(c.lineBytes) || c.lineBytes < 16 || c.lineBytes > 4096) throw new OptionError('lineBytes', `expected a power of two from 16 to 4096 bytes, got ${c.lineBytes}`);
  integerOption(c.ways, 0, 'llcWays', 1, 1024);
  integerOption(c.sizeBytes, 0, 'llcBytes', c.lineBytes);
  const sets = c.sizeBytes / (c.ways * c.lineBytes);
  if (!Number.isInteger(sets) || sets < 1) {
    throw new OptionError('llcBytes', `${c.sizeBytes} bytes is not a whole number of sets of ${c.ways} ways × ${c.lineBytes}-byte lines`);
  }
  if (c.sizeBytes / c.lineBytes > MAX_LLC_LINES) throw new OptionError('llcBytes', `at most ${MAX_LLC_LINES.toLocaleString('en-US')} lines (${(MAX_LLC_LINES * c.lineBytes) / 2 ** 20} MiB of ${c.lineBytes}-byte lines), got ${c.sizeBytes} bytes`);
  return c;
}

export class Llc {
  readonly sets: number;
  readonly ways: number;
  readonly lineBytes: number;
  hits = 0;
  misses = 0;
  /** Dirty lines evicted or flushed. */
  writeBacks = 0;
  /** Line held by each way of each set (set-major), −1 when invalid. */
  private readonly tags: Float64Array;
  /** Time of each way's last use: the least recently used way has the smallest. */
  private readonly lastUse: Float64Array;
  private readonly dirty: Uint8Array;
  private clock = 0;

  constructor(config: LlcConfig = DEFAULT_LLC) {
    checkLlcConfig(config);
    this.ways = config.ways;
    this.lineBytes = config.lineBytes;
    this.sets = config.sizeBytes / (config.ways * config.lineBytes);
    const n = this.sets * this.ways;
    this.tags = new Float64Array(n).fill(-1);
    this.lastUse = new Float64Array(n);
    this.dirty = new Uint8Array(n);
  }

  /**
   * Reads (or, with `write`, writes) line number `line`. Returns LLC_HIT, LLC_MISS, or the number
   * of the dirty line the miss evicted, which must be written back.
   */
  access(line: number, write: boolean): number {
    const { tags, lastUse, ways } = this;
    const first = (line % this.sets) * ways;
    const end = first + ways;
    const now = ++this.clock;
    let victim = first;
    for (let w = first; w < end; w++) {
      const tag = tags[w];
      if (tag === line) {
        lastUse[w] = now;
        if (write) this.dirty[w] = 1;
        this.hits++;
        return LLC_HIT;
      }
      // An invalid way (last use 0) is always the least recently used.
      if (lastUse[w] < lastUse[victim]) victim = w;
    }
    this.misses++;
    const evicted = tags[victim];
    const wasDirty = this.dirty[victim] === 1;
    tags[victim] = line;
    lastUse[victim] = now;
    this.dirty[victim] = write ? 1 : 0;
    if (!wasDirty) return LLC_MISS;
    this.writeBacks++;
    return evicted;
  }

  /** Writes back every dirty line, set by set and way by way, leaving them clean and cached. */
  flush(writeBack: (line: number) => void): void {
    for (let w = 0; w < this.tags.length; w++) {
      if (this.dirty[w] === 0) continue;
      this.dirty[w] = 0;
      this.writeBacks++;
      writeBack(this.tags[w]);
    }
  }
}
