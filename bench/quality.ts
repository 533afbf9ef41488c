/**
 * The agents' quality bar, from a batch comparison against the ground truth: on each built-in
 * trace and for power and latency, how close each agent gets to the true optimum of the reference
 * space within 500 and 2,000 evaluations (median over seeds), how many seeds come within 1 % and how
 * many find the exact optimum (with the median evaluations it took), and
 * each agent's own milliseconds per evaluation next to the simulator's.
 *
 *   node dist/bench/quality.js [--dir bench-results/compare]
 *
 * Runs the sweeps (bench-results/sweeps/) and the full default comparison first if they are missing;
 * both resume if interrupted. Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../simulators/dram/presets.js';
import { DEFAULT_MCCONFIG } from '../simulators/dram/mcconfig.js';
import { simulate } from '../simulators/dram/simulate.js';
import { cellKey } from '../src/compare/matrix.js';
import { median } from '../src/compare/stats.js';
import { objectiveMetric } from '../src/objectives.js';
import type { AgentName } from '../agents/index.js';
import { loadWorkload } from '../src/evaluator/workload.js';
import { RunStore } from '../src/store/store.js';
import { sweepBest } from '../src/sweep.js';

const root = packageRoot();
const cli = join(root, 'dist', 'src', 'cli.js');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const dir = arg('dir', join(root, 'bench-results', 'compare'));
const sweeps = join(root, 'bench-results', 'sweeps');
const traces = ['stream', 'random', 'cloud-1', 'cloud-2'];
mkdirSync(sweeps, { recursive: true });

function run(args: string[]): void {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`marl-dse ${args.join(' ')} failed`);
  console.error(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}

for (const t of traces) {
  const csv = join(sweeps, `${t}.csv`);
  const meta = `${csv}.meta.json`;
  const complete = existsSync(meta) && readFileSync(csv, 'utf8').split('\n').length >= 442_370;
  if (!complete) {
    console.error(`sweeping builtin:${t} …`);
    run(['sweep', '--trace', `builtin:${t}`, '--workers', '2', '--out', csv, '--json']);
  }
}
if (!existsSync(join(dir, 'summary.json'))) {
  console.error('comparing (the full default matrix) …');
  const resume = existsSync(join(dir, 'compare.json'));
  run(resume ? ['compare', '--resume', dir] : ['compare', '--traces', traces.map((t) => `builtin:${t}`).join(','), '--workers', '2', '--ground-truth', sweeps, '--out', dir]);
}

const state = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as { spec: { agents: string[]; objectives: string[]; seeds: number; budget: number }; runs: Record<string, number> };
const store = RunStore.open(join(dir, 'runs.sqlite'), { readonly: true });
const rows: Array<Record<string, unknown>> = [];
for (const t of traces) {
  const w = loadWorkload({ trace: `builtin:${t}` });
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) simulate(w.trace, w.memspec, w.mapping, DEFAULT_MCCONFIG);
  const simMs = (performance.now() - t0) / 20;
  for (const objective of ['power', 'latency'] as const) {
    const optimum = sweepBest(join(sweeps, `${t}.csv`), objectiveMetric(objective)!)!.value;
    for (const agent of state.spec.agents) {
      const g500: number[] = [], g2000: number[] = [], ms: number[] = [], toExact: number[] = [];
      for (let seed = 1; seed <= state.spec.seeds; seed++) {
        const id = state.runs[cellKey({ agent: agent as AgentName, trace: `builtin:${t}`, objective, seed })];
        const evals = store.evaluations(id);
        const bestAt = (n: number): number => Math.min(...evals.slice(0, n).map((e) => e.value));
        g500.push((bestAt(500) / optimum - 1) * 100);
        g2000.push((bestAt(state.spec.budget) / optimum - 1) * 100);
        ms.push(evals.reduce((a, e) => a + e.agentMs, 0) / evals.length);
        // Evaluations until the exact optimum (the budget + 1 when never found).
        const hit = evals.findIndex((e) => e.value <= optimum);
        toExact.push(hit < 0 ? state.spec.budget + 1 : hit + 1);
      }
      const row = { trace: t, objective, agent, optimum, gap500Pct: median(g500), gap2000Pct: median(g2000), within1Pct: g2000.filter((g) => g <= 1).length,
        exact: toExact.filter((n) => n <= state.spec.budget).length, medianEvaluationsToExact: median(toExact), agentMsPerEval: median(ms), simMsPerEval: simMs };
      rows.push(row);
      console.log(
        `${t.padEnd(8)} ${objective.padEnd(8)} ${agent.padEnd(7)} gap@500 ${row.gap500Pct.toFixed(2).padStart(6)} %  gap@${state.spec.budget} ${row.gap2000Pct.toFixed(2).padStart(6)} %  ` +
          `${row.within1Pct}/${state.spec.seeds} within 1 %  ${row.exact}/${state.spec.seeds} exact (median ${row.medianEvaluationsToExact > state.spec.budget ? 'never' : `${row.medianEvaluationsToExact} evals`})  agent ${row.agentMsPerEval.toFixed(2)} ms/eval  simulator ${simMs.toFixed(2)} ms/eval`,
      );
    }
  }
}
store.close();
writeFileSync(join(root, 'bench-results', 'quality.json'), JSON.stringify(rows, null, 2) + '\n');
