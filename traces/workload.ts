/**
 * What every workload generator is: a kind with its own options, resolved and checked, that yields
 * timed requests without end. The registry (`generators.ts`) lists them; `synthetic.ts` holds the
 * address-pattern generators, `kernels/` the program kernels seen through a last-level cache, and
 * `mix.ts` the multi-core mixes.
 */
import { byteSize, finiteNumber } from '../common/parse.js';
import { type Rng, seededRng } from '../common/random.js';
import { type Arrival, type ArrivalOptions, arrivalClock } from './arrival.js';

export const LINE_BYTES = 64;

/** One entry of a mix: a generator kind, its weight (share of the mix's requests) and its own options. */
export interface MixEntry {
  readonly kind: string;
  readonly weight?: number;
  readonly options?: Readonly<Omit<WorkloadOptions, 'requests'>>;
}

/** Options of any generator, as `generateTrace` takes them; each kind takes the ones it lists. */
export interface WorkloadOptions extends ArrivalOptions {
  /** Number of requests. */
  requests: number;
  /** 0 .. 2^32 − 1 (default 1). */
  seed?: number;
  /** Share of reads, 0..1 (default 1: reads only). Address-pattern kinds only: a kernel's mix is its own. */
  readShare?: number;
  /** Bytes addressed; a multiple of 64. */
  footprintBytes?: number;
  /** First address of sequential streams (stream, strided, cloud), wrapped into the footprint. */
  startAddress?: number;
  /** strided: bytes between consecutive requests. */
  strideBytes?: number;
  /** hotspot: Zipf exponent over the 8 KiB regions. */
  zipfExponent?: number;
  /** STREAM: elements per array. */
  elements?: number;
  /** Bytes per element (per node for pointer-chase). */
  elementBytes?: number;
  /** Threads sharing the loop, each on its own contiguous part, their accesses interleaved. */
  threads?: number;
  /** Matrix or grid rows and columns. */
  rows?: number;
  cols?: number;
  /** spmv: nonzeros per row. */
  nnzPerRow?: number;
  /** spmv: columns within ± band of the diagonal (0: anywhere). */
  band?: number;
  /** pointer-chase: independent chases, interleaved. */
  chains?: number;
  /** pointer-chase: cycles between a load and the load that depends on it. */
  latencyCycles?: number;
  /** The last-level cache a kernel's accesses go through. */
  llcBytes?: number;
  llcWays?: number;
  /** mix: the generators it interleaves. */
  kernels?: readonly MixEntry[];
}

export type OptionKey = keyof WorkloadOptions;

/** A request before timing: address, direction, and the dependence chain it belongs to (−1: none). */
export interface Request {
  address: number;
  write: boolean;
  chain: number;
}

/** A request with its issue cycle. */
export interface TimedRequest {
  cycle: number;
  address: number;
  write: boolean;
}

/** Fills `out` with the next request. */
export type RequestProcess = (out: Request) => void;
export type TimedProcess = (out: TimedRequest) => void;

/** Requests of one chain wait this long after the chain's previous request (a load that needs the last one's data). */
export interface Dependence {
  readonly chains: number;
  readonly latencyCycles: number;
}

export interface WorkloadGenerator<R extends object = object> {
  readonly kind: string;
  /** What its addresses are, in one line. */
  readonly summary: string;
  /** The options it takes besides requests, seed and arrival. */
  readonly options: readonly OptionKey[];
  /** The option named when the footprint is too large for the memory. */
  readonly sizeOption: OptionKey;
  /** Checks its options and fills in their defaults (throws an OptionError naming the option). */
  resolve(o: WorkloadOptions): R;
  /** Every address falls below this. */
  footprintBytes(r: R): number;
  /** What the footprint is made of, for messages (a mix's entries). */
  footprintParts?(r: R): string;
  /** Its requests, in time order, without end. */
  timed(r: R, seed: number, arrival: Arrival): TimedProcess;
}

/**
 * Times a request process by an arrival process: addresses and directions draw from the seed's
 * random stream, arrival gaps from the same seed jumped 2^64 steps ahead. With a dependence, a
 * request of a chain is issued no earlier than `latencyCycles` after the chain's previous one.
 */
export function timedRequests(seed: number, arrival: Arrival, make: (rng: Rng) => RequestProcess, dependence?: Dependence): TimedProcess {
  const rng = seededRng(seed);
  const timing = rng.clone();
  timing.jump();
  const nextCycle = arrivalClock(arrival, timing);
  const next = make(rng);
  const request: Request = { address: 0, write: false, chain: -1 };
  const chainLast = new Float64Array(dependence?.chains ?? 0).fill(-Infinity);
  const latency = dependence?.latencyCycles ?? 0;
  let last = 0;
  return (out) => {
    next(request);
    let cycle = Math.max(nextCycle(), last);
    if (request.chain >= 0) {
      cycle = Math.max(cycle, chainLast[request.chain] + latency);
      chainLast[request.chain] = cycle;
    }
    last = cycle;
    out.cycle = cycle;
    out.address = request.address;
    out.write = request.write;
  };
}

