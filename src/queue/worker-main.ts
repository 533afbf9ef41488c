#!/usr/bin/env node
/**
 * `node dist/src/queue/worker-main.js --queue redis://HOST:PORT [--concurrency N]`: the worker
 * command on its own, for machines (and tests) that only run workers. Same flags, messages and
 * exit codes as `marl-dse worker`.
 */
import { registerWorkerCommand } from '../cli/worker.js';
import { newProgram, runProgram } from '../cli/program.js';

export async function workerMain(argv: readonly string[]): Promise<void> {
  const program = newProgram();
  registerWorkerCommand(program);
  await runProgram(program, ['worker', ...argv], { from: 'user' });
}

await workerMain(process.argv.slice(2));
