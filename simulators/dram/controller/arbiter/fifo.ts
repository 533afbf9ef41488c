import type { RequestPool } from '../requests.js';
import { FifoResponseQueue } from '../resp-queue/fifo.js';
import type { Arbiter } from './arbiter.js';

/** Fifo: queues requests, at most MaxActiveTransactions unanswered; responses in controller order. */
export class FifoArbiter extends FifoResponseQueue implements Arbiter {
  constructor(pool: RequestPool, private readonly maxActive: number) {
    super(pool);
  }

  canAccept(_queued: number, active: number): boolean {
    return active < this.maxActive;
  }
}
