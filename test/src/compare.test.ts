/** `marl-dse compare`: the statistics against known values, a small matrix end to end, bad input. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'parse5';
import { RunStore } from '../../src/store/store.js';
import { afterAll, describe, expect, it } from 'vitest';
import { cliffsDelta, holm, mannWhitneyU, meanCi95, medianCi, seedsForSignificance, smallestPValue, t975 } from '../../src/compare/stats.js';
import { COMPARE_DEFAULTS, type CellResult, type CompareSpec } from '../../src/compare/matrix.js';
import { smallSeedsWarning, summarise, writeReport } from '../../src/compare/report.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('statistics', () => {
  it('Mann-Whitney U: exact p-values as published', () => {
    // Complete separation of 5 and 5: p = 2 / C(10, 5).
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toEqual({ u: 0, pValue: 2 / 252, method: 'exact' });
    // SciPy's documented example (males vs females): U1 = 17, two-sided exact p = 0.1111.
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.u).toBe(17);
    expect(r.pValue).toBeCloseTo(0.1111, 4);
  });

  it('Mann-Whitney U: ties use the corrected normal approximation, symmetric in its samples', () => {
    const a = mannWhitneyU([1, 2, 2, 3, 3, 3], [3, 4, 4, 5, 6, 6]);
    const b = mannWhitneyU([3, 4, 4, 5, 6, 6], [1, 2, 2, 3, 3, 3]);
    expect(a.method).toBe('normal');
    expect(a.u + b.u).toBe(36);
    expect(a.pValue).toBeCloseTo(b.pValue, 12);
    // SciPy 1.x: mannwhitneyu(a, b, method='asymptotic', use_continuity=True) → U 1.5, p 0.0087328.
    expect(a.u).toBe(1.5);
    expect(a.pValue).toBeCloseTo(0.008732768512539, 12);
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).pValue).toBe(1);
  });

  it('confidence intervals, Cliff\'s delta and Holm', () => {
    // Published quantiles (NIST/SEMATECH e-Handbook, table 1.3.6.7.2): 2.776 for 4, 2.000 for 60 degrees of freedom.
    expect(t975(4)).toBeCloseTo(2.776445, 6);
    expect(t975(60)).toBeCloseTo(2.000298, 6);
    const ci = meanCi95([1, 2, 3, 4, 5])!;
    expect(ci[0]).toBeCloseTo(3 - (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
    expect(ci[1]).toBeCloseTo(3 + (2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
    expect(medianCi([5, 1, 4, 2, 3])).toEqual({ low: 1, high: 5, coverage: 1 - 2 / 32 });
    expect(medianCi(Array.from({ length: 20 }, (_, i) => i + 1)).low).toBe(6); // x(6)..x(15) at ≥ 95 %
    expect(cliffsDelta([1, 2], [3, 4])).toBe(-1);
    expect(cliffsDelta([1, 3], [2, 2])).toBe(0);
    const adjusted = holm([0.01, 0.04, 0.03]);
    expect(adjusted[0]).toBeCloseTo(0.03, 12);
    expect(adjusted[1]).toBeCloseTo(0.06, 12);
    expect(adjusted[2]).toBeCloseTo(0.06, 12);
  });
});

describe('small seed counts', () => {
  it('the smallest attainable p is that of a complete separation in the exact test: 2 / C(m + n, m)', () => {
    expect(smallestPValue(2, 2)).toBeCloseTo(1 / 3, 12);
    expect(smallestPValue(5, 5)).toBeCloseTo(2 / 252, 12);
    expect(smallestPValue(1, 1)).toBe(1);
    for (let m = 1; m <= 6; m++) for (let n = 1; n <= 6; n++) {
      const x = Array.from({ length: m }, (_, i) => i);
      const y = Array.from({ length: n }, (_, i) => 100 + i);
      expect(smallestPValue(m, n), `${m} vs ${n}`).toBeCloseTo(mannWhitneyU(x, y).pValue, 12);
    }
    expect(seedsForSignificance(0.05)).toBe(4); // 2/70 ≈ 0.029; 3 seeds give 2/20 = 0.1
    expect(seedsForSignificance(0.05, 4)).toBe(5); // Holm over 4: 4 · 2/70 ≈ 0.11, 4 · 2/252 ≈ 0.032
  });

  it('warns, in one line, when no test can reach significance, with the seeds that would', () => {
    expect(smallSeedsWarning({ agents: ['marl', 'random'], seeds: 2 })).toBe(
      '--seeds 2: the smallest two-sided Mann-Whitney p attainable with 2 runs per agent is 0.33, so no difference can be significant at 0.05; that needs --seeds 4',
    );
    expect(smallSeedsWarning({ agents: ['marl', 'ppo', 'sac', 'random', 'ga'], seeds: 4 })).toBe(
      "--seeds 4: the smallest two-sided Mann-Whitney p attainable with 4 runs per agent is 0.029, 0.11 after Holm's correction over 4 baselines, so no difference can be significant at 0.05; that needs --seeds 5",
    );
    expect(smallSeedsWarning({ agents: ['marl', 'random'], seeds: 4 })).toBeNull();
    expect(smallSeedsWarning({ agents: ['marl', 'ppo', 'sac', 'random', 'ga'], seeds: 5 })).toBeNull();
    expect(smallSeedsWarning({ agents: ['ppo', 'random'], seeds: 2 })).toBeNull(); // no MARL: nothing is tested
    expect(smallSeedsWarning({ agents: ['marl'], seeds: 1 })).toBeNull();
  });

  /** A report from made-up runs: marl and random on one cell with a target. */
  function report(seeds: number, runs: Array<Pick<CellResult, 'agent' | 'bestValue' | 'evaluationsToTarget'>>): string {
    const spec: CompareSpec = { ...COMPARE_DEFAULTS, agents: ['marl', 'random'], traces: ['builtin:stream'], objectives: ['latency'], seeds, budget: 30 };
    const results: CellResult[] = runs.map((r, i) => ({ ...r, trace: 'builtin:stream', objective: 'latency', seed: i, runId: i + 1, curve: [r.bestValue], simulations: 1, wallSeconds: 1 }));
    const key = 'builtin:stream|latency';
    const cells = summarise(spec, results, new Map([[key, null]]), new Map([[key, 15]]));
    const out = mkdtempSync(join(dir, 'report-'));
    writeReport({ dir: out, spec, results, cells, wallSeconds: 1, simulations: runs.length });
    return readFileSync(join(out, 'report.html'), 'utf8');
  }

  it("the report's caption and smallest p name the seeds used; counts print as 22 and 4.5", () => {
    const html = report(3, [
      { agent: 'marl', bestValue: 10, evaluationsToTarget: 4 },
      { agent: 'marl', bestValue: 12, evaluationsToTarget: 5 },
      { agent: 'marl', bestValue: 14, evaluationsToTarget: null },
      { agent: 'random', bestValue: 12, evaluationsToTarget: 20 },
      { agent: 'random', bestValue: 16, evaluationsToTarget: 22 },
      { agent: 'random', bestValue: 18, evaluationsToTarget: 24 },
    ]);
    // 3 runs: the range, which holds the median with probability 1 − 2/2³.
    expect(html).toContain('confidence interval of the median (with 3 seeds: the range, which holds the median with only 75 % confidence).</figcaption>');
    expect(html).not.toMatch(/with 5 seeds/);
    expect(html).toMatch(/With 3 seeds per agent the smallest possible p-value is\s+0\.1,/);
    // Median evaluations to target: MARL's (4 + 5) / 2, random's 22.
    expect(html).toMatch(/<tr><td>marl<\/td>.*<td>4\.5<\/td><\/tr>/);
    expect(html).toMatch(/<tr><td>random<\/td>.*<td>22<\/td><\/tr>/);
    // U: 1.5 on the best values (a tie counts ½), 3 on evaluations to target (a miss counts 31).
    expect(html).toMatch(/<td>MARL vs random<\/td><td>best value<\/td><td>1\.5<\/td>/);
    expect(html).toMatch(/<td>MARL vs random<\/td><td>evaluations to target<\/td><td>3<\/td>/);
  });

  it('with more seeds the caption says which runs bound the band', () => {
    const runs = Array.from({ length: 18 }, (_, i) => ({ agent: i < 9 ? ('marl' as const) : ('random' as const), bestValue: i, evaluationsToTarget: i + 1 }));
    // 9 runs: [x(2), x(8)] covers 1 − 2 · 10/512 ≈ 96 %.
    expect(report(9, runs)).toContain('(with 9 seeds: from the 2nd lowest to the 2nd highest run).</figcaption>');
    // 8 runs: [x(2), x(7)] would cover only 93 %; the range covers 99 %.
    expect(report(8, runs.filter((r) => r.bestValue !== 8 && r.bestValue !== 17))).toContain('(with 8 seeds: the range).</figcaption>');
  });
});

