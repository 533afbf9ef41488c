import type { RequestPool } from '../requests.js';
import { ReorderResponseQueue } from '../resp-queue/reorder.js';
import type { Arbiter } from './arbiter.js';

/** Reorder (DRAMSys's ArbiterReorder): like Fifo, but returns responses to the player in its request order. */
export class ReorderArbiter extends ReorderResponseQueue implements Arbiter {
  readonly acknowledgesOnAccept = true;
  readonly forwardDelay = 0;
  readonly backwardDelay = 0;

  constructor(pool: RequestPool, private readonly maxActive: number) {
    super(pool);
  }

  /** The player's request order, across channels. */
  protected override order(slot: number): number {
    return this.pool.id[slot];
  }

  canAccept(_queued: number, active: number): boolean {
    return active < this.maxActive;
  }

  canTakeResponse(_channel: number, t: number, lastResponse: number): boolean {
    return t > lastResponse;
  }

  take(slot: number, t: number): void {
    this.readyAtOf(slot, t);
    this.push(slot);
  }
}
