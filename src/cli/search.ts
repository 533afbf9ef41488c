/** `marl-dse search`: one agent, one trace, one objective, a budget of evaluations. */
import Table from 'cli-table3';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import { mcConfigToJson } from '../../simulators/dram/mcconfig.js';
import { AGENTS } from '../../agents/index.js';
import { formatNumber as fmt, withUnit } from '../../common/format.js';
import { OBJECTIVES, objectiveUnit } from '../objectives.js';
import { type SearchFlags, resolveSearchOptions, DEFAULT_DB, hyperparameterHelp, wantsHyperparameterHelp } from '../search/options.js';
import { resumeRun, runSearch, type SearchHooks, type SearchSummary } from '../search/runner.js';
import { DEFAULT_PORT } from '../server/server.js';
import type { ServerHandle } from '../server/thread.js';
import { type Progress, progressBar } from './progress.js';
import { flagName, interruptible, signalExitCode, untilInterrupted, collect } from './program.js';
import { pageUrl, servingMessage, startSearchDashboard } from './serve.js';
import { statsTable, writeDramsysFiles } from './simulate.js';
import { COMMANDS } from './commands.js';
import { frontTable } from './front.js';
import { bestText, scoringText, suiteTable } from './suite.js';
import { AGGREGATE_NAMES } from '../aggregate.js';
import { runSpace } from '../space/builtin.js';

/** The target as the user gave it, in its units (joint: power and latency). */
function targetText(s: SearchSummary): string {
  if (s.target === null) return '';
  if (Array.isArray(s.target)) return ` (target ${withUnit(s.target[0], objectiveUnit('power'))}, ${withUnit(s.target[1], objectiveUnit('latency'))})`;
  return ` (target ${withUnit(s.target, objectiveUnit(s.objective, s.aggregate))})`;
}

/**
 * The summary as a table, then the result: the best design with its stats, or for `pareto` the
 * front, its designs shown by their changes from `base` (the space's base design) when given.
 */
export function printSummary(s: SearchSummary, base: Readonly<Record<string, unknown>> | null = null): string {
  const t = new Table({ head: ['search', ''], style: { head: [], border: [], compact: true } });
  t.push(
    ['run', `${s.runId} (${s.status})`],
    ['agent / trace / objective', `${s.agent} / ${s.trace} / ${scoringText(s.objective, s.aggregate)}${targetText(s)}`],
    ...(s.constraints.length > 0 ? [['constraints (every trace)', `${s.constraints.join(', ')}: met by ${fmt(s.feasibleEvaluations)} of ${fmt(s.evaluations)} evaluations`]] : []),
    ['evaluations (simulations)', `${fmt(s.evaluations)} of ${fmt(s.budget)} (${fmt(s.simulations)})`],
    ['best value', bestText(s.bestValue, s.objective, s.aggregate, s.constraints, s.evaluations)],
    ['evaluations to target', fmt(s.evaluationsToTarget)],
    ['wall time', `${s.wallSeconds.toFixed(1)} s`],
  );
  let out = t.toString() + '\n';
  if (s.front) out += frontTable(s.front, base) + '\n';
  else if (s.bestConfig && s.bestStats) {
    if (s.bestConfig.system) out += `best design (memory, organisation, address mapping):\n${JSON.stringify(s.bestConfig.system, null, 2)}\n`;
    out += `best design (mcconfig):\n${JSON.stringify(mcConfigToJson(s.bestConfig), null, 2)}\n`;
    if (s.bestTraces) out += `on each trace:\n${suiteTable(s.bestTraces, s.objective, s.constraints.length > 0)}\nthe traces back to back:\n`;
    out += statsTable(s.bestStats, s.bestConfig) + '\n';
  }
  return out;
}

interface SearchCliFlags extends SearchFlags {
  resume?: string;
  bestOut?: string;
  json?: boolean;
  serve?: boolean;
  port?: string;
}

/** What may be given with --resume. */
const RESUME_FLAGS = new Set<keyof SearchCliFlags>(['resume', 'db', 'queue', 'serve', 'port', 'json', 'bestOut']);

