import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTrace } from '../../simulators/trace.js';
import { openTrace } from '../../traces/builtin.js';
import { generateTrace } from '../../traces/generators.js';
import { inspectTrace } from '../../traces/inspect.js';
import { StlFileSource, writeStl } from '../../traces/stl.js';
import { ddr3Address } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'marl-dse-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectTrace', () => {
  it('gives exact numbers for a small trace', () => {
    const t = makeTrace('small', [
      { cycle: 0, address: ddr3Address(0, 0, 0) }, //       bank 0 row 0: first access of the bank
      { cycle: 2, address: ddr3Address(0, 0, 8), write: true }, // bank 0 row 0: hit
      { cycle: 3, address: ddr3Address(1, 0, 0) }, //       bank 1: first access
      { cycle: 3, address: ddr3Address(0, 1, 0) }, //       bank 0 row 1: another row
      { cycle: 10, address: ddr3Address(0, 0, 16) }, //     bank 0 row 0 again: not the previous row
      { cycle: 11, address: ddr3Address(1, 0, 8) }, //      bank 1 row 0: hit
      { cycle: 20, address: ddr3Address(0, 0, 8) + 8 }, //  same line as the second request; bank 0 row 0: hit
      { cycle: 25, address: 2 ** 31 }, //                   beyond the 1 GiB DIMM
      { cycle: 40, address: 2 ** 33 + 64 }, //              beyond, and above 4 GiB
      { cycle: 41, address: 2 ** 33 + 96 }, //              the same line again
    ]);
    expect(inspectTrace(t)).toEqual({
      name: 'small',
      requests: 10,
      reads: 9,
      writes: 1,
      readShare: 0.9,
      footprintBytes: 8 * 64,
      firstCycle: 0,
      lastCycle: 41,
      rowBufferLocality: 3 / 7,
      localityMemory: 'ddr3-1600',
      requestsBeyondCapacity: 3,
      // Gaps 2 1 0 7 1 9 5 15 1: sorted 0 1 1 1 2 5 7 9 15.
      interArrival: { meanCycles: 41 / 9, minCycles: 0, p50Cycles: 2, p99Cycles: 15, maxCycles: 15 },
    });
  });

  it('reports zeros for empty and one-request traces', () => {
    const zero = { meanCycles: 0, minCycles: 0, p50Cycles: 0, p99Cycles: 0, maxCycles: 0 };
    expect(inspectTrace(makeTrace('empty', []))).toMatchObject({ requests: 0, readShare: 0, footprintBytes: 0, rowBufferLocality: 0, interArrival: zero });
    expect(inspectTrace(makeTrace('one', [{ cycle: 7, address: 0x40, write: true }]))).toMatchObject({
      requests: 1,
      writes: 1,
      readShare: 0,
      footprintBytes: 64,
      firstCycle: 7,
      lastCycle: 7,
      interArrival: zero,
    });
  });

  it('counts lines across the whole 4 GiB bitmap and above it', () => {
    const top = 2 ** 32 - 64;
    const t = makeTrace('wide', [{ cycle: 0, address: 0 }, { cycle: 1, address: top }, { cycle: 2, address: top + 63 }, { cycle: 3, address: 2 ** 32 }, { cycle: 4, address: 2 ** 40 }]);
    expect(inspectTrace(t)).toMatchObject({ footprintBytes: 4 * 64, requestsBeyondCapacity: 4 });
  });

  it('describes the built-in stream and random traces', () => {
    const stream = inspectTrace(openTrace('builtin:stream'));
    // 10,000 lines of 64 B; 128 lines per 8 KiB row, so 79 row changes.
    expect(stream).toMatchObject({ requests: 10_000, reads: 10_000, footprintBytes: 640_000, firstCycle: 0, lastCycle: 9_999, rowBufferLocality: 1 - 79 / 10_000 });
    expect(stream.interArrival).toEqual({ meanCycles: 1, minCycles: 1, p50Cycles: 1, p99Cycles: 1, maxCycles: 1 });
    const random = inspectTrace(openTrace('builtin:random'));
    expect(random.rowBufferLocality).toBeLessThan(0.001);
    expect(random.footprintBytes).toBeGreaterThan(639_000);
  });

  it('gives the same answer for a streamed file as for the trace in memory', () => {
    const t = generateTrace('hotspot', { requests: 5000, seed: 3, readShare: 0.7, gapDistribution: 'exponential', gapMeanCycles: 6 });
    const p = join(dir, 'h.stl');
    writeStl(t, p);
    expect({ ...inspectTrace(new StlFileSource(p)), name: t.name }).toEqual(inspectTrace(t));
  });

  it('measures locality on another memory when asked', () => {
    // DDR4-2400's rows are 8 KiB too (1 KiB pages × 8 devices): the same 79 row changes, now within one bank.
    const r = inspectTrace(openTrace('builtin:stream'), { memspec: 'ddr4-2400' });
    expect(r.localityMemory).toBe('ddr4-2400');
    expect(r.rowBufferLocality).toBeCloseTo(1 - 79 / 10_000, 6);
  });
});
