/**
 * Seeded workload generators. The same kind, options and seed give the same trace on any machine.
 *
 * Every generator is the same loop: for each request draw read or write, then an address from the
 * kind's address process; the issue cycle comes from the arrival process. Addresses and
 * directions come from one random stream and arrival gaps from another (the same seed, jumped
 * 2^64 steps ahead), so changing only the arrival options keeps the address sequence.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { seededRng } from '../common/random.js';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { InputError } from '../common/errors.js';
import { type Trace, TraceBuilder } from '../simulators/trace.js';

export const LINE_BYTES = 64;
/** Hotspot region size: under the ddr3-1600 row-bank-column mapping an aligned 8 KiB block is one row of one bank. */
export const HOTSPOT_REGION_BYTES = 8192;
/** Cloud runs are CLOUD_RUN_UNIT · k requests long, k uniform in 1..CLOUD_MAX_UNITS. */
export const CLOUD_RUN_UNIT = 50;
export const CLOUD_MAX_UNITS = 4;

export const GAP_DISTRIBUTIONS = ['constant', 'uniform', 'exponential'] as const;
export type GapDistribution = (typeof GAP_DISTRIBUTIONS)[number];

export const GENERATOR_KINDS = ['stream', 'random', 'strided', 'hotspot', 'cloud-1', 'cloud-2'] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];

export interface GeneratorOptions {
  /** Number of requests. */
  requests: number;
  /** 0 .. 2^32 − 1 (default 1). */
  seed?: number;
  /** Share of reads, 0..1 (default 1: reads only). */
  readShare?: number;
  /**
   * Arrival as requests per trace-clock cycle: request i is issued at cycle floor(i / rate).
   * At most one of `rate`, `gapDistribution`/`gapMeanCycles` and `gap` may be given; without any,
   * one request per cycle.
   */
  rate?: number;
  /**
   * Arrival as a renewal process: gaps between arrival times are drawn from this distribution
   * (constant; uniform on [0, 2·mean]; exponential, i.e. Poisson arrivals) with mean
   * `gapMeanCycles`, and each request is issued at the whole cycle its arrival time falls in.
   * Default `constant` when only `gapMeanCycles` is given.
   */
  gapDistribution?: GapDistribution;
  gapMeanCycles?: number;
  /** Whole trace-clock cycles between consecutive requests: shorthand for a constant gap. */
  gap?: number;
  /** Bytes addressed (default 1 GiB, the reference DIMM); a multiple of 64. */
  footprintBytes?: number;
  /** First address of sequential streams (stream, strided, cloud), wrapped into the footprint. */
  startAddress?: number;
}

export interface StridedOptions extends GeneratorOptions {
  /** Bytes between consecutive requests (default 4096). */
  strideBytes?: number;
}

export interface HotspotOptions extends GeneratorOptions {
  /** Zipf exponent s > 0 over the 8 KiB regions: region of popularity rank r has weight r^−s (default 1). */
  zipfExponent?: number;
}

export interface CloudOptions extends GeneratorOptions {
  /** Kind of the first run (default sequential). */
  firstRun?: 'sequential' | 'random';
}

/** Options of any kind, as `generateTrace` takes them. */
export interface WorkloadOptions extends GeneratorOptions {
  strideBytes?: number;
  zipfExponent?: number;
}

/** How requests are spaced in time, after validation. */
export type Arrival =
  | { readonly rate: number }
  | { readonly gapDistribution: GapDistribution; readonly gapMeanCycles: number };

/** Options with every default filled in: what a trace file's header records. */
export interface ResolvedOptions {
  readonly requests: number;
  readonly seed: number;
  readonly readShare: number;
  readonly arrival: Arrival;
  readonly footprintBytes: number;
  readonly startAddress: number;
  readonly strideBytes?: number;
  readonly zipfExponent?: number;
}

/** A bad generator option; `option` is its key in the options object, so a CLI can name its flag. */
export class OptionError extends InputError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

type Rng = RandomGenerator;

const DEFAULT_FOOTPRINT = 2 ** 30;
const DEFAULT_STRIDE = 4096;
const DEFAULT_ZIPF = 1;

/** Options that only some kinds use: giving one to another kind is a mistake worth reporting. */
const KIND_OPTIONS: ReadonlyArray<[keyof WorkloadOptions, readonly GeneratorKind[]]> = [
  ['startAddress', ['stream', 'strided', 'cloud-1', 'cloud-2']],
  ['strideBytes', ['strided']],
  ['zipfExponent', ['hotspot']],
];

