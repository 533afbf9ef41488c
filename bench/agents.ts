/**
 * Agents head to head on one space and objective: per trace, how many seeds find the best design
 * and the median evaluations it took (the true optimum from a sweep under bench-results/sweeps/
 * when there is one, else the best value any run found), the median gap of the final best, and each
 * agent's own CPU milliseconds per evaluation (a run's mean, the median over runs) against the
 * simulator's CPU milliseconds per simulation (Optuna: its process's CPU time per trial).
 *
 *   node dist/bench/agents.js [--agents LIST] [--traces cloud-1,cloud-2] [--space reference]
 *                             [--objective latency] [--seeds 5] [--budget 1000] [--name NAME]
 *
 * LIST is comma-separated: an agent (`tpe`), an agent with hyperparameters (`tpe:multivariate=true`,
 * `marl:counterfactual=true:centralizedCritic=true`), or Optuna's own TPESampler through
 * bench/optuna_tpe.py (`optuna`, `optuna:multivariate`, `optuna:ordinal`), which asks this process
 * to evaluate its designs (needs python3-optuna; `--python` names the interpreter, default
 * /usr/bin/python3).
 * Each run is kept in bench-results/agents/NAME/ as it finishes, so an interrupted bench resumes;
 * the table goes to stdout and bench-results/agents/NAME/summary.json. Not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AGENTS, type AgentName, createAgent, LEARNING_AGENTS, loadAgents } from '../agents/index.js';
import { initBackend } from '../agents/nn.js';
import { parseLabel } from './labels.js';
import { timedBatch } from './timed.js';
import { packageRoot } from '../simulators/dram/presets.js';
import { median } from '../src/compare/stats.js';
import { DramEnv } from '../src/env/dram-env.js';
import { inProcessEvaluator, loadWorkload, MapMemo } from '../src/evaluator/index.js';
import { objectiveDirection, objectiveMetric, parseObjectiveName } from '../src/objectives.js';
import { problemOf } from '../src/search/runner.js';
import { loadSpace } from '../src/space/builtin.js';
import { spaceSize } from '../src/space/masks.js';
import { sweepBest } from '../src/sweep.js';

const root = packageRoot();
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const agents = arg('agents', 'tpe,tpe:multivariate=true,optuna,optuna:multivariate').split(',');
const traces = arg('traces', 'cloud-1,cloud-2').split(',');
const spaceName = arg('space', 'reference');
const objective = parseObjectiveName(arg('objective', 'latency'));
const seeds = Number(arg('seeds', '5'));
const budget = Number(arg('budget', '1000'));
const python = arg('python', '/usr/bin/python3');
const name = arg('name', `${spaceName}-${objective}`);
const dir = join(root, 'bench-results', 'agents', name);
const space = loadSpace(spaceName);
const minimise = objectiveDirection(objective) === 'min';

interface RunResult {
  values: number[];
  /** The agent's (or Optuna's) CPU milliseconds per evaluation, one per evaluation. */
  agentMs: number[];
  /** CPU milliseconds spent simulating, and how many simulations (marl-dse agents only). */
  simMs: number;
  simulations: number;
}

async function runAgent(agent: AgentName, hp: Record<string, unknown>, trace: string, seed: number, memo: MapMemo): Promise<RunResult> {
  const evaluator = inProcessEvaluator(loadWorkload({ trace: `builtin:${trace}` }), memo);
  const env = new DramEnv({ space, evaluator, objective: { name: objective } });
  const [obs] = await env.reset(seed);
  const a = createAgent(agent, problemOf(space, obs.length), { seed, hyperparameters: hp });
  a.begin(obs);
  const out: RunResult = { values: [], agentMs: [], simMs: 0, simulations: 0 };
  while (out.values.length < budget) {
    const { results, agentMsPerDesign, evaluationMs } = await timedBatch(a, env, budget - out.values.length);
    const simulated = evaluator.lastSimulated().filter(Boolean).length;
    if (simulated > 0) {
      out.simMs += evaluationMs;
      out.simulations += simulated;
    }
    for (const [, , , , info] of results) {
      out.values.push(info.value);
      out.agentMs.push(agentMsPerDesign);
    }
  }
  a.dispose();
  await evaluator.close();
  return out;
}

