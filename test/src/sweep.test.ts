/** `marl-dse sweep`, `marl-dse space`: ground truth with resume, and their bad input. */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessEvaluator, loadWorkload } from '../../src/evaluator/index.js';
import { parseSpace } from '../../src/space/space.js';
import { sweep, sweepBest } from '../../src/sweep.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const spaceDoc = {
  name: 'small',
  parameters: [
    { name: 'PagePolicy', values: ['Open', 'Closed'] },
    { name: 'Scheduler', values: ['Fifo', 'FrFcfs'] },
    { name: 'RequestBufferSize', values: [1, 8] },
    { name: 'Arbiter', values: ['Simple', 'Fifo'] },
    { name: 'MaxActiveTransactions', values: [1, 16] },
  ],
};
const spaceFile = join(dir, 'small.json');
writeFileSync(spaceFile, JSON.stringify(spaceDoc));
const space = parseSpace(spaceDoc, 'small.json');
const workload = loadWorkload({ trace: 'builtin:random' });

describe('sweep', () => {
  it('writes one row per design in design order, sharing simulations between equivalent designs', async () => {
    const out = join(dir, 'full.csv');
    const r = await sweep({ space, evaluator: inProcessEvaluator(workload), out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(33);
    expect(lines[0]).toBe('index,PagePolicy,Scheduler,RequestBufferSize,Arbiter,MaxActiveTransactions,totalTimeNs,averagePowerMw,avgLatencyNs,p99LatencyNs,energyPj,bandwidthGBps,rowHits,rowMisses,rowConflicts');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: 32 }, (_, i) => i));
    // Under the Simple arbiter MaxActiveTransactions has no effect: 8 of 32 designs are free.
    expect(r.simulations).toBe(24);
    expect(r.cacheHits).toBe(8);
    expect(r.best.totalTimeNs).toEqual(sweepBest(out, 'totalTimeNs'));
  });

  it('resumes after an interruption (a torn last line included) and ends with the same file', async () => {
    const full = join(dir, 'full.csv');
    const out = join(dir, 'resumed.csv');
    let batches = 0;
    const first = await sweep({ space, evaluator: inProcessEvaluator(workload), out, batch: 5, shouldStop: () => ++batches > 2 });
    expect(first.designs).toBe(10);
    appendFileSync(out, '10,Open,Fr'); // killed in the middle of a write
    const second = await sweep({ space, evaluator: inProcessEvaluator(workload), out, batch: 5 });
    expect(second.resumedFrom).toBe(10);
    expect(second.designs).toBe(32);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(full, 'utf8'));
  });

  it('refuses to append to a sweep of another trace', async () => {
    const out = join(dir, 'full.csv');
    const other = loadWorkload({ trace: 'builtin:stream' });
    await expect(sweep({ space, evaluator: inProcessEvaluator(other), out })).rejects.toThrow(/holds a different sweep/);
  });

  it('survives SIGKILL from the command line and resumes to the same result', async () => {
    const args = ['sweep', '--trace', 'builtin:cloud-1', '--space', spaceFile, '--out'];
    const ref = join(dir, 'cli-ref.csv');
    expect(cli(...args, ref).code).toBe(0);
    const out = join(dir, 'cli-killed.csv');
    const child = spawn(process.execPath, [CLI, ...args, out], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const again = cli(...args, out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).completed).toBe(32);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(ref, 'utf8'));
  });
});

describe('space and sweep commands: bad input', () => {
  it('space prints the reference space with its size', () => {
    const r = cli('space', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).designs).toBe(442_368);
  });

  const bad = join(dir, 'bad-space.json');
  writeFileSync(bad, JSON.stringify({ parameters: [{ name: 'Scheduler', values: ['Fifo', 'Lottery'] }] }));
  const typo = join(dir, 'typo-space.json');
  writeFileSync(typo, JSON.stringify({ parameters: [{ name: 'PagePolicyy', values: ['Open'] }] }));
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown value in a space file', ['space', '--space', bad], /^marl-dse: .*bad-space\.json: parameters\[0\]\.values: Scheduler: unknown value "Lottery"/],
    ['an unknown key in a space file', ['sweep', '--trace', 'builtin:stream', '--space', typo, '--out', join(dir, 'x.csv')], /^marl-dse: .*typo-space\.json: parameters\[0\]\.PagePolicyy: unknown mcconfig key/],
    ['an unknown built-in space', ['space', '--space', 'huge'], /^marl-dse: space "huge": not a built-in space/],
    ['a bad worker count', ['sweep', '--trace', 'builtin:stream', '--workers', '0', '--out', join(dir, 'y.csv')], /^marl-dse: --workers 0: expected an integer from 1 to 256/],
    ['an --out below a file', ['sweep', '--trace', 'builtin:stream', '--space', spaceFile, '--out', join(dir, 'bad.trace', 'w.csv')], /^marl-dse: --out .*bad\.trace\/w\.csv: cannot create its folder \(ENOTDIR\)/],
    ['a corrupt trace in another format', ['sweep', '--trace', 'dramsim3:' + join(dir, 'bad.trace'), '--space', spaceFile, '--out', join(dir, 'z.csv')], /^marl-dse: .*bad\.trace:2: /],
  ];
  writeFileSync(join(dir, 'bad.trace'), '0x40 READ 0\n0x80 FETCH 1\n');
  for (const [what, args, message] of cases) {
    it(`rejects ${what}: one line, exit code 2`, () => {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
  it('leaves no output file behind for bad input', () => {
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});
