#!/usr/bin/env node
/**
 * The `marl-dse` command line. Bad input prints one line and exits with code 2; a stack trace is
 * shown only with MARL_DSE_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { isInputError } from '../simulators/errors.js';
import { runSimulate, type SimulateFlags } from './cli/simulate.js';

const EXIT_BAD_INPUT = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('marl-dse')
    .description('Multi-agent RL design-space exploration for DRAM memory controllers')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'marl-dse: ') + '\n') });

  program
    .command('simulate')
    .description('simulate a trace on one memory and controller configuration')
    .requiredOption('--trace <file>', 'a DRAMSys .stl trace, or builtin:NAME')
    .option('--memspec <name|file>', 'memspec preset (ddr3-1600, ddr4-2400) or DRAMSys memspec JSON', 'ddr3-1600')
    .option('--addressmapping <name|file>', 'address-mapping preset or DRAMSys JSON (default: the memspec preset\'s)')
    .option('--mcconfig <name|file>', 'controller config: preset (reference, fr-fcfs) or DRAMSys mcconfig JSON')
    .option('--set <key=value>', 'override one mcconfig parameter (repeatable)', collect, [])
    .option('--clk-mhz <mhz>', 'trace-player clock in MHz (default: 800)')
    .option('--check', 'verify the command stream with the protocol checker; exit 1 on any violation')
    .option('--commands-out <file>', 'write every issued command to a file')
    .option('--json', 'print the SimStats as one JSON object')
    .action((flags: SimulateFlags) => {
      process.exitCode = runSimulate(flags);
    });
  return program;
}

export function main(argv: string[]): void {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed as one line.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    if (isInputError(e)) {
      process.stderr.write(`marl-dse: ${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    if (process.env.MARL_DSE_DEBUG) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`marl-dse: internal error: ${msg.split('\n')[0]} (MARL_DSE_DEBUG=1 shows details)\n`);
    process.exitCode = 1;
  }
}

main(process.argv);
