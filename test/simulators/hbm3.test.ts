/**
 * HBM3 golden cases, derived by hand from the hbm3-6400 preset (clock cycles of 0.625 ns; the
 * controller counts half cycles, "ticks" of 0.3125 ns): tRCDRD 31, tRCDWR 15, RL 20, WL 10,
 * tBURST 2 (BL8 at 4 beats per cycle), tCCDS 2, tCCDL 4, tCCDR 3, tRAS 45, tRP 26, tRC 72, tRRDS 4,
 * tRRDL 5, tFAW 24, tWTRS 7, tWTRL 10, tRTW 20, tRTP 9, tWR 33, tPPD 2, tRFC 560, tRFCpb 320,
 * tRREFD 13, tREFI 6240, tREFIpb 195 (cycles).
 * Commands hold their bus ACT 3 ticks, PRE and REF 1, RD/WR 2; a rule of v cycles between the
 * commands' last edges is 2v + len(from) − len(to) ticks between their starts: RD ≥ ACT + 63,
 * ACT ≥ PRE + 2·26 − 2 = 50, PRE ≥ ACT + 92, PRE ≥ RD + 19. Times below are in ticks.
 * The player runs at 1600 MHz: trace cycle n arrives at tick 2n.
 */
import { describe, expect, it } from 'vitest';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { type Issued, run } from '../helpers.js';

const hbm3 = { memspec: loadMemSpec('hbm3-6400'), mapping: loadAddressMapping('hbm3-6400'), clkMhz: 1600 };
const TICK_NS = 0.3125;
const four = { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 8 };

/**
 * A byte address on the hbm3-6400 mapping: channel bits 6-9, pseudo-channel 10, bank group 15-16,
 * bank 17-18, stack ID 19, row 20-33; a burst's column on bits 5 and 11-14.
 */
function addr(o: { ch?: number; pc?: number; sid?: number; bg?: number; bank?: number; row?: number; burst?: number }): number {
  const { ch = 0, pc = 0, sid = 0, bg = 0, bank = 0, row = 0, burst = 0 } = o;
  return ch * 2 ** 6 + pc * 2 ** 10 + bg * 2 ** 15 + bank * 2 ** 17 + sid * 2 ** 19 + row * 2 ** 20 + (burst % 2) * 2 ** 5 + Math.floor(burst / 2) * 2 ** 11;
}

function at(issued: Issued[], banks = false): string[] {
  return issued.map((c) => `${c.cmd}@${c.cycle}${banks && c.bank >= 0 ? `/${c.bank}` : ''}`);
}

describe('HBM3: the preset', () => {
  it('is a 16 GiB stack of 16 channels, counted in half clock cycles', () => {
    const m = hbm3.memspec;
    expect([m.channels, m.ranks, m.stacks, m.bankGroups, m.banks, m.bytesPerBurst]).toEqual([16, 2, 2, 8, 32, 32]);
    expect(m.capacityBytes).toBe(16 * 2 ** 30);
    expect(m.tCkNs).toBe(0.3125);
    expect(m.timing.RCDRD).toBe(62);
  });
});

describe('HBM3: single requests', () => {
  it('an idle read: RD 2·tRCDRD + 1 ticks after the ACT, data RL + tBURST after the RD', () => {
    const { issued, stats } = run([{ cycle: 0, address: addr({}) }], {}, hbm3);
    // ACT@0, RD@63 (31.5 cycles: tRCDRD from the ACT's last edge), response at 63 + 40 + 4 = 107.
    expect(at(issued)).toEqual(['ACT@0', 'RD@63']);
    expect(stats.totalTimeNs).toBe(107 * TICK_NS);
  });

  it('a row hit in the bank group waits tCCDL; a row conflict waits tRAS, then tRP', () => {
    const hit = run([{ cycle: 0, address: addr({ burst: 0 }) }, { cycle: 1, address: addr({ burst: 1 }) }], four, hbm3);
    expect(at(hit.issued)).toEqual(['ACT@0', 'RD@63', 'RD@71']);
    const conflict = run([{ cycle: 0, address: addr({ row: 0 }) }, { cycle: 1, address: addr({ row: 1 }) }], four, hbm3);
    // PRE ≥ ACT + 92 (after RD + 19 = 82), ACT ≥ PRE + 50 = 142 and ≥ ACT + 2·tRC = 144, RD@207.
    expect(at(conflict.issued)).toEqual(['ACT@0', 'RD@63', 'PRE@92', 'ACT@144', 'RD@207']);
  });

  it('write after read waits tRTW; read after write waits WL + tBURST + tWTRL', () => {
    const rw = run([{ cycle: 0, address: addr({ burst: 0 }) }, { cycle: 1, address: addr({ burst: 1 }), write: true }], four, hbm3);
    expect(at(rw.issued)).toEqual(['ACT@0', 'RD@63', 'WR@103']); // 63 + 2·20
    const wr = run([{ cycle: 0, address: addr({ burst: 0 }), write: true }, { cycle: 1, address: addr({ burst: 1 }) }], four, hbm3);
    // WR ≥ ACT + 2·15 + 1 = 31, RD ≥ 31 + 2·(10 + 2 + 10) = 75.
    expect(at(wr.issued)).toEqual(['ACT@0', 'WR@31', 'RD@75']);
  });
});

