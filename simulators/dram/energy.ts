/**
 * DRAMPower-style energy: a fixed energy per command from the IDD currents, plus background
 * energy by rank state over time (active standby while any bank is open or refreshing, precharged
 * standby, active/precharged power-down, self-refresh). Per device, times the devices per rank.
 *
 *   E_ACT = (IDD0 − IDD3N)·tRAS·VDD        E_PRE = (IDD0 − IDD2N)·(tRC − tRAS)·VDD
 *   E_RD  = (IDD4R − IDD3N)·tBURST·VDD     E_WR  = (IDD4W − IDD3N)·tBURST·VDD
 *   E_REF = (IDD5 − IDD3N)·tRFC·VDD        background: IDD3N, IDD2N, IDD3P0, IDD2P0, IDD6 times VDD
 *
 * and the same with the IPP currents and VPP on DDR4. mA · V · ns = pJ.
 */
import type { MemSpec } from './memspec.js';

export interface EnergyBreakdownPj {
  activate: number;
  precharge: number;
  read: number;
  write: number;
  refresh: number;
  activeStandby: number;
  prechargedStandby: number;
  activePowerDown: number;
  prechargedPowerDown: number;
  selfRefresh: number;
}

/** Background states, indexes into the per-rank time accumulators. */
const ACT_STBY = 0, PRE_STBY = 1, ACT_PD = 2, PRE_PD = 3, SREF = 4;

export class EnergyMeter {
  activates = 0;
  precharges = 0;
  reads = 0;
  writes = 0;
  refreshes = 0;
  bankRefreshes = 0;

  private readonly banksPerRank: number;
  /** Banks physically open (or refreshing on their own) per rank; a bank may hold a pending close time. */
  private readonly openCount: Int32Array;
  private readonly closeAt: Float64Array;
  /** End of an all-bank refresh in progress per rank (the rank counts as active until then). */
  private readonly refreshUntil: Float64Array;
  private readonly nextEvent: Float64Array;
  private readonly last: Float64Array;
  private readonly sleep: Uint8Array; // 0 awake, 1 power-down, 2 self-refresh
  /** Cycles per rank in each background state. */
  private readonly cycles: Float64Array;

  constructor(private readonly spec: MemSpec) {
    const ranks = spec.ranks;
    this.banksPerRank = spec.banks;
    this.openCount = new Int32Array(ranks);
    this.closeAt = new Float64Array(ranks * spec.banks).fill(Infinity);
    this.refreshUntil = new Float64Array(ranks).fill(-Infinity);
    this.nextEvent = new Float64Array(ranks).fill(Infinity);
    this.last = new Float64Array(ranks);
    this.sleep = new Uint8Array(ranks);
    this.cycles = new Float64Array(ranks * 5);
  }

  /** The rank's background state over the interval starting at `this.last[rank]`. */
  private stateOf(rank: number): number {
    // A refresh in progress keeps the rank active whatever comes next (as DRAMPower delays
    // power-down and self-refresh entry until it is over).
    if (this.last[rank] < this.refreshUntil[rank]) return ACT_STBY;
    const s = this.sleep[rank];
    if (s === 2) return SREF;
    const open = this.openCount[rank] > 0;
    if (s === 1) return open ? ACT_PD : PRE_PD;
    return open ? ACT_STBY : PRE_STBY;
  }

  /** Integrates the rank's background state up to cycle t, applying pending closes on the way. */
  advance(rank: number, t: number): void {
    while (this.nextEvent[rank] <= t) {
      const e = this.nextEvent[rank];
      this.cycles[rank * 5 + this.stateOf(rank)] += e - this.last[rank];
      this.last[rank] = e;
      let next = this.refreshUntil[rank] > e ? this.refreshUntil[rank] : Infinity;
      const base = rank * this.banksPerRank;
      for (let b = base; b < base + this.banksPerRank; b++) {
        const c = this.closeAt[b];
        if (c <= e) {
          this.closeAt[b] = Infinity;
          this.openCount[rank]--;
        } else if (c < next) next = c;
      }
      this.nextEvent[rank] = next;
    }
    if (t > this.last[rank]) {
      this.cycles[rank * 5 + this.stateOf(rank)] += t - this.last[rank];
      this.last[rank] = t;
    }
  }

  activate(rank: number, _bank: number, t: number): void {
    this.advance(rank, t);
    this.openCount[rank]++;
    this.activates++;
  }

