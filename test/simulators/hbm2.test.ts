/**
 * HBM2 golden cases, cycles derived by hand from the hbm2 preset (DRAMSys's HBM2.json, cycles of
 * 1 ns, player at 1 GHz): tRCDRD 12, tRCDWR 6, RL 17, WL 7, tDQSCK 1, tBURST 2 (BL4), tCCDS 2,
 * tCCDL 3, tRAS 28, tRP 14, tRC 42, tRRDS 4, tRRDL 6, tFAW 16, tWTRS 4, tWTRL 9, tRTW 18, tRTP 5,
 * tWR 14, tRFC 220, tRFCSB 96, tRREFD 8, tREFI 3900, tREFISB 244, tXP 8, tCKE 8.
 * Rules are between command starts: ACT holds the row bus 2 cycles, so a rule from an ACT gains a
 * cycle (RD ≥ ACT + tRCDRD + 1 = ACT + 13) and one to an ACT loses one (ACT ≥ PRE + tRP − 1).
 * As in DRAMSys, no command starts before cycle 1, and the commands chained to the first fall 1 ps
 * before their cycle's edge (`at` rounds them to the cycle).
 * Pseudo-channels are ranks 0 and 1; banks count across them (bank 16 is PC 1's bank 0).
 */
import { describe, expect, it } from 'vitest';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { type Issued, run } from '../helpers.js';

const hbm2 = { memspec: loadMemSpec('hbm2'), mapping: loadAddressMapping('hbm2'), clkMhz: 1000 };
const stack = { memspec: loadMemSpec('hbm2-stack'), mapping: loadAddressMapping('hbm2-stack'), clkMhz: 1000 };

/** A byte address on DRAMSys's HBM2 mapping: PC bit 29, bank group 27-28, bank 25-26, row 10-24, column (beats) 3-9. */
function addr(pc: number, group: number, bank: number, row: number, column = 0): number {
  return pc * 2 ** 29 + group * 2 ** 27 + bank * 2 ** 25 + row * 2 ** 10 + column * 8;
}

/** "CMD@cycle[/bank]" strings, each command at the cycle whose edge it falls on or just before. */
function at(issued: Issued[], banks = false): string[] {
  return issued.map((c) => `${c.cmd}@${Math.round(c.cycle)}${banks && c.bank >= 0 ? `/${c.bank}` : ''}`);
}

const PS = 2 ** -10; // the lead of DRAMSys's HBM2 command chain, in cycles (1 ps at 1 GHz, to a power of two)

describe('HBM2: single requests', () => {
  it('an idle read: ACT at cycle 1, RD tRCDRD + 1 later, data RL + tDQSCK + tBURST after it', () => {
    const { stats, issued } = run([{ cycle: 0, address: addr(0, 0, 0, 0) }], {}, hbm2);
    // ACT@1, RD@1+13 = 14, data until 14 + 17 + 1 + 2 = 34 (1 ps early, as the chain).
    expect(at(issued)).toEqual(['ACT@1', 'RD@14']);
    expect(issued[0].cycle).toBe(1 - PS);
    expect(stats.totalTimeNs).toBeCloseTo(34 - PS, 9);
    expect(stats.rowMisses).toBe(1);
  });

  it('a row hit in the same bank group waits tCCDL after the first read', () => {
    const { issued, stats } = run(
      [
        { cycle: 0, address: addr(0, 0, 0, 0, 0) },
        { cycle: 1, address: addr(0, 0, 0, 0, 4) },
      ],
      { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 4 },
      hbm2,
    );
    expect(at(issued)).toEqual(['ACT@1', 'RD@14', 'RD@17']);
    expect(stats.rowHits).toBe(1);
  });

  it('a row conflict precharges tRAS + 1 after the ACT and activates tRP − 1 after the PRE', () => {
    const { issued, stats } = run(
      [
        { cycle: 0, address: addr(0, 0, 0, 0) },
        { cycle: 1, address: addr(0, 0, 0, 1) },
      ],
      { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 4 },
      hbm2,
    );
    // PRE ≥ 1 + 29 = 30 (RD→PRE tRTP: 19), ACT ≥ 30 + 13 = 43, RD ≥ 43 + 13 = 56.
    expect(at(issued)).toEqual(['ACT@1', 'RD@14', 'PRE@30', 'ACT@43', 'RD@56']);
    expect(stats.rowConflicts).toBe(1);
  });

  it('a write after a read waits tRTW; a read after a write waits WL + tBURST + tWTRL in its bank group', () => {
    const mc = { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 4 };
    const rw = run([{ cycle: 0, address: addr(0, 0, 0, 0, 0) }, { cycle: 1, address: addr(0, 0, 0, 0, 4), write: true }], mc, hbm2);
    // WR ≥ RD + 18 = 32 (and ACT + tRCDWR + 1 = 8).
    expect(at(rw.issued)).toEqual(['ACT@1', 'RD@14', 'WR@32']);
    const wr = run([{ cycle: 0, address: addr(0, 0, 0, 0, 0), write: true }, { cycle: 1, address: addr(0, 0, 0, 0, 4) }], mc, hbm2);
    // WR ≥ 1 + 7 = 8, RD ≥ 8 + 7 + 2 + 9 = 26.
    expect(at(wr.issued)).toEqual(['ACT@1', 'WR@8', 'RD@26']);
    // A write's response leaves at the end of its burst: 8 + 7 + 2 = 17; the read's at 26 + 20 = 46.
    expect(wr.stats.totalTimeNs).toBeCloseTo(46 - PS, 9);
  });
});

