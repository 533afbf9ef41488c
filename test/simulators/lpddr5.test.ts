/**
 * Golden cases for LPDDR5, computed by hand from the lpddr5-6400 memspec (JESD209-5 values at
 * 6400 MT/s, CK 800 MHz: cycles of 1.25 ns) and the rules of `standards/lpddr5.ts` (cycles between
 * command starts; the activate is ACT-1 and ACT-2 back to back, 2 cycles, and JEDEC measures tRCD,
 * tRAS, tRC from ACT-2 and tRP, tRFC to it): tRCD 15, RL 17, WL 9, tWCK2DQO 1, BL16 at WCK:CK 4:1 =
 * 2 cycles (BL/n_min 2, BL/n_max 4), tCCD_S 2, tCCD_L 4, tRTW_S 12, tRTW_L 14, tRAS 34, tRPpb 15,
 * tRPab 17, tRCpb 49, tRCab 51, tRRD 4, tFAW 16, tRBTP 4, tWR 28, tWTR_S 5, tWTR_L 10, tRFCab 224,
 * tRFCpb 112, tREFI 3124, tREFIpb 390, tpbR2act 6, tpbR2pbR 72, tXP 6, tPD 6, tCMDPD 3, tSR 12,
 * tXSR 230. A read's data ends RL + tWCK2DQO + BL/n_min = 20 cycles after it starts, a write's
 * WL + BL/n_min = 11. The trace clock is the controller's (800 MHz).
 */
import { describe, expect, it } from 'vitest';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { run, timeline } from '../helpers.js';

const NS = 1.25;
const memspec = loadMemSpec('lpddr5-6400');
const device = { memspec, mapping: loadAddressMapping('lpddr5-6400'), clkMhz: 800 };

/**
 * The preset's mapping: byte bit 0, column 1-4 (a burst's 16 beats), bank group 5-6, column 7-12,
 * bank 13-14, row 15-30. Bank numbers count across groups: bank group g's bank k is bank 4g + k,
 * and per-2-bank refresh pairs bank b with b + 8.
 */
function addr(group: number, bank: number, row: number, burst = 0): number {
  return group * 2 ** 5 + burst * 2 ** 7 + bank * 2 ** 13 + row * 2 ** 15;
}

type Doc = { memspec: { memtimingspec: Record<string, number | undefined>; memarchitecturespec: Record<string, number | boolean | undefined> } };

/** lpddr5-6400 with memtimingspec (or memarchitecturespec) values changed; undefined removes a key. */
function variant(timing: Record<string, number | undefined>, arch: Record<string, number | boolean | undefined> = {}) {
  const doc = structuredClone(memspec.json) as Doc;
  for (const [k, v] of Object.entries(timing)) if (v === undefined) delete doc.memspec.memtimingspec[k]; else doc.memspec.memtimingspec[k] = v;
  for (const [k, v] of Object.entries(arch)) if (v === undefined) delete doc.memspec.memarchitecturespec[k]; else doc.memspec.memarchitecturespec[k] = v;
  return parseMemSpec(doc, 'variant.json');
}

const lp5 = (requests: Parameters<typeof run>[0], overrides: Record<string, unknown> = {}, dev: Parameters<typeof run>[2] = device) => run(requests, overrides, dev);
const deep = { RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 64 };

