import type { RequestPool } from '../requests.js';
import { ReorderResponseQueue } from '../resp-queue/reorder.js';
import type { Arbiter } from './arbiter.js';

/** Reorder: like Fifo, but returns responses to the player in its request order. */
export class ReorderArbiter extends ReorderResponseQueue implements Arbiter {
  constructor(pool: RequestPool, private readonly maxActive: number) {
    super(pool);
  }

  canAccept(_queued: number, active: number): boolean {
    return active < this.maxActive;
  }
}
