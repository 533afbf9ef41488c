/** `startServer` on a worker thread (see worker.ts for why), with the same options and handle. */
import { Worker } from 'node:worker_threads';
import { InputError } from '../../common/errors.js';
import type { DashboardServer, ServerOptions } from './server.js';

/** What the worker reports. */
export type ThreadReply =
  | { type: 'listening'; url: string; host: string; port: number; token: string | null }
  | { type: 'failed'; message: string; inputError: boolean }
  | { type: 'closed' };

export type ServerHandle = Omit<DashboardServer, 'clients'>;

export function startServerThread(opts: ServerOptions): Promise<ServerHandle> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: opts });
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`the dashboard thread exited (code ${code}) before listening`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (m: ThreadReply) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      // The dashboard must never take the search down with it: if its thread dies, say so once.
      worker.on('error', (e: Error) => process.stderr.write(`marl-dse: the dashboard stopped: ${e.message.split('\n')[0]} (the search goes on)\n`));
      if (m.type === 'failed') {
        reject(m.inputError ? new InputError(m.message) : new Error(m.message));
        return;
      }
      if (m.type !== 'listening') return reject(new Error(`the dashboard thread said "${m.type}" before listening`));
      let closed: Promise<void> | null = null;
      resolve({
        url: m.url,
        host: m.host,
        port: m.port,
        token: m.token,
        close: () => {
          closed ??= new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.once('message', () => void worker.terminate());
            worker.postMessage('close');
            // A thread that cannot close in time is stopped.
            setTimeout(() => void worker.terminate(), 5000).unref();
          });
          return closed;
        },
      });
    });
  });
}
