import { RefreshFlexibility } from './flexibility.js';
import { type ControllerView, type RefreshManager, firstTrigger } from './refresh-manager.js';

/**
 * AllBank (DRAMSys's RefreshManagerAllBank): one refresh of the whole rank every interval (tREFI).
 * A refresh falling due while requests wait is postponed, up to RefreshMaxPostponed times; then it
 * is forced (the banks stop, a precharge-all closes them, the refresh). Idle time catches up
 * postponed refreshes and pulls in up to RefreshMaxPulledin.
 */
export class AllBankRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  private readonly flex: RefreshFlexibility;
  private forced = false;

  constructor(
    private readonly view: ControllerView,
    private readonly rank: number,
    ranks: number,
    interval: number,
    maxPostponed: number,
    maxPulledin: number,
    /** The standard's all-bank refresh and precharge-all commands. */
    private readonly refreshCmd: number,
    private readonly prechargeCmd: number,
  ) {
    this.flex = new RefreshFlexibility(interval, firstTrigger(interval, rank, ranks), maxPostponed, maxPulledin);
  }

  nextTrigger(): number {
    return this.flex.nextTrigger();
  }

  evaluate(t: number): void {
    this.cmd = -1;
    if (!this.flex.due(t)) return;
    const v = this.view;
    if (v.isAsleep(this.rank)) {
      v.interruptPowerDown(this.rank);
      return;
    }
    if (this.flex.mustRefresh) this.setForced(true);
    if (!this.forced && v.pendingOnRank(this.rank) > 0) {
      this.flex.skip();
      return;
    }
    this.cmd = v.openBanksOnRank(this.rank) > 0 ? this.prechargeCmd : this.refreshCmd;
  }

  onIssued(cmd: number): void {
    if (cmd !== this.refreshCmd) return;
    this.setForced(false);
    this.flex.refreshed();
  }

  enterSelfRefresh(): void {
    this.flex.enterSelfRefresh();
    this.setForced(false);
  }

  restartAfterSelfRefresh(t: number): void {
    this.flex.restart(t);
  }

  private setForced(on: boolean): void {
    if (this.forced === on) return;
    this.forced = on;
    const n = this.view.banksPerRank;
    for (let b = 0; b < n; b++) this.view.setBlocked(this.rank * n + b, on);
  }
}
