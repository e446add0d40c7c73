/**
 * `byokit/adapters/sqlite`: the embedded file store. Needs `better-sqlite3`
 * (an optional peer dependency) or Node 22.5+ (`node:sqlite`).
 *
 * @module byokit/adapters/sqlite
 */
export { SqliteStore } from './sqlite-store.js';
export type { SqliteOpenOptions, SqliteStoreOptions } from './sqlite-store.js';
export type { SqliteDatabase, SqliteStatement, SqliteValue } from './database.js';
export type { SqliteDriver } from './open-database.js';
export { SQLITE_MIGRATIONS, SQLITE_SCHEMA_VERSION } from './migrations.js';
export type { SqliteMigration } from './migrations.js';
export { DEFAULT_TABLE_PREFIX } from './tables.js';
export type { TableNames } from './tables.js';
