/** The command multiplexer chooses which ready command takes the command bus this cycle. */
export interface CmdMux {
  /** Whether the command for request `id` may issue now (refresh and power-down pass -1). */
  eligible(isColumn: boolean, id: number): boolean;
  /** The request whose column command must come next, or -1 when any may. */
  readonly requiredId: number;
  onColumnCommand(): void;
}
