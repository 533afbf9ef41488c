import type { CmdMux } from './cmd-mux.js';

/**
 * Strict (DRAMSys's CmdMuxStrict): column commands (so data) go out in exact request arrival order;
 * row commands for any request may go early. With a row-hit-first scheduler, the bank holding the
 * next request in line may pick another request's column command, which could never go (DRAMSys
 * deadlocks there): that bank then serves the request in line instead.
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
