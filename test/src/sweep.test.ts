/** `marl-dse sweep`, `marl-dse space`: ground truth with resume, and their bad input. */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../common/format.js';
import { inProcessEvaluator, loadWorkload } from '../../src/evaluator/index.js';
import { parseSpace } from '../../src/space/space.js';
import { sweep, sweepBest, SWEEP_METRICS } from '../../src/sweep.js';
import { designToConfig } from '../../src/space/space.js';
import { validDesignAt } from '../../src/space/masks.js';
import { simulate } from '../../simulators/dram/simulate.js';
import { combineStats } from '../../src/evaluator/combine.js';

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
/** A space big enough that a sweep of it is still running when the test acts. */
const wideFile = join(dir, 'wide.json');
writeFileSync(wideFile, JSON.stringify({ ...spaceDoc, name: 'wider', parameters: [...spaceDoc.parameters, { name: 'RespQueue', values: ['Fifo', 'Reorder'] }, { name: 'SchedulerBuffer', values: ['Bankwise', 'ReadWrite', 'Shared'] }] }));
const WIDE_DESIGNS = 32 * 2 * 3;

function rowsIn(csv: string): number {
  return existsSync(csv) ? Math.max(0, readFileSync(csv, 'utf8').split('\n').length - 2) : 0;
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}
const workload = loadWorkload({ trace: 'builtin:random' });

