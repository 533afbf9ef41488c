import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../common/errors.js';
import { type Trace, type TraceSource, TraceBuilder, chunksOf } from '../../simulators/trace.js';
import { openTrace } from '../../traces/builtin.js';
import { DramSim3FileSource, dramsim3Line } from '../../traces/dramsim3.js';
import { detectTraceFormat, formatOfLine, openTraceFile, parseTraceFileSpec } from '../../traces/formats.js';
import { generateTrace } from '../../traces/generators.js';
import { RamulatorFileSource, ramulatorLine } from '../../traces/ramulator.js';
import { readStl, writeStl } from '../../traces/stl.js';

const dir = mkdtempSync(join(tmpdir(), 'marl-dse-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function collect(source: Trace | TraceSource): Trace {
  const b = new TraceBuilder();
  for (const c of chunksOf(source)) for (let i = 0; i < c.length; i++) b.push(c.cycle[i], c.address[i], c.isWrite[i] === 1);
  return b.build(source.name);
}

function plain(t: Trace) {
  return { cycle: Array.from(t.cycle), address: Array.from(t.address), isWrite: Array.from(t.isWrite) };
}

const mixed = generateTrace('random', { requests: 3000, seed: 6, readShare: 0.6, gapDistribution: 'exponential', gapMeanCycles: 5 });

describe('Ramulator traces', () => {
  it('reads "0xADDR R|W" lines, one request per cycle, skipping blanks and comments', () => {
    const p = file('ok.trace', '# from ramulator\n0x40 R\n\n0x80\tW\r\n  0X1000 r  # trailing\n1fc0 w\n');
    expect(plain(collect(new RamulatorFileSource(p)))).toEqual({ cycle: [0, 1, 2, 3], address: [0x40, 0x80, 0x1000, 0x1fc0], isWrite: [0, 1, 0, 1] });
  });

  it('counts lines the same with LF, CRLF and CR line ends, and skips a byte-order mark', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const p = file('eol.trace', '\ufeff' + ['0x40 R', '# c', '0x80 W', '0xc0 Q'].join(eol) + eol);
      expect(() => collect(new RamulatorFileSource(p))).toThrow(`${p}:4: unknown request type`);
      const good = file('eol-ok.trace', '\ufeff' + ['0x40 R', '# c', '0x80 W'].join(eol));
      expect(plain(collect(new RamulatorFileSource(good)))).toEqual({ cycle: [0, 1], address: [0x40, 0x80], isWrite: [0, 1] });
    }
  });

  it('round-trips through .stl (cycles become request indices)', () => {
    const p = file('mixed.trace', Array.from(mixed.address, (a, i) => ramulatorLine(a, mixed.isWrite[i] === 1)).join('\n') + '\n');
    const stl = join(dir, 'mixed-from-ramulator.stl');
    writeStl(new RamulatorFileSource(p), stl);
    const back = readStl(stl);
    expect(plain(back)).toEqual({ ...plain(mixed), cycle: Array.from({ length: mixed.length }, (_, i) => i) });
  });

  it('streams files of several blocks and chunks', () => {
    const big = generateTrace('random', { requests: 150_000, seed: 2, readShare: 0.5 });
    const p = file('big.trace', Array.from(big.address, (a, i) => ramulatorLine(a, big.isWrite[i] === 1)).join('\n'));
    let n = 0;
    let chunks = 0;
    for (const c of new RamulatorFileSource(p).chunks()) {
      for (let i = 0; i < c.length; i++, n++) {
        if (c.address[i] !== big.address[n] || c.isWrite[i] !== big.isWrite[n] || c.cycle[i] !== n) throw new Error(`request ${n} differs`);
      }
      chunks++;
    }
    expect(n).toBe(150_000);
    expect(chunks).toBeGreaterThan(2);
  });

  const bad: Array<[string, string, string]> = [
    ['an unknown type', '0x40 R\n0x80 X\n', 'bad.trace:2: unknown request type (not R or W) in "0x80 X" (expected a ramulator line "0x<hex address> R|W")'],
    ['a missing type', '0x40\n', 'bad.trace:1: missing R or W in "0x40"'],
    ['a bad address', '# c\n0x4g0 R\n', 'bad.trace:2: bad character in address in "0x4g0 R"'],
    ['an empty address', '0x W\n', 'bad.trace:1: empty address'],
    ['a huge address', '0x40000000000000 R\n', 'bad.trace:1: address beyond 2^53'],
    ['extra fields', '0x40 R 12\n', 'bad.trace:1: unexpected text after R or W in "0x40 R 12"'],
  ];
  for (const [what, text, message] of bad) {
    it(`reports ${what} with file and line`, () => {
      const p = file('bad.trace', text);
      expect(() => collect(new RamulatorFileSource(p))).toThrow(InputError);
      expect(() => collect(new RamulatorFileSource(p))).toThrow(message.replace('bad.trace', p));
    });
  }
});