function isNonNegativeInteger(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** The longest mean gap between requests: keeps every cycle of a long trace an exact integer. */
const MAX_GAP_CYCLES = 1_000_000;

function resolveArrival(o: GeneratorOptions): Arrival {
  const given = [o.rate !== undefined, o.gapDistribution !== undefined || o.gapMeanCycles !== undefined, o.gap !== undefined];
  if (given.filter(Boolean).length > 1) {
    const option = o.rate !== undefined ? 'rate' : 'gap';
    throw new OptionError(option, 'give only one of rate, a gap distribution and gap');
  }
  if (o.rate !== undefined) {
    if (!(Number.isFinite(o.rate) && o.rate > 0)) throw new OptionError('rate', `expected requests per cycle > 0, got ${o.rate}`);
    if (o.rate < 1 / MAX_GAP_CYCLES) throw new OptionError('rate', `at most one request per ${MAX_GAP_CYCLES.toLocaleString('en-US')} cycles (rate >= 1e-6), got ${o.rate}`);
    return { rate: o.rate };
  }
  if (o.gap !== undefined) {
    if (!isNonNegativeInteger(o.gap) || o.gap > MAX_GAP_CYCLES) throw new OptionError('gap', `expected an integer from 0 to ${MAX_GAP_CYCLES.toLocaleString('en-US')}, got ${o.gap}`);
    return { gapDistribution: 'constant', gapMeanCycles: o.gap };
  }
  if (o.gapDistribution !== undefined || o.gapMeanCycles !== undefined) {
    const d = o.gapDistribution ?? 'constant';
    if (!(GAP_DISTRIBUTIONS as readonly string[]).includes(d)) {
      throw new OptionError('gapDistribution', `expected one of ${GAP_DISTRIBUTIONS.join(', ')}, got ${d}`);
    }
    const m = o.gapMeanCycles;
    if (m === undefined) throw new OptionError('gapMeanCycles', 'required with a gap distribution');
    if (!(Number.isFinite(m) && m >= 0 && m <= MAX_GAP_CYCLES)) throw new OptionError('gapMeanCycles', `expected a number of cycles from 0 to ${MAX_GAP_CYCLES.toLocaleString('en-US')}, got ${m}`);
    return { gapDistribution: d, gapMeanCycles: m };
  }
  return { rate: 1 };
}

/** Validates `options` for `kind` and fills in the defaults. Throws an OptionError naming the option. */
export function resolveOptions(kind: GeneratorKind, options: WorkloadOptions): ResolvedOptions {
  if (!(GENERATOR_KINDS as readonly string[]).includes(kind)) {
    throw new OptionError('kind', `expected one of ${GENERATOR_KINDS.join(', ')}, got ${kind}`);
  }
  for (const [option, kinds] of KIND_OPTIONS) {
    if (options[option] !== undefined && !kinds.includes(kind)) {
      throw new OptionError(option, `does not apply to ${kind} traces (only ${kinds.join(', ')})`);
    }
  }
  const o = options;
  if (!isNonNegativeInteger(o.requests)) throw new OptionError('requests', `expected a non-negative integer, got ${o.requests}`);
  const seed = o.seed ?? 1;
  if (!(isNonNegativeInteger(seed) && seed < 2 ** 32)) throw new OptionError('seed', `expected an integer 0..4294967295, got ${seed}`);
  const readShare = o.readShare ?? 1;
  if (!(readShare >= 0 && readShare <= 1)) throw new OptionError('readShare', `expected a number in [0, 1], got ${readShare}`);
  const footprintBytes = o.footprintBytes ?? DEFAULT_FOOTPRINT;
  if (!(isNonNegativeInteger(footprintBytes) && footprintBytes >= LINE_BYTES && footprintBytes % LINE_BYTES === 0)) {
    throw new OptionError('footprintBytes', `expected a positive multiple of ${LINE_BYTES} bytes, got ${footprintBytes}`);
  }
  if (kind === 'hotspot' && footprintBytes < HOTSPOT_REGION_BYTES) {
    throw new OptionError('footprintBytes', `expected at least one ${HOTSPOT_REGION_BYTES}-byte region for a hotspot trace, got ${footprintBytes}`);
  }
  const startAddress = o.startAddress ?? 0;
  if (!isNonNegativeInteger(startAddress)) throw new OptionError('startAddress', `expected a non-negative integer, got ${startAddress}`);
  const resolved = { requests: o.requests, seed, readShare, arrival: resolveArrival(o), footprintBytes, startAddress };
  if (kind === 'strided') {
    const strideBytes = o.strideBytes ?? DEFAULT_STRIDE;
    if (!(isNonNegativeInteger(strideBytes) && strideBytes > 0)) throw new OptionError('strideBytes', `expected a positive integer, got ${strideBytes}`);
    return { ...resolved, strideBytes };
  }
  if (kind === 'hotspot') {
    const zipfExponent = o.zipfExponent ?? DEFAULT_ZIPF;
    if (!(Number.isFinite(zipfExponent) && zipfExponent > 0)) throw new OptionError('zipfExponent', `expected a number > 0, got ${zipfExponent}`);
    return { ...resolved, zipfExponent };
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Arrival processes

/**
 * floor(x), except that a value within rounding error of an integer counts as that integer:
 * 33 / 1.1 is 29.999999999999996 in floating point, and request 33 at rate 1.1 belongs to cycle 30.
 */
function wholeCycle(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, r) ? r : Math.floor(x);
}

/** Returns the issue cycle of each successive request. */
function arrivalClock(a: Arrival, rng: Rng): () => number {
  let i = 0;
  if ('rate' in a) return () => wholeCycle(i++ / a.rate);
  const mean = a.gapMeanCycles;
  if (a.gapDistribution === 'constant') return () => wholeCycle(i++ * mean);
  const drawGap =
    a.gapDistribution === 'uniform'
      ? () => 2 * mean * uniformFloat64(rng)
      : () => -mean * Math.log1p(-uniformFloat64(rng)); // 1 − u is in (0, 1]: the log is finite
  let t = 0;
  return () => {
    if (i++ > 0) t += drawGap();
    return Math.floor(t);
  };
}

// ---------------------------------------------------------------------------------------------
// Address processes: each returns the address of the next request, in order.

type AddressProcess = () => number;

/** A random 64-byte-aligned address below `footprint`. */
function randomLine(rng: Rng, footprint: number): number {
  // uniformInt handles ranges beyond 2^32 exactly.
  return uniformInt(rng, 0, footprint / LINE_BYTES - 1) * LINE_BYTES;
}

/** start, start + step, start + 2·step, … modulo the footprint. */
function linear(start: number, step: number, footprint: number): AddressProcess {
  let address = start % footprint;
  const s = step % footprint;
  return () => {
    const a = address;
    address += s;
    if (address >= footprint) address -= footprint;
    return a;
  };
}

/** Sequential and random runs in turn, 50·k requests each (k uniform in 1..4); one linear stream across sequential runs. */
function cloudAddresses(o: ResolvedOptions, rng: Rng, firstRun: 'sequential' | 'random'): AddressProcess {
  const sequential = linear(o.startAddress, LINE_BYTES, o.footprintBytes);
  let random = firstRun === 'sequential'; // flipped before the first run
  let left = 0;
  return () => {
    if (left === 0) {
      random = !random;
      left = CLOUD_RUN_UNIT * uniformInt(rng, 1, CLOUD_MAX_UNITS);
    }
    left--;
    return random ? randomLine(rng, o.footprintBytes) : sequential();
  };
}

/**
 * Zipf ranks 1..n with P(k) ∝ k^−s, by rejection-inversion (Hörmann & Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions", 1996): constant memory and
 * expected constant time for any n, where a CDF table of a 1 TiB footprint's regions would not fit.
 * This is the formulation of Apache Commons RNG's RejectionInversionZipfSampler.
 */
export function zipfSampler(n: number, s: number, rng: Rng): () => number {
  const helper1 = (x: number): number => (Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x)));
  const helper2 = (x: number): number => (Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x)));
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  const hIntegral = (x: number): number => {
    const logX = Math.log(x);
    return helper2((1 - s) * logX) * logX;
  };
  const hIntegralInverse = (x: number): number => {
    const t = Math.max(-1, x * (1 - s));
    return Math.exp(helper1(t) * x);
  };
  const hIntegralX1 = hIntegral(1.5) - 1;
  const hIntegralN = hIntegral(n + 0.5);
  const threshold = 2 - hIntegralInverse(hIntegral(2.5) - h(2));
  return () => {
    for (;;) {
      const u = hIntegralN + uniformFloat64(rng) * (hIntegralX1 - hIntegralN);
      const x = hIntegralInverse(u);
      const k = Math.min(n, Math.max(1, Math.floor(x + 0.5)));
      if (k - x <= threshold || u >= hIntegral(k + 0.5) - h(k)) return k;
    }
  };
}

