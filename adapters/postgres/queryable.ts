/**
 * The only thing the adapter needs from a database client. Kept structural
 * so `pg` (and PGlite, and anything alike) is the host's dependency, not
 * ours.
 *
 * @module
 */

/** A result row as clients return it: column name to parsed value. */
export type PostgresRow = Record<string, unknown>;

/**
 * Anything with `query(text, params)` that resolves to `{ rows }`: a `pg`
 * `Pool`, a `pg` `Client`, a `PoolClient`, PGlite, or a wrapper of your own
 * (for tracing or counting).
 *
 * The adapter sends exactly one statement per call and never `BEGIN`, so a
 * client shared with other code needs no connection checkout: every
 * statement commits on its own (autocommit). Don't pass a client that sits
 * inside a transaction of yours: byokit's writes would then commit or roll
 * back with it.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const store = new PostgresStore(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export interface PostgresQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: PostgresRow[] }>;
}
