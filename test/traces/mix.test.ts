/** Multi-core mixes: each entry in its own region at its share of the rate, interleaved in time. */
import { describe, expect, it } from 'vitest';
import { type MixEntry, generateSource, generateTrace, parseMix } from '../../traces/generators.js';
import { MIX_REGION_ALIGN } from '../../traces/mix.js';

const MiB = 2 ** 20;

const entries: MixEntry[] = [
  { kind: 'stream-triad', weight: 2, options: { elements: 2 ** 18, threads: 2 } }, // 3 × 2 MiB
  { kind: 'gups', options: { footprintBytes: 8 * MiB } },
  { kind: 'random', weight: 1, options: { footprintBytes: 3 * MiB + 64, readShare: 0.5, seed: 77 } },
];

describe('mix', () => {
  it('places the entries one after another on 1 MiB boundaries and records them', () => {
    const s = generateSource('mix', { requests: 10, seed: 5, kernels: entries });
    const kernels = (s.options as unknown as { kernels: Array<{ kind: string; baseAddress: number; footprintBytes: number; seed?: number }> }).kernels;
    expect(kernels.map((k) => [k.kind, k.baseAddress, k.footprintBytes])).toEqual([
      ['stream-triad', 0, 6 * MiB],
      ['gups', 6 * MiB, 8 * MiB],
      ['random', 14 * MiB, 3 * MiB + 64],
    ]);
    expect(MIX_REGION_ALIGN).toBe(MiB);
    expect(kernels[2].seed).toBe(77);
  });

  it('each entry is the same trace it would be alone, at its share of the rate, shifted to its region; the mix is in time order', () => {
    const n = 30_000;
    const mix = generateTrace('mix', { requests: n, seed: 5, rate: 2, kernels: entries });
    const bases = [0, 6 * MiB, 14 * MiB];
    const regionOf = (a: number) => (a >= bases[2] ? 2 : a >= bases[1] ? 1 : 0);
    const parts: Array<Array<[number, number, number]>> = [[], [], []];
    for (let i = 0; i < n; i++) {
      if (i > 0 && mix.cycle[i] < mix.cycle[i - 1]) throw new Error(`request ${i} goes back in time`);
      const k = regionOf(mix.address[i]);
      parts[k].push([mix.cycle[i], mix.address[i] - bases[k], mix.isWrite[i]]);
    }
    // Weights 2 : 1 : 1 of a rate of 2 requests per cycle: rates 1, 0.5, 0.5.
    const alone = [
      generateTrace('stream-triad', { requests: parts[0].length, seed: 5, rate: 1, elements: 2 ** 18, threads: 2 }),
      generateTrace('gups', { requests: parts[1].length, seed: 6, rate: 0.5, footprintBytes: 8 * MiB }),
      generateTrace('random', { requests: parts[2].length, seed: 77, rate: 0.5, footprintBytes: 3 * MiB + 64, readShare: 0.5 }),
    ];
    for (let k = 0; k < 3; k++) {
      const t = alone[k];
      expect(parts[k]).toEqual(Array.from(t.cycle, (c, i) => [c, t.address[i], t.isWrite[i]]));
    }
    expect(parts[0].length / n).toBeCloseTo(0.5, 2);
    expect(parts[1].length / n).toBeCloseTo(0.25, 2);
  });

  it('takes requests of the same cycle in entry order', () => {
    const t = generateTrace('mix', { requests: 6, rate: 2, kernels: [{ kind: 'stream', options: { footprintBytes: MiB } }, { kind: 'stream', options: { footprintBytes: MiB } }] });
    expect(Array.from(t.cycle)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(t.address)).toEqual([0, MiB, 64, MiB + 64, 128, MiB + 128]);
  });

  const bad: Array<[MixEntry[], string]> = [
    [[], 'kernels: a mix needs at least one entry'],
    [[{ kind: 'nope' }], 'kernels: entry 1 (nope): unknown kind (known: stream, random'],
    [[{ kind: 'mix' }], 'kernels: entry 1 (mix): unknown kind'],
    [[{ kind: 'gups', weight: 0 }], 'kernels: entry 1 (gups): the weight must be a number > 0, got 0'],
    [[{ kind: 'gups' }, { kind: 'gups', options: { rate: 2 } }], "kernels: entry 2 (gups): rate is the mix's, not an entry's"],
    [[{ kind: 'gups', options: { zipfExponent: 2 } }], 'kernels: entry 1 (gups): zipf does not apply to gups'],
    [[{ kind: 'gups', options: { footprintBytes: 100 } }], 'kernels: entry 1 (gups): footprint: expected a positive multiple of 64 bytes, got 100'],
    [[{ kind: 'gups', options: { seed: -1 } }], 'kernels: entry 1 (gups): seed: expected an integer 0..4294967295, got -1'],
  ];
  for (const [kernels, message] of bad) {
    it(`refuses ${JSON.stringify(kernels)}`, () => {
      expect(() => generateTrace('mix', { requests: 10, kernels })).toThrow(message);
    });
  }

  it('refuses mix-level options on entries and entry options on the mix', () => {
    expect(() => generateTrace('mix', { requests: 10, footprintBytes: MiB, kernels: [{ kind: 'gups' }] })).toThrow('footprintBytes: does not apply to mix traces');
  });
});

describe('mix syntax', () => {
  it('KIND[:WEIGHT][:OPTION=VALUE...], separated by commas; option names as on the command line, sizes with units', () => {
    expect(parseMix('stream-triad:2:elements=1e6:threads=4, gups:footprint=64MiB,pointer-chase:0.5:chains=4:latency=100')).toEqual([
      { kind: 'stream-triad', weight: 2, options: { elements: 1e6, threads: 4 } },
      { kind: 'gups', options: { footprintBytes: 64 * MiB } },
      { kind: 'pointer-chase', weight: 0.5, options: { chains: 4, latencyCycles: 100 } },
    ]);
    expect(parseMix('stream')).toEqual([{ kind: 'stream', options: {} }]);
  });

  const bad: Array<[string, string]> = [
    ['', 'kernels: expected KIND[:WEIGHT][:OPTION=VALUE...], separated by commas'],
    ['gups:2:3', 'kernels: "gups:2:3": two weights'],
    ['gups:heavy', 'kernels "gups:heavy": weight heavy: expected a number'],
    ['gups:size=1', 'kernels: "gups:size=1": unknown option size'],
    ['gups:footprint=lots', 'kernels "gups:footprint=lots": footprint lots: expected a number'],
  ];
  for (const [text, message] of bad) {
    it(`refuses "${text}"`, () => {
      expect(() => parseMix(text)).toThrow(message);
    });
  }
});
