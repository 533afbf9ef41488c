/** `marl-dse search` end to end: output, determinism, resume after a kill, and bad input. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { printSummary } from '../../src/cli/search.js';
import type { SearchSummary } from '../../src/search/runner.js';
import { RunStore } from '../../src/store/store.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const base = ['search', '--trace', 'builtin:cloud-1', '--objective', 'latency', '--budget', '96', '--seed', '4'];

function evaluationsOf(db: string, run: number) {
  const s = RunStore.open(db, { readonly: true });
  try {
    return s.evaluations(run).map((e) => ({ design: e.design, reward: e.reward, value: e.value }));
  } finally {
    s.close();
  }
}

describe('marl-dse search', () => {
  it('--json prints one object with the documented fields; the run is stored', () => {
    const db = join(dir, 'a.sqlite');
    const r = cli(...base, '--agent', 'marl', '--db', db, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]);
    expect(Object.keys(s).sort()).toEqual(
      [
        'runId', 'agent', 'trace', 'objective', 'aggregate', 'constraints', 'target', 'seed', 'budget', 'evaluations', 'simulations', 'bestValue', 'bestConfig',
        'bestDevice', 'bestStats', 'bestTraces', 'feasibleEvaluations', 'evaluationsToTarget', 'wallSeconds', 'front',
      ].sort(),
    );
    expect(s.evaluations).toBe(96);
    expect(s.simulations).toBeGreaterThan(10);
    expect(s.simulations).toBeLessThanOrEqual(96);
    expect(s.bestStats.totalTimeNs).toBe(s.bestValue);
    expect(s.front).toBeNull(); // a latency run keeps no front
    const show = cli('runs', 'show', String(s.runId), '--db', db, '--json');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).run.status).toBe('finished');
    // Resuming a finished run changes nothing, its wall time included.
    const again = cli('search', '--resume', String(s.runId), '--db', db, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ evaluations: 96, bestValue: s.bestValue, wallSeconds: JSON.parse(show.stdout).run.wallSeconds });
  });

  it('the same seed gives the same run, evaluation by evaluation', () => {
    const db1 = join(dir, 'd1.sqlite');
    const db2 = join(dir, 'd2.sqlite');
    for (const db of [db1, db2]) expect(cli(...base, '--agent', 'ppo', '--db', db, '--json').code).toBe(0);
    expect(evaluationsOf(db2, 1)).toEqual(evaluationsOf(db1, 1));
  }, 150_000);

  it('reads its options from a YAML config file, flags overriding it', () => {
    const cfg = join(dir, 'search.yaml');
    writeFileSync(cfg, 'agent: ga\ntrace: builtin:cloud-1\nobjective: latency\nbudget: 64\nseed: 4\n');
    const r = cli('search', '--config', cfg, '--budget', '32', '--db', join(dir, 'y.sqlite'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ agent: 'ga', budget: 32, evaluations: 32 });
  });

  it('a run killed with SIGKILL resumes to the same result as an uninterrupted run, even when its newest checkpoint is damaged', async () => {
    // Small enough for a loaded 2-core machine: two searches of 160 evaluations, checkpoints every 16.
    const args = [...base.slice(0, -4), '--budget', '160', '--seed', '4', '--agent', 'marl', '--checkpoint-every', '16'];
    const ref = join(dir, 'ref.sqlite');
    expect(cli(...args, '--db', ref, '--json').code).toBe(0);
    const db = join(dir, 'killed.sqlite');
    const child = spawn(process.execPath, [CLI, ...args, '--db', db], { stdio: 'ignore' });
    // Kill once part of the run is stored.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const s = RunStore.open(db, { readonly: true });
        const n = s.getRun(1) ? s.evaluationCount(1) : 0;
        s.close();
        if (n >= 40) break;
      } catch {
        // not created yet
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = evaluationsOf(db, 1).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(160);
    // A damaged newest checkpoint: the resume falls back to the one before it (or to replaying the whole run).
    const raw = new Database(db);
    raw.prepare('UPDATE checkpoints SET state = ? WHERE run_id = 1 AND evaluations = (SELECT max(evaluations) FROM checkpoints WHERE run_id = 1)').run('{"not": "an agent state"');
    raw.close();
    const resumed = cli('search', '--resume', '1', '--db', db, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).evaluations).toBe(160);
    expect(evaluationsOf(db, 1)).toEqual(evaluationsOf(ref, 1));
  }, 180_000); // three searches: room for a machine shared with other work

  const corrupt = join(dir, 'corrupt.sqlite');
  writeFileSync(corrupt, 'this is not a database, and must stay as it is\n');
  const emptyTrace = join(dir, 'empty.stl');
  writeFileSync(emptyTrace, '# only a comment\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown agent', ['--agent', 'dqn'], /^marl-dse: --agent dqn: unknown \(expected one of marl, ppo, sac, random, ga, tpe, bo, aco\)/],
    ['an unknown objective', ['--objective', 'speed'], /^marl-dse: --objective speed: unknown/],
    ['a budget of 0', ['--budget', '0'], /^marl-dse: --budget 0: expected an integer ≥ 1/],
    ['a missing trace', ['--trace', join(dir, 'nope.stl')], /^marl-dse: .*nope\.stl: cannot open trace/],
    ['joint without targets', ['--objective', 'joint'], /^marl-dse: objective joint needs two targets/],
    ['archgym without a target', ['--reward', 'archgym'], /^marl-dse: objective latency: the archgym reward needs a target/],
    ['an unknown hyperparameter', ['--agent', 'ppo', '--hp', 'learningRat=0.1'], /^marl-dse: ppo hyperparameter "learningRat": unknown \(did you mean learningRate\? `marl-dse search --agent ppo --hp help` lists them\)$/m],
    ['a hyperparameter without a value', ['--agent', 'ga', '--hp', 'population'], /^marl-dse: --hp population: expected NAME=VALUE \(`--hp help` lists the agent's hyperparameters\)/],
    ['__proto__ as a hyperparameter', ['--agent', 'ppo', '--hp', '__proto__=1'], /^marl-dse: --hp __proto__: a name JavaScript objects reserve/],
    ['a corrupt database file', ['--db', corrupt], /^marl-dse: .*corrupt\.sqlite: not a marl-dse run store/],
    ['a run that does not exist', ['--resume', '9', '--db', join(dir, 'a.sqlite')], /^marl-dse: run 9: no such run/],
    ['a store that does not exist, to resume from', ['--resume', '1', '--db', join(dir, 'none.sqlite')], /^marl-dse: --db .*none\.sqlite: no such run store \(nothing to resume\)/],
    ['an empty trace', ['--trace', emptyTrace], /^marl-dse: .*empty\.stl: no requests/],
    ['new options for a resumed run', ['--resume', '1', '--db', join(dir, 'a.sqlite'), '--budget', '8'], /^marl-dse: --budget: a resumed run keeps the options it started with/],
    ['--port without --serve', ['--port', '9000'], /^marl-dse: --port: only with --serve/],
  ];
  for (const [what, extra, message] of cases) {
    it(`rejects ${what}: one line, exit code 2`, () => {
      // A resumed run takes its options from the store: only `search --resume … --db …`.
      const args = extra.includes('--resume') ? ['search'] : [...base];
      for (let i = 0; i < extra.length; i += 2) {
        const k = args.indexOf(extra[i]);
        if (k >= 0) args.splice(k, 2);
      }
      const r = cli(...args, ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('--hp help prints the agent\'s hyperparameters and exits 0 without searching or needing a trace', () => {
    const db = join(dir, 'help.sqlite');
    const r = cli('search', '--agent', 'ga', '--hp', 'help', '--db', db);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^│ \S/.test(l)).map((l) => l.split('│').slice(1, 4).map((c) => c.trim()));
    expect(rows).toEqual([
      ['--hp', 'default', 'meaning'],
      ['population', '32', 'designs per generation'],
      ['tournament', '3', expect.stringMatching(/tournament/)],
      ['crossoverRate', '0.9', expect.stringMatching(/crossover/)],
      ['mutationRate', '0', expect.stringMatching(/mutation/)],
      ['elites', '2', expect.stringMatching(/unchanged/)],
    ]);
    expect(existsSync(db)).toBe(false);
    // The agent of a config file; marl by default; an agent without hyperparameters says so.
    const config = join(dir, 'help.yaml');
    writeFileSync(config, 'agent: aco\n');
    expect(cli('search', '--config', config, '--hp', 'help').stdout).toMatch(/^aco's hyperparameters[^]*│ antCount +│ 16 /);
    expect(cli('search', '--hp', 'help').stdout).toMatch(/^marl's hyperparameters[^]*│ hidden +│ \[64,64\] /);
    expect(cli('search', '--agent', 'random', '--hp', 'help')).toMatchObject({ code: 0, stdout: 'random has no hyperparameters\n' });
    expect(cli('search', '--agent', 'dqn', '--hp', 'help')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^marl-dse: --agent dqn: unknown/) });
  });

  it('refuses to resume a run whose stored options are damaged, naming the option', () => {
    const db = join(dir, 'damaged-options.sqlite');
    expect(cli(...base, '--agent', 'random', '--budget', '8', '--db', db).code).toBe(0);
    const raw = new Database(db);
    raw.prepare("UPDATE runs SET options = json_set(options, '$.budget', 'lots') WHERE id = 1").run();
    raw.close();
    const r = cli('search', '--resume', '1', '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^marl-dse: run 1 of .*damaged-options\.sqlite: its stored options are damaged \(budget: .*\); it cannot be resumed\n$/);
  });

  it('on a store with damaged pages: one line naming the file, exit code 2, and no new run left running', () => {
    const db = join(dir, 'damaged.sqlite');
    expect(cli(...base, '--agent', 'random', '--budget', '200', '--db', db).code).toBe(0);
    // Damage the second half of the file, where the evaluations' pages are (the runs table sits near the start).
    const bytes = readFileSync(db);
    const pages = bytes.length / 4096;
    for (let page = Math.ceil(pages / 2); page < pages; page++) bytes.fill(0xff, page * 4096, page * 4096 + 200);
    writeFileSync(db, bytes);
    const r = cli(...base, '--agent', 'random', '--budget', '20', '--db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^marl-dse: .*damaged\.sqlite: the run store is damaged \(database disk image is malformed\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const runs = new Database(db, { readonly: true }).prepare<[], { id: number; status: string }>('SELECT id, status FROM runs').all();
    expect(runs.filter((x) => x.status === 'running')).toEqual([]);
  });

  it('a search that fails after its run started (a full disk) marks the run failed with the error', () => {
    const mount = join(dir, 'small-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      return; // mounting needs root: where the tests do not have it, there is no small disk to fill
    }
    try {
      const db = join(mount, 'runs.sqlite');
      const r = cli(...base, '--agent', 'random', '--budget', '400', '--db', db);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`marl-dse: ${db}: the disk is full (database or disk is full)\n`);
      const show = cli('runs', 'show', '1', '--db', db, '--json');
      expect(JSON.parse(show.stdout).run).toMatchObject({ status: 'failed', error: expect.stringMatching(/disk is full/), holder: null });
    } finally {
      execFileSync('umount', [mount]);
    }
  });

  it('leaves a corrupt database file untouched and stored runs intact', () => {
    expect(readFileSync(corrupt, 'utf8')).toBe('this is not a database, and must stay as it is\n');
    expect(evaluationsOf(join(dir, 'a.sqlite'), 1)).toHaveLength(96);
  });
});

describe('search --objective pareto: the front', () => {
  const db = join(dir, 'pareto.sqlite');
  const args = ['search', '--agent', 'random', '--budget', '40', '--trace', 'builtin:cloud-1', '--objective', 'pareto', '--seed', '3', '--db', db];

  /** Cells of the table printed after the line `Pareto front …`: evaluation, power, latency, design. */
  function printedFront(out: string): string[][] {
    const lines = out.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Pareto front (power, latency): '));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(lines[start + 2]).toMatch(/│ evaluation\s+│ power \(mW\)\s+│ latency \(ns\)\s+│ design \(changes from the base design\)\s+│/);
    const rows: string[][] = [];
    for (const l of lines.slice(start + 4)) {
      if (!l.startsWith('│')) break;
      rows.push(l.split('│').slice(1, -1).map((c) => c.trim()));
    }
    return rows;
  }

  /** Non-dominated (power, latency) points of the stored evaluations, by brute force; of equal points the earliest, by increasing power. */
  function storedFront() {
    const s = RunStore.open(db, { readonly: true });
    try {
      const all = s.evaluations(1).map((e) => ({ index: e.index, p: e.stats.averagePowerMw, l: e.stats.totalTimeNs, config: e.config }));
      expect(all).toHaveLength(40);
      const dominated = (a: (typeof all)[number]) => all.some((b) => b.p <= a.p && b.l <= a.l && (b.p < a.p || b.l < a.l));
      const repeat = (a: (typeof all)[number]) => all.some((b) => b.p === a.p && b.l === a.l && b.index < a.index);
      return all.filter((a) => !dominated(a) && !repeat(a)).sort((a, b) => a.p - b.p);
    } finally {
      s.close();
    }
  }

  it('prints, shows and exports the front of the stored evaluations, all alike', () => {
    const r = cli(...args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/best value\s+│ [\d.]+ normalised hypervolume/);
    expect(r.stdout).not.toMatch(/best design \(mcconfig\)/); // the front, not a single design
    const truth = storedFront();
    expect(truth.length).toBeGreaterThan(1);
    const printed = printedFront(r.stdout);
    expect(printed.map((c) => Number(c[0]))).toEqual(truth.map((t) => t.index));
    printed.forEach((c, k) => {
      // Printed to at least 4 significant digits.
      const near = (cell: string, v: number) => expect(Math.abs(Number(cell.replaceAll(',', '')) - v)).toBeLessThanOrEqual(5e-4 * v);
      near(c[1], truth[k].p);
      near(c[2], truth[k].l);
      // Every change named is the design's own value.
      for (const change of c[3] === 'the base design' ? [] : c[3].split(' ')) {
        const [key, value] = change.split('=');
        expect(String(truth[k].config[key])).toBe(value);
      }
    });

    // runs show: the same table; --json: the points themselves.
    const show = cli('runs', 'show', '1', '--db', db);
    expect(show.code).toBe(0);
    expect(printedFront(show.stdout)).toEqual(printed);
    const json = JSON.parse(cli('runs', 'show', '1', '--db', db, '--json').stdout);
    const points = truth.map((t) => ({ index: t.index, averagePowerMw: t.p, totalTimeNs: t.l, config: t.config }));
    expect(json.front).toMatchObject(points);

    // runs export --front: csv and json.
    const csv = cli('runs', 'export', '1', '--front', '--format', 'csv', '--db', db);
    expect(csv.code).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    const parameters = Object.keys(truth[0].config);
    expect(header).toBe(['index', 'averagePowerMw', 'totalTimeNs', ...parameters].join(','));
    expect(rows).toEqual(truth.map((t) => [t.index, t.p, t.l, ...parameters.map((p) => t.config[p])].join(',')));
    const exported = JSON.parse(cli('runs', 'export', '1', '--front', '--format', 'json', '--db', db).stdout);
    expect(Object.keys(exported)).toEqual(['run', 'front']);
    expect(exported.front).toEqual(json.front);

    // search --json: the same front.
    const again = JSON.parse(cli('search', '--resume', '1', '--db', db, '--json').stdout);
    expect(again.front).toEqual(json.front);
  });

  it('--front on a run that is not pareto: one line, exit code 2', () => {
    const other = join(dir, 'not-pareto.sqlite');
    expect(cli(...base, '--agent', 'random', '--budget', '4', '--db', other).code).toBe(0);
    const r = cli('runs', 'export', '1', '--front', '--format', 'csv', '--db', other);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('marl-dse: --front: run 1 searched for latency; only a pareto run keeps a front\n');
    expect(r.stdout).toBe('');
  });
});

describe('printSummary', () => {
  const summary: SearchSummary = {
    runId: 1, agent: 'random', trace: 'builtin:cloud-1', objective: 'latency', aggregate: null, constraints: [], target: 60000, seed: 1, budget: 10, evaluations: 10,
    simulations: 9, bestValue: 61617.5, bestConfig: null, bestDevice: null, bestStats: null, bestTraces: null, feasibleEvaluations: 10, evaluationsToTarget: null,
    wallSeconds: 1.25, front: null, status: 'finished',
  };

  it('gives the best value and the target their objective\'s unit', () => {
    const out = printSummary(summary);
    expect(out).toMatch(/best value\s+│ 61,617.5 ns/);
    expect(out).toMatch(/latency \(target 60,000 ns\)/);
    const joint = printSummary({ ...summary, objective: 'joint', target: [3000, 62000.25], bestValue: 1.0234 });
    expect(joint).toMatch(/joint \(target 3,000 mW, 62,000.25 ns\)/);
    expect(joint).toMatch(/best value\s+│ 1.023 × target/);
    expect(printSummary({ ...summary, objective: 'bandwidth', target: null, bestValue: 8.10341 })).toMatch(/best value\s+│ 8.103 GB\/s/);
  });
});
