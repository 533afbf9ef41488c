import { describe, expect, it } from 'vitest';
import { DEFAULT_MCCONFIG } from '../../simulators/dram/mcconfig.js';
import { loadSpace } from '../../src/space/builtin.js';
import { designAt, designIndex, designToConfig, parseSpace, spaceToJson } from '../../src/space/space.js';
import { spaceSize } from '../../src/space/masks.js';

describe('parameter spaces', () => {
  it('the reference space has the published 10 parameters and 442,368 designs, in five slices', () => {
    const s = loadSpace('reference');
    expect(spaceSize(s)).toBe(442_368);
    expect(s.parameters.map((p) => p.name)).toEqual([
      'PagePolicy', 'Scheduler', 'SchedulerBuffer', 'RequestBufferSize', 'RespQueue',
      'RefreshPolicy', 'RefreshMaxPostponed', 'RefreshMaxPulledin', 'Arbiter', 'MaxActiveTransactions',
    ]);
    expect(s.parameters[1].values).toEqual(['Fifo', 'FrFcfsGrp', 'FrFcfs']);
    expect(s.slices.map((x) => x.subsystem)).toEqual(['scheduling', 'page', 'refresh', 'transport']);
  });

  it('the wide space adds every other supported value', () => {
    const s = loadSpace('wide');
    const names = s.parameters.map((p) => p.name);
    expect(names).toContain('CmdMux');
    expect(names).toContain('PowerDownPolicy');
    expect(s.parameters.find((p) => p.name === 'RefreshPolicy')!.values).toContain('PerBank');
  });

  it('maps designs to configs and indices both ways', () => {
    const s = loadSpace('reference');
    for (const i of [0, 1, 12345, 442_367]) expect(designIndex(s, designAt(s, i))).toBe(i);
    const c = designToConfig(s, designAt(s, 442_367));
    expect(c).toMatchObject({ PagePolicy: 'ClosedAdaptive', Scheduler: 'FrFcfs', RequestBufferSize: 128, MaxActiveTransactions: 128, CmdMux: DEFAULT_MCCONFIG.CmdMux });
    expect(() => designToConfig(s, [0, 0])).toThrow(/design has 2 values but space reference has 10 parameters/);
  });

  it('round-trips through JSON', () => {
    const s = loadSpace('wide');
    expect(spaceToJson(parseSpace(spaceToJson(s), 'x.json'))).toEqual(spaceToJson(s));
  });

  it('rejects an unknown key or value with one line naming it', () => {
    expect(() => parseSpace({ parameters: [{ name: 'Sheduler', values: ['Fifo'] }] }, 's.json')).toThrow(/^s\.json: parameters\[0\]\.Sheduler: unknown mcconfig key/);
    expect(() => parseSpace({ parameters: [{ name: 'Scheduler', values: ['Fifo', 'Random'] }] }, 's.json')).toThrow(
      's.json: parameters[0].values: Scheduler: unknown value "Random"',
    );
    expect(() => parseSpace({ parameters: [{ name: 'RequestBufferSize', values: [0, 2] }] }, 's.json')).toThrow(/expected an integer ≥ 1, got 0/);
    expect(() => parseSpace({ parameters: [] }, 's.json')).toThrow(/^s\.json: parameters: /);
    expect(() => parseSpace({ parameters: [{ name: 'Scheduler', values: ['Fifo'] }], extra: 1 }, 's.json')).toThrow(/^s\.json: \(top level\): Unrecognized key/);
  });
});
