-- byokit PostgreSQL schema, migration 007: staged provider-key rotation.
-- Generated for schema "public" and table prefix 'byokit_'.
--
-- Beside the active key, a config may hold a pending key (staged, waiting to
-- be promoted; resolution never reads it) and the previous key (replaced by
-- a promotion, kept for a rollback until its grace period ends). Each is
-- sealed like the active key, with its own hint and times. New nullable
-- columns only: rows written before stay valid, and byokit instances that
-- don't know the columns keep working beside them.

ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS pending_sealed_key text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS pending_key_hint text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS pending_key_set_at text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS pending_key_expires_at text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS previous_sealed_key text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS previous_key_hint text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS previous_key_set_at text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS previous_key_expires_at text;
ALTER TABLE "public"."byokit_configs" ADD COLUMN IF NOT EXISTS previous_key_kept_until text;
