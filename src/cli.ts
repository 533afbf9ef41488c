#!/usr/bin/env node
/**
 * The `marl-dse` command line. Bad input prints one line and exits with code 2; a stack trace is
 * shown only with MARL_DSE_DEBUG=1.
 *
 * Each command is its own module, loaded only when it runs: `simulate` never loads TensorFlow.js,
 * the run store or the web server. Help without a command, and an unknown command, load them all.
 */
import type { Command } from 'commander';
import { newProgram, runProgram } from './cli/program.js';

type Register = (program: Command) => void;

/** The commands, in the order help lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  simulate: async () => (await import('./cli/simulate.js')).registerSimulateCommand,
  search: async () => (await import('./cli/search.js')).registerSearchCommand,
  runs: async () => (await import('./cli/runs.js')).registerRunsCommand,
  compare: async () => (await import('./cli/compare.js')).registerCompareCommand,
  serve: async () => (await import('./cli/serve.js')).registerServeCommand,
  worker: async () => (await import('./cli/worker.js')).registerWorkerCommand,
  space: async () => (await import('./cli/space.js')).registerSpaceCommand,
  sweep: async () => (await import('./cli/sweep.js')).registerSweepCommand,
  traces: async () => (await import('./cli/traces.js')).registerTracesCommand,
};

/** The program with the command named in `argv` (or, if none is named, every command). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = newProgram()
    .description('Multi-agent RL design-space exploration for DRAM memory controllers')
    .version('0.1.0');
  // The top-level program has no options that take a value, so the first word is the command.
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const names = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map((n) => COMMANDS[n]()))) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await runProgram(await buildProgram(argv), argv);
}

await main(process.argv);
