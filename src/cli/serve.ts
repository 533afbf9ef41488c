/** `marl-dse serve`: the live dashboard over a run store, until Ctrl-C. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import { DEFAULT_DB } from '../search/options.js';
import { RunStore } from '../store/store.js';
import { DEFAULT_HOST, DEFAULT_PORT, type DashboardServer, isLoopback, startServer } from '../server/server.js';
import { type ServerHandle, startServerThread } from '../server/thread.js';
import { untilInterrupted } from './program.js';
import { COMMANDS } from './commands.js';

export interface ServeFlags {
  port?: string;
  db?: string;
  compare?: string;
  host?: string;
  token?: string;
}

export function parsePort(raw: string | undefined, fallback: number = DEFAULT_PORT): number {
  if (raw === undefined) return fallback;
  const n = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n > 65535) throw new InputError(`--port ${raw}: expected an integer from 0 to 65535 (0: any free port)`);
  return n;
}

/** The store to serve: `--db`, or the runs of the comparison in `--compare DIR`. */
export function servedStore(flags: Pick<ServeFlags, 'db' | 'compare'>): string {
  if (flags.compare === undefined) return flags.db ?? DEFAULT_DB;
  if (flags.db !== undefined) throw new InputError('--db and --compare: give one (a comparison serves its own runs.sqlite)');
  if (!existsSync(join(flags.compare, 'compare.json'))) throw new InputError(`--compare ${flags.compare}: not a comparison folder (no compare.json; make one with marl-dse compare --out DIR)`);
  return join(flags.compare, 'runs.sqlite');
}

/** The page's address; with a run, the page opens on that run (`#runs=ID`). */
export function pageUrl(server: Pick<DashboardServer, 'url'>, runId?: number): string {
  return runId === undefined ? server.url : `${server.url}#runs=${runId}`;
}

/** What to tell the user once the server listens (and, for a search, once its run exists). */
export function servingMessage(server: Pick<DashboardServer, 'url' | 'host' | 'token'>, runId?: number): string {
  let text = `dashboard: ${pageUrl(server, runId)}\n`;
  if (server.token !== null && !isLoopback(server.host)) text += `listening on ${server.host}: the page and the socket require the token in this URL\n`;
  return text;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(COMMANDS.serve.description)
    .option('--port <n>', `the port (default ${DEFAULT_PORT}; 0: any free port)`)
    .option('--db <file>', `the run store (default ${DEFAULT_DB})`)
    .option('--compare <dir>', "a comparison's folder (from marl-dse compare): its runs, verdicts, optima and report")
    .option('--host <address>', `the interface to listen on (default ${DEFAULT_HOST}); any other requires a token`)
    .option('--token <token>', 'the access token (generated when --host is not loopback and none is given)')
    .action(async (flags: ServeFlags) => {
      const server = await startServer({ db: servedStore(flags), port: parsePort(flags.port), host: flags.host, token: flags.token });
      process.stdout.write(servingMessage(server));
      process.stderr.write('serving until Ctrl-C\n');
      await untilInterrupted();
      await server.close();
    });
}

/**
 * `search --serve`: the dashboard on the search's store, started before the search so its first
 * evaluations are seen live, on a thread of its own (the search keeps this one busy). Creates the
 * store if it does not exist yet (the search would). The URL is printed once the run exists
 * (`servingMessage(server, runId)`), so it opens the page on that run.
 */
export async function startSearchDashboard(db: string, port: string | undefined): Promise<ServerHandle> {
  RunStore.open(db).close();
  return startServerThread({ db, port: parsePort(port) });
}