export function registerSearchCommand(program: Command): void {
  program
    .command('search')
    .description(COMMANDS.search.description)
    .option('--agent <name>', `the agent: ${AGENTS.join(', ')} (default marl)`)
    .option('--trace <trace>', 'builtin:NAME, gen:KIND:requests=N[:OPTION=VALUE...] or a trace file; repeatable: a suite of the traces', collect, [])
    .option('--suite <name|file>', 'a suite: suite:kernels, suite:cloud, suite:reference, or a suite JSON file (with --trace: those traces too)')
    .option('--aggregate <kind>', `a suite's value from its traces' values over the baseline's: ${AGGREGATE_NAMES.join(', ')} (default geomean)`)
    .option('--constraint <limit>', 'METRIC<=LIMIT or METRIC>=LIMIT on every trace, LIMIT a ratio to the baseline (1.2x) or with a unit (500ns, 400mW); repeatable', collect, [])
    .option('--objective <name>', `${OBJECTIVES.join(', ')} (default power)`)
    .option('--target <x>', 'the target value (joint: POWER_MW,LATENCY_NS)')
    .option('--budget <n>', 'evaluations (environment steps) the agent may take (default 2000)')
    .option('--seed <n>', 'all randomness comes from it (default 1)')
    .option('--reward <kind>', 'log (default) or archgym')
    .option('--space <name|file>', 'the design space (default reference)')
    .option('--memspec <name|file>', 'memspec preset or file (default ddr3-1600)')
    .option('--addressmapping <name|file>', "address mapping (default: the memspec preset's)")
    .option('--clk-mhz <mhz>', 'trace-player clock in MHz')
    .option('--workers <n>', 'simulate on this many worker threads (default 1)')
    .option('--queue <url>', 'simulate on `marl-dse worker` processes through the Redis queue at URL (redis://HOST:PORT)')
    .option('--episode-length <n>', 'steps per episode (default 1, the published setup)')
    .option('--grouping <g>', 'marl: one agent per parameter (default) or per slice')
    .option('--hp <name=value>', 'an agent hyperparameter (repeatable); `--hp help` lists the agent\'s', collect, [])
    .option('--backend <name>', 'TensorFlow.js backend: auto, wasm, cpu, tensorflow (default auto)')
    .option('--db <file>', `the run store (default ${DEFAULT_DB})`)
    .option('--checkpoint-every <n>', 'checkpoint the agent every n evaluations (default 64)')
    .option('--config <file>', 'the same options in a JSON or YAML file (flags override it)')
    .option('--resume <run>', 'continue a stored run to its budget')
    .option('--json', 'print the summary as one JSON object')
    .option('--best-out <dir>', "write the best design's memspec, address mapping and mcconfig as DRAMSys JSON files into DIR")
    .option('--serve', 'watch the search live: start the dashboard on its store first (kept serving afterwards on a terminal, until Ctrl-C)')
    .option('--port <n>', `the dashboard port with --serve (default ${DEFAULT_PORT}; 0: any free port)`)
    .action(async (flags: SearchCliFlags) => {
      if (wantsHyperparameterHelp(flags)) {
        process.stdout.write(hyperparameterHelp(flags));
        return;
      }
      const interruption = interruptible('stopping the search; the run can be resumed');
      let bar: Progress = { update() {}, stop() {} };
      let server: ServerHandle | null = null;
      /** The run the dashboard opens on. */
      let watched: number | undefined;
      let best = '—';
      let unit = '';
      let space: { space: string; options: unknown } | null = null;
      let started = 0;
      const hooks: SearchHooks = {
        signal: interruption.signal,
        onStart: (runId, opts) => {
          bar.stop();
          // The page opens on this run: its evaluations appear live from the first one.
          if (server) process.stderr.write(servingMessage(server, runId));
          watched = runId;
          unit = objectiveUnit(opts.objective, opts.aggregate);
          space = { space: opts.space, options: opts };
          started = performance.now();
          bar = progressBar(opts.budget, ` run ${runId} ${opts.agent} |{bar}| {value}/{total} evaluations | best {best} | {rate}/s | ETA {eta_formatted}`);
        },
        onEvaluation: (e) => {
          best = withUnit(e.best, unit);
          const seconds = (performance.now() - started) / 1000;
          bar.update(e.index + 1, { best, rate: seconds > 0 ? ((e.index + 1) / seconds).toFixed(1) : '—' });
        },
      };
      try {
        let summary: SearchSummary;
        if (flags.port !== undefined && !flags.serve) throw new InputError('--port: only with --serve (the dashboard\'s port)');
        if (flags.resume !== undefined) {
          // A resumed run keeps the options it was started with; only where it runs may change.
          const fixed = (Object.keys(flags) as Array<keyof SearchCliFlags>).filter((k) => !RESUME_FLAGS.has(k) && flags[k] !== undefined && !(Array.isArray(flags[k]) && flags[k].length === 0));
          if (fixed.length > 0) {
            throw new InputError(`${flagName(String(fixed[0]))}: a resumed run keeps the options it started with (with --resume give only --db, --queue, --serve, --port, --json, --best-out)`);
          }
          const id = Number(flags.resume);
          if (!Number.isSafeInteger(id) || id < 1) throw new InputError(`--resume ${flags.resume}: expected a run number`);
          const db = flags.db ?? DEFAULT_DB;
          if (!existsSync(db)) throw new InputError(`--db ${db}: no such run store (nothing to resume)`);
          if (flags.serve) server = await startSearchDashboard(db, flags.port);
          summary = await resumeRun(db, id, hooks, flags.queue ? { queue: flags.queue } : {});
        } else {
          const opts = resolveSearchOptions(flags);
          if (flags.serve) server = await startSearchDashboard(opts.db, flags.port);
          summary = await runSearch(opts, hooks);
        }
        bar.stop();
        if (flags.json) {
          const { status: _status, ...rest } = summary;
          process.stdout.write(JSON.stringify(rest) + '\n');
        } else process.stdout.write(printSummary(summary, summary.front && space ? (runSpace(space)?.base ?? null) : null));
        if (flags.bestOut !== undefined) {
          if (!summary.bestConfig || !summary.bestDevice) throw new InputError(`--best-out ${flags.bestOut}: the run has no single best design${summary.front ? ' (a pareto run has a front)' : ''}`);
          writeDramsysFiles(flags.bestOut, { ...summary.bestDevice, mcconfig: mcConfigToJson(summary.bestConfig) }, '--best-out');
        }
        if (summary.status === 'interrupted') {
          process.stderr.write(`run ${summary.runId} interrupted after ${summary.evaluations} evaluations; continue it with: marl-dse search --resume ${summary.runId}${flags.db ? ` --db ${flags.db}` : ''}\n`);
          process.exitCode = signalExitCode(interruption.received() ?? 'SIGINT');
        }
        // On a terminal the user is watching: keep the page up. Otherwise (CI, scripts) end with the search.
        if (server && process.stdout.isTTY && summary.status === 'finished') {
          interruption.dispose();
          process.stderr.write(`search done; the dashboard stays at ${pageUrl(server, watched)} until Ctrl-C\n`);
          await untilInterrupted();
        }
      } finally {
        bar.stop();
        interruption.dispose();
        await server?.close();
      }
    });
}
