import type { Scheduler } from '../scheduler/scheduler.js';
import type { PagePolicy } from './page-policy.js';

/** OpenAdaptive: keep the row open, unless a request to another row waits and none to this one does. */
export class OpenAdaptivePage implements PagePolicy {
  constructor(private readonly scheduler: Scheduler) {}

  autoPrecharge(bank: number, row: number, serving: number): boolean {
    return this.scheduler.hasFurtherRequest(bank) && !this.scheduler.hasFurtherRowHit(bank, row, serving);
  }
}
