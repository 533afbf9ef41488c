/**
 * The mechanisms where marl-dse follows DRAMSys (the build the published work used), each with
 * expected cycles derived by hand from the datasheet values and DRAMSys's rules. Every case here is
 * also a case of the fidelity benchmark (`bench/fidelity.ts`, "golden-…"), where DRAMSys itself
 * gives the same total time and average power.
 *
 * ddr3-1600 (1.25 ns): tRCD 10, RL 10, WL 8, tBURST 4, tRAS 28, tRP 10, tRC 38, tRTP 6, tWR 12,
 * tRRD 5, tRFC 88, tREFI 6240, tCKE 3, tXP 6. ddr4-2400 (0.833 ns): tRCD 16, RL 16, tRP 16,
 * tREFI 9360, tRFC2 192, DQSCK 2.
 */
import { describe, expect, it } from 'vitest';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { ddr3Address as addr, ddr4, ddr4Mapping, run, timeline } from '../helpers.js';

const NS = 1.25;

describe('admission to the scheduler buffer (DRAMSys BufferCounterBankwise)', () => {
  it('takes a request only while the bank of the request it took last has room: a full bank holds up every bank behind it', () => {
    // Bankwise 1, Fifo arbiter. r0 (bank 0, row 0) enters at 0 → ACT@0, RD@10. r1 (bank 0, row 1)
    // reaches the controller at 1; bank 0 (the last taken) is full until r0's RD at 10, which frees
    // the room r1 takes in the same cycle. r1: PRE@28 (tRAS), ACT@38, RD@48. r2 (bank 1) is next,
    // handed on at 11, but bank 0 (r1's) is full again until r1's RD at 48: r2 enters at 48,
    // ACT@49, RD@59, done at 59 + RL + tBURST = 73 (checking r2's own, empty, bank would give 62).
    const { stats, issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 1, address: addr(0, 1) },
        { cycle: 2, address: addr(1, 0) },
      ],
      { Arbiter: 'Fifo', MaxActiveTransactions: 16 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'PRE@28', 'ACT@38', 'RD@48', 'ACT@49', 'RD@59']);
    expect(stats.totalTimeNs).toBe(73 * NS);
  });
});

describe('pipeline delays (DRAMSys Configuration: nanoseconds, rounded to the controller clock)', () => {
  it('arbitration, think and PHY delays lengthen the request and response paths', () => {
    // Simple arbiter; ArbitrationDelayFw/Bw 2.5 ns = 2 cycles, Think/Phy Fw/Bw 1.25 ns = 1 cycle.
    // The request reaches the controller at 2: ACT@2, RD@12. The response leaves at
    // 12 + ThinkFw + PhyFw + RL + tBURST + PhyBw + ThinkBw = 30 and reaches the player 2 later: 32.
    const { stats, issued } = run([{ cycle: 0, address: addr(0, 0) }], {
      ArbitrationDelayFw: 2.5,
      ArbitrationDelayBw: 2.5,
      ThinkDelayFw: 1.25,
      ThinkDelayBw: 1.25,
      PhyDelayFw: 1.25,
      PhyDelayBw: 1.25,
    });
    expect(timeline(issued)).toEqual(['ACT@2', 'RD@12']);
    expect(stats.totalTimeNs).toBe(32 * NS);
    // DRAMPower sees every command ThinkFw + PhyFw = 2 cycles late: ACT@4, RD@14; the read completes
    // at 14 + RL + DQSCK + 1 + tBURST − 1 = 28.
    expect(stats.energyWindowNs).toBeCloseTo(28 * NS, 9);
  });

  it('rounds each delay to whole cycles: 1.9 ns is 2 cycles, 0.6 ns none', () => {
    // ACT@0, RD@10; response at 10 + 2 + RL + tBURST = 26.
    const { stats } = run([{ cycle: 0, address: addr(0, 0) }], { ThinkDelayFw: 1.9, PhyDelayBw: 0.6 });
    expect(stats.totalTimeNs).toBe(26 * NS);
  });

  it('the Simple arbiter returns one response at a time: the next leaves only after the player took the last', () => {
    // ArbitrationDelayBw 7.5 ns = 6 cycles. Two hits on one row: RD@10 and RD@14, data ready at 24
    // and 28. The first reaches the player at 30; the controller hands over the second a cycle
    // later (31), and the player has it at 37 (pipelined, it would be 34).
    const { stats, issued } = run(
      [
        { cycle: 0, address: addr(0, 0, 0) },
        { cycle: 1, address: addr(0, 0, 8) },
      ],
      { RequestBufferSize: 4, ArbitrationDelayBw: 7.5 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'RD@14']);
    expect(stats.totalTimeNs).toBe(37 * NS);
  });

  it('applies ArbitrationDelayFw/Bw in the Simple arbiter only', () => {
    const fifo = run([{ cycle: 0, address: addr(0, 0) }], { Arbiter: 'Fifo', ArbitrationDelayFw: 10, ArbitrationDelayBw: 10 });
    expect(timeline(fifo.issued)).toEqual(['ACT@0', 'RD@10']);
    expect(fifo.stats.totalTimeNs).toBe(24 * NS);
  });
});

