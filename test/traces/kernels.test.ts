/** The program kernels: what their loops touch, in what order, and what the cache passes on to DRAM. */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../simulators/trace.js';
import { type WorkloadOptions, generateSource, generateTrace } from '../../traces/generators.js';

const KiB = 1024;
const MiB = 2 ** 20;

interface Req {
  cycle: number;
  line: number;
  write: boolean;
}

function requests(t: Trace): Req[] {
  return Array.from(t.address, (a, i) => ({ cycle: t.cycle[i], line: a / 64, write: t.isWrite[i] === 1 }));
}

function count(rs: Req[], pred: (r: Req) => boolean): number {
  return rs.reduce((n, r) => n + (pred(r) ? 1 : 0), 0);
}

const KERNELS: Array<[string, WorkloadOptions]> = [
  ['stream-copy', { requests: 3000, elements: 2 ** 18 }],
  ['stream-triad', { requests: 3000, elements: 2 ** 18, threads: 3 }],
  ['gups', { requests: 3000, footprintBytes: 8 * MiB }],
  ['spmv', { requests: 3000, rows: 2 ** 14, threads: 2 }],
  ['stencil', { requests: 3000, rows: 512, cols: 512 }],
  ['transpose', { requests: 3000, rows: 512, cols: 512 }],
  ['pointer-chase', { requests: 3000, footprintBytes: 8 * MiB, chains: 2 }],
];

describe('kernels: common behaviour', () => {
  for (const [kind, options] of KERNELS) {
    it(`${kind}: line-aligned addresses within the footprint, non-decreasing cycles, the same trace for the same seed`, () => {
      const source = generateSource(kind, options);
      const t = generateTrace(kind, options);
      const footprint = Number((source.options as { footprintBytes?: number }).footprintBytes ?? Infinity);
      expect(t.length).toBe(3000);
      for (let i = 0; i < t.length; i++) {
        if (t.address[i] % 64 !== 0 || t.address[i] >= footprint) throw new Error(`request ${i}: address ${t.address[i]}`);
        if (i > 0 && t.cycle[i] < t.cycle[i - 1]) throw new Error(`request ${i}: cycle goes back`);
      }
      expect(generateTrace(kind, options)).toEqual(t);
    });
  }

  it('refuses a footprint the cache would hold, and options of other kinds', () => {
    expect(() => generateTrace('stream-triad', { requests: 10, elements: 1000 })).toThrow(
      'elements: the footprint, 24 KiB, fits in the 2 MiB last-level cache: after the first pass nothing would reach DRAM (make it larger or the cache smaller)',
    );
    expect(() => generateTrace('gups', { requests: 10, readShare: 0.5 })).toThrow('readShare: does not apply to gups traces (only stream, random, strided, hotspot, cloud-1, cloud-2)');
    expect(() => generateTrace('stencil', { requests: 10, threads: 5000 })).toThrow('threads: expected an integer from 1 to 1,024, got 5000');
    expect(() => generateTrace('transpose', { requests: 10, rows: 4, cols: 2 ** 20, threads: 8 })).toThrow('threads: 8 threads for 4 rows: at most one thread per row');
    expect(() => generateTrace('spmv', { requests: 10, elementBytes: 12 })).toThrow('elementBytes: expected a power of two from 1 to 4096, got 12');
    expect(() => generateTrace('gups', { requests: 10, llcBytes: 1_000_000 })).toThrow('llcBytes: 1000000 bytes is not a whole number of sets of 16 ways × 64-byte lines');
  });
});

describe('stream-copy and stream-triad', () => {
  const lines = 2 ** 13; // 64 Ki doubles per array: 512 KiB, 8,192 lines
  const small = { elements: 2 ** 16, llcBytes: 64 * KiB };

  it('copy: a and c one after another; per line, read a, then read c for the store; each pass reads every line and writes back every c line once', () => {
    const rs = requests(generateTrace('stream-copy', { requests: 6 * lines, ...small }));
    expect(rs.slice(0, 4)).toEqual([
      { cycle: 0, line: 0, write: false },
      { cycle: 1, line: lines, write: false },
      { cycle: 2, line: 1, write: false },
      { cycle: 3, line: lines + 1, write: false },
    ]);
    // From the second pass on, the cache holds the same lines at each pass's end: the requests repeat
    // with a period of one pass, 3 · lines requests, whose reads and write-backs are counted here.
    const pass = rs.slice(3 * lines, 6 * lines);
    expect(count(pass, (r) => !r.write && r.line < lines)).toBe(lines);
    expect(count(pass, (r) => !r.write && r.line >= lines)).toBe(lines);
    const written = pass.filter((r) => r.write).map((r) => r.line);
    expect(new Set(written).size).toBe(lines);
    expect(written.every((l) => l >= lines && l < 2 * lines)).toBe(true);
  });

  it('triad: a, b, c one after another; reads b and c, then a for the store; three reads per write-back of a', () => {
    const rs = requests(generateTrace('stream-triad', { requests: 8 * lines, ...small }));
    expect(rs.slice(0, 3).map((r) => r.line)).toEqual([lines, 2 * lines, 0]);
    const pass = rs.slice(4 * lines, 8 * lines);
    for (const array of [0, 1, 2]) expect(count(pass, (r) => !r.write && Math.floor(r.line / lines) === array)).toBe(lines);
    const written = pass.filter((r) => r.write).map((r) => r.line);
    expect(new Set(written).size).toBe(lines);
    expect(written.every((l) => l < lines)).toBe(true);
  });

  it('threads take contiguous parts and turns', () => {
    const rs = requests(generateTrace('stream-triad', { requests: 9, ...small, threads: 2 }));
    const half = lines / 2;
    expect(rs.map((r) => r.line)).toEqual([lines, lines + half, 2 * lines, 2 * lines + half, 0, half, lines + 1, lines + half + 1, 2 * lines + 1]);
  });

  it('arrays start on 4 KiB pages', () => {
    // 1,000 doubles: 8,000 bytes, so b starts at 8 KiB (line 128), c at 16 KiB (line 256).
    const rs = requests(generateTrace('stream-triad', { requests: 3, elements: 1000, llcBytes: 4 * KiB, llcWays: 4 }));
    expect(rs.map((r) => r.line)).toEqual([128, 256, 0]);
  });
});

