/**
 * The batch comparison: every agent × trace × objective × seed, each a stored search run, run
 * several at a time over one pool of simulation threads, all runs of one trace sharing one memo
 * (so the batch costs distinct simulations, not runs × simulations). The matrix and the run of
 * each cell are recorded in DIR/compare.json as runs start, so an interrupted batch resumes where
 * it stopped.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../common/errors.js';
import { makeDirs } from '../files.js';
import { lockFile } from '../locks.js';
import { AGENTS, type AgentName } from '../../agents/index.js';
import { inProcessBackend, memoKeyOf, SharedMapMemo, type SimulationBackend } from '../evaluator/evaluator.js';
import { createPoolBackend } from '../evaluator/pool.js';
import { AGGREGATE_NAMES, DEFAULT_AGGREGATE } from '../aggregate.js';
import { OBJECTIVES, objectiveDirection, type ObjectiveName, objectiveUnit, REWARDS } from '../objectives.js';
import { composeSuite } from '../../traces/suites.js';
import type { SearchOptions } from '../search/options.js';
import { resumeRun, runSearch, type SearchSummary } from '../search/runner.js';
import { designToConfig } from '../space/space.js';
import { loadSpace } from '../space/builtin.js';
import { RunStore } from '../store/store.js';

export const CompareSpecSchema = z.strictObject({
  agents: z.array(z.enum(AGENTS)).min(1),
  /** Traces, each a workload of the matrix (there must be a trace or a suite). */
  traces: z.array(z.string().min(1)),
  /** Suites (`suite:NAME` or a suite file), each a workload of the matrix beside the traces. Optional, so that comparisons saved before suites existed still resume. */
  suites: z.array(z.string().min(1)).default([]),
  /** A suite's aggregate of its traces' normalised values. */
  aggregate: z.enum(AGGREGATE_NAMES).default(DEFAULT_AGGREGATE),
  /** Constraints every run keeps, on every trace (`p99-latency<=1.2x`). */
  constraints: z.array(z.string().min(1)).default([]),
  objectives: z.array(z.enum(OBJECTIVES)).min(1),
  seeds: z.number().int().min(1).max(1000),
  budget: z.number().int().min(1),
  reward: z.enum(REWARDS),
  space: z.string(),
  memspec: z.string(),
  workers: z.number().int().min(1).max(256),
  parallel: z.number().int().min(1).max(64),
  /** Per agent: hyperparameter overrides. */
  hyperparameters: z.record(z.string(), z.record(z.string(), z.unknown())),
  /** Per objective: an explicit target (single objectives). */
  targets: z.record(z.string(), z.number().positive()),
  /** A folder of sweeps (`<trace name>.csv`, from `marl-dse sweep`) giving each trace's true optimum. */
  groundTruth: z.string().nullable(),
  /** With a ground truth: success is coming within this share of the optimum. */
  tolerance: z.number().min(0).max(1),
  /** Simulate on `marl-dse worker` processes through this Redis queue (memo shared in Redis).
   *  Optional so that comparisons saved before the queue existed still resume. */
  queue: z.string().nullable().default(null),
});
export type CompareSpec = z.infer<typeof CompareSpecSchema>;

export const COMPARE_DEFAULTS: Omit<CompareSpec, 'agents' | 'traces' | 'objectives'> = {
  suites: [],
  aggregate: DEFAULT_AGGREGATE,
  constraints: [],
  seeds: 5,
  budget: 2000,
  reward: 'log',
  space: 'reference',
  memspec: 'ddr3-1600',
  workers: 1,
  parallel: 1,
  hyperparameters: {},
  targets: {},
  groundTruth: null,
  tolerance: 0.01,
  queue: null,
};

export interface Cell {
  agent: AgentName;
  /** The workload: a trace, or a suite (one of the spec's `suites`). */
  trace: string;
  objective: ObjectiveName;
  seed: number;
}

export function cellKey(c: Cell): string {
  return `${c.agent}|${c.trace}|${c.objective}|${c.seed}`;
}

/** The matrix's workloads: its traces, then its suites. */
export function workloadsOf(spec: Pick<CompareSpec, 'traces' | 'suites'>): string[] {
  return [...spec.traces, ...spec.suites];
}

