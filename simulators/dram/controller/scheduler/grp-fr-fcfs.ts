import type { BankQueues, RequestPool } from '../requests.js';
import type { Scheduler } from './scheduler.js';

/**
 * The oldest request of one direction (reads: `write` 0, writes: 1) in `bank`, preferring one that
 * hits the open row; -1 if the bank holds none of that direction.
 */
export function firstOfDirection(pool: RequestPool, queues: BankQueues, bank: number, openRow: number, write: number): number {
  let oldest = -1;
  for (let s = queues.head[bank]; s >= 0; s = pool.next[s]) {
    if (pool.write[s] !== write) continue;
    if (openRow >= 0 && pool.row[s] === openRow) return s;
    if (oldest < 0) oldest = s;
  }
  return oldest;
}

/** Requests of one direction in `bank` hitting `row` (any row if `row` is -1), up to `limit`. */
export function countOfDirection(pool: RequestPool, queues: BankQueues, bank: number, row: number, write: number, limit: number): number {
  let n = 0;
  for (let s = queues.head[bank]; s >= 0 && n < limit; s = pool.next[s]) if (pool.write[s] === write && (row < 0 || pool.row[s] === row)) n++;
  return n;
}

/**
 * GrpFrFcfs (DRAMSys's SchedulerGrpFrFcfs): reads and writes are grouped: each bank serves the
 * direction of the channel's last column command first (its row hit, else its oldest), and the other
 * direction only when it holds none of that one, to save bus turnarounds.
 */
export class GrpFrFcfsScheduler implements Scheduler {
  private lastWasWrite = 0;

  constructor(private readonly pool: RequestPool, private readonly queues: BankQueues) {}

  pick(bank: number, openRow: number): number {
    const same = firstOfDirection(this.pool, this.queues, bank, openRow, this.lastWasWrite);
    return same >= 0 ? same : firstOfDirection(this.pool, this.queues, bank, openRow, 1 - this.lastWasWrite);
  }

  hasFurtherRowHit(bank: number, row: number, serving: number): boolean {
    return countOfDirection(this.pool, this.queues, bank, row, this.pool.write[serving], 2) >= 2;
  }

  hasFurtherRequest(bank: number): boolean {
    return this.queues.count[bank] >= 2;
  }

  onColumnCommand(isWrite: boolean): boolean {
    const w = isWrite ? 1 : 0;
    if (w === this.lastWasWrite) return false;
    this.lastWasWrite = w;
    return true;
  }
}
