import type { CmdMux } from './cmd-mux.js';

/**
 * Strict: column commands (so data) go out in exact request arrival order; row commands for later
 * requests may still be issued early. The bank holding the next request in line serves it first,
 * so a row-hit-first scheduler cannot deadlock against this order.
 */
export class StrictMux implements CmdMux {
  private next = 0;

  get requiredId(): number {
    return this.next;
  }

  eligible(isColumn: boolean, id: number): boolean {
    return !isColumn || id === this.next;
  }

  onColumnCommand(): void {
    this.next++;
  }
}
