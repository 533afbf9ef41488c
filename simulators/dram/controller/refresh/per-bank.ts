import { Cmd } from '../../commands.js';
import { RefreshFlexibility } from './flexibility.js';
import { type ControllerView, type RefreshManager, firstTrigger } from './refresh-manager.js';

/**
 * PerBank: one bank at a time every tREFIpb, in rounds that cover every bank. At each trigger it
 * refreshes the first bank of the round with no waiting requests; if all are busy the refresh is
 * postponed, up to RefreshMaxPostponed x banks times, then forced on the next bank in the round
 * (that bank stops, closes, refreshes). Idle time pulls in up to RefreshMaxPulledin x banks.
 */
export class PerBankRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  private readonly flex: RefreshFlexibility;
  private forcedBank = -1;
  /** Banks (rank-relative) not yet refreshed in this round, in order. */
  private readonly round: number[] = [];

  constructor(
    private readonly view: ControllerView,
    private readonly rank: number,
    ranks: number,
    interval: number,
    maxPostponed: number,
    maxPulledin: number,
  ) {
    const banks = view.banksPerRank;
    this.flex = new RefreshFlexibility(interval, firstTrigger(interval, rank, ranks), maxPostponed * banks, maxPulledin * banks);
    this.refill();
  }

  nextTrigger(): number {
    return this.flex.nextTrigger();
  }

  private refill(): void {
    for (let b = 0; b < this.view.banksPerRank; b++) this.round.push(b);
  }

  private firstIdle(): number {
    const base = this.rank * this.view.banksPerRank;
    for (const b of this.round) if (this.view.pendingOnBank(base + b) === 0) return base + b;
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
    let target = this.forcedBank >= 0 ? this.forcedBank : this.firstIdle();
    if (target < 0) {
      if (!this.flex.mustRefresh) {
        this.flex.skip();
        return;
      }
      target = this.rank * v.banksPerRank + this.round[0];
      this.forcedBank = target;
      v.setBlocked(target, true);
    }
    this.bank = target;
    this.cmd = v.isOpen(target) ? Cmd.PRE : Cmd.REFPB;
  }

  onIssued(cmd: number, bank: number): void {
    if (cmd !== Cmd.REFPB) return;
    const i = this.round.indexOf(bank - this.rank * this.view.banksPerRank);
    if (i >= 0) this.round.splice(i, 1);
    if (this.round.length === 0) this.refill();
    if (this.forcedBank === bank) {
      this.view.setBlocked(bank, false);
      this.forcedBank = -1;
    }
    this.flex.refreshed();
  }

  enterSelfRefresh(): void {
    this.flex.enterSelfRefresh();
    if (this.forcedBank >= 0) this.view.setBlocked(this.forcedBank, false);
    this.forcedBank = -1;
  }

  restartAfterSelfRefresh(t: number): void {
    this.flex.restart(t);
    this.round.length = 0;
    this.refill();
  }
}
