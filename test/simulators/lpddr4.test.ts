/**
 * Golden cases for LPDDR4, computed by hand from the lpddr4-3200 memspec (DRAMSys's
 * JEDEC_8Gb_LPDDR4-3200_16bit, cycles of 0.625 ns) and DRAMSys's LPDDR4 rules (cycles between
 * command starts): tRCD 29, RL 28, WL 14, tDQSCK 6, tDQSS 1, tDQS2DQ 2, tBURST 8 (BL16), tCCD 8,
 * tRAS 68, tRPpb 29, tRPab 34, tRCpb 97, tRRD 16, tFAW 64, tRTP 12, tWR 29, tWTR 16, tWPRE 2,
 * tRPST 0, tRFCab 448, tRFCpb 224, tREFI 6246, tREFIpb 780, tXP 12, tCKE 12, tCMDCKE 3, tXSR 460,
 * tRTRS 1. Commands hold the command bus for ACT/RD/WR 4 cycles, PRE/REF/SREF 2, power-down 1.
 * A read's data ends RL + tDQSCK + 3 + tBURST = 45 cycles after it starts (DRAMSys's
 * getIntervalOnDataStrobe), a write's WL + tDQSS + tDQS2DQ + 3 + tBURST = 28.
 * The trace clock is the controller's (1600 MHz), so trace cycles are controller cycles.
 * The timing cases are also cases of the fidelity benchmark (`bench/fidelity.ts`, suite lpddr4,
 * "golden-lpddr4-…"), where DRAMSys issues the same commands at the same cycles.
 */
import { describe, expect, it } from 'vitest';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { parseAddressMapping } from '../../simulators/dram/address-mapping.js';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { run, timeline } from '../helpers.js';

const NS = 0.625;
const memspec = loadMemSpec('lpddr4-3200');
const device = { memspec, mapping: loadAddressMapping('lpddr4-3200'), clkMhz: 1600 };

/** Bank-row-column: bank bits 27-29, row 11-26, column 1-10 (16-bit beats; a burst is 16 columns). */
function addr(bank: number, row: number, burst = 0): number {
  return bank * 2 ** 27 + row * 2 ** 11 + burst * 32;
}

/** lpddr4-3200 with memtimingspec (or memarchitecturespec) values changed. */
function variant(timing: Record<string, number>, arch: Record<string, number> = {}) {
  const doc = structuredClone(memspec.json) as { memspec: { memtimingspec: Record<string, number>; memarchitecturespec: Record<string, number> } };
  Object.assign(doc.memspec.memtimingspec, timing);
  Object.assign(doc.memspec.memarchitecturespec, arch);
  return parseMemSpec(doc, 'variant.json');
}

const lp4 = (requests: Parameters<typeof run>[0], overrides: Record<string, unknown> = {}, dev: Parameters<typeof run>[2] = device) => run(requests, overrides, dev);

