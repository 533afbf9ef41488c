/**
 * One search run: an agent against the environment for a budget of evaluations, every evaluation
 * stored as it completes, the agent checkpointed regularly. A run killed at any moment resumes
 * (`resumeRun`) to exactly the result an uninterrupted run gives: stored results are replayed
 * into the environment and the agent (asking the agent again and checking it proposes the same
 * designs), without simulating anything twice.
 */
import { InputError } from '../../common/errors.js';
import type { McConfig } from '../../simulators/dram/mcconfig.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { createAgent, LEARNING_AGENTS, type Agent, type SearchProblem } from '../../agents/index.js';
import { initBackend, tf } from '../../agents/nn.js';
import { DramEnv, type StepResult } from '../env/dram-env.js';
import { type Evaluator, makeEvaluator, type Memo, MemoizingEvaluator, type SimulationBackend } from '../evaluator/index.js';
import { loadWorkload } from '../evaluator/workload.js';
import { loadSpace } from '../space/builtin.js';
import { designToConfig, type ParameterSpace } from '../space/space.js';
import { RunStore, type EvaluationRecord } from '../store/store.js';
import { objectiveSpec, type SearchOptions } from './options.js';

export interface SearchSummary {
  runId: number;
  agent: string;
  trace: string;
  objective: string;
  target: number | [number, number] | null;
  seed: number;
  budget: number;
  evaluations: number;
  simulations: number;
  bestValue: number | null;
  bestConfig: McConfig | null;
  bestStats: SimStats | null;
  evaluationsToTarget: number | null;
  wallSeconds: number;
  status: 'finished' | 'interrupted';
}

export interface SearchHooks {
  /** Each evaluation as it is stored (live ones only, not those replayed on resume). */
  onEvaluation?(e: EvaluationRecord, runId: number): void;
  /** Agent statistics after each batch. */
  onAgentStats?(stats: Record<string, unknown>, evaluations: number, runId: number): void;
  onStart?(runId: number, opts: SearchOptions): void;
  /** Returns true to stop after the current batch (Ctrl-C). */
  shouldStop?(): boolean;
}

/** The options that must match for a resumed run to be the same run. */
const IDENTITY_KEYS = ['agent', 'trace', 'memspec', 'addressmapping', 'clkMhz', 'space', 'objective', 'target', 'reward', 'budget', 'seed', 'episodeLength', 'grouping', 'hyperparameters'] as const;

export function problemOf(space: ParameterSpace, observationSize: number): SearchProblem {
  return {
    nvec: space.parameters.map((p) => p.values.length),
    parameterNames: space.parameters.map((p) => p.name),
    slices: space.slices.map((s) => ({ name: s.subsystem, parameters: [...s.parameters] })),
    observationSize,
    ordered: space.parameters.map((p) => p.values.every((v, i) => typeof v === 'number' && (i === 0 || v > (p.values[i - 1] as number)))),
  };
}

/**
 * Runs a search. `memo` may be shared by runs of the same workload (a batch comparison), so a
 * design any of them has simulated costs the others nothing.
 */
export async function runSearch(opts: SearchOptions, hooks: SearchHooks = {}, shared: SharedResources = {}): Promise<SearchSummary> {
  return execute(opts, null, hooks, shared);
}

/** What a batch of runs shares: a memo per workload and a pool of simulation threads. */
export interface SharedResources {
  memo?: Memo;
  /** Where simulations run (default: in-process, or a pool of `workers` threads of the run's own). */
  backend?: SimulationBackend;
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
  try {
    const run = store.getRun(runId);
    if (!run) throw new InputError(`run ${runId}: no such run in ${db}`);
    const stored = run.options as SearchOptions;
    return await execute({ ...stored, ...override, db }, runId, hooks, shared);
  } finally {
    store.close();
  }
}

