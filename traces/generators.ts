/**
 * Seeded workload generators, one registry of kinds. The same kind, options and seed give the same
 * trace on any machine. A generator yields its requests without end; a trace of n requests is its
 * first n, produced chunk by chunk, so a trace of any length is generated and written in bounded
 * memory.
 *
 * Kinds: the address patterns of `synthetic.ts` (what reaches the memory directly), the program
 * kernels of `kernels/` (what a last-level cache passes on), and `mix` (several of them side by side).
 */
import type { Trace, TraceChunk, TraceSource } from '../simulators/trace.js';
import { TraceBuilder } from '../simulators/trace.js';
import { type Arrival, MAX_CYCLE, maxRequests, resolveArrival } from './arrival.js';
import { gups } from './kernels/gups.js';
import { pointerChase } from './kernels/pointer-chase.js';
import { spmv } from './kernels/spmv.js';
import { stencil } from './kernels/stencil.js';
import { streamCopy, streamTriad } from './kernels/stream.js';
import { transpose } from './kernels/transpose.js';
import { mixOf } from './mix.js';
import { OptionError, formatBytes } from './options.js';
import { SYNTHETIC_GENERATORS } from './synthetic.js';
import { type TimedRequest, WORKLOAD_OPTIONS, type WorkloadGenerator, type WorkloadOptions, readOptionValue } from './workload.js';
import { InputError } from '../common/errors.js';

export { GAP_DISTRIBUTIONS, type Arrival, type GapDistribution } from './arrival.js';
export { OptionError } from './options.js';
export { CLOUD_MAX_UNITS, CLOUD_RUN_UNIT, HOTSPOT_REGION_BYTES, zipfSampler } from './synthetic.js';
export { LINE_BYTES, WORKLOAD_OPTIONS, type WorkloadGenerator, type MixEntry, type OptionSpec, type WorkloadOptions } from './workload.js';
export { parseMix } from './mix.js';

const SINGLE: readonly WorkloadGenerator[] = [...SYNTHETIC_GENERATORS, streamCopy, streamTriad, gups, spmv, stencil, transpose, pointerChase];

/** Every generator, by kind. */
export const GENERATORS: readonly WorkloadGenerator[] = [...SINGLE, mixOf(SINGLE)];

export const GENERATOR_KINDS: readonly string[] = GENERATORS.map((g) => g.kind);
export type GeneratorKind = string;

/** The options every kind takes. */
const COMMON: ReadonlySet<string> = new Set(['requests', 'seed', 'rate', 'gapDistribution', 'gapMeanCycles', 'gap']);

/** Options with every default filled in: what a trace file's header records. */
export interface ResolvedOptions {
  readonly requests: number;
  readonly seed: number;
  readonly arrival: Arrival;
  readonly [own: string]: unknown;
}

export function generatorOf(kind: string): WorkloadGenerator {
  const g = GENERATORS.find((k) => k.kind === kind);
  if (!g) throw new OptionError('kind', `expected one of ${GENERATOR_KINDS.join(', ')}, got ${kind}`);
  return g;
}

