import type { McConfig } from '../../mcconfig.js';
import type { RequestPool } from '../requests.js';
import { FifoResponseQueue } from './fifo.js';
import { ReorderResponseQueue } from './reorder.js';
import type { ResponseQueue } from './resp-queue.js';

export type { ResponseQueue };

export const RESPONSE_QUEUES: Record<McConfig['RespQueue'], new (pool: RequestPool) => ResponseQueue> = {
  Fifo: FifoResponseQueue,
  Reorder: ReorderResponseQueue,
};
