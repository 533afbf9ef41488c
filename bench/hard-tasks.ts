/**
 * The tasks of the hard benchmark (bench/hard.ts): each is a space, a workload and an objective.
 * Traces are short (1,000 to a few thousand requests) and generated in memory from a recipe, so an
 * evaluation is a few tens of milliseconds and nothing needs to be stored; the same trace comes from
 * `marl-dse traces generate` with the same kind and options.
 *
 * A task's workload is one trace, scored in its metric's unit, or a suite (src/evaluator/suite.ts):
 * several traces, each normalised to the base design's value on it and combined by an aggregate
 * (src/aggregate.ts), as `marl-dse search --suite` scores them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { makeRng } from '../common/random.js';
import { join } from 'node:path';
import { loadAddressMapping, loadMemSpec, packageRoot } from '../simulators/dram/presets.js';
import type { Trace } from '../simulators/trace.js';
import type { AggregateName } from '../src/aggregate.js';
import { inProcessBackend, type Memo, type SuiteEvaluator, suiteEvaluator, type Workload, workloadKey } from '../src/evaluator/index.js';
import { objectiveDirection, type ObjectiveName, type ObjectiveSpec, ObjectiveTracker } from '../src/objectives.js';
import { loadSpace } from '../src/space/builtin.js';
import { baseDesign } from '../src/env/dram-env.js';
import { invalidReason, repairDesign } from '../src/space/masks.js';
import { type Design, designToConfig, type ParameterSpace, type ParamValue } from '../src/space/space.js';
import { generateTrace, type WorkloadOptions } from '../traces/generators.js';
import { traceHash } from '../traces/hash.js';

/** A generated trace: `marl-dse traces generate KIND` with these options. */
export interface TraceRecipe {
  readonly kind: string;
  readonly options: WorkloadOptions;
}

