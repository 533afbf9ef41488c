/**
 * A queue worker: takes simulation jobs of any search from the BullMQ queue and runs them on a
 * pool of worker threads on this machine. Traces are fetched from Redis by hash and kept; results
 * go back through BullMQ and into the Redis memo, so a design is simulated once across searches.
 *
 * Faults: each active job holds a lock this process renews; if the process dies the lock lapses
 * and another worker's stalled-job check puts the job back in the queue (after at most about
 * lockDuration + 2 × stalledInterval).
 */
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Piscina } from 'piscina';
import type { EvalConfig } from '../space/system.js';
import { packageRoot } from '../../simulators/dram/presets.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import type { Trace } from '../../simulators/trace.js';
import { memoKeyOf } from '../evaluator/evaluator.js';
import { RedisMemo } from '../evaluator/redis-memo.js';
import {
  closeRedis,
  connectRedis,
  isConnectionError,
  type LineLogger,
  parseRedisUrl,
  RedisHealth,
  settleWithin,
  stderrLogger,
  untilReady,
} from './connection.js';
import { DEFAULT_QUEUE_NAME, encodeStats, INPUT_ERROR_PREFIX, PROTOCOL_VERSION, type SimulationJobData } from './protocol.js';
import type { SimOutcome, SimTask } from './sim-thread.js';
import { fetchTrace } from './trace-store.js';

/** The compiled thread module (tests run from the TypeScript sources, threads from the build). */
export const SIM_THREAD_FILE = join(packageRoot(), 'dist', 'src', 'queue', 'sim-thread.js');

export interface QueueWorkerOptions {
  /** `redis://HOST:PORT`. */
  url: string;
  /** Simulation threads (default: this machine's CPUs). */
  concurrency?: number;
  queueName?: string;
  /** How long a job's lock lasts without renewal: a dead worker's jobs return after about this. */
  lockDurationMs?: number;
  /** How often this worker looks for other workers' stalled jobs. */
  stalledIntervalMs?: number;
  /** Consult and fill the Redis memo (default true). */
  memo?: boolean;
  /** Shown in BullMQ's job records (default host:pid). */
  name?: string;
  log?: LineLogger;
  /** Gives up waiting for Redis (startQueueWorker then resolves undefined). */
  signal?: AbortSignal;
}

export interface QueueWorkerCounters {
  /** Jobs completed. */
  jobs: number;
  /** Configs simulated here. */
  simulations: number;
  /** Configs answered from the Redis memo (simulated before, by anyone). */
  memoHits: number;
}

export interface QueueWorker {
  readonly name: string;
  readonly concurrency: number;
  counters(): QueueWorkerCounters;
  /**
   * Stops taking jobs; waits for the running ones to finish and be recorded, unless `force`.
   * False if Redis did not answer in time (running jobs are then retried by other workers).
   */
  close(force?: boolean): Promise<boolean>;
}

export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5_000;
/** A job whose worker died this many times is given up (then the search reports it). */
const MAX_STALLED_COUNT = 5;
/** How long a graceful close may take: the running simulations finish, their results are stored. */
const CLOSE_WAIT_MS = 60_000;
/** …and when Redis is away or the close is forced (BullMQ's close can hang then). */
const CLOSE_WAIT_DOWN_MS = 3_000;
/** Traces kept in memory; a worker rarely serves more searches at once. */
const TRACES_KEPT = 4;

/** Traces by hash, fetched once each (concurrent jobs share the fetch). */
class TraceCache {
  private readonly traces = new Map<string, Promise<Trace>>();
  constructor(private readonly redis: Redis) {}

  get(hash: string): Promise<Trace> {
    let t = this.traces.get(hash);
    if (!t) {
      t = fetchTrace(this.redis, hash);
      this.traces.set(hash, t);
      // A failed fetch is not cached: the next job tries again.
      t.catch(() => this.traces.delete(hash));
      if (this.traces.size > TRACES_KEPT) this.traces.delete(this.traces.keys().next().value as string);
    }
    return t;
  }
}

