/**
 * `byokit/adapters/postgres`: the PostgreSQL storage adapter, for any
 * client with `query(text, params)` (`pg` Pool or Client, PGlite, ...).
 *
 * @module byokit/adapters/postgres
 */
export { PostgresStore } from './postgres-store.js';
export { PostgresNotMigratedError } from './errors.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export type { PostgresQueryable, PostgresRow } from './queryable.js';
export { postgresMigrations } from './migrations.js';
export type { PostgresMigration } from './migrations.js';
export { DEFAULT_SCHEMA, DEFAULT_TABLE_PREFIX } from './names.js';
export type { PostgresLocation, TableNames } from './names.js';