/** A 32-bit integer hash (the murmur3 finalizer). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seeded permutation of 0..n−1: a 4-round Feistel network on the smallest even-width power of
 * two ≥ n, walking cycles back into range. Hot regions are then spread over banks and rows like a
 * real heap's, not packed at address 0.
 */
function scatter(n: number, rng: Rng): (i: number) => number {
  let bits = 2;
  while (2 ** bits < n) bits += 2;
  const halfSize = 2 ** (bits / 2);
  const keys = [rng.next(), rng.next(), rng.next(), rng.next()];
  const permute = (x: number): number => {
    let left = Math.floor(x / halfSize);
    let right = x % halfSize;
    for (const k of keys) {
      // Both operands are below halfSize, a power of two, so the XOR is too.
      const next = left ^ (mix32(right ^ k) % halfSize);
      left = right;
      right = next;
    }
    return left * halfSize + right;
  };
  return (i) => {
    let x = permute(i);
    while (x >= n) x = permute(x);
    return x;
  };
}

/** Zipf-popular 8 KiB regions, a random 64-byte line inside each. */
function hotspotAddresses(o: ResolvedOptions, rng: Rng): AddressProcess {
  const regions = Math.floor(o.footprintBytes / HOTSPOT_REGION_BYTES);
  const region = scatter(regions, rng);
  const rank = zipfSampler(regions, o.zipfExponent ?? DEFAULT_ZIPF, rng);
  const linesPerRegion = HOTSPOT_REGION_BYTES / LINE_BYTES;
  return () => region(rank() - 1) * HOTSPOT_REGION_BYTES + uniformInt(rng, 0, linesPerRegion - 1) * LINE_BYTES;
}

