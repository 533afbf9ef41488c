/** `marl-dse runs …`, through a commander program built here (the command's own wiring, no child process). */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../common/errors.js';
import { registerRunsCommand } from '../../../src/cli/runs.js';
import { EXPORT_METRICS } from '../../../src/store/export.js';
import { RunStore } from '../../../src/store/store.js';
import { evaluations, newRun, tempDir } from '../store/fixtures.js';

const dir = tempDir('runs-cli');
const db = join(dir, 'runs.sqlite');
const values = [3100, 2950, 3020, 2800, 2800];

beforeAll(() => {
  const store = RunStore.open(db);
  const finished = store.createRun(newRun({ agent: 'marl', seed: 1 }));
  store.appendEvaluations(finished, evaluations(values));
  store.setStatus(finished, 'finished', { bestValue: 2800, bestIndex: 3, evaluationsToTarget: 2, simulations: 4, wallSeconds: 12.34 });
  const running = store.createRun(newRun({ agent: 'ppo', seed: 2, trace: 'builtin:stream', target: null }));
  store.appendEvaluations(running, evaluations([4000, 3900]));
  store.close();
});

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

/** Runs `marl-dse runs ...args`; returns what it printed. */
async function runs(...args: string[]): Promise<string> {
  const program = new Command().name('marl-dse').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerRunsCommand(program);
  await program.parseAsync(['runs', ...args], { from: 'user' });
  return stdout;
}

describe('marl-dse runs list', () => {
  it('prints a table of runs, newest first', async () => {
    const out = await runs('list', '--db', db);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/run\s+│ status\s+│ agent\s+│ trace\s+│ objective\s+│ seed\s+│ evaluations\s+│ best\s+│ simulations\s+│ wall s\s+│ created \(UTC\)/);
    const body = lines.filter((l) => /^│ \d/.test(l));
    expect(body[0]).toMatch(/^│ 2\s+│ running\s+│ ppo\s+│ builtin:stream\s+│ power\s+│ 2\s+│ 2 \/ 100\s+│ 3,900 mW\s+│ 2\s+│ —\s+│ \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(body[1]).toMatch(/^│ 1\s+│ finished\s+│ marl\s+│ builtin:cloud-1\s+│ power\s+│ 1\s+│ 5 \/ 100\s+│ 2,800 mW\s+│ 4\s+│ 12.3\s+│/);
  });

  it('--json prints one array of runs; --status, --agent and --limit filter', async () => {
    const all = JSON.parse(await runs('list', '--db', db, '--json'));
    expect(all.map((r: { id: number }) => r.id)).toEqual([2, 1]);
    expect(all[1]).toMatchObject({ id: 1, status: 'finished', agent: 'marl', evaluations: 5, simulations: 4, bestValue: 2800, bestIndex: 3, evaluationsToTarget: 2, wallSeconds: 12.34, options: newRun().options });
    stdout = '';
    expect(JSON.parse(await runs('list', '--db', db, '--json', '--status', 'finished')).map((r: { id: number }) => r.id)).toEqual([1]);
    stdout = '';
    expect(JSON.parse(await runs('list', '--db', db, '--json', '--agent', 'ppo')).map((r: { id: number }) => r.id)).toEqual([2]);
    stdout = '';
    expect(JSON.parse(await runs('list', '--db', db, '--json', '--limit', '1')).map((r: { id: number }) => r.id)).toEqual([2]);
    stdout = '';
    expect(await runs('list', '--db', db, '--status', 'failed')).toBe(`no matching runs in ${db}\n`);
  });
});

