/**
 * Opening a database file by path, with whichever driver is present. Both
 * drivers are loaded lazily and by a computed specifier, so importing the
 * adapter never loads (or makes a bundler pull in) a native module.
 *
 * @module
 */
import { StoreError } from '../../src/errors.js';
import type { SqliteDatabase } from './database.js';

/** Which driver {@link openSqliteDatabase} uses. `'auto'` tries better-sqlite3, then `node:sqlite`. */
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
 * Opens (creating if needed, parent folders included) the SQLite file at
 * `path` with the chosen driver.
 */
export async function openSqliteDatabase(path: string, driver: SqliteDriver = 'auto'): Promise<SqliteDatabase> {
  let Database: DatabaseConstructor | null = null;
  if (driver !== 'node:sqlite') Database = await loadBetterSqlite3();
  if (!Database && driver !== 'better-sqlite3') Database = loadNodeSqlite();
  if (!Database) {
    const wanted =
      driver === 'auto' ? 'install better-sqlite3, or run on Node 22.5+ for node:sqlite' : driver === 'better-sqlite3' ? 'install better-sqlite3' : 'run on Node 22.5+';
    throw new StoreError('STORE_FAILED', `[byokit] [sqlite] no SQLite driver available: ${wanted}`);
  }
  if (path !== ':memory:' && !path.startsWith('file:')) {
    const { mkdirSync } = (await import('node:fs')) as typeof import('node:fs');
    const { dirname } = (await import('node:path')) as typeof import('node:path');
    mkdirSync(dirname(path), { recursive: true });
  }
  try {
    return new Database(path);
  } catch (error) {
    throw new StoreError('STORE_FAILED', '[byokit] [sqlite] could not open the database file', { cause: error });
  }
}
