/**
 * DRAMPower-style energy: a fixed energy per command from the IDD currents, plus background
 * energy by rank state over time (active standby while any bank is open or refreshing, precharged
 * standby, active/precharged power-down, self-refresh). Per device, times the devices per rank.
 *
 *   E_ACT = (IDD0 − IDD3N)·tRAS·VDD        E_PRE = (IDD0 − IDD2N)·(tRC − tRAS)·VDD
 *   E_RD  = (IDD4R − IDD3N)·tBURST·VDD     E_WR  = (IDD4W − IDD3N)·tBURST·VDD
 *   E_REF = (IDD5 − IDD3N)·tRFC·VDD        background: IDD3N, IDD2N, IDD3P0, IDD2P0, IDD6 times VDD
 *
 * summed over the standard's supply rails (VPP on DDR4, VDD1/VDD2 on LPDDR). A refresh of part of
 * a rank (per bank, same bank, bank pair) costs its own current over its own duration where the
 * memspec gives one, else the all-bank refresh's energy scaled by the banks it covers. mA · V · ns = pJ.
 */
import type { MemSpec } from './memspec.js';
import type { Rail } from './standards/standard.js';
import type { EnergyBreakdownPj } from './stats.js';

export type { EnergyBreakdownPj } from './stats.js';

/** Background states, indexes into the per-rank time accumulators. */
const ACT_STBY = 0, PRE_STBY = 1, ACT_PD = 2, PRE_PD = 3, SREF = 4;

export class EnergyMeter {
  activates = 0;
  precharges = 0;
  reads = 0;
  writes = 0;
  /** Refresh energy so far, per device, pJ. */
  private refreshPj = 0;

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
  refresh(rank: number, t: number, until: number, energyPj: number): void {
    this.advance(rank, t);
    this.refreshPj += energyPj;
    this.refreshUntil[rank] = until;
    if (until < this.nextEvent[rank]) this.nextEvent[rank] = until;
  }

  /** A refresh of one bank of a rank (part of a per-bank, same-bank or bank-pair refresh). */
  bankRefresh(rank: number, bank: number, t: number, until: number, energyPj: number): void {
    this.advance(rank, t);
    this.refreshPj += energyPj;
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
    // DRAMPower's clock period: the exact one, not the whole picoseconds the controller counts in.
    const ns = 1000 / s.clockMhz;
    const dev = s.devices;
    for (let r = 0; r < s.ranks; r++) {
      this.advance(r, end);
      this.cycles[r * 5 + PRE_STBY] += idleBefore;
    }
    const railPower = (f: (c: Rail['currents']) => number): number => s.rails.reduce((sum, r) => sum + f(r.currents) * r.voltage, 0); // mW per device
    const et = s.energyTiming;
    const eAct = railPower((c) => c.idd0 - c.idd3n) * et.ras * ns;
    const ePre = railPower((c) => c.idd0 - c.idd2n) * (et.rc - et.ras) * ns;
    const eRd = railPower((c) => c.idd4r - c.idd3n) * s.data.burst * ns;
    const eWr = railPower((c) => c.idd4w - c.idd3n) * s.data.burst * ns;
    const power = [
      railPower((c) => c.idd3n),
      railPower((c) => c.idd2n),
      railPower((c) => c.idd3p),
      railPower((c) => c.idd2p),
      railPower((c) => c.idd6),
    ];
    const bg = [0, 0, 0, 0, 0];
    for (let r = 0; r < s.ranks; r++) for (let k = 0; k < 5; k++) bg[k] += this.cycles[r * 5 + k] * ns * power[k] * dev;
    return {
      activate: this.activates * eAct * dev,
      precharge: this.precharges * ePre * dev,
      read: this.reads * eRd * dev,
      write: this.writes * eWr * dev,
      refresh: this.refreshPj * dev,
      activeStandby: bg[ACT_STBY],
      prechargedStandby: bg[PRE_STBY],
      activePowerDown: bg[ACT_PD],
      prechargedPowerDown: bg[PRE_PD],
      selfRefresh: bg[SREF],
    };
  }
}

/**
 * The energy of one refresh by `command` (per device, pJ): its current above active standby over its
 * duration, summed over the rails; without a current of its own, the all-bank refresh's energy
 * times the share of the rank's banks it covers.
 */
export function refreshEnergyPj(spec: MemSpec, duration: number, bankShare: number, perBankCurrent: boolean): number {
  const ns = 1000 / spec.clockMhz;
  const allBank = spec.standard.refresh(spec.timing).AllBank;
  const rfc = allBank ? spec.timing[allBank.duration] : duration;
  return spec.rails.reduce((sum, r) => {
    const c = r.currents;
    const own = perBankCurrent && c.idd5pb !== null;
    return sum + (own ? (c.idd5pb! - c.idd3n) * duration : (c.idd5 - c.idd3n) * rfc * bankShare) * r.voltage * ns;
  }, 0);
}
