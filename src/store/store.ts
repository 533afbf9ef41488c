/**
 * The run store: every search's runs, evaluations and checkpoints in one SQLite file, so a killed
 * search can resume from its last checkpoint and `marl-dse runs` / `serve` can read runs while a
 * search is still writing them.
 *
 * Durability: WAL journal, synchronous=NORMAL. COMMIT returns only after the transaction's pages
 * are written (write(2)) to the WAL file, so a commit survives the process being killed (SIGKILL,
 * OOM killer, a crash): a killed search loses at most the evaluation in flight. What NORMAL gives up
 * against FULL is the fsync per commit, i.e. the last commits before an OS crash or power cut (the
 * file stays consistent either way). FULL measured ~650 single-evaluation commits/s here against
 * ~12,500 for NORMAL: a cost paid for protection that a resumable search does not need.
 *
 * WAL also lets any number of read-only connections (other processes included) read a consistent
 * snapshot while one writer appends; readers never block the writer.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../../common/errors.js';
import type { SimStats } from '../../simulators/dram/stats.js';
import { ensureDir } from '../files.js';
import { currentHolder, describeHolder, type Holder, isAlive, isCurrent, parseHolder } from '../locks.js';
import { APPLICATION_ID, MIGRATIONS, READABLE_SCHEMA_VERSION, SCHEMA_VERSION } from './schema.js';

export const DEFAULT_STORE_PATH = './marl-dse-runs.sqlite';

export const RUN_STATUSES = ['running', 'finished', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Checkpoints kept per run: the newest, and the one before it in case the newest proves unusable. */
export const CHECKPOINTS_KEPT = 2;

/** How long a write waits for another process's write lock (two searches on one store). */
const BUSY_TIMEOUT_MS = 10_000;
/** Room set aside on the disk for a run's last status (a few SQLite pages and their WAL frames). */
const RESERVED_BYTES = 64 * 1024;

/** What a search knows when it starts. */
export interface NewRun {
  readonly agent: string;
  readonly trace: string;
  readonly traceHash: string;
  /** The objective's name (`power`, `latency`, …). */
  readonly objective: string;
  readonly target: number | null;
  /** The reward's name (`log`, `archgym`). */
  readonly reward: string;
  readonly seed: number;
  readonly budget: number;
  /** The parameter space's name. */
  readonly space: string;
  /** The whole search configuration, stored as JSON. */
  readonly options: unknown;
}

/** What a search reports when it stops. */
export interface RunSummary {
  readonly bestValue: number | null;
  readonly evaluationsToTarget: number | null;
  readonly simulations: number;
  readonly wallSeconds: number;
  readonly bestIndex: number | null;
}

export interface RunRow extends NewRun {
  readonly id: number;
  readonly status: RunStatus;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** The last append, checkpoint or status change: a `running` run not updated for long is likely dead. */
  readonly updatedAt: string;
  /** Evaluations stored so far. */
  readonly evaluations: number;
  /** Evaluations that ran the simulator (the rest were cache hits). */
  readonly simulations: number;
  /** The best value so far and the evaluation that reached it, kept current by every append. */
  readonly bestValue: number | null;
  readonly bestIndex: number | null;
  /** From the summary: null while running, or when the target was never reached. */
  readonly evaluationsToTarget: number | null;
  readonly wallSeconds: number | null;
  /** The process running it now (null: none). */
  readonly holder: Holder | null;
  /** Why it failed (status `failed`). */
  readonly error: string | null;
}

/** One trace's part of a suite's evaluation. */
export interface TraceEvaluation {
  /** The trace, as the suite names it. */
  readonly trace: string;
  readonly weight: number;
  /** The objective's metric on this trace, in its unit (null for `joint` and `pareto`). */
  readonly value: number | null;
  /** `value` over the baseline design's value on this trace. */
  readonly normalised: number | null;
  /** Whether this trace meets every constraint. */
  readonly feasible: boolean;
  /** false: the evaluator's cache answered. */
  readonly simulated: boolean;
  readonly stats: SimStats;
}

