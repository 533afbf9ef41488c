/**
 * The run store's schema and its migrations. A migration is appended, never edited: a store written
 * by an older marl-dse is brought forward by running the migrations it has not seen, in order, in one
 * transaction, and `schema_migrations` records which ran and when.
 */

/**
 * SQLite's header field for "which application owns this file" (`PRAGMA application_id`): lets us
 * tell our stores from other SQLite databases before writing anything to them. ASCII "mdse".
 */
export const APPLICATION_ID = 0x6d647365;

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, evaluations, checkpoints',
    sql: `
      CREATE TABLE schema_migrations (
        version     INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at  TEXT NOT NULL
      );

      -- One search: agent x trace x objective x seed x budget. The counters and the best are kept up to
      -- date by every append, so listing runs never scans evaluations; the finished summary overwrites them.
      CREATE TABLE runs (
        id                    INTEGER PRIMARY KEY AUTOINCREMENT,
        status                TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
        created_at            TEXT NOT NULL,
        updated_at            TEXT NOT NULL,
        agent                 TEXT NOT NULL,
        trace                 TEXT NOT NULL,
        trace_hash            TEXT NOT NULL,
        objective             TEXT NOT NULL,
        target                REAL,
        reward                TEXT NOT NULL,
        seed                  INTEGER NOT NULL,
        budget                INTEGER NOT NULL,
        space                 TEXT NOT NULL,
        options               TEXT NOT NULL,
        evaluations           INTEGER NOT NULL DEFAULT 0,
        simulations           INTEGER NOT NULL DEFAULT 0,
        best_value            REAL,
        best_index            INTEGER,
        evaluations_to_target INTEGER,
        wall_seconds          REAL
      );
      CREATE INDEX runs_by_status ON runs (status, id);

      -- JSON text for the variable-shaped parts; the numbers a query filters or sorts on are columns.
      -- NaN has no SQLite representation: value, reward and best are NULL for it.
      CREATE TABLE evaluations (
        run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx       INTEGER NOT NULL,
        design    TEXT NOT NULL,
        config    TEXT NOT NULL,
        stats     TEXT NOT NULL,
        value     REAL,
        reward    REAL,
        best      REAL,
        agent_ms  REAL NOT NULL,
        simulated INTEGER NOT NULL,
        PRIMARY KEY (run_id, idx)
      ); -- not WITHOUT ROWID: rows of ~1-2 KB pack badly in one (measured: 4.7 KB a row instead of 1.5)

      CREATE TABLE checkpoints (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        evaluations INTEGER NOT NULL,
        state       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (run_id, evaluations)
      );
    `,
  },
  {
    version: 2,
    description: 'agent statistics over time',
    sql: `
      -- What an agent reported after a batch of evaluations (losses, entropy, each parameter's
      -- action distribution): the dashboard draws learning over time from it.
      CREATE TABLE agent_stats (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        evaluations INTEGER NOT NULL,
        stats       TEXT NOT NULL,
        PRIMARY KEY (run_id, evaluations)
      );
    `,
  },
  {
    version: 3,
    description: 'who runs a run, and why a run failed',
    sql: `
      -- The process running the run, as JSON {pid, host, start, since}: a second one is refused while it
      -- lives. NULL when no process runs it.
      ALTER TABLE runs ADD COLUMN holder TEXT;
      -- Why a failed run failed: the error, one line.
      ALTER TABLE runs ADD COLUMN error TEXT;
    `,
  },
  {
    version: 4,
    description: 'feasibility and per-trace results of an evaluation',
    sql: `
      -- 1 or 0 when the run has constraints (does the design meet them on every trace?); NULL otherwise.
      ALTER TABLE evaluations ADD COLUMN feasible INTEGER;
      -- A suite's evaluation: each trace's value, normalised value, feasibility and SimStats, as a JSON
      -- array in suite order (stats then holds the traces combined); NULL for a single trace.
      ALTER TABLE evaluations ADD COLUMN traces TEXT;
    `,
  },
];

/** The oldest schema a read-only connection can read (the columns added since read as NULL). */
export const READABLE_SCHEMA_VERSION = 2;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
