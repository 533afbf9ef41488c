/**
 * What every `marl-dse` entry point shares: one-line usage errors, exit code 2 for bad input, and
 * a stack trace only with MARL_DSE_DEBUG=1.
 */
import { Command, CommanderError, type ParseOptions } from 'commander';
import { InputError, isInputError } from '../../common/errors.js';
import { oneLine } from '../../common/text.js';

export const EXIT_BAD_INPUT = 2;

/** The flag of an option key: `groundTruth` → `--ground-truth`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Commander's accumulator for a repeatable option (`--set a --set b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A failure to write standard output, as one line. */
export function stdoutError(e: NodeJS.ErrnoException): InputError {
  return new InputError(`standard output: cannot write (${e.code ?? e.message})`);
}

/** A program whose usage errors print as one `marl-dse: …` line. */
export function newProgram(): Command {
  return new Command()
    .name('marl-dse')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(oneLine(str.split('\n')[0].replace(/^error: /, 'marl-dse: ')) + '\n') });
}

/** Parses and runs `argv`, turning every failure into one line on stderr and an exit code. */
export async function runProgram(program: Command, argv: readonly string[], options?: ParseOptions): Promise<void> {
  for (const c of program.commands) c.exitOverride();
  // A reader that went away (`marl-dse … | head`) ends the command quietly, as for any Unix tool;
  // any other write failure (a full disk, /dev/full) is one line and exit code 2.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`marl-dse: ${stdoutError(e).message}\n`);
    process.exit(EXIT_BAD_INPUT);
  });
  try {
    await program.parseAsync(argv, options);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed as one line.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    if (e instanceof Error && e.name === 'AbortError' && typeof (e as { exitCode?: unknown }).exitCode === 'number') {
      // Interrupted before there was anything to keep (see `interruptible`).
      process.stderr.write(`marl-dse: ${e.message}\n`);
      process.exitCode = (e as unknown as { exitCode: number }).exitCode;
      return;
    }
    if (isInputError(e)) {
      process.stderr.write(`marl-dse: ${oneLine(e.message)}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    if (process.env.MARL_DSE_DEBUG) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`marl-dse: internal error: ${oneLine(msg.split('\n')[0])} (MARL_DSE_DEBUG=1 shows details)\n`);
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

/** The exit code of a command stopped by `signal`: 128 + its number, as shells report it (130 for Ctrl-C, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (signal === 'SIGTERM' ? 15 : 2);
}

export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  received(): NodeJS.Signals | null;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Ctrl-C (SIGINT) and SIGTERM for a long command: the first prints `notice` on stderr and aborts
 * the returned signal, so the work stops as soon as it can and says how to go on; a second exits
 * at once (work in flight is lost, what is stored stays).
 */
export function interruptible(notice: string): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const on = (signal: NodeJS.Signals): void => {
    if (received !== null) process.exit(signalExitCode(received));
    received = signal;
    process.stderr.write(`\n${notice} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once)\n`);
    controller.abort(Object.assign(new Error(`stopped by ${signal}`), { name: 'AbortError', exitCode: signalExitCode(signal) }));
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    signal: controller.signal,
    received: () => received,
    // Once a signal came, the handlers stay until the process exits: a second signal must still exit
    // with the code, not kill the process while it is closing.
    dispose: () => {
      if (received !== null) return;
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
