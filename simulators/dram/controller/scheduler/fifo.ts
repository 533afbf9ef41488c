import type { BankQueues, RequestPool } from '../requests.js';
import type { Scheduler } from './scheduler.js';

/** Fifo: each bank serves its requests strictly in arrival order. */
export class FifoScheduler implements Scheduler {
  constructor(private readonly pool: RequestPool, private readonly queues: BankQueues) {}

  pick(bank: number): number {
    return this.queues.head[bank];
  }

  /** As in DRAMSys, only the next request in line counts. */
  hasFurtherRowHit(bank: number, row: number, serving: number): boolean {
    const second = this.pool.next[serving];
    void bank;
    return second >= 0 && this.pool.row[second] === row;
  }

  hasFurtherRequest(bank: number): boolean {
    return this.queues.count[bank] >= 2;
  }

  onColumnCommand(): boolean {
    return false;
  }
}
