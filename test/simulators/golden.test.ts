/**
 * Golden cases computed by hand from the ddr3-1600 memspec (cycles of 1.25 ns):
 * tRCD 10, RL 10, WL 8, tBURST 4 (BL8), tCCD 4, tRAS 28, tRP 10, tRC 38, tWTR 6, tRTP 6, tWR 12,
 * tRRD 5, tRFC 88, tREFI 6240. Default controller: Open, Fifo, Bankwise 1, Simple arbiter.
 */
import { describe, expect, it } from 'vitest';
import { ddr3Address as addr, run, timeline } from '../helpers.js';

const NS = 1.25;

describe('single requests', () => {
  it('an idle read to a closed bank takes tRCD + RL + tBURST', () => {
    const { stats, issued } = run([{ cycle: 0, address: addr(0, 0) }]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10']);
    expect(stats.totalTimeNs).toBe((10 + 10 + 4) * NS);
    expect(stats.avgLatencyNs).toBe(30);
    expect(stats.rowMisses).toBe(1);
  });

  it('a row hit needs only the column command, tCCD after the previous one', () => {
    const { stats, issued } = run([
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 8) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'RD@14']);
    expect(stats.totalTimeNs).toBe((14 + 14) * NS);
    expect(stats.rowHits).toBe(1);
    expect(stats.rowMisses).toBe(1);
  });

  it('a row conflict precharges after tRAS, then activates after tRP', () => {
    const { stats, issued } = run([
      { cycle: 0, address: addr(0, 0) },
      { cycle: 0, address: addr(0, 1) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'PRE@28', 'ACT@38', 'RD@48']);
    expect(stats.totalTimeNs).toBe((48 + 14) * NS);
    expect(stats.rowConflicts).toBe(1);
  });

  it('a read after a write waits for WL + tBURST + tWTR', () => {
    const { stats, issued } = run([
      { cycle: 0, address: addr(0, 0, 0), write: true },
      { cycle: 0, address: addr(0, 0, 8) },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'WR@10', 'RD@28']);
    expect(stats.totalTimeNs).toBe((28 + 14) * NS);
    expect(stats.writes).toBe(1);
  });

  it('a write after a read waits for the read-to-write turnaround RL + tBURST + 2 - WL', () => {
    const { issued } = run([
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 8), write: true },
    ]);
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'WR@18']);
  });

  it('activates to different banks keep tRRD apart', () => {
    const { issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 0, address: addr(1, 0) },
      ],
      { RequestBufferSize: 4 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'ACT@5', 'RD@10', 'RD@15']);
  });
});

describe('refresh', () => {
  it('a due all-bank refresh blocks the banks for tRFC', () => {
    const { stats, issued } = run([{ cycle: 6240, address: addr(3, 5) }], { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 });
    expect(timeline(issued)).toEqual(['REF@6240', 'ACT@6328', 'RD@6338']);
    expect(stats.avgLatencyNs).toBe((88 + 10 + 14) * NS);
  });

  it('closes open rows with PREA before refreshing', () => {
    const { issued } = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 6240, address: addr(0, 0, 8) },
      ],
      { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0 },
    );
    expect(timeline(issued)).toEqual(['ACT@0', 'RD@10', 'PREA@6240', 'REF@6250', 'ACT@6338', 'RD@6348']);
  });

  it('postpones a refresh while requests wait, up to RefreshMaxPostponed', () => {
    // Back-to-back row conflicts in one bank keep the rank busy across several refresh intervals.
    const requests = Array.from({ length: 1200 }, (_, i) => ({ cycle: 0, address: addr(0, i % 2) }));
    const postponing = run(requests, { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 4, RefreshMaxPulledin: 0 });
    const strict = run(requests, { RefreshPolicy: 'AllBank', RefreshMaxPostponed: 0, RefreshMaxPulledin: 0 });
    const refs = (r: typeof strict) => r.issued.filter((c) => c.cmd === 'REF').map((c) => c.cycle);
    // Without flexibility the refresh comes at its tREFI slot (after closing the open row) ...
    expect(refs(strict)[0]).toBeGreaterThanOrEqual(6240);
    expect(refs(strict)[0]).toBeLessThan(6240 + 50);
    // ... with it, four triggers pass while requests wait and the fifth is forced.
    expect(refs(postponing)[0]).toBeGreaterThanOrEqual(5 * 6240);
    expect(refs(postponing)[0]).toBeLessThan(5 * 6240 + 50);
  });

  it('pulls refreshes in while the rank is idle', () => {
    const { issued } = run([{ cycle: 0, address: addr(0, 0) }, { cycle: 7000, address: addr(1, 0) }], {
      RefreshPolicy: 'AllBank',
      RefreshMaxPostponed: 0,
      RefreshMaxPulledin: 2,
    });
    // The due refresh (after PREA closes the open row) plus two pulled in, each tRFC after the last.
    expect(timeline(issued).filter((s) => /^(PREA|REF)@/.test(s))).toEqual(['PREA@6240', 'REF@6250', 'REF@6338', 'REF@6426']);
  });
});