describe('HBM3: half-cycle row commands, stack IDs, the four-activate window', () => {
  it('a PRE and an ACT share one clock cycle on the row bus', () => {
    const { issued } = run(
      [
        { cycle: 0, address: addr({ row: 0 }) },
        { cycle: 1, address: addr({ row: 1 }) },
        { cycle: 46, address: addr({ bg: 1 }) },
      ],
      four,
      hbm3,
    );
    // The conflict's PRE at 92 (cycle 46); the request arriving then activates at 93, half a cycle later.
    expect(at(issued, true).slice(0, 4)).toEqual(['ACT@0/0', 'RD@63/0', 'PRE@92/0', 'ACT@93/4']);
  });

  it('reads to the other stack ID wait tCCDR, to the same one tCCDS', () => {
    const requests = [addr({ sid: 0, burst: 0 }), addr({ sid: 1, burst: 0 }), addr({ sid: 0, burst: 1 }), addr({ sid: 1, burst: 1 })];
    const { issued } = run(requests.map((address, cycle) => ({ cycle, address })), four, hbm3);
    // ACTs tRRDS (8) apart; RD sid 0 @63; RD sid 1 @71 (its ACT + 63); RD sid 0 ≥ 71 + 2·tCCDR = 77;
    // RD sid 1 ≥ 77 + 6 = 83 (and ≥ 71 + 2·tCCDL = 79 in its bank group).
    expect(at(issued, true)).toEqual(['ACT@0/0', 'ACT@8/16', 'RD@63/0', 'RD@71/16', 'RD@77/0', 'RD@83/16']);
  });

  it('the fifth activate waits tFAW after the first (activates only: per-bank refreshes do not count)', () => {
    const groups = [addr({ bg: 0 }), addr({ bg: 1 }), addr({ bg: 2 }), addr({ bg: 3 }), addr({ sid: 1, bg: 0 })];
    const { issued } = run(groups.map((address, cycle) => ({ cycle, address })), four, hbm3);
    expect(at(issued.filter((c) => c.cmd === 'ACT'))).toEqual(['ACT@0', 'ACT@8', 'ACT@16', 'ACT@24', 'ACT@48']);
  });
});

describe('HBM3: refresh', () => {
  it('all-bank refresh per pseudo-channel: tRFC before the next ACT', () => {
    // PC 1 is due at tREFI/2 = 3120 cycles = tick 6240; the request arrives then.
    const { issued, stats } = run([{ cycle: 3120, address: addr({ pc: 1 }) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 }, hbm3);
    // ACT ≥ 6240 + 2·560 + 1 − 3 = 7358, RD@7421, response at 7421 + 44 = 7465.
    expect(at(issued)).toEqual(['REF@6240', 'ACT@7358', 'RD@7421']);
    expect(stats.avgLatencyNs).toBe((7465 - 6240) * TICK_NS);
  });

  it('per-bank refresh: a round of 32 banks tRREFD apart, then tRFCpb before the next round', () => {
    const { issued } = run([{ cycle: 1000, address: addr({}) }], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 }, hbm3);
    // PC 1 (banks 32-63) is due at tREFIpb/2 = 195 ticks: 32 banks 26 ticks apart (195 … 1001), then
    // bank 32 again 2·320 ticks after the round's last: 1641.
    const pc1 = issued.filter((c) => c.cmd === 'REFPB' && c.bank >= 32).slice(0, 33);
    expect(pc1.map((c) => c.cycle)).toEqual([...Array.from({ length: 32 }, (_, i) => 195 + 26 * i), 1641]);
    expect(pc1.map((c) => c.bank)).toEqual([...Array.from({ length: 32 }, (_, i) => 32 + i), 32]);
  });
});

describe('HBM3: power-down spans the channel', () => {
  it("a pseudo-channel enters power-down tRDPDE after the other pseudo-channel's read", () => {
    const { issued } = run(
      [
        { cycle: 100, address: addr({ pc: 1 }) },
        { cycle: 105, address: addr({ pc: 0 }) },
        { cycle: 300, address: addr({ pc: 0, burst: 1 }) },
      ],
      { ...four, PowerDownPolicy: 'Staggered' },
      hbm3,
    );
    // PDEP (1 cycle each) at 0 and 2. PC 1 wakes at 200 (PDXP), PC 0 at 210; an ACT waits
    // 2·tXP − 1 = 13 ticks after a power-down exit anywhere on the channel: PC 1's at 223, PC 0's
    // after it on the row bus (3 ticks): 226; reads at 286 and 289. A PDEA waits 2·(RL + tBURST + 1)
    // = 46 ticks after the channel's last read: 335 for both; PC 0 first, PC 1 a cycle (2 ticks)
    // later. PC 0 wakes for a row hit at 600: PDXA, RD ≥ 600 + 2·7 = 614.
    expect(at(issued, true).map((s) => s.replace(/\/-1$/, ''))).toEqual([
      'PDEP@0', 'PDEP@2', 'PDXP@200', 'PDXP@210', 'ACT@223/32', 'ACT@226/0', 'RD@286/32', 'RD@289/0', 'PDEA@335', 'PDEA@337', 'PDXA@600', 'RD@614/0',
    ]);
    expect(issued.filter((c) => c.cmd === 'PDEA').map((c) => c.rank)).toEqual([0, 1]);
  });
});
