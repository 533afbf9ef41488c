/**
 * The search side of the queue: sends a batch's configs as BullMQ jobs and gathers the results
 * in the order asked. One dispatcher serves every workload of a search (a suite's traces): each
 * trace is published the first time a batch needs it.
 *
 * Results arrive as `completed` events. Events can be missed (Redis restarted, the event stream
 * trimmed) and jobs can vanish (Redis restarted without persistence), so whenever no job has
 * finished for a while, and after every reconnection, the dispatcher asks BullMQ for the state of
 * each job still pending: finished ones are collected, missing ones are sent again under the
 * same id. A result for a job no longer pending (collected already, or finished twice) is
 * ignored. Nothing is lost as long as the search process lives.
 */
import { randomBytes } from 'node:crypto';
import { type JobsOptions, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EvalConfig } from '../space/system.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { InputError } from '../../common/errors.js';
import type { Workload } from '../evaluator/workload.js';
import { isConnectionError, type LineLogger, type RedisHealth, type RedisTarget, settleWithin } from './connection.js';
import { decodeStats, INPUT_ERROR_PREFIX, JOB_NAME, PROTOCOL_VERSION, type SimulationJobData, type WorkloadWire, workloadToWire } from './protocol.js';
import { publishTrace } from './trace-store.js';

export interface DispatcherOptions {
  queueName: string;
  /** Configs per job, or 'auto' (see `autoJobSize`). */
  jobSize: number | 'auto';
  /** Say so when jobs have waited this long with no worker on the queue. */
  noWorkerWarningMs: number;
  /** Then repeat the message this often while it stays true. */
  noWorkerRepeatMs: number;
  /** With jobs pending and none finished for this long, check on each pending job. */
  reconcileMs: number;
  log: LineLogger;
}

interface PendingJob {
  readonly data: SimulationJobData;
  /** The job reached Redis at least once (before that, "missing" means "not sent yet"). */
  sent: boolean;
  resolve(stats: SimStats[]): void;
  reject(e: Error): void;
}

/** Completed jobs kept in Redis a while, so a result whose event was missed can still be read. */
const JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600 },
  // Retries are for transient trouble on a worker (a trace not yet republished after a Redis
  // restart); simulation errors are marked unrecoverable by the worker.
  attempts: 3,
  backoff: { type: 'fixed', delay: 1000 },
};

/**
 * Configs per job for a batch of n: one each for batches of up to 511 (every worker thread gets
 * work however many there are), then larger, up to 8, keeping at least 256 jobs. A job costs the
 * queue about 3 ms of worker time on a 2-CPU machine with local Redis (bench/queue.ts: 650
 * one-config jobs/s with 2 workers, 2,200 configs/s at 8 per job), small beside a 10-60 ms
 * simulation of a 10,000-request trace: there 1, 4 and 8 per job measured the same. Grouping
 * large batches still divides the Redis round trips and events, which count with a remote Redis
 * and many workers.
 */
export function autoJobSize(n: number): number {
  return Math.max(1, Math.min(8, Math.floor(n / 256)));
}

/** Longer than BullMQ's default (10,000) since each 2,000-config batch makes ~8,000 events. */
const EVENT_STREAM_MAX_LEN = 50_000;
/** Concurrent state queries while reconciling. */
const RECONCILE_CHUNK = 500;

