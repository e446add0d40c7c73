/**
 * What an update may change, shared by adapters so none of them lets a patch
 * rewrite `id`, `tenantId`, `createdAt`, `revision` or `kekId`.
 *
 * @module
 */
import { sealedKekId } from '../crypto/sealed-kek-id.js';
import type { SealedConfigRecord, ConfigPatch, ConfigRecord, SealedKeySlot } from './types.js';

/** The staged-rotation fields of a record (pending and previous keys): `null` in a new config. */
export const STAGED_KEY_FIELDS = [
  'pendingKeyHint',
  'pendingKeySetAt',
  'pendingKeyExpiresAt',
  'previousKeyHint',
  'previousKeySetAt',
  'previousKeyExpiresAt',
  'previousKeyKeptUntil',
] as const satisfies readonly (keyof ConfigRecord)[];

/**
 * The record fields an update may change (`sealedKey` travels beside them;
 * `kekId` is derived from it, never patched).
 */
export const CONFIG_PATCH_FIELDS = [
  'scope',
  'name',
  'provider',
  'routes',
  'model',
  'baseUrl',
  'options',
  'enabled',
  'isDefault',
  'keyHint',
  'keySetAt',
  'keyExpiresAt',
  'lastValidatedAt',
  'lastValidationStatus',
  ...STAGED_KEY_FIELDS,
  'updatedAt',
] as const satisfies readonly (keyof ConfigRecord)[];

/**
 * The patch's record fields that are set (not `undefined`), and nothing
 * else: unknown keys and the fields no update may change are dropped.
 */
export function patchedFields(patch: ConfigPatch): Partial<ConfigRecord> {
  const fields: Partial<ConfigRecord> = {};
  for (const field of CONFIG_PATCH_FIELDS) {
    const value = patch[field];
    if (value !== undefined) Object.assign(fields, { [field]: value });
  }
  return fields;
}

/** The staged fields all `null`, to spread into a new record. */
export function noStagedKeys(): Pick<ConfigRecord, (typeof STAGED_KEY_FIELDS)[number]> {
  return Object.fromEntries(STAGED_KEY_FIELDS.map((field) => [field, null])) as Pick<
    ConfigRecord,
    (typeof STAGED_KEY_FIELDS)[number]
  >;
}

/**
 * The sealed values a patch sets, slot by slot, over the stored ones: a
 * slot the patch leaves `undefined` keeps its stored value.
 */
export function patchedSealedKeys(
  stored: Pick<SealedConfigRecord, SealedKeySlot>,
  patch: ConfigPatch,
): Pick<SealedConfigRecord, SealedKeySlot> {
  return {
    sealedKey: patch.sealedKey === undefined ? stored.sealedKey : patch.sealedKey,
    pendingSealedKey: patch.pendingSealedKey === undefined ? stored.pendingSealedKey : patch.pendingSealedKey,
    previousSealedKey: patch.previousSealedKey === undefined ? stored.previousSealedKey : patch.previousSealedKey,
  };
}

/**
 * A fresh record holding exactly the {@link ConfigRecord} fields of
 * `record` (arrays and objects copied): no extra property, such as a
 * `sealedKey` on a candidate, survives.
 */
export function copyConfigRecord(record: ConfigRecord): ConfigRecord {
  return {
    id: record.id,
    tenantId: record.tenantId,
    createdAt: record.createdAt,
    revision: record.revision,
    kekId: record.kekId,
    ...(Object.fromEntries(CONFIG_PATCH_FIELDS.map((field) => [field, record[field]])) as Omit<
      ConfigRecord,
      'id' | 'tenantId' | 'createdAt' | 'revision' | 'kekId'
    >),
    routes: [...record.routes],
    options: { ...record.options },
  };
}

/**
 * A fresh copy of a stored record as a read returns it, with `kekId`
 * derived from the stored sealed value (never taken from the record). For
 * adapters that keep a record and its sealed value side by side; add
 * `sealedKey` beside it for the two sealed reads.
 *
 * @example
 * ```ts
 * const record = storedRecord(row.record, row.sealedKey);          // getConfig, listConfigs
 * const candidate = { ...storedRecord(row.record, row.sealedKey), sealedKey: row.sealedKey };
 * ```
 */
export function storedRecord(record: ConfigRecord, sealedKey: string | null): ConfigRecord {
  return { ...copyConfigRecord(record), kekId: sealedKekId(sealedKey) };
}