describe('LPDDR4 single requests', () => {
  it('an idle read: ACT, RD tRCD later, data RL + tDQSCK + 3 + tBURST after the RD', () => {
    const { stats, issued } = lp4([{ cycle: 0, address: addr(0, 0) }]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@29']);
    // 29 + 28 + 6 + 3 + 8 = 74 (DRAMSys: 46,250 ps).
    expect(stats.totalTimeNs).toBe(74 * NS);
  });

  it('a row hit waits tCCD after the previous read', () => {
    const { stats, issued } = lp4([
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@29', 'RD@37']);
    expect(stats.totalTimeNs).toBe((37 + 45) * NS);
  });

  it('a row conflict: PRE tRAS + 2 after the ACT, ACT tRPpb − 2 after the PRE (JEDEC measures both between last cycles)', () => {
    // PRE ≥ max(ACT + tRAS + 2 = 70, RD + tRTP + tBURST − 6 = 43); ACT ≥ max(PRE + 27, ACT + tRCpb) = 97.
    const { stats, issued } = lp4([
      { cycle: 0, address: addr(0, 0) },
      { cycle: 0, address: addr(0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@29', 'PRE@70', 'ACT@97', 'RD@126']);
    expect(stats.totalTimeNs).toBe((126 + 45) * NS);
    expect(stats.rowConflicts).toBe(1);
  });

  it('a write: data ends WL + tDQSS + tDQS2DQ + 3 + tBURST after the WR', () => {
    const { stats, issued } = lp4([{ cycle: 0, address: addr(0, 0), write: true }]);
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@29']);
    expect(stats.totalTimeNs).toBe((29 + 28) * NS);
  });
});

describe('LPDDR4 turnarounds', () => {
  it('write to read: WL + 1 + tBURST + tWTR = 39', () => {
    const { issued } = lp4([
      { cycle: 0, address: addr(0, 0, 0), write: true },
      { cycle: 0, address: addr(0, 0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@29', 'RD@68']);
  });

  it('read to write: RL + tDQSCK + tBURST − WL + tWPRE + tRPST = 30', () => {
    const { issued } = lp4([
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 1), write: true },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@29', 'WR@59']);
  });

  it('a write then a precharge: tWL + tBURST + 1 + tWR + 2 = 54', () => {
    // PRE ≥ max(ACT + 70, WR + 54 = 83); ACT ≥ PRE + 27.
    const { issued } = lp4([
      { cycle: 0, address: addr(0, 0), write: true },
      { cycle: 0, address: addr(0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@29', 'PRE@83', 'ACT@110', 'RD@139']);
  });
});

describe('LPDDR4 multi-cycle commands and the four-activate window', () => {
  const fiveBanks = [0, 1, 2, 3, 4].map((b) => ({ cycle: 0, address: addr(b, 0) }));
  const deep = { RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 16 };

  it('activates keep tRRD apart, and wait for the command bus while a read holds it', () => {
    // Requests reach the controller one a cycle. ACT b0@0, b1@16; RD b0@29 holds the bus until 33,
    // so ACT b2 (tRRD: 32) goes at 33, ACT b3 at 49; RD b1@45 and RD b2@62 (until 66): ACT b4, due
    // at 65 by tRRD and at 64 by tFAW (the first ACT ended at 4: 4 + 64 − 4), goes at 66.
    const acts = lp4(fiveBanks, deep).issued.filter((c) => c.cmd === 'ACT').map((c) => c.cycle);
    expect(acts).toEqual([0, 16, 33, 49, 66]);
  });

  it('the fifth activate ends at least tFAW after the first of the last four ended', () => {
    // tFAW 80: ACT b4 may end no earlier than 4 + 80, start no earlier than 80; RD b3 (78, until 82)
    // holds the bus then, so ACT b4 goes at 82.
    const acts = lp4(fiveBanks, deep, { ...device, memspec: variant({ FAW: 80 }) }).issued.filter((c) => c.cmd === 'ACT').map((c) => c.cycle);
    expect(acts).toEqual([0, 16, 33, 49, 82]);
  });

  it('an activate holds the command bus 4 cycles: with tRRD 1 the next waits for the bus', () => {
    // ACT b0@0 (bus until 4), ACT b1@4; RD b0@29 (bus until 33); RD b1 ready at 33, tCCD after 29: 37.
    const { issued } = lp4(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 0, address: addr(1, 0) },
      ],
      deep,
      { ...device, memspec: variant({ RRD: 1 }) },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'RD@29', 'RD@37']);
  });

  it('a per-bank refresh counts in the four-activate window', () => {
    // tFAW 80, PerBank: REFPB bank 0 at tREFIpb = 780 (bus until 782). Requests to banks 1-4 arrive
    // at 780-783: ACT b1 ≥ REFPB + tRRD − 2 = 794, ACT b2@810, RD b1@823 (until 827), ACT b3@827,
    // RD b2@839, RD b3@856 (until 860). ACT b4: tRRD allows 843, but the window [REFPB, b1, b2, b3]
    // opened when the REFPB ended (782), so it may end no earlier than 782 + 80: start at 858, after
    // RD b3 860. Without the REFPB in the window only three activates precede it: 843.
    const reqs = [1, 2, 3, 4].map((b) => ({ cycle: 780, address: addr(b, 0) }));
    const { issued } = lp4(reqs, { ...deep, RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }, { ...device, memspec: variant({ FAW: 80 }) });
    expect(timeline(issued).slice(0, 8)).toEqual(['REFPB@780', 'ACT@794', 'ACT@810', 'RD@823', 'ACT@827', 'RD@839', 'RD@856', 'ACT@860']);
  });
});

describe('LPDDR4 refresh', () => {
  it('AllBank: REF every tREFI; an activate waits tRFCab − 2', () => {
    const { issued } = lp4([{ cycle: 6246, address: addr(3, 5) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
    expect(timeline(issued)).toEqual(['REF@6246', 'ACT@6692', 'RD@6721']);
  });

  it('AllBank closes an open row with PREA first: REF tRPab after it', () => {
    const { issued } = lp4(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 6246, address: addr(0, 0, 1) },
      ],
      { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 },
    );
    // PREA@6246, REF ≥ 6246 + 34 = 6280, ACT ≥ 6280 + 446 = 6726.
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@29', 'PREA@6246', 'REF@6280', 'ACT@6726', 'RD@6755']);
  });

  it('PerBank: REFPB on one bank every tREFIpb; that bank waits tRFCpb − 2, another only tRRD − 2', () => {
    // REFPB bank 0 at 780. Bank 0's request: ACT ≥ 780 + 222 = 1002. Bank 1's: ACT ≥ 780 + 14 = 794.
    const { issued } = lp4(
      [
        { cycle: 780, address: addr(0, 0) },
        { cycle: 780, address: addr(1, 0) },
      ],
      { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0, RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 8 },
    );
    expect(timeline(issued)).toEqual(['REFPB@780', 'ACT@794', 'RD@823', 'ACT@1002', 'RD@1031']);
  });

  it('PerBank refreshes every bank once per round, tRFCpb apart when pulled in', () => {
    // With nothing to do the manager pulls in refreshes: REFPB → REFPB on the rank waits tRFCpb.
    const { issued } = lp4([{ cycle: 3000, address: addr(7, 0) }], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 });
    const refs = issued.filter((c) => c.cmd === 'REFPB').slice(0, 9);
    expect(refs.map((c) => c.cycle)).toEqual([780, 1004, 1228, 1452, 1676, 1900, 2124, 2348, 2572]);
    expect(refs.map((c) => c.bank)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0]);
  });

  it('refuses the refresh policies LPDDR4 does not have', () => {
    expect(() => lp4([{ cycle: 0, address: 0 }], { RefreshPolicy: 'Per2Bank' })).toThrow(/RefreshPolicy Per2Bank: .*LPDDR4.* has NoRefresh, AllBank, PerBank/);
  });
});

describe('LPDDR4 power-down and self-refresh', () => {
  it('Staggered: precharged power-down from the start; a request wakes the rank (tXP); active power-down after the read', () => {
    // PDEP@0; the request at 100: PDXP@100, ACT ≥ 100 + tXP = 112, RD@141; then the rank idles with
    // the row open: PDEA ≥ RD + 3 + RL + tDQSCK + tBURST + tRPST = 186.
    const { issued } = lp4([{ cycle: 100, address: addr(0, 0) }], { PowerDownPolicy: 'Staggered' });
    expect(timeline(issued)).toEqual(['PDEP@0', 'PDXP@100', 'ACT@112', 'RD@141', 'PDEA@186']);
  });

  it('a refresh falling due in precharged power-down wakes the rank into self-refresh; leaving it costs tXSR and one REF', () => {
    // PDEP@0; REF due at 6246: PDXP@6246, SREFEN ≥ PDXP + tXP = 6258. The request at 8000: SREFEX@8000,
    // REF ≥ SREFEX + tXSR = 8460, ACT ≥ REF + tRFCab − 2 = 8906, RD@8935.
    const { issued } = lp4([{ cycle: 8000, address: addr(0, 0) }], { PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
    expect(timeline(issued).slice(0, 8)).toEqual(['PDEP@0', 'PDXP@6246', 'SREFEN@6258', 'SREFEX@8000', 'REF@8460', 'ACT@8906', 'RD@8935', 'PDEA@8980']);
  });
});

describe('LPDDR4 with two ranks', () => {
  const spec = variant({}, { nbrOfRanks: 2 });
  const bits = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const mapping = parseAddressMapping(
    { addressmapping: { BYTE_BIT: [0], COLUMN_BIT: bits(1, 10), ROW_BIT: bits(11, 26), BANK_BIT: bits(27, 29), RANK_BIT: [30] } },
    'two-ranks.json',
  );
  const twoRanks = { memspec: spec, mapping, clkMhz: 1600 };
  const deep = { RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 16 };

  it('reads on different ranks keep tBURST + tRTRS apart (tCCD on one rank)', () => {
    // ACT r0@0, ACT r1@4 (bus; tRRD is per rank), RD r0@29, RD r1 ≥ max(4 + 29, 29 + 9) = 38.
    const { issued } = lp4(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 0, address: 2 ** 30 + addr(0, 0) },
      ],
      deep,
      twoRanks,
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'RD@29', 'RD@38']);
  });

  it('a read after a write on another rank needs only the bus (tWL + tBURST + tRTRS − RL < 0)', () => {
    // WR r0@29; RD r1 ready at 33 (tRCD from ACT@4) and after the WR's 4 bus cycles: 33.
    const { issued } = lp4(
      [
        { cycle: 0, address: addr(0, 0), write: true },
        { cycle: 0, address: 2 ** 30 + addr(0, 0) },
      ],
      deep,
      twoRanks,
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'WR@29', 'RD@33']);
  });
});

describe('LPDDR4 with two ranks, where marl-dse differs from DRAMSys on purpose', () => {
  it('a write after a read on another rank waits until the read\'s data has left the bus', () => {
    // The read's data ends RL + tDQSCK + 3 + tBURST = 45 after it; the write's starts WL + tDQSS +
    // tDQS2DQ + 3 = 20 after it: WR ≥ RD + 45 + tRTRS − 20 = RD + 26. DRAMSys's tRDWR_R
    // (RL + tBURST + tRTRS − WL = 23) leaves out tDQSCK, tDQSS and tDQS2DQ: its write's data would
    // start 2 cycles before the read's ends. ACT r0@0, ACT r1@4, RD r0@29, WR r1@55 (DRAMSys: 52).
    const spec = variant({}, { nbrOfRanks: 2 });
    const bits = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    const mapping = parseAddressMapping(
      { addressmapping: { BYTE_BIT: [0], COLUMN_BIT: bits(1, 10), ROW_BIT: bits(11, 26), BANK_BIT: bits(27, 29), RANK_BIT: [30] } },
      'two-ranks.json',
    );
    const { issued } = lp4(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 0, address: 2 ** 30 + addr(0, 0), write: true },
      ],
      { RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 16 },
      { memspec: spec, mapping, clkMhz: 1600 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@4', 'RD@29', 'WR@55']);
  });
});

describe('LPDDR4 memspecs', () => {
  it('reads DRAMSys 2021 spellings (REFIPB, RFCAB, …, mA currents, clkMhz) and current ones alike', () => {
    const old = structuredClone(memspec.json) as { memspec: Record<string, Record<string, number>> };
    const t = old.memspec.memtimingspec;
    for (const [now, was] of [['REFIpb', 'REFIPB'], ['RFCab', 'RFCAB'], ['RFCpb', 'RFCPB'], ['RPab', 'RPAB'], ['RPpb', 'RPPB'], ['RCab', 'RCAB'], ['RCpb', 'RCPB']]) {
      t[was] = t[now];
      delete t[now];
    }
    delete t.tCK;
    t.clkMhz = 1600;
    const p = old.memspec.mempowerspec;
    for (const k of Object.keys(p)) if (k.startsWith('i')) p[k] *= 1000;
    for (const [now, was] of [['vdd1', 'vdd'], ['idd01', 'idd0'], ['idd2n1', 'idd2n'], ['idd3n1', 'idd3n'], ['idd4r1', 'idd4r'], ['idd4w1', 'idd4w'], ['idd51', 'idd5'], ['idd5pb1', 'idd5b'], ['idd2p1', 'idd2p'], ['idd3p1', 'idd3p'], ['idd61', 'idd6']]) {
      p[was] = p[now];
      delete p[now];
    }
    const spec = parseMemSpec(old, 'old.json');
    expect(spec.timing).toEqual(memspec.timing);
    expect(spec.rails).toEqual(memspec.rails);
  });

  it('refuses a key given in both spellings, and inconsistent timings, naming the key', () => {
    expect(() => variant({ REFIPB: 780 })).toThrow(/variant\.json: memspec\.memtimingspec\.REFIPB: given twice \(also as REFIpb\)/);
    expect(() => variant({ RCpb: 90 })).toThrow(/memtimingspec\.RCpb: RCpb \(90\) is less than RAS \+ RPpb \(97\)/);
    expect(() => variant({ CCD: 4 })).toThrow(/memtimingspec\.CCD: .*shorter than a burst \(8 cycles\)/);
    expect(() => variant({}, { burstLength: 8 })).toThrow(/burstLength: LPDDR4 bursts are 16 or 32 long, got 8/);
  });

  it('has the VDD1 and VDD2 rails; the per-bank refresh current is DRAMPower\'s, from IDD5PB', () => {
    expect(memspec.rails.map((r) => [r.name, r.voltage])).toEqual([['VDD1', 1.8], ['VDD2', 1.1]]);
    // VDD2: (IDD5PB·tREFIpb − IDD2N·(tREFIpb − tRFCpb)) / tRFCpb = (30·780 − 27·556) / 224 mA.
    expect(memspec.rails[1].currents.idd5pb).toBeCloseTo((30 * 780 - 27 * 556) / 224, 12);
  });

  it('charges a read (IDD4R − IDD3N)·tBURST and a per-bank refresh (IDD5PB_B − IDD3N)·tRFCpb on both rails', () => {
    const read = lp4([{ cycle: 0, address: addr(0, 0) }]).stats.energyByComponentPj.read;
    // VDD1 (2.25 − 2.25)·1.8 + VDD2 (275 − 30)·1.1 = 269.5 mW over 8 cycles of 0.625 ns.
    expect(read).toBeCloseTo(269.5 * 8 * NS, 9);
    const ref = lp4([{ cycle: 1000, address: addr(7, 0) }], { RefreshPolicy: 'PerBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }).stats;
    const perRefresh = memspec.rails.reduce((s, r) => s + (r.currents.idd5pb! - r.currents.idd3n) * r.voltage, 0) * 224 * NS;
    expect(ref.commands.REFPB).toBe(1);
    expect(ref.energyByComponentPj.refresh).toBeCloseTo(perRefresh, 9);
  });
});