export class QueueDispatcher {
  private readonly runId = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly pending = new Map<string, PendingJob>();
  /** The workloads sent so far, by key: their traces are published again after a reconnection. */
  private readonly workloads = new Map<string, { workload: Workload; wire: WorkloadWire }>();
  /** When a job last finished (or the current batch started). */
  private lastProgressAt = Date.now();
  private lastReconcileAt = 0;
  private lastWarningAt = 0;
  private reconnected = false;
  private reconciling = false;
  private checkingWorkers = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly target: RedisTarget,
    private readonly health: RedisHealth,
    private readonly redis: Redis,
    private readonly queue: Queue<SimulationJobData, string>,
    private readonly events: QueueEvents,
    private readonly opts: DispatcherOptions,
  ) {
    this.events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) => this.fail(jobId, failedReason));
    this.redis.on('ready', () => {
      // A reconnection: jobs and the trace may be gone with the old Redis.
      this.reconnected = true;
      void this.reconcile();
    });
    this.timer = setInterval(() => this.tick(), Math.min(1000, opts.reconcileMs, opts.noWorkerWarningMs));
    this.timer.unref();
  }

  /** Connects the queue and its event reader. */
  static async open(target: RedisTarget, health: RedisHealth, redis: Redis, opts: DispatcherOptions): Promise<QueueDispatcher> {
    const queue = new Queue<SimulationJobData, string>(opts.queueName, {
      connection: redis,
      streams: { events: { maxLen: EVENT_STREAM_MAX_LEN } },
    });
    // Read events from the stream's current end, so none between now and the first XREAD is lost.
    const streamEnd = await lastStreamId(redis, queue.keys.events);
    const events = new QueueEvents(opts.queueName, { connection: redis, lastEventId: streamEnd, blockingTimeout: 5000 });
    const onError = (e: Error): void => {
      if (isConnectionError(e)) health.reportError(e);
      else opts.log(`marl-dse: queue: ${e.message.split('\n')[0]}`);
    };
    queue.on('error', onError);
    events.on('error', onError);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueDispatcher(target, health, redis, queue, events, opts);
  }

  /** The SimulationBackend: distinct configs of `workload` in, their stats out in the same order. The trace is published before its first job is sent. */
  async run(workload: Workload, configs: readonly EvalConfig[]): Promise<SimStats[]> {
    if (this.closed) throw new Error('queue evaluator is closed');
    let known = this.workloads.get(workload.key);
    if (!known) {
      await publishTrace(this.redis, workload.trace, workload.traceHash);
      known = { workload, wire: workloadToWire(workload) };
      this.workloads.set(workload.key, known);
    }
    const wire = known.wire;
    const ids: string[] = [];
    const results: Array<Promise<SimStats[]>> = [];
    const size = this.opts.jobSize === 'auto' ? autoJobSize(configs.length) : this.opts.jobSize;
    for (let i = 0; i < configs.length; i += size) {
      const id = `${this.runId}-${this.seq++}`;
      const data: SimulationJobData = { v: PROTOCOL_VERSION, workload: wire, configs: configs.slice(i, i + size) };
      ids.push(id);
      results.push(new Promise<SimStats[]>((resolve, reject) => this.pending.set(id, { data, sent: false, resolve, reject })));
    }
    this.lastProgressAt = Date.now();
    try {
      await this.send(ids);
      return (await Promise.all(results)).flat();
    } catch (e) {
      this.abandon(ids);
      throw e;
    }
  }

  /** Stops: pending batches fail, their queued jobs are withdrawn (best effort). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const ids = [...this.pending.keys()];
    for (const id of ids) this.pending.get(id)?.reject(new Error('queue evaluator closed'));
    if (!this.health.isDown) await settleWithin(this.removeJobs(ids), 2000);
    this.pending.clear();
    await settleWithin(this.events.close(), 2000);
    await settleWithin(this.queue.close(), 2000);
  }

  private async send(ids: readonly string[]): Promise<void> {
    const jobs = ids.flatMap((id) => {
      const p = this.pending.get(id);
      return p ? [{ name: JOB_NAME, data: p.data, opts: { ...JOB_OPTIONS, jobId: id } }] : [];
    });
    if (jobs.length === 0) return;
    // One round trip for the batch: adding jobs one by one was measured 2.5x slower.
    await this.queue.addBulk(jobs);
    for (const id of ids) {
      const p = this.pending.get(id);
      if (p) p.sent = true;
    }
  }

  private settle(jobId: string, returnvalue: unknown): void {
    const p = this.pending.get(jobId);
    if (!p) return; // Already collected, or another search's job.
    let stats: SimStats[];
    try {
      if (typeof returnvalue !== 'string') throw new Error('result is not an encoded SimStats list');
      stats = decodeStats(returnvalue);
      if (stats.length !== p.data.configs.length) throw new Error(`${stats.length} results for ${p.data.configs.length} configs`);
    } catch (e) {
      this.fail(jobId, (e as Error).message);
      return;
    }
    this.pending.delete(jobId);
    this.lastProgressAt = Date.now();
    p.resolve(stats);
  }

  private fail(jobId: string, reason: string): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    const line = reason.split('\n')[0];
    // The simulator refused the input: the same one-line InputError an in-process search gives.
    if (line.startsWith(INPUT_ERROR_PREFIX)) p.reject(new InputError(line.slice(INPUT_ERROR_PREFIX.length)));
    else p.reject(new Error(`queue job ${jobId} failed: ${line}`));
  }

  /** Drops a failed batch's other jobs, so they neither run nor resolve anything. */
  private abandon(ids: readonly string[]): void {
    const left = ids.filter((id) => this.pending.delete(id));
    if (left.length > 0 && !this.health.isDown) void settleWithin(this.removeJobs(left), 2000);
  }

  private async removeJobs(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.queue.remove(id).catch(() => 0)));
  }

  private tick(): void {
    if (this.pending.size === 0 || this.health.isDown) return;
    const now = Date.now();
    if (now - Math.max(this.lastProgressAt, this.lastReconcileAt) >= this.opts.reconcileMs) void this.reconcile();
    if (now - this.lastProgressAt >= this.opts.noWorkerWarningMs) void this.warnIfNoWorkers();
  }

  /** Publishes every trace sent so far again (Redis may have lost them). */
  private async publishAll(): Promise<void> {
    for (const { workload } of this.workloads.values()) await publishTrace(this.redis, workload.trace, workload.traceHash);
  }

  /** Collects results whose events were missed and re-sends jobs Redis lost. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.closed || this.pending.size === 0) return;
    this.reconciling = true;
    try {
      if (this.reconnected) {
        this.reconnected = false;
        await this.publishAll();
      }
      const ids = [...this.pending.entries()].filter(([, p]) => p.sent).map(([id]) => id);
      const lost: string[] = [];
      for (let i = 0; i < ids.length; i += RECONCILE_CHUNK) {
        const chunk = ids.slice(i, i + RECONCILE_CHUNK);
        const states = await Promise.all(chunk.map((id) => this.queue.getJobState(id)));
        await Promise.all(chunk.map((id, j) => this.collect(id, states[j], lost)));
      }
      if (lost.length > 0) {
        await this.publishAll();
        await this.send(lost);
      }
      this.lastReconcileAt = Date.now();
    } catch (e) {
      if (!isConnectionError(e)) this.opts.log(`marl-dse: queue: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      this.reconciling = false;
    }
  }

  private async collect(id: string, state: string, lost: string[]): Promise<void> {
    if (state === 'unknown') {
      lost.push(id);
      return;
    }
    if (state !== 'completed' && state !== 'failed') return;
    const job = await this.queue.getJob(id);
    if (!job) lost.push(id);
    else if (state === 'completed') this.settle(id, job.returnvalue);
    else this.fail(id, job.failedReason);
  }

  private async warnIfNoWorkers(): Promise<void> {
    const now = Date.now();
    if (this.checkingWorkers || now - this.lastWarningAt < this.opts.noWorkerRepeatMs) return;
    this.checkingWorkers = true;
    try {
      const workers = await this.queue.getWorkersCount();
      if (workers > 0 || this.pending.size === 0 || this.closed) return;
      const configs = [...this.pending.values()].reduce((n, p) => n + p.data.configs.length, 0);
      const waited = Math.round((now - this.lastProgressAt) / 1000);
      this.opts.log(
        `marl-dse: no worker on queue ${this.opts.queueName} at ${this.target.display} for ${waited} s: ` +
          `${configs} evaluations waiting (start one with: marl-dse worker --queue ${this.target.display})`,
      );
      this.lastWarningAt = now;
    } catch (e) {
      if (!isConnectionError(e)) this.opts.log(`marl-dse: queue: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      this.checkingWorkers = false;
    }
  }
}

/** The id of the last entry of a stream, or '0' if it has none (then every entry is new). */
async function lastStreamId(redis: Redis, key: string): Promise<string> {
  const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  return last.length > 0 ? last[0][0] : '0';
}
