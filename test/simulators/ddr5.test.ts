/**
 * Golden cases for DDR5, computed by hand from the ddr5-4800 preset (JEDEC DDR5-4800AN, 16 Gb x8;
 * tCK 0.416 ns): tRCD 34, RL 34, WL 32, tBURST 8 (BL16), tCCD_S 8, tCCD_L 12, tCCD_S_WR 8,
 * tCCD_L_WR2 24, tRRD_S 8, tRRD_L 12, tFAW 32, tRAS 77, tRP 34, tRC 111, tRTP 18, tWR 72, tWTR_S 6,
 * tWTR_L 24, tWPRE 2, tPPD 2, tRFC1 708, tREFI1 9375, tRFC2 384, tREFI2 4687, tRFCsb 312, tREFISB 1171,
 * tREFSBRD 72, tXP 18, tPD 18, tRTRS 2.
 *
 * ACT, RD, RDA, WR and WRA hold the command bus two cycles; the JEDEC values count between the
 * commands' last cycles, so from a two-cycle command to a one-cycle one the engine adds a cycle
 * (ACT→PRE: tRAS + 1 = 78) and the other way takes one off (PRE→ACT: tRP − 1 = 33); data follows
 * RL after a read's second cycle (a read at c returns data c + 35 … c + 43).
 *
 * Default controller (Open, Fifo, Bankwise 1, Simple arbiter); trace clock 800 MHz, so trace cycle
 * c reaches the controller at ⌈c · 1250 / 416⌉. The default mapping interleaves 64-byte bursts over
 * the two sub-channels (address bit 6) and then the eight bank groups (bits 7-9).
 */
import { describe, expect, it } from 'vitest';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { AddressDecoder, type DecodedAddress } from '../../simulators/dram/address-mapping.js';
import { simulateWithCommands } from '../../simulators/dram/simulate.js';
import { Cmd, COMMAND_NAMES } from '../../simulators/dram/commands.js';
import { CommandLog } from '../../simulators/dram/controller/command-log.js';
import { checkProtocol } from '../../simulators/dram/checker.js';
import { makeTrace } from '../../simulators/trace.js';
import { config, run, timeline } from '../helpers.js';

const ddr5 = loadMemSpec('ddr5-4800');
const mapping = loadAddressMapping('ddr5-4800');
const device = { memspec: ddr5, mapping };
const CK = 0.416;

/** A byte address on the ddr5-4800 mapping; `burst` counts 64-byte bursts within the row (0-63). */
function addr(o: { channel?: number; group?: number; bank?: number; row?: number; burst?: number }): number {
  return (o.row ?? 0) * 2 ** 18 + (o.bank ?? 0) * 2 ** 16 + (o.burst ?? 0) * 2 ** 10 + (o.group ?? 0) * 2 ** 7 + (o.channel ?? 0) * 2 ** 6;
}

function ddr5Run(requests: Array<{ cycle: number; address: number; write?: boolean }>, overrides: Record<string, unknown> = {}, dev = device) {
  return run(requests, overrides, dev);
}

/** ddr5-4800 with some memtimingspec or memarchitecturespec values changed. */
function variant(edit: (m: { memarchitecturespec: Record<string, unknown>; memtimingspec: Record<string, unknown> }) => void) {
  const doc = JSON.parse(JSON.stringify(ddr5.json));
  edit(doc.memspec);
  return { memspec: parseMemSpec(doc, 'variant.json'), mapping };
}

describe('DDR5 preset and mapping', () => {
  it('is a 16 GiB DIMM of two 32-bit sub-channels with 64-byte bursts', () => {
    expect(ddr5.channels).toBe(2);
    expect(ddr5.bankGroups).toBe(8);
    expect(ddr5.banksPerGroup).toBe(4);
    expect(ddr5.bytesPerBurst).toBe(64);
    expect(ddr5.capacityBytes).toBe(16 * 2 ** 30);
    expect(ddr5.rails.map((r) => r.name)).toEqual(['VDD', 'VPP']);
  });

  it('decodes sub-channel, bank group, bank, row and column', () => {
    const d = new AddressDecoder(mapping, ddr5);
    const out: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
    d.decode(addr({ channel: 1, group: 5, bank: 3, row: 40_000, burst: 9 }), out);
    // Bank numbers count across the rank: group 5, bank 3 is bank 5·4 + 3; columns count beats (16 per burst).
    expect(out).toEqual({ channel: 1, rank: 0, bankGroup: 5, bank: 23, row: 40_000, column: 144 });
    // Consecutive 64-byte bursts alternate sub-channels, then walk the bank groups.
    d.decode(64, out);
    expect([out.channel, out.bankGroup]).toEqual([1, 0]);
    d.decode(128, out);
    expect([out.channel, out.bankGroup]).toEqual([0, 1]);
  });
});