export interface EvaluationRecord {
  /** 0-based evaluation number within the run. */
  readonly index: number;
  /** One value index per parameter of the space. */
  readonly design: readonly number[];
  /** The design as mcconfig values, by parameter name. */
  readonly config: Readonly<Record<string, string | number>>;
  readonly stats: SimStats;
  /** The objective's value for this design. */
  readonly value: number;
  readonly reward: number;
  /** The best value up to and including this evaluation. */
  readonly best: number;
  /** Time the agent took to choose this design. */
  readonly agentMs: number;
  /** false: the evaluator's cache answered (a suite: for every trace). */
  readonly simulated: boolean;
  /** false: it breaks a constraint (absent: the run has no constraints). */
  readonly feasible?: boolean;
  /** A suite's: each trace's part, in suite order; `stats` then combines them (evaluator/combine.ts). */
  readonly traces?: readonly TraceEvaluation[];
}

/** The simulations an evaluation ran: a suite's, one per trace the memo did not answer. */
export function simulationsOf(e: Pick<EvaluationRecord, 'simulated' | 'traces'>): number {
  return e.traces ? e.traces.filter((t) => t.simulated).length : e.simulated ? 1 : 0;
}

export interface Checkpoint {
  /** Evaluations the state has seen: resume by replaying evaluations from this index on. */
  readonly evaluations: number;
  /** The agent and runner state, JSON text. */
  readonly state: string;
}

export interface RunFilter {
  readonly status?: RunStatus;
  readonly agent?: string;
  readonly trace?: string;
  readonly limit?: number;
}

export interface OpenOptions {
  /** Read without ever writing: a missing file is an error rather than created. */
  readonly readonly?: boolean;
  /** How long to wait for another process's write lock before failing (default 10 s). */
  readonly busyTimeoutMs?: number;
}

// ---- rows as SQLite returns them ----

interface RunDbRow {
  id: number;
  status: RunStatus; // guaranteed by the CHECK constraint
  created_at: string;
  updated_at: string;
  agent: string;
  trace: string;
  trace_hash: string;
  objective: string;
  target: number | null;
  reward: string;
  seed: number;
  budget: number;
  space: string;
  options: string;
  evaluations: number;
  simulations: number;
  best_value: number | null;
  best_index: number | null;
  evaluations_to_target: number | null;
  wall_seconds: number | null;
  /** Absent from stores of schema version 2, read-only. */
  holder?: string | null;
  error?: string | null;
}

type RunCounters = Pick<RunDbRow, 'evaluations' | 'simulations' | 'best_value' | 'best_index'>;

interface EvaluationDbRow {
  idx: number;
  design: string;
  config: string;
  stats: string;
  value: number | null;
  reward: number | null;
  best: number | null;
  agent_ms: number;
  simulated: number;
  /** NULL: no constraints; absent from stores before schema version 4. */
  feasible: number | null;
  traces: string | null;
}

const EVALUATION_COLUMNS = 'idx, design, config, stats, value, reward, best, agent_ms, simulated, feasible, traces';
/** Columns added since schema version 2, read as NULL from an older store opened read-only. */
const LATER_EVALUATION_COLUMNS = ['feasible', 'traces'];

/** The evaluations query for the store's schema (columns it lacks read as NULL). */
function selectEvaluations(db: Database.Database): string {
  const have = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('evaluations')").all().map((c) => c.name));
  const columns = EVALUATION_COLUMNS.split(', ').map((c) => (LATER_EVALUATION_COLUMNS.includes(c) && !have.has(c) ? `NULL AS ${c}` : c));
  return `SELECT ${columns.join(', ')} FROM evaluations WHERE run_id = ? AND idx >= ? AND idx < ? ORDER BY idx`;
}

