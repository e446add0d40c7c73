/**
 * The versioned schema. Each migration is plain SQL; `migrate()` runs the
 * ones not yet applied, and the same SQL ships as files under
 * `adapters/postgres/migrations/` (generated for the default schema and
 * prefix) for hosts that run their own migration tool.
 *
 * Design choices the SQL encodes:
 * - Times are `text` holding the caller's ISO string: the contract wants
 *   the exact string back, and `timestamptz` would reformat it
 *   (`2025-01-01T00:00:00.000Z` comes back as a Date or as
 *   `2025-01-01 00:00:00+00`). ISO strings in UTC sort like the times.
 * - Ids use `COLLATE "C"` so `ORDER BY id` and the cursor comparison are
 *   byte order, which is creation order for byokit's ids, whatever the
 *   database's default collation.
 * - Both tables are keyed by `(tenant_id, id)`: every read names a tenant,
 *   so every lookup and every page is a range scan of one tenant's rows
 *   (a B-tree serves `id DESC` by scanning backwards).
 * - Unique names and the single default per (tenant, scope) are unique
 *   indexes, so the database keeps them even under races.
 * - Key health lives in its own table (003), keyed like configs and
 *   removed with them by a cascading foreign key.
 * - Key cooldowns (006) are short-lived facts with an end time: one row
 *   per key at most, no foreign key (a cooldown of a deleted config just
 *   ends), expired rows ignored by reads and removed by later writes.
 *
 * @module
 */
import { quoteIdentifier, tableNames } from './names.js';
import type { PostgresLocation, TableNames } from './names.js';

/** One schema migration. */
export interface PostgresMigration {
  /** Increasing from 1; recorded in the `<prefix>migrations` table by `migrate()`. */
  version: number;
  /** File name stem, e.g. `001_init` (the shipped file is `<name>.sql`). */
  name: string;
  /** The SQL, for the requested schema and prefix. Idempotent (`IF NOT EXISTS`). */
  sql: string;
}

function init(t: TableNames): string {
  const q = quoteIdentifier;
  return `-- byokit PostgreSQL schema, migration 001: configs and audit events.
-- Generated for schema ${q(t.schema)} and table prefix '${t.prefix}'. For another schema
-- or prefix, use postgresMigrations({ schema, tablePrefix }) from
-- 'byokit/adapters/postgres', or replace the names below consistently.

CREATE TABLE IF NOT EXISTS ${t.configs} (
  tenant_id text NOT NULL,
  id text COLLATE "C" NOT NULL,
  scope text NOT NULL,
  name text NOT NULL,
  provider text NOT NULL,
  routes jsonb NOT NULL DEFAULT '[]',
  model text,
  base_url text,
  options jsonb NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  key_hint text,
  kek_id text,
  sealed_key text,
  key_set_at text,
  key_expires_at text,
  last_validated_at text,
  last_validation_status text,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  revision integer NOT NULL,
  CONSTRAINT ${q(`${t.prefix}configs_pkey`)} PRIMARY KEY (tenant_id, id)
);

-- Names are unique within a tenant (exact, case-sensitive).
CREATE UNIQUE INDEX IF NOT EXISTS ${q(t.nameIndex)}
  ON ${t.configs} (tenant_id, name);

-- At most one default per (tenant, scope), kept by the database.
CREATE UNIQUE INDEX IF NOT EXISTS ${q(t.defaultIndex)}
  ON ${t.configs} (tenant_id, scope) WHERE is_default;

-- The resolution read: all of a tenant's configs in a few scopes.
CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}configs_tenant_scope_idx`)}
  ON ${t.configs} (tenant_id, scope);

CREATE TABLE IF NOT EXISTS ${t.audit} (
  tenant_id text NOT NULL,
  id text COLLATE "C" NOT NULL,
  config_id text COLLATE "C",
  at text NOT NULL,
  actor jsonb,
  type text NOT NULL,
  changes jsonb NOT NULL DEFAULT '[]',
  key_hint text,
  detail jsonb NOT NULL DEFAULT '{}',
  -- Also serves the newest-first listing (tenant_id, id DESC).
  CONSTRAINT ${q(`${t.prefix}audit_pkey`)} PRIMARY KEY (tenant_id, id)
);

-- One config's history, newest first.
CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}audit_tenant_config_idx`)}
  ON ${t.audit} (tenant_id, config_id, id DESC);
`;
}

