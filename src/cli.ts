#!/usr/bin/env node
/**
 * The `marl-dse` command line. Bad input prints one line and exits with code 2; a stack trace is
 * shown only with MARL_DSE_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { isInputError } from '../simulators/errors.js';
import { registerCompareCommand } from './cli/compare.js';
import { registerRunsCommand } from './cli/runs.js';
import { registerSearchCommand } from './cli/search.js';
import { registerServeCommand } from './cli/serve.js';
import { registerSimulateCommand } from './cli/simulate.js';
import { registerSpaceCommand } from './cli/space.js';
import { registerSweepCommand } from './cli/sweep.js';
import { registerTracesCommand } from './cli/traces.js';
import { registerWorkerCommand } from './cli/worker.js';

const EXIT_BAD_INPUT = 2;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('marl-dse')
    .description('Multi-agent RL design-space exploration for DRAM memory controllers')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'marl-dse: ') + '\n') });
  registerSimulateCommand(program);
  registerSearchCommand(program);
  registerRunsCommand(program);
  registerCompareCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerSpaceCommand(program);
  registerSweepCommand(program);
  registerTracesCommand(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
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

await main(process.argv);
