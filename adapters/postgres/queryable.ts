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
  /** Runs one parameterised statement (`$1`, `$2`, ...) and resolves to its rows. */
  query(
    text: string,
    params?: unknown[],
  ): Promise<{
    /** The result rows, one object per row. */
    rows: PostgresRow[];
  }>;
}

/**
 * Whether `client` is a `pg` Pool, Client or PoolClient: the clients whose
 * `query` also takes `{ name, text, values }` (a named prepared statement).
 * PGlite and hand-written wrappers get plain text queries.
 */
export function isNamedStatementClient(client: unknown): boolean {
  if (typeof client !== 'object' || client === null) return false;
  const pool = 'totalCount' in client && 'idleCount' in client && 'waitingCount' in client;
  return pool || ('connectionParameters' in client && 'processID' in client);
}

const names = new Map<string, string>();

/**
 * A stable name for a statement's text (two 32-bit FNV-style hashes), so each distinct
 * text gets its own prepared statement on a connection and two stores with
 * other tables or prefixes never share one.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x811c9dc5) ^ (h1 >>> 15);
    }
    name = `byokit_${(h1 >>> 0).toString(36)}_${(h2 >>> 0).toString(36)}`;
    names.set(text, name);
  }
  return name;
}