function derivedKekId(t: TableNames): string {
  return `-- byokit PostgreSQL schema, migration 002: the KEK id comes from the sealed key.
-- Generated for schema ${quoteIdentifier(t.schema)} and table prefix '${t.prefix}'.
--
-- byokit 0.2 reads a key's KEK id from the sealed value itself
-- ('byokit:1:<kekId>:...'), so a row can no longer claim a KEK its sealed
-- value does not name (a kek_id changed behind the adapter once made a
-- rewrap skip a key still under the old KEK). The column is dropped so that
-- nothing, not even a report query of yours, reads a value nothing keeps true.
-- byokit 0.2 works with or without this migration applied; byokit 0.1 does
-- not work after it: apply it once no 0.1 instance is left.

ALTER TABLE ${t.configs} DROP COLUMN IF EXISTS kek_id;
`;
}

function keyHealth(t: TableNames): string {
  const q = quoteIdentifier;
  return `-- byokit PostgreSQL schema, migration 003: key health.
-- Generated for schema ${q(t.schema)} and table prefix '${t.prefix}'.
--
-- One row per config whose key traffic or validation has reported on
-- (failing state, failures, last use, last success, last valid check),
-- apart from the config row: health writes never bump a config's revision,
-- so admins' compare-and-swap writes never collide with traffic. The
-- foreign key removes the row with its config, and refuses a row for a
-- config that is not there. byokit 0.2 needs this table (views read it);
-- it only adds a table, so byokit 0.1 instances keep working beside it.

CREATE TABLE IF NOT EXISTS ${t.keyHealth} (
  tenant_id text NOT NULL,
  config_id text COLLATE "C" NOT NULL,
  key_set_at text NOT NULL,
  state text NOT NULL CHECK (state IN ('ok', 'failing')),
  first_failure_at text,
  last_failure_at text,
  failure_count integer NOT NULL,
  last_used_at text,
  last_success_at text,
  last_valid_at text,
  -- Which write made the latest ok/failing transition (a random token per
  -- write): how one upsert statement tells its caller it made the transition.
  transition_token text,
  CONSTRAINT ${q(`${t.prefix}key_health_pkey`)} PRIMARY KEY (tenant_id, config_id),
  CONSTRAINT ${q(`${t.prefix}key_health_config_fkey`)} FOREIGN KEY (tenant_id, config_id)
    REFERENCES ${t.configs} (tenant_id, id) ON DELETE CASCADE
);
`;
}

function accessKeys(t: TableNames): string {
  const q = quoteIdentifier;
  return `-- byokit PostgreSQL schema, migration 004: the settings document, access keys,
-- their quota counters and usage.
-- Generated for schema ${q(t.schema)} and table prefix '${t.prefix}'.

-- One settings document per tenant (entitlement; later workload routes and
-- pool selection policies), replaced whole by compare-and-swap on revision.
CREATE TABLE IF NOT EXISTS ${t.settings} (
  tenant_id text NOT NULL,
  document jsonb NOT NULL,
  revision integer NOT NULL,
  updated_at text NOT NULL,
  CONSTRAINT ${q(`${t.prefix}settings_pkey`)} PRIMARY KEY (tenant_id)
);

-- Keyed by id alone: a token names its key, not its tenant. Only a keyed
-- hash of the secret is stored.
CREATE TABLE IF NOT EXISTS ${t.accessKeys} (
  id text COLLATE "C" NOT NULL,
  tenant_id text NOT NULL,
  scope text NOT NULL,
  name text NOT NULL,
  providers jsonb,
  models jsonb,
  quota jsonb,
  hint text NOT NULL,
  secret_hash text NOT NULL,
  hash_key_id text NOT NULL,
  expires_at text,
  revoked_at text,
  created_at text NOT NULL,
  CONSTRAINT ${q(`${t.prefix}access_keys_pkey`)} PRIMARY KEY (id)
);

-- A tenant's keys in id order.
CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}access_keys_tenant_idx`)}
  ON ${t.accessKeys} (tenant_id, id);

-- One row per key: the current window of each quota and its count, so the
-- table never grows with traffic.
CREATE TABLE IF NOT EXISTS ${t.accessKeyCounters} (
  tenant_id text NOT NULL,
  key_id text NOT NULL,
  requests_window text,
  requests bigint NOT NULL DEFAULT 0,
  tokens_window text,
  tokens bigint NOT NULL DEFAULT 0,
  CONSTRAINT ${q(`${t.prefix}access_key_counters_pkey`)} PRIMARY KEY (tenant_id, key_id)
);

-- One row per key and UTC day: resolutions handed out and tokens reported.
CREATE TABLE IF NOT EXISTS ${t.accessKeyUsage} (
  tenant_id text NOT NULL,
  period text COLLATE "C" NOT NULL,
  key_id text COLLATE "C" NOT NULL,
  requests bigint NOT NULL DEFAULT 0,
  tokens bigint NOT NULL DEFAULT 0,
  CONSTRAINT ${q(`${t.prefix}access_key_usage_pkey`)} PRIMARY KEY (tenant_id, period, key_id)
);

-- One key's usage by day.
CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}access_key_usage_key_idx`)}
  ON ${t.accessKeyUsage} (tenant_id, key_id, period);
`;
}

