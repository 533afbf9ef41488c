/** `marl-dse worker` and `search --queue` from the command line, against a real Redis. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRedis } from '../../bench/local-redis.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-queue-cli-'));
let redis: LocalRedis;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await LocalRedis.start();
}, 30_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('search over the queue', () => {
  it('with two `marl-dse worker` processes gives the in-process result for the same seed', async () => {
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, [CLI, 'worker', '--queue', redis.url, '--concurrency', '1'], { stdio: 'ignore' }));
    const args = ['search', '--agent', 'marl', '--trace', 'builtin:cloud-2', '--objective', 'latency', '--budget', '64', '--seed', '9', '--json'];
    const local = cli(...args, '--db', join(dir, 'local.sqlite'));
    const queued = cli(...args, '--db', join(dir, 'queued.sqlite'), '--queue', redis.url);
    expect(local.code).toBe(0);
    expect(queued.code).toBe(0);
    const a = JSON.parse(local.stdout);
    const b = JSON.parse(queued.stdout);
    for (const k of ['bestValue', 'bestConfig', 'bestStats', 'evaluations', 'evaluationsToTarget']) expect(b[k], k).toEqual(a[k]);
  });

  it('rejects a bad queue URL and --queue with --workers: one line, exit code 2', () => {
    const bad = cli('search', '--trace', 'builtin:stream', '--budget', '8', '--db', join(dir, 'x.sqlite'), '--queue', 'http://example');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^marl-dse: --queue/);
    const both = cli('search', '--trace', 'builtin:stream', '--budget', '8', '--db', join(dir, 'y.sqlite'), '--queue', redis.url, '--workers', '2');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^marl-dse: --workers and --queue: choose one/);
    const worker = cli('worker', '--queue', 'redis://127.0.0.1:notaport');
    expect(worker.code).toBe(2);
    expect(worker.stderr.trim().split('\n')).toHaveLength(1);
  });
});
