-- byokit PostgreSQL schema, migration 004: the settings document, access keys,
-- their quota counters and usage.
-- Generated for schema "public" and table prefix 'byokit_'.

-- One settings document per tenant (entitlement; later workload routes and
-- pool selection policies), replaced whole by compare-and-swap on revision.
CREATE TABLE IF NOT EXISTS "public"."byokit_settings" (
  tenant_id text NOT NULL,
  document jsonb NOT NULL,
  revision integer NOT NULL,
  updated_at text NOT NULL,
  CONSTRAINT "byokit_settings_pkey" PRIMARY KEY (tenant_id)
);

-- Keyed by id alone: a token names its key, not its tenant. Only a keyed
-- hash of the secret is stored.
CREATE TABLE IF NOT EXISTS "public"."byokit_access_keys" (
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
  CONSTRAINT "byokit_access_keys_pkey" PRIMARY KEY (id)
);

-- A tenant's keys in id order.
CREATE INDEX IF NOT EXISTS "byokit_access_keys_tenant_idx"
  ON "public"."byokit_access_keys" (tenant_id, id);

-- One row per key: the current window of each quota and its count, so the
-- table never grows with traffic.
CREATE TABLE IF NOT EXISTS "public"."byokit_access_key_counters" (
  tenant_id text NOT NULL,
  key_id text NOT NULL,
  requests_window text,
  requests bigint NOT NULL DEFAULT 0,
  tokens_window text,
  tokens bigint NOT NULL DEFAULT 0,
  CONSTRAINT "byokit_access_key_counters_pkey" PRIMARY KEY (tenant_id, key_id)
);

-- One row per key and UTC day: resolutions handed out and tokens reported.
CREATE TABLE IF NOT EXISTS "public"."byokit_access_key_usage" (
  tenant_id text NOT NULL,
  period text COLLATE "C" NOT NULL,
  key_id text COLLATE "C" NOT NULL,
  requests bigint NOT NULL DEFAULT 0,
  tokens bigint NOT NULL DEFAULT 0,
  CONSTRAINT "byokit_access_key_usage_pkey" PRIMARY KEY (tenant_id, period, key_id)
);

-- One key's usage by day.
CREATE INDEX IF NOT EXISTS "byokit_access_key_usage_key_idx"
  ON "public"."byokit_access_key_usage" (tenant_id, key_id, period);
