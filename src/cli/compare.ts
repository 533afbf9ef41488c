/** `marl-dse compare`: MARL against the baselines over a matrix of traces, objectives and seeds. */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError, isInputError } from '../../common/errors.js';
import { AGENTS } from '../../agents/index.js';
import { COMPARE_DEFAULTS, CompareSpecSchema, type CompareSpec, collectResults, openCompareDir, runMatrix, workloadsOf } from '../compare/matrix.js';
import { AGGREGATE_NAMES } from '../aggregate.js';
import { parseConstraint } from '../metric-constraints.js';
import { composeSuite } from '../../traces/suites.js';
import { slug } from '../compare/charts.js';
import { smallSeedsWarning, summarise, writeReport } from '../compare/report.js';
import type { MetricName } from '../metrics.js';
import { OBJECTIVES, objectiveDirection, objectiveMetric, type ObjectiveName, validateObjective } from '../objectives.js';
import { given, readSearchConfigFile } from '../search/options.js';
import { loadSpace } from '../space/builtin.js';
import { openTrace } from '../../traces/builtin.js';
import { checkSweepFile, sweepBests } from '../sweep.js';
import { flagName, interruptible, signalExitCode, collect } from './program.js';
import { progressBar } from './progress.js';
import { parseRedisUrl } from '../queue/connection.js';
import { COMMANDS } from './commands.js';

interface CompareFlags {
  agents?: string;
  traces?: string;
  /** `--suite`, repeatable. */
  suite?: string[];
  aggregate?: string;
  /** `--constraint`, repeatable. */
  constraint?: string[];
  objectives?: string;
  seeds?: string;
  budget?: string;
  workers?: string;
  parallel?: string;
  reward?: string;
  space?: string;
  groundTruth?: string;
  tolerance?: string;
  config?: string;
  out?: string;
  resume?: string;
  json?: boolean;
  queue?: string;
}

function list(raw: string | undefined, flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new InputError(`${flag}: empty list`);
  return items;
}

function int(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) throw new InputError(`${flag} ${raw}: expected a positive integer`);
  return Number(raw);
}

/** A share of the optimum: `0.01` or `1%`. */
function tolerance(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(raw);
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new InputError(`--tolerance ${raw}: expected a share of the optimum between 0 and 1 (e.g. 0.01 or 1%)`);
  return value;
}

/** What may be given with --resume. */
const RESUME_FLAGS = new Set<keyof CompareFlags>(['resume', 'tolerance', 'json']);

/** Spec keys that are also flags, and the flag of each whose name differs. */
const FLAG_KEYS = new Set(['agents', 'traces', 'objectives', 'seeds', 'budget', 'workers', 'parallel', 'reward', 'space', 'groundTruth', 'tolerance', 'queue', 'suites', 'aggregate', 'constraints']);
const FLAG_OF: Readonly<Record<string, string>> = { suites: 'suite', constraints: 'constraint' };

/** A list from a flag, or from a config file where it may be a list or a comma-separated string. */
function fileList(v: unknown): unknown {
  return typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x.length > 0) : v;
}