async function execute(opts: SearchOptions, resumeId: number | null, hooks: SearchHooks, shared: SharedResources): Promise<SearchSummary> {
  const t0 = performance.now();
  const space = loadSpace(opts.space);
  const objective = objectiveSpec(opts);
  if (LEARNING_AGENTS.includes(opts.agent)) await initBackend(opts.backend);
  const workload = loadWorkload({ trace: opts.trace, memspec: opts.memspec, addressmapping: opts.addressmapping, clkMhz: opts.clkMhz });
  const store = RunStore.open(opts.db);
  let evaluator: Evaluator;
  if (opts.queue !== undefined) {
    // Loaded only when used: BullMQ and its Redis client are not needed otherwise.
    const { queueEvaluator } = await import('../evaluator/queue.js');
    evaluator = await queueEvaluator(workload, opts.queue, shared.memo ? { memo: shared.memo } : {});
  } else if (shared.backend) evaluator = new MemoizingEvaluator(workload, shared.backend, shared.memo);
  else evaluator = makeEvaluator(workload, opts.workers, shared.memo);
  let agent: Agent | null = null;
  try {
    const env = new DramEnv({ space, evaluator, objective, episodeLength: opts.episodeLength });
    const [obs] = await env.reset(opts.seed);
    agent = createAgent(opts.agent, problemOf(space, obs.length), { seed: opts.seed, hyperparameters: opts.hyperparameters, grouping: opts.grouping });
    agent.begin(obs);

    let runId: number;
    let stored: EvaluationRecord[] = [];
    let simulations = 0;
    /** Wall time of the sessions before this one (a resumed run), and whether there is anything left to do. */
    let earlierSeconds = 0;
    let alreadyDone = false;
    if (resumeId === null) {
      runId = store.createRun({
        agent: opts.agent,
        trace: opts.trace,
        traceHash: workload.traceHash,
        objective: opts.objective,
        target: typeof opts.target === 'number' ? opts.target : null,
        reward: opts.reward,
        seed: opts.seed,
        budget: opts.budget,
        space: space.name,
        options: opts,
      });
    } else {
      runId = resumeId;
      const run = store.getRun(runId)!;
      const before = run.options as Record<string, unknown>;
      for (const k of IDENTITY_KEYS) {
        if (JSON.stringify(before[k]) !== JSON.stringify((opts as unknown as Record<string, unknown>)[k])) {
          throw new InputError(`run ${runId}: cannot resume with a different ${k}`);
        }
      }
      if (run.traceHash !== workload.traceHash) throw new InputError(`run ${runId}: the trace ${opts.trace} has changed since the run started`);
      stored = store.evaluations(runId);
      simulations = stored.filter((e) => e.simulated).length;
      earlierSeconds = run.wallSeconds ?? 0;
      alreadyDone = stored.length >= opts.budget;
      // Every stored result is known: replaying costs no simulation.
      await evaluator.remember(stored.map((e) => [designToConfig(space, e.design), e.stats]));
      store.setStatus(runId, 'running');
    }
    hooks.onStart?.(runId, opts);

    const batchOf = (done: number): number => (opts.episodeLength > 1 ? 1 : Math.min(agent!.batchSize, opts.budget - done));
    let done = 0;
    // Resume: restore the newest checkpoint, replay the environment up to it, then replay the agent.
    if (stored.length > 0) {
      const ckpt = store.latestCheckpoint(runId);
      if (ckpt && ckpt.evaluations <= stored.length) {
        agent.restore(JSON.parse(ckpt.state));
        for (let i = 0; i < ckpt.evaluations; i += 256) {
          await env.stepMany(stored.slice(i, Math.min(ckpt.evaluations, i + 256)).map((e) => e.design));
        }
        done = ckpt.evaluations;
      }
      while (done < stored.length) {
        const n = batchOf(done);
        const designs = agent.ask(n);
        const expected = stored.slice(done, done + n);
        if (expected.length < n || designs.some((d, i) => d.join() !== expected[i].design.join())) {
          throw new Error(`run ${runId}: replay diverged at evaluation ${done}`);
        }
        const results = await env.stepMany(designs);
        await agent.tell(feedback(designs, results));
        done += n;
      }
    }

    let lastCheckpoint = done;
    while (done < opts.budget && !(hooks.shouldStop?.() ?? false)) {
      const n = batchOf(done);
      const a0 = performance.now();
      const designs = agent.ask(n);
      const askMs = performance.now() - a0;
      const results = await env.stepMany(designs);
      const simulated = evaluator.lastSimulated();
      const t1 = performance.now();
      await agent.tell(feedback(designs, results));
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
        simulated: simulated[i],
      }));
      store.appendEvaluations(runId, records);
      simulations += simulated.filter(Boolean).length;
      for (const r of records) hooks.onEvaluation?.(r, runId);
      done += n;
      const agentStats = agent.stats();
      store.appendAgentStats(runId, done, agentStats);
      hooks.onAgentStats?.(agentStats, done, runId);
      if (done - lastCheckpoint >= opts.checkpointEvery && done < opts.budget) {
        store.saveCheckpoint(runId, done, JSON.stringify(await agent.state()));
        lastCheckpoint = done;
      }
    }

    const tracker = env.objective;
    const all = store.evaluations(runId);
    const bestIndex = bestOf(all, tracker.direction);
    const status = done >= opts.budget ? 'finished' : 'interrupted';
    // Over every session of the run; resuming a finished run changes nothing.
    const wallSeconds = alreadyDone ? earlierSeconds : earlierSeconds + (performance.now() - t0) / 1000;
    store.setStatus(runId, status, {
      bestValue: bestIndex === null ? null : all[bestIndex].value,
      evaluationsToTarget: tracker.evaluationsToTarget,
      simulations,
      wallSeconds,
      bestIndex,
    });
    const best = bestIndex === null ? null : all[bestIndex];
    return {
      runId,
      agent: opts.agent,
      trace: opts.trace,
      objective: opts.objective,
      target: opts.target ?? null,
      seed: opts.seed,
      budget: opts.budget,
      evaluations: done,
      simulations,
      bestValue: opts.objective === 'pareto' ? tracker.best : (best?.value ?? null),
      bestConfig: best ? designToConfig(space, best.design) : null,
      bestStats: best?.stats ?? null,
      evaluationsToTarget: tracker.evaluationsToTarget,
      wallSeconds,
      status,
    };
  } catch (e) {
    if (resumeId !== null || !(e instanceof InputError)) {
      // Leave the run resumable; mark it only if it exists.
    }
    throw e;
  } finally {
    agent?.dispose();
    await evaluator.close();
    store.close();
  }
}

function feedback(designs: number[][], results: StepResult[]) {
  return results.map(([observation, reward, terminated, truncated], i) => ({
    design: designs[i],
    reward,
    observation,
    done: terminated || truncated,
  }));
}

/** Index of the best stored evaluation (first of equals). */
function bestOf(evals: readonly EvaluationRecord[], direction: 'min' | 'max'): number | null {
  let best: number | null = null;
  evals.forEach((e, i) => {
    if (best === null || (direction === 'min' ? e.value < evals[best].value : e.value > evals[best].value)) best = i;
  });
  return best;
}

/** Live tensors, for leak checks. */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