describe('DRAMsim3 traces', () => {
  it('reads "0xADDR READ|WRITE cycle" lines', () => {
    const p = file('ok.txt', '0x40 READ 0\n0x80 WRITE 7\n\n0x1000 read 7 # c\n0x1fc0\twrite\t120\r\n');
    expect(plain(collect(new DramSim3FileSource(p)))).toEqual({ cycle: [0, 7, 7, 120], address: [0x40, 0x80, 0x1000, 0x1fc0], isWrite: [0, 1, 0, 1] });
  });

  it('round-trips through .stl, cycles included', () => {
    const p = file('mixed.txt', Array.from(mixed.address, (a, i) => dramsim3Line(mixed.cycle[i], a, mixed.isWrite[i] === 1)).join('\n') + '\n');
    const stl = join(dir, 'mixed-from-dramsim3.stl');
    writeStl(new DramSim3FileSource(p), stl);
    expect(plain(readStl(stl))).toEqual(plain(mixed));
  });

  const bad: Array<[string, string, string]> = [
    ['a missing cycle', '0x40 READ 3\n0x80 WRITE\n', 'bad.txt:2: missing cycle in "0x80 WRITE" (expected a dramsim3 line "0x<hex address> READ|WRITE <cycle>")'],
    ['an unknown type', '0x40 FETCH 3\n', 'bad.txt:1: unknown request type (not READ or WRITE) in "0x40 FETCH 3"'],
    ['a bad cycle', '0x40 READ 3x\n', 'bad.txt:1: bad character in cycle in "0x40 READ 3x"'],
    ['a negative cycle', '0x40 READ -3\n', 'bad.txt:1: bad character in cycle'],
    ['extra fields', '0x40 READ 3 4\n', 'bad.txt:1: unexpected text after the cycle'],
    ['time going backwards', '0x40 READ 8\n0x80 READ 3\n', "bad.txt:2: cycle 3 is earlier than the previous request's cycle 8"],
  ];
  for (const [what, text, message] of bad) {
    it(`reports ${what} with file and line`, () => {
      const p = file('bad.txt', text);
      expect(() => collect(new DramSim3FileSource(p))).toThrow(message.replace('bad.txt', p));
    });
  }
});

