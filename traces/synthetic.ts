/**
 * Address-pattern generators: each request is a read or a write (drawn with the read share) to an
 * address from the kind's address process. They model what reaches the memory directly, with no
 * cache in between.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { Rng } from '../common/random.js';
import { OptionError } from './options.js';
import { scatter } from './permutation.js';
import { type WorkloadGenerator, LINE_BYTES, type OptionKey, type WorkloadOptions, timedRequests } from './workload.js';

/** Hotspot region size: under the ddr3-1600 row-bank-column mapping an aligned 8 KiB block is one row of one bank. */
export const HOTSPOT_REGION_BYTES = 8192;
/** Cloud runs are CLOUD_RUN_UNIT · k requests long, k uniform in 1..CLOUD_MAX_UNITS. */
export const CLOUD_RUN_UNIT = 50;
export const CLOUD_MAX_UNITS = 4;

const DEFAULT_FOOTPRINT = 2 ** 30;
const DEFAULT_STRIDE = 4096;
const DEFAULT_ZIPF = 1;

function isNonNegativeInteger(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** The options every address-pattern kind takes. */
interface Pattern {
  readonly readShare: number;
  readonly footprintBytes: number;
}

/** Returns the address of the next request. */
type AddressProcess = () => number;

function resolvePattern(o: WorkloadOptions, minFootprint = LINE_BYTES): Pattern {
  const readShare = o.readShare ?? 1;
  if (!(readShare >= 0 && readShare <= 1)) throw new OptionError('readShare', `expected a number in [0, 1], got ${readShare}`);
  const footprintBytes = o.footprintBytes ?? DEFAULT_FOOTPRINT;
  if (!(isNonNegativeInteger(footprintBytes) && footprintBytes >= LINE_BYTES && footprintBytes % LINE_BYTES === 0)) {
    throw new OptionError('footprintBytes', `expected a positive multiple of ${LINE_BYTES} bytes, got ${footprintBytes}`);
  }
  if (footprintBytes < minFootprint) {
    throw new OptionError('footprintBytes', `expected at least one ${minFootprint}-byte region for a hotspot trace, got ${footprintBytes}`);
  }
  return { readShare, footprintBytes };
}

function resolveStart(o: WorkloadOptions): { startAddress: number } {
  const startAddress = o.startAddress ?? 0;
  if (!isNonNegativeInteger(startAddress)) throw new OptionError('startAddress', `expected a non-negative integer, got ${startAddress}`);
  return { startAddress };
}

/** Draws read (false) or write (true) with the given read share, from 2^24 steps. */
function drawWrite(rng: Rng, readShare: number): boolean {
  if (readShare >= 1) return false;
  if (readShare <= 0) return true;
  return uniformInt(rng, 0, (1 << 24) - 1) >= Math.round(readShare * (1 << 24));
}

/** An address-pattern generator: per request, the direction, then the address, from one random stream. */
function pattern<R extends Pattern>(
  kind: string,
  summary: string,
  own: readonly OptionKey[],
  resolve: (o: WorkloadOptions) => R,
  addresses: (r: R, rng: Rng) => AddressProcess,
): WorkloadGenerator<R> {
  return {
    kind,
    summary,
    options: ['readShare', 'footprintBytes', ...own],
    sizeOption: 'footprintBytes',
    resolve,
    footprintBytes: (r) => r.footprintBytes,
    timed: (r, seed, arrival) =>
      timedRequests(seed, arrival, (rng) => {
        const next = addresses(r, rng);
        return (out) => {
          out.write = drawWrite(rng, r.readShare);
          out.address = next();
        };
      }),
  };
}

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
function cloudAddresses(o: Pattern & { startAddress: number }, rng: Rng, firstRun: 'sequential' | 'random'): AddressProcess {
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

/** Zipf-popular 8 KiB regions, scattered over the footprint like a real heap's, a random 64-byte line inside each. */
function hotspotAddresses(o: Pattern & { zipfExponent: number }, rng: Rng): AddressProcess {
  const regions = Math.floor(o.footprintBytes / HOTSPOT_REGION_BYTES);
  const region = scatter(regions, rng);
  const rank = zipfSampler(regions, o.zipfExponent, rng);
  const linesPerRegion = HOTSPOT_REGION_BYTES / LINE_BYTES;
  return () => region(rank() - 1) * HOTSPOT_REGION_BYTES + uniformInt(rng, 0, linesPerRegion - 1) * LINE_BYTES;
}

function cloud(kind: 'cloud-1' | 'cloud-2', firstRun: 'sequential' | 'random'): WorkloadGenerator {
  return pattern(
    kind,
    `alternating runs of sequential and random requests, 50·k long (k uniform in 1..4), starting ${firstRun}`,
    ['startAddress'],
    (o) => ({ ...resolvePattern(o), ...resolveStart(o) }),
    (r, rng) => cloudAddresses(r, rng, firstRun),
  );
}

export const SYNTHETIC_GENERATORS: readonly WorkloadGenerator[] = [
  pattern(
    'stream',
    'consecutive 64-byte lines, wrapping at the footprint',
    ['startAddress'],
    (o) => ({ ...resolvePattern(o), ...resolveStart(o) }),
    (r) => linear(r.startAddress, LINE_BYTES, r.footprintBytes),
  ),
  pattern('random', 'uniformly random 64-byte lines over the footprint', [], (o) => resolvePattern(o), (r, rng) => () => randomLine(rng, r.footprintBytes)),
  pattern(
    'strided',
    'a fixed stride, wrapping at the footprint',
    ['startAddress', 'strideBytes'],
    (o) => {
      const strideBytes = o.strideBytes ?? DEFAULT_STRIDE;
      if (!(isNonNegativeInteger(strideBytes) && strideBytes > 0)) throw new OptionError('strideBytes', `expected a positive integer, got ${strideBytes}`);
      return { ...resolvePattern(o), ...resolveStart(o), strideBytes };
    },
    (r) => linear(r.startAddress, r.strideBytes, r.footprintBytes),
  ),
  pattern(
    'hotspot',
    'Zipf-popular 8 KiB regions, scattered over the footprint, a random line inside',
    ['zipfExponent'],
    (o) => {
      const zipfExponent = o.zipfExponent ?? DEFAULT_ZIPF;
      if (!(Number.isFinite(zipfExponent) && zipfExponent > 0)) throw new OptionError('zipfExponent', `expected a number > 0, got ${zipfExponent}`);
      return { ...resolvePattern(o, HOTSPOT_REGION_BYTES), zipfExponent };
    },
    hotspotAddresses,
  ),
  cloud('cloud-1', 'sequential'),
  cloud('cloud-2', 'random'),
];
