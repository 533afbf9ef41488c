/** Runs and evaluations for the store tests: real SimStats, content that encodes its own index. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { SimStats } from '../../../simulators/dram/stats.js';
import type { EvaluationRecord, NewRun } from '../../../src/store/store.js';
import { run } from '../../helpers.js';

export const STATS: SimStats = run([{ cycle: 0, address: 0 }, { cycle: 1, address: 64, write: true }]).stats;

/** A fresh directory, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `marl-dse-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    agent: 'marl',
    trace: 'builtin:cloud-1',
    traceHash: 'c0ffee00c0ffee00c0ffee00',
    objective: 'power',
    target: 3000,
    reward: 'log',
    seed: 1,
    budget: 100,
    space: 'reference',
    options: { agent: 'marl', learningRate: 0.001, nested: { layers: [64, 64] } },
    ...overrides,
  };
}

/** Evaluation `index`, with the given objective value and best-so-far. */
export function evaluation(index: number, value = 1000 + index, best = value): EvaluationRecord {
  return {
    index,
    design: [index % 2, index % 3],
    config: { PagePolicy: index % 2 ? 'Closed' : 'Open', RequestBufferSize: [1, 8, 16][index % 3] },
    stats: { ...STATS, totalTimeNs: 50_000 + index, averagePowerMw: value },
    value,
    reward: -Math.log(value),
    best,
    agentMs: 0.25 * index,
    simulated: index % 4 !== 3,
  };
}

/** Evaluations `from` … `to - 1` of a run whose value is `values[i]`, with the running minimum as best. */
export function evaluations(values: readonly number[], from = 0): EvaluationRecord[] {
  let best = Infinity;
  return values.map((v, k) => {
    best = Math.min(best, v);
    return evaluation(from + k, v, best);
  });
}
