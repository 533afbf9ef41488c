/**
 * The part of better-sqlite3 12 that the run store uses, typed here so the project carries one
 * dependency (the driver) rather than two (the driver and @types/better-sqlite3). The shapes follow
 * the driver's documentation (docs/api.md); delete this file if @types/better-sqlite3 is added.
 */
declare module 'better-sqlite3' {
  namespace Database {
    interface Options {
      /** Open with SQLITE_OPEN_READONLY: every write fails with SQLITE_READONLY. */
      readonly?: boolean;
      /** Refuse to create a missing file (SQLITE_CANTOPEN instead). */
      fileMustExist?: boolean;
      /** busy_timeout in ms: how long a write waits for another connection's write lock. */
      timeout?: number;
    }

    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement<Params extends unknown[] = unknown[], Row = unknown> {
      run(...params: Params): RunResult;
      get(...params: Params): Row | undefined;
      all(...params: Params): Row[];
      /** Rows one at a time; the connection is busy (no other statement may run on it) until done. */
      iterate(...params: Params): IterableIterator<Row>;
    }

    /** A function wrapped in BEGIN … COMMIT (ROLLBACK if it throws). */
    interface Transaction<F extends (...args: never[]) => unknown> {
      (...args: Parameters<F>): ReturnType<F>;
      /** The same, with BEGIN IMMEDIATE: the write lock is taken up front. */
      immediate(...args: Parameters<F>): ReturnType<F>;
    }

    interface Database {
      readonly name: string;
      readonly open: boolean;
      readonly readonly: boolean;
      readonly inTransaction: boolean;
      prepare<Params extends unknown[] = unknown[], Row = unknown>(sql: string): Statement<Params, Row>;
      exec(sql: string): this;
      /** With `simple: true`, the first column of the first row. */
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
      close(): this;
    }

    /** Every error SQLite reports; `code` is the extended result code name, e.g. `SQLITE_NOTADB`. */
    interface SqliteError extends Error {
      readonly code: string;
    }
  }

  interface DatabaseConstructor {
    new (filename: string, options?: Database.Options): Database.Database;
    readonly SqliteError: new (message: string, code: string) => Database.SqliteError;
  }

  const Database: DatabaseConstructor;
  export = Database;
}
