/**
 * What every `marl-dse` entry point shares: one-line usage errors, exit code 2 for bad input, and
 * a stack trace only with MARL_DSE_DEBUG=1.
 */
import { Command, CommanderError, type ParseOptions } from 'commander';
import { isInputError } from '../../common/errors.js';

export const EXIT_BAD_INPUT = 2;

/** The flag of an option key: `groundTruth` → `--ground-truth`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A program whose usage errors print as one `marl-dse: …` line. */
export function newProgram(): Command {
  return new Command()
    .name('marl-dse')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0].replace(/^error: /, 'marl-dse: ') + '\n') });
}

/** Parses and runs `argv`, turning every failure into one line on stderr and an exit code. */
export async function runProgram(program: Command, argv: readonly string[], options?: ParseOptions): Promise<void> {
  for (const c of program.commands) c.exitOverride();
  // A reader that went away (`marl-dse … | head`) ends the command quietly, as for any Unix tool.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    await program.parseAsync(argv, options);
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

/**
 * Resolves on the first SIGINT or SIGTERM. With `onSecond`, a second signal calls it (to stop at
 * once); without, the handlers are removed after the first.
 */
export function untilInterrupted(onSecond?: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const on = (signal: NodeJS.Signals): void => {
      if (seen) return onSecond?.();
      seen = true;
      if (!onSecond) {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      }
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
