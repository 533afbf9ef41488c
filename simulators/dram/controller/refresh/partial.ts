import { RefreshFlexibility } from './flexibility.js';
import { type ControllerView, type RefreshManager, firstTrigger } from './refresh-manager.js';

/**
 * A refresh of part of a rank at a time (DRAMSys's RefreshManagerPerBank, and its same-bank and
 * per-2-bank kin): every interval one set of banks (one bank; the same bank in every bank group;
 * a bank pair) is refreshed, the sets taken in rounds that cover the rank. At each trigger it
 * refreshes the first set of the round whose banks have no waiting requests (closing an open bank
 * first); if every set is busy the refresh is postponed, up to RefreshMaxPostponed × sets times,
 * then forced on the round's next set, whose banks stop once they are closed. Idle time pulls in
 * up to RefreshMaxPulledin × sets refreshes.
 */
export class PartialRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  private readonly flex: RefreshFlexibility;
  /** Indexes into `sets` not yet refreshed in this round, in order. */
  private readonly round: number[] = [];
  private current = 0;
  /** A forced refresh chose its set and blocked it: keep it until it is refreshed. */
  private keepCurrent = false;

  constructor(
    private readonly view: ControllerView,
    private readonly rank: number,
    ranks: number,
    interval: number,
    maxPostponed: number,
    maxPulledin: number,
    /** The sets of banks one refresh covers, channel-absolute bank numbers, in refresh order. */
    private readonly sets: readonly (readonly number[])[],
    private readonly refreshCmd: number,
    private readonly prechargeCmd: number,
    /** Whether the precharge closes the whole set (PRESB) rather than one bank (PRE). */
    private readonly prechargeClosesSet: boolean,
  ) {
    this.flex = new RefreshFlexibility(interval, firstTrigger(interval, rank, ranks), maxPostponed * sets.length, maxPulledin * sets.length);
    this.refill();
  }

  nextTrigger(): number {
    return this.flex.nextTrigger();
  }

  private refill(): void {
    for (let i = 0; i < this.sets.length; i++) this.round.push(i);
  }

  private idle(set: readonly number[]): boolean {
    for (const b of set) if (this.view.pendingOnBank(b) > 0) return false;
    return true;
  }

  /** The first idle set of the round, or -1. */
  private firstIdle(): number {
    for (const i of this.round) if (this.idle(this.sets[i])) return i;
    return -1;
  }

  evaluate(t: number): void {
    this.cmd = -1;
    this.bank = -1;
    if (!this.flex.due(t)) return;
    const v = this.view;
    if (v.isAsleep(this.rank)) {
      v.interruptPowerDown(this.rank);
      return;
    }
    const forced = this.flex.mustRefresh;
    if (!this.keepCurrent) {
      const idle = this.firstIdle();
      if (idle < 0 && !forced) {
        this.flex.skip();
        return;
      }
      this.current = idle >= 0 ? idle : this.round[0];
    }
    const set = this.sets[this.current];
    const open = set.find((b) => v.isOpen(b));
    if (open !== undefined) {
      this.cmd = this.prechargeCmd;
      this.bank = this.prechargeClosesSet ? set[0] : open;
      return;
    }
    this.cmd = this.refreshCmd;
    this.bank = set[0];
    if (forced && !this.keepCurrent) {
      for (const b of set) v.setBlocked(b, true);
      this.keepCurrent = true;
    }
  }

  onIssued(cmd: number): void {
    if (cmd !== this.refreshCmd) return;
    for (const b of this.sets[this.current]) this.view.setBlocked(b, false);
    this.keepCurrent = false;
    this.round.splice(this.round.indexOf(this.current), 1);
    if (this.round.length === 0) this.refill();
    this.flex.refreshed();
  }

  enterSelfRefresh(): void {
    this.flex.enterSelfRefresh();
    if (this.keepCurrent) for (const b of this.sets[this.current]) this.view.setBlocked(b, false);
    this.keepCurrent = false;
  }

  restartAfterSelfRefresh(t: number): void {
    this.flex.restart(t);
  }
}
