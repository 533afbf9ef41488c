/**
 * DRAMSys's refresh flexibility, shared by the refresh policies: when refreshes fall due, how many
 * may be postponed while requests wait, and how many pulled in while the rank is idle.
 *
 * A counter starts at 0. A due refresh that cannot go now is postponed (counter + 1, next interval)
 * unless the counter has reached RefreshMaxPostponed, when it is forced. After the refresh that was
 * due, while the rank stays idle, more refreshes follow at once (counter − 1 each): first the
 * postponed ones are caught up, then up to RefreshMaxPulledin future ones are pulled in.
 */
export class RefreshFlexibility {
  /** When the next refresh falls due. */
  trigger: number;
  /** After the due refresh: further refreshes are catch-ups or pull-ins. */
  pulledIn = false;
  counter = 0;
  private selfRefreshing = false;
  private readonly minCounter: number;

  constructor(
    private readonly interval: number,
    first: number,
    readonly maxPostponed: number,
    maxPulledin: number,
  ) {
    this.trigger = first;
    this.minCounter = -maxPulledin;
  }

  nextTrigger(): number {
    return this.selfRefreshing ? Infinity : this.trigger;
  }

  /** Whether a refresh is due at t. */
  due(t: number): boolean {
    if (t < this.trigger || this.selfRefreshing) return false;
    if (t >= this.trigger + this.interval) {
      // A whole interval went by while the rank woke up: move on (as DRAMSys does).
      this.trigger += this.interval;
      this.pulledIn = false;
    }
    return true;
  }

  /** The due refresh may wait no longer. */
  get mustRefresh(): boolean {
    return !this.pulledIn && this.counter >= this.maxPostponed;
  }

  /** The due refresh does not go now: postpone it, or stop pulling in. */
  skip(): void {
    if (this.pulledIn) this.pulledIn = false;
    else this.counter++;
    this.trigger += this.interval;
  }

  /** A refresh was issued. */
  refreshed(): void {
    if (this.pulledIn) this.counter--;
    else this.pulledIn = true;
    if (this.counter <= this.minCounter) {
      this.pulledIn = false;
      this.trigger += this.interval;
    }
  }

  /** The device refreshes itself from now on. */
  enterSelfRefresh(): void {
    this.selfRefreshing = true;
  }

  /** Self-refresh ended with a refresh at t: the next one is due an interval later. */
  restart(t: number): void {
    this.selfRefreshing = false;
    this.pulledIn = false;
    this.trigger = t + this.interval;
  }
}
