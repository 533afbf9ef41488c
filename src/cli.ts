#!/usr/bin/env node
/**
 * The `marl-dse` command line. Bad input prints one line and exits with code 2; a stack trace is
 * shown only with MARL_DSE_DEBUG=1.
 *
 * Only the command that runs is loaded (see cli/commands.ts): help without a command, `--version`
 * and an unknown command load none.
 */
import type { Command } from 'commander';
import { COMMANDS } from './cli/commands.js';
import { newProgram, runProgram } from './cli/program.js';

/** The program, with the command `argv` names loaded in full and the others as names in the help. */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = newProgram()
    .description('Multi-agent RL design-space exploration for DRAM memory controllers')
    .version('0.1.0');
  // The top-level program has no options that take a value, so the first word is the command
  // (`help simulate`: the word after help).
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  for (const [name, command] of Object.entries(COMMANDS)) {
    if (name === named) (await command.load())(program);
    else program.command(name).description(command.description);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await runProgram(await buildProgram(argv), argv);
}

await main(process.argv);
