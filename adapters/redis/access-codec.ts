/**
 * How settings and access keys map to Redis hashes, and back. An access
 * key is stored as the JSON of its record without `revokedAt` (which is
 * its own field, the one thing a key ever changes), so a revoke writes
 * one field and the rest round-trips exactly.
 *
 * @module
 */
import type { AccessKeyRecord } from '../../src/store/access-key-storage.js';
import type { SettingsRecord } from '../../src/store/settings-storage.js';

/** The stored JSON of an access key: the record without `revokedAt`. */
export function encodeAccessKey(record: AccessKeyRecord): string {
  const { revokedAt: _revokedAt, ...fixed } = record;
  return JSON.stringify(fixed);
}

/** A record from the script reply `{json, revokedAt}`. */
export function decodeAccessKey(reply: unknown): AccessKeyRecord {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string')
    throw new TypeError('access key reply is not {json, revokedAt}');
  const revokedAt: unknown = reply[1];
  return { ...(JSON.parse(reply[0]) as AccessKeyRecord), revokedAt: typeof revokedAt === 'string' ? revokedAt : null };
}

/** A settings record from a flat HGETALL reply, or `null` for an empty one (no document). */
export function decodeSettings(flat: unknown): SettingsRecord | null {
  if (!Array.isArray(flat)) throw new TypeError('settings reply is not an array');
  if (flat.length === 0) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), String(flat[i + 1]));
  const revision = Number(map.get('revision'));
  if (!Number.isSafeInteger(revision) || !map.has('document'))
    throw new TypeError('stored settings lack a revision or document');
  return {
    tenantId: map.get('tenantId') ?? '',
    document: JSON.parse(map.get('document')!) as SettingsRecord['document'],
    revision,
    updatedAt: map.get('updatedAt') ?? '',
  };
}
