/** The data shaping on both sides of the socket: the page's web/data.js and the server's shape.ts / protocol.ts. */
import { describe, expect, it } from 'vitest';
import {
  agentSeries,
  appendEvaluations,
  axesOf,
  axesStorageKey,
  axisGroups,
  bestDesign,
  bestRange,
  bestSteps,
  configAt,
  csvField,
  defaultBestView,
  formatValue,
  designDiff,
  evaluationAt,
  groupedAxes,
  growDomain,
  mcconfigOf,
  MISSING,
  paretoFront,
  parseAxesChoice,
  parseTrialFilter,
  runFromSnapshot,
  shortName,
  thin,
  tickLabel,
} from '../../web/data.js';
import { paretoFront as objectivesFront } from '../../src/objectives.js';
import { parseClientMessage, PROTOCOL_VERSION, type EvaluationEvent, type RunInfo } from '../../src/server/protocol.js';
import { objectiveDirection, spaceInfoOf, toAgentStatsEvent, toEvaluationEvent, toRunInfo } from '../../src/server/shape.js';
import type { RunRow } from '../../src/store/store.js';
import { evaluation } from './fixtures.js';

function info(overrides: Partial<RunInfo> = {}): RunInfo {
  return {
    id: 1,
    status: 'running',
    agent: 'marl',
    trace: 'builtin:cloud-1',
    objective: 'latency',
    direction: 'min',
    unit: 'ns',
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

const row: RunRow = {
  id: 1,
  status: 'running',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  evaluations: 0,
  simulations: 0,
  bestValue: null,
  bestIndex: null,
  evaluationsToTarget: null,
  wallSeconds: null,
  agent: 'marl',
  trace: 'builtin:cloud-1',
  traceHash: 'x',
  objective: 'latency',
  target: null,
  reward: 'log',
  seed: 1,
  budget: 10,
  space: 'reference',
  options: {},
};

function ev(index: number, value: number | null, powerMw = 1000, latencyNs = 5000): EvaluationEvent {
  return { index, design: [0], config: { PagePolicy: 'Open' }, value, reward: value === null ? null : -value, best: null, powerMw, latencyNs, avgLatencyNs: 1, energyPj: 1, bandwidthGBps: 2, simulated: true };
}

describe('web/data.js', () => {
  it('bestSteps reduces the curve to its changes and its end', () => {
    expect(bestSteps([5, 3, 3, 3, 1, 1])).toEqual([
      [1, 5],
      [2, 3],
      [5, 1],
      [6, 1],
    ]);
    expect(bestSteps([])).toEqual([]);
    // From a column: NaN is "no value yet", and only the first `length` entries count.
    expect(bestSteps(Float64Array.from([NaN, 4, 4, 2, 9]), 4)).toEqual([
      [2, 4],
      [4, 2],
    ]);
  });

  it('bestRange leaves out the first evaluations: a search from 311,000 ns to 55,046 ns zooms to where it improves', () => {
    // The first design at 311,000 ns, 60,662 ns soon after, 55,046 ns at the end of 300 evaluations.
    const best = [311_000, 98_000, ...Array<number>(28).fill(60_662), ...Array<number>(170).fill(58_100), ...Array<number>(100).fill(55_046)];
    const range = bestRange([bestSteps(best)])!;
    expect(range.full).toEqual([55_046, 311_000]);
    // 5 % of 300 evaluations: the curve's value after 15 of them is 60,662 ns.
    expect(range.best).toEqual([55_046, 60_662]);
    expect(defaultBestView(range)).toEqual({ zoom: 'best', log: false });
    // Marks (a true optimum) are always inside.
    expect(bestRange([bestSteps(best)], [50_000])!.best).toEqual([50_000, 60_662]);
    // Several runs: the worst of their values after 5 %, the best of their ends.
    expect(bestRange([bestSteps(best), bestSteps(best.map((v) => v * 1.1))])!.best).toEqual([55_046, 60_662 * 1.1]);
    // A curve that falls steadily by a factor of ten is shown whole, on a log scale…
    const steady = Array.from({ length: 100 }, (_, i) => 1000 * 0.9767 ** i);
    expect(defaultBestView(bestRange([bestSteps(steady)])!)).toEqual({ zoom: 'full', log: true });
    // …one that falls by a factor of 6 in its first 5 % and by 16 after is zoomed to the rest, still logarithmic.
    const hyperbola = Array.from({ length: 100 }, (_, i) => 1000 / (1 + i));
    expect(defaultBestView(bestRange([bestSteps(hyperbola)])!)).toEqual({ zoom: 'best', log: true });
    // A maximised objective that starts at 0 (a hypervolume): no log scale through 0.
    const hv = Array.from({ length: 100 }, (_, i) => Math.min(0.8, i / 50));
    expect(defaultBestView(bestRange([bestSteps(hv)])!)).toEqual({ zoom: 'full', log: false });
    expect(bestRange([[]])).toBeNull();
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

  it('formatValue writes numbers for people', () => {
    expect([55046.25, 1234567.891, 2930.694, 0.5383, 0.012345, 2.202e-8, -0.0001, 128, null, NaN].map(formatValue)).toEqual([
      '55,046.25',
      '1,234,568',
      '2,930.694',
      '0.5383',
      '0.01235',
      '2.202e-8',
      '-1e-4',
      '128',
      '—',
      '—',
    ]);
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
    const es = [{ config: { A: 8, B: 'y' } }, { config: { A: 2, B: 'x' } }];
    expect(axesOf(null, es)).toEqual([
      { name: 'A', subsystem: null, values: [2, 8] },
      { name: 'B', subsystem: null, values: ['x', 'y'] },
    ]);
  });

  it("groupedAxes puts each subsystem's parameters together, in the order the subsystems first appear", () => {
    const a = (name: string, subsystem: string) => ({ name, subsystem, values: [0] });
    expect(groupedAxes([a('P', 'page'), a('S', 'scheduling'), a('R', 'refresh'), a('B', 'scheduling'), a('M', 'refresh')]).map((x) => x.name)).toEqual(['P', 'S', 'B', 'R', 'M']);
  });

  it('axisGroups makes a group of any subsystem, new ones included, each in its own colour; no subsystem is a grey group', () => {
    const a = (name: string, subsystem: string | null) => ({ name, subsystem, values: [0] });
    const groups = axisGroups([a('Ranks', 'organisation'), a('Scheduler', 'scheduling'), a('BankXor', 'address-mapping'), a('Channels', 'organisation'), a('X', 'not-yet-named'), a('Y', null)]);
    expect(groups.map((g) => [g.subsystem, g.axes.map((x) => x.name)])).toEqual([
      ['organisation', ['Ranks', 'Channels']],
      ['scheduling', ['Scheduler']],
      ['address-mapping', ['BankXor']],
      ['not-yet-named', ['X']],
      [null, ['Y']],
    ]);
    const colors = groups.map((g) => g.color);
    expect(new Set(colors).size).toBe(colors.length);
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    // The same space, the same colours.
    expect(axisGroups([a('Ranks', 'organisation'), a('Scheduler', 'scheduling')]).map((g) => g.color)).toEqual(colors.slice(0, 2));
  });

  it('shortName cuts words from the left and keeps the last, so names that differ at the end stay apart', () => {
    expect(shortName('Scheduler', 18)).toBe('Scheduler');
    expect(shortName('MaxActiveTransactions', 18)).toBe('MaxActTransactions');
    expect(shortName('RequestBufferSizeRead', 16)).toBe('ReqBufSizeRead');
    expect(shortName('RequestBufferSizeWrite', 16)).toBe('ReqBufSizeWrite');
    expect(shortName('address-mapping', 8)).toBe('add-map…');
    expect(shortName('address-mapping', 12)).toBe('add-mapping');
    expect(shortName('DDR4', 3)).toBe('DD…');
    for (const n of ['RefreshMaxPostponed', 'PowerDownTimeout', 'ChannelInterleaveGranularity']) for (let k = 2; k < 20; k++) expect(shortName(n, k).length).toBeLessThanOrEqual(k);
  });

  it('tickLabel fits a value in the room between crowded axes: numbers in SI form, names shortened, nothing under four characters', () => {
    expect(tickLabel(32768, 10)).toBe('32768');
    expect(tickLabel(32768, 5)).toBe('32768');
    expect(tickLabel(32768, 4)).toBe('33k');
    expect(tickLabel(15360, 4)).toBe('15k');
    expect(tickLabel(327680, 4)).toBe('328k');
    expect(tickLabel(1536, 3)).toBe('');
    expect(tickLabel(32768, 3)).toBe('');
    expect(tickLabel(1048576, 4)).toBe('1M');
    expect(tickLabel('ClosedAdaptive', 6)).toBe('CloAd…');
    expect(tickLabel('Open', 4)).toBe('Open');
    expect(tickLabel('ClosedAdaptive', 3)).toBe('');
    expect(tickLabel(8, 1)).toBe('8');
  });

  it('a stored choice of axes is kept per set of parameter names and read back defensively', () => {
    const a = (name: string, values: number[] = [0]) => ({ name, subsystem: 'page', values });
    const space = [a('PagePolicy'), a('Scheduler'), a('Arbiter')];
    expect(axesStorageKey(space)).toMatch(/^marl-dse:axes:[0-9a-f]{8}$/);
    // Other values, the same parameters: the same key; other parameters: another key.
    expect(axesStorageKey([a('PagePolicy', [1, 2]), a('Scheduler'), a('Arbiter')])).toBe(axesStorageKey(space));
    expect(axesStorageKey([a('Arbiter'), a('PagePolicy'), a('Scheduler')])).toBe(axesStorageKey(space));
    expect(axesStorageKey([a('PagePolicy'), a('Scheduler')])).not.toBe(axesStorageKey(space));
    expect(parseAxesChoice('["Arbiter","Gone","PagePolicy"]', space)).toEqual(new Set(['PagePolicy', 'Arbiter']));
    expect(parseAxesChoice('[]', space)).toEqual(new Set());
    for (const bad of [null, '', '{', '{"a":1}', '[1,2]', 'null']) expect(parseAxesChoice(bad, space)).toBeNull();
  });

  it('a run state follows evaluations: best, best design, front; repeats skipped, gaps reported', () => {
    const run = runFromSnapshot({ run: info(), space: null, evaluations: [ev(0, 50, 3, 50), ev(1, 40, 4, 40)], agentStats: [] });
    expect([...run.cols.best.subarray(0, run.n)]).toEqual([50, 40]);
    expect(run.bestIndex).toBe(1);
    expect(run.front).toEqual([0, 1]);
    let r = appendEvaluations(run, [ev(1, 40, 4, 40), ev(2, 45, 5, 45), ev(3, 30, 2, 30)]);
    expect(r).toEqual({ added: 2, gap: false, bestChanged: true, frontChanged: true, axesChanged: false });
    expect(run.front).toEqual([3]);
    expect(bestDesign(run)?.evaluation.index).toBe(3);
    r = appendEvaluations(run, [ev(4, 60)]);
    expect(r.bestChanged).toBe(false);
    expect(appendEvaluations(run, [ev(9, 1)]).gap).toBe(true);
    expect(run.n).toBe(5);
  });

  it('a run state holds its evaluations in columns and gives them back as the server sent them', () => {
    const space = {
      name: 's',
      parameters: [
        { name: 'PagePolicy', subsystem: 'page', values: ['Open', 'Closed'] },
        { name: 'RequestBufferSize', subsystem: 'scheduling', values: [1, 8, 16] },
      ],
      base: { PagePolicy: 'Open', RequestBufferSize: 1, Arbiter: 'Simple' },
    };
    const sent: EvaluationEvent[] = Array.from({ length: 200 }, (_, i) => ({
      ...ev(i, 1000 - i, 2000 + i, 50_000 + i),
      reward: i % 7 ? i / 10 : null,
      config: { PagePolicy: i % 2 ? 'Closed' : 'Open', RequestBufferSize: [1, 8, 16][i % 3] },
      simulated: i % 4 !== 3,
    }));
    // Grown from a small snapshot by live batches, past the first capacity.
    const run = runFromSnapshot({ run: info(), space, evaluations: sent.slice(0, 3), agentStats: [] });
    for (let i = 3; i < sent.length; i += 17) appendEvaluations(run, sent.slice(i, i + 17));
    expect(run.n).toBe(200);
    for (const i of [0, 1, 63, 64, 65, 199]) expect(evaluationAt(run, i)).toEqual({ ...sent[i], design: [i % 2, i % 3], best: 1000 - i });
    expect(configAt(run, 5)).toEqual({ PagePolicy: 'Closed', RequestBufferSize: 16 });
    // A value outside the space is missing on its axis, not another value.
    appendEvaluations(run, [{ ...ev(200, 1), config: { PagePolicy: 'OpenAdaptive', RequestBufferSize: 8 } }]);
    expect([run.cols.design[0][200], run.cols.design[1][200]]).toEqual([MISSING, 1]);
    expect(configAt(run, 200)).toEqual({ RequestBufferSize: 8 });
  });

  it('a design that breaks a constraint is never the best nor on the front, and is given back as such', () => {
    const bad = (i: number, value: number, power: number, latency: number): EvaluationEvent => ({ ...ev(i, value, power, latency), feasible: false });
    const run = runFromSnapshot({ run: info(), space: null, evaluations: [ev(0, 50, 3, 50), bad(1, 10, 1, 10)], agentStats: [] });
    expect([...run.cols.best.subarray(0, run.n)]).toEqual([50, 50]);
    expect(run.bestIndex).toBe(0);
    expect(run.front).toEqual([0]);
    appendEvaluations(run, [bad(2, 5, 1, 5), ev(3, 40, 4, 40)]);
    expect([...run.cols.best.subarray(0, run.n)]).toEqual([50, 50, 50, 40]);
    expect(bestDesign(run)?.evaluation.index).toBe(3);
    expect(run.front).toEqual([0, 3]);
    expect(evaluationAt(run, 2).feasible).toBe(false);
    expect('feasible' in evaluationAt(run, 3)).toBe(false);
  });

  it('without a space the axes grow, sorted, as values appear', () => {
    const run = runFromSnapshot({ run: info(), space: null, evaluations: [{ ...ev(0, 5), config: { A: 8, B: 'y' } }], agentStats: [] });
    const r = appendEvaluations(run, [
      { ...ev(1, 4), config: { A: 2, B: 'y' } },
      { ...ev(2, 3), config: { A: 8, B: 'x' } },
    ]);
    expect(r.axesChanged).toBe(true);
    expect(run.axes.map((a) => [a.name, a.values])).toEqual([
      ['A', [2, 8]],
      ['B', ['x', 'y']],
    ]);
    expect([0, 1, 2].map((i) => configAt(run, i))).toEqual([
      { A: 8, B: 'y' },
      { A: 2, B: 'y' },
      { A: 8, B: 'x' },
    ]);
  });

  it("the best so far follows the objective's direction and skips missing values; pareto runs maximise", () => {
    const run = runFromSnapshot({ run: info(), space: null, evaluations: [ev(0, null), ev(1, 5), ev(2, null), ev(3, 7), ev(4, 3)], agentStats: [] });
    expect([...run.cols.best.subarray(0, run.n)]).toEqual([NaN, 5, 5, 5, 3]);
    expect(run.bestIndex).toBe(4);
    const pareto = runFromSnapshot({ run: info({ objective: 'pareto', direction: 'max' }), space: null, evaluations: [ev(0, 0.2), ev(1, 0.5), ev(2, 0.5)], agentStats: [] });
    expect(pareto.bestIndex).toBe(1);
    expect([...pareto.cols.best.subarray(0, 3)]).toEqual([0.2, 0.5, 0.5]);
  });

  it('designDiff names the parameters that differ from a reference', () => {
    const axes = [
      { name: 'PagePolicy', subsystem: 'page', values: ['Open', 'Closed'] },
      { name: 'RequestBufferSize', subsystem: 'scheduling', values: [1, 8] },
    ];
    expect(designDiff(axes, { PagePolicy: 'Closed', RequestBufferSize: 8 }, { PagePolicy: 'Open', RequestBufferSize: 8 })).toEqual(['PagePolicy=Closed']);
    expect(designDiff(axes, { PagePolicy: 'Open', RequestBufferSize: 8 }, { PagePolicy: 'Open', RequestBufferSize: '8' })).toEqual([]);
  });

  it('csvField quotes what needs quoting (RFC 4180) and leaves missing values empty', () => {
    expect([csvField('Open'), csvField(8), csvField(null), csvField(NaN), csvField('a,b'), csvField('say "hi"'), csvField('two\nlines')]).toEqual([
      'Open',
      '8',
      '',
      '',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
    ]);
  });

  it('parseTrialFilter splits Key=Value terms from words, without regard to case', () => {
    expect(parseTrialFilter('  Scheduler=FrFcfs  marl requestbuffersize=8 ')).toEqual({
      equals: [
        ['scheduler', 'frfcfs'],
        ['requestbuffersize', '8'],
      ],
      words: ['marl'],
    });
    expect(parseTrialFilter('')).toEqual({ equals: [], words: [] });
  });
});

describe("web/data.js: the agent's figures", () => {
  it("agentSeries makes one curve per reported figure and lists counters' latest value", () => {
    const stats = [1, 2, 3].map((k) => ({ evaluations: 10 * k, scalars: { policyLoss: 1 / k, entropy: 2 - k / 10, updates: k }, distributions: null }));
    expect(agentSeries(stats)).toEqual({
      curves: [
        { name: 'policyLoss', points: [[10, 1], [20, 0.5], [30, 1 / 3]] },
        { name: 'entropy', points: [[10, 1.9], [20, 1.8], [30, 1.7]] },
      ],
      counters: [{ name: 'updates', value: 3 }],
    });
  });

  it('thin keeps the lowest and highest point of each pixel column, so spikes survive', () => {
    const points: Array<[number, number]> = Array.from({ length: 10_000 }, (_, i) => [i, i === 5_123 ? 100 : Math.sin(i)]);
    const thinned = thin(points, (x) => x / 100);
    expect(thinned.length).toBeLessThanOrEqual(200);
    expect(thinned).toContainEqual([5_123, 100]);
    expect(thinned.map((p) => p[0])).toEqual([...thinned.map((p) => p[0])].sort((a, b) => a - b));
    // Short series are drawn as they are.
    expect(thin(points.slice(0, 10), (x) => x)).toEqual(points.slice(0, 10));
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

  it("the space comes from the run options, with each parameter's subsystem; an unloadable one is null", () => {
    const space = spaceInfoOf({ space: 'reference', options: { space: 'reference' } });
    expect(space?.parameters).toHaveLength(10);
    expect(space?.parameters[3]).toEqual({ name: 'RequestBufferSize', subsystem: 'scheduling', values: [1, 2, 4, 8, 16, 32, 64, 128] });
    expect(new Set(space?.parameters.map((p) => p.subsystem))).toEqual(new Set(['page', 'scheduling', 'transport', 'refresh']));
    expect(Object.keys(space!.base)[0]).toBe('PagePolicy');
    expect(spaceInfoOf({ space: 'x', options: { space: '/nonexistent/space.json' } })).toBeNull();
    expect(objectiveDirection('pareto')).toBe('max');
    expect(objectiveDirection('power')).toBe('min');
  });

  it("the run list gives each objective's unit", () => {
    expect(['latency', 'power', 'avg-latency', 'energy', 'joint', 'pareto'].map((objective) => toRunInfo({ ...row, objective }).unit)).toEqual([
      'ns',
      'mW',
      'ns',
      'pJ',
      '× target',
      'normalised hypervolume',
    ]);
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
