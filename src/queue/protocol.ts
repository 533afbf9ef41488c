/**
 * What searches and workers agree on: the queue's name, the Redis keys outside BullMQ, the job
 * payload, and how results are encoded. A worker of another version must refuse a job whose `v`
 * it does not know rather than simulate something else.
 */
import { parseAddressMapping, addressMappingToJson, type AddressMapping } from '../../simulators/dram/address-mapping.js';
import type { JsonObject } from '../../simulators/dram/json.js';
import type { EvalConfig } from '../space/system.js';
import { parseMemSpec, type MemSpec } from '../../simulators/dram/memspec.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { type Workload, workloadKey } from '../evaluator/workload.js';

export const PROTOCOL_VERSION = 1;

/** The BullMQ queue every search and worker uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'marl-dse';

/** BullMQ's job name for a simulation job (one name: the payload's `v` carries versioning). */
export const JOB_NAME = 'simulate';

/** Starts the reason of a job that failed on bad input, so the search can report it as such. */
export const INPUT_ERROR_PREFIX = 'bad input: ';

/** Our keys, beside BullMQ's `bull:<queue>:*`. */
export const KEY_PREFIX = 'marl-dse';
export const traceKey = (hash: string): string => `${KEY_PREFIX}:trace:${hash}`;
export const memoKey = (key: string): string => `${KEY_PREFIX}:memo:${key}`;

/** A workload as documents: enough for a worker with no access to the search's disk. */
export interface WorkloadWire {
  /** `Workload.key`: the worker checks that it derives the same, so memo keys agree. */
  key: string;
  traceHash: string;
  traceName: string;
  /** The memspec document (`{ memspec: … }`). */
  memspec: JsonObject;
  /** The memspec's id (a memspec without `memoryId` is named after its file). */
  memoryId: string;
  /** The address-mapping document (`{ addressmapping: … }`). */
  addressmapping: JsonObject;
  mappingName: string;
  clkMhz: number;
}

export interface SimulationJobData {
  v: typeof PROTOCOL_VERSION;
  workload: WorkloadWire;
  configs: EvalConfig[];
}

export function workloadToWire(w: Workload): WorkloadWire {
  return {
    key: w.key,
    traceHash: w.traceHash,
    traceName: w.trace.name,
    memspec: w.memspec.json,
    memoryId: w.memspec.memoryId,
    addressmapping: addressMappingToJson(w.mapping),
    mappingName: w.mapping.name,
    clkMhz: w.clkMhz,
  };
}

/** The memory and mapping of a wire workload, checked against its key. */
export function workloadFromWire(wire: WorkloadWire): { memspec: MemSpec; mapping: AddressMapping } {
  const memspec = parseMemSpec(wire.memspec, wire.memoryId);
  const mapping = parseAddressMapping(wire.addressmapping, wire.mappingName);
  const key = workloadKey(wire.traceHash, memspec, mapping, wire.clkMhz);
  if (key !== wire.key) throw new Error(`workload ${wire.key}: rebuilt from its documents it has key ${key}`);
  return { memspec, mapping };
}

/**
 * Results travel as JSON, which has no NaN, ±Infinity or −0; those are tagged so that a result
 * from the queue is identical, bit for bit, to one computed in process.
 */
const TAG = '$num';

function replacer(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Number.isNaN(v)) return { [TAG]: 'NaN' };
  if (v === Infinity) return { [TAG]: 'Infinity' };
  if (v === -Infinity) return { [TAG]: '-Infinity' };
  if (Object.is(v, -0)) return { [TAG]: '-0' };
  return v;
}

function reviver(_key: string, v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const tag = (v as Record<string, unknown>)[TAG];
    if (typeof tag === 'string' && Object.keys(v).length === 1) return tag === '-0' ? -0 : Number(tag);
  }
  return v;
}

/** Stats (one or a batch) as text that keeps NaN, ±Infinity and -0 exactly. */
export function encodeStats(stats: SimStats | readonly SimStats[]): string {
  return JSON.stringify(stats, replacer);
}

export function decodeOne(text: string): SimStats {
  return JSON.parse(text, reviver) as SimStats;
}

export function decodeStats(text: string): SimStats[] {
  const v = JSON.parse(text, reviver) as unknown;
  if (!Array.isArray(v)) throw new Error('queue result: expected a JSON array of SimStats');
  return v as SimStats[];
}
