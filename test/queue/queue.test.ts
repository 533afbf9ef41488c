/**
 * The queue evaluator against a real redis-server and real worker processes (from dist/, so run
 * `npx tsc -p .` first): identical numbers to the in-process evaluator, and the faults it must
 * survive (no worker yet, a worker killed mid-batch, Redis killed and restarted mid-batch).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../agents/index.js';
import type { SearchProblem } from '../../agents/agent.js';
import { DEFAULT_MCCONFIG, type McConfig } from '../../simulators/dram/mcconfig.js';
import { PRESETS_DIR, packageRoot } from '../../simulators/dram/presets.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { InputError } from '../../common/errors.js';
import { generateTrace } from '../../traces/generators.js';
import { writeStl } from '../../traces/stl.js';
import { type Evaluator, inProcessEvaluator, loadWorkload, MapMemo, type Workload } from '../../src/evaluator/index.js';
import { openQueueBackend, queueEvaluator, type QueueEvaluatorOptions } from '../../src/evaluator/queue.js';
import { inProcessBackend } from '../../src/evaluator/evaluator.js';
import { type SuiteEvaluator, suiteEvaluator } from '../../src/evaluator/suite.js';
import { RedisMemo } from '../../src/evaluator/redis-memo.js';
import { parseRedisUrl } from '../../src/queue/connection.js';
import { loadSpace } from '../../src/space/builtin.js';
import { type Design, designAt, designToConfig } from '../../src/space/space.js';
import { spaceSize } from '../../src/space/masks.js';
import { LocalRedis } from '../../bench/local-redis.js';

const WORKER_MAIN = join(packageRoot(), 'dist', 'src', 'queue', 'worker-main.js');
const space = loadSpace('reference');

let redis: LocalRedis;
let inspect: Redis;
let dir: string;
let workload: Workload;
/** The reference: every config simulated in this process. */
let local: Evaluator;
const evaluators: Evaluator[] = [];

/** A worker process, with its stderr kept for assertions. */
interface WorkerProc {
  proc: ChildProcess;
  stderr: string;
  exited: Promise<number | null>;
}