/** The unit of a cell's values: a suite's are ratios to the baseline design's. */
export function cellUnit(spec: Pick<CompareSpec, 'suites' | 'aggregate'>, trace: string, objective: string): string {
  return objectiveUnit(objective, spec.suites.includes(trace) ? spec.aggregate : null);
}

/** What a cell's run searches on: its trace, or its suite with the comparison's aggregate. */
function workloadOptions(spec: CompareSpec, trace: string): Pick<SearchOptions, 'trace' | 'traces' | 'suite' | 'aggregate'> {
  if (!spec.suites.includes(trace)) return { trace };
  return { trace: composeSuite(trace, []).name, traces: [], suite: trace, aggregate: spec.aggregate };
}

export function cellsOf(spec: CompareSpec): Cell[] {
  const out: Cell[] = [];
  for (const trace of workloadsOf(spec)) for (const objective of spec.objectives) for (const agent of spec.agents) {
    for (let seed = 1; seed <= spec.seeds; seed++) out.push({ agent, trace, objective, seed });
  }
  return out;
}

const CompareStateSchema = z.object({
  version: z.literal(1),
  spec: CompareSpecSchema,
  /** The run id of each cell that has started. */
  runs: z.record(z.string(), z.number().int().positive()),
  /** Wall time of the batch so far, seconds. */
  wallSeconds: z.number().min(0),
});
type CompareState = z.infer<typeof CompareStateSchema>;

export const STATE_FILE = 'compare.json';
export const DB_FILE = 'runs.sqlite';

