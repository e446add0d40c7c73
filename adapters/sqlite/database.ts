/**
 * The few methods byokit uses of a SQLite connection, so that the adapter
 * works with the user's `better-sqlite3` `Database` and with Node's built-in
 * `node:sqlite` `DatabaseSync` alike, without importing either.
 *
 * @module
 */

/** A value SQLite binds: booleans are stored as 0/1 by the adapter, since neither driver binds them. */
export type SqliteValue = string | number | bigint | null;

/**
 * A prepared statement (`better-sqlite3` `Statement`, `node:sqlite`
 * `StatementSync`). The adapter binds only {@link SqliteValue}s; the
 * parameters are typed `unknown` so both drivers' own signatures fit.
 */
export interface SqliteStatement {
  /** Runs it; `changes` is the number of rows written. */
  run(...params: unknown[]): {
    /** Rows inserted, updated or deleted. */
    changes: number | bigint;
  };
  /** The first row, or `undefined` when there is none. */
  get(...params: unknown[]): unknown;
  /** Every row. */
  all(...params: unknown[]): unknown[];
}

/** A synchronous SQLite connection (`better-sqlite3` `Database`, `node:sqlite` `DatabaseSync`). */
export interface SqliteDatabase {
  /** Compiles one statement. */
  prepare(sql: string): SqliteStatement;
  /** Runs one or more statements without results. */
  exec(sql: string): unknown;
  /** Closes the connection; only called on a connection the store opened itself. */
  close?(): unknown;
}
