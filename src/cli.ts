#!/usr/bin/env node
/**
 * The `marl-dse` command line. Bad input prints one line and exits with code 2; a stack trace is
 * shown only with MARL_DSE_DEBUG=1.
 */
import type { Command } from 'commander';
import { registerCompareCommand } from './cli/compare.js';
import { registerRunsCommand } from './cli/runs.js';
import { registerSearchCommand } from './cli/search.js';
import { registerServeCommand } from './cli/serve.js';
import { registerSimulateCommand } from './cli/simulate.js';
import { registerSpaceCommand } from './cli/space.js';
import { registerSweepCommand } from './cli/sweep.js';
import { registerTracesCommand } from './cli/traces.js';
import { registerWorkerCommand } from './cli/worker.js';
import { newProgram, runProgram } from './cli/program.js';

export function buildProgram(): Command {
  const program = newProgram()
    .description('Multi-agent RL design-space exploration for DRAM memory controllers')
    .version('0.1.0');
  registerSimulateCommand(program);
  registerSearchCommand(program);
  registerRunsCommand(program);
  registerCompareCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerSpaceCommand(program);
  registerSweepCommand(program);
  registerTracesCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await runProgram(buildProgram(), argv);
}

await main(process.argv);
