/**
 * One search run: an agent against the environment for a budget of evaluations, every evaluation
 * stored as it completes, the agent checkpointed regularly. A run killed at any moment resumes
 * (`resumeRun`) to exactly the result an uninterrupted run gives: stored results are replayed
 * into the environment and the agent (asking the agent again and checking it proposes the same
 * designs), without simulating anything twice.
 */
import { z } from 'zod';
import { InputError } from '../../common/errors.js';
import { addressMappingToJson } from '../../simulators/dram/address-mapping.js';
import type { AddressMapping } from '../../simulators/dram/address-mapping.js';
import type { MemSpec } from '../../simulators/dram/memspec.js';
import { type EvalConfig, resolveSystem } from '../space/system.js';
import { rulesFor } from '../space/constraints.js';
import { allowedValues, hasRules } from '../space/masks.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { createAgent, LEARNING_AGENTS, loadAgents, type Agent, type SearchProblem } from '../../agents/index.js';
import { DramEnv, type StepResult } from '../env/dram-env.js';
import { inProcessBackend, type Memo, type SimulationBackend, yieldToEventLoop } from '../evaluator/evaluator.js';
import { createPoolBackend } from '../evaluator/pool.js';
import { type Backend, type SuiteEvaluator, suiteEvaluator, suiteHash } from '../evaluator/suite.js';
import { loadSuiteWorkloads } from '../evaluator/workload.js';
import { loadSpace } from '../space/builtin.js';
import { designToConfig, type ParameterSpace } from '../space/space.js';
import { type FrontPoint, hasFront, runFront } from '../store/front.js';
import { RunStore, type EvaluationRecord, simulationsOf, type TraceEvaluation } from '../store/store.js';
import { objectiveSpec, type SearchOptions, SearchOptionsSchema, suiteOf } from './options.js';

export interface SearchSummary {
  runId: number;
  agent: string;
  trace: string;
  objective: string;
  /** A suite's aggregate (its values are then ratios to the baseline design's); null for one trace. */
  aggregate: string | null;
  /** The run's constraints, as given. */
  constraints: string[];
  target: number | [number, number] | null;
  seed: number;
  budget: number;
  evaluations: number;
  simulations: number;
  bestValue: number | null;
  bestConfig: EvalConfig | null;
  /** The memory and address mapping the best design runs on, as DRAMSys documents (its memspec and mapping). */
  bestDevice: { memspec: unknown; addressmapping: unknown } | null;
  bestStats: SimStats | null;
  /** A suite's: the best design's part on each trace (value, normalised value, feasibility, stats); else null. */
  bestTraces: TraceEvaluation[] | null;
  /** Evaluations that met every constraint (all of them without constraints). */
  feasibleEvaluations: number;
  evaluationsToTarget: number | null;
  wallSeconds: number;
  /** `pareto`: the power–latency front of the run's evaluations (store/front.ts); otherwise null. */
  front: FrontPoint[] | null;
  status: 'finished' | 'interrupted';
}

export interface SearchHooks {
  /** Each evaluation as it is stored (live ones only, not those replayed on resume). */
  onEvaluation?(e: EvaluationRecord, runId: number): void;
  /** Agent statistics after each batch. */
  onAgentStats?(stats: Record<string, unknown>, evaluations: number, runId: number): void;
  onStart?(runId: number, opts: SearchOptions): void;
  /**
   * Aborted (Ctrl-C), the search stops as soon as it can: the evaluations in flight are given up,
   * the run is marked `interrupted` and the summary returned. Stored evaluations are kept, so the
   * run resumes to the same result.
   */
  signal?: AbortSignal;
}

/** The memspec and mapping documents a config runs on (its system choice resolved against the workload's). */
function deviceDocuments(memspec: MemSpec, mapping: AddressMapping, config: EvalConfig): { memspec: unknown; addressmapping: unknown } {
  const device = resolveSystem(memspec, mapping, config.system);
  return { memspec: device.memspec.json, addressmapping: addressMappingToJson(device.mapping) };
}

export function problemOf(space: ParameterSpace, observationSize: number): SearchProblem {
  return {
    nvec: space.parameters.map((p) => p.values.length),
    parameterNames: space.parameters.map((p) => p.name),
    slices: space.slices.map((s) => ({ name: s.subsystem, parameters: [...s.parameters] })),
    observationSize,
    ordered: space.parameters.map((p) => p.values.every((v, i) => typeof v === 'number' && (i === 0 || v > (p.values[i - 1] as number)))),
    ...(hasRules(space) ? masksOf(space) : {}),
  };
}

