-- byokit PostgreSQL schema, migration 001: configs and audit events.
-- Generated for schema "public" and table prefix 'byokit_'. For another schema
-- or prefix, use postgresMigrations({ schema, tablePrefix }) from
-- 'byokit/adapters/postgres', or replace the names below consistently.

CREATE TABLE IF NOT EXISTS "public"."byokit_configs" (
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
  CONSTRAINT "byokit_configs_pkey" PRIMARY KEY (tenant_id, id)
);

-- Names are unique within a tenant (exact, case-sensitive).
CREATE UNIQUE INDEX IF NOT EXISTS "byokit_configs_tenant_name_key"
  ON "public"."byokit_configs" (tenant_id, name);

-- At most one default per (tenant, scope), kept by the database.
CREATE UNIQUE INDEX IF NOT EXISTS "byokit_configs_tenant_scope_default_key"
  ON "public"."byokit_configs" (tenant_id, scope) WHERE is_default;

-- The resolution read: all of a tenant's configs in a few scopes.
CREATE INDEX IF NOT EXISTS "byokit_configs_tenant_scope_idx"
  ON "public"."byokit_configs" (tenant_id, scope);

CREATE TABLE IF NOT EXISTS "public"."byokit_audit" (
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
  CONSTRAINT "byokit_audit_pkey" PRIMARY KEY (tenant_id, id)
);

-- One config's history, newest first.
CREATE INDEX IF NOT EXISTS "byokit_audit_tenant_config_idx"
  ON "public"."byokit_audit" (tenant_id, config_id, id DESC);