  /** An explicit precharge of an open bank at t. */
  precharge(rank: number, _bank: number, t: number): void {
    this.advance(rank, t);
    this.openCount[rank]--;
    this.precharges++;
  }

  /** A bank stays active until `until` (auto-precharge, or a refresh in progress), then closes. */
  private closeLater(rank: number, bank: number, until: number): void {
    this.closeAt[bank] = until;
    if (until < this.nextEvent[rank]) this.nextEvent[rank] = until;
  }

  /** A column command; with auto-precharge the bank closes at `closeAt`. */
  column(rank: number, bank: number, t: number, isWrite: boolean, autoPrechargeAt: number): void {
    this.advance(rank, t);
    if (isWrite) this.writes++;
    else this.reads++;
    if (autoPrechargeAt >= 0) {
      this.precharges++;
      this.closeLater(rank, bank, autoPrechargeAt);
    }
  }

  /**
   * All-bank refresh: the rank is active (IDD3N background plus the refresh energy) for tRFC.
   * Self-refresh entry includes one such refresh before the device refreshes itself.
   */
  refresh(rank: number, t: number, until: number): void {
    this.advance(rank, t);
    this.refreshes++;
    this.refreshUntil[rank] = until;
    if (until < this.nextEvent[rank]) this.nextEvent[rank] = until;
  }

  bankRefresh(rank: number, bank: number, t: number, until: number): void {
    this.advance(rank, t);
    this.bankRefreshes++;
    this.openCount[rank]++;
    this.closeLater(rank, bank, until);
  }

  /** 0 awake, 1 power-down, 2 self-refresh, from cycle t on. */
  setSleep(rank: number, t: number, sleep: 0 | 1 | 2): void {
    this.advance(rank, t);
    this.sleep[rank] = sleep;
  }

  /**
   * The energy of the whole run up to cycle `end`, plus `idleBefore` cycles of precharged standby
   * (DRAMPower sees every command that much later when the controller has Think/Phy delays).
   */
  finish(end: number, idleBefore = 0): EnergyBreakdownPj {
    const s = this.spec;
    const p = s.power;
    const t = s.timing;
    // DRAMPower's clock period: the exact one, not the whole picoseconds the controller counts in.
    const ns = 1000 / s.clockMhz;
    const dev = s.devices;
    for (let r = 0; r < s.ranks; r++) {
      this.advance(r, end);
      this.cycles[r * 5 + PRE_STBY] += idleBefore;
    }
    const both = (iVdd: number, iVpp: number): number => iVdd * p.vdd + iVpp * p.vpp; // mW per device
    const eAct = both(p.idd0 - p.idd3n, p.ipp0 - p.ipp3n) * t.RAS * ns;
    const ePre = both(p.idd0 - p.idd2n, p.ipp0 - p.ipp2n) * (t.RC - t.RAS) * ns;
    const eRd = both(p.idd4r - p.idd3n, p.ipp4r - p.ipp3n) * t.BURST * ns;
    const eWr = both(p.idd4w - p.idd3n, p.ipp4w - p.ipp3n) * t.BURST * ns;
    const eRef = both(p.idd5 - p.idd3n, p.ipp5 - p.ipp3n) * t.RFC * ns;
    // A per-bank refresh refreshes 1/banks of the rows of an all-bank one.
    const eRefPb = p.idd5pb !== null ? both(p.idd5pb - p.idd3n, 0) * t.RFCPB * ns : eRef / s.banks;
    const power = [
      both(p.idd3n, p.ipp3n),
      both(p.idd2n, p.ipp2n),
      both(p.idd3p0, p.ipp3p),
      both(p.idd2p0, p.ipp2p),
      both(p.idd6, p.ipp6),
    ];
    const bg = [0, 0, 0, 0, 0];
    for (let r = 0; r < s.ranks; r++) for (let k = 0; k < 5; k++) bg[k] += this.cycles[r * 5 + k] * ns * power[k] * dev;
    return {
      activate: this.activates * eAct * dev,
      precharge: this.precharges * ePre * dev,
      read: this.reads * eRd * dev,
      write: this.writes * eWr * dev,
      refresh: (this.refreshes * eRef + this.bankRefreshes * eRefPb) * dev,
      activeStandby: bg[ACT_STBY],
      prechargedStandby: bg[PRE_STBY],
      activePowerDown: bg[ACT_PD],
      prechargedPowerDown: bg[PRE_PD],
      selfRefresh: bg[SREF],
    };
  }
}
