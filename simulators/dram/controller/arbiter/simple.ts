import type { RequestPool } from '../requests.js';
import { FifoResponseQueue } from '../resp-queue/fifo.js';
import type { Arbiter } from './arbiter.js';

/**
 * Simple (DRAMSys's ArbiterSimple): one request at a time on the way in and one response at a time
 * on the way back. The player's next request waits until the controller has taken the last one;
 * the controller's next response waits until the player has taken the last one. MaxActiveTransactions
 * does not apply. ArbitrationDelayFw/Bw delay each request and each response.
 */
export class SimpleArbiter extends FifoResponseQueue implements Arbiter {
  readonly acknowledgesOnAccept = false;
  private held = 0;

  constructor(pool: RequestPool, readonly forwardDelay: number, private readonly backwardDelay: number) {
    super(pool);
  }

  canAccept(queued: number): boolean {
    return queued === 0;
  }

  canTakeResponse(t: number, _lastResponse: number, lastDelivery: number): boolean {
    return this.held === 0 && t > lastDelivery;
  }

  take(slot: number, t: number): void {
    this.readyAtOf(slot, t + this.backwardDelay);
    this.held++;
    this.push(slot);
  }

  override pop(): void {
    this.held--;
    super.pop();
  }
}