/** Optuna's TPESampler (bench/optuna_tpe.py) on the same task, its designs evaluated here. */
async function runOptuna(hp: Record<string, unknown>, trace: string, seed: number, memo: MapMemo): Promise<RunResult> {
  const env = new DramEnv({ space, evaluator: inProcessEvaluator(loadWorkload({ trace: `builtin:${trace}` }), memo), objective: { name: objective } });
  const [obs] = await env.reset(seed);
  const ordered = problemOf(space, obs.length).ordered!;
  const flags = [...(hp.multivariate ? ['--multivariate'] : []), ...(hp.ordinal ? ['--ordinal'] : []), '--direction', minimise ? 'minimize' : 'maximize'];
  const py = spawn(python, [join(root, 'bench', 'optuna_tpe.py'), '--seed', String(seed), '--budget', String(budget), ...flags], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => py.on('close', resolve));
  const send = (x: unknown): boolean => py.stdin.write(JSON.stringify(x) + '\n');
  send({ parameters: space.parameters.map((p, i) => ({ name: p.name, values: p.values, ordered: ordered[i] })) });
  let result: RunResult | null = null;
  for await (const line of createInterface({ input: py.stdout })) {
    const msg = JSON.parse(line) as { design?: number[]; values?: number[]; samplerMs?: number[] };
    if (msg.design) {
      const [[, , , , info]] = await env.stepMany([msg.design]);
      send({ value: info.value });
    } else if (msg.values && msg.samplerMs) {
      result = { values: msg.values, agentMs: msg.samplerMs, simMs: 0, simulations: 0 };
      py.stdin.end();
    }
  }
  const status = await exited;
  if (status !== 0 || !result) throw new Error(`optuna_tpe.py failed (exit ${status})`);
  return result;
}

const better = (a: number, b: number): boolean => (minimise ? a < b : a > b);
const rows: Array<Record<string, unknown>> = [];
for (const trace of traces) {
  const memo = new MapMemo();
  const runs = new Map<string, RunResult[]>();
  for (const label of agents) {
    const { agent, hp } = parseLabel(label);
    const isOptuna = agent === 'optuna';
    if (!isOptuna && !(AGENTS as readonly string[]).includes(agent)) throw new Error(`unknown agent ${agent}`);
    if (LEARNING_AGENTS.includes(agent as AgentName)) {
      await loadAgents([agent as AgentName]);
      await initBackend('auto');
    }
    const list: RunResult[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const file = join(dir, trace, label.replace(/[^A-Za-z0-9=.-]+/g, '_'), `seed-${seed}.json`);
      if (existsSync(file)) {
        list.push(JSON.parse(readFileSync(file, 'utf8')) as RunResult);
        continue;
      }
      const t0 = performance.now();
      const r = isOptuna ? await runOptuna(hp, trace, seed, memo) : await runAgent(agent as AgentName, hp, trace, seed, memo);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify(r));
      console.error(`${trace} ${label} seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      list.push(r);
    }
    runs.set(label, list);
  }
  // The best design: the sweep's optimum when the space has been swept, else the best any run found.
  const sweep = join(root, 'bench-results', 'sweeps', `${trace}.csv`);
  const metric = objectiveMetric(objective);
  const complete = spaceName === 'reference' && existsSync(`${sweep}.meta.json`) && readFileSync(sweep, 'utf8').split('\n').length >= spaceSize(space) + 2;
  const swept = complete && metric !== null ? sweepBest(sweep, metric) : null;
  let best = swept?.value ?? NaN;
  if (swept === null) for (const list of runs.values()) for (const r of list) for (const v of r.values) if (Number.isNaN(best) || better(v, best)) best = v;
  const source = swept ? `the optimum of a sweep of all ${spaceSize(space).toLocaleString('en-US')} designs` : 'the best value any run found';
  console.log(`\n${trace}, ${objective} on ${spaceName}, ${seeds} seeds × ${budget} evaluations; best ${best} (${source})`);
  const allSimMs = [...runs.values()].flat().reduce((a, r) => a + r.simMs, 0);
  const allSims = [...runs.values()].flat().reduce((a, r) => a + r.simulations, 0);
  const simMs = allSims > 0 ? allSimMs / allSims : NaN;
  for (const [label, list] of runs) {
    const toBest = list.map((r) => {
      const i = r.values.findIndex((v) => !better(best, v));
      return i < 0 ? budget + 1 : i + 1;
    });
    const found = toBest.filter((n) => n <= budget).length;
    const gap = list.map((r) => (Math.abs((minimise ? Math.min(...r.values) : Math.max(...r.values)) - best) / Math.abs(best)) * 100);
    // Agent time per evaluation: each run's mean (learners spend it in bursts), the median over runs.
    const ms = median(list.map((r) => r.agentMs.reduce((a, b) => a + b, 0) / r.agentMs.length));
    const med = median(toBest);
    const row = { trace, agent: label, best, found, seeds: list.length, evaluationsToBest: toBest, medianEvaluationsToBest: med, medianFinalGapPct: median(gap), agentMsPerEval: ms, simMsPerSimulation: simMs };
    rows.push(row);
    console.log(
      `  ${label.padEnd(44)} ${found}/${list.length} found · median ${med > budget ? 'never'.padStart(5) : String(med).padStart(5)} evaluations (${toBest.join(' ')}) · final gap ${median(gap).toFixed(2)} % · agent ${ms.toFixed(2)} ms/eval (sim ${simMs.toFixed(2)} ms), CPU`,
    );
  }
}
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'summary.json'), JSON.stringify(rows, null, 2) + '\n');