describe('marl-dse compare', () => {
  const out = join(dir, 'small');

  it('runs a small matrix and writes every file with the right rows and one chart per cell', () => {
    const config = join(dir, 'compare.yaml');
    writeFileSync(config, 'targets:\n  latency: 62000\n');
    const r = cli('compare', '--agents', 'marl,random', '--traces', 'builtin:cloud-2', '--objectives', 'latency,power', '--seeds', '2', '--budget', '48', '--workers', '2', '--config', config, '--out', out, '--json');
    // 2 seeds cannot give a significant test: one line says so, before the runs.
    expect(r.stderr).toBe('marl-dse: warning: --seeds 2: the smallest two-sided Mann-Whitney p attainable with 2 runs per agent is 0.33, so no difference can be significant at 0.05; that needs --seeds 4\n');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.runs).toBe(8);
    expect(summary.cells).toHaveLength(2);
    for (const f of ['summary.csv', 'summary.json', 'report.html', 'runs.sqlite', 'compare.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(join(out, 'charts')).sort()).toEqual(['cloud-2-latency.svg', 'cloud-2-power.svg']);
    const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('kind,agent,trace,objective,seed,runId,bestValue,evaluationsToTarget,simulations,wallSeconds,median,mean,ci95Low,ci95High,successRate');
    expect(csv.filter((l) => l.startsWith('run,'))).toHaveLength(8);
    expect(csv.filter((l) => l.startsWith('agent,'))).toHaveLength(4);
    const json = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(json.runs).toHaveLength(8);
    expect(json.cells[0].comparisons.map((c: { metric: string }) => c.metric)).toEqual(['final', 'evaluationsToTarget']);
    expect(json.cells[1].comparisons.map((c: { metric: string }) => c.metric)).toEqual(['final']); // power: no target
    expect(json.cells[0].target).toBe(62000);
    expect(json.cells[0].agents[0].successRate).not.toBeNull();
    // The report parses as HTML and holds one chart per cell, inline.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const doc = parse(html);
    expect(doc.childNodes.some((n) => n.nodeName === 'html')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // self-contained: nothing fetched
    expect(html).toMatch(/builtin:cloud-2 \/ latency: /);
    // Each cell's values in its objective's unit, in the commands' one number format.
    expect(html).toContain('<th>median final (ns)</th><th>mean (ns)</th><th>95 % CI of mean (ns)</th>');
    expect(html).toContain('<th>median final (mW)</th>');
    expect(html).toContain('target 62,000 ns.');
    expect(html.match(/\(with 2 seeds: the range, which holds the median with only 50 % confidence\)\.<\/figcaption>/g)).toHaveLength(2);
  });

  it('resuming a finished comparison reruns nothing and gives the same summary, also from an older compare.json', () => {
    const before = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // Comparisons saved before the Redis queue existed have no `queue` field.
    const state = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(state.spec.queue).toBeNull();
    delete state.spec.queue;
    // …nor, before suites and constraints, these.
    expect(state.spec).toMatchObject({ suites: [], aggregate: 'geomean', constraints: [] });
    for (const key of ['suites', 'aggregate', 'constraints']) delete state.spec[key];
    writeFileSync(join(out, 'compare.json'), JSON.stringify(state));
    const r = cli('compare', '--resume', out, '--json');
    expect(r.code).toBe(0);
    const after = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(after.runs).toEqual(before.runs);
    expect(after.cells).toEqual(before.cells);
  });

  it('scores success against a ground-truth sweep within --tolerance, and re-scores on resume', () => {
    // A space of 6 designs, swept completely: its true optimum is known.
    const space = join(dir, 'six.json');
    writeFileSync(space, JSON.stringify({ name: 'six', parameters: [
      { name: 'PagePolicy', values: ['Open', 'Closed'] },
      { name: 'Scheduler', values: ['Fifo', 'FrFcfsGrp', 'FrFcfs'] },
    ] }));
    const truth = join(dir, 'truth');
    expect(cli('sweep', '--trace', 'builtin:cloud-2', '--space', space, '--out', join(truth, 'cloud-2.csv'), '--json').code).toBe(0);
    const graded = join(dir, 'graded');
    const first = cli('compare', '--agents', 'marl,random', '--traces', 'builtin:cloud-2', '--objectives', 'latency', '--seeds', '2', '--budget', '6',
      '--space', space, '--ground-truth', truth, '--tolerance', '2%', '--out', graded, '--json');
    expect(first.stderr).toMatch(/^marl-dse: warning: --seeds 2: [^\n]*\n$/);
    const before = JSON.parse(first.stdout).cells[0];
    expect(before.target).toBeCloseTo(before.optimum * 1.02, 6);
    const again = cli('compare', '--resume', graded, '--tolerance', '0', '--json');
    expect(again.code).toBe(0);
    const after = JSON.parse(again.stdout).cells[0];
    expect(after.optimum).toBe(before.optimum);
    expect(after.target).toBe(after.optimum);
    expect(JSON.parse(readFileSync(join(graded, 'compare.json'), 'utf8')).spec.tolerance).toBe(0);
  });

  it('a maximised objective (bandwidth) end to end: sweep optimum, target below it, stored best, success', () => {
    const space = join(dir, 'six.json'); // swept above
    const truth = join(dir, 'truth');
    const rows = readFileSync(join(truth, 'cloud-2.csv'), 'utf8').trim().split('\n');
    const col = rows[0].split(',').indexOf('bandwidthGBps');
    const highest = Math.max(...rows.slice(1).map((r) => Number(r.split(',')[col])));
    const out = join(dir, 'bandwidth');
    const r = cli('compare', '--agents', 'random', '--traces', 'builtin:cloud-2', '--objectives', 'bandwidth', '--seeds', '2', '--budget', '12',
      '--space', space, '--ground-truth', truth, '--tolerance', '0', '--out', out, '--json');
    expect(r.stderr).toBe('');
    const cell = JSON.parse(r.stdout).cells[0];
    expect(cell.optimum).toBe(highest);
    expect(cell.target).toBe(highest);
    const scored = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).runs as Array<{ runId: number; bestValue: number; evaluationsToTarget: number | null }>;
    const store = RunStore.open(join(out, 'runs.sqlite'), { readonly: true });
    try {
      for (const run of store.listRuns()) {
        const values = store.evaluations(run.id).map((e) => e.value);
        expect(run.bestValue).toBe(Math.max(...values));
        // Success is counted at the first evaluation that reaches the highest bandwidth (null if none did).
        const first = values.indexOf(highest);
        expect(scored.find((s) => s.runId === run.id)).toMatchObject({ bestValue: Math.max(...values), evaluationsToTarget: first < 0 ? null : first + 1 });
      }
    } finally {
      store.close();
    }
  });

  it('a suite is one more workload of the matrix: its values are ratios to the baseline, only feasible designs count', () => {
    const suite = join(dir, 'two.json');
    writeFileSync(suite, JSON.stringify({ name: 'two', traces: ['gen:gups:requests=600', { trace: 'gen:stencil:requests=600', weight: 2 }] }));
    const out = join(dir, 'suites');
    const r = cli('compare', '--agents', 'random', '--traces', 'gen:gups:requests=600', '--suite', suite, '--objectives', 'latency', '--seeds', '2', '--budget', '8',
      '--constraint', 'power<=1.5x', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.stdout).cells as Array<{ trace: string; unit: string }>;
    expect(cells.map((c) => [c.trace, c.unit])).toEqual([['gen:gups:requests=600', 'ns'], [suite, '× baseline']]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const store = RunStore.open(join(out, 'runs.sqlite'), { readonly: true });
    let infeasible = 0;
    try {
      for (const run of store.listRuns()) {
        const evals = store.evaluations(run.id);
        infeasible += evals.filter((e) => e.feasible === false).length;
        const best = Math.min(...evals.filter((e) => e.feasible).map((e) => e.value));
        const scored = summary.runs.find((s: { runId: number }) => s.runId === run.id);
        expect(scored.bestValue ?? Infinity).toBe(best);
        expect(run.trace).toBe(scored.trace === suite ? 'two' : 'gen:gups:requests=600');
        if (scored.trace === suite) expect(evals[0].traces!.map((t) => t.weight)).toEqual([1, 2]);
      }
    } finally {
      store.close();
    }
    expect(infeasible).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Every run keeps <code>power&lt;=1.5x</code> on every trace');
  });

  it('refused before its first run, leaves nothing that would block the corrected command', () => {
    const folder = join(dir, 'refused');
    const r = cli('compare', '--agents', 'random', '--traces', 'builtin:stream', '--objectives', 'power', '--seeds', '1', '--budget', '2', '--reward', 'archgym', '--out', folder);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^marl-dse: objective power: the archgym reward needs a target/);
    expect(readdirSync(folder)).toEqual([]);
  });

  // A folder that cannot be created (its parent is a file): unwritable even for root.
  writeFileSync(join(dir, 'locked'), 'a file, not a folder\n');
  const targetsFile = join(dir, 'targets.yaml');
  writeFileSync(targetsFile, 'targets:\n  latency: 1000\n');
  const notSweep = join(dir, 'not-sweep');
  mkdirSync(notSweep);
  writeFileSync(join(notSweep, 'stream.csv'), 'a,b\n1,2\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown agent', ['--agents', 'marl,dqn', '--traces', 'builtin:stream', '--out', join(dir, 'x')], /^marl-dse: --agents: unknown agent "dqn"/],
    ['a bad queue URL', ['--agents', 'marl', '--traces', 'builtin:stream', '--queue', 'notaurl', '--out', join(dir, 'q')], /^marl-dse: --queue notaurl: not a URL/],
    ['a target for an objective not compared', ['--agents', 'marl', '--traces', 'builtin:stream', '--objectives', 'power', '--config', targetsFile, '--out', join(dir, 'tf')], /^marl-dse: targets\.latency: not one of the objectives compared/],
    ['a ground truth that is not a sweep', ['--agents', 'marl', '--traces', 'builtin:stream', '--objectives', 'power', '--seeds', '1', '--budget', '1', '--ground-truth', notSweep, '--out', join(dir, 'ns')], /^marl-dse: .*stream\.csv: not a marl-dse sweep/],
    ['a tolerance above 1', ['--agents', 'marl', '--traces', 'builtin:stream', '--tolerance', '150%', '--out', join(dir, 't')], /^marl-dse: --tolerance 150%: expected a share of the optimum between 0 and 1/],
    ['an empty list', ['--agents', ',', '--traces', 'builtin:stream', '--out', join(dir, 'y')], /^marl-dse: --agents: empty list/],
    ['an unwritable folder', ['--agents', 'marl', '--traces', 'builtin:stream', '--out', join(dir, 'locked', 'sub')], /^marl-dse: .*locked\/sub: cannot write the comparison here \(ENOTDIR\)/],
    ['a missing trace', ['--agents', 'marl', '--traces', join(dir, 'none.stl'), '--out', join(dir, 'z')], /^marl-dse: .*none\.stl: cannot open trace/],
    ['--aggregate without a suite', ['--agents', 'marl', '--traces', 'builtin:stream', '--aggregate', 'worst', '--out', join(dir, 'ag')], /^marl-dse: --aggregate: only for a suite \(--suite\)$/m],
    ['an unknown suite', ['--agents', 'marl', '--suite', 'suite:nope', '--out', join(dir, 'us')], /^marl-dse: suite suite:nope: unknown built-in suite/],
    ['pareto on a suite', ['--agents', 'marl', '--suite', 'suite:cloud', '--objectives', 'pareto', '--out', join(dir, 'ps')], /^marl-dse: objective pareto: not defined for a suite/],
    ['a malformed constraint', ['--agents', 'marl', '--traces', 'builtin:stream', '--constraint', 'power=1x', '--out', join(dir, 'mc')], /^marl-dse: --constraint "power=1x": expected METRIC<=LIMIT/],
    ['no workload', ['--agents', 'marl', '--out', join(dir, 'nw')], /^marl-dse: --traces or --suite: required/],
    ['an existing comparison', ['--agents', 'marl', '--traces', 'builtin:stream', '--out', join(dir, 'small')], /^marl-dse: .*small: already holds a comparison; continue it with --resume/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}: one line, exit code 2`, () => {
      const r = cli('compare', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
