import type { RefreshManager } from './refresh-manager.js';

/** NoRefresh: never refreshes (data retention is ignored; useful to bound what refresh costs). */
export class NoRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  evaluate(): void {}
  nextTrigger(): number {
    return Infinity;
  }
  onIssued(): void {}
  enterSelfRefresh(): void {}
  restartAfterSelfRefresh(): void {}
}
