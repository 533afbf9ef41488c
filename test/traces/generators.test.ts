import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { InputError } from '../../common/errors.js';
import type { Trace } from '../../simulators/trace.js';
import {
  CLOUD_RUN_UNIT,
  GENERATOR_KINDS,
  HOTSPOT_REGION_BYTES,
  type GeneratorKind,
  type WorkloadOptions,
  cloudTrace,
  generateSource,
  generateTrace,
  randomTrace,
  streamTrace,
  stridedTrace,
  zipfSampler,
} from '../../traces/generators.js';

const GiB = 2 ** 30;

function gaps(t: Trace): number[] {
  const out: number[] = [];
  for (let i = 1; i < t.length; i++) out.push(t.cycle[i] - t.cycle[i - 1]);
  return out;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

function writeShare(t: Trace): number {
  return mean(t.isWrite);
}

/** Sequential (true) or random (false) for each request of a cloud trace: sequential requests continue one stream from 0. */
function cloudKinds(t: Trace): boolean[] {
  let next = 0;
  return Array.from(t.address, (a) => {
    if (a !== next) return false; // a random line lands on the stream's next line with probability 2^-24
    next += 64;
    return true;
  });
}

function runs(kinds: boolean[]): Array<{ sequential: boolean; length: number }> {
  const out: Array<{ sequential: boolean; length: number }> = [];
  for (const k of kinds) {
    const last = out[out.length - 1];
    if (last && last.sequential === k) last.length++;
    else out.push({ sequential: k, length: 1 });
  }
  return out;
}

const PATTERN_KINDS = ['stream', 'random', 'strided', 'hotspot', 'cloud-1', 'cloud-2'];

describe('generators: determinism', () => {
  const options: WorkloadOptions = { requests: 2000, readShare: 0.5, gapDistribution: 'exponential', gapMeanCycles: 3 };
  it('the registry lists the address patterns, the kernels and the mix', () => {
    expect(GENERATOR_KINDS).toEqual([...PATTERN_KINDS, 'stream-copy', 'stream-triad', 'gups', 'spmv', 'stencil', 'transpose', 'pointer-chase', 'mix']);
  });

  for (const kind of PATTERN_KINDS) {
    it(`${kind}: the same seed gives the same trace, another seed another`, () => {
      const a = generateTrace(kind, { ...options, seed: 11 });
      const b = generateTrace(kind, { ...options, seed: 11 });
      const c = generateTrace(kind, { ...options, seed: 12 });
      expect(b).toEqual(a);
      expect(Array.from(c.isWrite)).not.toEqual(Array.from(a.isWrite));
      expect(Array.from(c.cycle)).not.toEqual(Array.from(a.cycle));
      if (kind !== 'stream' && kind !== 'strided') expect(Array.from(c.address)).not.toEqual(Array.from(a.address));
    });
  }

  it('changing only the arrival process keeps the addresses and directions', () => {
    const base = { requests: 3000, seed: 4, readShare: 0.6 };
    const a = generateTrace('hotspot', base);
    const b = generateTrace('hotspot', { ...base, gapDistribution: 'uniform', gapMeanCycles: 7 });
    expect(Array.from(b.address)).toEqual(Array.from(a.address));
    expect(Array.from(b.isWrite)).toEqual(Array.from(a.isWrite));
    expect(Array.from(b.cycle)).not.toEqual(Array.from(a.cycle));
  });
});

describe('generators: address patterns', () => {
  it('stream: consecutive 64-byte lines, one per cycle, wrapping at the footprint', () => {
    const t = streamTrace({ requests: 1000, footprintBytes: 64 * 600, startAddress: 64 * 10 });
    for (let i = 0; i < t.length; i++) {
      expect(t.address[i]).toBe(((10 + i) % 600) * 64);
      expect(t.cycle[i]).toBe(i);
    }
    expect(t.isWrite.every((w) => w === 0)).toBe(true);
  });

  it('random: 64-byte aligned, within the footprint, uniform over the eight DDR3 banks', () => {
    const t = randomTrace({ requests: 80_000, seed: 3 });
    const banks = new Array<number>(8).fill(0);
    expect(t.address.every((a) => a % 64 === 0 && a >= 0 && a < GiB)).toBe(true);
    for (const a of t.address) banks[Math.floor(a / 8192) % 8]++; // ddr3-1600 row-bank-column: bank bits 13-15
    for (const n of banks) expect(Math.abs(n - 10_000)).toBeLessThan(400);
    // The two halves of the footprint are equally likely too.
    expect(Math.abs(mean(t.address) / GiB - 0.5)).toBeLessThan(0.01);
  });

  it('read share: the requested share of reads, within tolerance', () => {
    for (const share of [0, 0.3, 0.7, 1]) {
      const t = randomTrace({ requests: 100_000, seed: 5, readShare: share });
      expect(Math.abs(1 - writeShare(t) - share)).toBeLessThan(0.01);
    }
  });

  it('strided: a fixed stride from the start address, wrapping at the footprint', () => {
    const t = stridedTrace({ requests: 100, strideBytes: 8192, footprintBytes: 65536 * 2, startAddress: 128 });
    expect(Array.from(t.address.slice(0, 4))).toEqual([128, 8320, 16512, 24704]);
    for (let i = 0; i < t.length; i++) expect(t.address[i]).toBe((128 + i * 8192) % (65536 * 2));
  });

  for (const [kind, first] of [['cloud-1', true], ['cloud-2', false]] as const) {
    it(`${kind}: alternating runs of 50·k (k in 1..4), starting ${first ? 'sequential' : 'random'}, about half sequential`, () => {
      const t = generateTrace(kind, { requests: 200_000, seed: 9 });
      const rs = runs(cloudKinds(t));
      expect(rs[0].sequential).toBe(first);
      const lengths = new Set<number>();
      for (const r of rs.slice(0, -1)) {
        expect(r.length % CLOUD_RUN_UNIT).toBe(0);
        expect(r.length).toBeLessThanOrEqual(4 * CLOUD_RUN_UNIT);
        lengths.add(r.length);
      }
      expect([...lengths].sort((a, b) => a - b)).toEqual([50, 100, 150, 200]);
      const sequentialShare = mean(cloudKinds(t).map(Number));
      expect(Math.abs(sequentialShare - 0.5)).toBeLessThan(0.04);
      expect(t.address.every((a) => a % 64 === 0 && a < GiB)).toBe(true);
    });
  }

  it('cloudTrace picks the variant from firstRun', () => {
    expect(cloudTrace({ requests: 500, seed: 2, firstRun: 'random' })).toEqual(generateTrace('cloud-2', { requests: 500, seed: 2 }));
    expect(cloudTrace({ requests: 500, seed: 2 }).name).toBe('cloud-1');
  });

  it('hotspot: concentrates on few 8 KiB regions, a 64-byte line inside', () => {
    const n = 50_000;
    const t = generateTrace('hotspot', { requests: n, seed: 21 });
    const perRegion = new Map<number, number>();
    expect(t.address.every((a) => a % 64 === 0 && a < GiB)).toBe(true);
    for (const a of t.address) {
      const r = Math.floor(a / HOTSPOT_REGION_BYTES);
      perRegion.set(r, (perRegion.get(r) ?? 0) + 1);
    }
    const ranked = [...perRegion].sort((a, b) => b[1] - a[1]);
    const counts = ranked.map(([, c]) => c);
    const top = (k: number): number => counts.slice(0, k).reduce((s, c) => s + c, 0) / n;
    // Zipf s = 1 over 131,072 regions: the top 1 % of regions take H(1311)/H(131072) ≈ 63 %.
    expect(top(1311)).toBeGreaterThan(0.58);
    expect(top(1311)).toBeLessThan(0.68);
    expect(top(1)).toBeGreaterThan(0.06);
    // A steeper exponent concentrates more.
    const steep = generateTrace('hotspot', { requests: n, seed: 21, zipfExponent: 2 });
    expect(new Set(Array.from(steep.address, (a) => Math.floor(a / HOTSPOT_REGION_BYTES))).size).toBeLessThan(perRegion.size / 10);
    // Hot regions are spread over the banks, not packed at the start of memory.
    const hotBanks = new Set(ranked.slice(0, 64).map(([region]) => region % 8));
    expect(hotBanks.size).toBe(8);
  });

  it('hotspot: every region of a small footprint is reachable (the region permutation is a bijection)', () => {
    const t = generateTrace('hotspot', { requests: 20_000, seed: 2, zipfExponent: 0.01, footprintBytes: 24 * HOTSPOT_REGION_BYTES });
    const regions = new Set(Array.from(t.address, (a) => Math.floor(a / HOTSPOT_REGION_BYTES)));
    expect([...regions].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  for (const s of [0.5, 1, 1.2, 2]) {
    it(`zipfSampler follows the Zipf law (n = 10, s = ${s})`, () => {
      const sample = zipfSampler(10, s, xoroshiro128plus(7));
      const n = 200_000;
      const counts = new Array<number>(11).fill(0);
      for (let i = 0; i < n; i++) counts[sample()]++;
      const weights = Array.from({ length: 10 }, (_, k) => (k + 1) ** -s);
      const total = weights.reduce((a, b) => a + b, 0);
      expect(counts[0]).toBe(0);
      for (let k = 1; k <= 10; k++) expect(Math.abs(counts[k] / n - weights[k - 1] / total)).toBeLessThan(0.005);
    });
  }
});

describe('generators: arrival', () => {
  it('one request per cycle by default', () => {
    expect(Array.from(randomTrace({ requests: 5 }).cycle)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rate: request i at cycle floor(i / rate), below and above one per cycle', () => {
    expect(Array.from(generateTrace('stream', { requests: 5, rate: 0.25 }).cycle)).toEqual([0, 4, 8, 12, 16]);
    expect(Array.from(generateTrace('stream', { requests: 6, rate: 2.5 }).cycle)).toEqual([0, 0, 0, 1, 1, 2]);
    // 33 / 1.1 and 90 · 0.7 fall a hair below 30 and 63 in floating point; the requests still belong to those cycles.
    expect(generateTrace('stream', { requests: 34, rate: 1.1 }).cycle[33]).toBe(30);
    expect(generateTrace('stream', { requests: 91, gapMeanCycles: 0.7 }).cycle[90]).toBe(63);
    const t = generateTrace('random', { requests: 10_001, rate: 0.4 });
    expect(mean(gaps(t))).toBeCloseTo(2.5, 3);
  });

  it('constant gaps: whole cycles with the requested mean, fractional means included', () => {
    expect(Array.from(generateTrace('stream', { requests: 5, gapDistribution: 'constant', gapMeanCycles: 2.5 }).cycle)).toEqual([0, 2, 5, 7, 10]);
    expect(Array.from(generateTrace('stream', { requests: 4, gapMeanCycles: 3 }).cycle)).toEqual([0, 3, 6, 9]);
    expect(Array.from(generateTrace('stream', { requests: 4, gap: 2 }).cycle)).toEqual([0, 2, 4, 6]);
  });

  it('uniform gaps: whole cycles in [0, 2·mean] with the requested mean', () => {
    const g = gaps(generateTrace('random', { requests: 100_001, seed: 8, gapDistribution: 'uniform', gapMeanCycles: 3 }));
    expect(g.every((x) => Number.isInteger(x) && x >= 0 && x <= 6)).toBe(true);
    expect(Math.abs(mean(g) - 3)).toBeLessThan(0.03);
  });

  it('exponential gaps: whole cycles with the requested mean and a coefficient of variation near 1', () => {
    const g = gaps(generateTrace('random', { requests: 100_001, seed: 8, gapDistribution: 'exponential', gapMeanCycles: 20 }));
    expect(g.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    const m = mean(g);
    expect(Math.abs(m - 20)).toBeLessThan(0.4);
    const sd = Math.sqrt(mean(g.map((x) => (x - m) ** 2)));
    expect(Math.abs(sd / m - 1)).toBeLessThan(0.05);
  });
});

describe('generators: option errors', () => {
  const bad: Array<[GeneratorKind, WorkloadOptions, string]> = [
    ['random', { requests: -1 }, 'requests: expected a non-negative integer, got -1'],
    ['random', { requests: 1.5 }, 'requests: expected a non-negative integer'],
    ['random', { requests: 10, seed: 2 ** 32 }, 'seed: expected an integer 0..4294967295'],
    ['random', { requests: 10, readShare: 1.2 }, 'readShare: expected a number in [0, 1], got 1.2'],
    ['random', { requests: 10, footprintBytes: 100 }, 'footprintBytes: expected a positive multiple of 64 bytes, got 100'],
    ['hotspot', { requests: 10, footprintBytes: 4096 }, 'footprintBytes: expected at least one 8192-byte region'],
    ['random', { requests: 10, rate: 0 }, 'rate: expected requests per cycle > 0, got 0'],
    ['random', { requests: 10, rate: 1, gapMeanCycles: 2 }, 'rate: give only one of'],
    ['random', { requests: 10, gapDistribution: 'uniform' }, 'gapMeanCycles: required with a gap distribution'],
    ['random', { requests: 10, gapDistribution: 'normal' as never, gapMeanCycles: 1 }, 'gapDistribution: expected one of constant, uniform, exponential, got normal'],
    ['random', { requests: 10, gapMeanCycles: -1 }, 'gapMeanCycles: expected a number of cycles from 0 to 1,000,000, got -1'],
    ['random', { requests: 10, gapMeanCycles: 1e300 }, 'gapMeanCycles: expected a number of cycles from 0 to 1,000,000'],
    ['stream', { requests: 10, rate: 1e-16 }, 'rate: at most one request per 1,000,000 cycles'],
    ['strided', { requests: 10, strideBytes: 0 }, 'strideBytes: expected a positive integer, got 0'],
    ['hotspot', { requests: 10, zipfExponent: 0 }, 'zipfExponent: expected a number > 0, got 0'],
    ['random', { requests: 10, strideBytes: 64 }, 'strideBytes: does not apply to random traces (only strided)'],
    ['stream', { requests: 10, zipfExponent: 1 }, 'zipfExponent: does not apply to stream traces'],
    ['hotspot', { requests: 10, startAddress: 64 }, 'startAddress: does not apply to hotspot traces'],
    ['nope' as GeneratorKind, { requests: 10 }, 'kind: expected one of stream, random'],
    ['random', { requests: 1e16 }, 'requests: at most 9,007,199,254,740,991 at this arrival rate, got 10,000,000,000,000,000: later requests would be issued beyond cycle 2^53'],
    ['stream', { requests: 1e10, gap: 1_000_000 }, 'requests: at most 9,007,199,254 at this arrival rate'],
    ['random', { requests: 10, elements: 5 }, 'elements: does not apply to random traces (only stream-copy, stream-triad)'],
  ];
  for (const [kind, options, message] of bad) {
    it(`${kind} ${JSON.stringify(options)} → "${message}"`, () => {
      expect(() => generateTrace(kind, options)).toThrow(InputError);
      expect(() => generateTrace(kind, options)).toThrow(message);
    });
  }
});

describe('streaming', () => {
  it('makes requests chunk by chunk: the first chunk of a trillion-request trace comes at once, in bounded memory', () => {
    const source = generateSource('stream', { requests: 1e12 });
    expect(source.length).toBe(1e12);
    const chunks = source.chunks()[Symbol.iterator]();
    const first = chunks.next().value!;
    expect(first.length).toBe(65_536);
    expect(first.address[65_535]).toBe(65_535 * 64);
    expect(chunks.next().value!.cycle[0]).toBe(65_536);
  });

  it('reads the same requests each time, the same as the in-memory trace', () => {
    const source = generateSource('gups', { requests: 70_000, seed: 3, footprintBytes: 2 ** 23 });
    const collect = () => {
      const out: number[] = [];
      for (const c of source.chunks()) for (let i = 0; i < c.length; i++) out.push(c.address[i] + c.isWrite[i] / 2);
      return out;
    };
    const a = collect();
    expect(collect()).toEqual(a);
    const t = generateTrace('gups', { requests: 70_000, seed: 3, footprintBytes: 2 ** 23 });
    expect(Array.from(t.address, (x, i) => x + t.isWrite[i] / 2)).toEqual(a);
  });
});

describe('seeding', () => {
  it('nearby seeds start far apart (the seed is mixed before it seeds the generator)', () => {
    const firsts = Array.from({ length: 32 }, (_, s) => randomTrace({ requests: 1, seed: s + 1 }).address[0]);
    const slices = new Set(firsts.map((a) => Math.floor(a / 2 ** 26))); // 16 slices of 64 MiB
    expect(slices.size).toBeGreaterThanOrEqual(12);
  });
});
