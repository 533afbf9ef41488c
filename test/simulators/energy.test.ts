/**
 * Energy by hand from the ddr3-1600 memspec (per device, 8 devices): VDD 1.5 V, IDD0 70, IDD2N 45,
 * IDD3N 45, IDD4R 140, IDD4W 145, IDD5 170, IDD2P0 12, IDD3P0 35, IDD6 8 mA; tCK 1.25 ns.
 */
import { describe, expect, it } from 'vitest';
import { ddr3Address as addr, run } from '../helpers.js';

const DEV = 8;
const V = 1.5;
const CK = 1.25;
const E_ACT = (70 - 45) * V * 28 * CK * DEV; // (IDD0 − IDD3N)·tRAS
const E_PRE = (70 - 45) * V * (38 - 28) * CK * DEV; // (IDD0 − IDD2N)·(tRC − tRAS)
const E_RD = (140 - 45) * V * 4 * CK * DEV;
const E_WR = (145 - 45) * V * 4 * CK * DEV;
const E_REF = (170 - 45) * V * 88 * CK * DEV;
const P_STANDBY = 45 * V * DEV; // mW, active and precharged standby are equal here (IDD2N = IDD3N)

describe('energy', () => {
  it('one read: activate, read, and active standby until the data is back', () => {
    const { stats } = run([{ cycle: 0, address: addr(0, 0) }]);
    const e = stats.energyByComponentPj;
    expect(e.activate).toBeCloseTo(E_ACT, 6);
    expect(e.read).toBeCloseTo(E_RD, 6);
    expect(e.precharge).toBe(0);
    expect(e.activeStandby).toBeCloseTo(24 * CK * P_STANDBY, 6);
    expect(stats.energyPj).toBeCloseTo(32_400, 6);
    expect(stats.averagePowerMw).toBeCloseTo(32_400 / 30, 9);
  });

  it('a closed-page write: activate, write, and the auto-precharge', () => {
    const { stats } = run([{ cycle: 0, address: addr(0, 0), write: true }], { PagePolicy: 'Closed' });
    const e = stats.energyByComponentPj;
    expect(e.activate).toBeCloseTo(E_ACT, 6);
    expect(e.write).toBeCloseTo(E_WR, 6);
    expect(e.precharge).toBeCloseTo(E_PRE, 6);
    // WRA at 10, data done at 10+8+4 = 22, internal precharge at 10+8+4+12 = 34. Energy is counted,
    // as DRAMPower does, up to the completion of the last command: that precharge, tRP later
    // (34 + 10 − 1 = 43 cycles), while the run (the last response) ends at 22.
    expect(e.activeStandby + e.prechargedStandby).toBeCloseTo(43 * CK * P_STANDBY, 6);
    expect(stats.energyWindowNs).toBeCloseTo(43 * CK, 9);
    expect(stats.totalTimeNs).toBeCloseTo(22 * CK, 9);
    expect(stats.averagePowerMw).toBeCloseTo(stats.energyPj / (43 * CK), 9);
  });

  it('refresh energy and precharged standby between requests', () => {
    const { stats } = run([{ cycle: 7000, address: addr(0, 0) }], { RefreshPolicy: 'AllBank', RefreshMaxPulledin: 0, RefreshMaxPostponed: 0 });
    const e = stats.energyByComponentPj;
    expect(stats.commands.REF).toBe(1);
    expect(e.refresh).toBeCloseTo(E_REF, 6);
    expect(e.activeStandby + e.prechargedStandby).toBeCloseTo((7000 + 24) * CK * P_STANDBY, 4);
  });

  it('power-down and self-refresh cost less than standby', () => {
    // Two requests far apart: the rank sleeps in between; a refresh falling due turns it into self-refresh.
    const reqs = [
      { cycle: 0, address: addr(0, 0) },
      { cycle: 20_000, address: addr(1, 0) },
    ];
    const awake = run(reqs, { RefreshPolicy: 'AllBank' });
    const sleepy = run(reqs, { RefreshPolicy: 'AllBank', PowerDownPolicy: 'Staggered' });
    const e = sleepy.stats.energyByComponentPj;
    expect(sleepy.stats.commands.PDEA).toBeGreaterThan(0);
    expect(sleepy.stats.commands.SREFEN).toBe(1);
    expect(sleepy.stats.commands.SREFEX).toBe(1);
    expect(e.activePowerDown).toBeGreaterThan(0);
    expect(e.selfRefresh).toBeGreaterThan(0);
    expect(sleepy.stats.averagePowerMw).toBeLessThan(awake.stats.averagePowerMw / 2);
    // Self-refresh entry includes one refresh's energy.
    expect(e.refresh).toBeCloseTo((sleepy.stats.commands.REF + sleepy.stats.commands.SREFEN) * E_REF, 4);
    // Waking up costs latency: tXS after self-refresh plus the refresh issued on exit.
    expect(sleepy.stats.maxLatencyNs).toBeGreaterThan(awake.stats.maxLatencyNs);
  });
});
