import { describe, expect, it } from 'vitest';
import type { Trace } from '../../simulators/trace.js';
import { BUILTIN_TRACES, openTrace } from '../../traces/builtin.js';
import { generateTrace } from '../../traces/generators.js';

function sum(xs: Float64Array): number {
  return xs.reduce((s, x) => s + x, 0);
}

describe('built-in traces', () => {
  it('are stream, random, cloud-1 and cloud-2, each described', () => {
    expect(Object.keys(BUILTIN_TRACES)).toEqual(['stream', 'random', 'cloud-1', 'cloud-2']);
    for (const b of Object.values(BUILTIN_TRACES)) expect(b.description).toMatch(/10,000 .*reads/);
  });

  for (const name of Object.keys(BUILTIN_TRACES)) {
    it(`builtin:${name}: 10,000 reads, one per cycle, the same every time`, () => {
      const t = openTrace(`builtin:${name}`) as Trace;
      expect(t.name).toBe(`builtin:${name}`);
      expect(t.length).toBe(10_000);
      expect(t.isWrite.every((w) => w === 0)).toBe(true);
      expect(t.cycle.every((c, i) => c === i)).toBe(true);
      expect(t.address.every((a) => a % 64 === 0 && a < 2 ** 30)).toBe(true);
      expect(openTrace(`builtin:${name}`)).toEqual(t);
      const b = BUILTIN_TRACES[name];
      expect(generateTrace(b.kind, b.options, t.name)).toEqual(t);
    });
  }

  // Published results are quoted for these traces: a change to a generator must not move them.
  it('keep their content', () => {
    const content = (name: string) => {
      const t = openTrace(`builtin:${name}`) as Trace;
      return { first: Array.from(t.address.slice(0, 3)), sum: sum(t.address) };
    };
    expect(content('stream')).toEqual({ first: [0, 0x40, 0x80], sum: 3_199_680_000 });
    expect(content('random')).toEqual({ first: [0xb13de40, 0x2037040, 0x3db04700], sum: 5_382_739_956_480 });
    expect(content('cloud-1')).toEqual({ first: [0, 0x40, 0x80], sum: 2_792_350_718_464 });
    expect(content('cloud-2')).toEqual({ first: [0x3ff24cc0, 0x2377040, 0x6360840], sum: 2_796_635_873_216 });
  });

  it('cloud-1 starts with a sequential run and cloud-2 with a random one', () => {
    const c1 = openTrace('builtin:cloud-1') as Trace;
    const c2 = openTrace('builtin:cloud-2') as Trace;
    for (let i = 0; i < 50; i++) expect(c1.address[i]).toBe(i * 64);
    expect(c2.address[1]).not.toBe(c2.address[0] + 64);
  });

  it('an unknown name lists the known ones', () => {
    expect(() => openTrace('builtin:nope')).toThrow(
      'trace builtin:nope: unknown built-in trace (known: builtin:stream, builtin:random, builtin:cloud-1, builtin:cloud-2)',
    );
    expect(() => openTrace('builtin:toString')).toThrow('unknown built-in trace');
  });
});
