import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bestAt, evaluationsToWithin, firstWithin, normalised, power, type RunRecord, seedsForPower, spread, wallSecondsTo } from '../../bench/hard-measures.js';
import { packageRoot } from '../../simulators/dram/presets.js';
import { agentFingerprint, bestKnownProblem, designFromValues, HARD_TASKS, hardTask, readBestKnown, runFingerprint, sourceClosure, taskFingerprint, taskSpace, taskValues, taskWorkloads } from '../../bench/hard-tasks.js';
import { baseDesign } from '../../src/env/dram-env.js';
import { simulateConfig } from '../../src/evaluator/simulate.js';
import { repairDesign } from '../../src/space/masks.js';
import { designToConfig } from '../../src/space/space.js';

describe('hard benchmark: best-known designs', () => {
  const record = readBestKnown();
  for (const task of HARD_TASKS) {
    it(`${task.id}: recorded, a valid design of its space, and simulates to the recorded value bit for bit`, async () => {
      const b = record[task.id];
      expect(b, `no best-known record for ${task.id} in bench/hard-best-known.json`).toBeDefined();
      expect(b.objective).toBe(task.objective);
      expect(bestKnownProblem(task, b)).toBeNull();
      const space = taskSpace(task);
      expect(await taskValues(task, [designFromValues(space, b.design)])).toEqual([b.value]);
      // The record's provenance: what the coordinate descent started from is never better than its result.
      expect(b.found.value).toBeGreaterThanOrEqual(b.value);
    });
  }
});

describe('hard benchmark: the scaling study spaces are nested', () => {
  const ids = ['triad-edp-10', 'triad-edp-20', 'triad-edp', 'triad-edp-38'];
  it('each space holds every parameter of the smaller one with the same values, in the same order', () => {
    const spaces = ids.map((id) => taskSpace(hardTask(id)));
    expect(spaces.map((s) => s.parameters.length)).toEqual([10, 20, 32, 38]);
    for (let i = 1; i < spaces.length; i++) {
      const small = spaces[i - 1], large = spaces[i];
      const names = large.parameters.map((p) => p.name).filter((n) => small.parameters.some((p) => p.name === n));
      expect(names).toEqual(small.parameters.map((p) => p.name));
      for (const p of small.parameters) expect(large.parameters.find((q) => q.name === p.name)!.values).toEqual(p.values);
    }
  });
  it('the tasks of the study share their workload and objective', () => {
    const tasks = ids.map(hardTask);
    for (const t of tasks) {
      expect(t.workload).toEqual(tasks[0].workload);
      expect(t.objective).toBe(tasks[0].objective);
    }
  });
});

describe('hard benchmark: a suite task', () => {
  it("mix-p99 scores a design by the geometric mean of its p99 latency over the base design's on each mix", async () => {
    const task = hardTask('mix-p99');
    const space = taskSpace(task);
    const design = repairDesign(space, space.parameters.map((p) => p.values.length - 1));
    const p99 = (d: number[]): number[] => taskWorkloads(task).map((w) => simulateConfig(w.trace, w.memspec, w.mapping, designToConfig(space, d), w.clkMhz).p99LatencyNs);
    const base = p99(baseDesign(space));
    const mine = p99(design);
    expect(mine).toHaveLength(2);
    const [value] = await taskValues(task, [design]);
    expect(value).toBeCloseTo(Math.sqrt((mine[0] / base[0]) * (mine[1] / base[1])), 12);
    expect(await taskValues(task, [baseDesign(space)])).toEqual([1]);
  });
});

describe('hard benchmark: fingerprints', () => {
  it("an agent's code is the sources its file reaches: the learners' reach the network code, the others' do not", () => {
    const random = sourceClosure('agents/random.ts');
    expect(random).toContain('agents/agent.ts');
    expect(random).toContain('common/random.ts');
    expect(random).not.toContain('agents/nn.ts');
    expect(random).not.toContain('agents/bo.ts');
    expect(random.some((f) => f.startsWith('simulators/'))).toBe(false);
    const marl = sourceClosure('agents/marl.ts');
    for (const f of ['agents/marl.ts', 'agents/ppo.ts', 'agents/nn.ts', 'agents/agent.ts']) expect(marl).toContain(f);
    expect(marl).not.toContain('agents/bo.ts');
    expect(marl).not.toContain('agents/sac.ts');
  });

  it('differs by agent, and a run changes with its task or its agent only', () => {
    expect(agentFingerprint('random')).toBe(agentFingerprint('random'));
    expect(agentFingerprint('random')).not.toBe(agentFingerprint('bo'));
    expect(runFingerprint('task-a', 'random')).not.toBe(runFingerprint('task-b', 'random'));
    expect(runFingerprint('task-a', 'random')).not.toBe(runFingerprint('task-a', 'ga'));
  });

  it("a task's fingerprint comes from its definition and what the simulator computes for it, the same every time", async () => {
    const task = hardTask('triad-edp-10');
    const fp = await taskFingerprint(task);
    expect(await taskFingerprint(task)).toBe(fp);
    expect(await taskFingerprint({ ...task, objective: 'energy' })).not.toBe(fp);
    const [trace] = task.workload.traces;
    expect(await taskFingerprint({ ...task, workload: { traces: [{ ...trace, options: { ...trace.options, requests: 999 } }] } })).not.toBe(fp);
  });
});

