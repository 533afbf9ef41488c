import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseInOrder } from '../../agents/agent.js';
import { makeRng, uniform01 } from '../../common/random.js';
import { memoKeyOf } from '../../src/evaluator/evaluator.js';
import { inProcessEvaluator } from '../../src/evaluator/evaluator.js';
import { poolEvaluator } from '../../src/evaluator/pool.js';
import { loadWorkload } from '../../src/evaluator/workload.js';
import { problemOf } from '../../src/search/runner.js';
import { loadSpace } from '../../src/space/builtin.js';
import { allowedValues, invalidReason, repairDesign, spaceSize, validDesignAt } from '../../src/space/masks.js';
import { configToDesign, designAt, designToConfig, parseSpace, rawSize } from '../../src/space/space.js';
import { resolveSystem } from '../../src/space/system.js';
import { loadAddressMapping, loadMemSpec } from '../../simulators/dram/presets.js';
import { spawnSync } from 'node:child_process';

const GiB = 2 ** 30;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
const runCli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** A seeded design drawn parameter by parameter within the masks. */
function maskedDesigns(space: ReturnType<typeof loadSpace>, n: number, seed: number): number[][] {
  const problem = problemOf(space, 1);
  const rng = makeRng(seed);
  return Array.from({ length: n }, () =>
    chooseInOrder(problem, (j, mask) => {
      const allowed = problem.nvec[j] === 0 ? [] : Array.from({ length: problem.nvec[j] }, (_, k) => k).filter((k) => !mask || mask[k]);
      return allowed[Math.floor(uniform01(rng) * allowed.length)];
    }),
  );
}

/** A small space with every kind of rule, small enough to enumerate. */
const SMALL = {
  name: 'small-rules',
  base: { Memory: 'ddr4-2400', Channels: 2, Ranks: 2 },
  parameters: [
    { name: 'Memory', values: ['ddr3-1600', 'ddr4-2400', 'ddr5-4800', 'hbm2-stack'] },
    { name: 'Channels', values: [1, 2, 4, 8, 16] },
    { name: 'Ranks', values: [1, 2, 4] },
    { name: 'XorBg0', values: ['off', 'r0'] },
    { name: 'SchedulerBuffer', values: ['ReadWrite', 'Shared'] },
    { name: 'RequestBufferSize', values: [1, 4] },
    { name: 'RequestBufferSizeWrite', values: [2, 8] },
    { name: 'Scheduler', values: ['FrFcfs', 'GrpFrFcfsWm'] },
    { name: 'HighWatermark', values: [2, 4, 8] },
    { name: 'LowWatermark', values: [1, 2, 4] },
    { name: 'RefreshPolicy', values: ['AllBank', 'PerBank', 'SameBank'] },
  ],
};

