/** The run store on real SQLite files: round trips, contiguity, checkpoints, read-only use, bad files. */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../common/errors.js';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../../src/store/schema.js';
import { RunStore } from '../../../src/store/store.js';
import { evaluation, evaluations, newRun, STATS, tempDir } from './fixtures.js';

const dir = tempDir('store');
const STORE_JS = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'store', 'store.js');
let n = 0;
const opened: RunStore[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

function freshPath(): string {
  return join(dir, `s${++n}.sqlite`);
}

function open(path: string, readonly = false): RunStore {
  const s = RunStore.open(path, { readonly });
  opened.push(s);
  return s;
}

/** The store's own tables, read behind its back. */
function raw<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<unknown[], T>(sql).all(...params);
  } finally {
    db.close();
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('RunStore: runs and evaluations', () => {
  it('creates the file, and reads back a run as it was created', () => {
    const path = freshPath();
    const store = open(path);
    expect(existsSync(path)).toBe(true);
    const id = store.createRun(newRun());
    expect(id).toBe(1);
    const run = store.getRun(id);
    expect(run).toMatchObject({ ...newRun(), id, status: 'running', evaluations: 0, simulations: 0, bestValue: null, bestIndex: null, evaluationsToTarget: null, wallSeconds: null });
    expect(run?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(store.getRun(99)).toBeNull();
    expect(store.createRun(newRun({ target: null, options: undefined }))).toBe(2);
    expect(store.getRun(2)).toMatchObject({ target: null, options: null });
  });

  it('appends evaluations and reads them back in order, whole or by range, listed or iterated', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    const all = evaluations([50, 30, 40, 20, 20, 25]);
    store.appendEvaluations(id, all.slice(0, 3));
    store.appendEvaluations(id, []);
    store.appendEvaluations(id, all.slice(3));
    expect(store.evaluationCount(id)).toBe(6);
    expect(store.evaluations(id)).toEqual(all);
    expect(store.evaluations(id, 2, 4)).toEqual(all.slice(2, 4));
    expect(store.evaluations(id, 4)).toEqual(all.slice(4));
    expect([...store.iterateEvaluations(id)]).toEqual(all);
    expect([...store.iterateEvaluations(id, 1, 3)]).toEqual(all.slice(1, 3));
    // The counters follow the appends: index 3 reached the best (20); index 3 of every 4 is a cache hit.
    expect(store.getRun(id)).toMatchObject({ evaluations: 6, simulations: 5, bestValue: 20, bestIndex: 3 });
  });

  it('keeps NaN and infinite values', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    const e = { ...evaluation(0), value: NaN, reward: -Infinity, best: Infinity };
    store.appendEvaluations(id, [e]);
    expect(store.evaluations(id)[0]).toEqual(e);
  });

  it('refuses a repeated index or a gap as a bug (Error, not InputError), storing nothing of the batch', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    store.appendEvaluations(id, evaluations([5, 4, 3]));
    const repeat = thrown(() => store.appendEvaluations(id, [evaluation(2)]));
    expect(repeat).toBeInstanceOf(Error);
    expect(repeat).not.toBeInstanceOf(InputError);
    expect((repeat as Error).message).toBe('run 1: evaluation 2 is already stored (the next is 3)');
    expect(() => store.appendEvaluations(id, [evaluation(4)])).toThrow('run 1: evaluation 4 would leave a gap (the next is 3)');
    expect(() => store.appendEvaluations(id, [evaluation(3), evaluation(4), evaluation(6)])).toThrow(/evaluation 6 would leave a gap/);
    expect(store.evaluationCount(id)).toBe(3);
    expect(store.evaluations(id)).toHaveLength(3);
    expect(() => store.appendEvaluations(7, [evaluation(0)])).toThrow(/run 7: no such run/);
    expect(() => store.evaluationCount(7)).toThrow(/run 7: no such run/);
    store.appendEvaluations(id, [evaluation(3)]);
    expect(store.evaluationCount(id)).toBe(4);
  });

  it('sets the status, with the summary of a run that stopped', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    store.appendEvaluations(id, evaluations([9, 7, 8]));
    store.setStatus(id, 'interrupted');
    expect(store.getRun(id)).toMatchObject({ status: 'interrupted', bestValue: 7, bestIndex: 1, wallSeconds: null });
    store.setStatus(id, 'finished', { bestValue: 7, bestIndex: 1, evaluationsToTarget: 2, simulations: 3, wallSeconds: 12.5 });
    expect(store.getRun(id)).toMatchObject({ status: 'finished', bestValue: 7, bestIndex: 1, evaluationsToTarget: 2, simulations: 3, wallSeconds: 12.5 });
    expect(() => store.setStatus(5, 'failed')).toThrow(/run 5: no such run/);
    expect(() => store.setStatus(id, 'lost' as 'failed')).toThrow(/unknown status "lost"/);
  });

  it('lists runs newest first, filtered by status, agent and trace, up to a limit', () => {
    const store = open(freshPath());
    const a = store.createRun(newRun({ agent: 'marl' }));
    const b = store.createRun(newRun({ agent: 'ppo', trace: 'builtin:stream' }));
    const c = store.createRun(newRun({ agent: 'marl', trace: 'builtin:stream' }));
    store.setStatus(a, 'finished');
    const ids = (filter?: Parameters<RunStore['listRuns']>[0]) => store.listRuns(filter).map((r) => r.id);
    expect(ids()).toEqual([c, b, a]);
    expect(ids({ status: 'running' })).toEqual([c, b]);
    expect(ids({ agent: 'marl' })).toEqual([c, a]);
    expect(ids({ agent: 'marl', trace: 'builtin:stream' })).toEqual([c]);
    expect(ids({ limit: 2 })).toEqual([c, b]);
    expect(ids({ status: 'failed' })).toEqual([]);
    expect(() => store.listRuns({ limit: 0 })).toThrow(RangeError);
  });

  it('survives closing and reopening, with its schema version and application id recorded', () => {
    const path = freshPath();
    const first = RunStore.open(path);
    const id = first.createRun(newRun());
    first.appendEvaluations(id, evaluations([3, 2]));
    first.close();
    const again = open(path);
    expect(again.evaluations(id)).toEqual(evaluations([3, 2]));
    expect(again.createRun(newRun())).toBe(2);
    expect(raw<{ version: number }>(path, 'SELECT version FROM schema_migrations ORDER BY version')).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    expect(raw<{ application_id: number }>(path, 'PRAGMA application_id')).toEqual([{ application_id: APPLICATION_ID }]);
    expect(raw<{ journal_mode: string }>(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });
});

