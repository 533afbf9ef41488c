/**
 * A workload: the fixed part of every evaluation in a search (trace, memory, address mapping,
 * trace clock). Described by strings so worker threads can rebuild it.
 */
import { createHash } from 'node:crypto';
import type { AddressMapping } from '../../simulators/dram/address-mapping.js';
import { addressMappingToJson } from '../../simulators/dram/address-mapping.js';
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { loadAddressMapping, loadMemSpec, MEMSPEC_PRESETS } from '../../simulators/dram/presets.js';
import { InputError } from '../../common/errors.js';
import { isTraceSource, type Trace } from '../../simulators/trace.js';
import { openTrace } from '../../traces/builtin.js';
import { traceHash } from '../../traces/hash.js';
import { readStl } from '../../traces/stl.js';
import { TraceBuilder, chunksOf } from '../../simulators/trace.js';
import { isInputError } from '../../common/errors.js';
import type { Suite } from '../../traces/suites.js';

export interface WorkloadSpec {
  /** `builtin:NAME` or a trace file. */
  trace: string;
  /** Memspec preset or file (default ddr3-1600). */
  memspec?: string;
  /** Address-mapping preset or file (default: the memspec preset's). */
  addressmapping?: string;
  /** Trace-player clock in MHz (default: the preset's, 800). */
  clkMhz?: number;
}

export interface Workload {
  readonly spec: Required<WorkloadSpec>;
  readonly trace: Trace;
  readonly traceHash: string;
  readonly memspec: MemSpec;
  readonly mapping: AddressMapping;
  readonly clkMhz: number;
  /** Identifies trace, memory, mapping and clock: the memo key of an evaluation is this plus the config. */
  readonly key: string;
}

function resolve(spec: WorkloadSpec): Required<WorkloadSpec> {
  const memspec = spec.memspec ?? 'ddr3-1600';
  const preset = MEMSPEC_PRESETS[memspec];
  const addressmapping = spec.addressmapping ?? (preset ? memspec : undefined);
  if (!addressmapping) throw new InputError(`memspec ${memspec} is a file: give its address mapping too`);
  const clkMhz = spec.clkMhz ?? preset?.clkMhz ?? 800;
  if (!(clkMhz >= 1 && clkMhz <= 100_000)) throw new InputError(`clock ${clkMhz} MHz: expected 1 to 100,000 MHz`);
  return { trace: spec.trace, memspec, addressmapping, clkMhz };
}

/** Loads a workload; file traces are read into memory once, since a search replays them many times. */
export function loadWorkload(spec: WorkloadSpec): Workload {
  const r = resolve(spec);
  const memspec = loadMemSpec(r.memspec);
  const mapping = loadAddressMapping(r.addressmapping);
  const opened = openTrace(r.trace);
  let trace: Trace;
  if (!isTraceSource(opened)) trace = opened;
  else if (r.trace.endsWith('.stl') && !r.trace.includes(':')) trace = readStl(r.trace, opened.name);
  else {
    const b = new TraceBuilder();
    for (const c of chunksOf(opened)) for (let i = 0; i < c.length; i++) b.push(c.cycle[i], c.address[i], c.isWrite[i] === 1);
    trace = b.build(opened.name);
  }
  if (trace.length === 0) throw new InputError(`${r.trace}: no requests (the trace is empty or holds only comments)`);
  const hash = traceHash(trace);
  const key = workloadKey(hash, memspec, mapping, r.clkMhz);
  return { spec: r, trace, traceHash: hash, memspec, mapping, clkMhz: r.clkMhz, key };
}

/**
 * The workload part of every memo key: trace content, memory, mapping and clock. Exported so that
 * queue workers, which rebuild a workload from documents, derive the same key.
 */
export function workloadKey(traceHash: string, memspec: MemSpec, mapping: AddressMapping, clkMhz: number): string {
  return createHash('sha256')
    .update(JSON.stringify([traceHash, memspec.json, addressMappingToJson(mapping), clkMhz]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The workloads of a suite's traces, in order, on one memory; a trace that cannot be loaded is
 * reported with where the suite named it (`mine.json: traces[2]: …`).
 */
export function loadSuiteWorkloads(suite: Suite, device: Omit<WorkloadSpec, 'trace'>): Workload[] {
  return suite.entries.map((e) => {
    try {
      return loadWorkload({ ...device, trace: e.trace });
    } catch (err) {
      if (isInputError(err) && !e.origin.startsWith('--trace')) throw new InputError(`${e.origin}: ${err.message}`);
      throw err;
    }
  });
}
