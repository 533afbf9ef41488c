import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { describe, expect, it } from 'vitest';
import { LLC_HIT, LLC_MISS, Llc, type LlcConfig } from '../../traces/llc.js';

/** 2 sets × 2 ways of 64-byte lines: even lines go to set 0, odd lines to set 1. */
const tiny: LlcConfig = { sizeBytes: 256, ways: 2, lineBytes: 64 };

/** What each access returns, as text: hit, miss, or "wb N" for a miss that evicts dirty line N. */
function run(llc: Llc, accesses: Array<[number, 'r' | 'w']>): string[] {
  return accesses.map(([line, rw]) => {
    const r = llc.access(line, rw === 'w');
    return r === LLC_HIT ? 'hit' : r === LLC_MISS ? 'miss' : `wb ${r}`;
  });
}

/** A reference model written as plainly as possible: one most-recent-first list per set. */
class ReferenceLlc {
  private readonly sets: Array<Array<{ line: number; dirty: boolean }>>;
  constructor(private readonly c: LlcConfig) {
    this.sets = Array.from({ length: c.sizeBytes / c.ways / c.lineBytes }, () => []);
  }
  access(line: number, write: boolean): number {
    const set = this.sets[line % this.sets.length];
    const i = set.findIndex((e) => e.line === line);
    if (i >= 0) {
      const [e] = set.splice(i, 1);
      e.dirty ||= write;
      set.unshift(e);
      return LLC_HIT;
    }
    set.unshift({ line, dirty: write });
    if (set.length <= this.c.ways) return LLC_MISS;
    const victim = set.pop()!;
    return victim.dirty ? victim.line : LLC_MISS;
  }
}

describe('last-level cache model', () => {
  it('hits, misses and LRU order in one set', () => {
    const llc = new Llc(tiny);
    expect(llc.sets).toBe(2);
    expect(run(llc, [[0, 'r'], [2, 'r'], [0, 'r'], [4, 'r'], [2, 'r'], [0, 'r'], [4, 'r']])).toEqual([
      'miss', 'miss', 'hit',
      'miss', // evicts 2, the least recently used (0 was used after it)
      'miss', // 2 again: evicts 0
      'miss', // 0 again: evicts 4
      'miss', // 4 again: evicts 2
    ]);
    expect([llc.hits, llc.misses, llc.writeBacks]).toEqual([1, 6, 0]);
  });

  it('sets are independent: odd lines do not evict even ones', () => {
    const llc = new Llc(tiny);
    expect(run(llc, [[0, 'r'], [2, 'r'], [1, 'r'], [3, 'r'], [5, 'r'], [0, 'r'], [2, 'r']])).toEqual(['miss', 'miss', 'miss', 'miss', 'miss', 'hit', 'hit']);
  });

  it('write-back with write-allocate: a store miss fetches the line; a dirty victim is written back once', () => {
    const llc = new Llc(tiny);
    expect(run(llc, [[0, 'w'], [2, 'r'], [4, 'r']])).toEqual(['miss', 'miss', 'wb 0']);
    // The line came back clean: evicting it again writes nothing.
    expect(run(llc, [[0, 'r'], [6, 'r'], [8, 'r']])).toEqual(['miss', 'miss', 'miss']);
    expect([llc.hits, llc.misses, llc.writeBacks]).toEqual([0, 6, 1]);
  });

  it('a store that hits dirties the line; the victim is the least recently used line, dirty or not', () => {
    const llc = new Llc(tiny);
    expect(run(llc, [[0, 'r'], [2, 'r'], [0, 'w'], [4, 'r'], [6, 'r']])).toEqual(['miss', 'miss', 'hit', 'miss', 'wb 0']);
  });

  it('flush writes back each dirty line once and leaves it cached and clean', () => {
    const llc = new Llc(tiny);
    run(llc, [[0, 'w'], [1, 'r'], [3, 'w'], [2, 'w']]);
    const flushed: number[] = [];
    llc.flush((line) => flushed.push(line));
    expect(flushed.sort()).toEqual([0, 2, 3]);
    expect(llc.writeBacks).toBe(3);
    llc.flush((line) => flushed.push(line));
    expect(flushed).toHaveLength(3);
    expect(run(llc, [[0, 'r'], [4, 'r'], [6, 'r']])).toEqual(['hit', 'miss', 'miss']);
  });

  it('a direct-mapped cache: each line has one place', () => {
    const llc = new Llc({ sizeBytes: 4 * 64, ways: 1, lineBytes: 64 });
    expect(run(llc, [[0, 'w'], [4, 'r'], [0, 'r'], [1, 'r'], [5, 'w'], [1, 'r']])).toEqual(['miss', 'wb 0', 'miss', 'miss', 'miss', 'wb 5']);
  });

  it('a sweep over twice the capacity misses on every line, every time', () => {
    const llc = new Llc({ sizeBytes: 64 * 1024, ways: 16, lineBytes: 64 });
    const lines = 2048; // 128 KiB
    for (let pass = 0; pass < 3; pass++) for (let l = 0; l < lines; l++) llc.access(l, true);
    expect([llc.hits, llc.misses]).toEqual([0, 3 * lines]);
    // Every miss after the first 1,024 evicts a dirty line.
    expect(llc.writeBacks).toBe(3 * lines - 1024);
  });

  it('agrees access for access with a plain reference model on random traffic', () => {
    for (const c of [tiny, { sizeBytes: 8 * 1024, ways: 4, lineBytes: 64 }, { sizeBytes: 3 * 128 * 128, ways: 3, lineBytes: 128 }]) {
      const llc = new Llc(c);
      const ref = new ReferenceLlc(c);
      const rng = xoroshiro128plus(5);
      const span = (4 * c.sizeBytes) / c.lineBytes;
      for (let i = 0; i < 50_000; i++) {
        // Half the accesses within a small hot range, so there are hits as well as misses.
        const line = uniformInt(rng, 0, 1) === 0 ? uniformInt(rng, 0, span - 1) : uniformInt(rng, 0, Math.max(1, span / 8));
        const write = uniformInt(rng, 0, 2) === 0;
        const got = llc.access(line, write);
        const want = ref.access(line, write);
        if (got !== want) throw new Error(`access ${i} (line ${line}): got ${got}, want ${want}`);
      }
      expect(llc.hits).toBeGreaterThan(5000);
      expect(llc.writeBacks).toBeGreaterThan(1000);
    }
  });

  const bad: Array<[LlcConfig, string]> = [
    [{ sizeBytes: 1000, ways: 2, lineBytes: 64 }, 'llcBytes: 1000 bytes is not a whole number of sets of 2 ways × 64-byte lines'],
    [{ sizeBytes: 2 ** 20, ways: 0, lineBytes: 64 }, 'llcWays: expected an integer from 1 to 1,024, got 0'],
    [{ sizeBytes: 2 ** 20, ways: 8, lineBytes: 48 }, 'lineBytes: expected a power of two from 16 to 4096 bytes, got 48'],
    [{ sizeBytes: 2 ** 30, ways: 16, lineBytes: 64 }, 'llcBytes: at most 4,194,304 lines (256 MiB of 64-byte lines)'],
  ];
  for (const [config, message] of bad) {
    it(`refuses ${JSON.stringify(config)}`, () => {
      expect(() => new Llc(config)).toThrow(message);
    });
  }
});