/**
 * The space's masks for agents: which parameters each mask reads (its rules' dependencies that the
 * space searches; the others are the base's, fixed), and `allowedValues` memoised on those values,
 * since agents ask for the same few masks many thousands of times.
 */
function masksOf(space: ParameterSpace): Pick<SearchProblem, 'allowed' | 'dependsOn'> {
  const index = new Map(space.parameters.map((p, i) => [p.name, i]));
  const dependsOn = space.parameters.map((p) => [
    ...new Set(rulesFor(p.name, p.values).flatMap((r) => r.dependsOn.flatMap((name) => (index.has(name) ? [index.get(name)!] : [])))),
  ]);
  const memo = space.parameters.map(() => new Map<number, boolean[] | null>());
  const allowed = (design: readonly number[], j: number): boolean[] | null => {
    let key = 0;
    for (const d of dependsOn[j]) key = key * space.parameters[d].values.length + design[d];
    let mask = memo[j].get(key);
    if (mask === undefined) {
      mask = allowedValues(space, design, j);
      memo[j].set(key, mask);
    }
    return mask;
  };
  return { allowed, dependsOn };
}

/**
 * Runs a search. `memo` may be shared by runs of the same workload (a batch comparison), so a
 * design any of them has simulated costs the others nothing.
 */
export async function runSearch(opts: SearchOptions, hooks: SearchHooks = {}, shared: SharedResources = {}): Promise<SearchSummary> {
  return execute(opts, null, hooks, shared);
}

/** What a batch of runs shares: a memo (keyed by trace and design) and a pool of simulation threads. */
export interface SharedResources {
  memo?: Memo;
  /** Where simulations run (default: in-process, or a pool of `workers` threads of the run's own). */
  backend?: SimulationBackend;
}

/** Where a run's simulations run: the queue, a batch's shared backend, its own pool of threads, or in-process. */
async function openBackend(opts: SearchOptions, shared: SharedResources, signal: AbortSignal | undefined): Promise<Backend> {
  const memo = shared.memo ? { memo: shared.memo } : {};
  if (opts.queue !== undefined) {
    // Loaded only when used: BullMQ and its Redis client are not needed otherwise.
    const { openQueueBackend } = await import('../evaluator/queue.js');
    return openQueueBackend(opts.queue, { ...memo, signal });
  }
  const none = async (): Promise<void> => {};
  if (shared.backend) return { backend: shared.backend, ...memo, close: none };
  if (opts.workers > 1) return { ...createPoolBackend(opts.workers), ...memo };
  return { backend: inProcessBackend, ...memo, close: none };
}

/** Continues run `runId` of the store `db` to its budget. */
export async function resumeRun(
  db: string,
  runId: number,
  hooks: SearchHooks = {},
  override: Partial<SearchOptions> = {},
  shared: SharedResources = {},
): Promise<SearchSummary> {
  const store = RunStore.open(db);
  let stored: SearchOptions;
  try {
    const run = store.getRun(runId);
    if (!run) throw new InputError(`run ${runId}: no such run in ${db}`);
    const parsed = SearchOptionsSchema.safeParse(run.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`run ${runId} of ${db}: its stored options are damaged (${issue.path.join('.') || 'options'}: ${issue.message}); it cannot be resumed`);
    }
    stored = parsed.data;
  } finally {
    store.close();
  }
  return execute({ ...stored, ...override, db }, runId, hooks, shared);
}

/**
 * Runs in this process that a sudden exit (a second Ctrl-C, a closed pipe) would leave marked
 * `running`: each is marked `interrupted` and released on the way out.
 */
const liveRuns = new Map<number, { store: RunStore; runId: number }>();
let nextLive = 0;
function markLiveRunsInterrupted(): void {
  for (const { store, runId } of liveRuns.values()) {
    try {
      store.setStatus(runId, 'interrupted');
    } catch {
      // the store itself failed: nothing more to save
    }
  }
}

/** A checkpoint's agent state: a JSON object (each agent checks its own fields when restoring). */
const CheckpointStateSchema = z.record(z.string(), z.unknown());

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (e === signal.reason || (e instanceof Error && e.name === 'AbortError'));
}