/** Builds and checks the spec from the config file and the flags (flags win). */
export function resolveCompareSpec(flags: CompareFlags): CompareSpec {
  const file = flags.config ? readSearchConfigFile(flags.config) : {};
  // Runs overlap to keep the simulation threads (or queue workers) busy while agents think.
  const parallelDefault = (w: number): number => (flags.queue ?? file.queue ? 4 : w > 1 ? 2 * w : 1);
  const workers = int(flags.workers, '--workers') ?? (file.workers as number | undefined) ?? COMPARE_DEFAULTS.workers;
  const raw = {
    ...COMPARE_DEFAULTS,
    ...file,
    agents: list(flags.agents, '--agents') ?? fileList(file.agents) ?? [...AGENTS],
    traces: list(flags.traces, '--traces') ?? fileList(file.traces) ?? [],
    suites: given(flags.suite) ?? fileList(file.suites) ?? [],
    aggregate: flags.aggregate ?? file.aggregate ?? COMPARE_DEFAULTS.aggregate,
    constraints: given(flags.constraint) ?? file.constraints ?? [],
    objectives: list(flags.objectives, '--objectives') ?? fileList(file.objectives) ?? ['power', 'latency'],
    seeds: int(flags.seeds, '--seeds') ?? file.seeds ?? COMPARE_DEFAULTS.seeds,
    budget: int(flags.budget, '--budget') ?? file.budget ?? COMPARE_DEFAULTS.budget,
    workers,
    parallel: int(flags.parallel, '--parallel') ?? (file.parallel as number | undefined) ?? parallelDefault(workers),
    reward: flags.reward ?? file.reward ?? COMPARE_DEFAULTS.reward,
    space: flags.space ?? file.space ?? COMPARE_DEFAULTS.space,
    groundTruth: flags.groundTruth ?? file.groundTruth ?? null,
    tolerance: tolerance(flags.tolerance) ?? file.tolerance ?? COMPARE_DEFAULTS.tolerance,
    queue: flags.queue ?? file.queue ?? null,
  };
  if ((raw.traces as unknown[]).length === 0 && (raw.suites as unknown[]).length === 0) throw new InputError('--traces or --suite: required (comma-separated traces, e.g. builtin:stream,builtin:random; suites one --suite each)');
  for (const a of raw.agents as string[]) if (!(AGENTS as readonly string[]).includes(a)) throw new InputError(`--agents: unknown agent "${a}" (expected ${AGENTS.join(', ')})`);
  for (const o of raw.objectives as string[]) if (!(OBJECTIVES as readonly string[]).includes(o)) throw new InputError(`--objectives: unknown objective "${o}" (expected ${OBJECTIVES.join(', ')})`);
  const parsed = CompareSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    // Name the flag when there is one, else the config file's key.
    const where = FLAG_KEYS.has(key) ? flagName(FLAG_OF[key] ?? key) : `${flags.config ?? 'compare'}: ${issue.path.map(String).join('.')}`;
    throw new InputError(`${where}: ${issue.message}`);
  }
  const spec = parsed.data;
  if (new Set(spec.agents).size !== spec.agents.length) throw new InputError('--agents: an agent is listed twice');
  for (const o of spec.objectives) {
    if (o === 'joint') throw new InputError('--objectives: joint needs per-trace targets; compare its runs with `search --objective joint`');
  }
  // Fail early on anything a run would only discover later.
  loadSpace(spec.space);
  for (const t of spec.traces) openTrace(t);
  for (const suite of spec.suites) {
    for (const e of composeSuite(suite, []).entries) {
      try {
        openTrace(e.trace);
      } catch (err) {
        throw isInputError(err) ? new InputError(`${e.origin}: ${err.message}`) : err;
      }
    }
    for (const o of spec.objectives) validateObjective({ name: o, aggregate: spec.aggregate });
  }
  for (const c of spec.constraints) parseConstraint(c, given(flags.constraint) ? '--constraint' : `${flags.config}: constraints`);
  if (spec.suites.length === 0 && (flags.aggregate ?? file.aggregate) !== undefined) throw new InputError(`${flags.aggregate !== undefined ? '--aggregate' : `${flags.config}: aggregate`}: only for a suite (--suite)`);
  if (new Set(workloadsOf(spec)).size !== workloadsOf(spec).length) throw new InputError('--traces, --suite: a workload is listed twice');
  if (spec.groundTruth !== null && !existsSync(spec.groundTruth)) throw new InputError(`--ground-truth ${spec.groundTruth}: no such folder`);
  if (spec.queue !== null) parseRedisUrl(spec.queue);
  for (const trace of spec.traces) {
    const csv = sweepFile(spec, trace);
    if (csv === null || !existsSync(csv)) continue;
    for (const col of sweepColumnsOf(spec.objectives)) checkSweepFile(csv, col);
  }
  for (const o of Object.keys(spec.targets)) {
    if (!spec.objectives.includes(o as ObjectiveName)) throw new InputError(`targets.${o}: not one of the objectives compared (${spec.objectives.join(', ')})`);
  }
  return spec;
}

/** The sweep columns holding the objectives' values (objectives a sweep does not record have none). */
function sweepColumnsOf(objectives: readonly ObjectiveName[]): MetricName[] {
  return [...new Set(objectives.flatMap((o) => objectiveMetric(o) ?? []))];
}

/** The ground-truth sweep of `trace`: `<ground truth>/<trace name>.csv`; none for a suite (its values are ratios a sweep does not hold). */
function sweepFile(spec: CompareSpec, trace: string): string | null {
  return spec.groundTruth && !spec.suites.includes(trace) ? join(spec.groundTruth, `${slug(trace)}.csv`) : null;
}

