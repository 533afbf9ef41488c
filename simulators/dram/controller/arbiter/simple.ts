import { FifoResponseQueue } from '../resp-queue/fifo.js';
import type { Arbiter } from './arbiter.js';

/**
 * Simple: passes requests straight through, one at a time: the player's next request waits until
 * the controller has taken the last one. MaxActiveTransactions does not apply (as in DRAMSys).
 */
export class SimpleArbiter extends FifoResponseQueue implements Arbiter {
  canAccept(queued: number): boolean {
    return queued === 0;
  }
}