function spawnWorker(args: string[] = []): WorkerProc {
  const proc = spawn(process.execPath, [WORKER_MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const w: WorkerProc = { proc, stderr: '', exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
  proc.stderr!.on('data', (d: Buffer) => (w.stderr += d.toString()));
  return w;
}

const workers: WorkerProc[] = [];
const isLive = (w: WorkerProc): boolean => w.proc.exitCode === null && w.proc.signalCode === null;

/** A worker on the test queue, resolved once it takes jobs. Short locks so a dead one is noticed in ~2 s. */
async function startWorker(): Promise<WorkerProc> {
  const w = spawnWorker(['--queue', redis.url, '--concurrency', '1', '--lock-ms', '1500', '--stalled-ms', '500']);
  workers.push(w);
  await until(() => w.stderr.includes('simulation threads'), 15_000, () => `worker did not start: ${w.stderr}`);
  return w;
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(what());
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function openQueue(opts: QueueEvaluatorOptions = {}): Promise<Evaluator> {
  const e = await queueEvaluator(workload, redis.url, opts);
  evaluators.push(e);
  return e;
}

/** n random designs of the reference space (seeded), as configs. */
function randomConfigs(n: number, seed: number): McConfig[] {
  let x = seed;
  const next = (): number => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, () => designToConfig(space, designAt(space, Math.floor(next() * spaceSize(space)))));
}

const completedJobs = async (): Promise<number> => inspect.zcard('bull:marl-dse:completed');

beforeAll(async () => {
  redis = await LocalRedis.start();
  inspect = redis.client();
  dir = mkdtempSync(join(tmpdir(), 'marl-dse-queue-'));
  // A trace file and a memspec file without memoryId, both deleted once loaded: workers get
  // everything through Redis and the job payloads, never from this disk.
  const tracePath = join(dir, 'mixed.stl');
  writeStl(generateTrace('cloud-1', { requests: 3000, seed: 5, readShare: 0.7, gapDistribution: 'exponential', gapMeanCycles: 2 }), tracePath);
  const memspecPath = join(dir, 'ddr3.json');
  const doc = JSON.parse(readFileSync(join(PRESETS_DIR, 'memspec', 'MICRON_1Gb_DDR3-1600_8bit_G.json'), 'utf8')) as { memspec: Record<string, unknown> };
  delete doc.memspec.memoryId;
  writeFileSync(memspecPath, JSON.stringify(doc));
  workload = loadWorkload({ trace: tracePath, memspec: memspecPath, addressmapping: 'ddr3-1600' });
  rmSync(tracePath);
  rmSync(memspecPath);
  local = inProcessEvaluator(workload, new MapMemo());
});

afterEach(async () => {
  for (const e of evaluators.splice(0)) await e.close();
});

afterAll(async () => {
  for (const w of workers) if (isLive(w)) w.proc.kill('SIGKILL');
  inspect?.disconnect();
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('queue evaluator', () => {
  it('refuses a malformed URL with one line, from the API and from the worker command', async () => {
    await expect(queueEvaluator(workload, 'localhost:6379')).rejects.toThrow(InputError);
    expect(() => parseRedisUrl('http://h:1')).toThrow('--queue http://h:1: unsupported scheme "http" (expected redis://HOST:PORT)');
    expect(parseRedisUrl('redis://:secret@h:7000/2')).toMatchObject({ host: 'h', port: 7000, db: 2, password: 'secret', display: 'redis://:***@h:7000/2' });
    const w = spawnWorker(['--queue', 'redis://127.0.0.1:notaport']);
    expect(await w.exited).toBe(2);
    expect(w.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^marl-dse: --queue redis:\/\/127\.0\.0\.1:notaport: .*\(expected redis:\/\/HOST:PORT\)$/)]);
  });

  it('RedisMemo round-trips stats exactly, NaN, infinities and −0 included', async () => {
    const [stats] = await local.evaluate(randomConfigs(1, 99));
    const odd: SimStats = { ...stats, avgLatencyNs: NaN, maxLatencyNs: Infinity, p99LatencyNs: -Infinity, energyPj: -0 };
    const memo = new RedisMemo(inspect);
    await memo.setMany([['k|1', stats], ['k|2', odd]]);
    const [a, b, none] = await memo.getMany(['k|1', 'k|2', 'k|3']);
    expect(a).toEqual(stats);
    expect(none).toBeUndefined();
    expect(Number.isNaN(b!.avgLatencyNs) && b!.maxLatencyNs === Infinity && b!.p99LatencyNs === -Infinity && Object.is(b!.energyPj, -0)).toBe(true);
  });

  it('with no worker it says so on one line, repeatedly, keeps waiting, and finishes when one starts', async () => {
    const lines: string[] = [];
    const q = await openQueue({ noWorkerWarningMs: 600, noWorkerRepeatMs: 600, log: (l) => lines.push(l) });
    const configs = randomConfigs(12, 1);
    const pending = q.evaluate(configs);
    await until(() => lines.length >= 2, 10_000, () => `no message: ${lines.join(' / ')}`);
    expect(lines[0]).toMatch(new RegExp(`^marl-dse: no worker on queue marl-dse at redis://127\\.0\\.0\\.1:${redis.port} for \\d+ s: 12 evaluations waiting \\(start one with: marl-dse worker --queue redis://127\\.0\\.0\\.1:${redis.port}\\)$`));
    await startWorker();
    expect(await pending).toEqual(await local.evaluate(configs));
  });

  it('a search over the queue with two workers gives exactly the in-process numbers, in order', async () => {
    await startWorker();
    const problem: SearchProblem = {
      nvec: space.parameters.map((p) => p.values.length),
      parameterNames: space.parameters.map((p) => p.name),
      slices: space.slices.map((s) => ({ name: s.subsystem, parameters: s.parameters })),
      observationSize: 2,
    };
    // A GA generation per batch, rewarded on latency: repeats and near-repeats included.
    async function search(evaluator: Evaluator): Promise<{ designs: Design[]; stats: SimStats[] }> {
      const agent = createAgent('ga', problem, { seed: 3 });
      agent.begin(new Float64Array(2));
      const out = { designs: [] as Design[], stats: [] as SimStats[] };
      for (let round = 0; round < 6; round++) {
        const designs = agent.ask(agent.batchSize);
        const stats = await evaluator.evaluate(designs.map((d) => designToConfig(space, d)));
        await agent.tell(stats.map((s, i) => ({ design: designs[i], reward: -Math.log(s.totalTimeNs), observation: new Float64Array(2), done: true })));
        out.designs.push(...designs);
        out.stats.push(...stats);
      }
      agent.dispose();
      return out;
    }
    const q = await openQueue();
    const viaQueue = await search(q);
    const inProcess = await search(inProcessEvaluator(workload));
    expect(viaQueue.designs).toEqual(inProcess.designs);
    expect(viaQueue.stats).toEqual(inProcess.stats);
    expect(q.counters().simulations).toBeGreaterThan(50);
  });

  it('an input the simulator refuses is the same one-line InputError as in process', async () => {
    const path = join(dir, 'beyond.stl');
    writeFileSync(path, '0:\tread\t0x0\n1:\tread\t0x80000000\n'); // 2 GiB: beyond the 1 GiB DIMM
    const beyond = loadWorkload({ trace: path });
    const expected = await inProcessEvaluator(beyond).evaluate([DEFAULT_MCCONFIG]).catch((e: unknown) => e);
    expect(expected).toBeInstanceOf(InputError);
    const q = await queueEvaluator(beyond, redis.url, { memo: new MapMemo() });
    evaluators.push(q);
    const got = await q.evaluate([DEFAULT_MCCONFIG]).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(InputError);
    expect((got as Error).message).toBe((expected as Error).message);
  });

  it('repeated designs are free across evaluators and runs: the memo lives in Redis', async () => {
    const configs = randomConfigs(40, 2);
    const first = await openQueue();
    const a = await first.evaluate(configs);
    // (Earlier tests may have simulated a few of these designs' behaviours already.)
    expect(first.counters().simulations).toBeGreaterThan(30);
    const second = await openQueue();
    const b = await second.evaluate(configs);
    expect(b).toEqual(a);
    expect(b).toEqual(await local.evaluate(configs));
    expect(second.counters()).toEqual({ evaluations: 40, simulations: 0, cacheHits: 40 });
  });

  it('a suite over the queue: each design on every trace, the in-process numbers, a trace two suites share simulated once', async () => {
    const others = ['gen:gups:requests=600', 'gen:pointer-chase:requests=300:chains=4'].map((trace) => loadWorkload({ trace }));
    const suite = [workload, ...others];
    const names = ['mixed', 'gups', 'chase'];
    const configs = randomConfigs(8, 7);
    const inProcessSuite = suiteEvaluator(suite, [1, 2, 1], names, { backend: inProcessBackend, close: async () => {} });
    const expected = await inProcessSuite.evaluate(configs);
    const opened: SuiteEvaluator[] = [];
    try {
      const memo = new MapMemo();
      const viaQueue = suiteEvaluator(suite, [1, 2, 1], names, await openQueueBackend(redis.url, { memo }));
      opened.push(viaQueue);
      expect(await viaQueue.evaluate(configs)).toEqual(expected);
      expect(viaQueue.counters().simulations).toBe(memo.size);
      // Another suite holding one of these traces, on the same memo: only its new trace is simulated.
      const fresh = loadWorkload({ trace: 'gen:stencil:requests=500' });
      const other = suiteEvaluator([others[0], fresh], [1, 1], ['gups', 'stencil'], await openQueueBackend(redis.url, { memo }));
      opened.push(other);
      const both = await other.evaluate(configs);
      expect(both.map((r) => r.traces[0])).toEqual(expected.map((r) => r.traces[1]));
      expect(other.lastSimulated().every(([gups]) => !gups)).toBe(true);
      expect(other.counters().cacheHits).toBe(configs.length);
    } finally {
      for (const e of opened) await e.close();
    }
  });

  it('ignores results for jobs already collected: late events and jobs completed a second time', async () => {
    const q = await openQueue({ memo: new MapMemo() });
    const first = randomConfigs(6, 5);
    await q.evaluate(first);
    const ids = await inspect.zrange('bull:marl-dse:completed', -6, -1);
    // Run the batch's jobs again under the same ids, and add events with wrong results for them.
    const raw = new Queue('marl-dse', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      for (const id of ids) {
        const job = (await raw.getJob(id))!;
        await job.remove();
        await raw.add(job.name, job.data, { jobId: id });
        await inspect.xadd('bull:marl-dse:events', '*', 'event', 'completed', 'jobId', id, 'returnvalue', JSON.stringify('[]'));
      }
      const second = randomConfigs(30, 6);
      const during = q.evaluate(second);
      await until(async () => (await Promise.all(ids.map((id) => raw.getJobState(id)))).every((st) => st === 'completed'), 20_000, () => 'reruns did not finish');
      expect(await during).toEqual(await local.evaluate(second));
      expect(q.counters().evaluations).toBe(36);
    } finally {
      await raw.close();
    }
  });

  it('a worker killed mid-batch has its jobs retried elsewhere; the batch completes with identical results', async () => {
    const stalled: string[] = [];
    const events = new QueueEvents('marl-dse', { connection: { host: '127.0.0.1', port: redis.port } });
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    try {
      const q = await openQueue({ memo: new MapMemo() });
      const configs = randomConfigs(300, 3);
      const before = await completedJobs();
      const pending = q.evaluate(configs);
      await until(async () => (await completedJobs()) >= before + 20, 20_000, () => 'no progress');
      const victim = workers.find(isLive)!;
      victim.proc.kill('SIGKILL');
      expect(await pending).toEqual(await local.evaluate(configs));
      expect(stalled.length).toBeGreaterThan(0);
    } finally {
      await events.close();
    }
    await startWorker();
  });

  it('Redis killed and restarted mid-batch: one wait line, the lost jobs are sent again, nothing is lost', async () => {
    const lines: string[] = [];
    const q = await openQueue({ memo: new MapMemo(), reconcileMs: 1000, log: (l) => lines.push(l) });
    const configs = randomConfigs(300, 4);
    const before = await completedJobs();
    const pending = q.evaluate(configs);
    await until(async () => (await completedJobs()) >= before + 20, 20_000, () => 'no progress');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.startServer();
    expect(await pending).toEqual(await local.evaluate(configs));
    const waits = lines.filter((l) => l.includes('waiting for Redis'));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(new RegExp(`^marl-dse: waiting for Redis at redis://127\\.0\\.0\\.1:${redis.port}: [^\\n]+ \\(retrying\\)$`));
    expect(lines).toContain(`marl-dse: Redis at redis://127.0.0.1:${redis.port} is back`);
  });

  it('workers stop cleanly on SIGTERM', async () => {
    const live = workers.filter(isLive);
    expect(live.length).toBeGreaterThan(0);
    for (const w of live) w.proc.kill('SIGTERM');
    for (const w of live) {
      expect(await w.exited).toBe(0);
      expect(w.stderr).toMatch(/marl-dse worker: stopped after \d+ jobs/);
    }
  });
});
