-- byokit PostgreSQL schema, migration 006: key cooldowns of key pools.
-- Generated for schema "public" and table prefix 'byokit_'.
--
-- One row per key at most: until when its pool passes it over (after a
-- rate limit). Every process reads the same rows, so a key one process saw
-- rate-limited is passed over by all. "until" is an ISO string (UTC), which
-- sorts like the time; a row whose "until" has passed is ignored by reads
-- and deleted by the tenant's next cooldown write.
CREATE TABLE IF NOT EXISTS "public"."byokit_key_cooldowns" (
  tenant_id text NOT NULL,
  config_id text COLLATE "C" NOT NULL,
  until text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  set_at text NOT NULL,
  CONSTRAINT "byokit_key_cooldowns_pkey" PRIMARY KEY (tenant_id, config_id)
);
