-- byokit PostgreSQL schema, migration 002: the KEK id comes from the sealed key.
-- Generated for schema "public" and table prefix 'byokit_'.
--
-- byokit 0.2 reads a key's KEK id from the sealed value itself
-- ('byokit:1:<kekId>:...'), so a row can no longer claim a KEK its sealed
-- value does not name (a kek_id changed behind the adapter once made a
-- rewrap skip a key still under the old KEK). The column is dropped so that
-- nothing, not even a report query of yours, reads a value nothing keeps true.
-- byokit 0.2 works with or without this migration applied; byokit 0.1 does
-- not work after it: apply it once no 0.1 instance is left.

ALTER TABLE "public"."byokit_configs" DROP COLUMN IF EXISTS kek_id;
