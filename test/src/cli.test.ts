/** The `marl-dse` command line, run as users run it: the built bin in a child process. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS_DIR } from '../../simulators/dram/presets.js';
import { RunStore } from '../../src/store/store.js';
import { evaluation, newRun } from './store/fixtures.js';
import { TestClient } from '../web/fixtures.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const trace = file('t.stl', '0:\tread\t0x0\n0:\tread\t0x40\n4:\twrite\t0x10000\n100:\tread\t0x3fffffc0\n');

describe('marl-dse simulate', () => {
  it('prints a readable table by default', () => {
    const r = cli('simulate', '--trace', trace);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/total time\s+│ [\d,.]+ ns/);
    expect(r.stdout).toMatch(/average power\s+│ [\d,.]+ mW/);
  });

  it('--json prints exactly one JSON object with the SimStats fields', () => {
    const r = cli('simulate', '--trace', trace, '--json');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]);
    for (const k of ['requests', 'reads', 'writes', 'totalTimeNs', 'avgLatencyNs', 'p50LatencyNs', 'p99LatencyNs', 'maxLatencyNs', 'bandwidthGBps', 'bandwidthUtilization', 'energyPj', 'energyDelayPjNs', 'energyByComponentPj', 'averagePowerMw', 'rowHits', 'rowMisses', 'rowConflicts', 'commands']) {
      expect(s).toHaveProperty(k);
    }
    expect(s.requests).toBe(4);
    expect(s.writes).toBe(1);
    expect(s.energyDelayPjNs).toBe(s.energyPj * s.totalTimeNs);
  });

  it('gives byte-identical JSON for the same inputs', () => {
    const args = ['simulate', '--trace', 'builtin:random', '--set', 'Scheduler=FrFcfs', '--set', 'RequestBufferSize=8', '--set', 'RefreshPolicy=AllBank', '--json'];
    const a = cli(...args);
    const b = cli(...args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--set, --mcconfig, --memspec and --clk-mhz change the run', () => {
    const base = JSON.parse(cli('simulate', '--trace', 'builtin:random', '--json').stdout);
    const closed = JSON.parse(cli('simulate', '--trace', 'builtin:random', '--json', '--set', 'PagePolicy=Closed').stdout);
    expect(closed.commands.RDA).toBe(10_000);
    expect(closed.totalTimeNs).not.toBe(base.totalTimeNs);
    const mc = file('mc.json', JSON.stringify({ mcconfig: { Scheduler: 'FrFcfs', RequestBufferSize: 16, Arbiter: 'Fifo', MaxActiveTransactions: 64 } }));
    const deep = JSON.parse(cli('simulate', '--trace', 'builtin:random', '--json', '--mcconfig', mc).stdout);
    expect(deep.totalTimeNs).toBeLessThan(base.totalTimeNs);
    const ddr4 = JSON.parse(cli('simulate', '--trace', 'builtin:random', '--json', '--memspec', 'ddr4-2400').stdout);
    expect(ddr4.memoryId).toBe('JEDEC_4Gb_DDR4-2400_8bit_A');
    const slow = JSON.parse(cli('simulate', '--trace', trace, '--json', '--clk-mhz', '200').stdout);
    const fast = JSON.parse(cli('simulate', '--trace', trace, '--json').stdout);
    expect(slow.totalTimeNs).toBeGreaterThan(fast.totalTimeNs);
  });

  it('reads memspec and mapping files in DRAMSys format', () => {
    const r = cli(
      'simulate', '--trace', trace, '--json',
      '--memspec', join(PRESETS_DIR, 'memspec', 'MICRON_1Gb_DDR3-1600_8bit_G.json'),
      '--addressmapping', join(PRESETS_DIR, 'addressmapping', 'am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json'),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(cli('simulate', '--trace', trace, '--json').stdout));
  });

  it('--check runs the protocol checker and --commands-out writes the command stream', () => {
    const out = join(dir, 'cmds.txt');
    const r = cli('simulate', '--trace', trace, '--check', '--commands-out', out, '--set', 'RefreshPolicy=AllBank');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/protocol check: \d+ commands, no violations/);
    expect(readFileSync(out, 'utf8').split('\n').slice(0, 2)).toEqual(['# cycle\tcommand\trank\tbankgroup\tbank\trow\tcolumn', '0\tACT\t0\t0\t0\t0\t0']);
    // Through a symbolic link the file it names is written and the link stays.
    const link = join(dir, 'cmds-link.txt');
    symlinkSync(out, link);
    writeFileSync(out, '');
    expect(cli('simulate', '--trace', trace, '--commands-out', link).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(out, 'utf8').split('\n')[1]).toBe('0\tACT\t0\t0\t0\t0\t0');
  });

  it('--dramsys-out writes the run as DRAMSys files that give the same run when read back', () => {
    const out = join(dir, 'dramsys');
    const first = cli('simulate', '--trace', 'builtin:cloud-1', '--memspec', 'lpddr4-3200', '--mcconfig', 'fr-fcfs', '--set', 'RefreshPolicy=PerBank', '--set', 'PagePolicy=OpenAdaptive', '--json', '--dramsys-out', out);
    expect(first.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'mcconfig.json'), 'utf8')).mcconfig).toMatchObject({ RefreshPolicy: 'PerBank', PagePolicy: 'OpenAdaptive', Scheduler: 'FrFcfs' });
    expect(JSON.parse(readFileSync(join(out, 'memspec.json'), 'utf8')).memspec.memoryType).toBe('LPDDR4');
    const again = cli('simulate', '--trace', 'builtin:cloud-1', '--memspec', join(out, 'memspec.json'), '--addressmapping', join(out, 'addressmapping.json'), '--mcconfig', join(out, 'mcconfig.json'), '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout));
    const bad = cli('simulate', '--trace', trace, '--dramsys-out', join(out, 'mcconfig.json', 'x'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^marl-dse: --dramsys-out: /);
  });

  it('writes to a pipe that its reader closes early without an error (| head)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" simulate --trace builtin:stream --commands-out /dev/stdout | head -2; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stdout).toBe('# cycle\tcommand\trank\tbankgroup\tbank\trow\tcolumn\n0\tACT\t0\t0\t0\t0\t0\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const memspecDoc = JSON.parse(readFileSync(join(PRESETS_DIR, 'memspec', 'MICRON_1Gb_DDR3-1600_8bit_G.json'), 'utf8'));
  memspecDoc.memspec.memtimingspec.RC = 12;
  const badMemspec = file('bad-memspec.json', JSON.stringify(memspecDoc));
  const hugeDoc = JSON.parse(readFileSync(join(PRESETS_DIR, 'memspec', 'MICRON_1Gb_DDR3-1600_8bit_G.json'), 'utf8'));
  Object.assign(hugeDoc.memspec.memtimingspec, { RC: 3e9, RAS: 3e9 - 18, RCD: 11 });
  const hugeTiming = file('huge-timing.json', JSON.stringify(hugeDoc));
  const badTrace = file('bad.stl', '0:\tread\t0x0\n1:\tread 0x40\n2:\twrite\txyz\n');
  const cases: Array<[string, string[], RegExp]> = [
    ['a malformed trace line', ['--trace', badTrace], /^marl-dse: .*bad\.stl:3: missing hex address/],
    ['an unknown mcconfig key', ['--trace', trace, '--set', 'Scheduller=Fifo'], /^marl-dse: --set Scheduller: unknown mcconfig key/],
    ['an unknown mcconfig value', ['--trace', trace, '--set', 'Arbiter=Lottery'], /^marl-dse: --set Arbiter: unknown value "Lottery"/],
    ['an inconsistent memspec', ['--trace', trace, '--memspec', badMemspec, '--addressmapping', 'ddr3-1600'], /^marl-dse: .*bad-memspec\.json: memspec\.memtimingspec\.RC: RC \(12\) is less than RAS \+ RP/],
    ['a missing trace file', ['--trace', join(dir, 'missing.stl')], /^marl-dse: .*missing\.stl: cannot open trace \(ENOENT\)/],
    ['a missing mcconfig file', ['--trace', trace, '--mcconfig', join(dir, 'none.json')], /^marl-dse: .*none\.json: cannot read file \(no such file\)/],
    ['an unknown memspec preset', ['--trace', trace, '--memspec', 'ddr7'], /^marl-dse: memspec "ddr7": not a preset/],
    ['an address beyond the memory', ['--trace', file('far.stl', '0:\tread\t0x40000000\n')], /^marl-dse: .*far\.stl: request 1 \(address 0x40000000\) is beyond the 1073741824 bytes/],
    ['a bad clock', ['--trace', trace, '--clk-mhz', '-5'], /^marl-dse: --clk-mhz -5: expected a positive number of MHz/],
    ['an absurd clock', ['--trace', trace, '--clk-mhz', '1e-300'], /^marl-dse: --clk-mhz 1e-300: expected 1 to 100,000 MHz/],
    ['an empty trace', ['--trace', file('empty.stl', '# nothing\n')], /^marl-dse: .*empty\.stl: no requests/],
    ['an empty trace name', ['--trace', ''], /^marl-dse: trace: empty name/],
    ['--commands-out into a folder', ['--trace', trace, '--commands-out', dir], /^marl-dse: --commands-out .*: cannot write \(EISDIR\)/],
    ['a timing beyond 32 bits', ['--trace', trace, '--memspec', hugeTiming, '--addressmapping', 'ddr3-1600'], /^marl-dse: .*huge-timing\.json: memspec\.memtimingspec\.RAS: 2999999982 cycles is beyond any DRAM timing/],
    ['an unknown key set to __proto__', ['--trace', trace, '--set', '__proto__=1'], /^marl-dse: --set __proto__: unknown mcconfig key/],
    ['a bad value for a key without effect', ['--trace', trace, '--set', 'BlockingReadDelay=abc'], /^marl-dse: --set BlockingReadDelay: expected a number or true\/false/],
    ['a missing required flag', [], /^marl-dse: required option '--trace <trace>' not specified/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what}: one line, exit code 2, no stack trace`, () => {
      const r = cli('simulate', ...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('output that cannot be written, text that should not be printed as it is', () => {
  const db = join(dir, 'runs.sqlite');
  const store = RunStore.open(db);
  const id = store.createRun(newRun());
  store.appendEvaluations(id, [0, 1, 2].map((i) => evaluation(i)));
  store.close();

  for (const args of [['simulate', '--trace', trace, '--json'], ['simulate', '--trace', trace], ['space', '--json'], ['runs', 'list', '--db', db], ['runs', 'export', '1', '--format', 'csv', '--db', db]]) {
    it(`${args.filter((a) => !a.includes('/')).join(' ')} into a full disk (/dev/full): one line, exit code 2`, () => {
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', full, 'pipe'] });
        expect(r.status).toBe(2);
        expect(r.stderr).toBe('marl-dse: standard output: cannot write (ENOSPC)\n');
      } finally {
        closeSync(full);
      }
    });
  }

  it('control characters in a name are escaped, and a huge name is shortened, in the one line of an error', () => {
    const r = cli('simulate', '--trace', 'evil\x1b[2J\nname\u2028.stl');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('marl-dse: evil\\x1b[2J\\nname\\u2028.stl: cannot open trace (ENOENT)\n');
    const huge = cli('simulate', '--trace', 'x'.repeat(100_000));
    expect(huge.code).toBe(2);
    expect(huge.stderr.split('\n')).toHaveLength(2);
    expect(huge.stderr.length).toBeLessThan(2100);
    expect(huge.stderr).toMatch(/^marl-dse: x+…\([\d,]+ characters left out\)…x+: cannot open trace \(ENAMETOOLONG\)\n$/);
  });
});

// Permissions do not bind root: as root, the commands run as nobody, which needs to read this
// checkout (a clone inside a private folder, mktemp -d, is not readable by nobody: then there is no
// user to test with, and the tests are skipped rather than run as root, where they could not fail).
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const userCanRunCli = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(CLI)})`], asUser).status === 0;

describe.skipIf(!userCanRunCli)('a store the user cannot write', () => {
  const folder = join(dir, 'read-only');
  mkdirSync(folder);
  const db = join(folder, 'runs.sqlite');
  const store = RunStore.open(db);
  const id = store.createRun(newRun());
  store.appendEvaluations(id, [0, 1, 2].map((i) => evaluation(i)));
  store.setStatus(id, 'finished', { bestValue: 1000, bestIndex: 0, evaluationsToTarget: null, simulations: 3, wallSeconds: 1 });
  store.close();
  chmodSync(dir, 0o755);
  chmodSync(db, 0o444);
  chmodSync(folder, 0o555);
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...asUser });

  it('runs list, show and export read it', () => {
    const list = run('runs', 'list', '--db', db, '--json');
    expect(list.stderr).toBe('');
    expect(JSON.parse(list.stdout).map((r: { id: number }) => r.id)).toEqual([id]);
    expect(JSON.parse(run('runs', 'show', String(id), '--db', db, '--json').stdout).run.evaluations).toBe(3);
    expect(run('runs', 'export', String(id), '--format', 'csv', '--db', db).stdout.trim().split('\n')).toHaveLength(4);
  });

  it('serve serves it', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /dashboard: (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
      });
      const c = await TestClient.connect(url);
      c.send({ type: 'list-runs', version: 1 });
      expect((await c.next('runs')).runs.map((r) => r.id)).toEqual([id]);
      c.close();
    } finally {
      child.kill('SIGINT');
    }
  });
});