describe('the architect space', () => {
  const space = loadSpace('architect');

  it('searches memory, organisation, address mapping and every controller knob: 32 parameters, over 10^12 designs', () => {
    expect(space.parameters).toHaveLength(32);
    expect(space.slices.map((s) => s.subsystem)).toEqual(['organisation', 'address-mapping', 'scheduling', 'page', 'refresh', 'power-down', 'transport']);
    expect(spaceSize(space)).toBeGreaterThan(1e12);
    // The rules exclude most raw combinations.
    expect(spaceSize(space)).toBeLessThan(rawSize(space) / 100);
    expect(space.capacityBytes).toBe(16 * GiB);
  });

  it('masks never lead to a dead end, and every masked design is valid, 16 GiB and simulable', () => {
    const designs = maskedDesigns(space, 400, 3);
    const memories = new Set<string>();
    const ddr3 = loadMemSpec('ddr3-1600');
    const mapping = loadAddressMapping('ddr3-1600');
    for (const d of designs) {
      expect(invalidReason(space, d)).toBeNull();
      expect(repairDesign(space, d)).toEqual(d);
      const c = designToConfig(space, d);
      const device = resolveSystem(ddr3, mapping, c.system);
      expect(device.memspec.capacityBytes).toBe(16 * GiB);
      memories.add(`${c.system!.Memory} ${device.memspec.channels}x${device.memspec.ranks}`);
      expect(configToDesign(space, c)).toEqual(d);
    }
    // Every memory, in several organisations, is drawn.
    expect(new Set([...memories].map((m) => m.split(' ')[0])).size).toBe(8);
    expect(memories.size).toBeGreaterThanOrEqual(12);
  });

  it('repairs an impossible design to the nearest valid one and says why it was impossible', () => {
    const names = space.parameters.map((p) => p.name);
    const d = repairDesign(space, designAt(space, 0));
    const at = (name: string): number => names.indexOf(name);
    const hbm = [...d];
    hbm[at('Memory')] = space.parameters[at('Memory')].values.indexOf('hbm3-6400');
    expect(invalidReason(space, hbm)).toMatch(/^Channels=\d+: /);
    const fixed = repairDesign(space, hbm);
    expect(designToConfig(space, fixed).system).toMatchObject({ Memory: 'hbm3-6400', Channels: 16, Ranks: 2 });
    expect(invalidReason(space, fixed)).toBeNull();
    // DDR3 has no same-bank or bank-pair refresh (the preset's memspec enables per-bank): the mask says so.
    const ddr3 = repairDesign(space, d.map((v, i) => (i === at('Memory') ? 0 : v)));
    const refresh = allowedValues(space, ddr3, at('RefreshPolicy'))!;
    expect(space.parameters[at('RefreshPolicy')].values.filter((_, k) => refresh[k])).toEqual(['NoRefresh', 'AllBank', 'PerBank']);
  });

  it('counts and numbers exactly the designs the rules allow', () => {
    const small = parseSpace(SMALL, 'small.json');
    const raw = rawSize(small);
    const valid: string[] = [];
    for (let i = 0; i < raw; i++) {
      const d = designAt(small, i);
      if (invalidReason(small, d) === null) valid.push(d.join(','));
    }
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.length).toBeLessThan(raw);
    expect(spaceSize(small)).toBe(valid.length);
    expect(Array.from({ length: valid.length }, (_, i) => validDesignAt(small, i).join(','))).toEqual(valid);
    expect(() => validDesignAt(small, valid.length)).toThrow(/beyond the \d+ designs/);
  });

  it('refuses space files whose rules cannot be applied in order, naming the parameter', () => {
    const swapped = { ...SMALL, parameters: [SMALL.parameters[1], SMALL.parameters[0], ...SMALL.parameters.slice(2)] };
    expect(() => parseSpace(swapped, 'swapped.json')).toThrow(/swapped\.json: Channels must come after Memory in the parameter list/);
    const { base: _base, ...noBase } = SMALL;
    expect(() => parseSpace(noBase, 'nobase.json')).toThrow(/nobase\.json: base\.Memory: a space that searches Channels or Ranks names its base memory/);
    expect(() => parseSpace({ parameters: [{ name: 'MapOrder', values: ['RoRaBgBa'] }] }, 'o.json')).toThrow(/o\.json: parameters\[0\]\.values: "RoRaBgBa" is not an order/);
    expect(() => parseSpace({ parameters: [{ name: 'XorBa0', values: ['r99'] }] }, 'x.json')).toThrow(/x\.json: parameters\[0\]\.values: expected "off" or a row bit/);
  });

  it('keys the memo by the system choice, and leaves configs without one keyed as before', () => {
    const [a, b] = maskedDesigns(space, 2, 11).map((d) => designToConfig(space, d));
    expect(memoKeyOf('w', a)).not.toBe(memoKeyOf('w', b));
    const { system: _s, ...plain } = a;
    expect(memoKeyOf('w', plain)).toBe(`w|${memoKeyOf('w', plain).split('|')[1]}`);
    expect(memoKeyOf('w', { ...a, system: { ...a.system } })).toBe(memoKeyOf('w', a));
  });

  it('simulates designs on worker threads with the numbers of the in-process evaluator', async () => {
    const workload = loadWorkload({ trace: 'builtin:cloud-2' });
    const configs = maskedDesigns(space, 3, 5).map((d) => designToConfig(space, d));
    const local = await inProcessEvaluator(workload).evaluate(configs);
    const pool = poolEvaluator(workload, 2);
    try {
      expect(await pool.evaluate(configs)).toEqual(local);
    } finally {
      await pool.close();
    }
    // Different memories give different results.
    expect(new Set(local.map((s) => s.totalTimeNs)).size).toBeGreaterThan(1);
  });

  it('search --best-out writes DRAMSys files that simulate to the best design’s numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'architect-'));
    const db = join(dir, 'runs.sqlite');
    const out = join(dir, 'best');
    const r = runCli(['search', '--space', 'architect', '--agent', 'random', '--trace', 'builtin:cloud-1', '--budget', '6', '--db', db, '--best-out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as { bestStats: { totalTimeNs: number; averagePowerMw: number } };
    const sim = runCli(['simulate', '--trace', 'builtin:cloud-1', '--memspec', join(out, 'memspec.json'), '--addressmapping', join(out, 'addressmapping.json'), '--mcconfig', join(out, 'mcconfig.json'), '--json']);
    expect(sim.status).toBe(0);
    const stats = JSON.parse(sim.stdout) as { totalTimeNs: number; averagePowerMw: number };
    expect(stats.totalTimeNs).toBe(summary.bestStats.totalTimeNs);
    expect(stats.averagePowerMw).toBe(summary.bestStats.averagePowerMw);
    // The mapping is a generated one unless the best design kept the preset's organisation.
    expect(JSON.parse(readFileSync(join(out, 'addressmapping.json'), 'utf8'))).toHaveProperty('addressmapping.ROW_BIT');
  });
});
