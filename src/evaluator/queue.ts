/**
 * The queue evaluator: simulations run on `marl-dse worker` processes on any machine, through a
 * BullMQ queue on Redis; the search (and its agents) stays here. Same interface, same numbers as
 * the in-process evaluator; memoised in Redis by default, so designs simulated by earlier runs
 * cost nothing.
 */
import type { EvalConfig } from '../space/system.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { closeRedis, connectRedis, type LineLogger, parseRedisUrl, RedisHealth, stderrLogger, untilReady } from '../queue/connection.js';
import { QueueDispatcher } from '../queue/dispatcher.js';
import { DEFAULT_QUEUE_NAME } from '../queue/protocol.js';
import { abortable, type Evaluator, type Memo, MemoizingEvaluator } from './evaluator.js';
import type { Backend } from './suite.js';
import { RedisMemo } from './redis-memo.js';
import type { Workload } from './workload.js';

export interface QueueEvaluatorOptions {
  /** Where results are memoised (default: a RedisMemo on the queue's Redis). */
  memo?: Memo;
  /** BullMQ queue name (default `marl-dse`); workers must use the same. */
  queueName?: string;
  /** Configs per job (default 'auto': one each for batches below 512, up to 8 for larger ones). */
  jobSize?: number | 'auto';
  /** Report "no worker" after jobs have waited this long without one (default 10 s)… */
  noWorkerWarningMs?: number;
  /** …and repeat it this often (default 30 s). */
  noWorkerRepeatMs?: number;
  /** Check on pending jobs when none finished for this long (default 5 s). */
  reconcileMs?: number;
  /** Where one-line notices go (default stderr). */
  log?: LineLogger;
  /** Aborted: evaluations in flight are given up (their jobs still finish on the workers, into the memo). */
  signal?: AbortSignal;
}

/**
 * The queue as a backend for any number of workloads (a suite's traces): connects to `url`
 * (`redis://HOST:PORT`). A malformed URL is an InputError; an unreachable Redis is waited for,
 * with one line on stderr saying so.
 */
export async function openQueueBackend(url: string, opts: QueueEvaluatorOptions = {}): Promise<Backend> {
  const target = parseRedisUrl(url);
  const jobSize = opts.jobSize ?? 'auto';
  if (jobSize !== 'auto' && !(Number.isInteger(jobSize) && jobSize >= 1)) throw new RangeError(`jobSize ${jobSize}: expected a positive integer or 'auto'`);
  const log = opts.log ?? stderrLogger;
  const health = new RedisHealth(target, log);
  const redis = connectRedis(target, health, 'marl-dse:search');
  try {
    await untilReady(redis);
    const dispatcher = await QueueDispatcher.open(target, health, redis, {
      queueName: opts.queueName ?? DEFAULT_QUEUE_NAME,
      jobSize,
      noWorkerWarningMs: opts.noWorkerWarningMs ?? 10_000,
      noWorkerRepeatMs: opts.noWorkerRepeatMs ?? 30_000,
      reconcileMs: opts.reconcileMs ?? 5_000,
      log,
    });
    const backend = (w: Workload, configs: readonly EvalConfig[], signal?: AbortSignal): Promise<SimStats[]> => abortable(dispatcher.run(w, configs), signal);
    const close = async (): Promise<void> => {
      await dispatcher.close();
      await closeRedis(redis);
    };
    return { backend, memo: opts.memo ?? new RedisMemo(redis), close };
  } catch (e) {
    await closeRedis(redis);
    throw e;
  }
}

/** The queue evaluator of one workload (see `openQueueBackend`). */
export async function queueEvaluator(workload: Workload, url: string, opts: QueueEvaluatorOptions = {}): Promise<Evaluator> {
  const { backend, memo, close } = await openQueueBackend(url, opts);
  return new MemoizingEvaluator(workload, backend, memo, close, opts.signal);
}
