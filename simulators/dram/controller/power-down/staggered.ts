import { Cmd } from '../../commands.js';
import type { ControllerView, RefreshManager } from '../refresh/refresh-manager.js';
import { type PowerDownManager, PowerState } from './power-down-manager.js';

/**
 * Staggered (DRAMSys): a rank with no buffered requests enters power-down (active if a row is
 * open, precharged otherwise) after PowerDownTimeout idle cycles (0: at once). A new request wakes
 * it. A refresh falling due also wakes it; if it was in precharged power-down and is still idle,
 * it enters self-refresh instead, and on leaving self-refresh issues one REF.
 */
export class StaggeredPowerDown implements PowerDownManager {
  cmd = -1;
  state: number = PowerState.AWAKE;
  private idleSince = 0;
  private interrupted = false;
  private enterSelfRefresh = false;
  private extraRefresh = false;

  constructor(
    private readonly view: ControllerView,
    private readonly refresh: RefreshManager,
    private readonly rank: number,
    private readonly timeout: number,
  ) {}

  nextTime(): number {
    return this.state === PowerState.AWAKE && this.timeout > 0 && this.view.pendingOnRank(this.rank) === 0
      ? this.idleSince + this.timeout
      : Infinity;
  }

  becameIdle(t: number): void {
    this.idleSince = t;
  }

  interrupt(): void {
    if (this.state === PowerState.ACTIVE_PD || this.state === PowerState.PRECHARGED_PD) this.interrupted = true;
  }

  evaluate(t: number, refreshWanted: boolean): void {
    this.cmd = -1;
    const idle = this.view.pendingOnRank(this.rank) === 0;
    switch (this.state) {
      case PowerState.AWAKE:
        if (this.extraRefresh) this.cmd = Cmd.REF;
        else if (this.enterSelfRefresh && idle) this.cmd = Cmd.SREFEN;
        else {
          this.enterSelfRefresh = false;
          if (idle && !refreshWanted && t >= this.idleSince + this.timeout) {
            this.cmd = this.view.openBanksOnRank(this.rank) > 0 ? Cmd.PDEA : Cmd.PDEP;
          }
        }
        break;
      case PowerState.ACTIVE_PD:
        if (!idle || this.interrupted) this.cmd = Cmd.PDXA;
        break;
      case PowerState.PRECHARGED_PD:
        if (!idle || this.interrupted) this.cmd = Cmd.PDXP;
        break;
      case PowerState.SELF_REFRESH:
        if (!idle) this.cmd = Cmd.SREFEX;
        break;
    }
  }

  onIssued(cmd: number, t: number): void {
    switch (cmd) {
      case Cmd.PDEA:
        this.state = PowerState.ACTIVE_PD;
        break;
      case Cmd.PDEP:
        this.state = PowerState.PRECHARGED_PD;
        break;
      case Cmd.PDXA:
        this.state = PowerState.AWAKE;
        this.interrupted = false;
        break;
      case Cmd.PDXP:
        this.state = PowerState.AWAKE;
        this.enterSelfRefresh = this.interrupted && this.view.pendingOnRank(this.rank) === 0;
        this.interrupted = false;
        break;
      case Cmd.SREFEN:
        this.state = PowerState.SELF_REFRESH;
        this.enterSelfRefresh = false;
        this.refresh.enterSelfRefresh();
        break;
      case Cmd.SREFEX:
        this.state = PowerState.AWAKE;
        this.extraRefresh = true;
        break;
      case Cmd.REF:
        if (this.extraRefresh) {
          this.extraRefresh = false;
          this.refresh.restartAfterSelfRefresh(t);
        }
        this.idleSince = t;
        break;
    }
  }
}
