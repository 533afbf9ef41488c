/**
 * A suite's evaluator: one design on every trace of a suite is one evaluation. Each trace has its
 * own memoising evaluator on one shared backend and memo (memo keys name the trace, memory,
 * mapping, clock and config), so a design's traces are simulated at once where the backend has
 * threads (pool) or workers (queue), and a trace that two suites or runs share costs one
 * simulation per design. A single evaluator is a suite of one.
 */
import { createHash } from 'node:crypto';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { EvalConfig } from '../space/system.js';
import { combineStats } from './combine.js';
import { type Evaluator, type EvaluatorCounters, type Memo, MapMemo, MemoizingEvaluator, type SimulationBackend } from './evaluator.js';
import type { Workload } from './workload.js';

export interface SuiteResult {
  /** The traces' figures as if they ran back to back (combine.ts); a single trace's own. */
  readonly stats: SimStats;
  /** Each trace's figures, in suite order. */
  readonly traces: readonly SimStats[];
}

/** Where a suite's simulations run, and what to release when it is done. */
export interface Backend {
  readonly backend: SimulationBackend;
  /** The results shared by the suite's traces (default: a new in-memory memo). */
  readonly memo?: Memo;
  close(): Promise<void>;
}

export class SuiteEvaluator {
  private simulatedFlags: boolean[][] = [];

  constructor(
    readonly members: readonly Evaluator[],
    /** Each trace's weight in an aggregate. */
    readonly weights: readonly number[],
    /** Each trace's name, as tables and stored evaluations show it. */
    readonly names: readonly string[],
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    if (members.length === 0 || weights.length !== members.length || names.length !== members.length) throw new Error('SuiteEvaluator: one weight and one name per trace, at least one trace');
  }

  /** A suite's evaluator as it is; a single trace's as a suite of one (closing the suite closes it). */
  static of(evaluator: Evaluator | SuiteEvaluator): SuiteEvaluator {
    return evaluator instanceof SuiteEvaluator ? evaluator : new SuiteEvaluator([evaluator], [1], [evaluator.workload.spec.trace]);
  }

  get size(): number {
    return this.members.length;
  }

  /** The first trace's workload: the memory and mapping every trace of the suite runs on. */
  get workload(): Workload {
    return this.members[0].workload;
  }

  /** Results in the order of `configs`, each with every trace's figures; the traces run at once. */
  async evaluate(configs: readonly EvalConfig[]): Promise<SuiteResult[]> {
    const perTrace = await Promise.all(this.members.map((m) => m.evaluate(configs)));
    const flags = this.members.map((m) => m.lastSimulated());
    this.simulatedFlags = configs.map((_, i) => flags.map((f) => f[i]));
    return configs.map((_, i) => {
      const traces = perTrace.map((t) => t[i]);
      return { stats: combineStats(traces), traces };
    });
  }

  /** For the last `evaluate`: per config, per trace, whether that trace was simulated (false: the memo answered). */
  lastSimulated(): boolean[][] {
    return this.simulatedFlags.map((f) => [...f]);
  }

  /** Known results (a run being resumed), per config every trace's figures in suite order. */
  async remember(entries: ReadonlyArray<[EvalConfig, readonly SimStats[]]>): Promise<void> {
    await Promise.all(this.members.map((m, k) => m.remember(entries.map(([c, traces]) => [c, traces[k]]))));
  }

  /** Evaluations are designs asked for; simulations and cache hits count (trace, design) pairs. */
  counters(): EvaluatorCounters {
    const each = this.members.map((m) => m.counters());
    const simulations = each.reduce((n, c) => n + c.simulations, 0);
    const cacheHits = each.reduce((n, c) => n + c.cacheHits, 0);
    return { evaluations: each[0].evaluations, simulations, cacheHits };
  }

  async close(): Promise<void> {
    try {
      for (const m of this.members) await m.close();
    } finally {
      await this.onClose();
    }
  }
}

/** An evaluator of `workloads` (a suite, in order) on one backend and memo. */
export function suiteEvaluator(workloads: readonly Workload[], weights: readonly number[], names: readonly string[], backend: Backend, signal?: AbortSignal): SuiteEvaluator {
  const memo = backend.memo ?? new MapMemo();
  const members = workloads.map((w) => new MemoizingEvaluator(w, backend.backend, memo, undefined, signal));
  return new SuiteEvaluator(members, weights, names, () => backend.close());
}

/**
 * What identifies a suite's content: its traces' hashes and weights, in order (a single trace's
 * is its own hash), so a resumed run can tell that a trace or suite file changed.
 */
export function suiteHash(workloads: readonly Workload[], weights: readonly number[]): string {
  if (workloads.length === 1 && weights[0] === 1) return workloads[0].traceHash;
  return createHash('sha256')
    .update(JSON.stringify(workloads.map((w, i) => [w.traceHash, weights[i]])))
    .digest('hex');
}