describe('HBM2: two command buses, the four-activate window', () => {
  it('ACT holds the row bus two cycles: activates on the two pseudo-channels go 2 cycles apart', () => {
    const { issued } = run(
      [
        { cycle: 0, address: addr(0, 0, 0, 0) },
        { cycle: 0, address: addr(1, 0, 0, 0) },
      ],
      { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 4 },
      hbm2,
    );
    expect(at(issued, true)).toEqual(['ACT@1/0', 'ACT@3/16', 'RD@14/0', 'RD@16/16']);
  });

  it('the fifth activate waits for tFAW while a read goes on the column bus in the same cycle', () => {
    const requests = [
      addr(0, 0, 0, 0, 0),
      addr(0, 0, 0, 0, 4),
      addr(0, 1, 0, 0),
      addr(0, 2, 0, 0),
      addr(0, 3, 0, 0),
      addr(0, 0, 1, 0),
    ].map((address, cycle) => ({ cycle, address }));
    const { issued } = run(requests, { RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 8 }, hbm2);
    // Activates tRRDS (4) apart over the bank groups: 1, 5, 9, 13; the fifth (bank group 0 again,
    // tRRDL 6) is due at 17 = 1 + tFAW, the cycle the second read (14 + tCCDL) takes the column bus.
    // Reads: 14, 17, then tRCDRD + 1 after each ACT (tCCDS 2 apart): 19, 22, 26, 30.
    expect(at(issued, true)).toEqual([
      'ACT@1/0', 'ACT@5/4', 'ACT@9/8', 'ACT@13/12', 'RD@14/0', 'RD@17/0', 'ACT@17/1', 'RD@19/4', 'RD@22/8', 'RD@26/12', 'RD@30/1',
    ]);
  });
});

describe('HBM2: refresh', () => {
  it('an all-bank refresh per pseudo-channel, the second PC staggered half an interval: tRFC − 1 to the next ACT', () => {
    // PC 1's first refresh is due at tREFI − tREFI/2 = 1950.
    const { issued, stats } = run([{ cycle: 1950, address: addr(1, 0, 0, 0) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 }, hbm2);
    // REF@1950, ACT ≥ 1950 + 219 = 2169, RD@2182, data until 2182 + 20 = 2202.
    expect(at(issued, true)).toEqual(['REF@1950', 'ACT@2169/16', 'RD@2182/16']);
    expect(stats.avgLatencyNs).toBe(2202 - 1950);
  });

  it('single-bank refreshes of an idle PC: tRREFD apart, one round of 16 banks, then tRFCSB before the next round', () => {
    const { issued } = run([{ cycle: 400, address: addr(0, 0, 0, 0) }], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 }, hbm2);
    // PC 1 falls due at tREFISB − tREFISB/2 = 122: banks 16…31 tRREFD (8) apart, 122…242, then
    // (pulling in one more) bank 16 again tRFCSB (96) after the round's last: 338; the next falls
    // due at 122 + 244 = 366 (bank 17).
    const pc1 = issued.filter((c) => c.cmd === 'REFPB' && c.bank >= 16);
    expect(pc1.map((c) => Math.round(c.cycle))).toEqual([...Array.from({ length: 16 }, (_, i) => 122 + 8 * i), 338, 366]);
    expect(pc1.map((c) => c.bank)).toEqual([...Array.from({ length: 16 }, (_, i) => 16 + i), 16, 17]);
  });
});