describe('LPDDR5 data bus', () => {
  it('a BL16 burst takes 2 CK at WCK:CK 4:1: 32 bytes every 2.5 ns, 12.8 GB/s', () => {
    expect(memspec.data.burst).toBe(2);
    expect(memspec.bytesPerBurst).toBe(32);
    expect((memspec.bytesPerBurst / (memspec.data.burst * memspec.tCkNs))).toBeCloseTo(12.8, 12);
    // At WCK:CK 2:1 the same burst takes 4 CK (with BL/n_min, BL/n_max, tCCD_S, tCCD_L to match).
    expect(variant({ WCK2CK: 2, BL_n_min_16: 4, BL_n_max_16: 8, BL_n_S_16: 4, BL_n_L_16: 8 }).data.burst).toBe(4);
  });

  it('reads alternating between two bank groups use every data-bus cycle', () => {
    // Rows in bank groups 0 and 1; 64 reads to each (a whole row), alternating. ACT@0, ACT@4 (tRRD); RD@16 and,
    // once the second row is open, RD@20; from then on a read every tCCD_S = 2 cycles (each group
    // every tCCD_L = 4): the data bus never idles.
    const reqs = Array.from({ length: 128 }, (_, i) => ({ cycle: 0, address: addr(i % 2, 0, 0, i >> 1) }));
    const { stats, issued } = lp5(reqs, { ...deep, RequestBufferSize: 32, MaxActiveTransactions: 128 });
    const reads = issued.filter((c) => c.cmd === 'RD').map((c) => c.cycle);
    expect(reads.slice(0, 2)).toEqual([16, 20]);
    expect(reads.slice(1).every((c, i) => i === 0 || c - reads[i] === 2)).toBe(true);
    // The last read at 20 + 2·126 = 272; its data ends 20 later: 128 × 32 bytes in 292 cycles.
    expect(stats.totalTimeNs).toBe(292 * NS);
    expect(stats.bandwidthGBps).toBeCloseTo((128 * 32) / (292 * NS), 12);
  });
});

describe('LPDDR5 single requests', () => {
  it('an idle read: ACT (2 cycles), RD tRCD after ACT-2, data RL + tWCK2DQO + BL/n_min later', () => {
    const { stats, issued } = lp5([{ cycle: 0, address: addr(0, 0, 0) }]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@16']);
    expect(stats.totalTimeNs).toBe((16 + 20) * NS);
  });

  it('column commands: tCCD_L within a bank group, tCCD_S between bank groups', () => {
    // A (group 0), B (group 1), C (group 0, A's row), D (group 1, B's row). ACT@0, ACT@4 (tRRD),
    // RD A@16; B (ready 20) and C (tCCD_L after A: 20) tie, the older B goes; C then tCCD_S after B
    // (22), D tCCD_L after B and tCCD_S after C (24).
    const { stats, issued } = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0, 0) },
        { cycle: 0, address: addr(1, 0, 0, 0) },
        { cycle: 0, address: addr(0, 0, 0, 1) },
        { cycle: 0, address: addr(1, 0, 0, 1) },
      ],
      deep,
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'RD@16', 'RD@20', 'RD@22', 'RD@24']);
    expect(stats.totalTimeNs).toBe((24 + 20) * NS);
  });

  it('a row conflict: PRE tRAS after ACT-2, ACT-2 tRPpb after the PRE', () => {
    // PRE ≥ max(ACT + 1 + tRAS = 35, RD + BL/n_min + tRBTP = 22); ACT ≥ max(PRE + tRPpb − 1, ACT + tRCpb) = 49.
    const { stats, issued } = lp5([
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@16', 'PRE@35', 'ACT@49', 'RD@65']);
    expect(stats.totalTimeNs).toBe((65 + 20) * NS);
  });

  it('a write, then a precharge after its recovery WL + BL/n_min + 1 + tWR', () => {
    const write = lp5([{ cycle: 0, address: addr(0, 0, 0), write: true }]);
    expect(write.stats.totalTimeNs).toBe((16 + 11) * NS);
    // PRE ≥ WR + 9 + 2 + 1 + 28 = 56; ACT@70, RD@86.
    const { issued } = lp5([
      { cycle: 0, address: addr(0, 0, 0), write: true },
      { cycle: 0, address: addr(0, 0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@16', 'PRE@56', 'ACT@70', 'RD@86']);
  });
});

describe('LPDDR5 turnarounds', () => {
  it('within a bank group: write to read WL + BL/n_max + tWTR_L = 23, read to write tRTW_L = 14', () => {
    const wr = lp5([
      { cycle: 0, address: addr(0, 0, 0, 0), write: true },
      { cycle: 0, address: addr(0, 0, 0, 1) },
    ]);
    expect(timeline(wr.issued)).toEqual(['ACT@0', 'WR@16', 'RD@39']);
    const rw = lp5([
      { cycle: 0, address: addr(0, 0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 0, 1), write: true },
    ]);
    expect(timeline(rw.issued)).toEqual(['ACT@0', 'RD@16', 'WR@30']);
  });

  it('between bank groups: write to read WL + BL/n_min + tWTR_S = 16, read to write tRTW_S = 12', () => {
    const wr = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0), write: true },
        { cycle: 0, address: addr(1, 0, 0) },
      ],
      deep,
    );
    expect(timeline(wr.issued)).toEqual(['ACT@0', 'ACT@4', 'WR@16', 'RD@32']);
    const rw = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0) },
        { cycle: 0, address: addr(1, 0, 0), write: true },
      ],
      deep,
    );
    expect(timeline(rw.issued)).toEqual(['ACT@0', 'ACT@4', 'RD@16', 'WR@28']);
  });
});

