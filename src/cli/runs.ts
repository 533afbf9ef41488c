/**
 * `marl-dse runs list | show | export`: read the run store that `marl-dse search` writes. The store
 * is opened read-only, so these commands are safe while a search is writing to it.
 */
import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { InputError } from '../../common/errors.js';
import { formatNumber as fmt, withUnit } from '../../common/format.js';
import { objectiveUnit } from '../objectives.js';
import { csvExport, EXPORT_FORMATS, type ExportFormat, frontCsvExport, frontJsonExport, jsonExport } from '../store/export.js';
import { type FrontPoint, hasFront, runFront } from '../store/front.js';
import { runSpace } from '../space/builtin.js';
import { frontTable } from './front.js';
import { bestText, scoringText, suiteTable } from './suite.js';
import { runScoring } from '../store/scoring.js';
import { DEFAULT_STORE_PATH, type EvaluationRecord, RUN_STATUSES, type RunRow, type RunStatus, RunStore } from '../store/store.js';
import { writeAtomically } from '../files.js';
import { describeHolder } from '../locks.js';
import { stdoutError } from './program.js';
import { COMMANDS } from './commands.js';

interface DbFlags {
  db: string;
}

interface ListFlags extends DbFlags {
  json?: boolean;
  status?: string;
  agent?: string;
  limit?: string;
}

interface ShowFlags extends DbFlags {
  json?: boolean;
}

interface ExportFlags extends DbFlags {
  format: string;
  out?: string;
  front?: boolean;
}

/** Text handed to stdout or a file in blocks of about this size. */
const WRITE_BLOCK = 1 << 16;

// ---- flag parsing ----

export function parseRunId(raw: string): number {
  const id = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new InputError(`run ${raw}: expected a run id (a positive integer)`);
  return id;
}

function parseStatus(raw: string | undefined): RunStatus | undefined {
  if (raw === undefined) return undefined;
  const status = RUN_STATUSES.find((s) => s === raw);
  if (!status) throw new InputError(`--status ${raw}: expected one of ${RUN_STATUSES.join(', ')}`);
  return status;
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`--limit ${raw}: expected a positive integer`);
  return n;
}

function parseFormat(raw: string): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f === raw);
  if (!format) throw new InputError(`--format ${raw}: expected ${EXPORT_FORMATS.join(' or ')}`);
  return format;
}

// ---- formatting ----

