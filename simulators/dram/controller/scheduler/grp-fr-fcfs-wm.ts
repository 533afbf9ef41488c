import type { BankQueues, RequestPool } from '../requests.js';
import { countOfDirection, firstOfDirection } from './grp-fr-fcfs.js';
import type { Scheduler } from './scheduler.js';

/**
 * GrpFrFcfsWm (DRAMSys's SchedulerGrpFrFcfsWm): write draining with watermarks. The controller
 * serves reads (row hit first, then oldest) until more than HighWatermark writes wait in the buffer,
 * or no read waits; then it serves only writes until at most LowWatermark remain and a read waits.
 * Banks holding only the other direction wait meanwhile.
 */
export class GrpFrFcfsWmScheduler implements Scheduler {
  private writeMode = false;
  private reads = 0;
  private writes = 0;

  constructor(
    private readonly pool: RequestPool,
    private readonly queues: BankQueues,
    private readonly lowWatermark: number,
    private readonly highWatermark: number,
  ) {}

  private get direction(): number {
    return this.writeMode ? 1 : 0;
  }

  pick(bank: number, openRow: number): number {
    return firstOfDirection(this.pool, this.queues, bank, openRow, this.direction);
  }

  hasFurtherRowHit(bank: number, row: number): boolean {
    return countOfDirection(this.pool, this.queues, bank, row, this.direction, 2) >= 2;
  }

  hasFurtherRequest(bank: number): boolean {
    return countOfDirection(this.pool, this.queues, bank, -1, this.direction, 2) >= 2;
  }

  /** Re-evaluates the mode; true if it changed (every bank's pick changes). */
  private evaluate(): boolean {
    const before = this.writeMode;
    if (this.writeMode) {
      if (this.writes <= this.lowWatermark && this.reads !== 0) this.writeMode = false;
    } else if (this.writes > this.highWatermark || this.reads === 0) this.writeMode = true;
    return before !== this.writeMode;
  }

  onAdmit(isWrite: boolean): boolean {
    if (isWrite) this.writes++;
    else this.reads++;
    return this.evaluate();
  }

  onColumnCommand(isWrite: boolean): boolean {
    if (isWrite) this.writes--;
    else this.reads--;
    return this.evaluate();
  }
}