describe('LPDDR5 activates', () => {
  // Five banks: groups 0-3 bank 0, then group 0 bank 1; they reach the controller one a cycle.
  const five = [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]].map(([g, b]) => ({ cycle: 0, address: addr(g, b, 0) }));

  it('tRRD apart; the fifth waits tFAW, and a read that would finish first takes the bus', () => {
    // ACT@0, 4, 8, 12; the fifth is due at 16 by tRRD and by tFAW (0 + 2 + 16 − 2), as is RD A
    // (16): the read ends on the bus first (16 + 1 < 16 + 2) and goes; the fifth ACT follows at 17.
    const acts = lp5(five, deep).issued.filter((c) => c.cmd === 'ACT').map((c) => c.cycle);
    expect(acts).toEqual([0, 4, 8, 12, 17]);
  });

  it('with tFAW 20 the fifth activate waits for the window', () => {
    // Due at 0 + 2 + 20 − 2 = 20, when RD B (ACT@4 + 16) is ready too and goes first: 21.
    const acts = lp5(five, deep, { ...device, memspec: variant({ FAW: 20 }) }).issued.filter((c) => c.cmd === 'ACT').map((c) => c.cycle);
    expect(acts).toEqual([0, 4, 8, 12, 21]);
  });
});

describe('LPDDR5 refresh', () => {
  const noFlex = { RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 };

  it('AllBank: REF every tREFI; an activate ends tRFCab after it', () => {
    const { issued } = lp5([{ cycle: 3124, address: addr(1, 2, 5) }], { RefreshPolicy: 'AllBank', ...noFlex });
    expect(timeline(issued)).toEqual(['REF@3124', 'ACT@3347', 'RD@3363']);
  });

  it('AllBank closes an open row with PREA first, REF tRPab after it', () => {
    const { issued } = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0) },
        { cycle: 3124, address: addr(0, 0, 0, 1) },
      ],
      { RefreshPolicy: 'AllBank', ...noFlex },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@16', 'PREA@3124', 'REF@3141', 'ACT@3364', 'RD@3380']);
  });

  it('Per2Bank: REFpb refreshes banks b and b + 8; they wait tRFCpb, other banks tpbR2act', () => {
    // REFP2B on banks 0 and 8 at tREFIpb = 390. Bank 8 (group 2): ACT ≥ 390 + 112 − 1 = 501. Bank 1
    // (group 0), arriving a cycle later: ACT ≥ 390 + 6 − 1 = 395.
    const { issued } = lp5(
      [
        { cycle: 390, address: addr(2, 0, 0) },
        { cycle: 390, address: addr(0, 1, 0) },
      ],
      { RefreshPolicy: 'Per2Bank', ...noFlex, ...deep },
    );
    expect(timeline(issued)).toEqual(['REFP2B@390', 'ACT@395', 'RD@411', 'ACT@501', 'RD@517']);
    expect(issued[0].bank).toBe(0);
  });

  it('Per2Bank closes an open bank of the pair with PRE first', () => {
    const { issued } = lp5(
      [
        { cycle: 0, address: addr(2, 0, 0) },
        { cycle: 1000, address: addr(3, 3, 0) },
      ],
      { RefreshPolicy: 'Per2Bank', ...noFlex },
    );
    // Bank 8 is open at 390: PRE bank 8, then REFP2B tRPpb later.
    expect(timeline(issued).slice(0, 4)).toEqual(['ACT@0', 'RD@16', 'PRE@390', 'REFP2B@405']);
    expect(issued[2].bank).toBe(8);
  });

  it('Per2Bank takes the 8 pairs in rounds, tpbR2pbR apart when pulled in', () => {
    const { issued } = lp5([{ cycle: 2000, address: addr(3, 3, 0) }], { RefreshPolicy: 'Per2Bank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 });
    const refs = issued.filter((c) => c.cmd === 'REFP2B').slice(0, 9);
    expect(refs.map((c) => c.cycle)).toEqual([390, 462, 534, 606, 678, 750, 822, 894, 966]);
    expect(refs.map((c) => c.bank)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0]);
  });

  it('refuses the refresh policies LPDDR5 does not have', () => {
    expect(() => lp5([{ cycle: 0, address: 0 }], { RefreshPolicy: 'PerBank' })).toThrow(/RefreshPolicy PerBank: .*LPDDR5.* has NoRefresh, AllBank, Per2Bank/);
  });
});