/** True optima (from sweeps) and targets per trace × objective. */
function optimaAndTargets(spec: CompareSpec): { optima: Map<string, number | null>; targets: Map<string, number | null> } {
  const optima = new Map<string, number | null>();
  const targets = new Map<string, number | null>();
  for (const trace of workloadsOf(spec)) {
    const csv = sweepFile(spec, trace);
    const bests = csv !== null && existsSync(csv) ? sweepBests(csv, sweepColumnsOf(spec.objectives)) : null;
    for (const o of spec.objectives) {
      const key = `${trace}|${o}`;
      const col = objectiveMetric(o);
      const best = col && bests ? bests[col] : null;
      optima.set(key, best ? best.value : null);
      // Within the tolerance of the optimum, on the side that is worse.
      const slack = objectiveDirection(o) === 'min' ? 1 + spec.tolerance : 1 - spec.tolerance;
      targets.set(key, spec.targets[o] ?? (best ? best.value * slack : null));
    }
  }
  return { optima, targets };
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(COMMANDS.compare.description)
    .option('--agents <list>', `comma-separated (default ${AGENTS.join(',')})`)
    .option('--traces <list>', 'comma-separated traces (builtin:NAME, gen: specs or files), each a workload')
    .option('--suite <name|file>', 'a suite (suite:kernels, suite:cloud, suite:reference or a suite file) as one more workload; repeatable', collect, [])
    .option('--aggregate <kind>', `a suite's value from its traces' values over the baseline's: ${AGGREGATE_NAMES.join(', ')} (default geomean)`)
    .option('--constraint <limit>', 'METRIC<=LIMIT or METRIC>=LIMIT that every run keeps on every trace (1.2x of the baseline, or 500ns, 400mW); repeatable', collect, [])
    .option('--objectives <list>', 'comma-separated (default power,latency)')
    .option('--seeds <n>', 'seeds per agent (default 5)')
    .option('--budget <n>', 'evaluations per run (default 2000)')
    .option('--workers <n>', 'simulation threads (default 1: in-process)')
    .option('--queue <url>', 'simulate on `marl-dse worker` processes through the Redis queue at URL')
    .option('--parallel <n>', 'runs at a time (default twice the workers; 1 with --workers 1, 4 with --queue)')
    .option('--reward <kind>', 'log (default) or archgym')
    .option('--space <name|file>', 'the design space (default reference)')
    .option('--ground-truth <dir>', 'sweeps (<trace>.csv from marl-dse sweep) giving the true optima; success = within --tolerance')
    .option('--tolerance <share>', 'success = within this share of the true optimum (default 0.01; 0 = the exact optimum); with --resume, re-scores the runs')
    .option('--config <file>', 'the same options in a JSON or YAML file, plus hyperparameters and targets')
    .option('--out <dir>', 'where to write the runs and the report')
    .option('--resume <dir>', 'continue an interrupted comparison in its folder')
    .option('--json', 'print the summary (cells and verdicts) as one JSON object')
    .action(async (flags: CompareFlags) => {
      const dir = flags.resume ?? flags.out;
      if (!dir) throw new InputError('--out: required (the folder for the runs and the report)');
      if (flags.resume !== undefined) {
        // A resumed comparison keeps the matrix it started with; only its scoring and output may change.
        const given = (Object.keys(flags) as Array<keyof CompareFlags>).filter((k) => flags[k] !== undefined && !RESUME_FLAGS.has(k) && !(Array.isArray(flags[k]) && flags[k].length === 0));
        if (given.length > 0) throw new InputError(`${flagName(given[0])}: a resumed comparison keeps the options it started with (with --resume give only --tolerance and --json)`);
      }
      const fresh = !flags.resume;
      const state = flags.resume ? openCompareDir(flags.resume, null) : openCompareDir(dir, resolveCompareSpec(flags));
      // Success is scored when the report is written, so a finished comparison can be re-scored.
      const rescore = flags.resume ? tolerance(flags.tolerance) : undefined;
      if (rescore !== undefined) state.spec = { ...state.spec, tolerance: rescore };
      const spec = state.spec;
      const warning = smallSeedsWarning(spec);
      if (warning !== null) process.stderr.write(`marl-dse: warning: ${warning}\n`);
      const interruption = interruptible('stopping the comparison');
      const runs = spec.agents.length * workloadsOf(spec).length * spec.objectives.length * spec.seeds;
      const bar = progressBar(runs * spec.budget, ' compare |{bar}| {value}/{total} evaluations | {runs} runs | ETA {eta_formatted}');
      try {
        const r = await runMatrix(dir, state, {
          onProgress: (p) => bar.update(p.evaluationsDone, { runs: `${p.runsDone}/${p.runsTotal}` }),
          signal: interruption.signal,
        });
        bar.stop();
        const { optima, targets } = optimaAndTargets(spec);
        const results = collectResults(dir, state, targets);
        const cells = summarise(spec, results, optima, targets);
        const files = writeReport({ dir, spec, results, cells, wallSeconds: r.wallSeconds, simulations: r.simulations });
        if (flags.json) {
          process.stdout.write(JSON.stringify({ dir, finished: r.finished, runs: results.length, wallSeconds: r.wallSeconds, simulations: r.simulations, cells }) + '\n');
        } else {
          process.stdout.write(`${r.finished ? 'compared' : 'interrupted:'} ${results.length} of ${runs} runs in ${r.wallSeconds.toFixed(0)} s (${r.simulations.toLocaleString('en-US')} simulations this session)\n`);
          for (const c of cells) process.stdout.write(`  ${c.verdict}\n`);
          process.stdout.write(`report: ${join(dir, 'report.html')} (${files.length} files)\n`);
        }
        if (!r.finished) {
          process.stderr.write(`continue with: marl-dse compare --resume ${dir}\n`);
          process.exitCode = signalExitCode(interruption.received() ?? 'SIGINT');
        }
      } catch (e) {
        // Refused before its first run started (bad hyperparameters, a reward that needs targets):
        // leave nothing that would block the corrected command.
        if (fresh && isInputError(e) && Object.keys(state.runs).length === 0) {
          for (const f of ['compare.json', 'runs.sqlite', 'runs.sqlite-wal', 'runs.sqlite-shm']) rmSync(join(dir, f), { force: true });
        }
        throw e;
      } finally {
        bar.stop();
        interruption.dispose();
      }
    });
}
