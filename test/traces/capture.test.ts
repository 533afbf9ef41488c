/**
 * `traces capture`: lackey's output through pages, the cache model and the clock. The pipeline is
 * checked exactly on hand-made lackey output (a stand-in `valgrind` script that prints it), then end
 * to end under the real Valgrind on a C program this test compiles.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../common/errors.js';
import { simulate } from '../../simulators/dram/simulate.js';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { DEFAULT_MCCONFIG } from '../../simulators/dram/mcconfig.js';
import { registerTracesCommand } from '../../src/cli/traces.js';
import { CAPTURE_DEFAULTS, type CaptureOptions, captureProgram } from '../../traces/capture.js';
import { readStl } from '../../traces/stl.js';

const dir = mkdtempSync(join(tmpdir(), 'marl-dse-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for valgrind that prints `lackey` on the log descriptor and exits with `status`. */
function fakeValgrind(name: string, lackey: string, status = 0): string {
  const log = join(dir, `${name}.lackey`);
  writeFileSync(log, lackey);
  const script = join(dir, name);
  writeFileSync(script, `#!/bin/sh\ncat '${log}' >&3\nexit ${status}\n`);
  chmodSync(script, 0o755);
  return script;
}

function options(valgrind: string, extra: Partial<CaptureOptions> = {}): CaptureOptions {
  return {
    program: '/bin/true',
    args: [],
    llc: { sizeBytes: 256, ways: 2, lineBytes: 64 }, // 2 sets of 2 ways
    pageBytes: 4096,
    memoryBytes: 2 ** 30,
    memory: 'ddr3-1600',
    ...CAPTURE_DEFAULTS,
    valgrind,
    ...extra,
  };
}

async function capture(o: CaptureOptions) {
  const requests: string[] = [];
  const stats = await captureProgram(o, (cycle, address, write) => requests.push(`${cycle} ${write ? 'write' : 'read'} 0x${address.toString(16)}`));
  return { requests, stats };
}

/** Twelve instructions; the comments give the instruction count, the cycle (count / 4) and what the cache does. */
const LACKEY = `==7== Lackey, an example Valgrind tool
==7== Command: /bin/true
I  04000000,3
 L 00001000,8
I  04000003,4
I  04000007,4
I  0400000b,4
 S 00001040,8
 M 00005000,4
I  0400000f,2
 L 0000103c,8
I  04000011,2
I  04000013,2
I  04000015,2
 L 00009ff8,16
I  04000017,2
I  04000019,2
I  0400001b,2
I  0400001d,2
 S 00001000,4
==7==
==7== Exit code:       0
`;

