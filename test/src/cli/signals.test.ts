/**
 * Long commands under Ctrl-C, SIGTERM and concurrent use, run as users run them: the built CLI in
 * child processes on real stores. Stopping is checked by counting what was stored after the
 * signal, not by the clock.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/store/store.js';

const CLI = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Child {
  proc: ChildProcess;
  stderr(): string;
  /** The exit status as a shell reports it: the exit code, or 128 + the signal's number when a signal ended it. */
  exited: Promise<number | null>;
}

function start(...args: string[]): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // A second Ctrl-C that lands while the process is already exiting (its handlers gone) ends it by the
  // signal itself: the shell's status is 130 all the same.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : null))));
  return { proc, stderr: () => err, exited };
}

/** Evaluations stored for run `id` (0 while the store or the run does not exist yet). */
function stored(db: string, id = 1): number {
  try {
    const s = RunStore.open(db, { readonly: true });
    try {
      return s.getRun(id)?.evaluations ?? 0;
    } finally {
      s.close();
    }
  } catch {
    return 0;
  }
}

function runOf(db: string, id = 1) {
  const s = RunStore.open(db, { readonly: true });
  try {
    return { run: s.getRun(id)!, designs: s.evaluations(id).map((e) => e.design.join()) };
  } finally {
    s.close();
  }
}

async function until(predicate: () => boolean, what: string, child?: Child): Promise<void> {
  for (let i = 0; i < 2400 && !predicate(); i++) {
    if (child && child.proc.exitCode !== null) throw new Error(`the command exited before ${what}: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

const BUDGET = 300;
const search = (db: string, ...extra: string[]) => ['search', '--agent', 'random', '--trace', 'builtin:cloud-1', '--objective', 'latency', '--budget', String(BUDGET), '--seed', '3', '--db', db, ...extra];
/** The random agent's batch: what may be in flight when a signal arrives. */
const BATCH = 16;

describe('search: Ctrl-C and SIGTERM', () => {
  for (const [signal, code, workers] of [['SIGINT', 130, '1'], ['SIGINT', 130, '2'], ['SIGTERM', 143, '1']] as const) {
    it(`${signal} at --workers ${workers} stops within a batch, marks the run interrupted, says how to resume and exits ${code}`, async () => {
      const db = join(dir, `${signal}-${workers}.sqlite`);
      const child = start(...search(db, '--workers', workers));
      await until(() => stored(db) >= 2 * BATCH, 'evaluations to be stored', child);
      const atSignal = stored(db);
      child.proc.kill(signal);
      expect(await child.exited).toBe(code);
      const { run } = runOf(db);
      expect(run.status).toBe('interrupted');
      expect(run.holder).toBeNull();
      // At most the batch in flight and the next one were stored after the signal, not the rest of the budget.
      expect(run.evaluations).toBeLessThanOrEqual(atSignal + 2 * BATCH);
      expect(run.evaluations).toBeLessThan(BUDGET);
      expect(child.stderr()).toContain(`continue it with: marl-dse search --resume 1 --db ${db}`);
    });
  }

  it('a second Ctrl-C exits at once, and the run is still marked interrupted', async () => {
    const db = join(dir, 'twice.sqlite');
    const child = start(...search(db));
    await until(() => stored(db) >= BATCH, 'evaluations to be stored', child);
    child.proc.kill('SIGINT');
    await until(() => child.stderr().includes('again to quit at once'), 'the first signal to be seen', child);
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(runOf(db).run).toMatchObject({ status: 'interrupted', holder: null });
  });

  it('an interrupted run resumes to exactly the run an uninterrupted one gives', async () => {
    const ref = join(dir, 'reference.sqlite');
    expect(cli(...search(ref, '--json')).code).toBe(0);
    const db = join(dir, 'resumed.sqlite');
    const child = start(...search(db));
    await until(() => stored(db) >= 2 * BATCH, 'evaluations to be stored', child);
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(130);
    const resumed = cli('search', '--resume', '1', '--db', db, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).evaluations).toBe(BUDGET);
    expect(runOf(db).designs).toEqual(runOf(ref).designs);
  }, 180_000);
});

describe('one run, one process', () => {
  it('a second resume of a running run is refused, naming the process running it', async () => {
    const db = join(dir, 'two-resumes.sqlite');
    const first = start(...search(db));
    await until(() => stored(db) >= BATCH, 'evaluations to be stored', first);
    first.proc.kill('SIGINT');
    await first.exited;
    const resuming = start('search', '--resume', '1', '--db', db);
    await until(() => runOf(db).run.holder?.pid === resuming.proc.pid, 'the resume to hold the run', resuming);
    const second = cli('search', '--resume', '1', '--db', db);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^marl-dse: run 1: already running in process ${resuming.proc.pid} \\(since [^)]+\\); wait for it to stop, or stop it \\(Ctrl-C\\) first\\n$`));
    resuming.proc.kill('SIGINT');
    expect(await resuming.exited).toBe(130);
    // Neither resume stored anything twice.
    const { run, designs } = runOf(db);
    expect(designs).toHaveLength(run.evaluations);
  });

  it('a killed holder is taken over by the next resume', async () => {
    const db = join(dir, 'killed-holder.sqlite');
    const first = start(...search(db));
    await until(() => stored(db) >= BATCH, 'evaluations to be stored', first);
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(runOf(db).run).toMatchObject({ status: 'running', holder: { pid: first.proc.pid } });
    const resumed = cli('search', '--resume', '1', '--db', db, '--json');
    expect(resumed.code).toBe(0);
    expect(runOf(db).run).toMatchObject({ status: 'finished', evaluations: BUDGET, holder: null });
  }, 120_000);
});

describe('compare: Ctrl-C and one process per folder', () => {
  const out = join(dir, 'cmp');
  const args = ['compare', '--agents', 'random,ga', '--traces', 'builtin:cloud-1', '--objectives', 'latency', '--seeds', '3', '--budget', '400', '--out', out];

  it('Ctrl-C stops every run in flight, marks them interrupted and says how to continue; a second compare on the folder is refused meanwhile', async () => {
    const child = start(...args);
    const db = join(out, 'runs.sqlite');
    await until(() => stored(db) >= BATCH, 'evaluations to be stored', child);
    const second = cli('compare', '--resume', out);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^marl-dse: comparison ${out}: in use by process ${child.proc.pid} \\(since [^)]+\\) \\(lock ${out}/compare\\.lock\\)\\n$`));
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(child.stderr()).toContain(`continue with: marl-dse compare --resume ${out}`);
    const s = RunStore.open(db, { readonly: true });
    const runs = s.listRuns();
    s.close();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.status === 'interrupted' || r.status === 'finished')).toBe(true);
    expect(runs.some((r) => r.status === 'interrupted')).toBe(true);
  });

  it('--resume refuses options that would change the matrix', () => {
    const r = cli('compare', '--resume', out, '--seeds', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('marl-dse: --seeds: a resumed comparison keeps the options it started with (with --resume give only --tolerance and --json)\n');
  });
});