function checkJob(data: unknown): SimulationJobData {
  const d = data as Partial<SimulationJobData> | null;
  if (!d || d.v !== PROTOCOL_VERSION || !d.workload || !Array.isArray(d.configs)) {
    throw new UnrecoverableError(`unsupported job (protocol ${String(d?.v)}; this worker speaks ${PROTOCOL_VERSION})`);
  }
  return d as SimulationJobData;
}

/** Connects (waiting for Redis as long as it takes, unless `signal` aborts) and starts taking jobs. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker | undefined> {
  const target = parseRedisUrl(options.url);
  const log = options.log ?? stderrLogger;
  const health = new RedisHealth(target, log, 'marl-dse worker');
  const threads = options.concurrency ?? availableParallelism();
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const redis = connectRedis(target, health, `marl-dse:worker:${name}`);
  if (!(await untilReady(redis, options.signal))) {
    await closeRedis(redis);
    return undefined;
  }

  const memo = options.memo === false ? undefined : new RedisMemo(redis);
  const traces = new TraceCache(redis);
  const pool = new Piscina({ filename: SIM_THREAD_FILE, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
  const counts: QueueWorkerCounters = { jobs: 0, simulations: 0, memoHits: 0 };

  /** Simulates on the thread pool; a refused input fails the job for good (every worker would refuse it). */
  async function simulateOnThreads(data: SimulationJobData, configs: EvalConfig[]): Promise<SimStats[]> {
    const trace = await traces.get(data.workload.traceHash);
    const task: SimTask = { workload: data.workload, trace, configs };
    const outcome = (await pool.run(task)) as SimOutcome;
    if ('inputError' in outcome) throw new UnrecoverableError(INPUT_ERROR_PREFIX + outcome.inputError);
    counts.simulations += configs.length;
    return outcome.stats;
  }

  /** The job's results in config order, encoded; known ones come from the memo, new ones go into it. */
  async function simulateJob(data: SimulationJobData): Promise<string> {
    const keys = data.configs.map((c) => memoKeyOf(data.workload.key, c));
    const results: Array<SimStats | undefined> = memo ? await memo.getMany(keys) : keys.map(() => undefined);
    const missing = keys.flatMap((_, i) => (results[i] === undefined ? [i] : []));
    counts.memoHits += keys.length - missing.length;
    if (missing.length > 0) {
      const fresh = await simulateOnThreads(data, missing.map((i) => data.configs[i]));
      missing.forEach((i, j) => (results[i] = fresh[j]));
      if (memo) await memo.setMany(missing.map((i, j) => [keys[i], fresh[j]]));
    }
    return encodeStats(results as SimStats[]);
  }

  const worker = new Worker<SimulationJobData, string>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job: Job<SimulationJobData, string>) => {
      const result = await simulateJob(checkJob(job.data));
      counts.jobs++;
      return result;
    },
    {
      connection: redis,
      name,
      // A second job per thread waits in the pool while the first runs, so with a distant Redis a
      // thread does not sit idle for the round trip that fetches its next job. (On a 2-CPU machine
      // with local Redis the difference is below the noise.)
      concurrency: threads * 2,
      lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
      stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      autorun: true,
    },
  );
  worker.on('error', (e: Error) => {
    if (isConnectionError(e)) health.reportError(e);
    else log(`marl-dse worker: ${e.message.split('\n')[0]}`);
  });
  worker.on('failed', (job: Job<SimulationJobData, string> | undefined, e: Error) => {
    log(`marl-dse worker: job ${job?.id ?? '?'} failed: ${e.message.split('\n')[0]}`);
  });
  await worker.waitUntilReady();

  let closing: Promise<boolean> | undefined;
  return {
    name,
    concurrency: threads,
    counters: () => ({ ...counts }),
    close(force = false): Promise<boolean> {
      closing ??= (async () => {
        const clean = await settleWithin(worker.close(force), force || health.isDown ? CLOSE_WAIT_DOWN_MS : CLOSE_WAIT_MS);
        await pool.destroy();
        await closeRedis(redis);
        return clean;
      })();
      return closing;
    },
  };
}
