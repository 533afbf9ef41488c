import { Cmd } from '../../commands.js';
import { type ControllerView, type RefreshManager, firstTrigger } from './refresh-manager.js';

/**
 * AllBank: one REF for the whole rank every tREFI, with DRAMSys's flexibility. When a refresh
 * falls due while requests wait, it is postponed, up to RefreshMaxPostponed times; then it is
 * forced (the banks stop, PREA closes them, REF). When the rank is idle after a refresh, postponed
 * refreshes are caught up and up to RefreshMaxPulledin future ones are pulled in.
 */
export class AllBankRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  private trigger: number;
  private pulledIn = false;
  private counter = 0;
  private forced = false;
  private selfRefreshing = false;
  private readonly maxPostponed: number;
  private readonly maxPulledin: number;

  constructor(
    private readonly view: ControllerView,
    private readonly rank: number,
    ranks: number,
    private readonly interval: number,
    maxPostponed: number,
    maxPulledin: number,
  ) {
    this.trigger = firstTrigger(interval, rank, ranks);
    this.maxPostponed = maxPostponed;
    this.maxPulledin = -maxPulledin;
  }

  nextTrigger(): number {
    return this.selfRefreshing ? Infinity : this.trigger;
  }

  evaluate(t: number): void {
    this.cmd = -1;
    if (t < this.trigger || this.selfRefreshing) return;
    const v = this.view;
    if (v.isAsleep(this.rank)) {
      v.interruptPowerDown(this.rank);
      return;
    }
    if (t >= this.trigger + this.interval) {
      // A whole interval went by while the rank woke up: move on (as DRAMSys does).
      this.trigger += this.interval;
      this.pulledIn = false;
    }
    const busy = v.pendingOnRank(this.rank) > 0;
    if (!this.pulledIn) {
      if (!this.forced && this.counter >= this.maxPostponed) this.setForced(true);
      if (!this.forced && busy) {
        this.counter++;
        this.trigger += this.interval;
        return;
      }
    } else if (busy) {
      this.pulledIn = false;
      this.trigger += this.interval;
      return;
    }
    this.cmd = v.openBanksOnRank(this.rank) > 0 ? Cmd.PREA : Cmd.REF;
  }

  onIssued(cmd: number): void {
    if (cmd !== Cmd.REF) return;
    this.setForced(false);
    if (this.pulledIn) this.counter--;
    else this.pulledIn = true;
    if (this.counter <= this.maxPulledin) {
      this.pulledIn = false;
      this.trigger += this.interval;
    }
  }

  enterSelfRefresh(): void {
    this.selfRefreshing = true;
    this.setForced(false);
  }

  restartAfterSelfRefresh(t: number): void {
    this.selfRefreshing = false;
    this.pulledIn = false;
    this.trigger = t + this.interval;
  }

  private setForced(on: boolean): void {
    if (this.forced === on) return;
    this.forced = on;
    const n = this.view.banksPerRank;
    for (let b = 0; b < n; b++) this.view.setBlocked(this.rank * n + b, on);
  }
}
