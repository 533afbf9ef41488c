/**
 * Seeded workload generators. The same kind, options and seed give the same trace on any machine.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { InputError } from '../simulators/errors.js';
import { type Trace, TraceBuilder } from '../simulators/trace.js';

export interface GeneratorOptions {
  /** Number of requests. */
  requests: number;
  seed?: number;
  /** Share of reads, 0..1 (default 1: reads only). */
  readShare?: number;
  /** Trace-clock cycles between consecutive requests (default 1: one request per cycle). */
  gap?: number;
  /** Bytes addressed by random accesses (default 1 GiB, the reference DIMM). */
  footprintBytes?: number;
  /** First address of sequential streams. */
  startAddress?: number;
}

export const LINE_BYTES = 64;

type Rng = ReturnType<typeof xoroshiro128plus>;

function checkOptions(o: GeneratorOptions): Required<GeneratorOptions> {
  const full = { seed: 1, readShare: 1, gap: 1, footprintBytes: 2 ** 30, startAddress: 0, ...o };
  if (!Number.isSafeInteger(full.requests) || full.requests < 0) throw new InputError(`requests: expected a non-negative integer, got ${o.requests}`);
  if (!(full.readShare >= 0 && full.readShare <= 1)) throw new InputError(`read share: expected a number in [0, 1], got ${full.readShare}`);
  if (!Number.isSafeInteger(full.gap) || full.gap < 0) throw new InputError(`gap: expected a non-negative integer, got ${full.gap}`);
  if (!Number.isSafeInteger(full.footprintBytes) || full.footprintBytes < LINE_BYTES) {
    throw new InputError(`footprint: expected at least ${LINE_BYTES} bytes, got ${full.footprintBytes}`);
  }
  if (!Number.isSafeInteger(full.seed)) throw new InputError(`seed: expected an integer, got ${full.seed}`);
  return full;
}

/** Draws read (false) or write (true) with the given read share, from 2^24 steps. */
function drawWrite(rng: Rng, readShare: number): boolean {
  if (readShare >= 1) return false;
  if (readShare <= 0) return true;
  return uniformInt(rng, 0, (1 << 24) - 1) >= Math.round(readShare * (1 << 24));
}

/** A random 64-byte-aligned address below `footprint`. */
function randomLine(rng: Rng, footprint: number): number {
  const lines = Math.floor(footprint / LINE_BYTES);
  // uniformInt handles ranges beyond 2^32 exactly.
  return uniformInt(rng, 0, lines - 1) * LINE_BYTES;
}

/** `stream`: consecutive 64-byte lines from `startAddress`, wrapping at the footprint. */
export function streamTrace(options: GeneratorOptions, name = 'stream'): Trace {
  const o = checkOptions(options);
  const rng = xoroshiro128plus(o.seed);
  const b = new TraceBuilder();
  let address = o.startAddress % o.footprintBytes;
  for (let i = 0; i < o.requests; i++) {
    b.push(i * o.gap, address, drawWrite(rng, o.readShare));
    address = (address + LINE_BYTES) % o.footprintBytes;
  }
  return b.build(name);
}

/** `random`: uniformly random 64-byte-aligned addresses over the footprint. */
export function randomTrace(options: GeneratorOptions, name = 'random'): Trace {
  const o = checkOptions(options);
  const rng = xoroshiro128plus(o.seed);
  const b = new TraceBuilder();
  for (let i = 0; i < o.requests; i++) {
    const write = drawWrite(rng, o.readShare);
    b.push(i * o.gap, randomLine(rng, o.footprintBytes), write);
  }
  return b.build(name);
}