describe('RunStore: agent statistics', () => {
  it('keeps what the agent reported after each batch, in order', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    store.appendAgentStats(id, 8, { entropy: 3.5, distributions: [[0.5, 0.5]] });
    store.appendAgentStats(id, 16, { entropy: 3.1, distributions: [[0.6, 0.4]] });
    expect(store.agentStats(id)).toEqual([
      { evaluations: 8, stats: { entropy: 3.5, distributions: [[0.5, 0.5]] } },
      { evaluations: 16, stats: { entropy: 3.1, distributions: [[0.6, 0.4]] } },
    ]);
    expect(store.agentStats(id, 9).map((r) => r.evaluations)).toEqual([16]);
  });
});

describe('RunStore: checkpoints', () => {
  it('returns the newest and keeps only the newest two per run', () => {
    const path = freshPath();
    const store = open(path);
    const a = store.createRun(newRun());
    const b = store.createRun(newRun());
    expect(store.latestCheckpoint(a)).toBeNull();
    store.appendEvaluations(a, evaluations([1, 2, 3, 4, 5, 6]));
    store.appendEvaluations(b, evaluations([1]));
    store.saveCheckpoint(b, 1, '{"run":"b"}');
    for (const k of [2, 4, 6]) store.saveCheckpoint(a, k, JSON.stringify({ k }));
    expect(store.latestCheckpoint(a)).toEqual({ evaluations: 6, state: '{"k":6}' });
    store.saveCheckpoint(a, 6, '{"k":"6 again"}');
    expect(store.latestCheckpoint(a)).toEqual({ evaluations: 6, state: '{"k":"6 again"}' });
    const kept = raw<{ run_id: number; evaluations: number }>(path, 'SELECT run_id, evaluations FROM checkpoints ORDER BY run_id, evaluations');
    expect(kept).toEqual([
      { run_id: a, evaluations: 4 },
      { run_id: a, evaluations: 6 },
      { run_id: b, evaluations: 1 },
    ]);
  });

  it('refuses a checkpoint ahead of the stored evaluations (it could not be resumed from)', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    store.appendEvaluations(id, evaluations([1, 2]));
    expect(() => store.saveCheckpoint(id, 3, '{}')).toThrow('run 1: checkpoint after 3 evaluations, but 2 are stored');
    expect(() => store.saveCheckpoint(9, 0, '{}')).toThrow(/run 9: no such run/);
    expect(store.latestCheckpoint(id)).toBeNull();
  });
});