describe('gups', () => {
  it('read-modify-writes random lines of the table: each write-back is of a line read earlier, about one per read once the cache is full', () => {
    const table = 16 * MiB;
    const rs = requests(generateTrace('gups', { requests: 200_000, footprintBytes: table, seed: 4 }));
    const read = new Set<number>();
    for (const r of rs) {
      if (r.line >= table / 64) throw new Error(`line ${r.line} is beyond the table`);
      if (!r.write) read.add(r.line);
      else if (!read.has(r.line)) throw new Error(`line ${r.line} written back before it was read`);
    }
    // Once every set is full of dirty lines.
    const steady = rs.slice(100_000);
    // A 2 MiB cache holds 1/8 of the table: 7 in 8 updates miss, and every miss evicts a dirty line.
    expect(count(steady, (r) => r.write) / steady.length).toBeCloseTo(0.5, 2);
    const mean = steady.reduce((s, r) => s + r.line, 0) / steady.length;
    expect(mean / (table / 64)).toBeCloseTo(0.5, 1);
  });
});

describe('pointer-chase', () => {
  it('one chain visits every node once per lap, in a seeded random order, one read per latency', () => {
    const nodes = (8 * MiB) / 64;
    const rs = requests(generateTrace('pointer-chase', { requests: nodes + 3, footprintBytes: 8 * MiB, seed: 2 }));
    expect(rs.every((r) => !r.write)).toBe(true);
    expect(new Set(rs.slice(0, nodes).map((r) => r.line)).size).toBe(nodes);
    expect(rs.slice(nodes).map((r) => r.line)).toEqual(rs.slice(0, 3).map((r) => r.line));
    expect(rs.slice(0, 4).map((r) => r.cycle)).toEqual([0, 80, 160, 240]);
    // Consecutive nodes are not neighbours in memory.
    expect(rs.slice(1, 1000).filter((r, i) => Math.abs(r.line - rs[i].line) === 1).length).toBeLessThan(5);
    const other = requests(generateTrace('pointer-chase', { requests: 10, footprintBytes: 8 * MiB, seed: 3 }));
    expect(other.map((r) => r.line)).not.toEqual(rs.slice(0, 10).map((r) => r.line));
  });

  it('chains take turns, each waiting the latency after its own previous read; the arrival rate still applies', () => {
    const cycles = (o: WorkloadOptions) => Array.from(generateTrace('pointer-chase', { requests: 9, footprintBytes: 8 * MiB, ...o }).cycle);
    expect(cycles({ chains: 4 })).toEqual([0, 1, 2, 3, 80, 81, 82, 83, 160]);
    expect(cycles({ chains: 4, latencyCycles: 2 })).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cycles({ chains: 2, latencyCycles: 10, rate: 0.25 })).toEqual([0, 4, 10, 14, 20, 24, 30, 34, 40]);
    // The chains start evenly spaced around the one cycle: chain 1 starts where chain 0 is after half a lap.
    const nodes = (8 * MiB) / 64;
    const one = requests(generateTrace('pointer-chase', { requests: nodes / 2 + 1, footprintBytes: 8 * MiB }));
    const two = requests(generateTrace('pointer-chase', { requests: 2, footprintBytes: 8 * MiB, chains: 2 }));
    expect(two.map((r) => r.line)).toEqual([one[0].line, one[nodes / 2].line]);
  });
});

