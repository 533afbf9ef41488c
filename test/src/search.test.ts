/** `marl-dse search` end to end: output, determinism, resume after a kill, and bad input. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
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
      ['runId', 'agent', 'trace', 'objective', 'target', 'seed', 'budget', 'evaluations', 'simulations', 'bestValue', 'bestConfig', 'bestStats', 'evaluationsToTarget', 'wallSeconds'].sort(),
    );
    expect(s.evaluations).toBe(96);
    expect(s.simulations).toBeGreaterThan(10);
    expect(s.simulations).toBeLessThanOrEqual(96);
    expect(s.bestStats.totalTimeNs).toBe(s.bestValue);
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
  });

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