export class RunStore {
  /** Null while a read-only connection looks at an empty database (a 0-byte file): it reads as a store with no runs. */
  private statements: ReturnType<typeof prepareStatements> | null = null;
  private writes: ReturnType<typeof prepareWrites> | null = null;
  /** The file holding the room set aside by `reserveRoom`, or null. */
  private reserve: string | null = null;
  private readonly append: Database.Transaction<(runId: number, evals: readonly EvaluationRecord[]) => void>;
  private readonly checkpoint: Database.Transaction<(runId: number, evaluations: number, state: string) => void>;
  private readonly claim: Database.Transaction<(runId: number) => void>;

  private constructor(
    private readonly db: Database.Database,
    /** The file, as given to `open`. */
    readonly path: string,
    readonly readOnly: boolean,
    /** A private copy read in place of a store this process cannot write to (removed on close). */
    private readonly copyDir: string | null = null,
  ) {
    this.append = db.transaction((runId: number, evals: readonly EvaluationRecord[]) => this.appendInTransaction(runId, evals));
    this.checkpoint = db.transaction((runId: number, evaluations: number, state: string) => this.checkpointInTransaction(runId, evaluations, state));
    this.claim = db.transaction((runId: number) => this.claimInTransaction(runId));
  }

  /**
   * Opens (creating, unless read-only) the store at `path`. Anything that is not a marl-dse store
   * (a text file, another application's database) is an InputError and is never written to. An
   * empty file is an empty store. Read-only, a store in a folder this process cannot write (where
   * SQLite cannot create the files WAL readers share) is read from a private copy.
   */
  static open(path: string = DEFAULT_STORE_PATH, opts: OpenOptions = {}): RunStore {
    const readOnly = opts.readonly === true;
    if (readOnly && !existsSync(path)) throw new InputError(`${path}: no such run store`);
    if (!readOnly) createFolder(path);
    const timeout = opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    let db: Database.Database | null = null;
    let copyDir: string | null = null;
    try {
      db = new Database(path, { readonly: readOnly, fileMustExist: readOnly, timeout });
      if (readOnly) db.pragma('schema_version'); // the first read: where a read-only folder shows
    } catch (e) {
      db?.close();
      if (!(readOnly && isReadOnlyFolder(e))) throw storeError(e, path);
      copyDir = mkdtempSync(join(tmpdir(), 'marl-dse-store-'));
      try {
        const copy = join(copyDir, basename(path));
        copyFileSync(path, copy);
        if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
        db = new Database(copy, { timeout });
      } catch (e2) {
        rmSync(copyDir, { recursive: true, force: true });
        throw storeError(e2, path);
      }
    }
    const store = new RunStore(db, path, readOnly, copyDir);
    try {
      // Identify the file before the first write: setting WAL mode alone would rewrite a foreign header.
      const version = storedSchemaVersion(db, path);
      if (readOnly) {
        if (version > SCHEMA_VERSION) throw newerSchema(version, path);
        if (version !== 0 && version < READABLE_SCHEMA_VERSION) throw olderSchema(version, path);
      } else {
        configureWriter(db);
        migrate(db, path);
      }
    } catch (e) {
      store.close();
      throw storeError(e, path);
    }
    return store;
  }

  /** Starts a run with status `running`, held by this process; returns its id. */
  createRun(meta: NewRun): number {
    return this.guard(() => {
      const now = timestamp();
      const result = this.writer().insertRun.run({
        created_at: now,
        updated_at: now,
        agent: meta.agent,
        trace: meta.trace,
        trace_hash: meta.traceHash,
        objective: meta.objective,
        target: meta.target,
        reward: meta.reward,
        seed: meta.seed,
        budget: meta.budget,
        space: meta.space,
        options: JSON.stringify(meta.options ?? null),
        holder: JSON.stringify(currentHolder()),
      });
      return Number(result.lastInsertRowid);
    });
  }

  /**
   * Takes a stored run for this process (to resume it) and sets it `running`. A run held by another
   * live process is an InputError naming that process; one left by a process that died is taken over.
   */
  claimRun(runId: number): void {
    this.guard(() => this.claim.immediate(runId));
  }

