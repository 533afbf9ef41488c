/** What a refresh or power-down manager may ask of the controller it belongs to. */
export interface ControllerView {
  readonly banksPerRank: number;
  /** Requests buffered for a rank or bank that have not had their column command yet. */
  pendingOnRank(rank: number): number;
  pendingOnBank(bank: number): number;
  /** Banks of the rank with a row open. */
  openBanksOnRank(rank: number): number;
  isOpen(bank: number): boolean;
  /** Stops (or lets again) a bank's requests from issuing commands. */
  setBlocked(bank: number, blocked: boolean): void;
  /** Asks the rank's power-down manager to wake the rank (a refresh is due). */
  interruptPowerDown(rank: number): void;
  isAsleep(rank: number): boolean;
}

/**
 * One refresh manager per rank. `evaluate(t)` decides; afterwards `cmd` is the command it wants
 * issued (-1: none) and `bank` its target bank (-1: the whole rank).
 */
export interface RefreshManager {
  cmd: number;
  bank: number;
  evaluate(t: number): void;
  /** The next cycle at which the manager acts on its own (a refresh falls due). */
  nextTrigger(): number;
  onIssued(cmd: number, bank: number, t: number): void;
  /** The rank entered self-refresh: the device refreshes itself until it leaves. */
  enterSelfRefresh(): void;
  /** The refresh after leaving self-refresh was issued at `t`: start counting intervals again. */
  restartAfterSelfRefresh(t: number): void;
}

/** First refresh of `rank`: ranks are staggered in bit-reversed order over one interval (DRAMSys). */
export function firstTrigger(interval: number, rank: number, ranks: number): number {
  let bits = 0;
  for (let n = ranks; n > 1; n >>= 1) bits++;
  let rev = 0;
  for (let i = 0; i < bits; i++) if (rank & (1 << i)) rev |= 1 << (bits - 1 - i);
  return Math.ceil(interval - (rev * interval) / ranks);
}
