/**
 * Built-in traces, addressable as `builtin:NAME` wherever a trace is accepted. They are generated
 * deterministically (fixed seeds), so they need not be stored. The four are the workloads of the
 * reference setup: 10,000 reads issued one per 800 MHz trace-player cycle, which saturates the
 * memory, so what a configuration changes shows up in the totals.
 */
import { InputError } from '../common/errors.js';
import type { Trace, TraceSource } from '../simulators/trace.js';
import { openTraceFile, parseTraceFileSpec } from './formats.js';
import { GENERATED_PREFIX, type GeneratorKind, OptionError, type WorkloadOptions, generateTrace, parseGeneratedSpec } from './generators.js';
import { optionName } from './workload.js';

export interface BuiltinTrace {
  readonly description: string;
  /** The generator and options that make it. */
  readonly kind: GeneratorKind;
  readonly options: Readonly<WorkloadOptions>;
  make(): Trace;
}

function builtin(name: string, kind: GeneratorKind, options: WorkloadOptions, description: string): BuiltinTrace {
  return { description, kind, options, make: () => generateTrace(kind, options, `builtin:${name}`) };
}

const REQUESTS = 10_000;

export const BUILTIN_TRACES: Readonly<Record<string, BuiltinTrace>> = {
  stream: builtin('stream', 'stream', { requests: REQUESTS }, '10,000 sequential 64-byte reads, one per 800 MHz cycle'),
  random: builtin('random', 'random', { requests: REQUESTS, seed: 1 }, '10,000 reads at uniformly random 64-byte lines of 1 GiB, one per cycle'),
  'cloud-1': builtin(
    'cloud-1',
    'cloud-1',
    { requests: REQUESTS, seed: 1 },
    '10,000 reads, one per cycle, in alternating sequential and random runs of 50-200, starting sequential',
  ),
  'cloud-2': builtin(
    'cloud-2',
    'cloud-2',
    { requests: REQUESTS, seed: 2 },
    '10,000 reads, one per cycle, in alternating random and sequential runs of 50-200, starting random',
  ),
};

/**
 * A trace by spec: `builtin:NAME`; `gen:KIND:requests=N[:OPTION=VALUE...]` (generated, see
 * `parseGeneratedSpec`); `stl:PATH`, `ramulator:PATH` or `dramsim3:PATH`; or a plain path, whose
 * format is detected from its first request line. Files are streamed.
 */
export function openTrace(spec: string): Trace | TraceSource {
  if (spec.trim() === '') throw new InputError('trace: empty name (give a file or builtin:NAME)');
  if (spec.startsWith('builtin:')) {
    const name = spec.slice('builtin:'.length);
    const b = Object.hasOwn(BUILTIN_TRACES, name) ? BUILTIN_TRACES[name] : undefined;
    if (!b) throw new InputError(`trace ${spec}: unknown built-in trace (known: ${Object.keys(BUILTIN_TRACES).map((n) => `builtin:${n}`).join(', ')})`);
    return b.make();
  }
  if (spec.startsWith(GENERATED_PREFIX)) {
    const { kind, options } = parseGeneratedSpec(spec);
    try {
      return generateTrace(kind, options, spec);
    } catch (e) {
      if (e instanceof OptionError) throw new InputError(`trace ${spec}: ${optionName(e.option)}: ${e.problem}`);
      throw e;
    }
  }
  const { format, path } = parseTraceFileSpec(spec);
  return openTraceFile(path, format);
}
