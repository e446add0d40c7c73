/**
 * The schema, as numbered migrations. A migration is never edited once
 * released; a change is a new migration. Applied versions are recorded in
 * `<prefix>migrations`, so running them again is a no-op.
 *
 * @module
 */
import { StoreError } from '../../src/errors.js';
import type { SqliteDatabase } from './database.js';
import type { TableNames } from './tables.js';
import { byokitMessage } from '../../src/message.js';

/** One schema step. */
export interface SqliteMigration {
  /** The schema version it brings the database to (1, 2, ...). */
  version: number;
  /** What it does, for the migrations table and messages. */
  name: string;
  /** The statements, for the given table names. */
  sql(tables: TableNames): string;
}

/**
 * Why the schema looks the way it does:
 * - `UNIQUE (tenant_id, name)` keeps names unique per tenant in the database,
 *   also against a second process writing the same file.
 * - The partial unique index on `(tenant_id, scope) WHERE is_default = 1` makes
 *   a second default impossible, whatever the code above it does.
 * - Audit rows have no foreign key to configs: the history must outlive a
 *   deleted config (including the deletion event itself).
 * - Times are ISO text and options/routes/actor/changes/detail JSON text, so
 *   they read back exactly as written.
 * - Migration 2 drops `kek_id`: the KEK id is read from `sealed_key` itself
 *   (see `KEK_ID_SQL`), so no column can claim a KEK the sealed value does
 *   not name (a tampered `kek_id` once made rewrap skip a key still under
 *   the old KEK). Dropped rather than left unused, so nothing, not even a
 *   host's own report query, reads a value that nothing keeps true.
 * - Migration 3 adds the key health table: one row per config whose key
 *   traffic or validation has reported on, apart from the config row so
 *   that health writes never bump the config's revision. No foreign key:
 *   `deleteConfig` removes the row in its transaction, which also holds on
 *   a connection opened without `foreign_keys=ON`.
 * - Migration 4 adds the settings document (one row per tenant, JSON text,
 *   revision), access keys (keyed by `id` alone: the token names no tenant;
 *   indexed by tenant for listing), the quota counters (one row per key:
 *   the current window of each quota and its count, so storage never grows
 *   with traffic) and usage (one row per key and UTC day).
 * - Migration 5 adds partial indexes over the configs that can win a
 *   resolution (enabled, with a key), ordered as the resolution walks them
 *   (default first, then newest id): the filtered `loadCandidates` finds
 *   each group's winner with one seek, flat in the tenant's size.
 * - Migration 6 adds the staged-rotation slots beside the active key (a
 *   pending key waiting to be promoted, the previous key kept for a
 *   rollback), each sealed like the active one, with its hint and times.
 *   New nullable columns only: rows written before stay valid.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'configs and audit',
    sql: (t) => `
      CREATE TABLE ${t.configs} (
        tenant_id TEXT NOT NULL,
        id TEXT NOT NULL,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        provider TEXT NOT NULL,
        routes TEXT NOT NULL,
        model TEXT,
        base_url TEXT,
        options TEXT NOT NULL,
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        is_default INTEGER NOT NULL CHECK (is_default IN (0, 1)),
        key_hint TEXT,
        kek_id TEXT,
        sealed_key TEXT,
        key_set_at TEXT,
        key_expires_at TEXT,
        last_validated_at TEXT,
        last_validation_status TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, id)
      );
      CREATE UNIQUE INDEX ${t.configs}_name ON ${t.configs} (tenant_id, name);
      CREATE UNIQUE INDEX ${t.configs}_one_default ON ${t.configs} (tenant_id, scope) WHERE is_default = 1;
      CREATE INDEX ${t.configs}_scope ON ${t.configs} (tenant_id, scope, id);
      CREATE TABLE ${t.audit} (
        tenant_id TEXT NOT NULL,
        id TEXT NOT NULL,
        at TEXT NOT NULL,
        config_id TEXT,
        actor TEXT,
        type TEXT NOT NULL,
        changes TEXT NOT NULL,
        key_hint TEXT,
        detail TEXT NOT NULL,
        PRIMARY KEY (tenant_id, id)
      );
      CREATE INDEX ${t.audit}_config ON ${t.audit} (tenant_id, config_id, id);
    `,
  },
  {
    version: 2,
    name: 'kek id derived from the sealed key',
    sql: (t) => `ALTER TABLE ${t.configs} DROP COLUMN kek_id;`,
  },
  {
    version: 3,
    name: 'key health',
    sql: (t) => `
      CREATE TABLE ${t.keyHealth} (
        tenant_id TEXT NOT NULL,
        config_id TEXT NOT NULL,
        key_set_at TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ok', 'failing')),
        first_failure_at TEXT,
        last_failure_at TEXT,
        failure_count INTEGER NOT NULL,
        last_used_at TEXT,
        last_success_at TEXT,
        last_valid_at TEXT,
        PRIMARY KEY (tenant_id, config_id)
      );
    `,
  },
  {
    version: 4,
    name: 'settings, access keys, quota counters and usage',
    sql: (t) => `
      CREATE TABLE ${t.settings} (
        tenant_id TEXT NOT NULL PRIMARY KEY,
        document TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE ${t.accessKeys} (
        id TEXT NOT NULL PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        name TEXT NOT NULL,
        providers TEXT,
        models TEXT,
        quota TEXT,
        hint TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        hash_key_id TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX ${t.accessKeys}_tenant ON ${t.accessKeys} (tenant_id, id);
      CREATE TABLE ${t.accessKeyCounters} (
        tenant_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        requests_window TEXT,
        requests INTEGER NOT NULL DEFAULT 0,
        tokens_window TEXT,
        tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, key_id)
      );
      CREATE TABLE ${t.accessKeyUsage} (
        tenant_id TEXT NOT NULL,
        period TEXT NOT NULL,
        key_id TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, period, key_id)
      );
      CREATE INDEX ${t.accessKeyUsage}_key ON ${t.accessKeyUsage} (tenant_id, key_id, period);
    `,
  },
  {
    version: 5,
    name: 'usable-config indexes for the filtered resolution read',
    // Only configs that can win a resolution (enabled, holding a key), in the order the walk
    // visits them: each group's winner is one index seek, however many configs the tenant has.
    sql: (t) => `
      CREATE INDEX ${t.configs}_usable_provider ON ${t.configs} (tenant_id, scope, provider, is_default, id)
        WHERE enabled = 1 AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);
      CREATE INDEX ${t.configs}_usable ON ${t.configs} (tenant_id, scope, is_default, id)
        WHERE enabled = 1 AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);
    `,
  },
  {
    version: 6,
    name: 'staged keys: pending and previous slots',
    sql: (t) => `
      ALTER TABLE ${t.configs} ADD COLUMN pending_sealed_key TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN pending_key_hint TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN pending_key_set_at TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN pending_key_expires_at TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN previous_sealed_key TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN previous_key_hint TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN previous_key_set_at TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN previous_key_expires_at TEXT;
      ALTER TABLE ${t.configs} ADD COLUMN previous_key_kept_until TEXT;
    `,
  },
];

/** The schema version this code needs. */
export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS.at(-1)!.version;