describe('hard benchmark: measures', () => {
  const run = (improvements: RunRecord['improvements'], budget = 100): RunRecord => ({
    task: 't', label: 'a', seed: 1, budget, fingerprint: '', improvements, evaluations: budget, simulations: 0, agentMs: 0, bestDesign: {}, wallSeconds: 0,
  });
  const r = run([
    [1, 10, 1, 2],
    [5, 8, 5, 40],
    [20, 7, 15, 300],
  ]);

  it('the best value after n evaluations', () => {
    expect(bestAt(r, 1)).toBe(10);
    expect(bestAt(r, 4)).toBe(10);
    expect(bestAt(r, 5)).toBe(8);
    expect(bestAt(r, 19)).toBe(8);
    expect(bestAt(r, 100)).toBe(7);
    expect(bestAt(r, 101)).toBeNull();
    expect(bestAt(r, 0)).toBeNull();
  });

  it('evaluations to within 1 % of the best-known, censored at the budget or a shorter horizon', () => {
    expect(evaluationsToWithin(r, 7, 'min', 0.01)).toBe(20);
    expect(evaluationsToWithin(r, 7.95, 'min', 0.01)).toBe(5); // 8 is 0.63 % worse
    expect(evaluationsToWithin(r, 7.9, 'min', 0.01)).toBe(20); // 8 is 1.27 % worse
    expect(evaluationsToWithin(r, 6, 'min', 0.01)).toBe(101);
    expect(evaluationsToWithin(r, 7, 'min', 0.01, 10)).toBe(11);
    expect(firstWithin(r, 6, 'min', 0.01)).toBeNull();
  });

  it('normalises either direction so that 1.01 is 1 % worse', () => {
    expect(normalised(101, 100, 'min')).toBeCloseTo(1.01, 12);
    expect(normalised(100, 101, 'max')).toBeCloseTo(1.01, 12);
    const up = run([
      [1, 50, 1, 0],
      [3, 99.5, 3, 0],
    ]);
    expect(evaluationsToWithin(up, 100, 'max', 0.01)).toBe(3);
  });

  it('wall time: agent CPU plus the run’s own simulations at a given cost', () => {
    expect(wallSecondsTo(r.improvements[2], 10)).toBeCloseTo(0.45, 12);
    expect(wallSecondsTo(r.improvements[2], 10_000)).toBeCloseTo(150.3, 9);
  });

  it('spread: median, min and max', () => {
    expect(spread([3, 1, 2, 10])).toEqual({ n: 4, median: 2.5, min: 1, max: 10 });
    expect(spread([])).toBeNull();
  });

  it('power: the Mann-Whitney test’s limits for complete separation', () => {
    const sample = Array.from({ length: 1000 }, (_, i) => 1 + i);
    const apart = (x: number): number => x * 10_000;
    // Runs of B always exceed A's: significant exactly when complete separation can reach p < alpha.
    expect(power(sample, apart, 3)).toBe(0); // smallest p with 3 runs each: 0.1
    expect(power(sample, apart, 4)).toBe(1); // 2 / C(8, 4) = 0.029
    expect(seedsForPower(sample, apart)).toBe(4);
    // Holm over four tests: p · 4 < 0.05 needs 5 runs each (2 / C(10, 5) = 0.008).
    expect(seedsForPower(sample, apart, 0.8, 40, { tests: 4 })).toBe(5);
  });

  it('power: no effect is found about as often as alpha allows, and the same seed gives the same power', () => {
    const sample = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1000);
    const none = power(sample, (x) => x, 12, { resamples: 1000 });
    expect(none).toBeLessThan(0.08);
    expect(power(sample, (x) => x, 12, { resamples: 1000 })).toBe(none);
    expect(seedsForPower([1, 1, 1], (x) => x, 0.8, 10)).toBeNull();
  });
});

describe('hard benchmark: the command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'dist', 'bench', 'hard.js'), ...args], { encoding: 'utf8' });
  it('refuses a bad flag with one line naming it and exit code 2, before any run starts', () => {
    for (const [args, named] of [
      [['--help2'], '--help2'],
      [['--tasks', 'triad-edp,nope'], '--tasks nope'],
      [['--seeds', '0'], '--seeds 0'],
      [['--agents', 'random,foo'], '--agents foo'],
    ] as const) {
      const r = run(...args);
      expect(r.status).toBe(2);
      const [first, usage] = r.stderr.trim().split('\n');
      expect(first).toContain(named);
      expect(usage).toMatch(/^usage: /);
      expect(r.stderr).not.toContain('    at ');
    }
  });
  it('--help prints the usage and runs nothing', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: node dist\/bench\/hard.js/);
  });
});
