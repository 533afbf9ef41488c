import type { PagePolicy } from './page-policy.js';

/** Open: rows stay open until a request to another row needs the bank. */
export class OpenPage implements PagePolicy {
  autoPrecharge(): boolean {
    return false;
  }
}