describe('spmv', () => {
  it('with x in the cache, each row costs its column-index and value lines, and y a write-allocate read and a write-back per line', () => {
    // 16 nonzeros per row: 64 bytes of column indices (1 line) and 128 bytes of values (2 lines) a row;
    // rowPtr and y take one line per 16 and 8 rows. x (512 columns, 4 KiB) stays cached.
    const rows = 2 ** 13;
    const rs = requests(generateTrace('spmv', { requests: 2 * rows * 4, rows, cols: 512, llcBytes: 64 * KiB }));
    const perPass = rows * (1 + 2 + 1 / 16 + 1 / 8) + rows / 8;
    // Skip the first pass; count over exactly one more.
    const pass = rs.slice(perPass, 2 * perPass);
    expect(count(pass, (r) => r.write)).toBe(rows / 8);
    expect(count(pass, (r) => !r.write)).toBe(rows * (1 + 2 + 1 / 16 + 1 / 8));
  });

  it('a band keeps the gathers of row i within ± band columns of i; without one they go anywhere in x', () => {
    const rows = 2 ** 16;
    // rowPtr (65,537 4-byte entries, on 65 pages), then colIdx (16 nonzeros of 4 bytes: one line a row), values (8 MiB), x.
    const colIdxStart = (65 * 4 * KiB) / 64;
    const xStart = colIdxStart + (4 * MiB + 8 * MiB) / 64;
    const xLines = (rows * 8) / 64;
    /** Each gather's x line with the row it belongs to: the row of the last column-index line read. */
    const gathers = (o: WorkloadOptions) => {
      let row = -1;
      const out: Array<{ row: number; x: number }> = [];
      for (const r of requests(generateTrace('spmv', { requests: 20_000, rows, llcBytes: 64 * KiB, ...o }))) {
        if (r.write) continue;
        if (r.line >= colIdxStart && r.line < colIdxStart + rows) row = r.line - colIdxStart;
        else if (r.line >= xStart && r.line < xStart + xLines) out.push({ row, x: r.line - xStart });
      }
      return out;
    };
    const anywhere = gathers({});
    expect(Math.max(...anywhere.map((g) => g.x))).toBeGreaterThan(xLines * 0.9);
    const banded = gathers({ band: 64 });
    expect(banded.length).toBeGreaterThan(500);
    // Columns i − 64 .. i + 64 are x's lines (i − 64) / 8 .. (i + 64) / 8.
    for (const g of banded) if (g.x < Math.floor((g.row - 64) / 8) || g.x > Math.floor((g.row + 64) / 8)) throw new Error(`row ${g.row} gathered x line ${g.x}`);
  });
});

describe('stencil', () => {
  it('with three rows in the cache, a sweep reads the input and the output once and writes the output back once', () => {
    // 256 × 256 doubles: 2 KiB (32 lines) a row, 512 KiB a grid; a 64 KiB cache holds 32 rows.
    const rows = 256, lineRow = 32;
    const rs = requests(generateTrace('stencil', { requests: 200_000, rows, cols: 256, llcBytes: 64 * KiB }));
    const grid = rows * lineRow;
    // Sweep k reads grid k mod 2 whole and the interior rows of the other (write-allocate) and writes those back.
    const perSweep = grid + 2 * (rows - 2) * lineRow;
    const sweeps = rs.slice(perSweep, 3 * perSweep);
    expect(Math.abs(count(sweeps, (r) => r.write) - 2 * (rows - 2) * lineRow)).toBeLessThanOrEqual(1024);
    expect(count(sweeps, (r) => r.write && (r.line % grid < lineRow || r.line % grid >= grid - lineRow))).toBe(0);
    // The first requests: row 1 west and centre, then north, east, south of the first point, then the output.
    expect(rs.slice(0, 4).map((r) => r.line)).toEqual([lineRow, 0, 2 * lineRow, grid + lineRow]);
  });
});

describe('transpose', () => {
  it('when a column of B fits the cache, each line of B is read once and written back once, full', () => {
    // 250 × 250 doubles: A's rows are 2,000 bytes; the 250 lines of a column of B spread over the 64 sets.
    const n = 250;
    const linesA = Math.ceil((n * n * 8) / 64);
    const rs = requests(generateTrace('transpose', { requests: 6 * linesA, rows: n, cols: n, llcBytes: 64 * KiB }));
    // From the second pass on the requests repeat, a pass (3 · lines requests) at a time.
    const pass = rs.slice(3 * linesA);
    expect(count(pass, (r) => !r.write && r.line < linesA)).toBe(linesA);
    expect(count(pass, (r) => !r.write && r.line >= linesA)).toBe(linesA);
    expect(count(pass, (r) => r.write)).toBe(linesA);
  });

  it('with power-of-two sizes the column falls into few sets: every store misses and writes back a line holding one new element', () => {
    // 256 × 256: B's column is 256 lines 32 lines apart, all in 2 of the 64 sets (32 ways in all).
    const n = 256;
    const rs = requests(generateTrace('transpose', { requests: 50_000, rows: n, cols: n, llcBytes: 64 * KiB }));
    const steady = rs.slice(10_000);
    const bReads = count(steady, (r) => !r.write && r.line >= (n * n * 8) / 64);
    const aReads = count(steady, (r) => !r.write && r.line < (n * n * 8) / 64);
    // Per line of A (8 elements): 1 read of A, 8 reads of B, 8 write-backs.
    expect(bReads / aReads).toBeCloseTo(8, 0);
    expect(count(steady, (r) => r.write) / aReads).toBeCloseTo(8, 0);
  });
});
