/** `marl-dse worker`: run simulations for any search on a Redis queue, on this machine's CPUs. */
import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { InputError } from '../../common/errors.js';
import { parseRedisUrl } from '../queue/connection.js';
import { DEFAULT_QUEUE_NAME } from '../queue/protocol.js';
import { DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS, startQueueWorker } from '../queue/worker.js';
import { integer } from '../../common/parse.js';
import { untilInterrupted } from './program.js';
import { COMMANDS } from './commands.js';

interface WorkerFlags {
  queue: string;
  concurrency?: string;
  queueName: string;
  memo: boolean;
  lockMs?: string;
  stalledMs?: string;
}

function parseQueueName(raw: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(raw)) throw new InputError(`--queue-name ${raw}: use letters, digits, '.', '_' and '-'`);
  return raw;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(COMMANDS.worker.description)
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT')
    .option('--concurrency <n>', `simulation threads (default: this machine's CPUs, ${availableParallelism()})`)
    .option('--queue-name <name>', 'BullMQ queue name (the searches must use the same)', DEFAULT_QUEUE_NAME)
    .option('--no-memo', 'do not consult or fill the Redis memo')
    .addOption(new Option('--lock-ms <ms>', "job lock duration: a dead worker's jobs are retried after about this").hideHelp())
    .addOption(new Option('--stalled-ms <ms>', "how often to look for dead workers' jobs").hideHelp())
    .action(async (flags: WorkerFlags) => {
      const target = parseRedisUrl(flags.queue);
      const queueName = parseQueueName(flags.queueName);
      const concurrency = integer(flags.concurrency, '--concurrency', 1, 256);
      const lockDurationMs = integer(flags.lockMs, '--lock-ms', 500, 3_600_000) ?? DEFAULT_LOCK_DURATION_MS;
      const stalledIntervalMs = integer(flags.stalledMs, '--stalled-ms', 100, 3_600_000) ?? DEFAULT_STALLED_INTERVAL_MS;
      const abort = new AbortController();
      const stopped = untilInterrupted(() => {
        process.stderr.write('marl-dse worker: stopped without finishing its jobs (they will be retried elsewhere)\n');
        process.exit(130);
      });
      // A signal while still waiting for Redis ends the wait.
      void stopped.then(() => abort.abort());
      const worker = await startQueueWorker({ url: flags.queue, queueName, concurrency, memo: flags.memo, lockDurationMs, stalledIntervalMs, signal: abort.signal });
      if (!worker) {
        process.stderr.write('marl-dse worker: stopped before Redis answered\n');
        return;
      }
      process.stderr.write(
        `marl-dse worker ${worker.name}: ${worker.concurrency} simulation threads on queue ${queueName} at ${target.display} (Ctrl-C stops)\n`,
      );
      const signal = await stopped;
      process.stderr.write(`marl-dse worker: ${signal}: finishing running jobs (again to stop at once)\n`);
      const clean = await worker.close();
      const c = worker.counters();
      if (!clean) process.stderr.write('marl-dse worker: Redis did not answer while stopping: unfinished jobs will be retried by other workers\n');
      process.stderr.write(`marl-dse worker: stopped after ${c.jobs} jobs: ${c.simulations} simulations, ${c.memoHits} memo hits\n`);
      // BullMQ may keep timers of a connection it could not close; nothing else is left to do.
      if (!clean) process.exit(process.exitCode ?? 0);
    });
}
