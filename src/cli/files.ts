/** Output files of the CLI. */
import { renameSync, rmSync } from 'node:fs';
import { InputError } from '../../simulators/errors.js';

/**
 * Writes `out` through a temporary file renamed at the end, so a failure halfway (a corrupt input
 * line, a full disk) leaves no truncated file behind and `out` may even name an input. A file-system
 * failure becomes one line naming `--out`.
 */
export function writeAtomically(out: string, write: (partial: string) => void): void {
  const partial = `${out}.partial-${process.pid}`;
  try {
    write(partial);
    renameSync(partial, out);
  } catch (e) {
    rmSync(partial, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code && !(e instanceof InputError)) throw new InputError(`--out ${out}: cannot write (${code})`);
    throw e;
  }
}