/** The highest applied version, or 0 on a fresh database. */
export function appliedVersion(db: SqliteDatabase, tables: TableNames): number {
  const exists = db
    .prepare(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .get(tables.migrations);
  if (!exists) return 0;
  const row = db.prepare(`SELECT MAX(version) AS version FROM ${tables.migrations}`).get() as
    | { version: number | bigint | null }
    | undefined;
  return Number(row?.version ?? 0);
}

/**
 * Applies the missing migrations in one `BEGIN IMMEDIATE` transaction, so
 * two processes migrating the same file at once apply each step once.
 * Refuses a database migrated by a newer byokit rather than guess.
 */
export function applyMigrations(db: SqliteDatabase, tables: TableNames): { from: number; to: number } {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const from = appliedVersion(db, tables);
    if (from > SQLITE_SCHEMA_VERSION) {
      throw new StoreError(
        'STORE_FAILED',
        byokitMessage(
          'sqlite',
          `the database schema is at version ${from}, newer than this byokit knows (${SQLITE_SCHEMA_VERSION}); upgrade byokit`,
        ),
      );
    }
    const record = db.prepare(`INSERT INTO ${tables.migrations} (version, name, applied_at) VALUES (?, ?, ?)`);
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version <= from) continue;
      db.exec(migration.sql(tables));
      record.run(migration.version, migration.name, new Date().toISOString());
    }
    db.exec('COMMIT');
    return { from, to: Math.max(from, SQLITE_SCHEMA_VERSION) };
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite; report the original error.
    }
    throw error;
  }
}