  /**
   * Appends evaluations in one transaction. Their indices must continue the run's exactly
   * (`evaluationCount` is the next one): a repeat or a gap is a bug in the caller, an Error, and
   * nothing of the batch is stored.
   */
  appendEvaluations(runId: number, evals: readonly EvaluationRecord[]): void {
    if (evals.length > 0) this.guard(() => this.append.immediate(runId, evals));
  }

  /** Evaluations stored for the run: the index the next append must start at. */
  evaluationCount(runId: number): number {
    return this.guard(() => this.counters(runId).evaluations);
  }

  /** Stores the state after `evaluations` evaluations; keeps only the newest CHECKPOINTS_KEPT. */
  saveCheckpoint(runId: number, evaluations: number, state: string): void {
    this.guard(() => this.checkpoint.immediate(runId, evaluations, state));
  }

  latestCheckpoint(runId: number): Checkpoint | null {
    return this.checkpoints(runId)[0] ?? null;
  }

  /** The kept checkpoints, newest first. */
  checkpoints(runId: number): Checkpoint[] {
    return this.guard(() => this.reader()?.checkpoints.all(runId) ?? []);
  }

  /** Records what the agent reported after `evaluations` evaluations (JSON-serialisable). */
  appendAgentStats(runId: number, evaluations: number, stats: unknown): void {
    this.guard(() => this.writer().upsertAgentStats.run({ run_id: runId, evaluations, stats: JSON.stringify(stats) }));
  }

  /** The agent's reports from `fromEvaluations` on, in order. */
  agentStats(runId: number, fromEvaluations = 0): Array<{ evaluations: number; stats: unknown }> {
    return this.guard(() => (this.reader()?.agentStats.all(runId, fromEvaluations) ?? []).map((r) => ({ evaluations: r.evaluations, stats: JSON.parse(r.stats) as unknown })));
  }

  /** The evaluation count of the agent's latest report, or -1 without one. */
  lastAgentStatsAt(runId: number): number {
    return this.guard(() => this.reader()?.lastAgentStats.get(runId)?.last ?? -1);
  }

  /**
   * Sets the status; with a summary (a run that stopped), also its final figures; with an error
   * (status `failed`), why. Any status but `running` releases the run.
   */
  setStatus(runId: number, status: RunStatus, summary?: RunSummary, error?: string): void {
    if (!RUN_STATUSES.includes(status)) throw new Error(`run ${runId}: unknown status "${status}"`);
    this.guard(() => {
      try {
        this.writeStatus(runId, status, summary, error);
      } catch (e) {
        // A full disk: the room set aside for this write is given back, and the status written in it.
        if (!(e instanceof Database.SqliteError && e.code === 'SQLITE_FULL' && this.releaseRoom())) throw e;
        this.writeStatus(runId, status, summary, error);
      }
    });
  }

  /**
   * Sets aside a little room on the store's disk (a file beside it, removed on close) for a run's
   * last status: when the disk fills during a run, `setStatus` gives the room back and can still
   * mark the run failed.
   */
  reserveRoom(): void {
    if (this.readOnly || this.reserve !== null || this.path === ':memory:' || this.copyDir !== null) return;
    const file = `${this.path}-reserve-${process.pid}`;
    try {
      writeFileSync(file, Buffer.alloc(RESERVED_BYTES));
      this.reserve = file;
    } catch {
      rmSync(file, { force: true }); // no room even for that: the status may not be writable either
    }
  }

  /** Gives back the room `reserveRoom` set aside (true if there was some). */
  releaseRoom(): boolean {
    if (this.reserve === null) return false;
    rmSync(this.reserve, { force: true });
    this.reserve = null;
    return true;
  }

