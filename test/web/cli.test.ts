/** `marl-dse serve` in a child process, from the build: it prints the URL, serves, and stops on Ctrl-C. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/store.js';
import { CLI, newRun, requireBuild, tempDir, waitForText } from './fixtures.js';

const dir = tempDir('serve-cli');
const db = join(dir, 'runs.sqlite');

function serve(...args: string[]) {
  const proc = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return { proc, exited, out: () => out, err: () => err };
}

beforeAll(() => {
  requireBuild();
  const store = RunStore.open(db);
  store.createRun(newRun());
  store.close();
});

describe('marl-dse serve', () => {
  it('prints the URL, serves the store, and exits cleanly on Ctrl-C', async () => {
    const s = serve('--port', '0', '--db', db);
    const [, url] = await waitForText(s.out, /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)\n/, 'the URL');
    expect((await fetch(url)).status).toBe(200);
    s.proc.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it('on another interface, prints a URL with a generated token', async () => {
    const s = serve('--port', '0', '--db', db, '--host', '0.0.0.0');
    const [, port, token] = await waitForText(s.out, /dashboard: http:\/\/[^:]+:(\d+)\/\?token=([\w-]+)\n/, 'the URL');
    expect(s.out()).toMatch(/require the token/);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/?token=${token}`)).status).toBe(200);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('bad input is one line and exit code 2', async () => {
    for (const [args, message] of [
      [['--port', 'http'], /--port http: expected an integer/],
      [['--port', '0', '--db', join(dir, 'none.sqlite')], /none\.sqlite: no such run store/],
      [['--port', '0', '--db', db, '--token', 'x y'], /--token: expected/],
      [['--port', '0', '--compare', dir], /--compare .*: not a comparison folder/],
    ] as const) {
      const s = serve(...args);
      expect(await s.exited).toBe(2);
      expect(s.err()).toMatch(message);
      expect(s.err().trim().split('\n')).toHaveLength(1);
    }
  });
});