describe('marl-dse runs show', () => {
  it('prints the run, its progress, best value and best design', async () => {
    const out = await runs('show', '1', '--db', db);
    expect(out).toMatch(/run\s+│ 1 \(finished\)/);
    expect(out).toMatch(/objective\s+│ power, target 3,000 mW/);
    expect(out).toMatch(/evaluations\s+│ 5 of 100/);
    expect(out).toMatch(/simulations\s+│ 4 \(1 cache hit\)/);
    expect(out).toMatch(/best value\s+│ 2,800 mW at evaluation 3/);
    expect(out).toMatch(/evaluations to target\s+│ 2\b/);
    expect(out).toMatch(/wall time\s+│ 12.3 s/);
    expect(out).toMatch(/best design\s+│ \[1,0\]/);
    expect(out).toMatch(/ {2}PagePolicy\s+│ Closed/);
    expect(out).toMatch(/ {2}RequestBufferSize\s+│ 1\b/);
  });

  it('a running run shows its progress so far', async () => {
    const out = await runs('show', '2', '--db', db);
    expect(out).toMatch(/run\s+│ 2 \(running\)/);
    expect(out).toMatch(/best value\s+│ 3,900 mW at evaluation 1/);
    expect(out).toMatch(/evaluations to target\s+│ —/);
    expect(out).toMatch(/wall time\s+│ —/);
  });

  it('--json prints one object {run, best, front}', async () => {
    const r = JSON.parse(await runs('show', '1', '--db', db, '--json'));
    expect(Object.keys(r)).toEqual(['run', 'best', 'front']);
    expect(r.front).toBeNull(); // a power run keeps no front
    expect(r.run).toMatchObject({ id: 1, bestValue: 2800 });
    expect(r.best).toEqual(JSON.parse(JSON.stringify(evaluations(values)[3])));
  });
});

describe('units', () => {
  it('list and show give each best value and target its objective\'s unit', async () => {
    const file = join(dir, 'units.sqlite');
    const store = RunStore.open(file);
    const cases = [
      ['latency', 61617.5, '61,617.5 ns'],
      ['bandwidth', 8.1034, '8.103 GB/s'],
      ['joint', 0.98765, '0.9877 × target'],
      ['pareto', 0.4321, '0.4321 normalised hypervolume'],
    ] as const;
    const ids = cases.map(([objective, value]) => {
      const id = store.createRun(newRun({ objective, target: objective === 'latency' ? 60000 : null }));
      store.appendEvaluations(id, evaluations([value]));
      return id;
    });
    store.close();
    const rows = (await runs('list', '--db', file)).split('\n').filter((l) => /^│ \d/.test(l));
    cases.forEach(([objective, , printed], k) => {
      expect(rows.find((l) => l.startsWith(`│ ${ids[k]} `))).toMatch(new RegExp(`│ ${objective}\\s+│ 1\\s+│ 1 / 100\\s+│ ${printed.replace(/[.]/g, '\\.')}\\s+│`));
    });
    stdout = '';
    expect(await runs('show', String(ids[0]), '--db', file)).toMatch(/objective\s+│ latency, target 60,000 ns/);
    stdout = '';
    expect(await runs('show', String(ids[0]), '--db', file)).toMatch(/best value\s+│ 61,617.5 ns at evaluation 0/);
  });
});

