/**
 * Traces read from a named pipe: opened once, detected from the bytes that arrived, read once.
 * Each case runs in a child process with a timeout, so a reader that waits for a writer that never
 * comes fails the test instead of hanging the suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-pipes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fifos = 0;

/** Runs `command` (argv for node) while `cat source > fifo` writes the trace into a new named pipe. */
function throughPipe(source: string, args: (fifo: string) => string[]) {
  const fifo = join(dir, `pipe-${fifos++}`);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const quoted = [process.execPath, ...args(fifo)].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const r = spawnSync('sh', ['-c', `cat '${source}' > '${fifo}' & exec ${quoted}`], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('a named pipe as the trace', () => {
  it('simulate reads it to the end and does not wait for another writer', () => {
    const stl = file('t.stl', '# piped\n0:\tread\t0x0\n5:\twrite\t0x40\n9:\tread\t0x10000\n');
    const r = throughPipe(stl, (fifo) => [CLI, 'simulate', '--trace', fifo, '--json']);
    expect(r.signal).toBe(null);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 3, writes: 1 });
  });

  it('detects the format from the bytes that arrived and hands them to the reader', () => {
    const ramulator = file('t.trace', '# a header\n0x40 R\n0x80 W\n0xc0 R\n');
    const r = throughPipe(ramulator, (fifo) => [CLI, 'traces', 'inspect', fifo, '--json']);
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 3, reads: 2, writes: 1, lastCycle: 2 });
  });

  it('refuses a second reading in one line', () => {
    const stl = file('u.stl', '0:\tread\t0x0\n');
    const script = `
      import { openTraceFile } from ${JSON.stringify(join(ROOT, 'dist', 'traces', 'formats.js'))};
      const t = openTraceFile(process.argv[1]);
      let n = 0;
      for (const c of t.chunks()) n += c.length;
      try { for (const c of t.chunks()) n += c.length; } catch (e) { console.log(n, e.message); }`;
    const r = throughPipe(stl, (fifo) => ['--input-type=module', '-e', script, fifo]);
    expect(r.signal).toBe(null);
    expect(r.stdout.trim()).toMatch(/^1 .*pipe-\d+: a pipe or device can be read only once \(write the trace to a file to use it more than once\)$/);
  });
});
