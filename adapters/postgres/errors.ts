/**
 * Turning database errors into byokit errors without leaking what was
 * written. Drivers attach a lot to their errors: `detail` (PostgreSQL's
 * "Failing row contains (...)" lists every column, sealed key included),
 * messages that quote the bad input, and PGlite even attaches the query's
 * `params`. So the `cause` byokit keeps is a fresh error with the
 * diagnostic names only.
 *
 * @module
 */
import { ConflictError, StoreError } from '../../src/errors.js';
import type { TableNames } from './names.js';
import { byokitMessage } from '../../src/message.js';

/** The parts of a PostgreSQL error that name things but hold no row values. */
export interface PostgresErrorSummary {
  /** SQLSTATE, e.g. `23505`. */
  code: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  routine?: string;
}

/** The SQLSTATE of a driver error (`pg` and PGlite both set `code`), if it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** True for a unique violation of the given index. */
export function isUniqueViolation(error: unknown, indexName: string): boolean {
  return sqlState(error) === '23505' && constraintOf(error) === indexName;
}

/**
 * Failures worth running the same statement again: another writer won a
 * race the statement could not see from its snapshot. `23505` on the
 * default index (a default appeared after the snapshot, e.g. a concurrent
 * create), deadlock (`40P01`) and serialization failure (`40001`, hosts
 * running at REPEATABLE READ or SERIALIZABLE).
 */
export function isRetryable(error: unknown, names: TableNames): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001' || isUniqueViolation(error, names.defaultIndex);
}

/**
 * A copy of a driver error that is safe to keep as `cause`: SQLSTATE and
 * object names, and the server message only where PostgreSQL never puts
 * input values in it. Errors without a SQLSTATE (network, pool) carry no
 * row data and pass through whole.
 */
export function scrubbedCause(error: unknown): unknown {
  const code = sqlState(error);
  if (code === undefined) return error;
  const source = error as Record<string, unknown>;
  const summary: PostgresErrorSummary = { code };
  for (const key of ['constraint', 'table', 'column', 'schema', 'routine'] as const) {
    const value = source[key];
    if (typeof value === 'string') summary[key] = value;
  }
  // Class 22 (data exception) messages quote the offending input, e.g.
  // 'invalid input syntax for type integer: "sk-..."'.
  const message = code.startsWith('22') || typeof source.message !== 'string' ? `SQLSTATE ${code}` : source.message;
  return Object.assign(new Error(`[postgres] ${message}`), summary);
}

/**
 * The store's tables (or its schema) don't exist: `migrate()` was never run
 * against this database, schema and table prefix. Code `STORE_FAILED`, like
 * every backend failure; the class and the message say what to do.
 *
 * @example
 * ```ts
 * const store = new PostgresStore(pool);
 * await store.migrate(); // once, before the first call (idempotent; a deploy step is a good place)
 * ```
 */
export class PostgresNotMigratedError extends StoreError {
  /** The SQLSTATE PostgreSQL answered: `42P01` (no such table) or `3F000` (no such schema). */
  readonly sqlState: string;
  constructor(operation: string, names: Pick<TableNames, 'schema' | 'prefix'>, sqlState: string, cause: unknown) {
    super(
      'STORE_FAILED',
      byokitMessage(
        'postgres',
        `${operation} failed (SQLSTATE ${sqlState}): the byokit tables do not exist in schema "${names.schema}" with prefix "${names.prefix}"; `,
      ) +
        'call `await store.migrate()` once before using the store (or run the SQL from adapters/postgres/migrations/ yourself)',
      { cause },
    );
    this.sqlState = sqlState;
  }
}

/** SQLSTATEs that mean the store's schema or tables are missing: undefined_table, invalid_schema_name. */
const NOT_MIGRATED_STATES = new Set(['42P01', '3F000']);

/**
 * The byokit error for a failed call: `NAME_TAKEN` for the name index,
 * {@link PostgresNotMigratedError} when the tables are missing, otherwise
 * `STORE_FAILED` naming the operation and SQLSTATE only.
 */
export function toStoreError(error: unknown, operation: string, names: TableNames): Error {
  if (error instanceof ConflictError || error instanceof StoreError) return error;
  if (isUniqueViolation(error, names.nameIndex)) {
    return new ConflictError(
      'NAME_TAKEN',
      byokitMessage('postgres', 'a config with this name already exists in this tenant'),
    );
  }
  const state = sqlState(error);
  if (state !== undefined && NOT_MIGRATED_STATES.has(state))
    return new PostgresNotMigratedError(operation, names, state, scrubbedCause(error));
  const code = sqlState(error);
  return new StoreError(
    'STORE_FAILED',
    byokitMessage('postgres', `${operation} failed${code ? ` (SQLSTATE ${code})` : ''}`),
    {
      cause: scrubbedCause(error),
    },
  );
}