describe('sweep', () => {
  it('writes one row per design in design order, sharing simulations between equivalent designs', async () => {
    const out = join(dir, 'full.csv');
    const r = await sweep({ space, evaluator: inProcessEvaluator(workload), out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(33);
    expect(lines[0]).toBe('index,PagePolicy,Scheduler,RequestBufferSize,Arbiter,MaxActiveTransactions,totalTimeNs,averagePowerMw,avgLatencyNs,p99LatencyNs,energyPj,energyDelayPjNs,bandwidthGBps,rowHits,rowMisses,rowConflicts');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(Array.from({ length: 32 }, (_, i) => i));
    // Under the Simple arbiter MaxActiveTransactions has no effect: 8 of 32 designs are free.
    expect(r.simulations).toBe(24);
    expect(r.cacheHits).toBe(8);
    expect(r.best.totalTimeNs).toEqual(sweepBest(out, 'totalTimeNs'));
  });

  it('resumes after an interruption (a torn last line included) and ends with the same file', async () => {
    const full = join(dir, 'full.csv');
    const out = join(dir, 'resumed.csv');
    // Stopped (Ctrl-C) once two chunks of 5 are written: the evaluation in flight is given up.
    const stop = new AbortController();
    const first = await sweep({
      space,
      evaluator: inProcessEvaluator(workload, undefined, stop.signal),
      out,
      chunk: 5,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done >= 10) stop.abort();
      },
    });
    expect(first.designs).toBe(10);
    appendFileSync(out, '10,Open,Fr'); // killed in the middle of a write
    const second = await sweep({ space, evaluator: inProcessEvaluator(workload), out, chunk: 5, inFlight: 3 });
    expect(second.resumedFrom).toBe(10);
    expect(second.designs).toBe(32);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(full, 'utf8'));
  });

  it('refuses to append to a sweep of another trace', async () => {
    const out = join(dir, 'full.csv');
    const other = loadWorkload({ trace: 'builtin:stream' });
    await expect(sweep({ space, evaluator: inProcessEvaluator(other), out })).rejects.toThrow(/holds a different sweep/);
  });

  it('survives SIGKILL from the command line, having written its rows as it went, and resumes to the same result', async () => {
    const args = ['sweep', '--trace', 'builtin:cloud-1', '--space', wideFile, '--out'];
    const ref = join(dir, 'cli-ref.csv');
    const first = cli(...args, ref);
    expect(first.code).toBe(0);
    const out = join(dir, 'cli-killed.csv');
    const child = spawn(process.execPath, [CLI, ...args, out], { stdio: 'ignore' });
    // Killed once part of the sweep is on disk: a sweep writes each chunk of 8 rows as it finishes.
    await until(() => rowsIn(out) >= 16, 'rows on disk');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = rowsIn(out);
    expect(partial).toBeLessThan(WIDE_DESIGNS);
    const again = cli(...args, out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ completed: WIDE_DESIGNS, resumedFrom: partial });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(ref, 'utf8'));
    // The same sweep, so the same optima: printed in the commands' one format, with their units.
    const { bestPower, bestLatency } = JSON.parse(again.stdout);
    expect(first.stdout).toContain(`lowest power   ${formatNumber(bestPower.averagePowerMw)} mW  ${JSON.stringify(bestPower.design)}\n`);
    expect(first.stdout).toContain(`lowest latency ${formatNumber(bestLatency.totalTimeNs)} ns  ${JSON.stringify(bestLatency.design)}\n`);
    expect(first.stdout).toMatch(/^swept [\d,]+ of [\d,]+ designs of /);
  });

  it('Ctrl-C (SIGINT) or SIGTERM stops it at once with exit code 130 or 143, keeping its rows and saying how to continue', async () => {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const out = join(dir, `cli-${signal}.csv`);
      const child = spawn(process.execPath, [CLI, 'sweep', '--trace', 'builtin:cloud-1', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await until(() => rowsIn(out) >= 8, 'rows on disk');
      child.kill(signal);
      expect(await new Promise((r) => child.once('exit', r))).toBe(code);
      // The reference space has 442,368 designs: without the signal it would go on for many minutes.
      expect(rowsIn(out)).toBeGreaterThanOrEqual(8);
      expect(stderr).toMatch(/the same command continues the sweep after design [\d,]+/);
    }
  });

  it('refuses a second sweep on the same --out while the first runs, naming it', async () => {
    const out = join(dir, 'cli-locked.csv');
    const child = spawn(process.execPath, [CLI, 'sweep', '--trace', 'builtin:cloud-1', '--out', out], { stdio: 'ignore' });
    await until(() => rowsIn(out) >= 1, 'rows on disk');
    const second = cli('sweep', '--trace', 'builtin:cloud-1', '--out', out);
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(`marl-dse: --out ${out}: in use by process ${child.pid} (since ${second.stderr.match(/since ([^)]*)\)/)?.[1]}) (lock ${out}.lock)\n`);
    // Every design once, in order.
    const indices = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
    expect(indices).toEqual(indices.map((_, i) => i));
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
  const protoFile = join(dir, 'proto-space.json');
  writeFileSync(protoFile, '{"parameters": [{"name": "PagePolicy", "values": ["Open"]}], "base": {"__proto__": {"Scheduler": "FrFcfs"}}}');
  const typo = join(dir, 'typo-space.json');
  writeFileSync(typo, JSON.stringify({ parameters: [{ name: 'PagePolicyy', values: ['Open'] }] }));
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown value in a space file', ['space', '--space', bad], /^marl-dse: .*bad-space\.json: parameters\[0\]\.values: Scheduler: unknown value "Lottery"/],
    ['an unknown key in a space file', ['sweep', '--trace', 'builtin:stream', '--space', typo, '--out', join(dir, 'x.csv')], /^marl-dse: .*typo-space\.json: parameters\[0\]\.PagePolicyy: unknown mcconfig key/],
    ['an unknown built-in space', ['space', '--space', 'huge'], /^marl-dse: space "huge": not a built-in space/],
    ['__proto__ as a base key', ['space', '--space', protoFile], /^marl-dse: .*proto-space\.json: base\.__proto__: a name JavaScript objects reserve/],
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

describe('sweep of a suite', () => {
  it('each design on every trace: the traces back to back, then each trace\'s own figures; the same command resumes', () => {
    const out = join(dir, 'suite', 'small.csv');
    const traces = ['gen:gups:requests=400', 'gen:stencil:requests=400'];
    const args = ['sweep', '--trace', traces[0], '--trace', traces[1], '--space', spaceFile, '--workers', '2', '--out', out, '--json'];
    const r = cli(...args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ trace: traces.join('+'), designs: 32, completed: 32 });
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const names = header.split(',');
    const metrics = SWEEP_METRICS.length;
    expect(names.slice(6)).toEqual([...SWEEP_METRICS, ...SWEEP_METRICS.map((m) => `t1.${m}`), ...SWEEP_METRICS.map((m) => `t2.${m}`)]);
    expect(JSON.parse(readFileSync(`${out}.meta.json`, 'utf8'))).toMatchObject({ traces, weights: [1, 1] });
    const workloads = traces.map((trace) => loadWorkload({ trace }));
    for (const k of [0, 13, 31]) {
      const cells = rows[k].split(',');
      const config = designToConfig(space, validDesignAt(space, k));
      const own = workloads.map((w) => simulate(w.trace, w.memspec, w.mapping, config, { clkMhz: w.clkMhz }));
      const expected = [combineStats(own), ...own].flatMap((s) => SWEEP_METRICS.map((m) => String(s[m])));
      expect(cells.slice(6)).toEqual(expected);
      expect(cells.slice(6 + metrics, 6 + 2 * metrics)).toEqual(SWEEP_METRICS.map((m) => String(own[0][m])));
    }
    // Finished: the same command adds nothing.
    const again = JSON.parse(cli(...args).stdout);
    expect(again).toMatchObject({ resumedFrom: 32, simulations: 0 });
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(33);
  });
});