describe('arrival within a cycle (DRAMSys delta cycles)', () => {
  it('a request arriving in the cycle of a column command does not change that command', () => {
    // OpenAdaptive, Bankwise 4. r1 (bank 0, row 1: a conflict) arrives at 10, the cycle of r0's
    // RD. DRAMSys decides that command before r1 reaches the controller, so r0 gets a plain RD (no
    // other request was waiting) and r1 an explicit PRE@28 (tRAS), ACT@38, RD@48: done at 62.
    const { stats, issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 10, address: addr(0, 1) },
      ],
      { PagePolicy: 'OpenAdaptive', RequestBufferSize: 4 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'PRE@28', 'ACT@38', 'RD@48']);
    expect(stats.totalTimeNs).toBe(62 * NS);
  });
});

describe('refresh', () => {
  it('a bank blocked by a forced refresh still issues the command it had ready in that cycle', () => {
    // RefreshMaxPostponed 0: the refresh at tREFI = 6240 is forced. r0 (at 6230) got ACT@6230 and
    // its RD is ready at 6240: it goes before the PREA the refresh needs (tRAS: 6258), and the run
    // ends with its data at 6254 (blocked at once, it would wait for PREA@6258, REF@6268, then
    // ACT@6356, RD@6366).
    const { stats, issued } = run([{ cycle: 6230, address: addr(0, 0) }], {
      RefreshPolicy: 'AllBank',
      RefreshMaxPostponed: 0,
      RefreshMaxPulledin: 0,
    });
    expect(timeline(issued)).toEqual(['ACT@6230', 'RD@6240']);
    expect(stats.totalTimeNs).toBe(6254 * NS);
  });

  it('DDR4 fine-granularity refresh mode 2 refreshes every tREFI/2 for tRFC2', () => {
    const doc = structuredClone(ddr4.json) as { memspec: { memarchitecturespec: Record<string, unknown> } };
    doc.memspec.memarchitecturespec.RefMode = 2;
    const memspec = parseMemSpec(doc, 'ddr4 RefMode 2');
    expect(memspec.timing.REFI).toBe(4680);
    expect(memspec.timing.RFC).toBe(192);
    // Trace cycle 3120 of the 800 MHz player is 3,900,000 ps, controller cycle ceil(3900000 / 833)
    // = 4682, after the REF at 4680: ACT@4680 + tRFC2 = 4872, RD@4888, done at 4888 + 16 + 4 = 4908.
    const { stats, issued } = run(
      [{ cycle: 3120, address: 0 }],
      { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 },
      { memspec, mapping: ddr4Mapping },
    );
    expect(timeline(issued)).toEqual(['REF@4680', 'ACT@4872', 'RD@4888']);
    expect(stats.totalTimeNs).toBeCloseTo(4908 * 0.833, 9);
  });
});

describe('clocks', () => {
  it('DDR4-2400 counts in whole picoseconds: tCK 833 ps, so trace cycle 2 (2500 ps) lands in controller cycle 4', () => {
    // ceil(2500 / 833) = 4 (an exact 1.5 ratio would give 3): ACT@4, RD@20, done at 20 + 16 + 4 = 40.
    const { stats, issued } = run([{ cycle: 2, address: 0 }], {}, { memspec: ddr4, mapping: ddr4Mapping });
    expect(ddr4.tCkNs).toBe(0.833);
    expect(timeline(issued)).toEqual(['ACT@4', 'RD@20']);
    expect(stats.totalTimeNs).toBeCloseTo(40 * 0.833, 9);
  });
});

