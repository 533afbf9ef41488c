/** Rank power states. */
export const PowerState = { AWAKE: 0, ACTIVE_PD: 1, PRECHARGED_PD: 2, SELF_REFRESH: 3 } as const;

/**
 * One power-down manager per rank. `evaluate(t)` decides; afterwards `cmd` is the command it wants
 * (-1: none). While it wants one, no other command is issued to its rank.
 */
export interface PowerDownManager {
  cmd: number;
  state: number;
  evaluate(t: number, refreshWanted: boolean): void;
  /** The next cycle at which it acts on its own (an idle timeout ends), or Infinity. */
  nextTime(): number;
  onIssued(cmd: number, t: number): void;
  /** A refresh fell due while the rank sleeps. */
  interrupt(): void;
  /** The rank's last buffered request got its column command at `t`. */
  becameIdle(t: number): void;
}
