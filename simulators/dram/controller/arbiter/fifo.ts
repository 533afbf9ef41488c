import type { RequestPool } from '../requests.js';
import { FifoResponseQueue } from '../resp-queue/fifo.js';
import type { Arbiter } from './arbiter.js';

/**
 * Fifo (DRAMSys's ArbiterFifo): takes the player's requests at once while fewer than
 * MaxActiveTransactions are unanswered and queues them for the controller; returns responses in the
 * controller's order, one a cycle. The arbitration delays do not apply (as in DRAMSys).
 */
export class FifoArbiter extends FifoResponseQueue implements Arbiter {
  readonly acknowledgesOnAccept = true;
  readonly forwardDelay = 0;
  readonly backwardDelay = 0;

  constructor(pool: RequestPool, private readonly maxActive: number) {
    super(pool);
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
