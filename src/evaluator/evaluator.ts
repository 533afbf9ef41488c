/**
 * Evaluators turn controller configs into simulation results for one workload. Results are
 * memoised by (workload, effective config): a repeated design costs no simulation and is counted
 * as a cache hit. Implementations differ only in where simulations run; all give identical numbers.
 */
import { configKey, type EvalConfig } from '../space/system.js';
import { simulateConfig } from './simulate.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { Workload } from './workload.js';

export interface EvaluatorCounters {
  /** Configs asked for. */
  evaluations: number;
  /** Distinct simulations actually run. */
  simulations: number;
  /** Configs answered from the memo (or by another identical config in the same batch). */
  cacheHits: number;
}

export interface Evaluator {
  readonly workload: Workload;
  /** Results in the order of `configs`. */
  evaluate(configs: readonly EvalConfig[]): Promise<SimStats[]>;
  /** For the last `evaluate`: which configs were simulated (false: answered from the memo). */
  lastSimulated(): boolean[];
  /** Stores known results (e.g. from a run being resumed) so asking for them costs nothing. */
  remember(entries: ReadonlyArray<[EvalConfig, SimStats]>): Promise<void>;
  counters(): EvaluatorCounters;
  close(): Promise<void>;
}

/** Where memoised results live (a Map here; shared stores implement the same). */
export interface Memo {
  getMany(keys: readonly string[]): Promise<Array<SimStats | undefined>>;
  setMany(entries: ReadonlyArray<[string, SimStats]>): Promise<void>;
}

/**
 * A memo shared by evaluators running at the same time (the runs of a batch comparison): a design
 * one of them is simulating right now is awaited by the others instead of simulated twice.
 */
export interface SharedMemo extends Memo {
  readonly inflight: Map<string, Promise<SimStats>>;
}

export class MapMemo implements Memo {
  private readonly map = new Map<string, SimStats>();
  async getMany(keys: readonly string[]): Promise<Array<SimStats | undefined>> {
    return keys.map((k) => this.map.get(k));
  }
  async setMany(entries: ReadonlyArray<[string, SimStats]>): Promise<void> {
    for (const [k, v] of entries) this.map.set(k, v);
  }
  get size(): number {
    return this.map.size;
  }
}

export class SharedMapMemo extends MapMemo implements SharedMemo {
  readonly inflight = new Map<string, Promise<SimStats>>();
}

function isShared(m: Memo): m is SharedMemo {
  return (m as Partial<SharedMemo>).inflight instanceof Map;
}

/** A memo entry's key: the workload and the effective config. Queue workers use it too, so that
 *  searches and workers share one memo. */
export function memoKeyOf(workloadKey: string, config: EvalConfig): string {
  return `${workloadKey}|${configKey(config)}`;
}

/**
 * Runs simulations for a list of (distinct) configs. An aborted `signal` rejects the promise with
 * its reason (the simulations in flight are given up) as soon as the backend can stop.
 */
export type SimulationBackend = (workload: Workload, configs: readonly EvalConfig[], signal?: AbortSignal) => Promise<SimStats[]>;

/** Lets the event loop run (signal handlers, timers, sockets) before going on. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Simulates on this thread, one config at a time, yielding to the event loop before each: without
 * that, a search's awaits would all resolve at once and Ctrl-C would wait for the whole search.
 */
export const inProcessBackend: SimulationBackend = async (w, configs, signal) => {
  const out: SimStats[] = [];
  for (const c of configs) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    out.push(simulateConfig(w.trace, w.memspec, w.mapping, c, w.clkMhz));
  }
  return out;
};

/** `promise`, or its signal's reason as soon as the signal is aborted. */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class MemoizingEvaluator implements Evaluator {
  private evaluations = 0;
  private simulations = 0;
  private simulatedFlags: boolean[] = [];

  constructor(
    readonly workload: Workload,
    private readonly backend: SimulationBackend,
    private readonly memo: Memo = new MapMemo(),
    private readonly onClose: () => Promise<void> = async () => {},
    /** Aborted: every evaluation in flight or asked for later rejects with its reason (Ctrl-C). */
    private readonly signal?: AbortSignal,
  ) {}

  async evaluate(configs: readonly EvalConfig[]): Promise<SimStats[]> {
    this.signal?.throwIfAborted();
    const keys = configs.map((c) => memoKeyOf(this.workload.key, c));
    const known = await this.memo.getMany(keys);
    const inflight = isShared(this.memo) ? this.memo.inflight : null;
    // Distinct configs still missing: simulated once each here, or awaited if another evaluator
    // sharing the memo is simulating them now.
    const missing = new Map<string, EvalConfig>();
    const awaited = new Map<string, Promise<SimStats>>();
    keys.forEach((k, i) => {
      if (known[i] !== undefined || missing.has(k) || awaited.has(k)) return;
      const pending = inflight?.get(k);
      if (pending) awaited.set(k, pending);
      else missing.set(k, configs[i]);
    });
    const settle = new Map<string, { resolve: (s: SimStats) => void; reject: (e: unknown) => void }>();
    if (inflight) {
      for (const k of missing.keys()) {
        const p = new Promise<SimStats>((resolve, reject) => settle.set(k, { resolve, reject }));
        p.catch(() => {}); // a failure is reported to the evaluator that ran the simulation
        inflight.set(k, p);
      }
    }
    const freshByKey = new Map<string, SimStats>();
    try {
      const fresh = missing.size > 0 ? await this.backend(this.workload, [...missing.values()], this.signal) : [];
      [...missing.keys()].forEach((k, i) => freshByKey.set(k, fresh[i]));
      if (freshByKey.size > 0) await this.memo.setMany([...freshByKey.entries()]);
      for (const [k, s] of freshByKey) settle.get(k)?.resolve(s);
    } catch (e) {
      for (const d of settle.values()) d.reject(e);
      throw e;
    } finally {
      for (const k of settle.keys()) inflight?.delete(k);
    }
    for (const [k, p] of awaited) freshByKey.set(k, await abortable(p, this.signal));
    this.evaluations += configs.length;
    this.simulations += missing.size;
    // The first config of each key simulated in this batch counts as the simulation.
    const claimed = new Set<string>();
    this.simulatedFlags = keys.map((k, i) => {
      if (known[i] !== undefined || claimed.has(k) || !missing.has(k)) return false;
      claimed.add(k);
      return true;
    });
    return keys.map((k, i) => known[i] ?? freshByKey.get(k)!);
  }

  lastSimulated(): boolean[] {
    return [...this.simulatedFlags];
  }

  async remember(entries: ReadonlyArray<[EvalConfig, SimStats]>): Promise<void> {
    await this.memo.setMany(entries.map(([c, s]) => [memoKeyOf(this.workload.key, c), s]));
  }

  counters(): EvaluatorCounters {
    return { evaluations: this.evaluations, simulations: this.simulations, cacheHits: this.evaluations - this.simulations };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

export function inProcessEvaluator(workload: Workload, memo?: Memo, signal?: AbortSignal): Evaluator {
  return new MemoizingEvaluator(workload, inProcessBackend, memo, undefined, signal);
}
