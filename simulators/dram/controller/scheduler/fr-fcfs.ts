import type { BankQueues, RequestPool } from '../requests.js';
import type { Scheduler } from './scheduler.js';

/** Counts requests in `bank` hitting `row`, stopping at `limit`. */
export function countRowHits(pool: RequestPool, queues: BankQueues, bank: number, row: number, limit: number): number {
  let n = 0;
  for (let s = queues.head[bank]; s >= 0 && n < limit; s = pool.next[s]) if (pool.row[s] === row) n++;
  return n;
}

/** FR-FCFS: first ready (the oldest request hitting the open row), then first come. */
export class FrFcfsScheduler implements Scheduler {
  constructor(private readonly pool: RequestPool, private readonly queues: BankQueues) {}

  pick(bank: number, openRow: number): number {
    const p = this.pool;
    const head = this.queues.head[bank];
    if (openRow >= 0) {
      for (let s = head; s >= 0; s = p.next[s]) if (p.row[s] === openRow) return s;
    }
    return head;
  }

  hasFurtherRowHit(bank: number, row: number): boolean {
    return countRowHits(this.pool, this.queues, bank, row, 2) >= 2;
  }

  hasFurtherRequest(bank: number): boolean {
    return this.queues.count[bank] >= 2;
  }

  onColumnCommand(): boolean {
    return false;
  }
}
