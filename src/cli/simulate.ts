/** `marl-dse simulate`: one trace, one memory, one controller configuration. */
import { writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { join } from 'node:path';
import { ensureDir, writeAtomically } from '../files.js';
import { InputError } from '../../common/errors.js';
import { checkProtocol } from '../../simulators/dram/checker.js';
import { addressMappingToJson } from '../../simulators/dram/address-mapping.js';
import { type McConfig, mcConfigToJson, withOverrides } from '../../simulators/dram/mcconfig.js';
import {
  DEFAULT_MCCONFIG,
  loadAddressMapping,
  loadMcConfig,
  loadMemSpec,
  MEMSPEC_PRESETS,
  simulate,
  simulateWithCommands,
  type SimStats,
} from '../../simulators/index.js';
import { openTrace } from '../../traces/builtin.js';
import { COMMANDS } from './commands.js';
import { collect } from './program.js';

export interface SimulateFlags {
  trace: string;
  memspec: string;
  addressmapping?: string;
  mcconfig?: string;
  set: string[];
  clkMhz?: string;
  check?: boolean;
  json?: boolean;
  commandsOut?: string;
  dramsysOut?: string;
}

/** A design's memspec, address mapping and mcconfig as DRAMSys's JSON files in `dir` (`flag` names it in errors). */
export function writeDramsysFiles(dir: string, docs: { memspec: unknown; addressmapping: unknown; mcconfig: unknown }, flag: string): void {
  ensureDir(dir, flag);
  for (const [name, doc] of Object.entries(docs)) {
    writeAtomically(join(dir, `${name}.json`), (path) => writeFileSync(path, JSON.stringify(doc, null, 2) + '\n'), flag);
  }
}

/** Parses `KEY=VALUE` overrides. */
export function parseSets(sets: readonly string[]): Record<string, string> {
  // No prototype: `--set __proto__=1` is a key like any other (and an unknown one).
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${s}: expected KEY=VALUE`);
    out[s.slice(0, eq).trim()] = s.slice(eq + 1).trim();
  }
  return out;
}

export function parseClock(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`--clk-mhz ${raw}: expected a positive number of MHz`);
  if (n < 1 || n > 100_000) throw new InputError(`--clk-mhz ${raw}: expected 1 to 100,000 MHz`);
  return n;
}

function fmt(n: number, digits = 2): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** The human-readable report. */
export function statsTable(s: SimStats, cfg: McConfig): string {
  const t = new Table({ head: ['quantity', 'value'], style: { head: [], border: [], compact: true } });
  const rows: Array<[string, string]> = [
    ['memory', s.memoryId],
    ['controller', `${cfg.PagePolicy}, ${cfg.Scheduler}, ${cfg.SchedulerBuffer} ${cfg.RequestBufferSize}, ${cfg.RespQueue}, ${cfg.RefreshPolicy}, ${cfg.Arbiter} ${cfg.MaxActiveTransactions}, ${cfg.CmdMux}, ${cfg.PowerDownPolicy}`],
    ['requests (reads / writes)', `${fmt(s.requests)} (${fmt(s.reads)} / ${fmt(s.writes)})`],
    ['total time', `${fmt(s.totalTimeNs)} ns (${fmt(s.simulatedCycles)} cycles at ${fmt(s.controllerClockMhz)} MHz)`],
    ['request latency avg / p50 / p99 / max', `${fmt(s.avgLatencyNs)} / ${fmt(s.p50LatencyNs)} / ${fmt(s.p99LatencyNs)} / ${fmt(s.maxLatencyNs)} ns`],
    ['bandwidth', `${fmt(s.bandwidthGBps, 3)} GB/s (${fmt(s.bandwidthUtilization * 100, 1)} % of peak)`],
    ['average power', `${fmt(s.averagePowerMw)} mW`],
    ['energy', `${fmt(s.energyPj / 1e6, 4)} µJ`],
    ...Object.entries(s.energyByComponentPj).filter(([, v]) => v > 0).map(([k, v]): [string, string] => [`  ${k}`, `${fmt(v / 1e6, 4)} µJ`]),
    ['energy-delay product', `${fmt(s.energyDelayPjNs / 1e9, 4)} µJ·µs`],
    ['row hits / misses / conflicts', `${fmt(s.rowHits)} / ${fmt(s.rowMisses)} / ${fmt(s.rowConflicts)}`],
    ['commands', Object.entries(s.commands).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')],
  ];
  for (const r of rows) t.push(r);
  return t.toString();
}

export function runSimulate(flags: SimulateFlags): number {
  const memspec = loadMemSpec(flags.memspec);
  const preset = MEMSPEC_PRESETS[flags.memspec];
  const mappingName = flags.addressmapping ?? (preset ? flags.memspec : undefined);
  if (!mappingName) throw new InputError(`--memspec ${flags.memspec} is a file: give its address mapping with --addressmapping`);
  const mapping = loadAddressMapping(mappingName);
  const base = flags.mcconfig ? loadMcConfig(flags.mcconfig) : DEFAULT_MCCONFIG;
  const cfg = withOverrides(base, parseSets(flags.set), '--set ');
  const clkMhz = parseClock(flags.clkMhz, preset?.clkMhz ?? 800);
  const trace = openTrace(flags.trace);
  if (flags.dramsysOut !== undefined) {
    // The run's configuration as DRAMSys's own files, to run the same design in DRAMSys.
    writeDramsysFiles(flags.dramsysOut, { memspec: memspec.json, addressmapping: addressMappingToJson(mapping), mcconfig: mcConfigToJson(cfg) }, '--dramsys-out');
  }

  let stats: SimStats;
  let violations = 0;
  if (flags.check || flags.commandsOut) {
    const run = simulateWithCommands(trace, memspec, mapping, cfg, { clkMhz });
    stats = run.stats;
    if (flags.commandsOut) writeAtomically(flags.commandsOut, (path) => writeFileSync(path, run.commands.toText() + '\n'), '--commands-out');
    if (flags.check) {
      const report = checkProtocol(run.commands, memspec, { mcConfig: cfg, endCycle: stats.simulatedCycles });
      violations = report.violationCount;
      for (const v of report.violations.slice(0, 20)) process.stderr.write(`violation: ${v.message}\n`);
      process.stderr.write(
        violations === 0
          ? `protocol check: ${report.commands} commands, no violations\n`
          : `protocol check: ${report.commands} commands, ${violations} violations\n`,
      );
    }
  } else {
    stats = simulate(trace, memspec, mapping, cfg, { clkMhz });
  }
  if (stats.requests === 0) throw new InputError(`${flags.trace}: no requests (the trace is empty or holds only comments)`);
  if (flags.json) process.stdout.write(JSON.stringify(stats) + '\n');
  else process.stdout.write(`${trace.name}\n${statsTable(stats, cfg)}\n`);
  return violations > 0 ? 1 : 0;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(COMMANDS.simulate.description)
    .requiredOption('--trace <trace>', 'builtin:NAME, or a trace file (.stl; Ramulator and DRAMsim3 formats are detected)')
    .option('--memspec <name|file>', `memspec preset (${Object.keys(MEMSPEC_PRESETS).join(', ')}) or DRAMSys memspec JSON`, 'ddr3-1600')
    .option('--addressmapping <name|file>', "address-mapping preset or DRAMSys JSON (default: the memspec preset's)")
    .option('--mcconfig <name|file>', 'controller config: preset (reference, fr-fcfs) or DRAMSys mcconfig JSON')
    .option('--set <key=value>', 'override one mcconfig parameter (repeatable)', collect, [])
    .option('--clk-mhz <mhz>', 'trace-player clock in MHz (default: 800)')
    .option('--check', 'verify the command stream with the protocol checker; exit 1 on any violation')
    .option('--commands-out <file>', 'write every issued command to a file')
    .option('--dramsys-out <dir>', "write the run's memspec, address mapping and mcconfig as DRAMSys JSON files into DIR")
    .option('--json', 'print the SimStats as one JSON object')
    .action((flags: SimulateFlags) => {
      process.exitCode = runSimulate(flags);
    });
}
