-- byokit PostgreSQL schema, migration 003: key health.
-- Generated for schema "public" and table prefix 'byokit_'.
--
-- One row per config whose key traffic or validation has reported on
-- (failing state, failures, last use, last success, last valid check),
-- apart from the config row: health writes never bump a config's revision,
-- so admins' compare-and-swap writes never collide with traffic. The
-- foreign key removes the row with its config, and refuses a row for a
-- config that is not there. byokit 0.2 needs this table (views read it);
-- it only adds a table, so byokit 0.1 instances keep working beside it.

CREATE TABLE IF NOT EXISTS "public"."byokit_key_health" (
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
  CONSTRAINT "byokit_key_health_pkey" PRIMARY KEY (tenant_id, config_id),
  CONSTRAINT "byokit_key_health_config_fkey" FOREIGN KEY (tenant_id, config_id)
    REFERENCES "public"."byokit_configs" (tenant_id, id) ON DELETE CASCADE
);
