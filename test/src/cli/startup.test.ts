import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'marl-dse-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules `marl-dse ARGS` loads (file URLs), and its exit code. */
function modulesOf(...args: string[]): { code: number | null; modules: string[] } {
  const out = join(dir, `modules-${args.join('-').replace(/\W+/g, '_')}.txt`);
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, ['--import', join(root, 'test', 'fixtures', 'record-modules.mjs'), join(root, 'dist', 'src', 'cli.js'), ...args], {
    cwd: dir,
    env: { ...process.env, MODULES_OUT: out },
    encoding: 'utf8',
  });
  return { code: r.status, modules: readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

const HEAVY = ['@tensorflow', 'better-sqlite3', 'bullmq', 'ioredis', '/ws/', '/dist/agents/', '/dist/src/store/', '/dist/src/server/'];
const heavy = (modules: string[]): string[] => modules.filter((m) => HEAVY.some((h) => m.includes(h)));

describe('each command loads only what it uses', () => {
  it('--version, --help and an unknown command load no command', () => {
    for (const args of [['--version'], ['--help'], ['no-such-command']]) {
      const { modules } = modulesOf(...args);
      expect(modules.some((m) => m.endsWith('/dist/src/cli.js'))).toBe(true);
      expect(modules.filter((m) => /\/dist\/(src\/cli\/(?!commands|program)|simulators|traces|agents)/.test(m))).toEqual([]);
    }
  });

  it('simulate loads the simulator, not TensorFlow.js, the store, the queue or the server', () => {
    const trace = join(dir, 'one.stl');
    writeFileSync(trace, '0:\tread\t0x0\n');
    const { code, modules } = modulesOf('simulate', '--trace', trace, '--json');
    expect(code).toBe(0);
    expect(modules.some((m) => m.includes('/dist/simulators/dram/controller/engine.js'))).toBe(true);
    expect(heavy(modules)).toEqual([]);
  });

  it('search loads TensorFlow.js only for an agent that learns with it', () => {
    const search = (agent: string) => modulesOf('search', '--agent', agent, '--budget', '1', '--trace', 'gen:stream:requests=50', '--db', join(dir, `${agent}.db`), '--json');
    const random = search('random');
    expect(random.code).toBe(0);
    expect(random.modules.some((m) => m.includes('/dist/agents/random.js'))).toBe(true);
    expect(random.modules.filter((m) => m.includes('@tensorflow') || /\/dist\/agents\/(nn|ppo|sac|marl)\.js$/.test(m))).toEqual([]);
    const ppo = search('ppo');
    expect(ppo.code).toBe(0);
    expect(ppo.modules.some((m) => m.includes('@tensorflow/tfjs'))).toBe(true);
  });

  it('search loads the agents (what a command loads is seen)', () => {
    const { modules } = modulesOf('search', '--help');
    expect(modules.some((m) => m.includes('/dist/agents/'))).toBe(true);
  });
});