function addressProcess(kind: GeneratorKind, o: ResolvedOptions, rng: Rng): AddressProcess {
  switch (kind) {
    case 'stream':
      return linear(o.startAddress, LINE_BYTES, o.footprintBytes);
    case 'random':
      return () => randomLine(rng, o.footprintBytes);
    case 'strided':
      return linear(o.startAddress, o.strideBytes ?? DEFAULT_STRIDE, o.footprintBytes);
    case 'hotspot':
      return hotspotAddresses(o, rng);
    case 'cloud-1':
      return cloudAddresses(o, rng, 'sequential');
    case 'cloud-2':
      return cloudAddresses(o, rng, 'random');
  }
}

/** Draws read (false) or write (true) with the given read share, from 2^24 steps. */
function drawWrite(rng: Rng, readShare: number): boolean {
  if (readShare >= 1) return false;
  if (readShare <= 0) return true;
  return uniformInt(rng, 0, (1 << 24) - 1) >= Math.round(readShare * (1 << 24));
}

// ---------------------------------------------------------------------------------------------
// Public generators

/** A trace of `kind`; its name defaults to the kind. Throws an OptionError for a bad option. */
export function generateTrace(kind: GeneratorKind, options: WorkloadOptions, name: string = kind): Trace {
  const o = resolveOptions(kind, options);
  const rng = seededRng(o.seed);
  const timing = rng.clone();
  timing.jump();
  const nextCycle = arrivalClock(o.arrival, timing);
  const nextAddress = addressProcess(kind, o, rng);
  const b = new TraceBuilder();
  for (let i = 0; i < o.requests; i++) {
    const write = drawWrite(rng, o.readShare);
    b.push(nextCycle(), nextAddress(), write);
  }
  return b.build(name);
}

/** `stream`: consecutive 64-byte lines from `startAddress`, wrapping at the footprint. */
export function streamTrace(options: GeneratorOptions, name = 'stream'): Trace {
  return generateTrace('stream', options, name);
}

/** `random`: uniformly random 64-byte-aligned addresses over the footprint. */
export function randomTrace(options: GeneratorOptions, name = 'random'): Trace {
  return generateTrace('random', options, name);
}

/** `strided`: `startAddress + i · strideBytes`, wrapping at the footprint. */
export function stridedTrace(options: StridedOptions, name = 'strided'): Trace {
  return generateTrace('strided', options, name);
}

/** `hotspot`: Zipf-popular 8 KiB regions (one DDR3 row each), a uniformly random line inside. */
export function hotspotTrace(options: HotspotOptions, name = 'hotspot'): Trace {
  return generateTrace('hotspot', options, name);
}

/** `cloud-1` / `cloud-2`: alternating sequential and random runs of 50·k requests, k uniform in 1..4. */
export function cloudTrace(options: CloudOptions, name?: string): Trace {
  const { firstRun = 'sequential', ...rest } = options;
  if (firstRun !== 'sequential' && firstRun !== 'random') throw new OptionError('firstRun', `expected sequential or random, got ${String(firstRun)}`);
  const kind = firstRun === 'sequential' ? 'cloud-1' : 'cloud-2';
  return generateTrace(kind, rest, name ?? kind);
}
