#!/usr/bin/env node
/**
 * `node dist/src/queue/worker-main.js --queue redis://HOST:PORT [--concurrency N]`: the worker
 * command on its own, for machines (and tests) that only run workers. Same flags, messages and
 * exit codes as `marl-dse worker`.
 */
import { Command, CommanderError } from 'commander';
import { isInputError } from '../../simulators/errors.js';
import { registerWorkerCommand } from '../cli/worker.js';

const EXIT_BAD_INPUT = 2;

export async function workerMain(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('marl-dse')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'marl-dse: ') + '\n') });
  registerWorkerCommand(program);
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(['worker', ...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    if (isInputError(e)) {
      process.stderr.write(`marl-dse: ${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    if (process.env.MARL_DSE_DEBUG) throw e;
    process.stderr.write(`marl-dse: internal error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    process.exitCode = 1;
  }
}

await workerMain(process.argv.slice(2));
