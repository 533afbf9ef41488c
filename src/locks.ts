/**
 * Who is working on something (a run, a comparison folder, a sweep's output), so a second process
 * is refused with a line naming the first instead of silently doubling the work. A holder is a
 * process: its id, host and start time. A lock left by a process that died (`kill -9`, a power cut)
 * is stale and taken over: the process is gone, or its id now belongs to a process started later.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InputError } from '../common/errors.js';

export interface Holder {
  readonly pid: number;
  readonly host: string;
  /** When the process started, as the kernel counts it (Linux); null where that is not known. */
  readonly start: string | null;
  /** ISO 8601, UTC: when it took the lock. */
  readonly since: string;
}

/** The start time of process `pid` in clock ticks since boot (Linux), or null. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces, so count from its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const START = processStart(process.pid);

export function currentHolder(): Holder {
  return { pid: process.pid, host: hostname(), start: START, since: new Date().toISOString() };
}

/** Whether `h` is this process. */
export function isCurrent(h: Holder): boolean {
  return h.pid === process.pid && h.host === hostname() && h.start === START;
}

/** Whether the holder may still be at work: another host's processes cannot be checked, so they count as alive. */
export function isAlive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  if (isCurrent(h)) return true;
  if (h.pid === process.pid) return false; // our id, from an earlier process (a restarted container)
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(h.pid);
  return h.start === null || start === null || start === h.start;
}

export function describeHolder(h: Holder): string {
  return `process ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''} (since ${h.since.slice(0, 19).replace('T', ' ')} UTC)`;
}

/** A holder read back from JSON, or null for anything else. */
export function parseHolder(text: string | null): Holder | null {
  if (text === null) return null;
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.since === 'string') return { pid: h.pid, host: h.host, start: typeof h.start === 'string' ? h.start : null, since: h.since };
  } catch {
    // not a holder
  }
  return null;
}

export interface FileLock {
  release(): void;
}

/**
 * Takes the lock file `path` for `what` (e.g. `--out stream.csv`), or throws an InputError naming
 * the live process that holds it. The file appears with its content in one step (written aside,
 * then hard-linked into place), and is removed by `release` or when this process exits.
 */
export function lockFile(path: string, what: string): FileLock {
  const me = currentHolder();
  const text = JSON.stringify(me) + '\n';
  const aside = `${path}.${process.pid}.tmp`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(aside, text);
      try {
        linkSync(aside, path);
      } finally {
        rmSync(aside, { force: true });
      }
      const release = (): void => {
        const holder = readHolder(path);
        if (holder !== null && isCurrent(holder)) rmSync(path, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`${what}: cannot take its lock ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    let found: string;
    try {
      found = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const holder = parseHolder(found);
    if (holder !== null && isAlive(holder)) throw new InputError(`${what}: in use by ${describeHolder(holder)} (lock ${path})`);
    // Stale: move it aside under a name of our own, and remove it only if it is still the one judged stale.
    const stale = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, stale);
    } catch {
      continue;
    }
    if (readFileSync(stale, 'utf8') !== found) {
      // Another process replaced the stale lock in between: put its lock back.
      try {
        linkSync(stale, path);
      } catch {
        // a third one was quicker still; the next attempt reads it
      }
    }
    rmSync(stale, { force: true });
  }
  throw new InputError(`${what}: cannot take its lock ${path} (other processes keep taking it)`);
}

function readHolder(path: string): Holder | null {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