describe('power-down', () => {
  it('a Staggered rank enters power-down at time 0, before the first request arrives', () => {
    // PDEP@0; the read wakes it: PDXP after tPD (= tCKE 3), ACT after tXP (6), RD@19, done at 33.
    const { stats, issued } = run([{ cycle: 0, address: addr(0, 0) }], { PowerDownPolicy: 'Staggered' });
    expect(timeline(issued).slice(0, 4)).toEqual(['PDEP@0', 'PDXP@3', 'ACT@9', 'RD@19']);
    expect(stats.totalTimeNs).toBe(33 * NS);
  });
});

describe('energy window (DRAMPower)', () => {
  it('counts energy up to the completion of the last command, and average power over that window', () => {
    // A write: ACT@0, WR@10; the response at 10 + WL + tBURST = 22, but the write completes at
    // 10 + WL + tBURST + tWR − 1 = 33: DRAMSys reports power over 33 cycles.
    const { stats } = run([{ cycle: 0, address: addr(0, 0), write: true }]);
    expect(stats.totalTimeNs).toBe(22 * NS);
    expect(stats.energyWindowNs).toBeCloseTo(33 * NS, 9);
    expect(stats.averagePowerMw).toBeCloseTo(stats.energyPj / (33 * NS), 9);
  });
});

describe('where marl-dse differs from DRAMSys on purpose', () => {
  it('Closed pages with Staggered power-down: an idle rank with every bank closed is in precharged power-down', () => {
    // r0: PDEP@0, PDXP@3, ACT@9, RDA@19 (internal precharge at max(19 + tRTP, 9 + tRAS) = 37);
    // the rank idles from 34 (tRDPDEN after the RDA). r1 at 100: ACT@106, RDA@116, precharge at 134;
    // energy counted up to 134 + tRP − 1 = 143. Active power-down only 34-37 (the bank still
    // precharging), then precharged power-down 37-100 (plus 0-3 at the start). DRAMSys's power-down
    // manager does not count auto-precharges, enters "active" power-down, and reports 673.4 mW
    // where this is 577.9 mW (fidelity case golden-closed-staggered).
    const { stats, issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 100, address: addr(1, 0) },
      ],
      { PagePolicy: 'Closed', PowerDownPolicy: 'Staggered' },
    );
    expect(timeline(issued)).toEqual(['PDEP@0', 'PDXP@3', 'ACT@9', 'RDA@19', 'PDEP@34', 'PDXP@100', 'ACT@106', 'RDA@116']);
    const e = stats.energyByComponentPj;
    const mw = (ma: number): number => ma * 1.5 * 8; // per rank: VDD 1.5 V, 8 devices
    expect(e.activePowerDown).toBeCloseTo(3 * NS * mw(35), 6); // IDD3P0
    expect(e.prechargedPowerDown).toBeCloseTo((3 + 63) * NS * mw(12), 6); // IDD2P0
    expect(e.activeStandby).toBeCloseTo((25 + 28) * NS * mw(45), 6);
    expect(e.prechargedStandby).toBeCloseTo((6 + 6 + 9) * NS * mw(45), 6);
    expect(stats.energyWindowNs).toBeCloseTo(143 * NS, 9);
  });

  it('CmdMux Strict with a row-hit-first scheduler does not deadlock', () => {
    // FrFcfs, Strict. r0 (bank 0, row 0) RD@10. Next in line is r1 (row 1), but bank 0's scheduler
    // picks r2 (a hit on row 0), whose column command may not go before r1's: DRAMSys stops there,
    // one of three requests answered (fidelity case golden-strict-deadlock). Here the bank serves
    // r1: PRE@28, ACT@38, RD@48; then r2: PRE@66, ACT@76, RD@86, done at 100.
    const { stats, issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 1, address: addr(0, 1) },
        { cycle: 2, address: addr(0, 0, 8) },
      ],
      { Scheduler: 'FrFcfs', CmdMux: 'Strict', RequestBufferSize: 4 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'PRE@28', 'ACT@38', 'RD@48', 'PRE@66', 'ACT@76', 'RD@86']);
    expect(stats.totalTimeNs).toBe(100 * NS);
  });
});
