/** The data shaping on both sides of the socket: the page's web/data.js and the server's shape.ts / protocol.ts. */
import { describe, expect, it } from 'vitest';
import { appendEvaluations, axesOf, bestDesign, bestSoFar, bestSteps, growDomain, mcconfigOf, paretoFront, runFromSnapshot } from '../../web/data.js';
import { paretoFront as objectivesFront } from '../../src/objectives.js';
import { parseClientMessage, PROTOCOL_VERSION, type EvaluationEvent, type RunInfo } from '../../src/server/protocol.js';
import { objectiveDirection, spaceInfoOf, toAgentStatsEvent, toEvaluationEvent } from '../../src/server/shape.js';
import { evaluation } from './fixtures.js';

function info(overrides: Partial<RunInfo> = {}): RunInfo {
  return {
    id: 1,
    status: 'running',
    agent: 'marl',
    trace: 'builtin:cloud-1',
    objective: 'latency',
    direction: 'min',
    target: null,
    seed: 1,
    budget: 100,
    evaluations: 0,
    bestValue: null,
    bestIndex: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    wallSeconds: null,
    ...overrides,
  };
}

function ev(index: number, value: number | null, powerMw = 1000, latencyNs = 5000): EvaluationEvent {
  return { index, design: [0], config: { PagePolicy: 'Open' }, value, reward: value === null ? null : -value, best: null, powerMw, latencyNs, avgLatencyNs: 1, energyPj: 1, simulated: true };
}

describe('web/data.js', () => {
  it('bestSoFar keeps the running best in the objective direction, skipping missing values', () => {
    expect(bestSoFar([5, 3, 4, null, 1], 'min')).toEqual([5, 3, 3, 3, 1]);
    expect(bestSoFar([0.1, 0.3, 0.2], 'max')).toEqual([0.1, 0.3, 0.3]);
    expect(bestSoFar([null, 2], 'min')).toEqual([null, 2]);
    expect(bestSoFar([4], 'min', 3)).toEqual([3]);
  });

  it('bestSteps reduces the curve to its changes and its end', () => {
    expect(bestSteps([5, 3, 3, 3, 1, 1])).toEqual([
      [1, 5],
      [2, 3],
      [5, 1],
      [6, 1],
    ]);
    expect(bestSteps([])).toEqual([]);
  });

  it('paretoFront agrees with src/objectives.ts on random points', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 100;
    for (let trial = 0; trial < 50; trial++) {
      const points: Array<[number, number]> = Array.from({ length: 1 + (trial % 40) }, () => [Math.round(rand()), Math.round(rand())]);
      const front = paretoFront(points).map((i) => points[i]);
      expect(front).toEqual(objectivesFront(points));
    }
  });

  it('growDomain grows with a margin and otherwise keeps the same array', () => {
    const d = growDomain(null, [10, 20]);
    expect(d).toEqual([9, 21]);
    expect(growDomain(d, [12, 18])).toBe(d);
    expect(growDomain(d, [30])).toEqual([9, 30 + 2.1]);
    expect(growDomain(null, [NaN])).toBeNull();
  });

  it('mcconfigOf puts the design over the space base, in DRAMSys form', () => {
    expect(mcconfigOf({ name: 's', parameters: [], base: { PagePolicy: 'Open', Scheduler: 'Fifo' } }, { Scheduler: 'FrFcfs' })).toEqual({
      mcconfig: { PagePolicy: 'Open', Scheduler: 'FrFcfs' },
    });
    expect(mcconfigOf(null, { Arbiter: 'Fifo' })).toEqual({ mcconfig: { Arbiter: 'Fifo' } });
  });

  it('axesOf falls back to the values seen, sorted', () => {
    const es = [{ config: { A: 8, B: 'y' } }, { config: { A: 2, B: 'x' } }] as unknown as EvaluationEvent[];
    expect(axesOf(null, es)).toEqual([
      { name: 'A', values: [2, 8] },
      { name: 'B', values: ['x', 'y'] },
    ]);
  });

  it('a run state follows evaluations: best, best design, front; repeats skipped, gaps reported', () => {
    const run = runFromSnapshot({ run: info(), space: null, evaluations: [ev(0, 50, 3, 50), ev(1, 40, 4, 40)], agentStats: [] });
    expect(run.best).toEqual([50, 40]);
    expect(run.bestIndex).toBe(1);
    expect(run.front).toEqual([0, 1]);
    let r = appendEvaluations(run, [ev(1, 40, 4, 40), ev(2, 45, 5, 45), ev(3, 30, 2, 30)]);
    expect(r).toEqual({ added: 2, gap: false, bestChanged: true, frontChanged: true });
    expect(run.front).toEqual([3]);
    expect(bestDesign(run)?.evaluation.index).toBe(3);
    r = appendEvaluations(run, [ev(4, 60)]);
    expect(r.bestChanged).toBe(false);
    expect(appendEvaluations(run, [ev(9, 1)]).gap).toBe(true);
    expect(run.evaluations).toHaveLength(5);
  });

  it('pareto runs maximise', () => {
    const run = runFromSnapshot({ run: info({ objective: 'pareto', direction: 'max' }), space: null, evaluations: [ev(0, 0.2), ev(1, 0.5), ev(2, 0.5)], agentStats: [] });
    expect(run.bestIndex).toBe(1);
  });
});

describe('server shaping', () => {
  it('evaluation events carry power and latency, and null for NaN', () => {
    const e = toEvaluationEvent({ ...evaluation(4), value: NaN });
    expect(e).toMatchObject({ index: 4, value: null, powerMw: 1004, latencyNs: 50_004, simulated: true });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('agent reports keep finite numbers and well-formed distributions only', () => {
    expect(toAgentStatsEvent(8, { loss: 0.1, bad: NaN, name: 'x', distributions: [[0.5, 0.5]] })).toEqual({ evaluations: 8, scalars: { loss: 0.1 }, distributions: [[0.5, 0.5]] });
    expect(toAgentStatsEvent(8, { distributions: [['a']] }).distributions).toBeNull();
    expect(toAgentStatsEvent(8, null)).toEqual({ evaluations: 8, scalars: {}, distributions: null });
  });

  it('the space comes from the run options; an unloadable one is null', () => {
    const space = spaceInfoOf({ space: 'reference', options: { space: 'reference' } });
    expect(space?.parameters).toHaveLength(10);
    expect(space?.parameters[3]).toEqual({ name: 'RequestBufferSize', values: [1, 2, 4, 8, 16, 32, 64, 128] });
    expect(Object.keys(space!.base)[0]).toBe('PagePolicy');
    expect(spaceInfoOf({ space: 'x', options: { space: '/nonexistent/space.json' } })).toBeNull();
    expect(objectiveDirection('pareto')).toBe('max');
    expect(objectiveDirection('power')).toBe('min');
  });

  it('client messages are parsed or refused with a reason, never thrown', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'subscribe', version: PROTOCOL_VERSION, runs: [1, 2] }), false)).toEqual({
      ok: true,
      message: { type: 'subscribe', version: PROTOCOL_VERSION, runs: [1, 2] },
    });
    for (const bad of ['', 'null', '"x"', '{"type":1}', '{"type":"subscribe","version":1,"runs":[0]}', '{"type":"subscribe","version":1,"runs":[]}', '{"__proto__":{"type":"list-runs"}}']) {
      const r = parseClientMessage(bad, false);
      expect(r.ok, bad).toBe(false);
    }
  });
});