describe('HBM2: power-down spans the channel', () => {
  it("a pseudo-channel enters power-down tRDPDE after the other pseudo-channel's last read", () => {
    const { issued } = run(
      [
        { cycle: 100, address: addr(1, 0, 0, 0) },
        { cycle: 110, address: addr(0, 0, 0, 0) },
        { cycle: 300, address: addr(0, 0, 0, 0, 4) },
      ],
      { PowerDownPolicy: 'Staggered', Arbiter: 'Fifo', MaxActiveTransactions: 4, RequestBufferSize: 4 },
      hbm2,
    );
    // Both PCs power down at once (PDEP@1, @2 on the row bus). PC 1 wakes at 100 (ACT ≥ 100 + 7,
    // RD@120), PC 0 at 110 (ACT@117, RD@130). A PDEA waits tRDPDE = RL + tBURST + 1 = 20 after the
    // last read on the whole channel: PC 1's is due at 150 (not 140), as PC 0's; PC 0 goes first
    // (the multiplexer's order), PC 1 a cycle later on the row bus.
    // PC 0 wakes for a row hit at 300: PDXA, RD tXP later (308), PDEA tRDPDE after it (328).
    expect(at(issued, true).map((s) => s.replace(/\/-1$/, ''))).toEqual([
      'PDEP@1', 'PDEP@2', 'PDXP@100', 'ACT@107/16', 'PDXP@110', 'ACT@117/0', 'RD@120/16', 'RD@130/0', 'PDEA@150', 'PDEA@151', 'PDXA@300', 'RD@308/0', 'PDEA@328',
    ]);
    expect(issued.filter((c) => c.cmd === 'PDEA').map((c) => c.rank)).toEqual([0, 1, 0]);
  });
});

describe('HBM2: memspecs', () => {
  it("reads DRAMSys's own HBM2.json, which has no mempowerspec: simulated, energy 0", () => {
    const own = structuredClone(hbm2.memspec.json) as { memspec: Record<string, unknown> };
    delete own.memspec.mempowerspec;
    const memspec = parseMemSpec(own, 'HBM2.json');
    expect(memspec.rails).toEqual([]);
    expect([memspec.ranks, memspec.banks, memspec.bankGroups, memspec.bytesPerBurst]).toEqual([2, 16, 4, 32]);
    const { stats } = run([{ cycle: 0, address: addr(0, 0, 0, 0) }], {}, { ...hbm2, memspec });
    expect(stats.totalTimeNs).toBeCloseTo(34 - PS, 9);
    expect(stats.energyPj).toBe(0);
  });

  it('refuses a refresh round shorter than its refreshes are apart, naming the key', () => {
    const doc = structuredClone(hbm2.memspec.json) as { memspec: { memtimingspec: Record<string, number> } };
    doc.memspec.memtimingspec.RREFD = 100;
    expect(() => parseMemSpec(doc, 'x.json')).toThrow(/x\.json: memspec\.memtimingspec\.RREFD: RREFD \(100\) exceeds RFCSB \(96\)/);
  });
});

describe('HBM2 stack: several channels', () => {
  it('reads on two channels proceed in parallel, each counted in its channel', () => {
    const { stats } = run(
      [
        { cycle: 0, address: 0 },
        { cycle: 1, address: 64 },
      ],
      { Arbiter: 'Fifo', MaxActiveTransactions: 4 },
      stack,
    );
    // Channel 0: ACT@1, RD@14, response at 34; channel 1's request arrives at 1: ACT@1, response at
    // 34, handed to the player a cycle after channel 0's (one response per cycle): 35.
    expect(stats.totalTimeNs).toBeCloseTo(35, 2);
    expect(stats.channels.map((c) => c.reads)).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('RespQueue Reorder orders responses within each channel (a stack does not stall)', () => {
    const requests = Array.from({ length: 256 }, (_, i) => ({ cycle: i, address: ((i * 2654435761) % 2 ** 33) - (((i * 2654435761) % 2 ** 33) % 64) }));
    const { stats } = run(requests, { RespQueue: 'Reorder', Arbiter: 'Fifo', MaxActiveTransactions: 32, RequestBufferSize: 8 }, stack);
    expect(stats.reads).toBe(256);
    expect(stats.channels.reduce((s, c) => s + c.reads, 0)).toBe(256);
    expect(stats.channels.every((c) => c.reads > 0)).toBe(true);
  });
});
