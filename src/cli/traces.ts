/** `marl-dse traces`: list the built-in traces, generate, inspect and import traces. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import type { Trace, TraceChunk, TraceSource } from '../../simulators/trace.js';
import { BUILTIN_TRACES, openTrace } from '../../traces/builtin.js';
import { openTraceFile } from '../../traces/formats.js';
import {
  GAP_DISTRIBUTIONS,
  GENERATOR_KINDS,
  type GapDistribution,
  type GeneratorKind,
  OptionError,
  type WorkloadOptions,
  generateTrace,
  resolveOptions,
} from '../../traces/generators.js';
import { type TraceInspection, inspectTrace } from '../../traces/inspect.js';
import { writeStl } from '../../traces/stl.js';
import { writeAtomically } from '../files.js';

export interface GenerateFlags {
  requests: string;
  seed: string;
  out: string;
  readShare?: string;
  rate?: string;
  gapDist?: string;
  gapMean?: string;
  footprint?: string;
  stride?: string;
  zipf?: string;
}

export interface InspectFlags {
  json?: boolean;
  memspec?: string;
  addressmapping?: string;
}

export interface ImportFlags {
  format: string;
  out: string;
}

/** The flag for each generator option, so an option error names what the user typed. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  kind: 'KIND',
  requests: '--requests',
  seed: '--seed',
  readShare: '--read-share',
  rate: '--rate',
  gapDistribution: '--gap-dist',
  gapMeanCycles: '--gap-mean',
  footprintBytes: '--footprint',
  strideBytes: '--stride',
  zipfExponent: '--zipf',
};

const IMPORT_FORMATS = ['ramulator', 'dramsim3'] as const;

/** A number flag; anything `Number` reads (1000, 1e6, 0x40, 0.7). */
export function parseNumberFlag(raw: string, flag: string): number {
  const n = raw.trim() === '' ? NaN : Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(n)) throw new InputError(`${flag} ${raw}: expected a number`);
  return n;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size in bytes: a number, or one with a binary unit (8KiB, 64 MiB, 1G: K, M, G, T are all powers of 1024). */
export function parseBytesFlag(raw: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?\s*$/i.exec(raw.replaceAll('_', ''));
  if (!m) return parseNumberFlag(raw, flag);
  return Number(m[1]) * BYTE_UNITS[(m[2] ?? m[3] ?? '').toLowerCase()];
}

function fmt(n: number, digits = 2): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function fmtBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let unit = '';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit === '' ? `${fmt(n)} B` : `${fmt(n)} B (${fmt(v, 1)} ${unit})`;
}

function compactTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** A source that counts the requests passing through it. */
function counting(source: TraceSource): TraceSource & { readonly count: number } {
  let count = 0;
  return {
    name: source.name,
    get count() {
      return count;
    },
    *chunks(): Generator<TraceChunk> {
      for (const c of source.chunks()) {
        count += c.length;
        yield c;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

export function runList(flags: { json?: boolean }): void {
  const entries = Object.entries(BUILTIN_TRACES).map(([name, b]) => ({
    name: `builtin:${name}`,
    description: b.description,
    generator: b.kind,
    options: b.options,
  }));
  if (flags.json) {
    process.stdout.write(JSON.stringify(entries) + '\n');
    return;
  }
  const t = compactTable(['trace', 'description']);
  for (const e of entries) t.push([e.name, e.description]);
  process.stdout.write(t.toString() + '\n');
}

/** Turns the generate flags into generator options, naming the flag of anything malformed. */
export function generateOptions(flags: GenerateFlags): WorkloadOptions {
  if (flags.rate !== undefined && (flags.gapDist !== undefined || flags.gapMean !== undefined)) {
    throw new InputError('--rate and --gap-dist/--gap-mean: give one or the other');
  }
  if (flags.gapDist !== undefined && !(GAP_DISTRIBUTIONS as readonly string[]).includes(flags.gapDist)) {
    throw new InputError(`--gap-dist ${flags.gapDist}: expected one of ${GAP_DISTRIBUTIONS.join(', ')}`);
  }
  if (flags.gapDist !== undefined && flags.gapMean === undefined) throw new InputError(`--gap-dist ${flags.gapDist}: give the mean gap with --gap-mean`);
  const o: WorkloadOptions = {
    requests: parseNumberFlag(flags.requests, '--requests'),
    seed: parseNumberFlag(flags.seed, '--seed'),
  };
  if (flags.readShare !== undefined) o.readShare = parseNumberFlag(flags.readShare, '--read-share');
  if (flags.rate !== undefined) o.rate = parseNumberFlag(flags.rate, '--rate');
  if (flags.gapDist !== undefined) o.gapDistribution = flags.gapDist as GapDistribution;
  if (flags.gapMean !== undefined) o.gapMeanCycles = parseNumberFlag(flags.gapMean, '--gap-mean');
  if (flags.footprint !== undefined) o.footprintBytes = parseBytesFlag(flags.footprint, '--footprint');
  if (flags.stride !== undefined) o.strideBytes = parseBytesFlag(flags.stride, '--stride');
  if (flags.zipf !== undefined) o.zipfExponent = parseNumberFlag(flags.zipf, '--zipf');
  return o;
}

export function runGenerate(kind: string, flags: GenerateFlags): void {
  if (!(GENERATOR_KINDS as readonly string[]).includes(kind)) {
    throw new InputError(`traces generate ${kind}: unknown kind (known: ${GENERATOR_KINDS.join(', ')})`);
  }
  const k = kind as GeneratorKind;
  const options = generateOptions(flags);
  let trace: Trace;
  let header: string;
  try {
    trace = generateTrace(k, options);
    header = `generated by marl-dse traces generate ${k}\noptions: ${JSON.stringify(resolveOptions(k, options))}`;
  } catch (e) {
    if (e instanceof OptionError) throw new InputError(`${FLAG_OF_OPTION[e.option] ?? e.option}: ${e.problem}`);
    throw e;
  }
  writeAtomically(flags.out, (partial) => writeStl(trace, partial, header));
  process.stdout.write(`${flags.out}: ${fmt(trace.length)} requests (${k})\n`);
}

export function inspectionTable(r: TraceInspection): string {
  const g = r.interArrival;
  const t = compactTable(['quantity', 'value']);
  const rows: Array<[string, string]> = [
    ['requests (reads / writes)', `${fmt(r.requests)} (${fmt(r.reads)} / ${fmt(r.writes)})`],
    ['read share', `${fmt(r.readShare * 100, 1)} %`],
    ['footprint (distinct 64 B lines)', fmtBytes(r.footprintBytes)],
    ['cycles first / last', `${fmt(r.firstCycle)} / ${fmt(r.lastCycle)}`],
    ['inter-arrival mean / min / p50 / p99 / max', `${fmt(g.meanCycles, 3)} / ${fmt(g.minCycles)} / ${fmt(g.p50Cycles)} / ${fmt(g.p99Cycles)} / ${fmt(g.maxCycles)} cycles`],
    [`row-buffer locality (${r.localityMemory})`, `${fmt(r.rowBufferLocality * 100, 1)} %`],
  ];
  if (r.requestsBeyondCapacity > 0) rows.push([`requests beyond ${r.localityMemory}'s capacity`, fmt(r.requestsBeyondCapacity)]);
  for (const row of rows) t.push(row);
  return t.toString();
}

export function runInspect(spec: string, flags: InspectFlags): void {
  if (flags.addressmapping !== undefined && flags.memspec === undefined) {
    throw new InputError('--addressmapping: give the memspec it belongs to with --memspec');
  }
  const r = inspectTrace(openTrace(spec), { memspec: flags.memspec, addressmapping: flags.addressmapping });
  if (flags.json) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(`${r.name}\n${inspectionTable(r)}\n`);
}

export function runImport(file: string, flags: ImportFlags): void {
  const format = flags.format;
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`--format ${format}: expected ${IMPORT_FORMATS.join(' or ')}`);
  }
  const source = counting(openTraceFile(file, format as (typeof IMPORT_FORMATS)[number]));
  writeAtomically(flags.out, (partial) => writeStl(source, partial, `imported by marl-dse from ${format} trace ${file}`));
  process.stdout.write(`${flags.out}: ${fmt(source.count)} requests (from ${format} trace ${file})\n`);
}

/** Adds `traces list | generate | inspect | import` to the program. */
export function registerTracesCommand(program: Command): void {
  const traces = program.command('traces').description('list, generate, inspect and import workload traces');

  traces
    .command('list')
    .description('list the built-in traces')
    .option('--json', 'print one JSON array')
    .action((flags: { json?: boolean }) => runList(flags));

  traces
    .command('generate')
    .description('write a seeded synthetic trace as a DRAMSys .stl file')
    .argument('<kind>', GENERATOR_KINDS.join(' | '))
    .requiredOption('--requests <n>', 'number of requests')
    .requiredOption('--out <file>', 'the .stl file to write')
    .option('--seed <s>', 'random seed, 0..4294967295', '1')
    .option('--read-share <x>', 'share of reads, 0..1 (default: 1)')
    .option('--rate <r>', 'requests per trace cycle: request i at cycle floor(i / r) (default: 1)')
    .option('--gap-dist <dist>', `gaps between requests: ${GAP_DISTRIBUTIONS.join(' | ')} (with --gap-mean)`)
    .option('--gap-mean <cycles>', 'mean gap between requests, in trace cycles')
    .option('--footprint <bytes>', 'bytes addressed, e.g. 1GiB, 64MiB (default: 1GiB)')
    .option('--stride <bytes>', 'strided: bytes between requests (default: 4096)')
    .option('--zipf <s>', 'hotspot: Zipf exponent over 8 KiB regions (default: 1)')
    .action((kind: string, flags: GenerateFlags) => runGenerate(kind, flags));

  traces
    .command('inspect')
    .description('summarise a trace: mix, footprint, timing, row-buffer locality')
    .argument('<trace>', 'a .stl, Ramulator or DRAMsim3 file (format detected), or builtin:NAME')
    .option('--json', 'print one JSON object')
    .option('--memspec <name|file>', 'memory for the row-buffer locality (default: ddr3-1600)')
    .option('--addressmapping <name|file>', "its address mapping (default: the memspec preset's)")
    .action((spec: string, flags: InspectFlags) => runInspect(spec, flags));

  traces
    .command('import')
    .description('convert a Ramulator or DRAMsim3 trace to a DRAMSys .stl file')
    .argument('<file>', 'the trace to convert')
    .requiredOption('--format <format>', IMPORT_FORMATS.join(' | '))
    .requiredOption('--out <file>', 'the .stl file to write')
    .action((file: string, flags: ImportFlags) => runImport(file, flags));
}