describe('format detection and openTrace', () => {
  it('tells the formats apart from one line', () => {
    expect(formatOfLine('0:\tread\t0x40')).toBe('stl');
    expect(formatOfLine('12 : write 0x40')).toBe('stl');
    expect(formatOfLine('0x40 R')).toBe('ramulator');
    expect(formatOfLine('40 w')).toBe('ramulator');
    expect(formatOfLine('0x40 READ 12')).toBe('dramsim3');
    expect(formatOfLine('0x40 write')).toBe('dramsim3');
    // Corrupt lines go to the parser of the format they were meant to be, which names the problem.
    expect(formatOfLine('0x40 X')).toBe('ramulator');
    expect(formatOfLine('0x40 X 12')).toBe('dramsim3');
    expect(formatOfLine('hello')).toBe(null);
    // A cycle that is not a whole number still makes an .stl line, so the .stl reader names the problem.
    expect(formatOfLine('-5:\tread\t0x40')).toBe('stl');
    expect(formatOfLine('1.5:\tread\t0x40')).toBe('stl');
    expect(formatOfLine('x:\tread\t0x40')).toBe('stl');
  });

  it('detects a file\'s format from its first request line, past comments and blank lines', () => {
    expect(detectTraceFormat(file('d1', '# header\n\n0x40 R\n'))).toBe('ramulator');
    expect(detectTraceFormat(file('d2', '# 0x40 R\n0x40 READ 1\n'))).toBe('dramsim3');
    expect(detectTraceFormat(file('d3', '0:\tread\t0x0\n'))).toBe('stl');
    expect(detectTraceFormat(file('d4', ''))).toBe('stl');
    expect(detectTraceFormat(join(dir, 'missing'))).toBe('stl');
    // A byte-order mark and CR line ends, which the readers accept, do not confuse detection.
    expect(detectTraceFormat(file('d5', '\ufeff0:\tread\t0x40\n'))).toBe('stl');
    expect(detectTraceFormat(file('d6', '# header\r0x40 READ 1\r'))).toBe('dramsim3');
    expect(detectTraceFormat(file('d7', '\ufeff0x40 W\r\n'))).toBe('ramulator');
  });

  it('opens a plain path in its detected format and a prefixed one in the named format', () => {
    const ram = file('a.trace', '0x40 R\n0x80 W\n');
    const ds3 = file('a.txt', '0x40 READ 5\n0x80 WRITE 9\n');
    const stl = file('a.stl', '5:\tread\t0x40\n9:\twrite\t0x80\n');
    expect(plain(collect(openTrace(ram)))).toEqual({ cycle: [0, 1], address: [0x40, 0x80], isWrite: [0, 1] });
    expect(plain(collect(openTrace(ds3)))).toEqual(plain(collect(openTrace(stl))));
    expect(plain(collect(openTrace(`ramulator:${ram}`)))).toEqual(plain(collect(openTrace(ram))));
    expect(plain(collect(openTrace(`dramsim3:${ds3}`)))).toEqual(plain(collect(openTrace(ds3))));
    expect(plain(collect(openTrace(`stl:${stl}`)))).toEqual(plain(collect(openTrace(stl))));
    expect(openTrace(`ramulator:${ram}`).name).toBe(ram);
    // The named format wins over detection: a Ramulator file read as DRAMsim3 fails on its first line.
    expect(() => collect(openTrace(`dramsim3:${ram}`))).toThrow(`${ram}:1: unknown request type (not READ or WRITE) in "0x40 R"`);
    expect(() => collect(openTraceFile(ram, 'stl'))).toThrow(`${ram}:1: missing ":" after the cycle`);
  });

  it('gives a one-line error naming file and line for a corrupt file of any format', () => {
    const ram = file('c.trace', '0x40 R\n0x80 W\n0x1000 Q\n');
    const ds3 = file('c.txt', '0x40 READ 5\n0x80 WRITE nine\n');
    for (const [path, message] of [
      [ram, `${ram}:3: unknown request type (not R or W) in "0x1000 Q"`],
      [ds3, `${ds3}:2: bad character in cycle in "0x80 WRITE nine"`],
    ]) {
      let error: unknown;
      try {
        collect(openTrace(path));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reports a negative or fractional cycle as an .stl error, not as another format\'s', () => {
    for (const cycle of ['-5', '1.5']) {
      const p = file('cycle.stl', `# header\n${cycle}:\tread\t0x40\n`);
      expect(() => collect(openTrace(p))).toThrow(`${p}:2: cycle is not a whole number of cycles ≥ 0 in "${cycle}:\tread\t0x40" (expected "<cycle>:<TAB>read|write<TAB>0x<hex address>")`);
    }
  });

  it('reports missing files and empty prefixed paths in one line', () => {
    expect(() => openTrace(`ramulator:${join(dir, 'nope')}`)).toThrow(/nope: cannot open trace \(ENOENT\)/);
    expect(() => openTrace(join(dir, 'nope'))).toThrow(/nope: cannot open trace \(ENOENT\)/);
    expect(() => openTrace('dramsim3:')).toThrow('trace dramsim3:: missing file path after "dramsim3:"');
  });

  it('treats only known format names as prefixes', () => {
    expect(parseTraceFileSpec('ramulator:x.trace')).toEqual({ format: 'ramulator', path: 'x.trace' });
    expect(parseTraceFileSpec('C:\\traces\\x.stl')).toEqual({ path: 'C:\\traces\\x.stl' });
    expect(parseTraceFileSpec('run:2/x.stl')).toEqual({ path: 'run:2/x.stl' });
  });
});
