/** `marl-dse traces`: list the built-in traces, generate, inspect, import and capture traces. */
import Table from 'cli-table3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import { byteSize, finiteNumber } from '../../common/parse.js';
import { loadMemSpec } from '../../simulators/dram/presets.js';
import type { TraceChunk, TraceSource } from '../../simulators/trace.js';
import { BUILTIN_TRACES, openTrace } from '../../traces/builtin.js';
import { openTraceFile } from '../../traces/formats.js';
import {
  GAP_DISTRIBUTIONS,
  GENERATORS,
  GENERATOR_KINDS,
  type GapDistribution,
  OptionError,
  WORKLOAD_OPTIONS,
  type WorkloadOptions,
  checkFitsMemory,
  generateSource,
  parseMix,
} from '../../traces/generators.js';
import { type TraceInspection, inspectTrace } from '../../traces/inspect.js';
import { CAPTURE_DEFAULTS, type CaptureOptions, type CaptureStats, captureProgram } from '../../traces/capture.js';
import { DEFAULT_LLC } from '../../traces/llc.js';
import { formatBytes } from '../../traces/options.js';
import { StlFileSource, StlWriter, writeStl } from '../../traces/stl.js';
import { BUILTIN_SUITES, SUITE_PREFIX } from '../../traces/suites.js';
import { writeAtomically } from '../files.js';
import { COMMANDS } from './commands.js';

/** The generate flags, by commander's camel-case names (`--read-share` → readShare). */
export type GenerateFlags = Record<string, string | undefined> & { requests: string; out: string; memspec: string };

export interface InspectFlags {
  json?: boolean;
  memspec?: string;
  addressmapping?: string;
}

export interface ImportFlags {
  format: string;
  out: string;
}

const DEFAULT_MEMSPEC = 'ddr3-1600';

/** `read-share` → `readShare`: the property commander gives a flag's value. */
const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag that sets an option, so an option error names what the user typed. */
function flagOf(option: string): string {
  if (option === 'kind') return 'KIND';
  if (option === 'requests') return '--requests';
  return `--${WORKLOAD_OPTIONS.find((o) => o.key === option)?.name ?? option}`;
}

/** An option error as the command line shows it: the flag, then the problem. */
function withFlags<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof OptionError) throw new InputError(`${flagOf(e.option)}: ${e.problem}`);
    throw e;
  }
}

const IMPORT_FORMATS = ['ramulator', 'dramsim3'] as const;

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
  const traces = Object.entries(BUILTIN_TRACES).map(([name, b]) => ({
    name: `builtin:${name}`,
    description: b.description,
    generator: b.kind,
    options: b.options,
  }));
  const suites = Object.entries(BUILTIN_SUITES).map(([name, s]) => ({ name: SUITE_PREFIX + name, description: s.description, traces: s.traces }));
  if (flags.json) {
    process.stdout.write(JSON.stringify([...traces, ...suites]) + '\n');
    return;
  }
  const t = compactTable(['trace', 'description']);
  for (const e of traces) t.push([e.name, e.description]);
  process.stdout.write(t.toString() + '\n\n');
  const u = compactTable(['suite (--suite)', 'traces', 'description']);
  for (const e of suites) u.push([e.name, e.traces.join('\n'), e.description]);
  process.stdout.write(u.toString() + '\n');
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
  const o: Record<string, unknown> = { requests: finiteNumber(flags.requests, '--requests') };
  for (const spec of WORKLOAD_OPTIONS) {
    const raw = flags[camel(spec.name)];
    if (raw === undefined) continue;
    const flag = `--${spec.name}`;
    if (spec.key === 'kernels') o.kernels = withFlags(() => parseMix(raw));
    else if (spec.key === 'gapDistribution') o.gapDistribution = raw as GapDistribution;
    else o[spec.key] = spec.value === 'bytes' ? byteSize(raw, flag) : finiteNumber(raw, flag);
  }
  return o as unknown as WorkloadOptions;
}

