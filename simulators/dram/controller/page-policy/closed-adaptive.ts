import type { Scheduler } from '../scheduler/scheduler.js';
import type { PagePolicy } from './page-policy.js';

/** ClosedAdaptive: close the row after each access, unless another request to it waits. */
export class ClosedAdaptivePage implements PagePolicy {
  constructor(private readonly scheduler: Scheduler) {}

  autoPrecharge(bank: number, row: number, serving: number): boolean {
    return !this.scheduler.hasFurtherRowHit(bank, row, serving);
  }
}