describe('capture on hand-made lackey output', () => {
  it('maps pages in first-touch order, filters through the cache, times by instructions and writes back dirty lines at exit', async () => {
    const { requests, stats } = await capture(options(fakeValgrind('valgrind-ok', LACKEY)));
    expect(requests).toEqual([
      '0 read 0x0', //      1 instruction: L 0x1000, virtual page 1 → frame 0, line 0 (set 0): miss
      '1 read 0x40', //     4: S 0x1040 → line 1 (set 1): miss, the line becomes dirty
      '1 read 0x1000', //   4: M 0x5000, page 5 → frame 1 → line 64 (set 0): miss, dirty
      //                    5: L 0x103c (8 bytes) spans lines 0 and 1: two hits
      '2 read 0x2fc0', //   8: L 0x9ff8 (16 bytes) spans pages 9 and 10: frame 2, line 191 (set 1): miss
      '2 read 0x3000', //      frame 3, line 192 (set 0): miss, evicting line 64, used before line 0 …
      '2 write 0x1000', //     … and dirty: written back after the read
      //                   12: S 0x1000 → line 0: hit, now dirty
      '3 write 0x0', //     exit, after 12 instructions: the dirty lines left, set by set
      '3 write 0x40',
    ]);
    expect(stats).toEqual({
      instructions: 12,
      loads: 3,
      stores: 2,
      modifies: 1,
      llcHits: 3,
      llcMisses: 5,
      writeBacks: 3,
      flushedLines: 2,
      pages: 4,
      reads: 5,
      writes: 3,
      lastCycle: 3,
    });
  });

  it('moves a line longer than 64 bytes as consecutive 64-byte requests; --ipc and the clocks set the cycle', async () => {
    const o = options(fakeValgrind('valgrind-lines', LACKEY), { llc: { sizeBytes: 2048, ways: 2, lineBytes: 128 }, ipc: 2, cpuMhz: 1600, clkMhz: 1600 });
    const { requests } = await capture(o);
    // cycle = instructions · 1600 / (2 · 1600): half the instruction count.
    expect(requests.slice(0, 4)).toEqual(['0 read 0x0', '0 read 0x40', '2 read 0x1000', '2 read 0x1040']);
  });

  it('reads lackey output of many pipe chunks, lines cut anywhere', async () => {
    // 50,000 loads of distinct lines, each after 3 instructions: about 1.5 MB of text.
    let text = '';
    for (let i = 0; i < 50_000; i++) text += `I  04000000,3\nI  04000003,3\nI  04000006,3\n L ${(0x10000000 + i * 64).toString(16)},8\n`;
    const { stats, requests } = await capture(options(fakeValgrind('valgrind-long', text), { llc: { sizeBytes: 4096, ways: 4, lineBytes: 64 } }));
    expect([stats.instructions, stats.loads, stats.reads, stats.writes, stats.pages]).toEqual([150_000, 50_000, 50_000, 0, Math.ceil((50_000 * 64) / 4096)]);
    expect(requests[49_999]).toBe(`${Math.floor((150_000 * 800) / 3200)} read 0x${(49_999 * 64).toString(16)}`);
  });

  it('refuses a program that touches more pages than the memory has', async () => {
    const o = options(fakeValgrind('valgrind-pages', LACKEY), { memoryBytes: 3 * 4096, memory: 'tiny' });
    await expect(capture(o)).rejects.toThrow(new InputError('/bin/true: touches more than the 12 KiB of tiny (3 pages of 4 KiB)'));
  });

  it('says so when nothing reaches DRAM, when the program fails, and when valgrind or the program is missing', async () => {
    await expect(capture(options(fakeValgrind('valgrind-silent', '==7== nothing\n')))).rejects.toThrow(
      new InputError('/bin/true: no DRAM traffic (0 memory accesses, every one a hit in the 256 B cache)'),
    );
    await expect(capture(options(fakeValgrind('valgrind-fails', LACKEY, 3)))).rejects.toThrow(new InputError('/bin/true: exited with status 3 under valgrind; no trace written'));
    await expect(capture(options(join(dir, 'no-valgrind')))).rejects.toThrow(/no-valgrind: not found: traces capture runs the program under Valgrind/);
    await expect(capture({ ...options(fakeValgrind('valgrind-ok2', LACKEY)), program: join(dir, 'no-program') })).rejects.toThrow(/no-program: no such program, or not executable$/);
    await expect(capture({ ...options(fakeValgrind('valgrind-ok3', LACKEY)), program: 'no-such-program-anywhere' })).rejects.toThrow(
      'no-such-program-anywhere: no such program, or not executable (looked on PATH)',
    );
  });
});

// ---------------------------------------------------------------------------------------------

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

async function traces(...args: string[]): Promise<string> {
  const program = new Command().name('marl-dse').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerTracesCommand(program);
  await program.parseAsync(['traces', ...args], { from: 'user' });
  return stdout;
}

/** Stores to every line of an array of argv[1] bytes, then loads every line; exits with argv[2] if given. */
const PROGRAM = `#include <stdlib.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  volatile char *a = malloc(n);
  for (long i = 0; i < n; i += 64) a[i] = 1;
  long s = 0;
  for (long i = 0; i < n; i += 64) s += a[i];
  return argc > 2 ? atoi(argv[2]) : s == n / 64 ? 0 : 1;
}
`;