function usableIndexes(t: TableNames): string {
  const q = quoteIdentifier;
  return `-- byokit PostgreSQL schema, migration 005: indexes for the filtered resolution read.
-- Generated for schema ${q(t.schema)} and table prefix '${t.prefix}'.
--
-- A resolution reads only the configs that can win it: per scope of the
-- chain, the first usable config (enabled, with a key) of each group in the
-- order the walk visits them (default first, then newest id). These partial
-- indexes hold exactly the usable configs in that order, so each group's
-- winner is one index seek (LIMIT 1), however many configs a tenant has.
--
-- On a large table, create them yourself first with CREATE INDEX
-- CONCURRENTLY (same names and definitions): this migration then finds
-- them and skips them, instead of locking writes while it builds them.

CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}configs_usable_provider_idx`)}
  ON ${t.configs} (tenant_id, scope, provider, is_default DESC, id DESC)
  WHERE enabled AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);

CREATE INDEX IF NOT EXISTS ${q(`${t.prefix}configs_usable_idx`)}
  ON ${t.configs} (tenant_id, scope, is_default DESC, id DESC)
  WHERE enabled AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);
`;
}

function keyCooldowns(t: TableNames): string {
  const q = quoteIdentifier;
  return `-- byokit PostgreSQL schema, migration 006: key cooldowns of key pools.
-- Generated for schema ${q(t.schema)} and table prefix '${t.prefix}'.
--
-- One row per key at most: until when its pool passes it over (after a
-- rate limit). Every process reads the same rows, so a key one process saw
-- rate-limited is passed over by all. "until" is an ISO string (UTC), which
-- sorts like the time; a row whose "until" has passed is ignored by reads
-- and deleted by the tenant's next cooldown write.
CREATE TABLE IF NOT EXISTS ${t.keyCooldowns} (
  tenant_id text NOT NULL,
  config_id text COLLATE "C" NOT NULL,
  until text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  set_at text NOT NULL,
  CONSTRAINT ${q(`${t.prefix}key_cooldowns_pkey`)} PRIMARY KEY (tenant_id, config_id)
);
`;
}

const MIGRATIONS: readonly { version: number; name: string; build: (t: TableNames) => string }[] = [
  { version: 1, name: '001_init', build: init },
  { version: 2, name: '002_derived_kek_id', build: derivedKekId },
  { version: 3, name: '003_key_health', build: keyHealth },
  { version: 4, name: '004_access_keys', build: accessKeys },
  { version: 5, name: '005_usable_indexes', build: usableIndexes },
  { version: 6, name: '006_key_cooldowns', build: keyCooldowns },
];

/**
 * The schema migrations, in order, as SQL for the given schema and prefix:
 * for hosts that run their own migration tool instead of
 * {@link PostgresStore.migrate}.
 *
 * @throws ValidationError if the schema or prefix is not a plain identifier.
 * @example
 * ```ts
 * for (const m of postgresMigrations({ schema: 'app' })) writeFileSync(`migrations/${m.name}.sql`, m.sql);
 * ```
 */
export function postgresMigrations(location: PostgresLocation = {}): PostgresMigration[] {
  const names = tableNames(location);
  return MIGRATIONS.map((m) => ({ version: m.version, name: m.name, sql: m.build(names) }));
}

/**
 * The one statement `migrate()` sends: a `DO` block that takes a
 * transaction-scoped advisory lock (so concurrent `migrate()` calls from
 * several processes run one after the other), creates the bookkeeping
 * table, and applies each migration not yet recorded, with its record, in
 * the block's single transaction. One statement needs no connection
 * checkout, so it works the same on a `pg` Pool, a `pg` Client and PGlite.
 */
export function migrateStatement(names: TableNames, migrations: readonly PostgresMigration[]): string {
  // One lock per schema (not per prefix): two prefixes in one schema may both need to create it.
  const lockKey = `byokit.migrate:${names.schema}`;
  const steps = migrations
    .map(
      (m) => `
  IF NOT EXISTS (SELECT 1 FROM ${names.migrations} WHERE version = ${m.version}) THEN
${m.sql}
    INSERT INTO ${names.migrations} (version, name) VALUES (${m.version}, '${m.name}');
  END IF;`,
    )
    .join('\n');
  return `DO $byokit_migrate$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('${lockKey}'));
  -- CREATE SCHEMA checks the database CREATE privilege even when the schema
  -- exists, so a least-privilege role migrating into "public" must not reach it.
  IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '${names.schema}') THEN
    CREATE SCHEMA IF NOT EXISTS ${names.quotedSchema};
  END IF;
  CREATE TABLE IF NOT EXISTS ${names.migrations} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
${steps}
END
$byokit_migrate$`;
}
