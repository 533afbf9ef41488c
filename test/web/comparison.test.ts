/**
 * The dashboard over a `marl-dse compare` folder: the comparison's verdicts, optima and targets go
 * to every client (again when the comparison is re-scored), its report is served behind the same
 * guards as the page, and `serve --compare` checks its folder.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION as v } from '../../src/server/protocol.js';
import { type DashboardServer, startServer } from '../../src/server/server.js';
import { servedStore } from '../../src/cli/serve.js';
import { CLI, requireBuild, TestClient, tempDir } from './fixtures.js';

const dir = tempDir('comparison');
const out = join(dir, 'cmp');
let server: DashboardServer;

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  requireBuild();
  // A space of 6 designs swept completely, so the comparison knows its true optimum.
  const space = join(dir, 'six.json');
  writeFileSync(space, JSON.stringify({ name: 'six', parameters: [
    { name: 'PagePolicy', values: ['Open', 'Closed'] },
    { name: 'Scheduler', values: ['Fifo', 'FrFcfsGrp', 'FrFcfs'] },
  ] }));
  expect(cli('sweep', '--trace', 'builtin:cloud-1', '--space', space, '--out', join(dir, 'truth', 'cloud-1.csv'), '--json').code).toBe(0);
  const r = cli('compare', '--agents', 'marl,random', '--traces', 'builtin:cloud-1', '--objectives', 'latency', '--seeds', '2', '--budget', '6',
    '--space', space, '--ground-truth', join(dir, 'truth'), '--out', out, '--json');
  // Nothing on stderr but the line saying 2 seeds cannot give a significant test.
  expect(r.stderr).toMatch(/^marl-dse: warning: --seeds 2: [^\n]*\n$/);
  server = await startServer({ db: servedStore({ compare: out }), port: 0, pollMs: 50 });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe('a comparison folder', () => {
  it('sends the comparison on connect: verdicts, true optimum and target per cell', async () => {
    const c = await TestClient.connect(server.url);
    const { comparison } = await c.next('comparison');
    expect(comparison).not.toBeNull();
    expect(comparison!).toMatchObject({ name: 'cmp', runs: 4, report: true });
    expect(comparison!.cells).toHaveLength(1);
    const cell = comparison!.cells[0];
    expect(cell).toMatchObject({ trace: 'builtin:cloud-1', objective: 'latency', unit: 'ns' });
    expect(cell.verdict).toMatch(/^builtin:cloud-1 \/ latency: /);
    expect(cell.target).toBeCloseTo(cell.optimum! * 1.01, 6);
    expect(cell.agents.map((a) => a.agent)).toEqual(['marl', 'random']);
    c.send({ type: 'list-runs', version: v });
    expect((await c.next('runs')).runs).toHaveLength(4);
    c.close();
  });

  it('sends it again to every client when the comparison is re-scored', async () => {
    const c = await TestClient.connect(server.url);
    await c.next('comparison');
    const seen = c.messages.length;
    expect(cli('compare', '--resume', out, '--tolerance', '0', '--json').code).toBe(0);
    const { comparison } = await c.next('comparison', seen);
    expect(comparison!.cells[0].target).toBe(comparison!.cells[0].optimum);
    c.close();
  });

  it('serves the report, and no report for a store that is not a comparison', async () => {
    const res = await fetch(new URL('/comparison/report.html', server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<svg /);
    const elsewhere = join(dir, 'plain.sqlite');
    cli('search', '--agent', 'random', '--trace', 'builtin:stream', '--objective', 'power', '--budget', '2', '--db', elsewhere, '--json');
    const other = await startServer({ db: elsewhere, port: 0 });
    try {
      expect((await fetch(new URL('/comparison/report.html', other.url))).status).toBe(404);
      const c = await TestClient.connect(other.url);
      await c.next('hello');
      c.send({ type: 'list-runs', version: v });
      await c.next('runs');
      expect(c.of('comparison')).toHaveLength(0);
      c.close();
    } finally {
      await other.close();
    }
  });

  it('serve --compare: one folder, checked', () => {
    expect(servedStore({ compare: out })).toBe(join(out, 'runs.sqlite'));
    expect(() => servedStore({ compare: dir })).toThrow(/--compare .*: not a comparison folder \(no compare\.json/);
    expect(() => servedStore({ compare: out, db: 'x.sqlite' })).toThrow(/--db and --compare: give one/);
  });
});
