import type { BankQueues, RequestPool } from '../requests.js';
import { countRowHits } from './fr-fcfs.js';
import type { Scheduler } from './scheduler.js';

/**
 * FR-FCFS with read/write grouping: among the requests hitting the open row, prefer those in the
 * same direction as the last column command on the channel, to save bus turnarounds (tWTR, tRTW).
 * A hit is skipped if an older hit targets the same address, so reads and writes to one address
 * keep their order.
 */
export class FrFcfsGrpScheduler implements Scheduler {
  private lastWasWrite = 0;

  constructor(private readonly pool: RequestPool, private readonly queues: BankQueues) {}

  pick(bank: number, openRow: number): number {
    const p = this.pool;
    const head = this.queues.head[bank];
    if (openRow < 0) return head;
    let firstHit = -1;
    for (let s = head; s >= 0; s = p.next[s]) {
      if (p.row[s] !== openRow) continue;
      if (firstHit < 0) firstHit = s;
      if (p.write[s] === this.lastWasWrite && !this.olderHitToSameAddress(head, s)) return s;
    }
    return firstHit >= 0 ? firstHit : head;
  }

  private olderHitToSameAddress(head: number, s: number): boolean {
    const p = this.pool;
    for (let o = head; o !== s; o = p.next[o]) {
      if (p.row[o] === p.row[s] && p.column[o] === p.column[s]) return true;
    }
    return false;
  }

  hasFurtherRowHit(bank: number, row: number): boolean {
    return countRowHits(this.pool, this.queues, bank, row, 2) >= 2;
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
