import { describe, expect, it } from 'vitest';
import { csvExport, EXPORT_METRICS } from '../../../src/store/export.js';
import type { EvaluationRecord, TraceEvaluation } from '../../../src/store/store.js';
import { evaluation } from './fixtures.js';

const csv = (evals: EvaluationRecord[]): string[][] => [...csvExport(evals)].map((l) => l.trimEnd().split(','));

function suiteEvaluation(index: number, perTrace: Array<[number | null, number | null, boolean]>, feasible: boolean): EvaluationRecord {
  const e = evaluation(index);
  const traces: TraceEvaluation[] = perTrace.map(([value, normalised, ok], k) => ({
    trace: `gen:stream-triad:seed=${k}`,
    weight: 1,
    value,
    normalised,
    feasible: ok,
    simulated: true,
    stats: e.stats,
  }));
  return { ...e, feasible, traces };
}

describe('csvExport', () => {
  it('a run with constraints on a suite: a feasible column and each trace\'s value, ratio and feasibility', () => {
    const rows = csv([
      suiteEvaluation(0, [[10, 1, true], [20, 1, true]], true),
      suiteEvaluation(1, [[12.5, 1.25, false], [18, 0.9, true]], false),
    ]);
    const header = rows[0];
    expect(header.slice(0, 7)).toEqual(['index', 'PagePolicy', 'RequestBufferSize', 'value', 'reward', 'best', 'feasible']);
    expect(header.slice(7, 7 + EXPORT_METRICS.length)).toEqual([...EXPORT_METRICS]);
    const t = 7 + EXPORT_METRICS.length;
    expect(header.slice(t)).toEqual([
      'gen:stream-triad:seed=0:value', 'gen:stream-triad:seed=0:normalised', 'gen:stream-triad:seed=0:feasible',
      'gen:stream-triad:seed=1:value', 'gen:stream-triad:seed=1:normalised', 'gen:stream-triad:seed=1:feasible',
    ]);
    expect(rows[1][6]).toBe('true');
    expect(rows[2][6]).toBe('false');
    expect(rows[2].slice(t)).toEqual(['12.5', '1.25', 'false', '18', '0.9', 'true']);
    expect(rows.every((r) => r.length === header.length)).toBe(true);
  });

  it('a trace value a joint objective leaves null is an empty cell', () => {
    const rows = csv([suiteEvaluation(0, [[null, null, true]], true)]);
    expect(rows[1].slice(-3)).toEqual(['', '', 'true']);
  });

  it('a run of one trace without constraints has neither column', () => {
    const rows = csv([evaluation(0)]);
    expect(rows[0]).toEqual(['index', 'PagePolicy', 'RequestBufferSize', 'value', 'reward', 'best', ...EXPORT_METRICS]);
  });
});
