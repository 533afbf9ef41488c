/**
 * Program kernels as a last-level cache emits them. A kernel is its loop nest, written as a
 * generator of the cache lines it touches in program order (`read(line)`, `write(line)`), repeating
 * without end as a benchmark repeats its timed loop. The lines go through the LLC model
 * (`../llc.ts`), and what reaches DRAM becomes the trace: a read for every miss (stores included:
 * write-allocate), then a write for the dirty line the miss evicted, if any. Requests are timed by
 * the arrival process, so a kernel says where and in what order, the arrival options say when.
 */
import type { Rng } from '../../common/random.js';
import { type Arrival } from '../arrival.js';
import { InputError } from '../../common/errors.js';
import { DEFAULT_LLC, LLC_HIT, Llc, checkLlcConfig } from '../llc.js';
import { OptionError, formatBytes, integerOption, isPowerOfTwo } from '../options.js';
import { type Dependence, type WorkloadGenerator, LINE_BYTES, type OptionKey, type TimedProcess, type WorkloadOptions, timedRequests } from '../workload.js';

/** A touched line, encoded as one number: 2·line for a read, 2·line + 1 for a write. */
export type Access = number;
export const read = (line: number): Access => line * 2;
export const write = (line: number): Access => line * 2 + 1;

/** The last-level cache every kernel's accesses go through. */
export interface LlcOptions {
  readonly llcBytes: number;
  readonly llcWays: number;
}

export interface KernelSpec<R extends object> {
  readonly kind: string;
  readonly summary: string;
  /** Its own options (the LLC options are added). */
  readonly options: readonly OptionKey[];
  readonly sizeOption: OptionKey;
  resolve(o: WorkloadOptions): R;
  footprintBytes(r: R): number;
  /** The loop nest: the lines it touches, in program order, without end. */
  accesses(r: R, rng: Rng): Iterator<Access>;
  /** Accesses that depend on earlier ones: access k belongs to chain k mod chains. */
  dependence?(r: R): Dependence;
}

/** Accesses in a row that reach no DRAM before a kernel is declared to fit in the cache. */
const MAX_HITS_IN_A_ROW = 2 ** 26;

function resolveLlc(o: WorkloadOptions): LlcOptions {
  const c = checkLlcConfig({ sizeBytes: o.llcBytes ?? DEFAULT_LLC.sizeBytes, ways: o.llcWays ?? DEFAULT_LLC.ways, lineBytes: LINE_BYTES });
  return { llcBytes: c.sizeBytes, llcWays: c.ways };
}

/** The DRAM requests of a kernel's accesses through its last-level cache. */
function throughLlc<R extends object>(spec: KernelSpec<R>, r: R & LlcOptions, seed: number, arrival: Arrival): TimedProcess {
  const dependence = spec.dependence?.(r);
  const chains = dependence?.chains ?? 1;
  return timedRequests(
    seed,
    arrival,
    (rng) => {
      const llc = new Llc({ sizeBytes: r.llcBytes, ways: r.llcWays, lineBytes: LINE_BYTES });
      const accesses = spec.accesses(r, rng);
      let writeBack = -1;
      let index = 0;
      return (out) => {
        if (writeBack >= 0) {
          out.address = writeBack * LINE_BYTES;
          out.write = true;
          out.chain = -1;
          writeBack = -1;
          return;
        }
        for (let hits = 0; ; hits++) {
          if (hits === MAX_HITS_IN_A_ROW) {
            throw new InputError(`${spec.kind}: no DRAM request in ${hits.toLocaleString('en-US')} accesses: its data fits in the ${formatBytes(r.llcBytes)} last-level cache`);
          }
          const access = accesses.next().value as Access;
          const chain = index++ % chains;
          const line = Math.floor(access / 2);
          const result = llc.access(line, access % 2 === 1);
          if (result === LLC_HIT) continue;
          if (result >= 0) writeBack = result;
          out.address = line * LINE_BYTES;
          out.write = false;
          out.chain = dependence ? chain : -1;
          return;
        }
      };
    },
    dependence,
  );
}

/** A kernel as a generator: its options plus the LLC's, and its accesses filtered by the LLC. */
export function kernel<R extends object>(spec: KernelSpec<R>): WorkloadGenerator<R & LlcOptions> {
  return {
    kind: spec.kind,
    summary: spec.summary,
    options: [...spec.options, 'llcBytes', 'llcWays'],
    sizeOption: spec.sizeOption,
    resolve(o) {
      const r = { ...spec.resolve(o), ...resolveLlc(o) };
      const footprint = spec.footprintBytes(r);
      if (footprint <= r.llcBytes) {
        throw new OptionError(spec.sizeOption, `the footprint, ${formatBytes(footprint)}, fits in the ${formatBytes(r.llcBytes)} last-level cache: after the first pass nothing would reach DRAM (make it larger or the cache smaller)`);
      }
      return r;
    },
    footprintBytes: (r) => spec.footprintBytes(r),
    timed: (r, seed, arrival) => throughLlc(spec, r, seed, arrival),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers the kernels share

/** Element sizes: a power of two, so an element never straddles a line. */
export function elementBytes(o: WorkloadOptions, fallback: number): number {
  const e = o.elementBytes ?? fallback;
  if (!isPowerOfTwo(e) || e > 4096) throw new OptionError('elementBytes', `expected a power of two from 1 to 4096, got ${e}`);
  return e;
}

/** Threads splitting `parts` things (rows, lines) among them: at least one each. */
export function threads(o: WorkloadOptions, parts: number, what: string): number {
  const t = integerOption(o.threads, 1, 'threads', 1, 1024);
  if (t > parts) throw new OptionError('threads', `${t} threads for ${parts.toLocaleString('en-US')} ${what}s: at most one thread per ${what}`);
  return t;
}

/** Page size arrays are aligned to, as an allocator hands out large arrays. */
const PAGE_BYTES = 4096;

/** Arrays of these sizes placed one after another, each starting on a page: their first lines, and the end. */
export function layout(sizesBytes: readonly number[]): { baseLines: number[]; footprintBytes: number } {
  const baseLines: number[] = [];
  let at = 0;
  for (const size of sizesBytes) {
    baseLines.push(at / LINE_BYTES);
    at += Math.ceil(size / PAGE_BYTES) * PAGE_BYTES;
  }
  return { baseLines, footprintBytes: at };
}

/** Thread t's share [start, end) of 0..n−1, in contiguous parts as an OpenMP static schedule gives. */
export function part(n: number, parts: number, t: number): [number, number] {
  return [Math.floor((t * n) / parts), Math.floor(((t + 1) * n) / parts)];
}

/** The accesses of several threads, one from each in turn. */
export function roundRobin(threads: ReadonlyArray<Iterator<Access>>): Iterator<Access> {
  if (threads.length === 1) return threads[0];
  let t = 0;
  return {
    next() {
      const result = threads[t].next();
      t = t + 1 === threads.length ? 0 : t + 1;
      return result;
    },
  };
}

/**
 * One array walked element by element: `line(i)` is the line of element i, or −1 when that is
 * the line this walk touched last (the loop's next access to it hits the same line, merged).
 */
export class ArrayWalk {
  private last = -1;
  constructor(
    private readonly baseLine: number,
    private readonly elementBytes: number,
  ) {}

  line(i: number): number {
    const l = this.baseLine + Math.floor((i * this.elementBytes) / LINE_BYTES);
    if (l === this.last) return -1;
    this.last = l;
    return l;
  }
}