describe('marl-dse traces capture under Valgrind', () => {
  const source = join(dir, 'lines.c');
  const binary = join(dir, 'lines');
  writeFileSync(source, PROGRAM);
  const cc = spawnSync('cc', ['-O1', '-o', binary, source], { encoding: 'utf8' });

  it('compiles the test program', () => {
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
  });

  it('every line of an array beyond the cache is read twice (store miss, load miss) and written back once', async () => {
    // 16 KiB cache; arrays of 256 KiB (4,096 lines) and 512 KiB (8,192 lines).
    const run = async (bytes: number) => {
      const out = join(dir, `lines-${bytes}.stl`);
      const printed = await traces('capture', '--out', out, '--llc-size', '16KiB', '--', binary, String(bytes));
      const t = readStl(out);
      let writes = 0;
      for (let i = 0; i < t.length; i++) {
        writes += t.isWrite[i];
        if (i > 0 && t.cycle[i] < t.cycle[i - 1]) throw new Error(`request ${i} goes back in time`);
      }
      return { out, printed, t, reads: t.length - writes, writes };
    };
    const small = await run(2 ** 18);
    const large = await run(2 ** 19);
    // Both runs do the same apart from 4,096 more lines: exactly that many more write-backs, twice as many more reads.
    expect(large.reads - small.reads).toBe(2 * 4096);
    expect(large.writes - small.writes).toBe(4096);
    // Start-up and libc add a little of their own.
    expect(small.reads).toBeGreaterThanOrEqual(2 * 4096);
    expect(small.reads).toBeLessThan(2 * 4096 + 3000);
    expect(small.writes).toBeGreaterThanOrEqual(4096);
    expect(small.writes).toBeLessThan(4096 + 1500);

    const header = readFileSync(small.out, 'utf8').split('\n').filter((l) => l.startsWith('#'));
    expect(header[0]).toBe(`# captured by marl-dse traces capture: ${binary} ${2 ** 18}`);
    const cache = /^# last-level cache: 16 KiB, 16 ways, 64-byte lines, LRU, write-back, write-allocate: ([\d,]+) line accesses, ([\d,]+) hits, ([\d,]+) misses, ([\d,]+) write-backs \(([\d,]+) of them at exit\)$/.exec(header[2]);
    const [accesses, hits, misses, writeBacks] = cache!.slice(1, 5).map((n) => Number(n.replaceAll(',', '')));
    expect([accesses, misses, writeBacks]).toEqual([hits + misses, small.reads, small.writes]);
    expect(header[4]).toBe('# timing: request cycle = floor(instructions · 800 MHz / (1 IPC · 3200 MHz)), in cycles of the 800 MHz trace clock (simulate --clk-mhz 800)');
    const instructions = Number(/([\d,]+) instructions/.exec(header[1])![1].replaceAll(',', ''));
    expect(small.t.cycle[small.t.length - 1]).toBe(Math.floor(instructions / 4));
    expect(small.printed).toMatch(new RegExp(`^${small.out}: [\\d,]+ requests \\([\\d,]+ reads, [\\d,]+ writes\\) from [\\d,]+ instructions, LLC hit rate [\\d.]+ %\\n$`));
    // Every address lies in the memory: the trace simulates as it is.
    const stats = simulate(small.t, loadMemSpec('ddr3-1600'), loadAddressMapping('ddr3-1600'), DEFAULT_MCCONFIG);
    expect(stats.requests).toBe(small.t.length);
  });

  it('reports a program that exits non-zero, a missing program and bad flags in one line, writing nothing', async () => {
    const out = join(dir, 'never.stl');
    await expect(traces('capture', '--out', out, '--', binary, '1024', '3')).rejects.toThrow(new InputError(`${binary} 1024 3: exited with status 3 under valgrind; no trace written`));
    await expect(traces('capture', '--out', out, '--', join(dir, 'missing'))).rejects.toThrow(new InputError(`${join(dir, 'missing')}: no such program, or not executable`));
    await expect(traces('capture', '--out', out, '--line', '32', '--', binary, '1024')).rejects.toThrow(new InputError('--line: expected at least one 64-byte DRAM burst, got 32'));
    await expect(traces('capture', '--out', out, '--llc-size', '1000', '--', binary, '1024')).rejects.toThrow(new InputError('--llc-size: 1000 bytes is not a whole number of sets of 16 ways × 64-byte lines'));
    await expect(traces('capture', '--out', out, '--ipc', '0', '--', binary, '1024')).rejects.toThrow(new InputError('--ipc: expected a number > 0, got 0'));
    expect(existsSync(out)).toBe(false);
  });
});