describe('RunStore: read-only connections', () => {
  it('a missing file is an InputError, and is not created', () => {
    const path = join(dir, 'missing.sqlite');
    expect(() => RunStore.open(path, { readonly: true })).toThrow(new InputError(`${path}: no such run store`));
    expect(existsSync(path)).toBe(false);
  });

  it('cannot write', () => {
    const path = freshPath();
    open(path).createRun(newRun());
    const reader = open(path, true);
    expect(reader.readOnly).toBe(true);
    expect(() => reader.createRun(newRun())).toThrow(/readonly/);
    expect(() => reader.appendEvaluations(1, [evaluation(0)])).toThrow(/readonly/);
    expect(reader.listRuns()).toHaveLength(1);
  });

  it('reads what the writer commits while the writer goes on; an open iteration keeps its snapshot', () => {
    const path = freshPath();
    const writer = open(path);
    const id = writer.createRun(newRun());
    const reader = open(path, true);
    const values = Array.from({ length: 20 }, (_, i) => 100 - i);
    const all = evaluations(values);
    for (let i = 0; i < 10; i++) {
      writer.appendEvaluations(id, [all[i]]);
      expect(reader.evaluationCount(id)).toBe(i + 1);
      expect(reader.evaluations(id)).toEqual(all.slice(0, i + 1));
    }
    const iteration = reader.iterateEvaluations(id);
    expect(iteration.next().value).toEqual(all[0]);
    // The reader holds a snapshot of 10 rows; the writer is not blocked by it.
    writer.appendEvaluations(id, all.slice(10));
    writer.saveCheckpoint(id, 20, '{}');
    expect([...iteration]).toEqual(all.slice(1, 10));
    expect(reader.evaluations(id)).toEqual(all);
    expect(reader.getRun(id)).toMatchObject({ evaluations: 20, bestIndex: 19 });
  });
});

describe('RunStore: files that are not run stores', () => {
  const sidecars = (path: string) => readdirSync(dir).filter((f) => f.startsWith(`${path.split('/').pop()}-`));

  it('a text file: one-line InputError, and the file is left byte for byte as it was', () => {
    const path = join(dir, 'notes.sqlite');
    const text = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(path, text);
    for (const readonly of [false, true]) {
      const e = thrown(() => RunStore.open(path, { readonly }));
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toBe(`${path}: not a marl-dse run store (file is not a database)`);
    }
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(sidecars(path)).toEqual([]);
  });

  it("another application's SQLite database: InputError, and not modified", () => {
    const path = join(dir, 'other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE people (name TEXT)');
    db.close();
    const before = readFileSync(path);
    for (const readonly of [false, true]) {
      expect(() => RunStore.open(path, { readonly })).toThrow(new InputError(`${path}: not a marl-dse run store (an SQLite database of another application)`));
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(raw<{ journal_mode: string }>(path, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }]);
  });

  it('a store written by a newer marl-dse: InputError naming both versions', () => {
    const path = freshPath();
    open(path).close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from the future', '2099-01-01')").run(SCHEMA_VERSION + 1);
    db.close();
    const message = `${path}: run store schema version ${SCHEMA_VERSION + 1} is newer than this marl-dse's (${SCHEMA_VERSION}); upgrade marl-dse`;
    expect(() => RunStore.open(path)).toThrow(new InputError(message));
    expect(() => RunStore.open(path, { readonly: true })).toThrow(new InputError(message));
  });

  it('a directory, or a path under a file: InputError', () => {
    expect(() => RunStore.open(dir)).toThrow(InputError);
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    const e = thrown(() => RunStore.open(join(file, 'runs.sqlite')));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/plain\.txt\/runs\.sqlite: cannot create its folder \((EEXIST|ENOTDIR)\)$/);
  });
});