describe('LPDDR5 power-down and self-refresh', () => {
  it('Staggered: a request wakes the rank (tXP); active power-down once the read is over', () => {
    // PDEP@0; PDXP@100, ACT@106, RD@122, PDEA ≥ RD + RL + tWCK2DQO + BL/n_min + 1 = 143; the second
    // request (a row hit): PDXA@300, RD@306 (tXP).
    const { issued } = lp5(
      [
        { cycle: 100, address: addr(0, 0, 0, 0) },
        { cycle: 300, address: addr(0, 0, 0, 1) },
      ],
      { PowerDownPolicy: 'Staggered' },
    );
    expect(timeline(issued)).toEqual(['PDEP@0', 'PDXP@100', 'ACT@106', 'RD@122', 'PDEA@143', 'PDXA@300', 'RD@306']);
  });

  it('self-refresh after a refresh falls due in precharged power-down; tXSR and one REF on leaving', () => {
    // PDXP@3124 (REF due), SREFEN@3130 (tXP); the request at 5000: SREFEX@5000, REF@5230 (tXSR),
    // ACT ≥ REF + tRFCab − 1 = 5453, RD@5469.
    const { issued } = lp5([{ cycle: 5000, address: addr(0, 0, 0) }], { PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
    expect(timeline(issued)).toEqual(['PDEP@0', 'PDXP@3124', 'SREFEN@3130', 'SREFEX@5000', 'REF@5230', 'ACT@5453', 'RD@5469']);
  });

  it('power-down timings default from ns when the memspec leaves them out (DRAMSys\'s LPDDR5 memspec has none)', () => {
    const bare = variant({ XP: undefined, PD: undefined, CMDPD: undefined, SR: undefined, XSR: undefined });
    // max(7 ns, 3 nCK) = 6, max(7.5 ns, 4 nCK) = 6, max(1.75 ns, 3 nCK) = 3, max(15 ns, 3 nCK) = 12, tRFCab + 7.5 ns = 230.
    expect([bare.timing.XP, bare.timing.PD, bare.timing.CMDPD, bare.timing.SR, bare.timing.XSR]).toEqual([6, 6, 3, 12, 230]);
  });
});

describe('LPDDR5 BL32', () => {
  // In bank-group mode a BL32 burst is 4 CK of data in a 6-CK window (BL/n_min 6, BL/n_max 8);
  // another bank group may follow after BL_n_S_32 = 4, the same group after BL_n_L_32 = 8.
  const bl32 = { ...device, memspec: variant({}, { burstLength: 32 }) };

  it('carries 64 bytes in 4 CK; a read\'s data ends RL + tWCK2DQO + 6 after it', () => {
    expect(bl32.memspec.data.burst).toBe(4);
    expect(bl32.memspec.bytesPerBurst).toBe(64);
    const { stats, issued } = lp5([{ cycle: 0, address: addr(0, 0, 0) }], {}, bl32);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@16']);
    expect(stats.totalTimeNs).toBe((16 + 24) * NS);
  });

  it('column commands 4 apart between bank groups, 8 within one', () => {
    // As the BL16 case: RD A@16, RD B@20 (tRCD), RD C 8 after A (24), RD D 8 after B and 4 after C (28).
    const { issued } = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0, 0) },
        { cycle: 0, address: addr(1, 0, 0, 0) },
        { cycle: 0, address: addr(0, 0, 0, 2) },
        { cycle: 0, address: addr(1, 0, 0, 2) },
      ],
      deep,
      bl32,
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'RD@16', 'RD@20', 'RD@24', 'RD@28']);
  });

  it('a precharge waits for the end of the burst window plus tRBTP', () => {
    // PRE ≥ max(35, RD + 6 + 4 = 26).
    const { issued } = lp5(
      [
        { cycle: 0, address: addr(0, 0, 0) },
        { cycle: 0, address: addr(0, 0, 1) },
      ],
      { PagePolicy: 'Closed' },
      bl32,
    );
    // Closed pages: RDA@16, its internal precharge at max(ACT + 1 + tRAS, RDA + 10) = 35; ACT ≥ RDA + 10 + tRPpb − 1 = 40, and tRCpb: 49.
    expect(timeline(issued)).toEqual(['ACT@0', 'RDA@16', 'ACT@49', 'RDA@65']);
  });
});