describe('marl-dse runs export', () => {
  const header = ['index', 'PagePolicy', 'RequestBufferSize', 'value', 'reward', 'best', ...EXPORT_METRICS].join(',');

  it('csv: a header, then one row per evaluation with the design by parameter name', async () => {
    const lines = (await runs('export', '1', '--format', 'csv', '--db', db)).trimEnd().split('\n');
    expect(lines[0]).toBe(header);
    expect(lines).toHaveLength(1 + values.length);
    const e = evaluations(values)[1];
    expect(lines[2]).toBe(
      [1, 'Closed', 8, 2950, e.reward, 2950, e.stats.totalTimeNs, 2950, e.stats.avgLatencyNs, e.stats.p99LatencyNs, e.stats.energyPj, e.stats.energyDelayPjNs, e.stats.bandwidthGBps].join(','),
    );
    expect(lines.slice(1).map((l) => Number(l.split(',')[5]))).toEqual([3100, 2950, 2950, 2800, 2800]);
  });

  it('json: one object {run, evaluations}', async () => {
    const r = JSON.parse(await runs('export', '2', '--format', 'json', '--db', db));
    expect(Object.keys(r)).toEqual(['run', 'evaluations']);
    expect(r.run).toMatchObject({ id: 2, agent: 'ppo', evaluations: 2 });
    expect(r.evaluations).toEqual(JSON.parse(JSON.stringify(evaluations([4000, 3900]))));
  });

  it('--out writes the file and says so', async () => {
    const out = join(dir, 'run1.csv');
    expect(await runs('export', '1', '--format', 'csv', '--db', db, '--out', out)).toBe(`${out}: 5 evaluations of run 1 (csv)\n`);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(header);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('a run without evaluations exports a header only, or an empty list', async () => {
    const store = RunStore.open(db);
    const id = store.createRun(newRun());
    store.close();
    expect(await runs('export', String(id), '--format', 'csv', '--db', db)).toBe(`index,value,reward,best,${EXPORT_METRICS.join(',')}\n`);
    stdout = '';
    expect(JSON.parse(await runs('export', String(id), '--format', 'json', '--db', db)).evaluations).toEqual([]);
  });
});

describe('marl-dse runs export | head', () => {
  it('stops quietly when the reader of stdout goes away', async () => {
    const path = join(dir, 'big.sqlite');
    const store = RunStore.open(path);
    const id = store.createRun(newRun());
    store.appendEvaluations(id, evaluations(Array.from({ length: 3000 }, (_, i) => 5000 - i)));
    store.close();
    // The built command in a process of its own, its stdout a pipe that is closed after the first block.
    const runsJs = pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'cli', 'runs.js')).href;
    const script = `import { Command } from 'commander'; import { registerRunsCommand } from '${runsJs}';
      const p = new Command(); registerRunsCommand(p);
      await p.parseAsync(['runs', 'export', '${id}', '--format', 'csv', '--db', ${JSON.stringify(path)}], { from: 'user' });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(first.startsWith('index,PagePolicy,RequestBufferSize,value')).toBe(true);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('marl-dse runs: bad input', () => {
  const missing = join(dir, 'nowhere.sqlite');
  const notes = join(dir, 'notes.txt');
  writeFileSync(notes, 'not a database\n');
  const cases: Array<[string, string[], string]> = [
    ['an unknown run', ['show', '42', '--db', db], `run 42: no such run in ${db}`],
    ['an unknown run, exported', ['export', '42', '--format', 'csv', '--db', db], `run 42: no such run in ${db}`],
    ['a run id that is not a number', ['show', 'latest', '--db', db], 'run latest: expected a run id (a positive integer)'],
    ['a bad --format', ['export', '1', '--format', 'xml', '--db', db], '--format xml: expected csv or json'],
    ['a missing store', ['list', '--db', missing], `${missing}: no such run store`],
    ['a missing store, shown', ['show', '1', '--db', missing], `${missing}: no such run store`],
    ['a file that is not a store', ['list', '--db', notes], `${notes}: not a marl-dse run store (file is not a database)`],
    ['a bad --status', ['list', '--db', db, '--status', 'done'], '--status done: expected one of running, finished, interrupted, failed'],
    ['a bad --limit', ['list', '--db', db, '--limit', '0'], '--limit 0: expected a positive integer'],
    ['--front on a run that is not pareto', ['export', '1', '--front', '--format', 'csv', '--db', db], '--front: run 1 searched for power; only a pareto run keeps a front'],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one-line InputError`, async () => {
      const error = await runs(...args).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(message);
      expect(message).not.toContain('\n');
    });
  }

  it('reading never creates a store', () => {
    expect(existsSync(missing)).toBe(false);
    expect(readFileSync(notes, 'utf8')).toBe('not a database\n');
  });

  it('--format is required', async () => {
    await expect(runs('export', '1', '--db', db)).rejects.toThrow(/required option '--format <format>' not specified/);
  });
});