describe('single requests', () => {
  it('an idle read takes tRCD + 1 + RL + tBURST', () => {
    const { stats, issued } = ddr5Run([{ cycle: 0, address: addr({}) }]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34']);
    // Data on the bus 69-77.
    expect(stats.totalTimeNs).toBeCloseTo(77 * CK, 9);
    expect(stats.rowMisses).toBe(1);
  });

  it('a row hit follows tCCD_L after the first read (same bank, so same bank group)', () => {
    // The second request enters when the first's RD frees the bank's one buffer place (34).
    const { stats, issued } = ddr5Run([
      { cycle: 0, address: addr({ burst: 0 }) },
      { cycle: 0, address: addr({ burst: 1 }) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34', 'RD@46']);
    expect(stats.totalTimeNs).toBeCloseTo((46 + 43) * CK, 9);
    expect(stats.rowHits).toBe(1);
  });

  it('a row conflict precharges tRAS after the activate and activates tRP later (= tRC)', () => {
    // PRE: ACT + tRAS + 1 = 78 (RD + tRTP + 1 = 53 is earlier); ACT: PRE + tRP − 1 = 111 = ACT + tRC.
    const { stats, issued } = ddr5Run([
      { cycle: 0, address: addr({ row: 0 }) },
      { cycle: 0, address: addr({ row: 1 }) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34', 'PRE@78', 'ACT@111', 'RD@145']);
    expect(stats.totalTimeNs).toBeCloseTo((145 + 43) * CK, 9);
    expect(stats.rowConflicts).toBe(1);
  });

  it('a closed-page read: RDA, and the next activate tRTP + tRP after it', () => {
    const { issued } = ddr5Run(
      [
        { cycle: 0, address: addr({ row: 0 }) },
        { cycle: 0, address: addr({ row: 1 }) },
      ],
      { PagePolicy: 'Closed' },
    );
    // RDA@34; ACT: RDA + tRTP + tRP = 86, but also ACT + tRC = 111.
    expect(timeline(issued)).toEqual(['ACT@0', 'RDA@34', 'ACT@111', 'RDA@145']);
  });
});

describe('activates and bank groups', () => {
  const two = (second: { group?: number; bank?: number }) => [
    { cycle: 0, address: addr({}) },
    { cycle: 0, address: addr(second) },
  ];

  it('activates to different bank groups keep tRRD_S, reads tCCD_S', () => {
    // ACT@0, ACT@8; RD@34; the second RD at ACT + tRCD = 42 = RD + tCCD_S.
    const { issued } = ddr5Run(two({ group: 1 }), { RequestBufferSize: 4 });
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@8', 'RD@34', 'RD@42']);
  });

  it('activates within one bank group keep tRRD_L, reads tCCD_L', () => {
    const { issued } = ddr5Run(two({ bank: 1 }), { RequestBufferSize: 4 });
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@12', 'RD@34', 'RD@46']);
  });

  it('five activates to five bank groups: the fifth waits for tFAW', () => {
    const five = [0, 1, 2, 3, 4].map((g) => ({ cycle: 0, address: addr({ group: g }) }));
    // tFAW 32 = 4 · tRRD_S: at 4800 the window never binds (ACTs at 0, 8, 16, 24, 32) ...
    const acts = (r: ReturnType<typeof ddr5Run>) => timeline(r.issued).filter((s) => s.startsWith('ACT'));
    expect(acts(ddr5Run(five, { RequestBufferSize: 4 }))).toEqual(['ACT@0', 'ACT@8', 'ACT@16', 'ACT@24', 'ACT@32']);
    // ... with a 40-cycle window the fifth goes 40 after the first.
    const wide = variant((m) => (m.memtimingspec.FAW_slr = 40));
    expect(acts(ddr5Run(five, { RequestBufferSize: 4 }, wide))).toEqual(['ACT@0', 'ACT@8', 'ACT@16', 'ACT@24', 'ACT@40']);
  });
});

describe('read/write turnarounds', () => {
  it('a read after a write in the same bank group waits WL + tBURST + tWTR_L', () => {
    const { issued } = ddr5Run([
      { cycle: 0, address: addr({ burst: 0 }), write: true },
      { cycle: 0, address: addr({ burst: 1 }) },
    ]);
    // WR@34; RD at 34 + 32 + 8 + 24 = 98.
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@34', 'RD@98']);
  });

  it('a read after a write to another bank group waits only WL + tBURST + tWTR_S', () => {
    const { issued } = ddr5Run(
      [
        { cycle: 0, address: addr({}), write: true },
        { cycle: 0, address: addr({ group: 1 }) },
      ],
      { RequestBufferSize: 4 },
    );
    // ACT@0, ACT@8, WR@34; RD at 34 + 32 + 8 + 6 = 80.
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@8', 'WR@34', 'RD@80']);
  });

  it('a write after a read waits RL + tBURST + 2 − WL + tWPRE', () => {
    const { issued } = ddr5Run([
      { cycle: 0, address: addr({ burst: 0 }) },
      { cycle: 0, address: addr({ burst: 1 }), write: true },
    ]);
    // RD@34; WR at 34 + 34 + 8 + 2 − 32 + 2 = 48.
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34', 'WR@48']);
  });

  it('writes in one bank group keep tCCD_L_WR2, in different ones tCCD_S_WR', () => {
    const writes = (second: { group?: number; burst?: number }) => [
      { cycle: 0, address: addr({}), write: true },
      { cycle: 0, address: addr(second), write: true },
    ];
    expect(timeline(ddr5Run(writes({ burst: 1 })).issued)).toEqual(['ACT@0', 'WR@34', 'WR@58']);
    expect(timeline(ddr5Run(writes({ group: 1 }), { RequestBufferSize: 4 }).issued)).toEqual(['ACT@0', 'ACT@8', 'WR@34', 'WR@42']);
  });
});

describe('all-bank refresh (REFab)', () => {
  it('normal refresh: a REF every tREFI1 blocks the rank for tRFC1', () => {
    // Trace cycle 3120 reaches the controller at 3120 · 1250 / 416 = 9375 = tREFI1, with the refresh.
    const { stats, issued } = ddr5Run([{ cycle: 3120, address: addr({ group: 3 }) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
    // ACT at REF + tRFC1 − 1 = 10082, RD at 10116, data done at 10159.
    expect(timeline(issued)).toEqual(['REF@9375', 'ACT@10082', 'RD@10116']);
    expect(stats.avgLatencyNs).toBeCloseTo((10159 - 9375) * CK, 9);
  });

  it('closes an open row with PREA, then refreshes tRP later', () => {
    const { issued } = ddr5Run(
      [
        { cycle: 0, address: addr({}) },
        { cycle: 3120, address: addr({ burst: 1 }) },
      ],
      { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34', 'PREA@9375', 'REF@9409', 'ACT@10116', 'RD@10150']);
  });

  it('fine-granularity refresh (RefMode 2): a REF every tREFI2 for tRFC2', () => {
    const fgr = variant((m) => (m.memarchitecturespec.RefMode = 2));
    expect(fgr.memspec.timing).toMatchObject({ REFI: 4687, RFC: 384 });
    // Trace cycle 1560 arrives at ⌈4687.5⌉ = 4688, after the REF at 4687; ACT at 4687 + 384 − 1.
    const { issued } = ddr5Run([{ cycle: 1560, address: addr({}) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 }, fgr);
    expect(timeline(issued)).toEqual(['REF@4687', 'ACT@5070', 'RD@5104']);
  });
});

describe('same-bank refresh (REFsb, RefreshPolicy SameBank)', () => {
  // Sets in refresh order: bank 0 of every bank group (banks 0, 4, …, 28), then bank 1, 2, 3.
  it('refreshes bank b of every bank group; that bank waits tRFCsb, the others only tREFSBRD', () => {
    // Both requests arrive after the first REFsb (at tREFISB = 1171) has started on the bank-0 set.
    const { issued } = ddr5Run(
      [
        { cycle: 390, address: addr({ group: 2, bank: 0 }) },
        { cycle: 390, address: addr({ group: 2, bank: 1 }) },
      ],
      { RefreshPolicy: 'SameBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0, RequestBufferSize: 4 },
    );
    // Bank 1: ACT at REFsb + tREFSBRD − 1 = 1242. Bank 0 (group 2, refreshed): REFsb + tRFCsb − 1 = 1482.
    expect(timeline(issued)).toEqual(['REFSB@1171', 'ACT@1242', 'RD@1276', 'ACT@1482', 'RD@1516']);
    expect(issued[0].bank).toBe(0);
  });

  it('skips a set with waiting requests, and closes an open set with PREsb first', () => {
    // r0 opens bank 0 (group 0) and is served by 77. At 1171 the bank-0 set is idle but open: PREsb,
    // then REFsb tRP later (1205). While the rank idles, up to RefreshMaxPulledin × 4 sets more are
    // pulled in (DRAMSys counts same-bank refreshes per set): the bank-1, 2 and 3 sets tREFSBRD apart
    // (1277, 1349, 1421), then, a new round, the bank-0 set tRFCsb after its last (1205 + 312 = 1517).
    // r1 (trace 600 → 1803) then activates bank 2 (group 0).
    const { issued } = ddr5Run(
      [
        { cycle: 0, address: addr({}) },
        { cycle: 600, address: addr({ bank: 2 }) },
      ],
      { RefreshPolicy: 'SameBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 1 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@34', 'PRESB@1171', 'REFSB@1205', 'REFSB@1277', 'REFSB@1349', 'REFSB@1421', 'REFSB@1517', 'ACT@1803', 'RD@1837']);
    expect(issued.filter((c) => c.cmd === 'REFSB').map((c) => c.bank)).toEqual([0, 1, 2, 3, 0]);
  });

  it('refreshes the first idle set when the due one has waiting requests', () => {
    // r0 reaches bank 0 at 1169 and activates it; at 1171 the bank-0 set has a waiting request, so
    // the bank-1 set is refreshed, on the bus right after the two-cycle ACT; r0 reads at 1203.
    const { issued } = ddr5Run([{ cycle: 389, address: addr({}) }], { RefreshPolicy: 'SameBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    expect(timeline(issued)).toEqual(['ACT@1169', 'REFSB@1171', 'RD@1203']);
    expect(issued[1].bank).toBe(1);
  });

  it('is the only partial refresh DDR5 has', () => {
    expect(() => ddr5Run([{ cycle: 0, address: addr({}) }], { RefreshPolicy: 'PerBank' })).toThrow(
      'mcconfig RefreshPolicy PerBank: memspec JEDEC_16Gb_DDR5-4800AN_8bit (DDR5) has no such refresh; it has NoRefresh, AllBank, SameBank',
    );
  });
});

describe('power-down', () => {
  it('an idle rank sleeps in precharged power-down; a request wakes it (tXP), and it sleeps again with the row open', () => {
    // PDEP@0; r0 arrives at ⌈100 · 1250 / 416⌉ = 301: PDXP@301, ACT at PDXP + tXP − 1 = 318, RD@352;
    // active power-down once the read's data is out: RD + RL + tBURST + 1 + 1 = 396.
    const { issued } = ddr5Run(
      [
        { cycle: 100, address: addr({}) },
        { cycle: 200, address: addr({ burst: 1 }) },
      ],
      { PowerDownPolicy: 'Staggered' },
    );
    // r1 arrives at ⌈200 · 1250 / 416⌉ = 601: PDXA@601, RD at PDXA + tXP − 1 = 618.
    expect(timeline(issued)).toEqual(['PDEP@0', 'PDXP@301', 'ACT@318', 'RD@352', 'PDEA@396', 'PDXA@601', 'RD@618']);
  });
});

describe('self-refresh', () => {
  it('a rank idle in precharged power-down when a refresh falls due enters self-refresh; leaving it costs tXS and a REF', () => {
    // Closed pages. PDEP@0; r0 wakes it at PDEP + tPD = 18, ACT at 18 + tXP − 1 = 35, RDA@69; PDEP
    // again at RDA + RL + tBURST + 1 + 1 = 113. The REF due at tREFI1 = 9375 wakes the idle rank,
    // which enters self-refresh tXP after the exit (9393). r1 arrives at ⌈20000 · 1250 / 416⌉ = 60097:
    // SREFEX, then the exit's REF tXS (= tRFC1, 708) later, ACT at REF + tRFC1 − 1 = 61512.
    const { issued, stats } = ddr5Run(
      [
        { cycle: 0, address: addr({}) },
        { cycle: 20_000, address: addr({ row: 1 }) },
      ],
      { PagePolicy: 'Closed', PowerDownPolicy: 'Staggered', RefreshPolicy: 'AllBank' },
    );
    expect(timeline(issued)).toEqual([
      'PDEP@0', 'PDXP@18', 'ACT@35', 'RDA@69', 'PDEP@113', 'PDXP@9375', 'SREFEN@9393', 'SREFEX@60097', 'REF@60805', 'ACT@61512', 'RDA@61546',
    ]);
    expect(stats.channels[0].commands.SREFEN).toBe(1);
  });
});

describe('two sub-channels', () => {
  it('work in parallel, each with its own command bus and banks', () => {
    // Four reads alternating sub-channels, all to group 0 bank 0 row 0 of their sub-channel.
    const reqs = [0, 1, 2, 3].map((i) => ({ cycle: 0, address: addr({ channel: i % 2, burst: i >> 1 }) }));
    const cfg = config({ RequestBufferSize: 4, Arbiter: 'Fifo', MaxActiveTransactions: 16 });
    const { stats, channelCommands } = simulateWithCommands(makeTrace('two', reqs), ddr5, mapping, cfg, { clkMhz: 800 });
    const lines = channelCommands.map((log) => Array.from({ length: log.length }, (_, i) => `${COMMAND_NAMES[log.cmd[i]]}@${log.time[i]}`));
    // The player sends one request per 1.25 ns edge: r0-r3 arrive at 0, 4, 7 and 10. Each sub-channel
    // activates as its request arrives and reads twice, tCCD_L apart; neither waits for the other
    // (on one sub-channel the second ACT would wait for tRRD_S, 8, and the reads 4 apart for tCCD_S).
    expect(lines[0]).toEqual(['ACT@0', 'RD@34', 'RD@46']);
    expect(lines[1]).toEqual(['ACT@4', 'RD@38', 'RD@50']);
    expect(stats.channels.map((c) => c.reads)).toEqual([2, 2]);
    expect(stats.reads).toBe(4);
    expect(stats.totalTimeNs).toBeCloseTo((50 + 43) * CK, 9);
  });
});

describe('request order per sub-channel', () => {
  // Each controller orders its own requests (DRAMSys's channel payload IDs): Strict issues column
  // commands, and a Reorder response queue returns responses, in that order. Counted across the
  // memory instead, sub-channel 1 would wait for request 0, which never reaches it.
  const reqs = [0, 1, 2, 3, 4, 5].map((i) => ({ cycle: 0, address: addr({ channel: i % 2, row: i >> 1 }) }));
  for (const over of [{ CmdMux: 'Strict' }, { RespQueue: 'Reorder' }, { Arbiter: 'Reorder', MaxActiveTransactions: 8 }]) {
    it(`${JSON.stringify(over)} serves both sub-channels`, () => {
      const { stats } = ddr5Run(reqs, { RequestBufferSize: 4, ...over });
      expect(stats.channels.map((c) => c.reads)).toEqual([3, 3]);
    });
  }
});

describe('protocol checker on DDR5 logs', () => {
  const log = (cmds: Array<[number, number, number, number]>): CommandLog => {
    const l = new CommandLog();
    for (const [time, cmd, bank, row] of cmds) l.push(time, cmd, 0, Math.floor(bank / 4), bank, row, -1);
    return l;
  };
  const rules = (l: CommandLog) => checkProtocol(l, ddr5).violations.map((v) => v.rule);

  it('flags a command in the second cycle of a two-cycle ACT', () => {
    // ACT to bank 0 holds the bus at 0 and 1; an ACT to bank 4 (group 1) at 1 breaks it, and tRRD_S.
    expect(rules(log([[0, Cmd.ACT, 0, 0], [1, Cmd.ACT, 4, 0]]))).toEqual(['command bus', 'tRRD_S']);
    expect(rules(log([[0, Cmd.ACT, 0, 0], [8, Cmd.ACT, 4, 0]]))).toEqual([]);
  });

  it('checks a same-bank refresh against the precharge and activate of every bank it covers', () => {
    // ACT@0, RD@34, PREsb@78 (tRAS + 1); REFsb on the bank-0 set at PREsb + tRP = 112 = ACT + tRC + 1.
    const base: Array<[number, number, number, number]> = [[0, Cmd.ACT, 8, 0], [34, Cmd.RD, 8, 0], [78, Cmd.PRESB, 0, -1]];
    expect(rules(log([...base, [112, Cmd.REFSB, 0, -1]]))).toEqual([]);
    expect(rules(log([...base, [111, Cmd.REFSB, 0, -1]]))).toEqual(['tRC', 'tRP']);
    // A REFsb while one of its banks (bank 8, in group 2) is open.
    expect(rules(log([[0, Cmd.ACT, 8, 0], [200, Cmd.REFSB, 0, -1]]))).toEqual(['bank state']);
  });
});

describe('energy (VDD and VPP, per device, 4 devices per sub-channel)', () => {
  // mA · V summed over the rails: VDD 1.1 V, VPP 1.8 V; DRAMPower's clock period 0.416 ns.
  const railMw = (vdd: number, vpp: number) => (vdd * 1.1 + vpp * 1.8) * 4;
  const E_ACT = railMw(60 - 55, 3 - 3) * 77 * CK; // (IDD0 − IDD3N)·tRAS
  const E_RD = railMw(145 - 55, 3 - 3) * 8 * CK; // (IDD4R − IDD3N)·tBURST
  const P_ACT = railMw(55, 3); // active standby, IDD3N / IPP3N
  const P_PRE = railMw(50, 3); // precharged standby, IDD2N / IPP2N

  it('one read: activate, read, and active standby until its data is out', () => {
    const { stats } = ddr5Run([{ cycle: 0, address: addr({}) }]);
    const e = stats.energyByComponentPj;
    expect(e.activate).toBeCloseTo(E_ACT, 6);
    expect(e.read).toBeCloseTo(E_RD, 6);
    // The window ends with the read's data: RD@34 + 1 + RL + tBURST − 1 = 76. The idle sub-channel
    // issued nothing and adds nothing.
    expect(e.activeStandby).toBeCloseTo(76 * CK * P_ACT, 6);
    expect(stats.energyWindowNs).toBeCloseTo(76 * CK, 9);
    expect(stats.channels[1].energyPj).toBe(0);
    expect(stats.energyPj).toBeCloseTo(E_ACT + E_RD + 76 * CK * P_ACT, 6);
  });

  it('all-bank refresh: IDD5B over tRFC1, the rank active for the whole tRFC1', () => {
    // Both sub-channels refresh at 9375 and 18750; r0 reaches sub-channel 0 at ⌈7000 · 1250 / 416⌉ =
    // 21034: ACT, RD@21068, whose data ends the window at 21110.
    const { stats } = ddr5Run([{ cycle: 7000, address: addr({}) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    const E_REF = railMw(362 - 55, 48 - 3) * 708 * CK;
    expect(stats.channels.map((c) => c.commands.REF)).toEqual([2, 2]);
    expect(stats.energyByComponentPj.refresh).toBeCloseTo(4 * E_REF, 4);
    const active = 2 * 708 + 76;
    expect(stats.channels[0].energyPj).toBeCloseTo(E_ACT + E_RD + 2 * E_REF + active * CK * P_ACT + (21110 - active) * CK * P_PRE, 4);
  });

  it('fine-granularity refresh uses IDD5F over tRFC2', () => {
    const fgr = variant((m) => (m.memarchitecturespec.RefMode = 2));
    // REFs at 4687, 9374, 14061 and 18748 on each sub-channel before r0 arrives at 21034.
    const { stats } = ddr5Run([{ cycle: 7000, address: addr({}) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 }, fgr);
    expect(stats.channels.map((c) => c.commands.REF)).toEqual([4, 4]);
    expect(stats.energyByComponentPj.refresh).toBeCloseTo(8 * railMw(342.4 - 55, 45.4 - 3) * 384 * CK, 4);
  });

  it('same-bank refresh uses IDD5C over tRFCsb, the refreshing banks active meanwhile', () => {
    // REFsb every tREFISB from 1171: 17 by 19907; r0 arrives at ⌈6950 · 1250 / 416⌉ = 20884 and is
    // done (window end 20884 + 76 = 20960) before the next at 21078.
    const { stats } = ddr5Run([{ cycle: 6950, address: addr({}) }], { RefreshPolicy: 'SameBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    const E_SB = railMw(176.4 - 55, 23.4 - 3) * 312 * CK;
    expect(stats.channels.map((c) => c.commands.REFSB)).toEqual([17, 17]);
    expect(stats.energyByComponentPj.refresh).toBeCloseTo(34 * E_SB, 4);
    const active = 17 * 312 + 76;
    expect(stats.channels[0].energyPj).toBeCloseTo(E_ACT + E_RD + 17 * E_SB + active * CK * P_ACT + (20960 - active) * CK * P_PRE, 4);
  });
});

describe('memspec checks', () => {
  const refused: Array<[string, Parameters<typeof variant>[0], string]> = [
    ['RefMode 4 (DDR5 has no 4x refresh)', (m) => (m.memarchitecturespec.RefMode = 4), 'variant.json: memspec.memarchitecturespec.RefMode: expected 1 or 2, got 4'],
    [
      '3DS logical ranks',
      (m) => (m.memarchitecturespec.nbrOfLogicalRanks = 2),
      'variant.json: memspec.memarchitecturespec.nbrOfLogicalRanks: 3DS logical ranks (the _dlr timings) are not modelled; expected 1, got 2',
    ],
    ['2N command timing', (m) => (m.memarchitecturespec.cmdMode = 2), 'memspec.memarchitecturespec.cmdMode: 2N command timing is not modelled; expected 1, got 2'],
    // Ramulator 2's DDR5-3200 tables give tRRD_L 5 below tRRD_S 8 (JEDEC: max(8 nCK, 5 ns)).
    ['tRRD_L below tRRD_S', (m) => (m.memtimingspec.RRD_L_slr = 5), 'variant.json: memspec.memtimingspec.RRD_L_slr: RRD_L (5) is less than RRD_S (8)'],
    ['BL32', (m) => (m.memarchitecturespec.burstLength = 32), 'memspec.memarchitecturespec.burstLength: DDR5 bursts are 16 long, got 32'],
    ['a missing same-bank refresh interval', (m) => delete m.memtimingspec.REFISB, 'variant.json: memspec.memtimingspec.REFISB: missing'],
    ['a DDR4 key', (m) => (m.memtimingspec.CKE = 5), 'variant.json: memspec.memtimingspec.CKE: unknown DDR5 timing parameter'],
  ];
  for (const [what, edit, message] of refused) {
    it(`refuses ${what} with one line naming the key`, () => {
      expect(() => variant(edit)).toThrow(message);
    });
  }

  it('reads tXS and tXS_DLL when given (DRAMUtils names no self-refresh exit timing)', () => {
    expect(ddr5.timing).toMatchObject({ XS: 708, XSDLL: 708 });
    const given = variant((m) => Object.assign(m.memtimingspec, { XS: 730, XSDLL: 1536 }));
    expect(given.memspec.timing).toMatchObject({ XS: 730, XSDLL: 1536 });
  });

  it('ddr5-6400: an idle read takes tRCD + 1 + RL + tBURST at 0.312 ns', () => {
    const fast = { memspec: loadMemSpec('ddr5-6400'), mapping: loadAddressMapping('ddr5-6400') };
    const { stats, issued } = ddr5Run([{ cycle: 0, address: addr({}) }], {}, fast);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@46']);
    expect(stats.totalTimeNs).toBeCloseTo((46 + 1 + 46 + 8) * 0.312, 9);
  });
});