describe('page policies', () => {
  const sameRowLater = [
    { cycle: 0, address: addr(0, 0, 0) },
    { cycle: 100, address: addr(0, 0, 8) },
  ];
  it('Open keeps the row for a later hit; Closed precharges after every access', () => {
    expect(timeline(run(sameRowLater, { PagePolicy: 'Open' }).issued)).toEqual(['ACT@0', 'RD@10', 'RD@100']);
    expect(timeline(run(sameRowLater, { PagePolicy: 'Closed' }).issued)).toEqual(['ACT@0', 'RDA@10', 'ACT@100', 'RDA@110']);
  });

  it('OpenAdaptive closes the row when a miss waits and no hit does', () => {
    const reqs = [
      { cycle: 0, address: addr(0, 0) },
      { cycle: 0, address: addr(0, 1) },
    ];
    const cfg = { PagePolicy: 'OpenAdaptive', RequestBufferSize: 4 };
    // RDA's internal precharge waits for tRAS (28); the next ACT comes tRP later.
    expect(timeline(run(reqs, cfg).issued)).toEqual(['ACT@0', 'RDA@10', 'ACT@38', 'RD@48']);
    // With nothing else queued the row stays open.
    expect(timeline(run(sameRowLater, cfg).issued)).toEqual(['ACT@0', 'RD@10', 'RD@100']);
  });

  it('ClosedAdaptive keeps the row open only while another hit waits', () => {
    const reqs = [
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 8) },
    ];
    expect(timeline(run(reqs, { PagePolicy: 'ClosedAdaptive', RequestBufferSize: 4 }).issued)).toEqual(['ACT@0', 'RD@10', 'RDA@14']);
    expect(timeline(run(sameRowLater, { PagePolicy: 'ClosedAdaptive' }).issued)).toEqual(['ACT@0', 'RDA@10', 'ACT@100', 'RDA@110']);
  });
});

describe('schedulers', () => {
  // Three requests to one bank: row 0, row 1, row 0 again.
  const reqs = [
    { cycle: 0, address: addr(0, 0, 0) },
    { cycle: 0, address: addr(0, 1, 0) },
    { cycle: 0, address: addr(0, 0, 8) },
  ];
  const reads = (r: ReturnType<typeof run>) => r.issued.filter((c) => c.cmd === 'RD' || c.cmd === 'WR').map((c) => `${c.cmd}${c.row}`);

  it('Fifo serves requests in arrival order', () => {
    const r = run(reqs, { Scheduler: 'Fifo', RequestBufferSize: 8 });
    expect(reads(r)).toEqual(['RD0', 'RD1', 'RD0']);
    expect(r.stats.rowConflicts).toBe(2);
  });

  it('FrFcfs serves the waiting row hit first', () => {
    const r = run(reqs, { Scheduler: 'FrFcfs', RequestBufferSize: 8 });
    expect(reads(r)).toEqual(['RD0', 'RD0', 'RD1']);
    expect(r.stats.rowConflicts).toBe(1);
    expect(r.stats.totalTimeNs).toBeLessThan(run(reqs, { Scheduler: 'Fifo', RequestBufferSize: 8 }).stats.totalTimeNs);
  });

  it('FrFcfsGrp prefers hits in the direction of the last column command', () => {
    const mixed = [
      { cycle: 0, address: addr(0, 0, 0) },
      { cycle: 0, address: addr(0, 0, 8), write: true },
      { cycle: 0, address: addr(0, 0, 16) },
    ];
    expect(reads(run(mixed, { Scheduler: 'FrFcfs', RequestBufferSize: 8 }))).toEqual(['RD0', 'WR0', 'RD0']);
    expect(reads(run(mixed, { Scheduler: 'FrFcfsGrp', RequestBufferSize: 8 }))).toEqual(['RD0', 'RD0', 'WR0']);
  });
});

describe('back-pressure', () => {
  const twoBanks = [
    { cycle: 0, address: addr(0, 0) },
    { cycle: 0, address: addr(1, 0) },
  ];
  it('MaxActiveTransactions 1 holds the second request until the first is answered', () => {
    const r = run(twoBanks, { Arbiter: 'Fifo', MaxActiveTransactions: 1, RequestBufferSize: 8 });
    expect(timeline(r.issued)).toEqual(['ACT@0', 'RD@10', 'ACT@24', 'RD@34']);
    expect(r.stats.totalTimeNs).toBe(48 * NS);
  });

  it('MaxActiveTransactions 2 lets both requests overlap', () => {
    const r = run(twoBanks, { Arbiter: 'Fifo', MaxActiveTransactions: 2, RequestBufferSize: 8 });
    expect(timeline(r.issued)).toEqual(['ACT@0', 'ACT@5', 'RD@10', 'RD@15']);
    expect(r.stats.totalTimeNs).toBe(29 * NS);
  });

  it('the Simple arbiter ignores MaxActiveTransactions (as in DRAMSys)', () => {
    const r = run(twoBanks, { Arbiter: 'Simple', MaxActiveTransactions: 1, RequestBufferSize: 8 });
    expect(r.stats.totalTimeNs).toBe(29 * NS);
  });

  it('a full bank buffer holds later requests at the player', () => {
    // Buffer of one per bank: the second request to bank 0 enters only after the first's column command.
    const r = run(
      [
        { cycle: 0, address: addr(0, 0) },
        { cycle: 0, address: addr(0, 1) },
        { cycle: 0, address: addr(1, 0) },
      ],
      { RequestBufferSize: 1 },
    );
    const act1 = r.issued.find((c) => c.cmd === 'ACT' && c.bank === 1)!;
    expect(act1.cycle).toBeGreaterThan(10);
  });
});

