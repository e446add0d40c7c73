/**
 * How a config record maps to the fields of its Redis hash, and back.
 *
 * Encoding, chosen so every value round-trips exactly and unambiguously:
 * strings are stored as given; a `null` is an absent field (so `''` stays
 * `''`); booleans are `'1'`/`'0'`; `revision` is a decimal integer (the
 * scripts increment it with HINCRBY); `routes` and `options` are JSON.
 * The sealed key lives in the `sealedKey` field of the same hash, so a key
 * replacement rewrites key and hint in one HSET; so do the staged keys
 * (`pendingSealedKey`, `previousSealedKey`), which plain reads strip too. There is no KEK id field:
 * the scripts derive `kekId` from `sealedKey` on every read (a `kekId`
 * field left by byokit 0.1, or written behind the adapter, is never read,
 * and is deleted when the key next changes).
 *
 * @module
 */
import type {
  SealedConfigRecord,
  ConfigOptions,
  ConfigPatch,
  ConfigRecord,
  ValidationStatus,
} from '../../src/store/types.js';
import { STAGED_KEY_FIELDS } from '../../src/store/patch.js';

/** Fields that hold a string or `null`. */
const NULLABLE_FIELDS = [
  'model',
  'baseUrl',
  'keyHint',
  'keySetAt',
  'keyExpiresAt',
  'lastValidatedAt',
  'lastValidationStatus',
  ...STAGED_KEY_FIELDS,
] as const;

/** Fields that always hold a string. */
const STRING_FIELDS = ['scope', 'name', 'provider', 'updatedAt'] as const;

/** Fields a patch may change, in the encoded form. */
export interface EncodedPatch {
  /** Field/value pairs to set. */
  set: string[];
  /** Fields to delete (patched to `null`). */
  del: string[];
}

/** The hash fields of a new record, as field/value pairs (null fields omitted). */
export function encodeRecord(record: ConfigRecord): string[] {
  const pairs: string[] = [
    'id',
    record.id,
    'tenantId',
    record.tenantId,
    'scope',
    record.scope,
    'name',
    record.name,
    'provider',
    record.provider,
    'routes',
    JSON.stringify(record.routes),
    'options',
    JSON.stringify(record.options),
    'enabled',
    record.enabled ? '1' : '0',
    'isDefault',
    record.isDefault ? '1' : '0',
    'createdAt',
    record.createdAt,
    'updatedAt',
    record.updatedAt,
    'revision',
    String(record.revision),
  ];
  for (const field of NULLABLE_FIELDS) {
    const value = record[field];
    if (value !== null) pairs.push(field, value);
  }
  return pairs;
}

/**
 * Encodes a patch. Unknown keys and the fields a patch may not change (`id`,
 * `tenantId`, `createdAt`, `revision`) are ignored; `undefined` means
 * "leave as is".
 */
export function encodePatch(patch: ConfigPatch): EncodedPatch {
  const set: string[] = [];
  const del: string[] = [];
  for (const field of STRING_FIELDS) {
    const value = patch[field];
    if (value !== undefined) set.push(field, value);
  }
  for (const field of [...NULLABLE_FIELDS, 'sealedKey', 'pendingSealedKey', 'previousSealedKey'] as const) {
    const value = patch[field];
    if (value === null) del.push(field);
    else if (value !== undefined) set.push(field, value);
  }
  // A 0.1 hash kept the KEK id beside the key; reads ignore it, and a new key clears it.
  if (patch.sealedKey !== undefined) del.push('kekId');
  if (patch.routes !== undefined) set.push('routes', JSON.stringify(patch.routes));
  if (patch.options !== undefined) set.push('options', JSON.stringify(patch.options));
  if (patch.enabled !== undefined) set.push('enabled', patch.enabled ? '1' : '0');
  if (patch.isDefault !== undefined) set.push('isDefault', patch.isDefault ? '1' : '0');
  return { set, del };
}

/** Turns a flat HGETALL reply into a field map. */
function toMap(flat: unknown): Map<string, string> {
  if (!Array.isArray(flat)) throw new TypeError('hash reply is not an array');
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field: unknown = flat[i];
    const value: unknown = flat[i + 1];
    if (typeof field !== 'string' || typeof value !== 'string') throw new TypeError('hash reply holds a non-string');
    map.set(field, value);
  }
  return map;
}

function required(map: Map<string, string>, field: string): string {
  const value = map.get(field);
  if (value === undefined) throw new TypeError(`stored config lacks field ${field}`);
  return value;
}

/** Decodes a config hash (as a flat HGETALL reply) into a record, without the sealed key. */
export function decodeRecord(flat: unknown): ConfigRecord {
  const map = toMap(flat);
  return recordFromMap(map);
}

/** Decodes a config hash into a candidate, with the sealed key. */
export function decodeCandidate(flat: unknown): SealedConfigRecord {
  const map = toMap(flat);
  return {
    ...recordFromMap(map),
    sealedKey: map.get('sealedKey') ?? null,
    pendingSealedKey: map.get('pendingSealedKey') ?? null,
    previousSealedKey: map.get('previousSealedKey') ?? null,
  };
}

function recordFromMap(map: Map<string, string>): ConfigRecord {
  const revision = Number(required(map, 'revision'));
  if (!Number.isSafeInteger(revision)) throw new TypeError('stored config has a bad revision');
  return {
    id: required(map, 'id'),
    tenantId: required(map, 'tenantId'),
    scope: required(map, 'scope'),
    name: required(map, 'name'),
    provider: required(map, 'provider'),
    routes: JSON.parse(required(map, 'routes')) as string[],
    model: map.get('model') ?? null,
    baseUrl: map.get('baseUrl') ?? null,
    options: JSON.parse(required(map, 'options')) as ConfigOptions,
    enabled: required(map, 'enabled') === '1',
    isDefault: required(map, 'isDefault') === '1',
    keyHint: map.get('keyHint') ?? null,
    // Derived from `sealedKey` by the script that read the hash, never stored.
    kekId: map.get('kekId') ?? null,
    keySetAt: map.get('keySetAt') ?? null,
    keyExpiresAt: map.get('keyExpiresAt') ?? null,
    lastValidatedAt: map.get('lastValidatedAt') ?? null,
    lastValidationStatus: (map.get('lastValidationStatus') ?? null) as ValidationStatus | null,
    pendingKeyHint: map.get('pendingKeyHint') ?? null,
    pendingKeySetAt: map.get('pendingKeySetAt') ?? null,
    pendingKeyExpiresAt: map.get('pendingKeyExpiresAt') ?? null,
    previousKeyHint: map.get('previousKeyHint') ?? null,
    previousKeySetAt: map.get('previousKeySetAt') ?? null,
    previousKeyExpiresAt: map.get('previousKeyExpiresAt') ?? null,
    previousKeyKeptUntil: map.get('previousKeyKeptUntil') ?? null,
    createdAt: required(map, 'createdAt'),
    updatedAt: required(map, 'updatedAt'),
    revision,
  };
}
