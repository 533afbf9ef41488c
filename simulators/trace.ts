/**
 * The simulator's input: timed memory requests. A `Trace` holds them in memory as typed arrays; a
 * `TraceSource` yields them in chunks so a trace of any length streams through in bounded memory.
 */

/** A block of consecutive requests, in issue order. */
export interface TraceChunk {
  readonly length: number;
  /** Issue time of each request, in trace-player clock cycles (non-decreasing). */
  readonly cycle: Float64Array;
  /** Byte address of each request (an integer below 2^53). */
  readonly address: Float64Array;
  /** 1 for a write, 0 for a read. */
  readonly isWrite: Uint8Array;
}

/** A whole trace held in memory. */
export interface Trace extends TraceChunk {
  readonly name: string;
}

/** A trace read piece by piece; `chunks()` may be called once per simulation. */
export interface TraceSource {
  readonly name: string;
  chunks(): Iterable<TraceChunk>;
}

export function isTraceSource(t: Trace | TraceSource): t is TraceSource {
  return typeof (t as TraceSource).chunks === 'function';
}

export function chunksOf(t: Trace | TraceSource): Iterable<TraceChunk> {
  return isTraceSource(t) ? t.chunks() : [t];
}

/** Builds an in-memory trace from plain arrays (for tests and small programs). */
export function makeTrace(
  name: string,
  requests: ReadonlyArray<{ cycle: number; address: number; write?: boolean }>,
): Trace {
  const n = requests.length;
  const cycle = new Float64Array(n);
  const address = new Float64Array(n);
  const isWrite = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = requests[i];
    cycle[i] = r.cycle;
    address[i] = r.address;
    isWrite[i] = r.write ? 1 : 0;
  }
  return { name, length: n, cycle, address, isWrite };
}

/** A growable request list that ends as a `Trace` (used by readers and generators). */
export class TraceBuilder {
  private n = 0;
  private cycle = new Float64Array(1024);
  private address = new Float64Array(1024);
  private isWrite = new Uint8Array(1024);

  get length(): number {
    return this.n;
  }

  push(cycle: number, address: number, write: boolean): void {
    if (this.n === this.cycle.length) this.grow();
    this.cycle[this.n] = cycle;
    this.address[this.n] = address;
    this.isWrite[this.n] = write ? 1 : 0;
    this.n++;
  }

  build(name: string): Trace {
    return {
      name,
      length: this.n,
      cycle: this.cycle.slice(0, this.n),
      address: this.address.slice(0, this.n),
      isWrite: this.isWrite.slice(0, this.n),
    };
  }

  private grow(): void {
    const size = this.cycle.length * 2;
    const cycle = new Float64Array(size);
    cycle.set(this.cycle);
    const address = new Float64Array(size);
    address.set(this.address);
    const isWrite = new Uint8Array(size);
    isWrite.set(this.isWrite);
    this.cycle = cycle;
    this.address = address;
    this.isWrite = isWrite;
  }
}
