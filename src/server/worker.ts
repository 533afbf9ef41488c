/**
 * The dashboard server on a thread of its own, for `search --serve`: an in-process search keeps the
 * main thread busy for whole batches (its awaits resolve at once, so the event loop would not serve
 * a request until the search ends). Here the server has its own event loop and its own read-only
 * connection to the store, exactly as if it were another process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isInputError } from '../../common/errors.js';
import { type ServerOptions, startServer } from './server.js';
import type { ThreadReply } from './thread.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs as a worker thread');
const post = (m: ThreadReply): void => port.postMessage(m);

try {
  const server = await startServer(workerData as ServerOptions);
  post({ type: 'listening', url: server.url, host: server.host, port: server.port, token: server.token });
  port.on('message', (m: unknown) => {
    if (m !== 'close') return;
    void server.close().then(() => {
      post({ type: 'closed' });
      port.close();
    });
  });
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e), inputError: isInputError(e) });
  port.close();
}