describe('response order', () => {
  // A slow row conflict in bank 0 followed by a fast hit-free request in bank 1.
  const reqs = [
    { cycle: 0, address: addr(0, 0) },
    { cycle: 0, address: addr(0, 1) },
    { cycle: 0, address: addr(1, 0) },
  ];
  it('Reorder returns responses in request order, Fifo in completion order', () => {
    const over = { RequestBufferSize: 8, Scheduler: 'FrFcfs' };
    const fifo = run(reqs, { ...over, RespQueue: 'Fifo' });
    const reorder = run(reqs, { ...over, RespQueue: 'Reorder' });
    // Same commands, but the third request's response waits for the second under Reorder.
    expect(timeline(fifo.issued)).toEqual(timeline(reorder.issued));
    expect(reorder.stats.avgLatencyNs).toBeGreaterThan(fifo.stats.avgLatencyNs);
    // The held response and the one it waited for leave one cycle apart.
    expect(reorder.stats.totalTimeNs).toBe(fifo.stats.totalTimeNs + NS);
  });
});

describe('event loop', () => {
  it('jumps over a long self-refresh instead of stepping through it', async () => {
    const { MemorySystem } = await import('../../simulators/dram/controller/engine.js');
    const { makeTrace } = await import('../../simulators/trace.js');
    const { ddr3: spec, ddr3Mapping: mapping, config: cfg } = await import('../helpers.js');
    const trace = makeTrace('gap', [
      { cycle: 0, address: addr(0, 0) },
      { cycle: 100_000_000, address: addr(0, 1) },
    ]);
    const r = new MemorySystem(spec, mapping, cfg({ RefreshPolicy: 'AllBank', PowerDownPolicy: 'Staggered' }), { clkMhz: 800 }).run(trace);
    expect(r.stats.commands.SREFEN).toBe(1);
    expect(r.steps).toBeLessThan(200);
  });
});

describe('command log', () => {
  it('names its columns, and a PRE names the row it closes', async () => {
    const { commands } = run([
      { cycle: 0, address: addr(0, 3) },
      { cycle: 0, address: addr(0, 7) },
    ]);
    const lines = commands.toText().split('\n');
    expect(lines[0]).toBe('# cycle\tcommand\trank\tbankgroup\tbank\trow\tcolumn');
    // ACT row 3, RD row 3, PRE closing row 3 (not the incoming request's row 7), ACT row 7, RD row 7.
    expect(lines.slice(1).map((l) => l.split('\t').slice(1, 2).concat(l.split('\t')[5]).join(' '))).toEqual([
      'ACT 3',
      'RD 3',
      'PRE 3',
      'ACT 7',
      'RD 7',
    ]);
  });
});

describe('write draining (GrpFrFcfsWm)', () => {
  // A read to bank 0, three writes to banks 1-3, then a read to bank 4, one per cycle.
  const requests = [
    { cycle: 0, address: addr(0, 0) },
    { cycle: 1, address: addr(1, 0), write: true },
    { cycle: 2, address: addr(2, 0), write: true },
    { cycle: 3, address: addr(3, 0), write: true },
    { cycle: 4, address: addr(4, 0) },
  ];
  const columns = (issued: ReturnType<typeof run>['issued']): string[] =>
    issued.filter((c) => ['RD', 'WR'].includes(c.cmd)).map((c) => `${c.cmd} ${c.bank}`);
  const base = { Scheduler: 'GrpFrFcfsWm', RequestBufferSize: 8, Arbiter: 'Fifo', MaxActiveTransactions: 16 };

  it('drains writes once more than HighWatermark wait, until at most LowWatermark remain and a read waits', () => {
    // The third write makes 3 > 2: write mode. After two writes 1 ≤ 1 remains and reads wait: read
    // mode, both reads; with no read left, write mode again for the last write.
    const { issued } = run(requests, { ...base, HighWatermark: 2, LowWatermark: 1 });
    expect(columns(issued)).toEqual(['WR 1', 'WR 2', 'RD 0', 'RD 4', 'WR 3']);
  });

  it('serves reads first while the writes stay at or below HighWatermark', () => {
    const { issued } = run(requests, { ...base, HighWatermark: 8, LowWatermark: 2 });
    expect(columns(issued)).toEqual(['RD 0', 'RD 4', 'WR 1', 'WR 2', 'WR 3']);
  });

  it('refuses watermarks that cannot work, naming the key', () => {
    expect(() => run(requests, { ...base, HighWatermark: 2, LowWatermark: 2 })).toThrow(/LowWatermark: 2 must be below HighWatermark \(2\)/);
  });
});
