/** Output files and folders: created safely, failing with one line that names them. */
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../common/errors.js';

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? String(e);

/**
 * Creates `dir` and its missing parents, one level at a time (Node's recursive mkdir loops forever
 * under /proc). Throws the file system's error.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw Object.assign(new Error(`${d}: not a folder`), { code: 'ENOTDIR' });
  for (const m of missing.reverse()) mkdirSync(m);
}

/** `makeDirs`, failing with one line; `what` names the path, e.g. `--out x/y.csv`. */
export function ensureDir(dir: string, what: string): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw new InputError(`${what}: cannot create its folder (${code(e)})`);
  }
}

/**
 * Writes `out` through a temporary file renamed at the end, so a failure halfway (a corrupt input
 * line, a full disk) leaves no truncated file behind and `out` may even name an input. A symbolic
 * link is followed (the file it points to is replaced); a device or pipe (`/dev/stdout`) is written
 * directly. A file-system failure becomes one line naming `flag` and `out`; a reader that went away
 * (EPIPE) ends the writing quietly.
 */
export function writeAtomically(out: string, write: (path: string) => void, flag = '--out'): void {
  let existing: Stats | null = null;
  try {
    existing = statSync(out);
  } catch {
    // A new file, or a path the write below reports on.
  }
  if (existing !== null && !existing.isFile()) {
    try {
      write(out);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      if ((e as NodeJS.ErrnoException).code && !(e instanceof InputError)) throw new InputError(`${flag} ${out}: cannot write (${code(e)})`);
      throw e;
    }
    return;
  }
  const target = existing !== null ? realpathSync(out) : out;
  const partial = `${target}.partial-${process.pid}`;
  try {
    write(partial);
    renameSync(partial, target);
  } catch (e) {
    try {
      rmSync(partial, { force: true });
    } catch {
      // Nothing was created there (its folder is missing or is a file).
    }
    if ((e as NodeJS.ErrnoException).code && !(e instanceof InputError)) throw new InputError(`${flag} ${out}: cannot write (${code(e)})`);
    throw e;
  }
}
