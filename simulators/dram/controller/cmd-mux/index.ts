import type { McConfig } from '../../mcconfig.js';
import type { CmdMux } from './cmd-mux.js';
import { OldestMux } from './oldest.js';
import { StrictMux } from './strict.js';

export type { CmdMux };

export const CMD_MUXES: Record<McConfig['CmdMux'], new () => CmdMux> = {
  Oldest: OldestMux,
  Strict: StrictMux,
};