async function execute(opts: SearchOptions, resumeId: number | null, hooks: SearchHooks, shared: SharedResources): Promise<SearchSummary> {
  const t0 = performance.now();
  const signal = hooks.signal;
  const space = loadSpace(opts.space);
  const objective = objectiveSpec(opts);
  // TensorFlow.js is loaded only for the agents that learn with it.
  if (LEARNING_AGENTS.includes(opts.agent)) {
    await loadAgents([opts.agent]);
    await (await import('../../agents/nn.js')).initBackend(opts.backend);
  }
  const suite = suiteOf(opts);
  const workloads = loadSuiteWorkloads(suite, { memspec: opts.memspec, addressmapping: opts.addressmapping, clkMhz: opts.clkMhz });
  const weights = suite.entries.map((e) => e.weight);
  const names = suite.entries.map((e) => e.trace);
  const workload = workloads[0];
  const traceHash = suiteHash(workloads, weights);
  /** A suite run keeps each trace's part of every evaluation. */
  const isSuite = opts.aggregate !== undefined;
  const hasConstraints = (objective.constraints?.length ?? 0) > 0;
  const store = RunStore.open(opts.db);
  let evaluator: SuiteEvaluator;
  try {
    evaluator = suiteEvaluator(workloads, weights, names, await openBackend(opts, shared, signal), signal);
  } catch (e) {
    store.close();
    throw e;
  }
  let agent: Agent | null = null;
  const live = nextLive++;
  let runId: number | null = null;
  let done = 0;
  let simulations = 0;
  /** Wall time of the sessions before this one (a resumed run), and whether there is anything left to do. */
  let earlierSeconds = 0;
  let alreadyDone = false;
  const newAgent = (seedObservation: Float64Array): Agent => {
    agent?.dispose();
    agent = createAgent(opts.agent, problemOf(space, seedObservation.length), { seed: opts.seed, hyperparameters: opts.hyperparameters, grouping: opts.grouping });
    agent.begin(seedObservation);
    return agent;
  };
  const summaryOf = (status: 'finished' | 'interrupted', tracker: DramEnv['objective'] | null): SearchSummary => {
    const run = store.getRun(runId!)!;
    const best = run.bestIndex === null ? null : (store.evaluations(runId!, run.bestIndex, run.bestIndex + 1)[0] ?? null);
    // Over every session of the run; resuming a finished run changes nothing.
    const wallSeconds = alreadyDone ? earlierSeconds : earlierSeconds + (performance.now() - t0) / 1000;
    const evaluationsToTarget = tracker?.evaluationsToTarget ?? run.evaluationsToTarget;
    const bestConfig = best ? designToConfig(space, best.design) : null;
    const feasibleEvaluations = tracker?.feasibleEvaluations ?? store.evaluations(runId!).filter((e) => e.feasible !== false).length;
    store.setStatus(runId!, status, { bestValue: best?.value ?? null, evaluationsToTarget, simulations, wallSeconds, bestIndex: best?.index ?? null });
    return {
      runId: runId!,
      agent: opts.agent,
      trace: opts.trace,
      objective: opts.objective,
      aggregate: opts.aggregate ?? null,
      constraints: opts.constraints ?? [],
      target: opts.target ?? null,
      seed: opts.seed,
      budget: opts.budget,
      evaluations: run.evaluations,
      simulations,
      bestValue: opts.objective === 'pareto' && tracker ? tracker.best : (best?.value ?? null),
      bestConfig: bestConfig,
      bestDevice: bestConfig ? deviceDocuments(workload.memspec, workload.mapping, bestConfig) : null,
      bestStats: best?.stats ?? null,
      bestTraces: best?.traces ? [...best.traces] : null,
      feasibleEvaluations,
      evaluationsToTarget,
      wallSeconds,
      front: hasFront(run) ? runFront(store, run) : null,
      status,
    };
  };
  let env: DramEnv | null = null;
  try {
    env = new DramEnv({ space, evaluator, objective, episodeLength: opts.episodeLength });
    const [obs] = await env.reset(opts.seed);
    let a = newAgent(obs);

    let stored: EvaluationRecord[] = [];
    if (resumeId === null) {
      runId = store.createRun({
        agent: opts.agent,
        trace: opts.trace,
        traceHash,
        objective: opts.objective,
        target: typeof opts.target === 'number' ? opts.target : null,
        reward: opts.reward,
        seed: opts.seed,
        budget: opts.budget,
        space: space.name,
        options: opts,
      });
      liveRuns.set(live, { store, runId });
    } else {
      const run = store.getRun(resumeId)!;
      if (run.traceHash !== traceHash) throw new InputError(`run ${resumeId}: the trace ${opts.trace} has changed since the run started`);
      store.claimRun(resumeId); // refuses a run another live process is running
      runId = resumeId;
      liveRuns.set(live, { store, runId });
      stored = store.evaluations(runId);
      simulations = stored.reduce((n, e) => n + simulationsOf(e), 0);
      earlierSeconds = run.wallSeconds ?? 0;
      alreadyDone = stored.length >= opts.budget;
      // Every stored result is known: replaying costs no simulation.
      await evaluator.remember(stored.map((e) => [designToConfig(space, e.design), e.traces ? e.traces.map((t) => t.stats) : [e.stats]]));
    }
    // Room for the run's last status, should the disk fill while it runs.
    store.reserveRoom();
    hooks.onStart?.(runId, opts);

    const batchOf = (n: number): number => (opts.episodeLength > 1 ? 1 : Math.min(a.batchSize, opts.budget - n));
    // Resume: restore the newest usable checkpoint, replay the environment up to it, then replay the agent.
    if (stored.length > 0) {
      for (const ckpt of store.checkpoints(runId)) {
        if (ckpt.evaluations > stored.length) continue;
        try {
          const state = CheckpointStateSchema.parse(JSON.parse(ckpt.state));
          a.restore(state);
        } catch {
          // A damaged checkpoint: try the one before it, or replay the whole run from the start.
          a = newAgent(obs);
          continue;
        }
        for (let i = 0; i < ckpt.evaluations; i += 256) {
          await yieldToEventLoop();
          signal?.throwIfAborted();
          await env.stepMany(stored.slice(i, Math.min(ckpt.evaluations, i + 256)).map((e) => e.design));
        }
        done = ckpt.evaluations;
        break;
      }
      while (done < stored.length) {
        await yieldToEventLoop();
        signal?.throwIfAborted();
        const n = batchOf(done);
        const designs = a.ask(n);
        const expected = stored.slice(done, done + n);
        if (expected.length < n || designs.some((d, i) => d.join() !== expected[i].design.join())) {
          throw new Error(`run ${runId}: replay diverged at evaluation ${done}`);
        }
        const results = await env.stepMany(designs);
        await a.tell(feedback(designs, results));
        done += n;
      }
    }

    let lastCheckpoint = done;
    while (done < opts.budget) {
      // A batch answered from the memo alone awaits nothing that yields: let Ctrl-C in here too.
      await yieldToEventLoop();
      signal?.throwIfAborted();
      const n = batchOf(done);
      const a0 = performance.now();
      const designs = a.ask(n);
      const askMs = performance.now() - a0;
      const results = await env.stepMany(designs);
      const simulated = evaluator.lastSimulated();
      const t1 = performance.now();
      await a.tell(feedback(designs, results));
      const agentMs = (askMs + performance.now() - t1) / n;
      const records: EvaluationRecord[] = results.map(([, reward, , , info], i) => ({
        index: done + i,
        design: info.design,
        config: info.config,
        stats: info.stats,
        value: info.value,
        reward,
        best: info.best,
        agentMs,
        simulated: simulated[i].some(Boolean),
        ...(hasConstraints ? { feasible: info.feasible } : {}),
        ...(isSuite ? { traces: info.traces.map((t, k) => ({ trace: names[k], weight: weights[k], ...t, simulated: simulated[i][k], stats: (info.traceStats ?? [info.stats])[k] })) } : {}),
      }));
      store.appendEvaluations(runId, records);
      simulations += records.reduce((n, r) => n + simulationsOf(r), 0);
      for (const r of records) hooks.onEvaluation?.(r, runId);
      done += n;
      const agentStats = a.stats();
      store.appendAgentStats(runId, done, agentStats);
      hooks.onAgentStats?.(agentStats, done, runId);
      if (done - lastCheckpoint >= opts.checkpointEvery && done < opts.budget) {
        store.saveCheckpoint(runId, done, JSON.stringify(await a.state()));
        lastCheckpoint = done;
      }
    }
    return summaryOf('finished', env.objective);
  } catch (e) {
    if (runId === null) throw e;
    if (isAbort(e, signal)) {
      // The batch in flight is given up; everything stored stays, and the run resumes from it.
      return summaryOf('interrupted', env?.objective ?? null);
    }
    // Anything else after the run started: record it as failed, with the error, then report it.
    try {
      store.setStatus(runId, 'failed', undefined, (e instanceof Error ? e.message : String(e)).split('\n')[0]);
    } catch {
      // the store itself is what failed
    }
    throw e;
  } finally {
    store.releaseRoom();
    liveRuns.delete(live);
    (agent as Agent | null)?.dispose();
    await evaluator.close();
    // The file alone then holds the whole run (a reader that cannot use the WAL, a copy).
    if (runId !== null) {
      try {
        store.checkpointWal();
      } catch {
        // a checkpoint is an optimisation of the file's layout; the data is committed either way
      }
    }
    store.close();
  }
}

process.on('exit', markLiveRunsInterrupted);

function feedback(designs: number[][], results: StepResult[]) {
  return results.map(([observation, reward, terminated, truncated], i) => ({
    design: designs[i],
    reward,
    observation,
    done: terminated || truncated,
  }));
}
