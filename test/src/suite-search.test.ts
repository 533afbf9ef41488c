/**
 * Searches on suites, end to end: the CLI on suite:kernels with a constraint, what the store keeps
 * per trace, a constraint nothing meets, config files, bad input, and a resumed suite run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulate } from '../../simulators/dram/simulate.js';
import { loadWorkload } from '../../src/evaluator/workload.js';
import { resolveSearchOptions, type SearchOptions } from '../../src/search/options.js';
import { resumeRun, runSearch } from '../../src/search/runner.js';
import { loadSpace } from '../../src/space/builtin.js';
import { designToConfig } from '../../src/space/space.js';
import { type EvaluationRecord, RunStore } from '../../src/store/store.js';
import { toEvaluationEvent } from '../../src/server/shape.js';
import { BUILTIN_SUITES } from '../../traces/suites.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-suite-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function stored(db: string, run = 1): EvaluationRecord[] {
  const s = RunStore.open(db, { readonly: true });
  try {
    return s.evaluations(run);
  } finally {
    s.close();
  }
}

const space = loadSpace('reference');
/** Two small traces: a suite that simulates quickly. */
const SMALL = ['--trace', 'gen:gups:requests=600', '--trace', 'gen:stencil:requests=600'];

describe('search --suite', () => {
  it('suite:kernels with a constraint: the best design is feasible on every trace, and the store keeps each trace as simulate gives it', () => {
    const db = join(dir, 'kernels.sqlite');
    const r = cli('search', '--suite', 'suite:kernels', '--objective', 'latency', '--constraint', 'power<=1.5x', '--agent', 'random', '--budget', '6', '--seed', '2', '--db', db, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ trace: 'suite:kernels', aggregate: 'geomean', constraints: ['power<=1.5x'], evaluations: 6 });
    expect(s.bestTraces.map((t: { trace: string }) => t.trace)).toEqual(BUILTIN_SUITES.kernels.traces);
    expect(s.bestTraces.every((t: { feasible: boolean }) => t.feasible)).toBe(true);
    const evals = stored(db);
    expect(evals).toHaveLength(6);
    const feasible = evals.filter((e) => e.feasible);
    expect(s.feasibleEvaluations).toBe(feasible.length);
    expect(feasible.length).toBeGreaterThan(0);
    expect(feasible.length).toBeLessThan(6);
    expect(s.bestValue).toBe(Math.min(...feasible.map((e) => e.value)));
    // Each trace's stored figures are those of simulating it alone; the value is their geomean of ratios.
    const best = evals.find((e) => e.value === s.bestValue && e.feasible)!;
    const baseline = evals[0].traces!.map((t) => t.stats.totalTimeNs / t.normalised!);
    best.traces!.forEach((t, k) => {
      const w = loadWorkload({ trace: t.trace });
      expect(t.stats).toEqual(simulate(w.trace, w.memspec, w.mapping, designToConfig(space, best.design), { clkMhz: w.clkMhz }));
      expect(t.value).toBe(t.stats.totalTimeNs);
      expect(t.normalised).toBeCloseTo(t.stats.totalTimeNs / baseline[k], 12);
      expect(t.simulated).toBe(true);
    });
    expect(s.simulations).toBe(evals.reduce((n, e) => n + e.traces!.filter((t) => t.simulated).length, 0));
    // runs show: the aggregate and each trace of the best design.
    const show = cli('runs', 'show', String(s.runId), '--db', db);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/objective\s+│ latency, geomean of each trace's value \/ the baseline design's/);
    expect(show.stdout).toMatch(/constraints \(every trace\)\s+│ power<=1\.5x/);
    expect(show.stdout).toMatch(/best value\s+│ [\d.]+ × baseline at evaluation \d/);
    expect(show.stdout).toMatch(/│ gen:pointer-chase:requests=2000 +│ 1 +│ [\d,.]+ +│ [\d.]+ +│ met +│/);
    const json = JSON.parse(cli('runs', 'show', String(s.runId), '--db', db, '--json').stdout);
    expect(json.best.traces).toHaveLength(6);
    // The dashboard's events carry the aggregate and each trace's value.
    const event = toEvaluationEvent(best);
    expect(event.value).toBe(s.bestValue);
    expect(event.traces!.map((t) => t.value)).toEqual(best.traces!.map((t) => t.value));
  }, 240_000);

  it('a constraint no design meets: no best design, said plainly, and no target reached', () => {
    const db = join(dir, 'impossible.sqlite');
    const args = ['search', ...SMALL, '--objective', 'latency', '--constraint', 'power<=1mW', '--target', '2', '--agent', 'random', '--budget', '5', '--db', db];
    const r = cli(...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/best value\s+│ no feasible design: each of the 5 evaluated breaks a constraint/);
    expect(r.stdout).toMatch(/constraints \(every trace\)\s+│ power<=1mW: met by 0 of 5 evaluations/);
    expect(r.stdout).not.toMatch(/best design/);
    const s = JSON.parse(cli(...args, '--json').stdout);
    expect(s).toMatchObject({ bestValue: null, bestConfig: null, bestTraces: null, feasibleEvaluations: 0, evaluationsToTarget: null });
    expect(stored(db).every((e) => e.feasible === false && Number.isNaN(e.best))).toBe(true);
    expect(cli('runs', 'show', '1', '--db', db).stdout).toMatch(/best value\s+│ no feasible design: each of the 5 evaluated breaks a constraint/);
    expect(cli('runs', 'list', '--db', db).stdout).toContain('gen:gups:requests=600+gen:stencil:requests=600');
  }, 120_000);

  it('one --trace with a constraint: the value stays in the metric\'s unit, infeasible designs flagged', () => {
    const db = join(dir, 'one.sqlite');
    const r = JSON.parse(cli('search', '--trace', 'gen:gups:requests=600', '--objective', 'power', '--constraint', 'latency<=0.9x', '--agent', 'random', '--budget', '6', '--db', db, '--json').stdout);
    expect(r.aggregate).toBeNull();
    const evals = stored(db);
    expect(evals.every((e) => e.traces === undefined && e.value === e.stats.averagePowerMw && typeof e.feasible === 'boolean')).toBe(true);
    expect(evals.some((e) => e.feasible)).toBe(true);
    expect(evals.some((e) => !e.feasible)).toBe(true);
    expect(r.bestValue).toBe(Math.min(...evals.filter((e) => e.feasible).map((e) => e.value)));
  }, 120_000);

  it('a --config file takes traces, suite, aggregate and constraints; flags override it', () => {
    const cfg = join(dir, 'suite.yaml');
    writeFileSync(cfg, 'traces: [gen:gups:requests=600, gen:stencil:requests=600]\naggregate: worst\nconstraints: ["p99-latency<=2x"]\nobjective: energy\n');
    const o = resolveSearchOptions({ config: cfg });
    expect(o).toMatchObject({ trace: 'gen:gups:requests=600+gen:stencil:requests=600', traces: ['gen:gups:requests=600', 'gen:stencil:requests=600'], aggregate: 'worst', constraints: ['p99-latency<=2x'] });
    expect(resolveSearchOptions({ config: cfg, suite: 'suite:cloud', trace: [] })).toMatchObject({ trace: 'suite:cloud+gen:gups:requests=600+gen:stencil:requests=600', suite: 'suite:cloud' });
    // A single --trace replaces the file's traces; the file's aggregate then has no suite.
    expect(() => resolveSearchOptions({ config: cfg, trace: ['builtin:stream'] })).toThrow(`${cfg}: aggregate: only for a suite (--suite, or two or more --trace)`);
    // One trace and nothing else: the search it always was.
    const single = resolveSearchOptions({ trace: 'builtin:stream' });
    expect(single.trace).toBe('builtin:stream');
    expect('traces' in single || 'aggregate' in single || 'constraints' in single).toBe(false);
  });

  const suiteFile = join(dir, 'bad-suite.json');
  writeFileSync(suiteFile, JSON.stringify({ traces: ['builtin:stream', { trace: 'gen:gups:requests=10:colour=red' }] }));
  const badConfig = join(dir, 'bad.yaml');
  writeFileSync(badConfig, 'trace: builtin:stream\nconstraints: ["power<400mW"]\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['--aggregate on one trace', ['--trace', 'builtin:stream', '--aggregate', 'worst'], /^marl-dse: --aggregate: only for a suite \(--suite, or two or more --trace\)$/],
    ['an unknown aggregate', [...SMALL, '--aggregate', 'mean'], /^marl-dse: --aggregate mean: unknown \(expected one of geomean, worst\)$/],
    ['an unknown suite', ['--suite', 'suite:spec'], /^marl-dse: suite suite:spec: unknown built-in suite/],
    ['a bad entry of a suite file', ['--suite', suiteFile], /^marl-dse: .*bad-suite\.json: traces\[1\]: trace gen:gups:requests=10:colour=red: "colour=red": expected OPTION=VALUE/],
    ['a malformed constraint', [...SMALL, '--constraint', 'power<400mW'], /^marl-dse: --constraint "power<400mW": expected METRIC<=LIMIT or METRIC>=LIMIT/],
    ['a malformed constraint in a config file', ['--config', badConfig], /^marl-dse: .*bad\.yaml: constraints "power<400mW": expected METRIC<=LIMIT/],
    ['a constraint in the wrong unit', [...SMALL, '--constraint', 'p99-latency<=3mW'], /^marl-dse: --constraint "p99-latency<=3mW": p99-latency is in ns; give ps, ns, us, µs, ms, s, or a ratio/],
    ['pareto on a suite', [...SMALL, '--objective', 'pareto'], /^marl-dse: objective pareto: not defined for a suite/],
    ['a trace given twice', ['--suite', 'suite:cloud', '--trace', 'builtin:cloud-2'], /^marl-dse: --trace builtin:cloud-2: builtin:cloud-2 is listed twice/],
  ];
  for (const [what, args, expected] of cases) {
    it(`rejects ${what}: one line, exit code 2, nothing stored`, () => {
      const db = join(dir, `bad-${what.replace(/\W+/g, '-')}.sqlite`);
      const r = cli('search', '--objective', 'latency', '--budget', '2', ...args, '--db', db);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(expected);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('a suite run resumed', () => {
  it('stopped part way and resumed, it gives the uninterrupted run evaluation by evaluation', async () => {
    const opts = (db: string): SearchOptions =>
      resolveSearchOptions({ ...{ trace: ['gen:gups:requests=500', 'gen:pointer-chase:requests=300:chains=4'] }, agent: 'ga', hp: ['population=8'], objective: 'edp', constraint: ['power<=1.5x'], budget: '40', seed: '5', checkpointEvery: '16', db });
    const ref = await runSearch(opts(join(dir, 'ref.sqlite')));
    const db = join(dir, 'stopped.sqlite');
    const stop = new AbortController();
    const first = await runSearch(opts(db), { signal: stop.signal, onEvaluation: (e) => e.index >= 20 && stop.abort(new Error('stop')) });
    expect(first.status).toBe('interrupted');
    expect(stored(db).length).toBe(24);
    const resumed = await resumeRun(db, first.runId);
    expect(resumed.status).toBe('finished');
    const strip = (e: EvaluationRecord) => ({ ...e, agentMs: 0 });
    expect(stored(db).map(strip)).toEqual(stored(join(dir, 'ref.sqlite')).map(strip));
    expect({ ...resumed, wallSeconds: 0, runId: 0 }).toEqual({ ...ref, wallSeconds: 0, runId: 0 });
    expect(stored(db).some((e) => e.feasible === false)).toBe(true);
  }, 240_000);
});