export function runGenerate(kind: string, flags: GenerateFlags): void {
  if (!GENERATOR_KINDS.includes(kind)) {
    throw new InputError(`traces generate ${kind}: unknown kind (known: ${GENERATOR_KINDS.join(', ')})`);
  }
  const options = generateOptions(flags);
  const memory = loadMemSpec(flags.memspec);
  const source = withFlags(() => {
    const s = generateSource(kind, options);
    checkFitsMemory(kind, s.options, memory.capacityBytes, flags.memspec);
    return s;
  });
  const header = `generated by marl-dse traces generate ${kind}\noptions: ${JSON.stringify(source.options)}`;
  // Requests are made and written chunk by chunk: any length in bounded memory.
  writeAtomically(flags.out, (partial) => withFlags(() => writeStl(source, partial, header)));
  process.stdout.write(`${flags.out}: ${fmt(source.length)} requests (${kind})\n`);
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

/** 2 MiB → "2MiB", as a flag's value is written. */
const compactBytes = (n: number): string => formatBytes(n).replace(' ', '');

export interface CaptureFlags {
  out: string;
  llcSize: string;
  llcWays: string;
  line: string;
  pageSize: string;
  cpuMhz: string;
  ipc: string;
  clkMhz: string;
  memspec: string;
}

/** Flags of capture options, for errors. */
const CAPTURE_FLAGS: Readonly<Record<string, string>> = {
  llcBytes: '--llc-size',
  llcWays: '--llc-ways',
  lineBytes: '--line',
  pageBytes: '--page-size',
  cpuMhz: '--cpu-mhz',
  ipc: '--ipc',
  clkMhz: '--clk-mhz',
};

export async function runCapture(command: string, args: string[], flags: CaptureFlags): Promise<void> {
  const memory = loadMemSpec(flags.memspec);
  const options: CaptureOptions = {
    program: command,
    args,
    llc: { sizeBytes: byteSize(flags.llcSize, '--llc-size'), ways: finiteNumber(flags.llcWays, '--llc-ways'), lineBytes: byteSize(flags.line, '--line') },
    pageBytes: byteSize(flags.pageSize, '--page-size'),
    memoryBytes: memory.capacityBytes,
    memory: flags.memspec,
    cpuMhz: finiteNumber(flags.cpuMhz, '--cpu-mhz'),
    ipc: finiteNumber(flags.ipc, '--ipc'),
    clkMhz: finiteNumber(flags.clkMhz, '--clk-mhz'),
  };
  // Requests go to a temporary file first: the header says what was captured, known only at the end,
  // and a failed program leaves no trace behind.
  const tmp = mkdtempSync(join(tmpdir(), 'marl-dse-capture-'));
  try {
    const partial = join(tmp, 'requests.stl');
    const writer = new StlWriter(partial);
    let stats: CaptureStats;
    try {
      stats = await captureProgram(options, (cycle, address, write) => writer.push(cycle, address, write));
    } catch (e) {
      writer.discard();
      if (e instanceof OptionError) throw new InputError(`${CAPTURE_FLAGS[e.option] ?? e.option}: ${e.problem}`);
      throw e;
    }
    writer.close();
    const llc = options.llc;
    const lineAccesses = stats.llcHits + stats.llcMisses;
    const header = [
      `captured by marl-dse traces capture: ${[command, ...args].join(' ')}`,
      `valgrind --tool=lackey --trace-mem=yes: ${fmt(stats.instructions)} instructions; ${fmt(stats.loads)} loads, ${fmt(stats.stores)} stores, ${fmt(stats.modifies)} modifies`,
      `last-level cache: ${formatBytes(llc.sizeBytes)}, ${llc.ways} ways, ${llc.lineBytes}-byte lines, LRU, write-back, write-allocate: ${fmt(lineAccesses)} line accesses, ${fmt(stats.llcHits)} hits, ${fmt(stats.llcMisses)} misses, ${fmt(stats.writeBacks)} write-backs (${fmt(stats.flushedLines)} of them at exit)`,
      `pages: ${formatBytes(options.pageBytes)}, physical frames from 0 in first-touch order: ${fmt(stats.pages)} pages (${formatBytes(stats.pages * options.pageBytes)}) of ${flags.memspec}'s ${formatBytes(memory.capacityBytes)}`,
      `timing: request cycle = floor(instructions · ${options.clkMhz} MHz / (${options.ipc} IPC · ${options.cpuMhz} MHz)), in cycles of the ${options.clkMhz} MHz trace clock (simulate --clk-mhz ${options.clkMhz})`,
      `requests: ${fmt(stats.reads)} reads, ${fmt(stats.writes)} writes, last cycle ${fmt(stats.lastCycle)}`,
    ].join('\n');
    writeAtomically(flags.out, (path) => writeStl(new StlFileSource(partial), path, header));
    const hitRate = (100 * stats.llcHits) / lineAccesses;
    process.stdout.write(`${flags.out}: ${fmt(stats.reads + stats.writes)} requests (${fmt(stats.reads)} reads, ${fmt(stats.writes)} writes) from ${fmt(stats.instructions)} instructions, LLC hit rate ${fmt(hitRate, 1)} %\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Adds `traces list | generate | inspect | import | capture` to the program. */
export function registerTracesCommand(program: Command): void {
  const traces = program.command('traces').description(COMMANDS.traces.description);

  traces
    .command('list')
    .description('list the built-in traces and suites')
    .option('--json', 'print one JSON array')
    .action((flags: { json?: boolean }) => runList(flags));

  const generate = traces
    .command('generate')
    .description('write a seeded synthetic trace as a DRAMSys .stl file (streamed: any length in bounded memory)')
    .argument('<kind>', GENERATOR_KINDS.join(' | '))
    .requiredOption('--requests <n>', 'number of requests')
    .requiredOption('--out <file>', 'the .stl file to write')
    .option('--memspec <name|file>', 'the memory the trace is for: its footprint must fit', DEFAULT_MEMSPEC);
  for (const spec of WORKLOAD_OPTIONS) generate.option(`--${spec.name} <${spec.placeholder}>`, spec.help);
  generate.addHelpText('after', `\nKinds:\n${GENERATORS.map((g) => `  ${g.kind.padEnd(14)} ${g.summary}`).join('\n')}`);
  generate.action((kind: string, flags: GenerateFlags) => runGenerate(kind, flags));

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

  traces
    .command('capture')
    .description("run a program under Valgrind's lackey and write the DRAM traffic of its last-level cache as a .stl file")
    .usage('--out <file> [options] -- <program> [args...]')
    .argument('<program>', 'the program to run (a path, or a name on PATH)')
    .argument('[args...]', 'its arguments (after --, so they are not read as options)')
    .requiredOption('--out <file>', 'the .stl file to write')
    .option('--llc-size <bytes>', 'last-level cache size', compactBytes(DEFAULT_LLC.sizeBytes))
    .option('--llc-ways <n>', 'last-level cache ways', String(DEFAULT_LLC.ways))
    .option('--line <bytes>', 'cache line size; lines above 64 bytes move as several 64-byte requests', String(DEFAULT_LLC.lineBytes))
    .option('--page-size <bytes>', 'page size of the virtual-to-physical mapping', compactBytes(CAPTURE_DEFAULTS.pageBytes))
    .option('--cpu-mhz <mhz>', 'core clock', String(CAPTURE_DEFAULTS.cpuMhz))
    .option('--ipc <n>', 'instructions the core retires per core cycle', String(CAPTURE_DEFAULTS.ipc))
    .option('--clk-mhz <mhz>', 'trace-player clock the cycles count', String(CAPTURE_DEFAULTS.clkMhz))
    .option('--memspec <name|file>', 'the memory the physical pages come from', DEFAULT_MEMSPEC)
    .action((command: string, args: string[], flags: CaptureFlags) => runCapture(command, args, flags));
}
