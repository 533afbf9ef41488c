import type { PagePolicy } from './page-policy.js';

/** Closed: every access closes its row (auto-precharge). */
export class ClosedPage implements PagePolicy {
  autoPrecharge(): boolean {
    return true;
  }
}