export interface HardTask {
  readonly id: string;
  /** What the task asks, in a few words. */
  readonly title: string;
  /** A built-in space, or a space file relative to the package root. */
  readonly space: string;
  /** One trace, or several with the aggregate that combines their normalised values. */
  readonly workload: { readonly traces: readonly TraceRecipe[]; readonly aggregate?: AggregateName };
  readonly objective: ObjectiveName;
  /** The family of the scaling study (tasks with the same workload and objective, nested spaces). */
  readonly scaling?: string;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * STREAM triad (a[i] = b[i] + q·c[i], 10,000,000 elements per array) through a 32 KiB last-level
 * cache, so dirty lines are written back from the first few hundred requests on; one request per
 * 800 MHz cycle: memory-bound.
 */
const TRIAD: TraceRecipe = { kind: 'stream-triad', options: { requests: 1000, llcBytes: 32 * KIB } };

/** One program of a mix: a generator's kind, its share of the arrival rate and its options. */
type MixEntry = NonNullable<WorkloadOptions['kernels']>[number];

/**
 * Three programs on separate cores with Poisson arrivals at a mean gap of one 800 MHz cycle, so
 * requests come in bursts and queue: 1,500 requests, so the p99 latency is the 15th-largest.
 */
const mixOf = (kernels: MixEntry[]): TraceRecipe => ({ kind: 'mix', options: { requests: 1500, gapDistribution: 'exponential', gapMeanCycles: 1, kernels } });

/**
 * A suite of two mixes: a cloud-like one (GUPS over 256 MiB, STREAM copy at twice its rate, four
 * pointer chases over 128 MiB) and a scientific one (a sparse matrix-vector product, a stencil and
 * a transpose). At this load a design with too little bandwidth queues without bound and its p99
 * latency is tens of microseconds; the best ones keep it hundreds of times lower. Scored by the
 * geometric mean of each mix's p99 latency over the base design's.
 */
const MIXES: TraceRecipe[] = [
  mixOf([
    { kind: 'gups', options: { footprintBytes: 256 * MIB, llcBytes: 32 * KIB } },
    { kind: 'stream-copy', weight: 2, options: { elements: 2_000_000, llcBytes: 32 * KIB } },
    { kind: 'pointer-chase', options: { chains: 4, footprintBytes: 128 * MIB } },
  ]),
  mixOf([
    { kind: 'spmv', options: { llcBytes: 32 * KIB } },
    { kind: 'stencil', options: { llcBytes: 32 * KIB } },
    { kind: 'transpose', options: { llcBytes: 32 * KIB } },
  ]),
];

const TRIAD_ONLY = { traces: [TRIAD] };

export const HARD_TASKS: readonly HardTask[] = [
  { id: 'triad-edp', title: 'lowest energy-delay product, STREAM triad', space: 'architect', workload: TRIAD_ONLY, objective: 'edp', scaling: 'triad-edp' },
  { id: 'mix-p99', title: 'lowest p99 request latency over a suite of two bursty program mixes (geometric mean over the base design)', space: 'architect', workload: { traces: MIXES, aggregate: 'geomean' }, objective: 'p99-latency' },
  { id: 'triad-edp-10', title: 'triad-edp with the controller knobs only', space: 'bench/spaces/hard-10.json', workload: TRIAD_ONLY, objective: 'edp', scaling: 'triad-edp' },
  { id: 'triad-edp-20', title: 'triad-edp with memory, organisation, field order and the controller', space: 'bench/spaces/hard-20.json', workload: TRIAD_ONLY, objective: 'edp', scaling: 'triad-edp' },
  { id: 'triad-edp-38', title: 'triad-edp with the pipeline delays as well: every parameter there is', space: 'bench/spaces/hard-38.json', workload: TRIAD_ONLY, objective: 'edp', scaling: 'triad-edp' },
];

export function hardTask(id: string): HardTask {
  const t = HARD_TASKS.find((x) => x.id === id);
  if (!t) throw new Error(`task ${id}: unknown (known: ${HARD_TASKS.map((x) => x.id).join(', ')})`);
  return t;
}

const spaces = new Map<string, ParameterSpace>();
/** The task's space (one object per process, so masks and rules are compiled once). */
export function taskSpace(task: HardTask): ParameterSpace {
  let s = spaces.get(task.space);
  if (!s) spaces.set(task.space, (s = loadSpace(task.space.endsWith('.json') ? join(packageRoot(), task.space) : task.space)));
  return s;
}

const traces = new Map<string, Trace>();
function recipeTrace(recipe: TraceRecipe, name: string): Trace {
  const key = JSON.stringify(recipe);
  let t = traces.get(key);
  if (!t) traces.set(key, (t = generateTrace(recipe.kind, recipe.options, name)));
  return t;
}

/** A trace's name in tables: the task's, and its place in a suite. */
const traceName = (task: HardTask, k: number): string => (task.workload.traces.length === 1 ? `hard:${task.id}` : `hard:${task.id}:${k + 1}`);

/**
 * The task's workloads, one per trace, on the default memory (ddr3-1600) at 800 MHz. Every design
 * of these spaces names its own memory and organisation (the space's, or its base's), so the
 * workload's memory only enters the memo key.
 */
export function taskWorkloads(task: HardTask): Workload[] {
  const memspec = loadMemSpec('ddr3-1600');
  const mapping = loadAddressMapping('ddr3-1600');
  return task.workload.traces.map((recipe, k) => {
    const trace = recipeTrace(recipe, traceName(task, k));
    const hash = traceHash(trace);
    return {
      spec: { trace: traceName(task, k), memspec: 'ddr3-1600', addressmapping: 'ddr3-1600', clkMhz: 800 },
      trace,
      traceHash: hash,
      memspec,
      mapping,
      clkMhz: 800,
      key: workloadKey(hash, memspec, mapping, 800),
    };
  });
}

/** The evaluator of a task's designs, in this thread: one design is one evaluation on every trace. */
export function taskEvaluator(task: HardTask, memo?: Memo): SuiteEvaluator {
  const workloads = taskWorkloads(task);
  return suiteEvaluator(workloads, workloads.map(() => 1), workloads.map((w) => w.spec.trace), { backend: inProcessBackend, memo, close: async () => {} });
}

/** The task's objective as the environment scores it (a suite's with its aggregate). */
export const taskObjective = (task: HardTask): ObjectiveSpec => ({ name: task.objective, ...(task.workload.aggregate ? { aggregate: task.workload.aggregate } : {}) });

/**
 * The objective values of `designs`, as a run of the task scores them: a trace's metric, or a
 * suite's aggregate of each trace's value over the base design's (evaluated first).
 */
export async function taskValues(task: HardTask, designs: readonly Design[], memo?: Memo): Promise<number[]> {
  const space = taskSpace(task);
  const evaluator = taskEvaluator(task, memo);
  try {
    const [base, ...results] = await evaluator.evaluate([baseDesign(space), ...designs].map((d) => designToConfig(space, d)));
    const suite = task.workload.aggregate ? { traces: base.traces, weights: evaluator.weights, names: evaluator.names } : undefined;
    const tracker = new ObjectiveTracker(taskObjective(task), base.stats, suite);
    return results.map((r) => tracker.valueOf(r.stats, r.traces));
  } finally {
    await evaluator.close();
  }
}

/** Whether `a` is better than `b` for the task's objective. */
export function taskBetter(task: HardTask, a: number, b: number): boolean {
  return objectiveDirection(task.objective) === 'min' ? a < b : a > b;
}

/** A design as parameter values by name, back to value indexes; throws if a value is not in the space. */
export function designFromValues(space: ParameterSpace, values: Readonly<Record<string, ParamValue>>): number[] {
  return space.parameters.map((p) => {
    const k = p.values.indexOf(values[p.name]);
    if (k < 0) throw new Error(`${p.name}=${JSON.stringify(values[p.name])} is not a value of space ${space.name}`);
    return k;
  });
}

/** A design of another space carried over by parameter name; parameters it lacks take `fallback`'s values. */
export function embedDesign(space: ParameterSpace, values: Readonly<Record<string, ParamValue>>, fallback: Design): number[] {
  return space.parameters.map((p, i) => {
    const k = p.values.indexOf(values[p.name]);
    return k >= 0 ? k : fallback[i];
  });
}

/** A best-known design, how it was found, and when. */
export interface BestKnown {
  readonly objective: string;
  readonly value: number;
  readonly design: Readonly<Record<string, ParamValue>>;
  /** The run whose best design the record starts from (or `embedded`: another task's best-known carried over). */
  readonly found: { readonly agent: string; readonly seed: number | null; readonly budget: number | null; readonly evaluation: number | null; readonly value: number; readonly from?: string };
  /** Coordinate descent from the found design: one parameter at a time, every value, until no change helps. */
  readonly polished: { readonly passes: number; readonly evaluations: number } | null;
  readonly date: string;
}

export const BEST_KNOWN_FILE = join('bench', 'hard-best-known.json');

export function readBestKnown(root: string = packageRoot()): Record<string, BestKnown> {
  try {
    return (JSON.parse(readFileSync(join(root, BEST_KNOWN_FILE), 'utf8')) as { tasks: Record<string, BestKnown> }).tasks;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

/** Why a recorded design is not a design of the task's space, or null. */
export function bestKnownProblem(task: HardTask, b: BestKnown): string | null {
  const space = taskSpace(task);
  try {
    return invalidReason(space, designFromValues(space, b.design));
  } catch (e) {
    return (e as Error).message;
  }
}

// ---------------------------------------------------------------------------------------------
// Fingerprints: a cached run is made again only when its numbers could differ

/**
 * A task's fingerprint: the task, its space file, and the simulated figures of a fixed handful of
 * its designs (the base design and three seeded valid ones). So the simulator's code does not enter
 * it, only what it computes: a speedup that leaves every number as it was keeps the runs.
 */
export async function taskFingerprint(task: HardTask): Promise<string> {
  const space = taskSpace(task);
  const rng = makeRng(1);
  const probes = [baseDesign(space), ...Array.from({ length: 3 }, () => repairDesign(space, space.parameters.map((p) => uniformInt(rng, 0, p.values.length - 1))))];
  const evaluator = taskEvaluator(task);
  const stats = await evaluator.evaluate(probes.map((d) => designToConfig(space, d)));
  await evaluator.close();
  const spaceText = task.space.endsWith('.json') ? readFileSync(join(packageRoot(), task.space), 'utf8') : task.space;
  return createHash('sha256').update(JSON.stringify(task)).update(spaceText).update(JSON.stringify(stats)).digest('hex').slice(0, 16);
}

/**
 * What every run reads besides its agent: the environment (observations, rewards, masks and repair)
 * and the objectives. The simulator is not here: the task's fingerprint stands for it.
 */
const HARNESS_SOURCES = ['src/env', 'src/space', 'src/objectives.ts', 'src/metrics.ts', 'src/aggregate.ts'];

/** The TypeScript sources `entry` reaches by relative imports (itself included), sorted. */
export function sourceClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(packageRoot(), file), 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) visit(join(file, '..', `${m[1]}.ts`));
  };
  visit(entry);
  return [...seen].sort();
}

/** Hash of an agent's code: the sources its file reaches (agents/agent.ts, common/, nn.ts and ppo.ts for the learners) and the harness's. */
export function agentFingerprint(agent: string): string {
  const h = createHash('sha256');
  const add = (p: string): void => {
    if (statSync(join(packageRoot(), p)).isDirectory()) for (const f of readdirSync(join(packageRoot(), p)).sort()) add(join(p, f));
    else if (p.endsWith('.ts')) h.update(p).update(readFileSync(join(packageRoot(), p)));
  };
  for (const p of [...sourceClosure(join('agents', `${agent}.ts`)), ...HARNESS_SOURCES]) add(p);
  return h.digest('hex').slice(0, 16);
}

/** A run's fingerprint: its task's and its agent's; a run is made again only when one of them changes. */
export function runFingerprint(taskFp: string, agent: string): string {
  return createHash('sha256').update(taskFp).update(agentFingerprint(agent)).digest('hex').slice(0, 16);
}
