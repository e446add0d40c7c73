-- byokit PostgreSQL schema, migration 005: indexes for the filtered resolution read.
-- Generated for schema "public" and table prefix 'byokit_'.
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

CREATE INDEX IF NOT EXISTS "byokit_configs_usable_provider_idx"
  ON "public"."byokit_configs" (tenant_id, scope, provider, is_default DESC, id DESC)
  WHERE enabled AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);

CREATE INDEX IF NOT EXISTS "byokit_configs_usable_idx"
  ON "public"."byokit_configs" (tenant_id, scope, is_default DESC, id DESC)
  WHERE enabled AND (sealed_key IS NOT NULL OR key_hint IS NOT NULL);
