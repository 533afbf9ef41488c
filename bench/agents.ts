/**
 * The agents' quality bar: on each built-in trace and for power and latency, how close each agent
 * gets to the true optimum of the reference space (from a full sweep) within 500 and 2,000
 * evaluations, median over 5 seeds; and each agent's own time per evaluation next to the
 * simulator's. Not part of `npm test`: `node dist/bench/agents.js [--traces a,b] [--seeds N]`.
 * Sweeps are cached in bench-results/sweeps/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENTS } from '../agents/index.js';
import { MapMemo } from '../src/evaluator/evaluator.js';
import { loadWorkload } from '../src/evaluator/workload.js';
import { DEFAULT_DB, type SearchOptions } from '../src/search/options.js';
import { runSearch } from '../src/search/runner.js';
import { sweepBest } from '../src/sweep.js';
import { simulate } from '../simulators/dram/simulate.js';
import { DEFAULT_MCCONFIG } from '../simulators/dram/mcconfig.js';
import { packageRoot } from '../simulators/dram/presets.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const traces = arg('traces', 'builtin:stream,builtin:random,builtin:cloud-1,builtin:cloud-2').split(',');
const seeds = Number(arg('seeds', '5'));
const budget = Number(arg('budget', '2000'));
const agents = arg('agents', AGENTS.join(',')).split(',');
const objectives = ['power', 'latency'] as const;
const root = packageRoot();
const outDir = join(root, 'bench-results');
mkdirSync(join(outDir, 'sweeps'), { recursive: true });
void DEFAULT_DB;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results: Array<Record<string, unknown>> = [];
for (const trace of traces) {
  const name = trace.replace(/^builtin:/, '');
  const csv = join(outDir, 'sweeps', `${name}.csv`);
  if (!existsSync(csv) || !existsSync(`${csv}.meta.json`) || (sweepBest(csv, 'totalTimeNs') === null)) {
    console.error(`sweeping ${trace} (reference space) …`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli.js'), 'sweep', '--trace', trace, '--workers', '2', '--out', csv, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sweep of ${trace} failed`);
    console.error(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${r.stdout.trim().slice(0, 200)}`);
  }
  const optimum = { power: sweepBest(csv, 'averagePowerMw')!.value, latency: sweepBest(csv, 'totalTimeNs')!.value };
  const w = loadWorkload({ trace });
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) simulate(w.trace, w.memspec, w.mapping, DEFAULT_MCCONFIG);
  const simMs = (performance.now() - t0) / 20;
  const memo = new MapMemo();
  const db = join(mkdtempSync(join(tmpdir(), 'marl-dse-bench-')), 'runs.sqlite');
  for (const objective of objectives) {
    for (const agent of agents) {
      const gaps500: number[] = [];
      const gaps2000: number[] = [];
      const agentMs: number[] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        const values: number[] = [];
        let ms = 0;
        const opts: SearchOptions = {
          agent: agent as SearchOptions['agent'], trace, memspec: 'ddr3-1600', space: 'reference', objective, reward: 'log',
          budget, seed, workers: 1, episodeLength: 1, backend: 'auto', grouping: 'parameter', hyperparameters: {}, db, checkpointEvery: 100_000,
        };
        await runSearch(opts, { onEvaluation: (e) => { values.push(e.value); ms += e.agentMs; } }, { memo });
        const bestAt = (n: number): number => Math.min(...values.slice(0, n));
        gaps500.push((bestAt(500) / optimum[objective] - 1) * 100);
        gaps2000.push((bestAt(budget) / optimum[objective] - 1) * 100);
        agentMs.push(ms / values.length);
      }
      const row = {
        trace, objective, agent, optimum: optimum[objective],
        gap500Pct: median(gaps500), gap2000Pct: median(gaps2000),
        within1PctAt2000: gaps2000.filter((g) => g <= 1).length, seeds,
        agentMsPerEval: median(agentMs), simMsPerEval: simMs,
      };
      results.push(row);
      console.log(
        `${trace.padEnd(16)} ${objective.padEnd(8)} ${agent.padEnd(7)} gap@500 ${row.gap500Pct.toFixed(2).padStart(7)} %  gap@${budget} ${row.gap2000Pct.toFixed(2).padStart(7)} %  ` +
          `(${row.within1PctAt2000}/${seeds} within 1 %)  agent ${row.agentMsPerEval.toFixed(2)} ms/eval  simulator ${simMs.toFixed(2)} ms/eval`,
      );
    }
  }
  rmSync(db, { force: true });
}
writeFileSync(join(outDir, 'agents.json'), JSON.stringify(results, null, 2) + '\n');
