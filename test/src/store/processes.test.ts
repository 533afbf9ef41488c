/**
 * The run store across processes, as a search and `marl-dse runs` use it: a reader while another
 * process writes, and a writer SIGKILLed mid-run. The child runs the built store (dist/), like the
 * other process tests; `npm test` builds first.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { type EvaluationRecord, RunStore } from '../../../src/store/store.js';
import { newRun, tempDir } from './fixtures.js';

const STORE_JS = join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'store', 'store.js');
const CHILD = join(import.meta.dirname, 'writer-child.mjs');
const dir = tempDir('store-processes');

beforeAll(() => {
  if (!existsSync(STORE_JS)) throw new Error(`${STORE_JS} is missing: build first (npm run build)`);
});

type Child = ChildProcessByStdio<null, Readable, Readable> & { reported(): number; exited: Promise<number | null>; stderr(): string };

/** Starts writer-child.mjs on a new run of a new store; returns the child and the run id. */
function startWriter(name: string, total: number, batch: number, pauseMs: number): { child: Child; path: string; id: number } {
  const path = join(dir, name);
  const store = RunStore.open(path);
  const id = store.createRun(newRun());
  store.close();
  const proc = spawn(process.execPath, [CHILD, STORE_JS, path, String(id), String(total), String(batch), String(pauseMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // 'close' rather than 'exit': every line the child printed has been read by then.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const child = Object.assign(proc, {
    /** The last evaluation count the child reported as committed. */
    reported: () => Number(out.slice(0, out.lastIndexOf('\n')).split('\n').pop() || 0),
    exited,
    stderr: () => err,
  });
  return { child, path, id };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rows 0 … n-1, each whole and in its place (writer-child.mjs encodes the index in every field). */
function intact(rows: readonly EvaluationRecord[]): boolean {
  return rows.every(
    (r, i) =>
      r.index === i &&
      r.design[0] === i &&
      r.config.RequestBufferSize === i &&
      r.stats.totalTimeNs === 1000 + i &&
      r.value === 2000 + i &&
      r.reward === -i &&
      r.simulated,
  );
}

describe('RunStore across processes', () => {
  it('a read-only connection reads consistent, growing runs while a child process keeps writing', async () => {
    const total = 300;
    const { child, path, id } = startWriter('live.sqlite', total, 1, 1);
    const reader = RunStore.open(path, { readonly: true });
    const counts: number[] = [];
    let done = false;
    void child.exited.then(() => (done = true));
    try {
      while (!done) {
        const count = reader.evaluationCount(id);
        const rows = reader.evaluations(id);
        // Two statements, two snapshots: the rows may be newer than the count, never older.
        expect(rows.length).toBeGreaterThanOrEqual(count);
        expect(intact(rows)).toBe(true);
        counts.push(count);
        await sleep(3);
      }
      expect(await child.exited, child.stderr()).toBe(0);
      expect(reader.evaluationCount(id)).toBe(total);
      expect(intact(reader.evaluations(id))).toBe(true);
      expect(reader.latestCheckpoint(id)).toEqual({ evaluations: total, state: `{"next":${total}}` });
    } finally {
      reader.close();
    }
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1])).toBe(true);
    expect(counts.filter((c) => c > 0 && c < total).length).toBeGreaterThan(5);
  });

  it.each([1, 4])('a writer SIGKILLed mid-run (%i evaluations per transaction) leaves every committed transaction and no torn row', async (batch) => {
    const { child, path, id } = startWriter(`killed-${batch}.sqlite`, 1_000_000, batch, 0);
    while (child.reported() < 400 && child.exitCode === null) await sleep(5);
    child.kill('SIGKILL');
    await child.exited;
    expect(child.signalCode, child.stderr()).toBe('SIGKILL');
    const reported = child.reported();

    const integrity = new Database(path, { readonly: true });
    expect(integrity.pragma('integrity_check', { simple: true })).toBe('ok');
    const rowsInTable = (integrity.prepare('SELECT count(*) AS n FROM evaluations').get() as { n: number }).n;
    integrity.close();

    // Reopened for writing, as a resuming search would.
    const store = RunStore.open(path);
    try {
      const count = store.evaluationCount(id);
      // Everything reported was committed; at most the one transaction in flight also committed
      // before its report got out. None is ever half there.
      expect(count % batch).toBe(0);
      expect(count).toBeGreaterThanOrEqual(reported);
      expect(count).toBeLessThanOrEqual(reported + batch);
      expect(rowsInTable).toBe(count);
      const rows = store.evaluations(id);
      expect(rows).toHaveLength(count);
      expect(intact(rows)).toBe(true);
      const checkpoint = store.latestCheckpoint(id);
      expect(checkpoint?.evaluations).toBeLessThanOrEqual(count);
      expect(checkpoint?.evaluations).toBeGreaterThan(count - 10 - batch);
      // The run goes on from where it stopped.
      store.appendEvaluations(id, [{ ...rows[0], index: count }]);
      expect(store.evaluationCount(id)).toBe(count + 1);
    } finally {
      store.close();
    }
  });
});