/** How an option is written: its name (`--NAME` on the command line, `NAME=` in a mix), its value, its help. */
export interface OptionSpec {
  readonly key: OptionKey;
  readonly name: string;
  /** number: anything `Number` reads; bytes: a number with an optional binary unit (64MiB); text: as given. */
  readonly value: 'number' | 'bytes' | 'text';
  readonly placeholder: string;
  readonly help: string;
}

/** Every option a generator may take besides `requests`, by the name users write. */
export const WORKLOAD_OPTIONS: readonly OptionSpec[] = [
  { key: 'seed', name: 'seed', value: 'number', placeholder: 's', help: 'random seed, 0..4294967295 (default: 1)' },
  { key: 'readShare', name: 'read-share', value: 'number', placeholder: 'x', help: 'share of reads, 0..1 (default: 1)' },
  { key: 'rate', name: 'rate', value: 'number', placeholder: 'r', help: 'requests per trace cycle: request i at cycle floor(i / r) (default: 1)' },
  { key: 'gapDistribution', name: 'gap-dist', value: 'text', placeholder: 'dist', help: 'gaps between requests: constant | uniform | exponential (with --gap-mean)' },
  { key: 'gapMeanCycles', name: 'gap-mean', value: 'number', placeholder: 'cycles', help: 'mean gap between requests, in trace cycles' },
  { key: 'footprintBytes', name: 'footprint', value: 'bytes', placeholder: 'bytes', help: 'bytes addressed, e.g. 1GiB, 64MiB (default: 1GiB; gups, pointer-chase: 256MiB)' },
  { key: 'strideBytes', name: 'stride', value: 'bytes', placeholder: 'bytes', help: 'strided: bytes between requests (default: 4096)' },
  { key: 'zipfExponent', name: 'zipf', value: 'number', placeholder: 's', help: 'hotspot: Zipf exponent over 8 KiB regions (default: 1)' },
  { key: 'elements', name: 'elements', value: 'number', placeholder: 'n', help: 'stream-copy, stream-triad: elements per array (default: 10000000)' },
  { key: 'elementBytes', name: 'element-bytes', value: 'bytes', placeholder: 'bytes', help: 'kernels: bytes per element, a power of two (default: 8; pointer-chase: 64 per node)' },
  { key: 'threads', name: 'threads', value: 'number', placeholder: 'n', help: 'stream-*, spmv, stencil, transpose: threads, each on a contiguous part (default: 1)' },
  { key: 'rows', name: 'rows', value: 'number', placeholder: 'n', help: 'spmv: matrix rows (default: 1048576); stencil, transpose: grid rows (default: 4096)' },
  { key: 'cols', name: 'cols', value: 'number', placeholder: 'n', help: 'spmv: matrix columns (default: rows); stencil, transpose: grid columns (default: 4096)' },
  { key: 'nnzPerRow', name: 'nnz-per-row', value: 'number', placeholder: 'k', help: 'spmv: nonzeros per row (default: 16)' },
  { key: 'band', name: 'band', value: 'number', placeholder: 'cols', help: 'spmv: columns within ± band of the diagonal, 0 for anywhere (default: 0)' },
  { key: 'chains', name: 'chains', value: 'number', placeholder: 'n', help: 'pointer-chase: independent chases, interleaved (default: 1)' },
  { key: 'latencyCycles', name: 'latency', value: 'number', placeholder: 'cycles', help: 'pointer-chase: cycles between a load and the load that depends on it (default: 80)' },
  { key: 'llcBytes', name: 'llc-size', value: 'bytes', placeholder: 'bytes', help: 'kernels: last-level cache size (default: 2MiB)' },
  { key: 'llcWays', name: 'llc-ways', value: 'number', placeholder: 'n', help: 'kernels: last-level cache ways (default: 16)' },
  { key: 'kernels', name: 'kernels', value: 'text', placeholder: 'spec', help: 'mix: KIND[:WEIGHT][:OPTION=VALUE...],... e.g. stream-triad:2,gups:1:footprint=128MiB' },
];

/** An option's value as written in a mix entry or a `gen:` spec (`64MiB`, `1e6`); `what` names it in errors. */
export function readOptionValue(spec: OptionSpec, raw: string, what: string): unknown {
  return spec.value === 'bytes' ? byteSize(raw, what) : spec.value === 'number' ? finiteNumber(raw, what) : raw;
}

/** The name users write for an option key (`footprintBytes` → `footprint`). */
export function optionName(key: string): string {
  return WORKLOAD_OPTIONS.find((o) => o.key === key)?.name ?? key;
}
