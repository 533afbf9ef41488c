import { Cmd } from '../../commands.js';
import { type ControllerView, type RefreshManager, firstTrigger } from './refresh-manager.js';

/**
 * PerBank: one bank at a time every tREFIpb, in rounds that cover every bank. At each trigger it
 * refreshes the first bank of the round that has no waiting requests; if all are busy the refresh
 * is postponed, up to RefreshMaxPostponed x banks times, then forced on the next bank in the round
 * (that bank stops, closes, refreshes). Idle time pulls in up to RefreshMaxPulledin x banks.
 */
export class PerBankRefresh implements RefreshManager {
  cmd = -1;
  bank = -1;
  private trigger: number;
  private pulledIn = false;
  private counter = 0;
  private forcedBank = -1;
  private selfRefreshing = false;
  /** Banks (rank-relative) not yet refreshed in this round, in order. */
  private readonly round: number[] = [];
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
    this.maxPostponed = maxPostponed * view.banksPerRank;
    this.maxPulledin = -maxPulledin * view.banksPerRank;
    this.refill();
  }

  nextTrigger(): number {
    return this.selfRefreshing ? Infinity : this.trigger;
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
    if (t < this.trigger || this.selfRefreshing) return;
    const v = this.view;
    if (v.isAsleep(this.rank)) {
      v.interruptPowerDown(this.rank);
      return;
    }
    if (t >= this.trigger + this.interval) {
      this.trigger += this.interval;
      this.pulledIn = false;
    }
    let target = this.forcedBank;
    if (target < 0) {
      target = this.firstIdle();
      if (!this.pulledIn && this.counter >= this.maxPostponed && target < 0) {
        target = this.rank * v.banksPerRank + this.round[0];
        this.forcedBank = target;
        v.setBlocked(target, true);
      } else if (target < 0) {
        if (this.pulledIn) this.pulledIn = false;
        else this.counter++;
        this.trigger += this.interval;
        return;
      }
    }
    this.bank = target;
    this.cmd = v.isOpen(target) ? Cmd.PRE : Cmd.REFPB;
  }

  onIssued(cmd: number, bank: number): void {
    if (cmd !== Cmd.REFPB) return;
    const rel = bank - this.rank * this.view.banksPerRank;
    const i = this.round.indexOf(rel);
    if (i >= 0) this.round.splice(i, 1);
    if (this.round.length === 0) this.refill();
    if (this.forcedBank === bank) {
      this.view.setBlocked(bank, false);
      this.forcedBank = -1;
    }
    if (this.pulledIn) this.counter--;
    else this.pulledIn = true;
    if (this.counter <= this.maxPulledin) {
      this.pulledIn = false;
      this.trigger += this.interval;
    }
  }

  enterSelfRefresh(): void {
    this.selfRefreshing = true;
    if (this.forcedBank >= 0) this.view.setBlocked(this.forcedBank, false);
    this.forcedBank = -1;
  }

  restartAfterSelfRefresh(t: number): void {
    this.selfRefreshing = false;
    this.pulledIn = false;
    this.round.length = 0;
    this.refill();
    this.trigger = t + this.interval;
  }
}
