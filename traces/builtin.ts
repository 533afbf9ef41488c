/**
 * Built-in traces, addressable as `builtin:NAME` wherever a trace is accepted. They are generated
 * deterministically, so they need not be stored.
 */
import { InputError } from '../simulators/errors.js';
import type { Trace, TraceSource } from '../simulators/trace.js';
import { randomTrace, streamTrace } from './generators.js';
import { StlFileSource } from './stl.js';

export interface BuiltinTrace {
  readonly description: string;
  make(): Trace;
}

export const BUILTIN_TRACES: Readonly<Record<string, BuiltinTrace>> = {
  stream: {
    description: '10,000 sequential 64-byte reads, one per 800 MHz cycle',
    make: () => streamTrace({ requests: 10_000 }, 'builtin:stream'),
  },
  random: {
    description: '10,000 reads at uniformly random 64-byte lines of 1 GiB, one per cycle',
    make: () => randomTrace({ requests: 10_000, seed: 1 }, 'builtin:random'),
  },
};

/** A trace named `builtin:NAME`, or a `.stl` file path (streamed). */
export function openTrace(spec: string): Trace | TraceSource {
  if (spec.startsWith('builtin:')) {
    const name = spec.slice('builtin:'.length);
    const b = BUILTIN_TRACES[name];
    if (!b) throw new InputError(`trace ${spec}: unknown built-in trace (known: ${Object.keys(BUILTIN_TRACES).map((n) => `builtin:${n}`).join(', ')})`);
    return b.make();
  }
  return new StlFileSource(spec);
}
