import type { CmdMux } from './cmd-mux.js';

/** Oldest: of the commands ready this cycle, the one for the oldest request wins (refresh first). */
export class OldestMux implements CmdMux {
  readonly requiredId = -1;

  eligible(): boolean {
    return true;
  }

  onColumnCommand(): void {}
}