/** Validates `options` for `kind` and fills in the defaults. Throws an OptionError naming the option. */
export function resolveOptions(kind: string, options: WorkloadOptions): ResolvedOptions {
  const g = generatorOf(kind);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || COMMON.has(key) || (g.options as readonly string[]).includes(key)) continue;
    const takers = GENERATORS.filter((k) => (k.options as readonly string[]).includes(key)).map((k) => k.kind);
    throw new OptionError(key, takers.length > 0 ? `does not apply to ${kind} traces (only ${takers.join(', ')})` : 'unknown option');
  }
  const requests = options.requests;
  if (!(Number.isInteger(requests) && requests >= 0)) throw new OptionError('requests', `expected a non-negative integer, got ${requests}`);
  const seed = options.seed ?? 1;
  if (!(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new OptionError('seed', `expected an integer 0..4294967295, got ${seed}`);
  const own = g.resolve(options);
  const arrival = resolveArrival(options);
  const most = maxRequests(arrival);
  if (requests > most) {
    throw new OptionError('requests', `at most ${most.toLocaleString('en-US')} at this arrival rate, got ${requests.toLocaleString('en-US')}: later requests would be issued beyond cycle 2^53, the last a cycle counter holds exactly`);
  }
  return { requests, seed, arrival, ...own };
}

/**
 * Refuses a trace whose addresses do not all fit in a memory of `capacityBytes` (`memory` names it),
 * naming the option that sets the footprint and both sizes.
 */
export function checkFitsMemory(kind: string, resolved: ResolvedOptions, capacityBytes: number, memory: string): void {
  const g = generatorOf(kind);
  const footprint = g.footprintBytes(resolved);
  if (footprint <= capacityBytes) return;
  const parts = g.footprintParts ? ` (${g.footprintParts(resolved)})` : '';
  throw new OptionError(g.sizeOption, `the footprint, ${formatBytes(footprint)}${parts}, is larger than the memory of ${memory} (${formatBytes(capacityBytes)})`);
}

/** Requests per chunk a generated source yields. */
const CHUNK_REQUESTS = 1 << 16;

/** A generated trace as a source: its requests are made chunk by chunk, each time it is read. */
export interface GeneratedSource extends TraceSource {
  readonly kind: string;
  readonly options: ResolvedOptions;
  /** Number of requests. */
  readonly length: number;
}

/** The trace of `kind`, streamed (name defaults to the kind). Throws an OptionError for a bad option. */
export function generateSource(kind: string, options: WorkloadOptions, name: string = kind): GeneratedSource {
  const g = generatorOf(kind);
  const r = resolveOptions(kind, options);
  return {
    name,
    kind,
    options: r,
    length: r.requests,
    *chunks(): Generator<TraceChunk> {
      const next = g.timed(r, r.seed, r.arrival);
      const cycle = new Float64Array(Math.min(CHUNK_REQUESTS, r.requests));
      const address = new Float64Array(cycle.length);
      const isWrite = new Uint8Array(cycle.length);
      const request: TimedRequest = { cycle: 0, address: 0, write: false };
      let n = 0;
      for (let i = 0; i < r.requests; i++) {
        next(request);
        if (request.cycle > MAX_CYCLE) {
          throw new OptionError('requests', `request ${(i + 1).toLocaleString('en-US')} would be issued at cycle ${request.cycle}, beyond 2^53: ask for fewer`);
        }
        cycle[n] = request.cycle;
        address[n] = request.address;
        isWrite[n] = request.write ? 1 : 0;
        if (++n === cycle.length) {
          yield { length: n, cycle, address, isWrite };
          n = 0;
        }
      }
      if (n > 0) yield { length: n, cycle, address, isWrite };
    },
  };
}

/** The trace of `kind`, in memory (name defaults to the kind). Throws an OptionError for a bad option. */
export function generateTrace(kind: string, options: WorkloadOptions, name: string = kind): Trace {
  const b = new TraceBuilder();
  for (const c of generateSource(kind, options, name).chunks()) {
    for (let i = 0; i < c.length; i++) b.push(c.cycle[i], c.address[i], c.isWrite[i] === 1);
  }
  return b.build(name);
}

/** A generated trace named by its spec wherever a trace is accepted: `gen:KIND:requests=N[:OPTION=VALUE...]`. */
export const GENERATED_PREFIX = 'gen:';

/**
 * Reads `gen:KIND:requests=N[:OPTION=VALUE...]`: the kind and its options, each by its flag's name
 * (`gen:gups:requests=2000:footprint=64MiB`). A mix, whose entries need commas and colons of their
 * own, is generated to a file instead. Errors name the spec and the option.
 */
export function parseGeneratedSpec(spec: string): { kind: string; options: WorkloadOptions } {
  const what = `trace ${spec}`;
  const [kind, ...parts] = spec.slice(GENERATED_PREFIX.length).split(':');
  const single = SINGLE.map((g) => g.kind);
  if (!single.includes(kind)) throw new InputError(`${what}: unknown kind "${kind}" (known: ${single.join(', ')}; a mix is generated to a file with marl-dse traces generate mix)`);
  const options: Partial<WorkloadOptions> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = part.slice(0, Math.max(0, eq)).trim();
    const option = WORKLOAD_OPTIONS.find((o) => o.name === name);
    if (name === 'requests') options.requests = Number(part.slice(eq + 1));
    else if (option) Object.assign(options, { [option.key]: readOptionValue(option, part.slice(eq + 1), `${what}: ${name}`) });
    else throw new InputError(`${what}: "${part}": expected OPTION=VALUE with an option of ${kind} or requests`);
  }
  if (options.requests === undefined) throw new InputError(`${what}: requests=N is required`);
  return { kind, options: options as WorkloadOptions };
}

type PatternOptions = Pick<WorkloadOptions, 'requests' | 'seed' | 'readShare' | 'rate' | 'gapDistribution' | 'gapMeanCycles' | 'gap' | 'footprintBytes'>;
/** Options of the address-pattern kinds. */
export type GeneratorOptions = PatternOptions & Pick<WorkloadOptions, 'startAddress'>;
export type StridedOptions = GeneratorOptions & Pick<WorkloadOptions, 'strideBytes'>;
export type HotspotOptions = PatternOptions & Pick<WorkloadOptions, 'zipfExponent'>;
export interface CloudOptions extends GeneratorOptions {
  /** Kind of the first run (default sequential). */
  firstRun?: 'sequential' | 'random';
}

/** `stream`: consecutive 64-byte lines from `startAddress`, wrapping at the footprint. */
export function streamTrace(options: GeneratorOptions, name = 'stream'): Trace {
  return generateTrace('stream', options, name);
}

/** `random`: uniformly random 64-byte-aligned addresses over the footprint. */
export function randomTrace(options: PatternOptions, name = 'random'): Trace {
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