  private writeStatus(runId: number, status: RunStatus, summary?: RunSummary, error?: string): void {
    const w = this.writer();
    const base = { id: runId, status, updated_at: timestamp(), error: error ?? null };
    const result = summary
      ? w.setStatusAndSummary.run({
          ...base,
          best_value: summary.bestValue,
          best_index: summary.bestIndex,
          evaluations_to_target: summary.evaluationsToTarget,
          simulations: summary.simulations,
          wall_seconds: summary.wallSeconds,
        })
      : w.setStatus.run(base);
    if (result.changes === 0) throw new Error(`run ${runId}: no such run`);
  }

  /**
   * Copies every committed page from the WAL into the database file and empties the WAL, so the
   * file alone holds everything (for a copy, or a reader that cannot use the WAL). Waits up to the
   * busy timeout for readers in the middle of a read; returns whether it got everything.
   */
  checkpointWal(): boolean {
    return this.guard(() => {
      const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      return r.busy === 0;
    });
  }

  getRun(runId: number): RunRow | null {
    return this.guard(() => {
      const row = this.reader()?.getRun.get(runId);
      return row ? toRunRow(row) : null;
    });
  }

  /** Runs matching every given field, newest first. */
  listRuns(filter: RunFilter = {}): RunRow[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    for (const [column, value] of [['status', filter.status], ['agent', filter.agent], ['trace', filter.trace]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    let sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`;
    if (filter.limit !== undefined) {
      if (!Number.isInteger(filter.limit) || filter.limit < 1) throw new RangeError(`listRuns: limit ${filter.limit} is not a positive integer`);
      sql += ' LIMIT ?';
      params.push(filter.limit);
    }
    return this.guard(() => (this.reader() ? this.db.prepare<Array<string | number>, RunDbRow>(sql).all(...params).map(toRunRow) : []));
  }

  /** Evaluations with from <= index < to, in index order. */
  evaluations(runId: number, from = 0, to = Infinity): EvaluationRecord[] {
    return this.guard(() => (this.reader()?.evaluations.all(runId, from, upperBound(to)) ?? []).map(toEvaluation));
  }

  /**
   * The same rows one at a time, for exporting runs too big to hold. Until the loop ends (or
   * breaks), this connection can run no other statement: export from a connection of its own.
   */
  *iterateEvaluations(runId: number, from = 0, to = Infinity): Generator<EvaluationRecord, void, undefined> {
    if (!this.guard(() => this.reader())) return;
    // A statement of its own: a prepared statement cannot be iterated twice at once.
    const statement = this.guard(() => this.db.prepare<[number, number, number], EvaluationDbRow>(selectEvaluations(this.db)));
    const rows = statement.iterate(runId, from, upperBound(to));
    try {
      for (;;) {
        const next = this.guard(() => rows.next());
        if (next.done) return;
        yield toEvaluation(next.value);
      }
    } finally {
      rows.return?.(); // a consumer that stops early frees the connection
    }
  }

  close(): void {
    this.releaseRoom();
    if (this.db.open) this.db.close();
    if (this.copyDir !== null) rmSync(this.copyDir, { recursive: true, force: true });
  }

  /** Runs `fn`, turning SQLite's complaints about the file (damaged, locked, full disk) into one line naming it. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeError(e, this.path);
    }
  }

  /** The read statements, prepared once the schema is there (null: an empty store). */
  private reader(): ReturnType<typeof prepareStatements> | null {
    if (this.statements === null && storedSchemaVersion(this.db, this.path) >= READABLE_SCHEMA_VERSION) this.statements = prepareStatements(this.db);
    return this.statements;
  }

  private writer(): ReturnType<typeof prepareWrites> {
    if (this.readOnly) throw new InputError(`${this.path}: opened read-only (attempt to write a readonly database)`);
    this.writes ??= prepareWrites(this.db);
    return this.writes;
  }

  private counters(runId: number): RunCounters {
    const counters = this.reader()?.counters.get(runId);
    if (!counters) throw new Error(`run ${runId}: no such run in ${this.path}`);
    return counters;
  }

  private claimInTransaction(runId: number): void {
    const row = this.reader()?.getRun.get(runId);
    if (!row) throw new InputError(`run ${runId}: no such run in ${this.path}`);
    const holder = parseHolder(row.holder ?? null);
    if (holder !== null && !isCurrent(holder) && isAlive(holder)) {
      throw new InputError(`run ${runId}: already running in ${describeHolder(holder)}; wait for it to stop, or stop it (Ctrl-C) first`);
    }
    this.writer().claimRun.run({ id: runId, holder: JSON.stringify(currentHolder()), updated_at: timestamp() });
  }

  private appendInTransaction(runId: number, evals: readonly EvaluationRecord[]): void {
    let { evaluations: next, simulations, best_value: best, best_index: bestIndex } = this.counters(runId);
    const w = this.writer();
    for (const e of evals) {
      if (e.index !== next) {
        throw new Error(
          e.index < next
            ? `run ${runId}: evaluation ${e.index} is already stored (the next is ${next})`
            : `run ${runId}: evaluation ${e.index} would leave a gap (the next is ${next})`,
        );
      }
      w.insertEvaluation.run({
        run_id: runId,
        idx: e.index,
        design: JSON.stringify(e.design),
        config: JSON.stringify(e.config),
        stats: JSON.stringify(e.stats),
        value: toDb(e.value),
        reward: toDb(e.reward),
        best: toDb(e.best),
        agent_ms: e.agentMs,
        simulated: e.simulated ? 1 : 0,
        feasible: e.feasible === undefined ? null : e.feasible ? 1 : 0,
        traces: e.traces === undefined ? null : JSON.stringify(e.traces),
      });
      simulations += simulationsOf(e);
      next++;
      // The evaluation that last changed the best is the one that reached it (whichever the direction);
      // none has while no design meets the constraints (best NaN).
      if (Number.isNaN(e.best)) continue;
      if (bestIndex === null || toDb(e.best) !== best) {
        best = toDb(e.best);
        bestIndex = e.index;
      }
    }
    w.updateCounters.run({ id: runId, evaluations: next, simulations, best_value: best, best_index: bestIndex, updated_at: timestamp() });
  }

  private checkpointInTransaction(runId: number, evaluations: number, state: string): void {
    const stored = this.counters(runId).evaluations;
    // A checkpoint ahead of the stored evaluations could not be resumed from: a bug in the caller.
    if (!Number.isInteger(evaluations) || evaluations < 0 || evaluations > stored) {
      throw new Error(`run ${runId}: checkpoint after ${evaluations} evaluations, but ${stored} are stored`);
    }
    const now = timestamp();
    const w = this.writer();
    w.upsertCheckpoint.run({ run_id: runId, evaluations, state, created_at: now });
    w.pruneCheckpoints.run({ run_id: runId, keep: CHECKPOINTS_KEPT });
    w.touchRun.run({ id: runId, updated_at: now });
  }
}

/** What a read-only connection runs (schema version 2 and later). */
function prepareStatements(db: Database.Database) {
  return {
    getRun: db.prepare<[number], RunDbRow>('SELECT * FROM runs WHERE id = ?'),
    counters: db.prepare<[number], RunCounters>('SELECT evaluations, simulations, best_value, best_index FROM runs WHERE id = ?'),
    evaluations: db.prepare<[number, number, number], EvaluationDbRow>(selectEvaluations(db)),
    checkpoints: db.prepare<[number], Checkpoint>(
      `SELECT evaluations, state FROM checkpoints WHERE run_id = ? ORDER BY evaluations DESC LIMIT ${CHECKPOINTS_KEPT}`,
    ),
    agentStats: db.prepare<[number, number], { evaluations: number; stats: string }>(
      'SELECT evaluations, stats FROM agent_stats WHERE run_id = ? AND evaluations >= ? ORDER BY evaluations',
    ),
    lastAgentStats: db.prepare<[number], { last: number | null }>('SELECT MAX(evaluations) AS last FROM agent_stats WHERE run_id = ?'),
  };
}

/** What a writer runs (the current schema). */
function prepareWrites(db: Database.Database) {
  type Named = [Record<string, unknown>];
  return {
    insertRun: db.prepare<Named>(`
      INSERT INTO runs (status, created_at, updated_at, agent, trace, trace_hash, objective, target, reward, seed, budget, space, options, holder)
      VALUES ('running', @created_at, @updated_at, @agent, @trace, @trace_hash, @objective, @target, @reward, @seed, @budget, @space, @options, @holder)`),
    claimRun: db.prepare<Named>("UPDATE runs SET status = 'running', holder = @holder, error = NULL, updated_at = @updated_at WHERE id = @id"),
    updateCounters: db.prepare<Named>(`
      UPDATE runs SET evaluations = @evaluations, simulations = @simulations, best_value = @best_value,
                      best_index = @best_index, updated_at = @updated_at
      WHERE id = @id`),
    touchRun: db.prepare<Named>('UPDATE runs SET updated_at = @updated_at WHERE id = @id'),
    setStatus: db.prepare<Named>(`
      UPDATE runs SET status = @status, updated_at = @updated_at, error = @error,
                      holder = CASE WHEN @status = 'running' THEN holder ELSE NULL END
      WHERE id = @id`),
    setStatusAndSummary: db.prepare<Named>(`
      UPDATE runs SET status = @status, updated_at = @updated_at, error = @error, best_value = @best_value, best_index = @best_index,
                      evaluations_to_target = @evaluations_to_target, simulations = @simulations, wall_seconds = @wall_seconds,
                      holder = CASE WHEN @status = 'running' THEN holder ELSE NULL END
      WHERE id = @id`),
    insertEvaluation: db.prepare<Named>(`
      INSERT INTO evaluations (run_id, ${EVALUATION_COLUMNS})
      VALUES (@run_id, @idx, @design, @config, @stats, @value, @reward, @best, @agent_ms, @simulated, @feasible, @traces)`),
    upsertCheckpoint: db.prepare<Named>(`
      INSERT INTO checkpoints (run_id, evaluations, state, created_at) VALUES (@run_id, @evaluations, @state, @created_at)
      ON CONFLICT (run_id, evaluations) DO UPDATE SET state = excluded.state, created_at = excluded.created_at`),
    pruneCheckpoints: db.prepare<Named>(`
      DELETE FROM checkpoints WHERE run_id = @run_id AND evaluations NOT IN
        (SELECT evaluations FROM checkpoints WHERE run_id = @run_id ORDER BY evaluations DESC LIMIT @keep)`),
    upsertAgentStats: db.prepare<Named>(`
      INSERT INTO agent_stats (run_id, evaluations, stats) VALUES (@run_id, @evaluations, @stats)
      ON CONFLICT (run_id, evaluations) DO UPDATE SET stats = excluded.stats`),
  };
}

// ---- opening ----

function createFolder(path: string): void {
  ensureDir(dirname(path), path);
}

/**
 * The schema version of the store in `db`: 0 for an empty database. Reads only. A file that is not
 * an SQLite database fails here with SQLITE_NOTADB, before anything has been written.
 */
function storedSchemaVersion(db: Database.Database, path: string): number {
  const applicationId = db.pragma('application_id', { simple: true });
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
  if (applicationId === 0 && tables.length === 0) return 0;
  if (applicationId !== APPLICATION_ID) throw new InputError(`${path}: not a marl-dse run store (an SQLite database of another application)`);
  if (!tables.some((t) => t.name === 'schema_migrations')) throw new InputError(`${path}: damaged run store (no schema_migrations table)`);
  return db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0;
}

function olderSchema(version: number, path: string): InputError {
  return new InputError(`${path}: run store schema version ${version} is older than this marl-dse reads (${READABLE_SCHEMA_VERSION}); a search writing to it upgrades it`);
}

function newerSchema(version: number, path: string): InputError {
  return new InputError(`${path}: run store schema version ${version} is newer than this marl-dse's (${SCHEMA_VERSION}); upgrade marl-dse`);
}

function configureWriter(db: Database.Database): void {
  db.pragma('journal_mode = WAL'); // persistent: recorded in the file, so readers see WAL too
  db.pragma('synchronous = NORMAL'); // per connection; why NORMAL: see the top of this file
  db.pragma('foreign_keys = ON');
}

/** Runs the migrations the store has not seen, all in one transaction. */
function migrate(db: Database.Database, path: string): void {
  const run = db.transaction(() => {
    // Read again under the write lock: another process may have migrated since we looked.
    const from = storedSchemaVersion(db, path);
    if (from > SCHEMA_VERSION) throw newerSchema(from, path);
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      db.prepare<[number, string, string]>('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, timestamp());
    }
    if (from === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
  });
  run.immediate();
}

/** A read-only open that failed because SQLite may not create the WAL's shared-memory file beside the store. */
function isReadOnlyFolder(e: unknown): boolean {
  return e instanceof Database.SqliteError && /^SQLITE_(READONLY|CANTOPEN)/.test(e.code);
}

/**
 * SQLite's complaints about the file, as one line naming it (an InputError: the CLI exits with code
 * 2); anything else unchanged.
 */
export function storeError(e: unknown, path: string): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  const what = `(${e.message.split('\n')[0]})`;
  if (e.code === 'SQLITE_NOTADB') return new InputError(`${path}: not a marl-dse run store ${what}`);
  if (e.code.startsWith('SQLITE_CORRUPT')) return new InputError(`${path}: the run store is damaged ${what}; its runs can be read only as far as SQLite still can`);
  if (/^SQLITE_(BUSY|LOCKED)/.test(e.code)) return new InputError(`${path}: locked by another process (waited for it in vain) ${what}`);
  if (e.code === 'SQLITE_FULL') return new InputError(`${path}: the disk is full ${what}`);
  if (e.code.startsWith('SQLITE_READONLY')) return new InputError(`${path}: cannot write the run store ${what}`);
  if (e.code.startsWith('SQLITE_IOERR')) return new InputError(`${path}: cannot read or write the run store ${what}`);
  if (/^SQLITE_(CANTOPEN|PERM|AUTH)/.test(e.code)) return new InputError(`${path}: cannot open run store ${what}`);
  return e;
}

// ---- values ----

function timestamp(): string {
  return new Date().toISOString();
}

/** SQLite stores NaN as NULL; say so explicitly, and map it back on reading. */
function toDb(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}

function fromDb(n: number | null): number {
  return n ?? NaN;
}

function upperBound(to: number): number {
  return to === Infinity ? Number.MAX_SAFE_INTEGER : to;
}

function toRunRow(r: RunDbRow): RunRow {
  return {
    id: r.id,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    agent: r.agent,
    trace: r.trace,
    traceHash: r.trace_hash,
    objective: r.objective,
    target: r.target,
    reward: r.reward,
    seed: r.seed,
    budget: r.budget,
    space: r.space,
    options: JSON.parse(r.options) as unknown,
    evaluations: r.evaluations,
    simulations: r.simulations,
    bestValue: r.best_value,
    bestIndex: r.best_index,
    evaluationsToTarget: r.evaluations_to_target,
    wallSeconds: r.wall_seconds,
    holder: parseHolder(r.holder ?? null),
    error: r.error ?? null,
  };
}

function toEvaluation(r: EvaluationDbRow): EvaluationRecord {
  return {
    index: r.idx,
    design: JSON.parse(r.design) as number[],
    config: JSON.parse(r.config) as Record<string, string | number>,
    stats: JSON.parse(r.stats) as SimStats,
    value: fromDb(r.value),
    reward: fromDb(r.reward),
    best: fromDb(r.best),
    agentMs: r.agent_ms,
    simulated: r.simulated === 1,
    ...(r.feasible !== null ? { feasible: r.feasible === 1 } : {}),
    ...(r.traces !== null ? { traces: JSON.parse(r.traces) as TraceEvaluation[] } : {}),
  };
}
