/**
 * Opening a database file by path, with whichever driver is present. Both
 * drivers are loaded lazily and by a computed specifier, so importing the
 * adapter never loads (or makes a bundler pull in) a native module.
 *
 * @module
 */
import { StoreError } from '../../src/errors.js';
import type { SqliteDatabase } from './database.js';
import { byokitMessage } from '../../src/message.js';

/**
 * Which driver `openSqliteDatabase` uses. `'auto'` tries better-sqlite3,
 * then `node:sqlite` (also when better-sqlite3 is installed but can't load here).
 */
export type SqliteDriver = 'auto' | 'better-sqlite3' | 'node:sqlite';

type DatabaseConstructor = new (path: string) => SqliteDatabase;

async function loadBetterSqlite3(): Promise<DatabaseConstructor | null> {
  const specifier = 'better-sqlite3';
  try {
    const mod = (await import(specifier)) as { default?: DatabaseConstructor };
    return mod.default ?? (mod as unknown as DatabaseConstructor);
  } catch {
    return null;
  }
}

function loadNodeSqlite(): DatabaseConstructor | null {
  // getBuiltinModule exists from Node 20.16 / 22.3; node:sqlite from Node 22.5
  // (behind --experimental-sqlite before 22.13, where loading it may throw).
  try {
    const mod = process.getBuiltinModule?.('node:sqlite') as { DatabaseSync?: DatabaseConstructor } | undefined;
    return mod?.DatabaseSync ?? null;
  } catch {
    return null;
  }
}

/**
 * True when `error` says a native module could not be loaded into this
 * runtime: better-sqlite3 built for another Node version (its
 * `NODE_MODULE_VERSION` differs), or a runtime that can't load it at all
 * (Bun). better-sqlite3 loads its native module when the first database is
 * constructed, so that is where this shows.
 */
export function isNativeModuleLoadFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_DLOPEN_FAILED' ||
    (typeof message === 'string' &&
      /NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message))
  );
}

function nativeLoadError(cause: unknown): StoreError {
  return new StoreError(
    'STORE_FAILED',
    byokitMessage('sqlite', 'better-sqlite3 is installed but its native module does not load on this runtime ') +
      '(built for another Node.js version, or a runtime it does not support): run `npm rebuild better-sqlite3`, ' +
      "or use driver 'node:sqlite' (Node 22.5+, Bun)",
    { cause },
  );
}

/**
 * Opens (creating if needed, parent folders included) the SQLite file at
 * `path` with the chosen driver. With `'auto'`, a better-sqlite3 whose native
 * module does not load here (built for another Node version, or on Bun)
 * gives way to `node:sqlite` instead of failing.
 */
export async function openSqliteDatabase(path: string, driver: SqliteDriver = 'auto'): Promise<SqliteDatabase> {
  const betterSqlite3 = driver === 'node:sqlite' ? null : await loadBetterSqlite3();
  // node:sqlite only when needed: loading it prints an experimental warning on Node 22 before 22.13.
  const fallback = driver === 'better-sqlite3' ? () => null : loadNodeSqlite;
  let Database = betterSqlite3 ?? fallback();
  if (!Database) {
    const wanted =
      driver === 'auto'
        ? 'install better-sqlite3, or run on Node 22.5+ for node:sqlite'
        : driver === 'better-sqlite3'
          ? 'install better-sqlite3'
          : 'run on Node 22.5+';
    throw new StoreError('STORE_FAILED', byokitMessage('sqlite', `no SQLite driver available: ${wanted}`));
  }
  if (path !== ':memory:' && !path.startsWith('file:')) {
    const { mkdirSync } = (await import('node:fs')) as typeof import('node:fs');
    const { dirname } = (await import('node:path')) as typeof import('node:path');
    mkdirSync(dirname(path), { recursive: true });
  }
  if (Database === betterSqlite3) {
    try {
      return new betterSqlite3(path);
    } catch (error) {
      if (!isNativeModuleLoadFailure(error)) throw couldNotOpen(error);
      Database = fallback();
      if (!Database) throw nativeLoadError(error);
    }
  }
  try {
    return new Database(path);
  } catch (error) {
    throw couldNotOpen(error);
  }
}

function couldNotOpen(cause: unknown): StoreError {
  return new StoreError('STORE_FAILED', byokitMessage('sqlite', 'could not open the database file'), { cause });
}