describe('LPDDR5 memspecs', () => {
  it('refuses bank modes and clocks it does not model, naming the key', () => {
    expect(() => variant({}, { nbrOfBanks: 8, nbrOfBankGroups: 1 })).toThrow(/memarchitecturespec\.nbrOfBanks: LPDDR5 is modelled in bank-group mode .* got 8 banks in 1 groups/);
    expect(() => variant({}, { per2BankOffset: 4 })).toThrow(/memarchitecturespec\.per2BankOffset: per-2-bank refresh pairs bank b with b \+ 8/);
    expect(() => variant({ WCK2CK: 3 })).toThrow(/memtimingspec\.WCK2CK: WCK runs 2 or 4 times as fast as CK, got 3/);
    expect(() => variant({ RCD_L: undefined, RCD_S: undefined })).toThrow(/memtimingspec\.RCD_L: missing/);
    expect(() => variant({ BL_n_S_16: 1 })).toThrow(/memtimingspec\.BL_n_S: .*shorter than a burst \(2 clocks\)/);
    expect(() => variant({ BL_n_min_32: undefined }, { burstLength: 32 })).toThrow(/memtimingspec\.BL_n_min_32: missing/);
  });

  it('has the VDD1, VDD2H and VDD2L rails', () => {
    expect(memspec.rails.map((r) => [r.name, r.voltage])).toEqual([['VDD1', 1.8], ['VDD2H', 1.05], ['VDD2L', 0.9]]);
  });

  it('charges a read (IDD4R − IDD3N)·tBURST and a per-2-bank refresh (IDD5PB_B − IDD3N)·tRFCpb, summed over the rails', () => {
    const read = lp5([{ cycle: 0, address: addr(0, 0, 0) }]).stats.energyByComponentPj.read;
    // VDD1 (2.25 − 2.25)·1.8 + VDD2H (550 − 30)·1.05 + VDD2L 0 = 546 mW over 2 cycles of 1.25 ns.
    expect(read).toBeCloseTo(546 * 2 * NS, 9);
    // IDD5PB_B = (IDD5PB·tREFIpb − IDD2N·(tREFIpb − tRFCpb)) / tRFCpb: VDD1 (2.5·390 − 2·278)/112,
    // VDD2H (30·390 − 27·278)/112; one refresh of the pair over tRFCpb = 112 cycles.
    const vdd1 = ((2.5 * 390 - 2 * 278) / 112 - 2.25) * 1.8;
    const vdd2h = ((30 * 390 - 27 * 278) / 112 - 30) * 1.05;
    const ref = lp5([{ cycle: 1000, address: addr(3, 3, 0) }], { RefreshPolicy: 'Per2Bank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }).stats;
    expect(ref.commands.REFP2B).toBe(2);
    expect(ref.energyByComponentPj.refresh).toBeCloseTo(2 * (vdd1 + vdd2h) * 112 * NS, 9);
  });
});

describe('LPDDR5 rules against Ramulator 2', () => {
  // Ramulator 2's LPDDR5 table (python/ramulator/dram/lpddr5.py, annotated with JESD209-5C tables),
  // evaluated at its LPDDR5_6400 preset (the values of lpddr5-6400): [preceding, following, level,
  // cycles]. Ramulator issues ACT-1 and ACT-2 as commands of one cycle; marl-dse's 2-cycle ACT starts
  // with ACT-1, so a row from ACT-2 is one cycle longer here and a row to ACT-2 one shorter.
  const RAMULATOR: Array<[string[], string[], 'Channel' | 'Rank' | 'Sibling' | 'BankGroup' | 'Bank', number]> = [
    [['RD', 'RDA'], ['RD', 'RDA'], 'Channel', 2],
    [['WR', 'WRA'], ['WR', 'WRA'], 'Channel', 2],
    [['RD', 'RDA'], ['RD', 'RDA'], 'Rank', 2],
    [['WR', 'WRA'], ['WR', 'WRA'], 'Rank', 2],
    [['RD', 'RDA'], ['WR', 'WRA'], 'Rank', 17 + 2 + 2 - 9],
    [['WR', 'WRA'], ['RD', 'RDA'], 'Rank', 9 + 2 + 5],
    [['RD', 'RDA'], ['RD', 'RDA', 'WR', 'WRA'], 'Sibling', 2 + 2],
    [['WR', 'WRA'], ['RD', 'RDA'], 'Sibling', 17 + 2 + 2 - 9],
    [['RD'], ['PREab'], 'Rank', 6],
    [['WR'], ['PREab'], 'Rank', 9 + 2 + 1 + 28],
    [['ACT2'], ['ACT2', 'REFpb'], 'Rank', 4],
    [['ACT2'], ['PREab'], 'Rank', 34],
    [['PREab'], ['ACT2'], 'Rank', 17],
    [['PREpb', 'PREab'], ['PREpb', 'PREab'], 'Rank', 2],
    [['ACT2'], ['REFab'], 'Rank', 34 + 17],
    [['PREpb'], ['REFab'], 'Rank', 15],
    [['PREab'], ['REFab', 'REFpb'], 'Rank', 17],
    [['RDA'], ['REFab'], 'Rank', 15 + 6],
    [['WRA'], ['REFab'], 'Rank', 9 + 2 + 1 + 28 + 15],
    [['REFab'], ['ACT2'], 'Rank', 224],
    [['REFab'], ['PREab', 'REFpb', 'REFab'], 'Rank', 224],
    [['REFpb'], ['REFpb'], 'Rank', 72],
    [['REFpb'], ['REFab'], 'Rank', 112],
    [['REFpb'], ['ACT2'], 'Rank', 6],
    [['RD', 'RDA'], ['RD', 'RDA'], 'BankGroup', 4],
    [['WR', 'WRA'], ['WR', 'WRA'], 'BankGroup', 4],
    [['RD', 'RDA'], ['WR', 'WRA'], 'BankGroup', 17 + 4 + 2 - 9],
    [['WR', 'WRA'], ['RD', 'RDA'], 'BankGroup', 9 + 4 + 10],
    [['ACT2'], ['ACT2'], 'BankGroup', 4],
    [['ACT2'], ['ACT2'], 'Bank', 49],
    [['ACT2'], ['RD', 'RDA', 'WR', 'WRA'], 'Bank', 15],
    [['ACT2'], ['PREpb'], 'Bank', 34],
    [['PREpb'], ['ACT2'], 'Bank', 15],
    [['RD'], ['PREpb'], 'Bank', 6],
    [['WR'], ['PREpb'], 'Bank', 9 + 2 + 1 + 28],
    [['RDA'], ['ACT2'], 'Bank', 6 + 15],
    [['WRA'], ['ACT2'], 'Bank', 9 + 2 + 1 + 28 + 15],
    [['REFpb'], ['ACT2'], 'Bank', 112],
    [['ACT2'], ['REFpb'], 'Bank', 49],
    [['PREpb'], ['REFpb'], 'Bank', 15],
    [['RDA'], ['REFpb'], 'Bank', 6 + 15],
    [['WRA'], ['REFpb'], 'Bank', 9 + 2 + 1 + 28 + 15],
  ];
  const NAMES: Record<string, string> = { ACT2: 'ACT', PREpb: 'PRE', PREab: 'PREA', REFab: 'REF', REFpb: 'REFP2B' };
  /**
   * Where marl-dse's rank-to-rank turnarounds keep the two ranks' data tRTRS apart on the shared bus
   * instead. Read then write: a write's data starts WL after it and the read's ends RL + tWCK2DQO +
   * BL/n_min after the read, so Ramulator's 4 would put both on the bus: RL + tWCK2DQO + BL/n_min +
   * tRTRS − WL = 13. Write then read: Ramulator's row is its read-to-write expression with RL and WL
   * swapped; the write's data ends WL + BL/n_min after it, the read's starts RL + tWCK2DQO after the
   * read, so WL + BL/n_min + tRTRS − RL = −4 suffices (the read may even come first).
   */
  const RANK_SWITCH: Record<string, number> = { 'RD>WR': 17 + 1 + 2 + 2 - 9, 'WR>RD': 9 + 2 + 2 - 17 };
  const family = (cmd: string): string => cmd.replace(/A$/, '');
  const rules = memspec.standard.constraints(memspec.timing);
  const broader: Record<string, string[]> = { bank: ['bank', 'bankGroup', 'rank'], bankGroup: ['bankGroup', 'rank'], rank: ['rank'], otherRanks: ['otherRanks'] };
  /** marl-dse's bound on `to` after `from` within `scope`: its own rows there and in every broader scope of the same rank. */
  const bound = (from: string, to: string, scope: string): number =>
    Math.max(-Infinity, ...rules.filter((r) => r.from.includes(from as never) && r.to.includes(to as never) && broader[scope].includes(r.scope)).map((r) => r.cycles));

  it('has every row of Ramulator 2\'s table with the same cycles, but for the rank-to-rank turnarounds', () => {
    for (const [pre, fol, level, n] of RAMULATOR) {
      for (const p of pre) {
        for (const f of fol) {
          const from = NAMES[p] ?? p, to = NAMES[f] ?? f;
          const cycles = n + (p === 'ACT2' ? 1 : 0) - (f === 'ACT2' ? 1 : 0);
          // One rank here: the channel's data-bus rows are the rank's (and the other ranks' below).
          const scope = level === 'Sibling' ? 'otherRanks' : level === 'Channel' || level === 'Rank' ? 'rank' : level === 'BankGroup' ? 'bankGroup' : 'bank';
          const rankSwitch = scope === 'otherRanks' ? RANK_SWITCH[`${family(from)}>${family(to)}`] : undefined;
          // The channel's data-bus rows hold within the rank's own, longer delays.
          const want = rankSwitch ?? (level === 'Channel' ? Math.max(cycles, bound(from, to, scope)) : cycles);
          expect(bound(from, to, scope), `${from} → ${to} (${scope})`).toBe(want);
        }
      }
    }
  });

  it('keeps two ranks\' bursts tRTRS apart on the data bus, whatever the order', () => {
    expect(bound('RD', 'RD', 'otherRanks')).toBe(2 + 2);
    expect(bound('WR', 'WR', 'otherRanks')).toBe(2 + 2);
  });
});
