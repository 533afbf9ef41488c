import type { RequestPool } from '../requests.js';
import { FifoResponseQueue } from '../resp-queue/fifo.js';
import type { Arbiter } from './arbiter.js';

/**
 * Simple (DRAMSys's ArbiterSimple): one request at a time on the way in, and on the way back one
 * response at a time per channel: a channel hands over its next response only after the player
 * took the last, and the player takes one at a time (the next ArbitrationDelayBw after the cycle
 * following the last). MaxActiveTransactions does not apply. ArbitrationDelayFw/Bw delay each
 * request and each response.
 */
export class SimpleArbiter extends FifoResponseQueue implements Arbiter {
  readonly acknowledgesOnAccept = false;
  private readonly held: Int32Array;

  constructor(pool: RequestPool, channels: number, readonly forwardDelay: number, readonly backwardDelay: number) {
    super(pool);
    this.held = new Int32Array(channels);
  }

  canAccept(queued: number): boolean {
    return queued === 0;
  }

  canTakeResponse(channel: number, t: number, _lastResponse: number, lastTaken: number): boolean {
    return this.held[channel] === 0 && t > lastTaken;
  }

  take(slot: number, t: number): void {
    this.readyAtOf(slot, t + this.backwardDelay);
    this.held[this.pool.channel[slot]]++;
    this.push(slot);
  }

  override pop(): void {
    const h = this.peekHead();
    if (h >= 0) this.held[this.pool.channel[h]]--;
    super.pop();
  }
}
