/**
 * The protocol checker over a grid of controller configs and generated traces finds nothing, and
 * it does catch deliberately corrupted command logs.
 */
import { describe, expect, it } from 'vitest';
import { checkProtocol } from '../../simulators/dram/checker.js';
import { Cmd } from '../../simulators/dram/commands.js';
import { CommandLog } from '../../simulators/dram/controller/command-log.js';
import { MC_CHOICES } from '../../simulators/dram/mcconfig.js';
import { simulateWithCommands } from '../../simulators/dram/simulate.js';
import { TraceBuilder, type Trace } from '../../simulators/trace.js';
import { randomTrace, streamTrace } from '../../traces/generators.js';
import { parseAddressMapping } from '../../simulators/dram/address-mapping.js';
import { type MemSpec, parseMemSpec } from '../../simulators/dram/memspec.js';
import { MEMSPEC_PRESETS, loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { config, ddr3, ddr3Mapping, ddr4, ddr4Mapping } from '../helpers.js';

/** ddr3-1600 with two ranks (2 GiB), rank selected by address bit 30. */
function twoRanks() {
  const doc = JSON.parse(JSON.stringify(ddr3.json));
  doc.memspec.memarchitecturespec.nbrOfRanks = 2;
  const spec = parseMemSpec(doc, 'two-rank.json');
  const bits = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const mapping = parseAddressMapping(
    { addressmapping: { BYTE_BIT: bits(0, 2), COLUMN_BIT: bits(3, 12), BANK_BIT: bits(13, 15), ROW_BIT: bits(16, 29), RANK_BIT: [30] } },
    'two-rank-am.json',
  );
  return { name: 'ddr3-1600 x2 ranks', spec, mapping };
}

/** ddr5-4800 with two ranks per sub-channel (32 GiB), rank selected by address bit 34. */
function ddr5TwoRanks() {
  const mapping = loadAddressMapping('ddr5-4800');
  const doc = JSON.parse(JSON.stringify(loadMemSpec('ddr5-4800').json));
  doc.memspec.memarchitecturespec.nbrOfRanks = 2;
  return {
    name: 'ddr5-4800 x2 ranks',
    spec: parseMemSpec(doc, 'ddr5-two-rank.json'),
    mapping: parseAddressMapping({ addressmapping: { ...JSON.parse(JSON.stringify(mapping.fields)), RANK_BIT: [34] } }, 'ddr5-two-rank-am.json'),
  };
}

/** Sequential runs and random bursts with writes and idle gaps, so every mechanism gets exercised. */
function mixedTrace(n: number, seed: number): Trace {
  const r = randomTrace({ requests: n, seed, readShare: 0.6, footprintBytes: 1 << 24 });
  const s = streamTrace({ requests: n, seed: seed + 1, readShare: 0.7 });
  const b = new TraceBuilder();
  let cycle = 0;
  for (let i = 0; i < n; i++) {
    const src = Math.floor(i / 50) % 2 ? r : s;
    cycle += i % 97 === 96 ? 3000 : i % 5 === 0 ? 20 : 1;
    b.push(cycle, src.address[i], src.isWrite[i] === 1);
  }
  return b.build(`mixed-${seed}`);
}

/** The values of each choice the memory supports (refresh policies depend on the standard). */
function choicesFor(spec: MemSpec): Record<string, readonly string[]> {
  const refresh = ['NoRefresh', ...Object.keys(spec.standard.refresh(spec.timing))];
  return { ...MC_CHOICES, RefreshPolicy: MC_CHOICES.RefreshPolicy.filter((p) => refresh.includes(p)) };
}

/** A deterministic sample of configurations in which every value of every parameter the memory supports appears. */
function configGrid(count: number, spec: MemSpec): Array<Record<string, string | number>> {
  const choices = choicesFor(spec);
  const keys = Object.keys(choices);
  const sizes = [1, 2, 8, 32];
  const out: Array<Record<string, string | number>> = [];
  for (let i = 0; i < count; i++) {
    const c: Record<string, string | number> = {};
    keys.forEach((k, j) => {
      const values = choices[k];
      c[k] = values[(i + j * Math.floor(i / values.length + 1)) % values.length];
    });
    c.RequestBufferSize = sizes[i % sizes.length];
    c.MaxActiveTransactions = [1, 4, 16, 128][(i >> 1) % 4];
    c.RefreshMaxPostponed = [0, 1, 4, 8][(i >> 2) % 4];
    c.RefreshMaxPulledin = [0, 1, 2, 8][(i >> 3) % 4];
    out.push(c);
  }
  return out;
}

/** lpddr4-3200 with two ranks (2 GiB), rank selected by address bit 30. */
function lpddr4TwoRanks() {
  const doc = JSON.parse(JSON.stringify(loadMemSpec('lpddr4-3200').json));
  doc.memspec.memarchitecturespec.nbrOfRanks = 2;
  const spec = parseMemSpec(doc, 'lpddr4-two-rank.json');
  const bits = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const mapping = parseAddressMapping(
    { addressmapping: { BYTE_BIT: [0], COLUMN_BIT: bits(1, 10), ROW_BIT: bits(11, 26), BANK_BIT: bits(27, 29), RANK_BIT: [30] } },
    'lpddr4-two-rank-am.json',
  );
  return { name: 'lpddr4-3200 x2 ranks', spec, mapping };
}

describe('protocol checker over a configuration grid', () => {
  /** A preset at its own trace clock; `requests` shortens the traces of the largest memories. */
  const preset = (name: string, requests?: number) => ({ name, spec: loadMemSpec(name), mapping: loadAddressMapping(name), clkMhz: MEMSPEC_PRESETS[name].clkMhz, requests });
  const setups: Array<{ name: string; spec: MemSpec; mapping: ReturnType<typeof loadAddressMapping>; clkMhz?: number; requests?: number }> = [
    { name: 'ddr3-1600', spec: ddr3, mapping: ddr3Mapping },
    { name: 'ddr4-2400', spec: ddr4, mapping: ddr4Mapping },
    twoRanks(),
    ...['ddr5-4800', 'ddr5-6400'].map((name) => ({ name, spec: loadMemSpec(name), mapping: loadAddressMapping(name) })),
    ddr5TwoRanks(),
    preset('lpddr4-3200'),
    lpddr4TwoRanks(),
    preset('lpddr5-6400'),
    preset('hbm2'),
    preset('hbm2-stack', 800),
    preset('hbm3-6400', 400),
  ];
  const tracesFor = (capacityBytes: number, requests = 1500) => [
    streamTrace({ requests, readShare: 0.8, seed: 3 }, 'stream-80r'),
    randomTrace({ requests, readShare: 0.7, seed: 5, footprintBytes: capacityBytes }, 'random-70r'),
    mixedTrace(requests, 11),
  ];

  for (const setup of setups) {
    const grid = configGrid(48, setup.spec);

    it(`covers every value of every parameter ${setup.name} supports`, () => {
      for (const [k, values] of Object.entries(choicesFor(setup.spec))) {
        for (const v of values) expect(grid.some((c) => c[k] === v), `${k}=${v}`).toBe(true);
      }
    });

    it(`finds no violation on ${setup.name}`, () => {
      let runs = 0;
      const traces = tracesFor(setup.spec.capacityBytes, setup.requests);
      const issuedKinds = new Set<string>();
      for (const over of grid) {
        const cfg = config(over);
        for (const trace of traces) {
          const { stats, channelCommands } = simulateWithCommands(trace, setup.spec, setup.mapping, cfg, { clkMhz: setup.clkMhz });
          channelCommands.forEach((log, ch) => {
            const report = checkProtocol(log, setup.spec, { mcConfig: cfg, endCycle: stats.simulatedCycles });
            expect(report.violations, `${JSON.stringify(over)} on ${trace.name}, channel ${ch}`).toEqual([]);
          });
          expect(stats.reads + stats.writes).toBe(trace.length);
          for (const [k, v] of Object.entries(stats.commands)) if (v > 0) issuedKinds.add(k);
          runs++;
        }
      }
      expect(runs).toBe(grid.length * 3);
      // The grid exercised every command the standard has.
      expect([...issuedKinds].sort()).toEqual(Object.keys(setup.spec.standard.commands).sort());
    });
  }
});

describe('protocol checker catches corrupted logs', () => {
  const cfg = config({ RefreshPolicy: 'AllBank', Scheduler: 'FrFcfs', RequestBufferSize: 8, PowerDownPolicy: 'Staggered' });
  const good = () => simulateWithCommands(mixedTrace(800, 2), ddr3, ddr3Mapping, cfg).commands;

  it('accepts the unmodified log', () => {
    expect(checkProtocol(good(), ddr3, { mcConfig: cfg }).violationCount).toBe(0);
  });

  it('flags a column command moved one cycle too early', () => {
    const log = good();
    const i = Array.from(log.cmd).findIndex((c, k) => c === Cmd.RD && k > 0 && log.cmd[k - 1] === Cmd.ACT && log.time[k] - log.time[k - 1] === 10);
    expect(i).toBeGreaterThan(0);
    log.time[i] -= 1;
    const report = checkProtocol(log, ddr3);
    expect(report.violationCount).toBeGreaterThan(0);
    expect(report.violations[0].rule).toBe('tRCD');
  });

  it('flags a read to a row that is not open', () => {
    const log = good();
    const i = Array.from(log.cmd).findIndex((c) => c === Cmd.RD);
    log.row[i] += 1;
    expect(checkProtocol(log, ddr3).violations.map((v) => v.rule)).toContain('bank state');
  });

  it('flags a dropped precharge (activate to an open bank)', () => {
    const log = good();
    const i = Array.from(log.cmd).findIndex((c) => c === Cmd.PRE);
    log.cmd[i] = Cmd.RD; // the precharge becomes a read: the next ACT finds the bank still open
    log.row[i] = -1;
    const rules = checkProtocol(log, ddr3).violations.map((v) => v.rule);
    expect(rules).toContain('bank state');
  });

  it('flags a fifth activate inside tFAW and a refresh with a row open', () => {
    const log = new CommandLog();
    [0, 5, 10, 15].forEach((t, b) => log.push(t, Cmd.ACT, 0, 0, b, 1, -1));
    log.push(20, Cmd.ACT, 0, 0, 4, 1, -1);
    log.push(6240, Cmd.REF, 0, -1, -1, -1, -1);
    const rules = checkProtocol(log, ddr3).violations.map((v) => v.rule);
    expect(rules).toContain('tFAW');
    expect(rules).toContain('bank state');
  });

  it('flags overlapping data bursts and commands while powered down', () => {
    const log = new CommandLog();
    log.push(0, Cmd.ACT, 0, 0, 0, 1, -1);
    log.push(10, Cmd.RD, 0, 0, 0, 1, 0);
    log.push(11, Cmd.RD, 0, 0, 0, 1, 8);
    log.push(40, Cmd.PDEA, 0, -1, -1, -1, -1);
    log.push(50, Cmd.RD, 0, 0, 0, 1, 16);
    const rules = checkProtocol(log, ddr3).violations.map((v) => v.rule);
    expect(rules).toContain('data bus');
    expect(rules).toContain('tCCD');
    expect(rules).toContain('power state');
  });

  it('flags a run that never refreshes, and per-bank refreshes too far apart', () => {
    const log = new CommandLog();
    log.push(0, Cmd.ACT, 0, 0, 0, 1, -1);
    const allBank = config({ RefreshPolicy: 'AllBank', RefreshMaxPostponed: 8, RefreshMaxPulledin: 8 });
    expect(checkProtocol(log, ddr3, { mcConfig: allBank, endCycle: 1_000_000 }).violations.map((v) => v.rule)).toEqual(['tREFI']);
    const perBank = config({ RefreshPolicy: 'PerBank', RefreshMaxPostponed: 1, RefreshMaxPulledin: 1 });
    const rules = checkProtocol(log, ddr3, { mcConfig: perBank, endCycle: 4 * 6240 + 1 }).violations.map((v) => v.rule);
    expect(rules).toEqual(Array(8).fill('tREFIpb'));
  });

  it('flags self-refresh entry too soon after an auto-precharge or a power-down exit', () => {
    const log = new CommandLog();
    log.push(0, Cmd.ACT, 0, 0, 0, 1, -1);
    log.push(10, Cmd.RDA, 0, 0, 0, 1, 0);
    log.push(25, Cmd.SREFEN, 0, -1, -1, -1, -1); // RDA's internal precharge needs AL + tRTP + tRP = 16
    expect(checkProtocol(log, ddr3).violations.map((v) => v.rule)).toContain('max(tRDPDEN, tAL+tRTP+tRP)');
    const pd = new CommandLog();
    pd.push(0, Cmd.PDEP, 0, -1, -1, -1, -1);
    pd.push(5, Cmd.PDXP, 0, -1, -1, -1, -1);
    pd.push(6, Cmd.SREFEN, 0, -1, -1, -1, -1);
    expect(checkProtocol(pd, ddr3).violations.map((v) => v.rule)).toEqual(['tXP']);
  });

  it('flags a DDR4 rank switch that leaves no room for the read preamble', () => {
    const two = JSON.parse(JSON.stringify(ddr4.json));
    two.memspec.memarchitecturespec.nbrOfRanks = 2;
    const spec = parseMemSpec(two, 'ddr4-2r.json');
    const log = new CommandLog();
    log.push(0, Cmd.ACT, 0, 0, 0, 1, -1);
    log.push(4, Cmd.ACT, 1, 4, 16, 1, -1);
    log.push(16, Cmd.WR, 0, 0, 0, 1, 0); // burst 32..36
    log.push(21, Cmd.RD, 1, 4, 16, 1, 0); // burst 37..41: needs 36 + tRTRS 1 + tRPRE 1 = 38
    // Both the replayed data bus and the rank-to-rank rule of the table (WL + BURST + RTRS − RL + RPRE = 6) catch it.
    expect(checkProtocol(log, spec).violations.map((v) => v.rule)).toEqual(['tWL+tBURST+tRTRS-tRL+tRPRE', 'data bus']);
  });

  it("flags an HBM2 per-bank refresh that starts a new round sooner than tRFCSB after the last round's end", () => {
    const hbm2 = loadMemSpec('hbm2');
    // One round: the 16 banks of pseudo-channel 0, tRREFD (8) apart; the next round waits tRFCSB (96).
    const round = (next: number) => {
      const log = new CommandLog();
      for (let b = 0; b < 16; b++) log.push(8 * b, Cmd.REFPB, 0, b >> 2, b, -1, -1);
      log.push(120 + next, Cmd.REFPB, 0, 0, 0, -1, -1);
      return checkProtocol(log, hbm2).violations.map((v) => v.rule);
    };
    expect(round(96)).toEqual([]);
    expect(round(8)).toEqual(['tRFCSB after a round']);
  });

  it('flags an HBM3 read to the other stack ID within tCCDR', () => {
    const hbm3 = loadMemSpec('hbm3-6400');
    // Ticks of half a cycle: bank 0 is stack ID 0, bank 16 stack ID 1 (bank groups 4-7). Reads
    // tCCDS (4 ticks) apart are enough within a stack ID, not across (tCCDR 3 cycles: 6 ticks).
    const reads = (gap: number) => {
      const log = new CommandLog();
      log.push(0, Cmd.ACT, 0, 0, 0, 1, -1);
      log.push(8, Cmd.ACT, 0, 4, 16, 1, -1);
      log.push(71, Cmd.RD, 0, 0, 0, 1, 0);
      log.push(71 + gap, Cmd.RD, 0, 4, 16, 1, 0);
      return checkProtocol(log, hbm3).violations.map((v) => v.rule);
    };
    expect(reads(6)).toEqual([]);
    expect(reads(4)).toEqual(['tCCDR']);
  });

  it('flags refreshes further apart than the postponement allows', () => {
    const log = new CommandLog();
    log.push(6240, Cmd.REF, 0, -1, -1, -1, -1);
    log.push(6240 * 5, Cmd.REF, 0, -1, -1, -1, -1);
    const strict = config({ RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    expect(checkProtocol(log, ddr3, { mcConfig: strict }).violations.map((v) => v.rule)).toEqual(['tREFI']);
  });
});
