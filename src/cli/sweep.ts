/** `marl-dse sweep`: the ground truth, every design of a space on one trace. */
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import { formatNumber, withUnit } from '../../common/format.js';
import { inProcessBackend, SharedMapMemo } from '../evaluator/evaluator.js';
import { createPoolBackend } from '../evaluator/pool.js';
import { suiteEvaluator } from '../evaluator/suite.js';
import { loadSuiteWorkloads } from '../evaluator/workload.js';
import { composeSuite } from '../../traces/suites.js';
import { METRICS } from '../metrics.js';
import { loadSpace } from '../space/builtin.js';
import { describeDesign } from '../space/space.js';
import { enumerableSize, validDesignAt } from '../space/masks.js';
import { sweep } from '../sweep.js';
import { progressBar } from './progress.js';
import { interruptible, signalExitCode, collect } from './program.js';
import { COMMANDS } from './commands.js';

/** Designs per evaluation per simulation thread: a sweep killed outright loses at most twice this per thread. */
const SWEEP_CHUNK_PER_WORKER = 8;

export function parseWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InputError(`--workers ${raw}: expected an integer from 1 to 256`);
  return n;
}

interface SweepFlags {
  /** Repeatable: two or more, or with --suite, sweep a suite. */
  trace: string[];
  suite?: string;
  space: string;
  memspec: string;
  addressmapping?: string;
  clkMhz?: string;
  workers?: string;
  out: string;
  json?: boolean;
}

export function registerSweepCommand(program: Command): void {
  program
    .command('sweep')
    .description(COMMANDS.sweep.description)
    .option('--trace <trace>', 'builtin:NAME, a gen: spec, or a trace file (.stl, Ramulator, DRAMsim3); repeatable: a suite', collect, [])
    .option('--suite <name|file>', 'a suite (suite:kernels, suite:cloud, suite:reference or a suite file): each design on every trace')
    .requiredOption('--out <file.csv>', 'one row per design, in design order')
    .option('--space <name|file>', 'built-in space or space JSON file', 'reference')
    .option('--memspec <name|file>', 'memspec preset or file', 'ddr3-1600')
    .option('--addressmapping <name|file>', "address mapping (default: the memspec preset's)")
    .option('--clk-mhz <mhz>', 'trace-player clock in MHz')
    .option('--workers <n>', 'worker threads (default 1: in-process)')
    .option('--json', 'print the summary as one JSON object')
    .action(async (flags: SweepFlags) => {
      const clkMhz = flags.clkMhz === undefined ? undefined : Number(flags.clkMhz);
      if (clkMhz !== undefined && !(clkMhz > 0)) throw new InputError(`--clk-mhz ${flags.clkMhz}: expected a positive number of MHz`);
      const space = loadSpace(flags.space);
      const workers = parseWorkers(flags.workers);
      const suite = composeSuite(flags.suite, flags.trace);
      const workloads = loadSuiteWorkloads(suite, { memspec: flags.memspec, addressmapping: flags.addressmapping, clkMhz });
      const interruption = interruptible('stopping the sweep; every finished row stays in its file');
      // A shared memo: equivalent designs in two chunks in flight share one simulation.
      const backend = workers > 1 ? createPoolBackend(workers) : { backend: inProcessBackend, close: async () => {} };
      const evaluator = suiteEvaluator(
        workloads,
        suite.entries.map((e) => e.weight),
        suite.entries.map((e) => e.trace),
        { ...backend, memo: new SharedMapMemo() },
        interruption.signal,
      );
      const total = enumerableSize(space, 'sweep');
      const bar = progressBar(total, ' sweep |{bar}| {value}/{total} designs | {sims} simulations | ETA {eta_formatted}');
      try {
        const r = await sweep({
          space,
          evaluator,
          out: flags.out,
          chunk: SWEEP_CHUNK_PER_WORKER * workers,
          inFlight: 2,
          onProgress: (p) => bar.update(p.done, { sims: p.simulations }),
          signal: interruption.signal,
        });
        bar.stop();
        const summary = {
          trace: suite.name,
          space: space.name,
          designs: total,
          completed: r.designs,
          resumedFrom: r.resumedFrom,
          simulations: r.simulations,
          cacheHits: r.cacheHits,
          wallSeconds: Number(r.wallSeconds.toFixed(3)),
          out: flags.out,
          bestPower: { averagePowerMw: r.best.averagePowerMw.value, design: describeDesign(space, validDesignAt(space, r.best.averagePowerMw.index)) },
          bestLatency: { totalTimeNs: r.best.totalTimeNs.value, design: describeDesign(space, validDesignAt(space, r.best.totalTimeNs.index)) },
        };
        if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
        else {
          process.stdout.write(
            `${r.designs === total ? 'swept' : 'interrupted after'} ${formatNumber(r.designs)} of ${formatNumber(total)} designs of ${space.name} on ${suite.name}` +
              `${r.resumedFrom ? ` (resumed at ${formatNumber(r.resumedFrom)})` : ''}: ${formatNumber(r.simulations)} simulations, ${formatNumber(r.cacheHits)} cache hits, ${r.wallSeconds.toFixed(1)} s → ${flags.out}\n` +
              `lowest power   ${withUnit(summary.bestPower.averagePowerMw, METRICS.averagePowerMw.unit)}  ${JSON.stringify(summary.bestPower.design)}\n` +
              `lowest latency ${withUnit(summary.bestLatency.totalTimeNs, METRICS.totalTimeNs.unit)}  ${JSON.stringify(summary.bestLatency.design)}\n`,
          );
        }
        if (r.designs < total) {
          process.stderr.write(`the same command continues the sweep after design ${formatNumber(r.designs)}\n`);
          process.exitCode = signalExitCode(interruption.received() ?? 'SIGINT');
        }
      } finally {
        interruption.dispose();
        bar.stop();
        await evaluator.close();
      }
    });
}
