/**
 * Workload suites: the traces a design is judged on at once, each with a weight. Built-in suites
 * are named `suite:NAME`; a suite file is JSON:
 *
 *   { "name": "mine", "traces": ["builtin:cloud-1", {"trace": "gen:gups:requests=2000", "weight": 2}, "run.stl"] }
 *
 * Each trace is anything a trace flag takes (`builtin:NAME`, a `gen:` spec, a file); file paths in
 * a suite file are relative to the file's folder. The suite's order is its traces' order
 * everywhere (results, stored evaluations, tables).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { InputError } from '../common/errors.js';
import { RESERVED_KEY_MESSAGE, reservedKeyPath } from '../common/parse.js';
import { GENERATED_PREFIX } from './generators.js';
import { isTraceFormat } from './formats.js';

export interface SuiteEntry {
  /** A trace spec, as `openTrace` takes it. */
  readonly trace: string;
  /** Its share in a weighted aggregate (default 1). */
  readonly weight: number;
  /** Where it was given, for error messages (`mine.json: traces[2]`, `--trace`). */
  readonly origin: string;
}

export interface Suite {
  /** How the suite is named in tables and stored runs: `suite:kernels`, a file, or `A+B`. */
  readonly name: string;
  readonly entries: readonly SuiteEntry[];
}

export const SUITE_PREFIX = 'suite:';

/** Requests per kernel trace of `suite:kernels`: six traces of one design simulate in a few tens of ms. */
export const KERNEL_SUITE_REQUESTS = 2000;

const KERNELS = ['stream-triad', 'gups', 'spmv', 'stencil', 'transpose', 'pointer-chase'] as const;

export interface BuiltinSuite {
  readonly description: string;
  readonly traces: readonly string[];
}

export const BUILTIN_SUITES: Readonly<Record<string, BuiltinSuite>> = {
  kernels: {
    description: `STREAM triad, GUPS, SpMV, stencil, transpose and pointer chase, each at its defaults: the first ${KERNEL_SUITE_REQUESTS.toLocaleString('en-US')} DRAM requests after its last-level cache`,
    traces: KERNELS.map((k) => `${GENERATED_PREFIX}${k}:requests=${KERNEL_SUITE_REQUESTS}`),
  },
  cloud: { description: 'builtin:cloud-1 and builtin:cloud-2', traces: ['builtin:cloud-1', 'builtin:cloud-2'] },
  reference: { description: 'the four traces of the reference setup: stream, random, cloud-1, cloud-2', traces: ['builtin:stream', 'builtin:random', 'builtin:cloud-1', 'builtin:cloud-2'] },
};

/** A built-in suite (`suite:NAME`) or a suite file. */
export function loadSuite(ref: string): Suite {
  if (ref.startsWith(SUITE_PREFIX)) {
    const name = ref.slice(SUITE_PREFIX.length);
    const b = Object.hasOwn(BUILTIN_SUITES, name) ? BUILTIN_SUITES[name] : undefined;
    if (!b) throw new InputError(`suite ${ref}: unknown built-in suite (known: ${Object.keys(BUILTIN_SUITES).map((n) => SUITE_PREFIX + n).join(', ')})`);
    return { name: ref, entries: b.traces.map((trace) => ({ trace, weight: 1, origin: ref })) };
  }
  return readSuiteFile(ref);
}

const FILE_KEYS = ['name', 'description', 'traces'];
const ENTRY_KEYS = ['trace', 'weight'];

function readSuiteFile(path: string): Suite {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`suite ${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'}; built-in suites are ${Object.keys(BUILTIN_SUITES).map((n) => SUITE_PREFIX + n).join(', ')})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(`${path}: expected an object {"traces": [...]}`);
  const reserved = reservedKeyPath(doc);
  if (reserved !== null) throw new InputError(`${path}: ${reserved}: ${RESERVED_KEY_MESSAGE}`);
  const fields = doc as Record<string, unknown>;
  for (const k of Object.keys(fields)) if (!FILE_KEYS.includes(k)) throw new InputError(`${path}: unknown key "${k}" (expected ${FILE_KEYS.join(', ')})`);
  if (fields.name !== undefined && (typeof fields.name !== 'string' || fields.name.trim() === '')) throw new InputError(`${path}: name: expected a non-empty string`);
  const list = fields.traces;
  if (!Array.isArray(list) || list.length === 0) throw new InputError(`${path}: traces: expected a non-empty list of traces`);
  const entries = list.map((item: unknown, i): SuiteEntry => {
    const origin = `${path}: traces[${i}]`;
    const { trace, weight } = readEntry(item, origin);
    return { trace: relativeTo(dirname(path), trace), weight, origin };
  });
  return checked({ name: typeof fields.name === 'string' ? fields.name : path, entries });
}

function readEntry(item: unknown, origin: string): { trace: string; weight: number } {
  const shape = `expected a trace (a string) or {"trace": "...", "weight": w}`;
  if (typeof item === 'string') return { trace: nonEmpty(item, origin), weight: 1 };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InputError(`${origin}: ${shape}`);
  const e = item as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!ENTRY_KEYS.includes(k)) throw new InputError(`${origin}: unknown key "${k}" (${shape})`);
  if (typeof e.trace !== 'string') throw new InputError(`${origin}: trace: ${shape}`);
  const weight = e.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new InputError(`${origin}: weight: expected a number > 0, got ${JSON.stringify(weight)}`);
  return { trace: nonEmpty(e.trace, origin), weight };
}

function nonEmpty(trace: string, origin: string): string {
  if (trace.trim() === '') throw new InputError(`${origin}: an empty trace name`);
  return trace;
}

/** A file path of a suite file, relative to the file's folder; other specs as they are. */
function relativeTo(folder: string, trace: string): string {
  if (trace.startsWith('builtin:') || trace.startsWith(GENERATED_PREFIX)) return trace;
  const colon = trace.indexOf(':');
  const format = colon > 0 ? trace.slice(0, colon) : '';
  const path = isTraceFormat(format) ? trace.slice(colon + 1) : trace;
  const resolved = isAbsolute(path) ? path : join(folder, path);
  return isTraceFormat(format) ? `${format}:${resolved}` : resolved;
}

/** A trace listed twice would count twice: refused, naming the second. */
function checked(suite: Suite): Suite {
  const seen = new Set<string>();
  for (const e of suite.entries) {
    if (seen.has(e.trace)) throw new InputError(`${e.origin}: ${e.trace} is listed twice (give it a weight instead)`);
    seen.add(e.trace);
  }
  return suite;
}

/**
 * The suite of a search: `suite` (a built-in name or a file), then each of `traces` (weight 1), in
 * that order. Its name is the suite's, the traces', or both, joined by `+`.
 */
export function composeSuite(suite: string | undefined, traces: readonly string[]): Suite {
  const base = suite === undefined ? null : loadSuite(suite);
  const extra = traces.map((trace): SuiteEntry => ({ trace: nonEmpty(trace, '--trace'), weight: 1, origin: `--trace ${trace}` }));
  const entries = [...(base?.entries ?? []), ...extra];
  if (entries.length === 0) throw new InputError('--trace or --suite: required (a trace file, builtin:NAME, or a suite)');
  return checked({ name: [...(base === null ? [] : [base.name]), ...traces].join('+'), entries });
}