function writeState(dir: string, state: CompareState): void {
  const tmp = join(dir, `${STATE_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, join(dir, STATE_FILE));
}

export const LOCK_FILE = 'compare.lock';

/**
 * Prepares DIR (created if needed, must be writable) and locks it for this process (a second
 * `compare` on the same folder is refused, naming the first); with `resume`, reads its recorded state.
 */
export function openCompareDir(dir: string, spec: CompareSpec | null): CompareState {
  try {
    makeDirs(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new InputError(`${dir}: cannot write the comparison here (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  // Held until this process exits.
  lockFile(join(dir, LOCK_FILE), `comparison ${dir}`);
  const path = join(dir, STATE_FILE);
  if (spec === null) {
    if (!existsSync(path)) throw new InputError(`${dir}: no comparison to resume (no ${STATE_FILE})`);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new InputError(`${path}: unreadable (${(e as Error).message.split('\n')[0]})`);
    }
    const parsed = CompareStateSchema.safeParse(doc);
    if (!parsed.success) throw new InputError(`${path}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    return parsed.data;
  }
  if (existsSync(path)) throw new InputError(`${dir}: already holds a comparison; continue it with --resume ${dir} or choose another --out`);
  const state: CompareState = { version: 1, spec, runs: {}, wallSeconds: 0 };
  writeState(dir, state);
  return state;
}

export interface CellResult extends Cell {
  runId: number;
  bestValue: number;
  /** Best value after each evaluation. */
  curve: number[];
  evaluationsToTarget: number | null;
  /** Distinct simulations the run needed (what it would have cost on its own). */
  simulations: number;
  wallSeconds: number;
}

export interface BatchProgress {
  evaluationsDone: number;
  evaluationsTotal: number;
  runsDone: number;
  runsTotal: number;
}

/** Runs (or resumes) every cell; returns when all are finished or `signal` is aborted (every run in flight then stops and is marked interrupted). */
export async function runMatrix(
  dir: string,
  state: CompareState,
  hooks: { onProgress?: (p: BatchProgress) => void; signal?: AbortSignal } = {},
): Promise<{ finished: boolean; wallSeconds: number; simulations: number }> {
  const spec = state.spec;
  const db = join(dir, DB_FILE);
  const cells = cellsOf(spec);
  const t0 = performance.now();
  // One memo for the batch: its keys name the trace, so runs of one trace, or of suites sharing it, share results.
  const memo = new SharedMapMemo();
  const pool = spec.queue === null && spec.workers > 1 ? createPoolBackend(spec.workers) : null;
  const backend: SimulationBackend = pool ? pool.backend : inProcessBackend;
  const total = cells.length * spec.budget;
  let done = 0;
  let runsDone = 0;
  let simulations = 0;

  // Cells already finished count as done.
  const finished = new Set<string>();
  {
    const store = RunStore.open(db);
    for (const c of cells) {
      const id = state.runs[cellKey(c)];
      const row = id !== undefined ? store.getRun(id) : null;
      if (row?.status === 'finished') finished.add(cellKey(c));
      done += row ? Math.min(row.evaluations, spec.budget) : 0;
    }
    store.close();
  }
  runsDone = finished.size;
  hooks.onProgress?.({ evaluationsDone: done, evaluationsTotal: total, runsDone, runsTotal: cells.length });

  const queue = cells.filter((c) => !finished.has(cellKey(c)));
  const runCell = async (c: Cell): Promise<void> => {
    const key = cellKey(c);
    const onEvaluation = (): void => {
      done++;
      hooks.onProgress?.({ evaluationsDone: done, evaluationsTotal: total, runsDone, runsTotal: cells.length });
    };
    // Over a queue the memo lives in Redis, shared by every run and worker.
    const shared = spec.queue === null ? { memo, backend } : {};
    const queueOverride = spec.queue === null ? {} : { queue: spec.queue };
    const hookSet = { onEvaluation, signal: hooks.signal };
    let summary: SearchSummary;
    const existing = state.runs[key];
    if (existing !== undefined) {
      summary = await resumeRun(db, existing, hookSet, queueOverride, shared);
    } else {
      const opts: SearchOptions = {
        agent: c.agent,
        ...workloadOptions(spec, c.trace),
        ...(spec.constraints.length > 0 ? { constraints: spec.constraints } : {}),
        memspec: spec.memspec,
        space: spec.space,
        objective: c.objective,
        target: spec.targets[c.objective],
        reward: spec.reward,
        budget: spec.budget,
        seed: c.seed,
        workers: 1,
        episodeLength: 1,
        backend: 'auto',
        grouping: 'parameter',
        hyperparameters: spec.hyperparameters[c.agent] ?? {},
        db,
        checkpointEvery: 128,
        ...queueOverride,
      };
      summary = await runSearch(
        opts,
        {
          ...hookSet,
          onStart: (runId) => {
            state.runs[key] = runId;
            writeState(dir, state);
          },
        },
        shared,
      );
    }
    simulations += summary.simulations;
    if (summary.status === 'finished') runsDone++;
    hooks.onProgress?.({ evaluationsDone: done, evaluationsTotal: total, runsDone, runsTotal: cells.length });
  };

  try {
    const workers = Array.from({ length: Math.min(spec.parallel, queue.length) }, async () => {
      while (queue.length > 0 && !(hooks.signal?.aborted ?? false)) await runCell(queue.shift()!);
    });
    await Promise.all(workers);
  } finally {
    await pool?.close();
    state.wallSeconds += (performance.now() - t0) / 1000;
    writeState(dir, state);
  }
  return { finished: runsDone === cells.length, wallSeconds: state.wallSeconds, simulations: memo.size };
}

/** Reads every cell's results back from the store. */
export function collectResults(dir: string, state: CompareState, targets: Map<string, number | null>): CellResult[] {
  const store = RunStore.open(join(dir, DB_FILE), { readonly: true });
  const space = loadSpace(state.spec.space);
  try {
    return cellsOf(state.spec).flatMap((c) => {
      const id = state.runs[cellKey(c)];
      if (id === undefined) return [];
      const run = store.getRun(id);
      if (!run || run.status !== 'finished') return [];
      const evals = store.evaluations(id);
      const max = objectiveDirection(c.objective) === 'max';
      const curve: number[] = [];
      // Only a feasible design counts: until one is found the curve stays at the worst value.
      let best = max ? -Infinity : Infinity;
      for (const e of evals) {
        if (e.feasible !== false) best = max ? Math.max(best, e.value) : Math.min(best, e.value);
        curve.push(best);
      }
      const target = targets.get(`${c.trace}|${c.objective}`) ?? null;
      const reached = target === null ? -1 : curve.findIndex((v) => (max ? v >= target : v <= target));
      const keys = new Set(evals.map((e) => memoKeyOf('', designToConfig(space, e.design))));
      const tracesPerDesign = evals[0]?.traces?.length ?? 1;
      return [
        {
          ...c,
          runId: id,
          bestValue: curve[curve.length - 1],
          curve,
          evaluationsToTarget: reached >= 0 ? reached + 1 : null,
          simulations: keys.size * tracesPerDesign,
          wallSeconds: run.wallSeconds ?? 0,
        },
      ];
    });
  } finally {
    store.close();
  }
}