function plural(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** ISO timestamp to minutes, UTC: enough to tell runs apart in a table. */
function minute(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function compactTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

export function runsTable(runs: readonly RunRow[]): string {
  const t = compactTable(['run', 'status', 'agent', 'trace', 'objective', 'seed', 'evaluations', 'best', 'simulations', 'wall s', 'created (UTC)']);
  for (const r of runs) {
    t.push([
      String(r.id),
      r.status,
      r.agent,
      r.trace,
      r.objective,
      String(r.seed),
      `${fmt(r.evaluations)} / ${fmt(r.budget)}`,
      withUnit(r.bestValue, objectiveUnit(r.objective, runScoring(r).aggregate)),
      fmt(r.simulations),
      r.wallSeconds === null ? '—' : r.wallSeconds.toFixed(1),
      minute(r.createdAt),
    ]);
  }
  return t.toString();
}

/** The run as a table; a `pareto` run's front after it, in place of a single best design. */
export function runTable(r: RunRow, best: EvaluationRecord | null, front: readonly FrontPoint[] | null = null, tracesPerDesign = 1): string {
  const t = compactTable(['quantity', 'value']);
  const { aggregate, constraints } = runScoring(r);
  const unit = objectiveUnit(r.objective, aggregate);
  const scoring = scoringText(r.objective, aggregate);
  const rows: Array<[string, string]> = [
    ['run', `${r.id} (${r.status})`],
    ['agent', r.agent],
    ['trace', `${r.trace} (hash ${r.traceHash.slice(0, 12)})`],
    ['objective', r.target === null ? scoring : `${scoring}, target ${withUnit(r.target, unit)}`],
    ...(constraints.length > 0 ? [['constraints (every trace)', constraints.join(', ')] as [string, string]] : []),
    ['reward', r.reward],
    ['space', r.space],
    ['seed', String(r.seed)],
    ['evaluations', `${fmt(r.evaluations)} of ${fmt(r.budget)}`],
    ['simulations', `${fmt(r.simulations)} (${plural(r.evaluations * tracesPerDesign - r.simulations, 'cache hit')}${tracesPerDesign > 1 ? `, of ${fmt(tracesPerDesign)} traces a design` : ''})`],
    ['best value', r.bestValue === null ? bestText(null, r.objective, aggregate, constraints, r.evaluations) : `${withUnit(r.bestValue, unit)} at evaluation ${r.bestIndex}`],
    ['evaluations to target', r.evaluationsToTarget === null ? (r.status === 'running' ? '—' : 'not reached') : fmt(r.evaluationsToTarget)],
    ['wall time', r.wallSeconds === null ? '—' : `${r.wallSeconds.toFixed(1)} s`],
    ['created / updated (UTC)', `${r.createdAt} / ${r.updatedAt}`],
  ];
  if (r.holder !== null) rows.push(['running in', describeHolder(r.holder)]);
  if (r.error !== null) rows.push(['error', r.error]);
  if (best && front === null) {
    rows.push(['best design', JSON.stringify(best.design)]);
    for (const [k, v] of Object.entries(best.config)) rows.push([`  ${k}`, String(v)]);
  }
  for (const row of rows) t.push(row);
  if (front !== null) return `${t.toString()}\n${frontTable(front, runSpace(r)?.base ?? null)}`;
  return best?.traces ? `${t.toString()}\nthe best design on each trace:\n${suiteTable(best.traces, r.objective, constraints.length > 0)}` : t.toString();
}

// ---- commands ----

/** Opens the store read-only for the length of `fn`. */
async function withStore<T>(db: string, fn: (store: RunStore) => T | Promise<T>): Promise<T> {
  const store = RunStore.open(db, { readonly: true });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

function requireRun(store: RunStore, raw: string): RunRow {
  const id = parseRunId(raw);
  const run = store.getRun(id);
  if (!run) throw new InputError(`run ${id}: no such run in ${store.path}`);
  return run;
}

function bestEvaluation(store: RunStore, run: RunRow): EvaluationRecord | null {
  if (run.bestIndex === null) return null;
  return store.evaluations(run.id, run.bestIndex, run.bestIndex + 1)[0] ?? null;
}

export async function runList(flags: ListFlags): Promise<void> {
  const filter = { status: parseStatus(flags.status), agent: flags.agent, limit: parseLimit(flags.limit) };
  const runs = await withStore(flags.db, (store) => store.listRuns(filter));
  if (flags.json) process.stdout.write(JSON.stringify(runs) + '\n');
  else if (runs.length === 0) process.stdout.write(`no ${flags.status || flags.agent ? 'matching ' : ''}runs in ${flags.db}\n`);
  else process.stdout.write(runsTable(runs) + '\n');
}

export async function runShow(rawId: string, flags: ShowFlags): Promise<void> {
  const { run, best, front, traces } = await withStore(flags.db, (store) => {
    const run = requireRun(store, rawId);
    const traces = store.evaluations(run.id, 0, 1)[0]?.traces?.length ?? 1;
    return { run, best: bestEvaluation(store, run), front: hasFront(run) ? runFront(store, run) : null, traces };
  });
  if (flags.json) process.stdout.write(JSON.stringify({ run, best, front }) + '\n');
  else process.stdout.write(runTable(run, best, front, traces) + '\n');
}

export async function runExport(rawId: string, flags: ExportFlags): Promise<void> {
  const format = parseFormat(flags.format);
  await withStore(flags.db, async (store) => {
    const run = requireRun(store, rawId);
    if (flags.front && !hasFront(run)) throw new InputError(`--front: run ${run.id} searched for ${run.objective}; only a pareto run keeps a front`);
    let chunks: Iterable<string>;
    let what: string;
    if (flags.front) {
      const front = runFront(store, run);
      chunks = format === 'csv' ? frontCsvExport(front) : frontJsonExport(run, front);
      what = `the front (${plural(front.length, 'design')}) of run ${run.id}`;
    } else {
      // Up to the count read with the run, so `run.evaluations` matches the rows even while a search appends.
      const evals = store.iterateEvaluations(run.id, 0, run.evaluations);
      chunks = format === 'csv' ? csvExport(evals) : jsonExport(run, evals);
      what = `${fmt(run.evaluations)} evaluations of run ${run.id}`;
    }
    if (flags.out === undefined) {
      await writeToStdout(chunks);
      return;
    }
    writeFileAtomically(flags.out, chunks);
    process.stdout.write(`${flags.out}: ${what} (${format})\n`);
  });
}

/** Joins small chunks into blocks, so a 100,000-row export is not 100,000 writes. */
function* blocks(chunks: Iterable<string>): Generator<string, void, undefined> {
  let pending = '';
  for (const c of chunks) {
    pending += c;
    if (pending.length >= WRITE_BLOCK) {
      yield pending;
      pending = '';
    }
  }
  if (pending) yield pending;
}

/**
 * Honours back-pressure (a slow reader of the pipe must not make the whole export sit in memory),
 * and stops quietly when the reader goes away (`| head`).
 */
async function writeToStdout(chunks: Iterable<string>): Promise<void> {
  // Typed by assertion: TypeScript does not see the listener assign it, and would narrow it to null.
  let failure = null as NodeJS.ErrnoException | null;
  const onError = (e: NodeJS.ErrnoException): void => {
    failure ??= e;
  };
  process.stdout.on('error', onError);
  try {
    for (const block of blocks(chunks)) {
      if (failure) break;
      // A failure while waiting rejects here and reaches onError too.
      if (!process.stdout.write(block)) await once(process.stdout, 'drain').catch(() => undefined);
    }
    // write() reports a failure on a later tick: let it arrive before deciding.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.stdout.off('error', onError);
  }
  if (failure !== null && failure.code !== 'EPIPE') throw stdoutError(failure);
}

/** Writes the chunks to `out` through a temporary file (see `writeAtomically`). */
function writeFileAtomically(out: string, chunks: Iterable<string>): void {
  writeAtomically(out, (partial) => {
    const fd = openSync(partial, 'w');
    try {
      for (const block of blocks(chunks)) writeSync(fd, block);
    } finally {
      closeSync(fd);
    }
  });
}

/** Adds `runs list | show | export` to the program. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description(COMMANDS.runs.description);
  const dbOption = ['--db <file>', 'the run store', DEFAULT_STORE_PATH] as const;

  runs
    .command('list')
    .description('list the stored runs, newest first')
    .option(...dbOption)
    .option('--status <status>', RUN_STATUSES.join(' | '))
    .option('--agent <agent>', 'only this agent')
    .option('--limit <n>', 'at most this many runs')
    .option('--json', 'print one JSON array of runs')
    .action((flags: ListFlags) => runList(flags));

  runs
    .command('show')
    .description('one run: its setup, progress, best value and best design (a pareto run: its front)')
    .argument('<run>', 'run id')
    .option(...dbOption)
    .option('--json', 'print one JSON object {run, best, front} (front: a pareto run\'s, else null)')
    .action((id: string, flags: ShowFlags) => runShow(id, flags));

  runs
    .command('export')
    .description('every evaluation of a run, or a pareto run\'s front, as CSV (one row each) or JSON')
    .argument('<run>', 'run id')
    .requiredOption('--format <format>', EXPORT_FORMATS.join(' | '))
    .option('--front', 'only the power–latency front (a pareto run)')
    .option(...dbOption)
    .option('--out <file>', 'write here instead of stdout')
    .action((id: string, flags: ExportFlags) => runExport(id, flags));
}