describe('RunStore: who runs a run, failures, the WAL', () => {
  it('a run is held by the process running it: another process cannot claim it while it lives, and takes it over once it is gone', async () => {
    const path = freshPath();
    const first = open(path);
    const id = first.createRun(newRun());
    first.setStatus(id, 'interrupted');
    // A process of its own claims the run and keeps it until killed.
    const script = `const { RunStore } = await import(${JSON.stringify(pathToFileURL(STORE_JS).href)});
      const s = RunStore.open(${JSON.stringify(path)}); s.claimRun(${id}); process.stdout.write('claimed\\n'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before claiming the run`)));
    });
    const store = open(path);
    expect(store.getRun(id)?.holder?.pid).toBe(child.pid);
    expect(() => store.claimRun(id)).toThrow(new RegExp(`^run ${id}: already running in process ${child.pid} \\(since `));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    store.claimRun(id);
    expect(store.getRun(id)).toMatchObject({ status: 'running', holder: { pid: process.pid } });
  });

  it('a failed run keeps its error; any status but running releases the run', () => {
    const store = open(freshPath());
    const id = store.createRun(newRun());
    expect(store.getRun(id)?.holder?.pid).toBe(process.pid);
    store.setStatus(id, 'failed', undefined, 'database or disk is full');
    expect(store.getRun(id)).toMatchObject({ status: 'failed', error: 'database or disk is full', holder: null });
    store.claimRun(id);
    expect(store.getRun(id)).toMatchObject({ status: 'running', error: null });
  });

  it('after a WAL checkpoint the database file alone holds every evaluation, even with a reader open', () => {
    const path = freshPath();
    const writer = open(path);
    const reader = open(path, true);
    const id = writer.createRun(newRun());
    writer.appendEvaluations(id, evaluations(Array.from({ length: 50 }, (_, i) => 100 - i)));
    expect(reader.evaluationCount(id)).toBe(50);
    expect(writer.checkpointWal()).toBe(true);
    const copy = `${path}.copy`;
    copyFileSync(path, copy); // without its -wal file
    expect(raw<{ n: number }>(copy, 'SELECT count(*) AS n FROM evaluations')).toEqual([{ n: 50 }]);
  });

  it('an empty file is an empty store: readers see no runs, a writer sets it up, and the reader then sees its runs', () => {
    const path = freshPath();
    writeFileSync(path, '');
    const reader = open(path, true);
    expect(reader.listRuns()).toEqual([]);
    expect(reader.getRun(1)).toBeNull();
    const id = open(path).createRun(newRun());
    expect(reader.listRuns().map((r) => r.id)).toEqual([id]);
  });

  it('stores of the previous schema versions are read as they are, and a writer brings them forward', () => {
    for (const [version, drop] of [
      [3, 'ALTER TABLE evaluations DROP COLUMN feasible; ALTER TABLE evaluations DROP COLUMN traces; DELETE FROM schema_migrations WHERE version = 4'],
      [2, 'ALTER TABLE runs DROP COLUMN holder; ALTER TABLE runs DROP COLUMN error; DELETE FROM schema_migrations WHERE version = 3'],
    ] as const) {
      const path = freshPath();
      const writer = open(path);
      writer.createRun(newRun());
      writer.appendEvaluations(1, evaluations([30, 20, 25]));
      writer.close();
      const db = new Database(path);
      db.exec(version === 3 ? drop : `${drop}; ALTER TABLE evaluations DROP COLUMN feasible; ALTER TABLE evaluations DROP COLUMN traces; DELETE FROM schema_migrations WHERE version = 4`);
      db.close();
      const reader = open(path, true);
      expect(reader.listRuns()).toMatchObject([{ id: 1, error: null, bestValue: 20, bestIndex: 1, ...(version === 2 ? { holder: null } : {}) }]);
      // A run stored before suites: no feasibility, no traces, exactly as written.
      expect(reader.evaluations(1)).toEqual(evaluations([30, 20, 25]));
      expect([...reader.iterateEvaluations(1)]).toEqual(evaluations([30, 20, 25]));
      reader.close();
      open(path).appendEvaluations(1, [{ ...evaluation(3, 10), feasible: false }]);
      expect(open(path, true).evaluations(1, 3)).toEqual([{ ...evaluation(3, 10), feasible: false }]);
    }
  });

  it('an evaluation keeps its feasibility and each trace of a suite; the best skips evaluations with none feasible yet', () => {
    const path = freshPath();
    const s = open(path);
    const id = s.createRun(newRun());
    const traces = [
      { trace: 'builtin:stream', weight: 1, value: 5, normalised: 0.5, feasible: true, simulated: true, stats: STATS },
      { trace: 'gen:gups:requests=10', weight: 2, value: 8, normalised: 1.25, feasible: false, simulated: false, stats: { ...STATS, requests: 10 } },
    ];
    const records = [
      { ...evaluation(0, 40, NaN), feasible: false, traces },
      { ...evaluation(1, 50, 50), feasible: true, traces: traces.map((t) => ({ ...t, feasible: true, simulated: true })) },
      { ...evaluation(2, 30, 50), feasible: false, traces },
    ];
    s.appendEvaluations(id, records);
    expect(open(path, true).evaluations(id)).toEqual(records);
    // Simulations count each trace the memo did not answer: 1, 2, 1.
    expect(s.getRun(id)).toMatchObject({ evaluations: 3, simulations: 4, bestValue: 50, bestIndex: 1 });
  });

  it('a store locked by another process: one line naming the file', () => {
    const path = freshPath();
    open(path).createRun(newRun());
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const e = thrown(() => opened.push(RunStore.open(path, { busyTimeoutMs: 100 })) && opened[opened.length - 1].createRun(newRun()));
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toBe(`${path}: locked by another process (waited for it in vain) (database is locked)`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('a damaged page: one line naming the file, for readers and writers alike', () => {
    const path = freshPath();
    const writer = open(path);
    const id = writer.createRun(newRun());
    writer.appendEvaluations(id, evaluations(Array.from({ length: 200 }, (_, i) => 100 + i)));
    writer.close();
    const bytes = readFileSync(path);
    for (let page = 3; page < bytes.length / 4096; page++) bytes.fill(0xff, page * 4096, page * 4096 + 200);
    writeFileSync(path, bytes);
    for (const readonly of [true, false]) {
      const e = thrown(() => open(path, readonly).evaluations(id));
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toMatch(new RegExp(`^${path}: the run store is damaged \\(database disk image is malformed\\)`));
    }
  });

  it('a full disk: one line naming the file', () => {
    const mount = join(dir, 'small-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160k', 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      // Mounting needs root: where the tests do not have it, nothing below can be set up.
      return;
    }
    try {
      const path = join(mount, 'full.sqlite');
      const store = open(path);
      const id = store.createRun(newRun());
      const e = thrown(() => {
        for (let i = 0; i < 1000; i += 10) store.appendEvaluations(id, evaluations(Array.from({ length: 10 }, (_, k) => i + k), i));
      });
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toBe(`${path}: the disk is full (database or disk is full)`);
      store.close();
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
