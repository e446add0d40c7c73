/**
 * Rows of the settings, access-key and usage tables, and back: JSON text
 * for documents, lists and quotas; fresh plain objects on the way out.
 *
 * @module
 */
import type { AccessKeyRecord, AccessKeyUsageRecord } from '../../src/store/access-key-storage.js';
import type { SettingsRecord } from '../../src/store/settings-storage.js';
import type { SqliteValue } from './database.js';

/** Access-key columns in the order {@link accessKeyValues} binds them. */
export const ACCESS_KEY_COLUMNS = [
  'id',
  'tenant_id',
  'scope',
  'name',
  'providers',
  'models',
  'quota',
  'hint',
  'secret_hash',
  'hash_key_id',
  'expires_at',
  'revoked_at',
  'created_at',
] as const;

/** A row of the access-key table as the driver returns it. */
export type AccessKeyRow = Record<(typeof ACCESS_KEY_COLUMNS)[number], string | null>;

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** Binds an access key in {@link ACCESS_KEY_COLUMNS} order. */
export function accessKeyValues(r: AccessKeyRecord): SqliteValue[] {
  return [
    r.id,
    r.tenantId,
    r.scope,
    r.name,
    json(r.providers),
    json(r.models),
    json(r.quota),
    r.hint,
    r.secretHash,
    r.hashKeyId,
    r.expiresAt,
    r.revokedAt,
    r.createdAt,
  ];
}

/** A fresh {@link AccessKeyRecord} from a row. */
export function toAccessKey(row: AccessKeyRow): AccessKeyRecord {
  const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
  return {
    id: row.id!,
    tenantId: row.tenant_id!,
    scope: row.scope!,
    name: row.name!,
    providers: parse(row.providers),
    models: parse(row.models),
    quota: parse(row.quota),
    hint: row.hint!,
    secretHash: row.secret_hash!,
    hashKeyId: row.hash_key_id!,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at!,
  };
}

/** A fresh {@link SettingsRecord} from a row. */
export function toSettings(row: {
  tenant_id: string;
  document: string;
  revision: number | bigint;
  updated_at: string;
}): SettingsRecord {
  return {
    tenantId: row.tenant_id,
    document: JSON.parse(row.document) as SettingsRecord['document'],
    revision: Number(row.revision),
    updatedAt: row.updated_at,
  };
}

/** A fresh {@link AccessKeyUsageRecord} from a row. */
export function toUsage(row: {
  tenant_id: string;
  key_id: string;
  period: string;
  requests: number | bigint;
  tokens: number | bigint;
}): AccessKeyUsageRecord {
  return {
    tenantId: row.tenant_id,
    keyId: row.key_id,
    period: row.period,
    requests: Number(row.requests),
    tokens: Number(row.tokens),
  };
}

/** The `(period, keyId)` a usage cursor names (the last item's `period:keyId`). */
export function usageCursor(cursor: string): [string, string] {
  const colon = cursor.indexOf(':');
  return colon < 0 ? [cursor, ''] : [cursor.slice(0, colon), cursor.slice(colon + 1)];
}
