import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStl, StlFileSource, writeStl } from '../../traces/stl.js';
import { randomTrace } from '../../traces/generators.js';

const dir = mkdtempSync(join(tmpdir(), 'marl-dse-stl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('.stl reader', () => {
  it('reads requests, skipping comments and blank lines, ignoring data fields', () => {
    const p = file(
      'ok.stl',
      '# a comment\n\n0:\tread\t0x0\n5:\twrite\t0x40\t0x0102030405\r\n  7: READ 0x1000  # trailing comment\n9:\tread\t0x1fc0',
    );
    const t = readStl(p);
    expect(t.length).toBe(4);
    expect(Array.from(t.cycle)).toEqual([0, 5, 7, 9]);
    expect(Array.from(t.address)).toEqual([0, 0x40, 0x1000, 0x1fc0]);
    expect(Array.from(t.isWrite)).toEqual([0, 1, 0, 0]);
  });

  it('accepts what DRAMSys accepts: data lengths, zero-padded or bare hex, CR or CRLF line ends, a BOM', () => {
    const p = file('dramsys.stl', '\ufeff0:\t(64)\tread\t0x0000000000000040\r1:\twrite\t80\r\n2:\tread\t0X1F\r');
    const t = readStl(p);
    expect(Array.from(t.cycle)).toEqual([0, 1, 2]);
    expect(Array.from(t.address)).toEqual([0x40, 0x80, 0x1f]);
    expect(Array.from(t.isWrite)).toEqual([0, 1, 0]);
    expect(() => readStl(file('long.stl', '0:\t(128)\tread\t0x0\n'))).toThrow(/long\.stl:1: data length 128 is longer than one 64-byte burst/);
  });

  it('counts lines the same with LF, CRLF and CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const p = file('eol.stl', ['0:\tread\t0x0', '# c', '1:\tread\t0x40', '2:\tfetch\t0x80'].join(eol) + eol);
      expect(() => readStl(p)).toThrow(`${p}:4: unknown command`);
    }
  });

  const bad: Array<[string, string, string]> = [
    ['no colon', '0:\tread\t0x0\n12 read 0x40\n', 'bad.stl:2: missing ":" after the cycle in "12 read 0x40"'],
    ['unknown command', '3:\tfetch\t0x40\n', 'bad.stl:1: unknown command (not read or write) in "3:\tfetch\t0x40"'],
    ['missing address', '3:\tread\n', 'bad.stl:1: missing hex address'],
    ['bad hex', '3:\tread\t0x4g0\n', 'bad.stl:1: bad character in address'],
    ['a negative cycle', '-5:\tread\t0x0\n', 'bad.stl:1: cycle is not a whole number of cycles ≥ 0 in "-5:\tread\t0x0"'],
    ['a fractional cycle', '0:\tread\t0x0\n1.5:\tread\t0x40\n', 'bad.stl:2: cycle is not a whole number of cycles ≥ 0 in "1.5:\tread\t0x40"'],
    ['time going backwards', '8:\tread\t0x0\n# note\n3:\tread\t0x40\n', "bad.stl:3: cycle 3 is earlier than the previous request's cycle 8"],
  ];
  for (const [what, text, message] of bad) {
    it(`reports ${what} with file and line`, () => {
      const p = file('bad.stl', text);
      expect(() => readStl(p)).toThrow(message.replace('bad.stl', p));
    });
  }

  it('reads line ends split across its 1 MiB read blocks, and a last line without one', () => {
    // A CRLF whose CR is a block's last byte, a lone CR there, then a last line with no line end
    // (after a block, so the buffer past it holds older bytes).
    for (const eol of ['\r\n', '\r']) {
      const line = (i: number): string => `${i}:\tread\t0x${(i * 64).toString(16).padStart(12, 'f')}`;
      const crAt = 2 ** 20 - 1;
      let text = '';
      let n = 0;
      while (text.length + 200 < crAt) text += line(n++) + '\n';
      const last = line(n++);
      // A comment pads the block so that the line end after `last` starts at its last byte.
      text += '#'.padEnd(crAt - text.length - last.length - 1, ' ') + '\n' + last;
      expect(text.length).toBe(crAt);
      text += eol;
      for (let k = 0; k < 3000; k++) text += line(n++) + '\n';
      text += `${n}:\tread\t0x4`;
      const t = readStl(file('blocks.stl', text));
      expect(t.length).toBe(n + 1);
      expect(t.address[n]).toBe(4);
      expect(t.cycle[n]).toBe(n);
      for (let i = 0; i < n; i += 997) expect(t.address[i]).toBe(parseInt(line(i).split('0x')[1], 16));
    }
  });

  it('reads lines written otherwise than DRAMSys writes them the same way (one pass for the usual form, the general parser for the rest)', () => {
    const usual = readStl(file('usual.stl', '0:\tread\t0x40\n1:\twrite\t0x80\n2:\tread\t0x1fffffffffffff\n'));
    const other = readStl(file('other.stl', ' 0: READ 0x0000000000000040\n1:\t(64)\twrite\t80\t0x00\n2:  read\t0x1FFFFFFFFFFFFF # note\n'));
    expect(other).toEqual({ ...usual, name: other.name });
    expect(Array.from(usual.address)).toEqual([0x40, 0x80, 2 ** 53 - 1]);
    expect(() => readStl(file('big.stl', '0:\tread\t0x20000000000000\n'))).toThrow(/big\.stl:1: address beyond 2\^53/);
    expect(() => readStl(file('cycle.stl', '12345678901234567:\tread\t0x0\n'))).toThrow(/cycle\.stl:1: cycle too large/);
  });

  it('reports a missing file in one line', () => {
    expect(() => new StlFileSource(join(dir, 'nope.stl'))).toThrow(/nope\.stl: cannot open trace \(ENOENT\)/);
  });

  it('streams large files in chunks and round-trips through the writer', () => {
    // 200,000 requests: several 1 MiB read blocks and 64 Ki-request chunks, lines split across blocks.
    const trace = randomTrace({ requests: 200_000, readShare: 0.7, seed: 3 });
    const p = join(dir, 'big.stl');
    writeStl(trace, p, 'generated for a test');
    let n = 0;
    let chunks = 0;
    for (const c of new StlFileSource(p).chunks()) {
      for (let i = 0; i < c.length; i++, n++) {
        if (c.cycle[i] !== trace.cycle[n] || c.address[i] !== trace.address[n] || c.isWrite[i] !== trace.isWrite[n]) {
          throw new Error(`request ${n} differs`);
        }
      }
      chunks++;
    }
    expect(n).toBe(200_000);
    expect(chunks).toBeGreaterThan(1);
  });
});
