import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../common/errors.js';
import { openTrace } from '../../traces/builtin.js';
import { generateTrace } from '../../traces/generators.js';
import { BUILTIN_SUITES, composeSuite, KERNEL_SUITE_REQUESTS, loadSuite } from '../../traces/suites.js';
import type { Trace } from '../../simulators/trace.js';

const dir = mkdtempSync(join(tmpdir(), 'marl-dse-suites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suiteFile(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return path;
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

const requestsOf = (t: Trace): number[] => Array.from(t.address.subarray(0, t.length));

describe('gen: traces', () => {
  it('a gen: spec is the generator with those options, named by the spec', () => {
    const t = openTrace('gen:gups:requests=300:footprint=64MiB:seed=3') as Trace;
    const direct = generateTrace('gups', { requests: 300, footprintBytes: 64 * 2 ** 20, seed: 3 });
    expect(t.name).toBe('gen:gups:requests=300:footprint=64MiB:seed=3');
    expect(t.length).toBe(300);
    expect(requestsOf(t)).toEqual(requestsOf(direct));
    expect(Array.from(t.cycle.subarray(0, 300))).toEqual(Array.from(direct.cycle.subarray(0, 300)));
  });

  it.each([
    ['gen:nope:requests=10', 'trace gen:nope:requests=10: unknown kind "nope" (known: '],
    ['gen:mix:requests=10', 'trace gen:mix:requests=10: unknown kind "mix"'],
    ['gen:gups', 'trace gen:gups: requests=N is required'],
    ['gen:gups:requests=10:elements=5', 'trace gen:gups:requests=10:elements=5: elements: does not apply to gups traces'],
    ['gen:gups:requests=10:colour=red', 'trace gen:gups:requests=10:colour=red: "colour=red": expected OPTION=VALUE with an option of gups or requests'],
    ['gen:gups:requests=ten', 'trace gen:gups:requests=ten: requests: expected a non-negative integer, got NaN'],
    ['gen:gups:requests=10:footprint=lots', 'trace gen:gups:requests=10:footprint=lots: footprint lots: expected a number'],
  ])('%s: one line naming the spec and the option', (spec, expected) => {
    expect(message(() => openTrace(spec))).toContain(expected);
  });
});

describe('built-in suites', () => {
  it('suite:kernels holds the six kernels, each its first requests at its defaults', () => {
    const s = loadSuite('suite:kernels');
    expect(s.name).toBe('suite:kernels');
    expect(s.entries.map((e) => e.trace)).toEqual(
      ['stream-triad', 'gups', 'spmv', 'stencil', 'transpose', 'pointer-chase'].map((k) => `gen:${k}:requests=${KERNEL_SUITE_REQUESTS}`),
    );
    expect(s.entries.every((e) => e.weight === 1)).toBe(true);
    const gups = openTrace(s.entries[1].trace) as Trace;
    expect(requestsOf(gups)).toEqual(requestsOf(generateTrace('gups', { requests: KERNEL_SUITE_REQUESTS })));
  });

  it('suite:cloud and suite:reference are the built-in traces', () => {
    expect(loadSuite('suite:cloud').entries.map((e) => e.trace)).toEqual(['builtin:cloud-1', 'builtin:cloud-2']);
    expect(loadSuite('suite:reference').entries.map((e) => e.trace)).toEqual(['builtin:stream', 'builtin:random', 'builtin:cloud-1', 'builtin:cloud-2']);
    expect(Object.keys(BUILTIN_SUITES)).toEqual(['kernels', 'cloud', 'reference']);
  });

  it('an unknown built-in suite names the known ones', () => {
    expect(message(() => loadSuite('suite:spec2017'))).toBe('suite suite:spec2017: unknown built-in suite (known: suite:kernels, suite:cloud, suite:reference)');
  });
});

describe('suite files', () => {
  it('lists traces as strings or {trace, weight}; file paths are relative to the suite file', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'a.stl'), '0:\tread\t0x0\n');
    const path = suiteFile('sub/mine.json', { name: 'mine', traces: ['builtin:stream', { trace: 'a.stl', weight: 2 }, { trace: 'stl:a.stl' }, { trace: 'gen:gups:requests=10', weight: 0.5 }] });
    const s = loadSuite(path);
    expect(s.name).toBe('mine');
    expect(s.entries.map(({ trace, weight }) => [trace, weight])).toEqual([
      ['builtin:stream', 1],
      [join(dir, 'sub', 'a.stl'), 2],
      [`stl:${join(dir, 'sub', 'a.stl')}`, 1],
      ['gen:gups:requests=10', 0.5],
    ]);
    expect(s.entries[1].origin).toBe(`${path}: traces[1]`);
    expect(loadSuite(suiteFile('unnamed.json', { traces: ['builtin:random'] })).name).toBe(join(dir, 'unnamed.json'));
  });

  it.each([
    ['not-json.json', '{"traces": [', ': invalid JSON ('],
    ['array.json', ['builtin:stream'], ': expected an object {"traces": [...]}'],
    ['extra.json', { traces: ['builtin:stream'], trace: 'x' }, ': unknown key "trace" (expected name, description, traces)'],
    ['none.json', { name: 'x' }, ': traces: expected a non-empty list of traces'],
    ['empty.json', { traces: [] }, ': traces: expected a non-empty list of traces'],
    ['number.json', { traces: ['builtin:stream', 7] }, ': traces[1]: expected a trace (a string) or {"trace": "...", "weight": w}'],
    ['weight.json', { traces: [{ trace: 'builtin:stream', weight: -1 }] }, ': traces[0]: weight: expected a number > 0, got -1'],
    ['weight-text.json', { traces: [{ trace: 'builtin:stream', weight: '2' }] }, ': traces[0]: weight: expected a number > 0, got "2"'],
    ['entry-key.json', { traces: [{ trace: 'builtin:stream', wieght: 2 }] }, ': traces[0]: unknown key "wieght"'],
    ['blank.json', { traces: [' '] }, ': traces[0]: an empty trace name'],
    ['twice.json', { traces: ['builtin:stream', 'builtin:random', { trace: 'builtin:stream', weight: 3 }] }, ': traces[2]: builtin:stream is listed twice (give it a weight instead)'],
    ['proto.json', '{"traces": ["builtin:stream"], "__proto__": {"x": 1}}', ': __proto__: a name JavaScript objects reserve'],
  ])('%s: one line naming the file and the entry', (name, doc, expected) => {
    const path = suiteFile(name, doc);
    expect(message(() => loadSuite(path))).toContain(`${path}${expected}`);
  });

  it('a missing file says so and names the built-in suites', () => {
    expect(message(() => loadSuite(join(dir, 'nope.json')))).toMatch(/^suite .*nope\.json: cannot read file \(ENOENT; built-in suites are suite:kernels, suite:cloud, suite:reference\)$/);
  });
});

describe('a search\'s suite', () => {
  it('is the suite, then each --trace, named by both', () => {
    const s = composeSuite('suite:cloud', ['builtin:stream']);
    expect(s.name).toBe('suite:cloud+builtin:stream');
    expect(s.entries.map((e) => e.trace)).toEqual(['builtin:cloud-1', 'builtin:cloud-2', 'builtin:stream']);
    expect(composeSuite(undefined, ['builtin:stream', 'builtin:random']).name).toBe('builtin:stream+builtin:random');
  });

  it('refuses a trace given twice, and nothing at all', () => {
    expect(message(() => composeSuite('suite:cloud', ['builtin:cloud-1']))).toBe('--trace builtin:cloud-1: builtin:cloud-1 is listed twice (give it a weight instead)');
    expect(message(() => composeSuite(undefined, []))).toMatch(/^--trace or --suite: required/);
  });
});
